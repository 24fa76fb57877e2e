"""The sandbox's Z39.50 target without sockets: Bib-1 mapping, records, sizes, scan, sort, delete.

Requests go through the real codec both ways (encode, decode, the conversation, decode), as
an origin's would. The consortium is the sandbox's own (fixture catalogue, live items), so
expectations are counted from the fixture records, not from the server's index.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterator

import pymarc
import pytest
from pymarc.marc8 import marc8_to_unicode

from harness.defects import DefectSet
from harness.paths import SANDBOX_PROFILE
from harness.profile import load_profile
from harness.sandbox.system import Sandbox
from harness.z3950 import (
    CharsetProposal,
    Close,
    DeleteResultSetRequest,
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
    SortKey,
    SortRequest,
    SortResponse,
    Term,
    decode,
    encode,
    oids,
    parse,
)
from harness.z3950.query import Attribute
from harness.z3950.sandbox.backend import SandboxBackend
from harness.z3950.sandbox.conversation import Z3950Conversation
from harness.z3950.sandbox.marc8 import to_marc8
from harness.z3950.sandbox.service import Z3950Service, index_for
from harness.z3950.unit import Z3950

TITLE = "Čáppa ŋuolggat, đuoddarat, Ruoŧŧa ja viežžat šattuid :"


@pytest.fixture(scope="module")
def backend() -> Iterator[SandboxBackend]:
    box = Sandbox(load_profile(SANDBOX_PROFILE))
    assert isinstance(box.service("z3950"), Z3950Service)
    settings = box.profile.settings_for(Z3950)
    assert settings is not None
    yield SandboxBackend(box.consortium, index_for(box.consortium, DefectSet()), settings, DefectSet())


class Origin:
    """One association with the backend, through the codec."""

    def __init__(self, backend: SandboxBackend, **init: object) -> None:
        self.conversation = Z3950Conversation(backend)
        settings = backend.settings
        request = InitRequest(authentication=IdPassAuth(settings.user, settings.password, settings.group))
        self.init = self.ask(dataclasses.replace(request, **init))  # type: ignore[arg-type]

    def ask(self, pdu: Pdu) -> Pdu:
        replies = [r for r in self.conversation.receive(encode(pdu)) if r is not None]
        assert len(replies) == 1
        decoded = decode(replies[0], utf8=True)
        assert decoded.pdu is not None, decoded.problems
        return decoded.pdu

    def search(self, pqf: str, **options: object) -> SearchResponse:
        answer = self.ask(SearchRequest(parse(pqf), **options))  # type: ignore[arg-type]
        assert isinstance(answer, SearchResponse)
        return answer

    def present(self, start: int = 1, count: int = 1, **options: object) -> PresentResponse:
        answer = self.ask(PresentRequest(start=start, count=count, **options))  # type: ignore[arg-type]
        assert isinstance(answer, PresentResponse)
        return answer


def test_init_with_the_account_and_utf8(backend: SandboxBackend) -> None:
    init = Origin(backend).init
    assert isinstance(init, InitResponse) and init.result
    assert init.options == {"search", "present", "delSet", "scan", "sort", "namedResultSets", "negotiation"}
    assert init.charset is not None and init.charset.utf8
    wrong = Origin(backend, authentication=IdPassAuth("harness", "wrong", "consortium")).init
    assert isinstance(wrong, InitResponse) and not wrong.result and [d.condition for d in wrong.diagnostics] == [1011]


@pytest.mark.parametrize(("pqf", "condition"), [
    ("@attr 1=9999 fjorden", 114), ("@attr 1=4 @attr 2=1 fjorden", 117), ("@attr 1=4 @attr 3=99 fjorden", 119),
    ("@attr 1=4 @attr 4=4 fjorden", 118), ("@attr 1=4 @attr 5=102 fjorden", 120), ("@attr 1=4 @attr 6=99 fjorden", 122),
    ("@attrset 1.2.840.10003.3.9999 @attr 1=4 fjorden", 121), ("@attr 1=4 @attr 7=1 fjorden", 113),
    ("@attr 1=4 @attr 4=109 fjorden", 123), ("@prox 0 1 1 2 k 2 fjorden nord", 110), ("@set nosuch", 30),
])
def test_unsupported_attributes_get_their_bib1_diagnostic(backend: SandboxBackend, pqf: str, condition: int) -> None:
    search = Origin(backend).search(pqf)
    assert (search.status, search.result_count, search.result_set_status) == (False, 0, 3)
    assert [d.condition for d in search.diagnostics] == [condition]


@pytest.mark.parametrize(("pqf", "hits"), [
    ("@attr 1=4 fjorden", 14), ("@attr 1=4 FJORDEN", 14), ("@attr 1=4 @attr 5=1 fjord", 14),
    ("@attr 1=4 @attr 5=2 jorden", 14), ("@attr 1=7 978-82-990000-2-4", 1), ("@attr 1=12 hx0000002", 1),
    ("@attr 1=4 @attr 4=1 \"čáppa ŋuolggat\"", 3), ("@attr 1=4 cappa", 0),
    ("@attr 1=4 @attr 2=3 @attr 3=3 @attr 4=2 @attr 5=100 @attr 6=1 fjorden", 14),
])
def test_bib1_searches(backend: SandboxBackend, pqf: str, hits: int) -> None:
    assert Origin(backend).search(pqf).result_count == hits


def test_result_set_operands_and_names(backend: SandboxBackend) -> None:
    origin = Origin(backend)
    assert origin.search("@attr 1=4 fjorden", result_set="a").result_count == 14
    both = origin.search("@and @set a @attr 1=56 NO-9900002", result_set="b")
    assert 0 < both.result_count < 14
    refused = origin.search("@attr 1=4 nord", result_set="a", replace=False)
    assert [d.condition for d in refused.diagnostics] == [21]


def test_usmarc_marcxml_opac_sutrs(backend: SandboxBackend) -> None:
    origin = Origin(backend)
    origin.search("@attr 1=7 9788299000024")
    (usmarc,) = origin.present(record_syntax=oids.USMARC).records or ()
    assert usmarc.data[9:10] == b"a" and TITLE.encode("utf-8") in usmarc.data
    (xml,) = origin.present(record_syntax=oids.XML_TEXT).records or ()
    assert f'<subfield code="a">{TITLE}</subfield>'.encode() in xml.data
    (opac,) = origin.present(record_syntax=oids.OPAC).records or ()
    assert opac.opac is not None and [h.nuc_code for h in opac.opac.holdings] == ["NO-9900001", "NO-9900011"]
    assert [c.item_id for h in opac.opac.holdings for c in h.circulation] == ["99001000020", "99011000021"]
    (sutrs,) = origin.present(record_syntax=oids.SUTRS).records or ()
    assert sutrs.data.decode("utf-8").startswith(f"Title: {TITLE}")
    refused = origin.present(record_syntax=oids.GRS1)
    assert refused.present_status == 5 and [(d.condition, d.addinfo) for d in refused.diagnostics] == [(239, oids.GRS1)]
    assert [d.condition for d in origin.present(element_set="X").diagnostics] == [25]
    (brief,) = origin.present(element_set="B").records or ()
    assert len(brief.data) < len(usmarc.data) and b"852" not in brief.data[24:200]


def test_marc8_when_negotiated_keeps_every_letter(backend: SandboxBackend) -> None:
    origin = Origin(backend, charset=CharsetProposal(("MARC-8",)))
    assert isinstance(origin.init, InitResponse) and origin.init.charset is not None
    assert origin.init.charset.charset == "MARC-8"
    origin.search("@attr 1=7 9788299000024")
    (record,) = origin.present(record_syntax=oids.USMARC).records or ()
    assert record.data[9:10] == b" "
    assert b"\xe9C\xe2appa &#x014B;uolggat" in record.data  # č: háček (E9) before C; á: acute (E2); ŋ: a reference
    marc = pymarc.Record(data=record.data, to_unicode=True)
    assert marc["245"]["a"].replace("&#x014B;", "ŋ").replace("&#x0167;", "ŧ") == TITLE


def test_to_marc8_against_pymarcs_decoder() -> None:
    for text in ("Ærfugl og øyvær på Åland", "Bööremes vaarjoe", "Đuoddariid čuovga", "Giđđa"):
        assert unicodedata.normalize("NFC", marc8_to_unicode(to_marc8(text))) == text


def test_sizes_give_surrogates_16_and_17(backend: SandboxBackend) -> None:
    origin = Origin(backend, preferred_message_size=900, exceptional_record_size=1000)
    hits = origin.search("@attr 1=4 fjorden").result_count
    assert hits == 14
    one = origin.present(1, 1).records or ()
    several = origin.present(1, 5)
    codes = [r.diagnostic.condition if r.diagnostic else len(r.data) for r in several.records or ()]
    assert one[0].diagnostic is None or one[0].diagnostic.condition == 17
    assert all(isinstance(c, int) for c in codes) and several.present_status in (0, 2)
    assert sum(len(r.data) for r in several.records or () if r.diagnostic is None) <= 900
    tiny = Origin(backend, preferred_message_size=100, exceptional_record_size=100)
    tiny.search("@attr 1=4 fjorden")
    assert [r.diagnostic.condition for r in tiny.present(1, 1).records or () if r.diagnostic] == [17]


def test_present_out_of_range_and_unknown_set(backend: SandboxBackend) -> None:
    origin = Origin(backend)
    origin.search("@attr 1=4 fjorden")
    assert [(d.condition, d.addinfo) for d in origin.present(15, 1).diagnostics] == [(13, "15")]
    assert [(d.condition, d.addinfo) for d in origin.present(result_set="x").diagnostics] == [(30, "x")]
    assert origin.present(10, 10).records_returned == 5


def test_scan_position_status_and_order(backend: SandboxBackend) -> None:
    origin = Origin(backend)
    scan = origin.ask(ScanRequest(Term("fjell", (Attribute(1, 4),)), count=4, position=2))
    assert isinstance(scan, ScanResponse) and scan.status == 0 and scan.position == 2
    assert [e.display for e in scan.entries] == ["Fiskeværet", "fjorden", "for", "forsvant"]
    end = origin.ask(ScanRequest(Term("åååå", (Attribute(1, 4),)), count=4, position=1))
    assert isinstance(end, ScanResponse) and end.status == 5 and end.entries == ()
    step = origin.ask(ScanRequest(Term("fjell", (Attribute(1, 4),)), count=4, step_size=2))
    assert isinstance(step, ScanResponse) and step.status == 6 and [d.condition for d in step.diagnostics] == [205]


def test_sort_and_delete(backend: SandboxBackend) -> None:
    origin = Origin(backend)
    origin.search("@or @attr 1=4 ærfugl @or @attr 1=4 čáppa @attr 1=4 bokbussen", result_set="in")
    sort = origin.ask(SortRequest((SortKey((Attribute(1, 4),)),), ("in",), "out"))
    assert isinstance(sort, SortResponse) and sort.status == 0
    records = origin.present(1, 30, result_set="out").records or ()
    fields = [pymarc.Record(data=r.data, to_unicode=True, force_utf8=True)["245"] for r in records]
    initials = [f["a"][int(f.indicators[1] if f.indicators else 0):][:1].lower() for f in fields]  # past non-filing chars
    alphabet = "aábcčdđefghijklmnŋopqrsštŧuvwxyzžæøå"  # the consortium's order (Sámi letters after their base)
    assert len(initials) > 3 and initials == sorted(initials, key=alphabet.index)
    assert {"b", "č", "æ"} <= set(initials)
    refused = origin.ask(SortRequest((SortKey((Attribute(1, 1016),)),), ("in",), "out"))
    assert isinstance(refused, SortResponse) and refused.status == 2 and refused.diagnostics[0].condition == 207
    deleted = origin.ask(DeleteResultSetRequest(("in", "nosuch")))
    assert getattr(deleted, "statuses", None) == (("in", 0), ("nosuch", 1))


def test_close_and_unreadable_pdus(backend: SandboxBackend) -> None:
    origin = Origin(backend)
    replies = list(origin.conversation.receive(encode(Close(0))))
    assert replies[-1] is None and decode(replies[0]).pdu == Close(8)  # type: ignore[arg-type]
    broken = list(Z3950Conversation(backend).receive(bytes.fromhex("b6 03 02 01 ff")))
    assert broken[-1] is None and isinstance(decode(broken[0]).pdu, Close)  # type: ignore[arg-type]
    assert decode(broken[0]).pdu.reason == 6  # type: ignore[arg-type, union-attr]
