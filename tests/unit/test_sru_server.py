"""The sandbox's SRU server logic: every diagnostic, records with holdings, and our parser as its judge."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from harness.marc.reader import read_records
from harness.paths import MARC_FIXTURES_DIR
from harness.rules import Severity
from harness.sandbox.search import SearchIndex
from harness.sandbox.sru import Deviation, ServerConfig, SruReply, respond
from harness.sru.model import (
    MARCXML_NS,
    SRU2_NS,
    SRW_NS,
    ExplainResponse,
    Parsed,
    ScanResponse,
    SearchRetrieveResponse,
)
from harness.sru.parse import parse_response

VERSIONS = ("1.1", "1.2", "2.0")
CONFIG = ServerConfig(host="127.0.0.1", port=7070, database="sru", default_records=5, maximum_records=20)
SLIM = f"{{{MARCXML_NS}}}"


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    data = (MARC_FIXTURES_DIR / "consortium.mrc").read_bytes()
    records = {str(r.record["001"].data): r.record for r in read_records(data) if r.record is not None}
    return SearchIndex(records, availability=lambda barcode: barcode.endswith("0"))


def ask(index: SearchIndex, version: str | None, deviations: frozenset[str] = frozenset(), default: str = "2.0",
        **params: str) -> tuple[SruReply, Parsed]:
    request = {"version": version, **params} if version is not None else dict(params)
    reply = respond(request, default, index, config=CONFIG, deviations=deviations)
    return reply, parse_response(reply.body, operation=params.get("operation"), version=version)


def fails(parsed: Parsed) -> list[str]:
    return [str(p) for p in parsed.problems if p.severity is Severity.FAIL]


def codes(parsed: Parsed) -> list[tuple[int | None, str]]:
    return [(d.code, d.details) for d in parsed.diagnostics]


def search(index: SearchIndex, version: str, query: str, **params: str) -> tuple[SruReply, Parsed]:
    return ask(index, version, operation="searchRetrieve", query=query, **params)  # type: ignore[arg-type]


# --- round trips: our server's output, judged by our parser ---------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_search_retrieve_round_trip(index: SearchIndex, version: str) -> None:
    reply, parsed = search(index, version, "dc.subject = samer", maximumRecords="3")
    assert reply.status == 200 and not fails(parsed) and not parsed.problems
    response = parsed.response
    assert isinstance(response, SearchRetrieveResponse) and response.version == version
    assert response.family == ("2.0" if version == "2.0" else "1.x")
    assert response.number_of_records == 19 and [r.position for r in response.records] == [1, 2, 3]
    assert response.next_record_position == 4
    assert response.echoed is not None and response.echoed.get("query") == "dc.subject = samer"
    assert reply.content_type.startswith("application/sru+xml" if version == "2.0" else "text/xml")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("packing", ["xml", "string"])
def test_records_are_marcxml_with_holdings_and_item_status(index: SearchIndex, version: str, packing: str) -> None:
    name = "recordXMLEscaping" if version == "2.0" else "recordPacking"
    _, parsed = search(index, version, "rec.id = hx0000001", **{name: packing, "recordSchema": "info:srw/schema/1/marcxml-v1.1"})
    assert not parsed.problems
    [record] = parsed.response.records  # type: ignore[union-attr]
    assert record.packing == packing and record.schema == "info:srw/schema/1/marcxml-v1.1"
    root = etree.fromstring(record.marcxml or b"")
    owners = [s.text for s in root.iterfind(f"{SLIM}datafield[@tag='852']/{SLIM}subfield[@code='a']")]
    items = [(f.findtext(f"{SLIM}subfield[@code='p']"), f.findtext(f"{SLIM}subfield[@code='j']"))
             for f in root.iterfind(f"{SLIM}datafield[@tag='876']")]
    assert owners and len(items) == len(owners)
    assert all(status == ("on loan" if barcode.endswith("0") else "available") for barcode, status in items)  # type: ignore[union-attr]
    assert root.findtext(f"{SLIM}datafield[@tag='245']/{SLIM}subfield[@code='a']") == "Ærfugl og øyvær :"


@pytest.mark.parametrize("version", VERSIONS)
def test_last_page_has_no_next_record_position(index: SearchIndex, version: str) -> None:
    _, parsed = search(index, version, "dc.subject = samer", startRecord="16", maximumRecords="10")
    response = parsed.response
    assert isinstance(response, SearchRetrieveResponse) and not parsed.problems
    assert [r.position for r in response.records] == [16, 17, 18, 19] and response.next_record_position is None


def test_default_and_maximum_records_as_explain_declares(index: SearchIndex) -> None:
    _, explained = ask(index, "1.2", operation="explain")
    info = explained.response.info  # type: ignore[union-attr]
    assert info is not None
    assert (info.default_number_of_records, info.maximum_records) == (5, 20)
    _, default = search(index, "1.2", "cql.allRecords = 1")
    assert len(default.response.records) == 5  # type: ignore[union-attr]
    _, capped = search(index, "1.2", "cql.allRecords = 1", maximumRecords="500")
    assert len(capped.response.records) == 20  # type: ignore[union-attr]


@pytest.mark.parametrize("version", VERSIONS)
def test_explain_round_trip(index: SearchIndex, version: str) -> None:
    _, parsed = ask(index, version, operation="explain")
    assert isinstance(parsed.response, ExplainResponse) and not parsed.problems
    info = parsed.response.info
    assert info is not None and (info.host, info.port, info.database) == ("127.0.0.1", 7070, "sru")
    assert info.versions == VERSIONS
    assert {"dc.title", "dc.creator", "dc.subject", "bath.isbn", "rec.id", "local.library", "cql.serverChoice"} <= set(info.cql_indexes)
    assert info.schema("marcxml") is not None and info.supports_sort and info.supports_scan


def test_explain_without_parameters(index: SearchIndex) -> None:
    for default in VERSIONS:
        _, parsed = ask(index, None, default=default)
        assert isinstance(parsed.response, ExplainResponse) and parsed.response.version == default and not parsed.problems


@pytest.mark.parametrize("version", VERSIONS)
def test_scan_round_trip(index: SearchIndex, version: str) -> None:
    _, parsed = ask(index, version, operation="scan", scanClause="dc.creator = a", maximumTerms="3")
    assert isinstance(parsed.response, ScanResponse) and not parsed.problems
    assert [t.display_term for t in parsed.response.terms] == ["Aino", "Ándde", "Ánde"]
    follow = parsed.response.terms[1].value
    _, found = search(index, version, f'dc.creator = "{follow}"')
    assert found.response.number_of_records == parsed.response.terms[1].number_of_records  # type: ignore[union-attr]


@pytest.mark.parametrize("version", ["1.2", "2.0"])
def test_sortby_norwegian_order(index: SearchIndex, version: str) -> None:
    _, parsed = search(index, version, "cql.allRecords = 1 sortBy dc.title", maximumRecords="20")
    fields = [etree.fromstring(r.marcxml or b"").find(f"{SLIM}datafield[@tag='245']") for r in parsed.response.records]  # type: ignore[union-attr]
    # 245 ind2: the number of non-filing characters ("«Welcher " files under B), MARC 21 Bibliographic 245
    titles = [(f.findtext(f"{SLIM}subfield[@code='a']") or "")[int(f.get("ind2")) if (f.get("ind2") or " ").isdigit() else 0:]
              for f in fields if f is not None]
    from harness.sandbox.search.collation import sort_key

    assert len(titles) == 20 and titles == sorted(titles, key=sort_key)
    _, descending = search(index, version, "cql.allRecords = 1 sortBy dc.title/sort.descending", maximumRecords="1")
    assert descending.response.records[0].marcxml != parsed.response.records[0].marcxml  # type: ignore[union-attr]


def test_sort_keys_parameter_in_1_1(index: SearchIndex) -> None:
    _, parsed = search(index, "1.1", "cql.allRecords = 1", sortKeys="dc.title,,0", maximumRecords="2")
    assert not parsed.diagnostics and len(parsed.response.records) == 2  # type: ignore[union-attr]


def test_library_limit_through_cql(index: SearchIndex) -> None:
    _, everyone = search(index, "1.2", "dc.subject = samer")
    _, limited = search(index, "1.2", 'dc.subject = samer and local.library = "NO-9900003"', maximumRecords="20")
    response = limited.response
    assert isinstance(response, SearchRetrieveResponse)
    assert 0 < response.number_of_records < everyone.response.number_of_records  # type: ignore[operator, union-attr]
    for record in response.records:
        root = etree.fromstring(record.marcxml or b"")
        assert "NO-9900003" in [s.text for s in root.iterfind(f"{SLIM}datafield[@tag='852']/{SLIM}subfield[@code='a']")]


# --- every diagnostic ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("params", "expected"), [
    ({"operation": "searchRetrieve"}, (7, "query")),
    ({"operation": "searchRetrieve", "query": "x", "startRecord": "0"}, (6, "startRecord")),
    ({"operation": "searchRetrieve", "query": "x", "maximumRecords": "-1"}, (6, "maximumRecords")),
    ({"operation": "searchRetrieve", "query": "x", "maximumRecords": "abc"}, (6, "maximumRecords")),
    ({"operation": "searchRetrieve", "query": "x", "foo": "bar"}, (8, "foo")),
    ({"operation": "searchRetrieve", "query": "(fjell and"}, (10, None)),
    ({"operation": "searchRetrieve", "query": "dc.foo = bar"}, (16, "dc.foo")),
    ({"operation": "searchRetrieve", "query": "nosuchset.title = bar"}, (15, "nosuchset")),
    ({"operation": "searchRetrieve", "query": "dc.title > 2020"}, (19, ">")),
    ({"operation": "searchRetrieve", "query": "dc.title =/relevant fjell"}, (20, "relevant")),
    ({"operation": "searchRetrieve", "query": 'dc.title = ""'}, (27, "")),
    ({"operation": "searchRetrieve", "query": "fjell prox fjord"}, (37, "prox")),
    ({"operation": "searchRetrieve", "query": "dc.subject = samer", "startRecord": "999"}, (61, "999")),
    ({"operation": "searchRetrieve", "query": "x", "recordSchema": "nosuch"}, (66, "nosuch")),
    ({"operation": "searchRetrieve", "query": "x", "recordSchema": "MARCXML"}, (66, "MARCXML")),
    ({"operation": "nosuchop"}, (4, "nosuchop")),
    ({"operation": "scan"}, (7, "scanClause")),
    ({"operation": "scan", "scanClause": "dc.title = a", "maximumTerms": "abc"}, (6, "maximumTerms")),
    ({"operation": "scan", "scanClause": "dc.title = a", "maximumTerms": "2", "responsePosition": "9"}, (6, "responsePosition")),
    ({"operation": "scan", "scanClause": "dc.foo = a"}, (16, "dc.foo")),
])
def test_diagnostics(index: SearchIndex, version: str, params: dict[str, str], expected: tuple[int, str | None]) -> None:
    reply, parsed = ask(index, version, **params)  # type: ignore[arg-type]
    assert reply.status == 200 and not fails(parsed)
    [(code, details)] = codes(parsed)
    assert code == expected[0]
    if expected[1] is not None:
        assert details == expected[1]


@pytest.mark.parametrize("version", VERSIONS)
def test_invalid_record_packing_is_71(index: SearchIndex, version: str) -> None:
    name = "recordXMLEscaping" if version == "2.0" else "recordPacking"
    _, parsed = search(index, version, "x", **{name: "json"})
    assert codes(parsed) == [(71, "json")] and not fails(parsed)


def test_2_0_record_packing_means_packed_or_unpacked(index: SearchIndex) -> None:
    _, parsed = search(index, "2.0", "x", recordPacking="xml")
    assert codes(parsed) == [(71, "xml")]
    _, packed = search(index, "2.0", "x", recordPacking="packed")
    assert codes(packed) == []


@pytest.mark.parametrize(("asked", "answered"), [("3.0", "2.0"), ("1.5", "1.2"), ("0.9", "1.1"), ("abc", "1.1")])
def test_unsupported_version_is_5_naming_the_highest(index: SearchIndex, asked: str, answered: str) -> None:
    _, parsed = ask(index, asked, operation="explain")
    assert codes(parsed) == [(5, "2.0")]
    assert parsed.response.version == answered  # type: ignore[union-attr]
    _, searched = ask(index, asked, operation="searchRetrieve", query="fjell")
    assert codes(searched) == [(5, "2.0")] and not searched.response.records  # type: ignore[union-attr]


@pytest.mark.parametrize(("version", "params", "expected"), [
    ("1.2", {"sortKeys": "dc.title,,1"}, (8, "sortKeys")),  # sortKeys was dropped in SRU 1.2
    ("1.2", {"recordXPath": "/x"}, (8, "recordXPath")),
    ("1.1", {"recordXMLEscaping": "xml"}, (8, "recordXMLEscaping")),
    ("2.0", {"httpAccept": "application/json"}, (8, "httpAccept")),
    ("2.0", {"queryType": "pqf"}, (6, "queryType")),
])
def test_parameters_of_another_version(index: SearchIndex, version: str, params: dict[str, str], expected: tuple[int, str]) -> None:
    _, parsed = search(index, version, "fjell", **params)
    assert codes(parsed) == [expected]


def test_extension_parameters_and_ttl_are_ignored(index: SearchIndex) -> None:
    _, parsed = search(index, "1.2", "fjell", **{"x-debug": "1", "resultSetTTL": "300"})
    assert codes(parsed) == []


@pytest.mark.parametrize(("version", "query", "code"), [
    ("1.1", "dc.title exact \"Fjell og fjord\"", None), ("1.2", "dc.title exact x", 19), ("2.0", "dc.title exact x", 19),
    ("1.1", "dc.title == x", 19), ("1.2", "dc.title == \"Fjell og fjord\"", None), ("1.1", "dc.title adj x", 19),
    ("1.1", "dc.title sortby y", None),  # CQL 1.1: sortby is an ordinary relation name... and unsupported
])
def test_relations_per_cql_version(index: SearchIndex, version: str, query: str, code: int | None) -> None:
    _, parsed = search(index, version, query)
    if query == "dc.title sortby y":
        assert codes(parsed) == [(19, "sortby")]
    else:
        assert [c for c, _ in codes(parsed)] == ([] if code is None else [code])


def test_sort_not_supported_is_80(index: SearchIndex) -> None:
    reply = respond({"version": "1.2", "operation": "searchRetrieve", "query": "x sortBy dc.title"}, "1.2", index,
                    config=ServerConfig(sort=False))
    assert codes(parse_response(reply.body)) == [(80, "x sortBy dc.title")]
    _, unsortable = search(index, "1.2", "x sortBy dc.subject")
    assert codes(unsortable) == [(80, "dc.subject")]


def test_missing_version_on_a_1x_endpoint_is_7(index: SearchIndex) -> None:
    reply = respond({"operation": "searchRetrieve", "query": "x"}, "1.2", index, config=CONFIG)
    assert codes(parse_response(reply.body)) == [(7, "version")]


def test_2_0_implies_the_operation(index: SearchIndex) -> None:
    _, parsed = ask(index, "2.0", query="fjell")
    assert isinstance(parsed.response, SearchRetrieveResponse)
    _, scanned = ask(index, "2.0", scanClause="dc.title = f")
    assert isinstance(scanned.response, ScanResponse)
    _, missing = ask(index, "1.2", query="fjell")
    assert codes(missing) == [(7, "operation")]


def test_control_characters_in_a_request_still_give_well_formed_xml(index: SearchIndex) -> None:
    _, parsed = search(index, "1.2", "dc.title = \x01\x02", stylesheet="/x.xsl?>\x00")
    assert parsed.response is not None and not fails(parsed)


def test_a_bug_answers_diagnostic_1(index: SearchIndex) -> None:
    class Broken(SearchIndex):
        def search(self, *args: object, **kwargs: object) -> list[str]:
            raise RuntimeError("index on fire")

    broken = Broken({})
    reply = respond({"version": "1.2", "operation": "searchRetrieve", "query": "x"}, "1.2", broken)
    assert reply.status == 500 and codes(parse_response(reply.body)) == [(1, "RuntimeError: index on fire")]


# --- deviations switch the behaviour the catalogue will name ------------------------------------------------


def dev(*names: Deviation) -> frozenset[str]:
    return frozenset(names)


def test_deviation_no_diagnostic_16(index: SearchIndex) -> None:
    _, parsed = ask(index, "1.2", dev(Deviation.NO_DIAGNOSTIC_16), operation="searchRetrieve", query="dc.foo = samer")
    assert codes(parsed) == [] and parsed.response.number_of_records  # type: ignore[union-attr]


def test_deviation_library_limit_ignored(index: SearchIndex) -> None:
    query = 'dc.subject = samer and local.library = "NO-9900003"'
    _, honest = ask(index, "1.2", operation="searchRetrieve", query=query)
    _, deviant = ask(index, "1.2", dev(Deviation.LIBRARY_LIMIT_IGNORED), operation="searchRetrieve", query=query)
    assert deviant.response.number_of_records == 19 != honest.response.number_of_records  # type: ignore[union-attr]


def test_deviation_next_position_on_last_page(index: SearchIndex) -> None:
    _, parsed = ask(index, "1.2", dev(Deviation.NEXT_POSITION_ON_LAST_PAGE), operation="searchRetrieve",
                    query="dc.subject = samer", startRecord="16", maximumRecords="10")
    assert {p.rule.id for p in parsed.problems} == {"next-position-on-last-page"}


def test_deviation_2_0_namespace_on_1x(index: SearchIndex) -> None:
    reply, parsed = ask(index, "1.2", dev(Deviation.NAMESPACE_2_ON_1X), operation="searchRetrieve", query="fjell")
    assert SRU2_NS.encode() in reply.body and SRW_NS.encode() not in reply.body
    assert "namespace-version-mismatch" in {p.rule.id for p in parsed.problems}


def test_deviation_no_diagnostic_71(index: SearchIndex) -> None:
    _, parsed = ask(index, "1.2", dev(Deviation.NO_DIAGNOSTIC_71), operation="searchRetrieve", query="rec.id = hx0000001",
                    recordPacking="json")
    assert codes(parsed) == [] and parsed.response.records[0].packing == "string"  # type: ignore[union-attr]


def test_deviation_no_diagnostic_5(index: SearchIndex) -> None:
    _, parsed = ask(index, "3.0", dev(Deviation.NO_DIAGNOSTIC_5), operation="explain")
    assert codes(parsed) == []


def test_deviation_default_records_zero(index: SearchIndex) -> None:
    _, parsed = ask(index, "1.2", dev(Deviation.DEFAULT_RECORDS_ZERO), operation="searchRetrieve", query="samer")
    assert parsed.response.records == () and parsed.response.number_of_records  # type: ignore[union-attr]


def test_deviation_sort_ignored(index: SearchIndex) -> None:
    query = "cql.allRecords = 1 sortBy dc.title/sort.descending"
    _, honest = ask(index, "1.2", operation="searchRetrieve", query=query, maximumRecords="1")
    _, deviant = ask(index, "1.2", dev(Deviation.SORT_IGNORED), operation="searchRetrieve", query=query, maximumRecords="1")
    assert codes(deviant) == [] and deviant.response.records[0].marcxml != honest.response.records[0].marcxml  # type: ignore[union-attr]


def test_deviation_string_packing_for_xml(index: SearchIndex) -> None:
    _, parsed = ask(index, "1.2", dev(Deviation.ESCAPE_XML_IN_XML_PACKING), operation="searchRetrieve",
                    query="rec.id = hx0000001")
    assert "record-data-not-as-packed" in {p.rule.id for p in parsed.problems}


def test_every_deviation_is_tested() -> None:
    """Here, or in test_sru_deviations.py (the ones added with the SRU suite)."""
    source = Path(__file__).read_text() + Path(__file__).with_name("test_sru_deviations.py").read_text()
    assert all(f"Deviation.{d.name}" in source for d in Deviation)
