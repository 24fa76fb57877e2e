"""SIP-06 and SEC-02: a wrong PIN opens nothing, whichever request carries it.

Every request with a patron password (AD) is sent with the harness's deliberately wrong PIN
(harness.sip2.transcript.WRONG_PIN, shown unmasked in evidence on purpose) for a patron who has
loans, a hold and a fee outstanding, so that there is something to leak: 23, 63 with each of
the six summaries, 11, 29, 65, 15 and 37 (the optional ones where 98 BX declares them). Each
answer must say the PIN is wrong (CQ N, or a refusal) and carry no item list, hold list, fee,
address, e-mail or phone (research/sip2.md P13; Libki/libki-server #351).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from harness.findings import not_tested, skip_undeclared
from harness.sip2 import defects
from harness.sip2 import requests as rq
from harness.sip2.checks import ask, bx_of, declared, fail
from harness.sip2.codec import Message
from harness.sip2.fields import SUMMARY
from harness.sip2.judging import PIN_CLAUSE, REFUSALS, amount, wrong_pin_problems
from harness.sip2.transcript import WRONG_PIN


@dataclass(frozen=True)
class Exposed:
    """A patron with something to leak, as their own PIN shows it."""

    patron: Any
    charged: tuple[str, ...]  # item barcodes on loan (AU)
    currency: str  # BH, NOK when not given


def _count(reply: Message, name: str) -> int:
    text = reply.fixed_value(name)
    return int(text) if text.isdigit() else 0


def _exposed(client: Any, target: Any) -> Exposed:
    """The first [[patron]] with loans, a hold and a fee; NOT_TESTED when none has all three."""
    seen = []
    for patron in target.patrons:
        if patron.pin == WRONG_PIN:
            continue
        info = ask(client, rq.patron_information(target.institution, patron.barcode, patron.pin, 2))
        charged = info.get_all("AU")
        holds = _count(info, "hold_items_count") + _count(info, "unavailable_holds_count")
        fee = (amount(info.get("BV")) or 0) > 0 or _count(info, "fine_items_count") > 0
        if charged and holds and fee:
            return Exposed(patron, charged, info.get("BH") or "NOK")
        seen.append(f"{patron.barcode}: {len(charged)} loan(s), {holds} hold(s), fee {'yes' if fee else 'no'}")
    not_tested("the probes need a [[patron]] with loans, a hold and a fee outstanding; " + "; ".join(seen))


Probe = Callable[[Any, Exposed], Message]


def _summary(position: int) -> Probe:
    return lambda t, e: rq.patron_information(t.institution, e.patron.barcode, WRONG_PIN, position)


def _any_item(target: Any) -> str:
    item = target.item(kind="regular")
    if item is None:
        not_tested("the profile needs a regular [[item]]")
    return str(item.barcode)


PROBES: dict[str, Probe] = {
    "23": lambda t, e: rq.patron_status(t.institution, e.patron.barcode, WRONG_PIN),
    **{f"63-{name.replace(' ', '-')}": _summary(position) for position, (name, _) in enumerate(SUMMARY)},
    "11": lambda t, e: rq.checkout(t.institution, e.patron.barcode, _any_item(t), WRONG_PIN),
    "29": lambda t, e: rq.renew(t.institution, e.patron.barcode, e.charged[0], WRONG_PIN),
    "65": lambda t, e: rq.renew_all(t.institution, e.patron.barcode, WRONG_PIN),
    "15": lambda t, e: rq.hold(t.institution, e.patron.barcode, _any_item(t), pin=WRONG_PIN),
    "37": lambda t, e: rq.fee_paid(t.institution, e.patron.barcode, "1.00", e.currency, pin=WRONG_PIN),
}
OPTIONAL = frozenset({"65", "15", "37"})  # declared in 98 BX or skipped (SIP-08)


def _undo(client: Any, target: Any, exposed: Exposed, request: Message, reply: Message) -> None:
    """Put back what a wrongly accepted probe did (a loan, a hold); a payment cannot be undone."""
    refusal = REFUSALS.get(reply.code)
    if refusal is None or reply.fixed_value(refusal.field) == refusal.value:
        return
    if request.code == "11":
        client.send(rq.checkin(target.institution, request.get("AB") or ""))
    if request.code == "15":
        client.send(rq.hold(target.institution, exposed.patron.barcode, request.get("AB") or "", "-", exposed.patron.pin))


@pytest.mark.requirement("SIP-06", "SEC-02")
@pytest.mark.destructive
@pytest.mark.parametrize("probe", list(PROBES))
@pytest.mark.failed_by(defects.ACCEPT_WRONG_PIN, defects.PIN_IGNORED_ON_RENEW, defects.STATUS_WITHOUT_CQ,
                       defects.LISTS_WITHOUT_PIN)
def test_wrong_pin_refused_without_personal_data(sip2: Any, sip2_target: Any, probe: str) -> None:
    """A wrong PIN is answered CQ = N or refused, with no loans, holds, fees or contact data, by every request that carries a PIN

    nb: Feil PIN besvares med CQ = N eller avslag, uten lån, reserveringer, gebyrer eller kontaktdata, for hver forespørsel med PIN
    """
    code = probe.split("-", 1)[0]
    if code in OPTIONAL and not declared(bx_of(sip2), code):
        skip_undeclared(f"{code} is not declared in 98 BX")
    exposed = _exposed(sip2, sip2_target)
    request = PROBES[probe](sip2_target, exposed)
    reply = ask(sip2, request)
    try:
        problems = wrong_pin_problems(reply)
    finally:
        _undo(sip2, sip2_target, exposed, request, reply)
    if problems:
        refusal = REFUSALS.get(reply.code)
        raise fail(f"{code} with the wrong PIN {WRONG_PIN} for {exposed.patron.barcode}: {problems[0]}",
                   clause=PIN_CLAUSE + (f"; {refusal.clause}" if refusal else "") + "; Libki/libki-server #351",
                   client=sip2, last=3, details=problems,
                   expected="CQ N (24, 64) or a refusal (ok 0, payment accepted N), and no AS/AT/AU/AV/BU/CD, BM/BN, "
                            "BV owed, BD/BE/BF")
