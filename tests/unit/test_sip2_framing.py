"""The framer: however the bytes arrive, the same frames come out, and every odd terminator,
blank line, runaway frame and cut-off stream is reported rather than hidden (research §3 P1,
P10).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.sip2.codec import Framer, Message, decode, encode
from harness.sip2.framing import Frame

DATE = "20261124    193218"
STATUS = b"9900302.00AY1AZFCA5"
ACS = b"98YNYNNY03000320261124    1932182.00AONOTEST|AMTestbibliotek|BXYYNNYYYNNNNNNNNN|AY1AZE78F"
NAME = Message.build(
    "24", (" " * 14, "012", DATE), [("AO", "NOTEST"), ("AA", "1"), ("AE", "Åse Øvergård Čuoŋ")]
)
UTF8_REPLY = encode(NAME, sequence=2)[:-1]  # without its CR


def frames_of(framer: Framer) -> list[Frame]:
    out = []
    while (frame := framer.next_frame()) is not None:
        out.append(frame)
    return out


def feed(chunks: list[bytes], max_frame: int = 65536) -> tuple[list[Frame], Frame | None]:
    framer = Framer(max_frame)
    out: list[Frame] = []
    for chunk in chunks:
        framer.receive_data(chunk)
        out += frames_of(framer)
    return out, framer.close()


def test_one_frame_then_need_data() -> None:
    framer = Framer()
    assert framer.next_frame() is None
    framer.receive_data(STATUS + b"\r")
    frame = framer.next_frame()
    assert frame == Frame(STATUS, b"\r", True, ())
    assert framer.next_frame() is None and framer.buffered == 0


def test_several_messages_in_one_read() -> None:
    frames, rest = feed([STATUS + b"\r" + ACS + b"\r" + b"96AZFEF6\r"])
    assert [f.data for f in frames] == [STATUS, ACS, b"96AZFEF6"]
    assert rest is None


def test_a_reply_split_inside_a_utf8_letter() -> None:
    cut = UTF8_REPLY.index("Ø".encode()) + 1  # between C3 and 98
    frames, _ = feed([UTF8_REPLY[:cut], UTF8_REPLY[cut:] + b"\r"])
    [frame] = frames
    decoded = decode(frame)
    assert decoded.findings == () and decoded.message == decode(UTF8_REPLY).message


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_byte_at_a_time_or_any_split_gives_the_same_frames(data: st.DataObject) -> None:
    stream_frames = data.draw(st.lists(st.sampled_from([STATUS, ACS, UTF8_REPLY, b"96AZFEF6"]), min_size=1, max_size=6))
    stream = b"".join(f + b"\r" for f in stream_frames)
    cuts = sorted(data.draw(st.sets(st.integers(1, len(stream) - 1), max_size=20)))
    chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)])]
    whole, _ = feed([stream])
    split, _ = feed(chunks)
    one_by_one, _ = feed([bytes([b]) for b in stream])
    assert [f.data for f in whole] == stream_frames
    assert split == whole == one_by_one


def test_crlf_is_accepted_and_reported() -> None:
    frames, _ = feed([STATUS + b"\r\n" + ACS + b"\r\n"])
    assert [f.terminator for f in frames] == [b"\r\n", b"\r\n"]
    assert [f.findings[0].rule.id for f in frames] == ["terminator_crlf", "terminator_crlf"]
    assert frames[0].findings[0].position.offset == len(STATUS)
    assert decode(frames[0]).ok  # tolerated: a WARN, the message still decodes
    assert decode(frames[0]).message is not None


def test_bare_lf_is_accepted_and_reported() -> None:
    frames, _ = feed([STATUS + b"\n"])
    assert frames[0].terminator == b"\n" and frames[0].findings[0].rule.id == "terminator_lf"


def test_crlf_split_between_reads_is_reported_on_the_next_frame() -> None:
    # The CR ends a read, so the frame must be handed out at once (the peer may wait for us);
    # the LF arriving next is noted on the following frame instead of starting a bogus one.
    frames, _ = feed([STATUS + b"\r", b"\n" + ACS + b"\r"])
    assert [f.data for f in frames] == [STATUS, ACS]
    assert frames[0].terminator == b"\r" and frames[0].findings == ()
    assert [f.rule.id for f in frames[1].findings] == ["stray_lf"]


def test_blank_lines_are_skipped_and_reported() -> None:
    frames, _ = feed([b"\r\r" + STATUS + b"\r"])
    [frame] = frames
    assert frame.data == STATUS and [f.rule.id for f in frame.findings] == ["blank_line", "blank_line"]


def test_oversized_frame_is_cut_reported_and_the_stream_resyncs() -> None:
    framer = Framer(max_frame=100)
    framer.receive_data(b"64" + b"x" * 150)
    [big] = frames_of(framer)
    assert not big.complete and len(big.data) == 100 and big.terminator == b""
    assert [f.rule.id for f in big.findings] == ["oversized"]
    assert decode(big).message is None
    framer.receive_data(b"y" * 500)  # still the same runaway frame: dropped, not buffered
    assert framer.next_frame() is None and framer.buffered == 0
    framer.receive_data(b"zz\r" + STATUS + b"\r")
    assert [f.data for f in frames_of(framer)] == [STATUS]


def test_oversized_frame_that_does_end_in_the_same_read() -> None:
    frames, _ = feed([b"64" + b"x" * 300 + b"\r" + STATUS + b"\r"], max_frame=100)
    assert [f.complete for f in frames] == [False, True]
    assert frames[0].findings[0].rule.id == "oversized" and "302 bytes" in frames[0].findings[0].message
    assert frames[1].data == STATUS


def test_end_of_stream_inside_a_message_is_truncated() -> None:
    frames, rest = feed([STATUS + b"\r" + ACS[:40]])
    assert [f.data for f in frames] == [STATUS]
    assert rest is not None and rest.data == ACS[:40] and not rest.complete
    [problem] = rest.findings
    assert problem.rule.id == "truncated" and problem.position.offset == 40
    decoded = decode(rest)  # read as far as it goes: the check that owns the terminator judges it
    assert decoded.message is not None and decoded.message.code == "98" and decoded.raw == ACS[:40]
    assert decoded.rules()[0] == "truncated"


def test_close_after_clean_stream_and_use_after_close() -> None:
    framer = Framer()
    framer.receive_data(STATUS + b"\r")
    assert framer.next_frame() is not None
    assert framer.close() is None
    with pytest.raises(RuntimeError, match="after close"):
        framer.receive_data(b"x")
    with pytest.raises(ValueError, match="max_frame"):
        Framer(max_frame=1)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=80), max_size=12), st.integers(2, 300))
def test_arbitrary_chunks_never_raise(chunks: list[bytes], max_frame: int) -> None:
    framer = Framer(max_frame)
    for chunk in chunks:
        framer.receive_data(chunk)
        for frame in frames_of(framer):
            assert len(frame.data) <= max(max_frame, 1)
            decode(frame)
    rest = framer.close()
    if rest is not None:
        assert not rest.complete and "truncated" in decode(rest).rules()  # read as far as it goes
