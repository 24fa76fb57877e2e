"""Start the Locust processes of a load run, keep them bounded in time, read what they measured.

The harness process never imports Locust (see ``harness.load.child``); it starts one local
process, or a master and ``workers`` local workers on loopback, each in its own process group.
Every process is stopped by the harness when the run's time is up, whatever state it is in:
the run ends by itself, ``duration`` plus a fixed allowance for starting and stopping.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from harness.errors import HarnessError, UsageError
from harness.load.plan import TargetPlan, private_plan
from harness.load.workload import Workload

START_ALLOWANCE = 60.0  # seconds for the processes to start and (distributed) the workers to connect
STOP_ALLOWANCE = 30.0  # seconds for the clients to stop and the last reports to arrive
LOCUST_MISSING = "Locust is not installed. Fix: pip install 'libharness[load]' (or pip install locust)"


class LoadRunFailed(HarnessError):
    """The Locust processes did not produce a result: the harness could not measure."""


@dataclass(frozen=True, slots=True)
class Distribution:
    """Where the clients run: here (0 workers), or ``workers`` local workers and ``remote``
    workers started on other machines (``harness load --worker``), reached through the master's
    ``bind`` address and ``port``."""

    workers: int = 0
    remote: int = 0
    bind: str = "127.0.0.1"
    port: int = 0  # 0: a free port

    @property
    def distributed(self) -> bool:
        return self.workers + self.remote > 0

    @property
    def processes(self) -> int:
        return max(self.workers + self.remote, 1)


@dataclass(frozen=True, slots=True)
class RawResult:
    data: dict[str, Any]
    log: str  # the tail of the processes' stderr


def locust_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("locust") is not None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "harness.load.child", *args]


@contextmanager
def _processes() -> Iterator[Callable[[list[str], IO[bytes], IO[bytes]], subprocess.Popen[bytes]]]:
    """Start processes in their own group; every one still running at the end is stopped."""
    started: list[subprocess.Popen[bytes]] = []

    def start(command: list[str], stdout: IO[bytes], stderr: IO[bytes]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, start_new_session=True)
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            _stop(process)


def _stop(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # its own group: this process and nothing else
        process.wait(grace)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(grace)


def run(workload: Workload, plan: TargetPlan, distribution: Distribution = Distribution(), *,
        web_port: int = 0, log_dir: Path | None = None, progress: Callable[[str], None] | None = None) -> RawResult:
    """Run the workload and return the master's (or the one process's) result."""
    if not locust_available():
        raise UsageError(LOCUST_MISSING)
    with tempfile.TemporaryDirectory(prefix="harness-load-run-") as scratch, private_plan(plan) as plan_file, _processes() as start:
        work = Path(scratch)
        (work / "workload.json").write_text(workload.to_json(), encoding="utf-8")
        out = work / "result.json"
        logs = log_dir or work
        logs.mkdir(parents=True, exist_ok=True)
        common = ["--workload", str(work / "workload.json"), "--out", str(out)]
        web = ["--web-port", str(web_port)] if web_port else []
        with (logs / "locust.log").open("wb") as errors, (work / "stdout.log").open("a+b") as stdout:
            if distribution.distributed:
                port = distribution.port or free_port(distribution.bind if distribution.bind != "0.0.0.0" else "127.0.0.1")
                main = start(_command("--role", "master", *common, *web, "--bind", distribution.bind, "--port", str(port),
                                      "--expect", str(distribution.workers + distribution.remote)), stdout, errors)
                for _ in range(distribution.workers):
                    start(_command("--role", "worker", "--plan", str(plan_file), "--master-host", "127.0.0.1",
                                   "--port", str(port)), subprocess.DEVNULL, errors)  # type: ignore[arg-type]
            else:
                main = start(_command("--role", "local", "--plan", str(plan_file), *common, *web), stdout, errors)
            _wait(main, workload.duration + START_ALLOWANCE + STOP_ALLOWANCE, stdout, progress)
        log = (logs / "locust.log").read_text(encoding="utf-8", errors="replace")[-4000:]
        if not out.is_file():
            raise LoadRunFailed(f"the Locust process ended (exit {main.returncode}) without a result; its log ends: {log[-1500:]}")
        return RawResult(json.loads(out.read_text(encoding="utf-8")), log)


def _wait(process: subprocess.Popen[bytes], seconds: float, stdout: IO[bytes], progress: Callable[[str], None] | None) -> None:
    """Until the process ends, passing its progress lines on; past ``seconds`` it is stopped."""
    deadline = time.monotonic() + seconds
    read = 0
    while process.poll() is None:
        if time.monotonic() > deadline:
            _stop(process)
            raise LoadRunFailed(f"the Locust process did not end within {seconds:g} s and was stopped")
        time.sleep(0.2)
        read = _pass_on(stdout, read, progress)
    _pass_on(stdout, read, progress)


def _pass_on(stdout: IO[bytes], read: int, progress: Callable[[str], None] | None) -> int:
    stdout.flush()
    stdout.seek(read)
    data = stdout.read()
    stdout.seek(0, os.SEEK_END)
    if progress is not None:
        for line in data.decode("utf-8", "replace").splitlines():
            progress(line)
    return read + len(data)


def run_returning(workload: Workload, plan: TargetPlan, distribution: Distribution = Distribution(), **options: Any) -> RawResult:
    """:func:`run`, with the items the load lends checked in before it and after it
    (``harness.load.cleanup``); what that did is in the result's notes."""
    from harness.load.cleanup import lent_by, return_items

    before = return_items(plan.sip2, lent_by(workload))  # loans an earlier run left would be refusals now
    raw = run(workload, plan, distribution, **options)
    after = return_items(plan.sip2, [(str(a), str(b)) for a, b in raw.data.get("outstanding", ())])
    returns = [f"{when} the load, the items it lends were checked in (not counted): {what}"
               for when, what in (("before", before), ("after", after)) if what]
    raw.data["notes"] = [*raw.data.get("notes", ()), *returns]
    return raw
