"""Each kind of change a system might make to the round-trip test records shows in MARC-02's diff.

The records are the catalogue's hx0000241-250 (fixtures/marc/_changes.py). Each change below
is what a real import or export was seen to do, applied to a copy; the round trip's record
comparison (harness/marc/diff.py, and the byte-level fast path of harness/marc/roundtrip.py)
must see it. These are the changes the sandbox's future defects will make (one defect each,
FAILing MARC-02's round trip); here they are proven visible without the sandbox.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable

import pymarc
import pytest

from harness.marc.diff import diff_records
from harness.marc.roundtrip import compare_pair
from harness.marc.writer import encode_iso2709
from harness.paths import MARC_FIXTURES_DIR

NOTE = "Round-trip test record: "
Change = Callable[[pymarc.Record], None]


def _map_values(record: pymarc.Record, transform: Callable[[str], str]) -> None:
    for field in record.fields:
        if not field.is_control_field():
            field.subfields = [pymarc.Subfield(s.code, transform(s.value)) for s in field.subfields]


def _sort_subfields(record: pymarc.Record) -> None:
    for field in record.fields:
        if not field.is_control_field():
            field.subfields = sorted(field.subfields, key=lambda s: s.code)


def _drop_repeated_subfields(record: pymarc.Record) -> None:
    for field in record.fields:
        if not field.is_control_field():
            seen: set[str] = set()
            field.subfields = [s for s in field.subfields if not (s.code in seen or seen.add(s.code))]  # type: ignore[func-returns-value]


def _move_6_first(record: pymarc.Record) -> None:
    for field in record.fields:
        if not field.is_control_field() and field.get("6"):
            field.subfields = sorted(field.subfields, key=lambda s: s.code != "6")


def _drop_880(record: pymarc.Record) -> None:
    for field in record.get_fields("880"):
        record.remove_field(field)


def _reverse_rtl(record: pymarc.Record) -> None:
    for field in record.get_fields("880"):
        field.subfields = [pymarc.Subfield(s.code, s.value[::-1] if s.code == "a" else s.value) for s in field.subfields]


def _blank_rare_indicators(record: pymarc.Record) -> None:
    for field in record.fields:
        if not field.is_control_field() and field.indicator2 not in (" ", "0", "7"):
            field.indicators = pymarc.Indicators(field.indicator1, " ")


def _drop_9xx(record: pymarc.Record) -> None:
    for field in [f for f in record.fields if f.tag.startswith("9")]:
        record.remove_field(field)


def _drop_local_9(record: pymarc.Record) -> None:
    for field in record.fields:
        if not field.is_control_field():
            field.subfields = [s for s in field.subfields if s.code != "9"]


def _drop_alphabetic_tags(record: pymarc.Record) -> None:
    for field in [f for f in record.fields if not f.tag.isdigit()]:
        record.remove_field(field)


def _upper_case_tags(record: pymarc.Record) -> None:
    for field in record.fields:
        field.tag = field.tag.upper()


def _truncate_notes(record: pymarc.Record) -> None:
    for field in record.get_fields("520"):
        field.subfields = [pymarc.Subfield(s.code, s.value[:2_000]) for s in field.subfields]


def _unescape_urls(record: pymarc.Record) -> None:
    from urllib.parse import unquote

    for field in record.get_fields("856"):
        field.subfields = [pymarc.Subfield(s.code, unquote(s.value) if s.code == "u" else s.value) for s in field.subfields]


def _keep_one_copy_per_library(record: pymarc.Record) -> None:
    seen: set[str] = set()
    for holding in record.get_fields("852"):
        if holding["a"] in seen:
            record.remove_field(holding)
        seen.add(holding["a"])


def _drop_fields(*tags: str) -> Change:
    def change(record: pymarc.Record) -> None:
        for field in record.get_fields(*tags):
            record.remove_field(field)
    return change


def _drop_subfield(code: str) -> Change:
    def change(record: pymarc.Record) -> None:
        for field in record.fields:
            if not field.is_control_field():
                field.subfields = [s for s in field.subfields if s.code != code]
    return change


# (record kind, change name, change): one line per defect the sandbox will get
CHANGES: list[tuple[str, str, Change]] = [
    ("subfield order and repetition", "sort subfields by code", _sort_subfields),
    ("subfield order and repetition", "drop repeated subfields", _drop_repeated_subfields),
    ("linkage $6 first and not first, RTL 880", "move $6 first", _move_6_first),
    ("linkage $6 first and not first, RTL 880", "drop 880 fields", _drop_880),
    ("linkage $6 first and not first, RTL 880", "store right-to-left text reversed", _reverse_rtl),
    ("every indicator value", "blank rare indicator values", _blank_rare_indicators),
    ("local fields and $9 LOCAL", "drop 9XX fields", _drop_9xx),
    ("local fields and $9 LOCAL", "drop local $9", _drop_local_9),
    ("alphabetic and lowercase tags", "drop alphabetic tags", _drop_alphabetic_tags),
    ("alphabetic and lowercase tags", "upper-case tags", _upper_case_tags),
    ("long note and URL", "truncate long notes", _truncate_notes),
    ("long note and URL", "percent-decode URLs", _unescape_urls),
    ("text a system might normalise", "collapse double spaces", lambda r: _map_values(r, lambda v: re.sub(" {2,}", " ", v))),
    ("text a system might normalise", "trim trailing spaces", lambda r: _map_values(r, str.rstrip)),
    ("text a system might normalise", "strip leading zeros", lambda r: _map_values(r, lambda v: re.sub(r"(^|\))0+(\d)", r"\1\2", v))),
    ("text a system might normalise", "NBSP to space", lambda r: _map_values(r, lambda v: v.replace("\u00a0", " "))),
    ("text a system might normalise", "drop soft hyphens", lambda r: _map_values(r, lambda v: v.replace("\u00ad", ""))),
    ("text a system might normalise", "drop zero-width joiners", lambda r: _map_values(r, lambda v: v.replace("\u200d", ""))),
    ("text a system might normalise", "normalise to NFC", lambda r: _map_values(r, lambda v: unicodedata.normalize("NFC", v))),
    ("text a system might normalise", "normalise to NFD", lambda r: _map_values(r, lambda v: unicodedata.normalize("NFD", v))),
    ("authority links", "drop $0", _drop_subfield("0")),
    ("serial with 85X/86X", "drop embedded serial holdings", _drop_fields("853", "863", "866")),
    ("several copies in one library", "keep one 852 per library", _keep_one_copy_per_library),
]


@pytest.fixture(scope="module")
def by_kind() -> dict[str, pymarc.Record]:
    records = list(pymarc.MARCReader((MARC_FIXTURES_DIR / "consortium.mrc").read_bytes(), to_unicode=True))
    out = {}
    for record in records:
        notes = [v for f in record.get_fields("500") for v in f.get_subfields("a") if v.startswith(NOTE)]
        if notes:
            out[notes[0].removeprefix(NOTE).removesuffix(".")] = record
    return out


@pytest.mark.parametrize(("kind", "name", "change"), CHANGES, ids=[name for _, name, _ in CHANGES])
def test_the_change_shows_in_the_round_trip(by_kind: dict[str, pymarc.Record], kind: str, name: str, change: Change) -> None:
    before = by_kind[kind]
    after = copy.deepcopy(before)
    change(after)
    assert diff_records(before, after), f"{name}: no difference the round trip would report"
    number = before["001"].data or ""
    assert not compare_pair(number, encode_iso2709(before), encode_iso2709(after), frozenset({"005"})).identical


def test_every_kind_has_a_change(by_kind: dict[str, pymarc.Record]) -> None:
    assert {kind for kind, _, _ in CHANGES} == set(by_kind)
