"""``harness``: a thin front for pytest and the report writers.

    harness run [--target PROFILE] [--suite NAME ...] [--report-dir DIR] [--overwrite] [--read-only]
                [--lang nb|en] [--sandbox-defect NAME ...] [--mapping FILE] [--overrides FILE]
                [--deviations FILE] [-k EXPR]
    harness list [--suite NAME ...]
    harness sandbox [--defect NAME ...] [--port NAME=PORT ...] [--list-defects]
    harness requirements [--mapping FILE] [--lang nb|en]
    harness report RESULTS.json|results.jsonl ... [--out DIR] [--lang nb|en] [--mapping FILE] [--overrides FILE]
                   [--deviations FILE]
    harness compare RUN_DIR ... [--out DIR] [--lang nb|en] [--mapping FILE] [--deviations FILE ...]
    harness archive RUN_DIR --out FILE
    harness verify ARCHIVE [--expect SHA256]
    harness marc check FILE ...
    harness load [--target PROFILE] [--workload morning-rush|harvest|mixed] [--users N] [--duration T] [--workers W] ...

Exit codes: 0 no FAIL and no ERROR; 1 a FAIL; 2 usage or profile error; 3 an ERROR but no FAIL.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shlex
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

import harness
from harness.errors import UsageError
from harness.paths import SANDBOX_PROFILE, SCENARIOS_DIR
from harness.results import Outcome, RunResult

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3
PYTEST_INI = SCENARIOS_DIR / "pytest.ini"


def available_suites() -> list[str]:
    from harness.registry import UNITS

    present = {p.name for p in SCENARIOS_DIR.iterdir() if p.is_dir() and any(p.glob("test_*.py"))}
    ordered = [u.name for u in UNITS if u.name in present]
    return ordered + sorted(present - set(ordered))


def exit_code_for(run: RunResult) -> int:
    if run.count(Outcome.FAIL) or run.count(Outcome.FLAKY):
        return EXIT_FAIL
    if run.count(Outcome.ERROR):
        return EXIT_ERROR
    return EXIT_OK


def _suite_paths(suites: Sequence[str]) -> list[str]:
    known = available_suites()
    for suite in suites:
        if suite not in known:
            raise UsageError(f"--suite {suite}: no such suite. Fix: use one of {', '.join(known)}")
    return [str(SCENARIOS_DIR / s) for s in (suites or known)]


@contextlib.contextmanager
def _isolated_pytest() -> Iterator[None]:
    """Only the harness's own plugin in a harness run: other installed pytest plugins
    (random order, xdist, benchmark...) must not change what a run does or reports."""
    saved = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = saved


def pytest_base_args() -> list[str]:
    """Ids relative to scenarios/ whatever the working directory or the profile's place."""
    return ["-c", str(PYTEST_INI), "--rootdir", str(SCENARIOS_DIR), "-p", "harness.pytest_plugin", "-p", "no:cacheprovider"]


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (CI cancelling a job, `kill`) ends the run as Ctrl-C does: reports written."""
    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (an embedding program): leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- harness run --------------------------------------------------------------------------


class _Capture:
    """Receives the run's result from the harness plugin once the session is over."""

    def __init__(self) -> None:
        self.run: RunResult | None = None

    def pytest_sessionfinish(self, session: Any) -> None:
        from harness.pytest_plugin import STATE_KEY

        state = session.config.stash.get(STATE_KEY, None)
        self.run = state.run_result if state else None


def run_options(args: argparse.Namespace) -> Any:
    from harness.config import RunOptions, Selection

    return RunOptions(
        target=Path(args.target) if args.target else None,
        mapping=Path(args.mapping) if args.mapping else None,
        overrides=Path(args.overrides) if args.overrides else None,
        deviations=Path(args.deviations) if args.deviations else None,
        defects=tuple(args.sandbox_defect), report_dir=Path(args.report_dir), overwrite=args.overwrite,
        lang=args.lang, negotiation_round=args.negotiation_round or "",
        selection=Selection(tuple(args.suite), args.k or "", args.read_only),
        invocation="harness " + " ".join(shlex.quote(a) for a in args.argv),
    )


def cmd_run(args: argparse.Namespace) -> int:
    import pytest

    from harness.config import load_run_config
    from harness.pytest_plugin import ProvidedConfig

    paths = _suite_paths(args.suite)
    run_config = load_run_config(run_options(args))  # every user error, before anything is sent
    pytest_args = [*paths, *pytest_base_args(), "-rN", "--tb=no", "-q"]
    pytest_args += ["-k", args.k] if args.k else []
    pytest_args += ["-x"] if args.exitfirst else []
    pytest_args += args.pytest_args
    capture = _Capture()
    provided = ProvidedConfig(run_config)
    with _isolated_pytest(), _sigterm_as_interrupt():
        code = pytest.main(pytest_args, plugins=[capture, provided])
    if code == pytest.ExitCode.USAGE_ERROR:
        return EXIT_USAGE
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("harness: error: no scenario matched the selection. Fix: check --suite and -k", file=sys.stderr)
        return EXIT_USAGE
    if capture.run is None or not capture.run.checks:
        return EXIT_ERROR
    print(f"\nharness: reports in {Path(args.report_dir).resolve()} (results.json, junit.xml, scorecard.html, requirements.csv, scorecard.xlsx, results.ttl, results.jsonld)")
    if code == pytest.ExitCode.INTERRUPTED and not capture.run.count(Outcome.FAIL):
        return EXIT_ERROR
    return exit_code_for(capture.run)


# --- harness list ---------------------------------------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.items: list[Any] = []

    def pytest_collection_finish(self, session: Any) -> None:
        self.items = list(session.items)


def collect_checks(suites: Sequence[str] = ()) -> list[Any]:
    """Collect the suites' scenarios without running anything (no target is contacted)."""
    import pytest

    collector = _Collector()
    args = [*_suite_paths(suites), *pytest_base_args(), "--collect-only", "-q"]
    with _isolated_pytest(), contextlib.redirect_stdout(io.StringIO()):
        code = pytest.main(args, plugins=[collector])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise UsageError("the scenarios could not be collected. Fix: run `pytest --collect-only scenarios/` to see why")
    return collector.items


def cmd_list(args: argparse.Namespace) -> int:
    from harness.pytest_plugin import _titles, check_name, failed_by, requirement_ids, suite_of

    for item in collect_checks(args.suite):
        title, title_nb = _titles(item)
        defects = ", ".join(d.name for d in failed_by(item))
        print(f"{suite_of(item)}::{check_name(item)}  [{', '.join(requirement_ids(item))}]")
        print(f"    {title_nb or title}")
        if args.verbose:
            print(f"    {title}\n    failed by: {defects or '-'}")
    return EXIT_OK


# --- harness sandbox ----------------------------------------------------------------------


def _endpoint_names() -> list[str]:
    from harness.registry import UNITS

    return ["http", *(e for u in UNITS for e in u.endpoints if e != "http")]


def _ports(values: Sequence[str]) -> dict[str, int]:
    known = _endpoint_names()
    ports: dict[str, int] = {}
    for value in values:
        name, _, number = value.partition("=")
        if name not in known:
            raise UsageError(f"--port {value}: no endpoint named {name!r}. Fix: use one of {', '.join(known)}")
        if not number.isdigit() or not 1 <= int(number) <= 65535:
            raise UsageError(f"--port {value}: {number!r} is not a port. Fix: write --port {name}=6001 (1..65535)")
        ports[name] = int(number)
    return ports


def cmd_sandbox(args: argparse.Namespace) -> int:
    from harness.profile import load_profile
    from harness.registry import UNITS, resolve_defects
    from harness.sandbox.system import Sandbox

    if args.list_defects:
        return _list_defects()
    defects = resolve_defects(args.defect)
    box = Sandbox(load_profile(SANDBOX_PROFILE), defects, units=UNITS, ports=_ports(args.port))
    try:
        box.start()
    except OSError as exc:
        raise UsageError(f"the sandbox cannot listen: {exc.strerror or exc}. Fix: choose free ports with --port, or drop --port") from None
    try:
        print(f"harness sandbox: {len(box.consortium.records)} records, {len(box.consortium.libraries)} libraries"
              + (f", defects: {', '.join(defects.names)}" if defects else ""))
        for name, where in box.describe():
            print(f"  {name:<12} {where}")
        print("Ctrl-C stops it.", flush=True)
        deadline = time.monotonic() + args.duration if args.duration else None
        with _sigterm_as_interrupt():
            while deadline is None or time.monotonic() < deadline:
                time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        box.stop()
    return EXIT_OK


def _list_defects() -> int:
    from harness.pytest_plugin import check_name, failed_by, suite_of
    from harness.registry import all_defects

    checks: dict[str, list[str]] = {}
    for item in collect_checks():
        for defect in failed_by(item):
            checks.setdefault(defect.name, []).append(f"{suite_of(item)}::{check_name(item)}")
    for defect in all_defects():
        print(f"{defect.name}  [{defect.protocol}]\n    {defect.description}")
        print(f"    must FAIL: {', '.join(sorted(set(checks.get(defect.name, [])))) or '(no check names it)'}")
        if defect.seen_in:
            print(f"    seen in: {defect.seen_in}")
    return EXIT_OK


# --- harness requirements -------------------------------------------------------------------


def cmd_requirements(args: argparse.Namespace) -> int:
    from harness.pytest_plugin import requirement_ids
    from harness.requirements import apply_mapping, load_register

    register = load_register()
    if args.mapping:
        register = apply_mapping(register, Path(args.mapping))
    coverage: dict[str, int] = {}
    for item in collect_checks():
        for req_id in requirement_ids(item):
            coverage[req_id] = coverage.get(req_id, 0) + 1
    print(f"{'id':<8} {'kind':<5} {'checks':>6}  {'mapped to':<12} title")
    for req in register.values():
        mapped = req.external_id + (f" (w {req.weight:g})" if req.weight is not None else "")
        print(f"{req.id:<8} {req.kind:<5} {coverage.get(req.id, 0):>6}  {mapped:<12} {req.title(args.lang)}")
    return EXIT_OK


# --- harness report -------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    from harness.config import check_report_dir
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
    out = Path(args.out)
    sources = {Path(p).resolve().parent for p in args.results}
    check_report_dir(out, overwrite=args.overwrite or out.resolve() in sources)
    checks = merge_repeated(r.checks for r in runs)
    run = rebuild(runs[-1].manifest, checks, register, overrides)
    paths = write_reports(run, out, lang=args.lang, deviations=_report_deviations(args, register, run))
    for path in paths.values():
        print(path)
    return exit_code_for(run)


def _report_deviations(args: argparse.Namespace, register: Any, run: RunResult) -> Any:
    """--deviations, else the register recorded beside the (last) results given, else none."""
    from harness.deviations import check_vendor, load_deviations
    from harness.procurement_cli import recorded_deviations, run_dir_of

    if args.deviations:
        found = load_deviations(Path(args.deviations), register, (c.id for c in run.checks))
        check_vendor(found, [run.manifest.target])
        return found
    return recorded_deviations(run_dir_of(Path(args.results[-1])), register, run)


# --- harness marc check ---------------------------------------------------------------------


def cmd_marc_check(args: argparse.Namespace) -> int:
    from harness.marc.cli import check_files

    return check_files([Path(f) for f in args.files], quiet=args.quiet, content=args.content)


# --- parser ---------------------------------------------------------------------------------


def _add_run(sub: Any) -> None:
    run = sub.add_parser("run", help="run the suites against a target (default: the embedded sandbox)")
    run.add_argument("--target", metavar="PROFILE", help="target profile (TOML); default: start the embedded sandbox")
    run.add_argument("--suite", action="append", default=[], metavar="NAME", help="run only this suite (repeatable)")
    run.add_argument("--report-dir", default="harness-report", metavar="DIR", help="where the reports go (default ./harness-report)")
    run.add_argument("--overwrite", action="store_true", help="replace the reports of an earlier run in --report-dir")
    run.add_argument("--read-only", action="store_true", help="skip scenarios that change the target's state (NOT_TESTED)")
    run.add_argument("--lang", choices=("nb", "en"), default="nb", help="scorecard language (default nb)")
    run.add_argument("--sandbox-defect", action="append", default=[], metavar="NAME",
                     help="switch on a sandbox defect (repeatable; see `harness sandbox --list-defects`)")
    run.add_argument("--mapping", metavar="FILE", help="procurement's requirement mapping (ids, weights, N/A)")
    run.add_argument("--overrides", metavar="FILE", help="evaluators' verdict overrides with reasons")
    run.add_argument("--deviations", metavar="FILE", help="the vendor's declared deviations (TOML), shown beside the verdicts")
    run.add_argument("--negotiation-round", metavar="ROUND", help="the negotiation round this run belongs to (overrides the profile)")
    run.add_argument("-k", metavar="EXPR", help="only scenarios matching the pytest -k expression")
    run.add_argument("-x", "--exitfirst", action="store_true", help="stop at the first FAIL or ERROR (the run is marked interrupted)")
    run.add_argument("pytest_args", nargs="*", help="after --: passed to pytest as they are")
    run.set_defaults(func=cmd_run)


def _add_tools(sub: Any) -> None:
    listing = sub.add_parser("list", help="print every check with its requirements and bokmål title; runs nothing")
    listing.add_argument("--suite", action="append", default=[], metavar="NAME", help="only this suite (repeatable)")
    listing.add_argument("-v", "--verbose", action="store_true", help="also the English title and the defects that must fail it")
    listing.set_defaults(func=cmd_list)

    box = sub.add_parser("sandbox", help="serve the embedded sandbox in the foreground")
    box.add_argument("--defect", action="append", default=[], metavar="NAME", help="switch on a sandbox defect (repeatable)")
    box.add_argument("--port", action="append", default=[], metavar="NAME=PORT",
                     help=f"a fixed port for an endpoint ({', '.join(_endpoint_names())}); default: free ports")
    box.add_argument("--list-defects", action="store_true", help="print each defect and the checks it must make FAIL")
    box.add_argument("--duration", type=float, default=0.0, help=argparse.SUPPRESS)
    box.set_defaults(func=cmd_sandbox)

    reqs = sub.add_parser("requirements", help="print the register and how many checks cover each requirement")
    reqs.add_argument("--mapping", metavar="FILE", help="procurement's requirement mapping (ids, weights)")
    reqs.add_argument("--lang", choices=("nb", "en"), default="nb", help="title language (default nb)")
    reqs.set_defaults(func=cmd_requirements)

    report = sub.add_parser("report", help="rebuild the reports from saved results (results.json or results.jsonl)")
    report.add_argument("results", nargs="+", metavar="RESULTS", help="results.json or results.jsonl of one or more runs of one target")
    report.add_argument("--out", default="harness-report", metavar="DIR", help="where the rebuilt reports go")
    report.add_argument("--overwrite", action="store_true", help="replace the reports of an earlier run in --out")
    report.add_argument("--lang", choices=("nb", "en"), default="nb", help="scorecard language (default nb)")
    report.add_argument("--mapping", metavar="FILE", help="procurement's requirement mapping (ids, weights, N/A)")
    report.add_argument("--overrides", metavar="FILE", help="evaluators' verdict overrides with reasons")
    report.add_argument("--deviations", metavar="FILE", help="the vendor's declared deviations (default: the one recorded with the run)")
    report.set_defaults(func=cmd_report)

    marc = sub.add_parser("marc", help="MARC tools")
    marc_sub = marc.add_subparsers(dest="marc_command", required=True)
    check = marc_sub.add_parser("check", help="validate ISO 2709 or MARCXML files, streaming")
    check.add_argument("files", nargs="+", metavar="FILE", help="ISO 2709 (.mrc) or MARCXML files")
    check.add_argument("-q", "--quiet", action="store_true", help="only the summary per file")
    check.add_argument("--content", action="store_true", help="also MARC 21 Bibliographic content designation warnings (never FAIL)")
    check.set_defaults(func=cmd_marc_check)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="harness", description="Library-system interoperability harness")
    parser.add_argument("--version", action="version", version=f"harness {harness.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_run(sub)
    _add_tools(sub)
    from harness.procurement_cli import add_commands

    add_commands(sub)  # compare, archive, verify

    from harness.load.cli import add_parser as add_load  # the load suite's command (harness/load/cli.py)

    add_load(sub)
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
    except BrokenPipeError:
        # `harness list | head`: the reader is gone. Point stdout at /dev/null so the
        # interpreter's own flush at exit cannot complain, and end quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("\nharness: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
