"""The sandbox's MARC service: import and export over HTTP, with the MARC defects.

    GET    /marc/export?format=iso2709|marcxml[&library=NO-99...]
    POST   /marc/import?library=NO-99...       body: ISO 2709 or MARCXML; JSON receipt
    DELETE /marc/record/{001}                  remove a record (scenarios clean up after themselves)

An ISO 2709 export names the records it refused (too long for ISO 2709, MARC-04) in the
``X-Omitted-Records`` header; they are in the MARCXML export.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import quote

import pymarc

from harness.marc.reader import read_records
from harness.paths import MARC_FIXTURES_DIR
from harness.marc.writer import (
    MAX_FIELD_LENGTH,
    RecordTooLong,
    collection_to_marcxml,
    encode_iso2709,
)
from harness.marc import defects as d
from harness.marc.records import control_number, osba_number
from harness.marc.settings import MarcSettings
from harness.defects import DefectSet
from harness.sandbox.http import Request, Response, json_response
from harness.sandbox.state import Consortium

if TYPE_CHECKING:
    from harness.profile import Profile
    from harness.units import SandboxContext

# The catalogue, plus the records ISO 2709 cannot hold (MARC-04): a real catalogue has them.
CATALOGUE_FILES = (MARC_FIXTURES_DIR / "consortium.mrc", MARC_FIXTURES_DIR / "oversize.xml")

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


def _map_text(record: pymarc.Record, transform: Callable[[str], str]) -> None:
    for f in record.fields:
        if f.is_control_field():
            f.data = transform(f.data or "")
        else:
            f.subfields = [pymarc.Subfield(s.code, transform(s.value)) for s in f.subfields]


def _apply_import_defects(record: pymarc.Record, defects: DefectSet) -> None:
    if defects.active(d.IMPORT_NFC):
        _map_text(record, lambda text: unicodedata.normalize("NFC", text))
    if defects.active(d.DROP_880):
        record.remove_fields("880")
    if defects.active(d.TRUNCATE_LONG_FIELDS):
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


def store_record(consortium: Consortium, record: pymarc.Record, defects: DefectSet, receipt: ImportReceipt) -> None:
    _apply_import_defects(record, defects)
    number = control_number(record)
    with consortium.lock:
        stored_id = number if number in consortium.records else None
        osba = osba_number(record)
        if stored_id is None and osba and not defects.active(d.IGNORE_035_MATCH):
            stored_id = _find_by_osba(consortium, osba)
        if stored_id is None:
            if not number or number in consortium.records:
                number = consortium.new_control_number()
                _set_001(record, number)
            _stamp_005(record)
            consortium.records[number] = record
            consortium.stamp(number)  # the OAI-PMH datestamp moves with every import (state.py)
            receipt.created.append(number)
            return
        if not defects.active(d.UPGRADE_DROPS_HOLDINGS):
            _keep_holdings(consortium.records[stored_id], record)
        _set_001(record, stored_id)
        _stamp_005(record)
        consortium.records[stored_id] = record
        consortium.stamp(stored_id)
        receipt.updated.append(stored_id)


def _set_001(record: pymarc.Record, number: str) -> None:
    existing = record.get_fields("001")
    if existing:
        existing[0].data = number
    else:
        record.add_ordered_field(pymarc.Field(tag="001", data=number))


def import_batch(consortium: Consortium, data: bytes, library: str, defects: DefectSet) -> ImportReceipt:
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


def _export_view(consortium: Consortium, record: pymarc.Record, library: str | None, defects: DefectSet) -> pymarc.Record:
    """A copy of the record as this export shows it: holdings filtered, export defects applied."""
    view = pymarc.Record(leader=str(record.leader), force_utf8=True)
    view.fields = []
    keep = {id(h) for h in _holdings_for(record, None if defects.active(d.LIBRARY_FILTER_IGNORED) else library)}
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


def _apply_export_defects(consortium: Consortium, view: pymarc.Record, defects: DefectSet) -> None:
    holdings = view.get_fields("852")
    if defects.active(d.FIRST_HOLDING_ONLY):
        for extra in holdings[1:]:
            view.remove_field(extra)
        holdings = holdings[:1]
    if defects.active(d.HOLDINGS_WITHOUT_LIBRARY):
        for h in holdings:
            h.subfields = [s for s in h.subfields if s.code != "a"]
    if defects.active(d.EXPORT_BORROWER):
        for h in holdings:
            for barcode in h.get_subfields("p"):
                borrower = consortium.patrons.get(consortium.loans.get(barcode, ""))
                if borrower:
                    h.add_subfield("z", f"Utlånt til {borrower.name} ({borrower.barcode})")
    if defects.active(d.EXPORT_NFD):
        _map_text(view, lambda text: unicodedata.normalize("NFD", text))
    if defects.active(d.REORDER_FIELDS):
        view.fields.sort(key=lambda f: f.tag)


def selected_records(consortium: Consortium, library: str | None, defects: DefectSet) -> list[pymarc.Record]:
    with consortium.lock:
        records = list(consortium.records.values())
        if library is not None and not defects.active(d.LIBRARY_FILTER_IGNORED):
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


def _encode_one(record: pymarc.Record, defects: DefectSet) -> bytes:
    if defects.active(d.LENGTH_IN_CHARACTERS):
        return _encode_with_character_lengths(record)
    if defects.active(d.LEADER09_BLANK):
        return encode_iso2709(record, leader09=" ")
    if defects.active(d.EXPORT_LATIN1):
        return encode_iso2709(record, encoding="latin-1")
    return encode_iso2709(record)


def export_iso2709(records: Iterable[pymarc.Record], defects: DefectSet) -> Export:
    chunks: list[bytes] = []
    omitted: list[str] = []
    for record in records:
        try:
            chunks.append(_encode_one(record, defects))
        except RecordTooLong as exc:
            if defects.active(d.OVERSIZE_CORRUPT):
                chunks.append(record.as_marc())  # pymarc's own overflow (edsu/pymarc#42)
            else:
                omitted.append(str(exc))
    return Export(b"".join(chunks), omitted)


def export_marcxml(records: Iterable[pymarc.Record], defects: DefectSet) -> Export:
    namespace = None if defects.active(d.MARCXML_NO_NAMESPACE) else "http://www.loc.gov/MARC21/slim"
    return Export(collection_to_marcxml(records, namespace=namespace), [])


# --- the HTTP endpoints and the service ------------------------------------------------------


class MarcService:
    """The MARC channel of the sandbox: loads the catalogue, serves import and export."""

    def __init__(self) -> None:
        self.consortium: Consortium | None = None
        self.defects = DefectSet()
        self.base_url = ""

    def load(self, consortium: Consortium, defects: DefectSet) -> None:
        """The initial load goes through the import path, so import defects shape it too."""
        self.consortium, self.defects = consortium, defects
        first_library = next(iter(consortium.libraries))
        for path in CATALOGUE_FILES:
            import_batch(consortium, path.read_bytes(), first_library, defects)

    def start(self, context: SandboxContext) -> None:
        self.base_url = context.http_base_url
        router = context.router
        router.add("GET", "/marc/export", self._export, summary="?format=iso2709|marcxml[&library=NO-99...]")
        router.add("POST", "/marc/import", self._import, summary="?library=NO-99...; body ISO 2709 or MARCXML")
        router.add("DELETE", "/marc/record/", self._delete, prefix=True, summary="{001}")

    def resolve(self, profile: Profile) -> Profile:
        from harness.marc.unit import MARC

        settings = profile.settings_for(MARC)
        if settings is None:
            return profile
        return profile.with_settings(MARC, replace(settings, channel="http", base_url=self.base_url))

    def describe(self) -> list[tuple[str, str]]:
        return [("MARC export", f"{self.base_url}/marc/export?format=iso2709|marcxml[&library=NO-99...]"),
                ("MARC import", f"POST {self.base_url}/marc/import?library=NO-99...")]

    def stop(self) -> None:
        pass  # the routes go with the HTTP server

    def _state(self) -> Consortium:
        if self.consortium is None:
            raise RuntimeError("the MARC service was not loaded")
        return self.consortium

    def _library(self, request: Request, required: bool) -> str | None | Response:
        library = request.first("library")
        if library is None and not required:
            return None
        if library not in self._state().libraries:
            known = ", ".join(sorted(self._state().libraries))
            return json_response(HTTPStatus.BAD_REQUEST, {"error": f"unknown library {library!r}; known: {known}"})
        return library

    def _export(self, request: Request) -> Response:
        library = self._library(request, required=False)
        if isinstance(library, Response):
            return library
        fmt = request.first("format") or "iso2709"
        if fmt not in ("iso2709", "marcxml"):
            return json_response(HTTPStatus.BAD_REQUEST, {"error": f"format must be iso2709 or marcxml, not {fmt!r}"})
        records = selected_records(self._state(), library, self.defects)
        if fmt == "marcxml":
            return Response(HTTPStatus.OK, export_marcxml(records, self.defects).body, "application/marcxml+xml; charset=utf-8")
        export = export_iso2709(records, self.defects)
        headers = {"X-Omitted-Records": quote("; ".join(export.omitted))} if export.omitted else {}
        return Response(HTTPStatus.OK, export.body, "application/marc", headers)

    def _import(self, request: Request) -> Response:
        library = self._library(request, required=True)
        if isinstance(library, Response):
            return library
        receipt = import_batch(self._state(), request.body, str(library), self.defects)
        return json_response(HTTPStatus.OK, receipt.to_dict())

    def _delete(self, request: Request) -> Response:
        number = request.path.removeprefix("/marc/record/")
        if not number:
            return json_response(HTTPStatus.NOT_FOUND, {"error": "name the record: /marc/record/{001}"})
        consortium = self._state()
        # bury, not pop: the deletion keeps a tombstone with its datestamp, for OAI-PMH
        removed = consortium.bury(number)
        status = HTTPStatus.OK if removed is not None else HTTPStatus.NOT_FOUND
        return json_response(status, {"deleted": number if removed is not None else None})
