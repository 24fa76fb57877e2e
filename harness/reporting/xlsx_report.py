"""scorecard.xlsx: the run as an Excel workbook, for procurement officers' scorecards.

requirements.csv is for formulas and tools, but double-clicked in a Norwegian-locale Excel
(whose list separator is ";") every row lands in one column. This workbook opens right anywhere and
has three sheets, named in the report language:

=====================  ==================================================================
Krav / Requirements    one row per requirement: verdict translated *and* as its code
Kontroller / Checks    one row per check: outcome translated and as its code, message
Kjøring / Run          the run's manifest as key/value rows
=====================  ==================================================================

Codes (``MET``, ``NOT_MET``, ``FAIL``) sit in their own columns so spreadsheet formulas do
not change with the language; the translated column is coloured, and the colour is never the
only sign (the same palette as the HTML scorecard). Check counts come from
:func:`~harness.reporting.csv_report.requirement_row`, so they agree with the CSV.

Every value from the run is written as a string cell, never as a formula: a target's message
that starts with ``=`` must not become a live formula on an evaluator's machine. Control
characters (MARC's 0x1D, 0x1E, 0x1F), which XLSX's XML cannot hold, are written as visible
``\\x1d`` the way junit.xml writes them. Only weights, check counts and the duration are
numbers.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from harness.reporting.csv_report import requirement_row
from harness.reporting.i18n import check_lang, kind_label, outcome_label, scope_lines, ui, verdict_label
from harness.reporting.junit import visible_controls
from harness.results import CheckResult, Outcome, RequirementResult, RunResult, Verdict

# Excel refuses (offers to "repair") a cell longer than this; openpyxl would cut silently.
MAX_CELL_CHARS = 32_767

Value = str | int | float | None

# (background, text): the HTML scorecard's pairs, each with a contrast ratio above 7:1.
_GREEN, _RED, _YELLOW, _VIOLET, _GREY = (
    ("DFF3E4", "0A4419"), ("FBE0E0", "7A0B0B"), ("FFF1C7", "533A00"), ("E9E6F7", "2F1F73"), ("EEEEEE", "333333"),
)
_VERDICT_COLOURS = {
    Verdict.MET: _GREEN,
    Verdict.NOT_MET: _RED,
    Verdict.PARTIAL: _YELLOW,
    Verdict.UNVERIFIED: _VIOLET,
    Verdict.NOT_APPLICABLE: _GREY,
}
_OUTCOME_COLOURS = {
    Outcome.PASS: _GREEN,
    Outcome.FAIL: _RED,
    Outcome.WARN: _YELLOW,
    Outcome.ERROR: _VIOLET,
    Outcome.FLAKY: _VIOLET,
    Outcome.SKIP: _GREY,
    Outcome.NOT_TESTED: _GREY,
}
_HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
_BOLD = Font(bold=True)
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)


@dataclass(frozen=True, slots=True)
class _Column:
    header: str  # key in i18n.ui
    max_width: int  # characters; the content decides below this
    wrap: bool = False


@dataclass(frozen=True, slots=True)
class _Colour:
    """A cell value shown on a coloured background; the text itself says the same thing."""

    text: str
    colours: tuple[str, str]


Cell = Value | _Colour

_REQUIREMENT_COLUMNS = (
    _Column("requirement", 12),
    _Column("external_id", 14),
    _Column("kind", 14),
    _Column("req_title", 50, wrap=True),
    _Column("verdict", 18),
    _Column("verdict_code", 14),
    _Column("proposed", 18),
    _Column("proposed_code", 14),
    _Column("override_reason", 50, wrap=True),
    _Column("override_by", 20),
    _Column("weight_short", 10),
    _Column("award_criterion", 24, wrap=True),
    _Column("checks_total", 12),
    _Column("checks_pass", 12),
    _Column("checks_fail", 12),
    _Column("checks_unverified", 12),
)

_CHECK_COLUMNS = (
    _Column("node_id", 45, wrap=True),
    _Column("check", 40, wrap=True),
    _Column("suite", 10),
    _Column("requirements", 20, wrap=True),
    _Column("outcome", 18),
    _Column("outcome_code", 14),
    _Column("message", 60, wrap=True),
    _Column("clause", 30, wrap=True),
    _Column("reproduce", 50, wrap=True),
)


def cell_text(text: str, lang: str) -> str:
    """``text`` as XLSX can hold it: controls made visible, cut (with a note) at Excel's limit."""
    text = visible_controls(text)
    if len(text) <= MAX_CELL_CHARS:
        return text
    template = " … [" + ui(lang)["truncated"] + "]"
    # The note's length depends on the count it states; the longest possible note fixes the cut.
    keep = MAX_CELL_CHARS - len(template.format(count=len(text)))
    return text[:keep] + template.format(count=len(text) - keep)


def _title(req: RequirementResult, lang: str) -> str:
    # Fall back to the other language rather than leave the cell empty (as the HTML does).
    first, second = (req.title_en, req.title_nb) if lang == "en" else (req.title_nb, req.title_en)
    return first or second


def _requirement(run: RunResult, req: RequirementResult, lang: str) -> list[Cell]:
    row = requirement_row(run, req)
    return [
        req.id,
        req.external_id,
        kind_label(req.kind, lang),
        _title(req, lang),
        _Colour(verdict_label(req.verdict, lang), _VERDICT_COLOURS[req.verdict]),
        row["verdict"],
        _Colour(verdict_label(req.proposed, lang), _VERDICT_COLOURS[req.proposed]),
        row["proposed_verdict"],
        row["override_reason"],
        req.override.by if req.override else "",
        req.weight,  # a number, or an empty cell when procurement has not weighted it
        req.award_criterion,
        row["checks_total"],
        row["checks_pass"],
        row["checks_fail"],
        row["checks_unverified"],
    ]


def _check(check: CheckResult, lang: str) -> list[Cell]:
    return [
        check.id,
        check.title,
        check.suite,
        ", ".join(check.requirements),
        _Colour(outcome_label(check.outcome, lang), _OUTCOME_COLOURS[check.outcome]),
        check.outcome.value,
        check.message,
        check.evidence[0].clause if check.evidence else "",
        check.reproduce,
    ]


def _write(ws: Worksheet, row: int, column: int, value: Cell, lang: str) -> None:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, _Colour):
        background, text = value.colours
        cell.fill = PatternFill("solid", fgColor=background)
        cell.font = Font(bold=True, color=text)
        value = value.text
    if value is None or value == "":
        return
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
        return
    cell.value = cell_text(str(value), lang)
    cell.data_type = "s"  # openpyxl makes "=..." a formula; from a target it is only text


def _display_width(value: Cell) -> int:
    if isinstance(value, _Colour):
        value = value.text
    if value is None:
        return 0
    if isinstance(value, float):
        value = f"{value:g}"
    return max((len(line) for line in str(value).split("\n")), default=0)


def _table(ws: Worksheet, columns: Sequence[_Column], rows: Iterable[Sequence[Cell]], lang: str) -> None:
    """A header row (bold, frozen, filtered, repeated on printed pages) and the rows below it."""
    t = ui(lang)
    widths = [len(t[c.header]) for c in columns]
    for number, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=number, value=t[column.header])
        cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, _WRAP
    last_row = 1
    for last_row, values in enumerate(rows, start=2):
        for number, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            _write(ws, last_row, number, value, lang)
            ws.cell(row=last_row, column=number).alignment = _WRAP if column.wrap else _TOP
            widths[number - 1] = max(widths[number - 1], _display_width(value))
    for number, (column, width) in enumerate(zip(columns, widths), start=1):
        ws.column_dimensions[get_column_letter(number)].width = min(max(width, 6), column.max_width) + 2
    last_column = get_column_letter(len(columns))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last_column}{last_row}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    if ws.sheet_properties.pageSetUpPr is not None:  # always set by openpyxl; the stubs allow None
        ws.sheet_properties.pageSetUpPr.fitToPage = True


def _run_sheet(ws: Worksheet, run: RunResult, lang: str) -> None:
    t, m = ui(lang), run.manifest
    scope = scope_lines(m, lang) or [t["scope_complete"]]
    rows: list[tuple[str, Value]] = [
        ("scope", "\n".join(scope)),
        ("target", m.target),
        ("negotiation_round", m.negotiation_round),
        ("suite_version", m.suite_version),
        ("git_revision", m.git_revision),
        ("started", m.started),
        ("duration", m.duration),
        ("read_only", t["yes"] if m.read_only else t["no"]),
        ("sandbox_defects", ", ".join(m.sandbox_defects) or t["none"]),
        ("command", m.command),
    ]
    for number, (key, value) in enumerate(rows, start=1):
        label = ws.cell(row=number, column=1, value=t[key])
        label.font, label.alignment = _BOLD, _TOP
        _write(ws, number, 2, value, lang)
        ws.cell(row=number, column=2).alignment = _WRAP
        if key == "duration":
            # A number, so Excel shows the locale's decimal comma; the unit is only a format.
            ws.cell(row=number, column=2).number_format = f'0.0" {t["seconds"]}"'
    if scope_lines(m, lang):  # what the run did not do stands out: red, like a failed check
        ws.cell(row=1, column=2).fill = PatternFill("solid", fgColor=_RED[0])
        ws.cell(row=1, column=2).font = Font(bold=True, color=_RED[1])
    ws.column_dimensions["A"].width = max(len(t[key]) for key, _ in rows) + 2
    ws.column_dimensions["B"].width = min(max(_display_width(v) for _, v in rows), 80) + 2


def _created(started: str) -> datetime | None:
    # The workbook's "created" property is the run's start (UTC, as XLSX assumes), not "now".
    try:
        moment = datetime.fromisoformat(started)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def render_xlsx(run: RunResult, lang: str = "nb") -> bytes:
    """The workbook as bytes; nothing touches the disk (``write_reports`` writes it)."""
    t = ui(check_lang(lang))
    workbook = Workbook()
    requirements = workbook.active
    assert requirements is not None  # a new Workbook always has one sheet
    requirements.title = t["requirements"]
    _table(requirements, _REQUIREMENT_COLUMNS, (_requirement(run, r, lang) for r in run.requirements), lang)
    checks = workbook.create_sheet(t["checks"])
    _table(checks, _CHECK_COLUMNS, (_check(c, lang) for c in run.checks), lang)
    run_sheet = workbook.create_sheet(t["run_sheet"])
    _run_sheet(run_sheet, run, lang)
    if scope_lines(run.manifest, lang):
        # A partial, interrupted or unreachable run opens on the sheet that says so.
        workbook.active = workbook.sheetnames.index(run_sheet.title)

    props = workbook.properties
    props.title = cell_text(f"{t['title']}: {run.manifest.target}", lang)
    props.creator = "harness"
    props.language = lang
    created = _created(run.manifest.started)
    if created is not None:
        props.created = created
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
