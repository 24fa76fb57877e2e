"""requirements.csv: one row per requirement, for procurement's evaluation spreadsheet.

Verdicts are written as their codes (``MET``, ``NOT_MET``, ``N/A``), not translated: the
spreadsheet's formulas and the comparison between vendors need values that do not change with
the report language. Check counts are taken from ``run.checks`` by requirement id, so they
agree with what the scorecard lists under each requirement.
"""

from __future__ import annotations

import csv
import io

from harness.results import PASSING_OUTCOMES, UNVERIFIED_OUTCOMES, Outcome, RequirementResult, RunResult

COLUMNS = (
    "id",
    "external_id",
    "kind",
    "title_nb",
    "title_en",
    "verdict",
    "proposed_verdict",
    "override_reason",
    "weight",
    "award_criterion",
    "checks_total",
    "checks_pass",
    "checks_fail",
    "checks_unverified",
)

# Excel only reads a CSV as UTF-8 when the file starts with a byte order mark; without it,
# Excel on Windows assumes the ANSI code page and shows "Ã¸" for "ø" and garbage for Sámi
# letters. The BOM is harmless to Python (encoding "utf-8-sig") and LibreOffice.
_ENCODING = "utf-8-sig"


def _weight(req: RequirementResult) -> str:
    # "%g" gives "2" and "2.5", not "2.0"; empty when procurement has not weighted it.
    return "" if req.weight is None else f"{req.weight:g}"


def requirement_row(run: RunResult, req: RequirementResult) -> dict[str, str | int]:
    outcomes = [c.outcome for c in run.checks if req.id in c.requirements]
    return {
        "id": req.id,
        "external_id": req.external_id,
        "kind": req.kind,
        "title_nb": req.title_nb,
        "title_en": req.title_en,
        "verdict": req.verdict.value,
        "proposed_verdict": req.proposed.value,
        "override_reason": req.override.reason if req.override else "",
        "weight": _weight(req),
        "award_criterion": req.award_criterion,
        "checks_total": len(outcomes),
        # WARN counts as a pass: a missed bør point does not fail a check (DESIGN.md).
        "checks_pass": sum(o in PASSING_OUTCOMES for o in outcomes),
        "checks_fail": sum(o is Outcome.FAIL for o in outcomes),
        # SKIP, NOT_TESTED, ERROR and FLAKY: the harness could not tell.
        "checks_unverified": sum(o in UNVERIFIED_OUTCOMES for o in outcomes),
    }


def render_csv(run: RunResult) -> bytes:
    """The CSV as bytes, BOM included, CRLF line ends (RFC 4180, what Excel writes too)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for req in run.requirements:
        writer.writerow(requirement_row(run, req))
    return buffer.getvalue().encode(_ENCODING)
