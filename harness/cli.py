"""``harness``: a thin front for pytest and the report writers.

    harness run [--target PROFILE] [--suite NAME ...] [--report-dir DIR] [--read-only]
                [--lang nb|en] [--sandbox-defect NAME ...] [--mapping FILE] [--overrides FILE]
    harness sandbox [--defect NAME ...] [--list-defects]
    harness requirements [--mapping FILE] [--lang nb|en]
    harness report RESULTS.json ... [--out DIR] [--lang nb|en] [--mapping FILE] [--overrides FILE]
    harness marc check FILE ...

Exit codes: 0 no FAIL and no ERROR; 1 a FAIL; 2 usage or profile error; 3 an ERROR but no FAIL.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.errors import UsageError
from harness.paths import SANDBOX_PROFILE, SCENARIOS_DIR
from harness.results import Outcome, RunResult

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3


def available_suites() -> list[str]:
    return sorted(p.name for p in SCENARIOS_DIR.iterdir() if p.is_dir() and any(p.glob("test_*.py")))


def exit_code_for(run: RunResult) -> int:
    if run.count(Outcome.FAIL) or run.count(Outcome.FLAKY):
        return EXIT_FAIL
    if run.count(Outcome.ERROR):
        return EXIT_ERROR
    return EXIT_OK


# --- harness run --------------------------------------------------------------------------


def _suite_paths(suites: Sequence[str]) -> list[str]:
    known = available_suites()
    for suite in suites:
        if suite not in known:
            raise UsageError(f"--suite {suite}: no such suite. Fix: use one of {', '.join(known)}")
    return [str(SCENARIOS_DIR / s) for s in (suites or known)]


def _validate_run_inputs(args: argparse.Namespace) -> None:
    """Fail fast, before pytest starts, on what the user got wrong (exit code 2)."""
    from harness.profile import load_profile
    from harness.requirements import apply_mapping, load_overrides, load_register
    from harness.sandbox.defects import resolve

    profile = load_profile(Path(args.target) if args.target else SANDBOX_PROFILE)
    resolve(args.sandbox_defect)
    if args.sandbox_defect and not profile.is_sandbox:
        raise UsageError("--sandbox-defect only applies to the embedded sandbox. Fix: drop --target, or drop the defects")
    register = load_register()
    if args.mapping:
        register = apply_mapping(register, Path(args.mapping))
    if args.overrides:
        load_overrides(Path(args.overrides), register)


class _Capture:
    """Receives the run's result from the harness plugin once the session is over."""

    def __init__(self) -> None:
        self.run: RunResult | None = None

    def pytest_sessionfinish(self, session: Any) -> None:
        from harness.pytest_plugin import STATE_KEY

        state = session.config.stash.get(STATE_KEY, None)
        self.run = state.run_result if state else None


def cmd_run(args: argparse.Namespace) -> int:
    import pytest

    _validate_run_inputs(args)
    paths = _suite_paths(args.suite)
    report_dir = Path(args.report_dir)
    pytest_args = [*paths, "--report-dir", str(report_dir), "--lang", args.lang, "-p", "no:cacheprovider", "-rN", "--tb=short"]
    pytest_args += ["--target", args.target] if args.target else []
    pytest_args += [a for d in args.sandbox_defect for a in ("--sandbox-defect", d)]
    pytest_args += ["--read-only"] if args.read_only else []
    pytest_args += ["--mapping", args.mapping] if args.mapping else []
    pytest_args += ["--overrides", args.overrides] if args.overrides else []
    pytest_args += ["--negotiation-round", args.negotiation_round] if args.negotiation_round else []
    pytest_args += ["-k", args.k] if args.k else []
    pytest_args += ["-x"] if args.exitfirst else []
    pytest_args += ["--invocation", "harness " + " ".join(shlex.quote(a) for a in args.argv)]
    pytest_args += args.pytest_args
    capture = _Capture()
    code = pytest.main(pytest_args, plugins=[capture])
    if code == pytest.ExitCode.USAGE_ERROR:
        return EXIT_USAGE
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("harness: error: no scenario matched the selection. Fix: check --suite and -k", file=sys.stderr)
        return EXIT_USAGE
    if capture.run is None or not capture.run.checks:
        return EXIT_ERROR
    print(f"\nharness: reports in {report_dir.resolve()} (results.json, junit.xml, scorecard.html, requirements.csv, scorecard.xlsx)")
    if code == pytest.ExitCode.INTERRUPTED and not capture.run.count(Outcome.FAIL):
        return EXIT_ERROR
    return exit_code_for(capture.run)


# --- harness sandbox ----------------------------------------------------------------------


def cmd_sandbox(args: argparse.Namespace) -> int:
    from harness.profile import load_profile
    from harness.sandbox.system import Sandbox
    from harness.sandbox.defects import CATALOGUE, resolve

    if args.list_defects:
        for defect in CATALOGUE:
            print(f"{defect.name}  [{defect.protocol}]\n    {defect.description}\n    must FAIL: {', '.join(defect.must_fail)}")
            if defect.seen_in:
                print(f"    seen in: {defect.seen_in}")
        return EXIT_OK
    defects = resolve(args.defect)
    box = Sandbox(load_profile(SANDBOX_PROFILE), defects)
    endpoints = box.start()
    try:
        print(f"harness sandbox: {len(box.consortium.records)} records, {len(box.consortium.libraries)} libraries"
              + (f", defects: {', '.join(sorted(defects))}" if defects else ""))
        for name, where in endpoints.describe():
            print(f"  {name:<12} {where}")
        print("Ctrl-C stops it.", flush=True)
        deadline = time.monotonic() + args.duration if args.duration else None
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        box.stop()
    return EXIT_OK


# --- harness requirements -------------------------------------------------------------------


class _CoverageCollector:
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def pytest_collection_finish(self, session: Any) -> None:
        from harness.pytest_plugin import requirement_ids

        for item in session.items:
            for req_id in requirement_ids(item):
                self.counts[req_id] = self.counts.get(req_id, 0) + 1


def scenario_coverage() -> dict[str, int]:
    """How many scenarios name each requirement, by collecting the suites (nothing runs)."""
    import contextlib
    import io

    import pytest

    collector = _CoverageCollector()
    with contextlib.redirect_stdout(io.StringIO()):
        pytest.main([str(SCENARIOS_DIR), "--collect-only", "-q", "-p", "no:cacheprovider"], plugins=[collector])
    return collector.counts


def cmd_requirements(args: argparse.Namespace) -> int:
    from harness.requirements import apply_mapping, load_register

    register = load_register()
    if args.mapping:
        register = apply_mapping(register, Path(args.mapping))
    coverage = scenario_coverage()
    print(f"{'id':<8} {'kind':<5} {'checks':>6}  {'mapped to':<12} title")
    for req in register.values():
        mapped = req.external_id + (f" (w {req.weight:g})" if req.weight is not None else "")
        print(f"{req.id:<8} {req.kind:<5} {coverage.get(req.id, 0):>6}  {mapped:<12} {req.title(args.lang)}")
    return EXIT_OK


# --- harness report -------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    from harness.reporting import load_results, write_reports
    from harness.requirements import apply_mapping, load_overrides, load_register
    from harness.results import merge_repeated
    from harness.verdicts import rebuild

    register = load_register()
    if args.mapping:
        register = apply_mapping(register, Path(args.mapping))
    overrides = load_overrides(Path(args.overrides), register) if args.overrides else {}
    runs = [load_results(Path(p)) for p in args.results]
    targets = {r.manifest.target for r in runs}
    if len(targets) > 1:
        raise UsageError(f"the results are of different targets ({', '.join(sorted(targets))}). Fix: rebuild one target at a time")
    checks = merge_repeated(r.checks for r in runs)
    run = rebuild(runs[-1].manifest, checks, register, overrides)
    paths = write_reports(run, Path(args.out), lang=args.lang)
    for path in paths.values():
        print(path)
    return exit_code_for(run)


# --- harness marc check ---------------------------------------------------------------------


def cmd_marc_check(args: argparse.Namespace) -> int:
    from harness.marc.cli import check_files

    return check_files([Path(f) for f in args.files], quiet=args.quiet)


# --- parser ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="harness", description="Library-system interoperability harness")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the suites against a target (default: the embedded sandbox)")
    run.add_argument("--target", metavar="PROFILE", help="target profile (TOML); default: start the embedded sandbox")
    run.add_argument("--suite", action="append", default=[], metavar="NAME", help="run only this suite (repeatable)")
    run.add_argument("--report-dir", default="harness-report", metavar="DIR", help="where the reports go (default ./harness-report)")
    run.add_argument("--read-only", action="store_true", help="skip scenarios that change the target's state")
    run.add_argument("--lang", choices=("nb", "en"), default="nb", help="scorecard language (default nb)")
    run.add_argument("--sandbox-defect", action="append", default=[], metavar="NAME", help="switch on a sandbox defect")
    run.add_argument("--mapping", metavar="FILE", help="procurement's requirement mapping (ids, weights)")
    run.add_argument("--overrides", metavar="FILE", help="evaluators' verdict overrides with reasons")
    run.add_argument("--negotiation-round", metavar="ROUND")
    run.add_argument("-k", metavar="EXPR", help="only scenarios matching the pytest -k expression")
    run.add_argument("-x", "--exitfirst", action="store_true", help="stop at the first FAIL or ERROR")
    run.add_argument("pytest_args", nargs="*", help="after --: passed to pytest as they are")
    run.set_defaults(func=cmd_run)

    box = sub.add_parser("sandbox", help="serve the embedded sandbox in the foreground")
    box.add_argument("--defect", action="append", default=[], metavar="NAME")
    box.add_argument("--list-defects", action="store_true", help="print each defect and the checks it must make FAIL")
    box.add_argument("--duration", type=float, default=0.0, help=argparse.SUPPRESS)
    box.set_defaults(func=cmd_sandbox)

    reqs = sub.add_parser("requirements", help="print the register and how many checks cover each requirement")
    reqs.add_argument("--mapping", metavar="FILE")
    reqs.add_argument("--lang", choices=("nb", "en"), default="nb")
    reqs.set_defaults(func=cmd_requirements)

    report = sub.add_parser("report", help="rebuild the reports from saved results.json files")
    report.add_argument("results", nargs="+", metavar="RESULTS.json")
    report.add_argument("--out", default="harness-report", metavar="DIR")
    report.add_argument("--lang", choices=("nb", "en"), default="nb")
    report.add_argument("--mapping", metavar="FILE")
    report.add_argument("--overrides", metavar="FILE")
    report.set_defaults(func=cmd_report)

    marc = sub.add_parser("marc", help="MARC tools")
    marc_sub = marc.add_subparsers(dest="marc_command", required=True)
    check = marc_sub.add_parser("check", help="validate ISO 2709 or MARCXML files, streaming")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("-q", "--quiet", action="store_true", help="only the summary per file")
    check.set_defaults(func=cmd_marc_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # for the run manifest
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"harness: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
