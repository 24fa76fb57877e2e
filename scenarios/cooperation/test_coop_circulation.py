"""KAT-04 and SIP-05 across protocols: what happens at a kiosk shows in every catalogue.

**Loan visible everywhere.** A pupil borrows a school library's copy at the school's kiosk
(SIP2); every search path that declares item status (SRU ``[sru] status_tag``, Z39.50 OPAC
circulation data) shows the copy on loan, and available again after the return.

**The bookbus and the deposit collection.** A bookbus copy and a deposit copy, each lent where
it lives, are returned at another member: SIP2 routes them home (CT), and every search path
that declares a status for it (``[sru] in_transit_values``) shows them in transit until they
are checked in at home, then available.

What a protocol suite owns is read past: a loan that does not show even for the protocol
suite's own test copy is its KAT-04 check's; a wrong SIP2 routing is the SIP2 suite's SIP-05.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial

import pytest

from harness.cooperation import defects
from harness.cooperation.circulation import Desk
from harness.cooperation.members import Members
from harness.cooperation.observe import Observe
from harness.cooperation.paths import (
    AVAILABLE,
    IN_TRANSIT,
    ON_LOAN,
    Question,
    SearchPath,
    Sighting,
    poll,
)
from harness.cooperation.story import Story
from harness.findings import WarningRecorder, not_tested, skip_undeclared
from harness.profile import Library, TestItem, TestPatron

LOAN_CLAUSE = ("Consortium requirement KAT-04: a copy checked out over SIP2 (3M SIP2 2.00 Checkout, 11/12) shows as on "
               "loan in SRU and Z39.50 holdings, and as available after checkin (09/10); Z39.50-2003 Appendix REC.5 "
               "(OPAC circulation data, availableNow)")
TRANSIT_CLAUSE = ("Consortium requirement SIP-05: an item returned at another member travels home (3M SIP2 extensions "
                  "Rev 1.20, Checkin Response 10: CT destination location, CV alert type), and the catalogue shows it in "
                  "transit until it is checked in at home; KAT-04 (holdings status in SRU and Z39.50)")
ROUTING_OWNER = "sip2 suite (test_bookbus_and_deposit_items_are_routed)"


def _state(barcode: str, wanted: str, sighting: Sighting) -> bool:
    copy = sighting.copy(barcode)
    return copy is not None and copy.state == wanted


@dataclass(frozen=True, slots=True)
class Seen:
    """What polling a copy's state gave: whether the awaited state showed, the evidence in words,
    and, when it did not show and the copy's status is one the profile does not name, why the
    story cannot judge it ("" otherwise)."""

    shown: bool
    text: str
    unjudged: str = ""


def _watch(story: Story, path: SearchPath, question: Question, wanted: str, event: str) -> Seen:
    """Poll from now until the copy is in state ``wanted``."""
    watched = poll(partial(path.ask, question), partial(_state, question.barcode, wanted), since=time.monotonic(),
                   timeout=path.visibility_timeout)
    story.keep(watched.sighting.exchanges, last=1 if watched.shown else 2)
    copy = watched.sighting.copy(question.barcode)
    seen = copy.seen if copy is not None else "no record holding the copy"
    unjudged = copy.unjudged if copy is not None and not watched.shown else ""
    return Seen(watched.shown, f"{seen} {watched.seconds:.3f} s after {event} ({wanted} expected)", unjudged)


def _judgeable(*seen: Seen) -> None:
    """Stop this path's part of the story (not observed) when a copy it needs has a status the
    profile does not name: such a copy is neither available nor on loan, so nothing is judged on it."""
    reasons = [s.unjudged for s in seen if s.unjudged]
    if reasons:
        not_tested(reasons[0])


def _ready(story: Story, paths: list[SearchPath], question: Question, transit: bool) -> list[SearchPath]:
    """The paths that declare the status (on loan, or in transit) and show the copy available
    before the story begins. Z39.50 declares a loan status by offering OPAC records, which it
    shows with the first record the story's own question brings back."""
    ready = []
    for path in paths:
        status = "in-transit" if transit else "loan"
        if path.declares_loans is False or (transit and not path.declares_transit):
            story.not_observed(path.name, f"it declares no {status} status for a copy")
            continue
        with story.on(path.name):
            sighting = path.ask(question)
            copy = sighting.copy(question.barcode)
            if path.declares_loans is None:
                story.not_observed(path.name, f"no record came back for {question.describe()}, so whether it offers a "
                                              f"{status} status (OPAC circulation data) is not known")
            elif path.declares_loans is False:
                story.not_observed(path.name, f"it declares no {status} status for a copy (it offers no OPAC records)")
            elif copy is None:
                story.owned_by(path.name, f"no record found by {question.describe()} holds {question.barcode}",
                               path.owners.of("loans"))
            elif copy.state != AVAILABLE:
                story.not_observed(path.name, copy.unjudged or f"{question.barcode} shows {copy.seen} before the story begins")
            else:
                ready.append(path)
    return ready


def _loan_shows(story: Story, desk: Desk, path: SearchPath, item: TestItem, patron: TestPatron, word: str) -> str:
    """Lend ``item`` at its library and return it; what went wrong on ``path`` ("" when nothing)."""
    question = Question(words=(word,), barcode=item.barcode)
    desk.checkout(patron, item, item.owning_library)
    lent = _watch(story, path, question, ON_LOAN, f"the SIP2 checkout at {item.owning_library}")
    desk.checkin(item, item.owning_library)
    back = _watch(story, path, question, AVAILABLE, "the checkin")
    _judgeable(lent, back)
    return "" if lent.shown and back.shown else f"{item.barcode} shows {lent.text}, {back.text}"


@pytest.mark.requirement("KAT-04")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.SCHOOL_LOANS_NOT_IN_SEARCH)
def test_loan_visible_everywhere(members: Members, desk: Desk, observe: Observe, warn: WarningRecorder) -> None:
    """A school's copy lent at the school's kiosk shows as on loan on every search path, and available after the return

    nb: Et skoleeksemplar lånt ut i skolens automat vises som utlånt på alle søkeveier, og som ledig etter innlevering
    """
    item, patron = members.item(kind="regular", owner_kind="school"), members.patron("school")
    story = Story(LOAN_CLAUSE, expected=f"{item.barcode} on loan on every path while lent over SIP2, available after the checkin")
    word = desk.title_word(item)
    question = Question(words=(word,), barcode=item.barcode)
    paths = _ready(story, observe.search(story, members.school), question, transit=False)
    control = members.profile.item(kind="regular")  # the copy the protocol suites lend in their KAT-04 checks
    for path in paths:
        with story.on(path.name):  # a refused loan or an unreadable answer on one path leaves the others judged
            wrong = _loan_shows(story, desk, path, item, patron, word)
            story.keep(desk.exchanges, last=None)
            if not wrong:
                story.fine(path.name, f"{item.barcode} of {item.owning_library} on loan while lent, available after the return")
            elif control is None or control.barcode == item.barcode:
                story.not_observed(path.name, f"{wrong}; no other regular [[item]] to lend as the control, so it cannot be "
                                              f"told from the {path.owners.of('loans')} fault")
            elif _loan_shows(story, desk, path, control, members.patron("public"), desk.title_word(control)):
                story.owned_by(path.name, f"{wrong}; the same for {control.barcode}, lent where the protocol suite lends it",
                               path.owners.of("loans"))
            else:
                story.fail(path.name, f"{wrong} (a copy of {control.owning_library} lent there shows at once)")
    story.keep(desk.exchanges, last=None)
    story.did(f"{patron.barcode} borrowed {item.barcode} at {item.owning_library} over SIP2 and returned it there")
    story.conclude(warn, f"a loan at {item.owning_library}'s kiosk shows on every path that declares item status")


def _elsewhere(members: Members, item: TestItem) -> Library:
    other = next((lib for lib in members.profile.libraries
                  if lib.number != item.home_library and lib.kind in ("public", "school")), None)
    if other is None:
        not_tested("the profile needs a member library other than the items' homes")
    return other


@pytest.mark.requirement("SIP-05")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.TRANSIT_NOT_IN_SEARCH)
def test_bookbus_and_deposit_items_travel_home(members: Members, desk: Desk, observe: Observe, warn: WarningRecorder) -> None:
    """Bookbus and deposit copies returned at another member are routed home over SIP2 and show in transit until they arrive

    nb: Bokbuss- og depoteksemplarer levert ved et annet bibliotek rutes hjem over SIP2 og vises som på vei til de er fremme
    """
    items = [i for i in (members.profile.item(kind="bookbus"), members.profile.item(kind="deposit")) if i is not None]
    if not items:
        not_tested("the profile lists no bookbus or deposit [[item]]")
    patron = members.patron("public")
    control = members.profile.item(kind="regular")  # the copy the protocol suites lend in their KAT-04 checks
    story = Story(TRANSIT_CLAUSE, expected="in transit on every path that declares it, from the return elsewhere until "
                                           "the checkin at home; available after it")
    paths = observe.search(story, members.public)
    if not paths:  # nothing configured to look through: NOT_TESTED, saying why
        story.conclude(warn, "no search path")
    if not any(p.declares_transit for p in paths):
        skip_undeclared("no search path declares an in-transit status ([sru] in_transit_values)")
    for item in items:
        word = desk.title_word(item)
        question = Question(words=(word,), barcode=item.barcode)
        ready = _ready(story, paths, question, transit=True)
        elsewhere = _elsewhere(members, item)
        desk.checkout(patron, item, item.home_library)
        reply = desk.checkin(item, elsewhere.number)
        destination = reply.get("CT") or ""
        story.did(f"{item.kind} copy {item.barcode} (home {item.home_library}) lent there, returned at {elsewhere.number}: "
                  f"CT {destination!r}")
        if destination not in (item.home_library, desk.at(item.home_library)):
            for path in ready:
                story.owned_by(path.name, f"{item.barcode} was not routed home over SIP2 (CT {destination!r})", ROUTING_OWNER)
            desk.checkin(item, item.home_library)
            continue
        transit: dict[str, Seen] = {}
        for path in ready:
            with story.on(path.name):
                transit[path.name] = _watch(story, path, question, IN_TRANSIT, f"the return at {elsewhere.number}")
        desk.checkin(item, item.home_library)
        for path in ready:
            if path.name in transit:
                with story.on(path.name):
                    _judge_transit(story, desk, path, item, patron, control, transit[path.name], destination, elsewhere, question)
    story.keep(desk.exchanges, last=None)
    story.conclude(warn, "bookbus and deposit copies returned elsewhere show in transit until they are home")


def _judge_transit(story: Story, desk: Desk, path: SearchPath, item: TestItem, patron: TestPatron, control: TestItem | None,
                   transit: Seen, destination: str, elsewhere: Library, question: Question) -> None:
    """In transit after the return elsewhere and available once home: fine; else the crossing's
    fault only when a plain loan of the control copy shows on the path (else its loan check's)."""
    home = _watch(story, path, question, AVAILABLE, f"the checkin at {item.home_library}")
    _judgeable(transit, home)
    wrong = f"{item.kind} copy {item.barcode}, routed home over SIP2 (CT {destination}), shows {transit.text}, {home.text}"
    if transit.shown and home.shown:
        story.fine(path.name, f"{item.barcode} in transit after the return at {elsewhere.number}, available once home")
    elif control is None:
        story.not_observed(path.name, f"{wrong}; no regular [[item]] to lend as the control, so it cannot be told from "
                                      f"the {path.owners.of('loans')} fault")
    elif loan := _loan_shows(story, desk, path, control, patron, desk.title_word(control)):
        story.owned_by(path.name, f"{wrong}; a plain loan does not show either: {loan}", path.owners.of("loans"))
    else:
        story.fail(path.name, wrong)
