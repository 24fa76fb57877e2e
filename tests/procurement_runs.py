"""Three small runs for the procurement views: vendor Aurora in rounds 1 and 2, vendor Nordlys in round 1.

Built from the real register (so ids, kinds and areas are the tender's) with a few checks whose
outcomes give every verdict change the comparison classifies. Shared by the unit tests of the
comparison and the browser tests, which need the reports on disk.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from harness.deviations import DeviationRegister, load_deviations
from harness.findings import evidence
from harness.reporting import write_reports
from harness.requirements import Register, apply_mapping, load_register
from harness.results import (
    CheckResult,
    Outcome,
    Override,
    RunManifest,
    RunResult,
    Verdict,
)
from harness.verdicts import rebuild

AURORA, NORDLYS = "Bibliotekssystem Aurora", "Nordlys Bibliotek"

MAPPING = """
[SIP-07]
external_id = "K5.7"
award_criterion = "Sikkerhet"
weight = 4
[SIP-08]
award_criterion = "Funksjonalitet"
weight = 2
[MARC-03]
award_criterion = "Kvalitet"
weight = 5
[Z-02]
not_applicable = "Z39.50 OPAC records are not asked for"
"""

DEVIATIONS = """
vendor = "Bibliotekssystem Aurora"
[[deviation]]
requirement = "SIP-05"
reason = "Routing <b>comes</b> with the transit module"
fix_by = 2025-01-15
ticket = "AUR-881"
[[deviation]]
check = "sip2/test_wire.py::test_tls"
reason = "TLS is terminated by a proxy in production"
fix_by = 2027-03-01
ticket = "AUR-902"
"""

# check id -> (requirements, title)
CHECKS = {
    "marc/test_export.py::test_valid": (("MARC-01",), "Export is structurally valid"),
    "marc/test_round_trip.py::test_unchanged": (("MARC-02",), "Import and export unchanged"),
    "marc/test_upgrade.py::test_upgrade": (("MARC-03",), "Pre-publication record upgraded"),
    "sip2/test_core.py::test_checkout": (("SIP-01",), "Checkout"),
    "sip2/test_consortium.py::test_routing": (("SIP-05",), "Return anywhere routes the item home"),
    "sip2/test_wire.py::test_tls": (("SIP-07",), "SIP2 over TLS"),
    "sip2/test_optional.py::test_renew_all": (("SIP-08",), "Renew all"),
    "sip2/test_patrons.py::test_wrong_pin": (("SIP-06",), "Wrong PIN refused"),
    "sru/test_visibility.py::test_visible": (("KAT-02",), "Imported record findable over SRU"),
}

PASS_ALL = dict.fromkeys(CHECKS, Outcome.PASS)
# Aurora 1 -> 2: MARC-02 becomes MET, MARC-01 regresses, SIP-06 becomes UNVERIFIED (ERROR), SIP-05 stays NOT_MET
AURORA_1 = {**PASS_ALL, "marc/test_round_trip.py::test_unchanged": Outcome.FAIL, "sip2/test_consortium.py::test_routing": Outcome.FAIL,
            "sip2/test_wire.py::test_tls": Outcome.FAIL}
AURORA_2 = {**PASS_ALL, "marc/test_export.py::test_valid": Outcome.FAIL, "sip2/test_consortium.py::test_routing": Outcome.FAIL,
            "sip2/test_patrons.py::test_wrong_pin": Outcome.ERROR, "sip2/test_wire.py::test_tls": Outcome.FAIL}
NORDLYS_1 = {**PASS_ALL, "sip2/test_optional.py::test_renew_all": Outcome.SKIP}

VISIBILITY = "imported over MARC for NO-9900001, findable over SRU 1.840 s after the import returned"


def register() -> Register:
    return load_register()


def mapped(tmp: Path) -> Register:
    path = tmp / "mapping.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return apply_mapping(load_register(), path)


def check(check_id: str, outcome: Outcome) -> CheckResult:
    reqs, title = CHECKS[check_id]
    failing = outcome is Outcome.FAIL
    return CheckResult(
        id=check_id, title=title, title_nb=f"{title} (nb)", requirements=reqs, outcome=outcome, suite=check_id.split("/")[0],
        message=("the target said <script>alert(1)</script>" if failing else VISIBILITY if "visible" in check_id else ""),
        evidence=(evidence(clause="SIP2 2.00 §2.00", sent="11YN...", received="12N...", expected="ok"),) if failing else (),
        reproduce=f"harness run -k {check_id.split('::')[1]}" if failing else "",
    )


def run(target: str, round_: str, outcomes: dict[str, Outcome], reg: Register, started: str = "2026-03-02T09:00:00+00:00",
        overrides: dict[str, Override] | None = None) -> RunResult:
    manifest = RunManifest(suite_version="0.1.0", git_revision="abc1234", target=target, negotiation_round=round_,
                           started=started, duration=3.0, command="harness run")
    return rebuild(manifest, [check(i, o) for i, o in outcomes.items()], reg, overrides)


def three_runs(reg: Register) -> list[RunResult]:
    override = {"SIP-06": Override("SIP-06", Verdict.MET, "Seen working in the demo of 3 March", by="Kari Nordmann")}
    return [
        run(AURORA, "1", AURORA_1, reg, started="2026-03-02T09:00:00+00:00"),
        run(AURORA, "2", AURORA_2, reg, started="2026-04-02T09:00:00+00:00"),
        run(NORDLYS, "1", NORDLYS_1, reg, started="2026-03-03T09:00:00+00:00", overrides=override),
    ]


def deviations(tmp: Path, reg: Register) -> DeviationRegister:
    path = tmp / "aurora-deviations.toml"
    path.write_text(DEVIATIONS, encoding="utf-8")
    return load_deviations(path, reg, CHECKS)


def write_runs(tmp: Path, lang: str = "nb") -> tuple[list[Path], Register]:
    """The three runs' reports on disk (Aurora's with its deviation register), as `harness run` leaves them."""
    reg = mapped(tmp)
    dirs = []
    aurora_devs = deviations(tmp, reg)
    for result in three_runs(reg):
        folder = tmp / f"{result.manifest.target.split()[-1].lower()}-{result.manifest.negotiation_round}"
        write_reports(result, folder, lang=lang, deviations=aurora_devs if result.manifest.target == AURORA else None)
        dirs.append(folder)
    return dirs, reg


def with_round(result: RunResult, round_: str) -> RunResult:
    return replace(result, manifest=replace(result.manifest, negotiation_round=round_))
