"""The SRU sandbox's defect catalogue: deviations real SRU servers have shown.

Each defect is one :class:`~harness.sandbox.sru.diagnostics.Deviation` of the sandbox's SRU
server, by the same name; the server applies it at one place (``respond()`` for what concerns
one request, the unit's sandbox service for the index and the HTTP wiring). Each check names
the defects that must make it FAIL with ``@pytest.mark.failed_by(...)``. ``seen_in`` says where
the deviation was seen in the wild.
"""

from __future__ import annotations

from harness.defects import Defect
from harness.sandbox.sru.diagnostics import Deviation

_MEASURED = "zebrasrv 2.2.7 / YAZ 5.34 (Debian bookworm), measured"


def _sru(deviation: Deviation, description: str, seen_in: str = "") -> Defect:
    return Defect("sru", deviation.value, description, seen_in)


# -- explain, versions, the envelope -----------------------------------------------------------
EXPLAIN_WRONG_SERVER_INFO = _sru(
    Deviation.EXPLAIN_WRONG_SERVER_INFO, "explain's serverInfo names port 210 and database 'Default', not the endpoint")
NAMESPACE_2_ON_1X = _sru(Deviation.NAMESPACE_2_ON_1X, "1.1 and 1.2 requests are answered in the SRU 2.0 namespace")
NO_DIAGNOSTIC_5 = _sru(Deviation.NO_DIAGNOSTIC_5, "an unsupported version is answered in the default version, no diagnostic 5")
VERSION_REQUIRED = _sru(Deviation.VERSION_REQUIRED, "a 2.0 request without version is refused with diagnostic 7")
HTML_CONTENT_TYPE = _sru(Deviation.HTML_CONTENT_TYPE, "responses are labelled text/html, not text/xml or application/sru+xml")
DIAGNOSTIC_WITHOUT_HITS = _sru(
    Deviation.DIAGNOSTIC_WITHOUT_HITS, "1.x responses with a fatal diagnostic have no numberOfRecords", _MEASURED)
POST_REFUSED = _sru(Deviation.POST_REFUSED, "HTTP POST is answered 405 although explain declares it")

# -- parameters and diagnostics ----------------------------------------------------------------
LENIENT_PARAMETERS = _sru(
    Deviation.LENIENT_PARAMETERS, "startRecord=0 and maximumRecords=-1 are taken as defaults; unknown parameters are ignored")
NO_DIAGNOSTIC_61 = _sru(Deviation.NO_DIAGNOSTIC_61, "startRecord past the end gives an empty page, no diagnostic 61")
NO_DIAGNOSTIC_16 = _sru(Deviation.NO_DIAGNOSTIC_16, "an unsupported index is searched as cql.serverChoice, no diagnostic 16")
NO_DIAGNOSTIC_71 = _sru(Deviation.NO_DIAGNOSTIC_71, "an unknown recordPacking is answered as string, no diagnostic 71", _MEASURED)
UNKNOWN_SCHEMA_AS_DEFAULT = _sru(
    Deviation.UNKNOWN_SCHEMA_AS_DEFAULT, "an unknown recordSchema is answered with MARCXML records, no diagnostic 66")

# -- CQL ---------------------------------------------------------------------------------------
TERM_ONLY_TITLE = _sru(Deviation.TERM_ONLY_TITLE, "a query of a term alone searches titles only, not cql.serverChoice")
ESCAPED_QUOTE_SYNTAX_ERROR = _sru(
    Deviation.ESCAPED_QUOTE_SYNTAX_ERROR, 'a quoted term with an escaped quote (\\") is answered with diagnostic 10')

# -- paging and records ------------------------------------------------------------------------
NEXT_POSITION_ON_LAST_PAGE = _sru(Deviation.NEXT_POSITION_ON_LAST_PAGE, "the last page carries a nextRecordPosition")
DEFAULT_RECORDS_ZERO = _sru(
    Deviation.DEFAULT_RECORDS_ZERO, "without maximumRecords no records come back, although explain declares a default of 10",
    "YAZ GFS default (research z3950-sru.md §3.2); kitodo/kitodo-production#1123 (undeclared defaults)")
MAXIMUM_RECORDS_IGNORED = _sru(
    Deviation.MAXIMUM_RECORDS_IGNORED, "maximumRecords above the maximum explain declares returns that many records")
ESCAPE_XML_IN_XML_PACKING = _sru(
    Deviation.ESCAPE_XML_IN_XML_PACKING, "recordPacking xml is answered with the record escaped as a string",
    "rero/rero-ils#2054 (record vs recordData mix-up)")
SCHEMA_URI_UNKNOWN = _sru(
    Deviation.SCHEMA_URI_UNKNOWN, "the MARCXML schema asked by its URI is answered with diagnostic 66",
    "zebrasrv without a retrieval backend for the URI (research z3950-sru.md §1.2)")
MARCXML_NO_NAMESPACE = _sru(
    Deviation.MARCXML_NO_NAMESPACE, 'MARCXML records in no namespace (xmlns="")', "dengelke/node-zoom2#8 (Alma SRU)")

# -- sorting and scan --------------------------------------------------------------------------
SORT_IGNORED = _sru(Deviation.SORT_IGNORED, "sort keys are accepted and silently ignored")
SORT_CODE_POINT = _sru(Deviation.SORT_CODE_POINT, "titles are sorted by code point: Å before Æ, Č and Đ after Z")
SCAN_IGNORES_MAXIMUM_TERMS = _sru(Deviation.SCAN_IGNORES_MAXIMUM_TERMS, "scan returns more terms than maximumTerms asks")

# -- the consortium's catalogue ----------------------------------------------------------------
MEMBER_VIEW_OWN_HOLDINGS = _sru(
    Deviation.MEMBER_VIEW_OWN_HOLDINGS, "a member library's view finds only the records that library holds")
STALE_INDEX = _sru(
    Deviation.STALE_INDEX, "records imported after the server started are never indexed",
    "Koha with Zebra when the indexing daemon or cron job is not running")
LIBRARY_LIMIT_IGNORED = _sru(Deviation.LIBRARY_LIMIT_IGNORED, "a search limited to one library's holdings returns every record")
HOLDINGS_WITHOUT_LIBRARY = _sru(Deviation.HOLDINGS_WITHOUT_LIBRARY, "holdings (852, 876) in SRU records do not name their library")
AVAILABILITY_NOT_LIVE = _sru(
    Deviation.AVAILABILITY_NOT_LIVE, "item status in SRU records is as it was when the server started; new loans do not show")
BORROWER_IN_HOLDINGS = _sru(Deviation.BORROWER_IN_HOLDINGS, "a copy on loan names its borrower in the SRU record (876 $z)")

# -- letters -------------------------------------------------------------------------------------
RECORDS_LOSE_SAMI_LETTERS = _sru(
    Deviation.RECORDS_LOSE_SAMI_LETTERS, "č š ž ŋ ŧ are dropped from returned records",
    "YAZ's UTF-8 to MARC-8 conversion (research z3950-sru.md §0, measured)")
NFD_UNFINDABLE = _sru(Deviation.NFD_UNFINDABLE, "the index does not normalise: NFD data is not found by NFC queries")
ASCII_CASE_ONLY = _sru(
    Deviation.ASCII_CASE_ONLY, "only A-Z are case-folded: ŊUOLGGAT does not find ŋuolggat",
    "Zebra's stock string.chr (research z3950-sru.md §1.2)")
LETTER_FOLDING = _sru(Deviation.LETTER_FOLDING, "letters are folded to ASCII: bater finds båter, cappa finds čáppa, undeclared")

# The defects that build the sandbox server's own search index (harness/sru/sandbox.py): none of
# them composes with a cooperation defect, which replaces that index too (harness.registry).
INDEX_DEFECTS: tuple[Defect, ...] = (STALE_INDEX, NFD_UNFINDABLE, LETTER_FOLDING, AVAILABILITY_NOT_LIVE)

CATALOGUE: tuple[Defect, ...] = (
    EXPLAIN_WRONG_SERVER_INFO, NAMESPACE_2_ON_1X, NO_DIAGNOSTIC_5, VERSION_REQUIRED, HTML_CONTENT_TYPE,
    DIAGNOSTIC_WITHOUT_HITS, POST_REFUSED, LENIENT_PARAMETERS, NO_DIAGNOSTIC_61, NO_DIAGNOSTIC_16, NO_DIAGNOSTIC_71,
    UNKNOWN_SCHEMA_AS_DEFAULT, TERM_ONLY_TITLE, ESCAPED_QUOTE_SYNTAX_ERROR, NEXT_POSITION_ON_LAST_PAGE,
    DEFAULT_RECORDS_ZERO, MAXIMUM_RECORDS_IGNORED, ESCAPE_XML_IN_XML_PACKING, SCHEMA_URI_UNKNOWN, MARCXML_NO_NAMESPACE,
    SORT_IGNORED, SORT_CODE_POINT, SCAN_IGNORES_MAXIMUM_TERMS, MEMBER_VIEW_OWN_HOLDINGS, STALE_INDEX,
    LIBRARY_LIMIT_IGNORED, HOLDINGS_WITHOUT_LIBRARY, AVAILABILITY_NOT_LIVE, BORROWER_IN_HOLDINGS,
    RECORDS_LOSE_SAMI_LETTERS, NFD_UNFINDABLE, ASCII_CASE_ONLY, LETTER_FOLDING,
)
