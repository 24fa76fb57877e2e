"""Which check owns a difference between an imported record and its export.

One change can show in several checks' data: a holding that lost its library number is also
a changed field to the round trip. DESIGN.md asks that a fault be reported once, by the check
that owns it, and that the others read past it. This module is that decision, as one
function over a :class:`~harness.marc.diff.FieldDiff`:

=====================  ======================================================================
owner                  the difference
=====================  ======================================================================
PRIVACY (SEC-01)       text that a test patron's name or barcode appears in, after only
LETTERS (SPR-01)       a Unicode normalisation change, or a change confined to non-ASCII
                       letters (a letter replaced by '?', U+FFFD or another letter)
HOLDING_LIBRARY        a holdings field that lost its owning library's subfield, nothing else
HOLDINGS_KEPT          a holdings field missing from the export
ROUND_TRIP (MARC-02)   everything else: fields lost or added, order, indicators, text
=====================  ======================================================================
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from harness.marc.diff import FieldDiff

_REPLACEMENTS = frozenset("?\ufffd")


class Owner(enum.Enum):
    """Each value is the MARC suite's check that reports such a difference (scenarios/marc/)."""

    ROUND_TRIP = "test_import_export_round_trip_unchanged"
    LETTERS = "test_letters_survive_import_export_byte_exact"
    HOLDING_LIBRARY = "test_every_holding_names_its_owning_library"
    HOLDINGS_KEPT = "test_shared_record_keeps_holdings_of_every_library"
    PRIVACY = "test_export_carries_no_patron_data"


STRUCTURE_CHECK = "test_iso2709_export_is_structurally_valid"  # owns records that cannot be read
# Structural rules (harness/marc/rules.py) the encoding check owns; the structural check the rest.
ENCODING_RULES = frozenset({"leader09-matches-encoding", "utf8-valid"})


@dataclass(frozen=True, slots=True)
class Context:
    holdings_tag: str
    library_subfield: str
    patron_strings: frozenset[str] = frozenset()  # test patrons' names and barcodes


def owner_of(diff: FieldDiff, context: Context) -> Owner:
    if any(value in diff.after and value not in diff.before for value in context.patron_strings if len(value) >= 3):
        return Owner.PRIVACY
    if diff.kind == "normalisation":
        return Owner.LETTERS
    if diff.tag == context.holdings_tag:
        if diff.kind == "missing":
            return Owner.HOLDINGS_KEPT
        if diff.kind == "changed" and _only_library_lost(diff, context.library_subfield):
            return Owner.HOLDING_LIBRARY
    if diff.kind == "changed" and letters_only(diff.before, diff.after):
        return Owner.LETTERS
    return Owner.ROUND_TRIP


def owners(diffs: Iterable[FieldDiff], context: Context) -> dict[Owner, list[FieldDiff]]:
    by_owner: dict[Owner, list[FieldDiff]] = {}
    for diff in diffs:
        by_owner.setdefault(owner_of(diff, context), []).append(diff)
    return by_owner


def letters_only(before: str, after: str) -> bool:
    """True when every difference is non-ASCII text replaced, lost, or replaced by '?'/U+FFFD."""
    if before == after:
        return False
    for op, b1, b2, a1, a2 in SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        lost, came = before[b1:b2], after[a1:a2]
        if any(c.isascii() for c in lost):
            return False
        if came and not all(not c.isascii() or c in _REPLACEMENTS for c in came):
            return False
    return True


def _subfields(line: str) -> list[tuple[str, str]]:
    """(code, value) pairs of a field in line format (``=852  \\\\$aNO-99$p123``)."""
    return [(part[:1], part[1:]) for part in line.split("$")[1:]]


def _only_library_lost(diff: FieldDiff, code: str) -> bool:
    before, after = _subfields(diff.before), _subfields(diff.after)
    return any(c == code for c, _ in before) and [s for s in before if s[0] != code] == after


def reported_elsewhere(by_owner: dict[Owner, list[FieldDiff]], mine: Owner) -> str:
    """The checks that report the differences a check read past, for its cannot-judge note."""
    return ", ".join(f"{owner.value} ({len(diffs)} difference(s))" for owner, diffs in by_owner.items()
                     if owner is not mine and diffs)
