"""MARC-04: records over 99,999 bytes and fields over 9,999 bytes are not corrupted.

ISO 2709 cannot hold them: leader/00-04 (record length) has five digits and a directory
entry's field length four. An exporter may split such a record, refuse it in ISO 2709, or
give it in MARCXML, but must never write a broken ISO 2709 record (as pymarc does:
edsu/pymarc#42) or cut the data.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pymarc
import pytest

from harness.marc import defects

from harness.findings import Finding
from harness.marc.diff import diff_records, match_records
from harness.marc.evidence import capped, problem_line
from harness.marc.iso2709 import check_record, iter_raw_records
from harness.marc.reader import read_records
from harness.marc.channel import MarcChannel
from harness.marc.ownership import Context, Owner, owner_of
from harness.marc.records import control_number
from harness.marc.settings import MarcSettings
from harness.paths import MARC_FIXTURES_DIR

CLAUSE = "MARC 21 Specifications for Record Structure: Leader/00-04 record length (5 digits), Directory field length (4 digits)"
OVERSIZE = MARC_FIXTURES_DIR / "oversize.xml"


@pytest.fixture()
def imported_oversize(importing_channel: MarcChannel, marc_settings: MarcSettings) -> Iterator[list[pymarc.Record]]:
    data = OVERSIZE.read_bytes()
    records = [r.record for r in read_records(data) if r.record is not None]
    receipt = importing_channel.import_batch(data, marc_settings.import_library, len(records))
    try:
        yield records
    finally:
        importing_channel.delete(receipt)


def _iso_corruption(data: bytes, wanted: set[str]) -> list[str]:
    """Structural FAILs on the oversize records (by 001) in the ISO 2709 export."""
    lines = []
    for raw in iter_raw_records(io.BytesIO(data)):
        problems = [p for p in check_record(raw) if p.severity == "FAIL"]
        if problems and problems[0].position and (problems[0].position.label in wanted or not problems[0].position.label):
            lines.extend(problem_line(p) for p in problems)
    return lines


@pytest.mark.requirement("MARC-04")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.TRUNCATE_LONG_FIELDS, defects.OVERSIZE_CORRUPT)
def test_oversize_records_not_corrupted(importing_channel: MarcChannel, imported_oversize: list[pymarc.Record],
                                        marc_settings: MarcSettings, ownership: Context) -> None:
    """Oversize records are split, refused or given in MARCXML, never corrupted

    nb: For store poster deles, avvises eller gis som MARCXML, men ødelegges aldri
    """
    wanted = {control_number(r) or "" for r in imported_oversize}
    iso = importing_channel.export("iso2709")
    broken = _iso_corruption(iso.data, wanted)
    if broken:
        raise Finding(
            "the ISO 2709 export contains corrupt oversize records",
            clause=CLAUSE, sent=f"import {OVERSIZE.name}; GET {iso.source}",
            received="\n".join(capped(broken)), expected="no broken ISO 2709 record: split, refuse (and say so), or MARCXML",
        )
    xml = importing_channel.export("marcxml")
    exported = [r.record for r in read_records(xml.data) if r.record is not None]
    pairs, missing, _ = match_records(imported_oversize, exported)
    # Letters, holdings and patron data have checks of their own; this one judges what a
    # length limit breaks: fields cut, lost or changed in their text.
    diffs = [f"001 {control_number(a)}: {d}" for a, b in pairs for d in diff_records(a, b, ignore_tags=marc_settings.system_fields)
             if owner_of(d, ownership) is Owner.ROUND_TRIP]
    if missing or diffs:
        raise Finding(
            f"oversize records missing ({len(missing)}) or changed ({len(diffs)} differences) in the MARCXML export",
            clause=CLAUSE, sent=f"import {OVERSIZE.name}; GET {xml.source}",
            received="\n".join(capped([f"missing: {m}" for m in sorted(missing)] + [d[:300] for d in diffs])),
            expected="every oversize record complete in the MARCXML export",
        )
