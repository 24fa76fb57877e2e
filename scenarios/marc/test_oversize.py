"""MARC-04: records over 99,999 bytes and fields over 9,999 bytes are not corrupted on export.

ISO 2709 cannot hold them: leader/00-04 (record length) has five digits and a directory
entry's field length four. An exporter may split such a record, refuse it in ISO 2709, or
give it in MARCXML, but must never write a broken ISO 2709 record (as pymarc does:
edsu/pymarc#42), cut the data, or let the record vanish from the ISO 2709 file without a word:
a consumer of that file would never learn the catalogue is incomplete. A refusal is named
where the consumer sees it: over HTTP the export's ``X-Omitted-Records`` header, for a files
channel the export run's log (``[marc] export_log``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pymarc
import pytest

from harness.findings import Finding, cannot_judge, not_tested, skip_undeclared
from harness.marc import defects
from harness.marc.channel import ExportFile, MarcChannel
from harness.marc.diff import FieldDiff, diff_records, match_records
from harness.marc.evidence import capped, problem_line
from harness.marc.iso2709 import check_record, iter_raw_records
from harness.marc.iso2709 import control_number as raw_control_number
from harness.marc.ownership import (
    FULL_EXPORT_CHECK,
    MARCXML_ROUND_TRIP_CHECK,
    Context,
    Owner,
    owner_of,
)
from harness.marc.reader import read_records, records_of
from harness.marc.records import control_number
from harness.marc.settings import MarcSettings
from harness.marc.writer import MAX_FIELD_LENGTH, MAX_RECORD_LENGTH, field_body
from harness.paths import MARC_FIXTURES_DIR

CLAUSE = "MARC 21 Specifications for Record Structure: Leader/00-04 record length (5 digits), Directory field length (4 digits)"
OMISSION_CLAUSE = (f"{CLAUSE}; MARC-04: a record ISO 2709 cannot hold is split, refused or given in MARCXML, "
                   "and a refusal is named (the harness reads the X-Omitted-Records header of an HTTP export)")
OVERSIZE = MARC_FIXTURES_DIR / "oversize.xml"
DIRECTORY_ENTRY = 12
LEADER = 24


@dataclass(frozen=True, slots=True)
class OversizeExports:
    records: list[pymarc.Record]  # oversize.xml's records, as imported
    iso: ExportFile
    xml: ExportFile | None  # None: the target offers no MARCXML export
    imported: str  # how they came into the catalogue, for the evidence


@pytest.fixture()
def oversize_exports(request: pytest.FixtureRequest, marc_channel: MarcChannel,
                     marc_settings: MarcSettings) -> Iterator[OversizeExports]:
    """oversize.xml imported, and the exports after: over the import channel, or (files) by
    the evaluator, who imports what the harness left in import_dir before exporting."""
    data = OVERSIZE.read_bytes()
    records = records_of(read_records(data))
    if not marc_channel.can_import:
        iso: ExportFile = request.getfixturevalue("iso_export")
        xml: ExportFile | None = request.getfixturevalue("xml_export") if getattr(marc_channel, "export_xml_file", None) else None
        numbers = {control_number(r) for r in records}
        if not numbers & _numbers(iso.data) and not (xml is not None and numbers & _numbers(xml.data)):
            not_tested(f"neither export holds a record of {OVERSIZE.name}: import it (the harness left it in "
                       "[marc] import_dir) before exporting the catalogue")
        yield OversizeExports(records, iso, xml, f"{OVERSIZE.name} imported by the evaluator")
        return
    receipt = marc_channel.import_batch(data, marc_settings.import_library, len(records))
    try:
        yield OversizeExports(records, marc_channel.export("iso2709"), marc_channel.export("marcxml"),
                              f"POST {OVERSIZE.name}")
    finally:
        marc_channel.delete(receipt)


def _numbers(data: bytes) -> set[str]:
    return {control_number(r) or "" for r in records_of(read_records(data))}


def _iso_corruption(data: bytes, wanted: set[str]) -> list[str]:
    """Structural FAILs on the oversize records (by 001) in the ISO 2709 export."""
    lines: list[str] = []
    for raw in iter_raw_records(io.BytesIO(data)):
        problems = [p for p in check_record(raw) if p.severity == "FAIL"]
        if problems and problems[0].position and (problems[0].position.label in wanted or not problems[0].position.label):
            lines.extend(problem_line(p) for p in problems)
    return lines


def _layout(record: pymarc.Record) -> tuple[int, dict[tuple[str, int], tuple[int, int]]]:
    """The record's ISO 2709 length, and each field's (end byte in the record, length), by
    (tag, occurrence): where the 9,999 and 99,999 limits fall."""
    bodies = [(f.tag, len(field_body(f))) for f in record.fields]
    position = LEADER + DIRECTORY_ENTRY * len(bodies) + 1
    layout: dict[tuple[str, int], tuple[int, int]] = {}
    seen: dict[str, int] = {}
    for tag, length in bodies:
        seen[tag] = seen.get(tag, 0) + 1
        position += length
        layout[(tag, seen[tag])] = (position, length)
    return position + 1, layout


def _length_damage(diff: FieldDiff, record: pymarc.Record) -> bool:
    """A difference a length limit explains: a field over 9,999 bytes changed or lost, or a
    field lost from past the 99,999th byte (a record cut at the limit). Other differences on
    these records are changes the round trip sees on ordinary records too."""
    total, layout = _layout(record)
    end, length = layout.get((diff.tag, diff.occurrence), (0, 0))
    if length > MAX_FIELD_LENGTH and diff.kind in ("changed", "missing"):
        return True
    return diff.kind == "missing" and total > MAX_RECORD_LENGTH and end > MAX_RECORD_LENGTH


def _named(number: str, omitted: tuple[str, ...]) -> bool:
    pattern = re.compile(rf"(?<![\w-]){re.escape(number)}(?![\w-])")
    return any(pattern.search(text) for text in omitted)


def _judge_iso_omissions(found: OversizeExports, exported_xml: set[str]) -> None:
    iso = found.iso
    present = {raw_control_number(raw.data) for raw in iter_raw_records(io.BytesIO(iso.data))}
    silent = [r for r in found.records if control_number(r) not in present and not _named(control_number(r) or "", iso.omitted)]
    if not silent:
        return
    in_xml = "no MARCXML export" if found.xml is None else ""
    lines = [f"001 {control_number(r)} ({_layout(r)[0]:,} bytes in ISO 2709 terms): not in the ISO 2709 export and not named; "
             + (in_xml or f"the MARCXML export {'has it' if control_number(r) in exported_xml else 'lacks it too'}") for r in silent]
    declared = f"{iso.declared_by}: " + ("; ".join(iso.omitted) if iso.omitted else "names no record")
    raise Finding(
        f"{len(silent)} oversize record(s) left out of the ISO 2709 export without being refused or named",
        clause=OMISSION_CLAUSE, sent=f"{found.imported}; read {iso.source}" + (f"; read {found.xml.source}" if found.xml else ""),
        received="\n".join([*lines, declared]),
        expected="each oversize record in the ISO 2709 export (split, valid), or named as refused by its 001 "
                 "(X-Omitted-Records over HTTP, the export log for files) and given in the MARCXML export",
    )


@pytest.mark.requirement("MARC-04")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.TRUNCATE_LONG_FIELDS, defects.OVERSIZE_CORRUPT, defects.OVERSIZE_OMITTED_SILENTLY,
                       defects.TRUNCATE_NOTES)  # cuts every 5XX at 2,000 bytes: the 12,000-byte 505 too
def test_oversize_records_not_corrupted(oversize_exports: OversizeExports, marc_settings: MarcSettings, ownership: Context) -> None:
    """Oversize records are split, refused (and named) or given in MARCXML, never corrupted or lost

    nb: For store poster deles, avvises (og navngis) eller gis som MARCXML, men ødelegges eller forsvinner aldri
    """
    found = oversize_exports
    wanted = {control_number(r) or "" for r in found.records}
    broken = _iso_corruption(found.iso.data, wanted)
    if broken:
        raise Finding(
            "the ISO 2709 export contains corrupt oversize records",
            clause=CLAUSE, sent=f"{found.imported}; read {found.iso.source}",
            received="\n".join(capped(broken)), expected="no broken ISO 2709 record: split, refuse (and say so), or MARCXML",
        )
    exported = [] if found.xml is None else records_of(read_records(found.xml.data))
    exported_numbers = {control_number(r) or "" for r in exported}
    _judge_iso_omissions(found, exported_numbers)
    if found.xml is None:
        skip_undeclared("the profile names no MARCXML export ([marc] export_xml_file): the ISO 2709 side passed, "
                        "whether the oversize records are complete somewhere cannot be seen")
    in_iso = {n for raw in iter_raw_records(io.BytesIO(found.iso.data)) if (n := raw_control_number(raw.data))} - wanted
    if in_iso - exported_numbers:
        cannot_judge(f"the MARCXML export lacks {len(in_iso - exported_numbers)} ordinary record(s) the ISO 2709 export has, "
                     "so a missing oversize record there says nothing about its size", FULL_EXPORT_CHECK)
    pairs, missing, _ = match_records(found.records, exported)
    damage: list[str] = []
    others: dict[str, int] = {}
    for before, after in pairs:
        for diff in diff_records(before, after, ignore_tags=marc_settings.system_fields):
            owner = owner_of(diff, ownership, after)
            if owner is Owner.ROUND_TRIP and _length_damage(diff, before):
                damage.append(f"001 {control_number(before)}: {str(diff)[:300]}")
            else:
                name = f"{Owner.ROUND_TRIP.value} or {MARCXML_ROUND_TRIP_CHECK}" if owner is Owner.ROUND_TRIP else owner.value
                others[name] = others.get(name, 0) + 1
    if missing or damage:
        raise Finding(
            f"oversize records missing ({len(missing)}) or cut ({len(damage)} differences) in the MARCXML export",
            clause=CLAUSE, sent=f"{found.imported}; read {found.xml.source}",
            received="\n".join(capped([f"missing: {m}" for m in sorted(missing)] + damage)),
            expected="every oversize record complete in the MARCXML export",
        )
    if others:
        cannot_judge("the oversize records came back with changes that ordinary records show too",
                     ", ".join(f"{name} ({n})" for name, n in sorted(others.items())))
