"""The pytest plugin: the run's configuration, markers, outcomes, results as the run goes.

A scenario is a plain pytest function with ``@pytest.mark.requirement("MARC-01", ...)`` and
``@pytest.mark.failed_by(<defect>, ...)``. This plugin, which names no protocol:

- loads one :class:`~harness.config.RunConfig` (or takes the CLI's) and registers every protocol
  unit's fixtures module from the registry;
- checks every requirement id against the register (unknown: usage error with the nearest id)
  and marks ``destructive`` scenarios NOT_TESTED under ``--read-only``;
- provides ``target``: the resolved profile (for the embedded sandbox: started here, with its
  endpoints filled in), and :func:`configured`, which a unit's root fixture calls to get its
  settings: NOT_TESTED when the profile has no section for it, and the endpoint probed once,
  so an unreachable one is one ERROR and its scenarios NOT_TESTED, not a copy per scenario;
- classifies each scenario's outcome (:func:`classify`), redacts it, appends it to
  ``results.jsonl`` as soon as it is known, and writes the reports at the end.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

import harness
from harness import findings
from harness.config import RunConfig, RunOptions, Selection, load_run_config
from harness.defects import Defect
from harness.errors import ConfigError, TargetError, UsageError
from harness.evidence import Evidence, clip
from harness.findings import Finding, WarningRecorder
from harness.paths import REPO_ROOT, SCENARIOS_DIR
from harness.profile import Library, Profile
from harness.results import CheckResult, Outcome, RunManifest, RunResult
from harness.units import ProtocolUnit
from harness.verdicts import rebuild

S = TypeVar("S")
STATE_KEY = pytest.StashKey["HarnessState"]()
_CHECK_KEY = pytest.StashKey[dict[str, Any]]()
_WARN_KEY = pytest.StashKey[WarningRecorder]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "library-system interoperability harness")
    group.addoption("--target", metavar="PROFILE", help="target profile (TOML); default: the embedded sandbox")
    group.addoption("--read-only", action="store_true", help="skip scenarios that change the target's state (NOT_TESTED)")
    group.addoption("--sandbox-defect", action="append", default=[], metavar="NAME", help="switch on a sandbox defect (repeatable)")
    group.addoption("--report-dir", metavar="DIR", help="write results.jsonl as the run goes and the reports at the end")
    group.addoption("--overwrite", action="store_true", help="replace the reports of an earlier run in --report-dir")
    group.addoption("--lang", choices=("nb", "en"), default="nb", help="language of the scorecard (default nb)")
    group.addoption("--mapping", metavar="FILE", help="procurement's mapping of requirement ids and weights")
    group.addoption("--overrides", metavar="FILE", help="evaluators' verdict overrides, each with a written reason")
    group.addoption("--deviations", metavar="FILE", help="the vendor's declared deviations, shown beside the verdicts")
    group.addoption("--negotiation-round", metavar="ROUND", help="overrides [target] negotiation_round")
    group.addoption("--invocation", help=argparse.SUPPRESS)  # the `harness ...` command line, for the manifest
    group.addoption("--selected-suites", default="", help=argparse.SUPPRESS)  # `harness run --suite`, for the manifest


class ProvidedConfig:
    """Registered by the CLI so the plugin uses the configuration it already checked."""

    def __init__(self, run_config: RunConfig) -> None:
        self.run_config = run_config


@dataclass
class HarnessState:
    """Everything the plugin keeps for one run; lives in ``config.stash``, not in globals."""

    config: pytest.Config
    run: RunConfig
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    clock: float = field(default_factory=time.monotonic)
    checks: list[CheckResult] = field(default_factory=list)
    probes: dict[str, str | None] = field(default_factory=dict)  # unit name -> failure, None when reachable
    run_result: RunResult | None = None
    interrupted: bool = False

    def __post_init__(self) -> None:
        report_dir = self.run.report_dir
        if report_dir is not None:
            try:
                report_dir.mkdir(parents=True, exist_ok=True)
                (report_dir / "results.jsonl").write_text("", encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"--report-dir {report_dir}: cannot write there ({exc.strerror}). Fix: choose a directory you can write to") from None
            self._journal({"manifest": self.manifest().to_dict()})

    def _journal(self, entry: dict[str, Any]) -> None:
        """One line, flushed at once: a run cut short keeps what it has (`harness report` reads it)."""
        if self.run.report_dir is not None:
            with (self.run.report_dir / "results.jsonl").open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def record(self, check: CheckResult) -> None:
        check = bounded(redact_check(check, self.run))
        self.checks.append(check)
        self._journal(check.to_dict())

    def manifest(self) -> RunManifest:
        run = self.run
        profile = run.profile
        return RunManifest(
            suite_version=harness.__version__,
            git_revision=_git_revision(),
            target=profile.name,
            negotiation_round=run.options.negotiation_round or profile.negotiation_round,
            started=self.started.isoformat(timespec="seconds"),
            duration=time.monotonic() - self.clock,
            command=run.options.invocation or "pytest " + " ".join(self.config.invocation_params.args),
            read_only=run.selection.read_only,
            sandbox_defects=run.defects.names,
            suites=run.selection.suites,
            keyword=run.selection.keyword,
            interrupted=self.interrupted,
            unreachable=tuple(f"{name}: {failure}" for name, failure in self.probes.items() if failure),
            not_configured=tuple(u.name for u in run.units if u.name not in profile.settings
                                 and any(c.suite == u.name for c in self.checks)),
        )

    def finish(self) -> RunResult:
        self.run_result = rebuild(self.manifest(), self.checks, self.run.register, self.run.overrides)
        self._journal({"finished": True, "interrupted": self.interrupted})
        return self.run_result

    def probe(self, unit: ProtocolUnit[S], settings: S, timeout: float) -> str | None:
        """Ask once whether the unit's endpoint answers; a failure is recorded once as ERROR."""
        if unit.name in self.probes:
            return self.probes[unit.name]
        failure = None
        if unit.probe is not None:
            try:
                unit.probe(settings, timeout)
            except (TargetError, OSError) as exc:
                failure = str(exc).split("\n", 1)[0]
        self.probes[unit.name] = failure
        if failure is not None:
            self.record(CheckResult(
                id=f"{unit.name}::endpoint", title=f"{unit.title}: the endpoint answers", suite=unit.name,
                title_nb=f"{unit.title}: endepunktet svarer", requirements=(), outcome=Outcome.ERROR,
                message=f"{unit.title} endpoint unreachable: {failure}",
                evidence=(Evidence(expected=f"the [{unit.section}] endpoint of the profile answers and accepts the login",
                                   details=(failure,)),),
                reproduce=self.run.reproduce(unit.name, "endpoint"),
            ))
        return failure


CHECK_BYTES = 256 * 1024  # what one check may add to a report file, whatever a target sent


def bounded(check: CheckResult, limit: int = CHECK_BYTES) -> CheckResult:
    """The check with its evidence cut until its record fits ``limit`` bytes of JSON."""
    for text_limit in (4096, 1024, 256):
        if len(json.dumps(check.to_dict(), ensure_ascii=False).encode()) <= limit:
            return check
        check = replace(check, message=clip(check.message, text_limit), evidence=tuple(
            replace(e, exchanges=tuple(replace(x, sent=clip(x.sent, text_limit), received=clip(x.received, text_limit))
                                       for x in e.exchanges[-5:]),
                    details=tuple(clip(d, text_limit) for d in e.details[:20]), problems=e.problems[:20],
                    omitted=e.omitted + max(len(e.exchanges) - 5, 0))
            for e in check.evidence[:3]))
    return check


def redact_check(check: CheckResult, run: RunConfig) -> CheckResult:
    data = run.redactor.redact_data(check.to_dict())
    assert isinstance(data, dict)
    return CheckResult.from_dict(data)


def _options(config: pytest.Config) -> RunOptions:
    def path(name: str) -> Path | None:
        value = config.getoption(name)
        return Path(value) if value else None

    suites = tuple(s for s in str(config.getoption("selected_suites") or "").split(",") if s)
    return RunOptions(
        target=path("target"), mapping=path("mapping"), overrides=path("overrides"), deviations=path("deviations"),
        defects=tuple(config.getoption("sandbox_defect")), report_dir=path("report_dir"),
        overwrite=bool(config.getoption("overwrite")), lang=str(config.getoption("lang")),
        negotiation_round=str(config.getoption("negotiation_round") or ""),
        selection=Selection(suites, str(config.getoption("keyword") or ""), bool(config.getoption("read_only"))),
        invocation=str(config.getoption("invocation") or ""),
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(*ids): the register requirement(s) this scenario gives evidence for")
    config.addinivalue_line("markers", "failed_by(*defects): the sandbox defects that must make this check FAIL")
    config.addinivalue_line("markers", "destructive: changes the target's state; NOT_TESTED under --read-only")
    config.addinivalue_line("markers", "peer: runs against a real third-party implementation on loopback")
    provided = next((p for p in config.pluginmanager.get_plugins() if isinstance(p, ProvidedConfig)), None)
    try:
        run = provided.run_config if provided is not None else load_run_config(_options(config))
        config.stash[STATE_KEY] = HarnessState(config, run)
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None
    for unit in run.units:
        if not config.pluginmanager.has_plugin(unit.fixtures):
            config.pluginmanager.import_plugin(unit.fixtures)


def state_of(config: pytest.Config) -> HarnessState:
    return config.stash[STATE_KEY]


def suite_of(item: pytest.Item) -> str:
    try:
        return item.path.relative_to(SCENARIOS_DIR).parts[0]
    except ValueError:
        return item.path.parent.name


def requirement_ids(item: pytest.Item) -> tuple[str, ...]:
    return tuple(i for m in item.iter_markers("requirement") for i in m.args)


def failed_by(item: pytest.Item) -> tuple[Defect, ...]:
    return tuple(d for m in item.iter_markers("failed_by") for d in m.args)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    state = state_of(config)
    for item in items:
        for req_id in requirement_ids(item):
            try:
                state.run.register.require(req_id, f"{item.nodeid}")
            except ConfigError as exc:
                raise pytest.UsageError(str(exc)) from None
        for defect in failed_by(item):
            if not isinstance(defect, Defect):
                raise pytest.UsageError(f"{item.nodeid}: failed_by takes Defect constants, not {defect!r}")
        if state.run.selection.read_only and item.get_closest_marker("destructive"):
            item.add_marker(pytest.mark.skip(reason=findings.NOT_TESTED_PREFIX + "read-only run: this scenario changes the target's state"))


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = state_of(config)
    profile = state.run.profile
    lines = [f"harness {harness.__version__}: target {profile.name} ({profile.path})"]
    if state.run.defects:
        lines.append("sandbox defects: " + ", ".join(state.run.defects.names))
    if state.run.report_dir:
        lines.append(f"reports: {state.run.report_dir}")
    return lines


def _git_revision() -> str:
    try:
        out = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5, check=False)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"



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
        if warnings and warnings.notes:  # what a passing check measured
            return Outcome.PASS, "; ".join(m for m, _ in warnings.notes), tuple(e for _, e in warnings.notes)
        return Outcome.PASS, "", ()
    exc = call.excinfo.value if call.excinfo else None
    trace = str(report.longrepr)[-4000:]
    if report.when == "call" and isinstance(exc, Finding):
        return Outcome.FAIL, str(exc), (exc.evidence,)
    if report.when == "call" and isinstance(exc, AssertionError) and not isinstance(exc, TargetError):
        return Outcome.FAIL, str(exc), (Evidence(details=(trace,)),)
    if isinstance(exc, (TargetError, OSError, TimeoutError)):
        return Outcome.ERROR, f"the target could not be asked ({report.when}): {exc}", (Evidence(details=(str(exc),)),)
    name = type(exc).__name__ if exc else "error"
    return Outcome.ERROR, f"harness error during {report.when}: {name}: {exc}", (Evidence(details=(trace,)),)


def pytest_runtest_setup(item: pytest.Item) -> None:
    state = item.config.stash.get(STATE_KEY, None)
    if state is not None:
        state.run.budget.start(item.nodeid)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    state = item.config.stash.get(STATE_KEY, None)
    if state is not None:
        _redact_report(report, state.run)
    if state is None or not requirement_ids(item):
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


def _redact_report(report: pytest.TestReport, run: RunConfig) -> None:
    """pytest's own sections (tracebacks, captured output) pass the redactor too."""
    if report.longrepr is not None and not isinstance(report.longrepr, tuple):
        report.longrepr = run.redactor.redact(str(report.longrepr))
    report.sections = [(title, run.redactor.redact(text)) for title, text in report.sections]


def _titles(item: pytest.Item) -> tuple[str, str]:
    """(English, bokmål) titles from the scenario's docstring: its first line, and a line
    starting ``nb:``; without a docstring, the function name in words."""
    doc = getattr(getattr(item, "function", None), "__doc__", None)
    if not doc or not doc.strip():
        return item.name.removeprefix("test_").replace("_", " "), ""
    lines = [line.strip() for line in doc.strip().splitlines()]
    nb = next((line.removeprefix("nb:").strip() for line in lines if line.startswith("nb:")), "")
    return lines[0], nb


def check_name(item: pytest.Item) -> str:
    return getattr(item, "originalname", None) or item.name


def _finish(item: pytest.Item, current: dict[str, Any]) -> None:
    state = state_of(item.config)
    title, title_nb = _titles(item)
    state.record(CheckResult(
        id=item.nodeid, title=title, title_nb=title_nb, suite=suite_of(item),
        requirements=requirement_ids(item), outcome=current["outcome"], message=current["message"],
        evidence=current["evidence"], reproduce=state.run.reproduce(suite_of(item), check_name(item)),
        duration=current["duration"],
    ))


# --- end of run ---------------------------------------------------------------------------


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = session.config.stash.get(STATE_KEY, None)
    if state is None:
        return
    if exitstatus == pytest.ExitCode.INTERRUPTED or session.shouldstop:
        state.interrupted = True
    state.finish()
    if state.run.report_dir and state.checks and state.run_result is not None:
        from harness.reporting import write_reports

        write_reports(state.run_result, state.run.report_dir, lang=state.run.options.lang, deviations=state.run.deviations)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is None or state.run_result is None or not state.checks:
        return
    from harness.reporting.terminal import summary_lines

    terminalreporter.section("harness outcomes")
    for line in summary_lines(state.run_result, state.run.report_dir):
        terminalreporter.write_line(line)


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def harness_run(request: pytest.FixtureRequest) -> RunConfig:
    return state_of(request.config).run


@pytest.fixture(scope="session")
def target(harness_run: RunConfig) -> Iterator[Profile]:
    """The target's profile with every endpoint filled in; for the sandbox, the running one's."""
    if not harness_run.profile.is_sandbox:
        yield harness_run.profile
        return
    from harness.sandbox.system import Sandbox

    box = Sandbox(harness_run.profile, harness_run.defects, units=harness_run.units)
    resolved = box.start()
    try:
        yield resolved
    finally:
        box.stop()


def configured(request: pytest.FixtureRequest, unit: ProtocolUnit[S]) -> S:
    """A unit's settings from the resolved profile, its endpoint asked once.

    NOT_TESTED when the profile does not configure the protocol; when its endpoint does not
    answer, one ERROR is recorded for the protocol and every scenario of it is NOT_TESTED.
    """
    profile: Profile = request.getfixturevalue("target")
    settings = profile.settings_for(unit)
    if settings is None:
        findings.not_tested(f"the profile configures no [{unit.section}] section")
    failure = state_of(request.config).probe(unit, settings, profile.timeout)
    if failure is not None:
        findings.not_tested(f"{unit.title} endpoint unreachable (reported once, as {unit.name}::endpoint): {failure}")
    return settings


@pytest.fixture(scope="session")
def libraries(target: Profile) -> tuple[Library, ...]:
    """The consortium's libraries as the target knows them."""
    if not target.libraries:
        findings.not_tested("the profile lists no [[library]] entries")
    return target.libraries


@pytest.fixture()
def warn(request: pytest.FixtureRequest) -> WarningRecorder:
    """Record a missed bør point: the scenario still passes, its outcome becomes WARN.
    ``warn.note(...)`` records a measurement instead: the outcome stays PASS, with the note."""
    recorder = WarningRecorder()
    request.node.stash[_WARN_KEY] = recorder
    return recorder
