"""Sans-I/O OAI-PMH 2.0 response parser: bytes in, a typed response and its problems out.

    result = parse_response(body, Context(arguments=(("verb", "Identify"),), base_url=url))
    result.response   # IdentifyResponse | ... | ErrorResponse | None
    result.problems   # every rule broken, each with its clause and line

Strict on purpose: lxml with no recovery, no entity resolution, no network and no DTD; the
envelope is validated against the shipped OAI-PMH.xsd and each payload against the schema
of its namespace (:mod:`harness.oaipmh.schemas`). Whatever the bytes, the parser returns;
a body that cannot be read at all gives ``response=None`` and the problem that says why.

One page at a time: nothing is kept between calls, so a harvest of any length holds one
page (and what its caller keeps).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from lxml import etree

from harness.oaipmh import semantics
from harness.oaipmh.model import (
    OAI_NS,
    OAI_SCHEMA_URL,
    XSI_NS,
    Envelope,
    ErrorResponse,
    GetRecordResponse,
    Header,
    Identify,
    IdentifyResponse,
    ListIdentifiersResponse,
    ListMetadataFormatsResponse,
    ListRecordsResponse,
    ListSetsResponse,
    MetadataFormat,
    OaiError,
    OaiResponse,
    OaiSet,
    ParseResult,
    Record,
    RequestEcho,
    ResumptionToken,
)
from harness.oaipmh.rules import at_line, problem
from harness.oaipmh.schemas import (
    envelope_schema,
    line_of,
    log_entries,
    namespace_prefixes,
    payload_index,
    response_schema,
)
from harness.rules import Problem

_O = f"{{{OAI_NS}}}"
SCHEMA_ERRORS_KEPT = 20  # schema errors reported per page; the rest are counted
_ILLEGAL_CHAR = re.compile(r"invalid (xml)?char|not a valid xml char|char 0x|xmlParseCharRef", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"<\?xml\s+version\s*=\s*['\"]1\.0['\"](\s+encoding\s*=\s*['\"]([A-Za-z0-9._-]+)['\"])?")


@dataclass(frozen=True, slots=True)
class Context:
    """What the parser knows beyond the bytes; each field left empty skips the checks it feeds.

    ``arguments`` is the request as sent (verb included); ``selection`` the from/until/set/
    metadataPrefix of the list a resumption page belongs to (the first request's arguments);
    ``granularity``, ``earliest`` and ``deleted_record`` come from Identify; ``namespace`` is
    the metadataNamespace of the prefix asked for, from ListMetadataFormats.
    """

    arguments: tuple[tuple[str, str], ...] = ()
    base_url: str | None = None
    selection: tuple[tuple[str, str], ...] = ()
    granularity: str | None = None
    earliest: str | None = None
    deleted_record: str | None = None
    namespace: str | None = None
    validate_payloads: bool = True

    def argument(self, name: str) -> str | None:
        return next((v for k, v in self.arguments if k == name), None)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=False, huge_tree=False)


def parse_response(body: bytes, context: Context | None = None) -> ParseResult:
    """Read one OAI-PMH response. Never raises on what a target sent."""
    context = context or Context()
    if not body or body.isspace():  # (isspace stops at the first other byte; strip would copy the page)
        return ParseResult(None, (problem("empty-body", f"the body is {len(body)} bytes of nothing but whitespace"),))
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        return ParseResult(None, (_syntax_problem(exc),))
    if root.tag != f"{_O}OAI-PMH":  # an HTML error page, OAI 1.1, MARCXML...: nothing more to judge
        return ParseResult(None, (problem("root-element", f"the root element is {root.tag!r}, not {{{OAI_NS}}}OAI-PMH",
                                          at_line(line_of(root), str(root.tag))),))
    problems = _document_problems(body, root)
    problems += _schema_location_problems(root)
    envelope_problems, payload_errors = _validate(root, context.validate_payloads)
    problems += envelope_problems
    response = _read(root, context)
    if response is None:
        problems.append(problem("schema-invalid", "no verb element and no error after <request>", at_line(line_of(root))))
        return ParseResult(None, tuple(problems))
    problems += semantics.check(response, context, payload_errors)
    return ParseResult(response, tuple(problems))


def _syntax_problem(exc: etree.XMLSyntaxError) -> Problem:
    line, column = exc.position if exc.position else (exc.lineno or 0, 0)
    rule = "illegal-character" if _ILLEGAL_CHAR.search(exc.msg or "") else "not-well-formed"
    if "entity" in (exc.msg or "").lower():
        rule = "entity-declaration"
    return problem(rule, f"line {line}, column {column}: {exc.msg}", at_line(line))


def _document_problems(body: bytes, root: etree._Element) -> list[Problem]:
    problems: list[Problem] = []
    head = body[3:] if body.startswith(b"\xef\xbb\xbf") else body
    declaration = _XML_DECLARATION.match(head)
    if declaration is None:
        problems.append(problem("xml-declaration", f"the body begins {head[:40]!r}, not with <?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                                at_line(1)))
    elif (declaration.group(2) or b"UTF-8").decode().upper() not in ("UTF-8", "UTF8"):
        problems.append(problem("xml-declaration", f"encoding={declaration.group(2)!r}; OAI-PMH responses are UTF-8", at_line(1)))
    doctype = getattr(root.getroottree().docinfo, "doctype", "")
    if doctype:
        problems.append(problem("entity-declaration", f"a document type declaration: {doctype}", at_line(1)))
    return problems


def _schema_location_problems(root: etree._Element) -> list[Problem]:
    words = (root.get(f"{{{XSI_NS}}}schemaLocation") or "").split()
    pairs = dict(zip(words[::2], words[1::2], strict=False))
    location = pairs.get(OAI_NS)
    if location is not None and location.replace("https://", "http://", 1) == OAI_SCHEMA_URL:
        return []
    found = " ".join(words) or "(none)"
    return [problem("schema-location", f"xsi:schemaLocation is {found!r}; expected the pair {OAI_NS} {OAI_SCHEMA_URL}",
                    at_line(line_of(root), "OAI-PMH"))]


def _validate(root: etree._Element, with_payloads: bool) -> tuple[list[Problem], dict[int, list[str]]]:
    """One schema pass: envelope problems, and each record's payload errors by record index."""
    schema = response_schema() if with_payloads else envelope_schema()
    if schema.validate(root):
        return [], {}
    envelope: list[str] = []
    payloads: dict[int, list[str]] = {}
    prefixes = namespace_prefixes(root) if with_payloads else {}
    for entry in log_entries(schema):
        index = payload_index(root, entry.path, prefixes) if with_payloads else None
        message = f"line {entry.line}: {entry.message}"
        (envelope if index is None else payloads.setdefault(index, [])).append(message)
    problems = [problem("schema-invalid", m, at_line(_line_in(m))) for m in envelope[:SCHEMA_ERRORS_KEPT]]
    if len(envelope) > SCHEMA_ERRORS_KEPT:
        problems.append(problem("schema-invalid", f"and {len(envelope) - SCHEMA_ERRORS_KEPT} more schema errors on this page"))
    return problems, payloads


def _line_in(message: str) -> int:
    number = message[5:].split(":", 1)[0]
    return int(number) if number.isdigit() else 0


# --- reading the tree into the model (tolerant: the schema check has already said what is wrong)


def _text(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _child(element: etree._Element, name: str) -> etree._Element | None:
    return element.find(f"{_O}{name}")


def _children_text(element: etree._Element, name: str) -> tuple[str, ...]:
    return tuple(_text(e) for e in element.iterfind(f"{_O}{name}"))


def _read(root: etree._Element, context: Context) -> OaiResponse | None:
    request = _child(root, "request")
    echo = RequestEcho(_text(request), tuple((str(k), str(v)) for k, v in request.attrib.items()) if request is not None else ())
    envelope = Envelope(_text(_child(root, "responseDate")), echo)
    errors = tuple(OaiError(e.get("code", ""), _text(e)) for e in root.iterfind(f"{_O}error"))
    if errors:
        return ErrorResponse(envelope, errors, context.argument("verb") or echo.get("verb") or "")
    for element in root:
        if not isinstance(element.tag, str) or not element.tag.startswith(_O):
            continue
        reader = _READERS.get(element.tag[len(_O):])
        if reader is not None:
            return reader(envelope, element)
    return None


def _identify(envelope: Envelope, element: etree._Element) -> IdentifyResponse:
    descriptions = tuple(str(d[0].tag) for d in element.iterfind(f"{_O}description") if len(d))
    return IdentifyResponse(envelope, Identify(
        repository_name=_text(_child(element, "repositoryName")),
        base_url=_text(_child(element, "baseURL")),
        protocol_version=_text(_child(element, "protocolVersion")),
        admin_emails=_children_text(element, "adminEmail"),
        earliest_datestamp=_text(_child(element, "earliestDatestamp")),
        deleted_record=_text(_child(element, "deletedRecord")),
        granularity=_text(_child(element, "granularity")),
        compression=_children_text(element, "compression"),
        descriptions=descriptions,
    ))


def _formats(envelope: Envelope, element: etree._Element) -> ListMetadataFormatsResponse:
    formats = tuple(
        MetadataFormat(_text(_child(f, "metadataPrefix")), _text(_child(f, "schema")), _text(_child(f, "metadataNamespace")))
        for f in element.iterfind(f"{_O}metadataFormat")
    )
    return ListMetadataFormatsResponse(envelope, formats)


def _token(element: etree._Element) -> ResumptionToken | None:
    token = _child(element, "resumptionToken")
    if token is None:
        return None
    return ResumptionToken(token.text or "", _int(token.get("completeListSize")), _int(token.get("cursor")),
                           token.get("expirationDate"))


def _int(text: str | None) -> int | None:
    if text is None or not text.strip().isdigit():
        return None
    return int(text.strip())


def _sets(envelope: Envelope, element: etree._Element) -> ListSetsResponse:
    sets = tuple(OaiSet(_text(_child(s, "setSpec")), _text(_child(s, "setName"))) for s in element.iterfind(f"{_O}set"))
    return ListSetsResponse(envelope, sets, _token(element))


_IDENTIFIER, _DATESTAMP, _SET_SPEC = f"{_O}identifier", f"{_O}datestamp", f"{_O}setSpec"
_HEADER, _METADATA = f"{_O}header", f"{_O}metadata"


def _header(element: etree._Element) -> Header:
    # one pass over the children: this runs for every record of every page
    identifier = datestamp = ""
    specs = []
    for child in element:
        if child.tag == _IDENTIFIER:
            identifier = _text(child)
        elif child.tag == _DATESTAMP:
            datestamp = _text(child)
        elif child.tag == _SET_SPEC:
            specs.append(_text(child))
    return Header(identifier, datestamp, tuple(specs), element.get("status") == "deleted", line_of(element))


def _record(element: etree._Element) -> Record:
    header = metadata = None
    for child in element:
        if child.tag == _HEADER and header is None:
            header = child
        elif child.tag == _METADATA and metadata is None:
            metadata = child
    payload = next((c for c in metadata if isinstance(c.tag, str)), None) if metadata is not None else None
    if metadata is not None and payload is None:
        payload = metadata  # <metadata/> with no element: kept so the check can say "empty"
    return Record(_header(header) if header is not None else Header("", ""), payload, line_of(element))


def _identifiers(envelope: Envelope, element: etree._Element) -> ListIdentifiersResponse:
    return ListIdentifiersResponse(envelope, tuple(_header(h) for h in element.iterfind(f"{_O}header")), _token(element))


def _records(envelope: Envelope, element: etree._Element) -> ListRecordsResponse:
    return ListRecordsResponse(envelope, tuple(_record(r) for r in element.iterfind(f"{_O}record")), _token(element))


def _get_record(envelope: Envelope, element: etree._Element) -> GetRecordResponse | None:
    record = _child(element, "record")
    return GetRecordResponse(envelope, _record(record)) if record is not None else None


_READERS: Mapping[str, Callable[[Envelope, etree._Element], OaiResponse | None]] = MappingProxyType({
    "Identify": _identify, "ListMetadataFormats": _formats, "ListSets": _sets,
    "ListIdentifiers": _identifiers, "ListRecords": _records, "GetRecord": _get_record,
})


def http_problems(status: int, content_type: str) -> list[Problem]:
    """What the HTTP status and Content-Type of an OAI-PMH answer break (§3.1.2, §3.1.2.1).

    A 503 is flow control, not a fault; the harvester handles it before calling this.
    """
    problems = []
    if status != 200:
        problems.append(problem("http-status", f"HTTP {status}; OAI-PMH answers, errors included, come with 200"))
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "text/xml":
        problems.append(problem("content-type", f"Content-Type {content_type or '(none)'!r}; expected text/xml"))
    return problems
