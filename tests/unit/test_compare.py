"""The comparison of vendors and rounds: its rules, and its HTML, XLSX and CSV read back as their readers read them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook
from procurement_runs import AURORA, NORDLYS, deviations, mapped, three_runs, with_round

from harness.reporting.compare_csv import render_compare_csv
from harness.reporting.compare_html import render_compare_html
from harness.reporting.compare_xlsx import render_compare_xlsx
from harness.reporting.comparison import (
    Change,
    Column,
    Comparison,
    build,
    classify_change,
    deviation_rows,
    round_key,
)
from harness.results import Verdict

V = Verdict


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    tmp = tmp_path_factory.mktemp("compare")
    reg = mapped(tmp)
    aurora_devs = deviations(tmp, reg)
    runs = three_runs(reg)
    columns = [Column(r, f"../{r.manifest.target[:6]}-{r.manifest.negotiation_round}/scorecard.html",
                      aurora_devs if r.manifest.target == AURORA else None) for r in runs]
    return build(list(reversed(columns)))  # the order given does not matter


@pytest.mark.parametrize(
    ("old", "new", "change"),
    [
        (V.NOT_MET, V.MET, Change.BECAME_MET), (V.UNVERIFIED, V.MET, Change.BECAME_MET), (V.PARTIAL, V.MET, Change.BECAME_MET),
        (V.MET, V.NOT_MET, Change.REGRESSED), (V.MET, V.PARTIAL, Change.REGRESSED), (V.PARTIAL, V.NOT_MET, Change.REGRESSED),
        (V.MET, V.UNVERIFIED, Change.NEWLY_UNVERIFIED), (V.NOT_MET, V.UNVERIFIED, Change.NEWLY_UNVERIFIED),
        (V.NOT_MET, V.PARTIAL, Change.IMPROVED), (V.UNVERIFIED, V.NOT_MET, Change.OTHER), (V.MET, V.NOT_APPLICABLE, Change.OTHER),
        (V.MET, V.MET, None), (V.UNVERIFIED, V.UNVERIFIED, None),
    ],
)
def test_changes_between_rounds_are_classified(old: Verdict, new: Verdict, change: str | None) -> None:
    assert classify_change(old, new) == change


def test_rounds_are_ordered_as_numbers() -> None:
    assert sorted(["10", "2", "runde 10", "runde 2", "1"], key=round_key) == ["1", "2", "10", "runde 2", "runde 10"]


def test_columns_are_vendors_by_name_then_rounds(comparison: Comparison) -> None:
    assert [c.label for c in comparison.columns] == [f"{AURORA} · 1", f"{AURORA} · 2", f"{NORDLYS} · 1"]
    assert comparison.vendors == [AURORA, NORDLYS]


def test_the_skal_gate_lists_not_met_apart_from_unverified(comparison: Comparison) -> None:
    gates = {g.column.label: g for g in comparison.gates()}
    round1, round2, nordlys = gates[f"{AURORA} · 1"], gates[f"{AURORA} · 2"], gates[f"{NORDLYS} · 1"]
    assert round1.not_met == ("MARC-02", "SIP-05") and not round1.passed
    assert round2.not_met == ("MARC-01", "SIP-05") and "SIP-06" in round2.unverified  # an ERROR is not a NOT_MET
    assert "SIP-06" in nordlys.met  # the evaluator's override counts, as in the scorecard
    assert "KAT-01" in nordlys.unverified  # no check in the run: never counted as met
    assert all(g.total == len(g.met) + len(g.not_met) + len(g.unverified) + len(g.partial) + len(g.not_applicable) for g in gates.values())


def test_score_inputs_sum_the_weights_per_award_criterion(comparison: Comparison) -> None:
    inputs = {(s.column.label, s.criterion): s for s in comparison.score_inputs()}
    security = inputs[(f"{AURORA} · 1", "Sikkerhet")]  # SIP-07 (weight 4) FAILed in round 1
    assert (security.weight_total, security.weight_met, security.weight_not_met, security.share_met) == (4, 0, 4, 0)
    function = inputs[(f"{NORDLYS} · 1", "Funksjonalitet")]  # SIP-08 SKIPped: unverified, not met
    assert (function.weight_total, function.weight_met, function.weight_unverified) == (2, 0, 2)
    quality = inputs[(f"{NORDLYS} · 1", "Kvalitet")]
    assert (quality.weight_met, quality.share_met) == (5, 1.0)
    unmapped = inputs[(f"{NORDLYS} · 1", "")]  # the bør requirements procurement gave no criterion
    assert unmapped.not_applicable == 1 and unmapped.unweighted >= 1 and unmapped.share_met is None


def test_deltas_say_what_became_met_regressed_and_became_unverified(comparison: Comparison) -> None:
    found = [(d.requirement.id, d.old, d.new, d.change) for d in comparison.deltas()]
    assert found == [
        ("MARC-02", V.NOT_MET, V.MET, Change.BECAME_MET),
        ("MARC-01", V.MET, V.NOT_MET, Change.REGRESSED),
        ("SIP-06", V.MET, V.UNVERIFIED, Change.NEWLY_UNVERIFIED),
    ]
    assert all(d.vendor == AURORA for d in comparison.deltas())  # Nordlys has one round: nothing to compare


def test_deviation_rows_show_each_round_and_flag_expired_promises(comparison: Comparison) -> None:
    rows = deviation_rows(comparison)
    assert [(r.vendor, r.deviation.subject) for r in rows] == [(AURORA, "SIP-05"), (AURORA, "sip2/test_wire.py::test_tls")]
    routing, tls = rows
    assert [s for _, s in routing.statuses] == ["NOT_MET", "NOT_MET"] and routing.expired  # fix_by 2025-01-15
    assert [s for _, s in tls.statuses] == ["FAIL", "FAIL"] and not tls.expired  # fix_by 2027-03-01


def test_a_deviation_never_changes_a_verdict(tmp_path: Path) -> None:
    reg = mapped(tmp_path)
    run = three_runs(reg)[0]
    plain = build([Column(run)])
    declared = build([Column(run, deviations=deviations(tmp_path, reg))])
    assert [g.not_met for g in plain.gates()] == [g.not_met for g in declared.gates()]
    assert render_compare_csv(plain)["compare-gate.csv"] == render_compare_csv(declared)["compare-gate.csv"]


# --- CSV ----------------------------------------------------------------------------------------


def _csv(comparison: Comparison, name: str) -> list[dict[str, str]]:
    data = render_compare_csv(comparison)[name]
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_matrix_is_one_row_per_requirement_and_run_with_codes(comparison: Comparison) -> None:
    rows = _csv(comparison, "compare-matrix.csv")
    assert len(rows) == 3 * len(comparison.requirements)
    sip05 = [r for r in rows if r["requirement"] == "SIP-05" and r["vendor"] == AURORA]
    assert [(r["round"], r["verdict"], r["deviations"], r["deviation_expired"]) for r in sip05] == [
        ("1", "NOT_MET", "#1", "yes"), ("2", "NOT_MET", "#1", "yes")]
    assert sip05[0]["evidence"] == "../Biblio-1/scorecard.html#req-SIP-05"
    sip07 = next(r for r in rows if r["requirement"] == "SIP-07" and r["vendor"] == AURORA)
    assert (sip07["weight"], sip07["award_criterion"], sip07["external_id"], sip07["deviations"]) == ("4", "Sikkerhet", "K5.7", "#2")
    override = next(r for r in rows if r["requirement"] == "SIP-06" and r["vendor"] == NORDLYS)
    assert (override["verdict"], override["override_reason"]) == ("MET", "Seen working in the demo of 3 March")


def test_csv_gate_score_deltas_and_deviations(comparison: Comparison) -> None:
    gate = _csv(comparison, "compare-gate.csv")
    assert [(r["vendor"], r["round"], r["all_skal_met"], r["not_met_ids"]) for r in gate][:2] == [
        (AURORA, "1", "no", "MARC-02 SIP-05"), (AURORA, "2", "no", "MARC-01 SIP-05")]
    score = _csv(comparison, "compare-score.csv")
    assert {(r["award_criterion"], r["share_met"]) for r in score if r["vendor"] == NORDLYS} >= {("Kvalitet", "1.0000"), ("Sikkerhet", "1.0000")}
    assert [r["change"] for r in _csv(comparison, "compare-deltas.csv")] == ["became_met", "regressed", "newly_unverified"]
    devs = _csv(comparison, "compare-deviations.csv")
    assert [(r["round"], r["requirement"] or r["check"], r["status"], r["expired"]) for r in devs] == [
        ("1", "SIP-05", "NOT_MET", "yes"), ("2", "SIP-05", "NOT_MET", "yes"),
        ("1", "sip2/test_wire.py::test_tls", "FAIL", "no"), ("2", "sip2/test_wire.py::test_tls", "FAIL", "no")]


# --- XLSX ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "sheets"), [
    ("nb", ["Skal-port", "Krav per leverandør", "Bør-poenggrunnlag", "Endringer", "Avvik", "Kjøringer"]),
    ("en", ["Skal gate", "Requirements x vendors", "Bør score inputs", "Round deltas", "Deviations", "Runs"]),
])
def test_xlsx_has_one_sheet_per_view_numbers_as_numbers_verdicts_coloured(comparison: Comparison, lang: str, sheets: list[str]) -> None:
    book = load_workbook(io.BytesIO(render_compare_xlsx(comparison, lang)))
    assert book.sheetnames == sheets
    gate = book[sheets[0]]
    first = comparison.gates()[0]
    assert (gate["E2"].value, gate["F2"].value, gate["J2"].value) == (len(first.met), len(first.not_met), first.total)
    assert gate["D2"].fill.fgColor.rgb.endswith("FBE0E0")  # not every skal met: red
    matrix = book[sheets[1]]
    headers = [c.value for c in matrix[1]]
    assert headers[3:5] == (["Tittel (bokmål)", "Tittel (engelsk)"] if lang == "nb" else ["Title (bokmål)", "Title (English)"])
    row = next(r for r in matrix.iter_rows(min_row=2) if r[0].value == "SIP-07")
    assert row[5].value == 4 and isinstance(row[5].value, (int, float))  # the weight is a number
    verdict = row[7]
    assert verdict.value == ("Ikke oppfylt" if lang == "nb" else "Not met") and verdict.fill.fgColor.rgb.endswith("FBE0E0")
    assert row[8].value == "NOT_MET"
    assert verdict.hyperlink.target == "../Biblio-1/scorecard.html#req-SIP-07"
    score = book[sheets[2]]
    share = next(r for r in score.iter_rows(min_row=2) if r[1].value == f"{NORDLYS} · 1" and r[0].value == "Kvalitet")[9]
    assert share.value == 1.0 and share.number_format == "0.0%"
    devs = book[sheets[4]]
    fix_by = devs["H2"].value
    assert fix_by is not None and fix_by.year == 2025  # a date cell, not text


def test_xlsx_never_writes_a_formula_from_a_run(tmp_path: Path) -> None:
    reg = mapped(tmp_path)
    runs = three_runs(reg)
    evil = with_round(runs[0], "=HYPERLINK(\"http://x\")")
    book = load_workbook(io.BytesIO(render_compare_xlsx(build([Column(evil)]), "en")))
    cells = [c for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)


# --- HTML ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_html_links_each_verdict_to_its_evidence_and_escapes_the_run(comparison: Comparison, lang: str) -> None:
    page = render_compare_html(comparison, lang)
    doc = lxml_html.document_fromstring(page)
    assert doc.get("lang") == lang
    (row,) = doc.xpath("//tr[@id='req-SIP-05']")
    cells = row.xpath("./td[@data-verdict]")
    assert [c.get("data-verdict") for c in cells] == ["NOT_MET", "NOT_MET", "MET"]
    assert cells[0].xpath(".//a[@class='evidence']/@href") == ["../Biblio-1/scorecard.html#req-SIP-05"]
    assert cells[0].xpath(".//span[@class='expired']")  # the promise of 2025-01-15 has expired
    assert "<b>comes</b>" not in page and "&lt;b&gt;comes&lt;/b&gt;" in page
    assert doc.xpath("//tr[@data-gate='closed']") and len(doc.xpath("//tr[@data-change]")) == 3
    assert not doc.xpath("//script[@src] | //link | //img | //iframe")
    for href in doc.xpath("//a/@href"):
        assert href.startswith(("#", "../")) and "http" not in href
    svg = doc.xpath("//svg[@class='chart']")
    assert svg and svg[0].xpath("./title") and len(svg[0].xpath(".//rect")) > 10
