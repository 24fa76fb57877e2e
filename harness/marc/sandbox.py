"""The sandbox's MARC service: import and export over HTTP, with the MARC defects.

    GET    /marc/export?format=iso2709|marcxml[&library=NO-99...]
    POST   /marc/import?library=NO-99...       body: ISO 2709 or MARCXML; JSON receipt
    DELETE /marc/record/{001}                  remove a record (scenarios clean up after themselves)

An ISO 2709 export names the records it refused (too long for ISO 2709, MARC-04) in the
``X-Omitted-Records`` header; they are in the MARCXML export.

Import rules (what a good system does, and what MARC-03 asks):
- same 001 as a stored record: the incoming record replaces it; stored holdings (852) that
  the incoming record lacks are kept. A deletion (leader/05 = d) replaces it the same way, so
  exports carry it with leader/05 = d and a union catalogue harvesting them learns of it.
- no 001 match but the same 035 (NO-OsBA) number: the stored record is *upgraded in
  place* (it keeps its 001 and its local holdings), as the National Library asks of
  pre-publication (leader/17 = 5) and changed (leader/05 = c) records.
- otherwise a new record; 005 is set on every import (a declared system field).

Defects are applied at the one place where the real systems showed them, each marked
``DEFECT <name>``: changes to what is stored in IMPORT_CHANGES, changes to an export's copy in
EXPORT_CHANGES (both formats) and MARCXML_CHANGES (MARCXML only), the rest inline (035
matching, holdings, encoding, lengths, oversize records, MARCXML paging). The record
transforms are harness/marc/mutations.py.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import quote

import pymarc

from harness.defects import Defect, DefectSet
from harness.marc import defects as d
from harness.marc import mutations as m
from harness.marc.mutations import Mutation
from harness.marc.reader import read_records
from harness.marc.records import control_number, osba_number
from harness.marc.writer import (
    MAX_FIELD_LENGTH,
    RecordTooLong,
    collection_to_marcxml,
    encode_iso2709,
)
from harness.paths import MARC_FIXTURES_DIR
from harness.sandbox.http import Request, Response, json_response
from harness.sandbox.records import copy_field
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


# Changes a system makes to what it stores (MARC-02's round trip sees them in every export).
IMPORT_CHANGES: tuple[tuple[Defect, Mutation], ...] = (
    (d.IMPORT_NFC, lambda r: m.map_control_too(r, lambda text: unicodedata.normalize("NFC", text))),  # DEFECT marc-import-nfc
    (d.DROP_880, lambda r: r.remove_fields("880")),  # DEFECT marc-drop-880
    (d.TRUNCATE_LONG_FIELDS, lambda r: m.map_values(r, lambda v: m.truncate_utf8(v, MAX_FIELD_LENGTH - 10))),  # DEFECT marc-truncate-long-fields
    (d.SORT_SUBFIELDS, m.sort_subfields),  # DEFECT marc-sort-subfields
    (d.MERGE_REPEATED_SUBFIELDS, m.merge_repeated_subfields),  # DEFECT marc-merge-repeated-subfields
    (d.BLANK_RARE_INDICATORS, m.blank_rare_indicators),  # DEFECT marc-blank-rare-indicators
    (d.DROP_9XX, m.drop_9xx),  # DEFECT marc-drop-9xx
    (d.DROP_LOCAL_9, m.drop_subfield("9")),  # DEFECT marc-drop-local-9
    (d.DROP_ALPHA_TAGS, m.drop_alphabetic_tags),  # DEFECT marc-drop-alpha-tags
    (d.TRUNCATE_NOTES, m.truncate_notes),  # DEFECT marc-truncate-notes
    (d.COLLAPSE_SPACES, m.collapse_spaces),  # DEFECT marc-collapse-spaces
    (d.TRIM_VALUES, m.trim_values),  # DEFECT marc-trim-values
    (d.STRIP_LEADING_ZEROS, m.strip_leading_zeros),  # DEFECT marc-strip-leading-zeros
    (d.NBSP_TO_SPACE, m.replace_text("\u00a0", " ")),  # DEFECT marc-nbsp-to-space
    (d.DROP_SOFT_HYPHEN, m.replace_text("\u00ad", "")),  # DEFECT marc-drop-soft-hyphen
    (d.DROP_ZWJ, m.replace_text("\u200d", "")),  # DEFECT marc-drop-zwj
    (d.DROP_AUTHORITY_LINKS, m.drop_subfield("0")),  # DEFECT marc-drop-authority-links
    (d.DROP_SERIAL_HOLDINGS, m.drop_serial_holdings),  # DEFECT marc-drop-serial-holdings
    (d.RESET_LEADER, m.reset_leader),  # DEFECT marc-reset-leader
)

# Changes made to an export's copy of the records (both formats), after the holdings are chosen.
EXPORT_CHANGES: tuple[tuple[Defect, Mutation], ...] = (
    (d.MOVE_6_FIRST, m.move_6_first),  # DEFECT marc-move-6-first
    (d.REVERSE_RTL, m.reverse_rtl),  # DEFECT marc-reverse-rtl
    (d.UPCASE_TAGS, m.upcase_tags),  # DEFECT marc-upcase-tags
    (d.UNESCAPE_URLS, m.unescape_urls),  # DEFECT marc-unescape-urls
    (d.ONE_COPY_PER_LIBRARY, m.one_copy_per_library),  # DEFECT marc-one-copy-per-library
    (d.EXPORT_NFD, lambda r: m.map_control_too(r, lambda text: unicodedata.normalize("NFD", text))),  # DEFECT marc-export-nfd
    (d.REORDER_FIELDS, lambda r: r.fields.sort(key=lambda f: f.tag)),  # DEFECT marc-reorder-fields
)


def _apply(changes: tuple[tuple[Defect, Mutation], ...], record: pymarc.Record, defects: DefectSet) -> None:
    for defect, change in changes:
        if defects.active(defect):
            change(record)


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
            incoming.add_field(holding)  # type: ignore[no-untyped-call]


def store_record(consortium: Consortium, record: pymarc.Record, defects: DefectSet, receipt: ImportReceipt) -> None:
    if defects.active(d.IGNORE_DELETION) and str(record.leader)[5:6] == "d":
        return  # DEFECT marc-ignore-deletion: a deletion is skipped, and the receipt does not say so
    _apply(IMPORT_CHANGES, record, defects)
    number = control_number(record)
    with consortium.lock:
        stored_id = number if number in consortium.records else None
        osba = osba_number(record)
        if stored_id is None and osba and not defects.active(d.IGNORE_035_MATCH):  # DEFECT marc-ignore-035-match
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
        if not defects.active(d.UPGRADE_DROPS_HOLDINGS):  # DEFECT marc-upgrade-drops-holdings
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
    keep = {id(h) for h in _holdings_for(record, None if defects.active(d.LIBRARY_FILTER_IGNORED) else library)}  # DEFECT marc-library-filter-ignored
    for f in record.fields:
        if f.tag == "852" and id(f) not in keep:
            continue
        view.fields.append(copy_field(f))
    _apply_export_defects(consortium, view, defects, one_library=library is not None)
    return view


def _apply_export_defects(consortium: Consortium, view: pymarc.Record, defects: DefectSet, one_library: bool) -> None:
    holdings = view.get_fields("852")
    if defects.active(d.FIRST_HOLDING_ONLY) and holdings:  # DEFECT marc-first-holding-only: every copy of the first library
        first = holdings[0].get_subfields("a")
        for other in [h for h in holdings if h.get_subfields("a") != first]:
            view.remove_field(other)
        holdings = view.get_fields("852")
    if defects.active(d.HOLDINGS_WITHOUT_LIBRARY):  # DEFECT marc-holdings-without-library
        for h in holdings:
            h.subfields = [s for s in h.subfields if s.code != "a"]
    # DEFECT marc-export-borrower (every export), marc-library-export-borrower (a library's own export)
    if defects.active(d.EXPORT_BORROWER) or (one_library and defects.active(d.LIBRARY_EXPORT_BORROWER)):
        for h in holdings:
            for barcode in h.get_subfields("p"):
                borrower = consortium.patrons.get(consortium.loans.get(barcode, ""))
                if borrower:
                    h.add_subfield("z", f"Utlånt til {borrower.name} ({borrower.barcode})")
    _apply(EXPORT_CHANGES, view, defects)


def selected_records(consortium: Consortium, library: str | None, defects: DefectSet) -> list[pymarc.Record]:
    with consortium.lock:
        records = list(consortium.records.values())
        if library is not None and not defects.active(d.LIBRARY_FILTER_IGNORED):
            records = [r for r in records if _holdings_for(r, library)]
        views = [_export_view(consortium, r, library, defects) for r in records]
    if defects.active(d.SPLIT_PER_LIBRARY):  # DEFECT marc-split-per-library
        views = [copy for view in views for copy in _per_library(view)]
    return views


def _per_library(view: pymarc.Record) -> list[pymarc.Record]:
    """One copy of the record per library holding it, each with that library's holdings only."""
    libraries = list(dict.fromkeys(v for h in view.get_fields("852") for v in h.get_subfields("a")))
    if len(libraries) < 2:
        return [view]
    copies = []
    for library in libraries:
        copy = pymarc.Record(leader=str(view.leader), force_utf8=True)
        copy.fields = [f for f in view.fields if f.tag != "852" or library in f.get_subfields("a")]
        copies.append(copy)
    return copies


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
    if defects.active(d.LENGTH_IN_CHARACTERS):  # DEFECT marc-length-in-characters
        return _encode_with_character_lengths(record)
    if defects.active(d.LEADER09_BLANK):  # DEFECT marc-leader09-blank
        return encode_iso2709(record, leader09=" ")
    if defects.active(d.EXPORT_LATIN1):  # DEFECT marc-export-latin1
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
                chunks.append(record.as_marc())  # DEFECT marc-oversize-corrupt: pymarc's own overflow (edsu/pymarc#42)
            elif not defects.active(d.OVERSIZE_OMITTED_SILENTLY):  # DEFECT marc-oversize-omitted-silently
                omitted.append(str(exc))
    return Export(b"".join(chunks), omitted)


MARCXML_PAGE = 200  # records in the first page of the marc-marcxml-first-page defect

# Changes only the MARCXML writer makes (an XSLT of its own, say), after the export's copy.
MARCXML_CHANGES: tuple[tuple[Defect, Mutation], ...] = (
    (d.MARCXML_NORMALIZE_SPACE, m.normalize_space),  # DEFECT marc-marcxml-normalize-space
    (d.MARCXML_NFD, lambda r: m.map_values(r, lambda v: unicodedata.normalize("NFD", v))),  # DEFECT marc-marcxml-nfd
)


def export_marcxml(records: Iterable[pymarc.Record], defects: DefectSet) -> Export:
    namespace = None if defects.active(d.MARCXML_NO_NAMESPACE) else "http://www.loc.gov/MARC21/slim"  # DEFECT marc-marcxml-no-namespace
    records = list(records)
    if defects.active(d.MARCXML_FIRST_PAGE):  # DEFECT marc-marcxml-first-page
        records = records[:MARCXML_PAGE]
    for record in records:
        _apply(MARCXML_CHANGES, record, defects)
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
