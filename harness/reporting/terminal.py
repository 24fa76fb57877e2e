"""The run as the terminal shows it at the end: what ran, what did not, and each fault.

First what the run did not do (a partial selection, an interruption, an unreachable or an
unconfigured protocol), then the counts, then each check that did not pass with its message
and, for a FAIL, what was sent, what came back and what was expected (never pytest's
``raise`` line), then the verdicts. Pure: lines in, nothing printed here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from harness.evidence import Evidence
from harness.results import Outcome, RunResult

WIDTH = 160  # characters of one evidence line shown; the full text is in the reports
EVIDENCE_LINES = 8  # lines of sent/received shown per FAIL


def first_line(text: str) -> str:
    # split("\n"), not splitlines(): MARC separators (0x1C-0x1E) are line breaks to the latter
    return text.split("\n", 1)[0]


def what_was_not_done(run: RunResult) -> Iterator[str]:
    manifest = run.manifest
    if manifest.interrupted:
        yield "INTERRUPTED: the run stopped before every selected check ran; the reports hold what ran"
    if manifest.suites or manifest.keyword or manifest.read_only:
        parts = [f"--suite {','.join(manifest.suites)}" if manifest.suites else "",
                 f"-k {manifest.keyword}" if manifest.keyword else "",
                 "--read-only" if manifest.read_only else ""]
        yield "PARTIAL RUN: selected " + " ".join(p for p in parts if p) + "; requirements without a check here are UNVERIFIED"
    for line in manifest.unreachable:
        yield f"UNREACHABLE: {line}"
    if manifest.not_configured:
        yield f"NOT CONFIGURED in the profile (their checks are NOT_TESTED): {', '.join(manifest.not_configured)}"


def _clipped(label: str, text: str) -> Iterator[str]:
    lines = text.split("\n")
    for line in lines[:EVIDENCE_LINES]:
        yield f"      {label} {line[:WIDTH]}"
        label = " " * len(label)
    if len(lines) > EVIDENCE_LINES:
        yield f"      {' ' * len(label)} ... ({len(lines) - EVIDENCE_LINES} more lines in the reports)"


def evidence_lines(evidence: Evidence) -> Iterator[str]:
    for exchange in evidence.exchanges[-3:]:  # the last exchanges are where the fault showed
        where = f" [{exchange.protocol} {exchange.endpoint}]".rstrip(" []") if exchange.protocol else ""
        if exchange.sent:
            yield from _clipped(f"sent{where}:", exchange.sent)
        yield from _clipped("received:", exchange.received or "(nothing)")
        if exchange.note:
            yield f"      note:     {exchange.note[:WIDTH]}"
    for problem in evidence.problems[:3]:
        yield f"      problem:  {str(problem)[:WIDTH]}"
    if evidence.expected:
        yield f"      expected: {first_line(evidence.expected)[:WIDTH]}"
    if evidence.clause:
        yield f"      clause:   {evidence.clause[:WIDTH]}"


def summary_lines(run: RunResult, report_dir: Path | None) -> Iterator[str]:
    yield from what_was_not_done(run)
    yield "  ".join(f"{o.value} {run.count(o)}" for o in Outcome if run.count(o))
    # Checks not judged for one reason are one line, whatever their number.
    grouped: dict[tuple[Outcome, str, str], int] = {}
    for check in run.checks:
        if check.outcome in (Outcome.SKIP, Outcome.NOT_TESTED):
            key = (check.outcome, check.suite, first_line(check.message))
            grouped[key] = grouped.get(key, 0) + 1
    for (outcome, suite, message), count in grouped.items():
        yield f"{outcome.value:<10} {suite} ({count} check{'s' if count > 1 else ''}): {message}"[:200]
    for check in run.checks:
        if check.outcome in (Outcome.PASS, Outcome.SKIP, Outcome.NOT_TESTED):
            continue
        yield f"{check.outcome.value:<10} {check.id}: {first_line(check.message)}"[:200]
        if check.outcome in (Outcome.FAIL, Outcome.FLAKY):
            for evidence in check.evidence[:1]:
                yield from evidence_lines(evidence)
            yield f"      again:    {check.reproduce}"
    verdicts = [r for r in run.requirements if r.checks]
    if verdicts:
        yield "requirements: " + ", ".join(f"{r.id} {r.verdict.value}" for r in verdicts)
    if report_dir is not None:
        yield f"reports written to {report_dir.resolve()}"
