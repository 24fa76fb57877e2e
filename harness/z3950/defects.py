"""The Z39.50 sandbox's defect catalogue: deviations real Z39.50 targets have shown.

The sandbox's Z39.50 code (``harness/z3950/sandbox/``) applies each at one place marked
``DEFECT``, asking ``defects.active(<CONSTANT>)``; each check names the defects that must make
it FAIL with ``@pytest.mark.failed_by(...)``. ``seen_in`` says where the deviation was seen:
"measured" ones were measured in this repository's peer tests (tests/peers/test_z3950_*.py).
"""

from __future__ import annotations

from harness.defects import Defect

_ZEBRA = "zebrasrv 2.2.7 / YAZ 5.34 (Debian bookworm), measured"
_ZTEST = "yaz-ztest 5.34 (Debian bookworm), measured"


def _z(name: str, description: str, seen_in: str = "") -> Defect:
    return Defect("z3950", f"z3950-{name}", description, seen_in)


# -- Init, character sets, Close ------------------------------------------------------------------
DELETE_CLAIMED = _z("delete-claimed", "Init agrees to delSet, but Delete result set deletes nothing and "
                    "answers resultSetDidNotExist", _ZTEST)
REFERENCE_ID_DROPPED = _z("reference-id-dropped", "responses to Search and Present carry no Reference-id")
CHARSET_NOT_PROPOSED = _z("charset-not-proposed", "UTF-8 is proposed in Init, ISO-8859-1 is selected", _ZTEST)
CLOSE_DROPS_CONNECTION = _z("close-drops-connection", "the origin's Close is answered by closing the TCP connection",
                            "folio-org/Net-Z3950-FOLIO doc/capabilities.md (no Close)")
MALFORMED_PDU_DROPPED = _z("malformed-pdu-dropped", "a PDU that cannot be read is answered by closing the connection, "
                           "no Close(protocolError)")
# -- Search ----------------------------------------------------------------------------------------
BATH_ANY_REFUSED = _z("bath-any-refused", "Use 1016 (Any) is answered with Bib-1 114: Bath level 0's keyword search fails")
TRUNCATION_IGNORED = _z("truncation-ignored", "right truncation (5=1) is searched as a whole word: fewer hits, no diagnostic")
SILENT_ZERO = _z("silent-zero", "unsupported Structure and Completeness values are searched: 0 hits, no Bib-1 118/122",
                 _ZEBRA)
UNSUPPORTED_USE_SEARCHED = _z("unsupported-use-searched", "an unsupported Use attribute is searched as Any, no Bib-1 114",
                              _ZTEST)
PIGGYBACK_IGNORED = _z("piggyback-ignored", "a small result set comes back without its records, no diagnostic")
NAMED_SETS_SHARED = _z("named-sets-shared", "every result set name refers to the last search: set a is lost when b is made")
# -- Present -----------------------------------------------------------------------------------------
XML_AS_USMARC = _z("xml-as-usmarc", "MARCXML asked for, USMARC returned under the USMARC OID")
NO_DIAGNOSTIC_13 = _z("no-diagnostic-13", "a Present past the end of the result set gives no records and no Bib-1 13")
UNKNOWN_SET_AS_DEFAULT = _z("unknown-set-as-default", "a Present from an unknown result set presents the default set")
RECORD_SIZE_IGNORED = _z("record-size-ignored", "records larger than the negotiated sizes are sent anyway, no surrogate 16/17",
                         "pulibrary/ExcelAlmaLookup#31 (OCLC: blank records when too big)")
OPAC_WITHOUT_HOLDINGS = _z("opac-without-holdings", "OPAC records carry the bibliographic record only, no holdings")
OPAC_HOLDINGS_WITHOUT_LIBRARY = _z("opac-holdings-without-library",
                                   "OPAC holdings name neither the library (nucCode) nor its location")
SCAN_FROM_THE_START = _z("scan-from-the-start", "Scan lists the index from its first term, not from the start term", _ZTEST)
SORT_CODE_POINT = _z("sort-code-point", "Sort orders titles by code point: Å before Æ, Č and Đ after Z")
SORT_IGNORED = _z("sort-ignored", "Sort answers success and leaves the order as it was")
# -- the consortium's catalogue -----------------------------------------------------------------------
MEMBER_VIEW_OWN_HOLDINGS = _z("member-view-own-holdings", "a member library's database finds only that library's records")
STALE_INDEX = _z("stale-index", "records imported after the server started are never indexed",
                 "Koha with Zebra when the indexing daemon or cron job is not running")
LIBRARY_LIMIT_IGNORED = _z("library-limit-ignored", "a search limited by Code-institution (Use 56) returns every record")
AVAILABILITY_NOT_LIVE = _z("availability-not-live", "OPAC circulation data is as it was when the server started")
BORROWER_IN_OPAC = _z("borrower-in-opac", "a copy on loan names its borrower in the OPAC record's circulation data")
# -- letters ---------------------------------------------------------------------------------------
LEADER_09_BLANK = _z("leader-09-blank", "USMARC records in UTF-8 have leader/09 blank (MARC-8 declared)",
                     "OCLC and Voilà records (CODE4LIB, Nov 2022); indexdata/yaz#33")
RECORDS_LOSE_SAMI_LETTERS = _z("records-lose-sami-letters", "č š ž ŋ ŧ are dropped from USMARC records",
                               "YAZ's UTF-8 to MARC-8 conversion (research z3950-sru.md §0, measured)")
MARC8_DROPS_SAMI = _z("marc8-drops-sami", "when MARC-8 is negotiated, č š ž ŋ ŧ are dropped from the records",
                      "YAZ 5.34 utf-8 to marc-8 conversion, measured with yaz-marcdump")
NFD_UNFINDABLE = _z("nfd-unfindable", "the index does not normalise: NFD data is not found by NFC terms")
ASCII_CASE_ONLY = _z("ascii-case-only", "only A-Z are case-folded: ŊUOLGGAT does not find ŋuolggat",
                     "Zebra's stock string.chr (research z3950-sru.md §1.2)")
LETTER_FOLDING = _z("letter-folding", "letters are folded to ASCII: cappa finds čáppa, bater finds båter")

# The defects that build the sandbox target's own search index (harness/z3950/sandbox/service.py):
# none of them composes with a cooperation defect, which replaces that index too (harness.registry).
INDEX_DEFECTS: tuple[Defect, ...] = (NFD_UNFINDABLE, LETTER_FOLDING, STALE_INDEX)

CATALOGUE: tuple[Defect, ...] = (
    DELETE_CLAIMED, REFERENCE_ID_DROPPED, CHARSET_NOT_PROPOSED, CLOSE_DROPS_CONNECTION, MALFORMED_PDU_DROPPED,
    BATH_ANY_REFUSED,
    TRUNCATION_IGNORED, SILENT_ZERO, UNSUPPORTED_USE_SEARCHED, PIGGYBACK_IGNORED, NAMED_SETS_SHARED, XML_AS_USMARC,
    NO_DIAGNOSTIC_13, UNKNOWN_SET_AS_DEFAULT, RECORD_SIZE_IGNORED, OPAC_WITHOUT_HOLDINGS, OPAC_HOLDINGS_WITHOUT_LIBRARY,
    SCAN_FROM_THE_START, SORT_CODE_POINT, SORT_IGNORED, MEMBER_VIEW_OWN_HOLDINGS, STALE_INDEX, LIBRARY_LIMIT_IGNORED,
    AVAILABILITY_NOT_LIVE, BORROWER_IN_OPAC, LEADER_09_BLANK, RECORDS_LOSE_SAMI_LETTERS, MARC8_DROPS_SAMI,
    NFD_UNFINDABLE, ASCII_CASE_ONLY, LETTER_FOLDING,
)
