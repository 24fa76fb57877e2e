"""The SRU diagnostics the sandbox sends, with the list's own messages, and its switches.

Numbers and messages: LoC "SRU Diagnostics List" (``info:srw/diagnostic/1/N``), the same
list in SRU 1.1, 1.2 and 2.0 (OASIS searchRetrieve v1.0 Part 3, Diagnostics).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

MESSAGES = {
    1: "General system error",
    4: "Unsupported operation",
    5: "Unsupported version",
    6: "Unsupported parameter value",
    7: "Mandatory parameter not supplied",
    8: "Unsupported parameter",
    10: "Query syntax error",
    15: "Unsupported context set",
    16: "Unsupported index",
    19: "Unsupported relation",
    20: "Unsupported relation modifier",
    27: "Empty term unsupported",
    37: "Unsupported boolean operator",
    46: "Unsupported boolean modifier",
    61: "First record position out of range",
    66: "Unknown schema for retrieval",
    71: "Unsupported record packing",
    80: "Sort not supported",
}


@dataclass(frozen=True, slots=True)
class Diag:
    code: int
    details: str = ""

    @property
    def uri(self) -> str:
        return f"info:srw/diagnostic/1/{self.code}"

    @property
    def message(self) -> str:
        return MESSAGES.get(self.code, "")


class SruFault(Exception):
    """A fatal diagnostic: the request cannot be answered with records."""

    def __init__(self, code: int, details: str = "") -> None:
        super().__init__(f"diagnostic {code}: {details}")
        self.diag = Diag(code, details)


class Deviation(str, enum.Enum):
    """Named ways the sandbox can deviate from the standards, for the defect catalogue.

    :func:`~harness.sandbox.sru.service.respond` honours the members that concern one request;
    the ones that concern the index or the HTTP wiring (marked *service*) are honoured by the
    sandbox service (``harness/sru/sandbox.py``). ``harness/sru/defects.py`` names each as a
    defect, and the checks name the defects that must make them FAIL.
    """

    NO_DIAGNOSTIC_16 = "sru-no-diagnostic-16"  # an unknown index is searched as cql.serverChoice
    LIBRARY_LIMIT_IGNORED = "sru-library-limit-ignored"  # local.library matches every record
    NEXT_POSITION_ON_LAST_PAGE = "sru-next-position-on-last-page"
    NAMESPACE_2_ON_1X = "sru-2.0-namespace-on-1.x"  # a 1.x answer in the 2.0 namespace
    NO_DIAGNOSTIC_71 = "sru-no-diagnostic-71"  # an unknown recordPacking is answered as string
    NO_DIAGNOSTIC_5 = "sru-no-diagnostic-5"  # an unsupported version is answered as the default
    DEFAULT_RECORDS_ZERO = "sru-default-records-zero"  # no maximumRecords: no records (YAZ), explain says otherwise
    SORT_IGNORED = "sru-sort-ignored"  # sort keys accepted and silently ignored
    ESCAPE_XML_IN_XML_PACKING = "sru-string-packing-for-xml"  # packing xml asked, escaped string sent
    # -- added with the SRU suite ---------------------------------------------------------------
    EXPLAIN_WRONG_SERVER_INFO = "sru-explain-wrong-server-info"  # service: serverInfo names port 210, database Default
    VERSION_REQUIRED = "sru-version-required"  # a 2.0 request without version gets diagnostic 7
    LENIENT_PARAMETERS = "sru-lenient-parameters"  # bad startRecord/maximumRecords taken as defaults, unknown parameters ignored
    DIAGNOSTIC_WITHOUT_HITS = "sru-diagnostic-without-number-of-records"  # 1.x fatal diagnostics without numberOfRecords
    HTML_CONTENT_TYPE = "sru-text-html"  # service: answers labelled text/html
    TERM_ONLY_TITLE = "sru-term-only-title"  # a term alone searches the title only
    ESCAPED_QUOTE_SYNTAX_ERROR = "sru-escaped-quote-syntax-error"  # a \" in a quoted term is answered with 10
    NO_DIAGNOSTIC_61 = "sru-no-diagnostic-61"  # startRecord past the end: an empty page
    MAXIMUM_RECORDS_IGNORED = "sru-maximum-records-ignored"  # maximumRecords above the declared maximum is honoured
    SCHEMA_URI_UNKNOWN = "sru-schema-uri-unknown"  # the MARCXML schema by URI is answered with 66
    MARCXML_NO_NAMESPACE = "sru-marcxml-no-namespace"  # records in no namespace (xmlns="")
    UNKNOWN_SCHEMA_AS_DEFAULT = "sru-unknown-schema-as-default"  # an unknown schema gets MARCXML, no 66
    SORT_CODE_POINT = "sru-sort-code-point-order"  # titles sorted by code point: Å before Æ, Č after Z
    SCAN_IGNORES_MAXIMUM_TERMS = "sru-scan-ignores-maximum-terms"
    MEMBER_VIEW_OWN_HOLDINGS = "sru-member-view-own-holdings"  # a member's view finds only what it holds
    STALE_INDEX = "sru-stale-index"  # service: records imported after start are never indexed
    HOLDINGS_WITHOUT_LIBRARY = "sru-holdings-without-library"  # 852/876 without $a
    AVAILABILITY_NOT_LIVE = "sru-availability-not-live"  # service: item status as it was at start
    BORROWER_IN_HOLDINGS = "sru-borrower-in-holdings"  # a copy on loan names its borrower
    RECORDS_LOSE_SAMI_LETTERS = "sru-records-lose-sami-letters"  # č š ž ŋ ŧ dropped from records
    NFD_UNFINDABLE = "sru-nfd-unfindable"  # service: no canonical normalisation in the index
    ASCII_CASE_ONLY = "sru-ascii-case-only"  # only A-Z are case-folded in queries
    LETTER_FOLDING = "sru-letter-folding"  # service and query: å→a, ø→o, č→c, ŋ→n ...
    POST_REFUSED = "sru-post-refused"  # service: HTTP POST answered 405
