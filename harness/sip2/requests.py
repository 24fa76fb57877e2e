"""Builders for the requests a self-service machine sends, with the fixed fields filled in.

The scenarios say *what* they ask ("patron information for TST1 at KONGSBAKKEN"); the
spelling of fixed fields (dates, flags, the summary position) lives here once. Dates are
written as a self-check in Norway writes them: Norwegian wall-clock time, four blanks for the
zone (``harness.sip2.dates``). A ``pin`` of ``None`` leaves AD out; any string is sent as AD.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from harness.sip2.codec import Message, format_date

LANGUAGE_NORWEGIAN = "012"  # 3M SIP2 2.00 language codes: 012 = Norwegian (no code exists for Sámi)
NO_DATE = " " * 18  # "nb due date" / "return date" left to the ACS
Fields = list[tuple[str, str]]


def now() -> str:
    return format_date(datetime.now(UTC))


def _in_three_weeks() -> str:
    return format_date(datetime.now(UTC) + timedelta(days=21))


def _pin(pin: str | None) -> Fields:
    return [] if pin is None else [("AD", pin)]


def login(user: str, password: str, location: str = "") -> Message:
    fields = [("CN", user), ("CO", password)] + ([("CP", location)] if location else [])
    return Message.build("93", {"uid_algorithm": "0", "pwd_algorithm": "0"}, fields)


def sc_status() -> Message:
    return Message.build("99", {"status_code": "0", "max_print_width": "080", "protocol_version": "2.00"})


def patron_status(institution: str, patron: str, pin: str = "", terminal_password: str = "") -> Message:
    fields = [("AO", institution), ("AA", patron), ("AC", terminal_password), ("AD", pin)]
    return Message.build("23", {"language": LANGUAGE_NORWEGIAN, "transaction_date": now()}, fields)


def patron_information(institution: str, patron: str, pin: str | None = None, summary_position: int | None = None,
                       extra: Sequence[tuple[str, str]] = ()) -> Message:
    summary = [" "] * 10
    if summary_position is not None:
        summary[summary_position] = "Y"  # "only one Y" (research §1.4 item 10)
    fields = [("AO", institution), ("AA", patron), *_pin(pin), *extra]
    return Message.build("63", {"language": LANGUAGE_NORWEGIAN, "transaction_date": now(), "summary": "".join(summary)}, fields)


def checkout(institution: str, patron: str, item: str, pin: str | None = None, *, blank_due_date: bool = False,
             renewal_policy: bool = False, no_block_due: str | None = None) -> Message:
    """A checkout. The 'nb due date' is a real date three weeks ahead unless ``blank_due_date``:
    many SCs send 18 blanks there, and one robustness check sends exactly that; the other
    scenarios send a date so that a server strict about it is still judged on what they test.
    ``no_block_due`` sends no block = Y with that nb due date: a loan the SC already made while
    the ACS was off-line, which the ACS records with the SC's due date (3M SIP2 2.00, Checkout)."""
    fields = [("AO", institution), ("AA", patron), ("AB", item), ("AC", ""), *_pin(pin)]
    due = NO_DATE if blank_due_date else no_block_due or _in_three_weeks()
    fixed = {"sc_renewal_policy": "Y" if renewal_policy else "N", "no_block": "Y" if no_block_due else "N",
             "transaction_date": now(), "nb_due_date": due}
    return Message.build("11", fixed, fields)


def checkin(institution: str, item: str, location: str | None = None) -> Message:
    fields = [("AP", location or institution), ("AO", institution), ("AB", item), ("AC", "")]
    return Message.build("09", {"no_block": "N", "transaction_date": now(), "return_date": now()}, fields)


def item_information(institution: str, item: str, extra: Sequence[tuple[str, str]] = ()) -> Message:
    return Message.build("17", {"transaction_date": now()}, [("AO", institution), ("AB", item), *extra])


def renew(institution: str, patron: str, item: str, pin: str | None = None) -> Message:
    fixed = {"third_party_allowed": "N", "no_block": "N", "transaction_date": now(), "nb_due_date": _in_three_weeks()}
    return Message.build("29", fixed, [("AO", institution), ("AA", patron), *_pin(pin), ("AB", item)])


def renew_all(institution: str, patron: str, pin: str | None = None) -> Message:
    return Message.build("65", {"transaction_date": now()}, [("AO", institution), ("AA", patron), *_pin(pin)])


def end_session(institution: str, patron: str, pin: str | None = None) -> Message:
    return Message.build("35", {"transaction_date": now()}, [("AO", institution), ("AA", patron), *_pin(pin)])


def fee_paid(institution: str, patron: str, amount: str, currency: str = "NOK", pin: str | None = None) -> Message:
    fixed = {"transaction_date": now(), "fee_type": "01", "payment_type": "00", "currency_type": currency}
    return Message.build("37", fixed, [("BV", amount), ("AO", institution), ("AA", patron), *_pin(pin)])


def hold(institution: str, patron: str, item: str, mode: str = "+", pin: str | None = None) -> Message:
    fields = [("AO", institution), ("AA", patron), *_pin(pin), ("AB", item)]
    return Message.build("15", {"hold_mode": mode, "transaction_date": now()}, fields)


def item_status_update(institution: str, item: str, properties: str) -> Message:
    return Message.build("19", {"transaction_date": now()}, [("AO", institution), ("AB", item), ("CH", properties)])


def patron_enable(institution: str, patron: str, pin: str | None = None) -> Message:
    return Message.build("25", {"transaction_date": now()}, [("AO", institution), ("AA", patron), *_pin(pin)])


def block_patron(institution: str, patron: str, reason: str) -> Message:
    fields = [("AO", institution), ("AL", reason), ("AA", patron), ("AC", "")]
    return Message.build("01", {"card_retained": "N", "transaction_date": now()}, fields)
