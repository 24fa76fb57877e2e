"""What an SRU response says, as frozen values: the parser's output, the checks' input.

Integers a target sent that are not integers are ``None`` here (with a problem beside the
response); text elements that are absent are ``""``. ``version`` is what the response
states; ``family`` is what its namespace says ("1.x" or "2.0"), and the two are compared by
the parser, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from harness.rules import Problem

SRW_NS = "http://www.loc.gov/zing/srw/"  # SRU 1.1 and 1.2 responses
SRW_DIAG_NS = "http://www.loc.gov/zing/srw/diagnostic/"
SRU2_NS = "http://docs.oasis-open.org/ns/search-ws/sruResponse"  # SRU 2.0 responses
SRU2_SCAN_NS = "http://docs.oasis-open.org/ns/search-ws/scan"
SRU2_DIAG_NS = "http://docs.oasis-open.org/ns/search-ws/diagnostic"
ZEEREX_NS = "http://explain.z3950.org/dtd/2.0/"
MARCXML_NS = "http://www.loc.gov/MARC21/slim"
MARCXML_SCHEMA_URI = "info:srw/schema/1/marcxml-v1.1"

VERSIONS = ("1.1", "1.2", "2.0")
FAMILY_1X, FAMILY_2 = "1.x", "2.0"
DIAGNOSTIC_PREFIX = "info:srw/diagnostic/1/"
_DIAGNOSTIC_URI = re.compile(r"info:srw/diagnostic/1/(\d{1,6})")


def family_of(version: str) -> str:
    """The namespace family a version answers in: 1.0/1.1/1.2 share one, 2.0 has its own."""
    return FAMILY_2 if version.startswith("2") else FAMILY_1X


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One SRU diagnostic: the URI, its number when it is an SRU diagnostic, details, message."""

    uri: str
    details: str = ""
    message: str = ""

    @property
    def code(self) -> int | None:
        """N of ``info:srw/diagnostic/1/N``; None for another diagnostic set or a bad URI."""
        match = _DIAGNOSTIC_URI.fullmatch(self.uri.strip())
        return int(match.group(1)) if match else None

    def __str__(self) -> str:
        text = f"diagnostic {self.code if self.code is not None else self.uri}"
        text += f" ({self.message})" if self.message else ""
        return text + (f": {self.details}" if self.details else "")


@dataclass(frozen=True, slots=True)
class Record:
    """One record of a searchRetrieveResponse.

    ``packing`` is how the XML travels: "xml" (an element) or "string" (escaped text), from
    1.x ``recordPacking`` or 2.0 ``recordXMLEscaping``. :attr:`data` is the record's XML as
    UTF-8 bytes either way (unescaped for "string"); :attr:`marcxml` is the same bytes when
    the record is a MARC 21 slim ``record`` element, else None. A surrogate diagnostic stands
    in a record's place with ``diagnostic`` set and no data.

    ``source`` is the bytes, or the parsed element they are serialised from on first use
    (most checks read a few records of a page; serialising all of them up front would cost
    more than parsing the page).
    """

    schema: str
    packing: str
    position: int | None
    source: bytes | etree._Element = field(default=b"", repr=False, compare=False)
    is_marcxml: bool = False
    diagnostic: Diagnostic | None = None
    packed: str = ""  # 2.0 recordPacking: "packed" | "unpacked"
    identifier: str = ""  # 1.2 recordIdentifier
    _serialised: bytes | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def data(self) -> bytes:
        if isinstance(self.source, bytes):
            return self.source
        cached = self._serialised
        if cached is None:
            cached = etree.tostring(self.source, encoding="UTF-8", with_tail=False)
            object.__setattr__(self, "_serialised", cached)  # a cache, not a change of value
        return cached

    @property
    def marcxml(self) -> bytes | None:
        return self.data if self.is_marcxml else None


@dataclass(frozen=True, slots=True)
class EchoedRequest:
    """echoedSearchRetrieveRequest (or echoedScan/ExplainRequest): name -> text, in order."""

    fields: tuple[tuple[str, str], ...] = ()

    def get(self, name: str, default: str = "") -> str:
        return next((value for key, value in self.fields if key == name), default)

    def __contains__(self, name: object) -> bool:
        return any(key == name for key, _ in self.fields)


@dataclass(frozen=True, slots=True)
class SearchRetrieveResponse:
    version: str
    family: str
    number_of_records: int | None
    records: tuple[Record, ...] = ()
    next_record_position: int | None = None
    echoed: EchoedRequest | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    result_set_id: str = ""
    result_count_precision: str = ""  # 2.0

    @property
    def marcxml(self) -> tuple[bytes, ...]:
        return tuple(r.marcxml for r in self.records if r.marcxml is not None)


@dataclass(frozen=True, slots=True)
class ContextSet:
    name: str
    identifier: str


@dataclass(frozen=True, slots=True)
class IndexInfo:
    """One ZeeRex index: its titles and the CQL names (set, name) it is queried by."""

    titles: tuple[str, ...]
    names: tuple[tuple[str, str], ...]
    search: bool = True
    scan: bool = False
    sort: bool = False

    @property
    def cql_names(self) -> tuple[str, ...]:
        return tuple(f"{s}.{n}" if s else n for s, n in self.names)


@dataclass(frozen=True, slots=True)
class SchemaInfo:
    name: str
    identifier: str
    title: str = ""
    sort: bool = False
    retrieve: bool = True


@dataclass(frozen=True, slots=True)
class ExplainInfo:
    """The ZeeRex record of an explainResponse."""

    protocol: str = ""
    versions: tuple[str, ...] = ()  # serverInfo/@version, split on spaces and commas
    host: str = ""
    port: int | None = None
    database: str = ""
    title: str = ""
    context_sets: tuple[ContextSet, ...] = ()
    indexes: tuple[IndexInfo, ...] = ()
    schemas: tuple[SchemaInfo, ...] = ()
    defaults: tuple[tuple[str, str], ...] = ()  # configInfo/default @type -> text
    settings: tuple[tuple[str, str], ...] = ()  # configInfo/setting
    supports: tuple[tuple[str, str], ...] = ()  # configInfo/supports
    methods: tuple[str, ...] = ()  # serverInfo/@method: the HTTP methods declared (GET, POST, SOAP)

    def _number(self, pairs: tuple[tuple[str, str], ...], kind: str) -> int | None:
        for key, value in pairs:
            if key == kind and value.strip().isdigit():
                return int(value)
        return None

    @property
    def default_number_of_records(self) -> int | None:
        return self._number(self.defaults, "numberOfRecords")

    @property
    def maximum_records(self) -> int | None:
        return self._number(self.settings, "maximumRecords")

    @property
    def cql_indexes(self) -> tuple[str, ...]:
        return tuple(name for index in self.indexes for name in index.cql_names)

    @property
    def supports_sort(self) -> bool:
        """Sorting is declared: an index marked sort, a sortable schema, or supports sort."""
        declared = {kind for kind, _ in self.supports}
        return bool({"sort", "sortSchema"} & declared) or any(i.sort for i in self.indexes) or any(s.sort for s in self.schemas)

    @property
    def supports_scan(self) -> bool:
        return any(i.scan for i in self.indexes) or "scan" in {kind for kind, _ in self.supports}

    def schema(self, name_or_uri: str) -> SchemaInfo | None:
        return next((s for s in self.schemas if name_or_uri in (s.name, s.identifier)), None)


@dataclass(frozen=True, slots=True)
class ExplainResponse:
    version: str
    family: str
    record_schema: str = ""
    packing: str = ""
    info: ExplainInfo | None = None
    echoed: EchoedRequest | None = None
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True, slots=True)
class ScanTerm:
    value: str
    number_of_records: int | None = None
    display_term: str = ""
    where_in_list: str = ""  # first | last | only | inner


@dataclass(frozen=True, slots=True)
class ScanResponse:
    version: str
    family: str
    terms: tuple[ScanTerm, ...] = ()
    echoed: EchoedRequest | None = None
    diagnostics: tuple[Diagnostic, ...] = ()


Response = SearchRetrieveResponse | ExplainResponse | ScanResponse


@dataclass(frozen=True, slots=True)
class Parsed:
    """The parser's answer: the response it could read (None if none) and what it noticed."""

    response: Response | None
    problems: tuple[Problem, ...] = field(default=())

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.response.diagnostics if self.response is not None else ()
