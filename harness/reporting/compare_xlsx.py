"""compare.xlsx: the comparison as a workbook, one sheet per view, for procurement's scorecards.

Sheets (named in the report language): the skal gate, the requirements × runs matrix, bør
score inputs, changes between rounds, declared deviations, and the runs. As in scorecard.xlsx:
verdicts are translated *and* coloured, with the code in its own column for formulas; weights,
counts and shares are numbers (the share formatted as a percentage), dates are dates; every
text from a run is a string cell, never a formula. The matrix carries both the bokmål and the
English title, and each verdict links to its evidence in the run's scorecard.html.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from harness.reporting.anchors import requirement_anchor
from harness.reporting.comparison import Comparison, deviation_rows
from harness.reporting.i18n import (
    check_lang,
    kind_label,
    scope_lines,
    ui,
    verdict_label,
)
from harness.reporting.xlsx_report import (
    _RED,
    _VERDICT_COLOURS,
    Cell,
    _Colour,
    _write,
    cell_text,
)
from harness.results import Verdict

_GREEN_TEXT = ("DFF3E4", "0A4419")
_HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
_WRAP = Alignment(vertical="top", wrap_text=True)
_CHANGE_COLOURS = {"became_met": _VERDICT_COLOURS[Verdict.MET], "regressed": _VERDICT_COLOURS[Verdict.NOT_MET],
                   "newly_unverified": _VERDICT_COLOURS[Verdict.UNVERIFIED], "improved": _VERDICT_COLOURS[Verdict.PARTIAL],
                   "changed": _VERDICT_COLOURS[Verdict.NOT_APPLICABLE]}

XCell = Cell | date


def _verdict(verdict: Verdict | None, lang: str) -> Cell:
    if verdict is None:
        return ""
    return _Colour(verdict_label(verdict, lang), _VERDICT_COLOURS[verdict])


def _sheet(ws: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[XCell]], lang: str,
           links: dict[tuple[int, int], str] | None = None) -> None:
    """Header row (bold, frozen, filtered), the rows, widths from the content (capped)."""
    widths = [len(h) for h in headers]
    for number, text in enumerate(headers, start=1):
        head = ws.cell(row=1, column=number, value=cell_text(text, lang))
        head.font, head.fill, head.alignment = Font(bold=True), _HEADER_FILL, _WRAP
    for row_number, values in enumerate(rows, start=2):
        for number, value in enumerate(values, start=1):
            cell = ws.cell(row=row_number, column=number)
            if isinstance(value, date):
                cell.value, cell.number_format = value, "yyyy-mm-dd"
            else:
                _write(ws, row_number, number, value, lang)
            cell.alignment = _WRAP
            text = value.text if isinstance(value, _Colour) else "" if value is None else str(value)
            widths[number - 1] = max(widths[number - 1], min(len(text), 60))
    for (row_number, number), target in (links or {}).items():
        ws.cell(row=row_number, column=number).hyperlink = target
    for number, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(number)].width = max(width, 6) + 2
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(len(rows) + 1, 1)}"


def _gate_sheet(ws: Worksheet, comparison: Comparison, lang: str) -> None:
    t = ui(lang)
    headers = [t["run"], t["vendor"], t["round"], t["gate_result"], t["gate_met"], t["gate_not_met"], t["gate_unverified"],
               t["gate_partial"], t["gate_na"], t["count"], f'{t["gate_not_met"]} (id)', f'{t["gate_unverified"]} (id)']
    rows: list[list[XCell]] = []
    for g in comparison.gates():
        result = _Colour(t["gate_open"], _GREEN_TEXT) if g.passed else _Colour(t["gate_closed"], _RED)
        rows.append([g.column.label, g.column.vendor, g.column.round, result, len(g.met), len(g.not_met), len(g.unverified),
                     len(g.partial), len(g.not_applicable), g.total, " ".join(g.not_met), " ".join(g.unverified)])
    _sheet(ws, headers, rows, lang)


def _matrix_sheet(ws: Worksheet, comparison: Comparison, lang: str) -> None:
    t = ui(lang)
    headers = [t["requirement"], t["external_id"], t["kind"], t["title_nb"], t["title_en"], t["weight_short"], t["award_criterion"]]
    fixed = len(headers)
    for column in comparison.columns:
        headers += [column.label, f"{column.label}: {t['verdict_code']}"]
    headers.append(t["override"] + " / " + t["deviation"])
    rows: list[list[XCell]] = []
    links: dict[tuple[int, int], str] = {}
    for row_number, req in enumerate(comparison.requirements, start=2):
        row: list[XCell] = [req.id, req.external_id, kind_label(req.kind, lang), req.title_nb, req.title_en, req.weight, req.award_criterion]
        notes = []
        for index, column in enumerate(comparison.columns):
            found = column.requirement(req.id)
            row += [_verdict(found.verdict if found else None, lang), found.verdict.value if found else ""]
            if column.link and found:
                links[(row_number, fixed + 2 * index + 1)] = f"{column.link}#{requirement_anchor(req.id)}"
            if found and found.override:
                notes.append(f"{column.label}: {t['overridden_short']}: {found.override.reason}")
            for dev in column.deviations_for(found or req):
                expired = f" ({t['expired']})" if dev.expired(column.date) else ""
                notes.append(f"{column.label}: {t['deviation']} #{dev.number}{expired}: {dev.reason}")
        row.append("\n".join(notes))
        rows.append(row)
    _sheet(ws, headers, rows, lang, links)


def _score_sheet(ws: Worksheet, comparison: Comparison, lang: str) -> None:
    t = ui(lang)
    keys = ("criterion", "run", "vendor", "round", "weight_total", "weight_met", "weight_partial", "weight_not_met",
            "weight_unverified", "share_met", "unweighted", "na_count")
    rows: list[list[XCell]] = [[s.criterion or t["no_criterion"], s.column.label, s.column.vendor, s.column.round, s.weight_total,
                                s.weight_met, s.weight_partial, s.weight_not_met, s.weight_unverified, s.share_met, s.unweighted,
                                s.not_applicable] for s in comparison.score_inputs()]
    _sheet(ws, [t[k] for k in keys], rows, lang)
    for row_number in range(2, len(rows) + 2):
        ws.cell(row=row_number, column=10).number_format = "0.0%"


def _delta_sheet(ws: Worksheet, comparison: Comparison, lang: str) -> None:
    t = ui(lang)
    headers = [t["vendor"], t["from_round"], t["to_round"], t["requirement"], t["kind"], t["title_nb"], t["title_en"],
               t["before"], t["after"], t["change"], t["verdict_code"]]
    rows: list[list[XCell]] = [[d.vendor, d.before.round, d.after.round, d.requirement.id, kind_label(d.requirement.kind, lang),
                                d.requirement.title_nb, d.requirement.title_en, _verdict(d.old, lang), _verdict(d.new, lang),
                                _Colour(t[d.change], _CHANGE_COLOURS[d.change]), d.change] for d in comparison.deltas()]
    _sheet(ws, headers, rows, lang)


def _deviation_sheet(ws: Worksheet, comparison: Comparison, lang: str) -> None:
    t = ui(lang)
    headers = [t["vendor"], t["round"], t["started"], "#", t["requirement"], t["check"], t["reason"], t["fix_by"], t["ticket"],
               t["status"], t["expired"]]
    rows: list[list[XCell]] = []
    for row in deviation_rows(comparison):
        dev = row.deviation
        for column, status in row.statuses:
            expired = _Colour(t["yes"], _RED) if dev.expired(column.date) else t["no"]
            shown: Cell = _verdict(Verdict(status), lang) if status in {v.value for v in Verdict} else status
            rows.append([row.vendor, column.round, column.date, dev.number, dev.requirement, dev.check, dev.reason, dev.fix_by,
                         dev.ticket, shown, expired])
    _sheet(ws, headers, rows, lang)


def _runs_sheet(ws: Worksheet, comparison: Comparison, lang: str) -> None:
    t = ui(lang)
    headers = [t["vendor"], t["round"], t["started"], t["suite_version"], t["git_revision"], t["sandbox_defects"], t["scope"],
               t["checks_total"], t["checks_fail"]]
    rows: list[list[XCell]] = []
    links: dict[tuple[int, int], str] = {}
    for row_number, c in enumerate(comparison.columns, start=2):
        m = c.run.manifest
        scope = "\n".join(scope_lines(m, lang)) or t["scope_complete"]
        rows.append([c.vendor, c.round, m.started, m.suite_version, m.git_revision, ", ".join(m.sandbox_defects) or t["none"], scope,
                     len(c.run.checks), sum(1 for ch in c.run.checks if ch.outcome.value == "FAIL")])
        if c.link:
            links[(row_number, 1)] = c.link
    _sheet(ws, headers, rows, lang, links)


def render_compare_xlsx(comparison: Comparison, lang: str = "nb") -> bytes:
    t = ui(check_lang(lang))
    workbook = Workbook()
    first = workbook.active
    assert first is not None  # a new Workbook always has one sheet
    first.title = t["sheet_gate"]
    _gate_sheet(first, comparison, lang)
    for key, build in (("sheet_matrix", _matrix_sheet), ("sheet_score", _score_sheet), ("sheet_deltas", _delta_sheet),
                       ("sheet_deviations", _deviation_sheet), ("sheet_runs", _runs_sheet)):
        build(workbook.create_sheet(t[key]), comparison, lang)
    props = workbook.properties
    props.title, props.creator, props.language = t["compare_title"], "harness", lang
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
