"""The ISO 2709 writer counts bytes and refuses what ISO 2709 cannot hold (MARC-04)."""

from __future__ import annotations

import io

import pymarc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.marc.reader import read_records
from harness.marc.writer import MAX_FIELD_LENGTH, RecordTooLong, collection_to_marcxml, encode_iso2709


def _record(title: str = "Sámegiella: čáppa ŋuolggat, đuoddar, šaddu, ŧ, ž", note: str = "Ærlig øl på Åsen") -> pymarc.Record:
    record = pymarc.Record(force_utf8=True)
    record.leader = pymarc.Leader("00000nam a2200000 i 4500")
    record.add_field(pymarc.Field(tag="001", data="hx0001"))
    record.add_field(pymarc.Field(tag="245", indicators=pymarc.Indicators("1", "0"), subfields=[pymarc.Subfield("a", title)]))
    record.add_field(pymarc.Field(tag="500", indicators=pymarc.Indicators(" ", " "), subfields=[pymarc.Subfield("a", note)]))
    return record


def test_lengths_are_bytes_and_pymarc_agrees() -> None:
    data = encode_iso2709(_record())
    assert int(data[:5]) == len(data)
    assert data[9:10] == b"a" and data.endswith(b"\x1d")
    assert data == _record().as_marc()  # pymarc writes byte lengths too, for records that fit


def test_field_over_9999_bytes_is_refused() -> None:
    with pytest.raises(RecordTooLong, match=r"hx0001: field 500 is \d+ bytes \(max 9999\)"):
        encode_iso2709(_record(note="ŋ" * (MAX_FIELD_LENGTH // 2 + 10)))


def test_record_over_99999_bytes_is_refused() -> None:
    record = _record()
    for _ in range(12):
        record.add_field(pymarc.Field(tag="505", indicators=pymarc.Indicators("0", " "), subfields=[pymarc.Subfield("a", "x" * 9000)]))
    with pytest.raises(RecordTooLong, match=r"\d+ bytes \(max 99999\)"):
        encode_iso2709(record)


@settings(max_examples=60, deadline=None)
@given(title=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=300))
def test_any_unicode_text_round_trips_through_iso2709_and_marcxml(title: str) -> None:
    record = _record(title=title)
    for data in (encode_iso2709(record), collection_to_marcxml([record])):
        (result,) = list(read_records(data))
        assert result.record is not None, result.error
        assert result.record["245"]["a"] == title


def test_marcxml_makes_xml_illegal_controls_visible() -> None:
    data = collection_to_marcxml([_record(title="a\x0bb")])
    assert b"a\\x0bb" in data
    from lxml import etree

    etree.parse(io.BytesIO(data))  # well-formed
