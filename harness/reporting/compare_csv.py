"""The comparison as CSV files, one per view, in long form (one row per fact) for pivot tables.

Codes stay untranslated (``MET``, ``NOT_MET``, ``became_met``) like requirements.csv, so a
spreadsheet's formulas and a script's filters do not change with the report language. UTF-8
with a byte order mark and CRLF line ends, as requirements.csv (Excel reads æøå and Sámi right).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from harness.reporting.anchors import requirement_anchor
from harness.reporting.comparison import Column, Comparison, deviation_rows

_ENCODING = "utf-8-sig"

Row = Mapping[str, object]

MATRIX_COLUMNS = (
    "requirement", "external_id", "kind", "area", "title_nb", "title_en", "weight", "award_criterion",
    "vendor", "round", "verdict", "proposed_verdict", "override_reason", "deviations", "deviation_expired", "evidence",
)
GATE_COLUMNS = (
    "vendor", "round", "all_skal_met", "skal_total", "met", "not_met", "unverified", "partial", "not_applicable",
    "not_met_ids", "unverified_ids", "partial_ids",
)
SCORE_COLUMNS = (
    "vendor", "round", "award_criterion", "requirements", "weight_total", "weight_met", "weight_partial",
    "weight_not_met", "weight_unverified", "share_met", "unweighted", "not_applicable",
)
DELTA_COLUMNS = ("vendor", "from_round", "to_round", "requirement", "kind", "before", "after", "change")
DEVIATION_COLUMNS = (
    "vendor", "round", "run_date", "number", "requirement", "check", "reason", "fix_by", "ticket", "status", "expired",
)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _csv(columns: tuple[str, ...], rows: Iterable[Row]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode(_ENCODING)


def _evidence(column: Column, anchor: str) -> str:
    return f"{column.link}#{anchor}" if column.link else ""


def matrix_rows(comparison: Comparison) -> list[Row]:
    rows: list[Row] = []
    for req in comparison.requirements:
        for column in comparison.columns:
            found = column.requirement(req.id)
            devs = column.deviations_for(found or req)
            rows.append({
                "requirement": req.id, "external_id": req.external_id, "kind": req.kind, "area": req.area,
                "title_nb": req.title_nb, "title_en": req.title_en, "weight": _number(req.weight),
                "award_criterion": req.award_criterion, "vendor": column.vendor, "round": column.round,
                "verdict": found.verdict.value if found else "", "proposed_verdict": found.proposed.value if found else "",
                "override_reason": found.override.reason if found and found.override else "",
                "deviations": " ".join(f"#{d.number}" for d in devs),
                "deviation_expired": "yes" if any(d.expired(column.date) for d in devs) else ("no" if devs else ""),
                "evidence": _evidence(column, requirement_anchor(req.id)),
            })
    return rows


def gate_rows(comparison: Comparison) -> list[Row]:
    return [{
        "vendor": g.column.vendor, "round": g.column.round, "all_skal_met": "yes" if g.passed else "no",
        "skal_total": g.total, "met": len(g.met), "not_met": len(g.not_met), "unverified": len(g.unverified),
        "partial": len(g.partial), "not_applicable": len(g.not_applicable), "not_met_ids": " ".join(g.not_met),
        "unverified_ids": " ".join(g.unverified), "partial_ids": " ".join(g.partial),
    } for g in comparison.gates()]


def score_rows(comparison: Comparison) -> list[Row]:
    return [{
        "vendor": s.column.vendor, "round": s.column.round, "award_criterion": s.criterion,
        "requirements": " ".join(s.requirements), "weight_total": _number(s.weight_total), "weight_met": _number(s.weight_met),
        "weight_partial": _number(s.weight_partial), "weight_not_met": _number(s.weight_not_met),
        "weight_unverified": _number(s.weight_unverified),
        "share_met": "" if s.share_met is None else f"{s.share_met:.4f}", "unweighted": s.unweighted,
        "not_applicable": s.not_applicable,
    } for s in comparison.score_inputs()]


def delta_rows(comparison: Comparison) -> list[Row]:
    return [{
        "vendor": d.vendor, "from_round": d.before.round, "to_round": d.after.round, "requirement": d.requirement.id,
        "kind": d.requirement.kind, "before": d.old.value, "after": d.new.value, "change": d.change,
    } for d in comparison.deltas()]


def deviation_csv_rows(comparison: Comparison) -> list[Row]:
    rows: list[Row] = []
    for row in deviation_rows(comparison):
        dev = row.deviation
        for column, status in row.statuses:
            rows.append({
                "vendor": row.vendor, "round": column.round, "run_date": column.date.isoformat() if column.date else "",
                "number": dev.number, "requirement": dev.requirement, "check": dev.check, "reason": dev.reason,
                "fix_by": dev.fix_by.isoformat() if dev.fix_by else "", "ticket": dev.ticket, "status": status,
                "expired": "yes" if dev.expired(column.date) else "no",
            })
    return rows


def render_compare_csv(comparison: Comparison) -> dict[str, bytes]:
    """File name → contents, one CSV per view."""
    return {
        "compare-matrix.csv": _csv(MATRIX_COLUMNS, matrix_rows(comparison)),
        "compare-gate.csv": _csv(GATE_COLUMNS, gate_rows(comparison)),
        "compare-score.csv": _csv(SCORE_COLUMNS, score_rows(comparison)),
        "compare-deltas.csv": _csv(DELTA_COLUMNS, delta_rows(comparison)),
        "compare-deviations.csv": _csv(DEVIATION_COLUMNS, deviation_csv_rows(comparison)),
    }
