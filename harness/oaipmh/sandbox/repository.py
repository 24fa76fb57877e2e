"""The consortium's catalogue as an OAI-PMH :class:`~harness.oaipmh.repository.Repository`.

The sandbox's provider (:func:`harness.oaipmh.provider.respond`) reads this adapter; the
adapter reads :class:`~harness.sandbox.state.Consortium` and never writes it:

- every stored record is an item ``oai:<repositoryIdentifier>:<001>``; its datestamp is the
  consortium's stamp, which the MARC channel moves on every import and deletion;
- every tombstone is a deleted item, kept for ever (deletedRecord=persistent), in the sets its
  record was in when it was deleted;
- sets: ``library`` and ``library:<number>`` for every library holding a copy (852 $a), and
  ``kind`` and ``kind:<public|school|bookbus|...>`` for their kinds (§2.6 hierarchy);
- marc21 is the stored record as MARCXML (what the MARC export gives), oai_dc the LC crosswalk.

Items are listed in key order ``(datestamp, identifier)``; the order is rebuilt when the
consortium's change counter moves. The payload defects of the catalogue are applied here, each
at one place marked ``DEFECT``.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

import pymarc

from harness.defects import DefectSet
from harness.marc.writer import MARCXML_NS, record_to_marcxml
from harness.oaipmh import defects as d
from harness.oaipmh.catalogue import KIND_NAMES, dublin_core, holding_libraries
from harness.oaipmh.repository import DublinCore, Key, SetInfo, in_set
from harness.sandbox.records import copy_fields, indicators
from harness.sandbox.state import Consortium

REPOSITORY_IDENTIFIER = "sandbox.libharness.test"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class CatalogueItem:
    """One record or tombstone as the provider sees it; payloads are written on demand."""

    identifier: str
    datestamp: datetime
    set_specs: tuple[str, ...]
    record: pymarc.Record | None  # None: deleted
    defects: DefectSet
    patron_of: dict[str, str]  # item barcode -> borrower's name, for the borrower defect

    @property
    def deleted(self) -> bool:
        return self.record is None

    def marcxml(self) -> str | None:
        if self.record is None:
            return None
        view = _payload_view(self.record, self.defects, self.patron_of)
        if self.defects.active(d.RAW_CONTROL_CHARACTERS):  # DEFECT oai-raw-control-characters
            return _raw_marcxml(view)
        return record_to_marcxml(view)

    def dublin_core(self) -> DublinCore | None:
        if self.record is None:
            return None
        pairs = dublin_core(self.record)
        if self.defects.active(d.NFD_PAYLOADS):  # DEFECT oai-nfd-payloads
            return tuple((name, unicodedata.normalize("NFD", value)) for name, value in pairs)
        return pairs


class ConsortiumRepository:
    def __init__(self, consortium: Consortium, defects: DefectSet, repository_identifier: str = REPOSITORY_IDENTIFIER) -> None:
        self.consortium, self.defects, self.prefix = consortium, defects, f"oai:{repository_identifier}:"
        self.kinds = {number: library.kind for number, library in consortium.libraries.items()}
        self._keys: list[Key] = []
        self._changes = -1
        self._first_stamps: dict[str, datetime] = {}  # for the defect that never moves a datestamp

    # -- the order of the catalogue --------------------------------------------------------

    def refresh(self) -> list[Key]:
        """The sorted keys, rebuilt if the catalogue changed since the last call."""
        consortium = self.consortium
        with consortium.lock:
            if consortium.changes != self._changes:
                keys = [(self._datestamp(number), self.prefix + number) for number in consortium.records]
                keys += [(t.deleted_at, self.prefix + number) for number, t in consortium.tombstones.items()]
                self._keys, self._changes = sorted(keys), consortium.changes
            return self._keys

    def _datestamp(self, number: str) -> datetime:
        stamp = self.consortium.stamps.get(number, _EPOCH)
        first = self._first_stamps.setdefault(number, stamp)
        return first if self.defects.active(d.CHANGE_NOT_STAMPED) else stamp  # DEFECT oai-change-not-stamped

    # -- Repository ----------------------------------------------------------------------------

    def sets(self) -> Sequence[SetInfo]:
        libraries = self.consortium.libraries.values()
        found = [SetInfo("library", "Bibliotek i konsortiet"), *(SetInfo(f"library:{lib.number}", lib.name) for lib in libraries)]
        if not self.defects.active(d.NO_KIND_SETS):  # DEFECT oai-no-kind-sets
            kinds = sorted({lib.kind for lib in libraries})
            found += [SetInfo("kind", "Bibliotekstype"), *(SetInfo(f"kind:{k}", KIND_NAMES.get(k, k)) for k in kinds)]
        return found

    def earliest_datestamp(self) -> datetime:
        keys = self.refresh()
        return keys[0][0] if keys else _EPOCH

    def item(self, identifier: str) -> CatalogueItem | None:
        if not identifier.startswith(self.prefix):
            return None
        number = identifier[len(self.prefix):]
        consortium = self.consortium
        with consortium.lock:
            self.refresh()
            record = consortium.records.get(number)
            if record is not None:
                return CatalogueItem(identifier, self._datestamp(number), self._set_specs(holding_libraries(record)), record,
                                     self.defects, self._borrowers())
            tombstone = consortium.tombstones.get(number)
            if tombstone is None:
                return None
            libraries = () if self.defects.active(d.DELETED_NOT_IN_SETS) else tombstone.libraries  # DEFECT oai-deleted-not-in-sets
            return CatalogueItem(identifier, tombstone.deleted_at, self._set_specs(list(libraries), deleted=True), None,
                                 self.defects, {})

    def items(self, *, after: Key | None = None, start: datetime | None = None, end: datetime | None = None,
              set_spec: str | None = None) -> Iterator[CatalogueItem]:
        keys = self.refresh()
        position = bisect.bisect_right(keys, after) if after is not None else 0
        for key in keys[position:]:
            if (start is not None and key[0] < start) or (end is not None and key[0] > end):
                continue
            item = self.item(key[1])
            # an item changed since the snapshot has moved to a later key: it is met there
            if item is not None and item.datestamp == key[0] and self._in(item, set_spec):
                yield item

    def count(self, *, start: datetime | None = None, end: datetime | None = None, set_spec: str | None = None) -> int:
        return sum(1 for _ in self.items(start=start, end=end, set_spec=set_spec))

    # -- sets ------------------------------------------------------------------------------------

    def _set_specs(self, libraries: list[str], deleted: bool = False) -> tuple[str, ...]:
        if self.defects.active(d.SET_FIRST_LIBRARY_ONLY) and not deleted:  # DEFECT oai-set-first-library-only
            libraries = libraries[:1]
        kinds = [] if self.defects.active(d.NO_KIND_SETS) else sorted({self.kinds[n] for n in libraries if n in self.kinds})
        with_parents = not self.defects.active(d.SET_HIERARCHY_IGNORED)  # DEFECT oai-set-hierarchy-ignored: leaves only
        specs = (["library"] if libraries and with_parents else []) + [f"library:{n}" for n in libraries]
        specs += (["kind"] if kinds and with_parents else []) + [f"kind:{k}" for k in kinds]
        return tuple(specs)

    def _in(self, item: CatalogueItem, set_spec: str | None) -> bool:
        if set_spec is None:
            return True
        if self.defects.active(d.SET_HIERARCHY_IGNORED):  # DEFECT oai-set-hierarchy-ignored: exact sets only
            return set_spec in item.set_specs
        return in_set(item.set_specs, set_spec)

    def _borrowers(self) -> dict[str, str]:
        if not self.defects.active(d.BORROWER_IN_HOLDINGS):
            return {}
        consortium = self.consortium
        return {barcode: patron.name for barcode, borrower in consortium.loans.items()
                if (patron := consortium.patrons.get(borrower)) is not None}


# --- payloads ------------------------------------------------------------------------------------


def _payload_view(record: pymarc.Record, defects: DefectSet, borrowers: dict[str, str]) -> pymarc.Record:
    """The record as the marc21 payload shows it: itself, or with the active payload defects."""
    payload_defects = (d.MARC_HASH_INDICATORS, d.MARC_FIELDS_SORTED, d.HOLDINGS_WITHOUT_LIBRARY, d.FIRST_HOLDING_ONLY,
                       d.BORROWER_IN_HOLDINGS, d.NFD_PAYLOADS)
    if not any(defects.active(one) for one in payload_defects):
        return record
    view = pymarc.Record(leader=str(record.leader), force_utf8=True)
    view.fields = copy_fields(record.fields)
    holdings = [f for f in view.fields if f.tag == "852"]
    if defects.active(d.FIRST_HOLDING_ONLY):  # DEFECT oai-first-holding-only
        view.fields = [f for f in view.fields if f.tag != "852" or f is holdings[0]]
        holdings = holdings[:1]
    for holding in holdings:
        if defects.active(d.HOLDINGS_WITHOUT_LIBRARY):  # DEFECT oai-holdings-without-library
            holding.subfields = [s for s in holding.subfields if s.code != "a"]
        for barcode in holding.get_subfields("p"):  # DEFECT oai-borrower-in-holdings (borrowers is empty otherwise)
            if barcode in borrowers:
                holding.add_subfield("z", f"Utlånt til {borrowers[barcode]}")
    if defects.active(d.MARC_FIELDS_SORTED):  # DEFECT oai-marc-fields-sorted
        view.fields.sort(key=lambda f: f.tag)
    for field in view.fields:
        if defects.active(d.NFD_PAYLOADS):  # DEFECT oai-nfd-payloads
            _decompose(field)
        if defects.active(d.MARC_HASH_INDICATORS) and not field.is_control_field():  # DEFECT oai-marc-hash-indicators
            field.indicators = pymarc.Indicators(*("#" if i == " " else i for i in indicators(field)))
    return view


def _decompose(field: pymarc.Field) -> None:
    if field.is_control_field():
        field.data = unicodedata.normalize("NFD", field.data or "")
    else:
        field.subfields = [pymarc.Subfield(s.code, unicodedata.normalize("NFD", s.value)) for s in field.subfields]


def _raw_marcxml(record: pymarc.Record) -> str:
    """MARCXML with the data's control characters written as they are: not XML 1.0 (the defect)."""
    lines = [f'<record xmlns="{MARCXML_NS}">', f"<leader>{escape(str(record.leader))}</leader>"]
    for field in record.fields:
        if field.is_control_field():
            lines.append(f"<controlfield tag={quoteattr(field.tag)}>{escape(field.data or '')}</controlfield>")
            continue
        ind1, ind2 = indicators(field)
        subfields = "".join(f"<subfield code={quoteattr(s.code)}>{escape(s.value)}</subfield>" for s in field.subfields)
        lines.append(f"<datafield tag={quoteattr(field.tag)} ind1={quoteattr(ind1)} ind2={quoteattr(ind2)}>{subfields}</datafield>")
    return "\n".join([*lines, "</record>"])
