"""The streaming batch-vs-export comparison: joins on 001, explains differences, never raises."""

from __future__ import annotations

import io

import pymarc

from harness.marc.roundtrip import compare_streams
from harness.marc.writer import encode_iso2709


def _record(number: str, title: str, stamp: str = "20261124120000.0") -> pymarc.Record:
    record = pymarc.Record(force_utf8=True)
    record.leader = pymarc.Leader("00000nam a2200000 i 4500")
    record.add_field(pymarc.Field(tag="001", data=number))
    record.add_field(pymarc.Field(tag="005", data=stamp))
    record.add_field(pymarc.Field(tag="245", indicators=pymarc.Indicators("1", "0"), subfields=[pymarc.Subfield("a", title)]))
    return record


def _stream(*records: pymarc.Record) -> io.BytesIO:
    return io.BytesIO(b"".join(encode_iso2709(r) for r in records))


def test_identical_apart_from_ignored_fields_in_any_order() -> None:
    before = _stream(_record("a", "Sámi"), _record("b", "Kven"))
    after = _stream(_record("b", "Kven", "20270101000000.0"), _record("a", "Sámi", "20270101000000.0"))
    results = list(compare_streams(before, after, frozenset({"005"})))
    assert [(c.control_number, c.identical) for c in results] == [("a", True), ("b", True)]


def test_changed_missing_and_unexpected_records_are_reported() -> None:
    results = list(compare_streams(_stream(_record("a", "Sámi"), _record("b", "x")), _stream(_record("a", "Sami"), _record("c", "y")), frozenset({"005"})))
    by_number = {c.control_number: c for c in results}
    assert by_number["a"].diffs and "Sámi" in str(by_number["a"].diffs[0])
    assert by_number["b"].missing and by_number["c"].unexpected


def test_a_record_with_bad_indicator_bytes_is_compared_past_them() -> None:
    good = encode_iso2709(_record("a", "Sámi"))
    broken = good.replace(b"\x1e10\x1fa", b"\x1e\xc3\xa5\x1fa", 1)  # non-ASCII indicators, same length
    (result,) = list(compare_streams(io.BytesIO(good), io.BytesIO(broken)))
    assert not result.identical and not result.unreadable
    assert [(d.kind, d.detail) for d in result.diffs] == [
        ("indicators", "indicator 1 '1' → '\ufffd'"), ("indicators", "indicator 2 '0' → '\ufffd'")]
    assert "terminators" in result.read_as  # how it was read is said, for the evidence


def test_a_record_that_cannot_be_read_at_all_is_reported_not_raised() -> None:
    good = encode_iso2709(_record("a", "Sámi"))
    stamp_end = good.index(b"\x1e", good.index(b"20261124120000.0"))
    broken = good[:stamp_end] + good[stamp_end + 1:]  # 005 and 245 run together: no way to cut them
    (result,) = list(compare_streams(io.BytesIO(good), io.BytesIO(broken)))
    assert not result.identical
    assert "directory entries" in result.unreadable
