"""The sandbox's MARC import and export, with the MARC defects of the catalogue.

Import rules (what a good system does, and what MARC-03 asks):
- same 001 as a stored record: the incoming record replaces it; stored holdings (852) that
  the incoming record lacks are kept.
- no 001 match but the same 035 (NO-OsBA) number: the stored record is *upgraded in
  place* (it keeps its 001 and its local holdings), as the National Library asks of
  pre-publication (leader/17 = 5) and changed (leader/05 = c) records.
- otherwise a new record; 005 is set on every import (a declared system field).

Defects are applied at the one place where the real systems showed them: on import (NFC,
880, truncation, 035 matching) or on export (encoding, lengths, order, holdings).
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import pymarc

from harness.marc.reader import read_records
from harness.marc.writer import (
    MAX_FIELD_LENGTH,
    RecordTooLong,
    collection_to_marcxml,
    encode_iso2709,
)
from harness.marc.records import control_number, osba_number
from harness.sandbox.state import Consortium

@dataclass(slots=True)
class ImportReceipt:
    library: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"library": self.library, "created": self.created, "updated": self.updated, "rejected": self.rejected}


@dataclass(slots=True)
class Export:
    body: bytes
    omitted: list[str]  # records refused in ISO 2709 (too long), with the reason


def _map_text(record: pymarc.Record, transform) -> None:  # type: ignore[no-untyped-def]
    for f in record.fields:
        if f.is_control_field():
            f.data = transform(f.data or "")
        else:
            f.subfields = [pymarc.Subfield(s.code, transform(s.value)) for s in f.subfields]


def _apply_import_defects(record: pymarc.Record, defects: frozenset[str]) -> None:
    if "marc-import-nfc" in defects:
        _map_text(record, lambda text: unicodedata.normalize("NFC", text))
    if "marc-drop-880" in defects:
        record.remove_fields("880")
    if "marc-truncate-long-fields" in defects:
        for f in record.fields:
            if not f.is_control_field():
                f.subfields = [pymarc.Subfield(s.code, _truncate_utf8(s.value, MAX_FIELD_LENGTH - 10)) for s in f.subfields]


def _truncate_utf8(text: str, limit: int) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def _stamp_005(record: pymarc.Record) -> None:
    stamp = time.strftime("%Y%m%d%H%M%S.0", time.gmtime())
    existing = record.get_fields("005")
    if existing:
        existing[0].data = stamp
    else:
        record.add_ordered_field(pymarc.Field(tag="005", data=stamp))


def _find_by_osba(consortium: Consortium, number: str) -> str | None:
    return next((cn for cn, r in consortium.records.items() if osba_number(r) == number), None)


def _keep_holdings(stored: pymarc.Record, incoming: pymarc.Record) -> None:
    present = {str(f) for f in incoming.get_fields("852")}
    for holding in stored.get_fields("852"):
        if str(holding) not in present:
            incoming.add_field(holding)


def store_record(consortium: Consortium, record: pymarc.Record, defects: frozenset[str], receipt: ImportReceipt) -> None:
    _apply_import_defects(record, defects)
    number = control_number(record)
    with consortium.lock:
        stored_id = number if number in consortium.records else None
        osba = osba_number(record)
        if stored_id is None and osba and "marc-ignore-035-match" not in defects:
            stored_id = _find_by_osba(consortium, osba)
        if stored_id is None:
            if not number or number in consortium.records:
                number = consortium.new_control_number()
                _set_001(record, number)
            _stamp_005(record)
            consortium.records[number] = record
            receipt.created.append(number)
            return
        if "marc-upgrade-drops-holdings" not in defects:
            _keep_holdings(consortium.records[stored_id], record)
        _set_001(record, stored_id)
        _stamp_005(record)
        consortium.records[stored_id] = record
        receipt.updated.append(stored_id)


def _set_001(record: pymarc.Record, number: str) -> None:
    existing = record.get_fields("001")
    if existing:
        existing[0].data = number
    else:
        record.add_ordered_field(pymarc.Field(tag="001", data=number))


def import_batch(consortium: Consortium, data: bytes, library: str, defects: frozenset[str]) -> ImportReceipt:
    receipt = ImportReceipt(library=library)
    for result in read_records(data):
        if result.record is None:
            receipt.rejected.append(f"record {result.index + 1} at {result.offset}: {result.error}")
            continue
        store_record(consortium, result.record, defects, receipt)
    return receipt


# --- export -------------------------------------------------------------------------------


def _holdings_for(record: pymarc.Record, library: str | None) -> list[pymarc.Field]:
    holdings = record.get_fields("852")
    if library is None:
        return holdings
    return [h for h in holdings if library in h.get_subfields("a")]


def _export_view(consortium: Consortium, record: pymarc.Record, library: str | None, defects: frozenset[str]) -> pymarc.Record:
    """A copy of the record as this export shows it: holdings filtered, export defects applied."""
    view = pymarc.Record(leader=str(record.leader), force_utf8=True)
    view.fields = []
    keep = {id(h) for h in _holdings_for(record, None if "marc-library-filter-ignored" in defects else library)}
    for f in record.fields:
        if f.tag == "852" and id(f) not in keep:
            continue
        view.fields.append(_copy_field(f))
    _apply_export_defects(consortium, view, defects)
    return view


def _copy_field(f: pymarc.Field) -> pymarc.Field:
    if f.is_control_field():
        return pymarc.Field(tag=f.tag, data=f.data)
    return pymarc.Field(tag=f.tag, indicators=pymarc.Indicators(*f.indicators), subfields=list(f.subfields))


def _apply_export_defects(consortium: Consortium, view: pymarc.Record, defects: frozenset[str]) -> None:
    holdings = view.get_fields("852")
    if "marc-first-holding-only" in defects:
        for extra in holdings[1:]:
            view.remove_field(extra)
        holdings = holdings[:1]
    if "marc-holdings-without-library" in defects:
        for h in holdings:
            h.subfields = [s for s in h.subfields if s.code != "a"]
    if "marc-export-borrower" in defects:
        for h in holdings:
            for barcode in h.get_subfields("p"):
                borrower = consortium.patrons.get(consortium.loans.get(barcode, ""))
                if borrower:
                    h.add_subfield("z", f"Utlånt til {borrower.name} ({borrower.barcode})")
    if "marc-export-nfd" in defects:
        _map_text(view, lambda text: unicodedata.normalize("NFD", text))
    if "marc-reorder-fields" in defects:
        view.fields.sort(key=lambda f: f.tag)


def selected_records(consortium: Consortium, library: str | None, defects: frozenset[str]) -> list[pymarc.Record]:
    with consortium.lock:
        records = list(consortium.records.values())
        if library is not None and "marc-library-filter-ignored" not in defects:
            records = [r for r in records if _holdings_for(r, library)]
        return [_export_view(consortium, r, library, defects) for r in records]


def _encode_with_character_lengths(record: pymarc.Record) -> bytes:
    """The 'lengths in characters' defect: right bytes, lengths counted as if 1 char = 1 byte."""
    good = encode_iso2709(record)
    base = int(good[12:17])
    directory = good[24 : base - 1]
    entries, start = [], 0
    for i in range(0, len(directory), 12):
        length, offset = int(directory[i + 3 : i + 7]), int(directory[i + 7 : i + 12])
        chars = len(good[base + offset : base + offset + length].decode("utf-8"))
        entries.append(directory[i : i + 3] + b"%04d%05d" % (chars, start))
        start += chars
    total = base + start + 1
    return b"%05d" % total + good[5:24] + b"".join(entries) + good[base - 1 :]


def _encode_one(record: pymarc.Record, defects: frozenset[str]) -> bytes:
    if "marc-length-in-characters" in defects:
        return _encode_with_character_lengths(record)
    if "marc-leader09-blank" in defects:
        return encode_iso2709(record, leader09=" ")
    if "marc-export-latin1" in defects:
        return encode_iso2709(record, encoding="latin-1")
    return encode_iso2709(record)


def export_iso2709(records: Iterable[pymarc.Record], defects: frozenset[str]) -> Export:
    chunks: list[bytes] = []
    omitted: list[str] = []
    for record in records:
        try:
            chunks.append(_encode_one(record, defects))
        except RecordTooLong as exc:
            if "marc-oversize-corrupt" in defects:
                chunks.append(record.as_marc())  # pymarc's own overflow (edsu/pymarc#42)
            else:
                omitted.append(str(exc))
    return Export(b"".join(chunks), omitted)


def export_marcxml(records: Iterable[pymarc.Record], defects: frozenset[str]) -> Export:
    namespace = None if "marc-marcxml-no-namespace" in defects else "http://www.loc.gov/MARC21/slim"
    return Export(collection_to_marcxml(records, namespace=namespace), [])
