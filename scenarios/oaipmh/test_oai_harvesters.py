"""OAI-01 from the harvester's side: a common harvester reads what the strict one reads, and no
response ever carries a character XML 1.0 forbids, whatever the catalogue holds.
"""

from __future__ import annotations

import pytest

from harness.errors import TargetError
from harness.findings import cannot_judge
from harness.oaipmh import defects
from harness.oaipmh.changes import Changes, carries, marker, probe_record
from harness.oaipmh.fixtures import OaiTarget
from harness.oaipmh.harvested import Harvested, harvest
from harness.oaipmh.judging import capped, fail, fail_on, faults, pages_of, seen_pages
from harness.oaipmh.ownership import Check, blocking_owner
from harness.oaipmh.probes import Answer
from harness.oaipmh.reference import COMMON_USER_AGENT, BoundedSickle, sickle_headers
from harness.oaipmh.rules import SPEC, XML

COMMON_CLAUSE = (f"{SPEC} §3.1 HTTP Embedding of OAI-PMH (any HTTP client is a harvester); "
                 "the consortium's requirement OAI-01, judged with sickle 0.7.0 (PyPI), a common harvester")
ILLEGAL_CLAUSE = f"{SPEC} §3.2 XML Response Format; {XML} §2.2 Characters"
_NOT_XML = ("illegal-character", "not-well-formed")  # the page the record is on cannot be XML
CONTROL_TEXT = "Legacy \x1b(3data\x1bs with C0 controls \x01\x1f"  # MARC-8 escapes as a conversion left them


@pytest.mark.requirement("OAI-01")
@pytest.mark.failed_by(defects.BLOCKS_COMMON_HARVESTERS)
def test_common_harvester_reads_the_same_list(oai_target: OaiTarget) -> None:
    """sickle, a common harvester, reads the same identifiers and datestamps as the strict harvester

    nb: sickle, en vanlig høster, leser de samme identifikatorene og datostemplene som den strenge høsteren
    """
    prefix = oai_target.found.require_catalogue_prefix(Check.COMMON_HARVESTER)
    strict = harvest(oai_target.client, (("verb", "ListRecords"), ("metadataPrefix", prefix))).require(Check.COMMON_HARVESTER)
    ours = [(h.identifier, h.datestamp, h.deleted) for h in strict.headers]
    settings = oai_target.settings
    with oai_target.http(user_agent=COMMON_USER_AGENT) as http:
        sickle = BoundedSickle(settings.url, http, method=settings.method, max_pages=settings.max_pages)
        try:
            theirs = [(h.identifier, h.datestamp, h.deleted) for h in sickle_headers(sickle, prefix)]
        except TargetError:
            raise  # the network or a budget: ERROR, not the repository's fault as judged here
        except Exception as exc:  # noqa: BLE001 - whatever sickle raises on what it was sent is the finding
            fail(f"sickle could not harvest the {prefix} list: {type(exc).__name__}: {str(exc)[:300]}", clause=COMMON_CLAUSE,
                 exchanges=tuple(http.transcript)[-4:],
                 expected=f"sickle's ListRecords({prefix}) reads the whole list, as the strict harvester did ({len(ours)} records)")
    if theirs != ours:
        missing = [f"{i} {d}{' deleted' if x else ''}: read by the strict harvester, not by sickle" for i, d, x in ours if (i, d, x) not in set(theirs)]
        extra = [f"{i} {d}{' deleted' if x else ''}: read by sickle only" for i, d, x in theirs if (i, d, x) not in set(ours)]
        fail(f"sickle read {len(theirs)} records, the strict harvester {len(ours)}, not the same", clause=COMMON_CLAUSE,
             exchanges=tuple(http.transcript)[-4:], details=capped(missing + extra or ["the same records in another order"]),
             expected="the same identifiers, datestamps and deletions, in the same order")


@pytest.mark.requirement("OAI-01")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.RAW_CONTROL_CHARACTERS)
def test_xml_illegal_characters_never_reach_the_wire(answers: list[Answer], oai_target: OaiTarget, catalogue: Harvested,
                                                     maybe_changes: Changes | None) -> None:
    """No response carries a character XML 1.0 forbids, not even for a record with C0 controls in its data

    nb: Ingen svar inneholder tegn XML 1.0 forbyr, heller ikke for en post med C0-kontrolltegn i dataene
    """
    found = oai_target.found
    seen = seen_pages(found, [catalogue], answers)
    fail_on(faults(seen, Check.ILLEGAL_CHARACTERS, found.marc_prefix), len(seen),
            "carry a character XML 1.0 forbids", "escaped or replaced control characters: a well-formed XML 1.0 document")
    probes = [a for a in answers if a.probe.judge is Check.ILLEGAL_CHARACTERS]
    for answer in probes:
        if answer.failure is not None:
            raise answer.failure  # could not be asked: ERROR
    wrong = [a for a in probes if a.page.response is not None and not a.right]
    if wrong:
        got = "/".join(wrong[0].codes) or (wrong[0].page.response.verb if wrong[0].page.response else "nothing")
        fail(f"an identifier with a C0 control character was answered {got}",
             clause=wrong[0].probe.why, pages=[a.page for a in wrong], expected="idDoesNotExist or badArgument, as well-formed XML")
    unreadable = [a for a in probes if a.page.response is None]
    if unreadable:
        owner = blocking_owner(unreadable[0].page.problems) or Check.SCHEMA
        cannot_judge(f"the answer to an identifier with a C0 control character cannot be read (HTTP {unreadable[0].page.status})",
                      owner.value)
    if maybe_changes is None:
        return  # without an import channel, the responses seen are what can be judged
    prefix = found.require_catalogue_prefix(Check.ILLEGAL_CHARACTERS)
    mark = marker("xml-controls")
    record = probe_record(mark, maybe_changes.library, title=f"{CONTROL_TEXT} {mark}", holdings_tag=oai_target.settings.holdings_tag)
    since = maybe_changes.clock()
    maybe_changes.create([record])
    changed = maybe_changes.harvest_since(since, prefix, found.granularity)
    broken = [(seen, [p for p in seen.page.problems if p.rule.id in _NOT_XML]) for seen in pages_of(changed)]
    broken = [(seen, problems) for seen, problems in broken if problems]
    if broken:
        problems = [p for _, ps in broken for p in ps]
        fail(f"the harvest of a record whose data holds C0 control characters is not XML ({problems[0]})",
             clause=ILLEGAL_CLAUSE, pages=[seen.page for seen, _ in broken], problems=problems,
             expected="the control characters escaped, replaced or dropped; never written raw into the response",
             details=[f"imported through the MARC channel: 245 $a {CONTROL_TEXT!r}"])
    if not any(carries(payload, mark) for payload in changed.require(Check.ILLEGAL_CHARACTERS).payloads.values()):
        cannot_judge(f"the record imported with marker {mark} is not in the harvest from {since}", Check.INCREMENTAL.value)
