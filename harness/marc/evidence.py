"""Render MARC problems and differences as evidence a vendor's engineer can act on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from harness.marc.iso2709 import Problem

MAX_LINES = 25


def problem_line(problem: Problem) -> str:
    record = f"record {problem.record_index + 1}"
    if problem.control_number:
        record += f" (001 {problem.control_number})"
    return f"{record} at {problem.position_unit} {problem.offset}: [{problem.rule}] {problem.message}"


def summarise_problems(problems: Sequence[Problem]) -> tuple[str, list[str]]:
    """A one-line summary ('3 records: record-length-bytes ×3') and the first lines in full."""
    by_rule = Counter(p.rule for p in problems)
    records = len({p.record_index for p in problems})
    summary = f"{len(problems)} problem(s) in {records} record(s): " + ", ".join(f"{r} ×{n}" for r, n in by_rule.most_common())
    lines = [problem_line(p) for p in problems[:MAX_LINES]]
    if len(problems) > MAX_LINES:
        lines.append(f"... and {len(problems) - MAX_LINES} more")
    return summary, lines


def clauses(problems: Iterable[Problem]) -> str:
    return "; ".join(sorted({p.clause for p in problems}))


def capped(lines: Sequence[str], limit: int = MAX_LINES) -> list[str]:
    if len(lines) <= limit:
        return list(lines)
    return list(lines[:limit]) + [f"... and {len(lines) - limit} more"]
