"""The chunk-wide fast path and the per-record detailed path give the same problems.

``harness marc check`` proves whole chunks of records sound at once (harness/marc/fastpath.py)
and sends only the rest through ``check_record``. These tests hold the two paths against
each other on every real ISO 2709 file in the repository and on hypothesis-mutated records,
and hold every record the fast path calls sound against the field-by-field path, which
never takes a short cut.
"""

from __future__ import annotations

import io
from pathlib import Path

import pymarc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymarc import Field, Indicators, Subfield

from harness.marc import iso2709
from harness.marc.fastpath import check_chunk, sound_records
from harness.marc.framing import iter_record_chunks
from harness.marc.iso2709 import check_record, iter_raw_records
from harness.paths import MARC_FIXTURES_DIR
from harness.rules import Problem

DATA = Path(__file__).resolve().parents[1] / "data"
REAL_FILES = sorted(p for p in DATA.rglob("*") if p.suffix in (".mrc", ".dat", ".marc"))
FIXTURE_FILES = sorted(MARC_FIXTURES_DIR.glob("*.mrc"))


def detailed(data: bytes) -> list[Problem]:
    """The per-record path: what check_record finds, record by record."""
    return [found for raw in iter_raw_records(io.BytesIO(data)) for found in check_record(raw)]


def chunked(data: bytes, chunk_size: int = 1 << 20) -> list[Problem]:
    """The path `harness marc check` takes: whole chunks through the fast path."""
    return [found for chunk in iter_record_chunks(io.BytesIO(data), chunk_size) for found in check_chunk(chunk)]


def field_by_field_finds_nothing(record: bytes) -> bool:
    """The slow path alone (no per-record short cut either): structure and encoding."""
    found = iso2709._Found()
    iso2709._check_structure(record, found)
    iso2709._check_encoding(record, 0, found)
    return not found.first


def assert_sound_means_sound(data: bytes) -> None:
    for chunk in iter_record_chunks(io.BytesIO(data)):
        if not chunk.terminated:
            continue
        starts, sound = sound_records(chunk.data)
        ends = [*starts[1:].tolist(), len(chunk.data)]
        for number in sound.nonzero()[0].tolist():
            record = chunk.data[starts[number] : ends[number]]
            assert field_by_field_finds_nothing(record), (chunk.index + number, record[:40])


@pytest.mark.parametrize("path", REAL_FILES + FIXTURE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fast_and_detailed_paths_agree_on_real_files(path: Path) -> None:
    data = path.read_bytes()
    expected = detailed(data)
    for chunk_size in (1, 997, 1 << 20):  # chunks of one record, of several, of the whole file
        assert chunked(data, chunk_size) == expected
    assert_sound_means_sound(data)


def test_the_real_files_exercise_both_paths() -> None:
    """Otherwise the agreement above would prove nothing about one of them."""
    sound = failed = 0
    for path in REAL_FILES + FIXTURE_FILES:
        for chunk in iter_record_chunks(io.BytesIO(path.read_bytes())):
            if chunk.terminated:
                verdicts = sound_records(chunk.data)[1]
                sound += int(verdicts.sum())
                failed += int((~verdicts).sum())
    assert sound > 300 and failed > 30


def test_one_bad_record_sends_only_itself_the_detailed_way() -> None:
    records = [record_bytes(str(n)) for n in range(3)]
    bad = records[1][:30] + b"x" + records[1][31:]  # a non-digit in the directory
    starts, sound = sound_records(records[0] + bad + records[2])
    assert starts.tolist() == [0, len(records[0]), len(records[0]) + len(bad)]
    assert sound.tolist() == [True, False, True]


def test_an_empty_chunk_and_a_truncated_tail() -> None:
    assert sound_records(b"")[1].tolist() == []
    whole = record_bytes("1")
    assert chunked(whole + whole[:50]) == detailed(whole + whole[:50]) != []


# --- mutated records --------------------------------------------------------------------------------

SAMI = "Sámegiella: čáppa ŋuolggat, đuoddar, šaddu, ŧ, ž"


def record_bytes(number: str, title: str = SAMI, leader09: str = "a", author: str = "Áilu, Máret Ánne") -> bytes:
    record = pymarc.Record(leader=f"00000cam {leader09}2200000 i 4500")
    record.add_field(  # type: ignore[no-untyped-call]
        Field(tag="001", data=f"NO{number}"),
        Field(tag="005", data="20240601120000.0"),
        Field(tag="008", data="240101s2024    no a   j      000 1 sme d"),
        Field(tag="100", indicators=Indicators("1", " "), subfields=[Subfield("a", author)]),
        Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", title), Subfield("c", author)]),
        Field(tag="650", indicators=Indicators(" ", "7"), subfields=[Subfield("a", "Duodji"), Subfield("2", "humord")]),
        Field(tag="852", indicators=Indicators(" ", " "), subfields=[Subfield("a", "NO-9900002"), Subfield("h", "894.57")]),
    )
    data = record.as_marc()
    return data[:9] + leader09.encode() + data[10:]  # as_marc forces 'a'; a MARC-8 record says blank


def base_file(seed: int) -> bytes:
    """Three records: UTF-8, ASCII under a blank leader/09 (honest MARC-8), UTF-8 again."""
    return record_bytes(f"{seed}1") + record_bytes(f"{seed}2", "Title", " ", "Ailu, Maret Anne") + record_bytes(f"{seed}3")


# Bytes that mean something to a MARC reader, besides any byte at all.
STRUCTURAL = [0x1D, 0x1E, 0x1F, 0x20, 0x00, 0x0A, 0x80, 0xC3, 0xE6, *b"0123456789aAz#"]
_mutation = st.tuples(
    st.sampled_from(["replace", "insert", "delete"]),
    st.integers(0, 1_000),  # the three records are about 900 bytes: anywhere, evenly
    st.one_of(st.sampled_from(STRUCTURAL), st.integers(0, 255)),
)


def mutate(data: bytes, mutations: list[tuple[str, int, int]]) -> bytes:
    for kind, position, value in mutations:
        at = position % (len(data) + 1)
        if kind == "replace" and at < len(data):
            data = data[:at] + bytes([value]) + data[at + 1 :]
        elif kind == "insert":
            data = data[:at] + bytes([value]) + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + 1 :]
    return data


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 9), mutations=st.lists(_mutation, min_size=1, max_size=4))
def test_fast_and_detailed_paths_agree_on_mutated_records(seed: int, mutations: list[tuple[str, int, int]]) -> None:
    data = mutate(base_file(seed), mutations)
    assert chunked(data) == detailed(data)
    assert chunked(data, chunk_size=64) == detailed(data)
    assert_sound_means_sound(data)


@settings(max_examples=200, deadline=None)
@given(lengths=st.lists(st.integers(0, 5), min_size=3, max_size=3), at=st.integers(0, 2))
def test_a_wrong_directory_number_is_never_passed(lengths: list[int], at: int) -> None:
    """Shift one entry's length or start by a few: the numbers must match the terminators."""
    data = base_file(0)
    first = len(record_bytes("01"))
    position = first + 24 + 12 * (2 + at) + 3  # an entry of the second record: length digits
    shifted = int(data[position : position + 9]) + lengths[0] * 100_000 + lengths[1] * 10 + lengths[2]
    if shifted >= 10**9:
        return
    damaged = data[:position] + b"%09d" % shifted + data[position + 9 :]
    assert chunked(damaged) == detailed(damaged)
    assert bool(detailed(damaged)) == (damaged != data)


@pytest.mark.parametrize("value", [0x1D, 0x1E, 0x1F, 0x00, 0x80, 0xC3, 0x41, 0x20])
def test_every_byte_of_a_record_replaced(value: int) -> None:
    """Each byte of the middle record, one at a time: both paths, same verdicts."""
    data = base_file(1)
    first = len(record_bytes("11"))
    for at in range(first, first + len(record_bytes("12", "Title", " ", "Ailu, Maret Anne")) - 1):
        damaged = data[:at] + bytes([value]) + data[at + 1 :]
        assert chunked(damaged) == detailed(damaged), at


def test_each_field_terminator_moved_one_byte_earlier() -> None:
    """Same count of terminators, same directory, but a field ends where its entry says it does not."""
    data = base_file(2)
    first = len(record_bytes("21"))
    middle = data[first:].index(b"\x1d") + first
    for at in [i for i in range(first + 25, middle) if data[i] == 0x1E]:
        damaged = data[: at - 1] + b"\x1e" + data[at - 1 : at] + data[at + 1 :]
        assert detailed(damaged) and chunked(damaged) == detailed(damaged), at


def test_bytes_after_the_last_field_with_the_record_length_fixed() -> None:
    record = record_bytes("3")
    padded = record[:-1] + b"xy\x1d"
    padded = b"%05d" % len(padded) + padded[5:]
    assert [p.rule.id for p in detailed(padded)] == ["record-terminator"]
    assert chunked(padded) == detailed(padded)
