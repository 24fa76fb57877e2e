"""The sandbox's OAI-PMH service over the one consortium: what the MARC channel changes is what
the next harvest finds, deletions stay, and marc21 is the MARC export."""

from __future__ import annotations

import time

import pymarc

from harness.http import HttpClient
from harness.marc.channel import HttpChannel, ImportReceipt
from harness.marc.reader import read_records
from harness.marc.records import control_number
from harness.marc.unit import MARC
from harness.marc.writer import encode_iso2709
from harness.oaipmh.changes import marc_of, marker, probe_record
from harness.oaipmh.client import OaiClient
from harness.oaipmh.harvested import harvest
from harness.oaipmh.model import GetRecordResponse
from harness.oaipmh.unit import OAI
from harness.sandbox.system import Sandbox


def _client(sandbox: Sandbox, method: str = "GET") -> OaiClient:
    settings = sandbox.resolved.settings_for(OAI)
    assert settings is not None and settings.url.endswith("/oai")
    client = OaiClient(settings.url, HttpClient("oai", timeout=10), method=method)
    client.identify()
    client.list_metadata_formats()
    return client


def _channel(sandbox: Sandbox) -> HttpChannel:
    settings = sandbox.resolved.settings_for(MARC)
    assert settings is not None
    return HttpChannel(settings.base_url, timeout=10, max_bytes=64 * 1024 * 1024)


def _since(client: OaiClient) -> str:
    page = client.identify()
    assert page.response is not None
    return page.response.envelope.response_date


def test_marc21_is_the_marc_export_and_every_record_is_harvested(sandbox: Sandbox) -> None:
    client = _client(sandbox)
    catalogue = harvest(client, (("verb", "ListRecords"), ("metadataPrefix", "marc21")))
    assert catalogue.complete and not catalogue.problems and len(catalogue.pages) == 3
    assert all(not p.problems for p in catalogue.pages), [str(p) for page in catalogue.pages for p in page.problems]
    exported = {control_number(r.record): r.record for r in read_records(_channel(sandbox).export("marcxml").data) if r.record}
    harvested = {control_number(record): record for record in map(marc_of, catalogue.payloads.values()) if record is not None}
    assert harvested.keys() == exported.keys() and len(harvested) == len(sandbox.consortium.records)
    assert all(harvested[n].as_json() == exported[n].as_json() for n in exported)


def test_an_import_moves_the_record_into_the_next_incremental_harvest(sandbox: Sandbox) -> None:
    client, channel = _client(sandbox), _channel(sandbox)
    first = next(iter(sandbox.consortium.records))
    loaded = max(sandbox.consortium.stamps.values()).strftime("%Y-%m-%dT%H:%M:%SZ")
    while _since(client) <= loaded:
        time.sleep(0.2)  # the repository's clock past the whole catalogue's load (a busy machine loads over seconds)
    since = _since(client)
    changed = pymarc.Record(leader=str(sandbox.consortium.records[first].leader), force_utf8=True)
    changed.fields = [*sandbox.consortium.records[first].fields]
    mark = marker("unit")
    changed.add_ordered_field(pymarc.Field(tag="500", indicators=pymarc.Indicators(" ", " "), subfields=[pymarc.Subfield("a", mark)]))
    new = probe_record(marker("new"), "NO-9900011")
    receipt = channel.import_batch(encode_iso2709(changed) + encode_iso2709(new), "NO-9900001", 2)
    assert receipt.updated == (first,) and len(receipt.created) == 1
    try:
        after = harvest(client, (("verb", "ListRecords"), ("metadataPrefix", "marc21"), ("from", since)))
        numbers = {control_number(r) for r in map(marc_of, after.payloads.values()) if r is not None}
        assert numbers == {first, receipt.created[0]}, "exactly the records imported since"
        assert any(mark.encode() in payload for payload in after.payloads.values())
    finally:
        channel.delete(receipt)
    gone = harvest(client, (("verb", "ListIdentifiers"), ("metadataPrefix", "marc21"), ("from", since), ("set", "kind:school")))
    tombstone = next(h for h in gone.headers if h.identifier.endswith(receipt.created[0]))
    assert tombstone.deleted and "library:NO-9900011" in tombstone.set_specs, "a deletion stays, in its sets"
    page = client.get_record(tombstone.identifier, "oai_dc")
    assert isinstance(page.response, GetRecordResponse) and page.response.record.header.deleted
    assert page.response.record.metadata is None


def test_post_and_sets_per_library_and_kind(sandbox: Sandbox) -> None:
    client = _client(sandbox, method="POST")
    sets = {s.spec for s in harvest(client, (("verb", "ListSets"),)).sets}
    assert {"library", "kind", "kind:public", "kind:school", "kind:bookbus"} | {f"library:{n}" for n in sandbox.consortium.libraries} == sets
    school = harvest(client, (("verb", "ListIdentifiers"), ("metadataPrefix", "marc21"), ("set", "kind:school")))
    held = {f"oai:sandbox.libharness.test:{n}" for n, r in sandbox.consortium.records.items()
            if {a for f in r.get_fields("852") for a in f.get_subfields("a")} & {"NO-9900011", "NO-9900012"}}
    assert {h.identifier for h in school.headers if not h.deleted} == held
    assert ("OAI-PMH", next(w for n, w in sandbox.describe() if n == "OAI-PMH")) in sandbox.describe()


def test_a_deleted_record_number_is_not_given_out_again(sandbox: Sandbox) -> None:
    channel = _channel(sandbox)
    receipt = channel.import_batch(encode_iso2709(probe_record(marker("a"), "NO-9900001")), "NO-9900001", 1)
    channel.delete(receipt)
    again = channel.import_batch(encode_iso2709(probe_record(marker("b"), "NO-9900001")), "NO-9900001", 1)
    channel.delete(again)
    assert receipt.created != again.created and receipt.created[0] in sandbox.consortium.tombstones
    channel.delete(ImportReceipt(created=("no-such-record",)))  # a delete of nothing leaves nothing behind
    assert "no-such-record" not in sandbox.consortium.tombstones
