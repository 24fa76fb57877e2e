"""The sandbox's one consortium: libraries, catalogue, patrons, items, loans, holds, fees.

Every protocol server of the sandbox reads and changes this one object, so a checkout over
SIP2 is visible in SRU holdings and an imported record in an OAI-PMH harvest. It is plain
in-memory data behind one lock; servers run in threads.

Items are the catalogue's holdings: one per 852 $p (barcode), owned by 852 $a. The item is
the one place a loan lives (``Item.borrower``); ``Consortium.loans`` is derived from it, so
the MARC channel and SIP2 cannot disagree about who has what.
"""

from __future__ import annotations

import enum
import threading
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pymarc

from harness.paths import MARC_FIXTURES_DIR
from harness.profile import Library, Profile, TestItem

if TYPE_CHECKING:
    from harness.sandbox.search.index import SearchIndex

LOAN_PERIOD = timedelta(days=28)  # the consortium's one loan period (no per-kind periods yet)


class FeeKind(enum.Enum):
    """What a fee is for; each protocol names it in its own code table."""

    OTHER = "other"
    ADMINISTRATIVE = "administrative"
    DAMAGE = "damage"
    OVERDUE = "overdue"
    PROCESSING = "processing"
    RENTAL = "rental"
    REPLACEMENT = "replacement"


@dataclass(frozen=True, slots=True)
class Policy:
    """Where the sandbox's system deviates from the consortium's rules (set from defects)."""

    home_library_only: bool = False  # only the patron's home library lends
    route_returns: bool = True  # another library's item is sent home at checkin
    accept_any_pin: bool = False  # a wrong PIN is taken as right


@dataclass(slots=True)
class Fee:
    fee_id: str
    amount: Decimal  # still owed, in ``currency``
    kind: FeeKind = FeeKind.OVERDUE
    currency: str = "NOK"
    item_barcode: str = ""
    description: str = ""


@dataclass(slots=True)
class Hold:
    record_id: str  # 001 of the title asked for
    pickup_library: str  # library number
    item_barcode: str = ""  # the copy asked for (hold type 3), or the copy trapped for it
    available: bool = False  # trapped at checkin and waiting on the pickup library's shelf
    placed: datetime = field(default_factory=datetime.now)


@dataclass(slots=True)
class Patron:
    barcode: str
    name: str
    home_library: str
    pin: str = ""
    fees: list[Fee] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    blocked: bool = False
    blocked_message: str = ""  # AL of the Block Patron (01) that blocked the card


@dataclass(slots=True)
class Item:
    barcode: str  # 852 $p
    record_id: str  # 001 of the record holding it
    title: str  # 245 $a
    owning_library: str  # 852 $a: the library that owns (bought) the copy
    home_library: str  # where it lives; a bookbus or deposit copy lives away from its owner
    kind: str = "regular"  # one of harness.profile.ITEM_KINDS
    location: str = ""  # the library it is at now
    borrower: str | None = None  # patron barcode while on loan
    due: datetime | None = None
    in_transit_to: str | None = None  # library number, after a checkin elsewhere
    renewals: int = 0
    properties: str = ""  # CH, as set by Item Status Update (19)


@dataclass(slots=True)
class Consortium:
    libraries: dict[str, Library]
    patrons: dict[str, Patron] = field(default_factory=dict)
    records: dict[str, pymarc.Record] = field(default_factory=dict)  # 001 -> record, in catalogue order
    items: dict[str, Item] = field(default_factory=dict)  # barcode (852 $p) -> item
    lock: threading.RLock = field(default_factory=threading.RLock)
    next_number: int = 1
    policy: Policy = Policy()
    # The one search index over ``records``, shared by the SRU and Z39.50 servers; built on
    # first use by harness.sandbox.search.shared.shared_index, kept current by the index itself.
    search_index: SearchIndex | None = None

    @property
    def loans(self) -> dict[str, str]:
        """Item barcode -> patron barcode for every item on loan (derived from the items)."""
        with self.lock:
            return {b: item.borrower for b, item in self.items.items() if item.borrower is not None}

    def library_numbers(self) -> frozenset[str]:
        return frozenset(self.libraries)

    def new_control_number(self) -> str:
        with self.lock:
            while f"sbx{self.next_number:07d}" in self.records:
                self.next_number += 1
            number = f"sbx{self.next_number:07d}"
            self.next_number += 1
            return number


def load_libraries(path: Path = MARC_FIXTURES_DIR / "libraries.toml") -> dict[str, Library]:
    """The sandbox's own consortium; ``<protocol>_institution`` keys become the library's codes."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    libraries = []
    for entry in data["library"]:
        codes = {k.removesuffix("_institution"): str(v) for k, v in entry.items() if k.endswith("_institution")}
        core = {k: str(v) for k, v in entry.items() if not k.endswith("_institution")}
        libraries.append(Library(**core, codes=codes))
    return {lib.number: lib for lib in libraries}


def item_barcodes(record: pymarc.Record) -> list[str]:
    return [sub for f in record.get_fields("852") for sub in f.get_subfields("p")]


# ISBD punctuation that ends a 245 $a before $b or $c (" :", " /", " ;", " =", "."): not title.
_ISBD_END = " :/;=.,"


def record_title(record: pymarc.Record) -> str:
    titles = [s for f in record.get_fields("245") for s in f.get_subfields("a")]
    return titles[0].rstrip(_ISBD_END) if titles else ""


def items_of(record_id: str, record: pymarc.Record) -> Iterable[Item]:
    """One item per 852 $p; its owner is that 852's $a, and it lives with its owner."""
    title = record_title(record)
    for holding in record.get_fields("852"):
        owners = holding.get_subfields("a")
        owner = owners[0] if owners else ""
        for barcode in holding.get_subfields("p"):
            yield Item(barcode, record_id, title, owner, owner, location=owner)


def find_item(consortium: Consortium, barcode: str) -> Item | None:
    """The item, also one catalogued after the sandbox started (imported over MARC)."""
    with consortium.lock:
        item = consortium.items.get(barcode)
        if item is None:
            for record_id, record in consortium.records.items():
                if barcode in item_barcodes(record):
                    build_items(consortium, ((record_id, record),))
                    item = consortium.items.get(barcode)
                    break
        return item


def build_items(consortium: Consortium, records: Iterable[tuple[str, pymarc.Record]] | None = None) -> None:
    """Add the items of ``records`` (default: the whole catalogue) that are not known yet."""
    with consortium.lock:
        for record_id, record in records if records is not None else list(consortium.records.items()):
            for item in items_of(record_id, record):
                consortium.items.setdefault(item.barcode, item)


def apply_profile_items(consortium: Consortium, entries: Iterable[TestItem]) -> None:
    """The profile's [[item]] entries say where bookbus and deposit copies live."""
    for entry in entries:
        item = consortium.items.get(entry.barcode)
        if item is None:
            continue  # the profile names a copy the catalogue does not hold: nothing to override
        item.kind = entry.kind
        item.home_library = entry.home_library
        item.location = item.home_library


def seed_loans(consortium: Consortium, keep_available: Iterable[str] = (), now: datetime | None = None) -> None:
    """Put one item on loan to each patron, deterministically, so exports have loans to leak.

    ``keep_available`` (the profile's test items) stay on the shelf for the SIP2 scenarios.
    A patron who owes a fee has the loan overdue, so overdue lists have something to show.
    """
    now = now or datetime.now()
    spare = set(keep_available)
    with consortium.lock:
        barcodes = [b for b in consortium.items if b not in spare]
        for patron, barcode in zip(consortium.patrons.values(), barcodes[::7]):
            item = consortium.items[barcode]
            item.borrower = patron.barcode
            item.due = now + (-timedelta(days=14) if patron.fees else LOAN_PERIOD)


def seed_fees(consortium: Consortium) -> None:
    """TST0000003 owes 50.00 NOK (overdue), so Fee Paid (37) has something to pay."""
    patron = consortium.patrons.get("TST0000003")
    if patron is not None and not patron.fees:
        patron.fees.append(Fee("sbx-fee-0001", Decimal("50.00"), FeeKind.OVERDUE, "NOK", description="Purregebyr"))


def seed_holds(consortium: Consortium, keep_available: Iterable[str] = ()) -> None:
    """TST0000001 has one hold waiting on the shelf (AS) and one still pending (CD): research
    §3 P15 asks for exactly that patron. Both are on titles without test items or loans, so a
    checkin of a test item is never trapped for them."""
    patron = consortium.patrons.get("TST0000001")
    if patron is None or patron.holds:
        return
    spare = set(keep_available)
    busy = {i.record_id for i in consortium.items.values() if i.barcode in spare or i.borrower is not None}
    free = [i for i in consortium.items.values() if i.record_id not in busy]
    waiting = next((i for i in free if i.home_library == patron.home_library), None)
    if waiting is not None:
        patron.holds.append(Hold(waiting.record_id, patron.home_library, waiting.barcode, available=True))
    pending = next((i for i in free if waiting is None or i.record_id != waiting.record_id), None)
    if pending is not None:
        patron.holds.append(Hold(pending.record_id, patron.home_library))


def new_consortium(profile: Profile) -> Consortium:
    """An empty consortium with the fixture libraries and the sandbox profile's patrons."""
    consortium = Consortium(libraries=load_libraries())
    for entry in profile.patrons:
        consortium.patrons[entry.barcode] = Patron(entry.barcode, entry.name, entry.home_library, entry.pin)
    return consortium


def stock_consortium(consortium: Consortium, profile: Profile) -> None:
    """After the catalogue loaded: items from the holdings, the profile's overrides, seed data."""
    build_items(consortium)
    apply_profile_items(consortium, profile.items)
    test_items = [e.barcode for e in profile.items]
    seed_fees(consortium)
    seed_loans(consortium, keep_available=test_items)
    seed_holds(consortium, keep_available=test_items)
