"""SIP-01 beyond layout: what each core message's reply says must be true.

93/94 refuses a wrong password; 98 declares the core messages; 29 renews the patron's own
loan and no one else's; 35 ends the patron's session, not the machine's; 17 follows
circulation, on a fresh connection; 12 and 10 set their flags as the outcome and the item
say. The circulation checks lend one test item and check it in again at its home library.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.findings import cannot_judge, not_tested
from harness.sip2 import defects
from harness.sip2 import requests as rq
from harness.sip2.checks import (
    SPEC,
    Lending,
    ask,
    bx_of,
    declared,
    fail,
    lending,
    log_in,
)
from harness.sip2.client import ConnectionLost
from harness.sip2.codec import Message
from harness.sip2.fields import SUPPORTED_MESSAGES
from harness.sip2.judging import moment, same_moment

CORE = ("93", "99", "23", "63", "11", "09", "17", "29", "35")  # SIP-01's messages, as BX names them
LENDING_CHECKS = "the consortium lending checks (test_public_patron_borrows_at_school, test_school_patron_borrows_at_public)"
UNKNOWN_ITEM = "HARNESS-NO-SUCH-ITEM-0"


def _lend(client: Any, loan: Lending, **options: Any) -> Message:
    reply = ask(client, rq.checkout(loan.at, loan.patron.barcode, loan.item.barcode, loan.patron.pin, **options))
    if reply.fixed_value("ok") != "1":
        cannot_judge(f"the checkout this check needs was refused (AF {reply.get('AF') or 'none'})", LENDING_CHECKS)
    return reply


def _queue(reply: Message | None) -> int | None:
    """18's hold queue length (CF), when it gives one."""
    text = (reply.get("CF") or "") if reply is not None else ""
    return int(text) if text.isdigit() else None


def _item_info(target: Any, connect: Any, loan: Lending) -> Message:
    """17 on a fresh connection: nothing a connection remembers can answer it."""
    fresh = log_in(connect(), target.username, target.password, target.location)
    return ask(fresh, rq.item_information(loan.at, loan.item.barcode))


@pytest.mark.requirement("SIP-01", "SEC-02")
@pytest.mark.failed_by(defects.LOGIN_ANY_PASSWORD)
def test_login_refuses_a_wrong_password(sip2_target: Any, sip2_connect: Any) -> None:
    """93 Login with a wrong password is answered 940

    nb: 93 innlogging med feil passord besvares 940
    """
    client = sip2_connect()
    reply = client.send(rq.login(sip2_target.username, sip2_target.password + "-not-it", sip2_target.location))
    message = reply.message
    if message is None or message.code != "94":
        raise fail("a login with a wrong password was not answered with a 94", clause=f"{SPEC}, Login Response (94)",
                   client=client, expected="940")
    # What the connection then gives about patrons is test_no_patron_data_before_login's to judge.
    if message.fixed_value("ok") != "0":
        raise fail(f"a login with a wrong password (CO masked here) was answered ok = {message.fixed_value('ok')}",
                   clause=f"{SPEC}, Login Response (94): ok 1 only when the SC's user id and password are valid; SEC-02",
                   client=client, expected="940")


@pytest.mark.requirement("SIP-01")
@pytest.mark.failed_by(defects.BX_DENIES_CORE)
def test_acs_status_declares_the_core_messages(sip2: Any) -> None:
    """98 ACS Status is on-line, speaks 2.00 and declares every core message in BX

    nb: 98 ACS-status er tilkoblet, snakker 2.00 og oppgir hver kjernemelding i BX
    """
    status = ask(sip2, rq.sc_status())
    bx = status.get("BX") or ""
    problems = [f"BX position {i} ({name}, {code}) is {bx[i:i + 1] or 'missing'}"
                for i, (name, code) in enumerate(SUPPORTED_MESSAGES) if code in CORE and not declared(bx, code)]
    if status.fixed_value("online_status") != "Y":
        problems.append(f"on-line status {status.fixed_value('online_status')!r}")
    if status.fixed_value("protocol_version") != "2.00":
        problems.append(f"protocol version {status.fixed_value('protocol_version')!r} in answer to 2.00")
    if problems:
        raise fail(f"98 does not describe an ACS serving SIP2 2.00's core: {problems[0]}",
                   clause=f"{SPEC}, ACS Status (98): on-line status, protocol version, BX supported messages; SIP-01 core set",
                   client=sip2, expected=f"on-line Y, 2.00, BX Y for {', '.join(CORE)}", details=problems)


@pytest.mark.requirement("SIP-01")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.RENEW_ANY_LOAN)
def test_renew_extends_only_the_patrons_own_loan(sip2: Any, sip2_target: Any, sip2_connect: Any) -> None:
    """29 Renew extends a loan the patron has, and refuses one they do not have

    nb: 29 fornyelse forlenger et lån låneren har, og avslår et lån låneren ikke har
    """
    loan = lending(sip2_target)
    others = [p for p in sip2_target.patrons if p.barcode != loan.patron.barcode]
    if not others:
        not_tested("the profile needs two [[patron]] entries")
    stranger = others[0]
    try:
        due = _lend(sip2, loan).get("AH") or ""
        own = ask(sip2, rq.renew(loan.at, loan.patron.barcode, loan.item.barcode, loan.patron.pin))
        renewed = own.get("AH") or ""
        theirs = ask(sip2, rq.renew(loan.at, stranger.barcode, loan.item.barcode, stranger.pin))
        shown = _item_info(sip2_target, sip2_connect, loan)
    finally:
        sip2.send(rq.checkin(loan.home, loan.item.barcode))
    problems = []
    if own.fixed_value("ok") != "1":
        problems.append(f"renewing {loan.item.barcode} for its borrower was refused: AF {own.get('AF')!r}")
    else:
        old, new = moment(due), moment(renewed)
        if old is not None and new is not None and new < old:
            problems.append(f"the renewal's AH {renewed!r} is before the loan's due date {due!r}")
    if theirs.fixed_value("ok") != "0":
        problems.append(f"{stranger.barcode} renewed {loan.item.barcode}, which is on loan to {loan.patron.barcode}")
    if theirs.fixed_value("desensitize") == "Y":
        problems.append("the refused renewal says desensitize = Y")
    # 18 not showing the loan at all is test_item_information_follows_circulation's to report.
    after = shown.get("AH") or ""
    if own.fixed_value("ok") == "1" and shown.fixed_value("circulation_status") in ("04", "05") and not same_moment(after, renewed):
        problems.append(f"after the renewals 18 says AH {after!r}, not the renewed due date {renewed!r}")
    if problems:
        raise fail(problems[0], clause=f"{SPEC}, Renew (29) / Renew Response (30): ok 1 = renewed for the patron who has it, "
                   "AH its new due date", client=sip2, expected="the own loan renewed (AH not earlier), the stranger's 29 refused "
                   "(ok 0), 18 showing the renewed AH", details=problems)


@pytest.mark.requirement("SIP-01")
@pytest.mark.failed_by(defects.END_SESSION_LOGS_OUT)
def test_end_session_then_the_connection_serves_on(sip2: Any, sip2_target: Any) -> None:
    """35 End Patron Session ends the patron's session; the next request on the connection is served

    nb: 35 avslutt lånerøkt avslutter lånerens økt; neste forespørsel på forbindelsen betjenes
    """
    if len(sip2_target.patrons) < 2:
        not_tested("the profile needs two [[patron]] entries")
    first, second = sip2_target.patrons[:2]
    ao = sip2_target.institution
    ask(sip2, rq.patron_information(ao, first.barcode, first.pin))
    ended = ask(sip2, rq.end_session(ao, first.barcode, first.pin))
    problems = []
    if ended.fixed_value("end_session") != "Y" or ended.get("AA") != first.barcode:
        problems.append(f"36 end session = {ended.fixed_value('end_session')!r}, AA {ended.get('AA')!r} for {first.barcode}")
    try:
        nxt = ask(sip2, rq.patron_status(ao, second.barcode, second.pin))
        if nxt.get("BL") != "Y" or nxt.get("CQ") == "N":
            problems.append(f"the next patron's 23 after 35 was refused: BL {nxt.get('BL')!r}, CQ {nxt.get('CQ')!r}, "
                            f"AF {nxt.get('AF')!r}")
    except ConnectionLost as exc:
        problems.append(f"the connection was closed after 35: {exc}")
    if problems:
        raise fail(problems[0], clause=f"{SPEC}, End Patron Session (35): ends the patron's session, not the SC's login (93)",
                   client=sip2, expected="36 end session Y for that patron; the next patron served on the same connection",
                   details=problems)


@pytest.mark.requirement("SIP-01")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.ITEM_INFO_IGNORES_LOANS)
def test_item_information_follows_circulation(sip2: Any, sip2_target: Any, sip2_connect: Any) -> None:
    """17 Item Information before, during and after a loan: circulation status, due date, holds, each on a fresh connection

    nb: 17 eksemplarinformasjon før, under og etter et lån: sirkulasjonsstatus, forfallsdato, reserveringer, hver på ny forbindelse
    """
    loan = lending(sip2_target)
    before = _item_info(sip2_target, sip2_connect, loan)
    if before.fixed_value("circulation_status") in ("04", "05"):
        not_tested(f"test item {loan.item.barcode} is already on loan (18 circulation status {before.fixed_value('circulation_status')})")
    holder = next((p for p in sip2_target.patrons if p.barcode != loan.patron.barcode), None)
    hold_works = holder is not None and declared(bx_of(sip2), "15")
    try:
        due = _lend(sip2, loan).get("AH") or ""
        during = _item_info(sip2_target, sip2_connect, loan)
        held = None
        if hold_works and holder is not None:
            placed = ask(sip2, rq.hold(loan.at, holder.barcode, loan.item.barcode, pin=holder.pin))
            held = _item_info(sip2_target, sip2_connect, loan) if placed.fixed_value("ok") == "1" else None
            sip2.send(rq.hold(loan.at, holder.barcode, loan.item.barcode, mode="-", pin=holder.pin))
    finally:
        sip2.send(rq.checkin(loan.home, loan.item.barcode))
    after = _item_info(sip2_target, sip2_connect, loan)
    problems = []
    if during.fixed_value("circulation_status") not in ("04", "05"):
        problems.append(f"while on loan, 18 says circulation status {during.fixed_value('circulation_status')}, not 04 charged")
    if not same_moment(during.get("AH") or "", due):
        problems.append(f"while on loan, 18 says AH {during.get('AH')!r}; the checkout said AH {due!r}")
    queued, queued_before = _queue(held), _queue(during)
    if queued is not None and queued_before is not None and queued != queued_before + 1:
        problems.append(f"after a hold on it, 18 says hold queue length CF {queued}, before it {queued_before}")
    if after.fixed_value("circulation_status") in ("04", "05") or (after.get("AH") or "").strip():
        problems.append(f"after the checkin, 18 says circulation status {after.fixed_value('circulation_status')}, AH {after.get('AH')!r}")
    if problems:
        raise fail(problems[0], clause=f"{SPEC}, Item Information Response (18): circulation status (04 charged), "
                   "due date (AH), hold queue length (CF)", client=sip2, last=10,
                   expected="03 (or another shelf state) before, 04 with the checkout's AH during, CF + 1 after a hold, "
                            "no AH after the checkin", details=problems)


@pytest.mark.requirement("SIP-01")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.DESENSITIZE_ON_REFUSAL, defects.RENEWAL_OK_ECHOES_POLICY)
def test_checkout_flags_agree_with_outcome(sip2: Any, sip2_target: Any) -> None:
    """12's flags say what happened: a refusal never says desensitize = Y; renewal ok only when the patron already had the item

    nb: 12-flaggene sier hva som skjedde: et avslag sier aldri desensitize = Y; renewal ok bare når låneren allerede hadde eksemplaret
    """
    loan = lending(sip2_target)
    refused = ask(sip2, rq.checkout(loan.at, loan.patron.barcode, UNKNOWN_ITEM, loan.patron.pin))
    problems = []
    if refused.fixed_value("ok") == "0" and refused.fixed_value("desensitize") == "Y":
        problems.append(f"a refused checkout (unknown item {UNKNOWN_ITEM}) says desensitize = Y")
    try:
        first = _lend(sip2, loan, renewal_policy=True)
        again = ask(sip2, rq.checkout(loan.at, loan.patron.barcode, loan.item.barcode, loan.patron.pin, renewal_policy=True))
    finally:
        sip2.send(rq.checkin(loan.home, loan.item.barcode))
    if first.fixed_value("renewal_ok") != "N":
        problems.append(f"a new loan says renewal ok = {first.fixed_value('renewal_ok')!r}: the patron did not have the item")
    if again.fixed_value("ok") == "1":
        old, new = moment(first.get("AH") or ""), moment(again.get("AH") or "")
        if again.fixed_value("renewal_ok") != "Y":
            problems.append("checking out an item the patron already has was done, but renewal ok = N")
        if old is not None and new is not None and new < old:
            problems.append(f"the renewal by checkout has AH {again.get('AH')!r}, before the loan's {first.get('AH')!r}")
    elif again.fixed_value("desensitize") == "Y":
        problems.append("a refused second checkout says desensitize = Y")
    if problems:
        raise fail(problems[0], clause=f"{SPEC}, Checkout Response (12): renewal ok Y = the patron already had the item "
                   "checked out; desensitize N when the checkout was refused", client=sip2, last=8,
                   expected="ok 0 with desensitize N or U; a new loan with renewal ok N; a renewal with Y and AH not earlier",
                   details=problems)


MAGNETIC_MEDIA_TYPES = frozenset({"004", "005", "007", "008", "010"})  # 3M SIP2 2.00 media type (CK): tapes, diskettes


@pytest.mark.requirement("SIP-01", "SIP-05")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.ALERT_FLAG_OFF)
def test_checkin_flags_agree_with_item(sip2: Any, sip2_target: Any, sip2_connect: Any) -> None:
    """10's flags match the item: alert when it must travel, resensitize on a return, magnetic media as the item is

    nb: 10-flaggene stemmer med eksemplaret: varsel når det skal sendes, resensitize ved innlevering, magnetisk medium som eksemplaret er
    """
    loan = lending(sip2_target)
    elsewhere = next((sip2_target.institution_of(lib.number) for lib in sip2_target.libraries
                      if lib.number != loan.item.home_library and lib.kind in ("public", "school")), None)
    if elsewhere is None:
        not_tested("the profile needs two member libraries")
    refused = ask(sip2, rq.checkin(elsewhere, UNKNOWN_ITEM))
    info = _item_info(sip2_target, sip2_connect, loan)
    try:
        lent = _lend(sip2, loan)
        returned = ask(sip2, rq.checkin(elsewhere, loan.item.barcode))
    finally:
        sip2.send(rq.checkin(loan.home, loan.item.barcode))  # and home again, wherever it was sent
    problems = []
    if refused.fixed_value("ok") == "0" and refused.fixed_value("resensitize") == "Y":
        problems.append(f"a refused checkin (unknown item {UNKNOWN_ITEM}) says resensitize = Y")
    routed = bool(returned.get("CT") or returned.get("CV"))
    if routed and returned.fixed_value("alert") != "Y":
        problems.append(f"the checkin routes the item (CT {returned.get('CT')!r}, CV {returned.get('CV')!r}) but alert = N")
    magnetic = {"12": lent.fixed_value("magnetic_media"), "10": returned.fixed_value("magnetic_media")}
    media = info.get("CK") or ""
    if media:
        magnetic["18 CK"] = "Y" if media in MAGNETIC_MEDIA_TYPES else "N"
    known = {k: v for k, v in magnetic.items() if v in "YN"}
    if len(set(known.values())) > 1:
        problems.append(f"magnetic media disagrees for one item: {known}")
    if returned.fixed_value("ok") == "1" and returned.fixed_value("resensitize") != "Y" and known.get("10") != "Y":
        problems.append("a lending item that is not magnetic was checked in with resensitize = N: it leaves unprotected")
    if problems:
        raise fail(problems[0], clause=f"{SPEC}, Checkin Response (10): resensitize (N when refused), magnetic media, "
                   "alert (special handling: here the routing in the 3M extension fields CT/CV)", client=sip2, last=8,
                   expected="alert Y with routing, resensitize Y on a return of a non-magnetic item and N when refused, "
                            "magnetic media the same in 12, 10 and 18", details=problems)
