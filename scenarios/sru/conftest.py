"""Fixtures of the SRU suite: the fixture catalogue the target is expected to hold.

The suite searches for records of ``fixtures/marc/consortium.mrc`` (``harness/sru/catalogue.py``),
so the target must hold it: the embedded sandbox and the zebrasrv peer load it at start; a
vendor loads it before the run (MARC suite, or by hand). ``held_catalogue`` asks for two of
its records by ISBN first; when neither is there, the scenarios that need it are NOT_TESTED
with that reason, never FAIL.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from harness import findings
from harness.errors import TargetError
from harness.sru.catalogue import CATALOGUE, FixtureRecord, load_catalogue
from harness.sru.cql import literal, where
from harness.sru.records import control_number, marc_records
from harness.sru.target import SruTarget

PROBE_RECORDS = ("hx0000001", "hx0000002")


@pytest.fixture(scope="session")
def fixture_catalogue() -> Mapping[str, FixtureRecord]:
    return load_catalogue()


@pytest.fixture(scope="session")
def held_catalogue(sru_target: SruTarget, fixture_catalogue: Mapping[str, FixtureRecord]) -> Mapping[str, FixtureRecord]:
    """The fixture catalogue, once two of its records are found by ISBN at the target."""
    isbn_index = sru_target.index("isbn")
    errors: list[TargetError] = []
    with sru_target.client() as client:
        for number in PROBE_RECORDS:
            record = fixture_catalogue[number]
            query = where(isbn_index, "=", literal(record.isbn)) if isbn_index else literal(record.isbn)
            try:
                result = client.search_retrieve(query, maximum_records=5)
            except TargetError as exc:
                errors.append(exc)
                continue
            found = result.search.records if result.search is not None else ()
            if number in {control_number(m) for m in marc_records(found)}:
                return fixture_catalogue
    if len(errors) == len(PROBE_RECORDS):
        raise errors[0]  # could not ask at all: every check that needs the catalogue is an ERROR
    findings.not_tested(f"the target holds none of {', '.join(PROBE_RECORDS)} of the fixture catalogue "
                        f"({CATALOGUE.name}); load it before the SRU suite")
