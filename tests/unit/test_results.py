"""The verdict table of DESIGN.md, one row per case, and the FLAKY merge."""

from __future__ import annotations

import pytest

from harness.results import CheckResult, Outcome, Verdict, merge_repeated, verdict_for

P, F, W, S, N, E, FL = (Outcome.PASS, Outcome.FAIL, Outcome.WARN, Outcome.SKIP, Outcome.NOT_TESTED, Outcome.ERROR, Outcome.FLAKY)


@pytest.mark.parametrize(
    ("kind", "outcomes", "expected"),
    [
        ("skal", [P, P], Verdict.MET),
        ("skal", [P, W], Verdict.MET),  # WARN allowed
        ("skal", [P, F], Verdict.NOT_MET),
        ("skal", [F, E], Verdict.NOT_MET),  # a FAIL is decisive even beside an ERROR
        ("skal", [P, S], Verdict.UNVERIFIED),  # never counted as met
        ("skal", [P, N], Verdict.UNVERIFIED),
        ("skal", [P, E], Verdict.UNVERIFIED),
        ("skal", [P, FL], Verdict.UNVERIFIED),
        ("skal", [], Verdict.UNVERIFIED),  # not run: never N/A, which only procurement declares
        ("bør", [], Verdict.UNVERIFIED),
        ("bør", [P, F], Verdict.PARTIAL),
        ("bør", [W, F], Verdict.PARTIAL),
        ("bør", [F, F], Verdict.NOT_MET),
        ("bør", [P, P], Verdict.MET),
        ("bør", [P, N], Verdict.UNVERIFIED),
    ],
)
def test_verdict_table(kind: str, outcomes: list[Outcome], expected: Verdict) -> None:
    assert verdict_for(kind, outcomes) is expected


def _check(outcome: Outcome, check_id: str = "scenarios/marc/test_a.py::test_a") -> CheckResult:
    return CheckResult(id=check_id, title="a", requirements=("MARC-01",), outcome=outcome)


def test_disagreeing_runs_are_flaky_and_agreeing_runs_are_not() -> None:
    merged = merge_repeated([[_check(P), _check(P, "x::b")], [_check(F), _check(P, "x::b")]])
    by_id = {c.id: c for c in merged}
    assert by_id["scenarios/marc/test_a.py::test_a"].outcome is Outcome.FLAKY
    assert "FAIL, PASS" in by_id["scenarios/marc/test_a.py::test_a"].message
    assert by_id["x::b"].outcome is Outcome.PASS


def test_check_result_round_trips_through_dict() -> None:
    check = _check(F)
    assert CheckResult.from_dict(check.to_dict()) == check
