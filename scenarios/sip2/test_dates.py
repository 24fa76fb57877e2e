"""SIP-01: dates. Every 18-character date is a real one, transaction dates tell the time, and a
due date keeps its hour across the daylight-saving switch.

3M SIP2 2.00, dates: YYYYMMDDZZZZHHMMSS; ZZZZ four blanks for local time ("local time is
preferred"), or blanks and a zone letter, Z for UTC. Local time is Norwegian time here
(Europe/Oslo, harness.sip2.dates.LOCAL_ZONE). The clock is compared within the profile's
[sip2] clock_tolerance.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from harness.findings import cannot_judge, not_tested, skip_undeclared
from harness.sip2 import defects
from harness.sip2 import requests as rq
from harness.sip2.checks import SPEC, ask, fail, lending, log_in, reply_message
from harness.sip2.codec import Message, format_date
from harness.sip2.dates import LOCAL_ZONE
from harness.sip2.judging import calendar_problem, clock_problem, dates_of, moment

DATE_CLAUSE = f"{SPEC}, dates: 18 characters YYYYMMDDZZZZHHMMSS, a real date and time"
UNKNOWN_ITEM = "HARNESS-NO-SUCH-ITEM-0"
Dated = tuple[Message, datetime]  # a reply and the harness's clock when it was made


def _dated_session(client: Any, target: Any) -> list[Dated]:
    """One of each core request that is answered with a date (refused where it would change
    anything), each reply with the harness's UTC time halfway through its exchange."""
    ao = target.institution
    requests = [rq.sc_status(), rq.item_information(ao, UNKNOWN_ITEM), rq.checkin(ao, UNKNOWN_ITEM)]
    if target.patrons:
        patron = target.patrons[0]
        requests += [rq.patron_status(ao, patron.barcode, patron.pin),
                     rq.patron_information(ao, patron.barcode, patron.pin, 2),
                     rq.checkout(ao, patron.barcode, UNKNOWN_ITEM, patron.pin),
                     rq.end_session(ao, patron.barcode, patron.pin)]
    session: list[Dated] = []
    for request in requests:
        reply = reply_message(client, client.send(request), request)
        exchange = client.transcript[-1]
        session.append((reply, datetime.fromisoformat(exchange.at) + timedelta(seconds=exchange.elapsed / 2)))
        if reply.code == "64":  # an item on loan to the patron: its 18 carries a due date (AH)
            session += [(ask(client, rq.item_information(ao, barcode)), session[-1][1]) for barcode in reply.get_all("AU")[:1]]
    return session


@pytest.mark.requirement("SIP-01")
@pytest.mark.failed_by(defects.IMPOSSIBLE_DATE)
def test_dates_are_real_calendar_dates(sip2: Any, sip2_target: Any) -> None:
    """Every 18-character date in the replies is a real calendar date and time

    nb: Hver 18-tegns dato i svarene er en virkelig kalenderdato og klokkeslett
    """
    # Dates that do not have the 18-character form are the layout check's; AH in another
    # form is the ACS's choice (free-form). Here: the form is right, is the date real?
    problems = [f"{label} {text!r}: {problem}" for reply, _ in _dated_session(sip2, sip2_target)
                for label, text in dates_of(reply) if (problem := calendar_problem(text))]
    if problems:
        raise fail(f"{len(problems)} date(s) that do not exist: {problems[0]}", clause=DATE_CLAUSE, client=sip2, last=10,
                   expected="YYYYMMDD a day of the calendar, HHMMSS a time of day", details=problems)


@pytest.mark.requirement("SIP-01")
@pytest.mark.failed_by(defects.UTC_AS_LOCAL)
def test_transaction_dates_match_the_clock(sip2: Any, sip2_target: Any) -> None:
    """Transaction dates and 98's date/time sync tell the time, in the zone they declare (four blanks: Norwegian time)

    nb: Transaksjonsdatoer og 98s tidssynkronisering viser riktig tid, i sonen de oppgir (fire blanke: norsk tid)
    """
    tolerance = sip2_target.settings.clock_tolerance
    judged, problems = 0, []
    for reply, when in _dated_session(sip2, sip2_target):
        for label, text in dates_of(reply):
            if label.endswith(("transaction_date", "date_time_sync")) and not calendar_problem(text):
                judged += 1
                if problem := clock_problem(label, text, when, tolerance):
                    problems.append(problem)
    if not judged:
        cannot_judge("no reply carried a transaction date that is a real date", "test_dates_are_real_calendar_dates")
    if problems:
        raise fail(problems[0], clause=f"{SPEC}, transaction date and date/time sync (98): ZZZZ blank = local time "
                   f"({LOCAL_ZONE.key}), '   Z' = UTC; [sip2] clock_tolerance", client=sip2, last=10,
                   expected=f"every transaction date within {tolerance:g} s of the harness's clock", details=problems)


def _noon_with_offset(hours: int) -> datetime:
    """The first day, 30 or more days ahead, whose noon in Norway is at UTC+``hours`` (2: summer)."""
    day = datetime.now(LOCAL_ZONE).replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=30)
    for _ in range(400):
        if day.utcoffset() == timedelta(hours=hours):
            return day
        day = (day + timedelta(days=1)).replace(tzinfo=LOCAL_ZONE)
    raise AssertionError(f"{LOCAL_ZONE.key} has no UTC+{hours} within 400 days")


@pytest.mark.requirement("SIP-01")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.DUE_DATE_DST_SHIFT)
def test_no_block_due_dates_keep_their_hour_across_dst(sip2: Any, sip2_target: Any, sip2_connect: Any) -> None:
    """A due date given by the SC (no-block checkout) comes back the same moment in 12 and 18, in summer and in winter time

    nb: En forfallsdato gitt av automaten (no block-utlån) kommer tilbake som samme tidspunkt i 12 og 18, i sommer- og vintertid
    """
    status = ask(sip2, rq.sc_status())
    if status.fixed_value("offline_ok") != "Y":
        skip_undeclared("98 says off-line ok = N: the ACS takes no no-block transactions (11 with no block = Y)")
    loan = lending(sip2_target)
    # One due date on each side of the switch, whatever today is; one sent as local time, one as UTC.
    asked = [format_date(_noon_with_offset(2)), format_date(_noon_with_offset(1), tz="utc")]
    problems, judged = [], 0
    for due in asked:
        try:
            lent = ask(sip2, rq.checkout(loan.at, loan.patron.barcode, loan.item.barcode, loan.patron.pin, no_block_due=due))
            fresh = log_in(sip2_connect(), sip2_target.username, sip2_target.password, sip2_target.location)
            shown = ask(fresh, rq.item_information(loan.at, loan.item.barcode))
        finally:
            sip2.send(rq.checkin(loan.home, loan.item.barcode))
        if lent.fixed_value("ok") != "1":
            not_tested(f"the no-block checkout was refused (AF {lent.get('AF') or 'none'}): no due date to compare")
        wanted = moment(due)
        assert wanted is not None, due  # the harness's own date
        for where, text in (("12 AH", lent.get("AH") or ""), ("18 AH", shown.get("AH") or "")):
            if where == "18 AH" and shown.fixed_value("circulation_status") not in ("04", "05"):
                continue  # 18 not showing the loan is test_item_information_follows_circulation's
            got = moment(text)
            if got is None:
                continue  # AH is free-form: an ACS may write it another way; nothing to compare
            judged += 1
            if got != wanted:
                problems.append(f"asked for {due!r} ({wanted:%Y-%m-%d %H:%M} UTC); {where} is {text!r} "
                                f"({got.astimezone(UTC):%Y-%m-%d %H:%M} UTC): {(got - wanted).total_seconds() / 3600:+g} h")
    if not judged:
        not_tested("AH is not an 18-character date in 12 or 18: the due time cannot be compared")
    if problems:
        raise fail(problems[0], clause=f"{SPEC}, Checkout (11) no block and nb due date; due date (AH) in 12 and 18; "
                   f"dates in local time ({LOCAL_ZONE.key}: CET/CEST) or UTC; rero/rero-ils #2748",
                   client=sip2, last=10, expected="the same moment as the nb due date, in summer and in winter time",
                   details=problems)
