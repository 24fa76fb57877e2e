"""SIGTERM mid-run behaves as Ctrl-C: every report written, the sandbox stopped, its keys removed."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from fault_targets import run_watched

from harness.cli import main
from harness.reporting import FILE_NAMES


def test_sigterm_mid_run_keeps_every_report_and_leaves_no_key_material(tmp_path: Path) -> None:
    report = tmp_path / "report"
    child_tmp = tmp_path / "tmp"  # the child's TMPDIR: where the sandbox makes its TLS keys
    child_tmp.mkdir()
    journal = report / "results.jsonl"

    def terminate_after_a_few_checks(proc: subprocess.Popen[str]) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if journal.exists() and len(journal.read_text(encoding="utf-8").splitlines()) >= 4:
                proc.send_signal(signal.SIGTERM)
                return
            time.sleep(0.01)
        pytest.fail("the run wrote no checks within a minute (or finished before it could be interrupted)")

    done = run_watched(["run", "--report-dir", str(report)], report, timeout=90, env={"TMPDIR": str(child_tmp)},
                       on_start=terminate_after_a_few_checks)
    assert done.returncode == 3, done.stdout[-2000:] + done.stderr[-2000:]  # interrupted, no FAIL: could not verify
    assert "Traceback" not in done.stderr
    for name in (*FILE_NAMES.values(), "results.jsonl"):
        assert (report / name).stat().st_size > 0, name
    results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    assert results["run"]["interrupted"] is True
    assert 0 < len(results["checks"]) < 60  # what ran is kept; the rest did not run
    assert "INTERRUPTED" in done.stdout  # on the first screen of the terminal summary
    assert not list(child_tmp.glob("harness-sandbox-tls-*")), "the sandbox's TLS keys were left behind"


def test_an_interrupt_outside_the_run_ends_quietly(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A Ctrl-C that pytest does not catch (before the run, or a second one in its summary)."""
    import harness.config

    def interrupted(options: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(harness.config, "load_run_config", interrupted)
    assert main(["run"]) == 130
    err = capsys.readouterr().err
    assert err.strip() == "harness: interrupted" and "Traceback" not in err
