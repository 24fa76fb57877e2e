"""The target side's protocol rules (harness/z3950/server.py), without sockets.

Each origin PDU goes through the real codec both ways (encode, decode, respond, encode,
decode), as h11's tests pair a client and a server in memory. The backend is a small fake
with a fixed catalogue answer: the rules under test are the protocol's, not the search's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.z3950 import (
    CharsetProposal,
    CharsetResponse,
    Close,
    DeleteResultSetRequest,
    DeleteResultSetResponse,
    IdPassAuth,
    InitRequest,
    InitResponse,
    Pdu,
    PresentRequest,
    PresentResponse,
    ScanRequest,
    ScanResponse,
    SearchRequest,
    SearchResponse,
    SortRequest,
    SortResponse,
    Term,
    bib1,
    decode,
    encode,
    parse,
)
from harness.z3950.diagnostics import Diagnostic
from harness.z3950.init import Authentication
from harness.z3950.server import Session, respond


@dataclass
class FakeBackend:
    implementation_name: str = "sandbox"
    implementation_version: str = "0"
    options: frozenset[str] = frozenset({"search", "present", "delSet"})
    searches: list[SearchRequest] = field(default_factory=list)

    def select_charset(self, proposal: CharsetProposal) -> CharsetResponse:
        utf8 = any(c.upper().replace("_", "-") in ("UTF-8", "UTF8") for c in proposal.charsets)
        return CharsetResponse("UTF-8", "iso10646", "", True) if utf8 else CharsetResponse("", "none")

    def authenticate(self, authentication: Authentication | None) -> Diagnostic | None:
        if isinstance(authentication, IdPassAuth) and authentication.password != "riktig":
            return bib1(1011)
        return None

    def search(self, request: SearchRequest, session: Session) -> SearchResponse:
        self.searches.append(request)
        return SearchResponse(True, 3)

    def present(self, request: PresentRequest, session: Session) -> PresentResponse:
        return PresentResponse(5, diagnostics=(bib1(13, str(request.start)),))

    def scan(self, request: ScanRequest, session: Session) -> ScanResponse:
        raise AssertionError("scan was not agreed to")

    def sort(self, request: SortRequest, session: Session) -> SortResponse:
        raise AssertionError("sort was not agreed to")

    def delete(self, request: DeleteResultSetRequest, session: Session) -> DeleteResultSetResponse:
        return DeleteResultSetResponse(0)


def exchange(pdu: Pdu, session: Session, backend: FakeBackend) -> tuple[list[Pdu | None], bool]:
    reply = respond(decode(encode(pdu)), session, backend)
    return [decode(encode(p)).pdu for p in reply.pdus], reply.end


def test_init_agrees_to_the_common_options_and_utf8() -> None:
    session, backend = Session(), FakeBackend()
    request = InitRequest(options=frozenset({"search", "present", "scan"}), charset=CharsetProposal(("UTF-8",)),
                          reference_id=b"i1")
    [init], end = exchange(request, session, backend)
    assert isinstance(init, InitResponse) and init.result and not end
    assert init.options == {"search", "present", "negotiation"}  # scan: the backend does not offer it
    assert init.charset == CharsetResponse("UTF-8", "iso10646", "", True)
    assert init.reference_id == b"i1" and init.versions == {2, 3}
    assert session.initialised and session.utf8 and session.version == 3


def test_init_without_a_utf8_proposal_selects_none() -> None:
    session = Session()
    [init], _ = exchange(InitRequest(charset=CharsetProposal(("ISO-8859-1",))), session, FakeBackend())
    assert isinstance(init, InitResponse) and init.charset is not None and init.charset.form == "none"
    assert not session.utf8


def test_a_refused_init_carries_the_backends_diagnostic() -> None:
    session = Session()
    [init], end = exchange(InitRequest(authentication=IdPassAuth("u", "feil")), session, FakeBackend())
    assert isinstance(init, InitResponse) and not init.result and not end
    assert [d.condition for d in init.diagnostics] == [1011] and not session.initialised


def test_services_answer_with_the_request_reference_id() -> None:
    session, backend = Session(), FakeBackend()
    exchange(InitRequest(), session, backend)
    [search], _ = exchange(SearchRequest(parse("@attr 1=4 čuovga"), reference_id=b"s1"), session, backend)
    assert search == SearchResponse(True, 3, reference_id=b"s1")
    assert backend.searches[0].query == parse("@attr 1=4 čuovga")
    [present], _ = exchange(PresentRequest(start=9), session, backend)
    assert isinstance(present, PresentResponse) and present.diagnostics == (bib1(13, "9"),)


def test_protocol_errors_close_the_association() -> None:
    backend = FakeBackend()
    [close], end = exchange(SearchRequest(parse("x")), Session(), backend)  # before Init
    assert close == Close(6, "searchRequest before Init") and end
    session = Session()
    exchange(InitRequest(options=frozenset({"search"})), session, backend)
    [close], end = exchange(ScanRequest(Term("x")), session, backend)  # not agreed
    assert isinstance(close, Close) and close.reason == 6 and end
    undecodable = respond(decode(b"\xb6\x03\x02\x01\x00"), session, backend)
    assert undecodable.end and isinstance(undecodable.pdus[0], Close) and undecodable.pdus[0].reason == 6


def test_close_is_answered_with_close() -> None:
    [close], end = exchange(Close(0, reference_id=b"c1"), Session(), FakeBackend())
    assert close == Close(8, reference_id=b"c1") and end
