"""KAT-01 and SEC-01 on the MARC path: shared records carry every library's holdings, each
naming its owning library, a one-library export is that library's, and no patron data leaks.
"""

from __future__ import annotations

import html
import unicodedata
from typing import Any

import pymarc
import pytest

from harness.findings import Finding, cannot_judge, not_tested, skip_undeclared
from harness.marc import defects
from harness.marc.channel import ExportFile
from harness.marc.diff import format_field
from harness.marc.evidence import capped
from harness.marc.ownership import Owner
from harness.marc.reader import ReadResult, read_records
from harness.marc.records import control_number
from harness.profile import Profile

HOLDINGS_CLAUSE = "MARC 21 Format for Holdings Data, 852 Location: $a Location (the institution, by its library number or ISIL, ISO 15511)"
PRIVACY_CLAUSE = "GDPR art. 5(1)(c) data minimisation; the consortium's rule: catalogue exports carry no patron data"


def _records(results: list[ReadResult]) -> list[pymarc.Record]:
    return [r.record for r in results if r.record is not None]


def _owning_libraries(record: pymarc.Record, tag: str, code: str) -> list[str]:
    return [v for f in record.get_fields(tag) for v in f.get_subfields(code)]


@pytest.mark.requirement("KAT-01")
@pytest.mark.failed_by(defects.HOLDINGS_WITHOUT_LIBRARY)
def test_every_holding_names_its_owning_library(exported_records, iso_export: ExportFile, libraries, marc_settings) -> None:  # type: ignore[no-untyped-def]
    """Every exported holding names its owning library by a member's library number

    nb: Hver eksportert beholdning oppgir eierbiblioteket med et medlems biblioteknummer
    """
    known = {lib.number for lib in libraries} | {lib.isil for lib in libraries if lib.isil}
    tag, code = marc_settings.holdings_tag, marc_settings.holdings_library_subfield
    lines = []
    for record in _records(exported_records):
        for holding in record.get_fields(tag):
            owners = holding.get_subfields(code)
            if len(owners) != 1 or owners[0] not in known:
                lines.append(f"001 {control_number(record)}: {format_field(holding)}")
    if lines:
        raise Finding(
            f"{len(lines)} holding(s) do not name a member library in {tag} ${code}",
            clause=HOLDINGS_CLAUSE, sent=iso_export.source, received="\n".join(capped(lines)),
            expected=f"exactly one {tag} ${code} with one of: {', '.join(sorted(known))}",
        )


@pytest.mark.requirement("KAT-01")
@pytest.mark.failed_by(defects.FIRST_HOLDING_ONLY, defects.SPLIT_PER_LIBRARY)
def test_shared_record_keeps_holdings_of_every_library(fixture_records, exported_records, libraries, marc_settings) -> None:  # type: ignore[no-untyped-def]
    """One exported record carries the holdings of every library that holds it, shared ones included

    nb: Én eksportert post har beholdningen til hvert bibliotek som eier den, også delte poster

    Every library that held a record of the batch must still hold it in the export, on that
    one record (not on a copy per library); records held by public, school and bookbus
    libraries are among them. A lost second copy of a library that keeps another is a
    changed record, not a lost holding (harness/marc/ownership.py): the round trip reports it.
    """
    kinds = {lib.number: lib.kind for lib in libraries}
    tag, code = marc_settings.holdings_tag, marc_settings.holdings_library_subfield
    exported: dict[str | None, list[pymarc.Record]] = {}
    for record in _records(exported_records):
        exported.setdefault(control_number(record), []).append(record)
    shared = [r for r in fixture_records if {kinds.get(o) for o in _owning_libraries(r, tag, code)} >= {"public", "school", "bookbus"}]
    if not shared:
        not_tested("the profile's [[library]] list does not name public, school and bookbus libraries that "
                   "hold a record of the fixture batch (fixtures/marc/libraries.toml lists them)")
    lines = []
    unattributed = judged = split = 0
    for record in fixture_records:
        before = set(_owning_libraries(record, tag, code))
        copies = exported.get(control_number(record), [])
        if not before or not copies:
            continue  # a record missing from the export is the round trip's to report
        judged += 1
        if len(copies) > 1:
            split += 1
            held = [sorted(_owning_libraries(c, tag, code)) for c in copies]
            lines.append(f"001 {control_number(record)} ({'shared, ' if record in shared else ''}held by {sorted(before)}): "
                         f"exported as {len(copies)} records, holdings {held}")
            continue
        holdings = copies[0].get_fields(tag)
        after = set(_owning_libraries(copies[0], tag, code))
        if before - after and any(not h.get_subfields(code) for h in holdings):
            unattributed += 1  # a holding that names no library may be the lost one: another check's fault
            continue
        if before - after:
            kind = "shared by public, school and bookbus libraries" if record in shared else "held by"
            lines.append(f"001 {control_number(record)} ({kind} {sorted(before)}): "
                         f"exported without the holdings of {sorted(before - after)}")
    if not judged:
        not_tested("no record of the fixture batch is in the export (it was not imported, or a read-only run)")
    if unattributed and not lines:
        cannot_judge(f"{unattributed} record(s) lack holdings of a library, but some of their holdings name no library in {tag} ${code}",
                     Owner.HOLDING_LIBRARY.value)
    if lines:
        raise Finding(
            f"{len(lines) - split} of {judged} records lost the holdings of a member library and {split} were split into "
            f"one record per library ({len(shared)} records of the batch are shared by public, school and bookbus libraries)",
            clause=HOLDINGS_CLAUSE, sent="fixtures/marc/consortium.mrc", received="\n".join(capped(lines)),
            expected="one bibliographic record with every member's holding",
        )


@pytest.mark.requirement("KAT-01")
@pytest.mark.failed_by(defects.LIBRARY_FILTER_IGNORED)
def test_library_export_holds_only_that_library(marc_channel: Any, imported_catalogue, libraries, marc_settings) -> None:  # type: ignore[no-untyped-def]
    """A one-library export has that library's records and holdings only

    nb: Eksport for ett bibliotek har bare det bibliotekets poster og beholdning
    """
    if not hasattr(marc_channel, "base_url"):
        skip_undeclared("the target offers no per-library export (a file channel has the whole catalogue only)")
    tag, code = marc_settings.holdings_tag, marc_settings.holdings_library_subfield
    school = next((lib for lib in libraries if lib.kind == "school"), libraries[0])
    export = marc_channel.export("iso2709", library=school.number)
    lines = []
    records = _records(list(read_records(export.data)))
    unattributed = 0
    for record in records:
        holdings = record.get_fields(tag)
        if any(not h.get_subfields(code) for h in holdings):
            unattributed += 1  # a holding that names no library is another check's fault
            continue
        foreign = [o for o in _owning_libraries(record, tag, code) if o != school.number]
        if foreign or not holdings:
            lines.append(f"001 {control_number(record)}: holdings of {foreign or 'no library'}")
    if unattributed and not lines:
        cannot_judge(f"{unattributed} of {len(records)} exported record(s) have holdings that name no library in {tag} ${code}",
                     Owner.HOLDING_LIBRARY.value)
    if lines or not records:
        raise Finding(
            f"the export for {school.number} ({school.name}) " + ("is empty" if not records else f"has {len(lines)} record(s) with other libraries' holdings"),
            clause=HOLDINGS_CLAUSE, sent=export.source, received="\n".join(capped(lines)),
            expected=f"only records held by {school.number}, with only its {tag}",
        )


def _folded(text: str) -> str:
    """Text as a reader would search it: one normalisation form, one case, character references resolved."""
    return unicodedata.normalize("NFC", html.unescape(text)).casefold()


def _patron_exports(request: pytest.FixtureRequest, marc_channel: Any, iso_export: ExportFile,
                    xml_exported_records: Any, libraries: Any) -> list[ExportFile]:
    """Every export a consumer can fetch: the full ones, and each library's own over HTTP."""
    exports = [iso_export]
    if xml_exported_records is not None:
        exports.append(request.getfixturevalue("xml_export"))
    if hasattr(marc_channel, "base_url"):
        exports.extend(marc_channel.export("iso2709", library=lib.number) for lib in libraries)
    return exports


@pytest.mark.requirement("SEC-01")
@pytest.mark.failed_by(defects.EXPORT_BORROWER, defects.LIBRARY_EXPORT_BORROWER)
def test_export_carries_no_patron_data(request: pytest.FixtureRequest, marc_channel: Any, iso_export: ExportFile,
                                       xml_exported_records: Any, libraries: Any, target: Profile) -> None:
    """Catalogue exports, whole or one library's, carry no patron names or barcodes

    nb: Katalogeksporter, hele eller ett biblioteks, inneholder ingen lånernavn eller lånekortnumre

    Names are looked for in any normalisation form and case, with XML character references
    resolved: a name decomposed or written as &#225; is still the patron's.
    """
    patrons = [(p.name, p.barcode) for p in target.patrons]
    if not patrons:
        not_tested("the profile lists no [[patron]] test data to look for")
    exports = _patron_exports(request, marc_channel, iso_export, xml_exported_records, libraries)
    lines = []
    for export in exports:
        text = _folded(export.data.decode("utf-8", errors="replace"))
        for value in (v for pair in patrons for v in pair if v):
            at = text.find(_folded(value))
            if at >= 0:
                lines.append(f"{export.source}: {value!r} in …{text[max(0, at - 60):at + 60]!r}…")
    if lines:
        raise Finding(
            f"{len(lines)} occurrence(s) of test patrons' data in the catalogue exports",
            clause=PRIVACY_CLAUSE, sent=f"GET {len(exports)} exports (ISO 2709 and MARCXML of the whole catalogue, "
                                        "ISO 2709 of each library)",
            received="\n".join(capped(lines)),
            expected="no patron names or barcodes in any export",
        )
