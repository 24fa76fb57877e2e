"""``harness load``: the load suite with Locust, and ``harness load --worker`` for other machines.

    harness load [--target PROFILE] [--workload morning-rush|harvest|mixed] [--users N]
                 [--spawn-rate R] [--duration T] [--time-scale X] [--workers W]
                 [--remote-workers N --master-bind ADDR --master-port PORT] [--web [--web-port P]]
                 [--report-dir DIR] [--overwrite] [--lang nb|en] [--sandbox-defect NAME] ...
    harness load --worker --master-host HOST [--master-port PORT] --target PROFILE

Everything a user can get wrong is checked before any load is sent (exit 2, one message): the
profile, its ``[load]`` section, ``allow_load`` for anything but the embedded sandbox, the
bounds (``max_users``, ``max_duration``), and whether the profile's test items can carry the
workload. The run itself is the load suite (``scenarios/load/``) under the harness plugin, so
its results, journal and reports are those of every other run.
"""

from __future__ import annotations

import argparse
import re
import shlex
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness.errors import UsageError
from harness.load.runner import LOCUST_MISSING, Distribution, locust_available
from harness.load.settings import WORKLOADS, LoadSettings
from harness.load.workload import Overrides, build
from harness.profile import Profile

DEFAULT_WEB_PORT = 8089
DEFAULT_MASTER_PORT = 5557
_DURATION = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+(?:\.\d+)?)s?)?$")


def duration(text: str) -> float:
    """Seconds from "90", "90s", "10m", "1h30m" (Locust's --run-time forms)."""
    match = _DURATION.match(text.strip())
    if not text.strip() or match is None or not any(match.groupdict().values()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration (write 90, 90s, 10m or 1h30m)")
    parts = match.groupdict()
    return int(parts["h"] or 0) * 3600 + int(parts["m"] or 0) * 60 + float(parts["s"] or 0)


def add_parser(sub: Any) -> None:
    load = sub.add_parser("load", help="load the target with Locust: the morning rush, a harvest, or both (the load suite)")
    load.add_argument("--target", metavar="PROFILE", help="target profile (TOML); default: start the embedded sandbox")
    load.add_argument("--workload", choices=WORKLOADS, help="what to send (default: [load] workload, else morning-rush)")
    load.add_argument("--users", type=int, metavar="N", help="total clients; the workload's main fleet is sized to make it N")
    load.add_argument("--spawn-rate", type=float, metavar="R", help="clients connecting per second at the start")
    load.add_argument("--duration", type=duration, metavar="T", help="how long the load runs: 90, 90s, 10m, 1h30m")
    load.add_argument("--time-scale", type=float, metavar="X", help="compress the workload's pauses X times (1: real pace)")
    load.add_argument("--workers", type=int, default=0, metavar="W", help="start W local Locust workers (distributed mode)")
    load.add_argument("--remote-workers", type=int, default=0, metavar="N",
                      help="also wait for N workers started elsewhere with `harness load --worker`")
    load.add_argument("--master-bind", default="127.0.0.1", metavar="ADDR",
                      help="where the master listens for workers (default 127.0.0.1; remote workers need an address they reach)")
    load.add_argument("--master-port", type=int, default=0, metavar="PORT", help="the master's port (default: a free one; 5557 for remote workers)")
    load.add_argument("--web", action="store_true", help="serve Locust's web UI on 127.0.0.1 (off by default)")
    load.add_argument("--web-port", type=int, default=DEFAULT_WEB_PORT, metavar="P", help="the web UI's port (default 8089)")
    load.add_argument("--worker", action="store_true", help="be a worker for a master on another machine (needs --master-host, --target)")
    load.add_argument("--master-host", metavar="HOST", help="with --worker: the master's address")
    load.add_argument("--report-dir", default="harness-report", metavar="DIR", help="where the reports go (default ./harness-report)")
    load.add_argument("--overwrite", action="store_true", help="replace the reports of an earlier run in --report-dir")
    load.add_argument("--lang", choices=("nb", "en"), default="nb", help="scorecard language (default nb)")
    load.add_argument("--sandbox-defect", action="append", default=[], metavar="NAME",
                      help="switch on a sandbox defect (repeatable; e.g. sip2-slow-under-load)")
    load.add_argument("--mapping", metavar="FILE", help="procurement's requirement mapping (ids, weights, N/A)")
    load.add_argument("--overrides", metavar="FILE", help="evaluators' verdict overrides with reasons")
    load.add_argument("--negotiation-round", metavar="ROUND", help="the negotiation round this run belongs to")
    load.set_defaults(func=cmd_load)


def _settings(profile: Profile) -> LoadSettings:
    settings = profile.settings.get("load")
    if not isinstance(settings, LoadSettings):
        raise UsageError(f"{profile.path}: no [load] section: the harness loads only a target whose profile allows it. "
                         "Fix: copy [load] from targets/vendor-template.toml and set allow_load = true once the vendor agrees")
    return settings


def _precheck(profile: Profile, settings: LoadSettings, overrides: Overrides) -> None:
    """Build the workload once now, so a bound or a lack of test items is exit 2, not an ERROR later."""
    from harness.load.fixtures import refusal

    refused = refusal(profile, settings)
    if refused:
        raise UsageError(refused)
    if profile.is_sandbox and not profile.libraries:
        from harness.sandbox.state import load_libraries

        profile = replace(profile, libraries=tuple(load_libraries().values()))
    build(profile, settings, overrides)


def _overrides(args: argparse.Namespace) -> Overrides:
    for name in ("users", "workers", "remote_workers"):
        value = getattr(args, name)
        if value is not None and value < 0:
            raise UsageError(f"--{name.replace('_', '-')} {value}: not a number of clients or workers. Fix: use 0 or more")
    if args.spawn_rate is not None and args.spawn_rate <= 0:
        raise UsageError(f"--spawn-rate {args.spawn_rate:g}: must be above 0")
    if args.time_scale is not None and not 0 < args.time_scale <= 3600:
        raise UsageError(f"--time-scale {args.time_scale:g}: use a number above 0 and at most 3600")
    if args.users == 0:
        raise UsageError("--users 0: nothing would be sent. Fix: --users 1 or more")
    return Overrides(args.workload, args.users, args.spawn_rate, args.duration, args.time_scale,
                     workers=max(args.workers + args.remote_workers, 1))


def cmd_load(args: argparse.Namespace) -> int:
    if not locust_available():
        raise UsageError(LOCUST_MISSING)
    if args.worker:
        return _worker(args)
    import pytest

    from harness import cli
    from harness.config import RunOptions, Selection, load_run_config
    from harness.load.fixtures import LoadRequest
    from harness.paths import SANDBOX_PROFILE, SCENARIOS_DIR
    from harness.profile import load_profile
    from harness.pytest_plugin import ProvidedConfig

    overrides = _overrides(args)
    profile = load_profile(Path(args.target) if args.target else SANDBOX_PROFILE)
    _precheck(profile, _settings(profile), overrides)  # refused before anything is created or sent
    run_config = load_run_config(RunOptions(
        target=Path(args.target) if args.target else None,
        mapping=Path(args.mapping) if args.mapping else None,
        overrides=Path(args.overrides) if args.overrides else None,
        defects=tuple(args.sandbox_defect), report_dir=Path(args.report_dir), overwrite=args.overwrite,
        lang=args.lang, negotiation_round=args.negotiation_round or "", selection=Selection(("load",)),
        invocation="harness " + " ".join(shlex.quote(a) for a in args.argv),
    ))
    port = args.master_port or (DEFAULT_MASTER_PORT if args.remote_workers else 0)
    request = LoadRequest(overrides, Distribution(args.workers, args.remote_workers, args.master_bind, port),
                          web_port=args.web_port if args.web else 0)
    capture = cli._Capture()
    pytest_args = [str(SCENARIOS_DIR / "load"), *cli.pytest_base_args(), "-rN", "--tb=no", "-q"]
    with cli._isolated_pytest(), cli._sigterm_as_interrupt():
        code = pytest.main(pytest_args, plugins=[capture, ProvidedConfig(run_config), request])
    if code == pytest.ExitCode.USAGE_ERROR:
        return cli.EXIT_USAGE
    if capture.run is None or not capture.run.checks:
        return cli.EXIT_ERROR
    print(f"\nharness: reports in {Path(args.report_dir).resolve()} (results.json, scorecard.html, ...; load.json, locust.log)")
    return cli.exit_code_for(capture.run)


def _worker(args: argparse.Namespace) -> int:
    """A Locust worker for a master elsewhere, loading the target of *this* machine's profile."""
    from harness.load.plan import private_plan, target_plan
    from harness.load.runner import STOP_ALLOWANCE, _command
    from harness.profile import load_profile

    if not args.master_host or not args.target:
        raise UsageError("--worker needs --master-host (the master's address) and --target (this machine's copy of the profile)")
    profile = load_profile(Path(args.target))
    if profile.is_sandbox:
        raise UsageError("--worker loads a target named in a profile; the embedded sandbox runs inside the master's "
                         "harness. Fix: give the profile of the target the master loads")
    settings = _settings(profile)
    from harness.load.fixtures import refusal

    refused = refusal(profile, settings)
    if refused:
        raise UsageError(refused)
    port = args.master_port or DEFAULT_MASTER_PORT
    print(f"harness load --worker: loading {profile.name} for the master at {args.master_host}:{port}; Ctrl-C stops", flush=True)
    with private_plan(target_plan(profile, settings)) as plan_file:
        process = subprocess.Popen(_command("--role", "worker", "--plan", str(plan_file), "--master-host", args.master_host,
                                            "--port", str(port)), start_new_session=True)
        try:
            return process.wait(settings.max_duration + STOP_ALLOWANCE + 600)
        except (KeyboardInterrupt, subprocess.TimeoutExpired):
            process.send_signal(signal.SIGTERM)
            process.wait(10)
            print("\nharness load --worker: stopped", file=sys.stderr)
            return 130
