"""harness.marc.diff: each kind of difference is reported once, exactly, and readably."""

from __future__ import annotations

import copy
import dataclasses
import unicodedata

import pymarc
import pytest

from harness.marc.diff import FieldDiff, diff_records, format_field, match_records

NFC_SAMI = unicodedata.normalize("NFC", "Sámi čáppa")
NFD_SAMI = unicodedata.normalize("NFD", NFC_SAMI)


def field(tag: str, indicators: str, *pairs: tuple[str, str]) -> pymarc.Field:
    return pymarc.Field(tag, pymarc.Indicators(*indicators), [pymarc.Subfield(c, v) for c, v in pairs])


def make_record(number: str = "hx0000001", osba: str | None = None) -> pymarc.Record:
    record = pymarc.Record()
    record.add_field(pymarc.Field("001", data=number), pymarc.Field("005", data="20240601120000.0"))
    if osba:
        record.add_field(field("035", "  ", ("a", osba)))
    record.add_field(
        field("100", "1 ", ("a", "Hansen, Åse")),
        field("245", "10", ("a", "Ærfugl og øyvær :"), ("b", f"{NFC_SAMI} /"), ("c", "Åse Hansen")),
        field("650", " 7", ("a", "Kystkultur"), ("2", "humord")),
        field("650", " 7", ("a", "Boazodoallu"), ("2", "local")),
        field("852", "  ", ("a", "NO-9900001"), ("p", "990010000010")),
        field("880", "10", ("6", "245-01/(N"), ("a", "Поморская торговля")),
        field("880", "1 ", ("6", "100-02/(N"), ("a", "Яковлева, Нина")),
        field("880", "  ", ("6", "500-03"), ("a", "Tredje")),
    )
    return record


def line(record: pymarc.Record, tag: str, occurrence: int = 1) -> str:
    return format_field(record.get_fields(tag)[occurrence - 1])


# --- format_field ------------------------------------------------------------------------------


def test_format_field_writes_marcmaker_lines() -> None:
    assert format_field(field("245", "10", ("a", "Tittel"), ("b", "undertittel"))) == "=245  10$aTittel$bundertittel"
    assert format_field(field("852", "  ", ("a", "NO-9900001"))) == "=852  \\\\$aNO-9900001"
    assert format_field(pymarc.Field("008", data="240601s2005    no ")) == "=008  240601s2005\\\\\\\\no\\"
    assert format_field(field("500", " 1", ("a", "Pris $12"))) == "=500  \\1$aPris {dollar}12"


# --- diff_records ------------------------------------------------------------------------------


def test_identical_records_have_no_differences() -> None:
    record = make_record()
    assert diff_records(record, copy.deepcopy(record)) == []
    assert diff_records(record, record) == []


def test_changed_subfield_value_is_one_changed_diff() -> None:
    before, after = make_record(), make_record()
    after["245"]["c"] = "Åse Hansen (red.)"
    assert diff_records(before, after) == [
        FieldDiff("245", 1, "changed", line(before, "245"), line(after, "245"), "$c 'Åse Hansen' → 'Åse Hansen (red.)'")
    ]


def test_nfc_to_nfd_is_a_normalisation_difference() -> None:
    before, after = make_record(), make_record()
    after["245"]["b"] = f"{NFD_SAMI} /"
    (diff,) = diff_records(before, after)
    assert diff.kind == "normalisation"
    assert str(diff) == f"245 #1: $b '{NFC_SAMI} /' → '{NFD_SAMI} /' (Unicode normalisation changed: NFC → NFD)"
    # and back: an export that normalises to NFC loses the bytes that were imported
    (back,) = diff_records(after, before)
    assert back.kind == "normalisation" and str(back).endswith("(Unicode normalisation changed: NFD → NFC)")


def test_caron_stored_as_combining_mark_differs_from_precomposed() -> None:
    before, after = make_record(), make_record()
    before["650"]["a"] = "c\u030cáppa"  # č as c + U+030C COMBINING CARON
    after["650"]["a"] = "\u010dáppa"
    (diff,) = diff_records(before, after)
    assert (diff.tag, diff.occurrence, diff.kind) == ("650", 1, "normalisation")


def test_indicator_change_names_the_indicator() -> None:
    before, after = make_record(), make_record()
    after["852"].indicators = pymarc.Indicators("0", " ")
    (diff,) = diff_records(before, after)
    assert diff.kind == "indicators"
    assert str(diff) == "852 #1: indicator 1 ' ' → '0'"


def test_lost_880_is_missing_with_its_occurrence() -> None:
    before, after = make_record(), make_record()
    after.remove_field(after.get_fields("880")[1])
    (diff,) = diff_records(before, after)
    assert (diff.tag, diff.occurrence, diff.kind, diff.after) == ("880", 2, "missing", "")
    assert str(diff) == f"880 #2: missing after round trip: {line(before, '880', 2)}"


def test_lost_field_does_not_shift_its_neighbours_into_changes() -> None:
    before, after = make_record(), make_record()
    after.remove_field(after.get_fields("880")[0])
    after.get_fields("880")[1]["a"] = "Tredje, endret"
    diffs = diff_records(before, after)
    assert [(d.tag, d.occurrence, d.kind) for d in diffs] == [("880", 1, "missing"), ("880", 3, "changed")]


def test_added_field_counts_its_occurrence_in_the_after_record() -> None:
    before, after = make_record(), make_record()
    after.add_field(field("852", "  ", ("a", "NO-9900021"), ("p", "990210000010")))
    (diff,) = diff_records(before, after)
    assert (diff.tag, diff.occurrence, diff.kind, diff.before) == ("852", 2, "added", "")
    assert str(diff).startswith("852 #2: added by round trip: =852  \\\\$aNO-9900021")


def test_moved_field_is_one_reordered_diff() -> None:
    before, after = make_record(), make_record()
    moved = after["100"]
    after.remove_field(moved)
    after.fields.insert(after.fields.index(after["245"]) + 1, moved)
    (diff,) = diff_records(before, after)
    assert diff.kind == "reordered"
    assert str(diff) == "field order changed: 100 now after 245"


def test_swapped_repeats_of_a_tag_are_reordered_not_changed() -> None:
    before, after = make_record(), make_record()
    first, second = after.get_fields("650")
    at = after.fields.index(first)
    after.fields[at], after.fields[at + 1] = second, first
    assert [d.kind for d in diff_records(before, after)] == ["reordered"]


def test_subfield_code_change_and_lost_subfield() -> None:
    before, after = make_record(), make_record()
    after["650"].subfields = [pymarc.Subfield("x", "Kystkultur"), pymarc.Subfield("2", "humord")]
    after["245"].subfields = after["245"].subfields[:2]
    assert [str(d) for d in diff_records(before, after)] == [
        "245 #1: $c 'Åse Hansen' missing",
        "650 #1: subfield $a 'Kystkultur' → $x 'Kystkultur'",
    ]


def test_changed_control_field() -> None:
    before, after = make_record(), make_record("sbx0000001")
    assert [str(d) for d in diff_records(before, after)] == ["001 #1: 'hx0000001' → 'sbx0000001'"]


def test_ignored_tags_are_not_compared() -> None:
    before, after = make_record(), make_record()
    after["005"].data = "20991231235959.0"
    after.add_field(field("999", "  ", ("c", "17")))
    assert diff_records(before, after, ignore_tags=frozenset({"005", "999"})) == []
    assert {d.tag for d in diff_records(before, after)} == {"005", "999"}


def test_long_values_are_shown_around_their_first_difference() -> None:
    before, after = make_record(), make_record()
    text = "Sámi máinnasat -- " * 700  # about 12,000 characters, as in the oversize fixture
    before.add_field(field("505", "0 ", ("a", text)))
    after.add_field(field("505", "0 ", ("a", text[:6000] + "X" + text[6001:])))
    (diff,) = diff_records(before, after)
    assert diff.kind == "changed" and len(str(diff)) < 400 and "…" in str(diff) and "X" in str(diff)
    assert len(diff.before) > 12_000  # the full field stays available as evidence


def test_field_diff_is_frozen() -> None:
    diff = FieldDiff("245", 1, "changed", "=245  10$aA", "=245  10$aB", "$a 'A' → 'B'")
    with pytest.raises(dataclasses.FrozenInstanceError):
        diff.kind = "added"  # type: ignore[misc]


# --- match_records -----------------------------------------------------------------------------


def test_match_records_pairs_on_001_in_before_order() -> None:
    before = [make_record("hx1"), make_record("hx2"), make_record("hx3")]
    after = [make_record("hx3"), make_record("hx1"), make_record("hx9")]
    pairs, missing, unexpected = match_records(before, after)
    assert [(b["001"].data, a["001"].data) for b, a in pairs] == [("hx1", "hx1"), ("hx3", "hx3")]
    assert (missing, unexpected) == (["hx2"], ["hx9"])


def test_match_records_falls_back_to_035_when_001_was_renumbered() -> None:
    before = [make_record("hx0000240", osba="(NO-OsBA)2600417")]
    after = [make_record("sbx0000001", osba="(NO-OsBA)2600417")]
    pairs, missing, unexpected = match_records(before, after)
    assert len(pairs) == 1 and missing == [] and unexpected == []


def test_match_records_labels_records_without_001() -> None:
    without = make_record()
    without.remove_field(without["001"])
    pairs, missing, unexpected = match_records([without], [])
    assert (pairs, missing, unexpected) == ([], ["record 1"], [])


def test_match_records_pairs_each_after_record_once() -> None:
    pairs, missing, unexpected = match_records([make_record("hx1"), make_record("hx1")], [make_record("hx1")])
    assert len(pairs) == 1 and missing == ["hx1"] and unexpected == []


def test_leader_data_positions_are_compared_and_layout_is_not() -> None:
    before = make_record()
    after = copy.deepcopy(before)
    after.leader = pymarc.Leader("99999cam a2299999 a 4500")  # lengths, base address, /09 rewritten; /05 /17 /18 changed
    before.leader = pymarc.Leader("00000nam  2200000 i 4500")
    (status,) = diff_records(before, after)
    assert (status.tag, status.kind, str(status)) == (
        "LDR", "changed", "leader: leader/05 'n' → 'c' (record status); leader/18 'i' → 'a' (descriptive cataloguing form)")
    assert not diff_records(before, after, ignore_tags=frozenset({"LDR"}))
