"""Fixtures of the MARC suite: the fixture batch, the target's exports, the round trip.

Exports are fetched once per session and shared: the checks only read them. The round trip
imports the fixture batch first (over the target's import channel, or by the evaluator by
hand for a file channel) and exports after.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pymarc
import pytest

from harness import findings
from harness.marc.channel import ExportFile, FileChannel
from harness.marc.iso2709 import check_record, iter_raw_records
from harness.marc.reader import ReadResult, read_records
from harness.paths import MARC_FIXTURES_DIR
from harness.profile import Profile
from harness.rules import Problem

CATALOGUE = MARC_FIXTURES_DIR / "consortium.mrc"
OVERSIZE = MARC_FIXTURES_DIR / "oversize.xml"
PREPUB_STEPS = ("prepub.mrc", "prepub_full.mrc", "prepub_changed.mrc")


@dataclass(frozen=True, slots=True)
class MarcSettings:
    system_fields: frozenset[str]
    holdings_tag: str
    library_subfield: str
    import_library: str


@pytest.fixture(scope="session")
def marc_settings(profile: Profile, sandbox: Any) -> MarcSettings:
    section = profile.protocol("marc") or {}
    members = profile.libraries or (tuple(sandbox.consortium.libraries.values()) if sandbox else ())
    default_library = members[0].number if members else ""
    return MarcSettings(
        system_fields=frozenset(section.get("system_fields", ())),
        holdings_tag=section.get("holdings_tag", "852"),
        library_subfield=section.get("holdings_library_subfield", "a"),
        import_library=section.get("import_library", default_library),
    )


@pytest.fixture(scope="session")
def fixture_batch() -> bytes:
    return CATALOGUE.read_bytes()


@pytest.fixture(scope="session")
def fixture_records(fixture_batch: bytes) -> list[pymarc.Record]:
    return [r.record for r in read_records(fixture_batch) if r.record is not None]


@pytest.fixture(scope="session")
def imported_catalogue(
    marc_channel: Any, marc_settings: MarcSettings, fixture_batch: bytes, request: pytest.FixtureRequest
) -> Iterator[dict[str, object]]:
    """Import the fixture batch once per session (or leave it for the evaluator to import).

    Records the import created are deleted at the end: vendor sandboxes are shared. A
    read-only run imports nothing and checks the export as it is.
    """
    if isinstance(marc_channel, FileChannel):
        written = marc_channel.write_batch(CATALOGUE.name, fixture_batch)
        marc_channel.write_batch(OVERSIZE.name, OVERSIZE.read_bytes())
        yield {"manual": str(written) if written else "the fixture batch fixtures/marc/consortium.mrc"}
        return
    if request.config.getoption("read_only"):
        yield {"read_only": True}
        return
    receipt = marc_channel.import_batch(fixture_batch, marc_settings.import_library)
    yield receipt
    marc_channel.delete(receipt.get("created", []))


@pytest.fixture(scope="session")
def iso_export(marc_channel: Any, imported_catalogue: dict[str, object]) -> ExportFile:
    return marc_channel.export("iso2709")


@pytest.fixture(scope="session")
def xml_export(marc_channel: Any, imported_catalogue: dict[str, object]) -> ExportFile:
    return marc_channel.export("marcxml")


@dataclass(frozen=True, slots=True)
class ExportStructure:
    """One structural pass over the ISO 2709 export, shared by the checks that judge it."""

    fail_problems: tuple[Problem, ...]
    leader09_values: frozenset[bytes]


@pytest.fixture(scope="session")
def iso_export_structure(iso_export: ExportFile) -> ExportStructure:
    problems: list[Problem] = []
    leader09: set[bytes] = set()
    for raw in iter_raw_records(io.BytesIO(iso_export.data)):
        leader09.add(bytes(raw.data[9:10]))
        problems.extend(p for p in check_record(raw) if p.severity == "FAIL")
    return ExportStructure(tuple(problems), frozenset(leader09))


@pytest.fixture(scope="session")
def exported_records(iso_export: ExportFile) -> list[ReadResult]:
    return list(read_records(iso_export.data))


@pytest.fixture()
def importing_channel(marc_channel: Any) -> Iterator[Any]:
    """A channel the harness can import through, step by step; NOT_TESTED for a file channel."""
    if not marc_channel.can_import:
        findings.not_tested(
            "the profile's [marc] channel has no import API; this scenario needs the harness "
            "to import records step by step"
        )
    yield marc_channel
