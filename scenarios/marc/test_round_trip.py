"""MARC-02 and SPR-01: what goes in comes back out, field for field and byte for byte."""

from __future__ import annotations

import io
import unicodedata

import pymarc
import pytest

from harness.findings import Finding, cannot_judge
from harness.marc import defects
from harness.marc.channel import ExportFile, ImportReceipt
from harness.marc.diff import format_field, match_records
from harness.marc.evidence import capped
from harness.marc.ownership import STRUCTURE_CHECK, Context, Owner, owners, reported_elsewhere
from harness.marc.reader import ReadResult
from harness.marc.roundtrip import compare_streams
from harness.marc.settings import MarcSettings

ROUND_TRIP_CLAUSE = "MARC 21 Specifications for Record Structure (fields, indicators, subfield codes, order are data)"
UNICODE_CLAUSE = "MARC 21 Specifications, Character Sets: Unicode Encoding Environment (UTF-8 data is exchanged as is)"
LINKAGE_CLAUSE = "MARC 21 Bibliographic, 880 Alternate Graphic Representation and Appendix A: Control Subfield $6 Linkage"


def _exported(exported_records: list[ReadResult]) -> list[pymarc.Record]:
    return [r.record for r in exported_records if r.record is not None]


def _pairs(fixture_records: list[pymarc.Record], exported: list[pymarc.Record]) -> list[tuple[pymarc.Record, pymarc.Record]]:
    """Imported records with their exported selves; a missing one is the round trip's to report."""
    pairs, _missing, _unexpected = match_records(fixture_records, exported)
    return pairs


@pytest.mark.requirement("MARC-02")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.REORDER_FIELDS, defects.DROP_880)
def test_import_export_round_trip_unchanged(fixture_batch: bytes, iso_export: ExportFile, marc_settings: MarcSettings,
                                            ownership: Context, imported_catalogue: ImportReceipt) -> None:
    """Imported records come back unchanged apart from the declared system fields

    nb: Importerte poster kommer uendret ut igjen, bortsett fra oppgitte systemfelt
    """
    if not imported_catalogue.understood:
        raise Finding(
            f"the import's receipt cannot be understood: {imported_catalogue.problem}",
            clause="the harness's MARC import channel: a JSON receipt naming the records created, updated and rejected",
            sent="POST the fixture batch fixtures/marc/consortium.mrc", received=imported_catalogue.raw,
            expected='{"created": ["<001>", ...], "updated": [...], "rejected": [...]} (nothing was deleted on its word)',
        )
    comparisons = [
        c for c in compare_streams(io.BytesIO(fixture_batch), io.BytesIO(iso_export.data), marc_settings.system_fields)
        if not c.unexpected  # the export holds the rest of the catalogue too
    ]
    missing = [c.control_number for c in comparisons if c.missing]
    unreadable = [c for c in comparisons if c.unreadable]
    by_owner = owners((d for c in comparisons for d in c.diffs), ownership)
    mine = by_owner.get(Owner.ROUND_TRIP, [])
    if missing or mine:
        numbers = {id(d): c.control_number for c in comparisons for d in c.diffs}
        lines = [f"001 {n}: missing from the export" for n in missing]
        lines += [f"001 {numbers[id(d)]}: {d}" for d in mine]
        changed = len({numbers[id(d)] for d in mine})
        raise Finding(
            f"{changed} of {len(comparisons)} records changed and {len(missing)} missing after import and export",
            clause=ROUND_TRIP_CLAUSE,
            sent=f"{len(comparisons)} records from fixtures/marc/consortium.mrc",
            received="\n".join(capped(lines, 40)),
            expected=f"identical fields, indicators, subfields and order (ignoring declared system fields {sorted(marc_settings.system_fields)})",
        )
    if unreadable:
        cannot_judge(f"{len(unreadable)} exported record(s) cannot be read even past their faults "
                     f"({unreadable[0].unreadable})", STRUCTURE_CHECK)
    elsewhere = reported_elsewhere(by_owner, Owner.ROUND_TRIP)
    if elsewhere:
        cannot_judge("the records changed only in ways other checks own", elsewhere)


def _text_values(record: pymarc.Record) -> list[tuple[str, str]]:
    """(position, value) for every subfield; the position names the field and subfield
    occurrence ('852#2 $c#1'), so repeated fields are compared one to one."""
    values = []
    seen: dict[str, int] = {}
    for field in record.fields:
        if field.is_control_field():
            continue
        seen[field.tag] = occurrence = seen.get(field.tag, 0) + 1
        codes: dict[str, int] = {}
        for sub in field.subfields:
            codes[sub.code] = codes.get(sub.code, 0) + 1
            values.append((f"{field.tag}#{occurrence} ${sub.code}#{codes[sub.code]}", sub.value))
    return values


def _describe_change(before: str, after: str) -> str:
    if unicodedata.normalize("NFC", before) == unicodedata.normalize("NFC", after):
        form = "NFD" if unicodedata.is_normalized("NFD", after) else "NFC"
        return f"same text, different bytes: Unicode normalisation changed to {form}"
    lost = sorted(set(before) - set(after))
    return "letters lost: " + " ".join(f"{c} (U+{ord(c):04X})" for c in lost) if lost else "text changed"


@pytest.mark.requirement("SPR-01")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.EXPORT_LATIN1, defects.EXPORT_NFD, defects.IMPORT_NFC)
def test_letters_survive_import_export_byte_exact(fixture_records: list[pymarc.Record], exported_records: list[ReadResult],
                                                  iso_export: ExportFile) -> None:
    """Norwegian, Sámi and Kven letters survive import and export byte for byte, NFC and NFD

    nb: Norske, samiske og kvenske bokstaver overlever import og eksport byte for byte, NFC og NFD
    """
    lines: list[str] = []
    checked = absent = 0
    pairs = _pairs(fixture_records, _exported(exported_records))
    for before, after in pairs:
        after_values = dict(_text_values(after))
        for where, value in _text_values(before):
            if value.isascii():
                continue
            got = after_values.get(where)
            if got is None:
                absent += 1  # the field or subfield is gone: the round trip reports that
                continue
            checked += 1
            if got.encode() != value.encode():
                lines.append(f"001 {before['001'].data}: {where} {value!r} -> {got!r}: {_describe_change(value, got)}")
    if lines:
        raise Finding(
            f"{len(lines)} of {checked} subfields with non-ASCII letters did not come back byte-exact",
            clause=UNICODE_CLAUSE,
            sent="fixtures/marc/consortium.mrc (Norwegian, North/Lule/South Sámi and Kven text; some records stored NFD)",
            received="\n".join(capped(lines, 40)),
            expected="the same UTF-8 bytes as imported, in the normalisation form they were imported in",
        )
    if absent or len(pairs) < len(fixture_records):
        cannot_judge(f"{absent} subfield(s) with non-ASCII letters and {len(fixture_records) - len(pairs)} record(s) "
                     "are missing from the export", Owner.ROUND_TRIP.value)


def _linkage_problems(record: pymarc.Record) -> list[str]:
    """Every 880 $6 <tag>-<occ> must have a partner <tag> $6 880-<occ>, and the reverse."""
    problems = []
    links = {(f.tag, s[:6]) for f in record.fields if not f.is_control_field() for s in f.get_subfields("6")}
    for tag, link in links:
        partner_tag, _, occurrence = link.partition("-")
        occurrence = occurrence[:2]
        if occurrence == "00":  # $6 880-00: an 880 with no partner field by design
            continue
        wanted = (partner_tag, f"{tag}-{occurrence}")
        if tag == "880" or partner_tag == "880":
            if not any(t == wanted[0] and l.startswith(wanted[1]) for t, l in links):
                problems.append(f"{tag} $6 {link} has no partner {partner_tag} $6 {tag}-{occurrence}")
    return problems


@pytest.mark.requirement("MARC-02")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.DROP_880)
def test_880_linkage_survives_export(fixture_records: list[pymarc.Record], exported_records: list[ReadResult],
                                     iso_export: ExportFile) -> None:
    """880 alternate-script fields and their $6 linkage survive

    nb: 880-felt med alternativ skrift og $6-koblingen deres overlever
    """
    lines: list[str] = []
    linked = [r for r in fixture_records if r.get_fields("880")]
    if not linked:
        pytest.fail("the fixture batch has no 880 fields: regenerate fixtures/marc")
    pairs = _pairs(linked, _exported(exported_records))
    if len(pairs) < len(linked):
        cannot_judge(f"{len(linked) - len(pairs)} record(s) with 880 fields are missing from the export", Owner.ROUND_TRIP.value)
    for before, after in pairs:
        number = before["001"].data if before["001"] else "?"
        lost = len(before.get_fields("880")) - len(after.get_fields("880"))
        if lost > 0:
            lines.append(f"001 {number}: {lost} of {len(before.get_fields('880'))} 880 fields lost: " + "; ".join(format_field(f) for f in before.get_fields("880")))
        lines.extend(f"001 {number}: {p}" for p in _linkage_problems(after))
    if lines:
        raise Finding(
            f"880 linkage broken in {len({l.split(':')[0] for l in lines})} record(s)",
            clause=LINKAGE_CLAUSE,
            sent=f"{len(linked)} records with 880 fields",
            received="\n".join(capped(lines)),
            expected="every 880 $6 <tag>-<nn> with its partner <tag> $6 880-<nn>",
        )
