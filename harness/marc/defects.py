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
FIRST_HOLDING_ONLY = _marc("marc-first-holding-only", "export keeps only the first library's holdings of a shared record")
LIBRARY_FILTER_IGNORED = _marc("marc-library-filter-ignored", "a one-library export returns the whole catalogue")
EXPORT_BORROWER = _marc("marc-export-borrower", "exported holdings carry the current borrower's name in 852 $z")

# --- changes to the records (MARC-02's round trip): what real systems were seen doing to the
# catalogue on the way in or out. The record transforms are harness/marc/mutations.py; each is
# visible on the round-trip test records hx0000241-250 (fixtures/marc/_changes.py).
SORT_SUBFIELDS = _marc("marc-sort-subfields", "import sorts each field's subfields by code ($a $n $p $n $p $c becomes $a $c $n $n $p $p)",
                       "inveniosoftware/invenio#693 (BibEdit ordered subfields alphabetically on load)")
MERGE_REPEATED_SUBFIELDS = _marc(
    "marc-merge-repeated-subfields", "import merges a repeated subfield into its first occurrence ($x Historie $x Kilder becomes $x Historie Kilder)",
    "lcnetdev/marc2bibframe2#236 (repeated $t $g $k appended to $a on a round trip)")
MOVE_6_FIRST = _marc("marc-move-6-first", "export moves $6 to the front of every field that has it")
REVERSE_RTL = _marc("marc-reverse-rtl", "export writes right-to-left 880 text (Arabic, Hebrew) in visual order, reversed")
BLANK_RARE_INDICATORS = _marc("marc-blank-rare-indicators", "import blanks every indicator value other than blank, 0 and 1")
DROP_9XX = _marc("marc-drop-9xx", "import drops the local 9XX fields", "internetarchive/openlibrary#2739 (local notes dropped on import)")
DROP_LOCAL_9 = _marc("marc-drop-local-9", "import drops every $9 (Norwegian systems' $9 LOCAL, language of heading)",
                     "hbz/lobid-resources#1762 (fields with $9 LOCAL filtered out)")
DROP_ALPHA_TAGS = _marc("marc-drop-alpha-tags", "import drops fields with alphabetic tags (Aleph's CAT, Alma's lowercase ava)")
UPCASE_TAGS = _marc("marc-upcase-tags", "export writes alphabetic tags in upper case (ava becomes AVA)")
TRUNCATE_NOTES = _marc("marc-truncate-notes", "import cuts 5XX note text at 2,000 bytes (a database column's width)")
UNESCAPE_URLS = _marc("marc-unescape-urls", "export percent-decodes 856 $u (m%C3%B8rketid becomes mørketid, %2F becomes /)")
COLLAPSE_SPACES = _marc("marc-collapse-spaces", "import collapses runs of spaces in subfield text to one space")
TRIM_VALUES = _marc("marc-trim-values", "import strips leading and trailing spaces from subfield text",
                    "metafacture/metafacture-core#233, #441 (MARCXML values trimmed)")
STRIP_LEADING_ZEROS = _marc("marc-strip-leading-zeros", "import reads numeric subfields as numbers: 00839.82 becomes 839.82")
NBSP_TO_SPACE = _marc("marc-nbsp-to-space", "import replaces NO-BREAK SPACE (U+00A0) with a space")
DROP_SOFT_HYPHEN = _marc("marc-drop-soft-hyphen", "import removes SOFT HYPHEN (U+00AD)")
DROP_ZWJ = _marc("marc-drop-zwj", "import removes ZERO WIDTH JOINER (U+200D)")
DROP_AUTHORITY_LINKS = _marc("marc-drop-authority-links", "import drops $0 authority record links")
DROP_SERIAL_HOLDINGS = _marc("marc-drop-serial-holdings", "import drops embedded serial holdings: captions and enumeration (853-855, 863-868)")
ONE_COPY_PER_LIBRARY = _marc("marc-one-copy-per-library", "export keeps one 852 per library: a library's second and third copies are lost")
RESET_LEADER = _marc("marc-reset-leader", "import overwrites leader/17-18 with the system's defaults (blank: full level; a: AACR 2): "
                                          "the encoding level and the cataloguing form (i: ISBD) are lost")
MARCXML_NORMALIZE_SPACE = _marc("marc-marcxml-normalize-space",
                                "the MARCXML export applies XSLT normalize-space() to subfield text (the ISO 2709 export is right)")

# --- the requirements' own words (MARC-01, MARC-03, MARC-04, SPR-01)
OVERSIZE_OMITTED_SILENTLY = _marc("marc-oversize-omitted-silently",
                                  "ISO 2709 export leaves out the records it cannot hold (over 99,999 bytes, or a field over 9,999) "
                                  "without naming them (no X-Omitted-Records)")
MARCXML_FIRST_PAGE = _marc("marc-marcxml-first-page",
                           "the MARCXML export stops after its first page of 200 records and says nothing (the ISO 2709 export is whole)")
IGNORE_DELETION = _marc("marc-ignore-deletion",
                        "import skips an incoming deletion (leader/05 = d): the record stays in the catalogue as it was")
LIBRARY_EXPORT_BORROWER = _marc("marc-library-export-borrower",
                                "a one-library export (the library's own) carries the borrower of each loaned copy in 852 $z")
SPLIT_PER_LIBRARY = _marc("marc-split-per-library",
                          "export writes a shared record once per library holding it, each copy with that library's holdings only")
MARCXML_NFD = _marc("marc-marcxml-nfd", "the MARCXML export decomposes text to NFD (the ISO 2709 export is byte-exact)")

ROUND_TRIP_CHANGES: tuple[Defect, ...] = (
    SORT_SUBFIELDS, MERGE_REPEATED_SUBFIELDS, MOVE_6_FIRST, REVERSE_RTL, BLANK_RARE_INDICATORS, DROP_9XX, DROP_LOCAL_9,
    DROP_ALPHA_TAGS, UPCASE_TAGS, TRUNCATE_NOTES, UNESCAPE_URLS, COLLAPSE_SPACES, TRIM_VALUES, STRIP_LEADING_ZEROS,
    NBSP_TO_SPACE, DROP_SOFT_HYPHEN, DROP_ZWJ, DROP_AUTHORITY_LINKS, DROP_SERIAL_HOLDINGS, ONE_COPY_PER_LIBRARY, RESET_LEADER,
)

CATALOGUE: tuple[Defect, ...] = (
    LENGTH_IN_CHARACTERS, LEADER09_BLANK, EXPORT_LATIN1, EXPORT_NFD, IMPORT_NFC, REORDER_FIELDS, DROP_880,
    TRUNCATE_LONG_FIELDS, OVERSIZE_CORRUPT, MARCXML_NO_NAMESPACE, IGNORE_035_MATCH, UPGRADE_DROPS_HOLDINGS,
    HOLDINGS_WITHOUT_LIBRARY, FIRST_HOLDING_ONLY, LIBRARY_FILTER_IGNORED, EXPORT_BORROWER,
    *ROUND_TRIP_CHANGES, MARCXML_NORMALIZE_SPACE, OVERSIZE_OMITTED_SILENTLY, MARCXML_FIRST_PAGE, IGNORE_DELETION, MARCXML_NFD,
    SPLIT_PER_LIBRARY, LIBRARY_EXPORT_BORROWER,
)
