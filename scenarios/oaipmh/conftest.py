"""Fixtures of the OAI-PMH suite: the catalogue harvested once, the probe battery, the MARC export.

Everything here is read once per run and only read by the checks. The catalogue is harvested
in the MARC format when one is offered (found by namespace), else in oai_dc; the MARC export
is fetched right after it, so the two are compared as of the same moment. Checks that change
the catalogue (imports through the MARC channel) harvest again for themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.errors import TargetError
from harness.findings import not_tested
from harness.marc.channel import ExportFile, MarcChannel
from harness.marc.reader import read_records
from harness.marc.records import control_number
from harness.marc.settings import MarcSettings
from harness.marc.unit import MARC
from harness.oaipmh import probes
from harness.oaipmh.changes import Changes
from harness.oaipmh.fixtures import OaiTarget
from harness.oaipmh.harvested import Harvested, harvest
from harness.oaipmh.judging import MarcExport
from harness.profile import Profile


@pytest.fixture(scope="session")
def catalogue(request: pytest.FixtureRequest, oai_target: OaiTarget) -> Harvested:
    """The whole catalogue, ListRecords in the MARC format if offered (else oai_dc); the MARC
    export is fetched right after, so the two are compared as of one moment."""
    prefix = oai_target.found.catalogue_prefix
    if prefix is None:
        return Harvested((("verb", "ListRecords"),), unavailable=oai_target.found.no_catalogue())
    harvested = harvest(oai_target.client, (("verb", "ListRecords"), ("metadataPrefix", prefix)))
    try:
        request.getfixturevalue("marc_export")
    except pytest.skip.Exception:
        pass  # the checks that compare with the export say why there is none
    return harvested


@pytest.fixture(scope="session")
def dc_catalogue(oai_target: OaiTarget, catalogue: Harvested) -> Harvested:
    """The whole catalogue in oai_dc (the catalogue harvest itself when that is oai_dc)."""
    found = oai_target.found
    if found.dc_prefix is None or found.dc_prefix == found.catalogue_prefix:
        return catalogue
    return harvest(oai_target.client, (("verb", "ListRecords"), ("metadataPrefix", found.dc_prefix)))


@pytest.fixture(scope="session")
def marc_export(request: pytest.FixtureRequest, target: Profile) -> MarcExport:
    """The MARC export (MARCXML when the channel has it); the catalogue fixture fetches it."""
    if target.settings_for(MARC) is None:
        return MarcExport({}, unavailable="the profile has no [marc] section, so there is no MARC export to compare with")
    channel: MarcChannel = request.getfixturevalue("marc_channel")
    export: ExportFile | None = None
    for fmt in ("marcxml", "iso2709"):
        try:
            export = channel.export(fmt)
            break
        except TargetError as exc:
            reason = str(exc)
    if export is None:
        return MarcExport({}, unavailable=f"the MARC export could not be read: {reason}")
    records = {}
    for result in read_records(export.data):
        if result.record is not None and (number := control_number(result.record)):
            records[number] = result.record
    return MarcExport(records, export.source)


@pytest.fixture(scope="session")
def sample(oai_target: OaiTarget, catalogue: Harvested) -> probes.Sample:
    """A live and a deleted record and a set from the catalogue, for the probes (the probes
    that need what the catalogue did not give are not sent)."""
    live = next((h for h in catalogue.headers if not h.deleted and h.identifier), None)
    if live is None:
        return probes.Sample()
    deleted = next((h.identifier for h in catalogue.headers if h.deleted), None)
    # a leaf set (library:NO-...) the record is in: a parent set is the hierarchy check's to judge
    spec = next((s for s in live.set_specs if ":" in s), None) or next(iter(live.set_specs), None)
    return probes.Sample(live.identifier, live.datestamp, deleted, spec)


@pytest.fixture(scope="session")
def answers(oai_target: OaiTarget, sample: probes.Sample) -> list[probes.Answer]:
    """The probe battery's answers: every verb, argument rule and error condition, once."""
    return probes.run(oai_target.client, probes.build(oai_target.found, sample))


def _change_channel(request: pytest.FixtureRequest, target: Profile) -> tuple[MarcChannel, str] | str:
    """The MARC import channel and the library to import for, or why the harness cannot import."""
    if target.settings_for(MARC) is None:
        return "the profile has no [marc] section: the harness cannot change the catalogue to watch the harvest"
    if request.getfixturevalue("harness_run").selection.read_only:
        return "read-only run: the catalogue is not changed"
    channel: MarcChannel = request.getfixturevalue("marc_channel")
    if not channel.can_import:
        return "the [marc] channel has no import API: the harness cannot import step by step"
    settings: MarcSettings = request.getfixturevalue("marc_settings")
    return channel, settings.import_library


@pytest.fixture()
def changes(request: pytest.FixtureRequest, oai_target: OaiTarget, target: Profile) -> Iterator[Changes]:
    """Imports through the MARC channel for this check, undone after it; NOT_TESTED without one."""
    found = _change_channel(request, target)
    if isinstance(found, str):
        not_tested(found)
    channel, library = found
    with Changes(oai_target.client, channel, library) as made:
        yield made


@pytest.fixture()
def maybe_changes(request: pytest.FixtureRequest, oai_target: OaiTarget, target: Profile) -> Iterator[Changes | None]:
    """As ``changes``, or None for a check that judges what it can without changing anything."""
    found = _change_channel(request, target)
    if isinstance(found, str):
        yield None
        return
    channel, library = found
    with Changes(oai_target.client, channel, library) as made:
        yield made
