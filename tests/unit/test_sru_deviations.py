"""The deviations added with the SRU suite, each shown against the clean behaviour it departs from.

The ones :func:`respond` applies are asked directly; the ones the sandbox service applies
(index, HTTP wiring) through the service's handlers, pure Request -> Response, no socket.
That each also FAILs exactly its checks is tests/integration/test_defects.py's job.
"""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Iterator

import pymarc
import pytest

from harness.defects import DefectSet
from harness.marc.reader import read_records
from harness.paths import MARC_FIXTURES_DIR, SANDBOX_PROFILE
from harness.profile import load_profile
from harness.sandbox.http import Request, Router
from harness.sandbox.search import SearchIndex
from harness.sandbox.sru import Deviation, ServerConfig, respond
from harness.sandbox.state import Consortium, Item, Patron, new_consortium
from harness.sru import defects
from harness.sru.model import SearchRetrieveResponse
from harness.sru.parse import parse_response
from harness.sru.sandbox import SruService
from harness.units import SandboxContext

CONFIG = ServerConfig(host="127.0.0.1", port=7070, database="sru", default_records=5, maximum_records=20)


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    data = (MARC_FIXTURES_DIR / "consortium.mrc").read_bytes()
    records = {str(r.record["001"].data): r.record for r in read_records(data) if r.record is not None}
    return SearchIndex(records, availability=lambda barcode: barcode.endswith("0"))


def search(index: SearchIndex, deviation: Deviation | None, version: str = "1.2", **params: str) -> SearchRetrieveResponse:
    request = {"version": version, "operation": "searchRetrieve", **params}
    reply = respond(request, version, index, config=CONFIG, deviations=frozenset({deviation} if deviation else ()),
                    library=params.pop("x-library", None), borrower_of=lambda barcode: "Máret Ánne Sara (TST0000001)")
    response = parse_response(reply.body).response
    assert isinstance(response, SearchRetrieveResponse)
    return response


def codes(response: SearchRetrieveResponse) -> list[int | None]:
    return [d.code for d in response.diagnostics]


def record_text(response: SearchRetrieveResponse) -> str:
    return b"".join(r.data for r in response.records).decode()


def test_version_required_refuses_a_2_0_request_without_version(index: SearchIndex) -> None:
    request = {"operation": "searchRetrieve", "query": "fjell"}
    clean = parse_response(respond(request, "2.0", index, config=CONFIG).body).response
    deviant = parse_response(respond(request, "2.0", index, config=CONFIG, deviations=frozenset({Deviation.VERSION_REQUIRED})).body).response
    assert clean is not None and not clean.diagnostics
    assert deviant is not None and [d.code for d in deviant.diagnostics] == [7]


@pytest.mark.parametrize(("params", "code"), [({"startRecord": "0"}, 6), ({"maximumRecords": "-1"}, 6), ({"foo": "bar"}, 8)])
def test_lenient_parameters(index: SearchIndex, params: dict[str, str], code: int) -> None:
    assert codes(search(index, None, query="fjell", **params)) == [code]
    assert codes(search(index, Deviation.LENIENT_PARAMETERS, query="fjell", **params)) == []


@pytest.mark.parametrize("version", ["1.1", "1.2", "2.0"])
def test_diagnostic_without_number_of_records_only_in_1x(index: SearchIndex, version: str) -> None:
    response = search(index, Deviation.DIAGNOSTIC_WITHOUT_HITS, version)  # no query: 7
    assert codes(response) == [7]
    assert response.number_of_records == (0 if version == "2.0" else None)


def test_term_only_title(index: SearchIndex) -> None:
    assert search(index, None, query="kristiansen").number_of_records
    assert search(index, Deviation.TERM_ONLY_TITLE, query="kristiansen").number_of_records == 0


def test_escaped_quote_syntax_error(index: SearchIndex) -> None:
    query = '"fiskeværet \\"som\\" forsvant"'
    assert codes(search(index, None, query=query)) == []
    assert codes(search(index, Deviation.ESCAPED_QUOTE_SYNTAX_ERROR, query=query)) == [10]


def test_no_diagnostic_61(index: SearchIndex) -> None:
    assert codes(search(index, None, query="dc.subject = samer", startRecord="999")) == [61]
    deviant = search(index, Deviation.NO_DIAGNOSTIC_61, query="dc.subject = samer", startRecord="999")
    assert codes(deviant) == [] and deviant.records == ()


def test_maximum_records_ignored(index: SearchIndex) -> None:
    assert len(search(index, None, query="cql.allRecords = 1", maximumRecords="30").records) == 20
    assert len(search(index, Deviation.MAXIMUM_RECORDS_IGNORED, query="cql.allRecords = 1", maximumRecords="30").records) == 30


def test_schema_uri_unknown_and_unknown_schema_as_default(index: SearchIndex) -> None:
    uri = "info:srw/schema/1/marcxml-v1.1"
    assert codes(search(index, Deviation.SCHEMA_URI_UNKNOWN, query="rec.id = hx0000001", recordSchema=uri)) == [66]
    assert codes(search(index, Deviation.SCHEMA_URI_UNKNOWN, query="rec.id = hx0000001", recordSchema="marcxml")) == []
    assert codes(search(index, None, query="rec.id = hx0000001", recordSchema="nosuch")) == [66]
    assert codes(search(index, Deviation.UNKNOWN_SCHEMA_AS_DEFAULT, query="rec.id = hx0000001", recordSchema="nosuch")) == []


def test_marcxml_no_namespace(index: SearchIndex) -> None:
    [record] = search(index, Deviation.MARCXML_NO_NAMESPACE, query="rec.id = hx0000001").records
    assert not record.is_marcxml and record.data.startswith(b"<record ") and b"MARC21/slim" not in record.data


def test_sort_code_point(index: SearchIndex) -> None:
    query = "dc.title = ærfugl or dc.title = åarjelsaemien sortBy dc.title"
    clean = record_text(search(index, None, query=query, maximumRecords="20"))
    deviant = record_text(search(index, Deviation.SORT_CODE_POINT, query=query, maximumRecords="20"))
    assert clean.index("Ærfugl") < clean.index("Åarjelsaemien")  # æ before å in Norwegian
    assert deviant.index("Åarjelsaemien") < deviant.index("Ærfugl")  # U+00C5 before U+00C6


def test_scan_ignores_maximum_terms(index: SearchIndex) -> None:
    def terms(deviations: frozenset[str]) -> int:
        reply = respond({"version": "1.2", "operation": "scan", "scanClause": "dc.title = n", "maximumTerms": "3"}, "1.2",
                        index, config=CONFIG, deviations=deviations)
        response = parse_response(reply.body).response
        return len(response.terms)  # type: ignore[union-attr]

    assert terms(frozenset()) == 3
    assert terms(frozenset({Deviation.SCAN_IGNORES_MAXIMUM_TERMS})) > 3


def test_member_view_own_holdings(index: SearchIndex) -> None:
    query = "rec.id = hx0000002"  # held by NO-9900001 and NO-9900011 only
    assert search(index, None, query=query, **{"x-library": "NO-9900002"}).number_of_records == 1
    assert search(index, Deviation.MEMBER_VIEW_OWN_HOLDINGS, query=query, **{"x-library": "NO-9900002"}).number_of_records == 0
    assert search(index, Deviation.MEMBER_VIEW_OWN_HOLDINGS, query=query, **{"x-library": "NO-9900011"}).number_of_records == 1


def test_holdings_without_library(index: SearchIndex) -> None:
    assert "<subfield code=\"a\">NO-9900001</subfield>" in record_text(search(index, None, query="rec.id = hx0000001"))
    deviant = record_text(search(index, Deviation.HOLDINGS_WITHOUT_LIBRARY, query="rec.id = hx0000001"))
    assert "NO-9900001" not in deviant and "99001000010" in deviant


def test_borrower_in_holdings(index: SearchIndex) -> None:
    assert "TST0000001" not in record_text(search(index, None, query="rec.id = hx0000001"))
    assert "Utlånt til Máret Ánne Sara (TST0000001)" in record_text(search(index, Deviation.BORROWER_IN_HOLDINGS, query="rec.id = hx0000001"))


def test_records_lose_sami_letters(index: SearchIndex) -> None:
    assert "Čáppa ŋuolggat" in record_text(search(index, None, query="rec.id = hx0000002"))
    deviant = record_text(search(index, Deviation.RECORDS_LOSE_SAMI_LETTERS, query="rec.id = hx0000002"))
    assert "áppa uolggat" in deviant and "ŋ" not in deviant


def test_ascii_case_only(index: SearchIndex) -> None:
    assert search(index, None, query="dc.title = ŊUOLGGAT").number_of_records
    assert search(index, Deviation.ASCII_CASE_ONLY, query="dc.title = ŊUOLGGAT").number_of_records == 0
    assert search(index, Deviation.ASCII_CASE_ONLY, query="dc.title = ŋuolggat").number_of_records


# --- deviations the sandbox service applies: index and HTTP wiring --------------------------------------------


@pytest.fixture()
def consortium() -> Iterator[Consortium]:
    profile = load_profile(SANDBOX_PROFILE)
    found = new_consortium(profile)
    data = (MARC_FIXTURES_DIR / "consortium.mrc").read_bytes()
    for result in read_records(data):
        assert result.record is not None
        found.records[str(result.record["001"].data)] = result.record
    found.patrons["TST0000001"] = Patron("TST0000001", "Máret Ánne Sara", "NO-9900002")
    found.items["99001000010"] = Item("99001000010", "hx0000001", "Ærfugl og øyvær", "NO-9900001", "NO-9900001")
    yield found


def service(consortium: Consortium, *deviations: Deviation) -> tuple[SruService, Router]:
    chosen = DefectSet(frozenset(d for d in defects.CATALOGUE if d.name in {x.value for x in deviations}))
    sru = SruService()
    sru.load(consortium, chosen)
    router = Router()
    sru.start(SandboxContext(load_profile(SANDBOX_PROFILE), consortium, chosen, router, "http://127.0.0.1:7070"))
    return sru, router


def ask(router: Router, method: str = "GET", **params: str) -> tuple[int, str, SearchRetrieveResponse | None]:
    pairs = tuple({"version": "1.2", "operation": "searchRetrieve", **params}.items())
    response = router.dispatch(Request(method, "/sru", pairs, {}))
    parsed = parse_response(response.body).response
    return response.status, response.content_type, parsed if isinstance(parsed, SearchRetrieveResponse) else None


def test_clean_service_shares_the_consortium_index(consortium: Consortium) -> None:
    sru, _ = service(consortium)
    assert sru.index is consortium.search_index is not None


def test_stale_index_misses_records_imported_after_start(consortium: Consortium) -> None:
    record = replace_number(consortium.records["hx0000002"], "new0000001")
    for deviations, found in (((), 1), ((Deviation.STALE_INDEX,), 0)):
        _, router = service(consortium, *deviations)
        consortium.records["new0000001"] = record
        _, _, response = ask(router, query="rec.id = new0000001")
        assert response is not None and response.number_of_records == found
        del consortium.records["new0000001"]
        consortium.search_index = None


def replace_number(record: pymarc.Record, number: str) -> pymarc.Record:
    fresh = copy.deepcopy(record)
    fresh["001"].data = number
    return fresh


def test_availability_not_live(consortium: Consortium) -> None:
    for deviations, status in (((), "on loan"), ((Deviation.AVAILABILITY_NOT_LIVE,), "available")):
        consortium.items["99001000010"].borrower = None
        consortium.search_index = None
        _, router = service(consortium, *deviations)
        consortium.items["99001000010"].borrower = "TST0000001"  # a checkout after the start
        _, _, response = ask(router, query="rec.id = hx0000001")
        assert response is not None and f'<subfield code="p">99001000010</subfield>\n    <subfield code="j">{status}' in record_text(response)


def test_nfd_unfindable(consortium: Consortium) -> None:
    word = unicodedata.normalize("NFC", "mearrasámiid")  # hx0000020 is stored NFD
    for deviations, found in (((), True), ((Deviation.NFD_UNFINDABLE,), False)):
        consortium.search_index = None
        _, router = service(consortium, *deviations)
        _, _, response = ask(router, query=f"dc.title = {word}", maximumRecords="20")
        assert response is not None and (b"hx0000020" in b"".join(r.data for r in response.records)) is found


def test_letter_folding(consortium: Consortium) -> None:
    for deviations, found in (((), 0), ((Deviation.LETTER_FOLDING,), 1)):
        consortium.search_index = None
        _, router = service(consortium, *deviations)
        _, _, response = ask(router, query="dc.title = cappa and rec.id = hx0000002")
        assert response is not None and response.number_of_records == found


def test_html_content_type_post_refused_and_wrong_server_info(consortium: Consortium) -> None:
    _, router = service(consortium)
    status, kind, _ = ask(router, "POST", query="fjell")
    assert status == 200 and kind.startswith("text/xml")
    _, router = service(consortium, Deviation.HTML_CONTENT_TYPE, Deviation.POST_REFUSED, Deviation.EXPLAIN_WRONG_SERVER_INFO)
    assert ask(router, query="fjell")[1].startswith("text/html")
    assert ask(router, "POST", query="fjell")[0] == 405
    explain = router.dispatch(Request("GET", "/sru", (("version", "1.2"), ("operation", "explain")), {})).body
    assert b"<port>210</port><database>Default</database>" in explain


def test_every_new_deviation_is_tested_here() -> None:
    from pathlib import Path

    source = Path(__file__).read_text()
    older = Path(__file__).with_name("test_sru_server.py").read_text()
    assert all(f"Deviation.{d.name}" in source + older for d in Deviation)
