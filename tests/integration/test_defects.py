"""The defect catalogue proves every check can fail, and each defect fails exactly its checks.

Each run is a real `harness run` against the embedded sandbox (in-process, so a run costs a
second, not an interpreter start), read back from the results.json it writes. Which checks a
defect must FAIL is what the checks say with ``@pytest.mark.failed_by``: every other check
must PASS, or say it could not judge and name the check that owns the fault (DESIGN.md:
"a fault is reported once, by the check that owns it").
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from harness.cli import available_suites, collect_checks, main
from harness.defects import Defect
from harness.pytest_plugin import check_name, failed_by, suite_of
from harness.registry import all_defects

SUITES = available_suites()  # every unit's suite, and suites that cross units (cooperation)
_NONE = re.compile(r"\bNone\b")


def _expected() -> dict[str, set[str]]:
    """Defect name -> the check functions that name it in failed_by."""
    expected: dict[str, set[str]] = {}
    for item in collect_checks():
        for defect in failed_by(item):
            expected.setdefault(defect.name, set()).add(check_name(item))
    return expected


EXPECTED = _expected()
CHECKS_BY_SUITE: dict[str, set[str]] = {}
for _item in collect_checks():
    CHECKS_BY_SUITE.setdefault(suite_of(_item), set()).add(check_name(_item))


def _run(tmp_path: Path, suite: str, *extra: str) -> tuple[int, dict[str, list[dict[str, Any]]], dict[str, Any]]:
    """Exit code, results by check function (a parametrized check has several), results."""
    report_dir = tmp_path / "report"
    code = main(["run", "--suite", suite, "--report-dir", str(report_dir), *extra])
    results = json.loads((report_dir / "results.json").read_text(encoding="utf-8"))
    by_check: dict[str, list[dict[str, Any]]] = {}
    for check in results["checks"]:
        name = check["id"].rsplit("::", 1)[1].split("[", 1)[0]
        by_check.setdefault(name, []).append(check)
    return code, by_check, results


def _outcomes(by_check: Mapping[str, list[dict[str, Any]]]) -> dict[str, set[str]]:
    return {name: {c["outcome"] for c in checks} for name, checks in by_check.items()}


@pytest.mark.parametrize("suite", SUITES)
def test_clean_sandbox_passes_every_check(tmp_path: Path, suite: str) -> None:
    code, by_check, results = _run(tmp_path, suite)
    not_passing = {k: v for k, v in _outcomes(by_check).items() if v != {"PASS"}}
    assert by_check and not not_passing, not_passing
    assert code == 0
    covered = {req for c in results["checks"] for req in c["requirements"]}
    assert {r["verdict"] for r in results["requirements"] if r["id"] in covered} == {"MET"}


@pytest.mark.parametrize("suite", SUITES)
def test_every_check_is_failed_by_some_defect(suite: str) -> None:
    """A check that no defect can fail proves nothing (DESIGN.md)."""
    failed_by_some = {name for names in EXPECTED.values() for name in names}
    checks = CHECKS_BY_SUITE.get(suite, set())
    assert checks and checks <= failed_by_some, f"checks no defect can fail: {sorted(checks - failed_by_some)}"


def test_every_defect_is_named_by_a_check() -> None:
    unnamed = [d.name for d in all_defects() if d.name not in EXPECTED]
    assert not unnamed, f"defects no check names in failed_by: {unnamed}"


@pytest.mark.parametrize("defect", all_defects(), ids=lambda d: d.name)
def test_defect_fails_exactly_its_checks(tmp_path: Path, defect: Defect) -> None:
    code, by_check, results = _run(tmp_path, defect.protocol, "--sandbox-defect", defect.name)
    expected = EXPECTED.get(defect.name, set())
    outcomes = _outcomes(by_check)
    failed = {name for name, seen in outcomes.items() if "FAIL" in seen}
    assert failed == expected, f"{defect.name}: FAILed {sorted(failed)}, names {sorted(expected)}"
    assert code == 1
    others = {name: seen for name, seen in outcomes.items() if name not in expected and seen - {"PASS", "NOT_TESTED"}}
    assert not others, f"{defect.name}: checks it does not name must PASS or not judge: {others}"
    for name, checks in by_check.items():
        for check in checks:
            if check["outcome"] == "NOT_TESTED" and name not in expected:
                assert "reported by" in check["message"], f"{name} did not judge without naming the owning check: {check['message']}"
    failing = [c for c in results["checks"] if c["outcome"] == "FAIL"]
    assert all(c["evidence"] and c["evidence"][0]["clause"] for c in failing), "every FAIL carries its clause"
    # A clause cites the spec or a public source, never notes outside the repository.
    assert not [c["id"] for c in failing for e in c["evidence"] if "research" in e["clause"]]
    assert all(f"--sandbox-defect {defect.name}" in c["reproduce"] for c in failing)
    assert not [c["message"] for c in failing if _NONE.search(c["message"])], "no FAIL message says None"
    assert results["run"]["sandbox_defects"] == [defect.name]
