"""The Locust users: the consortium's clients, over the harness's own protocol clients.

Imported only inside the Locust processes (``harness.load.child``): Locust patches the socket
and thread modules with gevent on import, which must never happen in the harness's own
process, where the sandbox serves from threads.

Every user is a :class:`HarnessUser`: it takes a *seat* of its fleet (library, patron, items;
``harness.load.workload``), runs one task per pacing interval, and reports each transaction
through :meth:`HarnessUser.transaction`, which judges the reply (``harness.load.judge``), fires
Locust's ``request`` event (its console, web UI and statistics) and records the latency or
error kind for the load checks (``harness.load.recorder``).

=====================  ==========  ==========================================================
user                   fleet       one task
=====================  ==========  ==========================================================
SelfServiceMachine     selfservice a patron session: 63 patron information, N 11 checkouts,
                                   the N 09 checkins (logged in once, 93 and 99, at start)
BookbusTerminal        bookbus     connect, 93, 99, a burst of no-block checkouts and their
                                   checkins (the queue it kept on the road), disconnect
MarcHarvester          harvest     one whole export over the MARC HTTP channel, per library
=====================  ==========  ==========================================================

A new protocol joins with a user class here (a subclass of :class:`HarnessUser` whose task
calls ``self.transaction``), its fleet builder in ``workload.FLEET_BUILDERS``, its endpoint in
``plan.TargetPlan`` and its transaction names in ``settings.TRANSACTIONS``: an ``SruSearcher``
sending a searchRetrieve mix through ``harness.sru.client.SruClient`` and judging
``SruResult.problems``; an ``OaiHarvester`` following ListRecords through
``harness.oaipmh.client.OaiClient`` one page per task.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from locust import User, task
from locust.env import Environment
from locust.exception import StopUser

from harness.errors import HarnessError, TargetError
from harness.evidence import Exchange as EvidenceExchange
from harness.http import HttpClient
from harness.load.judge import (
    HARNESS_PREFIX,
    exception_kind,
    marc_export_error,
    sip2_error,
)
from harness.load.plan import TargetPlan
from harness.load.recorder import Recorder
from harness.load.workload import Fleet, Seat, Workload
from harness.sip2 import requests as rq
from harness.sip2.client import Client
from harness.sip2.codec import Message, format_date


class LoadError(Exception):
    """A wrong reply or a failed exchange, as Locust's statistics count it (by its text)."""


@dataclass
class RunContext:
    """What every user of one Locust process shares: the workload, the plan, the recorder."""

    workload: Workload
    plan: TargetPlan
    recorder: Recorder
    worker_index: int
    seats_taken: dict[str, int] = field(default_factory=dict)
    refusal: str = ""  # why this process must not load (another target's workload)
    outstanding: dict[str, str] = field(default_factory=dict)  # item -> institution: lent, return not seen

    def take_seat(self, fleet: Fleet) -> tuple[int, Seat]:
        """This process's next seat: index ``worker_index + workers * n``, unique across workers."""
        taken = self.seats_taken.get(fleet.name, 0)
        self.seats_taken[fleet.name] = taken + 1
        index = self.worker_index + self.workload.workers * taken
        return index, fleet.seat(index)


def context_of(environment: Environment) -> RunContext:
    """The process's run context, made on first use: a worker learns the workload only when
    the master spawns users (it travels in Locust's forwarded options)."""
    found = getattr(environment, "harness_context", None)
    if isinstance(found, RunContext):
        return found
    plan: TargetPlan = environment.harness_plan  # type: ignore[attr-defined]
    options = environment.parsed_options
    assert options is not None  # the master's options reach a worker with the spawn message
    workload = Workload.from_json(str(options.harness_workload))
    runner = environment.runner
    index = int(getattr(runner, "worker_index", 0) or 0)
    context = RunContext(workload, plan, Recorder(workload.step), index)
    if workload.target != plan.target:
        context.refusal = (f"{HARNESS_PREFIX}this worker's profile names the target {plan.target!r}, "
                           f"the master's workload {workload.target!r}: no load sent")
    environment.harness_context = context  # type: ignore[attr-defined]
    return context


class HarnessUser(User):
    """A client of one fleet: a seat, a pacing, judged transactions."""

    abstract = True
    fleet_name: ClassVar[str] = ""

    def on_start(self) -> None:
        self.run_context = context_of(self.environment)
        if self.run_context.refusal:
            self.run_context.recorder.record("refused", time.time(), 0.0, self.run_context.refusal)
            raise StopUser()
        fleet = self.run_context.workload.fleet(self.fleet_name)
        if fleet is None:
            raise StopUser()
        self.fleet = fleet
        self.seat_index, self.seat = self.run_context.take_seat(fleet)
        self._task_started = time.monotonic()
        self.pending_example: dict[str, Any] | None = None

    def wait_time(self) -> float:
        """Pacing: the next task starts ``fleet.pacing`` seconds after the last one started."""
        return max(0.0, float(self.fleet.pacing) - (time.monotonic() - self._task_started))

    def start_task(self) -> None:
        self._task_started = time.monotonic()

    @contextmanager
    def transaction(self, request_type: str, name: str) -> Iterator[Callable[..., None]]:
        """Time one exchange; the block calls ``judged(error_kind_or_None, length, example)``.
        An exception from the wire is judged by its kind; a greenlet killed at the end of the
        run (GreenletExit, not an Exception) is not counted at all."""
        started = time.perf_counter()
        outcome: list[Any] = []

        def judged(error: str | None, length: int = 0, example: dict[str, Any] | None = None) -> None:
            outcome[:] = [error, length, example]

        try:
            yield judged
        except (HarnessError, OSError, ValueError) as exc:
            outcome[:] = [exception_kind(exc), 0, self.pending_example or self.last_example()]
        self.pending_example = None
        if not outcome:
            return
        error, length, example = outcome
        elapsed = (time.perf_counter() - started) * 1000.0
        self.environment.events.request.fire(
            request_type=request_type, name=name, response_time=elapsed, response_length=length,
            exception=LoadError(error) if error else None, context={},
        )
        self.run_context.recorder.record(name, time.time(), elapsed, error, example)

    def last_example(self) -> dict[str, Any] | None:
        """The last exchange, for the evidence of an error kind (None when there is none)."""
        return None


class Sip2User(HarnessUser):
    """A SIP2 connection that logs in once and logs in again after the target drops it."""

    abstract = True
    client: Client | None = None

    def last_example(self) -> dict[str, Any] | None:
        if self.client is None or not self.client.transcript:
            return None
        return _exchange_dict(self.client.transcript[-1].to_evidence(f"{self.client.host}:{self.client.port}"))

    @property
    def connected(self) -> bool:
        return self.client is not None and not self.client.closed

    def connect(self) -> bool:
        """Connect, 93 login, 99 status; False (the errors recorded) when that did not work."""
        plan = self.run_context.plan.sip2
        if plan is None:
            raise StopUser()
        self.disconnect()
        with self.transaction("sip2", "login") as judged:
            self.client = Client(plan.host, plan.port, timeout=plan.timeout, tls=plan.tls, verify=plan.verify,
                                 ca_file=plan.ca_file, charset=plan.charset, error_detection=plan.error_detection,
                                 max_frame=plan.max_frame, transcript_length=4)
            self._exchange(judged, rq.login(plan.username, plan.password, plan.location))
        if not self.connected or not self.last_ok:
            self.disconnect()
            return False
        return self.send("sc_status", rq.sc_status())

    def disconnect(self) -> None:
        if self.client is not None:
            self.client.close()
        self.client = None

    def on_stop(self) -> None:
        self.disconnect()

    def send(self, name: str, message: Message, *, pin_sent: bool = False) -> bool:
        """One judged transaction (logging in again first if the connection is gone); True for
        a right, successful reply."""
        if not self.connected and not self.connect():
            return False
        with self.transaction("sip2", name) as judged:
            self._exchange(judged, message, pin_sent=pin_sent)
        return self.last_ok

    last_ok = False

    def lend(self, item: str, checkout: Message) -> bool:
        """A checkout; the item counts as lent until a checkin of it succeeds (also when the
        reply was lost: the loan may stand), so the harness returns it after the run."""
        self.run_context.outstanding[item] = self.seat.institution
        return self.send("checkout", checkout)

    def give_back(self, item: str) -> bool:
        if self.send("checkin", rq.checkin(self.seat.institution, item)):
            self.run_context.outstanding.pop(item, None)
            return True
        return False

    def _exchange(self, judged: Callable[..., None], message: Message, *, pin_sent: bool = False) -> None:
        client = self.client
        assert client is not None
        self.last_ok = False
        sequence = client.next_sequence if client.error_detection else None
        try:
            decoded = client.send(message)
        except TargetError:
            self.pending_example = self.last_example()
            self.disconnect()  # a late reply would answer the next request: start a new session
            raise
        error = sip2_error(message, decoded, sequence=sequence, pin_sent=pin_sent)
        self.last_ok = error is None
        judged(error, len(decoded.raw), self.last_example() if error else None)


class SelfServiceMachine(Sip2User):
    """A self-service machine at a library: logged in all day, one patron session per task."""

    fleet_name = "selfservice"

    def on_start(self) -> None:
        super().on_start()
        self.connect()

    @task
    def session(self) -> None:
        self.start_task()
        if not self.connected and not self.connect():
            return
        seat = self.seat
        pin = self.run_context.plan.pins.get(seat.patron) or None
        self.send("patron_information", rq.patron_information(seat.institution, seat.patron, pin), pin_sent=bool(pin))
        for item in [i for i in seat.items if i in self.run_context.outstanding]:  # a return that failed earlier
            self.give_back(item)
        for item in seat.items:
            self.lend(item, rq.checkout(seat.institution, seat.patron, item, pin))
        for item in seat.items:
            self.give_back(item)


class BookbusTerminal(Sip2User):
    """A bookbus's terminal: off-line on the road; when it has a connection it logs in, sends
    the loans it made as no-block checkouts (3M SIP2 2.00 Checkout: no block Y, with the due
    date it promised), the returns as checkins, and hangs up."""

    fleet_name = "bookbus"

    @task
    def sync(self) -> None:
        self.start_task()
        seat = self.seat
        due = format_date(datetime.now(UTC) + timedelta(days=28))
        try:
            if not self.connect():
                return
            for item in seat.items:
                self.lend(item, rq.checkout(seat.institution, seat.patron, item, no_block_due=due))
            for item in seat.items:
                self.give_back(item)
        finally:
            self.disconnect()


class MarcHarvester(HarnessUser):
    """A union catalogue fetching the catalogue over the MARC export channel, one library's
    holdings at a time (``/marc/export?format=iso2709&library=...``)."""

    fleet_name = "harvest"
    http: HttpClient | None = None

    def on_start(self) -> None:
        super().on_start()
        plan = self.run_context.plan.marc
        if plan is None:
            raise StopUser()
        self.base_url = plan.base_url.rstrip("/")
        self.http = HttpClient("marc", timeout=plan.timeout, max_bytes=plan.max_bytes,
                               auth=(plan.username, plan.password) if plan.username else None)
        self.turn = 0

    def on_stop(self) -> None:
        if self.http is not None:
            self.http.close()

    def last_example(self) -> dict[str, Any] | None:
        if self.http is None or not self.http.transcript:
            return None
        return _exchange_dict(self.http.transcript[-1])

    @task
    def harvest(self) -> None:
        self.start_task()
        assert self.http is not None
        libraries = [s.library for s in self.fleet.seats if s.library]
        params = {"format": "iso2709"}
        if libraries:
            params["library"] = libraries[(self.turn + self.seat_index) % len(libraries)]
        self.turn += 1
        with self.transaction("http", "marc_export") as judged:
            response = self.http.get(f"{self.base_url}/marc/export", params)
            error = marc_export_error(response.status, response.body)
            judged(error, len(response.body), self.last_example() if error else None)


def _exchange_dict(exchange: EvidenceExchange) -> dict[str, Any]:
    """The exchange as evidence keeps it, bodies clipped: an example of an error kind."""
    return {"protocol": exchange.protocol, "endpoint": exchange.endpoint, "sent": exchange.sent[:2000],
            "received": exchange.received[:2000], "at": exchange.at, "elapsed": round(exchange.elapsed, 4),
            "note": exchange.note}


USER_CLASSES: dict[str, type[HarnessUser]] = {
    cls.fleet_name: cls for cls in (SelfServiceMachine, BookbusTerminal, MarcHarvester)
}
