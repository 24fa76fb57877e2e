"""SIP-04 and SIP-05: borrowing across member libraries and returning anywhere.

These scenarios change the target's state (loans) and put it back: every checkout is
checked in again at the item's home library, whatever the outcome.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.findings import not_tested
from harness.sip2 import defects
from harness.sip2 import requests as rq
from harness.sip2.checks import SPEC, ask, fail

ROUTING_CLAUSE = (
    "3M SIP2 extensions (Rev 1.20): Checkin Response (10) CT destination location, CV alert type; "
    "consortium rule SIP-05: an item returned at another member travels home"
)


@pytest.fixture()
def loans(sip2: Any, sip2_target: Any) -> Iterator[list[Any]]:
    """Items the scenario checked out; each is checked in at its home library afterwards."""
    items: list[Any] = []
    yield items
    for item in items:
        sip2.send(rq.checkin(sip2_target.institution_of(item.home_library), item.barcode))


def _borrow_across(sip2: Any, target: Any, loans: list[Any], patron_kind: str, library_kind: str) -> None:
    patron = target.patron_from(patron_kind)
    item = target.item(kind="regular", owner_kind=library_kind)
    if patron is None or item is None:
        not_tested(f"the profile needs a patron of a {patron_kind} library and a regular item of a {library_kind} library")
    at = target.institution_of(item.owning_library)
    loans.append(item)
    reply = ask(sip2, rq.checkout(at, patron.barcode, item.barcode, patron.pin))
    if reply.fixed_value("ok") != "1":
        raise fail(
            f"a {patron_kind}-library patron could not borrow at a {library_kind} library ({at}): "
            f"ok={reply.fixed_value('ok')}, AF {reply.get('AF')!r}",
            clause=f"{SPEC}: Checkout Response (12) ok; consortium rule SIP-04 (members lend to each other's patrons)",
            client=sip2, expected="ok = 1, with AJ title and AH due date",
        )


@pytest.mark.requirement("SIP-04")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.FOREIGN_PATRON_REFUSED)
def test_public_patron_borrows_at_school(sip2: Any, sip2_target: Any, loans: list[Any]) -> None:
    """A patron of a public library borrows a school library's item at that school

    nb: En låner ved et folkebibliotek låner et skolebiblioteks eksemplar ved skolen
    """
    _borrow_across(sip2, sip2_target, loans, "public", "school")


@pytest.mark.requirement("SIP-04")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.FOREIGN_PATRON_REFUSED)
def test_school_patron_borrows_at_public(sip2: Any, sip2_target: Any, loans: list[Any]) -> None:
    """A pupil borrows a public library's item at the public library

    nb: En elev låner et folkebiblioteks eksemplar ved folkebiblioteket
    """
    _borrow_across(sip2, sip2_target, loans, "school", "public")


def _check_routing(sip2: Any, target: Any, loans: list[Any], item: Any, returned_at: str) -> list[str]:
    """Borrow the item at home, return it at ``returned_at``; what is wrong with the routing."""
    patron = target.patrons[0]
    home = target.institution_of(item.home_library)
    loans.append(item)
    ask(sip2, rq.checkout(home, patron.barcode, item.barcode, patron.pin))
    reply = ask(sip2, rq.checkin(returned_at, item.barcode))
    destination = reply.get("CT") or ""
    expected = {item.home_library, home}
    problems = []
    if reply.fixed_value("ok") != "1":
        problems.append(f"checkin at {returned_at} refused (ok={reply.fixed_value('ok')})")
    if destination not in expected:
        problems.append(f"{item.kind} item {item.barcode} returned at {returned_at}: CT {destination!r}, expected one of {sorted(expected)}")
    if not reply.get("CV"):  # the alert flag beside it is test_checkin_flags_agree_with_item's to judge
        problems.append(f"{item.kind} item {item.barcode}: no CV alert type (CV={reply.get('CV')!r})")
    return problems


def _elsewhere(target: Any, item: Any) -> str:
    other = next((lib for lib in target.libraries if lib.number != item.home_library and lib.kind in ("public", "school")), None)
    if other is None:
        not_tested("the profile needs two member libraries")
    return str(target.institution_of(other.number))


@pytest.mark.requirement("SIP-05")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.NO_ROUTING)
def test_return_anywhere_routes_item_home(sip2: Any, sip2_target: Any, loans: list[Any]) -> None:
    """An item returned at another member library is routed home: CT destination, CV alert

    nb: Et eksemplar levert ved et annet medlemsbibliotek rutes hjem: CT destinasjon, CV varsel
    """
    item = sip2_target.item(kind="regular")
    if item is None or not sip2_target.patrons:
        not_tested("the profile needs a [[patron]] and a regular [[item]]")
    problems = _check_routing(sip2, sip2_target, loans, item, _elsewhere(sip2_target, item))
    if problems:
        raise fail(problems[0], clause=ROUTING_CLAUSE, client=sip2, expected="CT = the home library, CV = the alert type", details=problems)


@pytest.mark.requirement("SIP-05")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.NO_ROUTING)
def test_bookbus_and_deposit_items_are_routed(sip2: Any, sip2_target: Any, loans: list[Any]) -> None:
    """Bookbus and deposit items returned elsewhere are routed to the bus or the deposit library

    nb: Bokbuss- og depoteksemplarer levert andre steder rutes til bussen eller depotbiblioteket
    """
    items = [i for i in (sip2_target.item(kind="bookbus"), sip2_target.item(kind="deposit")) if i is not None]
    if not items or not sip2_target.patrons:
        not_tested("the profile lists no bookbus or deposit [[item]]")
    problems = [p for item in items for p in _check_routing(sip2, sip2_target, loans, item, _elsewhere(sip2_target, item))]
    if problems:
        raise fail(problems[0], clause=ROUTING_CLAUSE, client=sip2, expected="CT = the bus's or the deposit's library, CV set", details=problems)
