"""Hypothesis against the Z39.50 decoder: no input makes it raise, however it is fed.

Three kinds of input: arbitrary bytes; real peers' PDUs with bytes flipped, cut or inserted
(close to valid, so the decoder goes deep); and arbitrary splits of a stream into reads.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.z3950 import PduReader, RawPdu, decode
from harness.z3950.asn1 import definite_form
from harness.z3950.codec import Decoded

DATA = Path(__file__).resolve().parents[1] / "data" / "z3950"
REAL = [p.read_bytes() for p in sorted(DATA.glob("*.ber"))]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def feed(chunks: list[bytes], max_pdu: int = 4096) -> list[Decoded]:
    reader = PduReader(max_pdu=max_pdu, max_depth=16)
    out: list[Decoded] = []
    for chunk in chunks:
        reader.receive_data(chunk)
        while (event := reader.next_event()) is not None:
            if isinstance(event, RawPdu):
                out.append(decode(event, utf8=True))
    reader.close()
    return out


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(REAL)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "insert"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "cut":
            del data[at:at + draw(st.integers(1, 8))]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
    return bytes(data)


@FUZZ
@given(st.binary(max_size=512))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    feed([data])
    decode(data)
    definite_form(data)


@FUZZ
@given(mutated())
def test_mutated_real_pdus_never_raise(data: bytes) -> None:
    for decoded in feed([data]):
        decoded.render()  # the evidence of a broken PDU must render too
    decoded = decode(data)
    decoded.render()
    definite_form(data)


@FUZZ
@given(st.lists(st.sampled_from(REAL), min_size=1, max_size=4), st.data())
def test_any_split_of_a_stream_gives_the_same_pdus(pdus: list[bytes], data: st.DataObject) -> None:
    stream = b"".join(pdus)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=12)))
    chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    got = feed(chunks, max_pdu=1 << 20)
    assert [d.raw for d in got] == pdus
    assert all(d.ok for d in got)
