"""MARC-01: the full catalogue export is structurally valid MARC 21, in UTF-8, and its
MARCXML validates against the MARC 21 slim schema."""

from __future__ import annotations

import io
from typing import Any

import pytest

from harness.marc.ownership import ENCODING_RULES

from harness.marc import defects

from harness.findings import Finding
from harness.marc.channel import ExportFile
from harness.marc.evidence import clauses, summarise_problems
from harness.marc.marcxml import iter_marcxml_problems
from harness.marc.rules import RULES
from harness.rules import Problem

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
