"""Render MARC problems and differences as evidence a vendor's engineer can act on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from harness.rules import Problem

MAX_LINES = 25


def problem_line(problem: Problem) -> str:
    """'record 3 (001 hx0000003) at byte 1234: [rule] message', the way a vendor finds it."""
    where = problem.position
    if where is None:
        return f"[{problem.rule.id}] {problem.message}"
    record = "the file" if where.record is None else f"record {where.record + 1}"
    if where.label:
        record += f" (001 {where.label})"
    return f"{record} at {where.unit} {where.offset}: [{problem.rule.id}] {problem.message}"


def summarise_problems(problems: Sequence[Problem]) -> tuple[str, list[str]]:
    """A one-line summary ('3 records: record-length-bytes ×3') and the first lines in full."""
    by_rule = Counter(p.rule.id for p in problems)
    records = len({p.position.record if p.position else None for p in problems})
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
