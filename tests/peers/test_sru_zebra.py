"""The SRU suite against zebrasrv (Debian idzebra 2.2.7 / YAZ 5.34), loaded with the fixture catalogue.

A real SRU server, judged by the whole suite: every check's outcome is asserted by name.
zebrasrv's deviations FAIL with their clause (measured: a 1.x answer with a fatal diagnostic
has no numberOfRecords; no nextRecordPosition while records remain; recordPacking it does
not know is answered as string, not diagnostic 71). What its explain does not declare and it
does all the same is WARN: versions 1.1 and 2.0, sorting, scan, POST, a request without
version answered as 2.0. Its explain declares a default of 0 records, and it returns 0: PASS.
Nothing this peer lacks (library limit, item status, a MARC import channel) is held against it.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from zebra import ZebraEndpoint

from harness.cli import main
from harness.paths import MARC_FIXTURES_DIR

pytestmark = pytest.mark.peer

EXPECTED = {
    # KAT
    "test_members_find_catalogue_records": "PASS",
    "test_imported_record_visible_to_every_member": "NOT_TESTED",  # no [marc] import channel
    "test_search_limited_to_one_library": "SKIP",  # no holding-library index declared
    "test_holdings_name_their_owning_library": "PASS",
    "test_sip2_loan_shows_in_holdings": "SKIP",  # no item status declared
    "test_no_patron_data_in_records": "PASS",
    # diagnostics and the envelope
    "test_invalid_parameters_get_diagnostics": "PASS",
    "test_fatal_diagnostic_answers_are_complete": "FAIL",  # 1.2 + diagnostic 7: no numberOfRecords (srw-types.xsd)
    "test_responses_are_well_formed": "PASS",
    "test_start_record_past_the_end_gets_diagnostic_61": "PASS",
    "test_unsupported_index_gets_diagnostic_16": "PASS",
    "test_unknown_schema_gets_diagnostic_66": "PASS",
    # explain and versions
    "test_explain_describes_the_endpoint": "PASS",
    "test_declared_versions_answer_in_their_namespace": "WARN",  # answers 1.1 and 2.0, declares 1.2
    "test_unsupported_version_gets_diagnostic_5": "PASS",
    "test_request_without_version": "WARN",  # answered as 2.0, which it does not declare
    # paging
    "test_pages_follow_next_record_position": "FAIL",  # no nextRecordPosition while records remain
    "test_default_number_of_records_as_declared": "PASS",  # default 0, declared 0
    "test_maximum_records_capped": "SKIP",  # no maximumRecords setting declared
    # records
    "test_record_packing_xml_and_string": "PASS",
    "test_invalid_record_packing_gets_diagnostic_71": "FAIL",  # recordPacking=... answered as string
    "test_marcxml_schema_by_name_and_uri": "PASS",
    "test_records_are_marc21_slim": "PASS",
    # CQL, sort, scan, transport
    "test_term_only_query_means_server_choice": "PASS",
    "test_cql_conformance_level": "PASS",
    "test_sort_in_norwegian_order": "WARN",  # undeclared; Š sorts as an accented S (ICU nb)
    "test_scan_terms": "WARN",  # works, undeclared
    "test_get_and_post_give_the_same_answer": "WARN",  # POST works, undeclared
    # letters
    "test_letters_byte_exact_in_records": "PASS",
    "test_search_is_blind_to_normalisation": "PASS",
    "test_search_is_caseless_across_sami_letters": "PASS",
    "test_letters_are_not_folded": "PASS",
}
CLAUSES = {
    "test_fatal_diagnostic_answers_are_complete": "numberOfRecords is mandatory",
    "test_pages_follow_next_record_position": "nextRecordPosition",
    "test_invalid_record_packing_gets_diagnostic_71": "71 Unsupported record packing",
}


def _profile(endpoint: ZebraEndpoint, path: Path) -> Path:
    lines = ['[target]', 'name = "zebrasrv peer"', 'kind = "peer"', 'timeout = 5', '[sru]',
             f'url = "{endpoint.sru_url}"', 'version = "1.2"']
    with (MARC_FIXTURES_DIR / "libraries.toml").open("rb") as fh:
        for library in tomllib.load(fh)["library"]:
            lines += ["[[library]]", *(f"{key} = {json.dumps(library[key], ensure_ascii=False)}" for key in ("number", "name", "kind"))]
    lines += ["[[patron]]", 'barcode = "TST0000001"', 'name = "Máret Ánne Sara"', 'home_library = "NO-9900002"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_sru_suite_judges_zebrasrv(zebra: ZebraEndpoint, tmp_path: Path) -> None:
    report = tmp_path / "report"
    code = main(["run", "--target", str(_profile(zebra, tmp_path / "zebra.toml")), "--suite", "sru",
                 "--report-dir", str(report)])
    results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    checks: dict[str, Any] = {c["id"].rsplit("::", 1)[1]: c for c in results["checks"]}
    assert {name: c["outcome"] for name, c in checks.items()} == EXPECTED
    assert code == 1
    for name, words in CLAUSES.items():
        evidence = checks[name]["evidence"][0]
        assert words in evidence["clause"], (name, evidence["clause"])
        assert evidence["exchanges"] and zebra.sru_url in evidence["exchanges"][0]["endpoint"] + evidence["exchanges"][0]["sent"]
    assert "1.2" in checks["test_fatal_diagnostic_answers_are_complete"]["message"]
    assert "harness-no-such-packing" in checks["test_invalid_record_packing_gets_diagnostic_71"]["message"]
    assert "level 2" in checks["test_cql_conformance_level"]["message"]
