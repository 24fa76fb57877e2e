"""Bytes of an SRU response in, a typed response and the rules it breaks out. No I/O.

:func:`parse_response` reads searchRetrieveResponse, explainResponse and scanResponse of SRU
1.1, 1.2 (namespace ``http://www.loc.gov/zing/srw/``) and 2.0 (``.../search-ws/sruResponse``,
scan ``.../search-ws/scan``). It never raises on what a target sent: bytes that are not XML,
an unknown root, a wrong namespace, a bad integer are :class:`~harness.rules.Problem` values
(rules in :mod:`harness.sru.rules`), and what could be read is still returned.

The XML parser resolves no entity, loads no DTD, touches no network and does not recover:
a target's document is judged as it is, never repaired.

Optional context sharpens the judgement: ``operation`` (what was asked), ``version`` (the
version asked: a 1.2 request answered in the 2.0 namespace is a FAIL) and ``start_record``
(to place records that carry no recordPosition).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

from lxml import etree

from harness.rules import Position, Problem
from harness.sru.model import (
    FAMILY_1X,
    FAMILY_2,
    MARCXML_NS,
    SRU2_DIAG_NS,
    SRU2_NS,
    SRU2_SCAN_NS,
    SRW_DIAG_NS,
    SRW_NS,
    Diagnostic,
    EchoedRequest,
    ExplainResponse,
    Parsed,
    Record,
    ScanResponse,
    ScanTerm,
    SearchRetrieveResponse,
    family_of,
)
from harness.sru.rules import problem
from harness.sru.zeerex import is_zeerex, read_explain

_FAMILY = {SRW_NS: FAMILY_1X, SRW_DIAG_NS: FAMILY_1X, SRU2_NS: FAMILY_2, SRU2_SCAN_NS: FAMILY_2, SRU2_DIAG_NS: FAMILY_2}
_DIAG_NS = {FAMILY_1X: SRW_DIAG_NS, FAMILY_2: SRU2_DIAG_NS}
_ROOTS = ("searchRetrieveResponse", "explainResponse", "scanResponse")
_SLIM_RECORD = f"{{{MARCXML_NS}}}record"
_MARCXML_SCHEMAS = frozenset({"marcxml", "marc21", "marc21-xml", "marc21xml", "marcxml-v1.1", "marc21slim"})
_DIAGNOSTIC_SCHEMA = "info:srw/schema/1/diagnostics-v1.1"
_INTEGER = re.compile(r"\s*\+?\d{1,18}\s*")
_PRECISIONS = frozenset({"exact", "unknown", "estimate", "maximum", "minimum", "current"})
_ONCE = ("version", "numberOfRecords", "nextRecordPosition", "records", "diagnostics", "resultCountPrecision")
_RECORD_PARTS = ("recordSchema", "recordPacking", "recordXMLEscaping", "recordData", "recordPosition",
                 "recordIdentifier", "extraRecordData")
_ECHO_LIMIT = 100  # echoed fields kept; a target cannot grow the model without bound

_local_parsers = threading.local()


def _parser() -> etree.XMLParser:
    """One strict parser per thread (lxml parsers must not be shared between threads)."""
    parser = getattr(_local_parsers, "parser", None)
    if parser is None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=False, huge_tree=False)
        _local_parsers.parser = parser
    return parser


def is_marcxml_schema(schema: str) -> bool:
    """A recordSchema that names MARCXML, by URI or by one of the short names in use."""
    text = schema.strip()
    return text.startswith("info:srw/schema/1/marcxml") or text.lower() in _MARCXML_SCHEMAS


def _local(el: etree._Element) -> str:
    tag = el.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _ns(el: etree._Element) -> str:
    tag = el.tag
    return tag[1:].partition("}")[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _where(el: etree._Element, record: int | None = None) -> Position:
    line = el.sourceline
    return Position(line if isinstance(line, int) else 0, "line", record, _local(el))


def _text(el: etree._Element | None) -> str:
    if el is None:
        return ""
    return (el.text or "").strip() if len(el) == 0 else "".join(str(t) for t in el.itertext()).strip()


class _Reader:
    """One response being read: its family, what was noticed, mixed-namespace tracking."""

    def __init__(self, family: str, namespace: str) -> None:
        self.family = family
        self.problems: list[Problem] = []
        self.mixed_reported = False
        self.qualified = {name: f"{{{namespace}}}{name}" for name in (*_RECORD_PARTS, "record")}
        self.part_names = {f"{{{namespace}}}{name}": name for name in _RECORD_PARTS}

    def record_parts(self, el: etree._Element) -> dict[str, list[etree._Element]]:
        """:meth:`children` of a record; one quick pass when every child is a different part
        of a record in the response's namespace, the thorough walk otherwise."""
        found: dict[str, list[etree._Element]] = {}
        names = self.part_names
        for child in el:
            name = names.get(child.tag)  # a comment's tag is a function: no match
            if name is None or name in found:
                return self.children(el)
            found[name] = [child]
        return found

    def add(self, rule_id: str, message: str, el: etree._Element | None = None, record: int | None = None) -> None:
        self.problems.append(problem(rule_id, message, _where(el, record) if el is not None else None))

    def children(self, el: etree._Element) -> dict[str, list[etree._Element]]:
        """The element children by local name, noting any in the other version's namespaces."""
        found: dict[str, list[etree._Element]] = {}
        for child in el:
            name = _local(child)
            if not name:
                continue
            other = _FAMILY.get(_ns(child))
            if other is not None and other != self.family and not self.mixed_reported:
                self.mixed_reported = True
                self.add("mixed-namespaces", f"{name} is in the {other} namespace {_ns(child)} inside a {self.family} response", child)
            found.setdefault(name, []).append(child)
        return found

    def one(self, found: dict[str, list[etree._Element]], name: str) -> etree._Element | None:
        elements = found.get(name)
        if not elements:
            return None
        if len(elements) > 1 and name in _ONCE:
            self.add("repeated-element", f"{name} occurs {len(elements)} times", elements[1])
        return elements[0]

    def integer(self, el: etree._Element | None, positive: bool = False) -> int | None:
        if el is None:
            return None
        text = _text(el)
        if not _INTEGER.fullmatch(text) or (positive and int(text) == 0):
            kind = "a positive integer" if positive else "a non-negative integer"
            self.add("not-an-integer", f"{_local(el)} is {text[:40]!r}, not {kind}", el)
            return None
        return int(text)

    def diagnostics(self, el: etree._Element | None) -> tuple[Diagnostic, ...]:
        if el is None:
            return ()
        return tuple(self.diagnostic(d) for d in el if _local(d) == "diagnostic")

    def diagnostic(self, el: etree._Element) -> Diagnostic:
        expected = _DIAG_NS[self.family]
        if _ns(el) != expected and _FAMILY.get(_ns(el)) in (None, self.family):
            self.add("diagnostic-namespace", f"diagnostic in namespace {_ns(el) or '(none)'!r}, not {expected}", el)
        elif _ns(el) != expected and not self.mixed_reported:
            self.mixed_reported = True
            self.add("mixed-namespaces", f"a {self.family} response holds a diagnostic in {_ns(el)}", el)
        parts = {_local(c): _text(c) for c in el if _local(c)}
        found = Diagnostic(parts.get("uri", ""), parts.get("details", ""), parts.get("message", ""))
        if not found.uri:
            self.add("diagnostic-uri-missing", "a diagnostic without uri", el)
        elif found.code is None:
            self.add("diagnostic-uri-form", f"diagnostic uri {found.uri[:80]!r} is not info:srw/diagnostic/1/N", el)
        elif found.code == 5 and not re.search(r"\d\.\d", found.details):
            self.add("diagnostic-5-without-version", f"diagnostic 5 details {found.details!r} name no version", el)
        return found

    def echoed(self, el: etree._Element | None) -> EchoedRequest | None:
        if el is None:
            return None
        fields = tuple((_local(c), _text(c)) for c in el if _local(c))
        return EchoedRequest(fields[:_ECHO_LIMIT])


# --- entry point -------------------------------------------------------------------------------


def parse_response(body: bytes, *, operation: str | None = None, version: str | None = None,
                   start_record: int | None = None) -> Parsed:
    """Read one SRU response; see the module docstring. Never raises on ``body``."""
    if not body or body.isspace():  # isspace stops at the first other byte; strip() would copy the body
        return Parsed(None, (problem("not-xml", "the body is empty"),))
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else 0
        return Parsed(None, (problem("not-xml", f"not well-formed XML: {exc.msg}", Position(line, "line")),))
    except (etree.LxmlError, ValueError) as exc:
        return Parsed(None, (problem("not-xml", f"not readable as XML: {exc}"),))
    early: list[Problem] = []
    doctype = str(getattr(root.getroottree().docinfo, "doctype", "") or "")
    if doctype:
        early.append(problem("doctype", f"the response declares a DOCTYPE: {doctype[:120]!r}"))
    name, namespace = _local(root), _ns(root)
    family = _FAMILY.get(namespace)
    if name not in _ROOTS or family is None or namespace in (SRW_DIAG_NS, SRU2_DIAG_NS):
        early.append(problem("unknown-root", f"root element {{{namespace}}}{name} is no SRU response", _where(root)))
        return Parsed(None, tuple(early))
    reader = _Reader(family, namespace)
    reader.problems.extend(early)
    if operation in ("searchRetrieve", "scan", "explain") and name != f"{operation}Response":
        reader.add("wrong-operation", f"asked {operation}, the answer is a {name}", root)
    found = reader.children(root)
    diagnostics = reader.diagnostics(reader.one(found, "diagnostics"))
    stated = _check_version(reader, found, name, version, diagnostics)
    if name == "searchRetrieveResponse":
        response: SearchRetrieveResponse | ExplainResponse | ScanResponse = _search_retrieve(reader, found, stated, start_record, diagnostics)
    elif name == "explainResponse":
        response = _explain(reader, found, stated, diagnostics)
    else:
        if family == FAMILY_2 and namespace != SRU2_SCAN_NS:
            reader.add("scan-namespace", f"2.0 scanResponse in {namespace}, not {SRU2_SCAN_NS}", root)
        response = _scan(reader, found, stated, diagnostics)
    return Parsed(response, tuple(reader.problems))


def _check_version(reader: _Reader, found: dict[str, list[etree._Element]], root_name: str, asked: str | None,
                   diagnostics: tuple[Diagnostic, ...]) -> str:
    element = reader.one(found, "version")
    stated = _text(element)
    family = reader.family
    if family == FAMILY_1X and element is None:
        reader.add("version-missing", f"a {root_name} in {SRW_NS} must state its version")
    if family == FAMILY_2 and element is not None and root_name == "searchRetrieveResponse":
        reader.add("version-in-2.0", f"a 2.0 searchRetrieveResponse states version {stated!r}", element)
    if stated and family_of(stated) != family:
        reader.add("namespace-version-mismatch", f"version {stated} stated in the {family} namespace", element)
    negotiated = any(d.code == 5 for d in diagnostics)
    if asked and not negotiated:
        if family_of(asked) != family:
            reader.add("namespace-version-mismatch", f"asked version {asked}, answered in the {family} namespace", element)
        elif stated and family == FAMILY_1X and stated > asked:
            reader.add("version-not-asked", f"asked version {asked}, the response states {stated}", element)
    return stated or ("2.0" if family == FAMILY_2 else "")


def _first_of(found: dict[str, list[etree._Element]], name: str) -> etree._Element | None:
    elements = found.get(name)
    return elements[0] if elements else None


# --- searchRetrieve ---------------------------------------------------------------------------


def _search_retrieve(reader: _Reader, found: dict[str, list[etree._Element]], version: str, start: int | None,
                     diagnostics: tuple[Diagnostic, ...]) -> SearchRetrieveResponse:
    hits_el = reader.one(found, "numberOfRecords")
    if hits_el is None and reader.family == FAMILY_1X:
        reader.add("number-of-records-missing", "no numberOfRecords")
    hits = reader.integer(hits_el)
    echoed = reader.echoed(reader.one(found, "echoedSearchRetrieveRequest"))
    if start is None and echoed is not None and echoed.get("startRecord").isdigit():
        start = int(echoed.get("startRecord"))
    records_el = reader.one(found, "records")
    records = tuple(_records(reader, records_el, start or 1)) if records_el is not None else ()
    next_el = reader.one(found, "nextRecordPosition")
    next_position = reader.integer(next_el, positive=True)
    precision_el = reader.one(found, "resultCountPrecision")
    precision = _text(precision_el)
    if precision_el is not None and reader.family == FAMILY_1X:
        reader.add("result-count-precision-in-1x", "resultCountPrecision in a 1.x response", precision_el)
    elif precision_el is not None and precision.rpartition("/")[2] not in _PRECISIONS:
        reader.add("result-count-precision-value", f"resultCountPrecision {precision[:60]!r}", precision_el)
    _check_paging(reader, records, hits, next_position, next_el)
    return SearchRetrieveResponse(
        version, reader.family, hits, records, next_position, echoed,
        diagnostics, _text(reader.one(found, "resultSetId")), precision,
    )


def _check_paging(reader: _Reader, records: tuple[Record, ...], hits: int | None, next_position: int | None,
                  next_el: etree._Element | None) -> None:
    positions = [r.position for r in records if r.position is not None]
    if hits is None or (not positions and hits > 0):
        return
    last = positions[-1] if positions else 0
    if last > hits:
        reader.add("more-records-than-hits", f"record position {last} past numberOfRecords {hits}")
    if next_position is not None and last >= hits:
        reader.add("next-position-on-last-page", f"nextRecordPosition {next_position} although the last of {hits} records is here", next_el)
    elif next_position is not None and next_position != last + 1:
        reader.add("next-position-wrong", f"nextRecordPosition {next_position} after record {last}, expected {last + 1}", next_el)
    elif next_position is None and last < hits and positions:
        reader.add("next-position-missing", f"records {last + 1}..{hits} remain but there is no nextRecordPosition")


def _records(reader: _Reader, records_el: etree._Element, start: int) -> Iterator[Record]:
    expected = start
    candidates = list(records_el.iterchildren(reader.qualified["record"]))
    if len(candidates) != len(records_el):  # comments, or records in another namespace: look at each
        candidates = [e for e in records_el if _local(e) == "record"]
    for index, el in enumerate(candidates):
        record = _record(reader, el, index, expected)
        if record.position is not None and record.position != expected:
            reader.add("record-position-order", f"recordPosition {record.position}, expected {expected}", el, index)
        expected = (record.position if record.position is not None else expected) + 1
        yield record


def _record(reader: _Reader, el: etree._Element, index: int, expected: int) -> Record:
    parts = reader.record_parts(el)
    schema = _text(_first_of(parts, "recordSchema"))
    if not schema:
        reader.add("record-schema-missing", "record without recordSchema", el, index)
    packing, packed = _packing(reader, parts, el, index)
    position_el = _first_of(parts, "recordPosition")
    position = reader.integer(position_el, positive=True) if position_el is not None else expected
    data_el = _first_of(parts, "recordData")
    identifier = _text(_first_of(parts, "recordIdentifier"))
    if data_el is None:
        reader.add("record-data-missing", "record without recordData", el, index)
        return Record(schema, packing, position, packed=packed, identifier=identifier)
    content = _record_content(reader, data_el, packing, index)
    if content is None:
        return Record(schema, packing, position, packed=packed, identifier=identifier)
    data, element = content
    if element is not None and _local(element) == "diagnostic" and _FAMILY.get(_ns(element)) is not None:
        diagnostic = reader.diagnostic(element)
        reader.add("surrogate-diagnostic", f"record {position}: {diagnostic}", el, index)
        return Record(schema, packing, position, diagnostic=diagnostic, packed=packed, identifier=identifier)
    is_marcxml = element is not None and element.tag == _SLIM_RECORD
    # an escaped record that is not XML was reported as escaped-record-not-xml already
    unreadable = element is None and isinstance(data, bytes) and data != b""
    if not is_marcxml and is_marcxml_schema(schema) and not unreadable:
        got = f"{{{_ns(element)}}}{_local(element)}" if element is not None else "no element"
        reader.add("marcxml-namespace", f"recordSchema {schema!r} but the record is {got}", data_el, index)
    return Record(schema, packing, position, data, is_marcxml, None, packed, identifier)


def _packing(reader: _Reader, parts: dict[str, list[etree._Element]], el: etree._Element, index: int) -> tuple[str, str]:
    """(escaping, 2.0 packing): escaping is "xml" or "string" however the version says it."""
    packing_el = _first_of(parts, "recordPacking")
    escaping_el = _first_of(parts, "recordXMLEscaping")
    packing, escaping = _text(packing_el), _text(escaping_el)
    if reader.family == FAMILY_1X:
        if escaping_el is not None:
            reader.add("record-escaping-in-1x", "recordXMLEscaping in a 1.x record", escaping_el, index)
        if packing not in ("xml", "string"):
            reader.add("record-packing-value", f"recordPacking {packing[:40]!r}", packing_el if packing_el is not None else el, index)
            packing = escaping if escaping in ("xml", "string") else "xml"
        return packing, ""
    if escaping_el is None and packing in ("xml", "string"):
        reader.add("record-packing-1x-meaning-in-2.0", f"recordPacking {packing!r} in a 2.0 record", packing_el, index)
        return packing, ""
    if escaping_el is not None and escaping not in ("xml", "string"):
        reader.add("record-escaping-value", f"recordXMLEscaping {escaping[:40]!r}", escaping_el, index)
    return (escaping if escaping in ("xml", "string") else "xml"), packing


def _record_content(reader: _Reader, data_el: etree._Element, packing: str,
                    index: int) -> tuple[bytes | etree._Element, etree._Element | None] | None:
    """(the record's bytes or its element, the element when there is one)."""
    first = next(data_el.iterchildren(etree.Element), None)
    if packing == "string":
        if first is not None:
            reader.add("record-data-not-as-packed", "packing string, but recordData holds elements", data_el, index)
            return first, first
        return _unescaped(reader, data_el, index)
    if first is None:
        if not (data_el.text or "").strip():
            return None
        reader.add("record-data-not-as-packed", "packing xml, but recordData holds text (escaped XML?)", data_el, index)
        return _unescaped(reader, data_el, index)  # read past it: the record is still there for other checks
    return first, first


def _unescaped(reader: _Reader, data_el: etree._Element, index: int) -> tuple[bytes, etree._Element | None]:
    """The escaped record in recordData's text, and its element when the text is XML."""
    text = (data_el.text or "").strip()
    try:
        element = etree.fromstring(text.encode("utf-8"), _parser()) if text else None
    except (etree.LxmlError, ValueError) as exc:
        reader.add("escaped-record-not-xml", f"the escaped record is not XML: {exc}", data_el, index)
        return text.encode("utf-8"), None
    return text.encode("utf-8"), element


# --- explain and scan ---------------------------------------------------------------------------


def _explain(reader: _Reader, found: dict[str, list[etree._Element]], version: str,
             diagnostics: tuple[Diagnostic, ...]) -> ExplainResponse:
    echoed = reader.echoed(reader.one(found, "echoedExplainRequest"))
    record_el = _first_of(found, "record")
    if record_el is None:
        if not diagnostics:
            reader.add("explain-record-missing", "explainResponse without record")
        return ExplainResponse(version, reader.family, echoed=echoed, diagnostics=diagnostics)
    parts = reader.children(record_el)
    schema = _text(_first_of(parts, "recordSchema"))
    packing, _ = _packing(reader, parts, record_el, 0)
    data_el = _first_of(parts, "recordData")
    content = _record_content(reader, data_el, packing, 0) if data_el is not None else None
    element = content[1] if content is not None else None
    if element is None or not is_zeerex(element):
        got = f"{{{_ns(element)}}}{_local(element)}" if element is not None else "nothing"
        reader.add("explain-not-zeerex", f"the explain record is {got}", record_el)
        return ExplainResponse(version, reader.family, schema, packing, None, echoed, diagnostics)
    info, problems = read_explain(element)
    reader.problems.extend(problems)
    return ExplainResponse(version, reader.family, schema, packing, info, echoed, diagnostics)


def _scan(reader: _Reader, found: dict[str, list[etree._Element]], version: str,
          diagnostics: tuple[Diagnostic, ...]) -> ScanResponse:
    terms = []
    terms_el = _first_of(found, "terms")
    for term_el in (t for t in (terms_el if terms_el is not None else ()) if _local(t) == "term"):
        parts = reader.children(term_el)
        value = _text(_first_of(parts, "value"))
        if "value" not in parts:
            reader.add("scan-term-without-value", "term without value", term_el)
        count = reader.integer(_first_of(parts, "numberOfRecords"))
        terms.append(ScanTerm(value, count, _text(_first_of(parts, "displayTerm")), _text(_first_of(parts, "whereInList"))))
    return ScanResponse(version, reader.family, tuple(terms), reader.echoed(_first_of(found, "echoedScanRequest")), diagnostics)
