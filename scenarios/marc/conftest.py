"""Fixtures of the MARC suite: the fixture batch, the target's exports, the round trip.

Exports are fetched once per session and shared: the checks only read them. The round trip
imports the fixture batch first (over the target's import channel, or by the evaluator by
hand for a file channel) and exports after.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pymarc
import pytest

from harness import findings
from harness.config import RunConfig
from harness.marc.channel import ExportFile, FileChannel, ImportReceipt, MarcChannel
from harness.marc.iso2709 import check_record, iter_raw_records
from harness.marc.ownership import ENCODING_RULES, Context
from harness.marc.reader import ReadResult, read_records
from harness.marc.settings import MarcSettings
from harness.paths import MARC_FIXTURES_DIR
from harness.profile import Profile
from harness.rules import Problem

CATALOGUE = MARC_FIXTURES_DIR / "consortium.mrc"
OVERSIZE = MARC_FIXTURES_DIR / "oversize.xml"
PREPUB_STEPS = ("prepub.mrc", "prepub_full.mrc", "prepub_changed.mrc")



@pytest.fixture(scope="session")
def fixture_batch() -> bytes:
    return CATALOGUE.read_bytes()


@pytest.fixture(scope="session")
def fixture_records(fixture_batch: bytes) -> list[pymarc.Record]:
    return [r.record for r in read_records(fixture_batch) if r.record is not None]


@pytest.fixture(scope="session")
def imported_catalogue(
    marc_channel: MarcChannel, marc_settings: MarcSettings, fixture_batch: bytes, fixture_records: list[pymarc.Record],
    harness_run: RunConfig,
) -> Iterator[ImportReceipt]:
    """Import the fixture batch once per session (or leave it for the evaluator to import).

    Records the import created are deleted at the end: vendor sandboxes are shared. A
    read-only run imports nothing and checks the export as it is. A receipt the harness cannot
    understand is judged by the round-trip check (it owns "the import works"); nothing is
    deleted on its word.
    """
    if isinstance(marc_channel, FileChannel):
        written = marc_channel.write_batch(CATALOGUE.name, fixture_batch)
        marc_channel.write_batch(OVERSIZE.name, OVERSIZE.read_bytes())
        yield ImportReceipt(manual=str(written) if written else "the fixture batch fixtures/marc/consortium.mrc")
        return
    if harness_run.selection.read_only:
        yield ImportReceipt(manual="read-only run: nothing imported")
        return
    receipt = marc_channel.import_batch(fixture_batch, marc_settings.import_library, len(fixture_records))
    try:
        yield receipt
    finally:
        marc_channel.delete(receipt)


@pytest.fixture(scope="session")
def iso_export(marc_channel: MarcChannel, imported_catalogue: ImportReceipt) -> ExportFile:
    return marc_channel.export("iso2709")


@pytest.fixture(scope="session")
def xml_export(marc_channel: MarcChannel, imported_catalogue: ImportReceipt) -> ExportFile:
    return marc_channel.export("marcxml")


@dataclass(frozen=True, slots=True)
class ExportStructure:
    """One structural pass over the ISO 2709 export, shared by the checks that judge it.

    Encoding problems of a record whose structure is broken are set apart: its leader and
    field boundaries cannot be trusted, so the encoding check cannot judge it (the structural
    check reports it).
    """

    fail_problems: tuple[Problem, ...]  # every FAIL problem of every record
    leader09_values: frozenset[bytes]  # of the structurally sound records
    broken_records: int  # records with a structural FAIL (not an encoding one)


@pytest.fixture(scope="session")
def iso_export_structure(iso_export: ExportFile) -> ExportStructure:
    problems: list[Problem] = []
    leader09: set[bytes] = set()
    broken = 0
    for raw in iter_raw_records(io.BytesIO(iso_export.data)):
        found = [p for p in check_record(raw) if p.severity == "FAIL"]
        if any(p.rule.id not in ENCODING_RULES for p in found):
            broken += 1
            found = [p for p in found if p.rule.id not in ENCODING_RULES]
        else:
            leader09.add(bytes(raw.data[9:10]))
        problems.extend(found)
    return ExportStructure(tuple(problems), frozenset(leader09), broken)


@pytest.fixture(scope="session")
def exported_records(iso_export: ExportFile) -> list[ReadResult]:
    return list(read_records(iso_export.data))


@pytest.fixture(scope="session")
def xml_exported_records(request: pytest.FixtureRequest, marc_channel: MarcChannel) -> list[ReadResult] | None:
    """The MARCXML export's records; None when the target offers no MARCXML export (a file
    channel whose profile names no export_xml_file)."""
    if isinstance(marc_channel, FileChannel) and marc_channel.export_xml_file is None:
        return None
    xml: ExportFile = request.getfixturevalue("xml_export")
    return list(read_records(xml.data))


@pytest.fixture()
def importing_channel(marc_channel: MarcChannel) -> Iterator[MarcChannel]:
    """A channel the harness can import through, step by step; NOT_TESTED for a file channel."""
    if not marc_channel.can_import:
        findings.not_tested(
            "the profile's [marc] channel has no import API; this scenario needs the harness "
            "to import records step by step"
        )
    yield marc_channel


@pytest.fixture(scope="session")
def ownership(marc_settings: MarcSettings, target: Profile) -> Context:
    strings = frozenset(s for p in target.patrons for s in (p.name, p.barcode) if s)
    return Context(marc_settings.holdings_tag, marc_settings.holdings_library_subfield, strings)
