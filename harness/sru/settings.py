"""The ``[sru]`` section of a target profile: where the SRU endpoint is and what the target says.

Read by the unit's ``parse`` (``harness/sru/unit.py``) with a
:class:`~harness.settings.SectionReader`, so every value is checked before anything is sent.
For the embedded sandbox ``url`` and ``member_url`` are left out: the sandbox writes its own.

Most of what the suite needs it discovers from explain (versions, indexes, schemas, default
and maximum records, sort, scan). The profile says what explain cannot:

- ``member_url``: each member library's own view of the catalogue, with ``{library}`` where
  the library's code goes (``[[library]] codes = { sru = "..." }``, else its number); left
  out, every member searches ``url``;
- ``library_index``: the CQL index that limits a search to one library's holdings (KAT-03);
- where returned MARCXML records carry holdings and item status (``holdings_tag`` ...,
  ``status_tag``, ``on_loan_values``): left out, availability is not declared (KAT-04 SKIP);
  ``in_transit_values``: the status of a copy returned at another member on its way home
  (the cooperation suite's SIP-05 story; left out, in transit is not declared: SKIP);
  ``available_values``: the statuses that mean "on the shelf". Given, a status in none of the
  three lists is an undeclared status, never read as available or on loan (a check that
  needs that copy's state is then not judged); left out, any status that is neither on loan
  nor in transit is read as "not on loan" (see :func:`harness.sru.records.read_status`);
- ``folds_letters``: the vendor documents that å matches a, ø o, č c (SPR-02 then does not
  hold it against them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from harness.settings import SectionReader
from harness.sru.model import VERSIONS

METHODS = ("GET", "POST")
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_PAGE_BUDGET = 20
DEFAULT_VISIBILITY_TIMEOUT = 60.0
_TAG = re.compile(r"^[0-9A-Za-z]{3}$")
_CQL_INDEX = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z][A-Za-z0-9_-]*)?$")


@dataclass(frozen=True, slots=True)
class SruSettings:
    url: str
    version: str = "1.2"  # the version the functional checks ask in (protocol checks use every declared one)
    method: str = "GET"  # GET | POST
    timeout: float | None = None  # seconds per request; None: the profile's [target] timeout
    max_bytes: int = DEFAULT_MAX_BYTES  # a response longer than this (decoded) is cut off: ERROR
    record_schema: str = "marcxml"  # the MARCXML schema's name at this target (short name or URI)
    page_size: int = 10
    page_budget: int = DEFAULT_PAGE_BUDGET  # pages a check reads of one result set, at most
    username: str = ""  # HTTP basic authentication, when the endpoint asks for it
    password: str = ""
    verify_tls: bool = True
    ca_file: Path | None = None  # the CA that issued the target's certificate
    member_url: str = ""  # "https://vendor.example/sru/{library}": each member's view
    isbn_index: str = ""  # override what explain declares (default: bath.isbn, dc.identifier, ...)
    title_index: str = ""
    author_index: str = ""
    library_index: str = ""  # the CQL index of the holding library (KAT-03); empty: not declared
    holdings_tag: str = "852"
    holdings_library_subfield: str = "a"
    item_barcode_subfield: str = "p"
    status_tag: str = ""  # the field holding each copy's status, e.g. "876"; empty: not declared
    status_barcode_subfield: str = "p"
    status_subfield: str = "j"
    on_loan_values: tuple[str, ...] = ()  # status values that mean "on loan"
    in_transit_values: tuple[str, ...] = ()  # status values that mean "in transit between members"
    available_values: tuple[str, ...] = ()  # status values that mean "available"; empty: not declared
    visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT  # seconds a MARC import may take to be findable
    folds_letters: bool = False  # the vendor documents folding å to a (and the like)

    @property
    def auth(self) -> tuple[str, str] | None:
        return (self.username, self.password) if self.username else None

    @property
    def verify(self) -> bool | str:
        if not self.verify_tls:
            return False
        return str(self.ca_file) if self.ca_file is not None else True

    @property
    def declares_availability(self) -> bool:
        return bool(self.status_tag and self.on_loan_values)

    def view_url(self, code: str) -> str:
        """The URL a member library searches: its own view, or the one endpoint."""
        return self.member_url.replace("{library}", code) if self.member_url else self.url


def parse(section: SectionReader) -> SruSettings:
    ca_file = section.path("ca_file")
    if ca_file is not None and not ca_file.is_file():
        raise section.error("ca_file", f"{ca_file} is not a file", "name the CA certificate (PEM), relative to the profile")
    member_url = section.url("member_url", required=False)
    if member_url and "{library}" not in member_url:
        raise section.error("member_url", "has no {library} placeholder",
                            'write where the library code goes, e.g. "https://vendor.example/sru/{library}"')
    settings = SruSettings(
        url=section.url("url"),
        version=section.choice("version", "1.2", VERSIONS),
        method=section.choice("method", "GET", METHODS),
        timeout=section.optional_seconds("timeout"),
        max_bytes=section.byte_size("max_bytes", DEFAULT_MAX_BYTES),
        record_schema=section.text("record_schema", "marcxml"),
        page_size=section.integer("page_size", 10, low=1, high=1000),
        page_budget=section.integer("page_budget", DEFAULT_PAGE_BUDGET, low=1, high=10_000, unit="pages"),
        username=section.text("username", ""),
        password=section.text("password", "", non_empty=False),
        verify_tls=section.boolean("verify_tls", True),
        ca_file=ca_file,
        member_url=member_url,
        isbn_index=_index(section, "isbn_index"),
        title_index=_index(section, "title_index"),
        author_index=_index(section, "author_index"),
        library_index=_index(section, "library_index"),
        holdings_tag=_tag(section, "holdings_tag", "852"),
        holdings_library_subfield=_code(section, "holdings_library_subfield", "a"),
        item_barcode_subfield=_code(section, "item_barcode_subfield", "p"),
        status_tag=_tag(section, "status_tag", ""),
        status_barcode_subfield=_code(section, "status_barcode_subfield", "p"),
        status_subfield=_code(section, "status_subfield", "j"),
        on_loan_values=section.text_list("on_loan_values"),
        in_transit_values=section.text_list("in_transit_values"),
        available_values=section.text_list("available_values"),
        visibility_timeout=section.seconds("visibility_timeout", DEFAULT_VISIBILITY_TIMEOUT),
        folds_letters=section.boolean("folds_letters", False),
    )
    if bool(settings.status_tag) != bool(settings.on_loan_values):
        key = "on_loan_values" if settings.status_tag else "status_tag"
        raise section.error(key, "availability needs both status_tag and on_loan_values",
                            'give both (e.g. status_tag = "876", on_loan_values = ["on loan"]) or neither')
    if settings.in_transit_values and not settings.status_tag:
        raise section.error("in_transit_values", "in transit is a copy status: it needs status_tag and on_loan_values",
                            'give status_tag = "876" and on_loan_values as well, or leave in_transit_values out')
    if settings.available_values and not settings.status_tag:
        raise section.error("available_values", "available is a copy status: it needs status_tag and on_loan_values",
                            'give status_tag = "876" and on_loan_values as well, or leave available_values out')
    _disjoint(section, settings)
    return settings


def _disjoint(section: SectionReader, settings: SruSettings) -> None:
    """A status value in two lists would make a copy both available and on loan."""
    seen: dict[str, str] = {}
    for key in ("on_loan_values", "in_transit_values", "available_values"):
        for value in getattr(settings, key):
            other = seen.setdefault(value.strip().casefold(), key)
            if other != key:
                raise section.error(key, f"'{value}' is also in {other}", "give each status value in one list only")


def _tag(section: SectionReader, key: str, default: str) -> str:
    value = section.text(key, default, non_empty=False)
    if value and not _TAG.match(value):
        raise section.error(key, f"'{value}' is not a MARC tag", 'write three digits or letters, e.g. "852"')
    return value


def _code(section: SectionReader, key: str, default: str) -> str:
    value = section.text(key, default)
    if len(value) != 1 or not value.isascii() or not value.isalnum():
        raise section.error(key, f"'{value}' is not a subfield code", 'write one letter or digit, e.g. "a"')
    return value


def _index(section: SectionReader, key: str) -> str:
    value = section.text(key, "", non_empty=False).strip()
    if value and not _CQL_INDEX.match(value):
        raise section.error(key, f"'{value}' is not a CQL index name", 'write it as set.name, e.g. "dc.title"')
    return value
