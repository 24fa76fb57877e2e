"""The sandbox ACS's reply builders: one SIP2 request in, one reply :class:`Message` out.

:data:`HANDLERS` maps each request code the sandbox implements to its builder; ``acs`` calls
one under the consortium lock, after the session rules, and writes what it returns to the
wire. The builders turn requests into calls to the protocol-neutral domain (``circulation``
and ``patrons`` in ``harness/sandbox/``) and its results into SIP2's codes, from the tables
below: the domain speaks no SIP2.

Reply rules (research/sip2.md §1.1, §1.4):
- 93 with the profile's [sip2] username/password gives 941, anything else 940 (and logs out).
- a message refused before a successful 93 (:func:`refusal`) gets its own response type
  (so an SC sees the reply it expects, research §3 P14) holding no patron data at all:
  nothing is looked up, ok = 0 / payment accepted N, BL N and CQ N ("not confirmed": the
  spec has no "unknown"), AE/AJ/AH empty, AF saying why (SEC-02, SIP-06).
- patron data (AE, fees, item lists) only with the right PIN in AD; an absent or empty PIN
  is not a right PIN (research §3 P13). Unknown patron: BL N, AE empty.
"""

from __future__ import annotations

import copy
import hmac
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from harness.profile import Library
from harness.sandbox import circulation as circ
from harness.sandbox import patrons
from harness.sandbox.circulation import ItemState, Routing
from harness.sandbox.state import Patron, find_item
from harness.sip2 import MESSAGES, Message, format_date
from harness.sip2 import defects as d
from harness.sip2.dates import LOCAL_ZONE, parse_date
from harness.sip2.fields import CIRCULATION_STATUS, SUMMARY, SUPPORTED_MESSAGES

if TYPE_CHECKING:
    from harness.sip2.sandbox.acs import ACS, Session

# 3M SIP2 2.00, Item Information Response (18): circulation status, for the domain's states.
CIRCULATION_CODE: Mapping[ItemState, str] = {
    ItemState.AVAILABLE: "03", ItemState.ON_LOAN: "04", ItemState.ON_HOLD_SHELF: "08", ItemState.IN_TRANSIT: "10",
}
# 3M SIP2 extensions (Rev 1.20, 2005), CV alert type in the Checkin Response (10), values as
# Koha and Evergreen emit them (harness/sip2/fields.py ALERT_TYPE): 01 hold for this library,
# 02 hold for another branch, 04 send to another branch.
ALERT_CODE: Mapping[Routing, str] = {Routing.HOLD_HERE: "01", Routing.HOLD_ELSEWHERE: "02", Routing.SEND_HOME: "04"}
# 3M SIP2 2.00, Hold (15): hold mode + add, - delete, * change.
HOLD_ACTION: Mapping[str, patrons.HoldAction] = {
    "+": patrons.HoldAction.PLACE, "-": patrons.HoldAction.CANCEL, "*": patrons.HoldAction.CHANGE,
}

LANGUAGE = "012"  # 3M SIP2 2.00 language table: Norwegian, the language of our screen messages
DENIED = "YYYY" + " " * 10  # charge, renewal, recall and hold privileges denied
NO_COUNT = "    "  # 64 counts: "4 blanks if unsupported"; here: withheld (no verified PIN)
MADE_UP_NAME = "Ola Nordmann"
# Reply fixed fields for a request that is refused before anything is looked up (no login).
REFUSED_FIXED: Mapping[str, Mapping[str, str]] = {
    "24": {"patron_status": DENIED, "language": LANGUAGE},
    "26": {"patron_status": DENIED, "language": LANGUAGE},
    "64": {"patron_status": DENIED, "language": LANGUAGE, **{f"{n}_count": NO_COUNT for n in (
        "hold_items", "overdue_items", "charged_items", "fine_items", "recall_items", "unavailable_holds")}},
    "12": {"ok": "0", "renewal_ok": "N", "magnetic_media": "U", "desensitize": "N"},
    "30": {"ok": "0", "renewal_ok": "N", "magnetic_media": "U", "desensitize": "N"},
    "10": {"ok": "0", "resensitize": "N", "magnetic_media": "U", "alert": "N"},
    "18": {"circulation_status": "01", "security_marker": "00", "fee_type": "01"},
    "20": {"item_properties_ok": "0"},
    "36": {"end_session": "N"},
    "38": {"payment_accepted": "N"},
    "16": {"ok": "0", "available": "N"},
    "66": {"ok": "0", "renewed_count": "0000", "unrenewed_count": "0000"},
}

Handler = Callable[["ACS", Message, "Session", datetime], Message]


# -- helpers shared by the handlers -------------------------------------------------------

def _ao(request: Message) -> str:
    """Every reply echoes the request's institution id."""
    return request.get("AO") or ""


def _library(acs: ACS, code: str | None) -> Library | None:
    return circ.library_by_code(acs.consortium, "sip2", code)


def _institution(acs: ACS, number: str) -> str:
    library = acs.consortium.libraries.get(number)
    return library.code_for("sip2") if library is not None else ""


def status_flags(standing: patrons.Standing) -> str:
    """The 14 patron-status flags of 24 and 64, Y or blank (3M SIP2 2.00, Patron Status Response)."""
    flags = (
        standing.borrowing_denied, standing.renewal_denied, standing.recall_denied, standing.holds_denied,
        False, standing.too_many_items, standing.too_many_overdue, False, False, False,  # 4 card lost .. 9
        False, standing.excessive_fees, False, False,  # 10 fines, 11 fees, 12 recall overdue, 13 billed
    )
    return "".join("Y" if flag else " " for flag in flags)


def refusal(request: Message, now: datetime, why: str) -> Message:
    """The request's own response type, refused, with nothing looked up."""
    code = MESSAGES[request.code].response or "96"
    spec = MESSAGES[code]
    fixed = {**REFUSED_FIXED[code], "transaction_date": format_date(now)}
    echo = {"AO": _ao(request), "AA": request.get("AA") or "", "AB": request.get("AB") or ""}
    fields = [(fid, echo.get(fid, "")) for fid in spec.required]
    if code in ("24", "26", "64"):
        fields += [("BL", "N"), ("CQ", "N")]
    return Message.build(code, fixed, [*fields, ("AF", why)])


def _patron_part(
    acs: ACS, access: patrons.PatronAccess, barcode: str, now: datetime,
) -> tuple[str, list[tuple[str, str]], Patron | None]:
    """Patron status flags and the AE/BL/CQ/BH/BV fields of 24, 26 and 64, by the PIN policy.

    Returns the patron only when their personal data may be shown.
    """
    patron = access.patron
    if patron is None and acs.defects.active(d.UNKNOWN_PATRON_DATA):
        # DEFECT sip2-unknown-patron-data: a made-up, valid-looking patron (NYPL PR #756).
        return " " * 14, [("AE", MADE_UP_NAME), ("BL", "Y"), ("CQ", "Y")], None
    if patron is None:
        return DENIED, [("AE", ""), ("BL", "N"), ("CQ", "N"), ("AF", "Ukjent låner")], None
    if not access.authenticated:
        return DENIED, [("AE", ""), ("BL", "Y"), ("CQ", "N"), ("AF", "Feil eller manglende PIN")], None
    fields = [("AE", _text(patron.name)), ("BL", "Y"), ("CQ", "Y")]
    owed = patrons.fees_owed(patron)
    if owed:
        fields += [("BH", patron.fees[0].currency), ("BV", f"{owed:.2f}")]
    if patron.blocked:
        fields.append(("AF", patron.blocked_message or "Lånekortet er sperret"))
    return status_flags(patrons.standing(acs.consortium, patron, now)), fields, patron


def _text(value: str) -> str:
    """A catalogue value as a SIP2 field can hold it: no delimiter or line end, 255 at most."""
    return value.replace("|", "&#124;").replace("\r", " ").replace("\n", " ")[:255]


def supported_messages() -> str:
    """BX: Y exactly for the messages HANDLERS implements (and 97, handled by the ACS)."""
    return "".join("Y" if code in HANDLERS or code == "97" else "N" for _, code in SUPPORTED_MESSAGES)


def _date(now: datetime) -> dict[str, str]:
    return {"transaction_date": format_date(now)}


def _access(acs: ACS, request: Message) -> patrons.PatronAccess:
    return patrons.check_patron(acs.consortium, request.get("AA"), request.get("AD"))


# -- the handlers: one request in, one reply out (under the consortium lock) -------------------

def _login(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    account = acs.account
    ok = bool(account.username) and hmac.compare_digest(request.get("CN") or "", account.username) \
        and (hmac.compare_digest(request.get("CO") or "", account.password)
             or acs.defects.active(d.LOGIN_ANY_PASSWORD))  # DEFECT sip2-login-any-password
    session.logged_in = ok
    return Message.build("94", {"ok": "1" if ok else "0"})


def _sc_status(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    institution = request.get("AO") or acs.account.institution  # a 99 has no AO of its own
    library = _library(acs, institution)
    fixed = {
        "online_status": "Y", "checkin_ok": "Y", "checkout_ok": "Y", "acs_renewal_policy": "Y",
        "status_update_ok": "Y", "offline_ok": "Y",  # no-block checkouts keep the SC's due date
        # Tenths of a second the SC waits for a reply (research §1.4 item 13): 3 s. Not the
        # 30 s idle timeout of a connection, which SIP2 has no field for.
        "timeout_period": "030", "retries_allowed": "003",
        "date_time_sync": format_date(now), "protocol_version": "2.00",
    }
    bx = supported_messages()
    if acs.defects.active(d.BX_DENIES_CORE):  # DEFECT sip2-bx-denies-core: renew (14) and end session (8) say N
        bx = "".join("N" if i in (8, 14) else flag for i, flag in enumerate(bx))
    fields = [("AO", institution), ("AM", library.name if library else ""), ("BX", bx)]
    return Message.build("98", fixed, fields)


def _status_reply(acs: ACS, request: Message, access: patrons.PatronAccess, now: datetime, code: str = "24") -> Message:
    flags, fields, _ = _patron_part(acs, access, request.get("AA") or "", now)
    allowed = MESSAGES[code].allowed
    fixed = {"patron_status": flags, "language": LANGUAGE, **_date(now)}
    head = [("AO", _ao(request)), ("AA", request.get("AA") or "")]
    return Message.build(code, fixed, head + [f for f in fields if f[0] in allowed])


def _patron_status(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    return _status_reply(acs, request, _access(acs, request), now)


def _block_patron(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    if not acs.defects.active(d.BLOCK_PATRON_NO_EFFECT):  # DEFECT sip2-block-patron-no-effect: skipped
        patrons.block_patron(acs.consortium, request.get("AA"), request.get("AL") or "")
    return _status_reply(acs, request, _access(acs, request), now)  # 01 carries no PIN


def _patron_enable(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    access = _access(acs, request)
    patrons.enable_patron(acs.consortium, access)
    return _status_reply(acs, request, access, now, code="26")


_COUNTS = tuple(f"{name}_count" for name in (
    "hold_items", "overdue_items", "charged_items", "fine_items", "recall_items", "unavailable_holds"))


def _int(text: str | None, default: int) -> int:
    return int(text) if text and text.strip().isdigit() else default


def _lists(acs: ACS, patron: Patron, now: datetime) -> tuple[tuple[str, ...], ...]:
    lists = patrons.summarise(acs.consortium, patron, now).lists()
    if acs.defects.active(d.PENDING_HOLDS_AS_AVAILABLE):  # DEFECT: every hold in AS (rero-ils #3173)
        return (lists[0] + lists[5], *lists[1:5], ())
    return lists


def _patron_info(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    access = _access(acs, request)
    flags, fields, patron = _patron_part(acs, access, request.get("AA") or "", now)
    counts = dict.fromkeys(_COUNTS, NO_COUNT)
    ae, rest = fields[:1], fields[1:]
    limits: list[tuple[str, str]] = []
    items: list[tuple[str, str]] = []
    if patron is None and access.patron is not None and acs.defects.active(d.LISTS_WITHOUT_PIN):
        patron = access.patron  # DEFECT sip2-lists-without-pin: the lists, whatever the PIN said
        counts = {}
    if patron is not None:
        lists = _lists(acs, patron, now)
        counts = counts if counts == {} else {name: f"{len(values):04d}" for name, values in zip(_COUNTS, lists)}
        if acs.defects.active(d.COUNTS_DISAGREE):  # DEFECT sip2-counts-disagree: overdue loans not counted
            counts["charged_items_count"] = f"{(len(lists[2]) - len(lists[1])):04d}"
        limits = [("BZ", f"{patrons.HOLD_LIMIT:04d}"), ("CA", f"{patrons.OVERDUE_LIMIT:04d}"),
                  ("CB", f"{patrons.CHARGED_LIMIT:04d}")]
        # 3M SIP2 2.00, Patron Information (63): summary holds at most one Y; the list it
        # names is sent, from item BP to item BQ (1-based, inclusive).
        wanted = request.fixed_value("summary").find("Y")
        if 0 <= wanted < len(SUMMARY):
            start, end = _int(request.get("BP"), 1), _int(request.get("BQ"), len(lists[wanted]))
            items = [(SUMMARY[wanted][1], _text(v)) for v in lists[wanted][max(start, 1) - 1 : end]]
    money = [f for f in rest if f[0] != "AF"] + ([("CC", f"{patrons.FEE_LIMIT:.2f}")] if patron is not None else [])
    notes = [f for f in rest if f[0] == "AF"]
    counts = {**dict.fromkeys(_COUNTS, NO_COUNT), **counts}
    fixed = {"patron_status": flags, "language": LANGUAGE, **_date(now), **counts}
    head = [("AO", _ao(request)), ("AA", request.get("AA") or "")]
    return Message.build("64", fixed, head + ae + limits + money + items + notes)


def _loan_reply(code: str, acs: ACS, request: Message, loan: circ.Loan, now: datetime) -> Message:
    item = loan.item
    fixed = {"ok": "1" if loan.ok else "0", "renewal_ok": "Y" if loan.renewal else "N",
             "magnetic_media": "N", "desensitize": "Y" if loan.ok else "N", **_date(now)}
    if code == "12" and acs.defects.active(d.DESENSITIZE_ON_REFUSAL):
        fixed["desensitize"] = "Y"  # DEFECT sip2-desensitize-on-refusal
    if code == "12" and acs.defects.active(d.RENEWAL_OK_ECHOES_POLICY):
        fixed["renewal_ok"] = request.fixed_value("sc_renewal_policy")  # DEFECT sip2-renewal-ok-echoes-policy
    due = format_date(item.due) if loan.ok and item is not None and item.due is not None else ""
    return Message.build(code, fixed, [
        ("AO", _ao(request)), ("AA", request.get("AA") or ""), ("AB", request.get("AB") or ""),
        ("AJ", _text(item.title) if item else ""), ("AH", due), ("AF", loan.message),
    ])


def _checkout(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    loan = circ.checkout(
        acs.consortium, library=_library(acs, request.get("AO")), access=_access(acs, request),
        item_barcode=request.get("AB") or "", renewal_allowed=request.fixed_value("sc_renewal_policy") == "Y",
        now=now, due=_no_block_due(request),
    )
    return _loan_reply("12", acs, request, loan, now)


def _no_block_due(request: Message) -> datetime | None:
    """3M SIP2 2.00, Checkout (11): with no block = Y the SC already lent the item off-line and
    the nb due date is the one it gave; the ACS records that (98 says off-line ok = Y)."""
    if request.fixed_value("no_block") != "Y":
        return None
    due = parse_date(request.fixed_value("nb_due_date"))
    if not isinstance(due, datetime):
        return None
    return due.astimezone(LOCAL_ZONE).replace(tzinfo=None) if due.tzinfo is not None else due


def _renewal_access(acs: ACS, request: Message) -> patrons.PatronAccess:
    if acs.defects.active(d.PIN_IGNORED_ON_RENEW):  # DEFECT sip2-pin-ignored-on-renew: AD never looked at
        return patrons.check_patron(acs.consortium, request.get("AA"), None)
    return _access(acs, request)


def _renew(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    access = _renewal_access(acs, request)
    item = find_item(acs.consortium, request.get("AB") or "")
    if acs.defects.active(d.RENEW_ANY_LOAN) and item is not None and item.borrower not in (None, request.get("AA")):
        # DEFECT sip2-renew-any-loan: the loan is renewed for whoever has it.
        access = patrons.PatronAccess(acs.consortium.patrons.get(item.borrower), True, True)
    loan = circ.renew(acs.consortium, access=access, item_barcode=request.get("AB") or "", now=now)
    return _loan_reply("30", acs, request, loan, now)


def _renew_all(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    result = circ.renew_all(acs.consortium, access=_renewal_access(acs, request), now=now)
    fixed = {"ok": "1" if result.ok else "0", "renewed_count": f"{len(result.renewed):04d}",
             "unrenewed_count": f"{len(result.unrenewed):04d}", **_date(now)}
    fields = [("AO", _ao(request)), *(("BM", b) for b in result.renewed), *(("BN", b) for b in result.unrenewed)]
    return Message.build("66", fixed, [*fields, ("AF", result.message)])


def _checkin(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    # Where the item was handed in: AP (current location) when it names a member, else AO.
    library = _library(acs, request.get("AP")) or _library(acs, request.get("AO"))
    result = circ.checkin(acs.consortium, library=library, item_barcode=request.get("AB") or "", now=now)
    item = result.item
    fixed = {"ok": "1" if result.ok else "0", "resensitize": "Y" if result.ok else "N",
             "magnetic_media": "N", "alert": "Y" if result.alert else "N", **_date(now)}
    if acs.defects.active(d.ALERT_FLAG_OFF):
        fixed["alert"] = "N"  # DEFECT sip2-alert-flag-off: routing in CT/CV, but no alert
    # No AA: who had the item is none of the return machine's business (data minimisation).
    fields = [("AO", _ao(request)), ("AB", request.get("AB") or ""),
              ("AQ", item.home_library if item else ""), ("AJ", _text(item.title) if item else "")]
    if result.destination:
        fields.append(("CT", result.destination))  # 3M extension: destination location
    if result.routing is not None:
        fields.append(("CV", ALERT_CODE[result.routing]))  # 3M extension: alert type
    return Message.build("10", fixed, [*fields, ("AF", result.message)])


def _item_info(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    item = find_item(acs.consortium, request.get("AB") or "")
    if item is None:
        return refusal(request, now, "Ukjent eksemplar")
    state = circ.item_state(acs.consortium, item)
    on_loan_hidden = acs.defects.active(d.ITEM_INFO_IGNORES_LOANS) and state is ItemState.ON_LOAN
    if on_loan_hidden:
        state = ItemState.AVAILABLE  # DEFECT sip2-item-info-ignores-loans: the catalogue's view, not circulation's
    status = CIRCULATION_CODE[state]
    fixed = {"circulation_status": status, "security_marker": "00", "fee_type": "01", **_date(now)}
    fields = [("CF", str(circ.hold_queue_length(acs.consortium, item)))]
    if item.due is not None and not on_loan_hidden:
        fields.append(("AH", format_date(item.due)))
    fields += [("AB", item.barcode), ("AJ", _text(item.title)), ("BG", item.owning_library), ("CK", "001"),
               ("AQ", item.home_library), ("AP", item.location)]
    if item.properties:
        fields.append(("CH", _text(item.properties)))
    return Message.build("18", fixed, [*fields, ("AF", CIRCULATION_STATUS[status])])


def _item_status_update(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    item = circ.set_item_properties(acs.consortium, request.get("AB") or "", request.get("CH") or "")
    if item is None:
        return refusal(request, now, "Ukjent eksemplar")
    fields = [("AB", item.barcode), ("AJ", _text(item.title)), ("CH", _text(item.properties))]
    return Message.build("20", {"item_properties_ok": "1", **_date(now)}, fields)


def _end_session(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    # The sandbox keeps no per-patron session state, so there is always a session to end.
    if acs.defects.active(d.END_SESSION_LOGS_OUT):
        session.logged_in = False  # DEFECT sip2-end-session-logs-out: the SC's login ends with the patron's session
    fields = [("AO", _ao(request)), ("AA", request.get("AA") or ""), ("AF", "Takk for besøket")]
    return Message.build("36", {"end_session": "Y", **_date(now)}, fields)


def _fee_paid(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    access = _access(acs, request)
    owed = copy.deepcopy(access.patron.fees) if access.patron is not None else []
    payment = patrons.pay_fee(acs.consortium, access=access, amount_text=request.get("BV"),
                              currency=request.fixed_value("currency_type"), fee_id=request.get("CG"))
    if acs.defects.active(d.FEE_PAID_NOT_DEDUCTED) and access.patron is not None:
        access.patron.fees = owed  # DEFECT sip2-fee-paid-not-deducted: accepted, and still owed
    fields = [("AO", _ao(request)), ("AA", request.get("AA") or "")]
    if payment.transaction_id:
        fields.append(("BK", payment.transaction_id))
    return Message.build("38", {"payment_accepted": "Y" if payment.accepted else "N", **_date(now)},
                         [*fields, ("AF", payment.message)])


def _hold(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    action = HOLD_ACTION.get(request.fixed_value("hold_mode"))
    if action is None:
        return refusal(request, now, "Ukjent reservasjonsmodus")
    wanted = patrons.HoldRequest(action, request.get("AB"), request.get("AJ"), _library(acs, request.get("BS")),
                                 request.get("BY") == "3")
    result = patrons.hold(acs.consortium, access=_access(acs, request), request=wanted, now=now)
    fields = [("AO", _ao(request)), ("AA", request.get("AA") or "")]
    if result.hold is not None:
        if result.queue_position:
            fields.append(("BR", str(result.queue_position)))
        fields.append(("BS", _institution(acs, result.hold.pickup_library)))
    if request.get("AB"):
        fields.append(("AB", request.get("AB") or ""))
    if result.title:
        fields.append(("AJ", _text(result.title)))
    available = result.hold is not None and result.hold.available
    fixed = {"ok": "1" if result.ok else "0", "available": "Y" if available else "N", **_date(now)}
    return Message.build("16", fixed, [*fields, ("AF", result.message)])


HANDLERS: Mapping[str, Handler] = {
    "93": _login, "99": _sc_status, "23": _patron_status, "63": _patron_info, "11": _checkout,
    "09": _checkin, "17": _item_info, "19": _item_status_update, "29": _renew, "65": _renew_all,
    "35": _end_session, "37": _fee_paid, "15": _hold, "01": _block_patron, "25": _patron_enable,
}
