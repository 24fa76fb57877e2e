"""The ``[load]`` section of a target profile: may the harness load this target, how hard, and
what counts as holding the load.

Every number has a documented default (the table below and ``targets/vendor-template.toml``);
the defaults describe the *morning rush*: the first hour after the libraries open, with a
patron at every self-service machine and the overnight returns being checked in. They are the
consortium's assumptions, not measurements: an evaluator with a real system's SIP2 logs should
replace them with counted numbers.

==========================  ============  ========================================================
key                         default       meaning
==========================  ============  ========================================================
allow_load                  false         a vendor's target is only ever loaded when this is true
workload                    morning-rush  morning-rush | harvest | mixed (``--workload``)
duration                    600           seconds of load; the run stops by itself after it
spawn_rate                  10            machines connecting per second at the opening
users                       (computed)    total clients; default: ``machines`` per library
time_scale                  1             >1 compresses the day: every pause divided by it
max_users, max_duration     500, 14400    the bounds no command line may exceed
machines                    public 2,     self-service machines per library of each kind; a
                            school 1,     bookbus library gets that many bookbus terminals;
                            bookbus 1     deposit collections lend nothing and get none
selfservice_per_hour        600           SIP2 transactions per hour per self-service machine
items_per_session           2             a patron session: 1 patron information, N checkouts,
                                          the N checkins (a day's checkins equal its checkouts)
bookbus_burst               20            transactions a bookbus terminal sends when connected
bookbus_interval            900           seconds between a terminal's connections
harvesters                  1             clients harvesting the catalogue (harvest, mixed)
harvest_per_hour            720           requests per hour per harvester (one every 5 s)
items, items_file           [[item]]      item barcodes the load lends, disjoint per machine
patrons, patron_pin         [[patron]]    patron barcodes, one PIN for all of them
p95_ms                      see below     LAST-01: 95th percentile per transaction type, ms
error_rate                  0.001         LAST-02: errors per transaction, at most
degradation_factor          1.5           LAST-03: last third's median over the first third's
degradation_min_ms          100           ... and slower by at least this many milliseconds
soak_minimum                3600          LAST-03 is judged only on runs at least this long
==========================  ============  ========================================================

p95_ms defaults: checkout 1000, checkin 1000, patron_information 1500, login 3000 (what a
patron at a machine notices; a machine logs in once a day). Transactions without a threshold
(sc_status, marc_export) are reported, not judged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from harness.profile import LIBRARY_KINDS
from harness.settings import SectionReader, nearest

WORKLOADS = ("morning-rush", "harvest", "mixed")
# The transaction types a threshold may name: SIP2's (the self-service machines' and the
# bookbus terminals'), the harvest's. A search fleet adds its own names here when it lands.
TRANSACTIONS = ("login", "sc_status", "patron_information", "checkout", "checkin", "marc_export")
DEFAULT_MACHINES: Mapping[str, int] = MappingProxyType({"public": 2, "school": 1, "bookbus": 1, "deposit": 0})
# What a patron at a self-service machine notices: a second for a loan or a return, a little
# more for the patron's account. A login is once a day per machine.
DEFAULT_P95_MS: Mapping[str, float] = MappingProxyType({
    "checkout": 1000.0, "checkin": 1000.0, "patron_information": 1500.0, "login": 3000.0,
})
MAX_MACHINES_PER_LIBRARY = 100


@dataclass(frozen=True, slots=True)
class LoadSettings:
    allow_load: bool = False
    workload: str = "morning-rush"
    duration: float = 600.0
    spawn_rate: float = 10.0
    users: int | None = None
    time_scale: float = 1.0
    max_users: int = 500
    max_duration: float = 14400.0
    machines: Mapping[str, int] = field(default_factory=lambda: DEFAULT_MACHINES)
    selfservice_per_hour: int = 600
    items_per_session: int = 2
    bookbus_burst: int = 20
    bookbus_interval: float = 900.0
    harvesters: int = 1
    harvest_per_hour: int = 720
    items: tuple[str, ...] = ()
    items_file: Path | None = None
    patrons: tuple[str, ...] = ()
    patron_pin: str = ""
    p95_ms: Mapping[str, float] = field(default_factory=lambda: DEFAULT_P95_MS)
    error_rate: float = 0.001
    degradation_factor: float = 1.5
    degradation_min_ms: float = 100.0
    soak_minimum: float = 3600.0

    def item_pool(self) -> tuple[str, ...]:
        """``items``, then the barcodes of ``items_file`` (one a line, ``#`` comments)."""
        pool = list(self.items)
        if self.items_file is not None:
            for line in self.items_file.read_text(encoding="utf-8").splitlines():
                barcode = line.split("#", 1)[0].strip()
                if barcode:
                    pool.append(barcode)
        return tuple(dict.fromkeys(pool))


def _machines(section: SectionReader) -> Mapping[str, int]:
    raw = section.raw("machines")
    if raw is None:
        return DEFAULT_MACHINES
    if not isinstance(raw, dict):
        raise section.error("machines", f"expected a table, got {raw!r}", "write machines = { public = 2, school = 1, bookbus = 1 }")
    machines = dict(DEFAULT_MACHINES)
    for kind, count in raw.items():
        if kind not in LIBRARY_KINDS:
            raise section.error(f"machines.{kind}", "not a library kind", nearest(kind, LIBRARY_KINDS))
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_MACHINES_PER_LIBRARY:
            raise section.error(f"machines.{kind}", f"{count!r} is not a number of machines", f"use 0..{MAX_MACHINES_PER_LIBRARY}")
        machines[kind] = count
    return MappingProxyType(machines)


def _thresholds(section: SectionReader) -> Mapping[str, float]:
    raw = section.raw("p95_ms")
    if raw is None:
        return DEFAULT_P95_MS
    if not isinstance(raw, dict):
        raise section.error("p95_ms", f"expected a table, got {raw!r}", "write p95_ms = { checkout = 1000, checkin = 1000 }")
    thresholds = dict(DEFAULT_P95_MS)
    for name, value in raw.items():
        if name not in TRANSACTIONS:
            raise section.error(f"p95_ms.{name}", "not a transaction type", nearest(name, TRANSACTIONS))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 600_000:
            raise section.error(f"p95_ms.{name}", f"{value!r} is not a number of milliseconds", "use a number above 0")
        thresholds[name] = float(value)
    return MappingProxyType(thresholds)


def _fraction(section: SectionReader, key: str, default: float) -> float:
    value = section.raw(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise section.error(key, f"{value!r} is not a fraction", f"use a number from 0 to 1, e.g. {key} = 0.001 (0.1 %)")
    return float(value)


def _positive(section: SectionReader, key: str, default: float, high: float) -> float:
    value = section.raw(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= high:
        raise section.error(key, f"{value!r} is out of range", f"use a number above 0 and at most {high:g}")
    return float(value)


def parse(section: SectionReader) -> LoadSettings:
    items_file = section.path("items_file")
    if items_file is not None and not items_file.is_file():
        raise section.error("items_file", f"{items_file} is not a file", "name a text file with one item barcode a line, relative to the profile")
    users = section.integer("users", 0, low=0, high=100_000)
    max_users = section.integer("max_users", 500, low=1, high=100_000)
    if users > max_users:
        raise section.error("users", f"{users} is over max_users ({max_users})", "lower users, or raise max_users deliberately")
    max_duration = _positive(section, "max_duration", 14400.0, 7 * 86400.0)
    duration = _positive(section, "duration", 600.0, max_duration)
    return LoadSettings(
        allow_load=section.boolean("allow_load", False),
        workload=section.choice("workload", "morning-rush", WORKLOADS),
        duration=duration,
        spawn_rate=_positive(section, "spawn_rate", 10.0, 10_000.0),
        users=users or None,
        time_scale=_positive(section, "time_scale", 1.0, 3600.0),
        max_users=max_users,
        max_duration=max_duration,
        machines=_machines(section),
        selfservice_per_hour=section.integer("selfservice_per_hour", 600, low=1, high=360_000),
        items_per_session=section.integer("items_per_session", 2, low=1, high=50),
        bookbus_burst=section.integer("bookbus_burst", 20, low=2, high=10_000),
        bookbus_interval=_positive(section, "bookbus_interval", 900.0, 86400.0),
        harvesters=section.integer("harvesters", 1, low=0, high=100),
        harvest_per_hour=section.integer("harvest_per_hour", 720, low=1, high=360_000),
        items=section.text_list("items"),
        items_file=items_file,
        patrons=section.text_list("patrons"),
        patron_pin=section.text("patron_pin", "", non_empty=False),
        p95_ms=_thresholds(section),
        error_rate=_fraction(section, "error_rate", 0.001),
        degradation_factor=_positive(section, "degradation_factor", 1.5, 100.0),
        degradation_min_ms=_positive(section, "degradation_min_ms", 100.0, 600_000.0),
        soak_minimum=_positive(section, "soak_minimum", 3600.0, 7 * 86400.0),
    )
