"""The pytest plugin: targets, markers, outcome classification, results as the run goes.

A scenario is a plain pytest function with ``@pytest.mark.requirement("MARC-01", ...)``.
This plugin:

- adds the ``--target``, ``--read-only``, ``--sandbox-defect``, ``--report-dir``, ``--lang``,
  ``--mapping`` and ``--negotiation-round`` options;
- checks every requirement id against the register (unknown: usage error with the nearest
  id) and marks ``destructive`` scenarios NOT_TESTED under ``--read-only``;
- provides the target fixtures (connections are made in fixtures, so an unreachable target
  is an ERROR, never a FAIL: research/aesthetics.md §8.4);
- classifies each scenario's outcome (:func:`classify`), appends it to ``results.jsonl`` as
  soon as it is known, and writes the reports at the end (harness.reporting.write_reports).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import harness
from harness import findings
from harness.errors import ConfigError, TargetError, UsageError
from harness.findings import Finding, WarningRecorder
from harness.paths import REPO_ROOT, SANDBOX_PROFILE, SCENARIOS_DIR
from harness.profile import Library, Profile, load_profile
from harness.redact import redact
from harness.requirements import Register, apply_mapping, load_overrides, load_register
from harness.results import CheckResult, Evidence, Outcome, RunManifest, RunResult
from harness.verdicts import rebuild
from harness.sandbox import defects as defect_catalogue

STATE_KEY = pytest.StashKey["HarnessState"]()
_CHECK_KEY = pytest.StashKey[dict[str, Any]]()
_WARN_KEY = pytest.StashKey[WarningRecorder]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "library-system interoperability harness")
    group.addoption("--target", metavar="PROFILE", help="target profile (TOML); default: the embedded sandbox")
    group.addoption("--read-only", action="store_true", help="skip scenarios that change the target's state (NOT_TESTED)")
    group.addoption("--sandbox-defect", action="append", default=[], metavar="NAME", help="switch on a sandbox defect (repeatable)")
    group.addoption("--report-dir", metavar="DIR", help="write results.jsonl as the run goes and the reports at the end")
    group.addoption("--lang", choices=("nb", "en"), default="nb", help="language of the scorecard (default nb)")
    group.addoption("--mapping", metavar="FILE", help="procurement's mapping of requirement ids and weights")
    group.addoption("--overrides", metavar="FILE", help="evaluators' verdict overrides, each with a written reason")
    group.addoption("--invocation", help=argparse.SUPPRESS)  # the `harness ...` command line, for the manifest
    group.addoption("--negotiation-round", metavar="ROUND", help="overrides [target] negotiation_round")


class HarnessState:
    """Everything the plugin keeps for one run; lives in ``config.stash``, not in globals."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.register: Register = load_register()
        mapping = config.getoption("mapping")
        if mapping:
            self.register = apply_mapping(self.register, Path(mapping))
        overrides = config.getoption("overrides")
        self.overrides = load_overrides(Path(overrides), self.register) if overrides else {}
        target = config.getoption("target")
        self.profile: Profile = load_profile(Path(target) if target else SANDBOX_PROFILE)
        self.defects = defect_catalogue.resolve(config.getoption("sandbox_defect"))
        if self.defects and not self.profile.is_sandbox:
            raise UsageError("--sandbox-defect only applies to the embedded sandbox. Fix: drop --target, or drop the defects")
        report_dir = config.getoption("report_dir")
        self.report_dir = Path(report_dir) if report_dir else None
        self.started = datetime.now(timezone.utc)
        self.clock = time.monotonic()
        self.checks: list[CheckResult] = []
        self.run_result: RunResult | None = None
        if self.report_dir:
            self.report_dir.mkdir(parents=True, exist_ok=True)
            (self.report_dir / "results.jsonl").write_text("", encoding="utf-8")

    def record(self, check: CheckResult) -> None:
        self.checks.append(check)
        if self.report_dir:
            # One line per check, flushed at once: an interrupted run keeps what it has.
            with (self.report_dir / "results.jsonl").open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(check.to_dict(), ensure_ascii=False) + "\n")

    def reproduce(self, item: pytest.Item) -> str:
        suite = suite_of(item)
        if self.profile.is_sandbox:
            defects = "".join(f" --sandbox-defect {d}" for d in sorted(self.defects))
            return f"harness run --suite {suite}{defects} -k {item.name}"
        return f"harness run --target {self.profile.path} --suite {suite} -k {item.name}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(*ids): the register requirement(s) this scenario gives evidence for")
    config.addinivalue_line("markers", "destructive: changes the target's state; NOT_TESTED under --read-only")
    config.addinivalue_line("markers", "peer: runs against a real third-party implementation on loopback")
    try:
        config.stash[STATE_KEY] = HarnessState(config)
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None


def state_of(config: pytest.Config) -> HarnessState:
    return config.stash[STATE_KEY]


def suite_of(item: pytest.Item) -> str:
    try:
        return item.path.relative_to(SCENARIOS_DIR).parts[0]
    except ValueError:
        return item.path.parent.name


def requirement_ids(item: pytest.Item) -> tuple[str, ...]:
    return tuple(i for m in item.iter_markers("requirement") for i in m.args)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    state = state_of(config)
    read_only = config.getoption("read_only")
    for item in items:
        for req_id in requirement_ids(item):
            try:
                state.register.require(req_id, f"{item.nodeid}")
            except ConfigError as exc:
                raise pytest.UsageError(str(exc)) from None
        if read_only and item.get_closest_marker("destructive"):
            item.add_marker(pytest.mark.skip(reason=findings.NOT_TESTED_PREFIX + "read-only run: this scenario changes the target's state"))


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = state_of(config)
    lines = [f"harness {harness.__version__}: target {state.profile.name} ({state.profile.path})"]
    if state.defects:
        lines.append("sandbox defects: " + ", ".join(sorted(state.defects)))
    if state.report_dir:
        lines.append(f"reports: {state.report_dir}")
    return lines


# --- outcome classification ------------------------------------------------------------


def _skip_outcome(reason: str) -> tuple[Outcome, str]:
    for prefix, outcome in ((findings.NOT_TESTED_PREFIX, Outcome.NOT_TESTED), (findings.SKIP_PREFIX, Outcome.SKIP)):
        if prefix in reason:
            return outcome, reason.split(prefix, 1)[1]
    return Outcome.SKIP, reason.removeprefix("Skipped: ")


def classify(report: pytest.TestReport, call: pytest.CallInfo[None], warnings: WarningRecorder | None) -> tuple[Outcome, str, tuple[Evidence, ...]]:
    """Map one phase's report to an outcome, a message and evidence.

    A Finding (or any AssertionError) in the test body is the target's fault: FAIL. Anything
    raised in setup, a TargetError, an OSError or a timeout means the harness could not
    verify: ERROR. Any other exception in the body is a harness bug: ERROR too, never FAIL.
    """
    if report.skipped:
        reason = str(call.excinfo.value) if call.excinfo else str(report.longrepr)
        if isinstance(report.longrepr, tuple):
            reason = report.longrepr[2]
        outcome, message = _skip_outcome(reason)
        return outcome, message, ()
    if report.passed:
        if warnings and warnings.warnings:
            return Outcome.WARN, "; ".join(m for m, _ in warnings.warnings), tuple(e for _, e in warnings.warnings)
        return Outcome.PASS, "", ()
    exc = call.excinfo.value if call.excinfo else None
    if report.when == "call" and isinstance(exc, Finding):
        return Outcome.FAIL, str(exc), (exc.evidence,)
    if report.when == "call" and isinstance(exc, AssertionError) and not isinstance(exc, TargetError):
        return Outcome.FAIL, redact(str(exc)), (Evidence(details=(redact(str(report.longrepr))[-4000:],)),)
    kind = "target could not be reached" if isinstance(exc, (TargetError, OSError, TimeoutError)) else "harness error"
    message = f"{kind} during {report.when}: {type(exc).__name__ if exc else ''}: {redact(str(exc))}"
    return Outcome.ERROR, message, (Evidence(details=(redact(str(report.longrepr))[-4000:],)),)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report: pytest.TestReport = yield
    if not requirement_ids(item):
        return report
    current = item.stash.setdefault(_CHECK_KEY, {"duration": 0.0})
    current["duration"] += report.duration
    outcome, message, evidence = classify(report, call, item.stash.get(_WARN_KEY, None))
    if report.when == "teardown":
        # A teardown error after a PASS is an ERROR; after a FAIL the FAIL stands.
        if report.failed and current.get("outcome") is not Outcome.FAIL:
            current.update(outcome=outcome, message=message, evidence=evidence)
        _finish(item, current)
    elif not (report.when == "setup" and report.passed):
        current.update(outcome=outcome, message=message, evidence=evidence)
    return report


def _titles(item: pytest.Item) -> tuple[str, str]:
    """(English, bokmål) titles from the scenario's docstring: its first line, and a line
    starting ``nb:``; without a docstring, the function name in words."""
    doc = getattr(getattr(item, "function", None), "__doc__", None)
    if not doc or not doc.strip():
        return item.name.removeprefix("test_").replace("_", " "), ""
    lines = [line.strip() for line in doc.strip().splitlines()]
    nb = next((line.removeprefix("nb:").strip() for line in lines if line.startswith("nb:")), "")
    return lines[0], nb


def _finish(item: pytest.Item, current: dict[str, Any]) -> None:
    state = state_of(item.config)
    title, title_nb = _titles(item)
    state.record(
        CheckResult(
            id=item.nodeid,
            title=title,
            title_nb=title_nb,
            suite=suite_of(item),
            requirements=requirement_ids(item),
            outcome=current["outcome"],
            message=current["message"],
            evidence=current["evidence"],
            reproduce=state.reproduce(item),
            duration=current["duration"],
        )
    )


# --- end of run ---------------------------------------------------------------------------


def _git_revision() -> str:
    try:
        out = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def build_run_result(state: HarnessState) -> RunResult:
    profile = state.profile
    manifest = RunManifest(
        suite_version=harness.__version__,
        git_revision=_git_revision(),
        target=profile.name,
        negotiation_round=state.config.getoption("negotiation_round") or profile.negotiation_round,
        started=state.started.isoformat(timespec="seconds"),
        duration=time.monotonic() - state.clock,
        command=state.config.getoption("invocation") or "pytest " + " ".join(state.config.invocation_params.args),
        read_only=bool(state.config.getoption("read_only")),
        sandbox_defects=tuple(sorted(state.defects)),
    )
    return rebuild(manifest, state.checks, state.register, state.overrides)


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash.get(STATE_KEY, None)
    if state is None:
        return
    state.run_result = build_run_result(state)
    if state.report_dir and state.checks:
        from harness.reporting import write_reports

        write_reports(state.run_result, state.report_dir, lang=session.config.getoption("lang"))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is None or state.run_result is None or not state.checks:
        return
    run = state.run_result
    tr = terminalreporter
    tr.section("harness outcomes")
    tr.write_line("  ".join(f"{o.value} {run.count(o)}" for o in Outcome if run.count(o)))
    for check in run.checks:
        if check.outcome not in (Outcome.PASS,):
            # split("\n"), not splitlines(): MARC separators (0x1C-0x1E) are line breaks to the latter
            first_line = check.message.split("\n", 1)[0]
            tr.write_line(f"{check.outcome.value:<10} {check.id}: {first_line}"[:200])
    verdicts = [r for r in run.requirements if r.checks]
    if verdicts:
        tr.write_line("requirements: " + ", ".join(f"{r.id} {r.verdict.value}" for r in verdicts))
    if state.report_dir:
        tr.write_line(f"reports written to {state.report_dir.resolve()}")


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def harness_state(request: pytest.FixtureRequest) -> HarnessState:
    return state_of(request.config)


@pytest.fixture(scope="session")
def profile(harness_state: HarnessState) -> Profile:
    return harness_state.profile


@pytest.fixture(scope="session")
def sandbox(harness_state: HarnessState) -> Iterator[Any]:
    """The running embedded sandbox when the target is the sandbox, else None."""
    if not harness_state.profile.is_sandbox:
        yield None
        return
    from harness.sandbox.system import Sandbox

    box = Sandbox(harness_state.profile, harness_state.defects)
    box.start()
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture(scope="session")
def libraries(profile: Profile, sandbox: Any) -> tuple[Library, ...]:
    """The consortium's libraries as the target knows them."""
    if profile.libraries:
        return profile.libraries
    if sandbox is not None:
        return tuple(sandbox.consortium.libraries.values())
    findings.not_tested("the profile lists no [[library]] entries")


@pytest.fixture()
def warn(request: pytest.FixtureRequest) -> WarningRecorder:
    """Record a missed bør point: the scenario still passes, its outcome becomes WARN."""
    recorder = WarningRecorder()
    request.node.stash[_WARN_KEY] = recorder
    return recorder


@pytest.fixture(scope="session")
def marc_channel(profile: Profile, sandbox: Any) -> Any:
    """The target's MARC import/export channel; NOT_TESTED when the profile has no [marc]."""
    from harness.marc.channel import FileChannel, HttpChannel

    section = profile.protocol("marc")
    if section is None:
        findings.not_tested("the profile configures no [marc] section")
    channel = section.get("channel", "files")
    if channel == "sandbox":
        if sandbox is None:
            raise TargetError("[marc] channel = \"sandbox\" needs [target] kind = \"sandbox\"")
        return HttpChannel(sandbox.endpoints.http, timeout=profile.timeout)
    if channel == "http":
        auth = (section["username"], section.get("password", "")) if "username" in section else None
        return HttpChannel(section["base_url"], timeout=profile.timeout, auth=auth)
    resolve = profile.resolve_path
    return FileChannel(
        export_file=resolve(section["export_file"]) if "export_file" in section else None,
        export_xml_file=resolve(section["export_xml_file"]) if "export_xml_file" in section else None,
        import_dir=resolve(section["import_dir"]) if "import_dir" in section else None,
    )


@pytest.fixture(scope="session")
def sip2_target(profile: Profile, sandbox: Any, libraries: tuple[Library, ...]) -> Any:
    """Where and how to reach the target's SIP2 server; NOT_TESTED when the profile has no [sip2]."""
    from harness.sip2.target import from_profile

    section = profile.protocol("sip2")
    if section is None:
        findings.not_tested("the profile configures no [sip2] section")
    if sandbox is not None:
        endpoints = sandbox.endpoints
        return from_profile(
            section, libraries, profile.patrons, profile.items, timeout=profile.timeout,
            endpoint=endpoints.sip2, tls_endpoint=endpoints.sip2_tls, ca_file=endpoints.sip2_ca_file,
        )
    if "host" not in section or "port" not in section:
        raise TargetError(f"{profile.path}: [sip2] needs host and port")
    return from_profile(section, libraries, profile.patrons, profile.items, timeout=profile.timeout)


@pytest.fixture()
def sip2_connect(sip2_target: Any) -> Iterator[Any]:
    """Open extra SIP2 connections (not logged in); all are closed after the scenario."""
    opened: list[Any] = []

    def connect(**options: Any) -> Any:
        client = sip2_target.connect(**options)
        opened.append(client)
        return client

    yield connect
    for client in opened:
        client.close()


@pytest.fixture()
def sip2(sip2_target: Any, sip2_connect: Any) -> Any:
    """A connection logged in with the profile's SC account (93); a refused login is ERROR."""
    from harness.sip2.checks import log_in

    return log_in(sip2_connect(), sip2_target.username, sip2_target.password, sip2_target.location)
