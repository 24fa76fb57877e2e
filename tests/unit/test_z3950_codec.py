"""The Z39.50 codec: typed PDUs to BER and back, real peers' PDUs read, evidence rendered.

Round trips run both directions the harness needs: requests it sends (and the sandbox server
will read) and responses it reads (and the sandbox will send). Real PDUs come from zebrasrv
and yaz-ztest (tests/data/z3950/SOURCE.md).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from harness.z3950 import (
    Attribute,
    CharsetProposal,
    CharsetResponse,
    Close,
    DeleteResultSetRequest,
    DeleteResultSetResponse,
    Diagnostic,
    External,
    IdPassAuth,
    InitRequest,
    InitResponse,
    OpenAuth,
    Pdu,
    PresentRequest,
    PresentResponse,
    Record,
    ScanEntry,
    ScanRequest,
    ScanResponse,
    SearchRequest,
    SearchResponse,
    SortKey,
    SortRequest,
    SortResponse,
    Term,
    bib1,
    decode,
    decode_all,
    encode,
    oids,
    parse,
    render,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "z3950"
SAMI = "Čáppa ŋuolggat, đuoddarat, Ruoŧŧa ja viežžat šattuid"


def read(name: str) -> Pdu:
    (decoded,), problems = decode_all((DATA / name).read_bytes())
    assert not problems and not decoded.problems, (problems, decoded.problems)
    assert decoded.pdu is not None
    return decoded.pdu


ROUND_TRIPS: list[Pdu] = [
    InitRequest(options=frozenset({"search", "present", "negotiation"}), authentication=IdPassAuth("bibliotek", "hemmelig", "grp"),
                reference_id=b"r1"),
    InitRequest(options=frozenset({"search", "present"}), authentication=OpenAuth("bruker/passord"), charset=None),
    InitResponse(True, frozenset({"search", "present", "scan", "negotiation"}), frozenset({2, 3}), 65536, 1 << 20,
                 "81", "Zebra Information Server/GFS/YAZ", "2.2.7", CharsetResponse("UTF-8", "iso10646", "", True)),
    InitResponse(False, frozenset({"search"}), diagnostics=(Diagnostic(oids.BIB1_DIAGNOSTICS, 1011, "feil passord", "diag-1"),)),
    SearchRequest(parse('@and @attr 1=4 @attr 5=1 "nord" @attr 1=1003 @attr 4=1 "Eira, Biret Máret"'),
                  ("Default", "Skole"), "a", False, 20, 21, 5, "F", "B", oids.USMARC, b"r2"),
    SearchRequest(parse(f'@or @attr 1=21 "{SAMI}" @prox 0 3 1 2 k 2 fjell @term numeric 2020')),
    SearchResponse(True, 1, 1, 2, None, 0, (Record("Default", External(oids.USMARC, "octet-aligned", b"00024nam a2200000 i 4500")),)),
    SearchResponse(False, 0, 0, 0, 3, None, None, (bib1(114, "9999"),)),
    PresentRequest("a", 11, 10, "marcxml", oids.XML_TEXT, 500_000, b"r3"),
    PresentResponse(0, 2, 3, (Record("Default", External(oids.XML_TEXT, "octet-aligned", f"<t>{SAMI}</t>".encode())),
                              Record("Default", diagnostic=bib1(17, "1500000")))),
    PresentResponse(5, 0, 101, None, (bib1(13, "100"),)),
    PresentResponse(5, 0, 1, None, (bib1(239, oids.OPAC), bib1(25, "F"))),
    ScanRequest(Term("č", (Attribute(1, 1003),)), count=5, position=3, step_size=0),
    ScanResponse(0, 2, 1, 0, (ScanEntry("Čáppa", "Čáppa", 3), ScanEntry(diagnostic=bib1(1, "x"))), attribute_set=oids.BIB1_ATTRIBUTES),
    ScanResponse(6, 0, diagnostics=(bib1(114, "9999"),)),
    SortRequest((SortKey((Attribute(1, 4),)), SortKey(field="year", descending=True, case_sensitive=True)), ("a", "b"), "s"),
    SortResponse(2, 4, (bib1(207),), 0),
    DeleteResultSetRequest(("a", "b")),
    DeleteResultSetRequest(),
    DeleteResultSetResponse(9, (("a", 0), ("b", 1)), 1, "b fantes ikke"),
    Close(6, "uleselig PDU", b"r9"),
]


@pytest.mark.parametrize("pdu", ROUND_TRIPS, ids=lambda p: type(p).__name__)
def test_every_pdu_survives_encode_and_decode(pdu: Pdu) -> None:
    decoded = decode(encode(pdu))
    assert decoded.problems == ()
    assert decoded.name == pdu.NAME
    expected = pdu
    if isinstance(pdu, InitRequest) and pdu.charset is not None:  # the negotiation bit goes with a proposal
        expected = dataclasses.replace(pdu, options=pdu.options | {"negotiation"})
    assert decoded.pdu == expected


def test_init_request_proposes_utf8_the_way_yaz_reads_it() -> None:
    encoded = encode(InitRequest(charset=CharsetProposal()))
    # OtherInformation [201] > externallyDefinedInfo [4] > EXTERNAL with the charneg-3 OID
    assert bytes.fromhex("06 07 2a 86 48 ce 13 0f 03") in encoded
    # iso10646 [2] { encodingLevel [2] 1.0.10646.1.0.8 }
    assert bytes.fromhex("a2 08 82 06 28 d3 16 01 00 08") in encoded


def test_option_bits_are_msb_first() -> None:
    body = InitRequest(options=frozenset({"search", "scan"}), charset=None).to_asn1()
    assert body["options"] == (bytes([0x81]), 8)  # bit 0 = 0x80, bit 7 = 0x01


def test_zebra_init_response() -> None:
    init = read("zebra_init_response.ber")
    assert isinstance(init, InitResponse) and init.result
    assert init.implementation_name == "Zebra Information Server/GFS/YAZ"
    assert init.options == {"search", "present", "delSet", "scan", "sort", "namedResultSets", "negotiation"}
    assert init.charset == CharsetResponse("UTF-8", "iso10646", "", True) and init.charset.utf8
    assert init.exceptional_record_size == 2_000_000


def test_ztest_init_response_selects_a_private_latin1_charset() -> None:
    init = read("ztest_init_response.ber")
    assert isinstance(init, InitResponse)
    assert init.charset == CharsetResponse("ISO-8859-1", "private", "", False)
    assert not init.charset.utf8


def test_zebra_usmarc_record_keeps_sami_letters_byte_exact() -> None:
    present = read("zebra_present_usmarc.ber")
    assert isinstance(present, PresentResponse) and present.records is not None
    (record,) = present.records
    assert record.database == "Default" and record.syntax == oids.USMARC
    assert record.data[9:10] == b"a"  # leader/09: UCS/Unicode
    assert SAMI.encode("utf-8") in record.data


def test_zebra_diagnostic_114_reads_with_its_meaning() -> None:
    search = read("zebra_search_diagnostic_114.ber")
    assert isinstance(search, SearchResponse)
    assert (search.status, search.result_count, search.result_set_status) == (False, 0, 3)
    (diagnostic,) = search.diagnostics
    assert (diagnostic.condition, diagnostic.addinfo, diagnostic.is_bib1) == (114, "9999", True)
    assert str(diagnostic) == "Bib-1 114 Unsupported Use attribute: 9999"


def test_ztest_opac_record_with_holdings_and_circulation() -> None:
    present = read("ztest_present_opac.ber")  # indefinite lengths inside the EXTERNAL's ANY
    assert isinstance(present, PresentResponse) and present.records is not None
    opac = present.records[0].opac
    assert opac is not None and opac.bibliographic is not None
    assert opac.bibliographic.oid == oids.USMARC and opac.bibliographic.data.startswith(b"00366nam")
    (holding,) = opac.holdings
    assert holding.call_number == "MLCM 89/00602 (N)" and holding.copy_number == "Copy 1"
    (item,) = holding.circulation
    assert item.available_now and item.item_id == "1226176" and not item.on_hold


def test_zebra_scan_entries() -> None:
    scan = read("zebra_scan_response.ber")
    assert isinstance(scan, ScanResponse)
    assert (scan.status, scan.entries_returned, scan.position) == (0, 5, 1)
    assert [(e.term, e.occurrences) for e in scan.entries][:4] == [("Eeva", 5), ("Eira", 10), ("Elle", 12), ("Fjällström", 5)]


def test_rendering_names_fields_codes_and_masks_passwords() -> None:
    text = render(InitRequest(authentication=IdPassAuth("bibliotek", "hemmelig")))
    assert "options: search present delSet scan sort namedResultSets negotiation" in text
    assert "encodingLevel: 1.0.10646.1.0.8 (UTF-8)" in text
    assert "userId: 'bibliotek'" in text and "hemmelig" not in text and "password: ***" in text
    search = render(SearchRequest(parse('@attr 1=4 @attr 5=1 "ŋuolggat"'), record_syntax=oids.USMARC))
    assert "query: type-1 @attr 1=4 @attr 5=1 ŋuolggat" in search
    assert "preferredRecordSyntax: 1.2.840.10003.5.10 (USMARC)" in search
    (decoded,), _ = decode_all((DATA / "zebra_search_diagnostic_114.ber").read_bytes())
    assert "condition: 114 (Unsupported Use attribute)" in decoded.render()
    assert "presentStatus: 0 (success)" in decode(encode(PresentResponse(0))).render()
    assert "closeReason: 6 (protocolError)" in render(Close(6))


def test_open_authentication_is_masked() -> None:
    assert "bruker/passord" not in render(InitRequest(authentication=OpenAuth("bruker/passord")))


def test_garbage_inside_a_pdu_is_a_problem_with_the_offset() -> None:
    data = bytearray(encode(SearchResponse(True, 5, 0, 1)))
    data[2] = 0x04  # resultCount's tag [23] becomes an OCTET STRING
    decoded = decode(bytes(data))
    assert decoded.pdu is None and decoded.name == "searchResponse"
    (found,) = decoded.problems
    assert found.rule.id == "pdu_undecodable" and found.position is not None and found.position.offset == 2
    assert "not decoded" in decoded.render() and "bytes: b7" in decoded.render()


def test_pdus_the_harness_does_not_model_are_named_not_decoded() -> None:
    decoded = decode(bytes.fromhex("be 03 02 01 00"))  # resourceControlRequest [30]
    assert decoded.name == "resourceControlRequest" and decoded.pdu is None
    assert decoded.problems[0].rule.id == "pdu_not_modelled"
    unknown = decode(bytes.fromhex("bf 25 00"))  # [37]: no PDU has this tag
    assert unknown.problems[0].rule.id == "pdu_unknown_tag"


@pytest.mark.parametrize(("utf8", "rule"), [(True, "text_not_utf8"), (False, "text_not_utf8_unnegotiated")])
def test_text_that_is_not_utf8_is_noted_and_kept_readable(utf8: bool, rule: str) -> None:
    body = Close(0, "x").to_asn1() | {"diagnosticInformation": "Tromsø".encode("latin-1")}
    from harness.z3950.asn1 import encode as asn1_encode

    decoded = decode(asn1_encode("PDU", ("close", body)), utf8=utf8)
    assert isinstance(decoded.pdu, Close) and decoded.pdu.message == "Tromsø"
    (found,) = decoded.problems
    assert found.rule.id == rule and "0xF8" in found.message


def test_a_v3_addinfo_in_utf8_is_read_as_text() -> None:
    decoded = decode(encode(SearchResponse(False, 0, 0, 0, 3, None, None, (bib1(114, "Sámi ŋ"),))))
    assert isinstance(decoded.pdu, SearchResponse) and decoded.pdu.diagnostics[0].addinfo == "Sámi ŋ"
