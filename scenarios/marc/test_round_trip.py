"""MARC-02 and SPR-01: what goes in comes back out, field for field and byte for byte."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import pymarc
import pytest

from harness.findings import Finding, cannot_judge, skip_undeclared
from harness.marc import defects
from harness.marc.channel import ExportFile, ImportReceipt
from harness.marc.diff import FieldDiff, diff_records, format_field, match_records
from harness.marc.evidence import capped
from harness.marc.ownership import (
    FULL_EXPORT_CHECK,
    MARCXML_ROUND_TRIP_CHECK,
    STRUCTURE_CHECK,
    Context,
    Owner,
    letters_only,
    owner_of,
    owners,
    reported_elsewhere,
)
from harness.marc.reader import ReadResult, records_of
from harness.marc.records import control_number
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
# Every change to a record's fields, indicators, subfields, order or leader data (defects.py's
# ROUND_TRIP_CHANGES), and TRUNCATE_NOTES, which also cuts MARC-04's long 505.
@pytest.mark.failed_by(defects.REORDER_FIELDS, defects.DROP_880, *defects.ROUND_TRIP_CHANGES)
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
    by_owner: dict[Owner, list[FieldDiff]] = {}
    for comparison in comparisons:
        owners(comparison.diffs, ownership, comparison.after, into=by_owner)
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
            expected=f"identical fields, indicators, subfields, order and leader data (ignoring declared system fields "
                     f"{sorted(marc_settings.system_fields)})",
        )
    if unreadable:
        cannot_judge(f"{len(unreadable)} exported record(s) cannot be read even past their faults "
                     f"({unreadable[0].unreadable})", STRUCTURE_CHECK)
    elsewhere = reported_elsewhere(by_owner, Owner.ROUND_TRIP)
    if elsewhere:
        cannot_judge("the records changed only in ways other checks own", elsewhere)


@pytest.mark.requirement("MARC-02")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.MARCXML_NORMALIZE_SPACE)
def test_marcxml_export_round_trip_unchanged(fixture_records: list[pymarc.Record], exported_records: list[ReadResult],
                                             xml_exported_records: list[ReadResult] | None, marc_settings: MarcSettings,
                                             ownership: Context, imported_catalogue: ImportReceipt) -> None:
    """Imported records come back unchanged in the MARCXML export as well

    nb: Importerte poster kommer uendret ut også i MARCXML-eksporten
    """
    if xml_exported_records is None:
        skip_undeclared("the profile names no MARCXML export ([marc] export_xml_file)")
    if not imported_catalogue.understood:
        cannot_judge("the import's receipt cannot be understood", Owner.ROUND_TRIP.value)
    ignore = marc_settings.system_fields
    in_iso = {control_number(r): r for r in _exported(exported_records)}
    iso_numbers = set(in_iso)
    pairs, missing, _ = match_records(fixture_records, records_of(xml_exported_records))
    lines: list[str] = []
    elsewhere: dict[str, int] = {}
    for before, after in pairs:
        diffs = diff_records(before, after, ignore_tags=ignore)
        if not diffs:
            continue
        number = control_number(before)
        iso_after = in_iso.get(number)
        # What the ISO 2709 export shows too was changed in the stored record: the round trip's.
        both = set(diff_records(before, iso_after, ignore_tags=ignore)) if iso_after is not None else set()
        for diff in diffs:
            owner = owner_of(diff, ownership, after)
            if owner is Owner.ROUND_TRIP and diff not in both:
                lines.append(f"001 {number}: {diff}")
            else:
                elsewhere[owner.value] = elsewhere.get(owner.value, 0) + 1
    if lines:
        raise Finding(
            f"{len({line.split(':')[0] for line in lines})} of {len(pairs)} records changed in the MARCXML export "
            "(the ISO 2709 export has them unchanged)",
            clause=f"{ROUND_TRIP_CLAUSE}; MARC 21 XML Schema (subfield text is data, whitespace included)",
            sent=f"{len(fixture_records)} records from fixtures/marc/consortium.mrc",
            received="\n".join(capped(lines, 40)),
            expected="the same fields, indicators, subfields and text as imported, in both exports",
        )
    for label in missing:
        check = FULL_EXPORT_CHECK if label in iso_numbers else Owner.ROUND_TRIP.value
        elsewhere[check] = elsewhere.get(check, 0) + 1
    if elsewhere:
        cannot_judge("the MARCXML export differs only in ways other checks own or lacks records",
                     ", ".join(f"{owner} ({n})" for owner, n in sorted(elsewhere.items())))


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
    return "letters lost: " + " ".join(f"{c} (U+{ord(c):04X})" for c in lost) if lost else "letters replaced"


@dataclass
class _Letters:
    """What one export did to the batch's non-ASCII text."""

    lines: list[str] = dataclass_field(default_factory=list)  # letters changed: this check's finding
    checked: int = 0
    unjudged: int = 0  # subfields gone, or changed in ways that are not about letters (spaces, order, ...)
    owners: set[str] = dataclass_field(default_factory=set)  # the checks that report those


def _letters(export: str, fixture_records: list[pymarc.Record], exported: list[pymarc.Record], context: Context,
             ignore: frozenset[str], iso: dict[str | None, pymarc.Record] | None = None) -> _Letters:
    """The letters check on one export; ``iso`` (for the MARCXML leg): the ISO 2709 export's
    records, so that a change both exports show is left to the ISO 2709 leg's owners."""
    found = _Letters()
    pairs, missing, _ = match_records(fixture_records, exported)
    if missing:
        found.unjudged += len(missing)
        found.owners.add(FULL_EXPORT_CHECK if iso is not None and any(m in iso for m in missing) else Owner.ROUND_TRIP.value)
    for before, after in pairs:
        after_values = dict(_text_values(after))
        unjudged = 0
        for where, value in _text_values(before):
            if value.isascii():
                continue
            got = after_values.get(where)
            if got is not None:
                found.checked += 1
            if got is not None and got.encode() == value.encode():
                continue
            if got is not None and (unicodedata.normalize("NFC", got) == unicodedata.normalize("NFC", value) or letters_only(value, got)):
                found.lines.append(f"{export}: 001 {before['001'].data}: {where} {value!r} -> {got!r}: {_describe_change(value, got)}")
            else:
                unjudged += 1  # gone, or changed in a way that is not about letters
        if unjudged:
            found.unjudged += unjudged
            found.owners |= _owners_of_changes(before, after, context, ignore, iso)
    return found


def _owners_of_changes(before: pymarc.Record, after: pymarc.Record, context: Context, ignore: frozenset[str],
                       iso: dict[str | None, pymarc.Record] | None) -> set[str]:
    iso_after = None if iso is None else iso.get(control_number(before))
    shown_in_iso = set(diff_records(before, iso_after, ignore_tags=ignore)) if iso_after is not None else set()
    names = set()
    for diff in diff_records(before, after, ignore_tags=ignore):
        owner = owner_of(diff, context, after)
        if owner is Owner.LETTERS or diff in shown_in_iso:
            continue  # this check's own, or the ISO 2709 leg names its owner
        names.add(MARCXML_ROUND_TRIP_CHECK if iso is not None and owner is Owner.ROUND_TRIP else owner.value)
    return names


@pytest.mark.requirement("SPR-01")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.EXPORT_LATIN1, defects.EXPORT_NFD, defects.IMPORT_NFC, defects.MARCXML_NFD)
def test_letters_survive_import_export_byte_exact(fixture_records: list[pymarc.Record], exported_records: list[ReadResult],
                                                  xml_exported_records: list[ReadResult] | None, ownership: Context,
                                                  marc_settings: MarcSettings) -> None:
    """Norwegian, Sámi and Kven letters survive import and export byte for byte, NFC and NFD

    nb: Norske, samiske og kvenske bokstaver overlever import og eksport byte for byte, NFC og NFD
    """
    ignore = marc_settings.system_fields
    in_iso = _exported(exported_records)
    legs = [_letters("ISO 2709", fixture_records, in_iso, ownership, ignore)]
    if xml_exported_records is not None:
        iso_by_number = {control_number(r): r for r in in_iso}
        legs.append(_letters("MARCXML", fixture_records, records_of(xml_exported_records), ownership, ignore, iso_by_number))
    lines = [line for leg in legs for line in leg.lines]
    if lines:
        raise Finding(
            f"{len(lines)} of {sum(leg.checked for leg in legs)} subfields with non-ASCII letters did not come back byte-exact",
            clause=UNICODE_CLAUSE,
            sent="fixtures/marc/consortium.mrc (Norwegian, North/Lule/South Sámi and Kven text; some records stored NFD)",
            received="\n".join(capped(lines, 40)),
            expected="the same UTF-8 bytes as imported, in the normalisation form they were imported in, in every export",
        )
    unjudged = sum(leg.unjudged for leg in legs)
    if unjudged:
        owners_ = sorted({name for leg in legs for name in leg.owners}) or [Owner.ROUND_TRIP.value]
        cannot_judge(f"{unjudged} subfield(s) or record(s) with non-ASCII letters are gone from an export or changed "
                     "in ways that are not about letters", ", ".join(owners_))


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
        if (tag == "880" or partner_tag == "880") and not any(t == wanted[0] and l.startswith(wanted[1]) for t, l in links):
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
