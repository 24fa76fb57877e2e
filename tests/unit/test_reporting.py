"""The four reports, parsed back the way their readers (CI, browsers, Excel, the CLI) read them."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from sample_run import (
    CHECKS,
    MARC_BYTES,
    OVERRIDE_REASON,
    REPRODUCE,
    RUN,
    SCRIPT_MESSAGE,
)

from harness.deviations import DeviationRegister, load_deviations
from harness.errors import UsageError
from harness.findings import evidence
from harness.reporting import (
    load_results,
    render_csv,
    render_html,
    render_json,
    render_junit,
    write_reports,
)
from harness.reporting.csv_report import COLUMNS
from harness.reporting.junit import split_node_id, visible_controls
from harness.requirements import load_register
from harness.results import (
    CheckResult,
    Outcome,
    RequirementResult,
    RunResult,
    Verdict,
)


def test_the_fixture_covers_every_outcome_and_verdict() -> None:
    assert {c.outcome for c in RUN.checks} == set(Outcome)
    assert {r.proposed for r in RUN.requirements} == set(Verdict)


# --- junit.xml ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def junit() -> etree._Element:
    return etree.fromstring(render_junit(RUN))


def _case(junit: etree._Element, name: str) -> etree._Element:
    (case,) = junit.xpath("//testcase[@name=$n]", n=name)
    return case


def test_junit_counts_per_run_and_per_suite(junit: etree._Element) -> None:
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors"), junit.get("skipped")) == ("7", "2", "1", "2")
    suites = {s.get("name"): s for s in junit.iter("testsuite")}
    assert list(suites) == ["marc", "sip2", "sru", "harness"]  # "" became "harness"
    marc = suites["marc"]
    assert (marc.get("tests"), marc.get("failures"), marc.get("errors"), marc.get("skipped")) == ("3", "2", "0", "0")
    assert suites["sip2"].get("skipped") == "1" and suites["sip2"].get("failures") == "0"
    assert suites["harness"].get("errors") == "1"
    assert suites["marc"].get("time") == "1.750"


def test_junit_fail_carries_evidence_and_reproduce_line(junit: etree._Element) -> None:
    case = _case(junit, "test_fields_unchanged[consortium/nb]")
    assert case.get("classname") == "scenarios.marc.test_roundtrip"
    (failure,) = case.findall("failure")
    assert failure.get("message") == "field 245 changed"
    assert failure.get("type") == "fail"
    for part in ("Clause: MARC 21 bibliographic, 245", "Expected:\nbyte-identical field 245", "- á became a",
                 f"Reproduce: {REPRODUCE}", "second line", "<b>bold</b>"):
        assert part in failure.text
    props = [p.get("value") for p in case.xpath("properties/property[@name='requirement']")]
    assert props == ["MARC-02", "SPR-01", "KAT-03"]


def test_junit_flaky_is_a_failure_not_a_pass(junit: etree._Element) -> None:
    case = _case(junit, "test_owner_isil")
    (failure,) = case.findall("failure")
    assert failure.get("type") == "flaky"
    assert failure.get("message").startswith("FLAKY: repeated runs disagree")


def test_junit_error_skip_and_not_tested(junit: etree._Element) -> None:
    error = _case(junit, "test_on_loan").find("error")
    assert error is not None and error.get("message") == SCRIPT_MESSAGE
    (skip,) = _case(junit, "test_renew_all").findall("skipped")
    assert skip.get("message") == "SKIP: 65/66 not declared in 98 BX"
    (not_tested,) = _case(junit, "test_explain").findall("skipped")
    assert not_tested.get("message") == "NOT_TESTED: no [sru] endpoint in the profile"


def test_junit_warn_passes_with_the_warning_in_system_out(junit: etree._Element) -> None:
    case = _case(junit, "test_tls")
    assert case.get("classname") == "scenarios.sip2.test_core.TestLogin"
    assert [c.tag for c in case] == ["properties", "system-out"]
    assert case.find("system-out").text.startswith("WARN: plain TCP only")


def test_junit_pass_has_no_verdict_element(junit: etree._Element) -> None:
    case = _case(junit, "test_leader_09")
    assert [c.tag for c in case] == ["properties"]


def test_junit_makes_marc_separators_visible_and_stays_well_formed() -> None:
    check = CheckResult(id="t.py::t", title="t", requirements=(), outcome=Outcome.FAIL,
                        message="bad \x1e in attribute \x00", evidence=(evidence(received=MARC_BYTES),))
    data = render_junit(RunResult(RUN.manifest, (check,)))
    assert b"\x1d" not in data and b"\x1e" not in data and b"\x1f" not in data
    failure = etree.fromstring(data).find(".//failure")
    assert failure.get("message") == "bad \\x1e in attribute \\x00"
    assert "\\x1faNordlys over Sápmi\\x1e\\x1d" in failure.text


@pytest.mark.parametrize(
    ("node_id", "expected"),
    [
        ("scenarios/marc/test_x.py::test_y", ("scenarios.marc.test_x", "test_y")),
        ("scenarios/sip2/test_c.py::TestA::test_b", ("scenarios.sip2.test_c.TestA", "test_b")),
        ("s/test_p.py::test_q[a/b::c]", ("s.test_p", "test_q[a/b::c]")),
        ("loose-id", ("", "loose-id")),
    ],
)
def test_split_node_id(node_id: str, expected: tuple[str, str]) -> None:
    assert split_node_id(node_id) == expected


def test_visible_controls_leaves_tab_newline_and_letters_alone() -> None:
    assert visible_controls("a\tb\nč\x1d\x85") == "a\tb\nč\\x1d\\x85"


# --- scorecard.html -------------------------------------------------------------------------


def _doc(lang: str) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(render_html(RUN, lang))


def test_scorecard_in_bokmal_translates_verdicts_outcomes_and_kinds() -> None:
    doc = _doc("nb")
    assert doc.get("lang") == "nb"
    text = doc.text_content()
    for word in ("Oppfylt", "Ikke oppfylt", "Delvis oppfylt", "Ikke verifisert", "Ikke aktuelt",
                 "Bestått", "Feilet", "Advarsel", "Hoppet over", "Ikke testet", "Feil i kjøringen", "Ustabil",
                 "Skal", "Bør", "Forhandlingsrunde", "KAT – Katalog og beholdning", "Avgrens søk til ett bibliotek"):
        assert word in text, word
    assert "Limit a search to one library" not in text
    assert "Not met" not in text


def test_scorecard_in_english() -> None:
    doc = _doc("en")
    assert doc.get("lang") == "en"
    text = doc.text_content()
    for word in ("Not met", "Partially met", "Unverified", "Not applicable", "Flaky", "Not tested",
                 "Must (skal)", "Should (bør)", "Negotiation round", "KAT – Catalogue and holdings",
                 "Limit a search to one library"):
        assert word in text, word
    assert "Ikke oppfylt" not in text


def test_scorecard_header_shows_the_manifest() -> None:
    rows = {th.text_content(): th.getnext().text_content() for th in _doc("nb").xpath("//table[@class='manifest']//th")}
    assert rows["Testobjekt"] == "Bibliotekssystem Å"
    assert rows["Forhandlingsrunde"] == "2"
    assert rows["Git-revisjon"] == "abc1234"
    assert rows["Varighet"] == "12,5 s"
    assert rows["Bare lesing"] == "Ja"
    assert rows["Påslåtte sandkassefeil"] == "sip2-bad-checksum"


def test_scorecard_summary_counts_each_outcome() -> None:
    (table,) = _doc("en").xpath("//section[@id='summary']/table[1]")
    counts = {row[0].text_content().split(" ", 1)[1]: row[1].text for row in table.xpath("tbody/tr")}
    assert counts == {"Passed": "1", "Failed": "1", "Warning": "1", "Skipped": "1", "Not tested": "1",
                      "Error in the run": "1", "Flaky": "1"}


def test_scorecard_shows_override_beside_proposed_verdict() -> None:
    (row,) = _doc("nb").xpath("//tr[@id='req-MARC-02']")
    text = row.text_content()
    assert OVERRIDE_REASON in text and "Kari Nordmann" in text
    assert "Foreslått av testen: ✘ Ikke oppfylt" in text
    assert "K-3.2.1" in text and "2,5 / Kvalitet" in text
    assert row.xpath("th[@scope='row']")


def test_scorecard_groups_requirements_by_area() -> None:
    doc = _doc("en")
    (table,) = doc.xpath("//h3[.='SIP – SIP2 circulation']/following-sibling::table[1]")
    assert [th.text_content() for th in table.xpath("tbody/tr/th")] == ["SIP-07", "SIP-08"]
    assert len(table.xpath("thead/tr/th[@scope='col']")) == 7
    assert "2.5 / Kvalitet" in doc.xpath("//tr[@id='req-MARC-02']")[0].text_content()  # English decimal point


def test_scorecard_escapes_everything_from_the_target() -> None:
    page = render_html(RUN, "nb")
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt; &amp; quit" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    doc = lxml_html.document_fromstring(page)
    scripts = doc.xpath("//script")
    assert len(scripts) == 1 and "alert" not in scripts[0].text
    assert not doc.xpath("//b")
    assert SCRIPT_MESSAGE in doc.text_content()


def test_scorecard_shows_evidence_and_reproduce_command() -> None:
    doc = _doc("nb")
    (article,) = doc.xpath("//article[@data-outcome='FAIL']")
    pres = [p.text_content() for p in article.xpath(".//pre")]
    assert "245 10\\x1faNordlys over Sápmi\\x1e\\x1d" in pres
    assert "á became a\nGET http://sandbox.example/sru?query=s%C3%A1pmi" in pres
    assert [c.text for c in article.xpath(".//pre/code")] == [REPRODUCE]
    assert "MARC 21 bibliographic, 245" in article.text_content()
    # worst first: the FAIL is the first check listed, PASS the last
    outcomes = [a.get("data-outcome") for a in doc.xpath("//article")]
    assert outcomes[0] == "FAIL" and outcomes[-1] == "PASS" and len(outcomes) == 7


def test_scorecard_is_self_contained_and_readable_without_javascript() -> None:
    page = render_html(RUN, "nb")
    doc = lxml_html.document_fromstring(page)
    assert not doc.xpath("//link | //img | //iframe | //object | //script[@src] | //style[@src]")
    for element in doc.iter():
        for name, value in element.attrib.items():
            assert "http:" not in value and "https:" not in value and not value.startswith("//"), (name, value)
    for href in doc.xpath("//a/@href"):
        assert href.startswith("#")
    style = "".join(doc.xpath("//style/text()"))
    assert "url(" not in style and "@import" not in style and "@media print" in style
    assert not doc.xpath("//article[@hidden]")
    assert doc.xpath("//div[@id='filters']/@hidden") == [""]


def test_scorecard_rejects_unknown_language() -> None:
    with pytest.raises(UsageError, match="'de'.*nb, en"):
        render_html(RUN, "de")


# --- requirements.csv -----------------------------------------------------------------------


def _csv_rows() -> dict[str, dict[str, str]]:
    data = render_csv(RUN)
    assert data.startswith(b"\xef\xbb\xbf")
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return {row["id"]: row for row in reader}


def test_csv_has_one_row_per_requirement_with_override_and_weight() -> None:
    rows = _csv_rows()
    assert list(rows) == [r.id for r in RUN.requirements]
    marc = rows["MARC-02"]
    assert (marc["verdict"], marc["proposed_verdict"], marc["override_reason"]) == ("MET", "NOT_MET", OVERRIDE_REASON)
    assert (marc["external_id"], marc["weight"], marc["award_criterion"], marc["kind"]) == ("K-3.2.1", "2.5", "Kvalitet", "skal")
    assert rows["SPR-01"]["title_nb"] == "Norske og samiske bokstaver æøå"
    assert rows["KAT-03"]["weight"] == "1" and rows["SIP-07"]["weight"] == ""
    assert rows["Z-01"]["verdict"] == "N/A"


def test_csv_counts_checks_by_requirement() -> None:
    rows = _csv_rows()

    def counts(req_id: str) -> tuple[str, ...]:
        row = rows[req_id]
        return tuple(row[k] for k in ("checks_total", "checks_pass", "checks_fail", "checks_unverified"))

    assert counts("KAT-03") == ("2", "1", "1", "0")
    assert counts("SIP-07") == ("1", "1", "0", "0")  # WARN counts as a pass
    assert counts("KAT-01") == ("1", "0", "0", "1")  # FLAKY is unverified
    assert counts("SRU-01") == ("1", "0", "0", "1")
    assert counts("Z-01") == ("0", "0", "0", "0")


# --- results.json and write_reports ---------------------------------------------------------


def test_write_reports_writes_every_report_and_json_round_trips(tmp_path: Path) -> None:
    paths = write_reports(RUN, tmp_path / "out", lang="en")
    assert {p.name for p in paths.values()} == {"results.json", "junit.xml", "scorecard.html", "requirements.csv", "scorecard.xlsx",
                                                "results.ttl", "results.jsonld"}
    assert all(p.is_file() for p in paths.values())
    assert not list((tmp_path / "out").glob(".*.tmp"))
    text = paths["json"].read_text(encoding="utf-8")
    assert "Bibliotekssystem Å" in text  # ensure_ascii=False
    data = json.loads(text)
    assert data == RUN.to_dict() and list(data) == ["run", "summary", "checks", "requirements"]
    assert text == render_json(RUN)
    loaded = load_results(paths["json"])
    assert loaded == RUN
    assert loaded.requirements[1].override == RUN.requirements[1].override
    assert load_results(tmp_path / "out") == RUN  # the report directory works too


def test_write_reports_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with pytest.raises(UsageError, match="not-a-dir.*--report-dir"):
        write_reports(RUN, blocker)


def test_load_results_missing_file_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "results.json"
    with pytest.raises(UsageError) as info:
        load_results(missing)
    assert str(missing) in str(info.value) and "Fix:" in str(info.value)


def test_load_results_invalid_json_names_file_and_position(tmp_path: Path) -> None:
    bad = tmp_path / "results.json"
    bad.write_text('{"run": {}, "checks": [', encoding="utf-8")
    with pytest.raises(UsageError, match=r"results\.json: not valid JSON .*line 1"):
        load_results(bad)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[]", "top level is a JSON list"),
        ('{"checks": []}', "'run' object"),
        ('{"run": {}}', "'checks' list is missing"),
        ('{"run": {}, "checks": [{"id": "a", "outcome": "MAYBE"}]}', "checks\\[0\\]: 'MAYBE'"),
        ('{"run": {}, "checks": [], "requirements": [{"id": "X-1"}]}', "requirements\\[0\\]: the key 'kind'"),
    ],
)
def test_load_results_wrong_shape_says_what_is_wrong(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "results.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError, match=problem) as info:
        load_results(path)
    assert str(path) in str(info.value)


def test_load_results_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_bytes(b'{"run": "\xff"}')
    with pytest.raises(UsageError, match="not UTF-8"):
        load_results(path)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_first_screen_says_what_the_run_did_not_do(lang: str) -> None:
    from dataclasses import replace

    partial = replace(RUN, manifest=replace(RUN.manifest, suites=("sip2",), keyword="checkout", interrupted=True,
                                            unreachable=("marc: GET http://x/api: connection refused",), not_configured=("sru",)))
    page = render_html(partial, lang)
    scope = page.index('class="scope"')
    assert scope < page.index('class="manifest"') < page.index('id="summary"')  # before anything else
    notice = page[scope:page.index("</section>", scope)]
    for words in ("sip2", "-k checkout", "marc: GET http://x/api: connection refused", "sru"):
        assert words in notice
    assert ("AVBRUTT" if lang == "nb" else "INTERRUPTED") in notice
    complete = render_html(replace(RUN, manifest=replace(RUN.manifest, read_only=False)), lang)
    assert 'class="scope complete"' in complete and 'role="alert"' not in complete


# --- the first screen, folding, anchors, deviations, timings ---------------------------------


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_first_screen_counts_skal_verdicts_and_says_what_was_not_tested(lang: str) -> None:
    page = render_html(RUN, lang)
    assert page.index('id="headline"') < page.index('class="manifest"') < page.index('id="summary"')
    doc = lxml_html.document_fromstring(page)
    (headline,) = doc.xpath("//section[@id='headline']")
    counts = {s.get("data-verdict"): int(s.xpath(".//span[@class='count']")[0].text) for s in headline.xpath(".//span[@class='skal-count']")}
    skal = [r for r in RUN.requirements if r.kind == "skal"]
    assert counts == {v.value: sum(r.verdict is v for r in skal) for v in (Verdict.MET, Verdict.NOT_MET, Verdict.UNVERIFIED, Verdict.NOT_APPLICABLE)}
    assert counts["MET"] == 2 and counts["UNVERIFIED"] == 3  # MARC-02 is MET by the override
    tested = headline.xpath(".//div[@class='tested']")[0].text_content()
    assert "marc: 3" in tested and "sip2: 2" in tested
    untested = headline.xpath(".//div[@class='untested']")[0]
    assert untested.text_content().count("2 ") == 1  # one SKIP and one NOT_TESTED
    assert not untested.xpath(".//a")  # Z-01 has no check, but N/A is procurement's, not "not tested"
    uncovered = RequirementResult(id="OAI-01", kind="skal", title_nb="OAI", title_en="OAI", area="OAI",
                                  proposed=Verdict.UNVERIFIED, checks=())
    wider = lxml_html.document_fromstring(render_html(replace(RUN, requirements=(*RUN.requirements, uncovered)), lang))
    assert wider.xpath("//div[@class='untested']//a/@href") == ["#req-OAI-01"]


def test_passing_checks_fold_away_and_a_fail_opens_to_its_evidence() -> None:
    doc = _doc("nb")
    for article in doc.xpath("//article[@class='check']"):
        (details,) = article.xpath("./details")
        assert (details.get("open") is not None) == (article.get("data-outcome") in ("FAIL", "ERROR", "FLAKY"))
        assert details.xpath("./summary/h3")
    (fail,) = doc.xpath("//article[@data-outcome='FAIL']")
    assert fail.xpath("./details[@open]//section[@class='evidence']")


def test_anchors_are_stable_and_every_internal_link_lands() -> None:
    doc = _doc("en")
    ids = set(doc.xpath("//@id"))
    assert "check-marc-test_export.py--test_leader_09" not in ids  # the fixture's ids start with scenarios/
    assert "check-scenarios-marc-test_export.py--test_leader_09" in ids
    assert "req-MARC-02" in ids
    for href in doc.xpath("//a/@href"):
        assert href[1:] in ids, href
    reordered = replace(RUN, checks=tuple(reversed(RUN.checks)))
    assert set(lxml_html.document_fromstring(render_html(reordered, "en")).xpath("//article/@id")) == set(doc.xpath("//article/@id"))


def _register(tmp_path: Path, text: str) -> DeviationRegister:
    path = tmp_path / "d.toml"
    path.write_text(text, encoding="utf-8")
    return load_deviations(path, load_register(), [c.id for c in CHECKS])


def test_deviations_stand_beside_the_verdict_and_an_expired_promise_is_flagged(tmp_path: Path) -> None:
    register = _register(tmp_path, 'vendor = "Bibliotekssystem Å"\n'
                         '[[deviation]]\nrequirement = "SRU-01"\nreason = "SRU comes in <release> 25"\nfix_by = 2025-02-01\nticket = "T-1"\n'
                         '[[deviation]]\ncheck = "scenarios/marc/test_roundtrip.py::test_fields_unchanged"\nreason = "known"\nfix_by = 2026-01-01\n')
    page = render_html(RUN, "en", register)
    assert "&lt;release&gt;" in page
    doc = lxml_html.document_fromstring(page)
    (sru,) = doc.xpath("//tr[@id='req-SRU-01']")
    assert sru.get("data-verdict") == "UNVERIFIED"  # never changed by the deviation
    box = sru.xpath(".//div[@class='deviation']")[0].text_content()
    assert "T-1" in box and "EXPIRED" in box  # 2025-02-01 is before the run of 2025-03-01
    (marc,) = doc.xpath("//tr[@id='req-MARC-02']")
    assert "EXPIRED" not in marc.text_content() and marc.xpath(".//div[@class='deviation']")  # through its check
    (fail,) = doc.xpath("//article[@data-outcome='FAIL']")
    assert fail.xpath(".//div[@class='deviation']")
    assert [r.get("id") for r in doc.xpath("//section[@id='deviations']//tr[@id]")] == ["dev-1", "dev-2"]
    assert render_html(RUN, "en").count('class="deviation"') == 0


def test_write_reports_keeps_the_register_as_given_and_drops_a_stale_one(tmp_path: Path) -> None:
    text = 'vendor = "Bibliotekssystem Å"\n[[deviation]]\nrequirement = "SRU-01"\nreason = "r"\n'
    paths = write_reports(RUN, tmp_path / "out", deviations=_register(tmp_path, text))
    assert paths["deviations"].read_text(encoding="utf-8") == text
    write_reports(RUN, tmp_path / "out")
    assert not (tmp_path / "out" / "deviations.toml").exists()


def test_time_to_visibility_is_charted_when_a_check_reports_it() -> None:
    assert 'id="timings"' not in render_html(RUN, "nb")
    timed = replace(RUN, checks=(*RUN.checks, CheckResult(
        id="scenarios/sru/test_catalogue.py::test_visible", title="visible", requirements=("KAT-02",), outcome=Outcome.PASS,
        message="imported over MARC for NO-1, findable over SRU 1.840 s after the import returned")))
    doc = lxml_html.document_fromstring(render_html(timed, "nb"))
    (section,) = doc.xpath("//section[@id='timings']")
    assert section.xpath(".//svg[@class='chart']//rect")
    assert [c.text_content() for c in section.xpath(".//table//td[@class='num']")] == ["1,840"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("findable over SRU 1.840 s after the import returned", [("SRU", 1.84)]),
        ("time to visibility over Z39.50: 250 ms", [("Z39.50", 0.25)]),
        ("visible in the OAI-PMH harvest after 12,5 s", [("OAI-PMH harvest", 12.5)]),
        ("import took 0.2 s; 3 searches by ISBN over SRU", []),
        ("not findable 60.0 s after the import returned", []),
    ],
)
def test_times_to_visibility_are_read_from_the_checks_words(text: str, found: list[tuple[str, float]]) -> None:
    from harness.reporting.timings import timings_in

    assert list(timings_in(text)) == found
