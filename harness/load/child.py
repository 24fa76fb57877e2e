"""One Locust process of a load run: ``python -m harness.load.child --role local|master|worker``.

Locust is used as a library (its ``Environment`` and runners), in a process of its own: Locust
patches sockets and threads with gevent on import, which must not reach the harness process
(the sandbox serves from threads there, pytest runs there). Using the library rather than the
``locust`` command lets this process run the exact sequence a load check needs and write one
result file: start the clients, stop them after the duration, wait for the workers' last
reports, write what was measured. The harness (``harness.load.runner``) starts these processes,
bounds them in time and reads the result.

- ``local``: the clients run here; ``--plan`` says where and with what credentials.
- ``master``: no clients; waits for ``--expect`` workers, spawns the workload's clients on
  them (the workload travels in Locust's forwarded options), merges their reports.
- ``worker``: runs the clients the master gives it, against its own ``--plan``'s target.

The web UI is off unless ``--web-port`` is given, and then bound to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import traceback
from argparse import Namespace
from pathlib import Path
from typing import Any

import gevent
import locust
from locust import argument_parser
from locust.env import Environment
from locust.runners import MasterRunner, Runner

from harness.load.plan import TargetPlan
from harness.load.recorder import Recorder
from harness.load.users import USER_CLASSES, RunContext, context_of
from harness.load.workload import Workload

log = logging.getLogger("harness.load")
WORKERS_TIMEOUT = 60.0  # seconds the master waits for its workers to connect
FINAL_REPORT_TIMEOUT = 8.0  # seconds the master waits for each worker's last report
PROGRESS_EVERY = 5.0  # seconds between progress lines on stdout


def _options(workload: Workload) -> Namespace:
    """Locust's own defaults (a master reads several of them) plus the workload, which Locust
    forwards to every worker with the spawn message because it is not one of its own options."""
    parser = argument_parser.get_empty_argument_parser()
    argument_parser.setup_parser_arguments(parser)  # type: ignore[no-untyped-call]
    options: Namespace = parser.parse_args([])
    options.harness_workload = workload.to_json()
    return options


def _environment(classes: list[type[locust.User]], workload: Workload | None, plan: TargetPlan | None) -> Environment:
    options = _options(workload) if workload is not None else None
    env = Environment(user_classes=list(classes), events=locust.events, parsed_options=options, stop_timeout=0.0)
    env.harness_plan = plan  # type: ignore[attr-defined]
    return env


def _classes_for(workload: Workload) -> list[type[locust.User]]:
    classes: list[type[locust.User]] = []
    for fleet in workload.fleets:
        cls = USER_CLASSES[fleet.name]
        cls.fixed_count = fleet.count  # the master dispatches exactly the workload's clients
        classes.append(cls)
    return classes


class Measurement:
    """The master's (or the local runner's) view: merged reports, users over time, times."""

    def __init__(self, env: Environment, workload: Workload) -> None:
        self.env, self.workload = env, workload
        self.recorder = Recorder(workload.step)
        self.started = time.time()
        self.spawned: float | None = None
        self.reports: dict[str, float] = {}  # worker id -> when its last report came
        self.outstanding: dict[str, list[list[str]]] = {}  # worker id -> its items lent and not seen returned
        env.events.spawning_complete.add_listener(self._spawned)  # type: ignore[no-untyped-call]
        env.events.worker_report.add_listener(self._worker_report)  # type: ignore[no-untyped-call]

    def _spawned(self, user_count: int, **_: Any) -> None:
        self.spawned = self.spawned or time.time()

    def _worker_report(self, client_id: str, data: dict[str, Any]) -> None:
        if "harness" in data:
            self.recorder.merge(data["harness"])
        if "harness_outstanding" in data:
            self.outstanding[client_id] = data["harness_outstanding"]
        self.reports[client_id] = time.time()

    def sample(self, runner: Runner) -> None:
        """Users and a progress line every window, until the run ends."""
        last_line = 0.0
        while True:
            now = time.time()
            self.recorder.note_users(now, runner.user_count)
            if now - last_line >= PROGRESS_EVERY:
                last_line = now
                stats = runner.stats.total
                print(f"load: {now - self.started:6.0f} s  {runner.user_count} clients  "
                      f"{stats.num_requests} transactions  {stats.num_failures} errors", flush=True)
            gevent.sleep(min(self.workload.step, 1.0))

    def result(self, runner: Runner, ended: float, notes: list[str]) -> dict[str, Any]:
        local = getattr(self.env, "harness_context", None)
        outstanding = [pair for pairs in self.outstanding.values() for pair in pairs]
        if isinstance(local, RunContext):
            self.recorder.merge(local.recorder.drain())
            outstanding += [[institution, item] for item, institution in local.outstanding.items()]
        exceptions = [{"count": e["count"], "msg": e["msg"], "traceback": e["traceback"][-2000:]}
                      for e in runner.exceptions.values()]
        return {
            **self.recorder.to_dict(),
            "started": self.started, "spawned": self.spawned, "ended": ended,
            "workers": runner.worker_count if isinstance(runner, MasterRunner) else 0,
            "exceptions": exceptions, "notes": notes, "outstanding": outstanding,
        }


def _run(env: Environment, runner: Runner, workload: Workload, measurement: Measurement, expect: int) -> dict[str, Any]:
    notes: list[str] = []
    if isinstance(runner, MasterRunner):
        deadline = time.monotonic() + WORKERS_TIMEOUT
        while runner.worker_count < expect and time.monotonic() < deadline:
            gevent.sleep(0.1)
        if runner.worker_count < expect:
            notes.append(f"harness: only {runner.worker_count} of {expect} Locust workers connected within {WORKERS_TIMEOUT:g} s")
            return measurement.result(runner, time.time(), notes)
    measurement.started = time.time()
    sampler = gevent.spawn(measurement.sample, runner)
    gevent.spawn(runner.start, workload.users, workload.spawn_rate)
    gevent.sleep(workload.duration)
    stopped = time.time()
    runner.stop()
    if isinstance(runner, MasterRunner):
        _await_final_reports(runner, measurement, stopped)
    sampler.kill()
    result = measurement.result(runner, stopped, notes)
    runner.quit()
    return result


def _await_final_reports(runner: MasterRunner, measurement: Measurement, stopped: float) -> None:
    """Every worker reports every few seconds; wait for one report sent after the stop."""
    deadline = time.monotonic() + FINAL_REPORT_TIMEOUT
    while time.monotonic() < deadline:
        ids = [c.id for c in runner.clients.all]
        if all(measurement.reports.get(i, 0.0) > stopped for i in ids):
            return
        gevent.sleep(0.1)


def _bound(runner: Runner, users: int) -> None:
    """No more clients than the workload's, whatever is asked (the web UI can ask for a new test)."""
    start = runner.start

    def bounded(user_count: int, spawn_rate: float, *args: Any, **kwargs: Any) -> None:
        start(min(int(user_count), users), spawn_rate, *args, **kwargs)

    runner.start = bounded  # type: ignore[method-assign]


def _worker(env: Environment, host: str, port: int) -> None:
    runner = env.create_worker_runner(host, port)

    def attach(client_id: str, data: dict[str, Any]) -> None:
        context = getattr(env, "harness_context", None)
        if isinstance(context, RunContext):
            data["harness"] = context.recorder.drain()
            data["harness_outstanding"] = [[institution, item] for item, institution in context.outstanding.items()]

    env.events.report_to_master.add_listener(attach)  # type: ignore[no-untyped-call]
    runner.greenlet.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.load.child")
    parser.add_argument("--role", choices=("local", "master", "worker"), required=True)
    parser.add_argument("--plan", type=Path, help="the target plan (local, worker)")
    parser.add_argument("--workload", type=Path, help="the workload as JSON (local, master)")
    parser.add_argument("--out", type=Path, help="where the result goes (local, master)")
    parser.add_argument("--bind", default="127.0.0.1", help="master: the address workers connect to")
    parser.add_argument("--master-host", default="127.0.0.1", help="worker: the master's address")
    parser.add_argument("--port", type=int, default=5557, help="master's port for its workers")
    parser.add_argument("--expect", type=int, default=0, help="master: workers to wait for")
    parser.add_argument("--web-port", type=int, default=0, help="serve Locust's web UI on 127.0.0.1:PORT")
    args = parser.parse_args(argv)
    sys.argv = sys.argv[:1]  # Locust's web UI reads its own options from the command line: give it none
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    plan = TargetPlan.from_json(args.plan.read_text(encoding="utf-8")) if args.plan else None
    if args.role == "worker":
        _worker(_environment(list(USER_CLASSES.values()), None, plan), args.master_host, args.port)
        return 0
    workload = Workload.from_json(args.workload.read_text(encoding="utf-8"))
    env = _environment(_classes_for(workload), workload, plan)
    runner: Runner
    if args.role == "master":
        runner = env.create_master_runner(args.bind, args.port)
    else:
        runner = env.create_local_runner()
        context_of(env)  # the recorder exists before the first client
    _bound(runner, workload.users)
    if args.web_port:
        env.create_web_ui("127.0.0.1", args.web_port)
        print(f"load: Locust's web UI on http://127.0.0.1:{args.web_port}/", flush=True)
    measurement = Measurement(env, workload)
    try:
        result = _run(env, runner, workload, measurement, args.expect)
    except Exception:  # noqa: BLE001 - a harness bug: say so in the result, the checks report ERROR
        result = measurement.result(runner, time.time(), [f"harness: the Locust process failed: {traceback.format_exc()[-1500:]}"])
    if env.web_ui is not None:
        env.web_ui.stop()  # type: ignore[no-untyped-call]
    args.out.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
