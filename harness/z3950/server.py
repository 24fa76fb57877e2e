"""The target side, sans I/O: ``respond(decoded, session, backend) -> Reply``.

The protocol rules that do not depend on the catalogue live here, so the sandbox's service
(``harness/z3950/sandbox/``) is a thin socket adapter and its backend a plain object over the
consortium state and the shared search index.

* Init (3.2.1.1): the highest common version; the options both sides want (the backend's
  ``options`` intersected with the origin's); message sizes no larger than either side's;
  the backend selects a character set from the origin's proposal (charneg-3) and decides on
  the id/authentication.
* Close (3.2.11.1): answered with Close (responseToPeer), and the association ends.
* Before Init, or for a service the association did not agree to, or for a PDU that did not
  decode: Close with protocolError (3.2.11.1.1), and the association ends.
* Search, Present, Scan, Sort, Delete: the backend's answer, with the request's Reference-id.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Protocol

from harness.z3950.codec import Decoded, Pdu
from harness.z3950.diagnostics import Diagnostic
from harness.z3950.init import (
    DEFAULT_EXCEPTIONAL_RECORD_SIZE,
    DEFAULT_PREFERRED_MESSAGE_SIZE,
    Authentication,
    CharsetProposal,
    CharsetResponse,
    InitRequest,
    InitResponse,
)
from harness.z3950.search import (
    PresentRequest,
    PresentResponse,
    SearchRequest,
    SearchResponse,
)
from harness.z3950.services import (
    Close,
    DeleteResultSetRequest,
    DeleteResultSetResponse,
    ScanRequest,
    ScanResponse,
    SortRequest,
    SortResponse,
)

PROTOCOL_ERROR, RESPONSE_TO_PEER = 6, 8  # Close-reason values (3.2.11.1.1)
_SERVICE_OPTION = {  # which agreed option a request needs (3.2.1.1.3)
    SearchRequest: "search", PresentRequest: "present", ScanRequest: "scan", SortRequest: "sort",
    DeleteResultSetRequest: "delSet",
}


class Backend(Protocol):
    """What the sandbox provides: its identity, its services, and the answers over its catalogue."""

    implementation_name: str
    implementation_version: str
    options: frozenset[str]

    def authenticate(self, authentication: Authentication | None) -> Diagnostic | None:
        """None to accept; a diagnostic (e.g. Bib-1 1011) to refuse the Init."""

    def select_charset(self, proposal: CharsetProposal) -> CharsetResponse:
        """The target's choice from the origin's proposal (charneg-3); form "none" for none."""

    def search(self, request: SearchRequest, session: Session) -> SearchResponse: ...
    def present(self, request: PresentRequest, session: Session) -> PresentResponse: ...
    def scan(self, request: ScanRequest, session: Session) -> ScanResponse: ...
    def sort(self, request: SortRequest, session: Session) -> SortResponse: ...
    def delete(self, request: DeleteResultSetRequest, session: Session) -> DeleteResultSetResponse: ...


@dataclass
class Session:
    """One association's state (mutable: an association has state). Result sets are the backend's."""

    initialised: bool = False
    options: frozenset[str] = frozenset()
    version: int = 0
    utf8: bool = False
    charset: str = ""  # the selected character set ("UTF-8", "MARC-8"), "" when none was
    records_in_charset: bool = False  # records too are in the selected set (recordsInSelectedCharSets)
    preferred_message_size: int = DEFAULT_PREFERRED_MESSAGE_SIZE
    exceptional_record_size: int = DEFAULT_EXCEPTIONAL_RECORD_SIZE
    result_sets: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reply:
    """What to send back, and whether the association ends after it."""

    pdus: tuple[Pdu, ...]
    end: bool = False


def respond(decoded: Decoded, session: Session, backend: Backend) -> Reply:
    """The answer to one PDU the origin sent."""
    request = decoded.pdu
    if request is None:
        return _abort(f"{decoded.name} could not be read")
    if isinstance(request, Close):
        return Reply((Close(RESPONSE_TO_PEER, reference_id=request.reference_id),), end=True)
    if isinstance(request, InitRequest):
        return _init(request, session, backend)
    if not session.initialised:
        return _abort(f"{request.NAME} before Init")
    option = _SERVICE_OPTION.get(type(request))
    if option is None or option not in session.options:
        return _abort(f"{request.NAME}: the association did not agree to this service")
    answer = _dispatch(request, session, backend)
    return Reply((dataclasses.replace(answer, reference_id=getattr(request, "reference_id", None)),))


def _dispatch(request: Pdu, session: Session, backend: Backend) -> Pdu:
    if isinstance(request, SearchRequest):
        return backend.search(request, session)
    if isinstance(request, PresentRequest):
        return backend.present(request, session)
    if isinstance(request, ScanRequest):
        return backend.scan(request, session)
    if isinstance(request, SortRequest):
        return backend.sort(request, session)
    assert isinstance(request, DeleteResultSetRequest)
    return backend.delete(request, session)


def _init(request: InitRequest, session: Session, backend: Backend) -> Reply:
    common = request.versions & {1, 2, 3}  # echoed as YAZ origins expect (yaz-client reads the run of bits from version 1)
    refusal = backend.authenticate(request.authentication)
    base = InitResponse(
        result=False, options=frozenset(), versions=frozenset(common) or frozenset({3}),
        preferred_message_size=min(request.preferred_message_size, DEFAULT_PREFERRED_MESSAGE_SIZE),
        exceptional_record_size=min(request.exceptional_record_size, DEFAULT_EXCEPTIONAL_RECORD_SIZE),
        implementation_id="libharness-sandbox", implementation_name=backend.implementation_name,
        implementation_version=backend.implementation_version, reference_id=request.reference_id,
    )
    if not common or refusal is not None:
        return Reply((dataclasses.replace(base, diagnostics=(refusal,) if refusal else ()),))
    options = request.options & backend.options
    charset = None
    if request.charset is not None and "negotiation" in request.options:
        charset = backend.select_charset(request.charset)
        options |= {"negotiation"}
    session.initialised, session.options, session.version = True, options, max(common)
    session.utf8 = bool(charset and charset.utf8)
    session.charset = charset.charset if charset is not None and charset.form != "none" else ""
    session.records_in_charset = bool(charset and charset.records_in_selected_charsets)
    session.preferred_message_size = base.preferred_message_size
    session.exceptional_record_size = base.exceptional_record_size
    return Reply((dataclasses.replace(base, result=True, options=options, versions=frozenset(common),
                                      charset=charset),))


def _abort(message: str) -> Reply:
    return Reply((Close(PROTOCOL_ERROR, message),), end=True)
