"""SIP-01: what 64 says about a patron must add up, and agree with 18 and with 37/38.

The counts equal the lists; a hold in AS is one waiting on the hold shelf (18 says 08), one in
CD is not (research/sip2.md P15); the fee amount (BV) is the same in 24 and 64, and a payment
(37) accepted in its currency (BH) lowers it by what was paid.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from harness.findings import cannot_judge, not_tested
from harness.sip2 import defects
from harness.sip2 import requests as rq
from harness.sip2.checks import SPEC, ask, bx_of, declared, fail
from harness.sip2.codec import Message
from harness.sip2.fields import SUMMARY
from harness.sip2.judging import amount, count_problems

ON_HOLD_SHELF = "08"  # 3M SIP2 2.00, Item Information Response (18): waiting on hold shelf
UNKNOWN_TO_18 = "01"  # "other": what an ACS answers for an identifier that is not an item


def _summary(client: Any, target: Any, patron: Any, position: int) -> Message:
    return ask(client, rq.patron_information(target.institution, patron.barcode, patron.pin, position))


@pytest.mark.requirement("SIP-01")
@pytest.mark.failed_by(defects.COUNTS_DISAGREE)
def test_patron_counts_match_lists(sip2: Any, sip2_target: Any) -> None:
    """64's six counts equal the number of items it lists for the summary asked for

    nb: 64s seks antall er lik antallet eksemplarer den lister for sammendraget det ble spurt om
    """
    if not sip2_target.patrons:
        not_tested("the profile lists no [[patron]] test data")
    problems = [f"{patron.barcode}: {problem}" for patron in sip2_target.patrons for position in range(len(SUMMARY))
                for problem in count_problems(_summary(sip2, sip2_target, patron, position), position)]
    if problems:
        raise fail(problems[0], clause=f"{SPEC}, Patron Information Response (64): hold/overdue/charged/fine/recall/"
                   "unavailable counts and the AS/AT/AU/AV/BU/CD items of the summary asked for (63, one Y)",
                   client=sip2, expected="each count equal to the entries of its list", details=problems)


@pytest.mark.requirement("SIP-01")
@pytest.mark.failed_by(defects.PENDING_HOLDS_AS_AVAILABLE)
def test_hold_lists_separate_ready_and_pending(sip2: Any, sip2_target: Any) -> None:
    """AS lists holds waiting on the hold shelf, CD those still waiting for a copy: 18 agrees for each

    nb: AS lister reserveringer som venter på hentehylla, CD de som fortsatt venter på et eksemplar: 18 er enig for hver
    """
    judged, problems = 0, []
    for patron in sip2_target.patrons:
        for position, field_id in ((0, "AS"), (5, "CD")):
            for entry in _summary(sip2, sip2_target, patron, position).get_all(field_id):
                item = ask(sip2, rq.item_information(sip2_target.institution, entry))
                status = item.fixed_value("circulation_status")
                if status == UNKNOWN_TO_18 and not item.get("AJ"):
                    continue  # a title or hold number, not an item: 18 cannot say where it is
                judged += 1
                if (field_id == "AS") != (status == ON_HOLD_SHELF):
                    problems.append(f"{patron.barcode}: {field_id}{entry}, and 18 for it says circulation status {status}")
    if not judged:
        not_tested("no test patron has a hold listed by item (AS or CD)")
    if problems:
        raise fail(problems[0], clause=f"{SPEC}, Patron Information Response (64): hold items (AS) are available holds, "
                   "unavailable hold items (CD) are not; Item Information Response (18) 08 waiting on hold shelf; "
                   "rero/rero-ils #3173", client=sip2, last=8,
                   expected="every AS item on the hold shelf (18: 08), no CD item there", details=problems)


@pytest.mark.requirement("SIP-01", "SIP-08")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.FEE_PAID_NOT_DEDUCTED)
def test_fee_amounts_agree_with_payment(sip2: Any, sip2_target: Any) -> None:
    """BV and BH agree between 24 and 64, and a Fee Paid (37) in that currency lowers BV by the amount paid

    nb: BV og BH stemmer mellom 24 og 64, og en betaling (37) i den valutaen senker BV med beløpet som ble betalt
    """
    owing = None
    for patron in sip2_target.patrons:
        status = ask(sip2, rq.patron_status(sip2_target.institution, patron.barcode, patron.pin))
        owed = amount(status.get("BV"))
        if owed is not None and owed > 0:
            owing = (patron, status, owed)
            break
    if owing is None:
        not_tested("no test patron owes a fee (24 BV)")
    patron, status, owed = owing
    info = ask(sip2, rq.patron_information(sip2_target.institution, patron.barcode, patron.pin))
    problems = []
    if amount(info.get("BV")) != owed or (info.get("BH") or "") != (status.get("BH") or ""):
        problems.append(f"24 says BV {status.get('BV')!r} BH {status.get('BH')!r}, 64 says BV {info.get('BV')!r} BH {info.get('BH')!r}")
    if declared(bx_of(sip2), "37"):
        currency, paid = status.get("BH") or "NOK", Decimal("1.00")
        payment = ask(sip2, rq.fee_paid(sip2_target.institution, patron.barcode, f"{paid:.2f}", currency, pin=patron.pin))
        left = amount(ask(sip2, rq.patron_information(sip2_target.institution, patron.barcode, patron.pin)).get("BV")) or Decimal(0)
        if payment.fixed_value("payment_accepted") == "Y" and left != owed - paid:
            problems.append(f"37 paid {paid} {currency} (accepted) of {owed}, and 64 then says BV {left}, not {owed - paid}")
        if payment.fixed_value("payment_accepted") != "Y":
            cannot_judge(f"37 paying {paid} {currency} of the {owed} owed was refused (AF {payment.get('AF')!r})",
                         "test_declared_optional_messages_work")
    if problems:
        raise fail(problems[0], clause=f"{SPEC}, fee amount (BV), currency type (BH) in 24 and 64; Fee Paid (37) / "
                   "Fee Paid Response (38) payment accepted", client=sip2, last=6,
                   expected="the same BV and BH in 24 and 64; after an accepted payment, BV less what was paid",
                   details=problems)
