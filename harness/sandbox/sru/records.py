"""A catalogue record as the SRU service sends it: MARCXML with holdings and availability.

The stored record is not changed; the view adds, after the record's own fields, one 876
(Item Information, MARC 21 Format for Holdings Data, embedded in the bibliographic record)
per copy: ``$a`` the owning library (852 $a), ``$p`` the barcode (852 $p) and ``$j`` the
item status, ``available`` or ``on loan``, from the live loans. No patron data: the view
never names who borrowed a copy (SEC-01).
"""

from __future__ import annotations

import pymarc

from harness.marc.writer import record_to_marcxml
from harness.sandbox.search import HoldingStatus

ON_LOAN, AVAILABLE, UNKNOWN = "on loan", "available", "unknown"


def status_text(holding: HoldingStatus) -> str:
    if holding.on_loan is None:
        return UNKNOWN
    return ON_LOAN if holding.on_loan else AVAILABLE


def record_view(record: pymarc.Record, holdings: tuple[HoldingStatus, ...]) -> pymarc.Record:
    view = pymarc.Record(leader=str(record.leader), force_utf8=True)
    view.fields = list(record.fields)
    for holding in holdings:
        view.fields.append(pymarc.Field(tag="876", indicators=pymarc.Indicators(" ", " "), subfields=[
            pymarc.Subfield("a", holding.library), pymarc.Subfield("p", holding.barcode),
            pymarc.Subfield("j", status_text(holding)),
        ]))
    return view


def marcxml(record: pymarc.Record, holdings: tuple[HoldingStatus, ...]) -> str:
    """The record as a MARC 21 slim ``record`` element (namespace declared on it)."""
    return record_to_marcxml(record_view(record, holdings))
