"""The object identifiers the harness sends and recognises, with the names readers know.

Z39.50-2003 Appendix 10 (Z39.50 Object Identifiers) registers them under 1.2.840.10003:
attribute sets (.3), diagnostic sets (.4), record syntaxes (.5), user information formats
(.10), negotiation records (.15). The names are the ones YAZ, the Library of Congress's
registry and vendors' documentation use, so an evidence line reads "USMARC", not an OID.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

Z3950 = "1.2.840.10003"

# Attribute sets (App. 10, .3)
BIB1_ATTRIBUTES = f"{Z3950}.3.1"
EXP1_ATTRIBUTES = f"{Z3950}.3.2"

# Diagnostic sets and formats (App. 10, .4)
BIB1_DIAGNOSTICS = f"{Z3950}.4.1"
DIAG1_FORMAT = f"{Z3950}.4.2"

# Record syntaxes (App. 10, .5)
UNIMARC = f"{Z3950}.5.1"
USMARC = f"{Z3950}.5.10"  # MARC 21 records travel under this OID
NORMARC = f"{Z3950}.5.12"
DANMARC = f"{Z3950}.5.14"
EXPLAIN = f"{Z3950}.5.100"
SUTRS = f"{Z3950}.5.101"
OPAC = f"{Z3950}.5.102"
SUMMARY = f"{Z3950}.5.103"
GRS1 = f"{Z3950}.5.105"
XML_APPLICATION = f"{Z3950}.5.109.9"
XML_TEXT = f"{Z3950}.5.109.10"  # "xml" in YAZ: MARCXML and other XML records

# User information formats (App. 10, .10)
SEARCH_RESULT_1 = f"{Z3950}.10.1"
USER_INFO_1 = f"{Z3950}.10.3"

# Negotiation records (App. 10, .15; Z39.50-1995 Amendment 2)
CHARSET_NEGOTIATION_3 = f"{Z3950}.15.3"

# ISO/IEC 10646 encoding levels used in character set negotiation
UTF8_ENCODING = "1.0.10646.1.0.8"
UCS2_ENCODING = "1.0.10646.1.0.2"
UCS4_ENCODING = "1.0.10646.1.0.4"

NAMES: Mapping[str, str] = MappingProxyType({
    BIB1_ATTRIBUTES: "Bib-1 attributes",
    EXP1_ATTRIBUTES: "Exp-1 attributes",
    BIB1_DIAGNOSTICS: "Bib-1 diagnostics",
    DIAG1_FORMAT: "diag-1",
    UNIMARC: "UNIMARC",
    USMARC: "USMARC",
    NORMARC: "NORMARC",
    DANMARC: "DANMARC",
    EXPLAIN: "Explain",
    SUTRS: "SUTRS",
    OPAC: "OPAC",
    SUMMARY: "Summary",
    GRS1: "GRS-1",
    XML_APPLICATION: "XML (application/xml)",
    XML_TEXT: "XML",
    SEARCH_RESULT_1: "SearchResult-1",
    USER_INFO_1: "UserInfo-1",
    CHARSET_NEGOTIATION_3: "charset negotiation-3",
    UTF8_ENCODING: "UTF-8",
    UCS2_ENCODING: "UCS-2",
    UCS4_ENCODING: "UCS-4",
})

# The names a profile or a test may use for a record syntax (case-insensitive).
RECORD_SYNTAXES: Mapping[str, str] = MappingProxyType({
    "usmarc": USMARC, "marc21": USMARC, "unimarc": UNIMARC, "normarc": NORMARC,
    "danmarc": DANMARC, "sutrs": SUTRS, "opac": OPAC, "summary": SUMMARY, "grs-1": GRS1,
    "xml": XML_TEXT, "text-xml": XML_TEXT, "application-xml": XML_APPLICATION,
    "explain": EXPLAIN,
})


def name_of(oid: str) -> str:
    """``oid`` with its registered name, e.g. ``1.2.840.10003.5.10 (USMARC)``."""
    name = NAMES.get(oid)
    return f"{oid} ({name})" if name else oid


def record_syntax(name_or_oid: str) -> str:
    """The OID of a record syntax given by name (``usmarc``, ``xml``, ``opac``) or by OID."""
    key = name_or_oid.strip().lower()
    if key in RECORD_SYNTAXES:
        return RECORD_SYNTAXES[key]
    if key.replace(".", "").isdigit() and "." in key:
        return key
    known = ", ".join(sorted(RECORD_SYNTAXES))
    raise ValueError(f"unknown record syntax {name_or_oid!r} (one of {known}, or an OID)")
