"""The `harness` command as a user meets it: real processes, real exit codes, real files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

import pytest

from harness.cli import main
from harness.paths import MARC_FIXTURES_DIR
from harness.registry import all_defects


def _harness(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], check=False, capture_output=True, text=True, timeout=timeout)


def test_run_against_sandbox_exits_0_and_writes_reports(tmp_path: Path) -> None:
    done = _harness("run", "--report-dir", str(tmp_path), "--lang", "en")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    for name in ("results.json", "junit.xml", "scorecard.html", "results.jsonl"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert str(tmp_path.resolve()) in done.stdout  # it says where the reports are
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert set(results) >= {"run", "checks", "requirements"}
    assert results["run"]["target"] == "Embedded sandbox" and results["run"]["git_revision"]
    assert results["run"]["command"] == f"harness run --report-dir {tmp_path} --lang en"  # what the evaluator typed


def test_broken_profile_exits_2_with_file_key_and_fix(tmp_path: Path) -> None:
    profile = tmp_path / "vendor.toml"
    profile.write_text('[target]\nname = "X"\n[marc]\nchanel = "files"\n', encoding="utf-8")
    done = _harness("run", "--target", str(profile), "--report-dir", str(tmp_path / "r"))
    assert done.returncode == 2
    assert f"{profile}: [marc] chanel: unknown key. Fix: rename it to 'channel'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--suite", "mark"], "--suite mark: no such suite. Fix: use one of marc"),
        (["run", "--sandbox-defect", "marc-leader09-blnk"], "did you mean 'marc-leader09-blank'?"),
        (["run", "--target", "/nonexistent/x.toml"], "/nonexistent/x.toml: no such profile"),
        (["report", "/nonexistent/results.json"], "/nonexistent/results.json"),
    ],
)
def test_user_errors_exit_2_with_one_clear_message(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("harness: error:") == 1


def test_missing_secret_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("VENDOR_X_PASSWORD", raising=False)
    profile = tmp_path / "v.toml"
    profile.write_text('[target]\nname = "X"\n[marc]\nchannel = "http"\nbase_url = "http://127.0.0.1:9"\npassword = "${VENDOR_X_PASSWORD}"\n', encoding="utf-8")
    assert main(["run", "--target", str(profile)]) == 2
    assert "export VENDOR_X_PASSWORD=" in capsys.readouterr().err


def test_unreachable_target_is_error_exit_3(tmp_path: Path) -> None:
    profile = tmp_path / "v.toml"
    # Port 9 (discard) on loopback: nothing listens there, so the connection is refused at once.
    profile.write_text('[target]\nname = "Down"\ntimeout = 2\n[marc]\nchannel = "http"\nbase_url = "http://127.0.0.1:9"\n', encoding="utf-8")
    done = _harness("run", "--target", str(profile), "--report-dir", str(tmp_path / "r"))
    assert done.returncode == 3, done.stdout[-2000:]
    results = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    errors = [c for c in results["checks"] if c["outcome"] == "ERROR"]
    # Unreachable once: one ERROR for the protocol, its scenarios NOT_TESTED, no traceback.
    assert [c["id"] for c in errors] == ["marc::endpoint"] and "127.0.0.1:9" in errors[0]["message"]
    others = [c for c in results["checks"] if c["outcome"] != "ERROR" and c["suite"] == "marc"]
    assert others and all(c["outcome"] == "NOT_TESTED" and "unreachable" in c["message"] for c in others)
    assert "Traceback" not in done.stdout + done.stderr
    assert results["run"]["unreachable"] and results["run"]["unreachable"][0].startswith("marc: ")
    assert "UNREACHABLE: marc" in done.stdout  # on the first screen of the terminal


def test_list_defects_names_the_checks_each_must_fail() -> None:
    done = _harness("sandbox", "--list-defects")
    assert done.returncode == 0
    for defect in all_defects():
        assert defect.name in done.stdout
    assert "marc-export-latin1  [marc]" in done.stdout
    block = done.stdout.split("marc-export-latin1  [marc]", 1)[1].split("\n\n", 1)[0]
    assert "must FAIL: marc::test_iso2709_export_declares_and_uses_utf8, marc::test_letters_survive_import_export_byte_exact" in block
    assert "(no check names it)" not in done.stdout


def test_sandbox_serves_real_http_clients() -> None:
    """`harness sandbox` in the foreground, queried with curl (a client nobody here wrote)."""
    proc = subprocess.Popen([sys.executable, "-m", "harness.cli", "sandbox", "--duration", "20"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = ""
        deadline = time.monotonic() + 15
        while not url and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if "MARC export" in line:
                url = line.split()[2].split("/marc/")[0]
        assert url.startswith("http://127.0.0.1:")
        curl = shutil.which("curl")
        if curl is None:
            pytest.skip("curl is not installed (apt-get install curl)")
        out = subprocess.run([curl, "-sf", "--max-time", "10", f"{url}/marc/export?format=marcxml"], check=False, capture_output=True, timeout=15)
        assert out.returncode == 0 and b"<collection" in out.stdout and b"Guovdageaidnu" in out.stdout
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_requirements_lists_coverage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["requirements", "--lang", "en"]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[1:]}
    assert int(rows["MARC-01"][2]) >= 3 and int(rows["KAT-01"][2]) >= 3
    assert int(rows["SIP-01"][2]) >= 3
    assert int(rows["SRU-01"][2]) >= 3
    assert int(rows["Z-01"][2]) >= 3 and int(rows["Z-02"][2]) >= 3


def test_report_rebuilds_and_merges_disagreeing_runs_as_flaky(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert main(["run", "--suite", "marc", "--report-dir", str(first), "-k", "structurally_valid"]) == 0
    assert main(["run", "--suite", "marc", "--report-dir", str(second), "-k", "structurally_valid", "--sandbox-defect", "marc-length-in-characters"]) == 1
    out = tmp_path / "merged"
    assert main(["report", str(first / "results.json"), str(second / "results.json"), "--out", str(out)]) == 1
    merged = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [c["outcome"] for c in merged["checks"]] == ["FLAKY"]
    verdicts = {r["id"]: r["verdict"] for r in merged["requirements"]}
    assert verdicts["MARC-01"] == "UNVERIFIED"


@pytest.mark.parametrize(
    ("name", "code"),
    [("consortium.mrc", 0), ("consortium.xml", 0), ("bad_record_length_chars.mrc", 1), ("schema_invalid.xml", 1), ("not_marc.txt", 2), ("does-not-exist.mrc", 2)],
)
def test_marc_check_exit_codes(name: str, code: int) -> None:
    done = _harness("marc", "check", str(MARC_FIXTURES_DIR / name), timeout=120)
    assert done.returncode == code, done.stdout + done.stderr


def test_marc_check_content_warns_and_never_fails() -> None:
    """--content adds MARC 21 Bibliographic content warnings; they never make the exit code 1."""
    plain = _harness("marc", "check", str(MARC_FIXTURES_DIR / "content_warnings.mrc"), timeout=120)
    content = _harness("marc", "check", "--content", str(MARC_FIXTURES_DIR / "content_warnings.mrc"), timeout=120)
    assert plain.returncode == content.returncode == 0, content.stdout + content.stderr
    assert "content-" not in plain.stdout
    assert "WARN record 6 (001 hx0000806)" in content.stdout and "[content-isbn]" in content.stdout
    assert "0 FAIL, 9 WARN" in content.stdout


def test_vendor_without_import_api_uses_files(tmp_path: Path) -> None:
    """channel = "files": the harness leaves the batch for a manual import and reads the export files."""
    from harness.paths import SANDBOX_PROFILE
    from harness.profile import load_profile
    from harness.sandbox.system import Sandbox

    box = Sandbox(load_profile(SANDBOX_PROFILE))  # stands in for the vendor's own export run
    with box:
        import requests

        for fmt, name in (("iso2709", "export.mrc"), ("marcxml", "export.xml")):
            answer = requests.get(f"{box.http_base_url}/marc/export", params={"format": fmt}, timeout=30)
            (tmp_path / name).write_bytes(answer.content)
            if fmt == "iso2709":  # the vendor's export run logs what it left out, one line each
                omitted = unquote(answer.headers["X-Omitted-Records"]).split("; ")
                (tmp_path / "export.log").write_text("export started\n" + "".join(f"skipped {o}\n" for o in omitted), encoding="utf-8")
    libraries = "".join(
        f'[[library]]\nnumber = "{n}"\nname = "{n}"\nkind = "{k}"\n'
        for n, k in (("NO-9900001", "public"), ("NO-9900002", "public"), ("NO-9900003", "public"), ("NO-9900004", "public"),
                     ("NO-9900011", "school"), ("NO-9900012", "school"), ("NO-9900021", "bookbus"))
    )
    profile = tmp_path / "vendor.toml"
    profile.write_text(
        '[target]\nname = "Vendor by files"\n'
        '[marc]\nchannel = "files"\nexport_file = "export.mrc"\nexport_xml_file = "export.xml"\n'
        'import_dir = "to-import"\nexport_log = "export.log"\nsystem_fields = ["005"]\n' + libraries,
        encoding="utf-8",
    )
    done = _harness("run", "--target", str(profile), "--report-dir", str(tmp_path / "r"))
    assert done.returncode == 0, done.stdout[-3000:]
    assert (tmp_path / "to-import" / "consortium.mrc").read_bytes() == (MARC_FIXTURES_DIR / "consortium.mrc").read_bytes()
    results = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    outcomes = {c["id"].rsplit("::", 1)[1]: c["outcome"] for c in results["checks"]}
    assert outcomes["test_import_export_round_trip_unchanged"] == "PASS"
    assert outcomes["test_prepublication_record_upgraded_in_place"] == "NOT_TESTED"
    assert outcomes["test_library_export_holds_only_that_library"] == "SKIP"
    assert outcomes["test_oversize_records_not_corrupted"] == "PASS"  # left out of the ISO 2709 file, named in the log
    assert outcomes["test_full_catalogue_in_both_exports"] == "PASS"

    # Without the log the same export leaves two records out of the ISO 2709 file silently.
    profile.write_text(profile.read_text(encoding="utf-8").replace('export_log = "export.log"\n', ""), encoding="utf-8")
    done = _harness("run", "--target", str(profile), "--report-dir", str(tmp_path / "r2"), "-k", "oversize")
    assert done.returncode == 1, done.stdout[-3000:]
    (check,) = json.loads((tmp_path / "r2" / "results.json").read_text(encoding="utf-8"))["checks"]
    assert check["outcome"] == "FAIL" and "2 oversize record(s) left out of the ISO 2709 export" in check["message"]
    assert "no export log (the profile names no [marc] export_log)" in check["evidence"][0]["exchanges"][-1]["received"]


def test_version_and_list_run_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.startswith("harness ")
    assert main(["list", "--suite", "sip2", "-v"]) == 0
    out = capsys.readouterr().out
    assert "sip2::test_replies_end_with_cr  [SIP-01]" in out
    assert "Svar avsluttes med vognretur" in out and "failed by: sip2-crlf-terminator" in out


def test_ids_do_not_depend_on_where_the_profile_lives(tmp_path: Path) -> None:
    """A profile in another directory (or the repository's targets/) gives the same check ids."""
    from harness.paths import SANDBOX_PROFILE

    copy = tmp_path / "elsewhere" / "sandbox.toml"
    copy.parent.mkdir()
    copy.write_text(SANDBOX_PROFILE.read_text(encoding="utf-8").replace(
        'items_file = "sandbox-load-items.txt"', f'items_file = "{SANDBOX_PROFILE.parent / "sandbox-load-items.txt"}"'), encoding="utf-8")
    ids = []
    for target, folder in ((SANDBOX_PROFILE, "a"), (copy, "b")):
        assert main(["run", "--target", str(target), "--suite", "sip2", "-k", "end_with_cr", "--report-dir", str(tmp_path / folder)]) == 0
        ids.append([c["id"] for c in json.loads((tmp_path / folder / "results.json").read_text(encoding="utf-8"))["checks"]])
    assert ids[0] == ids[1] == ["sip2/test_protocol.py::test_replies_end_with_cr"]


def test_a_closed_pipe_ends_quietly() -> None:
    done = subprocess.run(f"{sys.executable} -m harness.cli list | head -1", shell=True, check=False, capture_output=True, text=True, timeout=120)
    assert done.stdout.count("\n") == 1 and done.stderr == ""
