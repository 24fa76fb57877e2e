"""Circulation in the sandbox consortium: pure functions over :class:`Consortium`, no sockets.

The lending rules as a table, then what moves items: checkout, renewal, checkin with routing,
and the item status those leave behind. Who the patron is and what they have (PIN, status
flags, fees, holds, blocks) is ``patrons``. The SIP2 reply builders (``harness/sip2/sandbox/replies.py``) turn requests
into calls here and results into replies; other channels (SRU holdings, OAI-PMH) read the same
items. Every function takes the consortium lock, takes ``now`` from the caller (so tests can
pin time) and returns a result value with a screen message in Norwegian bokmål, the language
of the consortium's kiosks.

Libraries are library numbers (NO-99000xx) here; a protocol names them by its own code
(SIP2's institution id), mapped by :func:`library_by_code`. No protocol's codes appear here:
the SIP2 reply builders turn :class:`Routing` and :class:`ItemState` into SIP2's tables.

Where the consortium's :class:`~harness.sandbox.state.Policy` says the system deviates (set
from sandbox defects), it is applied at one commented place each: ``home_library_only``
(:func:`may_borrow_at`) and ``route_returns`` (:func:`_route`); ``accept_any_pin`` is in
``patrons.check_patron``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from harness.profile import Library
from harness.sandbox.patrons import PatronAccess, loans_of, may_charge
from harness.sandbox.state import LOAN_PERIOD, Consortium, Hold, Item, Patron, find_item

# -- the consortium's lending rules ---------------------------------------------------------
# (kind of the patron's home library, kind of the library lending). DESIGN.md "Who uses it":
# "lending across municipalities, bookbuses and deposit collections": a public-library patron
# may borrow at an upper-secondary school library and the reverse (SIP-04), everyone may
# borrow at the bookbus, and the bookbus is run by the public libraries, so its patrons are
# public patrons. A deposit collection is not a lending counter (no patrons, no kiosk).
# Anything not listed is refused. Checked in may_borrow_at().
LENDING_RULES: frozenset[tuple[str, str]] = frozenset({
    ("public", "public"), ("public", "school"), ("public", "bookbus"),
    ("school", "school"), ("school", "public"), ("school", "bookbus"),
    ("bookbus", "bookbus"), ("bookbus", "public"), ("bookbus", "school"),
})

MAX_RENEWALS = 3  # renewals of one loan; the patron's limits (status flags) are in patrons

class Routing(enum.Enum):
    """What a checkin tells the person at the return machine to do with the item."""

    HOLD_HERE = "hold here"  # a hold at this library: onto the hold shelf
    HOLD_ELSEWHERE = "hold elsewhere"  # a hold at another member: send it there
    SEND_HOME = "send home"  # another member's (or the bookbus's, the deposit's) item: send it home


class ItemState(enum.Enum):
    AVAILABLE = "available"
    ON_LOAN = "on loan"
    ON_HOLD_SHELF = "on the hold shelf"
    IN_TRANSIT = "in transit"


# -- libraries: which one, and who may borrow there -------------------------------------------

def library_by_code(consortium: Consortium, protocol: str, code: str | None) -> Library | None:
    """The member library a protocol's code names, e.g. SIP2's TROMSO -> NO-9900001."""
    if not code:
        return None
    return next((lib for lib in consortium.libraries.values() if lib.code_for(protocol) == code), None)


def may_borrow_at(consortium: Consortium, patron: Patron, library: Library) -> bool:
    home = consortium.libraries.get(patron.home_library)
    if home is None:
        return False
    if consortium.policy.home_library_only and home.number != library.number:
        return False  # POLICY home_library_only (defect sip2-foreign-patron-refused; dp2 #765)
    return (home.kind, library.kind) in LENDING_RULES


# -- checkout, renew ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Loan:
    ok: bool
    message: str
    item: Item | None = None
    renewal: bool = False  # an existing loan of this patron was extended


def _due(now: datetime) -> datetime:
    return (now + LOAN_PERIOD).replace(hour=23, minute=59, second=0, microsecond=0)


def _waiting_for_other(consortium: Consortium, item: Item, patron: Patron) -> bool:
    """The copy sits on the hold shelf for someone else."""
    return any(h.available and h.item_barcode == item.barcode
               for p in consortium.patrons.values() if p is not patron for h in p.holds)


def _pending_holds(consortium: Consortium, item: Item) -> Iterator[tuple[Patron, Hold]]:
    """Holds still waiting for a copy that this item can fill, oldest first."""
    found = [(h.placed, p.barcode, p, h) for p in consortium.patrons.values() for h in p.holds
             if not h.available and (h.item_barcode == item.barcode or (not h.item_barcode and h.record_id == item.record_id))]
    for _, _, patron, hold in sorted(found, key=lambda entry: entry[:2]):
        yield patron, hold


def checkout(
    consortium: Consortium, *, library: Library | None, access: PatronAccess, item_barcode: str,
    renewal_allowed: bool, now: datetime, due: datetime | None = None,
) -> Loan:
    """Lend the item. ``due`` is a due date already promised at the counter (a loan made while
    the system was off-line and recorded now); otherwise the loan period decides."""
    with consortium.lock:
        item = find_item(consortium, item_barcode)
        patron = access.patron
        if library is None:
            return Loan(False, "Ukjent bibliotek (AO)", item)
        if patron is None or access.refused:
            return Loan(False, "Ukjent låner eller feil PIN", item)
        if item is None:
            return Loan(False, "Ukjent eksemplar", None)
        if item.borrower == patron.barcode:
            if not renewal_allowed:
                return Loan(False, "Allerede utlånt til deg", item)
            return renew(consortium, access=access, item_barcode=item_barcode, now=now)
        if item.borrower is not None:
            return Loan(False, "Eksemplaret er utlånt til en annen låner", item)
        if _waiting_for_other(consortium, item, patron):
            return Loan(False, "Eksemplaret er reservert for en annen låner", item)
        if not may_charge(consortium, patron, now):
            return Loan(False, "Lånekortet er sperret for utlån", item)
        if not may_borrow_at(consortium, patron, library):
            return Loan(False, f"{library.name} låner ikke ut til lånere fra ditt bibliotek", item)
        patron.holds = [h for h in patron.holds if not (h.available and h.item_barcode == item.barcode)]
        item.borrower, item.due, item.renewals = patron.barcode, due or _due(now), 0
        item.location, item.in_transit_to = library.number, None
        return Loan(True, f"Lånt ut til {item.due:%d.%m.%Y}", item)


def renew(consortium: Consortium, *, access: PatronAccess, item_barcode: str, now: datetime) -> Loan:
    with consortium.lock:
        item = find_item(consortium, item_barcode)
        patron = access.patron
        if patron is None or access.refused:
            return Loan(False, "Ukjent låner eller feil PIN", item)
        if item is None or item.borrower != patron.barcode:
            return Loan(False, "Eksemplaret er ikke utlånt til deg", item)
        if patron.blocked:
            return Loan(False, "Lånekortet er sperret", item)
        if any(True for _ in _pending_holds(consortium, item)):
            return Loan(False, "Reservert av en annen låner: kan ikke fornyes", item)
        if item.renewals >= MAX_RENEWALS:
            return Loan(False, f"Fornyet {MAX_RENEWALS} ganger allerede", item)
        item.due, item.renewals = _due(now), item.renewals + 1
        return Loan(True, f"Fornyet til {item.due:%d.%m.%Y}", item, renewal=True)


@dataclass(frozen=True, slots=True)
class RenewAll:
    ok: bool
    message: str
    renewed: tuple[str, ...] = ()
    unrenewed: tuple[str, ...] = ()


def renew_all(consortium: Consortium, *, access: PatronAccess, now: datetime) -> RenewAll:
    with consortium.lock:
        if access.patron is None or access.refused:
            return RenewAll(False, "Ukjent låner eller feil PIN")
        results = [renew(consortium, access=access, item_barcode=i.barcode, now=now) for i in loans_of(consortium, access.patron)]
        renewed = tuple(r.item.barcode for r in results if r.ok and r.item)
        unrenewed = tuple(r.item.barcode for r in results if not r.ok and r.item)
        return RenewAll(True, f"{len(renewed)} fornyet, {len(unrenewed)} ikke fornyet", renewed, unrenewed)


# -- checkin, with routing --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Return:
    ok: bool
    message: str
    item: Item | None = None
    borrower: str | None = None  # whose loan ended
    destination: str | None = None  # library number the item must go to
    routing: Routing | None = None

    @property
    def alert(self) -> bool:
        return self.routing is not None


def checkin(consortium: Consortium, *, library: Library | None, item_barcode: str, now: datetime) -> Return:
    """Return anywhere (SIP-05): the item is checked in where it is handed in, then routed."""
    with consortium.lock:
        item = find_item(consortium, item_barcode)
        if item is None:
            return Return(False, "Ukjent eksemplar")
        if library is None:
            return Return(False, "Ukjent bibliotek (AP/AO)", item)
        borrower = item.borrower
        item.borrower, item.due, item.renewals = None, None, 0
        item.location = library.number
        destination, routing, message = _route(consortium, item, library)
        item.in_transit_to = destination
        return Return(True, message if borrower else f"{message} (var ikke utlånt)", item, borrower, destination, routing)


def _route(consortium: Consortium, item: Item, library: Library) -> tuple[str | None, Routing | None, str]:
    """Where a returned item goes next: a waiting hold first, then its home library.

    Bookbus and deposit copies have a home_library away from their owner (the profile's
    [[item]]), so they go back to the bus or the deposit, not to the owning library.
    """
    trapped = (h for p in consortium.patrons.values() for h in p.holds if h.available and h.item_barcode == item.barcode)
    for hold in (*trapped, *(h for _, h in _pending_holds(consortium, item))):  # already trapped, else the oldest
        hold.available, hold.item_barcode = True, item.barcode
        if hold.pickup_library == library.number:
            return None, Routing.HOLD_HERE, "Reservert: legg på hentehylla"
        name = consortium.libraries[hold.pickup_library].name if hold.pickup_library in consortium.libraries else hold.pickup_library
        return hold.pickup_library, Routing.HOLD_ELSEWHERE, f"Reservert: send til {name}"
    if item.home_library == library.number:
        return None, None, "Levert"
    if not consortium.policy.route_returns:
        return None, None, "Levert"  # POLICY route_returns off (defect sip2-no-routing): it stays here
    home = consortium.libraries.get(item.home_library)
    return item.home_library, Routing.SEND_HOME, f"Send til {home.name if home else item.home_library}"


# -- item information and status ----------------------------------------------------------------

def item_state(consortium: Consortium, item: Item) -> ItemState:
    with consortium.lock:
        if item.borrower is not None:
            return ItemState.ON_LOAN
        if item.in_transit_to is not None:  # also on its way to a hold's pickup library
            return ItemState.IN_TRANSIT
        if any(h.available and h.item_barcode == item.barcode for p in consortium.patrons.values() for h in p.holds):
            return ItemState.ON_HOLD_SHELF
        return ItemState.AVAILABLE


def hold_queue_length(consortium: Consortium, item: Item) -> int:
    with consortium.lock:
        return sum(1 for _ in _pending_holds(consortium, item))


def set_item_properties(consortium: Consortium, item_barcode: str, properties: str) -> Item | None:
    with consortium.lock:
        item = find_item(consortium, item_barcode)
        if item is not None:
            item.properties = properties
        return item
