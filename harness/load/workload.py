"""A workload: which simulated clients load the target, how many, how fast, with which test data.

Pure data, built from the profile's ``[load]`` settings, its libraries and test data, and the
command line; it crosses into the Locust processes as JSON (the master forwards it to every
worker), so it holds nothing secret: PINs and passwords stay in each process's own
:mod:`harness.load.plan`.

A workload is a set of *fleets*, one per kind of client. Each fleet has *seats*: the identity
one simulated client takes (its library, its patron, the items only it lends), so no two
clients ever lend the same item. A client's seat is its index across every Locust worker
(``worker index + workers × n``), which is why a fleet has ``workers`` spare seats.

=============  ============  =============================================================
workload       fleets        what it is
=============  ============  =============================================================
morning-rush   selfservice,  every self-service machine opens, logs in and serves patrons;
               bookbus       the bookbus terminals connect, send their queue, disconnect
harvest        harvest       a national service harvests the catalogue
mixed          all of them   the morning rush with the harvest alongside
=============  ============  =============================================================

A fleet the target cannot serve (no ``[sip2]``, no HTTP MARC export) is left out and named in
``Workload.left_out``; the search fleet (SRU, Z39.50) and the OAI-PMH harvest join the table
in :data:`FLEETS` when their units land (see ``harness/load/users.py``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from harness.errors import UsageError
from harness.load.settings import LoadSettings
from harness.profile import Profile

# workload -> its fleets; the first is the one --users sizes
WORKLOAD_FLEETS: Mapping[str, tuple[str, ...]] = {
    "morning-rush": ("selfservice", "bookbus"),
    "harvest": ("harvest",),
    "mixed": ("selfservice", "bookbus", "harvest"),
}
SELFSERVICE_KINDS = ("public", "school")  # library kinds with self-service machines
MIN_STEP = 1.0  # seconds: the finest timeline window
TIMELINE_POINTS = 60  # about this many windows, whatever the duration


@dataclass(frozen=True, slots=True)
class Seat:
    library: str  # library number
    institution: str  # the library's code in the fleet's protocol (SIP2's AO)
    patron: str = ""  # barcode
    items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Fleet:
    name: str  # a key of FLEETS
    count: int  # clients
    pacing: float  # seconds from the start of one task (session, burst, request) to the next
    per_task: int  # items per session, transactions per burst, 1 for a harvest request
    seats: tuple[Seat, ...]  # count + spare, see the module docstring

    def seat(self, index: int) -> Seat:
        return self.seats[index % len(self.seats)]


@dataclass(frozen=True, slots=True)
class Workload:
    name: str
    target: str  # the profile's target name: a worker started for another target refuses it
    fleets: tuple[Fleet, ...]
    duration: float
    spawn_rate: float
    step: float  # timeline window, seconds
    workers: int = 1  # processes running clients (1 without distributed mode)
    left_out: tuple[str, ...] = ()  # "harvest: the profile has no [marc] HTTP export"

    @property
    def users(self) -> int:
        return sum(f.count for f in self.fleets)

    def fleet(self, name: str) -> Fleet | None:
        return next((f for f in self.fleets if f.name == name), None)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Workload:
        data = json.loads(text)
        fleets = tuple(
            Fleet(f["name"], int(f["count"]), float(f["pacing"]), int(f["per_task"]),
                  tuple(Seat(s["library"], s["institution"], s["patron"], tuple(s["items"])) for s in f["seats"]))
            for f in data["fleets"]
        )
        return cls(data["name"], data["target"], fleets, float(data["duration"]), float(data["spawn_rate"]),
                   float(data["step"]), int(data["workers"]), tuple(data["left_out"]))


@dataclass(frozen=True, slots=True)
class Overrides:
    """What the command line changes; None keeps the profile's value."""

    workload: str | None = None
    users: int | None = None
    spawn_rate: float | None = None
    duration: float | None = None
    time_scale: float | None = None
    workers: int = 1


@dataclass(frozen=True, slots=True)
class _Inputs:
    settings: LoadSettings
    profile: Profile
    patrons: tuple[str, ...]
    items: tuple[str, ...]
    time_scale: float
    workers: int
    used: list[int] = field(default_factory=lambda: [0])  # items handed out so far

    def take_items(self, count: int) -> tuple[str, ...]:
        start = self.used[0]
        self.used[0] += count
        return self.items[start:start + count]


def _libraries_of(profile: Profile, kinds: Sequence[str], per_kind: Mapping[str, int], protocol: str, fallback: str) -> list[tuple[str, str]]:
    """(library number, code) once per machine: ``per_kind[kind]`` for each library of a kind."""
    found = [(lib.number, lib.code_for(protocol)) for lib in profile.libraries if lib.kind in kinds
             for _ in range(per_kind.get(lib.kind, 0))]
    if not found and not profile.libraries and fallback:
        # A profile without [[library]] entries: the account's own institution, as a public library.
        found = [(fallback, fallback)] * per_kind.get(kinds[0], 0)
    return found


def _seats(places: list[tuple[str, str]], count: int, spare: int, per_seat: int, inputs: _Inputs) -> tuple[Seat, ...]:
    patrons = inputs.patrons or ("",)
    seats = []
    for index in range(count + spare):
        library, code = places[index % len(places)]
        seats.append(Seat(library, code, patrons[index % len(patrons)], inputs.take_items(per_seat)))
    return tuple(seats)


def _sip2_institution(profile: Profile) -> str | None:
    settings = profile.settings.get("sip2")
    return getattr(settings, "institution", None) if settings is not None else None


def _selfservice(inputs: _Inputs, count: int | None) -> Fleet | str:
    institution = _sip2_institution(inputs.profile)
    if institution is None:
        return "the profile has no [sip2] section"
    s = inputs.settings
    places = _libraries_of(inputs.profile, SELFSERVICE_KINDS, s.machines, "sip2", institution)
    if not places and not count:
        return "no public or school library with machines (machines.public, machines.school)"
    places = places or [(institution, institution)]
    count = len(places) if count is None else count
    per_session = 1 + 2 * s.items_per_session  # patron information, N checkouts, N checkins
    pacing = 3600.0 * per_session / s.selfservice_per_hour / inputs.time_scale
    seats = _seats(places, count, inputs.workers, s.items_per_session, inputs)
    return Fleet("selfservice", count, pacing, s.items_per_session, seats)


def _bookbus(inputs: _Inputs, count: int | None) -> Fleet | str:
    institution = _sip2_institution(inputs.profile)
    if institution is None:
        return "the profile has no [sip2] section"
    s = inputs.settings
    places = _libraries_of(inputs.profile, ("bookbus",), s.machines, "sip2", "")
    if not places:
        return "no bookbus library with terminals (machines.bookbus)"
    count = len(places) if count is None else count
    half = s.bookbus_burst // 2  # checkouts, then the same items checked in
    seats = _seats(places, count, inputs.workers, half, inputs)
    return Fleet("bookbus", count, s.bookbus_interval / inputs.time_scale, half * 2, seats)


def _harvest(inputs: _Inputs, count: int | None) -> Fleet | str:
    marc = inputs.profile.settings.get("marc")
    if marc is None or getattr(marc, "channel", "") != "http":
        return "the profile has no [marc] section with channel = \"http\" (an OAI-PMH harvest joins when its unit lands)"
    s = inputs.settings
    count = s.harvesters if count is None else count
    if count == 0:
        return "harvesters = 0"
    places = [(lib.number, lib.number) for lib in inputs.profile.libraries if lib.kind != "deposit"] or [("", "")]
    # one seat per library at least: the harvesters take the libraries in turn
    seats = tuple(Seat(*places[i % len(places)]) for i in range(max(len(places), count + inputs.workers)))
    return Fleet("harvest", count, 3600.0 / s.harvest_per_hour / inputs.time_scale, 1, seats)


FLEET_BUILDERS = {"selfservice": _selfservice, "bookbus": _bookbus, "harvest": _harvest}


def _patrons(settings: LoadSettings, profile: Profile) -> tuple[str, ...]:
    return settings.patrons or tuple(p.barcode for p in profile.patrons)


def _items(settings: LoadSettings, profile: Profile) -> tuple[str, ...]:
    return settings.item_pool() or tuple(i.barcode for i in profile.items)


def timeline_step(duration: float) -> float:
    return max(MIN_STEP, float(math.ceil(duration / TIMELINE_POINTS)))


def build(profile: Profile, settings: LoadSettings, overrides: Overrides = Overrides()) -> Workload:
    """The workload for this target; a UsageError when the profile's test data cannot carry it."""
    name = overrides.workload or settings.workload
    duration = overrides.duration if overrides.duration is not None else settings.duration
    spawn_rate = overrides.spawn_rate if overrides.spawn_rate is not None else settings.spawn_rate
    time_scale = overrides.time_scale if overrides.time_scale is not None else settings.time_scale
    users = overrides.users if overrides.users is not None else settings.users
    if not 0 < duration <= settings.max_duration:
        raise UsageError(f"--duration {duration:g}: over the profile's max_duration ({settings.max_duration:g} s) or not above 0. "
                         "Fix: a shorter run, or raise [load] max_duration deliberately")
    inputs = _Inputs(settings, profile, _patrons(settings, profile), _items(settings, profile), time_scale, max(overrides.workers, 1))
    fleets: list[Fleet] = []
    left_out: list[str] = []
    main, *others = WORKLOAD_FLEETS[name]
    built_others = {other: FLEET_BUILDERS[other](inputs, None) for other in others}
    fixed = sum(f.count for f in built_others.values() if isinstance(f, Fleet))
    main_count = None if users is None else max(users - fixed, 1)
    for fleet_name, fleet in ((main, FLEET_BUILDERS[main](inputs, main_count)), *built_others.items()):
        if isinstance(fleet, Fleet):
            fleets.append(fleet)
        else:
            left_out.append(f"{fleet_name}: {fleet}")
    workload = Workload(name, profile.name, tuple(fleets), duration, spawn_rate, timeline_step(duration),
                        inputs.workers, tuple(left_out))
    _check(workload, settings, inputs)
    return workload


def _check(workload: Workload, settings: LoadSettings, inputs: _Inputs) -> None:
    if workload.users > settings.max_users:
        raise UsageError(f"the {workload.name} workload would start {workload.users} clients, over the profile's max_users "
                         f"({settings.max_users}). Fix: --users {settings.max_users} or fewer, or raise [load] max_users deliberately")
    lends = [f for f in workload.fleets if f.name in ("selfservice", "bookbus")]
    if lends and not inputs.patrons:
        raise UsageError("the load needs test patrons to lend to. Fix: add [[patron]] entries, or [load] patrons with patron_pin")
    needed = inputs.used[0]
    if needed > len(inputs.items):
        raise UsageError(f"the {workload.name} workload needs {needed} test items (each machine lends its own: "
                         f"{', '.join(f'{f.name} {len(f.seats)} x {len(f.seats[0].items)}' for f in lends)}); "
                         f"the profile gives {len(inputs.items)}. Fix: list more barcodes in [load] items or items_file, "
                         "or fewer --users")


def describe(workload: Workload) -> list[str]:
    """One line per fleet, for evidence and the terminal."""
    lines = []
    for fleet in workload.fleets:
        every = f"every {fleet.pacing:.3g} s"
        what = {"selfservice": f"a patron session of {1 + 2 * fleet.per_task} transactions {every}",
                "bookbus": f"connects, sends a burst of {fleet.per_task} transactions, disconnects, {every}",
                "harvest": f"one harvest request {every}"}.get(fleet.name, every)
        lines.append(f"{fleet.name}: {fleet.count} client(s), {what}")
    return lines + [f"left out: {reason}" for reason in workload.left_out]

