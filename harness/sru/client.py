"""A thin SRU client over :class:`harness.http.HttpClient`: explain, searchRetrieve, scan, paging.

Every request is one bounded HTTP exchange (deadline, byte budget, redirects bounded) that
lands in the HttpClient's transcript; every answer is parsed by :func:`parse_response` with
the request as context, so a check gets the typed response and the problems together.
Network trouble raises :class:`~harness.errors.TargetError` (outcome ERROR); bytes that are
not SRU are problems in :attr:`SruResult.problems` (FAIL material), never exceptions.

GET puts the parameters in the URL; POST sends them as ``application/x-www-form-urlencoded``
(SRU 1.2 "HTTP POST"; OASIS Part 3 "HTTP POST binding"), UTF-8 percent-encoded either way.
:meth:`SruClient.request` sends parameters exactly as given, for checks that must send a
wrong or missing one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Self

from harness.evidence import Exchange
from harness.http import HttpClient, HttpResponse
from harness.rules import Problem
from harness.sru.cql import Statement, to_cql
from harness.sru.model import Parsed, Record, SearchRetrieveResponse
from harness.sru.parse import parse_response
from harness.sru.settings import SruSettings

DEFAULT_TIMEOUT = 30.0  # seconds per request when the settings give none


@dataclass(frozen=True, slots=True)
class SruResult:
    """One request and its answer: what was sent, the HTTP response, the parse."""

    params: tuple[tuple[str, str], ...]
    method: str
    http: HttpResponse
    parsed: Parsed

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.parsed.problems

    @property
    def search(self) -> SearchRetrieveResponse | None:
        response = self.parsed.response
        return response if isinstance(response, SearchRetrieveResponse) else None


@dataclass(frozen=True, slots=True)
class PageRun:
    """A result set read page by page, and why the reading stopped."""

    pages: tuple[SruResult, ...]
    stopped: str  # "last page", "diagnostic", "unreadable", "no progress: ...", "page budget ..."
    looped: bool = False  # nextRecordPosition did not advance
    budget_spent: bool = False

    @property
    def records(self) -> tuple[Record, ...]:
        return tuple(r for page in self.pages if page.search is not None for r in page.search.records)

    @property
    def complete(self) -> bool:
        return self.stopped == "last page"


@dataclass
class SruClient:
    """One SRU endpoint. Use as a context manager, or call :meth:`close`."""

    settings: SruSettings
    http: HttpClient = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.http is None:
            self.http = HttpClient("sru", timeout=self.settings.timeout or DEFAULT_TIMEOUT, max_bytes=self.settings.max_bytes,
                                   auth=self.settings.auth, verify=self.settings.verify)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    @property
    def transcript(self) -> tuple[Exchange, ...]:
        return tuple(self.http.transcript)

    # --- raw -------------------------------------------------------------------------------------

    def request(self, params: Mapping[str, str] | Iterable[tuple[str, str]], *, method: str | None = None,
                operation: str | None = None, version: str | None = None, start_record: int | None = None) -> SruResult:
        """Send ``params`` as they are (nothing added) and parse the answer."""
        pairs = tuple(params.items() if isinstance(params, Mapping) else params)
        verb = (method or self.settings.method).upper()
        data = dict(pairs)
        if verb == "POST":
            response = self.http.post(self.settings.url, data=data)
        else:
            response = self.http.get(self.settings.url, params=data)
        parsed = parse_response(response.body, operation=operation, version=version, start_record=start_record)
        return SruResult(pairs, verb, response, parsed)

    def _send(self, operation: str, params: dict[str, str], version: str | None, method: str | None,
              extra: Mapping[str, str] | None, start_record: int | None = None) -> SruResult:
        chosen = version or self.settings.version
        full = {"version": chosen, "operation": operation, **params, **(extra or {})}
        return self.request(full, method=method, operation=operation, version=chosen, start_record=start_record)

    # --- operations ---------------------------------------------------------------------------------

    def explain(self, *, version: str | None = None, method: str | None = None,
                extra: Mapping[str, str] | None = None) -> SruResult:
        return self._send("explain", {}, version, method, extra)

    def search_retrieve(self, query: str | Statement, *, start_record: int | None = None,
                        maximum_records: int | None = None, record_schema: str | None = None,
                        packing: str | None = None, sort_keys: str | None = None, version: str | None = None,
                        method: str | None = None, extra: Mapping[str, str] | None = None) -> SruResult:
        """searchRetrieve; ``query`` is CQL text or a built query; ``packing`` is "xml" or
        "string" (sent as recordPacking in 1.x, recordXMLEscaping in 2.0)."""
        chosen = version or self.settings.version
        params = {"query": query if isinstance(query, str) else to_cql(query)}
        if start_record is not None:
            params["startRecord"] = str(start_record)
        if maximum_records is not None:
            params["maximumRecords"] = str(maximum_records)
        schema = record_schema if record_schema is not None else self.settings.record_schema
        if schema:
            params["recordSchema"] = schema
        if packing is not None:
            params["recordXMLEscaping" if chosen.startswith("2") else "recordPacking"] = packing
        if sort_keys is not None:
            params["sortKeys"] = sort_keys
        return self._send("searchRetrieve", params, chosen, method, extra, start_record)

    def scan(self, scan_clause: str | Statement, *, maximum_terms: int | None = None, response_position: int | None = None,
             version: str | None = None, method: str | None = None, extra: Mapping[str, str] | None = None) -> SruResult:
        params = {"scanClause": scan_clause if isinstance(scan_clause, str) else to_cql(scan_clause)}
        if maximum_terms is not None:
            params["maximumTerms"] = str(maximum_terms)
        if response_position is not None:
            params["responsePosition"] = str(response_position)
        return self._send("scan", params, version, method, extra)

    # --- paging ---------------------------------------------------------------------------------------

    def pages(self, query: str | Statement, *, page_size: int | None = None, budget: int | None = None,
              trust_next: bool = True, **options: object) -> PageRun:
        """Read a result set page by page from record 1.

        Follows nextRecordPosition; stops at the last page, a diagnostic, an unreadable page,
        a nextRecordPosition that does not advance (a loop), or after ``budget`` pages. With
        ``trust_next=False`` a missing nextRecordPosition while records remain does not stop
        the reading: the next page starts after the last record received.
        """
        size = page_size or self.settings.page_size
        limit = budget or self.settings.page_budget
        start, results = 1, []
        for _ in range(limit):
            result = self.search_retrieve(query, start_record=start, maximum_records=size, **options)  # type: ignore[arg-type]
            results.append(result)
            response = result.search
            if response is None:
                return PageRun(tuple(results), "unreadable")
            if response.diagnostics:
                return PageRun(tuple(results), "diagnostic")
            following = response.next_record_position
            if following is None and not trust_next and response.records and response.number_of_records is not None:
                last = response.records[-1].position or (start + len(response.records) - 1)
                following = last + 1 if last < response.number_of_records else None
            if following is None:
                return PageRun(tuple(results), "last page")
            if following <= start:
                reason = f"no progress: nextRecordPosition {following} after startRecord {start}"
                return PageRun(tuple(results), reason, looped=True)
            start = following
        return PageRun(tuple(results), f"page budget of {limit} pages spent", budget_spent=True)
