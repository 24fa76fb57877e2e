"""The [load] section and the workloads built from it: every bound and every seat checked."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from harness.errors import ConfigError, UsageError
from harness.load.plan import private_plan, target_plan
from harness.load.settings import DEFAULT_P95_MS, LoadSettings
from harness.load.unit import LOAD
from harness.load.workload import Overrides, Workload, build
from harness.paths import SANDBOX_PROFILE
from harness.profile import Profile, load_profile
from harness.sandbox.state import load_libraries

SIP2 = '[sip2]\nhost = "sip2.vendor.example"\nport = 6001\nusername = "sc"\npassword = "pw"\ninstitution = "TROMSO"\n'

def _load(profile: Profile) -> LoadSettings:
    settings = profile.settings_for(LOAD)
    assert settings is not None
    return settings



def _vendor(tmp_path: Path, load: str) -> Path:
    path = tmp_path / "vendor.toml"
    path.write_text('[target]\nname = "Vendor X"\n' + SIP2 + "[load]\n" + load, encoding="utf-8")
    return path


def _sandbox() -> Profile:
    """The sandbox's profile with its consortium's libraries, as the running sandbox resolves it."""
    return replace(load_profile(SANDBOX_PROFILE), libraries=tuple(load_libraries().values()))


def test_defaults_are_the_documented_morning_rush(tmp_path: Path) -> None:
    settings = _load(load_profile(_vendor(tmp_path, "")))
    assert (settings.allow_load, settings.workload, settings.duration, settings.selfservice_per_hour) == (False, "morning-rush", 600.0, 600)
    assert settings.p95_ms == DEFAULT_P95_MS and settings.error_rate == 0.001


@pytest.mark.parametrize(("text", "message"), [
    ("machines = { pubic = 2 }", "[load] machines.pubic: not a library kind. Fix: rename it to 'public'"),
    ("p95_ms = { chekout = 500 }", "[load] p95_ms.chekout: not a transaction type. Fix: rename it to 'checkout'"),
    ("users = 900", "[load] users: 900 is over max_users (500)"),
    ("duration = 20000", "[load] duration: 20000 is out of range"),
    ("error_rate = 5", "[load] error_rate: 5 is not a fraction"),
    ("alow_load = true", "[load] alow_load: unknown key. Fix: rename it to 'allow_load'"),
    ('workload = "rush"', "[load] workload: 'rush' is not one of morning-rush, harvest, mixed"),
])
def test_a_wrong_value_names_the_key_and_the_fix(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_profile(_vendor(tmp_path, text + "\n"))
    assert message in str(caught.value)


def test_the_sandbox_morning_rush_has_a_machine_per_library_and_its_own_items() -> None:
    profile = _sandbox()
    workload = build(profile, _load(profile))
    counts = {f.name: f.count for f in workload.fleets}
    assert counts == {"selfservice": 4 * 2 + 2 * 1, "bookbus": 1}  # 4 public libraries x 2, 2 school x 1
    selfservice = workload.fleet("selfservice")
    assert selfservice is not None and selfservice.pacing == pytest.approx(3600 * 5 / 600 / 30)
    items = [item for fleet in workload.fleets for seat in fleet.seats for item in seat.items]
    assert len(items) == len(set(items)) and len(items) == (10 + 1) * 2 + (1 + 1) * 10  # one spare seat per worker
    institutions = {seat.institution for seat in selfservice.seats}
    assert "TROMSO" in institutions and len(institutions) == 6


def test_users_size_the_main_fleet_and_the_workers_get_spare_seats() -> None:
    profile = _sandbox()
    workload = build(profile, _load(profile), Overrides(users=40, workers=3))
    assert workload.users == 40 and workload.workers == 3
    assert len(workload.fleet("selfservice").seats) == 39 + 3  # type: ignore[union-attr]
    again = Workload.from_json(workload.to_json())
    assert again == workload


def test_the_harvest_leaves_out_what_the_target_cannot_serve(tmp_path: Path) -> None:
    profile = load_profile(_vendor(tmp_path, ""))
    workload = build(profile, _load(profile), Overrides(workload="harvest"))
    assert workload.fleets == () and "[marc]" in workload.left_out[0]


def test_too_few_items_or_too_many_users_is_a_usage_error_before_anything_is_sent(tmp_path: Path) -> None:
    profile = load_profile(_vendor(tmp_path, 'items = ["A1", "A2"]\n'))
    profile = replace(profile, patrons=load_profile(SANDBOX_PROFILE).patrons)
    with pytest.raises(UsageError, match=r"needs 6 test items .*selfservice 3 x 2.*the profile gives 2"):
        build(profile, _load(profile))
    with pytest.raises(UsageError, match="over the profile's max_users"):
        build(profile, _load(profile), Overrides(users=501))
    with pytest.raises(UsageError, match="max_duration"):
        build(profile, _load(profile), Overrides(duration=99999))


def test_the_plan_file_holds_the_secrets_privately_and_is_removed(tmp_path: Path) -> None:
    profile = _sandbox()
    plan = target_plan(profile, _load(profile))
    assert plan.pins["TST0000001"] == "4711" and plan.sip2 is not None and plan.sip2.password == "sandbox-sip"
    with private_plan(plan) as path:
        assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
        assert "sandbox-sip" in path.read_text(encoding="utf-8")
    assert not path.exists() and not path.parent.exists()
    workload = build(profile, _load(profile))
    assert "sandbox-sip" not in workload.to_json() and "4711" not in workload.to_json()  # what travels to workers
