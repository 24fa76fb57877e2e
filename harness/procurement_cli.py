"""``harness compare``, ``harness archive`` and ``harness verify``: the procurement commands.

Kept out of ``cli.py`` so that file stays the thin front for running suites; ``cli.py``
registers these with :func:`add_commands` and shares its exit codes:

    harness compare RUN_DIR ... [--out DIR] [--lang nb|en] [--mapping FILE] [--deviations FILE ...] [--overwrite]
    harness archive RUN_DIR --out FILE [--overwrite]
    harness verify ARCHIVE [--expect SHA256]

compare exits like ``harness report`` (1 when a run has a FAIL, 3 an ERROR but no FAIL, else
0); verify exits 0 when the archive is intact, 1 when it changed; both exit 2 on a user error.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from harness.deviations import (
    RECORD_NAME,
    DeviationRegister,
    check_vendor,
    load_deviations,
)
from harness.errors import UsageError
from harness.requirements import Register
from harness.results import RunResult

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3


def register_for(mapping: str | None) -> Register:
    from harness.requirements import apply_mapping, load_register

    register = load_register()
    return apply_mapping(register, Path(mapping)) if mapping else register


def run_dir_of(path: Path) -> Path:
    return path if path.is_dir() else path.parent


def recorded_deviations(run_dir: Path, register: Register, run: RunResult) -> DeviationRegister | None:
    """The register a run was made with (``deviations.toml`` beside its reports), if any."""
    path = run_dir / RECORD_NAME
    if not path.is_file():
        return None
    found = load_deviations(path, register, (c.id for c in run.checks))
    check_vendor(found, [run.manifest.target], option=f"the recorded {RECORD_NAME}")
    return found


def combined_exit(runs: Sequence[RunResult]) -> int:
    from harness.cli import exit_code_for

    codes = {exit_code_for(r) for r in runs}
    return EXIT_FAIL if EXIT_FAIL in codes else EXIT_ERROR if EXIT_ERROR in codes else EXIT_OK


# --- harness compare ---------------------------------------------------------------------------


def _explicit_deviations(paths: Sequence[str], register: Register, runs: Sequence[RunResult]) -> dict[str, DeviationRegister]:
    known = {c.id for r in runs for c in r.checks}
    by_vendor: dict[str, DeviationRegister] = {}
    for path in paths:
        found = load_deviations(Path(path), register, known)
        check_vendor(found, [r.manifest.target for r in runs])
        if found.vendor in by_vendor:
            raise UsageError(f"{path}: a second register for '{found.vendor}' (first: {by_vendor[found.vendor].source}). "
                             "Fix: give one --deviations file per vendor")
        by_vendor[found.vendor] = found
    return by_vendor


def _check_out(out: Path, overwrite: bool) -> None:
    from harness.reporting import COMPARE_HTML

    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: is a file, not a directory. Fix: name a directory (it is created if missing)")
    if (out / COMPARE_HTML).exists() and not overwrite:
        raise UsageError(f"--out {out}: holds an earlier comparison. Fix: choose another --out, or add --overwrite")


def _link(run_dir: Path, out: Path) -> str:
    scorecard = run_dir / "scorecard.html"
    if not scorecard.is_file():
        return ""
    return quote(Path(os.path.relpath(scorecard.resolve(), out.resolve())).as_posix())


def cmd_compare(args: argparse.Namespace) -> int:
    from harness.reporting import load_results, write_compare
    from harness.reporting.comparison import Column, build
    from harness.verdicts import rebuild

    register = register_for(args.mapping)
    paths = [Path(p) for p in args.runs]
    loaded = [load_results(p) for p in paths]
    runs = []
    for path, run in zip(paths, loaded, strict=True):
        overrides = {r.id: r.override for r in run.requirements if r.override}  # the evaluators' decisions stay
        runs.append(rebuild(run.manifest, run.checks, register, overrides))
        if not run.checks:
            raise UsageError(f"{path}: the run has no checks. Fix: give the --report-dir of a run that ran")
    seen: dict[tuple[str, str], Path] = {}
    for path, run in zip(paths, runs, strict=True):
        key = (run.manifest.target, run.manifest.negotiation_round)
        if key in seen:
            raise UsageError(f"{path}: a second run of '{key[0]}' in round '{key[1]}' (first: {seen[key]}). "
                             "Fix: compare one run per vendor and round; merge repeated runs with `harness report` first")
        seen[key] = path
    explicit = _explicit_deviations(args.deviations, register, runs)
    out = Path(args.out)
    _check_out(out, args.overwrite)
    columns = []
    for path, run in zip(paths, runs, strict=True):
        run_dir = run_dir_of(path)
        deviations = explicit.get(run.manifest.target) or recorded_deviations(run_dir, register, run)
        columns.append(Column(run, _link(run_dir, out), deviations))
    for written in write_compare(build(columns), out, lang=args.lang):
        print(written)
    return combined_exit(runs)


# --- harness archive / verify --------------------------------------------------------------------


def cmd_archive(args: argparse.Namespace) -> int:
    from harness.archive import write_archive

    digest = write_archive(Path(args.run_dir), Path(args.out), overwrite=args.overwrite)
    print(f"harness archive: {args.out}")
    print(f"manifest SHA-256: {digest}")
    print("Record this hash in the case file; `harness verify FILE --expect HASH` proves the archive unchanged.")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from harness.archive import verify_archive

    result = verify_archive(Path(args.archive), expect=args.expect or "")
    if result.intact:
        print(f"harness verify: intact: {result.files} files, manifest SHA-256 {result.manifest_sha256}")
        return EXIT_OK
    print(f"harness verify: CHANGED: {args.archive}: {result.problems[0]}")
    for problem in result.problems[1:]:
        print(f"  also: {problem}")
    return EXIT_FAIL


def add_commands(sub: Any) -> None:
    compare = sub.add_parser("compare", help="vendors × requirements, the skal gate, bør score inputs and round deltas of several runs")
    compare.add_argument("runs", nargs="+", metavar="RUN_DIR", help="report directories (or their results.json / results.jsonl)")
    compare.add_argument("--out", default="harness-compare", metavar="DIR", help="where compare.html, .xlsx and the CSVs go")
    compare.add_argument("--overwrite", action="store_true", help="replace an earlier comparison in --out")
    compare.add_argument("--lang", choices=("nb", "en"), default="nb", help="language of the HTML and XLSX (default nb)")
    compare.add_argument("--mapping", metavar="FILE", help="procurement's mapping (award criteria, weights, N/A)")
    compare.add_argument("--deviations", action="append", default=[], metavar="FILE",
                         help="a vendor's declared-deviation register (repeatable, one per vendor; default: the one recorded with each run)")
    compare.set_defaults(func=cmd_compare)

    archive = sub.add_parser("archive", help="pack a run directory into one file with a SHA-256 manifest, for the record")
    archive.add_argument("run_dir", metavar="RUN_DIR", help="the --report-dir of a run")
    archive.add_argument("--out", required=True, metavar="FILE", help="the archive to write (a .tar)")
    archive.add_argument("--overwrite", action="store_true", help="replace an existing archive")
    archive.set_defaults(func=cmd_archive)

    verify = sub.add_parser("verify", help="check that an archive is unchanged (exit 0 intact, 1 changed)")
    verify.add_argument("archive", metavar="ARCHIVE", help="a file written by `harness archive`")
    verify.add_argument("--expect", metavar="SHA256", help="the manifest hash recorded when the archive was made")
    verify.set_defaults(func=cmd_verify)
