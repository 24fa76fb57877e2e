"""SIP-01 on the wire: what TCP does to requests, and what the spec says to ignore.

A request may carry a field the ACS does not know ("fields with unrecognized field identifiers
should be ignored"); a self-check may send two requests in one segment, or one request may
arrive in several (TCP is a byte stream: NYPL-Simplified/circulation PR #476, Libki #110,
invenio-sip2's one recv() per message). The ACS must answer each request once, in order, and
go on serving.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.findings import cannot_judge, not_tested
from harness.sip2 import defects
from harness.sip2 import requests as rq
from harness.sip2.checks import SPEC, ask, fail, log_in, reply_message
from harness.sip2.codec import Message, encode

# An identifier no SIP2 version defines, and a vendor's (Evergreen's XI) that 17 does not.
UNKNOWN_FIELDS = (("ZZ", "harness-unknown-field"), ("XI", "12345"))
SPLIT_ITEM = "HARNESS-TROMSØ-0"  # Ø is two bytes in UTF-8 (C3 98): the request is cut between them


def _frame(client: Any, message: Message, offset: int = 0, *, check: bool = True) -> bytes:
    return encode(message, charset=client.charset, error_detection=client.error_detection,
                  sequence=(client.next_sequence + offset) % 10, check=check)


def _codes(replies: list[Any]) -> list[str]:
    return [d.message.code if d.message else "?" for d in replies]


def _unsolicited(client: Any) -> list[str]:
    """Frames that arrived with no request asking, flushed out by one more request."""
    client.send(rq.sc_status())
    return [e.received_text[:60] for e in client.transcript if e.note.startswith("unsolicited")]


@pytest.mark.requirement("SIP-01")
@pytest.mark.failed_by(defects.UNKNOWN_FIELD_REFUSED)
def test_unknown_fields_are_ignored(sip2: Any, sip2_target: Any, sip2_connect: Any) -> None:
    """A request with unknown field ids is answered as without them, and the ACS goes on serving every connection

    nb: En forespørsel med ukjente felt-id-er besvares som uten dem, og ACS-en fortsetter å betjene alle forbindelser
    """
    item = sip2_target.items[0].barcode if sip2_target.items else "HARNESS-NO-SUCH-ITEM-0"
    plain = ask(sip2, rq.item_information(sip2_target.institution, item))
    request = rq.item_information(sip2_target.institution, item, extra=UNKNOWN_FIELDS)
    replies = sip2.send_raw(_frame(sip2, request, check=False), allow_silence=True)
    problems = []
    answer = replies[0].message if replies else None
    if answer is None or answer.code != "18":
        problems.append(f"17 with fields {', '.join(f for f, _ in UNKNOWN_FIELDS)} was answered {_codes(replies) or 'with silence'}")
    elif answer.get("AB") != plain.get("AB") or answer.fixed_value("circulation_status") != plain.fixed_value("circulation_status"):
        problems.append(f"with unknown fields, 18 says AB {answer.get('AB')!r} status {answer.fixed_value('circulation_status')}; "
                        f"without, AB {plain.get('AB')!r} status {plain.fixed_value('circulation_status')}")
    other = log_in(sip2_connect(), sip2_target.username, sip2_target.password, sip2_target.location)
    if ask(other, rq.sc_status()).code != "98":
        problems.append("a new connection was not served afterwards")
    if problems:
        raise fail(problems[0], clause=f"{SPEC}, fields: fields with unrecognized field identifiers should be ignored",
                   client=sip2, expected="the same 18 as without the unknown fields; the ACS serving on", details=problems)


@pytest.mark.requirement("SIP-01")
@pytest.mark.failed_by(defects.PIPELINED_DROPPED)
def test_pipelined_requests_answered_in_order(sip2: Any, sip2_target: Any) -> None:
    """Three requests in one TCP segment get three replies, in the order asked

    nb: Tre forespørsler i ett TCP-segment får tre svar, i den rekkefølgen de ble stilt
    """
    if not sip2_target.patrons:
        not_tested("the profile lists no [[patron]] test data")
    patron = sip2_target.patrons[0]
    requests = [rq.item_information(sip2_target.institution, "HARNESS-NO-SUCH-ITEM-0"),
                rq.patron_status(sip2_target.institution, patron.barcode, patron.pin), rq.sc_status()]
    segment = b"".join(_frame(sip2, request, i) for i, request in enumerate(requests))
    replies = sip2.send_raw(segment, expect=3, allow_silence=True)
    codes = _codes(replies)
    for request, decoded in zip(requests, replies):
        if "truncated" in decoded.rules():
            reply_message(sip2, decoded, request)  # a reply that never ended: the terminator check's
    problems = []
    if codes != ["18", "24", "98"]:
        problems.append(f"17, 23, 99 in one segment were answered {codes or 'with silence'}")
    elif replies[1].message is not None and replies[1].message.get("AA") != patron.barcode:
        problems.append(f"the 24 is for AA {replies[1].message.get('AA')!r}, not {patron.barcode}")
    if problems:
        raise fail(problems[0], clause=f"{SPEC}, message format: each message ends with CR (a stream of messages; "
                   "Libki/libki-server #110)", client=sip2, expected="18, 24, 98 in that order", hex=True, details=problems)


@pytest.mark.requirement("SIP-01", "SPR-01")
@pytest.mark.failed_by(defects.SPLIT_REQUEST_FRAGMENTS)
def test_split_request_answered_once(sip2: Any, sip2_target: Any) -> None:
    """A request that arrives in three pieces, one cut inside a UTF-8 letter, is answered once, as a whole

    nb: En forespørsel som kommer i tre deler, én kuttet midt i en UTF-8-bokstav, besvares én gang, som en helhet
    """
    frame = _frame(sip2, rq.item_information(sip2_target.institution, SPLIT_ITEM))
    inside_letter = frame.index("Ø".encode(sip2.charset)) + 1 if sip2.charset == "utf-8" else len(frame) // 2
    replies = sip2.send_raw(frame, expect=1, allow_silence=True, cuts=(5, inside_letter))
    answer = replies[0].message if replies else None
    problems = []
    if answer is None or answer.code != "18":
        problems.append(f"a 17 sent in 3 pieces was answered {_codes(replies) or 'with silence'}")
    elif "undecodable_bytes" in replies[0].rules():
        cannot_judge("the 18 is not in the declared character set", "test_sami_patron_name_round_trips")
    elif answer.get("AB") != SPLIT_ITEM:
        problems.append(f"the 18 names AB {answer.get('AB')!r}, not {SPLIT_ITEM!r}: the pieces were not put together")
    problems += [f"a further reply came: {extra}" for extra in _unsolicited(sip2)]
    if problems:
        raise fail(problems[0], clause=f"{SPEC}, message format: a message ends at its CR, wherever TCP cuts it",
                   client=sip2, expected=f"one 18 for AB{SPLIT_ITEM}", hex=True, details=problems)
