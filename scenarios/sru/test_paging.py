"""SRU-01: paging through a result set, and the default and maximum number of records.

A client reads a result set by following nextRecordPosition; the server's default page
(maximumRecords absent) and its maximum are what explain declares in configInfo, and the
answers must agree with it (research: the two drift apart easily, and a default of 0 is a
classic surprise).
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from harness.findings import WarningRecorder, cannot_judge, not_tested, skip_undeclared
from harness.sru import checks as c
from harness.sru import defects
from harness.sru.catalogue import FixtureRecord
from harness.sru.client import SruClient
from harness.sru.records import control_number, marc_records
from harness.sru.rules import OASIS3_SR, SRU12_SR, ZEEREX
from harness.sru.target import SruTarget

BROAD_QUERY = "cql.serverChoice = samer"  # a subject of 19 records of the fixture catalogue
PAGING_CLAUSE = f"{SRU12_SR}: numberOfRecords, recordPosition, nextRecordPosition; {OASIS3_SR}"
DEFAULT_CLAUSE = (f"{SRU12_SR}: maximumRecords, 'the default value if not supplied is determined by the server'; "
                  f"{ZEEREX}, configInfo default numberOfRecords: what the server returns when maximumRecords is absent")
MAXIMUM_CLAUSE = (f"{ZEEREX}, configInfo setting maximumRecords: the most records the server returns in one response; "
                  f"{SRU12_SR}: 'the server may return fewer records than requested'; {c.DIAGNOSTICS_CLAUSE}: 6")


@pytest.mark.requirement("SRU-01")
@pytest.mark.failed_by(defects.NEXT_POSITION_ON_LAST_PAGE)
def test_pages_follow_next_record_position(sru: SruClient, sru_target: SruTarget,
                                          held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """Following nextRecordPosition reads every record once; the last page has none

    nb: Ved å følge nextRecordPosition leses hver post én gang; siste side har ingen
    """
    for version in sru_target.versions:
        first = c.search(sru.search_retrieve(BROAD_QUERY, version=version, maximum_records=0), sru, f"{version} count")
        hits = first.number_of_records or 0
        if hits < 3:
            cannot_judge(f"{BROAD_QUERY!r} finds {hits} records in {version}, too few to page", "test_members_find_catalogue_records")
        size = max(1, min((hits + 2) // 3, sru_target.settings.page_size))
        budget = sru_target.settings.page_budget
        run = sru.pages(BROAD_QUERY, page_size=size, budget=budget, version=version)
        own = [p for page in run.pages for p in c.own_failures(page, c.PAGING_CHECK)]
        numbers = [control_number(m) for m in marc_records(run.records)]
        problems = [str(p) for p in own]
        if run.looped or (run.budget_spent and hits <= size * budget):
            problems.append(f"the reading did not end: {run.stopped}")
        elif run.complete and not own and (len(numbers) != hits or len(set(numbers)) != len(numbers)):
            problems.append(f"{len(numbers)} records read ({len(set(numbers))} distinct) of numberOfRecords {hits}")
        if problems:
            raise c.fail(f"{version}, {BROAD_QUERY!r} in pages of {size}: {problems[0]}", clause=PAGING_CLAUSE,
                         client=sru, problems=own, details=problems, last=len(run.pages) + 1,
                         expected=f"nextRecordPosition after each page but the last, {hits} distinct records in all")


@pytest.mark.requirement("SRU-01")
@pytest.mark.failed_by(defects.DEFAULT_RECORDS_ZERO)
def test_default_number_of_records_as_declared(sru: SruClient, sru_target: SruTarget, warn: WarningRecorder,
                                              held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """Without maximumRecords the server returns the number of records explain declares as default

    nb: Uten maximumRecords returnerer serveren det antallet poster explain oppgir som standard
    """
    if sru_target.explain is None:
        cannot_judge("explain could not be read", c.EXPLAIN_CHECK)
    declared = sru_target.explain.default_number_of_records
    for version in sru_target.versions:
        result = sru.search_retrieve(BROAD_QUERY, version=version)
        response = c.search(result, sru, f"{version} without maximumRecords")
        hits, got = response.number_of_records or 0, len(response.records)
        if declared is None:
            if got == 0 and hits:
                warn(f"{version}: without maximumRecords no records come back, and explain declares no default",
                     clause=DEFAULT_CLAUSE, exchanges=c.last_exchanges(sru, 1))
            continue
        if got != min(declared, hits):
            raise c.fail(f"{version}: without maximumRecords {got} of {hits} records came back; explain declares "
                         f"a default of {declared}", clause=DEFAULT_CLAUSE, client=sru, last=1,
                         expected=f"{min(declared, hits)} records (the declared default, or every hit)")
    if declared is not None:
        warn.note(f"default numberOfRecords {declared}, as declared")


@pytest.mark.requirement("SRU-01")
@pytest.mark.failed_by(defects.MAXIMUM_RECORDS_IGNORED)
def test_maximum_records_capped(sru: SruClient, sru_target: SruTarget, held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """maximumRecords above the declared maximum returns at most the maximum, or diagnostic 6

    nb: maximumRecords over oppgitt maksimum gir høyst maksimum antall poster, eller diagnostikk 6
    """
    maximum = sru_target.explain.maximum_records if sru_target.explain is not None else None
    if maximum is None:
        skip_undeclared("explain declares no maximumRecords setting (configInfo)")
    query = "cql.allRecords = 1" if sru_target.declares_index("cql.allRecords") else BROAD_QUERY
    for version in sru_target.versions:
        result = sru.search_retrieve(query, version=version, maximum_records=maximum + 5)
        response = c.search(result, sru, f"{version} maximumRecords={maximum + 5}")
        hits = response.number_of_records or 0
        if hits <= maximum and not response.diagnostics:
            not_tested(f"{query} finds {hits} records, not more than the declared maximum {maximum}")
        if len(response.records) > maximum:
            raise c.fail(f"{version}: maximumRecords={maximum + 5} returned {len(response.records)} records; explain "
                         f"declares a maximum of {maximum}", clause=MAXIMUM_CLAUSE, client=sru, last=1,
                         expected=f"at most {maximum} records, or diagnostic 6")
