"""The MARC sandbox's defect catalogue: what real import/export services have got wrong.

Applied by the sandbox's MARC service (``harness/marc/sandbox.py``), each at one place marked
``DEFECT``; each check names the defects that must make it FAIL with
``@pytest.mark.failed_by(...)``.
"""

from __future__ import annotations

from harness.defects import Defect


def _marc(name: str, description: str, seen_in: str = "") -> Defect:
    return Defect("marc", name, description, seen_in)


LENGTH_IN_CHARACTERS = _marc(
    "marc-length-in-characters",
    "ISO 2709 export counts leader/00-04 and directory lengths in characters, not bytes",
    "internetarchive/openlibrary#11507, ruby-marc#26, marc4j#40")
LEADER09_BLANK = _marc(
    "marc-leader09-blank", "ISO 2709 export writes UTF-8 data with leader/09 blank (claims MARC-8)",
    "openlibrary#10955, pymarc#23")
EXPORT_LATIN1 = _marc(
    "marc-export-latin1",
    "ISO 2709 export encodes text in Latin-1 (Sámi letters become '?') while leader/09 says UTF-8")
EXPORT_NFD = _marc("marc-export-nfd", "export decomposes all text to NFD (á becomes a + U+0301)", "marc4j#78")
IMPORT_NFC = _marc(
    "marc-import-nfc", "import composes all text to NFC, so records stored decomposed do not come back byte-exact",
    "metadatabyran.kb.se (LIBRIS precomposes on save)")
REORDER_FIELDS = _marc("marc-reorder-fields", "export sorts variable fields by tag, losing the catalogued order")
DROP_880 = _marc(
    "marc-drop-880", "880 alternate graphic representation fields are dropped on import",
    "FOLIO-FSE/folio_migration_tools#9, hbz/lobid-resources#1842")
TRUNCATE_LONG_FIELDS = _marc("marc-truncate-long-fields", "fields over 9,999 bytes are cut to 9,999 bytes on import")
OVERSIZE_CORRUPT = _marc(
    "marc-oversize-corrupt",
    "ISO 2709 export writes oversize records as pymarc does: 5-digit field lengths, 6-digit record length",
    "edsu/pymarc#42")
MARCXML_NO_NAMESPACE = _marc("marc-marcxml-no-namespace", "MARCXML export omits the MARC 21 slim namespace")
IGNORE_035_MATCH = _marc(
    "marc-ignore-035-match", "an incoming full or changed record is not matched on 035 (NO-OsBA): a duplicate is created")
UPGRADE_DROPS_HOLDINGS = _marc(
    "marc-upgrade-drops-holdings", "upgrading a record in place replaces it whole, losing the local holdings (852)")
HOLDINGS_WITHOUT_LIBRARY = _marc("marc-holdings-without-library", "exported holdings (852) lack $a, the owning library's number")
FIRST_HOLDING_ONLY = _marc("marc-first-holding-only", "export keeps only the first library's holding of a shared record")
LIBRARY_FILTER_IGNORED = _marc("marc-library-filter-ignored", "a one-library export returns the whole catalogue")
EXPORT_BORROWER = _marc("marc-export-borrower", "exported holdings carry the current borrower's name in 852 $z")

CATALOGUE: tuple[Defect, ...] = (
    LENGTH_IN_CHARACTERS, LEADER09_BLANK, EXPORT_LATIN1, EXPORT_NFD, IMPORT_NFC, REORDER_FIELDS, DROP_880,
    TRUNCATE_LONG_FIELDS, OVERSIZE_CORRUPT, MARCXML_NO_NAMESPACE, IGNORE_035_MATCH, UPGRADE_DROPS_HOLDINGS,
    HOLDINGS_WITHOUT_LIBRARY, FIRST_HOLDING_ONLY, LIBRARY_FILTER_IGNORED, EXPORT_BORROWER,
)
