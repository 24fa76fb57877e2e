"""The sandbox's SIP2 ACS, sans-I/O: one complete :class:`~harness.sip2.Frame` in, the reply bytes out.

:class:`ACS` keeps a :class:`Session` per connection (logged in?, the last reply for 97, the
charset), decides whether a request is answered at all, hands it to its reply builder in
``sip2_replies`` and writes the reply to the wire (error detection, AY, terminator). The
network is ``sip2_server``.

Session rules (research/sip2.md §1.1, §1.4):
- error detection is per request: a request with AY/AZ gets a reply with that AY and an AZ;
  a request whose checksum does not verify is answered 96 (+AZ) and not processed. AZ
  without AY (pysip2 closes the connection on it, research §2.1) is answered with AY0.
- an unknown command, or a frame too short for its fixed fields, is answered 96 (Koha does).
- 99 and 97 need no login (nor does 93 itself). Every other message before a successful 93
  is answered with its own response type, refused (``sip2_replies.refusal``).
- 97 repeats the last reply byte for byte, AY included (the 3M text: "re-transmit its last
  message"; pysip2 does the same, Koha re-checksums without AY); before any reply, 96.
  A 96 is not remembered as the last reply: it asks the SC to resend, it answers nothing.

SIP2 defects of the catalogue (``harness/sip2/defects.py``) are applied each at one commented
``DEFECT`` line: here for the wire and session ones, in ``replies`` for what a reply says, in
``service`` for TLS; the lending ones set the consortium's policy (``service``).
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from harness.defects import DefectSet
from harness.sandbox.state import Consortium
from harness.sip2 import Frame, Framer, LocalEncodingError, Message, checksum, decode, encode, resolve_charset
from harness.sip2 import defects as d
from harness.sip2.dates import LOCAL_ZONE, format_date, local_now, parse_date
from harness.sip2.errordetect import trailer
from harness.sip2.sandbox.replies import HANDLERS, refusal
from harness.sip2.settings import Sip2Settings

log = logging.getLogger(__name__)

NOT_LOGGED_IN = "Ikke logget inn: send 93 Login først"
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
    def from_settings(cls, settings: Sip2Settings) -> Account:
        return cls(settings.username, settings.password, settings.institution, resolve_charset(settings.charset))


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


@dataclass
class ACS:
    consortium: Consortium
    account: Account
    defects: DefectSet = field(default_factory=DefectSet)
    errors: list[str] = field(default_factory=list)  # handler crashes: a harness bug, for tests

    def new_session(self) -> Session:
        return Session(self.account.charset)

    # -- one frame in, bytes out ---------------------------------------------------------------

    def respond(self, frame: Frame, session: Session, now: datetime | None = None) -> bytes | None:
        """The reply's bytes; b"" to say nothing; None to close the connection."""
        try:
            return self._respond(frame, session, now or local_now())
        except Exception as exc:  # a harness bug: answer like a server would, keep the evidence
            log.exception("SIP2 sandbox failed on %r", frame.raw[:80])
            self.errors.append(f"{frame.raw[:20]!r}: {exc!r}")
            return self.render(Message("96"), session, Wire(False, None))

    def _respond(self, frame: Frame, session: Session, now: datetime) -> bytes | None:
        after_crlf, session.after_crlf = session.after_crlf, frame.terminator == b"\r\n"
        after_crlf = after_crlf or any(f.rule.id == "stray_lf" for f in frame.findings)  # CR and LF in two reads
        if self.defects.active(d.CRLF_REQUESTS_IGNORED) and after_crlf:
            return b""  # DEFECT sip2-crlf-requests-ignored: the LF began this frame (pysip2 0.1.0)
        if not frame.complete:  # oversized: the rest is being discarded; ask for it again
            return self.render(Message("96"), session, Wire(False, None))
        decoded = decode(frame, charset=session.charset)
        request = decoded.message
        asked = frame.data[-6:-4] == b"AZ" or (request is not None and request.checksum is not None)
        if request is None or request.code not in HANDLERS and request.code != "97":
            return self.render(Message("96"), session, Wire(asked, None))  # unknown command
        if BAD_CHECKSUM_RULES & set(decoded.rules()) and not self.defects.active(d.IGNORE_BAD_CHECKSUM):
            return self.render(Message("96"), session, Wire(True, None))
        if self.defects.active(d.UNKNOWN_FIELD_REFUSED) and "unknown_field" in decoded.rules():
            return self.render(Message("96"), session, Wire(asked, None))  # DEFECT sip2-unknown-field-refused
        # DEFECT sip2-ignore-bad-checksum: the line above is skipped, the request processed.
        wire = Wire(asked, request.sequence if asked else None)
        if request.code == "97":
            if session.last_reply is None or self.defects.active(d.RESEND_STALE):
                return self.render(Message("96"), session, wire)  # DEFECT sip2-resend-stale: always 96
            return session.last_reply
        if self.defects.active(d.CLOSES_ON_BLANK_DUE_DATE) and request.code == "11" \
                and request.fixed_value("nb_due_date").isspace():
            return None  # DEFECT sip2-closes-on-blank-due-date: pysip2 0.1.0's regex rejects it
        repeated, session.last_request = frame.data == session.last_request, frame.data
        if self.defects.active(d.STALE_REPLAY) and repeated and asked and session.last_reply is not None:
            return session.last_reply  # DEFECT sip2-stale-replay: same AY+AZ taken for a duplicate
        reply = self._answer(request, session, now)
        data = self.render(reply, session, wire)
        session.last_reply = data
        return data

    def _answer(self, request: Message, session: Session, now: datetime) -> Message:
        # DEFECT sip2-no-login-required: the login gate below is not applied.
        if request.code not in LOGIN_FREE and not session.logged_in and not self.defects.active(d.NO_LOGIN_REQUIRED):
            return refusal(request, now, NOT_LOGGED_IN)
        if self.defects.active(d.BX_OVERCLAIMS) and request.code in ("15", "37"):
            return refusal(request, now, "not supported")  # DEFECT sip2-bx-overclaims: BX still says Y
        with self.consortium.lock:
            return HANDLERS[request.code](self, request, session, now)

    # -- writing a reply -----------------------------------------------------------------------

    def render(self, message: Message, session: Session, wire: Wire) -> bytes:
        charset, check = session.charset, True
        if self.defects.active(d.WRONG_AO) and message.get("AO") is not None:
            message = _with_field(message, "AO", self.account.institution)  # DEFECT sip2-wrong-ao
        if self.defects.active(d.NFD_NAMES) and message.get("AE"):
            # DEFECT sip2-nfd-names: the name decomposed, as Evergreen's SIPServer sends it.
            message = _with_field(message, "AE", unicodedata.normalize("NFD", message.get("AE") or ""))
        if self.defects.active(d.LATIN1_NAMES):
            # DEFECT sip2-latin1-names: the whole reply in Latin-1 ('?' for ŋ đ ŧ), UTF-8 declared.
            charset, message = "latin-1", _replaced(message, "latin-1")
        if self.defects.active(d.STATUS_WITHOUT_CQ) and message.code == "24":
            message = Message("24", message.fixed, tuple(f for f in message.fields if f[0] != "CQ"))  # DEFECT sip2-status-without-cq
        message = self._dated(message)
        if self.defects.active(d.FIXED_FIELD_SHORT) and message.code == "24":
            status, language, date = message.fixed  # DEFECT sip2-fixed-field-short: language 2 chars
            message, check = Message(message.code, (status, language[:-1], date), message.fields), False
        try:
            body = encode(message, charset=charset, error_detection=False, terminator=b"", check=check)
        except LocalEncodingError:  # a charset that cannot hold a name (cp850 and ŋ): say "?"
            body = encode(_replaced(message, charset), charset=charset, error_detection=False, terminator=b"", check=check)
        # DEFECT sip2-crlf-terminator: CR LF instead of CR (Koha's default).
        terminator = b"\r\n" if self.defects.active(d.CRLF_TERMINATOR) else b"\r"
        if self.defects.active(d.ERROR_REPLY_UNTERMINATED) and message.code == "96":
            terminator = b""  # DEFECT sip2-error-reply-unterminated: no CR after 96 (edge-sip2 PR #170)
        if not wire.error_detection:
            return body + terminator
        return body + self._trailer(body, message.code, wire.sequence, charset) + terminator

    def _dated(self, message: Message) -> Message:
        """The date defects, applied to what a reply says (the domain keeps the right times)."""
        fixed = message.fixed_map()
        if self.defects.active(d.UTC_AS_LOCAL):
            # DEFECT sip2-utc-as-local: the clock read in UTC, written as if it were local time.
            stamp = format_date(datetime.now(UTC).replace(tzinfo=None))
            fixed.update({k: stamp for k in ("transaction_date", "date_time_sync") if k in fixed})
        if self.defects.active(d.IMPOSSIBLE_DATE) and "date_time_sync" in fixed:
            fixed["date_time_sync"] = fixed["date_time_sync"][:4] + "0230" + fixed["date_time_sync"][8:]  # DEFECT
        fields = message.fields
        if self.defects.active(d.DUE_DATE_DST_SHIFT):
            fields = tuple((fid, _todays_offset(v) if fid == "AH" else v) for fid, v in fields)  # DEFECT
        if fixed == message.fixed_map() and fields is message.fields:
            return message
        return Message(message.code, tuple(fixed.values()) if fixed else message.fixed, fields, message.sequence, message.checksum)

    def _trailer(self, body: bytes, code: str, sequence: int | None, charset: str) -> bytes:
        # DEFECT sip2-no-ay-echo: AY0 whatever the request's sequence number was.
        sequence = 0 if self.defects.active(d.NO_AY_ECHO) else sequence

        def digits(data: bytes) -> str:
            if self.defects.active(d.CHECKSUM_OVER_CHARACTERS):
                # DEFECT sip2-checksum-over-characters: sums code points, not bytes (php-sip2 #8).
                text = "%04X" % (-sum(map(ord, data.decode(charset))) & 0xFFFF)
            else:
                text = checksum(data)
            if self.defects.active(d.CHECKSUM_LOWERCASE):
                text = text.lower()  # DEFECT sip2-checksum-lowercase
            if self.defects.active(d.CHECKSUM_NO_LEADING_ZERO):
                text = f"{int(text, 16):X}"  # DEFECT sip2-checksum-no-leading-zero: ":X", not ":04X"
            return text

        return trailer(body, code, sequence, digits=digits)


class AcsConversation:
    """One connection's bytes through a framer into the ACS: the generic TCP server's unit."""

    def __init__(self, acs: ACS) -> None:
        self.acs = acs
        self.session = acs.new_session()
        self.framer = Framer()

    def receive(self, data: bytes) -> Iterator[bytes | None]:
        defects = self.acs.defects
        if defects.active(d.SPLIT_REQUEST_FRAGMENTS) and data and data[-1:] not in (b"\r", b"\n"):
            # DEFECT sip2-split-request-fragments: one read taken for one request (one recv() per message).
            self.framer = Framer()
            data += b"\r"
        self.framer.receive_data(data)
        while (frame := self.framer.next_frame()) is not None:
            yield self.acs.respond(frame, self.session)
            if defects.active(d.PIPELINED_DROPPED):
                self.framer = Framer()  # DEFECT sip2-pipelined-dropped: the rest of the read is lost
                return


def _with_field(message: Message, field_id: str, value: str) -> Message:
    fields = tuple((fid, value if fid == field_id else v) for fid, v in message.fields)
    return Message(message.code, message.fixed, fields, message.sequence, message.checksum)


def _replaced(message: Message, charset: str) -> Message:
    """Every value as the charset can hold it, '?' for what it cannot."""
    fields = tuple((fid, v.encode(charset, "replace").decode(charset)) for fid, v in message.fields)
    return Message(message.code, message.fixed, fields, message.sequence, message.checksum)


def _todays_offset(text: str) -> str:
    """A local due date as a system shows it that converts with today's UTC offset, not the
    offset in force on the due date (sip2-due-date-dst-shift)."""
    parsed = parse_date(text)
    if not isinstance(parsed, datetime) or parsed.tzinfo is not None:
        return text
    then = parsed.replace(tzinfo=LOCAL_ZONE).utcoffset() or timedelta(0)
    today = datetime.now(LOCAL_ZONE).utcoffset() or timedelta(0)
    return format_date(parsed - then + today)
