"""OAI-02, KAT-01, SEC-01 and SPR-01 on the OAI-PMH path: the harvested records themselves.

The catalogue is harvested once in the MARC format (found by namespace) and, with a [marc]
section, compared with the target's MARC export fetched right after: field by field with the
MARC suite's diff (harness.marc.diff), each difference owned by the check that judges it
(harness.marc.ownership: letters, holdings, patron data, or the records' equality).
"""

from __future__ import annotations

import unicodedata

import pymarc
import pytest

from harness.findings import Finding, cannot_judge, not_tested
from harness.marc.diff import diff_records
from harness.marc.ownership import Context, Owner, owner_of
from harness.marc.records import control_number
from harness.marc.unit import MARC
from harness.oaipmh import defects
from harness.oaipmh.fixtures import OaiTarget
from harness.oaipmh.harvested import Harvested
from harness.oaipmh.judging import (
    MarcExport,
    by_control_number,
    capped,
    fail,
    fail_on,
    faults,
    marc_records,
    pages_of,
    payload_faults,
)
from harness.oaipmh.model import MARC_NS
from harness.oaipmh.ownership import Check
from harness.oaipmh.rules import SPEC
from harness.profile import Library, Profile

MARC_FORMAT_CLAUSE = f"{SPEC} §4.4 ListMetadataFormats; §3.4 metadataPrefix and Metadata Schema"
EQUALS_CLAUSE = ("MARC 21 Specifications for Record Structure (fields, indicators, subfields and their order are data); "
                 "the consortium's requirement OAI-02: the marc21 records equal the MARC export")
HOLDINGS_CLAUSE = ("MARC 21 Format for Holdings Data, 852 Location: $a Location (the institution, by library number or "
                   "ISIL, ISO 15511)")
PRIVACY_CLAUSE = "GDPR art. 5(1)(c) data minimisation; the consortium's rule: harvested records carry no patron data"
UNICODE_CLAUSE = "MARC 21 Specifications, Character Sets: Unicode Encoding Environment (UTF-8 data is exchanged as is)"
# MARC differences (harness.marc.ownership) -> the OAI-PMH check that reports them
_OWNERS = {Owner.ROUND_TRIP: Check.EQUALS_EXPORT, Owner.LETTERS: Check.LETTERS, Owner.HOLDING_LIBRARY: Check.HOLDINGS,
           Owner.HOLDINGS_KEPT: Check.HOLDINGS, Owner.PRIVACY: Check.PRIVACY}


def _harvested_marc(oai_target: OaiTarget, catalogue: Harvested, check: Check) -> tuple[dict[str, pymarc.Record], set[str]]:
    """(identifier -> record of the harvested MARC payloads, the 001s of those left out because
    the marc21 check finds their payload broken and reports them)."""
    marc = oai_target.found.require_marc_prefix(check)
    catalogue.require(check)
    broken = payload_faults(catalogue, Check.MARC21, marc)
    records = marc_records(catalogue)
    kept = {i: r for i, r in records.items() if i not in broken}
    return kept, {control_number(r) or i for i, r in records.items() if i in broken}


def _read_past(skipped: set[str], elsewhere: set[Check] | None = None) -> None:
    """Nothing failed: say whether everything could be judged, naming who reports the rest."""
    owners = set(elsewhere or ()) | ({Check.MARC21} if skipped else set())
    if owners:
        cannot_judge(f"{len(skipped)} record(s) with broken payloads were read past" if skipped
                     else "the records differ only in ways other checks own", ", ".join(sorted(c.value for c in owners)))


def _export(marc_export: MarcExport) -> MarcExport:
    if marc_export.unavailable:
        not_tested(marc_export.unavailable)
    return marc_export


def _context(oai_target: OaiTarget, target: Profile) -> Context:
    strings = frozenset(s for p in target.patrons for s in (p.name, p.barcode) if s)
    return Context(oai_target.settings.holdings_tag, oai_target.settings.holdings_library_subfield, strings)


def _system_fields(target: Profile) -> frozenset[str]:
    settings = target.settings_for(MARC)
    return settings.system_fields if settings is not None else frozenset()


@pytest.mark.requirement("OAI-02")
@pytest.mark.failed_by(defects.MARC_HASH_INDICATORS)
def test_marc21_is_offered_and_valid(oai_target: OaiTarget, catalogue: Harvested) -> None:
    """A format in the MARC 21 slim namespace is offered, and its records are valid MARCXML

    nb: Et format i MARC 21 slim-navnerommet tilbys, og postene er gyldig MARCXML
    """
    found = oai_target.found
    prefix = found.require_marc_prefix(Check.MARC21)
    if not prefix:
        fail("ListMetadataFormats offers no MARC 21 format", clause=MARC_FORMAT_CLAUSE, pages=[found.formats],
             expected=f"a metadataFormat with metadataNamespace {MARC_NS} (marc21, marcxml or another prefix)",
             details=[f"offered: {', '.join(f'{f.prefix} ({f.namespace})' for f in found.metadata_formats) or 'nothing'}"])
    catalogue.require(Check.MARC21)
    seen = pages_of(catalogue)
    fail_on(faults(seen, Check.MARC21, prefix), len(seen), f"carry {prefix} records that are not valid MARCXML",
            f"every live record's payload a MARC 21 slim record in {MARC_NS}, valid against MARC21slim.xsd")


@pytest.mark.requirement("OAI-02")
@pytest.mark.failed_by(defects.MARC_FIELDS_SORTED)
def test_marc21_records_equal_the_marc_export(oai_target: OaiTarget, catalogue: Harvested, marc_export: MarcExport,
                                             target: Profile) -> None:
    """The harvested MARC records equal the MARC export, field by field

    nb: De høstede MARC-postene er like MARC-eksporten, felt for felt
    """
    export = _export(marc_export)
    kept, skipped = _harvested_marc(oai_target, catalogue, Check.EQUALS_EXPORT)
    harvested = by_control_number(kept)
    context, ignore = _context(oai_target, target), _system_fields(target)
    lines, elsewhere, compared = [], set[Check](), 0
    missing = sorted(n for n in export.records if n not in harvested and n not in skipped)
    for number, exported in export.records.items():
        if number not in harvested:
            continue
        compared += 1
        identifier, record = harvested[number]
        for diff in diff_records(exported, record, ignore):
            owner = _OWNERS[owner_of(diff, context)]
            if owner is Check.EQUALS_EXPORT:
                lines.append(f"{identifier} (001 {number}): {diff}")
            else:
                elsewhere.add(owner)
    if lines or missing:
        raise Finding(
            f"{len({line.split(' ', 1)[0] for line in lines})} of {compared} harvested records differ from the MARC export"
            + (f"; {len(missing)} exported records are not in the harvest" if missing else ""),
            clause=EQUALS_CLAUSE, exchanges=catalogue.exchanges(), sent=f"the MARC export {export.source}",
            details=capped(lines + [f"001 {n}: in the MARC export, not in the harvest" for n in missing]),
            expected=f"every exported record harvested with the same fields in the same order (system fields {sorted(ignore)} aside)",
        )
    if not compared and not skipped:
        not_tested("no harvested record has a 001 that is in the MARC export")
    _read_past(skipped, elsewhere)


@pytest.mark.requirement("KAT-01")
@pytest.mark.failed_by(defects.HOLDINGS_WITHOUT_LIBRARY, defects.FIRST_HOLDING_ONLY)
def test_harvested_holdings_name_every_owning_library(oai_target: OaiTarget, catalogue: Harvested, marc_export: MarcExport,
                                                      libraries: tuple[Library, ...]) -> None:
    """Every harvested holding names its owning library, and shared records keep every library's holding

    nb: Hver høstet beholdning oppgir eierbiblioteket, og delte poster beholder alle bibliotekenes beholdning
    """
    records, skipped = _harvested_marc(oai_target, catalogue, Check.HOLDINGS)
    tag, code = oai_target.settings.holdings_tag, oai_target.settings.holdings_library_subfield
    known = {lib.number for lib in libraries} | {lib.isil for lib in libraries if lib.isil}
    lines = []
    for identifier, record in records.items():
        for holding in record.get_fields(tag):
            owners = holding.get_subfields(code)
            if len(owners) != 1 or owners[0] not in known:
                lines.append(f"{identifier}: {tag} ${code} is {owners or 'missing'} in {holding}")
    if not marc_export.unavailable:
        harvested = by_control_number(records)
        for number, exported in marc_export.records.items():
            if number in harvested:
                identifier, record = harvested[number]
                before, after = _owners(exported, tag, code), _owners(record, tag, code)
                if before != after:
                    lines.append(f"{identifier} (001 {number}): the export's holdings are of {before}, the harvest's of {after}")
    if lines:
        fail(f"{len(lines)} harvested holdings do not name their owning library, or are missing", clause=HOLDINGS_CLAUSE,
             pages=catalogue.pages[:2], details=lines,
             expected=f"every {tag} with one ${code} naming a member library, and every library's holding of a shared record")
    _read_past(skipped)


def _owners(record: pymarc.Record, tag: str, code: str) -> list[str]:
    return sorted(value for field in record.get_fields(tag) for value in field.get_subfields(code))


@pytest.mark.requirement("SEC-01")
@pytest.mark.failed_by(defects.BORROWER_IN_HOLDINGS)
def test_harvested_records_carry_no_patron_data(catalogue: Harvested, dc_catalogue: Harvested, target: Profile) -> None:
    """Harvested records (MARC and oai_dc) carry no patron names or barcodes

    nb: Høstede poster (MARC og oai_dc) inneholder ingen lånernavn eller lånekortnumre
    """
    patrons = [value for p in target.patrons for value in (p.name, p.barcode) if value and len(value) >= 3]
    if not patrons:
        not_tested("the profile lists no [[patron]] test data to look for")
    lines = []
    for harvested in {id(catalogue): catalogue, id(dc_catalogue): dc_catalogue}.values():
        for identifier, payload in harvested.payloads.items():
            text = payload.decode("utf-8", "replace")
            for value in patrons:
                if value in text:
                    at = text.index(value)
                    lines.append(f"{harvested.prefix} {identifier}: {value!r} in …{text[max(0, at - 60):at + 60]!r}…")
    if lines:
        fail(f"{len(lines)} occurrence(s) of test patrons' data in harvested records", clause=PRIVACY_CLAUSE,
             pages=catalogue.pages[:2], details=lines, expected="no patron name or barcode in any harvested record")
    catalogue.require(Check.PRIVACY)  # nothing found: say so only of a catalogue harvested whole
    dc_catalogue.require(Check.PRIVACY)


@pytest.mark.requirement("SPR-01")
@pytest.mark.failed_by(defects.NFD_PAYLOADS)
def test_letters_survive_the_harvest_byte_exact(oai_target: OaiTarget, catalogue: Harvested, marc_export: MarcExport) -> None:
    """Norwegian, Sámi and Kven letters reach the harvester byte for byte as the catalogue holds them

    nb: Norske, samiske og kvenske bokstaver når høsteren byte for byte slik katalogen har dem
    """
    export = _export(marc_export)
    kept, skipped = _harvested_marc(oai_target, catalogue, Check.LETTERS)
    harvested = by_control_number(kept)
    lines, checked = [], 0
    for number, exported in export.records.items():
        if number not in harvested:
            continue
        identifier, record = harvested[number]
        after = dict(_values(record))
        for where, value in _values(exported):
            if value.isascii() or where not in after:
                continue  # a field missing from the harvest is the equality check's to report
            checked += 1
            if after[where] != value:
                lines.append(f"{identifier} {where}: {value!r} -> {after[where]!r}: {_change(value, after[where])}")
    if lines:
        fail(f"{len(lines)} of {checked} values with non-ASCII letters did not arrive byte-exact", clause=UNICODE_CLAUSE,
             pages=catalogue.pages[:2], details=lines,
             expected="every value exactly as the MARC export gives it, in the same Unicode normalisation form")
    if not checked and not skipped:
        not_tested("no harvested record shares a value with non-ASCII letters with the MARC export")
    _read_past(skipped)


def _values(record: pymarc.Record) -> list[tuple[str, str]]:
    """(position, value) of every subfield: '245#1 $a#1', so repeated fields pair one to one."""
    values, seen = [], dict[str, int]()
    for field in record.fields:
        if field.is_control_field():
            continue
        seen[field.tag] = occurrence = seen.get(field.tag, 0) + 1
        codes: dict[str, int] = {}
        for sub in field.subfields:
            codes[sub.code] = codes.get(sub.code, 0) + 1
            values.append((f"{field.tag}#{occurrence} ${sub.code}#{codes[sub.code]}", sub.value))
    return values


def _change(before: str, after: str) -> str:
    if unicodedata.normalize("NFC", before) == unicodedata.normalize("NFC", after):
        form = "NFD" if unicodedata.is_normalized("NFD", after) else "NFC" if unicodedata.is_normalized("NFC", after) else "mixed"
        return f"same text, different bytes: the harvest is in {form}"
    lost = sorted(set(before) - set(after))
    return "letters lost: " + " ".join(f"{c} (U+{ord(c):04X})" for c in lost) if lost else "text changed"
