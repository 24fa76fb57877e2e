"""OAI-03: datestamps, selective harvesting by from/until, and deleted records.

An aggregator harvests incrementally: ``from`` the time of its last harvest. That only works
if datestamps are in the granularity Identify declares and move when a record is created,
changed or deleted (§2.7.1), if from and until are inclusive in both granularities (§2.7.1,
§3.3.1), and if deletions are reported as the declared policy says (§2.5.1). The destructive
checks change the catalogue through the MARC import channel and undo their changes.
"""

from __future__ import annotations

import pytest

from harness.findings import cannot_judge, not_tested
from harness.marc.records import control_number
from harness.oaipmh import defects
from harness.oaipmh.changes import (
    Changes,
    carries,
    created_number,
    marker,
    probe_record,
    with_note,
)
from harness.oaipmh.client import OaiClient, Page
from harness.oaipmh.dates import DAY, format_utc, parse_utc
from harness.oaipmh.fixtures import OaiTarget
from harness.oaipmh.harvested import Harvested, harvest
from harness.oaipmh.judging import (
    MarcExport,
    answer_pages,
    fail,
    fail_on,
    faults,
    marc_records,
    pages_of,
    seen_pages,
)
from harness.oaipmh.model import ErrorResponse, GetRecordResponse, Header
from harness.oaipmh.ownership import Check
from harness.oaipmh.probes import Answer, Sample
from harness.oaipmh.rules import SPEC

RANGE_CLAUSE = f"{SPEC} §2.7.1 Selective Harvesting and Datestamps (from and until are inclusive)"
DAY_CLAUSE = f"{SPEC} §3.3.1 UTCdatetime in Protocol Requests (repositories must support YYYY-MM-DD); §2.7.1"
DELETED_CLAUSE = f"{SPEC} §2.5.1 Deleted records (deletedRecord: no, transient, persistent); §4.2 Identify"
MOVED_CLAUSE = f"{SPEC} §2.7.1 Selective Harvesting and Datestamps (the datestamp changes on creation, modification, deletion)"
DELETIONS_JUDGED = 5  # deleted records of the catalogue looked up one by one


def _identifiers(harvested: Harvested) -> set[str]:
    return {h.identifier for h in harvested.headers}


def _sample_in_declared_granularity(oai_target: OaiTarget, sample: Sample) -> str:
    """The sample record's datestamp, if it is written in the declared granularity (else the
    datestamps check reports that, and a range built on it would prove nothing)."""
    stamp = parse_utc(sample.datestamp)
    if sample.live is None or stamp is None:
        cannot_judge("the catalogue harvest gave no live record to select by its datestamp", Check.NO_DUPLICATES.value)
    if stamp.granularity != oai_target.found.granularity:
        cannot_judge(f"the datestamp {sample.datestamp} is not in the declared granularity {oai_target.found.granularity}",
                     Check.DATESTAMPS.value)
    return sample.datestamp


@pytest.mark.requirement("OAI-03")
@pytest.mark.failed_by(defects.DAY_DATESTAMPS, defects.EARLIEST_TOO_LATE)
def test_datestamps_follow_identify(oai_target: OaiTarget, catalogue: Harvested, answers: list[Answer]) -> None:
    """Datestamps are UTC in the declared granularity, and none is before earliestDatestamp

    nb: Datostempler er UTC med oppgitt oppløsning, og ingen er før earliestDatestamp
    """
    oai_target.found.require_identify()
    seen = seen_pages(oai_target.found, [catalogue], answers)
    fail_on(faults(seen, Check.DATESTAMPS, oai_target.found.marc_prefix), len(seen),
            "carry datestamps that break what Identify declares",
            "every datestamp a real UTC date in the declared granularity, none before earliestDatestamp")


@pytest.mark.requirement("OAI-03")
@pytest.mark.failed_by(defects.EXCLUSIVE_RANGE)
def test_from_and_until_are_inclusive(oai_target: OaiTarget, sample: Sample, answers: list[Answer]) -> None:
    """from and until are inclusive: from=D&until=D returns the record stamped D, and nothing outside

    nb: from og until er inkluderende: from=D&until=D gir posten med datostempel D, og ingenting utenfor
    """
    stamp = _sample_in_declared_granularity(oai_target, sample)
    prefix = oai_target.found.require_catalogue_prefix(Check.INCLUSIVE)
    ranged = harvest(oai_target.client, (("verb", "ListIdentifiers"), ("metadataPrefix", prefix), ("from", stamp), ("until", stamp)))
    seen = pages_of(ranged) + answer_pages([a for a in answers if a.probe.judge is Check.INCLUSIVE])
    fail_on(faults(seen, Check.INCLUSIVE, oai_target.found.marc_prefix), len(seen),
            "list records outside the from/until asked", "only records with from <= datestamp <= until")
    if ranged.blocker() is None and sample.live not in _identifiers(ranged):
        fail(f"from={stamp}&until={stamp} does not return {sample.live}, whose datestamp is {stamp}", clause=RANGE_CLAUSE,
             pages=ranged.pages[:2], expected=f"{sample.live} in the list: from and until are inclusive",
             details=[f"answered {'/'.join(ranged.error_codes) or f'{len(ranged.headers)} headers without it'}"])
    ranged.require(Check.INCLUSIVE)


@pytest.mark.requirement("OAI-03")
@pytest.mark.failed_by(defects.REFUSE_DAY_GRANULARITY)
def test_day_granularity_is_accepted(oai_target: OaiTarget, sample: Sample, answers: list[Answer]) -> None:
    """from and until as YYYY-MM-DD are accepted and cover the whole day

    nb: from og until som YYYY-MM-DD godtas og dekker hele dagen
    """
    if oai_target.found.granularity == DAY:
        not_tested("the repository's granularity is days: the inclusive range check judges day ranges")
    stamp = parse_utc(_sample_in_declared_granularity(oai_target, sample))
    assert stamp is not None
    prefix = oai_target.found.require_catalogue_prefix(Check.DAY_GRANULARITY)
    day = format_utc(stamp.value, DAY)
    by_day = harvest(oai_target.client, (("verb", "ListIdentifiers"), ("metadataPrefix", prefix), ("from", day), ("until", day)))
    refused = [c for c in by_day.error_codes if c != "noRecordsMatch"]  # noRecordsMatch: judged below, as coverage
    probe = [a for a in answers if a.probe.judge is Check.DAY_GRANULARITY and set(a.codes) - {"noRecordsMatch"}]
    if refused or probe:
        fail(f"from={day}&until={day} is refused ({'/'.join(refused or probe[0].codes)})", clause=DAY_CLAUSE,
             pages=[*by_day.pages[:1], *(a.page for a in probe)], expected="day-granularity from and until accepted")
    by_day.require(Check.DAY_GRANULARITY)
    if sample.live not in _identifiers(by_day):
        seconds = harvest(oai_target.client, (("verb", "ListIdentifiers"), ("metadataPrefix", prefix),
                                              ("from", sample.datestamp), ("until", sample.datestamp)))
        if sample.live not in _identifiers(seconds):
            cannot_judge("the record is not found by its own datestamp either: from/until are not inclusive", Check.INCLUSIVE.value)
        fail(f"until={day} does not cover all of day {day}: {sample.live} ({sample.datestamp}) is missing", clause=DAY_CLAUSE,
             pages=by_day.pages[:2], expected=f"every record stamped {day}T00:00:00Z to {day}T23:59:59Z")


# --- deleted records ----------------------------------------------------------------------------


def _get(client: OaiClient, identifier: str, prefix: str) -> Page:
    return client.request((("verb", "GetRecord"), ("identifier", identifier), ("metadataPrefix", prefix)))


def _deletion_judged(client: OaiClient, header: Header, prefix: str, policy: str, listed: bool,
                     set_list: Harvested | None) -> list[str]:
    """What is wrong with how one deleted record is reported (empty: nothing)."""
    wrong = []
    page = _get(client, header.identifier, prefix)
    response = page.response
    if isinstance(response, GetRecordResponse):
        if not response.record.header.deleted:
            wrong.append(f"{header.identifier}: GetRecord gives it without status=\"deleted\"")
    elif not (policy == "transient" and isinstance(response, ErrorResponse) and response.codes == ("idDoesNotExist",)):
        got = "/".join(response.codes) if isinstance(response, ErrorResponse) else "nothing readable"
        wrong.append(f"{header.identifier}: GetRecord answers {got}, not its header with status=\"deleted\"")
    if not listed and policy == "persistent":
        wrong.append(f"{header.identifier}: not in the list harvested after its deletion")
    if set_list is not None and policy == "persistent" and header.identifier not in _identifiers(set_list):
        wrong.append(f"{header.identifier}: not in the harvest of its set {dict(set_list.arguments).get('set')}")
    return wrong


@pytest.mark.requirement("OAI-03")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.FORGET_DELETED, defects.DELETED_NOT_IN_SETS)
def test_deleted_records_follow_the_declared_policy(oai_target: OaiTarget, catalogue: Harvested, answers: list[Answer],
                                                     maybe_changes: Changes | None) -> None:
    """Deleted records are reported as Identify declares: persistent ones stay, in lists, sets and GetRecord

    nb: Slettede poster rapporteres slik Identify oppgir: varige slettinger blir stående i lister, sett og GetRecord
    """
    found = oai_target.found
    policy = found.require_identify().deleted_record
    prefix = found.require_catalogue_prefix(Check.DELETED)
    seen = seen_pages(found, [catalogue], answers)
    fail_on(faults(seen, Check.DELETED, found.marc_prefix), len(seen), "report deleted records against the declared policy",
            f"deleted headers only if deletedRecord is not 'no' (it is {policy!r}), and never with metadata")
    if policy == "no":
        return  # no deleted header anywhere (judged above) is all 'no' asks
    catalogue.require(Check.DELETED)
    wrong: list[str] = []
    pages: list[Page] = []
    if maybe_changes is not None:
        wrong, pages = _delete_one(oai_target, maybe_changes, prefix, policy)
    else:
        deleted = [h for h in catalogue.headers if h.deleted][:DELETIONS_JUDGED]
        if not deleted:
            not_tested("the catalogue holds no deleted record, and the harness cannot delete one (no MARC import channel)")
        for header in deleted:
            set_list = None
            leaf = next((s for s in header.set_specs if ":" in s), None)
            if leaf and found.has_sets:
                set_list = harvest(oai_target.client, (("verb", "ListIdentifiers"), ("metadataPrefix", prefix), ("set", leaf),
                                                       ("from", header.datestamp)))
            wrong += _deletion_judged(oai_target.client, header, prefix, policy, True, set_list)
    if wrong:
        fail(f"{len(wrong)} deletion(s) not reported as deletedRecord={policy} requires", clause=DELETED_CLAUSE, pages=pages,
             details=wrong, expected="a header with status=\"deleted\" and no metadata, in every list, set and GetRecord, kept")


def _delete_one(oai_target: OaiTarget, changes: Changes, prefix: str, policy: str) -> tuple[list[str], list[Page]]:
    """Import a record, find it, delete it through the MARC channel, and harvest again."""
    found = oai_target.found
    mark = marker("deleted")
    library = changes.library
    since = changes.clock()
    receipt = changes.create([probe_record(mark, library, f"libharness deletion probe {mark}", oai_target.settings.holdings_tag)])
    number = created_number(receipt)
    made = changes.harvest_since(since, prefix, found.granularity)
    header = next((h for h in made.headers if carries(made.payloads.get(h.identifier, b""), mark)), None)
    if number is None or header is None:
        cannot_judge(f"the record imported with marker {mark} is not in the harvest from {format_utc(since.value)}",
                     Check.INCREMENTAL.value)
    changes.delete(number)  # its datestamp moves again, to the deletion: still in the harvest from ``since``
    after = changes.harvest_since(since, prefix, found.granularity, verb="ListIdentifiers")
    listed = next((h for h in after.headers if h.identifier == header.identifier), None)
    set_list = None
    leaf = next((s for s in header.set_specs if ":" in s), None) or (f"library:{library}" if found.has_sets else None)
    if leaf and any(s.spec == leaf for s in found.sets.sets):
        set_list = changes.harvest_since(since, prefix, found.granularity, "ListIdentifiers", leaf)
    wrong = []
    if listed is not None and not listed.deleted:
        wrong.append(f"{header.identifier}: listed after its deletion without status=\"deleted\"")
    wrong += _deletion_judged(oai_target.client, listed or header, prefix, policy, listed is not None, set_list)
    return wrong, [*after.pages[:1], *(set_list.pages[:1] if set_list else [])]


# --- a change through the MARC channel reaches the next incremental harvest ------------------------


@pytest.mark.requirement("OAI-03")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.CHANGE_NOT_STAMPED)
def test_marc_import_moves_the_record_into_the_next_harvest(oai_target: OaiTarget, catalogue: Harvested,
                                                            marc_export: MarcExport, changes: Changes) -> None:
    """A record created or changed through the MARC import is in the next incremental harvest, as changed

    nb: En post som opprettes eller endres via MARC-import, kommer med i neste inkrementelle høsting, endret
    """
    found = oai_target.found
    prefix = found.require_marc_prefix(Check.INCREMENTAL)
    catalogue.require(Check.INCREMENTAL)
    harvested = marc_records(catalogue)
    identifier, payload_record = next(iter(harvested.items()), (None, None))
    if identifier is None or payload_record is None:
        not_tested("the catalogue harvest gave no live MARC record to change")
    number = control_number(payload_record) or ""
    original = marc_export.records.get(number, payload_record)  # the export is the catalogue as stored
    header = next(h for h in catalogue.headers if h.identifier == identifier)
    new_mark, change_mark = marker("created"), marker("changed")
    since = changes.after(header.datestamp)  # the repository's clock is past the record's datestamp
    changes.create([probe_record(new_mark, changes.library, f"libharness incremental probe {new_mark}", oai_target.settings.holdings_tag)])
    changes.change(original, with_note(original, change_mark))
    after = changes.harvest_since(since, prefix, found.granularity).require(Check.INCREMENTAL)
    wrong = []
    for mark, what in ((new_mark, "the record created"), (change_mark, f"the change of {identifier} (001 {number})")):
        hit = next((h for h in after.headers if carries(after.payloads.get(h.identifier, b""), mark)), None)
        stamp = parse_utc(hit.datestamp) if hit else None
        if hit is None:
            wrong.append(f"{what} (marker {mark}) is not in the harvest from {format_utc(since.value)}")
        elif stamp is not None and stamp.end < since.value:
            wrong.append(f"{what} has datestamp {hit.datestamp}, before the harvest's from {format_utc(since.value)}")
    if wrong:
        fail(f"{len(wrong)} of 2 imports did not reach the next incremental harvest", clause=MOVED_CLAUSE, pages=after.pages[:2],
             details=wrong, expected=f"ListRecords from={format_utc(since.value, found.granularity)} returns both records as imported")

