"""PduReader: cutting a Z39.50 stream into whole PDUs, whatever the reads look like.

Fixture PDUs are real peers' bytes (tests/data/z3950/SOURCE.md). Every stream is read three
ways, as h11's tests do: all at once, one byte at a time (nothing comes out before the last
byte of a PDU), and with the next PDU's first bytes in the same read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.z3950.ber import Broken, PduReader, RawPdu, Skipped

DATA = Path(__file__).resolve().parents[1] / "data" / "z3950"
CLOSE_DEFINITE = bytes.fromhex("bf 30 05 9f 81 53 01 00")  # close [48], closeReason [211] = finished
CLOSE_INDEFINITE = bytes.fromhex("bf 30 80 9f 81 53 01 00 00 00")


TAGS = {"init": 21, "search": 23, "present": 25, "scan": 36, "close": 48}  # by the file's second word


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def read_all(reader: PduReader) -> list[RawPdu | Skipped | Broken]:
    events = []
    while (event := reader.next_event()) is not None:
        events.append(event)
    return events


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.ber")))
def test_real_pdus_come_out_whole_at_once_and_byte_by_byte(name: str) -> None:
    data = fixture(name)
    at_once = PduReader()
    at_once.receive_data(data)
    tag = TAGS[name.split("_")[1].split(".")[0]]
    assert read_all(at_once) == [RawPdu(data, 0, tag, data[1] == 0x80)]

    trickle = PduReader()
    for i, byte in enumerate(data):
        trickle.receive_data(bytes([byte]))
        event = trickle.next_event()
        if i < len(data) - 1:
            assert event is None, f"a PDU came out after {i + 1} of {len(data)} bytes"
    assert isinstance(event, RawPdu) and event.data == data
    assert trickle.buffered == 0


def test_indefinite_lengths_nested_inside_an_external_are_walked() -> None:
    data = fixture("ztest_present_opac.ber")  # b9 80 ... with indefinite elements inside
    assert data[:2] == b"\xb9\x80" and data.count(b"\x80") > 3
    reader = PduReader()
    reader.receive_data(data + CLOSE_DEFINITE)
    first, second = read_all(reader)
    assert isinstance(first, RawPdu) and first.data == data and first.indefinite and first.tag == 25
    assert isinstance(second, RawPdu) and second.offset == len(data) and second.tag == 48


def test_two_pdus_in_one_read_and_one_split_across_reads() -> None:
    one, two = fixture("zebra_search_response.ber"), fixture("zebra_present_usmarc.ber")
    reader = PduReader()
    reader.receive_data(one + two[:10])
    assert [e.data for e in read_all(reader)] == [one]  # type: ignore[union-attr]
    reader.receive_data(two[10:] + CLOSE_INDEFINITE)
    events = read_all(reader)
    assert [e.data for e in events] == [two, CLOSE_INDEFINITE]  # type: ignore[union-attr]
    assert [e.offset for e in events] == [len(one), len(one) + len(two)]  # type: ignore[union-attr]


def test_long_form_definite_length() -> None:
    body = b"\x04\x82\x01\x00" + b"x" * 256  # OCTET STRING of 256 bytes, length in 2 octets
    pdu = b"\xb9\x82" + len(body).to_bytes(2, "big") + body
    reader = PduReader()
    reader.receive_data(pdu)
    assert read_all(reader) == [RawPdu(pdu, 0, 25, False)]


def test_a_first_octet_that_is_no_pdu_breaks_the_stream_at_its_offset() -> None:
    reader = PduReader()
    reader.receive_data(CLOSE_DEFINITE + b"HTTP/1.1 400 Bad Request\r\n")
    first, broken = read_all(reader)
    assert isinstance(first, RawPdu)
    assert isinstance(broken, Broken) and broken.problem.rule.id == "ber_not_a_pdu"
    assert broken.problem.position is not None and broken.problem.position.offset == len(CLOSE_DEFINITE)
    assert broken.head.startswith(b"HTTP/1.1")
    reader.receive_data(CLOSE_DEFINITE)
    assert reader.next_event() is None and reader.broken


@pytest.mark.parametrize(("data", "rule", "offset"), [
    (bytes.fromhex("b5 ff 00"), "ber_length_reserved", 1),
    (bytes.fromhex("b5 80 04 80 41 00 00 00 00"), "ber_indefinite_primitive", 2),
    (bytes.fromhex("b5 80 00 05 00 00"), "ber_bad_end_of_contents", 2),
    (bytes.fromhex("bf ff ff ff ff 7f 00"), "ber_tag_too_long", 0),
    (bytes.fromhex("b5 89 01 02 03 04 05 06 07 08 09"), "pdu_too_large", 1),
])
def test_malformed_headers_become_problems_with_offsets(data: bytes, rule: str, offset: int) -> None:
    reader = PduReader()
    reader.receive_data(CLOSE_DEFINITE + data)
    events = read_all(reader)
    assert isinstance(events[-1], Broken)
    assert events[-1].problem.rule.id == rule
    assert events[-1].problem.position is not None
    assert events[-1].problem.position.offset == len(CLOSE_DEFINITE) + offset


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    reader = PduReader(max_depth=8)
    reader.receive_data(b"\xb5\x80" + b"\xa1\x80" * 10)
    (event,) = read_all(reader)
    assert isinstance(event, Broken) and event.problem.rule.id == "ber_too_deep"


def test_an_oversized_definite_pdu_is_skipped_and_the_stream_stays_in_step() -> None:
    reader = PduReader(max_pdu=1024)
    big = b"\xb9\x83" + (5000).to_bytes(3, "big") + b"\x00" * 5000
    reader.receive_data(big[:300])
    (skipped,) = read_all(reader)
    assert isinstance(skipped, Skipped) and skipped.length == 5005 and skipped.tag == 25
    assert skipped.problem.rule.id == "pdu_too_large" and skipped.head == big[:64]
    for start in range(300, len(big), 700):  # the rest trickles in; nothing is kept
        reader.receive_data(big[start:start + 700])
        assert reader.next_event() is None and reader.buffered == 0
    reader.receive_data(CLOSE_DEFINITE)
    assert read_all(reader) == [RawPdu(CLOSE_DEFINITE, 5005, 48, False)]


def test_an_indefinite_pdu_growing_past_the_limit_breaks_the_stream() -> None:
    reader = PduReader(max_pdu=1024)
    reader.receive_data(b"\xb9\x80")
    event = None
    for _ in range(200):  # an element that never ends: 8-byte children forever
        reader.receive_data(b"\x04\x06abcdef")
        if (event := reader.next_event()) is not None:
            break
    assert isinstance(event, Broken) and event.problem.rule.id == "pdu_too_large"
    assert reader.buffered == 0


def test_end_of_stream_inside_a_pdu_is_a_truncated_pdu() -> None:
    data = fixture("zebra_present_usmarc.ber")
    reader = PduReader()
    reader.receive_data(data[:-5])
    assert reader.next_event() is None
    end = reader.close()
    assert end is not None and end.problem.rule.id == "ber_truncated"
    assert "presentResponse [25]" in end.problem.message


def test_end_of_stream_between_pdus_is_no_problem() -> None:
    reader = PduReader()
    reader.receive_data(CLOSE_DEFINITE)
    assert isinstance(reader.next_event(), RawPdu)
    assert reader.close() is None
