"""Copies of catalogue records for the sandbox's views.

A protocol's view of a record (an export, an OAI-PMH payload, the cooperation suite's search
view) changes its copy (filters holdings, applies a defect, names a borrower), never the
consortium's own record, which every other server reads at the same time. A copy has its own
fields and subfield lists; :class:`pymarc.Subfield` is an immutable tuple, so it is shared.
"""

from __future__ import annotations

from collections.abc import Iterable

import pymarc

# Where the sandbox's catalogue keeps holdings: MARC 21 852, $a the owning library, $p each copy's barcode.
HOLDINGS_TAG, LIBRARY_SUBFIELD, BARCODE_SUBFIELD = "852", "a", "p"


def indicators(field: pymarc.Field) -> tuple[str, str]:
    """The field's two indicators; missing ones read as blank."""
    first, second = (list(field.indicators or ()) + [" ", " "])[:2]
    return first, second


def copy_field(field: pymarc.Field) -> pymarc.Field:
    if field.is_control_field():
        return pymarc.Field(tag=field.tag, data=field.data)
    return pymarc.Field(tag=field.tag, indicators=pymarc.Indicators(*indicators(field)), subfields=list(field.subfields))


def copy_fields(fields: Iterable[pymarc.Field]) -> list[pymarc.Field]:
    return [copy_field(f) for f in fields]


def copy_record(record: pymarc.Record) -> pymarc.Record:
    """The record with its leader and a copy of every field (UTF-8, as the sandbox keeps them)."""
    copy = pymarc.Record(leader=str(record.leader), force_utf8=True)
    copy.fields = copy_fields(record.fields)
    return copy
