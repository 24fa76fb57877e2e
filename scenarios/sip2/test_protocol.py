"""SIP-01 and SIP-02: message layouts, framing and error detection, as the 2.00 spec has them.

Every reply the target sends in these scenarios is decoded against the message table
(harness/sip2/messages.py); a FAIL finding of the codec is a FAIL here, with the wire
transcript as evidence.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.findings import not_tested
from harness.sip2 import defects
from harness.sip2 import requests as rq
from harness.sip2.checks import SPEC, ask, fail, fail_findings, log_in, reply_message
from harness.sip2.codec import Message, encode, verify_checksum
from harness.sip2.rules import LAYOUT_RULES


def _core_session(sip2: Any, target: Any) -> list[tuple[Message, Any]]:
    """One of each core request a self-service machine sends (SIP-01), with what came back."""
    patron = target.patrons[0] if target.patrons else None
    item = target.items[0] if target.items else None
    ao = target.institution
    requests: list[Message] = [rq.sc_status()]
    if patron:
        requests += [
            rq.patron_status(ao, patron.barcode, patron.pin),
            rq.patron_information(ao, patron.barcode, patron.pin, summary_position=2),
            rq.end_session(ao, patron.barcode),
        ]
    if item:
        requests.append(rq.item_information(ao, item.barcode))
    session = []
    for request in requests:
        decoded = sip2.send(request)
        session.append((request, decoded))
        if "truncated" in decoded.rules():
            break  # the client hung up: the rest of the stream cannot be trusted
    return session


def _tampered(client: Any) -> bytes:
    """A 99 whose checksum is wrong: the ACS must answer 96 and do nothing else."""
    frame = encode(rq.sc_status(), charset=client.charset, sequence=client.next_sequence)
    return frame[:-5] + (b"0000" if frame[-5:-1] != b"0000" else b"0001") + b"\r"


@pytest.mark.requirement("SIP-01")
@pytest.mark.failed_by(defects.FIXED_FIELD_SHORT)
def test_reply_layouts_conform(sip2: Any, sip2_target: Any) -> None:
    """Every core reply has the right code, fixed fields of the right length and form, and its required fields

    nb: Hvert kjernesvar har riktig kode, faste felt med riktig lengde og form, og de påkrevde feltene
    """
    problems: list[str] = []
    for request, decoded in _core_session(sip2, sip2_target):
        reply_message(sip2, decoded, request)
        # Terminators, checksums and the character set have checks of their own.
        problems += [f"reply to {request.code}: {f}" for f in fail_findings(decoded, LAYOUT_RULES)]
    sip2.send(rq.sc_status())  # anything still in flight shows up as unsolicited before this one
    problems += [f"a frame no request asked for: {e.received_text[:80]}" for e in sip2.transcript if e.note.startswith("unsolicited")]
    if problems:
        raise fail(f"{len(problems)} layout problem(s) in replies to core messages", clause=f"{SPEC}: message formats (fixed-length fields, required fields)",
                   client=sip2, expected="every reply laid out as in the 2.00 message table", details=problems)


@pytest.mark.requirement("SIP-01")
@pytest.mark.failed_by(defects.CRLF_TERMINATOR, defects.ERROR_REPLY_UNTERMINATED)
def test_replies_end_with_cr(sip2: Any, sip2_target: Any, sip2_connect: Any) -> None:
    """Replies end with a carriage return (0x0D), not CR LF, and none is left without it, 96 included

    nb: Svar avsluttes med vognretur (0x0D), ikke CR LF, og ingen mangler den, heller ikke 96
    """
    session = _core_session(sip2, sip2_target)
    # The error path on a connection of its own: a reply that never ends closes the connection.
    probe = log_in(sip2_connect(), sip2_target.username, sip2_target.password, sip2_target.location)
    errors = probe.send_raw(_tampered(probe), allow_silence=True)
    for client, replies in ((sip2, [d for _, d in session]), (probe, errors)):
        cut = [d for d in replies if "truncated" in d.rules()]
        if cut:
            raise fail(f"a reply never ended: {len(cut[0].raw)} bytes and no CR ({cut[0].raw[:60]!r})",
                       clause=f"{SPEC}: each message is terminated by a carriage return; folio-org/edge-sip2 PR #170",
                       client=client, expected="...\\r (0x0D) after every reply, 96 included", hex=True,
                       problems=[f for d in cut for f in d.findings if f.rule.id == "truncated"])
    for request, decoded in session:
        reply_message(sip2, decoded, request)  # a terminator is judged on messages, not on noise
    wrong = [d.raw[-6:] for _, d in session if not d.raw.endswith(b"\r") or d.raw.endswith(b"\r\n")]
    wrong += [e.received[-6:] for e in sip2.transcript if e.received.endswith(b"\r\n")]
    if wrong:
        raise fail(f"{len(wrong)} repl(y/ies) not terminated by a bare CR: ends {wrong[0]!r}",
                   clause=f"{SPEC}: each message is terminated by a carriage return", client=sip2,
                   expected="...\\r (0x0D) only; CR LF makes a strict self-check wait for a message that never starts", hex=True)


@pytest.mark.requirement("SIP-02")
@pytest.mark.failed_by(defects.NO_AY_ECHO)
def test_replies_echo_the_sequence_number(sip2: Any) -> None:
    """With error detection on, each reply carries the request's sequence number AY, wrapping 9 → 0

    nb: Med feildeteksjon på bærer hvert svar forespørselens sekvensnummer AY, også fra 9 til 0
    """
    mismatches = []
    for _ in range(11):  # one full turn of the single-digit sequence and the wrap back to 0
        sent = sip2.next_sequence
        reply = ask(sip2, rq.sc_status())
        if reply.sequence != sent:
            mismatches.append(f"sent AY{sent}, got AY{reply.sequence}")
    if mismatches:
        raise fail(f"{len(mismatches)} of 11 replies did not echo AY: {mismatches[0]}", clause=f"{SPEC}: error detection, sequence number",
                   client=sip2, expected="the ACS's response carries the same AY as the request")


@pytest.mark.requirement("SIP-04", "SIP-01")
@pytest.mark.failed_by(defects.WRONG_AO)
def test_replies_echo_the_institution_id(sip2: Any, sip2_target: Any) -> None:
    """Replies carry the institution id (AO) of the request, for this library and for another member

    nb: Svar bærer forespørselens institusjons-id (AO), for dette biblioteket og for et annet medlem
    """
    if not sip2_target.patrons:
        not_tested("the profile lists no [[patron]] test data")
    patron = sip2_target.patrons[0]
    others = [sip2_target.institution_of(lib.number) for lib in sip2_target.libraries]
    institutions = [sip2_target.institution] + [ao for ao in others if ao != sip2_target.institution][:2]
    wrong = []
    for ao in institutions:
        # 24 and 64 both carry AO (18, the item information response, has none).
        for request in (rq.patron_status(ao, patron.barcode, patron.pin), rq.patron_information(ao, patron.barcode, patron.pin)):
            reply = ask(sip2, request)
            if reply.get("AO") != ao:
                wrong.append(f"{request.code} with AO{ao} answered AO{reply.get('AO')}")
    if wrong:
        raise fail(f"AO not echoed: {wrong[0]}", clause=f"{SPEC}: institution id (AO) in responses; consortium rule SIP-04",
                   client=sip2, expected="each response's AO equal to the request's", details=wrong)


# A checksum written without its leading zero only shows when the correct one is below
# 0x1000, i.e. when the reply's byte sum is within 0xF001-0xFFFF (mod 65536). The probe steers
# the sum with a checkout for an unknown patron and item, whose 12 reply must echo both AA and
# AB: each U+FFE8 (EF BF A8, 598 per 3 bytes) in both moves the sum by 1,196, far less than
# that 4,095-wide window, and 85 of them (255 bytes, the most a field holds) by 101,660, more
# than a whole turn. So the walk crosses the window whatever the reply's base sum; the
# checkouts are refused, and nothing changes on the target.
STEERING_LETTER, STEPS = "\uffe8", 85


def _checksum_problem(decoded: Any) -> str:
    frame = decoded.raw.rstrip(b"\r\n")
    digits = frame.rsplit(b"AZ", 1)[-1]
    if len(digits) != 4 or digits != digits.upper() or not verify_checksum(frame):
        return f"...{frame[-30:].decode('utf-8', 'replace')} (AZ{digits.decode('ascii', 'replace')})"
    return ""


@pytest.mark.requirement("SIP-02")
@pytest.mark.failed_by(defects.CHECKSUM_OVER_CHARACTERS, defects.CHECKSUM_NO_LEADING_ZERO, defects.CHECKSUM_LOWERCASE)
def test_checksums_are_computed_over_bytes(sip2: Any, sip2_target: Any) -> None:
    """Every reply's AZ is four upper-case hex digits and verifies over the encoded bytes, æøå and Sámi included

    nb: Hvert svars AZ er fire store heksadesimale sifre og stemmer over de kodede bytene, også med æøå og samisk
    """
    requests = [rq.patron_information(sip2_target.institution, p.barcode, p.pin) for p in sip2_target.patrons if not p.name.isascii()]
    requests += [rq.checkout(sip2_target.institution, STEERING_LETTER * k, STEERING_LETTER * k) for k in range(1, STEPS + 1)]
    bad: list[str] = []
    for request in requests:
        decoded = sip2.send(request)
        reply_message(sip2, decoded, request)  # checksums are judged on real answers, not on 96s
        problem = _checksum_problem(decoded)
        if problem:
            bad.append(problem)
            break  # one is proof; the transcript holds it
    if bad:
        raise fail(f"a reply's checksum does not verify over its bytes or is not 4 hex digits: {bad[0]}",
                   clause=f"{SPEC}: error detection; checksum = two's complement of the 16-bit sum of the bytes, 4 hex digits",
                   client=sip2, expected="AZ<4 upper-case hex> such that the byte sum plus AZ is 0 mod 65536", hex=True)


@pytest.mark.requirement("SIP-02")
@pytest.mark.failed_by(defects.IGNORE_BAD_CHECKSUM)
def test_bad_checksum_answered_with_96(sip2: Any) -> None:
    """A request whose checksum is wrong is answered with 96 (Request SC Resend), not processed

    nb: En forespørsel med feil kontrollsum besvares med 96 (be om ny sending) og utføres ikke
    """
    replies = sip2.send_raw(_tampered(sip2))
    codes = [d.message.code if d.message else "?" for d in replies]
    if codes != ["96"]:
        raise fail(f"a request with a wrong checksum was answered {codes}, not 96", clause=f"{SPEC}: error detection, Request SC Resend (96)",
                   client=sip2, expected="96 (the SC is asked to send again)", hex=True)


@pytest.mark.requirement("SIP-02")
@pytest.mark.failed_by(defects.RESEND_STALE)
def test_resend_repeats_last_reply(sip2: Any, sip2_target: Any) -> None:
    """97 (Request ACS Resend) is answered with the last reply again

    nb: 97 (be ACS sende på nytt) besvares med forrige svar på nytt
    """
    first = ask(sip2, rq.sc_status())
    replies = sip2.send_raw(b"97AZFEF5\r")
    again = replies[0].message if replies else None
    if again is None or again.code != first.code or again.fixed != first.fixed:
        raise fail(f"97 answered {again.code if again else 'nothing readable'}, not the last reply ({first.code})",
                   clause=f"{SPEC}: Request ACS Resend (97)", client=sip2, expected=f"the previous {first.code} again")
