"""Search and Present: the requests the harness sends and the responses it reads.

Z39.50-2003 3.2.2.1 (Search): a query against databases into a named result set, with
piggybacked records when the result is small (Small-set-upper-bound, Large-set-lower-bound,
Medium-set-present-number, 3.2.2.1.4); Result-set-status when the search failed or was
partial (3.2.2.1.10). 3.2.3.1 (Present): records from a result set by position, in a
preferred record syntax and element set; Present-status (3.2.3.1.7); diagnostics either in
place of all records (non-surrogate) or per record (surrogate).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from harness.z3950.diagnostics import Diagnostic
from harness.z3950.query import RpnQuery, query_from_asn1
from harness.z3950.reading import Reading
from harness.z3950.records import Record, read_record

PRESENT_STATUS = {0: "success", 1: "partial-1", 2: "partial-2", 3: "partial-3", 4: "partial-4", 5: "failure"}
RESULT_SET_STATUS = {1: "subset", 2: "interim", 3: "none"}


def _element_set(name: str) -> tuple[str, Any]:
    return ("genericElementSetName", name.encode("utf-8"))


def _element_set_name(value: Any, reading: Reading) -> str | None:
    if value is None:
        return None
    kind, body = value
    if kind == "genericElementSetName":
        return reading.text(body, "elementSetName")
    return ";".join(reading.text(entry["esn"], "elementSetName") for entry in body)


def _records(value: Any, reading: Reading) -> tuple[tuple[Record, ...] | None, tuple[Diagnostic, ...]]:
    """A Records CHOICE as (records, non-surrogate diagnostics)."""
    if value is None:
        return None, ()
    kind, body = value
    if kind == "responseRecords":
        return tuple(read_record(r, reading, i) for i, r in enumerate(body)), ()
    if kind == "nonSurrogateDiagnostic":
        return None, (reading.default_diagnostic(body, "nonSurrogateDiagnostic"),)
    return None, tuple(reading.diagnostic(d, "multipleNonSurDiagnostics") for d in body)


def _records_to_asn1(records: tuple[Record, ...] | None, diagnostics: tuple[Diagnostic, ...]) -> tuple[str, Any] | None:
    if records is not None:
        return ("responseRecords", [r.to_asn1() for r in records])
    if len(diagnostics) == 1 and diagnostics[0].form == "default":
        return ("nonSurrogateDiagnostic", diagnostics[0].to_asn1()[1])
    if diagnostics:
        return ("multipleNonSurDiagnostics", [d.to_asn1() for d in diagnostics])
    return None


def _with_reference(body: dict[str, Any], reference_id: bytes | None) -> dict[str, Any]:
    if reference_id is not None:
        body["referenceId"] = reference_id
    return body


@dataclass(frozen=True, slots=True)
class SearchRequest:
    NAME: ClassVar[str] = "searchRequest"

    query: RpnQuery | None  # None: a query type other than type-1 arrived (server side)
    databases: tuple[str, ...] = ("Default",)
    result_set: str = "default"
    replace: bool = True
    small_set_upper_bound: int = 0
    large_set_lower_bound: int = 1
    medium_set_present_number: int = 0
    small_set_element_set: str | None = None
    medium_set_element_set: str | None = None
    record_syntax: str | None = None
    reference_id: bytes | None = None
    query_type: str = "type-1"

    def to_asn1(self) -> dict[str, Any]:
        if self.query is None:
            raise ValueError("a SearchRequest needs a type-1 query to be sent")
        body: dict[str, Any] = {
            "smallSetUpperBound": self.small_set_upper_bound, "largeSetLowerBound": self.large_set_lower_bound,
            "mediumSetPresentNumber": self.medium_set_present_number, "replaceIndicator": self.replace,
            "resultSetName": self.result_set.encode("utf-8"),
            "databaseNames": [d.encode("utf-8") for d in self.databases], "query": self.query.to_asn1(),
        }
        if self.small_set_element_set is not None:
            body["smallSetElementSetNames"] = _element_set(self.small_set_element_set)
        if self.medium_set_element_set is not None:
            body["mediumSetElementSetNames"] = _element_set(self.medium_set_element_set)
        if self.record_syntax is not None:
            body["preferredRecordSyntax"] = self.record_syntax
        return _with_reference(body, self.reference_id)

    @classmethod
    def from_asn1(cls, value: dict[str, Any], reading: Reading) -> SearchRequest:
        syntax = value.get("preferredRecordSyntax")
        return cls(
            query_from_asn1(value["query"]),
            tuple(reading.text(d, "databaseNames") for d in value["databaseNames"]),
            reading.text(value["resultSetName"], "resultSetName"), bool(value["replaceIndicator"]),
            int(value["smallSetUpperBound"]), int(value["largeSetLowerBound"]), int(value["mediumSetPresentNumber"]),
            _element_set_name(value.get("smallSetElementSetNames"), reading),
            _element_set_name(value.get("mediumSetElementSetNames"), reading),
            str(syntax) if syntax else None, value.get("referenceId"), value["query"][0],
        )


@dataclass(frozen=True, slots=True)
class SearchResponse:
    NAME: ClassVar[str] = "searchResponse"

    status: bool
    result_count: int = 0
    records_returned: int = 0
    next_position: int = 1
    result_set_status: int | None = None  # 1 subset, 2 interim, 3 none
    present_status: int | None = None
    records: tuple[Record, ...] | None = None  # piggybacked records
    diagnostics: tuple[Diagnostic, ...] = ()
    reference_id: bytes | None = None

    def to_asn1(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "resultCount": self.result_count, "numberOfRecordsReturned": self.records_returned,
            "nextResultSetPosition": self.next_position, "searchStatus": self.status,
        }
        if self.result_set_status is not None:
            body["resultSetStatus"] = self.result_set_status
        if self.present_status is not None:
            body["presentStatus"] = self.present_status
        records = _records_to_asn1(self.records, self.diagnostics)
        if records is not None:
            body["records"] = records
        return _with_reference(body, self.reference_id)

    @classmethod
    def from_asn1(cls, value: dict[str, Any], reading: Reading) -> SearchResponse:
        records, diagnostics = _records(value.get("records"), reading)
        return cls(
            bool(value["searchStatus"]), int(value["resultCount"]), int(value["numberOfRecordsReturned"]),
            int(value["nextResultSetPosition"]), value.get("resultSetStatus"), value.get("presentStatus"),
            records, diagnostics, value.get("referenceId"),
        )


@dataclass(frozen=True, slots=True)
class PresentRequest:
    NAME: ClassVar[str] = "presentRequest"

    result_set: str = "default"
    start: int = 1
    count: int = 1
    element_set: str | None = None
    record_syntax: str | None = None
    max_record_size: int | None = None
    reference_id: bytes | None = None

    def to_asn1(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "resultSetId": self.result_set.encode("utf-8"), "resultSetStartPoint": self.start,
            "numberOfRecordsRequested": self.count,
        }
        if self.element_set is not None:
            body["recordComposition"] = ("simple", _element_set(self.element_set))
        if self.record_syntax is not None:
            body["preferredRecordSyntax"] = self.record_syntax
        if self.max_record_size is not None:
            body["maxRecordSize"] = self.max_record_size
        return _with_reference(body, self.reference_id)

    @classmethod
    def from_asn1(cls, value: dict[str, Any], reading: Reading) -> PresentRequest:
        composition = value.get("recordComposition")
        element_set = None
        if composition is not None and composition[0] == "simple":
            element_set = _element_set_name(composition[1], reading)
        syntax = value.get("preferredRecordSyntax")
        return cls(
            reading.text(value["resultSetId"], "resultSetId"), int(value["resultSetStartPoint"]),
            int(value["numberOfRecordsRequested"]), element_set, str(syntax) if syntax else None,
            value.get("maxRecordSize"), value.get("referenceId"),
        )


@dataclass(frozen=True, slots=True)
class PresentResponse:
    NAME: ClassVar[str] = "presentResponse"

    present_status: int
    records_returned: int = 0
    next_position: int = 0
    records: tuple[Record, ...] | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    reference_id: bytes | None = None

    def to_asn1(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "numberOfRecordsReturned": self.records_returned, "nextResultSetPosition": self.next_position,
            "presentStatus": self.present_status,
        }
        records = _records_to_asn1(self.records, self.diagnostics)
        if records is not None:
            body["records"] = records
        return _with_reference(body, self.reference_id)

    @classmethod
    def from_asn1(cls, value: dict[str, Any], reading: Reading) -> PresentResponse:
        records, diagnostics = _records(value.get("records"), reading)
        return cls(
            int(value["presentStatus"]), int(value["numberOfRecordsReturned"]), int(value["nextResultSetPosition"]),
            records, diagnostics, value.get("referenceId"),
        )
