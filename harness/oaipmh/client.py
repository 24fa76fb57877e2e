"""A strict OAI-PMH harvester over :class:`harness.http.HttpClient`: every verb, GET or POST.

    client = OaiClient("https://vendor.example/oai", HttpClient("oai", timeout=30))
    identify = client.identify()                  # a Page: HTTP facts + ParseResult
    harvest = client.list_records("marc21")       # lazy: one page in memory at a time
    for record in harvest.records(): ...
    harvest.problems                              # what the list as a whole broke (§3.5)

Whatever the target does, a harvest ends: a token or a page seen before ends it
(:class:`ResumptionLoop`, a FAIL of §3.5), and so do the page budget, the byte budget and
the flow-control budget (503 with Retry-After honoured up to a bound, then
:class:`FlowControlExhausted`); network trouble ends it as :class:`HarvestInterrupted`.
All are :class:`HarvestStopped`, carrying the last exchanges as evidence. Bytes that break
the protocol never raise: they are problems on the :class:`Page`.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

from harness.errors import HarnessError, TargetError
from harness.evidence import Exchange
from harness.http import HttpClient, HttpResponse
from harness.oaipmh.model import (
    Header,
    Identify,
    IdentifyResponse,
    ListIdentifiersResponse,
    ListMetadataFormatsResponse,
    ListRecordsResponse,
    ListSetsResponse,
    OaiResponse,
    OaiSet,
    ParseResult,
    Record,
    header_of,
    list_items,
)
from harness.oaipmh.parse import Context, http_problems, parse_response
from harness.oaipmh.rules import problem
from harness.rules import Problem

Arguments = tuple[tuple[str, str], ...]
EVIDENCE_EXCHANGES = 6  # exchanges a HarvestStopped carries


@dataclass(frozen=True, slots=True)
class HarvestLimits:
    """Bounds on one harvest (a list followed through its tokens) and on flow control."""

    max_pages: int = 10_000
    max_bytes: int = 4 * 1024**3  # decoded bytes over the whole list
    max_page_bytes: int = 64 * 1024**2  # one response, decoded (a gzip bomb stops here); keeps the run under 300 MB
    max_retries: int = 5  # 503s in a row for one request
    max_retry_wait: float = 120.0  # a Retry-After longer than this is not waited for
    max_total_wait: float = 600.0  # seconds of Retry-After waited over the client's life
    default_retry_wait: float = 5.0  # a 503 without a usable Retry-After


class HarvestStopped(HarnessError):
    """The harvest ended before its list did; ``exchanges`` show why, ``problems`` say which
    rule the target broke (empty when the harness merely could not go on)."""

    def __init__(self, message: str, exchanges: Sequence[Exchange], problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.exchanges = tuple(exchanges)
        self.problems = tuple(problems)


class ResumptionLoop(HarvestStopped):
    """A resumption token, or a whole page, came back a second time (§3.5): a FAIL."""


class PageBudgetExceeded(HarvestStopped, TargetError):
    pass


class ByteBudgetExceeded(HarvestStopped, TargetError):
    pass


class FlowControlExhausted(HarvestStopped, TargetError):
    """503s went on past the retry budget, or asked for a wait longer than the bound."""


class HarvestInterrupted(HarvestStopped, TargetError):
    """The network failed mid-harvest (timeout, refused, too large); ``__cause__`` says how."""


@dataclass(frozen=True, slots=True)
class Page:
    """One answer: what was asked, the HTTP facts, and what the parser made of the body."""

    arguments: Arguments
    status: int
    content_type: str
    size: int
    elapsed: float
    result: ParseResult
    http_problems: tuple[Problem, ...] = ()
    exchange: Exchange | None = None  # the HTTP exchange as recorded (body clipped), for evidence

    @property
    def response(self) -> OaiResponse | None:
        return self.result.response

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.http_problems + self.result.problems


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds from ``now``: delta-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


class OaiClient:
    """One OAI-PMH base URL. ``method`` is "GET" or "POST" (§3.1.1: both must work).

    After :meth:`identify` and :meth:`list_metadata_formats` the client knows the declared
    granularity, earliest datestamp, deletion policy and each prefix's namespace, and every
    later page is judged against them.
    """

    def __init__(self, base_url: str, http: HttpClient, *, method: str = "GET", limits: HarvestLimits | None = None,
                 validate_payloads: bool = True, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        if method not in ("GET", "POST"):
            raise ValueError(f"method must be GET or POST, not {method!r}")
        self.base_url, self.http, self.method = base_url, http, method
        self.limits = limits or HarvestLimits()
        self.validate_payloads = validate_payloads
        self.identity: Identify | None = None
        self.namespaces: dict[str, str] = {}  # metadataPrefix -> metadataNamespace
        self.waited = 0.0
        self._sleep, self._clock = sleep, clock

    @property
    def transcript(self) -> Sequence[Exchange]:
        return tuple(self.http.transcript)

    def evidence(self) -> tuple[Exchange, ...]:
        return tuple(self.http.transcript)[-EVIDENCE_EXCHANGES:]

    # -- verbs ---------------------------------------------------------------------------------

    def identify(self) -> Page:
        page = self.request((("verb", "Identify"),))
        if isinstance(page.response, IdentifyResponse):
            self.identity = page.response.identify
        return page

    def list_metadata_formats(self, identifier: str | None = None) -> Page:
        page = self.request((("verb", "ListMetadataFormats"), *_optional(identifier=identifier)))
        if identifier is None and isinstance(page.response, ListMetadataFormatsResponse):
            self.namespaces = {f.prefix: f.namespace for f in page.response.formats}
        return page

    def get_record(self, identifier: str, metadata_prefix: str) -> Page:
        return self.request((("verb", "GetRecord"), ("identifier", identifier), ("metadataPrefix", metadata_prefix)))

    def list_sets(self) -> Harvest:
        return Harvest(self, (("verb", "ListSets"),))

    def list_identifiers(self, metadata_prefix: str, *, from_: str | None = None, until: str | None = None,
                         set_spec: str | None = None) -> Harvest:
        return Harvest(self, (("verb", "ListIdentifiers"), ("metadataPrefix", metadata_prefix),
                              *_optional(**{"from": from_, "until": until, "set": set_spec})))

    def list_records(self, metadata_prefix: str, *, from_: str | None = None, until: str | None = None,
                     set_spec: str | None = None) -> Harvest:
        return Harvest(self, (("verb", "ListRecords"), ("metadataPrefix", metadata_prefix),
                              *_optional(**{"from": from_, "until": until, "set": set_spec})))

    # -- one exchange ------------------------------------------------------------------------------

    def request(self, arguments: Arguments, selection: Arguments = ()) -> Page:
        """Send ``arguments`` as they are (repeats and all: probes need that), wait out 503s
        within the limits, and parse the answer against what the client knows."""
        response = self.fetch(arguments)
        exchange = self.http.transcript[-1] if self.http.transcript else None
        selection = selection or arguments
        context = Context(
            arguments=arguments, base_url=self.base_url, selection=selection,
            granularity=self.identity.granularity if self.identity else None,
            earliest=self.identity.earliest_datestamp if self.identity else None,
            deleted_record=self.identity.deleted_record if self.identity else None,
            namespace=self.namespaces.get(dict(selection).get("metadataPrefix", "")),
            validate_payloads=self.validate_payloads,
        )
        result = parse_response(response.body, context)
        return Page(arguments, response.status, response.content_type, len(response.body), response.elapsed, result,
                    tuple(http_problems(response.status, response.content_type)), exchange)

    def fetch(self, arguments: Arguments) -> HttpResponse:
        """Send ``arguments`` and wait out 503s within the limits; the HTTP answer, unparsed."""
        limits = self.limits
        for attempt in range(limits.max_retries + 1):
            response = self._send(arguments)
            if response.status != 503:
                return response
            wait = retry_after_seconds(response.headers.get("retry-after"), self._clock())
            wait = limits.default_retry_wait if wait is None else wait
            if attempt == limits.max_retries or wait > limits.max_retry_wait or self.waited + wait > limits.max_total_wait:
                raise FlowControlExhausted(
                    f"503 Service Unavailable {attempt + 1} time(s) in a row; the last asked for a wait of {wait:g} s "
                    f"(bounds: {limits.max_retries} retries, {limits.max_retry_wait:g} s per wait, "
                    f"{limits.max_total_wait:g} s in all, {self.waited:g} s waited)", self.evidence())
            self._sleep(wait)
            self.waited += wait
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, arguments: Arguments) -> HttpResponse:
        query = urlencode(arguments)
        try:
            if self.method == "POST":
                return self.http.request("POST", self.base_url, data=query.encode("ascii"), max_bytes=self.limits.max_page_bytes,
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            separator = "&" if "?" in self.base_url else "?"
            return self.http.request("GET", f"{self.base_url}{separator}{query}", max_bytes=self.limits.max_page_bytes)
        except TargetError as exc:
            raise HarvestInterrupted(f"{type(exc).__name__}: {exc}", self.evidence()) from exc


def _optional(**values: str | None) -> Arguments:
    return tuple((name, value) for name, value in values.items() if value is not None)


class Harvest:
    """A list request followed through its resumption tokens, lazily, one page at a time.

    Iterate it for :class:`Page` values (or :meth:`records`, :meth:`headers`, :meth:`sets`).
    Afterwards ``problems`` holds what the list as a whole broke, ``complete`` whether it
    ended as §3.5 says (an empty token, or no token on a list that fit one page).
    """

    def __init__(self, client: OaiClient, arguments: Arguments) -> None:
        self.client, self.arguments = client, arguments
        self.verb = arguments[0][1]
        self.problems: list[Problem] = []
        self.pages = 0
        self.bytes = 0
        self.items = 0
        self.complete = False

    def __iter__(self) -> Iterator[Page]:
        limits, seen_tokens, seen_pages = self.client.limits, set[str](), set[bytes]()
        arguments = self.arguments
        while True:
            page = self.client.request(arguments, self.arguments)
            self.pages += 1
            self.bytes += page.size
            yield page
            token = self._follow(page, resumed=arguments is not self.arguments)
            if token is None:
                return
            digest = _digest(page)
            if token in seen_tokens or digest in seen_pages:
                what = "token" if token in seen_tokens else "page (same items, in the same order)"
                message = f"page {self.pages} repeats a {what} seen earlier in this harvest"
                self.problems.append(problem("token-loop", message))
                raise ResumptionLoop(message, self.client.evidence(), self.problems)
            seen_tokens.add(token)
            seen_pages.add(digest)
            if self.pages >= limits.max_pages:
                raise PageBudgetExceeded(f"the list did not end within {limits.max_pages:,} pages", self.client.evidence(), self.problems)
            if self.bytes >= limits.max_bytes:
                raise ByteBudgetExceeded(f"the list did not end within {limits.max_bytes:,} bytes", self.client.evidence(), self.problems)
            arguments = (("verb", self.verb), ("resumptionToken", token))

    def _follow(self, page: Page, resumed: bool) -> str | None:
        """The token to ask with next, or None when the list has ended (well or not)."""
        response = page.response
        if not isinstance(response, (ListSetsResponse, ListIdentifiersResponse, ListRecordsResponse)):
            if resumed:
                self.problems.append(problem("list-incomplete", f"page {self.pages} of the list is not a {self.verb} page"))
            return None
        items = len(list_items(response))
        token = response.token
        if token is not None and token.cursor is not None and token.cursor != self.items:
            self.problems.append(problem("token-cursor", f"page {self.pages}: cursor={token.cursor}, {self.items} items came before it"))
        self.items += items
        if token is None or token.empty:
            if token is None and resumed:
                self.problems.append(problem("token-on-last-page", f"page {self.pages} ends the list without an empty <resumptionToken/>"))
            self.complete = True
            return None
        return token.value

    def records(self) -> Iterator[Record]:
        for page in self:
            if isinstance(page.response, ListRecordsResponse):
                yield from page.response.records

    def headers(self) -> Iterator[Header]:
        for page in self:
            if isinstance(page.response, ListRecordsResponse):
                yield from (record.header for record in page.response.records)
            elif isinstance(page.response, ListIdentifiersResponse):
                yield from page.response.headers

    def sets(self) -> Iterator[OaiSet]:
        for page in self:
            if isinstance(page.response, ListSetsResponse):
                yield from page.response.sets


def _digest(page: Page) -> bytes:
    response = page.response
    assert isinstance(response, (ListSetsResponse, ListIdentifiersResponse, ListRecordsResponse))
    digest = hashlib.blake2b(digest_size=16)
    for item in list_items(response):
        if isinstance(item, OaiSet):
            key = f"{item.spec}\t{item.name}"
        else:
            header = header_of(item)
            key = f"{header.identifier}\t{header.datestamp}"
        digest.update(key.encode("utf-8", "surrogatepass") + b"\n")
    return digest.digest()
