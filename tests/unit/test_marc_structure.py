"""The ISO 2709 structural checker: good records pass, each corruption fires exactly its rule.

Records are built with pymarc (UTF-8, Norwegian and Sámi letters), then damaged one way per
test by editing the bytes the way a faulty exporter would.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pymarc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymarc import Field, Indicators, Subfield

from harness.errors import UsageError
from harness.marc import iso2709
from harness.marc.check import KEEP_PROBLEMS, check_file
from harness.marc.iso2709 import (
    RawRecord,
    check_record,
    control_number,
    iter_raw_records,
)
from harness.marc.rules import RULES
from harness.rules import Position, Problem, Severity

SAMI = "Sámegiella: čáppa ŋuolggat, đuoddar, šaddu, ŧ, ž — ČÁĐŊŠŦŽ"
NORSK = "Blåbærsyltetøy på Ærøy"


def build_record(number: str = "0001", title: str = SAMI, note: str = NORSK,
                 author: str = "Áilu, Máret Ánne", statement: str = "Sámi girječálli") -> pymarc.Record:
    record = pymarc.Record()
    record.leader = pymarc.Leader("00000cam a2200000 i 4500")
    record.add_field(
        Field(tag="001", data=number),
        Field(tag="008", data="240101s2024    no a   j      000 1 sme d"),
        Field(tag="100", indicators=Indicators("1", " "), subfields=[Subfield("a", author), Subfield("d", "1950-")]),
        Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", title), Subfield("c", statement)]),
        Field(tag="500", indicators=Indicators(" ", " "), subfields=[Subfield("a", note)]),
        Field(tag="650", indicators=Indicators(" ", "7"), subfields=[Subfield("a", "Duodji"), Subfield("2", "humord")]),
        Field(tag="852", indicators=Indicators(" ", " "), subfields=[Subfield("a", "NO-2030000"), Subfield("h", "839.82")]),
    )
    return record


def good_bytes(**kwargs: str) -> bytes:
    return build_record(**kwargs).as_marc()


def ascii_bytes(**kwargs: str) -> bytes:
    texts = {"title": "Title", "note": "Note", "author": "Ailu, Maret Anne", "statement": "Sami author"}
    return good_bytes(**{**texts, **kwargs})


def entries(data: bytes) -> list[tuple[int, bytes, int, int]]:
    """(position in record, tag, length, start) of each directory entry of a sound record."""
    base = int(data[12:17])
    return [(p, data[p : p + 3], int(data[p + 3 : p + 7]), int(data[p + 7 : p + 12])) for p in range(24, base - 1, 12)]


def field_at(data: bytes, tag: bytes) -> tuple[int, int]:
    """Absolute (start, length) of the first field with this tag."""
    base = int(data[12:17])
    _, _, length, start = next(e for e in entries(data) if e[1] == tag)
    return base + start, length


def patch(data: bytes, at: int, new: bytes) -> bytes:
    return data[:at] + new + data[at + len(new) :]


def with_lengths_fixed(data: bytes, directory: bytes, body: bytes) -> bytes:
    """Reassemble leader + directory + body with leader/00-04 and /12-16 right."""
    base = 24 + len(directory) + 1
    total = base + len(body) + 1
    leader = b"%05d" % total + data[5:12] + b"%05d" % base + data[17:24]
    return leader + directory + b"\x1e" + body + b"\x1d"


def split(data: bytes) -> tuple[bytes, bytes]:
    base = int(data[12:17])
    return data[24 : base - 1], data[base:-1]


def problems_of(data: bytes) -> list[Problem]:
    return check_record(RawRecord(0, 0, data))


def rules_of(data: bytes) -> set[str]:
    return {p.rule.id for p in problems_of(data)}


def encode_counting_characters(record: pymarc.Record) -> bytes:
    """A naive writer that counts every length in characters (openlibrary#11507, ruby-marc#26)."""
    bodies = []
    for field in record.fields:
        if field.is_control_field():
            bodies.append((field.tag, field.data + "\x1e"))
        else:
            subfields = "".join(f"\x1f{s.code}{s.value}" for s in field.subfields)
            bodies.append((field.tag, "".join(field.indicators) + subfields + "\x1e"))
    directory, start = "", 0
    for tag, body in bodies:
        directory += f"{tag}{len(body):04d}{start:05d}"
        start += len(body)
    base = 24 + len(directory) + 1
    leader = str(record.leader)
    text = f"{base + start + 1:05d}{leader[5:9]}a{leader[10:12]}{base:05d}{leader[17:]}{directory}\x1e"
    return (text + "".join(b for _, b in bodies) + "\x1d").encode("utf-8")


# --- good records -----------------------------------------------------------------------------


def test_good_record_has_no_problems() -> None:
    data = good_bytes()
    assert not data.isascii()  # the test means something only with multi-byte letters
    assert problems_of(data) == []


def test_good_ascii_marc8_record_has_no_problems() -> None:
    data = patch(ascii_bytes(), 9, b" ")
    assert data.isascii()
    assert problems_of(data) == []


def test_real_marc8_bytes_under_blank_leader09_pass() -> None:
    """MARC-8 (ANSEL) is legitimate MARC 21: 'Sámi' as S E2 61 m i must not look like UTF-8."""
    data = patch(ascii_bytes(title="Sxami", author="Mxaret", statement="girjeXcalli"), 9, b" ")
    data = data.replace(b"Sxami", b"S\xe2ami").replace(b"Mxaret", b"M\xe2aret").replace(b"jeXc", b"je\xe9c")
    assert not data.isascii()
    assert problems_of(data) == []


def test_control_number_is_the_001() -> None:
    assert control_number(good_bytes(number="NO-99 42")) == "NO-99 42"
    assert control_number(b"00026     2200025   4500\x1e\x1d") is None


# --- one corruption per test --------------------------------------------------------------------


def test_lengths_counted_in_characters() -> None:
    data = encode_counting_characters(build_record())
    problems = problems_of(data)
    assert {p.rule.id for p in problems} == {"record-length-bytes", "field-terminator"}
    assert all("characters" in p.message for p in problems)
    assert next(p for p in problems if p.rule.id == "record-length-bytes").message.startswith(
        f"leader/00-04 says {int(data[:5])} bytes, the record has {len(data)} bytes")


def test_wrong_base_address() -> None:
    data = good_bytes()
    assert rules_of(patch(data, 12, b"%05d" % (int(data[12:17]) + 1))) == {"base-address"}
    assert rules_of(patch(data, 12, b"00x00")) == {"base-address"}


def test_directory_not_multiple_of_12() -> None:
    data = good_bytes()
    directory, body = split(data)
    assert rules_of(with_lengths_fixed(data, directory[:30] + b"0" + directory[30:], body)) == {"directory-length-multiple-of-12"}


def test_directory_entry_out_of_bounds() -> None:
    data = good_bytes()
    position = entries(data)[-1][0]
    assert rules_of(patch(data, position + 7, b"90000")) == {"directory-entry-in-bounds"}


def test_directory_entry_not_numeric() -> None:
    data = good_bytes()
    position = entries(data)[2][0]
    assert rules_of(patch(data, position + 3, b"00x9")) == {"directory-entry-numeric"}


def test_missing_field_terminator() -> None:
    data = good_bytes()
    start, length = field_at(data, b"245")
    assert data[start + length - 1 : start + length] == b"\x1e"
    assert rules_of(patch(data, start + length - 1, b" ")) == {"field-terminator"}


def test_field_length_too_long_runs_into_next_field() -> None:
    data = good_bytes()
    position, _, length, _ = entries(data)[3]
    nxt = entries(data)[4][2]
    assert rules_of(patch(data, position + 3, b"%04d" % (length + nxt))) == {"field-terminator"}


def test_bad_indicator() -> None:
    data = good_bytes()
    start, _ = field_at(data, b"245")
    assert rules_of(patch(data, start, b"X")) == {"indicator-valid"}
    assert rules_of(patch(data, start + 1, b"#")) == {"indicator-valid"}


def test_bad_subfield_code() -> None:
    data = good_bytes()
    start, _ = field_at(data, b"650")
    assert data[start + 2 : start + 4] == b"\x1fa"
    assert rules_of(patch(data, start + 3, b" ")) == {"subfield-code-valid"}
    assert rules_of(patch(data, start + 3, b"\x01")) == {"subfield-code-valid"}


def test_non_ascii_subfield_code_as_pymarc_test_file_has_it() -> None:
    """A code 'á' (C3 A1): two bytes where one belongs, lengths fixed as a careful writer would."""
    data = good_bytes()
    _, body = split(data)
    start, _ = field_at(data, b"650")
    base = int(data[12:17])
    body = body[: start - base + 3] + "á".encode() + body[start - base + 4 :]
    # every length after the 650 shifts by one byte; rebuild the directory in bytes
    fixed, offset = b"", 0
    for _, tag, length, _ in entries(data):
        length += tag == b"650"
        fixed += tag + b"%04d%05d" % (length, offset)
        offset += length
    assert rules_of(with_lengths_fixed(data, fixed, body)) == {"subfield-code-valid"}


def test_local_subfield_code_is_a_warning() -> None:
    data = good_bytes()
    start, _ = field_at(data, b"650")
    problems = problems_of(patch(data, start + 3, b"A"))
    assert [(p.rule.id, p.severity) for p in problems] == [("subfield-code-local", Severity.WARN)]


def test_data_before_first_subfield() -> None:
    data = good_bytes()
    start, _ = field_at(data, b"245")
    assert rules_of(patch(data, start + 2, b"Z")) == {"data-field-structure"}


def test_control_field_with_subfield_delimiter() -> None:
    data = good_bytes(number="AB12")
    start, _ = field_at(data, b"001")
    assert rules_of(patch(data, start + 1, b"\x1f")) == {"control-field-no-subfields"}


def test_bad_tag_and_alphabetic_tag() -> None:
    data = good_bytes()
    position = entries(data)[4][0]
    assert rules_of(patch(data, position, b"5#0")) == {"tag-valid"}
    assert rules_of(patch(data, position, b"5x0")) == {"tag-alphabetic"}  # digits with one case of letters: local
    assert rules_of(patch(data, position, b"CAT")) == {"tag-alphabetic"}
    assert rules_of(patch(data, position, b"CaT")) == {"tag-valid"}


def test_leader_fixed_positions_and_leader09_value() -> None:
    data = good_bytes()
    assert rules_of(patch(data, 20, b"450 ")) == {"leader-fixed-positions"}
    assert rules_of(patch(data, 10, b"3")) == {"leader-fixed-positions"}  # fields then not judged as MARC 21
    assert rules_of(patch(ascii_bytes(), 9, b"4")) == {"leader09-value"}


def test_leader_length_not_numeric() -> None:
    assert rules_of(patch(good_bytes(), 0, b"0x123")) == {"leader-length-numeric"}


def test_leader09_blank_on_utf8_data() -> None:
    problems = problems_of(patch(good_bytes(), 9, b" "))
    assert [p.rule.id for p in problems] == ["leader09-matches-encoding"]
    assert "'Á'" in problems[0].message and "field 100" in problems[0].message


def test_invalid_utf8_with_leader09_a() -> None:
    data = good_bytes()
    at = data.index("ø".encode())
    problems = problems_of(patch(data, at, b"\xf8 "))  # Latin-1 ø where UTF-8 was due, length kept
    assert [p.rule.id for p in problems] == ["utf8-valid"]
    assert f"byte {at} of the file" in problems[0].message and "field 500" in problems[0].message


def test_record_terminator_after_stray_byte() -> None:
    data = good_bytes()
    directory, body = split(data)
    assert rules_of(with_lengths_fixed(data, directory, body + b"\x1ex")[:-1] + b"\x1d") >= {"record-terminator"}
    stray = data[:-1] + b"x\x1d"
    stray = b"%05d" % len(stray) + stray[5:]
    assert rules_of(stray) == {"record-terminator"}


def test_directory_without_terminator_and_too_short() -> None:
    assert rules_of(b"00027cam a2200025   4500ab\x1d") == {"directory-terminator"}
    assert rules_of(b"00010\x1d") == {"record-too-short"}


def test_field_over_9999_bytes_as_pymarc_writes_it() -> None:
    record = build_record()
    record.add_field(Field(tag="505", indicators=Indicators("0", " "), subfields=[Subfield("a", "ø" * 6000)]))
    data = record.as_marc()  # pymarc writes a 5-digit length into the 4-digit slot (edsu/pymarc#42)
    assert len(split(data)[0]) % 12 == 1
    problems = problems_of(data)
    assert [p.rule.id for p in problems] == ["field-length-limit"]
    assert "12005 bytes" in problems[0].message


def test_record_over_99999_bytes_as_pymarc_writes_it() -> None:
    record = build_record()
    for _ in range(12):
        record.add_field(Field(tag="520", indicators=Indicators(" ", " "), subfields=[Subfield("a", "å" * 4500)]))
    data = record.as_marc()  # the leader grows to 25 characters
    assert len(data) > 99_999
    assert rules_of(data) == {"record-length-limit"}


def test_each_rule_reported_once_per_record_with_a_count() -> None:
    data = good_bytes()
    for tag in (b"245", b"500", b"650"):
        start, _ = field_at(data, tag)
        data = patch(data, start, b"X")
    problems = problems_of(data)
    assert [p.rule.id for p in problems] == ["indicator-valid"]
    assert problems[0].message.endswith("(and 2 more in this record)")
    assert problems[0].position == Position(0, "byte", 0, "0001") and problems[0].clause == RULES["indicator-valid"].clause


# --- framing ------------------------------------------------------------------------------------


def test_truncated_last_record() -> None:
    stream = io.BytesIO(good_bytes(number="1") + good_bytes(number="2")[:-40])
    raws = list(iter_raw_records(stream))
    assert len(raws) == 2
    assert check_record(raws[0]) == []
    assert [p.rule.id for p in check_record(raws[1])] == ["truncated-record"]


def test_bad_record_in_the_middle_does_not_lose_the_rest() -> None:
    bad = encode_counting_characters(build_record(number="2"))
    stream = io.BytesIO(good_bytes(number="1") + bad + good_bytes(number="3"))
    raws = list(iter_raw_records(stream))
    assert [r.index for r in raws] == [0, 1, 2]
    assert [bool(check_record(r)) for r in raws] == [False, True, False]
    assert control_number(raws[2].data) == "3"


def test_wrong_leader_length_does_not_swallow_the_next_record() -> None:
    bad = patch(good_bytes(number="2"), 0, b"00040")
    raws = list(iter_raw_records(io.BytesIO(good_bytes(number="1") + bad + good_bytes(number="3"))))
    assert [sorted({p.rule.id for p in check_record(r)}) for r in raws] == [[], ["record-length-bytes"], []]


def test_whitespace_between_records_is_a_warning_and_skipped() -> None:
    first, second = good_bytes(number="1"), good_bytes(number="2")
    raws = list(iter_raw_records(io.BytesIO(first + b"\r\n" + second + b"\n")))
    assert len(raws) == 2 and raws[1].offset == len(first) + 2 and raws[1].data == second
    problems = check_record(raws[1])
    assert [(p.rule.id, p.severity, p.position) for p in problems] == [
        ("inter-record-garbage", Severity.WARN, Position(len(first), "byte", 1, "2"))]


@pytest.mark.parametrize("chunk_size", [1, 7, 100, 1 << 20])
def test_framing_does_not_depend_on_chunk_size(chunk_size: int) -> None:
    data = b"".join(good_bytes(number=str(i)) for i in range(5)) + b"\n" + good_bytes(number="x")[:50]
    raws = list(iter_raw_records(io.BytesIO(data), chunk_size=chunk_size))
    expected = list(iter_raw_records(io.BytesIO(data), chunk_size=len(data)))
    assert raws == expected and len(raws) == 6


# --- check_file ---------------------------------------------------------------------------------


def test_check_file_counts_and_caps(tmp_path: Path) -> None:
    bad = patch(good_bytes(), field_at(good_bytes(), b"245")[0], b"X")
    path = tmp_path / "export.mrc"
    path.write_bytes(good_bytes() + bad * (KEEP_PROBLEMS + 5) + b"\n")
    seen: list[Problem] = []
    progress: list[tuple[int, int]] = []
    report = check_file(path, on_problem=seen.append, progress=lambda done, total: progress.append((done, total)))
    assert (report.format, report.records, report.bytes_read) == ("iso2709", KEEP_PROBLEMS + 6, path.stat().st_size)
    assert report.counts_by_rule == {"indicator-valid": KEEP_PROBLEMS + 5, "inter-record-garbage": 1}
    assert (report.fail_count, report.warn_count) == (KEEP_PROBLEMS + 5, 1)
    assert len(report.first_problems) == KEEP_PROBLEMS and len(seen) == KEEP_PROBLEMS + 6
    assert progress[-1] == (path.stat().st_size, path.stat().st_size)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "empty"),
        (b"\n\n  ", "only whitespace"),
        (b"hello, this is a text file\n", "not MARC at all"),
        (b'[{"leader": "x"}]', "JSON"),
        (b"\x1f\x8b\x08\x00", "gzip"),
    ],
)
def test_check_file_refuses_what_is_not_marc(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "export.mrc"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UsageError, match=message):
        check_file(path)


# --- properties ---------------------------------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x1d\x1e\x1f"), max_size=300)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(_text, min_size=1, max_size=12), codes=st.lists(st.sampled_from("abcdez0123456789"), min_size=12, max_size=12))
def test_any_pymarc_record_with_unicode_text_passes(values: list[str], codes: list[str]) -> None:
    record = build_record()
    record.add_field(Field(tag="520", indicators=Indicators(" ", " "),
                           subfields=[Subfield(code, value) for code, value in zip(codes, values, strict=False)]))
    data = record.as_marc()
    assert problems_of(data) == []
    # and the fast path agrees with the field-by-field one (which would explain any doubt)
    found = iso2709._Found()
    iso2709._check_structure(data, found)
    assert iso2709._looks_clean(data) and not found.first


@settings(max_examples=400, deadline=None)
@given(position=st.integers(min_value=0), value=st.integers(min_value=0, max_value=255), seed=st.integers(0, 3))
def test_fast_path_never_passes_a_record_the_slow_path_faults(position: int, value: int, seed: int) -> None:
    """One damaged byte anywhere: if the fast path says 'sound', the full check must agree."""
    data = good_bytes(number=str(seed), title=random.Random(seed).choice([SAMI, "Title", NORSK]))
    position %= len(data) - 1  # keep the record terminator so framing is not what is tested
    damaged = patch(data, position, bytes([value]))
    found = iso2709._Found()
    iso2709._check_structure(damaged, found)
    if iso2709._looks_clean(damaged):
        assert not found.first, found.first
