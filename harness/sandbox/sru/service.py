"""The sandbox's SRU server logic, pure: request parameters in, (status, type, body) out.

:func:`respond` answers explain, searchRetrieve and scan in SRU 1.1, 1.2 and 2.0 over the
shared :class:`~harness.sandbox.search.SearchIndex`. No sockets: the HTTP wiring passes the
decoded GET query or POST form, and writes the reply.

Version negotiation (LoC SRU 1.2 "Version"; OASIS Part 3): a request without ``version`` is
answered in the endpoint's version; an unsupported version gets diagnostic 5 naming the
highest supported version, in the nearest version offered. In 2.0 the operation may be
implied (``query`` -> searchRetrieve, ``scanClause`` -> scan, else explain); in 1.x it is
mandatory (7) unless the request is empty (explain). An unknown operation gets an
explainResponse with diagnostic 4.

``deviations`` switch on the named departures of :class:`Deviation` for the defect catalogue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from harness.sandbox.search import SearchIndex
from harness.sandbox.search.extract import sort_texts
from harness.sandbox.sru import params as P
from harness.sandbox.sru.cqlmap import (
    CONTEXT_SETS,
    CQL_INDEXES,
    Translator,
    sort_keys_parameter,
)
from harness.sandbox.sru.diagnostics import Deviation, Diag, SruFault
from harness.sandbox.sru.explain import SCHEMAS, ServerConfig, zeerex
from harness.sandbox.sru.records import Borrower, marcxml
from harness.sandbox.sru.xmlout import (
    Envelope,
    ScanTermOut,
    explain,
    scan,
    search_retrieve,
    text,
)
from harness.sru.cql import SearchClause, unescape
from harness.sru.cql_parser import CQLSyntaxError, parse_cql
from harness.sru.model import ZEEREX_NS

OPERATIONS = ("searchRetrieve", "scan", "explain")
CONTENT_TYPES = {"1.x": "text/xml; charset=utf-8", "2.0": "application/sru+xml; charset=utf-8"}
DEFAULT_CONFIG = ServerConfig()
_SCHEMA_BY_NAME = {**SCHEMAS, **{uri: uri for uri in SCHEMAS.values()}}


class SruReply(NamedTuple):
    status: int
    content_type: str
    body: bytes


def respond(params: Mapping[str, str], version: str, index: SearchIndex, *, config: ServerConfig = DEFAULT_CONFIG,
            deviations: frozenset[str] = frozenset(), library: str | None = None,
            borrower_of: Borrower | None = None) -> SruReply:
    """Answer one SRU request.

    Args:
        params: the request's parameters (GET query or POST form), decoded; last value wins.
        version: the version this endpoint answers when the request names none.
        index: the search index over the live catalogue.
        config: host, port, database, record and term limits (also what explain declares).
        deviations: :class:`Deviation` values to switch on.
        library: the member library whose view this endpoint is (None: the consortium's);
            a member's view searches the whole shared catalogue.
        borrower_of: who has a copy on loan; used only by the BORROWER_IN_HOLDINGS deviation.
    """
    request = dict(params)
    try:
        return _Service(request, version, index, config, deviations, library, borrower_of).answer()
    except Exception as exc:  # noqa: BLE001 - a bug answers diagnostic 1, never a traceback
        env = Envelope.of(version if version in P.SUPPORTED_VERSIONS else "2.0", "searchRetrieve")
        body = search_retrieve(env, hits=0, records=(), next_position=None, echoed="",
                               diagnostics=[Diag(1, f"{type(exc).__name__}: {exc}")])
        return SruReply(500, _content_type(env), body)


def _content_type(env: Envelope) -> str:
    return CONTENT_TYPES["2.0" if env.is_2_0 else "1.x"]


class _Service:
    def __init__(self, params: dict[str, str], default: str, index: SearchIndex, config: ServerConfig,
                 deviations: frozenset[str], library: str | None = None, borrower_of: Borrower | None = None) -> None:
        self.params, self.index, self.config, self.deviations = params, index, config, deviations
        self.library, self.borrower_of = library, borrower_of
        self.version, self.early = self._negotiate(default)
        self.stylesheet = params.get("stylesheet", "")

    def _negotiate(self, default: str) -> tuple[str, list[Diag]]:
        asked = self.params.get("version")
        if asked is None:
            meaningful = [k for k in self.params if not k.startswith("x-") and k != "stylesheet"]
            if meaningful and (default != "2.0" or Deviation.VERSION_REQUIRED in self.deviations):
                return default, [Diag(7, "version")]
            return default, []
        if asked in P.SUPPORTED_VERSIONS:
            return asked, []
        if Deviation.NO_DIAGNOSTIC_5 in self.deviations:
            return default, []
        lower = [v for v in P.SUPPORTED_VERSIONS if _as_number(v) <= _as_number(asked)]
        answer = lower[-1] if lower else P.SUPPORTED_VERSIONS[0]
        return answer, [Diag(5, P.SUPPORTED_VERSIONS[-1])]

    def envelope(self, operation: str) -> Envelope:
        spoof = Deviation.NAMESPACE_2_ON_1X in self.deviations and self.version != "2.0"
        return Envelope.of(self.version, operation, namespace_2_0=spoof)

    def answer(self) -> SruReply:
        operation = self.params.get("operation")
        if operation is None:
            if self.version == "2.0":
                operation = "searchRetrieve" if "query" in self.params else "scan" if "scanClause" in self.params else "explain"
            elif any(k not in ("version", "stylesheet") and not k.startswith("x-") for k in self.params):
                self.early.append(Diag(7, "operation"))
                operation = "explain"
            else:
                operation = "explain"
        if operation not in OPERATIONS:
            self.early.append(Diag(4, operation))
            operation = "explain"
        handler = {"searchRetrieve": self.search_retrieve, "scan": self.scan, "explain": self.explain}[operation]
        env = self.envelope(operation)
        return SruReply(200, _content_type(env), handler(env))

    def _fatal_first(self, operation: str) -> None:
        if self.early:
            raise SruFault(self.early[0].code, self.early[0].details)
        unsupported = P.unsupported(self.params, self.version, operation)
        if unsupported and Deviation.LENIENT_PARAMETERS not in self.deviations:
            raise SruFault(8, unsupported[0].details)

    def _packing(self) -> str:
        try:
            return P.escaping(self.params, self.version)
        except SruFault:
            if Deviation.NO_DIAGNOSTIC_71 in self.deviations:
                return "string"
            raise

    # --- searchRetrieve ------------------------------------------------------------------------

    def search_retrieve(self, env: Envelope) -> bytes:
        echoed = env.echoed("echoedSearchRetrieveRequest", "searchRetrieve", self.params)
        try:
            self._fatal_first("searchRetrieve")
            ids, paging, packing, schema = self._search()
        except SruFault as fault:
            silent = Deviation.DIAGNOSTIC_WITHOUT_HITS in self.deviations and not env.is_2_0
            return search_retrieve(env, hits=None if silent else 0, records=(), next_position=None, echoed=echoed,
                                   diagnostics=[fault.diag], stylesheet=self.stylesheet)
        hits = len(ids)
        past_end = paging.start > hits and not (hits == 0 and paging.start == 1)
        if past_end and Deviation.NO_DIAGNOSTIC_61 not in self.deviations:
            return search_retrieve(env, hits=hits, records=(), next_position=None, echoed=echoed,
                                   diagnostics=[Diag(61, str(paging.start))], stylesheet=self.stylesheet)
        page = ids[paging.start - 1:paging.start - 1 + paging.maximum]
        records = [self._record(env, record_id, paging.start + i, packing, schema) for i, record_id in enumerate(page)]
        after = paging.start + len(page)
        next_position = after if page and after <= hits else None
        if page and next_position is None and Deviation.NEXT_POSITION_ON_LAST_PAGE in self.deviations:
            next_position = after
        return search_retrieve(env, hits=hits, records=records, next_position=next_position, echoed=echoed,
                               diagnostics=(), stylesheet=self.stylesheet)

    def _search(self) -> tuple[list[str], P.Paging, str, str]:
        query = self.params.get("query")
        if query is None:
            raise SruFault(7, "query")
        if self.params.get("queryType", "cql") != "cql":
            raise SruFault(6, "queryType")
        default_records = 0 if Deviation.DEFAULT_RECORDS_ZERO in self.deviations else self.config.default_records
        maximum = 1_000_000 if Deviation.MAXIMUM_RECORDS_IGNORED in self.deviations else self.config.maximum_records
        lenient = Deviation.LENIENT_PARAMETERS in self.deviations
        paging = P.paging(self.params, default_records, maximum, lenient=lenient)
        packing = self._packing()
        schema = self._schema(self.params.get("recordSchema", "marcxml"))
        if Deviation.ESCAPED_QUOTE_SYNTAX_ERROR in self.deviations and '\\"' in query:
            raise SruFault(10, "unexpected quote")
        try:
            statement = parse_cql(query, "1.1" if self.version == "1.1" else "1.2")
        except CQLSyntaxError as exc:
            raise SruFault(10, exc.message) from None
        translator = Translator(self.version, self.deviations)
        translation = translator.statement(statement)
        sort = translation.sort
        if "sortKeys" in self.params:
            sort = sort + sort_keys_parameter(self.params["sortKeys"], translator)
        if sort and not self.config.sort:
            raise SruFault(80, self.params.get("sortKeys", query))
        if Deviation.SORT_IGNORED in self.deviations:
            sort = ()
        own = self.library if Deviation.MEMBER_VIEW_OWN_HOLDINGS in self.deviations else None
        ids = self.index.search(translation.query, library=own, sort=sort)
        if sort and Deviation.SORT_CODE_POINT in self.deviations:
            ids = sorted(ids, key=self._raw_sort_text(sort[0].index), reverse=sort[0].descending)
        return ids, paging, packing, schema

    def _schema(self, asked: str) -> str:
        schema = _SCHEMA_BY_NAME.get(asked)
        if schema is not None and asked.startswith("info:") and Deviation.SCHEMA_URI_UNKNOWN in self.deviations:
            schema = None
        if schema is None and Deviation.UNKNOWN_SCHEMA_AS_DEFAULT in self.deviations:
            return asked
        if schema is None:
            raise SruFault(66, asked)
        return schema

    def _raw_sort_text(self, index: str) -> Callable[[str], str]:
        def key(record_id: str) -> str:
            record = self.index.record(record_id)
            return sort_texts(record).get(index, "") if record is not None else ""
        return key

    def _record(self, env: Envelope, record_id: str, position: int, packing: str, schema: str) -> str:
        record = self.index.record(record_id)
        xml = marcxml(record, self.index.holdings(record_id), self.deviations, self.borrower_of) if record is not None else ""
        if Deviation.ESCAPE_XML_IN_XML_PACKING in self.deviations and packing == "xml":
            return env.record(schema, "xml", text(xml), position)
        return env.record(schema, packing, xml, position)

    # --- scan --------------------------------------------------------------------------------------

    def scan(self, env: Envelope) -> bytes:
        echoed = env.echoed("echoedScanRequest", "scan", self.params)
        try:
            self._fatal_first("scan")
            terms = self._scan()
        except SruFault as fault:
            return scan(env, terms=(), echoed=echoed, diagnostics=[fault.diag], stylesheet=self.stylesheet)
        return scan(env, terms=terms, echoed=echoed, diagnostics=(), stylesheet=self.stylesheet)

    def _scan(self) -> list[ScanTermOut]:
        clause_text = self.params.get("scanClause")
        if clause_text is None:
            raise SruFault(7, "scanClause")
        count = min(P.integer(self.params, "maximumTerms", self.config.default_terms, minimum=1), self.config.maximum_terms)
        if Deviation.SCAN_IGNORES_MAXIMUM_TERMS in self.deviations:
            count = self.config.maximum_terms
        position = P.integer(self.params, "responsePosition", 1, minimum=0)
        if position > count + 1:
            raise SruFault(6, "responsePosition")
        try:
            clause = parse_cql(clause_text, "1.1" if self.version == "1.1" else "1.2")
        except CQLSyntaxError as exc:
            raise SruFault(10, exc.message) from None
        if not isinstance(clause, SearchClause):
            raise SruFault(10, "a scan clause is one index, relation and term")
        if clause.relation is not None and clause.relation.base != "=":
            raise SruFault(19, clause.relation.base)
        translator = Translator(self.version, self.deviations)
        key = translator.resolve(clause.index, dict(CONTEXT_SETS)) if clause.index else ("cql", "serverChoice")
        target = _scannable(key, clause.index)
        entries = self.index.scan(target, unescape(clause.term), count, max(position, 1))
        return [ScanTermOut(e.term, e.count, e.display) for e in entries]

    # --- explain -------------------------------------------------------------------------------------

    def explain(self, env: Envelope) -> bytes:
        echoed = env.echoed("echoedExplainRequest", "explain", self.params)
        diagnostics = list(self.early)
        try:
            packing = self._packing()
        except SruFault as fault:
            diagnostics.append(fault.diag)
            packing = "xml"
        if not self.early:
            diagnostics += P.unsupported(self.params, self.version, "explain")
        record = env.record(ZEEREX_NS, packing, zeerex(self.config, self.version), None)
        return explain(env, record=record, echoed=echoed, diagnostics=diagnostics, stylesheet=self.stylesheet)


def _scannable(key: tuple[str, str], name: str) -> str:
    if key not in CQL_INDEXES or CQL_INDEXES[key][0] == "any":
        raise SruFault(16, name or "cql.serverChoice")
    return CQL_INDEXES[key][0]


def _as_number(version: str) -> float:
    try:
        return float(version)
    except ValueError:
        return 0.0
