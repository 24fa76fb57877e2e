"""SRU-01: well-formed answers, and the diagnostics a client relies on (6, 7, 8, 61).

The requests that must fail are the ones the CLARIN FCS endpoint tester and the SRU
diagnostics list name: startRecord 0, maximumRecords -1 and not a number, no query, an
undefined parameter. Each is asked in every version explain declares.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from harness.findings import cannot_judge
from harness.sru import checks as c
from harness.sru import defects
from harness.sru.catalogue import FixtureRecord
from harness.sru.client import SruClient
from harness.sru.cql import literal, where
from harness.sru.rules import OASIS3_SR, SRU12, SRU12_SR
from harness.sru.target import SruTarget

PARAMETERS_CLAUSE = (f"{c.DIAGNOSTICS_CLAUSE}: 6 Unsupported parameter value, 7 Mandatory parameter not supplied, "
                     f"8 Unsupported parameter; {SRU12}, searchRetrieve Operation, Request Parameters "
                     "(startRecord a positive integer, maximumRecords a non-negative integer, query mandatory; "
                     "extensions named x-... are ignored by a server that does not know them)")
FATAL_CLAUSE = (f"{SRU12_SR}: numberOfRecords is mandatory, 'if the query fails this must be 0' "
                f"(srw-types.xsd, minOccurs 1); {c.DIAGNOSTICS_CLAUSE}")
MEDIA_CLAUSE = (f"{SRU12}, HTTP binding: the response is an XML document (text/xml); RFC 6207 (application/sru+xml); "
                "RFC 7303 XML Media Types")
OUT_OF_RANGE_CLAUSE = f"{c.DIAGNOSTICS_CLAUSE}: 61 First record position out of range; {SRU12_SR}; {OASIS3_SR}"
XML_TYPES = ("text/xml", "application/xml", "application/sru+xml")

# (what, parameters to change, parameter to drop, the diagnostic expected)
BAD_REQUESTS: tuple[tuple[str, Mapping[str, str], str, int], ...] = (
    ("startRecord=0", {"startRecord": "0"}, "", 6),
    ("maximumRecords=-1", {"maximumRecords": "-1"}, "", 6),
    ("maximumRecords=abc", {"maximumRecords": "abc"}, "", 6),
    ("no query", {}, "query", 7),
    ("an undefined parameter foo=bar", {"foo": "bar"}, "", 8),
)


def _request(version: str, change: Mapping[str, str] = (), drop: str = "", query: str = "fjell") -> dict[str, str]:  # type: ignore[assignment]
    params = {"version": version, "operation": "searchRetrieve", "query": query, "maximumRecords": "1", **dict(change)}
    params.pop(drop, None)
    return params


@pytest.mark.requirement("SRU-01")
@pytest.mark.failed_by(defects.LENIENT_PARAMETERS)
def test_invalid_parameters_get_diagnostics(sru: SruClient, sru_target: SruTarget) -> None:
    """Bad startRecord and maximumRecords get 6, a missing query 7, an undefined parameter 8; x- extensions are ignored

    nb: Ugyldig startRecord og maximumRecords gir 6, manglende query 7, en udefinert parameter 8; x-utvidelser ignoreres
    """
    wrong = []
    for version in sru_target.versions:
        for what, change, drop, code in BAD_REQUESTS:
            result = sru.request(_request(version, change, drop), operation="searchRetrieve", version=version)
            if code not in c.codes(result):
                wrong.append(f"{version}, {what}: {c.describe(result.parsed.diagnostics)}, expected diagnostic {code}")
        extension = sru.request(_request(version, {"x-harness-probe": "1"}), operation="searchRetrieve", version=version)
        if extension.parsed.diagnostics:
            wrong.append(f"{version}, x-harness-probe=1: {c.describe(extension.parsed.diagnostics)}, expected none")
    if wrong:
        raise c.fail(wrong[0], clause=PARAMETERS_CLAUSE, client=sru, details=wrong, last=12,
                     expected="6 for startRecord=0 and bad maximumRecords, 7 without query, 8 for foo=bar, none for x-...")


@pytest.mark.requirement("SRU-01")
@pytest.mark.failed_by(defects.DIAGNOSTIC_WITHOUT_HITS)
def test_fatal_diagnostic_answers_are_complete(sru: SruClient, sru_target: SruTarget) -> None:
    """A searchRetrieve that fails carries numberOfRecords 0 and its diagnostic in the version's namespace

    nb: Et søk som feiler, har numberOfRecords 0 og diagnostikken i versjonens navnerom
    """
    for version in sru_target.versions:
        result = sru.request(_request(version, drop="query"), operation="searchRetrieve", version=version)
        response = c.search(result, sru, f"{version} without query")
        if not response.diagnostics:
            cannot_judge(f"a {version} request without query was answered without diagnostic",
                         "test_invalid_parameters_get_diagnostics")
        own = c.own_failures(result, c.FATAL_CHECK)
        hits = response.number_of_records
        if own or (hits not in (None, 0)):
            message = "; ".join(str(p) for p in own) or f"numberOfRecords {hits}"
            raise c.fail(f"{version}: the answer with {c.describe(response.diagnostics)} is incomplete: {message}",
                         clause=FATAL_CLAUSE, client=sru, problems=own,
                         expected="numberOfRecords 0 (1.x: mandatory) and the diagnostic in the version's namespace")


@pytest.mark.requirement("SRU-01")
@pytest.mark.failed_by(defects.HTML_CONTENT_TYPE)
def test_responses_are_well_formed(sru: SruClient, sru_target: SruTarget,
                                   fixture_catalogue: Mapping[str, FixtureRecord]) -> None:
    """Explain, searches with and without hits are well-formed SRU documents labelled as XML

    nb: Explain og søk med og uten treff er velformede SRU-dokumenter merket som XML
    """
    isbn = fixture_catalogue["hx0000001"].isbn
    index = sru_target.index("isbn")
    found = where(index, "=", literal(isbn)) if index else literal(isbn)
    for version in sru_target.versions:
        for what, result in (
            ("explain", sru.explain(version=version)),
            ("a search with hits", sru.search_retrieve(found, version=version, maximum_records=2)),
            ("a search without hits", sru.search_retrieve("zzzyxqvw", version=version, maximum_records=2)),
        ):
            own = c.own_failures(result, c.WELL_FORMED)
            kind = result.http.content_type.split(";")[0].strip().lower()
            if own:
                raise c.fail(f"{version} {what}: {own[0]}", clause=own[0].rule.clause, client=sru, problems=own,
                             expected="a well-formed SRU response of the version asked")
            if kind not in XML_TYPES and not kind.endswith("+xml"):
                raise c.fail(f"{version} {what} is labelled {result.http.content_type!r}, not an XML media type",
                             clause=MEDIA_CLAUSE, client=sru, expected="Content-Type text/xml or application/sru+xml")


@pytest.mark.requirement("SRU-01")
@pytest.mark.failed_by(defects.NO_DIAGNOSTIC_61)
def test_start_record_past_the_end_gets_diagnostic_61(sru: SruClient, sru_target: SruTarget,
                                                     held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """startRecord past the last record is answered with diagnostic 61

    nb: startRecord etter siste post besvares med diagnostikk 61
    """
    title_index = sru_target.index("title")
    if title_index is None:
        cannot_judge("explain declares no title index", "test_members_find_catalogue_records")
    query = where(title_index, "=", literal("ærfugl"))
    for version in sru_target.versions:
        first = c.search(sru.search_retrieve(query, version=version, maximum_records=0), sru, f"{version} count")
        hits = first.number_of_records
        if not hits:
            cannot_judge(f"{query.to_cql()} finds no records in {version}", "test_members_find_catalogue_records")
        result = sru.search_retrieve(query, version=version, start_record=hits + 1, maximum_records=1)
        response = c.search(result, sru, f"{version} startRecord={hits + 1}")
        if 61 not in c.codes(result):
            raise c.fail(f"{version}: startRecord {hits + 1} of {hits} records was answered with {len(response.records)} "
                         f"records and {c.describe(response.diagnostics)}", clause=OUT_OF_RANGE_CLAUSE, client=sru,
                         expected="diagnostic 61 (First record position out of range)")
