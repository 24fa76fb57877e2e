"""The sandbox's defect catalogue: named deviations that real systems have shown.

Each defect names the check(s) it must make FAIL; ``tests/integration/test_defects.py``
switches every defect on and asserts exactly that, and runs the clean sandbox to assert
every check passes. A check no defect can fail is a check that proves nothing (DESIGN.md).

Checks are named by their scenario function name, which is stable across files.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from harness.errors import UsageError


@dataclass(frozen=True, slots=True)
class Defect:
    name: str
    protocol: str
    description: str
    must_fail: tuple[str, ...]
    seen_in: str = ""  # where the deviation was reported in the wild


CATALOGUE: tuple[Defect, ...] = (
    Defect(
        "marc-length-in-characters", "marc",
        "ISO 2709 export counts leader/00-04 and directory lengths in characters, not bytes",
        ("test_iso2709_export_is_structurally_valid",),
        "internetarchive/openlibrary#11507, ruby-marc#26, marc4j#40",
    ),
    Defect(
        "marc-leader09-blank", "marc",
        "ISO 2709 export writes UTF-8 data with leader/09 blank (claims MARC-8)",
        ("test_iso2709_export_declares_and_uses_utf8",),
        "openlibrary#10955, pymarc#23",
    ),
    Defect(
        "marc-export-latin1", "marc",
        "ISO 2709 export encodes text in Latin-1 (Sámi letters become '?') while leader/09 says UTF-8",
        ("test_iso2709_export_declares_and_uses_utf8", "test_letters_survive_import_export_byte_exact"),
    ),
    Defect(
        "marc-export-nfd", "marc",
        "export decomposes all text to NFD (á becomes a + U+0301)",
        ("test_letters_survive_import_export_byte_exact", "test_import_export_round_trip_unchanged"),
        "marc4j#78",
    ),
    Defect(
        "marc-import-nfc", "marc",
        "import composes all text to NFC, so records stored decomposed do not come back byte-exact",
        ("test_letters_survive_import_export_byte_exact",),
        "metadatabyran.kb.se (LIBRIS precomposes on save)",
    ),
    Defect(
        "marc-reorder-fields", "marc",
        "export sorts variable fields by tag, losing the catalogued order",
        ("test_import_export_round_trip_unchanged",),
    ),
    Defect(
        "marc-drop-880", "marc",
        "880 alternate graphic representation fields are dropped on import",
        ("test_880_linkage_survives_export", "test_import_export_round_trip_unchanged"),
        "FOLIO-FSE/folio_migration_tools#9, hbz/lobid-resources#1842",
    ),
    Defect(
        "marc-truncate-long-fields", "marc",
        "fields over 9,999 bytes are cut to 9,999 bytes on import",
        ("test_oversize_records_not_corrupted",),
    ),
    Defect(
        "marc-oversize-corrupt", "marc",
        "ISO 2709 export writes oversize records as pymarc does: 5-digit field lengths, 6-digit record length",
        ("test_oversize_records_not_corrupted", "test_iso2709_export_is_structurally_valid"),
        "edsu/pymarc#42",
    ),
    Defect(
        "marc-marcxml-no-namespace", "marc",
        "MARCXML export omits the MARC 21 slim namespace",
        ("test_marcxml_export_is_schema_valid",),
    ),
    Defect(
        "marc-ignore-035-match", "marc",
        "an incoming full or changed record is not matched on 035 (NO-OsBA): a duplicate is created",
        ("test_prepublication_record_upgraded_in_place",),
    ),
    Defect(
        "marc-upgrade-drops-holdings", "marc",
        "upgrading a record in place replaces it whole, losing the local holdings (852)",
        ("test_prepublication_record_upgraded_in_place",),
    ),
    Defect(
        "marc-holdings-without-library", "marc",
        "exported holdings (852) lack $a, the owning library's number",
        ("test_every_holding_names_its_owning_library",),
    ),
    Defect(
        "marc-first-holding-only", "marc",
        "export keeps only the first library's holding of a shared record",
        ("test_shared_record_keeps_holdings_of_every_library",),
    ),
    Defect(
        "marc-library-filter-ignored", "marc",
        "a one-library export returns the whole catalogue",
        ("test_library_export_holds_only_that_library",),
    ),
    Defect(
        "marc-export-borrower", "marc",
        "exported holdings carry the current borrower's name in 852 $z",
        ("test_export_carries_no_patron_data",),
    ),
)

BY_NAME: dict[str, Defect] = {d.name: d for d in CATALOGUE}


def resolve(names: list[str] | tuple[str, ...]) -> frozenset[str]:
    """Validate user-given defect names; an unknown one is a usage error with a suggestion."""
    for name in names:
        if name not in BY_NAME:
            close = difflib.get_close_matches(name, list(BY_NAME), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise UsageError(
                f"--sandbox-defect {name}: no such defect. Fix: {hint}"
                "list them with `harness sandbox --list-defects`"
            )
    return frozenset(names)
