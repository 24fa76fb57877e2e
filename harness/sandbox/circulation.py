"""Circulation in the sandbox consortium: pure functions over :class:`Consortium`, no sockets.

The lending rules as a table, then what moves items: checkout, renewal, checkin with routing,
and the item status those leave behind. Who the patron is and what they have (PIN, status
flags, fees, holds, blocks) is ``patrons``. The SIP2 replies (``sip2_replies``) turn requests
into calls here and results into replies; other channels (SRU holdings, OAI-PMH) read the same
items. Every function takes the consortium lock, takes ``now`` from the caller (so tests can
pin time) and returns a result value with a screen message in Norwegian bokmål, the language
of the consortium's kiosks.

Libraries are library numbers (NO-99000xx) here; SIP2 names them by their ``sip2_institution``
code (AO, AP, BS), mapped by :func:`library_for_institution`.

Defects that change circulation itself are applied here, each at one commented place:
``sip2-foreign-patron-refused`` (:func:`may_borrow_at`) and ``sip2-no-routing``
(:func:`_route`); ``sip2-accept-wrong-pin`` is in ``patrons.check_patron``.
"""

from __future__ import annotations

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

# 3M SIP2 extensions (Rev 1.20, 2005), CV alert type in the Checkin Response (10); listed in
# research/sip2.md §1.2, values as Koha and Evergreen emit them (harness/sip2/fields.py
# ALERT_TYPE): 00 unknown, 01 hold for this library, 02 hold for another branch, 03 hold for
# interlibrary loan, 04 send to another branch, 99 other. The sandbox sends 01, 02 and 04.
ALERT_HOLD_HERE = "01"
ALERT_HOLD_ELSEWHERE = "02"
ALERT_SEND_HOME = "04"

# 3M SIP2 2.00, Item Information Response (18), circulation status (the codes used here).
STATUS_AVAILABLE, STATUS_CHARGED, STATUS_ON_HOLD_SHELF, STATUS_IN_TRANSIT = "03", "04", "08", "10"


# -- libraries: which one, and who may borrow there -------------------------------------------

def library_for_institution(consortium: Consortium, code: str | None) -> Library | None:
    """The member library a SIP2 institution id (AO/AP/BS) names, e.g. TROMSO -> NO-9900001."""
    if not code:
        return None
    return next((lib for lib in consortium.libraries.values() if lib.sip2_institution == code), None)


def institution_of(consortium: Consortium, number: str) -> str:
    library = consortium.libraries.get(number)
    return library.sip2_institution if library is not None else ""


def may_borrow_at(consortium: Consortium, patron: Patron, library: Library, defects: frozenset[str]) -> bool:
    home = consortium.libraries.get(patron.home_library)
    if home is None:
        return False
    if "sip2-foreign-patron-refused" in defects and home.number != library.number:
        return False  # DEFECT sip2-foreign-patron-refused: only the home library lends (dp2 #765)
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
    renewal_allowed: bool, now: datetime, defects: frozenset[str],
) -> Loan:
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
        if not may_borrow_at(consortium, patron, library, defects):
            return Loan(False, f"{library.name} låner ikke ut til lånere fra ditt bibliotek", item)
        patron.holds = [h for h in patron.holds if not (h.available and h.item_barcode == item.barcode)]
        item.borrower, item.due, item.renewals = patron.barcode, _due(now), 0
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
    destination: str | None = None  # CT: library number the item must go to
    alert_type: str | None = None  # CV: one of the ALERT_* codes above

    @property
    def alert(self) -> bool:
        return self.alert_type is not None


def checkin(consortium: Consortium, *, library: Library | None, item_barcode: str, now: datetime, defects: frozenset[str]) -> Return:
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
        destination, alert_type, message = _route(consortium, item, library, defects)
        item.in_transit_to = destination
        return Return(True, message if borrower else f"{message} (var ikke utlånt)", item, borrower, destination, alert_type)


def _route(consortium: Consortium, item: Item, library: Library, defects: frozenset[str]) -> tuple[str | None, str | None, str]:
    """Where a returned item goes next: a waiting hold first, then its home library.

    Bookbus and deposit copies have a home_library away from their owner (the profile's
    [[item]]), so they go back to the bus or the deposit, not to the owning library.
    """
    trapped = (h for p in consortium.patrons.values() for h in p.holds if h.available and h.item_barcode == item.barcode)
    for hold in (*trapped, *(h for _, h in _pending_holds(consortium, item))):  # already trapped, else the oldest
        hold.available, hold.item_barcode = True, item.barcode
        if hold.pickup_library == library.number:
            return None, ALERT_HOLD_HERE, "Reservert: legg på hentehylla"
        name = consortium.libraries[hold.pickup_library].name if hold.pickup_library in consortium.libraries else hold.pickup_library
        return hold.pickup_library, ALERT_HOLD_ELSEWHERE, f"Reservert: send til {name}"
    if item.home_library == library.number:
        return None, None, "Levert"
    if "sip2-no-routing" in defects:
        return None, None, "Levert"  # DEFECT sip2-no-routing: another library's item stays here
    home = consortium.libraries.get(item.home_library)
    return item.home_library, ALERT_SEND_HOME, f"Send til {home.name if home else item.home_library}"


# -- item information and status ----------------------------------------------------------------

def circulation_status(consortium: Consortium, item: Item) -> str:
    with consortium.lock:
        if item.borrower is not None:
            return STATUS_CHARGED
        if item.in_transit_to is not None:  # also on its way to a hold's pickup library
            return STATUS_IN_TRANSIT
        if any(h.available and h.item_barcode == item.barcode for p in consortium.patrons.values() for h in p.holds):
            return STATUS_ON_HOLD_SHELF
        return STATUS_AVAILABLE


def hold_queue_length(consortium: Consortium, item: Item) -> int:
    with consortium.lock:
        return sum(1 for _ in _pending_holds(consortium, item))


def set_item_properties(consortium: Consortium, item_barcode: str, properties: str) -> Item | None:
    with consortium.lock:
        item = find_item(consortium, item_barcode)
        if item is not None:
            item.properties = properties
        return item
