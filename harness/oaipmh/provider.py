"""The sandbox's OAI-PMH 2.0 repository as pure logic: request arguments in, response out.

    reply = respond([("verb", "ListRecords"), ("metadataPrefix", "marc21")], repository, now,
                    settings)
    reply.status, reply.content_type, reply.body    # 200, "text/xml; charset=utf-8", b"<?xml..."

No I/O and no clock: the HTTP adapter passes the decoded query (GET) or form (POST) pairs,
repeated keys kept, and the time. The repository (:class:`~harness.oaipmh.repository.
Repository`) is read, never changed. What it serves: oai_dc and marc21 (MARCXML); sets;
deletedRecord=persistent; granularity YYYY-MM-DDThh:mm:ssZ, day granularity accepted in
from/until (§3.3.1), both inclusive (§2.7.1); signed, expiring resumption tokens that hold a
(datestamp, identifier) position (:mod:`harness.oaipmh.tokens`); the empty token on the page
that completes a resumed list (§3.5); all eight error codes where they apply (§3.6).

``defects`` switches on named deviations (:class:`~harness.oaipmh.deviations.Deviation`) for
the defect catalogue; with none, every response is what the specification asks. ``spent_tokens``
is the one piece of state a deviation needs (single-use tokens); the provider keeps none.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import NamedTuple, Protocol

from harness.oaipmh import render
from harness.oaipmh.dates import DAY, SECONDS, UtcDatetime, format_utc, parse_utc
from harness.oaipmh.deviations import (
    ERROR_STATUS,
    LOCAL_OFFSET,
    PLACEHOLDER_BASE_URL,
    Deviation,
    local_response_date,
)
from harness.oaipmh.listing import (
    SPECIFIED,
    Page,
    Rendering,
    Selection,
    read_page,
    render_header,
    render_payload,
)
from harness.oaipmh.model import (
    DC_NS,
    EXCLUSIVE,
    MARC_NS,
    MARC_SCHEMA_URL,
    OAI_DC_NS,
    OAI_DC_SCHEMA_URL,
    OPTIONAL,
    REQUIRED,
    VERBS,
)
from harness.oaipmh.repository import Repository
from harness.oaipmh.tokens import (
    BadToken,
    ExpiredToken,
    TokenState,
    decode_token,
    encode_token,
)

FORMATS: tuple[tuple[str, str, str], ...] = (
    ("oai_dc", OAI_DC_SCHEMA_URL, OAI_DC_NS),
    ("marc21", MARC_SCHEMA_URL, MARC_NS),
)
PREFIXES = tuple(prefix for prefix, _, _ in FORMATS)
_SPEC_SYNTAX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")  # §3.4 metadataPrefix, §2.6 setSpec levels
_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?")


__all__ = ["Deviation", "ProviderSettings", "Reply", "respond"]


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    base_url: str
    repository_name: str = "libharness sandbox (Troms og Finnmark konsortium)"
    repository_identifier: str = "sandbox.libharness.test"
    admin_emails: tuple[str, ...] = ("oai@sandbox.libharness.test",)
    page_size: int = 100
    token_lifetime: timedelta = timedelta(hours=1)
    token_secret: bytes = field(default=b"libharness-sandbox-oai", repr=False)


class TokenLedger(Protocol):
    """The tokens answered so far (a ``set`` will do): only the single-use deviation reads it."""

    def __contains__(self, token: object) -> bool: ...

    def add(self, token: str) -> None: ...


class Reply(NamedTuple):
    status: int
    content_type: str
    body: bytes


class _Refused(Exception):
    def __init__(self, code: str, message: str, *, echo: bool = True) -> None:
        super().__init__(message)
        self.code, self.message = code, message
        self.echo = echo and code not in ("badVerb", "badArgument")  # §3.2: those echo the base URL only


@dataclass(frozen=True, slots=True)
class _Call:
    verb: str
    args: Mapping[str, str]
    repository: Repository
    now: datetime
    settings: ProviderSettings
    defects: frozenset[str]
    spent_tokens: TokenLedger | None = None

    @property
    def rendering(self) -> Rendering:
        if not {Deviation.DAY_DATESTAMPS, Deviation.DC_SCHEMA_LOCATION} & self.defects:
            return SPECIFIED
        return Rendering(
            granularity=DAY if Deviation.DAY_DATESTAMPS in self.defects else SECONDS,
            dc_schema_namespace=DC_NS if Deviation.DC_SCHEMA_LOCATION in self.defects else OAI_DC_NS,
        )


def respond(params: Sequence[tuple[str, str]], repository: Repository, now: datetime, settings: ProviderSettings,
            defects: frozenset[str] = frozenset(), spent_tokens: TokenLedger | None = None) -> Reply:
    """Answer one OAI-PMH request: ``params`` are its key=value pairs in order, repeats kept."""
    content_type = "application/xml" if Deviation.CONTENT_TYPE_XML in defects else "text/xml; charset=utf-8"
    status = 200
    try:
        verb, args = _arguments(params, defects)
        body = _HANDLERS[verb](_Call(verb, args, repository, now, settings, defects, spent_tokens))
        echo: Sequence[tuple[str, str]] = _echo(params, defects)
    except _Refused as refused:
        body = render.error(refused.code, refused.message)
        echo = params if refused.echo else ()
        if Deviation.ECHO_ON_BAD_ARGUMENT in defects and refused.code == "badArgument":
            echo = tuple(dict(params).items())  # the arguments as a hash holds them: one value per name
        if Deviation.ERROR_HTTP_STATUS in defects:
            status = ERROR_STATUS[refused.code]
    date = local_response_date(now) if Deviation.RESPONSE_DATE_LOCAL in defects else format_utc(now)
    return Reply(status, content_type, render.envelope(date, settings.base_url, echo, body))


def _echo(params: Sequence[tuple[str, str]], defects: frozenset[str]) -> Sequence[tuple[str, str]]:
    if Deviation.ECHO_REWRITES_DATES not in defects:
        return params
    rewritten = []
    for name, value in params:
        stamp = parse_utc(value) if name in ("from", "until") else None
        if stamp is not None:
            value = format_utc(stamp.value if name == "from" else stamp.end, SECONDS)
        rewritten.append((name, value))
    return rewritten


def _arguments(params: Sequence[tuple[str, str]], defects: frozenset[str]) -> tuple[str, dict[str, str]]:
    """The verb and its arguments, or the badVerb/badArgument the request earns (§3.6)."""
    counts = Counter(name for name, _ in params)
    verbs = [value for name, value in params if name == "verb"]
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise _Refused("badVerb", "verb repeated" if len(verbs) > 1 else f"no such verb: {verbs[0]!r}" if verbs else "no verb")
    verb = verbs[0]
    if repeated := sorted(name for name, n in counts.items() if n > 1):
        raise _Refused("badArgument", f"repeated argument(s): {', '.join(repeated)}")
    args = {name: value for name, value in params if name != "verb"}
    allowed = REQUIRED[verb] | OPTIONAL[verb] | EXCLUSIVE[verb]
    if illegal := sorted(set(args) - allowed):
        raise _Refused("badArgument", f"{verb} does not take {', '.join(illegal)}")
    if verb == "ListMetadataFormats" and "identifier" in args and Deviation.FORMATS_IDENTIFIER_REFUSED in defects:
        raise _Refused("badArgument", "ListMetadataFormats does not take identifier")
    if "resumptionToken" in args:
        if len(args) > 1:
            raise _Refused("badArgument", "resumptionToken is an exclusive argument")
        return verb, args
    if missing := sorted(REQUIRED[verb] - set(args)):
        raise _Refused("badArgument", f"{verb} requires {', '.join(missing)}")
    prefix, set_spec = args.get("metadataPrefix"), args.get("set")
    if prefix is not None and not _SPEC_SYNTAX.fullmatch(prefix):
        raise _Refused("badArgument", f"metadataPrefix={prefix!r} is not a metadataPrefix (§3.4)")
    if set_spec is not None and not all(_SPEC_SYNTAX.fullmatch(level) for level in set_spec.split(":")):
        raise _Refused("badArgument", f"set={set_spec!r} is not a setSpec (§2.6)")
    if args.get("identifier", None) == "":
        raise _Refused("badArgument", "identifier is empty")
    return verb, args


# --- verbs ----------------------------------------------------------------------------------


def _identify(call: _Call) -> str:
    settings = call.settings
    description = (
        '<description><oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier '
        'http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"><scheme>oai</scheme>'
        f"{render.element('repositoryIdentifier', settings.repository_identifier)}<delimiter>:</delimiter>"
        f"{render.element('sampleIdentifier', f'oai:{settings.repository_identifier}:hx0000001')}</oai-identifier></description>"
    )
    defects = call.defects
    base_url = PLACEHOLDER_BASE_URL if Deviation.IDENTIFY_BASE_URL in defects else settings.base_url
    earliest = call.repository.earliest_datestamp()
    if Deviation.EARLIEST_TOO_LATE in defects:
        earliest += LOCAL_OFFSET  # local time written as if it were UTC
    dates = [f"<earliestDatestamp>{format_utc(earliest)}</earliestDatestamp>", "<deletedRecord>persistent</deletedRecord>"]
    if Deviation.IDENTIFY_OUT_OF_ORDER in defects:
        dates.reverse()
    return (
        "<Identify>"
        f"{render.element('repositoryName', settings.repository_name)}{render.element('baseURL', base_url)}"
        "<protocolVersion>2.0</protocolVersion>"
        + "".join(render.element("adminEmail", email) for email in settings.admin_emails)
        + "".join(dates) + f"<granularity>{SECONDS}</granularity>{description}</Identify>"
    )


def _list_metadata_formats(call: _Call) -> str:
    formats = FORMATS
    identifier = call.args.get("identifier")
    if identifier is not None:
        item = call.repository.item(identifier)
        if item is None or (item.deleted and Deviation.FORGET_DELETED in call.defects):
            raise _Refused("idDoesNotExist", f"no item {identifier!r}")
        if not item.deleted:  # a deleted item's header is disseminated in every format
            formats = tuple(f for f in FORMATS if render_payload(item, f[0], call.rendering) is not None)
        if not formats:
            raise _Refused("noMetadataFormats", f"{identifier} has no metadata format")
    parts = [f"<metadataFormat>{render.element('metadataPrefix', p)}{render.element('schema', s)}"
             f"{render.element('metadataNamespace', n)}</metadataFormat>" for p, s, n in formats]
    return f"<ListMetadataFormats>{''.join(parts)}</ListMetadataFormats>"


def _list_sets(call: _Call) -> str:
    if "resumptionToken" in call.args:
        raise _Refused("badResumptionToken", "this repository issues no ListSets tokens")
    sets = call.repository.sets()
    if not sets:
        raise _Refused("noSetHierarchy", "this repository has no sets")
    parts = [f"<set>{render.element('setSpec', s.spec)}{render.element('setName', s.name)}</set>" for s in sets]
    return f"<ListSets>{''.join(parts)}</ListSets>"


def _get_record(call: _Call) -> str:
    identifier, prefix = call.args["identifier"], call.args["metadataPrefix"]
    item = call.repository.item(identifier)
    if item is None or (item.deleted and Deviation.FORGET_DELETED in call.defects):
        raise _Refused("idDoesNotExist", f"no item {identifier!r}")
    if prefix not in PREFIXES:
        _unknown_prefix(prefix, call.defects)
    payload = None if item.deleted else render_payload(item, prefix, call.rendering)
    if payload is None and not item.deleted:
        raise _Refused("cannotDisseminateFormat", f"{identifier} is not available as {prefix}")
    metadata = "" if payload is None else f"<metadata>{payload}</metadata>"
    return f"<GetRecord><record>{render_header(item, call.rendering)}{metadata}</record></GetRecord>"


def _unknown_prefix(prefix: str, defects: frozenset[str]) -> None:
    if Deviation.UNKNOWN_PREFIX_BAD_ARGUMENT in defects:
        raise _Refused("badArgument", f"metadataPrefix {prefix!r} is not supported")
    raise _Refused("cannotDisseminateFormat", f"no metadata format {prefix!r}")


def _range(start_text: str | None, end_text: str | None, defects: frozenset[str]) -> tuple[datetime | None, datetime | None]:
    start = _datestamp("from", start_text, defects)
    end = _datestamp("until", end_text, defects)
    if start is not None and end is not None and start.granularity != end.granularity:
        raise _Refused("badArgument", "from and until are given in different granularities")
    if Deviation.EXCLUSIVE_RANGE in defects:
        return (start.end + timedelta(seconds=1) if start else None), (end.value - timedelta(seconds=1) if end else None)
    return (start.value if start else None), (end.end if end else None)


def _datestamp(name: str, value: str | None, defects: frozenset[str]) -> UtcDatetime | None:
    if value is None:
        return None
    stamp = parse_utc(value)
    if stamp is None and Deviation.IMPOSSIBLE_DATE_ACCEPTED in defects and _DATE_SHAPE.fullmatch(value):
        # the shape alone was checked (a regular expression), so 2024-13-45 finds nothing
        raise _Refused("noRecordsMatch", f"no records {name} {value}", echo=False)
    if stamp is None:
        raise _Refused("badArgument", f"{name}={value!r} is not a UTCdatetime (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)")
    if stamp.granularity == DAY and Deviation.REFUSE_DAY_GRANULARITY in defects:
        raise _Refused("badArgument", f"{name}={value!r}: day granularity is not supported")
    return stamp


def _selection(call: _Call) -> tuple[Selection, TokenState | None]:
    token = call.args.get("resumptionToken")
    state = None
    if token is not None:
        state = _decode(call, token)
        if state.verb != call.verb:
            raise _Refused("badResumptionToken", f"the token continues a {state.verb} list, not {call.verb}")
        prefix, start_text, end_text, set_spec = state.prefix, state.start, state.end, state.set_spec
    else:
        prefix, start_text, end_text, set_spec = (call.args["metadataPrefix"], call.args.get("from"),
                                                  call.args.get("until"), call.args.get("set"))
        if prefix not in PREFIXES:
            _unknown_prefix(prefix, call.defects)
    start, end = _range(start_text, end_text, call.defects)
    if set_spec is not None and not call.repository.sets():
        raise _Refused("noSetHierarchy", "this repository has no sets")
    return Selection(prefix, start, end, set_spec, start_text, end_text), state


def _decode(call: _Call, token: str) -> TokenState:
    defects, spent = call.defects, call.spent_tokens
    if Deviation.TOKEN_SINGLE_USE in defects and spent is not None:
        if token in spent:
            raise _Refused("badResumptionToken", "the token has been used")
        spent.add(token)
    try:
        return decode_token(token, call.settings.token_secret, call.now,
                            check_expiry=Deviation.TOKEN_NEVER_EXPIRES not in defects)
    except ExpiredToken as exc:
        raise _Refused("badResumptionToken", str(exc)) from None
    except BadToken as exc:
        if Deviation.FORGED_TOKEN_ACCEPTED in defects:  # read as a list that has run out
            raise _Refused("noRecordsMatch", "no more records") from None
        raise _Refused("badResumptionToken", str(exc)) from None


def _list(call: _Call) -> str:
    selection, state = _selection(call)
    offset_mode = Deviation.OFFSET_TOKEN in call.defects
    page = read_page(call.repository, selection, state, call.settings.page_size, offset_mode,
                     skip_deleted=Deviation.FORGET_DELETED in call.defects, rendering=call.rendering)
    if not page.entries:
        raise _Refused("noRecordsMatch", "no records match" if state is None else "the rest of the list is gone")
    listed = page.render(call.verb == "ListRecords", call.rendering)
    return f"<{call.verb}>{listed}{_token(call, selection, state, page)}</{call.verb}>"


def _token(call: _Call, selection: Selection, state: TokenState | None, page: Page) -> str:
    cursor = state.cursor if state is not None else 0
    complete = state.complete if state is not None else _estimate(call.repository, selection, page)
    complete = max(complete, cursor + len(page.entries) + (1 if page.more else 0))
    if not page.more:
        if state is None or Deviation.NO_EMPTY_FINAL_TOKEN in call.defects:
            return ""  # a list that fit on one page has no token at all
        shown = cursor + len(page.entries) if Deviation.CURSOR_COUNTS_THIS_PAGE in call.defects else cursor
        return f'<resumptionToken completeListSize="{complete}" cursor="{shown}"/>'
    sent = len(page.entries)
    if Deviation.PAGE_OVERLAP in call.defects and sent > 1:
        sent -= 1  # the next page starts again at this page's last item
    last = page.entries[sent - 1][0]
    expires = call.now + call.settings.token_lifetime
    value = encode_token(TokenState(
        call.verb, selection.prefix, selection.start_text, selection.end_text, selection.set_spec,
        format_utc(last.datestamp), last.identifier, cursor + len(page.entries), complete, int(expires.timestamp()),
        secrets.token_hex(4) if Deviation.TOKEN_SINGLE_USE in call.defects else "",  # a stored token is unique
    ), call.settings.token_secret)
    shown = cursor + len(page.entries) if Deviation.CURSOR_COUNTS_THIS_PAGE in call.defects else cursor
    return (f'<resumptionToken expirationDate="{format_utc(expires)}" completeListSize="{complete}" '
            f'cursor="{shown}">{value}</resumptionToken>')


def _estimate(repository: Repository, selection: Selection, page: Page) -> int:
    """completeListSize for a first page: counted once, carried in the token after that (§3.5
    allows an estimate; items not disseminable in the prefix are counted too)."""
    if not page.more:
        return len(page.entries)
    return repository.count(start=selection.start, end=selection.end, set_spec=selection.set_spec)


_HANDLERS: Mapping[str, Callable[[_Call], str]] = MappingProxyType({
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": _list,
    "ListRecords": _list,
})
