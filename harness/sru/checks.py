"""Turning SRU answers into verdicts with evidence: the pieces every SRU scenario shares.

**A fault is reported once.** Every rule the response parser knows is owned by one check
(:data:`OWNERS`); a check judges the problems of its own rules and reads past the others, so a
1.x answer in the 2.0 namespace FAILs the version check and nothing else. A check whose
property cannot be seen through another check's fault says so with
:func:`~harness.findings.cannot_judge`, naming the owner.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice

from harness.evidence import Exchange
from harness.findings import Finding, cannot_judge
from harness.rules import Problem, Severity
from harness.sru.client import SruClient, SruResult
from harness.sru.model import (
    Diagnostic,
    ScanResponse,
    SearchRetrieveResponse,
    family_of,
)
from harness.sru.rules import OASIS3, SRU12, SRU12_SR, SRU_DIAG

WELL_FORMED = "test_responses_are_well_formed"
VERSIONS_CHECK = "test_declared_versions_answer_in_their_namespace"
FATAL_CHECK = "test_fatal_diagnostic_answers_are_complete"
PACKING_CHECK = "test_record_packing_xml_and_string"
SLIM_CHECK = "test_records_are_marc21_slim"
PAGING_CHECK = "test_pages_follow_next_record_position"
EXPLAIN_CHECK = "test_explain_describes_the_endpoint"
SCAN_CHECK = "test_scan_terms"
VERSION5_CHECK = "test_unsupported_version_gets_diagnostic_5"

# Which check reports each rule of harness.sru.rules (a rule not listed is reported by none).
OWNERS: dict[str, str] = {
    **dict.fromkeys(("not-xml", "doctype", "unknown-root", "wrong-operation", "version-missing", "version-in-2.0",
                     "not-an-integer", "repeated-element", "result-count-precision-in-1x",
                     "result-count-precision-value", "record-schema-missing", "record-data-missing"), WELL_FORMED),
    **dict.fromkeys(("namespace-version-mismatch", "mixed-namespaces", "version-not-asked"), VERSIONS_CHECK),
    **dict.fromkeys(("diagnostic-uri-missing", "diagnostic-namespace", "diagnostic-uri-form"), FATAL_CHECK),
    "diagnostic-5-without-version": VERSION5_CHECK,
    **dict.fromkeys(("record-packing-value", "record-escaping-value", "record-packing-1x-meaning-in-2.0",
                     "record-escaping-in-1x", "record-data-not-as-packed", "escaped-record-not-xml"), PACKING_CHECK),
    "marcxml-namespace": SLIM_CHECK,
    **dict.fromkeys(("next-position-on-last-page", "next-position-wrong", "next-position-missing",
                     "more-records-than-hits", "record-position-order"), PAGING_CHECK),
    **dict.fromkeys(("explain-record-missing", "explain-not-zeerex", "explain-server-info", "explain-index-without-name",
                     "explain-undeclared-set", "explain-schema-without-identifier", "explain-config-value"), EXPLAIN_CHECK),
    **dict.fromkeys(("scan-term-without-value", "scan-namespace"), SCAN_CHECK),
}
UNREADABLE = frozenset({"not-xml", "unknown-root"})

DIAGNOSTICS_CLAUSE = f"{SRU_DIAG}; {SRU12}, Diagnostics; {OASIS3}, Diagnostics"


def owner_of(problem: Problem, result: SruResult) -> str:
    """The check that reports ``problem``. numberOfRecords missing is the fatal-diagnostic
    check's when the answer carries a diagnostic (zebrasrv's habit), else the envelope's."""
    if problem.rule.id == "number-of-records-missing":
        return FATAL_CHECK if result.parsed.diagnostics else WELL_FORMED
    return OWNERS.get(problem.rule.id, "")


def own_failures(result: SruResult, owner: str) -> list[Problem]:
    """The FAIL problems of ``result`` that the check ``owner`` reports."""
    return [p for p in result.problems if p.severity is Severity.FAIL and owner_of(p, result) == owner]


def last_exchanges(client: SruClient, last: int = 6) -> list[Exchange]:
    return list(islice(reversed(client.transcript), last))[::-1]


def fail(message: str, *, clause: str, client: SruClient, expected: str, problems: Iterable[Problem] = (),
         details: Iterable[str] = (), last: int = 6) -> Finding:
    return Finding(message, clause=clause, expected=expected, exchanges=last_exchanges(client, last),
                   problems=problems, details=list(details))


def codes(result: SruResult) -> list[int | None]:
    return [d.code for d in result.parsed.diagnostics]


def describe(diagnostics: Sequence[Diagnostic]) -> str:
    return "; ".join(str(d) for d in diagnostics) or "no diagnostic"


def asked_version(result: SruResult) -> str:
    return dict(result.params).get("version", "")


def readable(result: SruResult) -> bool:
    return result.parsed.response is not None


def search(result: SruResult, client: SruClient, what: str) -> SearchRetrieveResponse:
    """The searchRetrieve answer; FAIL (for this check) when there is none to read."""
    response = result.search
    if response is None:
        found = [p for p in result.problems if p.rule.id in UNREADABLE or p.rule.id == "wrong-operation"]
        raise fail(f"{what}: the answer is not an SRU searchRetrieveResponse (HTTP {result.http.status})",
                   clause=SRU12_SR, client=client, expected="a searchRetrieveResponse", problems=found or result.problems)
    return response


def scan_response(result: SruResult, client: SruClient, what: str) -> ScanResponse:
    response = result.parsed.response
    if not isinstance(response, ScanResponse):
        raise fail(f"{what}: the answer is not an SRU scanResponse (HTTP {result.http.status})",
                   clause=f"{SRU12}, Scan Operation", client=client, expected="a scanResponse", problems=result.problems)
    return response


def same_family(result: SruResult) -> bool:
    """The answer is written in the namespace of the version asked (or negotiated with 5)."""
    response = result.parsed.response
    asked = asked_version(result)
    if response is None or not asked or any(d.code == 5 for d in response.diagnostics):
        return True
    return response.family == family_of(asked)


def require_same_family(result: SruResult) -> None:
    """A check whose judgement depends on the version's layout cannot judge another layout."""
    if not same_family(result):
        cannot_judge(f"the {asked_version(result)} request was answered in the namespace of another version",
                     VERSIONS_CHECK)
