"""`harness run --target <peer profile> --suite oaipmh` against the two real OAI-PMH providers.

Each peer serves the fixture catalogue (tests/peers/conftest.py). The profile written here
names its base URL, the consortium's libraries and test patrons, and a MARC "export" as a
files channel: the MARCXML of the live records the peer serves, which is what a vendor's
export would be. There is no import channel, so the checks that change the catalogue are
NOT_TESTED. Every check's outcome is asserted by name: each measured deviation FAILs citing
its clause, everything else PASSes (or is SKIP/NOT_TESTED for a stated reason).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.marc.writer import collection_to_marcxml
from harness.paths import SANDBOX_PROFILE
from harness.profile import load_profile
from harness.sandbox.state import load_libraries

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from oaipmh_loopback import DELETED_EVERY, Peer, catalogue_records

pytestmark = pytest.mark.peer

SPEC = "OAI-PMH 2.0"
DESTRUCTIVE = "NOT_TESTED"  # no import channel: the harness cannot change the catalogue
BOTH: dict[str, str] = {
    "test_identify_describes_the_repository": "PASS",
    "test_every_verb_answers": "PASS",
    "test_responses_are_schema_valid": "PASS",
    "test_http_status_is_200": "PASS",
    "test_content_type_is_text_xml": "PASS",
    "test_request_is_echoed": "PASS",
    "test_response_date_is_utc": "PASS",
    "test_post_works_like_get": "PASS",
    "test_oai_dc_is_offered_and_valid": "PASS",
    "test_common_harvester_reads_the_same_list": "PASS",
    "test_xml_illegal_characters_never_reach_the_wire": "PASS",
    "test_bad_arguments_are_refused": "PASS",
    "test_error_codes_where_they_apply": "PASS",
    "test_marc21_is_offered_and_valid": "PASS",
    "test_marc21_records_equal_the_marc_export": "PASS",
    "test_harvested_holdings_name_every_owning_library": "PASS",
    "test_harvested_records_carry_no_patron_data": "PASS",
    "test_letters_survive_the_harvest_byte_exact": "PASS",
    "test_datestamps_follow_identify": "PASS",
    "test_from_and_until_are_inclusive": "PASS",
    "test_day_granularity_is_accepted": "PASS",
    "test_deleted_records_follow_the_declared_policy": "PASS",
    "test_marc_import_moves_the_record_into_the_next_harvest": DESTRUCTIVE,
    "test_sets_per_library_and_kind": "PASS",
    "test_set_harvest_gives_the_set_members": "PASS",
    "test_parent_set_holds_its_children": "PASS",
    "test_full_harvest_has_no_duplicates": "PASS",
    "test_last_page_has_an_empty_token": "PASS",
    "test_resent_token_gives_the_same_page": "PASS",
    "test_forged_token_is_refused": "PASS",
    "test_expired_token_is_refused": "SKIP",  # neither peer gives tokens an expirationDate
    "test_cursor_and_complete_list_size": "PASS",
    "test_no_record_skipped_under_concurrent_change": DESTRUCTIVE,
}
# What each peer does differently, each with the clause its FAIL must cite (measured in
# test_oaipmh_peers.py probe by probe, and research/oai-pmh.md §2.3).
DEVIATIONS: dict[str, dict[str, tuple[str, str]]] = {
    "A": {
        "test_last_page_has_an_empty_token": ("FAIL", "§3.5"),  # no <resumptionToken/> on the last page
        "test_request_is_echoed": ("FAIL", "§3.2"),  # from/until rewritten to seconds in the echo
        "test_oai_dc_is_offered_and_valid": ("FAIL", "§3.4"),  # oai_dc.xsd paired with the DC elements namespace
        # verb=GetMetadata, and an identifier with a C0 control, crash the engine: HTTP 500, text/plain,
        # not XML. Reported by the status, Content-Type and schema checks; the checks that judge the
        # error codes due (badVerb; idDoesNotExist or badArgument) cannot read the answer.
        "test_http_status_is_200": ("FAIL", "§3.1.2.1"),
        "test_content_type_is_text_xml": ("FAIL", "§3.1.2"),
        "test_responses_are_schema_valid": ("FAIL", "§3.1.2"),
        "test_error_codes_where_they_apply": ("NOT_TESTED", ""),
        "test_xml_illegal_characters_never_reach_the_wire": ("NOT_TESTED", ""),
        "test_cursor_and_complete_list_size": ("SKIP", ""),  # neither cursor nor completeListSize
    },
    "B": {
        "test_content_type_is_text_xml": ("FAIL", "§3.1.2"),  # application/xml on every answer
        "test_bad_arguments_are_refused": ("FAIL", "§3.6"),  # 2024-13-45 accepted; a repeated argument not refused
        "test_request_is_echoed": ("FAIL", "§3.2"),  # badArgument echoed with attributes; from="2024-13-45" echoed
        # identifier=invalid"id: HTTP 500 with an HTML page (the identifier goes unescaped into CQL);
        # the error code due cannot be read, so the error-code check does not judge it
        "test_http_status_is_200": ("FAIL", "§3.1.2.1"),
        "test_responses_are_schema_valid": ("FAIL", "§3.2"),
        "test_error_codes_where_they_apply": ("NOT_TESTED", ""),
        # an identifier with a C0 control (ESC) is echoed raw into <request>: the response is not XML
        "test_xml_illegal_characters_never_reach_the_wire": ("FAIL", "§3.2"),
    },
}


def _library_tables() -> str:
    return "".join(f'[[library]]\nnumber = "{lib.number}"\nisil = "{lib.isil or lib.number}"\nname = "{lib.name}"\n'
                   f'kind = "{lib.kind}"\n\n' for lib in load_libraries().values())


def _patron_tables() -> str:
    patrons = load_profile(SANDBOX_PROFILE).patrons
    return "".join(f'[[patron]]\nbarcode = "{p.barcode}"\nname = "{p.name}"\nhome_library = "{p.home_library}"\n\n'
                   for p in patrons)


def write_profile(peer: Peer, folder: Path) -> Path:
    """The peer as a vendor's target: [oai], and its catalogue's MARCXML as a [marc] export file."""
    live = [r for index, r in enumerate(catalogue_records()) if index % DELETED_EVERY != 7]
    export = folder / "export.xml"
    export.write_bytes(collection_to_marcxml(live))
    profile = folder / f"peer-{peer.name.lower()}.toml"
    profile.write_text(
        f'[target]\nname = "OAI-PMH peer {peer.name}"\nkind = "peer"\ntimeout = 10\n\n'
        f'[oai]\nurl = "{peer.base_url}"\nmax_token_wait = 5\n\n'
        f'[marc]\nchannel = "files"\nexport_xml_file = "{export.name}"\n\n'
        + _library_tables() + _patron_tables(), encoding="utf-8")
    return profile


def run_suite(profile: Path, report: Path) -> tuple[int, dict[str, dict[str, Any]]]:
    code = main(["run", "--target", str(profile), "--suite", "oaipmh", "--report-dir", str(report)])
    results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    return code, {c["id"].rsplit("::", 1)[1]: c for c in results["checks"] if "::test_" in c["id"]}


@pytest.mark.parametrize("name", ["A", "B"])
def test_the_suite_against_a_real_provider(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    peer: Peer = request.getfixturevalue(f"peer_{name.lower()}")
    code, checks = run_suite(write_profile(peer, tmp_path), tmp_path / "report")
    expected = {check: (outcome, "") for check, outcome in BOTH.items()} | DEVIATIONS[name]
    got = {check: c["outcome"] for check, c in checks.items()}
    assert got == {check: outcome for check, (outcome, _) in expected.items()}, {
        check: (c["outcome"], c["message"][:300]) for check, c in checks.items() if c["outcome"] != expected.get(check, ("?",))[0]}
    for check, (outcome, section) in expected.items():
        if outcome == "NOT_TESTED" and BOTH[check] != DESTRUCTIVE:
            assert "reported by" in checks[check]["message"], (check, checks[check]["message"])
        if outcome == "FAIL":
            clause = checks[check]["evidence"][0]["clause"]
            assert clause.startswith(SPEC) or SPEC in clause, (check, clause)
            assert section in clause, (check, clause)
    assert code == 1
