"""A copy's SRU status means what the profile's value lists say, and evidence says no more.

With ``available_values`` a status in none of the lists is undeclared: neither available nor on
loan. Without it, anything not on loan or in transit is read as available but said as "not on
loan (status '...')", never "available"."""

from __future__ import annotations

import pytest

from harness.sru.records import (
    AVAILABLE,
    IN_TRANSIT,
    NO_STATUS,
    NOT_ON_LOAN,
    ON_LOAN,
    UNDECLARED,
    read_status,
    undeclared_reason,
)
from harness.sru.settings import SruSettings

URL = "http://127.0.0.1:1/sru"
DECLARED = SruSettings(URL, status_tag="876", on_loan_values=("Utlånt",), in_transit_values=("På vei",),
                       available_values=("Ledig", "På hylla"))
OPEN = SruSettings(URL, status_tag="876", on_loan_values=("Utlånt",), in_transit_values=("På vei",))


@pytest.mark.parametrize(("status", "kind", "words", "available"), [
    ("Utlånt", ON_LOAN, "on loan (status 'Utlånt')", False),
    (" utlånt ", ON_LOAN, "on loan (status ' utlånt ')", False),
    ("PÅ VEI", IN_TRANSIT, "in transit (status 'PÅ VEI')", False),
    ("på hylla", AVAILABLE, "available (status 'på hylla')", True),
    ("Reparasjon", UNDECLARED, "undeclared status 'Reparasjon'", False),
    ("", NO_STATUS, "no status", False),
    ("   ", NO_STATUS, "no status", False),
])
def test_with_available_values_an_unknown_status_is_undeclared(status: str, kind: str, words: str, available: bool) -> None:
    read = read_status(status, DECLARED)
    assert (read.kind, read.describe(), read.available, read.undeclared) == (kind, words, available, kind == UNDECLARED)


@pytest.mark.parametrize(("status", "kind", "words", "available"), [
    ("Utlånt", ON_LOAN, "on loan (status 'Utlånt')", False),
    ("på vei", IN_TRANSIT, "in transit (status 'på vei')", False),
    ("Reparasjon", NOT_ON_LOAN, "not on loan (status 'Reparasjon')", True),
    ("Ledig", NOT_ON_LOAN, "not on loan (status 'Ledig')", True),
    ("", NO_STATUS, "no status", False),
])
def test_without_available_values_anything_else_is_not_on_loan(status: str, kind: str, words: str, available: bool) -> None:
    read = read_status(status, OPEN)
    assert (read.kind, read.describe(), read.available, read.undeclared) == (kind, words, available, False)
    assert "available" not in read.describe()  # the evidence never says what the record does not


def test_a_status_said_as_the_kind_it_is_is_not_repeated() -> None:
    settings = SruSettings(URL, status_tag="876", on_loan_values=("on loan",), available_values=("available",))
    assert [read_status(s, settings).describe() for s in ("on loan", "Available")] == ["on loan", "available"]


def test_without_a_declared_status_nothing_is_read() -> None:
    assert read_status("Utlånt", SruSettings(URL)).kind == NO_STATUS


def test_the_reason_names_the_keys_to_fix() -> None:
    reason = undeclared_reason("03010001", read_status("Reparasjon", DECLARED))
    assert "03010001" in reason and "'Reparasjon'" in reason and "available_values" in reason
