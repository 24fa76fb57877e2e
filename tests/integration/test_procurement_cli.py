"""The procurement commands as an evaluator uses them: three real sandbox runs (two vendors, one in
two negotiation rounds, each a vendor-named copy of the sandbox profile with its own defects),
then `harness compare`, `harness report`, `harness archive` and `harness verify`, as processes."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook
from rdflib import Graph

from harness.paths import SANDBOX_PROFILE
from harness.reporting.earl import EARL

AURORA, NORDLYS = "Bibliotekssystem Aurora", "Nordlys Bibliotek"
DEVIATIONS = f"""vendor = "{AURORA}"
[[deviation]]
requirement = "SIP-05"
reason = "Routing comes with the transit module"
fix_by = 2020-01-01
ticket = "AUR-881"
"""
# (folder, profile name, round, defects): the same suite, so only the defects differ
RUNS = (
    ("aurora-1", AURORA, "1", ("sip2-no-routing", "sip2-no-ay-echo")),
    ("aurora-2", AURORA, "2", ("sip2-no-routing", "sip2-accept-wrong-pin")),
    ("nordlys-1", NORDLYS, "1", ("sip2-wrong-ao",)),
)


def _harness(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], capture_output=True, text=True, timeout=300, cwd=cwd, check=False)


def _profile(base: Path, name: str) -> Path:
    path = base / f"{name.split()[-1].lower()}.toml"
    text = SANDBOX_PROFILE.read_text(encoding="utf-8").replace('name = "Embedded sandbox"', f'name = "{name}"', 1)
    assert f'name = "{name}"' in text
    # Paths in a profile are relative to it: the copy names the sandbox's own files absolutely.
    text = text.replace('items_file = "sandbox-load-items.txt"', f'items_file = "{SANDBOX_PROFILE.parent / "sandbox-load-items.txt"}"')
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("procurement")
    (base / "aurora-deviations.toml").write_text(DEVIATIONS, encoding="utf-8")
    processes = []
    for folder, name, round_, defects in RUNS:  # concurrently: each sandbox listens on its own free ports
        args = ["run", "--target", str(_profile(base, name)), "--suite", "sip2", "--negotiation-round", round_,
                "--report-dir", str(base / folder), *(a for d in defects for a in ("--sandbox-defect", d))]
        if name == AURORA:
            args += ["--deviations", str(base / "aurora-deviations.toml")]
        processes.append(subprocess.Popen([sys.executable, "-m", "harness.cli", *args], stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True))
    for process in processes:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 1, output[-3000:]  # each run has FAILs: its defects
    return base


@pytest.fixture(scope="module")
def compared(runs: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    done = _harness("compare", "aurora-1", "aurora-2", "nordlys-1", "--out", "cmp", "--lang", "en", cwd=runs)
    return runs / "cmp", done


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_compare_writes_every_view_and_exits_like_report(compared: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, done = compared
    assert done.returncode == 1, done.stderr  # the runs have FAILs
    names = {"compare.html", "compare.xlsx", "compare-matrix.csv", "compare-gate.csv", "compare-score.csv",
             "compare-deltas.csv", "compare-deviations.csv"}
    assert {p.name for p in out.iterdir()} == names
    assert all(str(Path("cmp") / n) in done.stdout for n in names)


def test_compare_gate_and_deltas_follow_the_defects(compared: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = compared
    gate = {(r["vendor"], r["round"]): r for r in _csv(out / "compare-gate.csv")}
    assert set(gate) == {(AURORA, "1"), (AURORA, "2"), (NORDLYS, "1")}
    assert {"SIP-02", "SIP-05"} <= set(gate[(AURORA, "1")]["not_met_ids"].split())  # no AY echo, no routing
    assert {"SIP-05", "SIP-06"} <= set(gate[(AURORA, "2")]["not_met_ids"].split())  # routing still, wrong PIN accepted
    assert "KAT-02" in gate[(NORDLYS, "1")]["unverified_ids"].split()  # a partial run: never counted as met
    assert all(r["all_skal_met"] == "no" for r in gate.values())
    deltas = {(r["requirement"], r["change"]) for r in _csv(out / "compare-deltas.csv")}
    assert ("SIP-02", "became_met") in deltas and ("SIP-06", "regressed") in deltas
    assert not any(r == "SIP-05" for r, _ in deltas)  # not met in both rounds: no change
    devs = _csv(out / "compare-deviations.csv")
    assert [(r["round"], r["requirement"], r["status"], r["expired"]) for r in devs] == [
        ("1", "SIP-05", "NOT_MET", "yes"), ("2", "SIP-05", "NOT_MET", "yes")]


def test_every_evidence_link_lands_on_an_anchor_of_that_runs_scorecard(compared: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = compared
    doc = lxml_html.document_fromstring((out / "compare.html").read_text(encoding="utf-8"))
    links = [h for h in doc.xpath("//a/@href") if not h.startswith("#")]
    assert len(links) > 3 * 25
    anchors: dict[Path, set[str]] = {}
    for href in links:
        file, _, anchor = href.partition("#")
        target = (out / file).resolve()
        if target not in anchors:
            anchors[target] = set(lxml_html.document_fromstring(target.read_text(encoding="utf-8")).xpath("//@id"))
        assert not anchor or anchor in anchors[target], href
    assert "PARTIAL RUN" in doc.xpath("//section[@class='scope']")[0].text_content()  # --suite sip2 is said, per run


def test_compare_xlsx_has_its_six_views(compared: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    book = load_workbook(compared[0] / "compare.xlsx")
    assert book.sheetnames == ["Skal gate", "Requirements x vendors", "Bør score inputs", "Round deltas", "Deviations", "Runs"]
    assert book["Skal gate"].max_row == 4 and book["Runs"]["A2"].hyperlink.target.endswith("aurora-1/scorecard.html")


def test_each_run_writes_earl_and_keeps_its_deviations(runs: Path) -> None:
    for folder, name, _, _ in RUNS:
        graph = Graph().parse(runs / folder / "results.ttl", format="turtle")
        assertions = set(graph.subjects(EARL.result, None))
        assert len(assertions) > 50
        assert (runs / folder / "deviations.toml").exists() == (name == AURORA)
    assert (runs / "aurora-1" / "deviations.toml").read_text(encoding="utf-8") == DEVIATIONS


def test_report_rebuilds_with_the_recorded_deviations(runs: Path) -> None:
    done = _harness("report", "aurora-2", "--out", "rebuilt", "--lang", "en", cwd=runs)
    assert done.returncode == 1, done.stderr
    page = (runs / "rebuilt" / "scorecard.html").read_text(encoding="utf-8")
    assert "Routing comes with the transit module" in page and "EXPIRED" in page
    assert (runs / "rebuilt" / "deviations.toml").read_text(encoding="utf-8") == DEVIATIONS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "aurora-1", "aurora-1"], "a second run of 'Bibliotekssystem Aurora' in round '1'"),
        (["compare", "aurora-1", "--deviations", "aurora.toml"], "target: unknown key"),
        (["compare", "nope"], "nope: no such results file"),
        (["run", "--suite", "sip2", "--deviations", "aurora-deviations.toml", "--report-dir", "never"],
         "vendor 'Bibliotekssystem Aurora' has no run here (runs of: Embedded sandbox)"),
        (["report", "nordlys-1", "--deviations", "aurora-deviations.toml", "--out", "x"], "has no run here"),
        (["archive", "aurora-1", "--out", "aurora-1/self.tar"], "inside the run directory"),
        (["verify", "missing.tar"], "missing.tar: no such file"),
    ],
)
def test_user_errors_exit_2_with_one_message(runs: Path, args: list[str], message: str) -> None:
    done = _harness(*args, cwd=runs)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr and done.stderr.count("harness: error:") == 1 and "Traceback" not in done.stderr
    assert not (runs / "never").exists()  # nothing ran


def test_archive_then_verify_intact_then_changed(runs: Path) -> None:
    done = _harness("archive", "aurora-1", "--out", "aurora-1.tar", cwd=runs)
    assert done.returncode == 0, done.stderr
    digest = done.stdout.split("manifest SHA-256: ")[1].split()[0]
    verified = _harness("verify", "aurora-1.tar", "--expect", digest, cwd=runs)
    assert verified.returncode == 0 and f"intact: 9 files, manifest SHA-256 {digest}" in verified.stdout
    data = bytearray((runs / "aurora-1.tar").read_bytes())
    data[len(data) // 2] ^= 0x01
    (runs / "tampered.tar").write_bytes(bytes(data))
    changed = _harness("verify", "tampered.tar", cwd=runs)
    assert changed.returncode == 1 and changed.stdout.startswith("harness verify: CHANGED: tampered.tar: ")
