"""The sandbox consortium's patrons: who they are, what they have, what they may ask for.

Pure functions over :class:`Consortium`, no sockets, on the same terms as ``circulation``
(the consortium lock, ``now`` from the caller, a result with a screen message in Norwegian
bokmål): the PIN check, what the patron has and may do (:class:`Standing`), fee payment, holds
and blocks. Loans and returns are ``circulation``'s. The SIP2 reply builders turn these into
SIP2's flags and codes; nothing here speaks SIP2.

One policy deviation is applied here, at one commented place: ``accept_any_pin``
(:func:`check_patron`).
"""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from harness.profile import Library
from harness.sandbox.state import Consortium, Hold, Item, Patron, find_item

# The consortium's limits on a patron: reaching one denies borrowing (and, for holds, holds).
CHARGED_LIMIT = 50
OVERDUE_LIMIT = 10
HOLD_LIMIT = 20
FEE_LIMIT = Decimal("500.00")  # NOK

_receipts = itertools.count(1)


# -- who the patron is ------------------------------------------------------------------------

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


def check_patron(consortium: Consortium, barcode: str | None, pin: str | None) -> PatronAccess:
    """An absent or empty PIN is not a verified PIN (research/sip2.md §3 P13)."""
    patron = consortium.patrons.get(barcode or "")
    given = bool(pin)
    ok = patron is not None and given and pin == patron.pin
    if consortium.policy.accept_any_pin and patron is not None and given:
        ok = True  # POLICY accept_any_pin (defect sip2-accept-wrong-pin; Libki #351)
    return PatronAccess(patron, given, ok)


# -- what a patron has -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PatronSummary:
    """What a patron has, as lists of item barcodes (or fee lines), in a fixed order."""

    hold_items: tuple[str, ...] = ()  # holds available for pickup
    overdue_items: tuple[str, ...] = ()
    charged_items: tuple[str, ...] = ()  # every item on loan, overdue ones included
    fine_items: tuple[str, ...] = ()  # one entry per fee owed
    recall_items: tuple[str, ...] = ()  # the sandbox does not recall
    unavailable_holds: tuple[str, ...] = ()  # holds still waiting for a copy

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


@dataclass(frozen=True, slots=True)
class Standing:
    """What the patron may do now, and why not."""

    borrowing_denied: bool
    renewal_denied: bool
    recall_denied: bool
    holds_denied: bool
    too_many_items: bool
    too_many_overdue: bool
    excessive_fees: bool


def standing(consortium: Consortium, patron: Patron, now: datetime) -> Standing:
    summary = summarise(consortium, patron, now)
    too_many = len(summary.charged_items) >= CHARGED_LIMIT
    overdue = len(summary.overdue_items) >= OVERDUE_LIMIT
    fees = fees_owed(patron) > FEE_LIMIT
    return Standing(
        borrowing_denied=patron.blocked or too_many or overdue or fees,
        renewal_denied=patron.blocked, recall_denied=patron.blocked,
        holds_denied=patron.blocked or len(patron.holds) >= HOLD_LIMIT,
        too_many_items=too_many, too_many_overdue=overdue, excessive_fees=fees,
    )


def may_charge(consortium: Consortium, patron: Patron, now: datetime) -> bool:
    return not standing(consortium, patron, now).borrowing_denied


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


class HoldAction(enum.Enum):
    PLACE = "place"
    CANCEL = "cancel"
    CHANGE = "change"  # the pickup library


@dataclass(frozen=True, slots=True)
class HoldRequest:
    action: HoldAction
    item_barcode: str | None = None
    title: str | None = None
    pickup: Library | None = None
    specific_copy: bool = False  # this copy, not any copy of the title


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
        if request.action is HoldAction.CANCEL:
            patron.holds = [h for h in patron.holds if h.record_id != record_id]
            return HoldResult(bool(mine), "Reservasjonen er slettet" if mine else "Ingen slik reservasjon", title=title)
        if request.action is HoldAction.CHANGE:
            if not mine or request.pickup is None:
                return HoldResult(False, "Ingen slik reservasjon", title=title)
            mine[0].pickup_library = request.pickup.number
            return HoldResult(True, f"Hentested endret til {request.pickup.name}", mine[0], title=title)
        if standing(consortium, patron, now).holds_denied:
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
