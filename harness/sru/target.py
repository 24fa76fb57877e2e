"""The SRU target of a run: the resolved ``[sru]`` settings, what explain declares, the views.

Built once per run by the SRU fixtures. Explain is asked first, in the profile's version,
and everything the checks plan from comes from it: the versions to test, the CQL indexes
for ISBN, title and author (the profile may name them instead), the MARCXML schema's name,
the default and maximum number of records, sorting and scan. What explain does not declare
a check SKIPs; what it declares and the target does not do is a FAIL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from harness.profile import Library, Profile
from harness.sru.client import SruClient, SruResult
from harness.sru.model import MARCXML_SCHEMA_URI, VERSIONS, ExplainInfo, ExplainResponse
from harness.sru.settings import SruSettings

# Where a CQL index of each kind is commonly found; the first one explain declares is used.
INDEX_CANDIDATES: dict[str, tuple[str, ...]] = {
    "isbn": ("bath.isbn", "alma.isbn", "bib.isbn", "rec.isbn", "isbn"),
    "title": ("dc.title", "bath.title", "alma.title", "bib.title", "title"),
    "author": ("dc.creator", "bath.author", "bath.name", "dc.author", "alma.creator", "bib.author", "author", "creator"),
}
_TITLE_WORDS = {"isbn": ("isbn",), "title": ("title", "tittel"), "author": ("author", "creator", "forfatter")}


@dataclass(frozen=True)
class SruTarget:
    settings: SruSettings
    profile: Profile
    explain_result: SruResult | None = None  # the explain answer everything below is read from
    explain_error: str = ""  # why explain could not be asked, when it could not

    # -- clients ------------------------------------------------------------------------------

    @property
    def timeout(self) -> float:
        return self.settings.timeout or self.profile.timeout

    def client(self, url: str | None = None, **overrides: object) -> SruClient:
        settings = replace(self.settings, timeout=self.timeout, **overrides)  # type: ignore[arg-type]
        if url:
            settings = replace(settings, url=url)
        return SruClient(settings)

    # -- what explain declares -------------------------------------------------------------------

    @property
    def explain(self) -> ExplainInfo | None:
        response = self.explain_result.parsed.response if self.explain_result is not None else None
        return response.info if isinstance(response, ExplainResponse) else None

    @property
    def declared_versions(self) -> tuple[str, ...]:
        """The SRU versions explain declares that the harness knows (1.1, 1.2, 2.0)."""
        info = self.explain
        declared = tuple(v for v in VERSIONS if info is not None and v in info.versions)
        return declared

    @property
    def versions(self) -> tuple[str, ...]:
        """The versions protocol checks ask in: the declared ones, else the profile's."""
        return self.declared_versions or (self.settings.version,)

    def index(self, kind: str) -> str | None:
        """The CQL index for ``kind`` (isbn, title, author): the profile's, else explain's."""
        named = {"isbn": self.settings.isbn_index, "title": self.settings.title_index,
                 "author": self.settings.author_index}.get(kind, "")
        if named:
            return named
        info = self.explain
        if info is None:
            return None
        declared = {name.lower(): name for name in info.cql_indexes}
        for candidate in INDEX_CANDIDATES[kind]:
            if candidate in declared:
                return declared[candidate]
        for index in info.indexes:
            if index.names and any(w in t.lower() for t in index.titles for w in _TITLE_WORDS[kind]):
                return index.cql_names[0]
        return None

    def declares_index(self, name: str) -> bool:
        info = self.explain
        return info is not None and name.lower() in {n.lower() for n in info.cql_indexes}

    @property
    def marcxml_schema(self) -> tuple[str, str]:
        """(short name, URI) of the MARCXML schema explain declares, else the profile's name."""
        info = self.explain
        declared = info.schema(MARCXML_SCHEMA_URI) if info is not None else None
        if declared is not None:
            return declared.name or self.settings.record_schema, declared.identifier
        return self.settings.record_schema, MARCXML_SCHEMA_URI

    # -- the consortium's views --------------------------------------------------------------------

    @property
    def libraries(self) -> tuple[Library, ...]:
        return self.profile.libraries

    def views(self) -> tuple[tuple[Library, str], ...]:
        """(member library, the URL it searches) for every member of the profile."""
        return tuple((lib, self.settings.view_url(lib.code_for("sru"))) for lib in self.libraries)

    def view_groups(self) -> dict[str, list[Library]]:
        """The distinct URLs to ask, each with the members that search it."""
        groups: dict[str, list[Library]] = {}
        for library, url in self.views():
            groups.setdefault(url, []).append(library)
        return groups

    def known_library_numbers(self) -> frozenset[str]:
        return frozenset(_numbers(self.libraries))


def _numbers(libraries: Iterable[Library]) -> Iterable[str]:
    for library in libraries:
        yield library.number
        if library.isil:
            yield library.isil
