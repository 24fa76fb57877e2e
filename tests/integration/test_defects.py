"""The defect catalogue proves every check can fail, and the clean sandbox passes all.

Each run is a real `harness run` against the embedded sandbox (in-process, so a run costs
a second, not an interpreter start), read back from the results.json it writes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness.cli import main
from harness.paths import SCENARIOS_DIR
from harness.sandbox.defects import CATALOGUE

SUITES = sorted({d.protocol for d in CATALOGUE})


def _run(tmp_path: Path, suite: str, *extra: str) -> tuple[int, dict[str, list[str]], dict]:  # type: ignore[type-arg]
    """Exit code, outcomes by check function (a parametrized check has several), results."""
    report_dir = tmp_path / "report"
    code = main(["run", "--suite", suite, "--report-dir", str(report_dir), *extra, "--", "-q", "-p", "no:randomly"])
    results = json.loads((report_dir / "results.json").read_text(encoding="utf-8"))
    outcomes: dict[str, list[str]] = {}
    for check in results["checks"]:
        name = check["id"].rsplit("::", 1)[1].split("[", 1)[0]
        outcomes.setdefault(name, []).append(check["outcome"])
    return code, outcomes, results


@pytest.mark.parametrize("suite", SUITES)
def test_clean_sandbox_passes_every_check(tmp_path: Path, suite: str) -> None:
    code, outcomes, results = _run(tmp_path, suite)
    not_passing = {k: v for k, v in outcomes.items() if set(v) != {"PASS"}}
    assert outcomes and not not_passing, not_passing
    assert code == 0
    verdicts = {r["id"]: r["verdict"] for r in results["requirements"]}
    assert {v for r, v in verdicts.items() if r in {req for c in results["checks"] for req in c["requirements"]}} == {"MET"}


@pytest.mark.parametrize("suite", SUITES)
def test_every_check_is_failed_by_some_defect(suite: str) -> None:
    """A check that no defect can fail proves nothing (DESIGN.md)."""
    names = {
        match
        for path in (SCENARIOS_DIR / suite).glob("test_*.py")
        for match in re.findall(r"^def (test_\w+)\(", path.read_text(encoding="utf-8"), re.M)
    }
    failed_by_some = {name for d in CATALOGUE if d.protocol == suite for name in d.must_fail}
    assert names and names <= failed_by_some, f"checks no defect can fail: {sorted(names - failed_by_some)}"


@pytest.mark.parametrize("defect", CATALOGUE, ids=lambda d: d.name)
def test_defect_makes_its_named_checks_fail(tmp_path: Path, defect) -> None:  # type: ignore[no-untyped-def]
    code, outcomes, results = _run(tmp_path, defect.protocol, "--sandbox-defect", defect.name)
    for check in defect.must_fail:
        assert "FAIL" in outcomes.get(check, []), f"{defect.name}: {check} was {outcomes.get(check)}"
    assert code == 1
    errors = {k: v for k, v in outcomes.items() if "ERROR" in v}
    assert not errors, f"a target's defect must give FAIL, never a harness ERROR: {errors}"
    assert results["run"]["sandbox_defects"] == [defect.name]
    failing = [c for c in results["checks"] if c["outcome"] == "FAIL"]
    assert all(c["evidence"] and c["evidence"][0]["clause"] for c in failing), "every FAIL carries its clause"
    assert all(f"--sandbox-defect {defect.name}" in c["reproduce"] for c in failing)
