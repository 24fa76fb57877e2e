"""The plugin's classification and bookkeeping, on small scenario files run by pytester."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

SCENARIOS = '''
import pytest
from harness.errors import TargetUnreachable
from harness.findings import Finding, not_tested, skip_undeclared

@pytest.mark.requirement("MARC-01")
def test_passes():
    """Export is valid

    nb: Eksporten er gyldig
    """

@pytest.mark.requirement("MARC-01")
def test_fails_with_finding():
    raise Finding("leader says 10 bytes", clause="ISO 2709 §4.1", sent="GET /x", received="11 bytes", expected="10 bytes")

@pytest.mark.requirement("MARC-02")
def test_plain_assert_is_fail():
    assert 1 == 2

@pytest.mark.requirement("MARC-02")
def test_unreachable_is_error():
    raise TargetUnreachable("connection refused")

@pytest.mark.requirement("MARC-03")
def test_harness_bug_is_error():
    {}["missing"]

@pytest.fixture
def broken_login():
    raise ConnectionRefusedError("no SIP2 server")

@pytest.mark.requirement("SIP-01")
def test_setup_failure_is_error(broken_login):
    pass

@pytest.mark.requirement("SIP-08")
def test_undeclared_is_skip():
    skip_undeclared("65/66 not in BX")

@pytest.mark.requirement("SIP-07")
def test_not_tested():
    not_tested("no [sip2] tls in the profile")

@pytest.mark.requirement("KAT-03")
def test_warn(warn):
    warn("sorting not offered", clause="SRU 1.2 sortKeys")

@pytest.mark.requirement("KAT-02")
def test_note(warn):
    warn.note("findable after 0.4 s", details=["imported 12:00:00.0, found 12:00:00.4"])

@pytest.mark.requirement("MARC-04")
@pytest.mark.destructive
def test_destructive():
    pass

def test_not_a_check():
    pass

@pytest.mark.requirement("SEC-02")
def test_leaks_a_pin():
    raise Finding("patron answered with PIN 4711", clause="x", received="63...|AD4711|AOx|")
'''


def _outcomes(report_dir: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    data = json.loads((report_dir / "results.json").read_text(encoding="utf-8"))
    return {c["id"].rsplit("::", 1)[1]: c for c in data["checks"]}


def test_outcomes_are_classified_per_design(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile(test_scenarios=SCENARIOS)
    report = tmp_path / "r"
    pytester.runpytest("--report-dir", str(report), "-p", "no:cacheprovider")
    checks = _outcomes(report)
    assert {k: v["outcome"] for k, v in checks.items()} == {
        "test_passes": "PASS",
        "test_fails_with_finding": "FAIL",
        "test_plain_assert_is_fail": "FAIL",
        "test_unreachable_is_error": "ERROR",
        "test_harness_bug_is_error": "ERROR",
        "test_setup_failure_is_error": "ERROR",
        "test_undeclared_is_skip": "SKIP",
        "test_not_tested": "NOT_TESTED",
        "test_warn": "WARN",
        "test_note": "PASS",
        "test_destructive": "PASS",
        "test_leaks_a_pin": "FAIL",
    }
    leak = checks["test_leaks_a_pin"]  # sandbox.toml's PINs are registered secrets
    assert "4711" not in json.dumps(leak) and leak["message"] == "patron answered with PIN ***"
    assert "4711" not in (report / "junit.xml").read_text() + (report / "scorecard.html").read_text()
    assert (checks["test_passes"]["title"], checks["test_passes"]["title_nb"]) == ("Export is valid", "Eksporten er gyldig")
    assert ">Eksporten er gyldig<" in (report / "scorecard.html").read_text(encoding="utf-8")  # nb is the default
    finding = checks["test_fails_with_finding"]
    evidence = finding["evidence"][0]
    assert (evidence["clause"], evidence["expected"]) == ("ISO 2709 §4.1", "10 bytes")
    assert [(e["sent"], e["received"]) for e in evidence["exchanges"]] == [("GET /x", "11 bytes")]
    assert finding["reproduce"].startswith("harness run --suite ") and finding["reproduce"].endswith("-k test_fails_with_finding")
    assert checks["test_not_tested"]["message"] == "no [sip2] tls in the profile"
    note = checks["test_note"]  # a passing check keeps what it measured
    assert note["message"] == "findable after 0.4 s" and note["evidence"][0]["details"] == ["imported 12:00:00.0, found 12:00:00.4"]
    lines = [json.loads(line) for line in (report / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    # The journal, written as the run went: the manifest, one line per check, the end.
    assert "manifest" in lines[0] and lines[-1] == {"finished": True, "interrupted": False}
    assert [line["id"].rsplit("::", 1)[1] for line in lines[1:-1]] == list(checks)
    verdicts = {r["id"]: r["verdict"] for r in json.loads((report / "results.json").read_text())["requirements"]}
    assert verdicts["MARC-01"] == "NOT_MET" and verdicts["SIP-01"] == "UNVERIFIED" and verdicts["KAT-03"] == "MET"
    assert (report / "junit.xml").exists() and (report / "scorecard.html").exists()


def test_read_only_makes_destructive_not_tested(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile(test_scenarios=SCENARIOS)
    pytester.runpytest("--report-dir", str(tmp_path), "--read-only", "-k", "destructive or passes")
    checks = _outcomes(tmp_path)
    assert checks["test_destructive"]["outcome"] == "NOT_TESTED"
    assert "read-only" in checks["test_destructive"]["message"]
    assert checks["test_passes"]["outcome"] == "PASS"


def test_unknown_requirement_id_is_a_usage_error_with_suggestion(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x='import pytest\n@pytest.mark.requirement("MARC-1")\ndef test_x():\n    pass\n')
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown requirement id (did you mean MARC-01?)*"])


def test_interrupted_run_keeps_results_written_so_far(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile(
        test_stop='''
import pytest
@pytest.mark.requirement("MARC-01")
def test_first():
    pass
@pytest.mark.requirement("MARC-01")
def test_second():
    raise KeyboardInterrupt
'''
    )
    # A subprocess: the KeyboardInterrupt must end that run, not this one.
    pytester.runpytest_subprocess("--report-dir", str(tmp_path))
    lines = [json.loads(l) for l in (tmp_path / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [l.get("outcome") for l in lines][1:2] == ["PASS"]
    manifest = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["run"]
    assert manifest["interrupted"] is True  # the reports say the run did not finish
