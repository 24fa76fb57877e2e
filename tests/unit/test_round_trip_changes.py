"""Each kind of change a system might make to the round-trip test records shows in MARC-02's diff.

The records are the catalogue's hx0000241-250 (fixtures/marc/_changes.py). Each change below
is a sandbox defect's record transform (harness/marc/sandbox.py's tables, over
harness/marc/mutations.py), applied to a copy; the round trip's record comparison
(harness/marc/diff.py, and the byte-level fast path of harness/marc/roundtrip.py) must see it.
tests/integration/test_defects.py proves the same through the sandbox and the checks.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import pymarc
import pytest

from harness.defects import Defect
from harness.marc import defects as d
from harness.marc import sandbox
from harness.marc.diff import diff_records
from harness.marc.roundtrip import compare_pair
from harness.marc.writer import encode_iso2709
from harness.paths import MARC_FIXTURES_DIR

NOTE = "Round-trip test record: "
Change = Callable[[pymarc.Record], None]


def _sandbox_change(defect: Defect) -> Change:
    """The record transform the sandbox applies for ``defect``, from its tables."""
    tables = (*sandbox.IMPORT_CHANGES, *sandbox.EXPORT_CHANGES, *sandbox.MARCXML_CHANGES)
    (change,) = [change for d, change in tables if d is defect]
    return change


# (record kind, defect): the sandbox's defect changes this round-trip test record.
CHANGES: list[tuple[str, Defect]] = [
    ("subfield order and repetition", d.SORT_SUBFIELDS),
    ("subfield order and repetition", d.MERGE_REPEATED_SUBFIELDS),
    ("linkage $6 first and not first, RTL 880", d.MOVE_6_FIRST),
    ("linkage $6 first and not first, RTL 880", d.DROP_880),
    ("linkage $6 first and not first, RTL 880", d.REVERSE_RTL),
    ("every indicator value", d.BLANK_RARE_INDICATORS),
    ("local fields and $9 LOCAL", d.DROP_9XX),
    ("local fields and $9 LOCAL", d.DROP_LOCAL_9),
    ("alphabetic and lowercase tags", d.DROP_ALPHA_TAGS),
    ("alphabetic and lowercase tags", d.UPCASE_TAGS),
    ("long note and URL", d.TRUNCATE_NOTES),
    ("long note and URL", d.UNESCAPE_URLS),
    ("text a system might normalise", d.COLLAPSE_SPACES),
    ("text a system might normalise", d.TRIM_VALUES),
    ("text a system might normalise", d.STRIP_LEADING_ZEROS),
    ("text a system might normalise", d.NBSP_TO_SPACE),
    ("text a system might normalise", d.DROP_SOFT_HYPHEN),
    ("text a system might normalise", d.DROP_ZWJ),
    ("text a system might normalise", d.IMPORT_NFC),
    ("text a system might normalise", d.EXPORT_NFD),
    ("text a system might normalise", d.MARCXML_NORMALIZE_SPACE),
    ("text a system might normalise", d.MARCXML_NFD),
    ("authority links", d.DROP_AUTHORITY_LINKS),
    ("serial with 85X/86X", d.DROP_SERIAL_HOLDINGS),
    ("serial with 85X/86X", d.RESET_LEADER),  # every record's leader/18; the serial's is as good as any
    ("several copies in one library", d.ONE_COPY_PER_LIBRARY),
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


@pytest.mark.parametrize(("kind", "defect"), CHANGES, ids=[defect.name for _, defect in CHANGES])
def test_the_change_shows_in_the_round_trip(by_kind: dict[str, pymarc.Record], kind: str, defect: Defect) -> None:
    before = by_kind[kind]
    after = copy.deepcopy(before)
    _sandbox_change(defect)(after)
    assert diff_records(before, after), f"{defect.name}: no difference the round trip would report"
    number = before["001"].data or ""
    assert not compare_pair(number, encode_iso2709(before), encode_iso2709(after), frozenset({"005"})).identical


def test_every_kind_has_a_change(by_kind: dict[str, pymarc.Record]) -> None:
    assert {kind for kind, _ in CHANGES} == set(by_kind)


def test_every_round_trip_defect_is_proven_here() -> None:
    assert set(d.ROUND_TRIP_CHANGES) <= {defect for _, defect in CHANGES}
