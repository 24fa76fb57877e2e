"""Scan, Sort, Delete result set and Close: requests and responses.

Z39.50-2003 3.2.8.1 (Scan: a term list around a start term, with Step-size, Number-of-terms
requested, Preferred-position-in-response, Scan-status), 3.2.7.1 (Sort: input result sets
into a sorted one, Sort-status), 3.2.4.1 (Delete: result sets by name, or all) and 3.2.11.1
(Close: either side ends the Z-association with a Close-reason; the other answers Close).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from harness.z3950.diagnostics import Diagnostic
from harness.z3950.oids import BIB1_ATTRIBUTES
from harness.z3950.query import Attribute, Term, term_from_asn1
from harness.z3950.reading import Reading

SCAN_STATUS = {0: "success", 1: "partial-1", 2: "partial-2", 3: "partial-3", 4: "partial-4",
               5: "partial-5", 6: "failure"}
SORT_STATUS = {0: "success", 1: "partial-1", 2: "failure"}
SORT_RESULT_SET_STATUS = {1: "empty", 2: "interim", 3: "unchanged", 4: "none"}
DELETE_STATUS = {
    0: "success", 1: "resultSetDidNotExist", 2: "previouslyDeletedByTarget", 3: "systemProblemAtTarget",
    4: "accessNotAllowed", 5: "resourceControlAtOrigin", 6: "resourceControlAtTarget",
    7: "bulkDeleteNotSupported", 8: "notAllRsltSetsDeletedOnBulkDlte",
    9: "notAllRequestedResultSetsDeleted", 10: "resultSetInUse",
}
CLOSE_REASONS = {
    0: "finished", 1: "shutdown", 2: "systemProblem", 3: "costLimit", 4: "resources",
    5: "securityViolation", 6: "protocolError", 7: "lackOfActivity", 8: "responseToPeer", 9: "unspecified",
}


def _with_reference(body: dict[str, Any], reference_id: bytes | None) -> dict[str, Any]:
    if reference_id is not None:
        body["referenceId"] = reference_id
    return body


def _optional(body: dict[str, Any], **values: Any) -> dict[str, Any]:
    body.update({k: v for k, v in values.items() if v is not None})
    return body


# -- Scan ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ScanRequest:
    NAME: ClassVar[str] = "scanRequest"

    term: Term
    databases: tuple[str, ...] = ("Default",)
    count: int = 10  # numberOfTermsRequested
    position: int | None = 1  # preferredPositionInResponse
    step_size: int | None = None
    attribute_set: str | None = BIB1_ATTRIBUTES
    reference_id: bytes | None = None

    def to_asn1(self) -> dict[str, Any]:
        body = {"databaseNames": [d.encode("utf-8") for d in self.databases],
                "termListAndStartPoint": self.term.to_asn1(), "numberOfTermsRequested": self.count}
        _optional(body, attributeSet=self.attribute_set, stepSize=self.step_size,
                  preferredPositionInResponse=self.position)
        return _with_reference(body, self.reference_id)

    @classmethod
    def from_asn1(cls, value: dict[str, Any], reading: Reading) -> ScanRequest:
        return cls(
            term_from_asn1(value["termListAndStartPoint"]),
            tuple(reading.text(d, "databaseNames") for d in value["databaseNames"]),
            int(value["numberOfTermsRequested"]), value.get("preferredPositionInResponse"),
            value.get("stepSize"), value.get("attributeSet"), value.get("referenceId"),
        )


@dataclass(frozen=True, slots=True)
class ScanEntry:
    """One entry of a term list: the term, its display form and count, or a diagnostic."""

    term: str | bytes | int = ""
    display: str = ""
    occurrences: int | None = None
    diagnostic: Diagnostic | None = None

    def to_asn1(self) -> tuple[str, Any]:
        if self.diagnostic is not None:
            return ("surrogateDiagnostic", self.diagnostic.to_asn1())
        info: dict[str, Any] = {"term": Term(self.term).to_asn1()["term"]}
        if self.display:
            info["displayTerm"] = self.display.encode("utf-8")
        if self.occurrences is not None:
            info["globalOccurrences"] = self.occurrences
        return ("termInfo", info)


def _scan_entry(value: tuple[str, Any], reading: Reading, index: int) -> ScanEntry:
    kind, body = value
    if kind == "surrogateDiagnostic":
        return ScanEntry(diagnostic=reading.diagnostic(body, f"entry {index + 1}"))
    term = term_from_asn1({"attributes": [], "term": body["term"]}).value
    return ScanEntry(term, reading.text(body.get("displayTerm"), f"entry {index + 1} displayTerm"),
                     body.get("globalOccurrences"))


@dataclass(frozen=True, slots=True)
class ScanResponse:
    NAME: ClassVar[str] = "scanResponse"

    status: int  # SCAN_STATUS
    entries_returned: int = 0
    position: int | None = None  # positionOfTerm
    step_size: int | None = None
    entries: tuple[ScanEntry, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    attribute_set: str | None = None
    reference_id: bytes | None = None

    def to_asn1(self) -> dict[str, Any]:
        body: dict[str, Any] = {"scanStatus": self.status, "numberOfEntriesReturned": self.entries_returned}
        lists: dict[str, Any] = {}
        if self.entries:
            lists["entries"] = [e.to_asn1() for e in self.entries]
        if self.diagnostics:
            lists["nonsurrogateDiagnostics"] = [d.to_asn1() for d in self.diagnostics]
        _optional(body, stepSize=self.step_size, positionOfTerm=self.position, entries=lists or None,
                  attributeSet=self.attribute_set)
        return _with_reference(body, self.reference_id)

    @classmethod
    def from_asn1(cls, value: dict[str, Any], reading: Reading) -> ScanResponse:
        lists = value.get("entries") or {}
        return cls(
            int(value["scanStatus"]), int(value["numberOfEntriesReturned"]), value.get("positionOfTerm"),
            value.get("stepSize"),
            tuple(_scan_entry(e, reading, i) for i, e in enumerate(lists.get("entries", ()))),
            tuple(reading.diagnostic(d, "nonsurrogateDiagnostics") for d in lists.get("nonsurrogateDiagnostics", ())),
            value.get("attributeSet"), value.get("referenceId"),
        )


# -- Sort ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SortKey:
    """One sort key: by attributes (e.g. Use 4 = title) or by a sort field name."""

    attributes: tuple[Attribute, ...] = ()
    field: str = ""
    descending: bool = False
    case_sensitive: bool = False
    attribute_set: str = BIB1_ATTRIBUTES

    def to_asn1(self) -> dict[str, Any]:
        key: tuple[str, Any] = (
            ("sortfield", self.field.encode("utf-8")) if self.field else
            ("sortAttributes", {"id": self.attribute_set, "list": [a.to_asn1() for a in self.attributes]})
        )
        return {"sortElement": ("generic", key), "sortRelation": 1 if self.descending else 0,
                "caseSensitivity": 0 if self.case_sensitive else 1}


def _sort_key(value: dict[str, Any], reading: Reading) -> SortKey:
    descending, case = value["sortRelation"] == 1, value["caseSensitivity"] == 0
    kind, element = value["sortElement"]
    if kind != "generic":
        return SortKey(field="(database-specific)", descending=descending, case_sensitive=case)
    key_kind, key = element
    if key_kind == "sortfield":
        return SortKey(field=reading.text(key, "sortfield"), descending=descending, case_sensitive=case)
    if key_kind == "sortAttributes":
        attributes = term_from_asn1({"attributes": key["list"], "term": ("general", b"")}).attributes
        return SortKey(attributes, descending=descending, case_sensitive=case, attribute_set=str(key["id"]))
    return SortKey(field="(elementSpec)", descending=descending, case_sensitive=case)


@dataclass(frozen=True, slots=True)
class SortRequest:
    NAME: ClassVar[str] = "sortRequest"

    keys: tuple[SortKey, ...]
    inputs: tuple[str, ...] = ("default",)
    output: str = "sorted"
    reference_id: bytes | None = None

    def to_asn1(self) -> dict[str, Any]:
        body = {"inputResultSetNames": [n.encode("utf-8") for n in self.inputs],
                "sortedResultSetName": self.output.encode("utf-8"),
                "sortSequence": [k.to_asn1() for k in self.keys]}
        return _with_reference(body, self.reference_id)

    @classmethod
    def from_asn1(cls, value: dict[str, Any], reading: Reading) -> SortRequest:
        return cls(
            tuple(_sort_key(k, reading) for k in value["sortSequence"]),
            tuple(reading.text(n, "inputResultSetNames") for n in value["inputResultSetNames"]),
            reading.text(value["sortedResultSetName"], "sortedResultSetName"), value.get("referenceId"),
        )


@dataclass(frozen=True, slots=True)
class SortResponse:
    NAME: ClassVar[str] = "sortResponse"

    status: int  # SORT_STATUS
    result_set_status: int | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    result_count: int | None = None
    reference_id: bytes | None = None

    def to_asn1(self) -> dict[str, Any]:
        body = _optional({"sortStatus": self.status}, resultSetStatus=self.result_set_status,
                         resultCount=self.result_count,
                         diagnostics=[d.to_asn1() for d in self.diagnostics] or None)
        return _with_reference(body, self.reference_id)

    @classmethod
    def from_asn1(cls, value: dict[str, Any], reading: Reading) -> SortResponse:
        return cls(
            int(value["sortStatus"]), value.get("resultSetStatus"),
            tuple(reading.diagnostic(d, "diagnostics") for d in value.get("diagnostics", ())),
            value.get("resultCount"), value.get("referenceId"),
        )


# -- Delete result set ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DeleteResultSetRequest:
    NAME: ClassVar[str] = "deleteResultSetRequest"

    names: tuple[str, ...] = ()  # empty: delete all (deleteFunction 'all')
    reference_id: bytes | None = None

    def to_asn1(self) -> dict[str, Any]:
        body: dict[str, Any] = {"deleteFunction": 0 if self.names else 1}
        if self.names:
            body["resultSetList"] = [n.encode("utf-8") for n in self.names]
        return _with_reference(body, self.reference_id)

    @classmethod
    def from_asn1(cls, value: dict[str, Any], reading: Reading) -> DeleteResultSetRequest:
        names = tuple(reading.text(n, "resultSetList") for n in value.get("resultSetList", ()))
        return cls(names if value["deleteFunction"] == 0 else (), value.get("referenceId"))


@dataclass(frozen=True, slots=True)
class DeleteResultSetResponse:
    NAME: ClassVar[str] = "deleteResultSetResponse"

    status: int  # DELETE_STATUS
    statuses: tuple[tuple[str, int], ...] = ()  # per result set
    not_deleted: int | None = None
    message: str = ""
    reference_id: bytes | None = None

    def to_asn1(self) -> dict[str, Any]:
        body = _optional(
            {"deleteOperationStatus": self.status}, numberNotDeleted=self.not_deleted,
            deleteMessage=self.message.encode("utf-8") if self.message else None,
            deleteListStatuses=[{"id": n.encode("utf-8"), "status": s} for n, s in self.statuses] or None,
        )
        return _with_reference(body, self.reference_id)

    @classmethod
    def from_asn1(cls, value: dict[str, Any], reading: Reading) -> DeleteResultSetResponse:
        statuses = tuple((reading.text(e["id"], "deleteListStatuses"), int(e["status"]))
                         for e in value.get("deleteListStatuses", ()))
        return cls(int(value["deleteOperationStatus"]), statuses, value.get("numberNotDeleted"),
                   reading.text(value.get("deleteMessage"), "deleteMessage"), value.get("referenceId"))


# -- Close ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Close:
    """Close, from either side: the reason (CLOSE_REASONS) and an optional message."""

    NAME: ClassVar[str] = "close"

    reason: int = 0
    message: str = ""
    reference_id: bytes | None = None

    @property
    def reason_name(self) -> str:
        return CLOSE_REASONS.get(self.reason, f"unknown reason {self.reason}")

    def to_asn1(self) -> dict[str, Any]:
        body: dict[str, Any] = {"closeReason": self.reason}
        if self.message:
            body["diagnosticInformation"] = self.message.encode("utf-8")
        return _with_reference(body, self.reference_id)

    @classmethod
    def from_asn1(cls, value: dict[str, Any], reading: Reading) -> Close:
        return cls(int(value["closeReason"]), reading.text(value.get("diagnosticInformation"), "diagnosticInformation"),
                   value.get("referenceId"))
