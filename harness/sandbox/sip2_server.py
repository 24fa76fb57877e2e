"""The sandbox's SIP2 server (the ACS side), on the harness's own codec and the one consortium.

Two parts. :class:`ACS` is sans-I/O: one complete :class:`~harness.sip2.Frame` in, the reply
bytes out, with a :class:`Session` per connection (logged in?, the last reply for 97, the
charset). :class:`SIP2Server` is a threaded TCP server on 127.0.0.1 that cuts the byte stream
with :class:`~harness.sip2.Framer` and hands frames to the ACS; optionally behind TLS.

Session rules (research/sip2.md §1.1, §1.4):
- error detection is per request: a request with AY/AZ gets a reply with that AY and an AZ;
  a request whose checksum does not verify is answered 96 (+AZ) and not processed. AZ
  without AY (pysip2 closes the connection on it, research §2.1) is answered with AY0.
- an unknown command, or a frame too short for its fixed fields, is answered 96 (Koha does).
- 93 with the profile's [sip2] username/password gives 941, anything else 940 (and logs out).
- 99 and 97 need no login. Every other message before a successful 93 is answered with its
  own response type (so an SC sees the reply it expects, research §3 P14) holding no patron
  data at all: nothing is looked up, ok = 0 / payment accepted N, BL N and CQ N ("not
  confirmed": the spec has no "unknown"), AE/AJ/AH empty, AF saying why (SEC-02, SIP-06).
- patron data (AE, fees, item lists) only with the right PIN in AD; an absent or empty PIN
  is not a right PIN (research §3 P13). Unknown patron: BL N, AE empty.
- 97 repeats the last reply byte for byte, AY included (the 3M text: "re-transmit its last
  message"; pysip2 does the same, Koha re-checksums without AY); before any reply, 96.
  A 96 is not remembered as the last reply: it asks the SC to resend, it answers nothing.

SIP2 defects of the catalogue are applied each at one commented ``DEFECT`` line: here for
the wire and session ones, in ``circulation`` for the lending ones, in ``tls`` for TLS.
"""

from __future__ import annotations

import hmac
import logging
import socket
import socketserver
import ssl
import threading
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from harness.sandbox import circulation as circ
from harness.sandbox.state import Consortium, Patron, find_item
from harness.sip2 import (
    MESSAGES, Frame, Framer, LocalEncodingError, Message, checksum, decode, encode, format_date, resolve_charset,
)
from harness.sip2.fields import CIRCULATION_STATUS, SUMMARY, SUPPORTED_MESSAGES

log = logging.getLogger(__name__)

LANGUAGE = "012"  # 3M SIP2 2.00 language table: Norwegian, the language of our screen messages
DENIED = "YYYY" + " " * 10  # charge, renewal, recall and hold privileges denied
NO_COUNT = "    "  # 64 counts: "4 blanks if unsupported"; here: withheld (no verified PIN)
NOT_LOGGED_IN = "Ikke logget inn: send 93 Login først"
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
# Decoder findings that mean "error detection was asked for and failed": answer 96.
BAD_CHECKSUM_RULES = frozenset({"bad_checksum", "checksum_not_hex", "ay_without_az"})
LOGIN_FREE = frozenset({"93", "99", "97"})


@dataclass(frozen=True, slots=True)
class Account:
    """The SC login the sandbox accepts and what it says about itself (profile [sip2])."""

    username: str
    password: str
    institution: str  # AO of the login account's library (98 has no request AO to echo)
    charset: str = "utf-8"

    @classmethod
    def from_profile(cls, section: Mapping[str, Any] | None) -> Account:
        section = section or {}
        charset = resolve_charset(str(section.get("charset", "utf-8")))  # a bad name fails at start
        return cls(str(section.get("username", "")), str(section.get("password", "")),
                   str(section.get("institution", "")), charset)


@dataclass(slots=True)
class Session:
    charset: str
    logged_in: bool = False
    last_reply: bytes | None = None
    last_request: bytes = b""  # for the sip2-stale-replay defect only
    after_crlf: bool = False  # for the sip2-crlf-requests-ignored defect only


@dataclass(frozen=True, slots=True)
class Wire:
    """How the reply to one request is written: the request's error detection and AY."""

    error_detection: bool
    sequence: int | None


Handler = Callable[["ACS", Message, Session, datetime], Message]


@dataclass
class ACS:
    consortium: Consortium
    account: Account
    defects: frozenset[str] = frozenset()
    errors: list[str] = field(default_factory=list)  # handler crashes: a harness bug, for tests

    def new_session(self) -> Session:
        return Session(self.account.charset)

    # -- one frame in, bytes out ---------------------------------------------------------------

    def respond(self, frame: Frame, session: Session, now: datetime | None = None) -> bytes | None:
        """The reply's bytes; b"" to say nothing; None to close the connection."""
        try:
            return self._respond(frame, session, now or datetime.now())
        except Exception as exc:  # a harness bug: answer like a server would, keep the evidence
            log.exception("SIP2 sandbox failed on %r", frame.raw[:80])
            self.errors.append(f"{frame.raw[:20]!r}: {exc!r}")
            return self.render(Message("96"), session, Wire(False, None))

    def _respond(self, frame: Frame, session: Session, now: datetime) -> bytes | None:
        after_crlf, session.after_crlf = session.after_crlf, frame.terminator == b"\r\n"
        after_crlf = after_crlf or any(f.rule == "stray_lf" for f in frame.findings)  # CR and LF in two reads
        if "sip2-crlf-requests-ignored" in self.defects and after_crlf:
            return b""  # DEFECT sip2-crlf-requests-ignored: the LF began this frame (pysip2 0.1.0)
        if not frame.complete:  # oversized: the rest is being discarded; ask for it again
            return self.render(Message("96"), session, Wire(False, None))
        decoded = decode(frame, charset=session.charset)
        request = decoded.message
        asked = frame.data[-6:-4] == b"AZ" or (request is not None and request.checksum is not None)
        if request is None or request.code not in HANDLERS and request.code != "97":
            return self.render(Message("96"), session, Wire(asked, None))  # unknown command
        if BAD_CHECKSUM_RULES & set(decoded.rules()) and "sip2-ignore-bad-checksum" not in self.defects:
            return self.render(Message("96"), session, Wire(True, None))
        # DEFECT sip2-ignore-bad-checksum: the line above is skipped, the request processed.
        wire = Wire(asked, request.sequence if asked else None)
        if request.code == "97":
            if session.last_reply is None or "sip2-resend-stale" in self.defects:
                return self.render(Message("96"), session, wire)  # DEFECT sip2-resend-stale: always 96
            return session.last_reply
        if "sip2-closes-on-blank-due-date" in self.defects and request.code == "11" \
                and request.fixed_value("nb_due_date").isspace():
            return None  # DEFECT sip2-closes-on-blank-due-date: pysip2 0.1.0's regex rejects it
        repeated, session.last_request = frame.data == session.last_request, frame.data
        if "sip2-stale-replay" in self.defects and repeated and asked and session.last_reply is not None:
            return session.last_reply  # DEFECT sip2-stale-replay: same AY+AZ taken for a duplicate
        reply = self._answer(request, session, now)
        data = self.render(reply, session, wire)
        session.last_reply = data
        return data

    def _answer(self, request: Message, session: Session, now: datetime) -> Message:
        # DEFECT sip2-no-login-required: the login gate below is not applied.
        if request.code not in LOGIN_FREE and not session.logged_in and "sip2-no-login-required" not in self.defects:
            return self.refusal(request, now, NOT_LOGGED_IN)
        if "sip2-bx-overclaims" in self.defects and request.code in ("15", "37"):
            return self.refusal(request, now, "not supported")  # DEFECT sip2-bx-overclaims: BX still says Y
        with self.consortium.lock:
            return HANDLERS[request.code](self, request, session, now)

    # -- writing a reply -----------------------------------------------------------------------

    def render(self, message: Message, session: Session, wire: Wire) -> bytes:
        charset, check = session.charset, True
        if "sip2-wrong-ao" in self.defects and message.get("AO") is not None:
            message = _with_field(message, "AO", self.account.institution)  # DEFECT sip2-wrong-ao
        if "sip2-nfd-names" in self.defects and message.get("AE"):
            # DEFECT sip2-nfd-names: the name decomposed, as Evergreen's SIPServer sends it.
            message = _with_field(message, "AE", unicodedata.normalize("NFD", message.get("AE") or ""))
        if "sip2-latin1-names" in self.defects:
            # DEFECT sip2-latin1-names: the whole reply in Latin-1 ('?' for ŋ đ ŧ), UTF-8 declared.
            charset, message = "latin-1", _replaced(message, "latin-1")
        if "sip2-fixed-field-short" in self.defects and message.code == "24":
            status, language, date = message.fixed  # DEFECT sip2-fixed-field-short: language 2 chars
            message, check = Message(message.code, (status, language[:-1], date), message.fields), False
        try:
            body = encode(message, charset=charset, error_detection=False, terminator=b"", check=check)
        except LocalEncodingError:  # a charset that cannot hold a name (cp850 and ŋ): say "?"
            body = encode(_replaced(message, charset), charset=charset, error_detection=False, terminator=b"", check=check)
        # DEFECT sip2-crlf-terminator: CR LF instead of CR (Koha's default).
        terminator = b"\r\n" if "sip2-crlf-terminator" in self.defects else b"\r"
        if not wire.error_detection:
            return body + terminator
        return body + self._trailer(body, message.code, wire.sequence, charset) + terminator

    def _trailer(self, body: bytes, code: str, sequence: int | None, charset: str) -> bytes:
        if code in ("96", "97"):
            trailer = b"AZ"  # 96/97 carry AZ only, never AY (research §0)
        else:
            # DEFECT sip2-no-ay-echo: AY0 whatever the request's sequence number was.
            seq = 0 if sequence is None or "sip2-no-ay-echo" in self.defects else sequence
            trailer = b"AY%dAZ" % seq
        if "sip2-checksum-over-characters" in self.defects:
            # DEFECT sip2-checksum-over-characters: sums code points, not bytes (php-sip2 #8).
            value = -sum(map(ord, (body + trailer).decode(charset))) & 0xFFFF
            digits = "%04X" % value
        else:
            digits = checksum(body + trailer)
        if "sip2-checksum-no-leading-zero" in self.defects:
            digits = "%X" % int(digits, 16)  # DEFECT sip2-checksum-no-leading-zero: "%X", not "%04X"
        return trailer + digits.encode("ascii")

    # -- helpers shared by the handlers -------------------------------------------------------

    def ao(self, request: Message) -> str:
        """Every reply echoes the request's institution id."""
        return request.get("AO") or ""

    def library(self, code: str | None) -> Any:
        return circ.library_for_institution(self.consortium, code)

    def refusal(self, request: Message, now: datetime, why: str) -> Message:
        """The request's own response type, refused, with nothing looked up."""
        code = MESSAGES[request.code].response or "96"
        spec = MESSAGES[code]
        fixed = {**REFUSED_FIXED[code], "transaction_date": format_date(now)}
        echo = {"AO": self.ao(request), "AA": request.get("AA") or "", "AB": request.get("AB") or ""}
        fields = [(fid, echo.get(fid, "")) for fid in spec.required]
        if code in ("24", "26", "64"):
            fields += [("BL", "N"), ("CQ", "N")]
        return Message.build(code, fixed, [*fields, ("AF", why)])

    def patron_part(self, access: circ.PatronAccess, barcode: str, now: datetime) -> tuple[str, list[tuple[str, str]], Patron | None]:
        """Patron status flags and the AE/BL/CQ/BH/BV fields of 24, 26 and 64, by the PIN policy.

        Returns the patron only when their personal data may be shown.
        """
        patron = access.patron
        if patron is None and "sip2-unknown-patron-data" in self.defects:
            # DEFECT sip2-unknown-patron-data: a made-up, valid-looking patron (NYPL PR #756).
            return " " * 14, [("AE", MADE_UP_NAME), ("BL", "Y"), ("CQ", "Y")], None
        if patron is None:
            return DENIED, [("AE", ""), ("BL", "N"), ("CQ", "N"), ("AF", "Ukjent låner")], None
        if not access.authenticated:
            return DENIED, [("AE", ""), ("BL", "Y"), ("CQ", "N"), ("AF", "Feil eller manglende PIN")], None
        fields = [("AE", _text(patron.name)), ("BL", "Y"), ("CQ", "Y")]
        owed = circ.fees_owed(patron)
        if owed:
            fields += [("BH", patron.fees[0].currency), ("BV", f"{owed:.2f}")]
        if patron.blocked:
            fields.append(("AF", patron.blocked_message or "Lånekortet er sperret"))
        return circ.status_flags(self.consortium, patron, now), fields, patron


def _with_field(message: Message, field_id: str, value: str) -> Message:
    fields = tuple((fid, value if fid == field_id else v) for fid, v in message.fields)
    return Message(message.code, message.fixed, fields, message.sequence, message.checksum)


def _replaced(message: Message, charset: str) -> Message:
    """Every value as the charset can hold it, '?' for what it cannot."""
    fields = tuple((fid, v.encode(charset, "replace").decode(charset)) for fid, v in message.fields)
    return Message(message.code, message.fixed, fields, message.sequence, message.checksum)


def _text(value: str) -> str:
    """A catalogue value as a SIP2 field can hold it: no delimiter or line end, 255 at most."""
    return value.replace("|", "&#124;").replace("\r", " ").replace("\n", " ")[:255]


def supported_messages() -> str:
    """BX: Y exactly for the messages HANDLERS implements (and 97, handled in respond)."""
    return "".join("Y" if code in HANDLERS or code == "97" else "N" for _, code in SUPPORTED_MESSAGES)



# -- the handlers: one request in, one reply out (under the consortium lock) -------------------

def _date(now: datetime) -> dict[str, str]:
    return {"transaction_date": format_date(now)}


def _access(acs: ACS, request: Message) -> circ.PatronAccess:
    return circ.check_patron(acs.consortium, request.get("AA"), request.get("AD"), acs.defects)


def _login(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    account = acs.account
    ok = bool(account.username) and hmac.compare_digest(request.get("CN") or "", account.username) \
        and hmac.compare_digest(request.get("CO") or "", account.password)
    session.logged_in = ok
    return Message.build("94", {"ok": "1" if ok else "0"})


def _sc_status(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    institution = request.get("AO") or acs.account.institution  # a 99 has no AO of its own
    library = acs.library(institution)
    fixed = {
        "online_status": "Y", "checkin_ok": "Y", "checkout_ok": "Y", "acs_renewal_policy": "Y",
        "status_update_ok": "Y", "offline_ok": "N",
        # Tenths of a second the SC waits for a reply (research §1.4 item 13): 3 s. Not the
        # 30 s idle timeout of a connection, which SIP2 has no field for.
        "timeout_period": "030", "retries_allowed": "003",
        "date_time_sync": format_date(now), "protocol_version": "2.00",
    }
    fields = [("AO", institution), ("AM", library.name if library else ""), ("BX", supported_messages())]
    return Message.build("98", fixed, fields)


def _status_reply(acs: ACS, request: Message, access: circ.PatronAccess, now: datetime, code: str = "24") -> Message:
    flags, fields, _ = acs.patron_part(access, request.get("AA") or "", now)
    allowed = MESSAGES[code].allowed
    fixed = {"patron_status": flags, "language": LANGUAGE, **_date(now)}
    head = [("AO", acs.ao(request)), ("AA", request.get("AA") or "")]
    return Message.build(code, fixed, head + [f for f in fields if f[0] in allowed])


def _patron_status(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    return _status_reply(acs, request, _access(acs, request), now)


def _block_patron(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    circ.block_patron(acs.consortium, request.get("AA"), request.get("AL") or "")
    return _status_reply(acs, request, _access(acs, request), now)  # 01 carries no PIN


def _patron_enable(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    access = _access(acs, request)
    circ.enable_patron(acs.consortium, access)
    return _status_reply(acs, request, access, now, code="26")


_COUNTS = tuple(f"{name}_count" for name in (
    "hold_items", "overdue_items", "charged_items", "fine_items", "recall_items", "unavailable_holds"))


def _int(text: str | None, default: int) -> int:
    return int(text) if text and text.strip().isdigit() else default


def _patron_info(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    flags, fields, patron = acs.patron_part(_access(acs, request), request.get("AA") or "", now)
    counts = dict.fromkeys(_COUNTS, NO_COUNT)
    ae, rest = fields[:1], fields[1:]
    limits: list[tuple[str, str]] = []
    items: list[tuple[str, str]] = []
    if patron is not None:
        lists = circ.summarise(acs.consortium, patron, now).lists()
        counts = {name: "%04d" % len(values) for name, values in zip(_COUNTS, lists)}
        limits = [("BZ", "%04d" % circ.HOLD_LIMIT), ("CA", "%04d" % circ.OVERDUE_LIMIT), ("CB", "%04d" % circ.CHARGED_LIMIT)]
        # 3M SIP2 2.00, Patron Information (63): summary holds at most one Y; the list it
        # names is sent, from item BP to item BQ (1-based, inclusive).
        wanted = request.fixed_value("summary").find("Y")
        if 0 <= wanted < len(SUMMARY):
            start, end = _int(request.get("BP"), 1), _int(request.get("BQ"), len(lists[wanted]))
            items = [(SUMMARY[wanted][1], _text(v)) for v in lists[wanted][max(start, 1) - 1 : end]]
    money = [f for f in rest if f[0] != "AF"] + ([("CC", f"{circ.FEE_LIMIT:.2f}")] if patron is not None else [])
    notes = [f for f in rest if f[0] == "AF"]
    fixed = {"patron_status": flags, "language": LANGUAGE, **_date(now), **counts}
    head = [("AO", acs.ao(request)), ("AA", request.get("AA") or "")]
    return Message.build("64", fixed, head + ae + limits + money + items + notes)


def _loan_reply(code: str, acs: ACS, request: Message, loan: circ.Loan, now: datetime) -> Message:
    item = loan.item
    fixed = {"ok": "1" if loan.ok else "0", "renewal_ok": "Y" if loan.renewal else "N",
             "magnetic_media": "N", "desensitize": "Y" if loan.ok else "N", **_date(now)}
    due = format_date(item.due) if loan.ok and item is not None and item.due is not None else ""
    return Message.build(code, fixed, [
        ("AO", acs.ao(request)), ("AA", request.get("AA") or ""), ("AB", request.get("AB") or ""),
        ("AJ", _text(item.title) if item else ""), ("AH", due), ("AF", loan.message),
    ])


def _checkout(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    loan = circ.checkout(
        acs.consortium, library=acs.library(request.get("AO")), access=_access(acs, request),
        item_barcode=request.get("AB") or "", renewal_allowed=request.fixed_value("sc_renewal_policy") == "Y",
        now=now, defects=acs.defects,
    )
    return _loan_reply("12", acs, request, loan, now)


def _renew(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    loan = circ.renew(acs.consortium, access=_access(acs, request), item_barcode=request.get("AB") or "", now=now)
    return _loan_reply("30", acs, request, loan, now)


def _renew_all(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    result = circ.renew_all(acs.consortium, access=_access(acs, request), now=now)
    fixed = {"ok": "1" if result.ok else "0", "renewed_count": "%04d" % len(result.renewed),
             "unrenewed_count": "%04d" % len(result.unrenewed), **_date(now)}
    fields = [("AO", acs.ao(request)), *(("BM", b) for b in result.renewed), *(("BN", b) for b in result.unrenewed)]
    return Message.build("66", fixed, [*fields, ("AF", result.message)])


def _checkin(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    # Where the item was handed in: AP (current location) when it names a member, else AO.
    library = acs.library(request.get("AP")) or acs.library(request.get("AO"))
    result = circ.checkin(acs.consortium, library=library, item_barcode=request.get("AB") or "", now=now, defects=acs.defects)
    item = result.item
    fixed = {"ok": "1" if result.ok else "0", "resensitize": "Y" if result.ok else "N",
             "magnetic_media": "N", "alert": "Y" if result.alert else "N", **_date(now)}
    # No AA: who had the item is none of the return machine's business (data minimisation).
    fields = [("AO", acs.ao(request)), ("AB", request.get("AB") or ""),
              ("AQ", item.home_library if item else ""), ("AJ", _text(item.title) if item else "")]
    if result.destination:
        fields.append(("CT", result.destination))  # 3M extension: destination location
    if result.alert_type:
        fields.append(("CV", result.alert_type))  # 3M extension: alert type (circulation.ALERT_*)
    return Message.build("10", fixed, [*fields, ("AF", result.message)])


def _item_info(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    item = find_item(acs.consortium, request.get("AB") or "")
    if item is None:
        return acs.refusal(request, now, "Ukjent eksemplar")
    status = circ.circulation_status(acs.consortium, item)
    fixed = {"circulation_status": status, "security_marker": "00", "fee_type": "01", **_date(now)}
    fields = [("CF", str(circ.hold_queue_length(acs.consortium, item)))]
    if item.due is not None:
        fields.append(("AH", format_date(item.due)))
    fields += [("AB", item.barcode), ("AJ", _text(item.title)), ("BG", item.owning_library), ("CK", "001"),
               ("AQ", item.home_library), ("AP", item.location)]
    if item.properties:
        fields.append(("CH", _text(item.properties)))
    return Message.build("18", fixed, [*fields, ("AF", CIRCULATION_STATUS[status])])


def _item_status_update(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    item = circ.set_item_properties(acs.consortium, request.get("AB") or "", request.get("CH") or "")
    if item is None:
        return acs.refusal(request, now, "Ukjent eksemplar")
    fields = [("AB", item.barcode), ("AJ", _text(item.title)), ("CH", _text(item.properties))]
    return Message.build("20", {"item_properties_ok": "1", **_date(now)}, fields)


def _end_session(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    # The sandbox keeps no per-patron session state, so there is always a session to end.
    fields = [("AO", acs.ao(request)), ("AA", request.get("AA") or ""), ("AF", "Takk for besøket")]
    return Message.build("36", {"end_session": "Y", **_date(now)}, fields)


def _fee_paid(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    payment = circ.pay_fee(acs.consortium, access=_access(acs, request), amount_text=request.get("BV"),
                           currency=request.fixed_value("currency_type"), fee_id=request.get("CG"))
    fields = [("AO", acs.ao(request)), ("AA", request.get("AA") or "")]
    if payment.transaction_id:
        fields.append(("BK", payment.transaction_id))
    return Message.build("38", {"payment_accepted": "Y" if payment.accepted else "N", **_date(now)},
                         [*fields, ("AF", payment.message)])


def _hold(acs: ACS, request: Message, session: Session, now: datetime) -> Message:
    wanted = circ.HoldRequest(request.fixed_value("hold_mode"), request.get("AB"), request.get("AJ"),
                              acs.library(request.get("BS")), request.get("BY") == "3")
    result = circ.hold(acs.consortium, access=_access(acs, request), request=wanted, now=now)
    fields = [("AO", acs.ao(request)), ("AA", request.get("AA") or "")]
    if result.hold is not None:
        if result.queue_position:
            fields.append(("BR", str(result.queue_position)))
        fields.append(("BS", circ.institution_of(acs.consortium, result.hold.pickup_library)))
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


# -- the network: threads, idle timeout, prompt shutdown -------------------------------------

IDLE_TIMEOUT = 30.0  # seconds a connection may stay silent before the server closes it
READ_SIZE = 4096


class SIP2Server(socketserver.ThreadingTCPServer):
    """The ACS on 127.0.0.1:0, one daemon thread per connection, optionally behind TLS."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, acs: ACS, *, tls: ssl.SSLContext | None = None, idle_timeout: float = IDLE_TIMEOUT) -> None:
        super().__init__(("127.0.0.1", 0), _Connection)
        self.acs, self.tls, self.idle_timeout = acs, tls, idle_timeout
        self.stopping = threading.Event()
        self._open: dict[socket.socket, threading.Thread] = {}
        self._open_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server_address[:2]
        return str(host), int(port)

    def start(self) -> tuple[str, int]:
        name = f"sandbox-sip2{'-tls' if self.tls else ''}"
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True)
        self._thread.start()
        return self.address

    def stop(self, grace: float = 1.0) -> None:
        """Stop accepting, close the listening socket and every connection, wait a moment."""
        self.stopping.set()
        if self._thread is not None:
            self.shutdown()  # returns within one poll interval
            self._thread.join(grace)
        self.server_close()
        with self._open_lock:
            open_now = list(self._open.items())
        for sock, _ in open_now:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in recv()
            except OSError:
                pass
        for _, thread in open_now:
            thread.join(grace / max(len(open_now), 1))

    def track(self, sock: socket.socket, on: bool) -> None:
        with self._open_lock:
            if on:
                self._open[sock] = threading.current_thread()
            else:
                self._open.pop(sock, None)


class _Connection(socketserver.BaseRequestHandler):
    server: SIP2Server

    def handle(self) -> None:
        server, sock = self.server, self.request
        sock.settimeout(server.idle_timeout)
        try:
            if server.tls is not None:  # wrap_socket detaches sock: track the wrapped one
                sock = server.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
            server.track(sock, True)
            # stop() sets `stopping` before it collects the tracked sockets, so a connection
            # tracked too late to be collected sees the flag here.
            if server.stopping.is_set():
                return
            if server.tls is not None:
                sock.do_handshake()
            self._serve(sock)
        except (OSError, ValueError):
            pass  # idle timeout, reset, TLS refused by the client, shut down: end this one quietly
        finally:
            server.track(sock, False)
            try:
                sock.close()
            except OSError:
                pass

    def _serve(self, sock: socket.socket) -> None:
        server = self.server
        session = server.acs.new_session()
        framer = Framer()
        while not server.stopping.is_set():
            data = sock.recv(READ_SIZE)  # at most READ_SIZE bytes, at most idle_timeout seconds
            if not data:
                return
            framer.receive_data(data)
            while (frame := framer.next_frame()) is not None:
                reply = server.acs.respond(frame, session)
                if reply is None:
                    return  # the ACS hangs up (a defect that closes the connection)
                if reply:
                    sock.sendall(reply)
