"""`harness load` against the sandbox: real Locust processes, real SIP2 and HTTP, a few seconds each.

Each workload, the distributed mode (local workers, and a worker started as another machine
would start it), a load defect failing its requirement, and the refusals: a target whose
profile does not allow load, a conformance run that was not asked to load. The defect catalogue
test (test_defects.py) proves each load defect fails exactly the load check that names it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.load.fixtures import NOT_ASKED
from harness.load.runner import free_port
from harness.paths import TARGETS_DIR
from harness.sandbox.state import load_libraries
from harness.sip2 import defects

pytestmark = pytest.mark.skipif(
    __import__("importlib").util.find_spec("locust") is None, reason="Locust is not installed: pip install -e '.[load]'")


def _results(report_dir: Path) -> dict[str, Any]:
    results: dict[str, Any] = json.loads((report_dir / "results.json").read_text(encoding="utf-8"))
    return results


def _checks(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"].rsplit("::", 1)[1]: c for c in results["checks"]}


def _details(check: dict[str, Any]) -> str:
    return "\n".join(line for e in check["evidence"] for line in e["details"])


@pytest.mark.parametrize(("workload", "transactions"), [
    ("harvest", ["marc_export"]),
    ("mixed", ["login", "patron_information", "checkout", "checkin", "marc_export"]),
])
def test_each_workload_reports_percentiles_and_errors(tmp_path: Path, workload: str, transactions: list[str]) -> None:
    assert main(["load", "--workload", workload, "--duration", "5", "--report-dir", str(tmp_path), "--lang", "en"]) == 0
    results = _results(tmp_path)
    errors = _checks(results)["test_error_rate_within_threshold"]
    assert errors["outcome"] == "PASS" and errors["message"].startswith("0 of ")
    details = _details(errors)
    assert f"workload {workload} against Embedded sandbox" in details
    table = details.split("p95 limit", 1)[1]
    for name in transactions:  # a row with replies and no errors: "checkout   174   0 ..."
        row = next(line for line in table.splitlines() if line.startswith(name + " "))
        assert int(row.split()[1]) > 0 and row.split()[2] == "0", row
    assert "timeline +1 s:" in details
    assert results["run"]["command"].startswith(f"harness load --workload {workload}")
    scorecard = (tmp_path / "scorecard.html").read_text(encoding="utf-8")
    assert "p95 limit" in scorecard and "LAST-02" in scorecard
    record = json.loads((tmp_path / "load.json").read_text(encoding="utf-8"))
    assert record["workload"]["name"] == workload and record["result"]["windows"]


def test_the_sandbox_holds_the_morning_rush_at_its_documented_pace(tmp_path: Path) -> None:
    """Time scale 1: the machines and rates of the documented defaults, no compression."""
    assert main(["load", "--time-scale", "1", "--duration", "5", "--report-dir", str(tmp_path)]) == 0
    checks = _checks(_results(tmp_path))
    assert checks["test_error_rate_within_threshold"]["outcome"] == "PASS"
    assert checks["test_reply_times_within_thresholds"]["outcome"] == "PASS"
    details = _details(checks["test_error_rate_within_threshold"])
    assert "10 client(s), a patron session of 5 transactions every 30 s" in details
    assert ", 0 errors (0.00 %)" in details


def test_distributed_mode_with_two_local_workers(tmp_path: Path) -> None:
    assert main(["load", "--workers", "2", "--duration", "6", "--report-dir", str(tmp_path), "--lang", "en"]) == 0
    checks = _checks(_results(tmp_path))
    assert {c["outcome"] for c in checks.values()} == {"PASS"}
    details = _details(checks["test_error_rate_within_threshold"])
    assert "a Locust master and 2 local worker(s)" in details
    record = json.loads((tmp_path / "load.json").read_text(encoding="utf-8"))["result"]
    assert record["workers"] == 2
    logins = sum(sum(c["ok"].values()) for w in record["windows"].values() for n, c in w["cells"].items() if n == "login")
    assert logins == 11  # every client ran once, on one worker or the other, each with its own items (no errors)


def test_a_load_defect_fails_its_requirement(tmp_path: Path) -> None:
    assert main(["load", "--duration", "5", "--report-dir", str(tmp_path), "--lang", "en",
                 "--sandbox-defect", defects.SLOW_UNDER_LOAD.name]) == 1
    results = _results(tmp_path)
    latency = _checks(results)["test_reply_times_within_thresholds"]
    assert latency["outcome"] == "FAIL" and "checkout p95" in latency["message"] and "over 500 ms" in latency["message"]
    assert latency["evidence"][0]["clause"].startswith("LAST-01 (scenarios/requirements.toml): p95_ms in [load] of sandbox.toml")
    verdicts = {r["id"]: r["verdict"] for r in results["requirements"]}
    assert verdicts["LAST-01"] == "NOT_MET" and verdicts["LAST-02"] == "MET"


def test_load_defects_leave_every_conformance_check_passing(tmp_path: Path) -> None:
    names = [arg for d in defects.UNDER_LOAD for arg in ("--sandbox-defect", d.name)]
    assert main(["run", "--suite", "sip2", "--report-dir", str(tmp_path), *names]) == 0
    assert {c["outcome"] for c in _results(tmp_path)["checks"]} == {"PASS"}


def test_a_conformance_run_sends_no_load(tmp_path: Path) -> None:
    assert main(["run", "-k", "test_reply_times_within_thresholds", "--report-dir", str(tmp_path)]) == 0
    (check,) = _results(tmp_path)["checks"]
    assert check["outcome"] == "NOT_TESTED" and check["message"] == NOT_ASKED
    assert not (tmp_path / "load.json").exists()


def _vendor_profile(tmp_path: Path, sip2_port: int, http_port: int, allow: str) -> Path:
    """The running `harness sandbox`, described as a vendor's target would be."""
    libraries = "".join(
        f'[[library]]\nnumber = "{lib.number}"\nname = "{lib.name}"\nkind = "{lib.kind}"\ncodes = {{ sip2 = "{lib.code_for("sip2")}" }}\n\n'
        for lib in load_libraries().values())
    text = (f'[target]\nname = "Sandbox as a vendor"\nkind = "vendor"\n\n{libraries}'
            f'[sip2]\nhost = "127.0.0.1"\nport = {sip2_port}\nusername = "sc-tromso"\npassword = "sandbox-sip"\n'
            'institution = "TROMSO"\ntimeout = 3\n\n'
            f'[marc]\nchannel = "http"\nbase_url = "http://127.0.0.1:{http_port}"\n\n'
            '[[patron]]\nbarcode = "TST0000003"\nhome_library = "NO-9900001"\npin = "6933"\n\n'
            f'[load]\n{allow}duration = 5\ntime_scale = 30\nspawn_rate = 20\n'
            f'items_file = "{TARGETS_DIR / "sandbox-load-items.txt"}"\nsoak_minimum = 5\n')
    path = tmp_path / "vendor.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("allow", "message"), [
    ("", "[load] allow_load is not true: the harness sends load only to a target whose profile allows it"),
    ("allow_load = false\n", "[load] allow_load is not true"),
])
def test_a_target_without_allow_load_is_refused_with_one_message(
    tmp_path: Path, allow: str, message: str, capsys: pytest.CaptureFixture[str],
) -> None:
    profile = _vendor_profile(tmp_path, 6001, 8080, allow)
    assert main(["load", "--target", str(profile), "--report-dir", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("harness: error:") == 1 and "Traceback" not in err
    assert not (tmp_path / "r").exists()  # nothing was created, nothing sent


def test_a_profile_without_a_load_section_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "vendor.toml"
    profile.write_text('[target]\nname = "X"\n[sip2]\nhost = "127.0.0.1"\nport = 6001\nusername = "a"\ninstitution = "B"\n', encoding="utf-8")
    assert main(["load", "--target", str(profile), "--report-dir", str(tmp_path / "r")]) == 2
    assert "no [load] section" in capsys.readouterr().err


def _harness(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "harness.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_a_worker_started_as_on_another_machine(tmp_path: Path) -> None:
    """The README's recipe: the target served elsewhere, a master waiting for a remote worker,
    the worker started with its own copy of the profile."""
    sip2_port, http_port, master_port = free_port(), free_port(), free_port()
    sandbox = _harness("sandbox", "--port", f"sip2={sip2_port}", "--port", f"http={http_port}", "--duration", "60")
    started = [sandbox]
    try:
        assert sandbox.stdout is not None
        for line in sandbox.stdout:  # until the sandbox says it serves (or ends: then the ports refuse)
            if "Ctrl-C stops it." in line:
                break
        profile = _vendor_profile(tmp_path, sip2_port, http_port, "allow_load = true\n")
        master = _harness("load", "--target", str(profile), "--remote-workers", "1", "--master-port", str(master_port),
                          "--report-dir", str(tmp_path / "r"), "--lang", "en")
        time.sleep(1.0)
        worker = _harness("load", "--worker", "--master-host", "127.0.0.1", "--master-port", str(master_port), "--target", str(profile))
        started += [master, worker]
        output, _ = master.communicate(timeout=120)
        assert master.returncode == 0, output[-3000:]
        worker.wait(30)
        assert worker.returncode == 0
        record = json.loads((tmp_path / "r" / "load.json").read_text(encoding="utf-8"))["result"]
        assert record["workers"] == 1
        checks = _checks(_results(tmp_path / "r"))
        assert "a Locust master and 1 remote worker(s)" in _details(checks["test_error_rate_within_threshold"])
        assert checks["test_error_rate_within_threshold"]["outcome"] == "PASS"
    finally:
        for process in started:
            if process.poll() is None:
                process.terminate()
            process.communicate(timeout=10)


def test_the_web_ui_is_served_on_loopback_only_when_asked(tmp_path: Path) -> None:
    import urllib.request

    port = free_port()
    run = _harness("load", "--web", "--web-port", str(port), "--duration", "4", "--report-dir", str(tmp_path))
    try:
        assert run.stdout is not None
        for line in run.stdout:
            if f"web UI on http://127.0.0.1:{port}/" in line:
                break
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
            assert page.status == 200
        output, _ = run.communicate(timeout=60)
        assert run.returncode == 0, output[-2000:]
    finally:
        if run.poll() is None:
            run.terminate()
            run.communicate(timeout=10)
