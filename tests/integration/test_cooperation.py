"""The cooperation suite against the embedded sandbox: faults only a crossing shows, reported once.

``tests/integration/test_defects.py`` already runs each cooperation defect with ``--suite
cooperation`` (its ``protocol``) and asserts it FAILs exactly the story that names it. Here:

- each cooperation defect leaves every protocol suite passing: it breaks only the crossing;
- each protocol fault a story meets on its way is reported by the protocol suite's check that
  owns it, and by no story: the story reads past it and names that check;
- a story looks through the paths the profile configures and says which it could not: a
  profile without Z39.50 and OAI-PMH still runs every story over the others; without the MARC
  channel or SIP2 the stories that need them are NOT_TESTED.

Each run is a real ``harness run`` in-process, read back from its results.json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from harness.cli import collect_checks, main
from harness.cooperation.defects import CATALOGUE
from harness.paths import SANDBOX_PROFILE
from harness.pytest_plugin import check_name, failed_by
from harness.registry import UNITS

PROTOCOL_SUITES = [u.name for u in UNITS]
# The sandbox services that read the catalogue through the cooperation view (SRU's and Z39.50's
# search, via harness.cooperation.sandbox): each cooperation defect is run against each of them alone.
VIEW_READERS = ("sru", "z3950")
STORIES = {check_name(item) for item in collect_checks(["cooperation"])}
# Protocol faults the stories meet on their way, one for each way a story reads past a fault
# (a receipt or the catalogue's own export, a fixture record as control, the protocol suite's
# own test copy, the state before the story, GetRecord beside the incremental harvest, the
# SIP2 replies). Every protocol defect was run against the cooperation suite when the stories
# were written: none made a story FAIL; these keep that so.
MET_ON_THE_WAY = (
    "marc-ignore-035-match", "marc-upgrade-drops-holdings", "marc-holdings-without-library", "marc-import-nfc",
    "marc-library-export-borrower",
    "sip2-latin1-names", "sip2-foreign-patron-refused", "sip2-no-routing", "sip2-bx-overclaims",
    "sru-member-view-own-holdings", "sru-holdings-without-library", "sru-availability-not-live", "sru-borrower-in-holdings",
    "sru-records-lose-sami-letters",
    "z3950-library-limit-ignored", "z3950-opac-without-holdings", "z3950-nfd-unfindable",
    "oai-first-holding-only", "oai-change-not-stamped", "oai-nfd-payloads", "oai-borrower-in-holdings",
)
OWNED = re.compile(r"reported by (\w+) suite \(([^)]*)\)")


def _run(tmp_path: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    report_dir = tmp_path / "report"
    code = main(["run", "--report-dir", str(report_dir), *args])
    results = json.loads((report_dir / "results.json").read_text(encoding="utf-8"))
    return code, results["checks"]


def _name(check: dict[str, Any]) -> str:
    return str(check["id"].rsplit("::", 1)[1].split("[", 1)[0])


def _text(check: dict[str, Any]) -> str:
    return " ".join([check["message"], *(d for e in check["evidence"] for d in e["details"])])


@pytest.mark.parametrize("suite", VIEW_READERS)
@pytest.mark.parametrize("defect", CATALOGUE, ids=lambda d: d.name)
def test_cooperation_defect_leaves_protocol_suite_passing(tmp_path: Path, defect: Any, suite: str) -> None:
    code, checks = _run(tmp_path, "--suite", suite, "--sandbox-defect", defect.name)
    failing = {_name(c): c["message"][:200] for c in checks if c["outcome"] in ("FAIL", "ERROR")}
    assert checks and not failing, f"{defect.name} is noticed by the {suite} suite: {failing}"
    assert code == 0


def test_the_view_readers_are_the_units_that_ask_for_the_cooperation_index() -> None:
    """VIEW_READERS stays true: a unit whose sandbox starts reading the view gets the per-defect runs."""
    package = Path(__import__("harness").__file__).parent
    readers = {unit for unit in PROTOCOL_SUITES
               if any("cooperation_index(" in f.read_text(encoding="utf-8") for f in (package / unit).rglob("*.py"))}
    assert readers == set(VIEW_READERS)


@pytest.mark.parametrize("suite", [s for s in PROTOCOL_SUITES if s not in VIEW_READERS])
def test_suites_that_do_not_read_the_view_pass_under_every_cooperation_defect(tmp_path: Path, suite: str) -> None:
    """These suites' sandbox services never consult the cooperation view, so one run with all the
    cooperation defects at once shows they stay untouched (one run each instead of one per defect)."""
    every = [arg for d in CATALOGUE for arg in ("--sandbox-defect", d.name)]
    code, checks = _run(tmp_path, "--suite", suite, *every)
    failing = {_name(c): c["message"][:200] for c in checks if c["outcome"] in ("FAIL", "ERROR")}
    assert checks and not failing, f"the cooperation defects are noticed by the {suite} suite: {failing}"
    assert code == 0


def _owners_of(defect: str) -> set[str]:
    """The protocol checks that must FAIL under ``defect`` (its failed_by)."""
    return {check_name(item) for item in collect_checks() if defect in {d.name for d in failed_by(item)}}


@pytest.mark.parametrize("defect", MET_ON_THE_WAY)
def test_protocol_fault_is_reported_by_its_owner_not_by_a_story(tmp_path: Path, defect: str) -> None:
    code, checks = _run(tmp_path, "--suite", "cooperation", "--sandbox-defect", defect)
    failing = {_name(c): c["message"][:300] for c in checks if c["outcome"] in ("FAIL", "ERROR")}
    assert not failing, f"{defect}: a story reports a fault its protocol suite owns: {failing}"
    named = {owner for c in checks for _, owner in OWNED.findall(_text(c))}
    owners = _owners_of(defect)
    assert owners & {n for text in named for n in re.split(r"[ ,()]+", text)}, (
        f"{defect}: no story says it read past it and names {sorted(owners)}; they name {sorted(named)}")
    assert code == 0


def _profile_without(tmp_path: Path, *sections: str) -> Path:
    """The sandbox's profile without some sections (and without [load], whose files are relative)."""
    dropped = {*sections, "load"}
    kept, skipping = [], False
    for line in SANDBOX_PROFILE.read_text(encoding="utf-8").splitlines():
        header = re.match(r"^\[([a-z0-9]+)\]\s*$", line)
        if header or line.startswith("[["):
            skipping = header is not None and header.group(1) in dropped
        if not skipping:
            kept.append(line)
    path = tmp_path / "profile.toml"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


def test_stories_look_through_the_paths_the_profile_configures(tmp_path: Path) -> None:
    profile = _profile_without(tmp_path, "z3950", "oai")
    code, checks = _run(tmp_path, "--target", str(profile), "--suite", "cooperation")
    assert {_name(c) for c in checks} == STORIES and {c["outcome"] for c in checks} == {"PASS"}, checks
    assert code == 0
    shared = next(c for c in checks if _name(c) == "test_shared_catalogue")
    message = shared["message"]
    assert "time to visibility over SRU" in message and "time to visibility over Z39.50" not in message
    assert "(judged over SRU; not over OAI-PMH, Z39.50)" in message, message
    text = _text(shared)
    assert "not observed, Z39.50: the profile configures no [z3950] section" in text
    assert "not observed, OAI-PMH: the profile configures no [oai] section" in text


@pytest.mark.parametrize(("section", "needing"), [
    ("marc", {"test_shared_catalogue", "test_own_shelves_first", "test_every_letter_every_path"}),
    ("sip2", {"test_loan_visible_everywhere", "test_bookbus_and_deposit_items_travel_home", "test_nothing_personal_leaks"}),
])
def test_stories_without_their_channel_are_not_tested(tmp_path: Path, section: str, needing: set[str]) -> None:
    """The stories that need the channel say so; the others run (without [marc] the sandbox has
    no catalogue at all, so they cannot judge either, and name why)."""
    code, checks = _run(tmp_path, "--target", str(_profile_without(tmp_path, section)), "--suite", "cooperation")
    outcomes = {_name(c): (c["outcome"], c["message"]) for c in checks}
    assert all(outcomes[name][0] == "NOT_TESTED" and f"[{section}]" in outcomes[name][1] for name in needing), outcomes
    assert {outcome for outcome, _ in outcomes.values()} <= {"PASS", "NOT_TESTED"}, outcomes
    if section == "sip2":  # the catalogue is there: the stories that need no SIP2 run on every other path
        assert {outcome for name, (outcome, _) in outcomes.items() if name not in needing} == {"PASS"}, outcomes
    assert code == 0


def test_stories_with_no_search_path_configured_are_not_tested_not_skipped(tmp_path: Path) -> None:
    """Without [sru] and [z3950] nothing declares or fails to declare a limit or a transit status:
    the stories that look only through search paths are NOT_TESTED (SKIP means 'not declared')."""
    code, checks = _run(tmp_path, "--target", str(_profile_without(tmp_path, "sru", "z3950")), "--suite", "cooperation")
    outcomes = {_name(c): (c["outcome"], c["message"]) for c in checks}
    for name in ("test_own_shelves_first", "test_bookbus_and_deposit_items_travel_home", "test_loan_visible_everywhere"):
        assert outcomes[name][0] == "NOT_TESTED" and "no path could be observed" in outcomes[name][1], outcomes
    assert code == 0


def _profile_with_statuses(tmp_path: Path, available: str | None) -> Path:
    """The sandbox's profile over SRU and SIP2 only, its [sru] available_values replaced (None: left out)."""
    path = _profile_without(tmp_path, "z3950", "oai")
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("available_values")]
    if available is not None:
        lines.insert(lines.index("[sru]") + 1, f"available_values = [{available!r}]")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_status_the_profile_does_not_name_is_judged_neither_way(tmp_path: Path) -> None:
    """The sandbox writes 'available'; a profile naming only 'Ledig' as available leaves that
    status undeclared: the SRU suite's KAT-04 check and the loan and transit stories do not judge
    the copy (NOT_TESTED, naming the status and the keys), they neither PASS nor FAIL on it."""
    profile = _profile_with_statuses(tmp_path, "Ledig")
    _, checks = _run(tmp_path, "--target", str(profile), "--suite", "sru", "--suite", "cooperation")
    outcomes = {_name(c): (c["outcome"], _text(c)) for c in checks}
    for name in ("test_sip2_loan_shows_in_holdings", "test_loan_visible_everywhere", "test_bookbus_and_deposit_items_travel_home"):
        outcome, text = outcomes[name]
        assert outcome == "NOT_TESTED" and "status 'available'" in text and "available_values" in text, (name, outcome, text)
    assert not {n for n, (o, _) in outcomes.items() if o in ("FAIL", "ERROR")}, outcomes


def test_without_available_values_the_evidence_says_not_on_loan(tmp_path: Path) -> None:
    """Left out, a status neither on loan nor in transit is read as before, and said as what it is."""
    profile = _profile_with_statuses(tmp_path, None)
    _, checks = _run(tmp_path, "--target", str(profile), "--suite", "sru", "--sandbox-defect", "sru-availability-not-live")
    loan = next(c for c in checks if _name(c) == "test_sip2_loan_shows_in_holdings")
    assert loan["outcome"] == "FAIL", loan
    assert loan["message"].count("not on loan (status 'available')") == 3, loan["message"]
