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
                       letters and combining marks (a letter replaced by '?', U+FFFD or
                       another letter, or lost)
HOLDING_LIBRARY        a holdings field that lost its owning library's subfield, nothing else
HOLDINGS_KEPT          a holdings field missing from the export, its library's last one
ROUND_TRIP (MARC-02)   everything else: fields lost or added, order, indicators, text
=====================  ======================================================================

Three boundaries were drawn with a reason (each repeated beside its rule below):

- SPR-01 is about letters. Format characters (SOFT HYPHEN, ZERO WIDTH JOINER: Unicode
  category Cf) and spaces (NO-BREAK SPACE: Zs) are not letters, so a system that drops them
  or makes them spaces changed the text, MARC-02's, though they are not ASCII. Any non-ASCII
  character garbled by a wrong encoding ('?', U+FFFD, mojibake) is SPR-01's all the same.
- Text whose characters are all still there in another order (right-to-left text stored
  reversed) lost no letter: MARC-02's.
- KAT-01 asks that a record carries the holdings of every library. A lost copy of a library
  that still holds the record (its other 852 is there) leaves that true: the field is lost,
  MARC-02's. Only a library's last holding lost is KAT-01's.
"""

from __future__ import annotations

import enum
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

import pymarc

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
FULL_EXPORT_CHECK = "test_full_catalogue_in_both_exports"  # owns records one export has and the other lacks
# Owns what only the MARCXML export changed; a change both exports show is the round trip's.
MARCXML_ROUND_TRIP_CHECK = "test_marcxml_export_round_trip_unchanged"
# Structural rules (harness/marc/rules.py) the encoding check owns; the structural check the rest.
ENCODING_RULES = frozenset({"leader09-matches-encoding", "utf8-valid"})


@dataclass(frozen=True, slots=True)
class Context:
    holdings_tag: str
    library_subfield: str
    patron_strings: frozenset[str] = frozenset()  # test patrons' names and barcodes


def owner_of(diff: FieldDiff, context: Context, after: pymarc.Record | None = None) -> Owner:
    """The check that reports ``diff``; ``after`` is the exported record, when it could be read."""
    if any(value in diff.after and value not in diff.before for value in context.patron_strings if len(value) >= 3):
        return Owner.PRIVACY
    if diff.kind == "normalisation":
        return Owner.LETTERS
    if diff.tag == context.holdings_tag:
        if diff.kind == "missing":
            # A lost copy of a library that still holds the record: KAT-01 holds, MARC-02 does not.
            library = _first(diff.before, context.library_subfield)
            still_held = after is not None and library in holders(after, context)
            return Owner.ROUND_TRIP if still_held else Owner.HOLDINGS_KEPT
        if diff.kind == "changed" and _only_library_lost(diff, context.library_subfield):
            return Owner.HOLDING_LIBRARY
    if diff.kind == "changed" and letters_only(diff.before, diff.after):
        return Owner.LETTERS
    return Owner.ROUND_TRIP


def owners(diffs: Iterable[FieldDiff], context: Context, after: pymarc.Record | None = None,
           into: dict[Owner, list[FieldDiff]] | None = None) -> dict[Owner, list[FieldDiff]]:
    """The diffs of one record by owner (added to ``into`` when given, for a whole batch)."""
    by_owner: dict[Owner, list[FieldDiff]] = {} if into is None else into
    for diff in diffs:
        by_owner.setdefault(owner_of(diff, context, after), []).append(diff)
    return by_owner


def holders(record: pymarc.Record, context: Context) -> frozenset[str]:
    """The libraries a record's holdings name."""
    return frozenset(v for f in record.get_fields(context.holdings_tag) for v in f.get_subfields(context.library_subfield))


def is_letter(char: str) -> bool:
    """A letter or a combining mark (Unicode L*, M*): what SPR-01 asks to survive. Format
    characters (SOFT HYPHEN, ZERO WIDTH JOINER) and spaces (NO-BREAK SPACE) are not."""
    return unicodedata.category(char)[0] in "LM"


def letters_only(before: str, after: str) -> bool:
    """True when every difference is non-ASCII letters lost or replaced: by '?' or U+FFFD (a
    wrong encoding), by other non-ASCII characters (mojibake: å read as Ã¥), or by ASCII
    letters (folded: á to a)."""
    if before == after:
        return False
    if Counter(before) == Counter(after):
        return False  # every character still there, in another order (RTL text reversed): MARC-02's
    for op, b1, b2, a1, a2 in SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        lost, came = before[b1:b2], after[a1:a2]
        if any(c.isascii() for c in lost):
            return False
        if came and all(c in _REPLACEMENTS or not c.isascii() for c in came):
            continue  # garbled by a wrong character encoding, whatever the character was: SPR-01's
        if not all(is_letter(c) for c in lost):
            return False  # SOFT HYPHEN, ZERO WIDTH JOINER, NO-BREAK SPACE dropped or replaced: text, MARC-02's
        if came and not all(c.isascii() and c.isalpha() for c in came):
            return False
    return True


def _first(line: str, code: str) -> str:
    return next((value for c, value in _subfields(line) if c == code), "")


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
