"""The load suite's clients: SIP2 transactions per client CPU-second, beside a raw-socket floor,
and Locust's distributed mode with 2 local workers beside 1.

Both contenders run in their own process against the same sandbox ACS (in this process), with
the same self-service machines sending the same messages at full speed (time scale 3600: no
pauses). A *client CPU-second* is user + system time of the client processes (Locust's master
and workers, or the raw loop), so "per core" does not depend on whether the sandbox, sharing
the machine, is the bottleneck; the wall-clock rates are printed beside it.

- Locust's SIP2 users: our Client, every reply decoded and judged, Locust's events and stats.
- The floor (benchmarks/load_raw_loop.py): the same frames, pre-encoded, over bare sockets
  from one selector loop, replies read to the CR and not even decoded.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness.load.cleanup import lent_by, return_items
from harness.load.plan import target_plan
from harness.load.recorder import Timeline
from harness.load.runner import Distribution, run_returning
from harness.load.settings import LoadSettings
from harness.load.unit import LOAD
from harness.load.workload import Overrides, Workload, build
from harness.paths import SANDBOX_PROFILE
from harness.profile import Profile, load_profile
from harness.sandbox.system import Sandbox
from harness.sip2 import requests as rq
from harness.sip2.codec import encode

USERS = 20
SECONDS = 8.0
RESULTS: dict[str, tuple[float, float]] = {}  # contender -> (transactions/s wall, transactions per client CPU-second)

def _load(profile: Profile) -> LoadSettings:
    settings = profile.settings_for(LOAD)
    assert settings is not None
    return settings



@pytest.fixture(scope="module")
def target() -> Iterator[Profile]:
    with Sandbox(load_profile(SANDBOX_PROFILE)) as profile:
        yield profile


def _workload(profile: Profile, workers: int) -> Workload:
    settings = replace(_load(profile), time_scale=3600.0)
    workload = build(profile, settings, Overrides(workload="morning-rush", users=USERS, duration=SECONDS, spawn_rate=USERS, workers=workers))
    return replace(workload, fleets=tuple(f for f in workload.fleets if f.name == "selfservice"))


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _locust(profile: Profile, workers: int) -> tuple[int, float, float]:
    workload = _workload(profile, max(workers, 1))
    cpu = _cpu_of_children()
    started = time.monotonic()
    raw = run_returning(workload, target_plan(profile, _load(profile)), Distribution(workers=workers))
    wall = time.monotonic() - started
    timeline = Timeline.from_result(raw.data)
    good, failed = timeline.counts()
    assert failed == 0, timeline.errors()
    return good, timeline.duration, (_cpu_of_children() - cpu) or wall


def _raw_loop(profile: Profile, tmp: Path) -> tuple[int, float, float]:
    workload = _workload(profile, 1)
    settings = profile.settings["sip2"]
    pins = {p.barcode: p.pin for p in profile.patrons}
    frames = []
    for seat in workload.fleets[0].seats[:USERS]:
        session = [rq.patron_information(seat.institution, seat.patron, pins[seat.patron]),
                   *(rq.checkout(seat.institution, seat.patron, item, pins[seat.patron]) for item in seat.items),
                   *(rq.checkin(seat.institution, item) for item in seat.items)]
        frames.append([encode(m, sequence=i % 10).decode("latin-1") for i, m in enumerate(session)])
    login = encode(rq.login(settings.username, settings.password, settings.location), sequence=0).decode("latin-1")  # type: ignore[attr-defined]
    plan = tmp / "frames.json"
    plan.write_text(json.dumps({"login": login, "frames": frames}), encoding="utf-8")
    return_items(target_plan(profile, _load(profile)).sip2, lent_by(workload))
    cpu = _cpu_of_children()
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("load_raw_loop.py")), settings.host, str(settings.port),  # type: ignore[attr-defined]
                           str(USERS), str(SECONDS), str(plan)], capture_output=True, text=True, timeout=SECONDS + 60, check=True)
    cpu = _cpu_of_children() - cpu
    return_items(target_plan(profile, _load(profile)).sip2, lent_by(workload))
    return int(done.stdout.strip()), SECONDS, cpu


@pytest.mark.benchmark(group="load")
@pytest.mark.parametrize("contender", ["Locust SIP2 users, 1 process", "raw socket loop", "Locust, master + 1 worker",
                                       "Locust, master + 2 workers"])
def test_transactions_per_core(benchmark: Any, target: Profile, tmp_path: Path, contender: str) -> None:
    def measure() -> tuple[int, float, float]:
        if contender == "raw socket loop":
            return _raw_loop(target, tmp_path)
        workers = {"Locust SIP2 users, 1 process": 0, "Locust, master + 1 worker": 1, "Locust, master + 2 workers": 2}[contender]
        return _locust(target, workers)

    transactions, seconds, cpu = benchmark.pedantic(measure, rounds=1, iterations=1)
    assert transactions > 0
    RESULTS[contender] = (transactions / seconds, transactions / cpu)


@pytest.fixture(scope="module", autouse=True)
def _print_ratios() -> Iterator[None]:
    yield
    if len(RESULTS) < 4:
        return
    for name, (wall, per_cpu) in RESULTS.items():
        print(f"\n{name:<32} {wall:>8,.0f} transactions/s wall  {per_cpu:>8,.0f} per client CPU-second")
    ours, floor = RESULTS["Locust SIP2 users, 1 process"], RESULTS["raw socket loop"]
    one, two = RESULTS["Locust, master + 1 worker"], RESULTS["Locust, master + 2 workers"]
    print(f"SIP2 User per core / raw-socket floor per core: {ours[1] / floor[1]:.2f}; wall {ours[0] / floor[0]:.2f}")
    print(f"distributed, 2 workers / 1 worker: wall {two[0] / one[0]:.2f}")
