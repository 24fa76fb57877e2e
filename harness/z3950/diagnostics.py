"""Bib-1 diagnostics: the codes a target answers with, and what each one means.

Z39.50-2003 Appendix ERR (Bib-1 diagnostic set, 1.2.840.10003.4.1) and the Z39.50
Maintenance Agency's list "Bib-1 Diagnostics" (loc.gov/z3950/agency/defns/bib1diag.html),
which adds the 1000-range. The meanings below are the list's wording, shortened only where
it is long; an evidence line reads "Bib-1 114 Unsupported Use attribute: 9999".

A diagnostic arrives in one of two forms (Appendix ASN1, DiagRec): ``defaultFormat`` (set,
condition, addinfo) or ``externallyDefined``, an EXTERNAL normally in diag-1
(1.2.840.10003.4.2) that wraps a default-format record. Both become :class:`Diagnostic`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from harness.z3950.oids import BIB1_DIAGNOSTICS, name_of

BIB1: Mapping[int, str] = MappingProxyType({
    1: "Permanent system error",
    2: "Temporary system error",
    3: "Unsupported search",
    4: "Terms only exclusion (stop) words",
    5: "Too many argument words",
    6: "Too many boolean operators",
    7: "Too many truncated words",
    8: "Too many incomplete subfields",
    9: "Truncated words too short",
    10: "Invalid format for record number (search term)",
    11: "Too many characters in search statement",
    12: "Too many records retrieved",
    13: "Present request out-of-range",
    14: "System error in presenting records",
    15: "Record not authorized to be sent intersystem",
    16: "Record exceeds Preferred-message-size",
    17: "Record exceeds Exceptional-record-size",
    18: "Result set not supported as a search term",
    19: "Only single result set as search term supported",
    20: "Only ANDing of a single result set as search term",
    21: "Result set exists and replace indicator off",
    22: "Result set naming not supported",
    23: "Specified combination of databases not supported",
    24: "Element set names not supported",
    25: "Specified element set name not valid for specified database",
    26: "Only generic form of element set name supported",
    27: "Result set no longer exists - unilaterally deleted by target",
    28: "Result set is in use",
    29: "One of the specified databases is locked",
    30: "Specified result set does not exist",
    31: "Resources exhausted - no results available",
    32: "Resources exhausted - unpredictable partial results available",
    33: "Resources exhausted - valid subset of results available",
    100: "(unspecified) error",
    101: "Access-control failure",
    102: "Challenge required, could not be issued - operation terminated",
    103: "Challenge required, could not be issued - record not included",
    104: "Challenge failed - record not included",
    105: "Terminated at origin request",
    106: "No abstract syntaxes agreed to for this record",
    107: "Query type not supported",
    108: "Malformed query",
    109: "Database unavailable",
    110: "Operator unsupported",
    111: "Too many databases specified",
    112: "Too many result sets created",
    113: "Unsupported attribute type",
    114: "Unsupported Use attribute",
    115: "Unsupported term value for Use attribute",
    116: "Use attribute required but not supplied",
    117: "Unsupported Relation attribute",
    118: "Unsupported Structure attribute",
    119: "Unsupported Position attribute",
    120: "Unsupported Truncation attribute",
    121: "Unsupported Attribute Set",
    122: "Unsupported Completeness attribute",
    123: "Unsupported attribute combination",
    124: "Unsupported coded value for term",
    125: "Malformed search term",
    126: "Illegal term value for attribute",
    127: "Unparsable format for un-normalized value",
    128: "Illegal result set name",
    129: "Proximity search of sets not supported",
    130: "Illegal result set in proximity search",
    131: "Unsupported proximity relation",
    132: "Unsupported proximity unit code",
    201: "Proximity not supported with this attribute combination",
    202: "Unsupported distance for proximity",
    203: "Ordered flag not supported for proximity",
    205: "Only zero step size supported for Scan",
    206: "Specified step size not supported for Scan",
    207: "Cannot sort according to sequence",
    208: "No result set name supplied on Sort",
    209: "Generic sort not supported (database-specific sort only supported)",
    210: "Database specific sort not supported",
    211: "Too many sort keys",
    212: "Duplicate sort keys",
    213: "Unsupported missing data action",
    214: "Illegal sort relation",
    215: "Illegal case value",
    216: "Illegal missing data action",
    217: "Segmentation: Cannot guarantee records will fit in specified segments",
    218: "ES: Package name already in use",
    219: "ES: no such package, on modify/delete",
    220: "ES: quota exceeded",
    221: "ES: extended service type not supported",
    222: "ES: permission denied on ES - id not authorized",
    223: "ES: permission denied on ES - cannot modify or delete",
    224: "ES: immediate execution failed",
    225: "ES: immediate execution not supported for this service",
    226: "ES: immediate execution not supported for these parameters",
    227: "No data available in requested record syntax",
    228: "Scan: malformed scan",
    229: "Term type not supported",
    230: "Sort: too many input results",
    231: "Sort: incompatible record formats",
    232: "Scan: term list not supported",
    233: "Scan: unsupported value of position-in-response",
    234: "Too many index terms processed",
    235: "Database does not exist",
    236: "Access to specified database denied",
    237: "Sort: illegal sort",
    238: "Record not available in requested syntax",
    239: "Record syntax not supported",
    240: "Scan: Resources exhausted looking for satisfying terms",
    241: "Scan: Beginning or end of term list",
    242: "Segmentation: max-segment-size too small to segment record",
    243: "Present: additional-ranges parameter not supported",
    244: "Present: comp-spec parameter not supported",
    245: "Type-1 query: restriction ('resultAttr') operand not supported",
    246: "Type-1 query: 'complex' attributeValue not supported",
    247: "Type-1 query: 'attributeSet' as part of AttributeElement not supported",
    1001: "Malformed APDU",
    1005: "Response records in Search response not supported",
    1006: "Response records in Search response not possible for specified database",
    1010: "Init/AC: Bad Userid",
    1011: "Init/AC: Bad Userid and/or Password",
    1012: "Init/AC: No searches remaining (pre-purchased searches exhausted)",
    1013: "Init/AC: Incorrect interface type",
    1014: "Init/AC: Authentication System error",
    1015: "Init/AC: Maximum number of simultaneous sessions for Userid",
    1016: "Init/AC: Blocked network address",
    1017: "Init/AC: No databases available for specified userId",
    1018: "Init/AC: System temporarily out of resources",
    1019: "Init/AC: System not available due to maintenance",
    1020: "Init/AC: System temporarily unavailable",
    1021: "Init/AC: Account has expired",
    1022: "Init/AC: Password has expired so a new one must be supplied",
    1023: "Init/AC: Password has been changed by an administrator so a new one must be supplied",
})

# The attribute types of Bib-1 (Appendix ATR) and the diagnostic for each one unsupported.
UNSUPPORTED_ATTRIBUTE_DIAGNOSTIC: Mapping[int, int] = MappingProxyType({
    1: 114,  # Use
    2: 117,  # Relation
    3: 119,  # Position
    4: 118,  # Structure
    5: 120,  # Truncation
    6: 122,  # Completeness
})


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One diagnostic record: the set it is from, its condition code and additional info.

    ``form`` says how it came: "default" (DefaultDiagFormat), "diag-1" (an EXTERNAL in
    diag-1 wrapping a default one), or "external" (another format, kept by its OID only).
    """

    set_oid: str
    condition: int
    addinfo: str = ""
    form: str = "default"

    @property
    def is_bib1(self) -> bool:
        return self.set_oid == BIB1_DIAGNOSTICS

    @property
    def meaning(self) -> str:
        """The Bib-1 list's text for the code; empty for other sets or unknown codes."""
        return BIB1.get(self.condition, "") if self.is_bib1 else ""

    def to_asn1(self) -> tuple[str, Any]:
        """As a DiagRec in the default format (v3 addinfo)."""
        body = {"diagnosticSetId": self.set_oid, "condition": self.condition,
                "addinfo": ("v3Addinfo", self.addinfo.encode("utf-8"))}
        return ("defaultFormat", body)

    def __str__(self) -> str:
        where = "Bib-1" if self.is_bib1 else name_of(self.set_oid)
        meaning = self.meaning or ("unknown Bib-1 code" if self.is_bib1 else "")
        text = f"{where} {self.condition}" + (f" {meaning}" if meaning else "")
        return f"{text}: {self.addinfo}" if self.addinfo else text


def bib1(condition: int, addinfo: str = "") -> Diagnostic:
    """A Bib-1 diagnostic, for the sandbox server and for expectations in checks."""
    return Diagnostic(BIB1_DIAGNOSTICS, condition, addinfo)
