"""SIP-01 and SIP-02 as real self-service machines exercise them: requests the field sends.

research/sip2.md §1.4 and §3 (P1, P4, P8) list what self-checks in use send: CR LF line
ends, 18 blanks for "no due date", a sequence number that does not advance. A library
system that drops the connection or answers with stale data on these is a machine that
stops working for the patron at the door.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.findings import cannot_judge, not_tested
from harness.sip2 import defects
from harness.sip2 import requests as rq
from harness.sip2.checks import SPEC, ask, fail, log_in
from harness.sip2.client import ConnectionLost
from harness.sip2.codec import encode


@pytest.mark.requirement("SIP-01")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.CLOSES_ON_BLANK_DUE_DATE)
def test_checkout_with_blank_due_date_is_answered(sip2: Any, sip2_target: Any) -> None:
    """A checkout whose 'nb due date' is 18 blanks (no due date asked for) gets a 12 reply

    nb: Et utlån der «nb due date» er 18 blanke (ingen forfallsdato ønsket) får et 12-svar
    """
    item = sip2_target.item(kind="regular")
    if item is None or not sip2_target.patrons:
        not_tested("the profile needs a [[patron]] and a regular [[item]]")
    patron, at = sip2_target.patrons[0], sip2_target.institution_of(item.owning_library)
    try:
        ask(sip2, rq.checkout(at, patron.barcode, item.barcode, patron.pin, blank_due_date=True))
    except ConnectionLost as exc:
        raise fail(
            "the target closed the connection on a checkout with a blank 'nb due date'",
            clause=f"{SPEC}: Checkout (11) nb due date: the date the SC asks for, blank when it asks for none "
                   "(Evergreen's own SIP tests send 18 blanks)",
            client=sip2, expected="a 12 Checkout Response", details=[str(exc)],
        ) from None
    finally:
        try:
            sip2.send(rq.checkin(sip2_target.institution_of(item.home_library), item.barcode))
        except ConnectionLost:
            pass


@pytest.mark.requirement("SIP-01")
@pytest.mark.failed_by(defects.CRLF_REQUESTS_IGNORED)
def test_requests_ending_crlf_are_answered(sip2: Any) -> None:
    """Two requests ending CR LF, one after the other, get two replies

    nb: To forespørsler avsluttet med CR LF, den ene etter den andre, får to svar
    """
    # One after the other (not in one segment: that is test_pipelined_requests_answered_in_order's).
    frames = [
        encode(rq.sc_status(), charset=sip2.charset, error_detection=sip2.error_detection, sequence=(sip2.next_sequence + i) % 10, terminator=b"\r\n")
        for i in range(2)
    ]
    replies = [d for frame in frames for d in sip2.send_raw(frame, expect=1, allow_silence=True)]
    codes = [d.message.code if d.message else "?" for d in replies]
    if codes != ["98", "98"]:
        raise fail(f"two CR LF-terminated status requests got {codes or 'no reply'}",
                   clause=f"{SPEC}: messages end with CR; self-checks in the field end them with CR LF (NYPL-Simplified/circulation PR #833), "
                          "and an ACS that reads the LF as the start of the next message loses it",
                   client=sip2, expected="two 98 replies", hex=True)


@pytest.mark.requirement("SIP-02")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.STALE_REPLAY)
def test_identical_request_is_answered_anew(sip2: Any, sip2_target: Any, sip2_connect: Any) -> None:
    """A request repeated byte for byte (an SC that does not advance AY) is answered with the current state

    nb: En forespørsel gjentatt byte for byte (en automat som ikke øker AY) besvares med gjeldende status
    """
    item = sip2_target.item(kind="regular")
    if item is None or not sip2_target.patrons:
        not_tested("the profile needs a [[patron]] and a regular [[item]]")
    # At the patron's own library: a loan every lending rule allows, so only the replay is judged.
    patron = sip2_target.patrons[0]
    at = sip2_target.institution_of(patron.home_library)
    status_frame = encode(rq.item_information(at, item.barcode), charset=sip2.charset, error_detection=sip2.error_detection, sequence=0)
    before = sip2.send_raw(status_frame)[0].message
    # The loan is made on a second machine, so this connection's previous request stays the same.
    other = log_in(sip2_connect(), sip2_target.username, sip2_target.password, sip2_target.location)
    try:
        loan = ask(other, rq.checkout(at, patron.barcode, item.barcode, patron.pin))
        if loan.fixed_value("ok") != "1":
            cannot_judge("the checkout this check needs was refused (AF: " + (loan.get("AF") or "no reason given") + ")",
                         "the consortium lending checks (test_public_patron_borrows_at_school, test_school_patron_borrows_at_public)")
        control = ask(other, rq.item_information(at, item.barcode))  # a new request, on the other connection
        if control.fixed_value("circulation_status") not in ("04", "05"):
            cannot_judge("18 does not show the loan even to a new request",
                         "test_item_information_follows_circulation")
        after = sip2.send_raw(status_frame)[0].message
    finally:
        other.send(rq.checkin(sip2_target.institution_of(item.home_library), item.barcode))
    if before is None or after is None or after.fixed_value("circulation_status") == before.fixed_value("circulation_status"):
        state = after.fixed_value("circulation_status") if after else "unreadable"
        raise fail(f"after a checkout on another connection, the repeated item information request still says circulation status {state}",
                   clause=f"{SPEC}: error detection (AY detects lost replies; resending is what 97 is for); "
                          "Koha C4/SIP/Sip/MsgType.pm handle: a repeated request is processed again",
                   client=sip2, expected="circulation status 04 (charged) after the checkout")
