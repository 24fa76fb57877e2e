"""A sandbox view's copy of a record is its own: changing it leaves the consortium's record as it was."""

from __future__ import annotations

import pymarc

from harness.sandbox.records import copy_record, indicators


def _record() -> pymarc.Record:
    record = pymarc.Record(force_utf8=True)
    record.add_field(pymarc.Field("001", data="r1"),
                     pymarc.Field("852", indicators=pymarc.Indicators("0", "1"),
                                  subfields=[pymarc.Subfield("a", "NO-1"), pymarc.Subfield("p", "b1")]))
    return record


def test_a_copy_is_equal_and_independent() -> None:
    record = _record()
    copy = copy_record(record)
    assert copy.as_marc() == record.as_marc() and str(copy.leader) == str(record.leader)
    holding = copy.get_fields("852")[0]
    holding.add_subfield("z", "Utlånt til Kari")
    holding.indicators = pymarc.Indicators(" ", " ")
    copy.get_fields("001")[0].data = "changed"
    copy.remove_field(holding)
    assert record.get_fields("852")[0].subfields == [pymarc.Subfield("a", "NO-1"), pymarc.Subfield("p", "b1")]
    assert indicators(record.get_fields("852")[0]) == ("0", "1") and record.get_fields("001")[0].data == "r1"


def test_missing_indicators_read_as_blank() -> None:
    field = pymarc.Field("852", subfields=[pymarc.Subfield("a", "x")])
    field.indicators = None  # type: ignore[assignment]
    assert indicators(field) == (" ", " ")
