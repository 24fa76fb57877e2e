"""The load suite's pytest fixtures, registered by the harness plugin from the registry.

``load_run`` runs the load once per session and hands every load check the same measurements.
It runs only when asked for (``harness load``, or ``harness run --suite load``): a plain
``harness run`` is a conformance run and sends no load (the checks are NOT_TESTED and say so),
and a target other than the embedded sandbox is loaded only when its profile says
``allow_load = true``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness.config import RunConfig
from harness.findings import Finding, WarningRecorder, cannot_judge, not_tested
from harness.load.evaluate import Judgement, LoadRun, harness_trouble
from harness.load.plan import target_plan
from harness.load.recorder import Timeline
from harness.load.runner import Distribution, LoadRunFailed, run_returning
from harness.load.settings import LoadSettings
from harness.load.unit import LOAD
from harness.load.workload import Overrides, Workload, build
from harness.profile import Profile
from harness.pytest_plugin import configured

NOT_ASKED = "load runs only when asked for: `harness load`, or `harness run --suite load`"
RESULT_NAME = "load.json"


@dataclass(frozen=True, eq=False)  # a pytest plugin object: hashed by identity
class LoadRequest:
    """What `harness load` asked for; registered as a pytest plugin object, read by ``load_run``."""

    overrides: Overrides = field(default_factory=Overrides)
    distribution: Distribution = field(default_factory=Distribution)
    web_port: int = 0


def refusal(profile: Profile, settings: LoadSettings) -> str:
    """Why this target must not be loaded ('' when it may)."""
    if profile.is_sandbox or settings.allow_load:
        return ""
    return (f"{profile.path}: [load] allow_load is not true: the harness sends load only to a target whose "
            "profile allows it. Fix: set allow_load = true in [load] once the vendor has agreed to a load test")


def _request_of(config: pytest.Config) -> LoadRequest | None:
    return next((p for p in config.pluginmanager.get_plugins() if isinstance(p, LoadRequest)), None)


def _processes(distribution: Distribution) -> str:
    if not distribution.distributed:
        return "1 Locust process"
    parts = [f"{distribution.workers} local" if distribution.workers else "", f"{distribution.remote} remote" if distribution.remote else ""]
    return f"a Locust master and {' + '.join(p for p in parts if p)} worker(s)"


@pytest.fixture(scope="session")
def load_settings(request: pytest.FixtureRequest) -> LoadSettings:
    settings: LoadSettings = configured(request, LOAD)
    return settings


@pytest.fixture(scope="session")
def load_workload(request: pytest.FixtureRequest, target: Profile, harness_run: RunConfig, load_settings: LoadSettings) -> Workload:
    asked = _request_of(request.config)
    if asked is None and "load" not in harness_run.selection.suites:
        not_tested(NOT_ASKED)
    refused = refusal(harness_run.profile, load_settings)
    if refused:
        not_tested(refused)
    overrides = asked.overrides if asked is not None else Overrides()
    workload = build(target, load_settings, overrides)
    if not workload.fleets:
        not_tested(f"nothing of the {workload.name} workload can run against this target: {'; '.join(workload.left_out)}")
    if any(f.name in ("selfservice", "bookbus") for f in workload.fleets):
        from harness.sip2.unit import SIP2

        configured(request, SIP2)  # SIP2's endpoint probed once: unreachable is one ERROR, not a load of errors
    return workload


@pytest.fixture(scope="session")
def load_run(request: pytest.FixtureRequest, target: Profile, harness_run: RunConfig, load_settings: LoadSettings,
             load_workload: Workload) -> LoadRun:
    """Run the load once; every load check judges these measurements."""
    asked = _request_of(request.config) or LoadRequest()
    progress = _progress(request.config)
    raw = run_returning(load_workload, target_plan(target, load_settings), asked.distribution, web_port=asked.web_port,
                        log_dir=harness_run.report_dir, progress=progress)
    if harness_run.report_dir is not None:
        record = {"workload": json.loads(load_workload.to_json()), "result": raw.data}
        (Path(harness_run.report_dir) / RESULT_NAME).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    measured = LoadRun(load_workload, Timeline.from_result(raw.data), load_settings, harness_run.profile.path,
                       _processes(asked.distribution), tuple(e["msg"] for e in raw.data.get("exceptions", ())),
                       tuple(raw.data.get("notes", ())))
    trouble = harness_trouble(measured)
    if trouble:
        raise LoadRunFailed("the load run cannot be judged: " + "; ".join(trouble)[:2000])
    return measured


def _progress(config: pytest.Config) -> Callable[[str], None] | None:
    """Progress lines on the terminal while the load runs (past pytest's output capture)."""
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if terminal is None or capture is None:
        return None

    def show(line: str) -> None:
        with capture.global_and_fixture_disabled():
            terminal.write_line(line)

    return show


def report(judgement: Judgement, warn: WarningRecorder) -> None:
    """A judgement as the check's outcome: FAIL, PASS with what was measured, or NOT_TESTED."""
    if judgement.passed is None:
        if judgement.owner:
            cannot_judge(judgement.message, judgement.owner)
        not_tested(judgement.message)
    if not judgement.passed:
        raise Finding(judgement.message, clause=judgement.clause, expected=judgement.expected,
                      exchanges=judgement.exchanges, details=judgement.details)
    warn.note(judgement.message, clause=judgement.clause, exchanges=judgement.exchanges, details=judgement.details)
