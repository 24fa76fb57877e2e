"""Fixtures of the Z39.50 suite: the fixture catalogue the target is expected to hold.

The catalogue checks search for records of ``fixtures/marc/consortium.mrc``
(``harness/sru/catalogue.py`` reads it), so the target must hold it: the embedded sandbox and
the zebrasrv peer load it at start; a vendor loads it before the run. ``z3950_catalogue``
asks for two of its records by ISBN first; when neither is there, the scenarios that need it
are NOT_TESTED with that reason, never FAIL. The protocol checks use the profile's
``sample_query`` instead and run against any target.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from harness import findings
from harness.errors import TargetError
from harness.sru.catalogue import CATALOGUE, FixtureRecord, load_catalogue
from harness.z3950.checks import numbers_found
from harness.z3950.client import ProtocolViolation
from harness.z3950.target import Z3950Target

PROBE_RECORDS = ("hx0000001", "hx0000002")


@pytest.fixture(scope="session")
def fixture_catalogue() -> Mapping[str, FixtureRecord]:
    return load_catalogue()


def _held(z3950_target: Z3950Target, catalogue: Mapping[str, FixtureRecord]) -> bool:
    client = z3950_target.connect()
    try:
        for number in PROBE_RECORDS:
            found, _ = numbers_found(client, f"@attr 1=7 {catalogue[number].isbn}", budget=5)
            if number in found:
                return True
        return False
    except ProtocolViolation as exc:  # the check that meets it reports it; here it means "cannot ask"
        raise TargetError(f"asking for the fixture catalogue: {exc}") from None
    finally:
        client.close()


@pytest.fixture(scope="session")
def catalogue_held(z3950_target: Z3950Target, fixture_catalogue: Mapping[str, FixtureRecord]) -> bool:
    """Whether the target holds the fixture catalogue (two of its records found by ISBN)."""
    return _held(z3950_target, fixture_catalogue)


@pytest.fixture()
def z3950_catalogue(catalogue_held: bool, fixture_catalogue: Mapping[str, FixtureRecord]) -> Mapping[str, FixtureRecord]:
    """The fixture catalogue, when the target holds it; else the scenario is NOT_TESTED."""
    if not catalogue_held:
        findings.not_tested(f"the target holds none of {', '.join(PROBE_RECORDS)} of the fixture catalogue "
                            f"({CATALOGUE.name}) by ISBN (Use 7); load it before the Z39.50 suite")
    return fixture_catalogue
