"""Every rule of the SRU parser is reported by one check of the suite, and that check exists."""

from __future__ import annotations

from harness.cli import collect_checks
from harness.pytest_plugin import check_name
from harness.rules import Severity
from harness.sru.checks import OWNERS
from harness.sru.rules import SRU_RULES


def test_owners_are_checks_of_the_sru_suite() -> None:
    checks = {check_name(item) for item in collect_checks(["sru"])}
    assert set(OWNERS.values()) <= checks, set(OWNERS.values()) - checks


def test_every_failing_rule_has_an_owner() -> None:
    assert set(OWNERS) <= set(SRU_RULES)
    # numberOfRecords missing is owned by two checks, by whether the answer carries a diagnostic
    unowned = {r for r, rule in SRU_RULES.items() if rule.severity is Severity.FAIL and r not in OWNERS}
    assert unowned == {"number-of-records-missing"}
