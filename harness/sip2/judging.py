"""What SIP2 replies must agree with, as pure functions of decoded messages (no sockets).

The scenarios send; these judge. Each function returns the problems it sees as readable
sentences (an empty list: nothing wrong), so the same rule can be unit-tested on hand-made
messages and cited in a FAIL. The clause each rule rests on sits beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from harness.sip2.dates import LOCAL_ZONE, instant, parse_date, zone_name
from harness.sip2.fields import DATE18, SUMMARY
from harness.sip2.model import Message

SPEC = "3M Standard Interchange Protocol Version 2.00"

# -- patron data -----------------------------------------------------------------------------------

# What a wrong PIN must not reveal (SIP-06, SEC-02): item and hold lists, fees owed, contact
# data, renewed/unrenewed items. The name (AE) is left to the consortium's policy.
# 3M SIP2 2.00: AS hold items, AT overdue, AU charged, AV fine, BU recall, CD unavailable holds;
# BD home address, BE e-mail, BF home phone; BV fee amount (24, 64: what the patron owes);
# BM/BN renewed/unrenewed items (66).
PERSONAL_FIELDS: Mapping[str, str] = {
    "AS": "hold items", "AT": "overdue items", "AU": "charged items", "AV": "fine items",
    "BU": "recall items", "CD": "unavailable holds", "BD": "home address", "BE": "e-mail address",
    "BF": "home phone", "BM": "renewed items", "BN": "unrenewed items",
}
OWED_IN = frozenset({"24", "26", "64"})  # where BV is the patron's own fee amount


def personal_data(message: Message) -> list[str]:
    """The personal fields a reply carries with a value, as they came (``AU99001000010``)."""
    shown = [f"{fid}{value}" for fid, value in message.fields if fid in PERSONAL_FIELDS and value.strip()]
    if message.code in OWED_IN and (message.get("BV") or "").strip():
        shown.append(f"BV{message.get('BV')}")
    return shown


@dataclass(frozen=True, slots=True)
class Refusal:
    """How a reply says "no": the fixed field, the value that means it, and the clause."""

    field: str
    value: str
    clause: str


# 3M SIP2 2.00: the flag in each reply that says the transaction was not done.
REFUSALS: Mapping[str, Refusal] = {
    "12": Refusal("ok", "0", f"{SPEC}, Checkout Response (12): ok 0 = the item was not checked out"),
    "30": Refusal("ok", "0", f"{SPEC}, Renew Response (30): ok 0 = not renewed"),
    "66": Refusal("ok", "0", f"{SPEC}, Renew All Response (66): ok"),
    "16": Refusal("ok", "0", f"{SPEC}, Hold Response (16): ok 0 = the hold was not placed"),
    "38": Refusal("payment_accepted", "N", f"{SPEC}, Fee Paid Response (38): payment accepted N"),
}
PIN_CLAUSE = f"{SPEC}, valid patron password (CQ): N when the patron password (AD) is wrong; SIP-06"


def wrong_pin_problems(reply: Message) -> list[str]:
    """What is wrong with the reply to a request carrying a wrong PIN (research P13).

    24 and 64 must say CQ N (a 24 without CQ validated nothing); the others must be refused;
    none may carry the patron's lists, fees or contact data.
    """
    problems = []
    if reply.code in ("24", "64", "26"):
        cq = reply.get("CQ")
        if cq is None:
            problems.append(f"{reply.code} carries no CQ: the PIN sent was not validated")
        elif cq != "N":
            problems.append(f"{reply.code} says CQ{cq} for a wrong PIN")
    refusal = REFUSALS.get(reply.code)
    if refusal is not None and reply.fixed_value(refusal.field) != refusal.value:
        problems.append(f"{reply.code} {refusal.field} = {reply.fixed_value(refusal.field)!r}: done with a wrong PIN")
    if reply.code == "66" and reply.fixed_value("renewed_count").strip("0 "):
        problems.append(f"66 renewed count {reply.fixed_value('renewed_count')} with a wrong PIN")
    leaked = personal_data(reply)
    if leaked:
        problems.append(f"{reply.code} reveals {', '.join(leaked[:6])}" + (" ..." if len(leaked) > 6 else ""))
    return problems


def count_problems(reply: Message, position: int) -> list[str]:
    """64: the count for the summary position asked for equals the entries of its list.

    3M SIP2 2.00, Patron Information Response (64): the six counts, 4 digits, or 4 blanks when
    unsupported (then nothing to compare).
    """
    name, field_id = SUMMARY[position]
    count_field = ("hold_items_count", "overdue_items_count", "charged_items_count", "fine_items_count",
                   "recall_items_count", "unavailable_holds_count")[position]
    count = reply.fixed_value(count_field)
    listed = reply.get_all(field_id)
    if not count.isdigit():
        return []
    if int(count) != len(listed):
        return [f"{count_field} is {count} but {len(listed)} {field_id} ({name}) field(s) came: {list(listed)[:5]}"]
    return []


def amount(text: str | None) -> Decimal | None:
    """A BV fee amount: its format is undefined (research §1.4 item 11): 50.00 and 50,00 both."""
    try:
        value = Decimal((text or "").strip().replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


# -- dates ------------------------------------------------------------------------------------------

_DATE_SHAPE = re.compile(DATE18, re.ASCII)
DATE_FIELDS = ("transaction_date", "date_time_sync", "nb_due_date", "return_date")
DATED_VARIABLES = ("AH", "BW", "CJ", "CM")  # AH is free-form; judged when it has the 18-character form


def dates_of(message: Message) -> list[tuple[str, str]]:
    """(label, text) of every date a message carries in the 18-character form."""
    found = [(f"{message.code} {name}", value) for name, value in message.fixed_map().items()
             if name in DATE_FIELDS and _DATE_SHAPE.fullmatch(value)]
    found += [(f"{message.code} {fid}", value) for fid, value in message.fields
              if fid in DATED_VARIABLES and _DATE_SHAPE.fullmatch(value)]
    return found


def calendar_problem(text: str) -> str:
    """'' for a real date; else why not (30 February, 31 April)."""
    parsed = parse_date(text)
    return "" if isinstance(parsed, datetime) else parsed.message


def clock_problem(label: str, text: str, harness_time: datetime, tolerance: float) -> str:
    """'' when the date is within ``tolerance`` seconds of the harness's clock, read in the zone
    it declares (four blanks: Norwegian local time); else both times and the likely cause."""
    parsed = parse_date(text)
    if not isinstance(parsed, datetime):
        return ""  # not a date at all: the strict date check says so
    said = instant(parsed)
    off = (said - harness_time).total_seconds()
    if abs(off) <= tolerance:
        return ""
    ours = harness_time.astimezone(LOCAL_ZONE)
    problem = (f"{label} {text!r} read as {zone_name(text)} is {said:%Y-%m-%d %H:%M:%S} UTC; the "
               f"harness's clock said {harness_time:%Y-%m-%d %H:%M:%S} UTC ({ours:%H:%M:%S} {LOCAL_ZONE.key}): "
               f"{off:+.0f} s, over the {tolerance:g} s tolerance")
    if parsed.tzinfo is None and abs((parsed.replace(tzinfo=UTC) - harness_time).total_seconds()) <= tolerance:
        problem += "; read as UTC it is on time: UTC sent as local time"
    return problem


def same_moment(first: str, second: str) -> bool:
    """Two 18-character dates name the same moment (zones taken into account)."""
    a, b = parse_date(first), parse_date(second)
    if isinstance(a, datetime) and isinstance(b, datetime):
        return instant(a) == instant(b)
    return first.strip() == second.strip()


def moment(text: str) -> datetime | None:
    parsed = parse_date(text)
    return instant(parsed) if isinstance(parsed, datetime) else None


def first_of(replies: Iterable[Message], code: str) -> Message | None:
    return next((m for m in replies if m.code == code), None)
