"""Circulation in the sandbox consortium: pure functions over :class:`Consortium`, no sockets.

The SIP2 server (``sip2_server``) turns requests into calls here and results into replies;
other channels (SRU holdings, OAI-PMH) read the same items. Every function takes the
consortium lock, takes ``now`` from the caller (so tests can pin time) and returns a result
value with a screen message in Norwegian bokmål, the language of the consortium's kiosks.

Libraries are library numbers (NO-99000xx) here; SIP2 names them by their ``sip2_institution``
code (AO, AP, BS), mapped by :func:`library_for_institution`.

Defects that change circulation itself are applied here, each at one commented place:
``sip2-accept-wrong-pin`` (:func:`check_patron`), ``sip2-foreign-patron-refused``
(:func:`may_borrow_at`) and ``sip2-no-routing`` (:func:`_route`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from harness.profile import Library
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

# Limits behind the 14 patron-status flags (3M SIP2 2.00, Patron Status Response (24)) and
# the 64's BZ/CA/CB/CC limits. Reaching one denies charging, as the flags say.
CHARGED_LIMIT = 50
OVERDUE_LIMIT = 10
HOLD_LIMIT = 20
FEE_LIMIT = Decimal("500.00")  # NOK
MAX_RENEWALS = 3

# 3M SIP2 extensions (Rev 1.20, 2005), CV alert type in the Checkin Response (10); listed in
# research/sip2.md §1.2, values as Koha and Evergreen emit them (harness/sip2/fields.py
# ALERT_TYPE): 00 unknown, 01 hold for this library, 02 hold for another branch, 03 hold for
# interlibrary loan, 04 send to another branch, 99 other. The sandbox sends 01, 02 and 04.
ALERT_HOLD_HERE = "01"
ALERT_HOLD_ELSEWHERE = "02"
ALERT_SEND_HOME = "04"

# 3M SIP2 2.00, Item Information Response (18), circulation status (the codes used here).
STATUS_AVAILABLE, STATUS_CHARGED, STATUS_ON_HOLD_SHELF, STATUS_IN_TRANSIT = "03", "04", "08", "10"

_receipts = itertools.count(1)


# -- libraries and patrons ------------------------------------------------------------------

def library_for_institution(consortium: Consortium, code: str | None) -> Library | None:
    """The member library a SIP2 institution id (AO/AP/BS) names, e.g. TROMSO -> NO-9900001."""
    if not code:
        return None
    return next((lib for lib in consortium.libraries.values() if lib.sip2_institution == code), None)


def institution_of(consortium: Consortium, number: str) -> str:
    library = consortium.libraries.get(number)
    return library.sip2_institution if library is not None else ""


@dataclass(frozen=True, slots=True)
class PatronAccess:
    """Who the patron identifier names, and whether the PIN (AD) said it is them."""

    patron: Patron | None
    pin_given: bool
    pin_ok: bool

    @property
    def authenticated(self) -> bool:
        return self.patron is not None and self.pin_ok

    @property
    def refused(self) -> bool:
        """Unknown, or a PIN was given and it was wrong: no transaction for them."""
        return self.patron is None or (self.pin_given and not self.pin_ok)


def check_patron(consortium: Consortium, barcode: str | None, pin: str | None, defects: frozenset[str]) -> PatronAccess:
    """An absent or empty PIN is not a verified PIN (research §3 P13: CQ N for an empty PIN)."""
    patron = consortium.patrons.get(barcode or "")
    given = bool(pin)
    ok = patron is not None and given and pin == patron.pin
    if "sip2-accept-wrong-pin" in defects and patron is not None and given:
        ok = True  # DEFECT sip2-accept-wrong-pin: any PIN is taken as right (Libki #351)
    return PatronAccess(patron, given, ok)


def may_borrow_at(consortium: Consortium, patron: Patron, library: Library, defects: frozenset[str]) -> bool:
    home = consortium.libraries.get(patron.home_library)
    if home is None:
        return False
    if "sip2-foreign-patron-refused" in defects and home.number != library.number:
        return False  # DEFECT sip2-foreign-patron-refused: only the home library lends (dp2 #765)
    return (home.kind, library.kind) in LENDING_RULES


# -- what a patron has -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PatronSummary:
    """The 64's item lists (3M SIP2 2.00, summary positions 0-5), in the order of the table."""

    hold_items: tuple[str, ...] = ()  # AS: holds available for pickup (research §3 P15)
    overdue_items: tuple[str, ...] = ()  # AT
    charged_items: tuple[str, ...] = ()  # AU: every item on loan, overdue ones included
    fine_items: tuple[str, ...] = ()  # AV: one entry per fee owed
    recall_items: tuple[str, ...] = ()  # BU: the sandbox does not recall
    unavailable_holds: tuple[str, ...] = ()  # CD: holds still waiting for a copy

    def lists(self) -> tuple[tuple[str, ...], ...]:
        return (self.hold_items, self.overdue_items, self.charged_items, self.fine_items,
                self.recall_items, self.unavailable_holds)


def loans_of(consortium: Consortium, patron: Patron) -> list[Item]:
    return [item for item in consortium.items.values() if item.borrower == patron.barcode]


def fees_owed(patron: Patron) -> Decimal:
    return sum((fee.amount for fee in patron.fees), Decimal("0.00"))


def summarise(consortium: Consortium, patron: Patron, now: datetime) -> PatronSummary:
    with consortium.lock:
        loans = loans_of(consortium, patron)
        return PatronSummary(
            hold_items=tuple(h.item_barcode for h in patron.holds if h.available),
            overdue_items=tuple(i.barcode for i in loans if i.due is not None and i.due < now),
            charged_items=tuple(i.barcode for i in loans),
            fine_items=tuple(f"{fee.item_barcode or fee.fee_id} {fee.amount} {fee.currency}" for fee in patron.fees),
            unavailable_holds=tuple(h.item_barcode or h.record_id for h in patron.holds if not h.available),
        )


def status_flags(consortium: Consortium, patron: Patron, now: datetime) -> str:
    """The 14 patron-status flags, Y or blank (3M SIP2 2.00, table in harness/sip2/fields.py)."""
    summary = summarise(consortium, patron, now)
    too_many = len(summary.charged_items) >= CHARGED_LIMIT
    overdue = len(summary.overdue_items) >= OVERDUE_LIMIT
    fees = fees_owed(patron) > FEE_LIMIT
    denied = patron.blocked or too_many or overdue or fees
    flags = [
        denied, patron.blocked, patron.blocked, patron.blocked or len(patron.holds) >= HOLD_LIMIT,  # 0-3 privileges
        False, too_many, overdue, False, False, False,  # 4 card lost .. 9 too many lost
        False, fees, False, False,  # 10 fines, 11 fees, 12 recall overdue, 13 billed
    ]
    return "".join("Y" if flag else " " for flag in flags)


def may_charge(consortium: Consortium, patron: Patron, now: datetime) -> bool:
    return status_flags(consortium, patron, now)[0] != "Y"


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


# -- fees ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Payment:
    accepted: bool
    message: str
    transaction_id: str = ""


def parse_amount(text: str | None) -> Decimal | None:
    """BV's format is undefined (research §1.4 item 11): accept 50.00 and 50,00."""
    try:
        amount = Decimal((text or "").strip().replace(",", "."))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def pay_fee(
    consortium: Consortium, *, access: PatronAccess, amount_text: str | None, currency: str, fee_id: str | None,
) -> Payment:
    """Pay the named fee (CG), or the oldest fees first; never more than is owed."""
    with consortium.lock:
        patron = access.patron
        if patron is None or access.refused:
            return Payment(False, "Ukjent låner eller feil PIN")
        amount = parse_amount(amount_text)
        if amount is None or amount <= 0:
            return Payment(False, f"Ugyldig beløp: {amount_text!r}")
        fees = [f for f in patron.fees if not fee_id or f.fee_id == fee_id]
        if not fees:
            return Payment(False, "Ingen slik avgift")
        if any(f.currency != currency for f in fees):
            return Payment(False, f"Avgiften er i {fees[0].currency}, ikke {currency}")
        if amount > sum(f.amount for f in fees):
            return Payment(False, "Beløpet er større enn det som skyldes")
        left = amount
        for fee in fees:
            paid = min(left, fee.amount)
            fee.amount -= paid
            left -= paid
        patron.fees = [f for f in patron.fees if f.amount > 0]
        return Payment(True, f"Betalt {amount:.2f} {currency}", f"sbx-pay-{next(_receipts):05d}")


# -- holds, blocks ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HoldResult:
    ok: bool
    message: str
    hold: Hold | None = None
    queue_position: int = 0
    title: str = ""


def _find_record(consortium: Consortium, item_barcode: str | None, title: str | None) -> tuple[str, Item | None] | None:
    item = find_item(consortium, item_barcode) if item_barcode else None
    if item is not None:
        return item.record_id, item
    if title:
        match = next((i for i in consortium.items.values() if i.title == title), None)
        if match is not None:
            return match.record_id, None
    return None


@dataclass(frozen=True, slots=True)
class HoldRequest:
    mode: str  # 3M SIP2 2.00 hold mode: + add, - delete, * change
    item_barcode: str | None = None
    title: str | None = None
    pickup: Library | None = None
    specific_copy: bool = False  # hold type 3 (BY): this copy, not any copy of the title


def hold(consortium: Consortium, *, access: PatronAccess, request: HoldRequest, now: datetime) -> HoldResult:
    with consortium.lock:
        patron = access.patron
        if patron is None or access.refused:
            return HoldResult(False, "Ukjent låner eller feil PIN")
        found = _find_record(consortium, request.item_barcode, request.title)
        if found is None:
            return HoldResult(False, "Fant ikke tittelen eller eksemplaret")
        record_id, item = found
        title = item.title if item is not None else request.title or ""
        mine = [h for h in patron.holds if h.record_id == record_id]
        if request.mode == "-":
            patron.holds = [h for h in patron.holds if h.record_id != record_id]
            return HoldResult(bool(mine), "Reservasjonen er slettet" if mine else "Ingen slik reservasjon", title=title)
        if request.mode == "*":
            if not mine or request.pickup is None:
                return HoldResult(False, "Ingen slik reservasjon", title=title)
            mine[0].pickup_library = request.pickup.number
            return HoldResult(True, f"Hentested endret til {request.pickup.name}", mine[0], title=title)
        if status_flags(consortium, patron, now)[3] == "Y":
            return HoldResult(False, "Lånekortet er sperret for reservasjoner", title=title)
        if mine or (item is not None and item.borrower == patron.barcode):
            return HoldResult(False, "Du har allerede denne tittelen eller en reservasjon på den", title=title)
        pickup = request.pickup.number if request.pickup is not None else patron.home_library
        copy = item.barcode if item is not None and request.specific_copy else ""
        new = Hold(record_id, pickup, copy, placed=now)
        patron.holds.append(new)
        queue = sum(1 for p in consortium.patrons.values() for h in p.holds if h.record_id == record_id and not h.available)
        return HoldResult(True, "Reservert", new, queue, title)


def block_patron(consortium: Consortium, barcode: str | None, message: str) -> Patron | None:
    with consortium.lock:
        patron = consortium.patrons.get(barcode or "")
        if patron is not None:
            patron.blocked, patron.blocked_message = True, message
        return patron


def enable_patron(consortium: Consortium, access: PatronAccess) -> bool:
    with consortium.lock:
        if access.patron is None or access.refused:
            return False
        access.patron.blocked, access.patron.blocked_message = False, ""
        return True
