"""harness.marc.ownership: each round-trip difference goes to the one check whose property it breaks."""

from __future__ import annotations

import pymarc
import pytest

from harness.marc.diff import FieldDiff
from harness.marc.ownership import Context, Owner, letters_only, owner_of

CONTEXT = Context("852", "a", frozenset({"Máret Ánne Sara", "TST0000001"}))


@pytest.mark.parametrize(("before", "after", "letters"), [
    ("Sámi", "S?mi", True),  # a letter Latin-1 cannot hold
    ("Sámi", "S\ufffdmi", True),  # undecodable bytes
    ("Gårdene", "GÃ¥rdene", True),  # UTF-8 read as Latin-1
    ("Sámi", "Sami", True),  # folded to ASCII
    ("Sámi", "Smi", True),  # lost
    ("«Tittel", "\ufffdTittel", True),  # any non-ASCII character garbled by an encoding
    ("Porsáŋgu\u00advuotna", "Porsáŋguvuotna", False),  # SOFT HYPHEN dropped: text, not letters
    ("Guovdageai\u200ddnu", "Guovdageaidnu", False),  # ZERO WIDTH JOINER dropped
    ("1\u00a0250 kr", "1 250 kr", False),  # NO-BREAK SPACE made a space
    ("ياكوفليفا، نينا", "انين ،افيلفوكاي", False),  # right to left text reversed: every letter still there
    ("Sámi", "Sámi ", False),  # ASCII added
    ("Sámi", "Sámi", False),
])
def test_letters_only(before: str, after: str, letters: bool) -> None:
    assert letters_only(before, after) is letters


def _holding(library: str, barcode: str) -> pymarc.Field:
    return pymarc.Field("852", pymarc.Indicators(" ", " "), [pymarc.Subfield("a", library), pymarc.Subfield("p", barcode)])


def _record(*holdings: pymarc.Field) -> pymarc.Record:
    record = pymarc.Record()
    record.add_field(pymarc.Field("001", data="hx1"), *holdings)  # type: ignore[no-untyped-call]
    return record


def test_a_lost_copy_of_a_library_that_still_holds_the_record_is_the_round_trips() -> None:
    lost = FieldDiff("852", 2, "missing", "=852  \\\\$aNO-9900001$p2", "")
    assert owner_of(lost, CONTEXT, _record(_holding("NO-9900001", "1"))) is Owner.ROUND_TRIP


def test_a_librarys_last_holding_lost_is_kat01s() -> None:
    lost = FieldDiff("852", 2, "missing", "=852  \\\\$aNO-9900002$p2", "")
    assert owner_of(lost, CONTEXT, _record(_holding("NO-9900001", "1"))) is Owner.HOLDINGS_KEPT
    assert owner_of(lost, CONTEXT) is Owner.HOLDINGS_KEPT  # the exported record could not be read


@pytest.mark.parametrize(("diff", "owner"), [
    (FieldDiff("852", 1, "changed", "=852  \\\\$aNO-9900001$p1", "=852  \\\\$p1"), Owner.HOLDING_LIBRARY),
    (FieldDiff("852", 1, "changed", "=852  \\\\$p1", "=852  \\\\$p1$zUtlånt til Máret Ánne Sara"), Owner.PRIVACY),
    (FieldDiff("245", 1, "normalisation", "=245  10$aSámi", "=245  10$aSa\u0301mi"), Owner.LETTERS),
    (FieldDiff("245", 1, "changed", "=245  10$aSámi", "=245  10$aS?mi"), Owner.LETTERS),
    (FieldDiff("245", 1, "changed", "=245  10$aViežžat  čázi", "=245  10$aViežžat čázi"), Owner.ROUND_TRIP),
    (FieldDiff("LDR", 1, "changed", "=LDR  00000nam a2200000 i 4500", "=LDR  00000nam a2200000 a 4500"), Owner.ROUND_TRIP),
])
def test_owner_of(diff: FieldDiff, owner: Owner) -> None:
    assert owner_of(diff, CONTEXT) is owner
