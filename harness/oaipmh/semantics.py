"""The checks a schema cannot make: what one parsed response says against what was asked.

Called by :func:`harness.oaipmh.parse.parse_response` after the schema check; each check
reads only the response and the :class:`~harness.oaipmh.parse.Context`, so a missing piece
of context (no base URL, no declared granularity) simply skips the checks that need it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from lxml import etree

from harness.oaipmh.dates import SECONDS, UtcDatetime, parse_utc
from harness.oaipmh.model import (
    ERRORS_BY_VERB,
    XSI_NS,
    ErrorResponse,
    GetRecordResponse,
    Header,
    IdentifyResponse,
    ListIdentifiersResponse,
    ListRecordsResponse,
    ListSetsResponse,
    OaiResponse,
    Record,
    ResumptionToken,
    list_items,
)
from harness.oaipmh.rules import at_line, problem
from harness.oaipmh.schemas import SCHEMA_URLS
from harness.rules import Position, Problem

if TYPE_CHECKING:
    from harness.oaipmh.parse import Context

PAYLOAD_ERRORS_KEPT = 3  # schema errors reported per payload
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # XML 1.0 §2.2 Char


def check(response: OaiResponse, context: Context, payload_errors: Mapping[int, list[str]] | None = None) -> list[Problem]:
    """The problems of a parsed response; ``payload_errors`` are the schema pass's errors
    inside each record's payload, by record index."""
    errors = payload_errors or {}
    problems = _envelope(response, context)
    if isinstance(response, ErrorResponse):
        problems += _errors(response, context)
    elif isinstance(response, IdentifyResponse):
        problems += _identify(response, context)
    elif isinstance(response, GetRecordResponse):
        problems += _records((response.record,), context, errors)
    elif isinstance(response, ListIdentifiersResponse):
        problems += _headers(response.headers, context)
    elif isinstance(response, ListRecordsResponse):
        problems += _records(response.records, context, errors)
    if isinstance(response, (ListSetsResponse, ListIdentifiersResponse, ListRecordsResponse)):
        problems += _token(response.token, len(list_items(response)))
    return problems


def _envelope(response: OaiResponse, context: Context) -> list[Problem]:
    problems = []
    date = parse_utc(response.envelope.response_date)
    if date is None or date.granularity != SECONDS:
        problems.append(problem("response-date", f"responseDate is {response.envelope.response_date!r}"))
    echo = response.envelope.request
    if context.base_url is not None and echo.base_url != context.base_url:
        problems.append(problem("request-base-url", f"<request> says {echo.base_url!r}; the request went to {context.base_url!r}"))
    asked = context.argument("verb")
    if asked is not None and not isinstance(response, ErrorResponse) and response.verb != asked:
        problems.append(problem("unexpected-verb", f"asked {asked}, the response is {response.verb}"))
    codes = response.codes if isinstance(response, ErrorResponse) else ()
    refused = bool({"badVerb", "badArgument"} & set(codes))
    if refused and echo.arguments:
        problems.append(problem("request-echo-on-error", f"{'/'.join(codes)} echoed with attributes {_pairs(echo.arguments)}"))
    elif context.arguments and not refused and (echo.arguments or not codes) and not _echoed(echo.arguments, context.arguments):
        # §3.2: a response without error echoes exactly the request's pairs; after an error other
        # than badVerb/badArgument the attributes may be left out, but what is echoed must be true
        problems.append(problem("request-echo", f"<request> echoes {_pairs(echo.arguments)}; the request was {_pairs(context.arguments)}"))
    return problems


def _echoed(echo: Sequence[tuple[str, str]], sent: Sequence[tuple[str, str]]) -> bool:
    """The echo repeats the pairs sent. A value with a character XML 1.0 forbids cannot be
    written into an attribute at all, so how the repository writes that argument is not judged."""
    unwritable = {name for name, value in sent if _XML_ILLEGAL.search(value)}
    return sorted(p for p in echo if p[0] not in unwritable) == sorted(p for p in sent if p[0] not in unwritable)


def _pairs(pairs: Sequence[tuple[str, str]]) -> str:
    return " ".join(f'{k}="{v}"' for k, v in pairs) or "(no attributes)"


def _errors(response: ErrorResponse, context: Context) -> list[Problem]:
    verb = context.argument("verb") or response.verb
    allowed = ERRORS_BY_VERB.get(verb)
    if allowed is None:
        return []
    return [problem("error-not-for-verb", f"{verb} cannot answer {code}; its errors are {', '.join(sorted(allowed))} (and badVerb)")
            for code in response.codes if code not in allowed and code != "badVerb"]


def _identify(response: IdentifyResponse, context: Context) -> list[Problem]:
    identify = response.identify
    problems = []
    if context.base_url is not None and identify.base_url != context.base_url:
        problems.append(problem("identify-base-url", f"Identify baseURL {identify.base_url!r}; harvested at {context.base_url!r}"))
    earliest = parse_utc(identify.earliest_datestamp)
    if earliest is None:
        problems.append(problem("datestamp-syntax", f"earliestDatestamp {identify.earliest_datestamp!r}"))
    elif identify.granularity and earliest.granularity != identify.granularity:
        problems.append(problem("datestamp-granularity",
                                f"earliestDatestamp {identify.earliest_datestamp!r} is not in the declared {identify.granularity}"))
    return problems


class _Selection:
    """The from/until/set a list was asked with, parsed once per page."""

    def __init__(self, context: Context) -> None:
        pairs = dict(context.selection or context.arguments)
        self.start = parse_utc(pairs.get("from", "")) if "from" in pairs else None
        self.end = parse_utc(pairs.get("until", "")) if "until" in pairs else None
        self.set_spec = pairs.get("set")
        self.earliest = parse_utc(context.earliest) if context.earliest else None


def _headers(headers: Sequence[Header], context: Context) -> list[Problem]:
    selection = _Selection(context)
    return [p for index, header in enumerate(headers) for p in _header(header, index, selection, context)]


def _header(header: Header, index: int, selection: _Selection, context: Context) -> Iterator[Problem]:
    where = Position(header.line, "line", index, header.identifier)
    stamp = parse_utc(header.datestamp)
    if stamp is None:
        yield problem("datestamp-syntax", f"{header.identifier}: datestamp {header.datestamp!r}", where)
        return
    if context.granularity and stamp.granularity != context.granularity:
        yield problem("datestamp-granularity", f"{header.identifier}: {header.datestamp!r} is not in the declared {context.granularity}", where)
    if selection.earliest is not None and stamp.value < selection.earliest.value:
        yield problem("before-earliest", f"{header.identifier}: {header.datestamp} is before earliestDatestamp {context.earliest}", where)
    if not _in_range(stamp, selection.start, selection.end):
        yield problem("outside-range", f"{header.identifier}: {header.datestamp} is outside from/until", where)
    if header.deleted and context.deleted_record == "no":
        yield problem("deleted-not-declared", f"{header.identifier}: status=\"deleted\", but Identify says deletedRecord=no", where)
    spec = selection.set_spec
    if spec and not header.deleted and not any(s == spec or s.startswith(f"{spec}:") for s in header.set_specs):
        yield problem("set-not-in-header", f"{header.identifier}: set={spec} asked, the header lists {list(header.set_specs)}", where)


def _in_range(stamp: UtcDatetime, start: UtcDatetime | None, end: UtcDatetime | None) -> bool:
    if start is not None and stamp.value < start.value:
        return False
    return end is None or stamp.value <= end.end


def _records(records: Sequence[Record], context: Context, errors: Mapping[int, list[str]]) -> list[Problem]:
    problems = _headers([r.header for r in records], context)
    unchecked: dict[str, int] = {}
    for index, record in enumerate(records):
        problems += _record(record, index, context, unchecked, errors.get(index, ()))
    problems += [problem("payload-unchecked", f"{count} payload(s) in namespace {ns!r}: no schema shipped, not validated")
                 for ns, count in unchecked.items()]
    return problems


def _record(record: Record, index: int, context: Context, unchecked: dict[str, int], errors: Sequence[str]) -> list[Problem]:
    where = Position(record.line, "line", index, record.header.identifier)
    payload = record.metadata
    if record.header.deleted:
        return [problem("deleted-with-metadata", f"{record.header.identifier}: deleted, yet a <metadata> follows", where)] if payload is not None else []
    name = etree.QName(payload) if payload is not None else None
    if payload is None or name is None or name.localname == "metadata":
        return [problem("metadata-missing", f"{record.header.identifier}: no metadata payload", where)]
    namespace = name.namespace or ""
    problems = []
    if context.namespace and namespace != context.namespace:
        problems.append(problem("payload-namespace", f"{record.header.identifier}: payload <{payload.tag}>; the format's namespace is {context.namespace}", where))
    problems += _schema_location(payload, record.header.identifier, where)
    if context.validate_payloads:
        if namespace not in SCHEMA_URLS:
            unchecked[namespace] = unchecked.get(namespace, 0) + 1
        problems += _payload_errors(errors, record.header.identifier, index)
    return problems


def _schema_location(payload: etree._Element, identifier: str, where: Position) -> list[Problem]:
    words = (payload.get(f"{{{XSI_NS}}}schemaLocation") or "").split()
    problems = []
    for namespace, location in zip(words[::2], words[1::2], strict=False):
        owner = next((ns for ns, url in SCHEMA_URLS.items() if url == location.replace("https://", "http://", 1)), None)
        if owner is not None and owner != namespace:
            problems.append(problem("payload-schema-location",
                                    f"{identifier}: xsi:schemaLocation pairs {namespace} with {location}, the schema of {owner}", where))
    return problems


def _payload_errors(errors: Sequence[str], identifier: str, index: int) -> list[Problem]:
    kept = [problem("payload-schema-invalid", f"{identifier}: {message}", at_line(0, identifier, index))
            for message in errors[:PAYLOAD_ERRORS_KEPT]]
    if len(errors) > PAYLOAD_ERRORS_KEPT:
        kept.append(problem("payload-schema-invalid", f"{identifier}: and {len(errors) - PAYLOAD_ERRORS_KEPT} more", at_line(0, identifier, index)))
    return kept


def _token(token: ResumptionToken | None, items: int) -> list[Problem]:
    if token is None:
        return []
    problems = []
    if token.value and not token.value.strip():
        problems.append(problem("token-whitespace", f"resumptionToken {token.value!r} is only whitespace"))
    if token.expiration_date is not None:
        expiry = parse_utc(token.expiration_date)
        if expiry is None or expiry.granularity != SECONDS:
            problems.append(problem("token-expiration-date", f"expirationDate {token.expiration_date!r}"))
    if token.cursor is not None and token.complete_list_size is not None and token.cursor + items > token.complete_list_size:
        problems.append(problem("token-list-size",
                                f"cursor {token.cursor} + {items} items on this page > completeListSize {token.complete_list_size}"))
    return problems
