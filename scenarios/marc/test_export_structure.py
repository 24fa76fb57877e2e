"""MARC-01: the full catalogue export is structurally valid MARC 21, in UTF-8, its MARCXML
validates against the MARC 21 slim schema, and both exports hold the whole catalogue."""

from __future__ import annotations

import io
from typing import Any

import pymarc
import pytest

from harness.findings import Finding, cannot_judge, skip_undeclared
from harness.marc import defects
from harness.marc.channel import ExportFile
from harness.marc.evidence import capped, clauses, summarise_problems
from harness.marc.marcxml import iter_marcxml_problems
from harness.marc.ownership import ENCODING_RULES, STRUCTURE_CHECK, Owner
from harness.marc.reader import ReadResult, records_of
from harness.marc.records import control_number
from harness.marc.rules import RULES
from harness.marc.writer import RecordTooLong, encode_iso2709
from harness.rules import Problem

MARCXML_SCHEMA_CHECK = "test_marcxml_export_is_schema_valid"

# The rules that are about the character encoding, judged by the UTF-8 check below; the
# structure check judges all the others.


def _raise_if_any(problems: list[Problem], export: ExportFile, expected: str) -> None:
    if not problems:
        return
    summary, lines = summarise_problems(problems)
    raise Finding(
        f"export {export.source}: {summary}",
        clause=clauses(problems),
        sent=f"GET/read {export.source}",
        received="\n".join(lines),
        expected=expected,
    )


@pytest.mark.requirement("MARC-01")
@pytest.mark.failed_by(defects.LENGTH_IN_CHARACTERS, defects.OVERSIZE_CORRUPT)
def test_iso2709_export_is_structurally_valid(iso_export: ExportFile, iso_export_structure: Any) -> None:
    """ISO 2709 export: lengths in bytes, directory, base address, terminators, codes

    nb: ISO 2709-eksport: lengder i byte, katalog, basisadresse, skilletegn, koder
    """
    if not iso_export.data:
        raise Finding("the ISO 2709 export is empty", clause=RULES["record-terminator"].clause, sent=iso_export.source, expected="the whole catalogue")
    problems = [p for p in iso_export_structure.fail_problems if p.rule.id not in ENCODING_RULES]
    _raise_if_any(problems, iso_export, "every record structurally valid per ISO 2709 and MARC 21 Record Structure")


@pytest.mark.requirement("MARC-01", "SPR-01")
@pytest.mark.failed_by(defects.LEADER09_BLANK, defects.EXPORT_LATIN1)
def test_iso2709_export_declares_and_uses_utf8(iso_export: ExportFile, iso_export_structure: Any) -> None:
    """ISO 2709 export is UTF-8 with leader/09 = a, and the bytes really are UTF-8

    nb: ISO 2709-eksporten er UTF-8 med leader/09 = a, og bytene er virkelig UTF-8
    """
    problems = [p for p in iso_export_structure.fail_problems if p.rule.id in ENCODING_RULES]
    leaders = iso_export_structure.leader09_values
    not_utf8 = leaders - {b"a"}
    if not_utf8 and not problems:
        raise Finding(
            f"leader/09 is {sorted(not_utf8)!r} in the export, not 'a' (UCS/Unicode)",
            clause=RULES["leader09-matches-encoding"].clause,
            sent=iso_export.source,
            received=f"leader/09 values: {sorted(leaders)!r}",
            expected="leader/09 = 'a' on every record (UTF-8, MARC-01)",
        )
    _raise_if_any(problems, iso_export, "leader/09 = 'a' and every field valid UTF-8")


@pytest.mark.requirement("MARC-01")
@pytest.mark.failed_by(defects.MARCXML_NO_NAMESPACE)
def test_marcxml_export_is_schema_valid(xml_export: ExportFile) -> None:
    """MARCXML export is well-formed and valid against the MARC 21 slim schema

    nb: MARCXML-eksporten er velformet og gyldig mot MARC 21 slim-skjemaet
    """
    problems = [p for p in iter_marcxml_problems(io.BytesIO(xml_export.data)) if p.severity == "FAIL"]
    _raise_if_any(problems, xml_export, "a <collection> valid against MARC21slim.xsd (namespace http://www.loc.gov/MARC21/slim)")


def _fits_iso2709(record: pymarc.Record) -> bool:
    try:
        encode_iso2709(record)
    except RecordTooLong:
        return False
    return True


@pytest.mark.requirement("MARC-01")
@pytest.mark.failed_by(defects.MARCXML_FIRST_PAGE)
def test_full_catalogue_in_both_exports(iso_export: ExportFile, exported_records: list[ReadResult],
                                        xml_exported_records: list[ReadResult] | None, fixture_records: list[pymarc.Record]) -> None:
    """The full catalogue is in both exports: every record in ISO 2709 and in MARCXML

    nb: Hele katalogen er i begge eksportene: hver post både i ISO 2709 og i MARCXML

    Records ISO 2709 cannot hold (over 99,999 bytes, or a field over 9,999) are MARC-04's;
    a batch record in neither export is the round trip's.
    """
    if xml_exported_records is None:
        skip_undeclared("the profile names no MARCXML export ([marc] export_xml_file)")
    iso = {control_number(r) for r in records_of(exported_records)}
    xml_records = {control_number(r): r for r in records_of(xml_exported_records)}
    only_xml = sorted(n or "(no 001)" for n, r in xml_records.items() if n not in iso and _fits_iso2709(r))
    only_iso = sorted(n or "(no 001)" for n in iso - set(xml_records))
    unreadable = [(name, sum(1 for r in results if r.record is None))
                  for name, results in (("ISO 2709", exported_records), ("MARCXML", xml_exported_records))]
    if only_xml or only_iso:
        broken = [f"{name}: {n} record(s) unreadable" for name, n in unreadable if n]
        if broken:
            cannot_judge(f"the exports' records differ, but {'; '.join(broken)}", f"{STRUCTURE_CHECK}, {MARCXML_SCHEMA_CHECK}")
        lines = [f"in the MARCXML export, not in the ISO 2709 export: {n}" for n in only_xml]
        lines += [f"in the ISO 2709 export, not in the MARCXML export: {n}" for n in only_iso]
        raise Finding(
            f"the two catalogue exports do not hold the same records: {len(only_xml)} only in MARCXML, "
            f"{len(only_iso)} only in ISO 2709 (ISO 2709 {len(iso)} records, MARCXML {len(xml_records)})",
            clause="MARC-01 full catalogue export; ISO 2709:2008 (an exchange file of records); MARC 21 XML Schema (a collection of records)",
            sent=f"GET {iso_export.source}; the MARCXML export",
            received="\n".join(capped(lines, 40)),
            expected="every record of the catalogue in both exports (records too long for ISO 2709 in MARCXML only)",
        )
    missing = sorted({control_number(r) or "" for r in fixture_records} - iso - set(xml_records))
    if missing:
        cannot_judge(f"{len(missing)} record(s) of the fixture batch are in neither export ({', '.join(missing[:5])})",
                     Owner.ROUND_TRIP.value)
