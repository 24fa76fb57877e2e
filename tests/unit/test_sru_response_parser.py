"""The SRU response parser against real zebrasrv responses and against broken ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from harness.rules import Severity
from harness.sru.model import (
    MARCXML_NS,
    SRU2_NS,
    SRW_NS,
    ExplainResponse,
    ScanResponse,
    SearchRetrieveResponse,
)
from harness.sru.parse import parse_response
from harness.sru.rules import SRU_RULES

DATA = Path(__file__).parents[1] / "data" / "sru"
ALL_FIXTURES = sorted(DATA.rglob("*.xml"))


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def rules_of(body: bytes, **context: object) -> set[str]:
    return {p.rule.id for p in parse_response(body, **context).problems}  # type: ignore[arg-type]


# --- real responses ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.1", "1.2", "2.0"])
def test_first_page_of_each_version(version: str) -> None:
    parsed = parse_response(fixture(f"{version}/searchRetrieve_page1.xml"), operation="searchRetrieve", version=version)
    response = parsed.response
    assert isinstance(response, SearchRetrieveResponse)
    assert response.family == ("2.0" if version == "2.0" else "1.x")
    assert response.version == version
    assert response.number_of_records == 19
    assert [r.position for r in response.records] == [1, 2, 3]
    assert all(r.schema == "info:srw/schema/1/marcxml-v1.1" and r.packing == "xml" for r in response.records)
    first = etree.fromstring(response.records[0].marcxml or b"")
    assert first.tag == f"{{{MARCXML_NS}}}record"
    assert first.findtext(f"{{{MARCXML_NS}}}controlfield[@tag='001']") == "hx0000001"
    assert response.echoed is not None and response.echoed.get("query") == "dc.subject=samer"
    # zebrasrv leaves out nextRecordPosition although 16 records remain: the one FAIL
    assert [p.rule.id for p in parsed.problems if p.severity is Severity.FAIL] == ["next-position-missing"]


def test_zebrasrv_sends_no_next_record_position_although_records_remain() -> None:
    parsed = parse_response(fixture("1.2/searchRetrieve_page1.xml"))
    assert isinstance(parsed.response, SearchRetrieveResponse)
    assert parsed.response.next_record_position is None
    [problem] = parsed.problems
    assert problem.rule.id == "next-position-missing" and problem.severity is Severity.FAIL


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_zebrasrv_omits_number_of_records_with_a_fatal_diagnostic_in_1x(version: str) -> None:
    parsed = parse_response(fixture(f"{version}/diag16_unsupported_index.xml"))
    assert isinstance(parsed.response, SearchRetrieveResponse)
    assert [d.code for d in parsed.response.diagnostics] == [16]
    assert parsed.response.number_of_records is None
    assert {p.rule.id for p in parsed.problems} == {"number-of-records-missing"}


def test_number_of_records_is_optional_in_2_0() -> None:
    parsed = parse_response(fixture("2.0/diag16_unsupported_index.xml"))
    assert parsed.problems == ()


@pytest.mark.parametrize(("name", "code", "details"), [
    ("1.2/diag7_missing_query.xml", 7, "query"),
    ("2.0/diag6_bad_startRecord.xml", 6, "startRecord"),
    ("1.2/diag8_unsupported_parameter.xml", 8, "foo"),
    ("1.2/diag10_query_syntax.xml", 10, ""),
    ("2.0/diag61_first_record_out_of_range.xml", 61, ""),
    ("1.1/diag66_unknown_schema.xml", 66, "nosuch"),
    ("1.2/diag4_unsupported_operation.xml", 4, "nosuchop"),
    ("3.0/diag5_unsupported_version.xml", 5, "2.0"),
    ("1.2/diag7_scan_missing_clause.xml", 7, "scanClause"),
])
def test_diagnostics_read_with_code_details_and_message(name: str, code: int, details: str) -> None:
    [diagnostic] = parse_response(fixture(name)).diagnostics
    assert diagnostic.code == code
    assert diagnostic.uri == f"info:srw/diagnostic/1/{code}"
    assert diagnostic.details == details
    assert diagnostic.message


def test_diagnostic_5_in_another_version_is_not_a_version_mismatch() -> None:
    rules = rules_of(fixture("3.0/diag5_unsupported_version.xml"), version="3.0")
    assert "namespace-version-mismatch" not in rules


@pytest.mark.parametrize(("name", "packing"), [
    ("1.2/searchRetrieve_packing_string.xml", "string"),
    ("2.0/searchRetrieve_escaping_string.xml", "string"),
    ("2.0/searchRetrieve_schema_uri.xml", "xml"),
])
def test_escaped_and_unescaped_records_give_the_same_marcxml(name: str, packing: str) -> None:
    [record] = parse_response(fixture(name)).response.records  # type: ignore[union-attr]
    assert record.packing == packing
    root = etree.fromstring(record.marcxml or b"")
    assert root.tag == f"{{{MARCXML_NS}}}record"
    assert root.findtext(f"{{{MARCXML_NS}}}datafield[@tag='245']/{{{MARCXML_NS}}}subfield[@code='a']") == "Ærfugl og øyvær :"


@pytest.mark.parametrize("version", ["1.1", "1.2", "2.0"])
def test_explain_zeerex(version: str) -> None:
    parsed = parse_response(fixture(f"{version}/explain.xml"), operation="explain", version=version)
    assert isinstance(parsed.response, ExplainResponse)
    info = parsed.response.info
    assert info is not None
    assert (info.host, info.database, info.protocol) == ("127.0.0.1", "Default", "SRU")
    assert "dc.title" in info.cql_indexes and "bath.isbn" in info.cql_indexes and "cql.serverChoice" in info.cql_indexes
    title = next(i for i in info.indexes if "dc.title" in i.cql_names)
    assert title.titles == ("title",)
    marcxml = info.schema("marcxml")
    assert marcxml is not None and marcxml.identifier == "info:srw/schema/1/marcxml-v1.1"
    assert info.schema("info:srw/schema/1/marcxml-v1.1") is marcxml
    assert info.default_number_of_records == 0
    assert info.maximum_records is None
    assert not info.supports_sort and not info.supports_scan
    assert parsed.problems == ()


def test_explain_without_parameters_is_2_0() -> None:
    response = parse_response(fixture("none/explain_noparams.xml")).response
    assert isinstance(response, ExplainResponse) and response.family == "2.0" and response.info is not None


@pytest.mark.parametrize("version", ["1.1", "1.2", "2.0"])
def test_scan_terms(version: str) -> None:
    parsed = parse_response(fixture(f"{version}/scan.xml"), operation="scan", version=version)
    assert isinstance(parsed.response, ScanResponse)
    assert [(t.value, t.number_of_records) for t in parsed.response.terms][:2] == [("Aino", 7), ("Ándde", 7)]
    assert parsed.problems == ()


def test_post_answer_reads_like_get() -> None:
    response = parse_response(fixture("1.2/post_searchRetrieve.xml")).response
    assert isinstance(response, SearchRetrieveResponse) and len(response.records) == 2


def test_many_records_are_all_marcxml() -> None:
    response = parse_response(fixture("2.0/searchRetrieve_many.xml")).response
    assert isinstance(response, SearchRetrieveResponse)
    assert len(response.marcxml) == 100 and response.result_count_precision == "exact"


# --- broken responses ------------------------------------------------------------------------------

ONE_RECORD = (
    '<zs:searchRetrieveResponse xmlns:zs="{ns}">{version}<zs:numberOfRecords>{hits}</zs:numberOfRecords>'
    "<zs:records><zs:record><zs:recordSchema>marcxml</zs:recordSchema>{packing}"
    '<zs:recordData>{data}</zs:recordData><zs:recordPosition>{position}</zs:recordPosition></zs:record></zs:records>'
    "{next}</zs:searchRetrieveResponse>"
)
MARC = f'<record xmlns="{MARCXML_NS}"><leader>00000nam a2200000 a 4500</leader></record>'


def one_record(*, ns: str = SRW_NS, version: str = "1.2", hits: int = 1, packing: str = "<zs:recordPacking>xml</zs:recordPacking>",
               data: str = MARC, position: int = 1, next_position: int | None = None) -> bytes:
    version_el = f"<zs:version>{version}</zs:version>" if version else ""
    nxt = f"<zs:nextRecordPosition>{next_position}</zs:nextRecordPosition>" if next_position else ""
    return ONE_RECORD.format(ns=ns, version=version_el, hits=hits, packing=packing, data=data, position=position, next=nxt).encode()


def test_a_clean_hand_made_response_has_no_problems() -> None:
    assert rules_of(one_record()) == set()


def test_next_record_position_on_the_last_page_fails() -> None:
    assert rules_of(one_record(next_position=2)) == {"next-position-on-last-page"}


def test_next_record_position_that_is_not_the_next_fails() -> None:
    assert rules_of(one_record(hits=5, next_position=4)) == {"next-position-wrong"}


def test_2_0_namespace_on_a_1_2_request_fails() -> None:
    body = one_record(ns=SRU2_NS, version="", packing="<zs:recordXMLEscaping>xml</zs:recordXMLEscaping>")
    assert rules_of(body, version="1.2") == {"namespace-version-mismatch"}
    assert rules_of(body, version="2.0") == set()


def test_version_1_2_stated_in_the_2_0_namespace_fails() -> None:
    body = one_record(ns=SRU2_NS, packing="<zs:recordXMLEscaping>xml</zs:recordXMLEscaping>")
    assert {"namespace-version-mismatch", "version-in-2.0"} <= rules_of(body)


def test_mixed_namespaces_fail() -> None:
    body = one_record().replace(b"<zs:numberOfRecords>1</zs:numberOfRecords>",
                                f'<x:numberOfRecords xmlns:x="{SRU2_NS}">1</x:numberOfRecords>'.encode())
    assert "mixed-namespaces" in rules_of(body)


def test_1x_record_packing_in_a_2_0_record_fails() -> None:
    body = one_record(ns=SRU2_NS, version="")
    assert rules_of(body) == {"record-packing-1x-meaning-in-2.0"}


def test_higher_version_than_asked_fails() -> None:
    assert rules_of(one_record(version="1.2"), version="1.1") == {"version-not-asked"}


def test_marcxml_without_namespace_fails() -> None:
    body = one_record(data='<record xmlns=""><leader>00000nam a2200000 a 4500</leader></record>')
    assert rules_of(body) == {"marcxml-namespace"}


def test_escaped_record_that_is_not_xml_fails() -> None:
    body = one_record(packing="<zs:recordPacking>string</zs:recordPacking>", data="&lt;record&gt;&lt;oops")
    assert rules_of(body) == {"escaped-record-not-xml"}


def test_packing_xml_with_escaped_text_fails() -> None:
    body = one_record(data=MARC.replace("<", "&lt;").replace(">", "&gt;"))
    assert "record-data-not-as-packed" in rules_of(body)


def test_bad_integers_fail_and_read_as_none() -> None:
    parsed = parse_response(one_record().replace(b">1</zs:numberOfRecords>", b">many</zs:numberOfRecords>"))
    assert parsed.response.number_of_records is None  # type: ignore[union-attr]
    assert {p.rule.id for p in parsed.problems} == {"not-an-integer"}


def test_surrogate_diagnostic_in_place_of_a_record() -> None:
    diag = '<d:diagnostic xmlns:d="http://www.loc.gov/zing/srw/diagnostic/"><d:uri>info:srw/diagnostic/1/65</d:uri></d:diagnostic>'
    parsed = parse_response(one_record(data=diag))
    [record] = parsed.response.records  # type: ignore[union-attr]
    assert record.diagnostic is not None and record.diagnostic.code == 65 and record.marcxml is None
    assert {p.rule.id for p in parsed.problems} == {"surrogate-diagnostic"}


def test_wrong_operation() -> None:
    assert "wrong-operation" in rules_of(fixture("1.2/explain.xml"), operation="searchRetrieve")


@pytest.mark.parametrize("body", [b"", b"   ", b"<html><body>Service unavailable</body></html>", b"\x00\xff garbage",
                                  b"<zs:searchRetrieveResponse xmlns:zs='http://www.loc.gov/zing/srw/'>", b'{"json": true}'])
def test_not_sru_is_a_problem_not_an_exception(body: bytes) -> None:
    parsed = parse_response(body)
    assert parsed.response is None
    assert [p.rule.id for p in parsed.problems] in (["not-xml"], ["unknown-root"])


def test_entities_are_not_expanded() -> None:
    body = (b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            + one_record().replace(b"<zs:recordSchema>marcxml", b"<zs:recordSchema>&b;marcxml"))
    parsed = parse_response(body)
    assert "doctype" in {p.rule.id for p in parsed.problems}
    [record] = parsed.response.records  # type: ignore[union-attr]
    assert "aaaaaaaaaa" not in record.schema


def test_every_rule_has_a_clause() -> None:
    assert all(rule.clause and rule.description for rule in SRU_RULES.values())


# --- nothing a target sends makes the parser raise ---------------------------------------------------


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: str(p.relative_to(DATA)))
def test_every_prefix_of_a_real_response_parses_without_raising(path: Path) -> None:
    body = path.read_bytes()[:20_000]
    for cut in range(0, len(body), max(len(body) // 60, 1)):
        parse_response(body[:cut])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(body: bytes) -> None:
    parse_response(body)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([p for p in ALL_FIXTURES if p.stat().st_size < 20_000]), st.data())
def test_mutated_real_responses_never_raise(path: Path, data: st.DataObject) -> None:
    body = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(body) - 1))
        body[at] = data.draw(st.integers(0, 255))
    parse_response(bytes(body), operation=data.draw(st.sampled_from([None, "searchRetrieve", "scan", "explain"])),
                   version=data.draw(st.sampled_from([None, "1.1", "1.2", "2.0"])))
