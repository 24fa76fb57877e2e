"""harness.marc.mutations: each sandbox change does what its defect says, and nothing more."""

from __future__ import annotations

import pymarc
import pytest

from harness.marc import mutations as m


def _record(*pairs: tuple[str, str], tag: str = "500") -> pymarc.Record:
    record = pymarc.Record()
    record.add_field(pymarc.Field("008", data="240601s2024    no            000 0 nob d"),
                     pymarc.Field(tag, pymarc.Indicators(" ", " "), [pymarc.Subfield(c, v) for c, v in pairs]))  # type: ignore[no-untyped-call]
    return record


def _values(record: pymarc.Record, tag: str = "500") -> list[tuple[str, str]]:
    return [(s.code, s.value) for s in record[tag].subfields]


@pytest.mark.parametrize(("change", "before", "after"), [
    (m.strip_leading_zeros, [("a", "00839.82"), ("b", "(NO-OsBA)0002400241"), ("c", "007b"), ("d", "0")],
     [("a", "839.82"), ("b", "(NO-OsBA)0002400241"), ("c", "007b"), ("d", "0")]),
    (m.normalize_space, [("a", " to  rom\u00a0 "), ("b", "linje\nto")], [("a", "to rom\u00a0"), ("b", "linje to")]),
    (m.collapse_spaces, [("a", " to   rom ")], [("a", " to rom ")]),
    (m.trim_values, [("a", "  to rom  ")], [("a", "to rom")]),
    (m.merge_repeated_subfields, [("a", "Fiske"), ("x", "Historie"), ("x", "Kilder")], [("a", "Fiske"), ("x", "Historie Kilder")]),
    (m.sort_subfields, [("a", "T"), ("n", "1"), ("p", "P"), ("c", "C")], [("a", "T"), ("c", "C"), ("n", "1"), ("p", "P")]),
    (m.move_6_first, [("a", "x"), ("6", "880-02")], [("6", "880-02"), ("a", "x")]),
])
def test_value_changes(change: m.Mutation, before: list[tuple[str, str]], after: list[tuple[str, str]]) -> None:
    record = _record(*before)
    change(record)
    assert _values(record) == after
    assert record["008"].data == "240601s2024    no            000 0 nob d"  # control fields are positions, never touched


def test_truncate_notes_cuts_at_a_character_boundary() -> None:
    record = _record(("a", "ø" * 1_500))
    m.truncate_notes(record)
    assert record["500"]["a"] == "ø" * (m.NOTE_LIMIT // 2)


def test_reverse_rtl_touches_right_to_left_880s_only() -> None:
    record = pymarc.Record()
    record.fields = [
        pymarc.Field("880", pymarc.Indicators("1", "0"), [pymarc.Subfield("6", "245-01/(3/r"), pymarc.Subfield("a", "ابت")]),
        pymarc.Field("880", pymarc.Indicators("1", "0"), [pymarc.Subfield("6", "245-02/(N"), pymarc.Subfield("a", "Нина")]),
    ]
    m.reverse_rtl(record)
    assert [f["a"] for f in record.get_fields("880")] == ["تبا", "Нина"]
    assert record.get_fields("880")[0]["6"] == "245-01/(3/r"


def test_one_copy_per_library_keeps_each_librarys_first() -> None:
    record = pymarc.Record()
    for library, barcode in (("NO-1", "1"), ("NO-2", "2"), ("NO-1", "3")):
        record.add_field(pymarc.Field("852", pymarc.Indicators(" ", " "), [pymarc.Subfield("a", library), pymarc.Subfield("p", barcode)]))  # type: ignore[no-untyped-call]
    m.one_copy_per_library(record)
    assert [f["p"] for f in record.get_fields("852")] == ["1", "2"]


def test_reset_leader_overwrites_17_and_18_only() -> None:
    record = pymarc.Record(leader="00663nam a22002055i 4500")
    m.reset_leader(record)
    assert str(record.leader) == "00663nam a2200205 a 4500"
