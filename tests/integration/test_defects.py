"""The defect catalogue proves every MARC check can fail, and the clean sandbox passes all.

Each run is a real `harness run` against the embedded sandbox (in-process, so a run costs
a second, not an interpreter start), read back from the results.json it writes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.paths import SCENARIOS_DIR
from harness.sandbox.defects import CATALOGUE

MARC_DEFECTS = [d for d in CATALOGUE if d.protocol == "marc"]


def _run(tmp_path: Path, *extra: str) -> tuple[int, dict[str, str], dict]:  # type: ignore[type-arg]
    report_dir = tmp_path / "report"
    code = main(["run", "--suite", "marc", "--report-dir", str(report_dir), *extra, "--", "-q", "-p", "no:randomly"])
    results = json.loads((report_dir / "results.json").read_text(encoding="utf-8"))
    outcomes = {c["id"].rsplit("::", 1)[1]: c["outcome"] for c in results["checks"]}
    return code, outcomes, results


def test_clean_sandbox_passes_every_marc_check(tmp_path: Path) -> None:
    code, outcomes, results = _run(tmp_path)
    assert outcomes and set(outcomes.values()) == {"PASS"}, {k: v for k, v in outcomes.items() if v != "PASS"}
    assert code == 0
    verdicts = {r["id"]: r["verdict"] for r in results["requirements"]}
    assert verdicts["MARC-01"] == verdicts["MARC-02"] == verdicts["KAT-01"] == "MET"
    assert verdicts["SIP-01"] == "N/A"  # no SIP2 check ran


def test_every_marc_check_is_failed_by_some_defect() -> None:
    """A check that no defect can fail proves nothing (DESIGN.md)."""
    scenario_names = {
        line.split("def ", 1)[1].split("(", 1)[0]
        for f in (SCENARIOS_DIR / "marc").glob("test_*.py")
        for line in f.read_text(encoding="utf-8").splitlines()
        if line.startswith("def test_")
    }
    failed_by_some = {name for d in MARC_DEFECTS for name in d.must_fail}
    assert scenario_names <= failed_by_some, f"checks no defect can fail: {sorted(scenario_names - failed_by_some)}"


@pytest.mark.parametrize("defect", MARC_DEFECTS, ids=lambda d: d.name)
def test_defect_makes_its_named_checks_fail(tmp_path: Path, defect) -> None:  # type: ignore[no-untyped-def]
    code, outcomes, results = _run(tmp_path, "--sandbox-defect", defect.name)
    for check in defect.must_fail:
        assert outcomes.get(check) == "FAIL", f"{defect.name}: {check} was {outcomes.get(check)}"
    assert code == 1
    assert results["run"]["sandbox_defects"] == [defect.name]
    failing = [c for c in results["checks"] if c["outcome"] == "FAIL"]
    assert all(c["evidence"] and c["evidence"][0]["clause"] for c in failing), "every FAIL carries its clause"
    assert all(f"--sandbox-defect {defect.name}" in c["reproduce"] for c in failing)
