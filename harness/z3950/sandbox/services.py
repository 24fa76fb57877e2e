"""Scan, Sort and Delete result set for the sandbox's Z39.50 backend, and its result sets.

Scan (Z39.50-2003 3.2.8.1): the index of the term's Use attribute (as Search maps it; an
unsupported one: scanStatus failure with Bib-1 114); terms in the consortium's collation
(Norwegian with the Sámi letters after their base letters, ``harness.sandbox.search.collation``);
step size 0 only (205); preferred position 1..count+1 (233 otherwise); Position-of-term says
where the start term, or the first term after it, stands in the list; Scan-status success when
the list holds as many entries as asked, partial-5 when the index ran out first.

Sort (3.2.7.1): one input result set (230 for more, 30 for an unknown one) into the named
output set, by title (Use 4, sort field "title"), author (1003 / "author") or local number
(12 / "identifier"), each ascending or descending; any other key 207.

Delete (3.2.4.1): the named sets (resultSetDidNotExist for a missing one) or all of them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from harness.sandbox.search import SearchIndex
from harness.sandbox.search.collation import SortKey, sort_key
from harness.sandbox.search.extract import sort_texts
from harness.sandbox.search.text import fold
from harness.z3950.diagnostics import bib1
from harness.z3950.sandbox import rpn
from harness.z3950.server import Session
from harness.z3950.services import (
    DeleteResultSetRequest,
    DeleteResultSetResponse,
    ScanEntry,
    ScanRequest,
    ScanResponse,
    SortRequest,
    SortResponse,
)

MAX_SCAN_TERMS = 200
SORT_USES = {4: "title", 1003: "author", 1: "author", 12: "identifier"}
SORT_FIELDS = ("title", "author", "identifier")
SUCCESS, PARTIAL_5, FAILURE = 0, 5, 6  # Scan-status


@dataclass(frozen=True, slots=True)
class ResultSet:
    ids: tuple[str, ...]
    database: str


def result_sets(session: Session) -> dict[str, ResultSet]:
    """The association's result sets (kept in the session the protocol layer owns)."""
    return session.result_sets  # type: ignore[return-value]


# -- Scan ------------------------------------------------------------------------------------------

def scan(index: SearchIndex, request: ScanRequest, deviations: rpn.Deviations, *, scan_from_start: bool = False) -> ScanResponse:
    try:
        name = _scan_index(request, deviations)
    except rpn.Bib1Fault as fault:
        return ScanResponse(FAILURE, diagnostics=(fault.diagnostic,))
    if request.step_size not in (None, 0):
        return ScanResponse(FAILURE, diagnostics=(bib1(205, str(request.step_size)),))
    count = min(max(request.count, 0), MAX_SCAN_TERMS)
    position = 1 if request.position is None else request.position
    if not 0 <= position <= count + 1:
        return ScanResponse(FAILURE, diagnostics=(bib1(233, str(position)),))
    start = rpn.term_text(request.term.value)
    if scan_from_start:  # DEFECT z3950-scan-from-the-start: the list starts at the index's first term
        entries = index.scan(name, "", count, 1)
        return ScanResponse(SUCCESS if len(entries) == count else PARTIAL_5, len(entries), position, 0,
                            tuple(ScanEntry(e.term, e.display, e.count) for e in entries))
    entries = index.scan(name, start, count, max(position, 1))
    if position == 0 and entries and fold(entries[0].display) == fold(start):
        entries = index.scan(name, start, count + 1, 1)[1:]  # position 0: the start term precedes the list
    wanted = sort_key(start)
    at = next((i + 1 for i, e in enumerate(entries) if sort_key(e.display) >= wanted), len(entries) + 1)
    listed = tuple(ScanEntry(e.term, e.display, e.count) for e in entries)
    return ScanResponse(SUCCESS if len(listed) == count else PARTIAL_5, len(listed), at, 0, listed)


def _scan_index(request: ScanRequest, deviations: rpn.Deviations) -> str:
    attributes = {a.type: a.value for a in reversed(request.term.attributes)}
    use = attributes.get(1, rpn.ANY_USE)
    index = rpn.USE_INDEXES.get(use) if isinstance(use, int) else None
    if index is None:
        if not deviations.unsupported_use_searched:  # DEFECT z3950-unsupported-use-searched
            raise rpn.Bib1Fault(114, str(use))
        index = "any"
    return index


# -- Sort ------------------------------------------------------------------------------------------

class SortRule(enum.Enum):
    COLLATION = "collation"
    CODE_POINT = "code point"  # DEFECT z3950-sort-code-point
    IGNORED = "ignored"  # DEFECT z3950-sort-ignored


def sort(index: SearchIndex, request: SortRequest, sets: dict[str, ResultSet], rule: SortRule) -> SortResponse:
    if len(request.inputs) != 1:
        return SortResponse(2, diagnostics=(bib1(230, str(len(request.inputs))),))
    found = sets.get(request.inputs[0])
    if found is None:
        return SortResponse(2, diagnostics=(bib1(30, request.inputs[0]),))
    keys: list[tuple[str, bool]] = []
    for key in request.keys:
        use = next((a.value for a in key.attributes if a.type == 1), None)
        name = key.field if key.field in SORT_FIELDS else SORT_USES.get(use) if isinstance(use, int) else None
        if name is None:
            return SortResponse(2, diagnostics=(bib1(207, key.field or f"1={use}"),))
        keys.append((name, key.descending))
    ids = list(found.ids)
    if rule is not SortRule.IGNORED:
        for name, descending in reversed(keys):
            ids.sort(key=_key_of(index, name, rule), reverse=descending)
    sets[request.output] = ResultSet(tuple(ids), found.database)
    return SortResponse(0, result_count=len(ids))


def _key_of(index: SearchIndex, name: str, rule: SortRule) -> Callable[[str], SortKey | str]:
    def key(record_id: str) -> SortKey | str:
        record = index.record(record_id)
        text = sort_texts(record).get(name, "") if record is not None else ""
        return text.casefold() if rule is SortRule.CODE_POINT else sort_key(text)

    return key


# -- Delete ------------------------------------------------------------------------------------------

def delete(request: DeleteResultSetRequest, sets: dict[str, ResultSet], *, claimed_only: bool = False) -> DeleteResultSetResponse:
    if claimed_only:  # DEFECT z3950-delete-claimed: nothing is deleted, and the answers contradict each other
        return DeleteResultSetResponse(1, tuple((name, 0) for name in request.names))
    if not request.names:
        sets.clear()
        return DeleteResultSetResponse(0)
    statuses = tuple((name, 0 if sets.pop(name, None) is not None else 1) for name in request.names)
    failed = [s for _, s in statuses if s]
    overall = 0 if not failed else 1 if len(statuses) == 1 else 9  # resultSetDidNotExist / notAllRequested...
    return DeleteResultSetResponse(overall, statuses)
