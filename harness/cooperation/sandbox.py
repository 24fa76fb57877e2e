"""Where the sandbox shows the cooperation defects: the search index SRU and Z39.50 share.

Library systems keep the search side apart from cataloguing and circulation: an index fed
by a queue, availability in a cache, library limits from a nightly holdings job. That is
where the faults only a crossing shows live, so the sandbox applies every cooperation defect
there, and nowhere else: the catalogue, the MARC channel, SIP2 and OAI-PMH stay exact.

:func:`cooperation_index` is what the SRU and Z39.50 services ask first; without a
cooperation defect it answers None and they use their own (or the shared) index. With one,
the index reads the catalogue through a :class:`CatalogueView`, which differs from the live
catalogue only in what happened after start (records imported, holdings added, loans made),
and asks availability and transit through :class:`Availability`. What was there at start,
the fixture catalogue and the seed loans every protocol suite checks, is left as it is: so a
protocol suite alone still passes under each of these defects.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence

import pymarc

from harness.cooperation import defects as d
from harness.defects import Defect, DefectSet
from harness.errors import UsageError
from harness.sandbox.records import BARCODE_SUBFIELD, HOLDINGS_TAG, copy_fields, copy_record
from harness.sandbox.search import (
    And,
    AndNot,
    Node,
    Or,
    SearchIndex,
    SortSpec,
    Term,
    term,
)
from harness.sandbox.state import Consortium, find_item

Loans = Mapping[str, tuple[tuple[str, str], ...]]  # record id -> (barcode, borrower) of loans made since start


def cooperation_index(consortium: Consortium, defects: DefectSet, own: Iterable[Defect] = ()) -> SearchIndex | None:
    """An index showing the active cooperation defects, or None when none is active.

    ``own`` are the asking service's defects that build an index of their own: one of them
    with a cooperation defect cannot both be shown (each replaces the index), so asking for
    both is a usage error naming the two, not a run that silently drops one."""
    crossing = [defect for defect in d.CATALOGUE if defects.active(defect)]
    if not crossing:
        return None
    clashing = [defect for defect in own if defects.active(defect)]
    if clashing:
        raise UsageError(f"--sandbox-defect {clashing[0].name} and --sandbox-defect {crossing[0].name} both replace the "
                         f"{clashing[0].protocol} search index, so one would be dropped. Fix: run them separately")
    return CooperationIndex(consortium, defects)


def _nfc(record: pymarc.Record) -> None:
    for f in record.fields:
        if f.is_control_field():
            f.data = unicodedata.normalize("NFC", f.data or "")
        else:
            f.subfields = [pymarc.Subfield(s.code, unicodedata.normalize("NFC", s.value)) for s in f.subfields]


class CatalogueView(Mapping[str, pymarc.Record]):
    """The live catalogue as the deviating search side reads it (record id -> record).

    A view record is a new object only when what it shows changes (the stored record, or the
    loans it names), so the index's identity check re-indexes exactly then.
    """

    def __init__(self, consortium: Consortium, defects: DefectSet) -> None:
        self._consortium, self._source = consortium, consortium.records
        with consortium.lock:
            self.at_start = frozenset(consortium.records)
            self.loans_at_start = frozenset((b, i.borrower) for b, i in consortium.items.items() if i.borrower)
        self._first_holdings = defects.active(d.UPGRADE_HOLDING_NOT_INDEXED)
        self._nfc = defects.active(d.IMPORTED_LETTERS_NORMALISED)
        self._borrowers = defects.active(d.SESSION_BORROWER_IN_SEARCH)
        self._first: dict[str, list[pymarc.Field]] = {}  # record id -> 852s as first indexed
        self._made: dict[str, tuple[pymarc.Record, tuple[tuple[str, str], ...], pymarc.Record]] = {}

    def __len__(self) -> int:
        return len(self._source)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._source))

    def __getitem__(self, record_id: str) -> pymarc.Record:
        return self._view(record_id, self._source[record_id], self.session_loans())

    def values(self) -> list[pymarc.Record]:  # type: ignore[override]
        return [record for _, record in self.items()]

    def items(self) -> list[tuple[str, pymarc.Record]]:  # type: ignore[override]
        with self._consortium.lock:
            pairs = list(self._source.items())
        loans = self.session_loans()
        return [(record_id, self._view(record_id, record, loans)) for record_id, record in pairs]

    def new_since_start(self) -> frozenset[str]:
        with self._consortium.lock:
            return frozenset(self._source) - self.at_start

    def session_loans(self) -> Loans:
        """Loans made since start, by the record holding the copy (only under the borrower defect)."""
        if not self._borrowers:
            return {}
        found: dict[str, list[tuple[str, str]]] = {}
        with self._consortium.lock:
            for barcode, item in self._consortium.items.items():
                if item.borrower and (barcode, item.borrower) not in self.loans_at_start:
                    found.setdefault(item.record_id, []).append((barcode, item.borrower))
        return {record_id: tuple(sorted(loans)) for record_id, loans in found.items()}

    def _view(self, record_id: str, record: pymarc.Record, loans: Loans) -> pymarc.Record:
        new = record_id not in self.at_start
        named = loans.get(record_id, ())
        if not (new and (self._first_holdings or self._nfc)) and not named:
            return record
        made = self._made.get(record_id)
        if made is not None and made[0] is record and made[1] == named:
            return made[2]
        view = copy_record(record)
        if new and self._first_holdings:  # DEFECT coop-upgrade-holding-not-indexed
            first = self._first.setdefault(record_id, copy_record(view).get_fields(HOLDINGS_TAG))
            view.fields = [f for f in view.fields if f.tag != HOLDINGS_TAG] + copy_fields(first)
        if new and self._nfc:  # DEFECT coop-imported-letters-normalised
            _nfc(view)
        for barcode, borrower in named:  # DEFECT coop-session-borrower-in-search
            self._name_borrower(view, barcode, borrower)
        self._made[record_id] = (record, named, view)
        return view

    def _name_borrower(self, view: pymarc.Record, barcode: str, borrower: str) -> None:
        patron = self._consortium.patrons.get(borrower)
        name = f"{patron.name} ({patron.barcode})" if patron is not None else borrower
        for holding in view.get_fields(HOLDINGS_TAG):
            if barcode in holding.get_subfields(BARCODE_SUBFIELD):
                holding.add_subfield("z", f"Utlånt til {name}")


class Availability:
    """Loan and transit state of a copy as the deviating search side knows it."""

    def __init__(self, consortium: Consortium, defects: DefectSet, loans_at_start: frozenset[tuple[str, str]]) -> None:
        self._consortium, self._loans_at_start = consortium, loans_at_start
        self._school_batch = defects.active(d.SCHOOL_LOANS_NOT_IN_SEARCH)
        self._no_transit = defects.active(d.TRANSIT_NOT_IN_SEARCH)

    def on_loan(self, barcode: str) -> bool | None:
        consortium = self._consortium
        with consortium.lock:
            item = find_item(consortium, barcode)
            if item is None:
                return None
            if item.borrower is None:
                return False
            lent_at = consortium.libraries.get(item.location)
            # DEFECT coop-school-loans-not-in-search: a school counter's new loan waits for the night
            batched = self._school_batch and lent_at is not None and lent_at.kind == "school"
            return not (batched and (barcode, item.borrower) not in self._loans_at_start)

    def in_transit(self, barcode: str) -> bool:
        if self._no_transit:  # DEFECT coop-transit-not-in-search
            return False
        with self._consortium.lock:
            item = find_item(self._consortium, barcode)
            return item is not None and item.borrower is None and item.in_transit_to is not None


class CooperationIndex(SearchIndex):
    """The search index over the deviating view; library limits leak new records when asked."""

    def __init__(self, consortium: Consortium, defects: DefectSet) -> None:
        self.view = CatalogueView(consortium, defects)
        availability = Availability(consortium, defects, self.view.loans_at_start)
        super().__init__(self.view, lock=consortium.lock, availability=availability.on_loan,
                         in_transit=availability.in_transit)
        self._limits_leak = defects.active(d.NEW_RECORDS_PASS_LIBRARY_LIMITS)

    def search(self, query: Node, *, library: str | None = None, sort: Sequence[SortSpec] = ()) -> list[str]:
        if not self._limits_leak:
            return super().search(query, library=library, sort=sort)
        new = self.view.new_since_start()  # DEFECT coop-new-records-pass-library-limits
        query = _widen_limits(query, new)
        if library is None:
            return super().search(query, sort=sort)
        held = set(super().search(query, library=library))
        return [r for r in super().search(query, sort=sort) if r in held or r in new]


def _widen_limits(node: Node, new: frozenset[str]) -> Node:
    """``node`` with every library term also matching the records in ``new``."""
    if isinstance(node, Term):
        if node.index != "library" or not new:
            return node
        widened: Node = node
        for record_id in sorted(new):
            widened = Or(widened, term("identifier", record_id, "phrase"))
        return widened
    if isinstance(node, (And, Or, AndNot)):
        return type(node)(_widen_limits(node.left, new), _widen_limits(node.right, new))
    return node
