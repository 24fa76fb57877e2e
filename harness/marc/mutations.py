"""What real systems were seen doing to records on import or export, as record transforms.

The sandbox's MARC defects (harness/marc/defects.py) apply these to stored records or to an
export's copies; tests/unit/test_round_trip_changes.py proves each one shows in MARC-02's
diff on the round-trip test records without the sandbox. Each changes a pymarc record in
place and touches only data fields unless it says otherwise: control fields (008 above all)
have fixed positions where spaces and zeros are data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

import pymarc

Mutation = Callable[[pymarc.Record], None]

NOTE_LIMIT = 2_000  # bytes: the note column of the system that cuts notes (marc-truncate-notes)
COMMON_INDICATORS = frozenset(" 01")  # what a system that blanks "rare" indicators keeps
SERIAL_HOLDINGS_TAGS = ("853", "854", "855", "863", "864", "865", "866", "867", "868")
# Script identification codes of $6 (MARC 21 Appendix A) written right to left: Hebrew, Arabic.
RTL_SCRIPTS = ("(2", "(3")
_XML_SPACE = re.compile(r"[ \t\r\n]+")  # XML 1.0 S production: what normalize-space() folds
_NUMBER = re.compile(r"^0+(?=\d[\d.]*$)")  # a value that is a number: "00839.82"


def data_fields(record: pymarc.Record) -> list[pymarc.Field]:
    return [f for f in record.fields if not f.is_control_field()]


def map_values(record: pymarc.Record, transform: Callable[[str], str]) -> None:
    """Apply ``transform`` to every subfield value of every data field."""
    for field in data_fields(record):
        field.subfields = [pymarc.Subfield(s.code, transform(s.value)) for s in field.subfields]


def map_control_too(record: pymarc.Record, transform: Callable[[str], str]) -> None:
    """As map_values, and control fields' data too (for Unicode normalisation, where 008 is ASCII)."""
    for field in record.fields:
        if field.is_control_field():
            field.data = transform(field.data or "")
    map_values(record, transform)


def sort_subfields(record: pymarc.Record) -> None:
    for field in data_fields(record):
        field.subfields = sorted(field.subfields, key=lambda s: s.code)


def merge_repeated_subfields(record: pymarc.Record) -> None:
    for field in data_fields(record):
        merged: dict[str, int] = {}
        subfields: list[pymarc.Subfield] = []
        for sub in field.subfields:
            if sub.code in merged:
                first = subfields[merged[sub.code]]
                subfields[merged[sub.code]] = pymarc.Subfield(sub.code, f"{first.value} {sub.value}")
            else:
                merged[sub.code] = len(subfields)
                subfields.append(sub)
        field.subfields = subfields


def move_6_first(record: pymarc.Record) -> None:
    for field in data_fields(record):
        field.subfields = sorted(field.subfields, key=lambda s: s.code != "6")


def reverse_rtl(record: pymarc.Record) -> None:
    """Right-to-left 880 text stored in visual order: each value but $6 reversed."""
    for field in record.get_fields("880"):
        link = next(iter(field.get_subfields("6")), "")
        if any(script in link for script in RTL_SCRIPTS) or link.endswith("/r"):
            field.subfields = [s if s.code == "6" else pymarc.Subfield(s.code, s.value[::-1]) for s in field.subfields]


def blank_rare_indicators(record: pymarc.Record) -> None:
    for field in data_fields(record):
        ind1, ind2 = (i if i in COMMON_INDICATORS else " " for i in (field.indicator1, field.indicator2))
        field.indicators = pymarc.Indicators(ind1, ind2)


def drop_fields(record: pymarc.Record, keep: Callable[[pymarc.Field], bool]) -> None:
    record.fields = [f for f in record.fields if keep(f)]


def drop_9xx(record: pymarc.Record) -> None:
    drop_fields(record, lambda f: not (f.tag.isdigit() and f.tag.startswith("9")))


def drop_alphabetic_tags(record: pymarc.Record) -> None:
    drop_fields(record, lambda f: f.tag.isdigit())


def upcase_tags(record: pymarc.Record) -> None:
    for field in record.fields:
        field.tag = field.tag.upper()


def drop_subfield(code: str) -> Mutation:
    def change(record: pymarc.Record) -> None:
        for field in data_fields(record):
            field.subfields = [s for s in field.subfields if s.code != code]
    return change


def truncate_utf8(text: str, limit: int) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def truncate_notes(record: pymarc.Record) -> None:
    for field in data_fields(record):
        if field.tag.startswith("5"):
            field.subfields = [pymarc.Subfield(s.code, truncate_utf8(s.value, NOTE_LIMIT)) for s in field.subfields]


def unescape_urls(record: pymarc.Record) -> None:
    for field in record.get_fields("856"):
        field.subfields = [pymarc.Subfield(s.code, unquote(s.value) if s.code == "u" else s.value) for s in field.subfields]


def collapse_spaces(record: pymarc.Record) -> None:
    map_values(record, lambda v: re.sub(" {2,}", " ", v))


def trim_values(record: pymarc.Record) -> None:
    map_values(record, lambda v: v.strip(" "))


def normalize_space(record: pymarc.Record) -> None:
    """XPath normalize-space(): XML whitespace (not NBSP) collapsed to one space and trimmed."""
    map_values(record, lambda v: _XML_SPACE.sub(" ", v).strip(" \t\r\n"))


def strip_leading_zeros(record: pymarc.Record) -> None:
    map_values(record, lambda v: _NUMBER.sub("", v, count=1))


def replace_text(old: str, new: str) -> Mutation:
    def change(record: pymarc.Record) -> None:
        map_values(record, lambda v: v.replace(old, new))
    return change


def drop_serial_holdings(record: pymarc.Record) -> None:
    drop_fields(record, lambda f: f.tag not in SERIAL_HOLDINGS_TAGS)


def one_copy_per_library(record: pymarc.Record, tag: str = "852", code: str = "a") -> None:
    seen: set[str] = set()

    def first_of_library(field: pymarc.Field) -> bool:
        if field.tag != tag:
            return True
        library = next(iter(field.get_subfields(code)), "")
        keep = library not in seen
        seen.add(library)
        return keep

    drop_fields(record, first_of_library)


def reset_leader(record: pymarc.Record) -> None:
    """Leader/17 blank (full level) and /18 'a' (AACR 2), whatever the record said."""
    leader = str(record.leader)
    record.leader = pymarc.Leader(leader[:17] + " a" + leader[19:])
