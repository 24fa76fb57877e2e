"""A catalogue record as the SRU service sends it: MARCXML with holdings and availability.

The stored record is not changed; the view adds, after the record's own fields, one 876
(Item Information, MARC 21 Format for Holdings Data, embedded in the bibliographic record)
per copy: ``$a`` the owning library (852 $a), ``$p`` the barcode (852 $p) and ``$j`` the
item status, ``available`` or ``on loan``, from the live loans. No patron data: the view
never names who borrowed a copy (SEC-01).

Four deviations of the defect catalogue shape the view: holdings without their library,
the borrower named on a copy on loan, Sámi letters lost on the way out, and records written
in no namespace.
"""

from __future__ import annotations

from collections.abc import Callable

import pymarc

from harness.marc.writer import record_to_marcxml
from harness.sandbox.search import HoldingStatus
from harness.sandbox.sru.diagnostics import Deviation

ON_LOAN, AVAILABLE, UNKNOWN = "on loan", "available", "unknown"
_LOST_LETTERS = str.maketrans("", "", "čšžŋŧČŠŽŊŦ")  # what YAZ's UTF-8 to MARC-8 conversion drops

Borrower = Callable[[str], str | None]  # item barcode -> "name (card)" of its borrower, if on loan


def status_text(holding: HoldingStatus) -> str:
    if holding.on_loan is None:
        return UNKNOWN
    return ON_LOAN if holding.on_loan else AVAILABLE


def record_view(record: pymarc.Record, holdings: tuple[HoldingStatus, ...], deviations: frozenset[str] = frozenset(),
                borrower_of: Borrower | None = None) -> pymarc.Record:
    view = pymarc.Record(leader=str(record.leader), force_utf8=True)
    view.fields = list(record.fields)
    for holding in holdings:
        subfields = [pymarc.Subfield("a", holding.library), pymarc.Subfield("p", holding.barcode),
                     pymarc.Subfield("j", status_text(holding))]
        borrower = borrower_of(holding.barcode) if borrower_of is not None and holding.on_loan else None
        if borrower and Deviation.BORROWER_IN_HOLDINGS in deviations:
            subfields.append(pymarc.Subfield("z", f"Utlånt til {borrower}"))
        view.fields.append(pymarc.Field(tag="876", indicators=pymarc.Indicators(" ", " "), subfields=subfields))
    if Deviation.HOLDINGS_WITHOUT_LIBRARY in deviations:
        view.fields = [_without_a(f) if f.tag in ("852", "876") else f for f in view.fields]
    if Deviation.RECORDS_LOSE_SAMI_LETTERS in deviations:
        view.fields = [_lossy(f) for f in view.fields]
    return view


def _without_a(field: pymarc.Field) -> pymarc.Field:
    return pymarc.Field(tag=field.tag, indicators=field.indicators, subfields=[s for s in field.subfields if s.code != "a"])


def _lossy(field: pymarc.Field) -> pymarc.Field:
    if field.is_control_field():
        return field
    return pymarc.Field(tag=field.tag, indicators=field.indicators,
                        subfields=[pymarc.Subfield(s.code, s.value.translate(_LOST_LETTERS)) for s in field.subfields])


def marcxml(record: pymarc.Record, holdings: tuple[HoldingStatus, ...], deviations: frozenset[str] = frozenset(),
            borrower_of: Borrower | None = None) -> str:
    """The record as a MARC 21 slim ``record`` element (namespace declared on it)."""
    view = record_view(record, holdings, deviations, borrower_of)
    if Deviation.MARCXML_NO_NAMESPACE in deviations:
        return record_to_marcxml(view, namespace=None)
    return record_to_marcxml(view)
