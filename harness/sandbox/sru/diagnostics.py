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

    The SRU service honours each member passed in ``deviations``; the catalogue (not built
    here) names which checks each must FAIL.
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
