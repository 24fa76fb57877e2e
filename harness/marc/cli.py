"""``harness marc check``: validate an evaluator's export files, streaming.

Problems are printed as they are found (constant memory, whatever the file size); a
progress bar goes to stderr on a terminal for files over a few megabytes. ``--content``
adds the MARC 21 Bibliographic content designation warnings (harness.marc.content).
Exit 0: no FAIL (warnings are listed); 1: at least one FAIL; 2: unusable input.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from harness.errors import UsageError
from harness.marc.check import check_file
from harness.marc.evidence import problem_line
from harness.rules import Problem

PROGRESS_MIN_BYTES = 4 * 1024 * 1024


class ProgressBar:
    """A one-line bar on stderr, redrawn at most five times a second."""

    def __init__(self, label: str, stream: TextIO = sys.stderr) -> None:
        self.label = label
        self.stream = stream
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.2 and done < total:
            return
        self.last = now
        share = done / total if total else 1.0
        bar = "#" * int(share * 30)
        self.stream.write(f"\r{self.label} [{bar:<30}] {share:4.0%} {done / 1e6:,.1f} MB")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")


def _printer(quiet: bool, out: TextIO):  # type: ignore[no-untyped-def]
    def on_problem(problem: Problem) -> None:
        if not quiet:
            out.write(f"  {problem.severity.value:<4} {problem_line(problem)}\n")

    return on_problem


def check_one(path: Path, quiet: bool, out: TextIO, content: bool = False) -> int:
    show_bar = sys.stderr.isatty() and path.is_file() and path.stat().st_size >= PROGRESS_MIN_BYTES
    bar = ProgressBar(path.name) if show_bar else None
    out.write(f"{path}\n")
    try:
        report = check_file(path, on_problem=_printer(quiet, out), progress=bar, content=content)
    finally:
        if bar:
            bar.close()
    verdict = "FAIL" if report.fail_count else "PASS"
    rules = ", ".join(f"{rule} ×{n}" for rule, n in sorted(report.counts_by_rule.items()))
    out.write(
        f"  {verdict}: {report.records} record(s) ({report.format}), "
        f"{report.fail_count} FAIL, {report.warn_count} WARN" + (f" [{rules}]" if rules else "") + "\n"
    )
    return 1 if report.fail_count else 0


def check_files(paths: Sequence[Path], quiet: bool = False, out: TextIO = sys.stdout, content: bool = False) -> int:
    """Check each file; with ``content``, MARC 21 Bibliographic content warnings too (never a FAIL)."""
    worst = 0
    for path in paths:
        try:
            worst = max(worst, check_one(path, quiet, out, content))
        except UsageError as exc:
            print(f"harness: error: {exc}", file=sys.stderr)
            worst = 2
    return worst
