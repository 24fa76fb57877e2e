"""The request parameters of each SRU version and operation, and their validation.

Tables from LoC SRU 1.1 and 1.2 ("searchRetrieve Operation: Request Parameters", "Scan
Operation", "Explain Operation") and OASIS searchRetrieve v1.0 Part 3 (SRU 2.0 request
parameters) and Part 6 (scan). A parameter of another version is "unsupported" (diagnostic
8): 1.2 dropped ``sortKeys`` and ``recordXPath``; ``recordXMLEscaping`` is 2.0 only.
Parameters starting ``x-`` are extensions and ignored (SRU 1.2, "Extensions").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from harness.sandbox.sru.diagnostics import Diag, SruFault

SUPPORTED_VERSIONS = ("1.1", "1.2", "2.0")
_COMMON = frozenset({"version", "operation", "stylesheet", "extraRequestData"})
_SEARCH = {
    "1.1": frozenset({"query", "startRecord", "maximumRecords", "recordPacking", "recordSchema", "recordXPath",
                      "resultSetTTL", "sortKeys"}),
    "1.2": frozenset({"query", "startRecord", "maximumRecords", "recordPacking", "recordSchema", "resultSetTTL"}),
    "2.0": frozenset({"query", "queryType", "startRecord", "maximumRecords", "recordXMLEscaping", "recordPacking",
                      "recordSchema", "resultSetTTL", "sortKeys"}),
}
_SCAN = frozenset({"scanClause", "responsePosition", "maximumTerms"})
_EXPLAIN = {"1.1": frozenset({"recordPacking"}), "1.2": frozenset({"recordPacking"}),
            "2.0": frozenset({"recordXMLEscaping", "recordPacking"})}
# Valid 2.0 parameters of optional features the sandbox does not offer (facets, rendering).
_UNOFFERED_2_0 = frozenset({"renderedBy", "httpAccept", "responseType", "facetLimit", "facetStart", "facetSort",
                            "facetRangeField", "facetLowValue", "facetHighValue", "facetCount"})


def allowed(version: str, operation: str) -> frozenset[str]:
    family = version if version in SUPPORTED_VERSIONS else "2.0"
    if operation == "searchRetrieve":
        return _COMMON | _SEARCH[family]
    if operation == "scan":
        return _COMMON | _SCAN
    return _COMMON | _EXPLAIN[family]


def unsupported(params: Mapping[str, str], version: str, operation: str) -> list[Diag]:
    """Diagnostic 8 for every parameter this version and operation do not define."""
    known = allowed(version, operation)
    return [Diag(8, name) for name in params if not name.startswith("x-") and (name not in known or name in _UNOFFERED_2_0)]


def integer(params: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    """A non-negative integer parameter; diagnostic 6 (details: the name) when it is not one."""
    text = params.get(name)
    if text is None:
        return default
    if not text.isascii() or not text.strip().isdigit() or int(text) < minimum or len(text.strip()) > 9:
        raise SruFault(6, name)
    return int(text)


@dataclass(frozen=True, slots=True)
class Paging:
    start: int
    maximum: int


def paging(params: Mapping[str, str], default_records: int, maximum_records: int, *, lenient: bool = False) -> Paging:
    """startRecord (positive, default 1) and maximumRecords (non-negative, capped at the
    maximum that explain declares; SRU 1.2: the server may return fewer). ``lenient`` (a
    deviation) takes a value that is not valid as if it were not sent."""
    def read(name: str, default: int, minimum: int) -> int:
        try:
            return integer(params, name, default, minimum=minimum)
        except SruFault:
            if lenient:
                return default
            raise

    start = read("startRecord", 1, 1)
    maximum = read("maximumRecords", default_records, 0)
    return Paging(start, min(maximum, maximum_records))


def escaping(params: Mapping[str, str], version: str) -> str:
    """How records travel: "xml" or "string" (1.x recordPacking, 2.0 recordXMLEscaping);
    anything else is diagnostic 71. In 2.0 recordPacking means packed|unpacked and only
    "packed" (the record as the schema defines it) is offered."""
    if version == "2.0":
        packing = params.get("recordPacking", "packed")
        if packing != "packed":
            raise SruFault(71, packing)
        value = params.get("recordXMLEscaping", "xml")
    else:
        value = params.get("recordPacking", "xml")
    if value not in ("xml", "string"):
        raise SruFault(71, value)
    return value
