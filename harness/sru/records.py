"""Reading the MARCXML records an SRU target returns, leniently: the checks' view of them.

A record is read whatever its namespace (a record in no namespace is the MARC 21 slim
check's to report) into a :class:`pymarc.Record`; holdings and item status are read where the
profile says the target puts them (``[sru] holdings_tag`` ..., ``status_tag`` ...), and a
copy's status means what the profile's value lists say (:func:`read_status`), nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pymarc

from harness.marc.reader import iter_marcxml
from harness.sru.model import Record
from harness.sru.settings import SruSettings


def as_marc(record: Record) -> pymarc.Record | None:
    """The record as pymarc reads it; None for a surrogate diagnostic or data that is not XML."""
    if record.diagnostic is not None:
        return None
    data = record.data
    if not data:
        return None
    found = next(iter_marcxml(data), None)
    return found.record if found is not None else None


def marc_records(records: Iterable[Record]) -> Iterator[pymarc.Record]:
    for record in records:
        marc = as_marc(record)
        if marc is not None:
            yield marc


def control_number(record: pymarc.Record) -> str:
    fields = record.get_fields("001")
    return (fields[0].data or "").strip() if fields else ""


def isbns(record: pymarc.Record) -> list[str]:
    return [v.replace("-", "").strip() for f in record.get_fields("020") for v in f.get_subfields("a")]


@dataclass(frozen=True, slots=True)
class Copy:
    library: str  # the owning library as the record names it ("" when it does not)
    barcode: str
    status: str = ""  # the status the target gives, where it declares one


def holdings(record: pymarc.Record, settings: SruSettings) -> list[tuple[str, ...]]:
    """The owning libraries each holding field names (an empty tuple: it names none)."""
    return [tuple(f.get_subfields(settings.holdings_library_subfield)) for f in record.get_fields(settings.holdings_tag)]


def copies(record: pymarc.Record, settings: SruSettings) -> list[Copy]:
    """Every copy with its status: from ``status_tag`` where declared, else from the holdings."""
    statuses: dict[str, str] = {}
    if settings.status_tag:
        for field in record.get_fields(settings.status_tag):
            for barcode in field.get_subfields(settings.status_barcode_subfield):
                statuses[barcode] = " ".join(field.get_subfields(settings.status_subfield))
    found = []
    for field in record.get_fields(settings.holdings_tag):
        owners = field.get_subfields(settings.holdings_library_subfield)
        for barcode in field.get_subfields(settings.item_barcode_subfield):
            found.append(Copy(owners[0] if owners else "", barcode, statuses.get(barcode, "")))
    return found


ON_LOAN, IN_TRANSIT, AVAILABLE = "on loan", "in transit", "available"
NOT_ON_LOAN = "not on loan"  # the profile names no available_values: read as available, said as what it is
UNDECLARED = "undeclared"  # the profile names available_values, and this status is in none of the lists
NO_STATUS = "no status"  # the copy has no status, or the profile declares none


@dataclass(frozen=True, slots=True)
class Status:
    """A copy's status as the record gives it (``text``) and what the profile says it means (``kind``)."""

    kind: str
    text: str = ""

    @property
    def available(self) -> bool:
        """On the shelf: a declared available value, or (no available_values) neither on loan nor in transit."""
        return self.kind in (AVAILABLE, NOT_ON_LOAN)

    @property
    def undeclared(self) -> bool:
        return self.kind == UNDECLARED

    def describe(self) -> str:
        """The status in evidence words: never more than the record says."""
        if self.kind == NO_STATUS:
            return "no status"
        if self.kind == UNDECLARED:
            return f"undeclared status {self.text!r}"
        if self.text.strip().casefold() == self.kind:
            return self.kind
        return f"{self.kind} (status {self.text!r})"


def read_status(status: str, settings: SruSettings) -> Status:
    """What ``status`` means under the profile's ``on_loan_values``, ``in_transit_values`` and
    ``available_values`` (compared without case or surrounding space). A status in none of them
    is UNDECLARED when the profile gives ``available_values``, else NOT_ON_LOAN."""
    folded = status.strip().casefold()
    if not settings.declares_availability or not folded:
        return Status(NO_STATUS, status)
    for kind, values in ((ON_LOAN, settings.on_loan_values), (IN_TRANSIT, settings.in_transit_values),
                         (AVAILABLE, settings.available_values)):
        if folded in {v.strip().casefold() for v in values}:
            return Status(kind, status)
    return Status(UNDECLARED if settings.available_values else NOT_ON_LOAN, status)


def undeclared_reason(barcode: str, status: Status) -> str:
    """Why a check does not judge a copy whose status the profile does not name."""
    return (f"copy {barcode} has status {status.text!r}, which [sru] available_values, on_loan_values and "
            f"in_transit_values do not name; add it to the list it belongs in")


def title(record: pymarc.Record) -> str:
    return " ".join(s for f in record.get_fields("245") for s in f.get_subfields("a"))
