"""Content designation checks: the second layer, after structure, all WARN.

Structure (:mod:`harness.marc.iso2709`) asks "can a reader take this record apart?"; this
module asks "is what it holds MARC 21 Bibliographic?": defined tags, repeatable fields and
subfields, indicator values and subfield codes per field (:mod:`harness.marc.bibliographic`),
the 008's length for the kind of record, 880/$6 linkage both ways, and 020 ISBN check
digits. Every finding is a WARN: a system may have reasons (local practice, older records),
and procurement judges conformance on structure. Each problem names its field's page of the
format as the clause. Records with a structural FAIL are not judged here.

The level is MARC::Lint's (the oracle in tests/oracles/test_marc_content_oracle.py); its
AACR2 punctuation advice and its code lists (041, 043) are deliberately not copied.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from harness.marc.bibliographic import FIELDS, FORMAT, FieldSpec, is_local
from harness.rules import Position, Problem, Rule, Severity, rule_table

WARN = Severity.WARN
_SPEC = "MARC 21 Specifications for Record Structure, Character Sets, and Exchange Media"
_APPENDIX_A = f"{FORMAT}, Appendix A: Control Subfields, $6 Linkage (https://www.loc.gov/marc/bibliographic/ecbdcntf.html)"

CONTENT_RULES: Mapping[str, Rule] = rule_table((
    Rule("content-tag-undefined", WARN, f"{FORMAT}: the fields it defines; 09X, 59X, 69X and 9XX are local",
         "a numeric tag MARC 21 Bibliographic does not define (obsolete, or a typing error)"),
    Rule("content-field-not-repeatable", WARN, f"{FORMAT}: each field's (NR) repeatability",
         "a non-repeatable field occurs more than once"),
    Rule("content-one-main-entry", WARN, f"{FORMAT}, 1XX Main Entry Fields: a record has at most one 1XX (https://www.loc.gov/marc/bibliographic/bd1xx.html)",
         "more than one 1XX main entry"),
    Rule("content-title-missing", WARN, f"{FORMAT}, 245 Title Statement (https://www.loc.gov/marc/bibliographic/bd245.html)",
         "a bibliographic record without a 245"),
    Rule("content-indicator-undefined", WARN, f"{FORMAT}: each field's indicator values",
         "an indicator value the field does not define"),
    Rule("content-subfield-undefined", WARN, f"{FORMAT}: each field's subfield codes",
         "a subfield code the field does not define"),
    Rule("content-subfield-not-repeatable", WARN, f"{FORMAT}: each subfield's (NR) repeatability",
         "a non-repeatable subfield occurs more than once in a field"),
    Rule("content-control-character", WARN, f"{_SPEC}, Character Sets: control characters other than the delimiters and terminators (and MARC-8's escape) are not data",
         "a tab, CR, LF or other C0 control character in subfield data"),
    Rule("content-008-length", WARN, f"{FORMAT}, 008 Fixed-Length Data Elements: 40 positions (00-39) for every kind of material; "
         "MARC 21 Format for Holdings Data, 008: 32 positions; MARC 21 Format for Classification Data, 008: 14 positions",
         "an 008 whose length is not the one its kind of record (leader/06) has"),
    Rule("content-880-linkage", WARN, _APPENDIX_A, "an 880 or a linked field whose $6 has no partner, is malformed or is not first"),
    Rule("content-isbn", WARN, f"{FORMAT}, 020 $a International Standard Book Number (https://www.loc.gov/marc/bibliographic/bd020.html); "
         "ISO 2108: the check digit (ISBN-10 modulus 11, ISBN-13 modulus 10)",
         "an ISBN in 020 $a whose length or check digit is wrong"),
))

BIBLIOGRAPHIC_TYPES = frozenset("acdefgijkmoprt")  # leader/06
HOLDINGS_TYPES = frozenset("uvxy")
_008_LENGTH = {**{t: 40 for t in BIBLIOGRAPHIC_TYPES}, **{t: 32 for t in HOLDINGS_TYPES}, "z": 40, "q": 40, "w": 14}
_LINKAGE = re.compile(r"(\d{3})-(\d{2,})(?:\s*/.*)?$")  # tag-occurrence[/script[/r]]; LC data has "245-01 /" too
_ISBN = re.compile(r"[0-9Xx-]+")
_CONTROL = re.compile(r"[\x00-\x1a\x1c-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class ContentField:
    """One field as the content checks see it: a tag, then data (00X) or indicators and subfields."""

    tag: str
    indicators: str = ""
    subfields: tuple[tuple[str, str], ...] = ()
    data: str = ""
    at: int = 0  # where the field is (byte offset or source line), for the problem's position

    @property
    def control(self) -> bool:
        return self.tag[:2] == "00"

    def values(self, code: str) -> list[str]:
        return [value for c, value in self.subfields if c == code]


@dataclass(frozen=True, slots=True)
class ContentRecord:
    leader: str
    fields: tuple[ContentField, ...]
    index: int = 0
    at: int = 0
    unit: str = "byte"

    @property
    def control_number(self) -> str:
        return next((f.data.strip() for f in self.fields if f.tag == "001"), "")


def check_content(record: ContentRecord) -> list[Problem]:
    """Every content warning on one record."""
    found = _Findings(record)
    kind = record.leader[6:7]
    for field in record.fields:
        if field.tag == "008":
            _check_008(field, kind, found)
    if kind not in BIBLIOGRAPHIC_TYPES:
        return found.problems
    seen: Counter[str] = Counter()
    for field in record.fields:
        _check_field(field, seen, found)
    main_entries = sum(n for tag, n in seen.items() if tag[0] == "1" and len(tag) == 3)
    if main_entries > 1:
        found.add("content-one-main-entry", None, f"{main_entries} 1XX fields: a record has one main entry at most")
    if not seen["245"]:
        found.add("content-title-missing", None, "no 245 Title Statement")
    _check_linkage(record.fields, found)
    return found.problems


class _Findings:
    def __init__(self, record: ContentRecord) -> None:
        self.record = record
        self.problems: list[Problem] = []

    def add(self, rule_id: str, spec: FieldSpec | None, message: str, field: ContentField | None = None) -> None:
        rule = CONTENT_RULES[rule_id]
        if spec is not None and rule_id not in ("content-880-linkage", "content-isbn"):
            rule = dataclasses.replace(rule, clause=spec.clause)  # the field's own page of the format
        record = self.record
        at = field.at if field is not None else record.at
        self.problems.append(Problem(rule, message, Position(at, record.unit, record.index, record.control_number)))


def _check_008(field: ContentField, kind: str, found: _Findings) -> None:
    want = _008_LENGTH.get(kind)
    if want is not None and len(field.data) != want:
        what = "holdings" if kind in HOLDINGS_TYPES else f"leader/06 '{kind}'"
        found.add("content-008-length", FIELDS["008"] if want == 40 else None,
                  f"008 is {len(field.data)} characters; a {what} record's 008 has {want}", field)


def _check_field(field: ContentField, seen: Counter[str], found: _Findings) -> None:
    tag = field.tag
    if not tag.isdigit() or is_local(tag):
        return  # alphabetic tags are a structural WARN already; local fields are the library's own
    if tag == "880":
        linked = field.values("6")[:1]
        tag = linked[0][:3] if linked else ""
        if not (tag.isdigit() and tag in FIELDS) or is_local(tag):
            if not linked:
                found.add("content-880-linkage", None, "880 without a $6: it links to nothing", field)
            return
        seen_key = f"880.{tag}"
    else:
        seen_key = tag
    spec = FIELDS.get(tag)
    if spec is None:
        found.add("content-tag-undefined", None, f"field {tag} is not defined in MARC 21 Bibliographic "
                  "(an obsolete field, or a typing error)", field)
        return
    label = tag if seen_key == tag else f"880 (for {tag})"
    seen[seen_key] += 1
    if seen[seen_key] == 2 and not spec.repeatable:
        found.add("content-field-not-repeatable", spec, f"{label} ({spec.name}) occurs more than once; it is not repeatable", field)
    if field.control:
        return
    for position, allowed, value in ((1, spec.ind1, field.indicators[:1]), (2, spec.ind2, field.indicators[1:2])):
        if allowed is not None and value not in allowed:
            found.add("content-indicator-undefined", spec, f"{label} indicator {position} is {value!r}; "
                      f"{spec.name} allows {_listed(allowed)}", field)
    _check_codes(field, spec, label, found)
    if tag == "020" and seen_key == tag:
        for value in field.values("a"):
            _check_isbn(value, field, found)


def _check_codes(field: ContentField, spec: FieldSpec, label: str, found: _Findings) -> None:
    codes: Counter[str] = Counter()
    for code, value in field.subfields:
        codes[code] += 1
        if _CONTROL.search(value):
            found.add("content-control-character", spec, f"{label} ${code} holds a control character: "
                      f"{_CONTROL.search(value)[0]!r}", field)  # type: ignore[index]
        if spec.subfields is None:
            continue
        if code not in spec.subfields:
            found.add("content-subfield-undefined", spec, f"{label} has ${code}, which {spec.name} does not define", field)
        elif codes[code] == 2 and not spec.subfields[code]:
            found.add("content-subfield-not-repeatable", spec, f"{label} repeats ${code}, which is not repeatable", field)


def _listed(values: frozenset[str]) -> str:
    return ", ".join("blank" if v == " " else v for v in sorted(values))


def _check_isbn(value: str, field: ContentField, found: _Findings) -> None:
    match = _ISBN.match(value)
    digits = (match[0] if match else "").replace("-", "").upper()
    if len(digits) == 10 and digits[:9].isdigit():
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        if total % 11:
            found.add("content-isbn", None, f"020 $a {value!r}: the ISBN-10 check digit is wrong", field)
    elif len(digits) == 13 and digits.isdigit():
        if sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(digits)) % 10:
            found.add("content-isbn", None, f"020 $a {value!r}: the ISBN-13 check digit is wrong", field)
    else:
        found.add("content-isbn", None, f"020 $a {value!r} does not start with a 10- or 13-digit ISBN", field)


def _check_linkage(fields: Sequence[ContentField], found: _Findings) -> None:
    """$6 both ways: a field's '880-NN' has an 880 '<tag>-NN', and each 880 its partner."""
    regular: dict[tuple[str, str], ContentField] = {}
    alternate: dict[tuple[str, str], ContentField] = {}
    for field in fields:
        links = field.values("6")
        if field.control or not links:
            continue
        if field.subfields[0][0] != "6":
            found.add("content-880-linkage", None, f"{field.tag} has $6 but not as its first subfield", field)
        match = _LINKAGE.match(links[0])
        if match is None:
            found.add("content-880-linkage", None, f"{field.tag} $6 {links[0]!r} is not 'tag-occurrence[/script[/r]]'", field)
            continue
        linked, occurrence = match[1], match[2]
        if field.tag == "880":
            if occurrence.strip("0"):
                alternate[(linked, occurrence)] = field
        elif linked == "880":
            regular[(field.tag, occurrence)] = field
    for (tag, occurrence), field in regular.items():
        if (tag, occurrence) not in alternate:
            found.add("content-880-linkage", None, f"{tag} $6 880-{occurrence} has no 880 with $6 {tag}-{occurrence}", field)
    for (tag, occurrence), field in alternate.items():
        if (tag, occurrence) not in regular:
            found.add("content-880-linkage", None, f"880 $6 {tag}-{occurrence} has no {tag} with $6 880-{occurrence}", field)


# --- building content records -----------------------------------------------------------------


def from_iso2709(data: bytes, index: int = 0, offset: int = 0) -> ContentRecord:
    """A structurally sound ISO 2709 record, taken apart for the content checks."""
    encoding = "utf-8" if data[9:10] == b"a" else "latin-1"  # MARC-8 text is not judged, only codes
    base = int(data[12:17])
    fields = []
    for at in range(24, base - 1, 12):
        tag = data[at : at + 3].decode("ascii", "replace")
        length, start = int(data[at + 3 : at + 7]), base + int(data[at + 7 : at + 12])
        body = data[start : start + length - 1].decode(encoding, "replace")
        fields.append(_field(tag, body, offset + start))
    return ContentRecord(data[:24].decode("ascii", "replace"), tuple(fields), index, offset)


def _field(tag: str, body: str, at: int) -> ContentField:
    if tag[:2] == "00":
        return ContentField(tag, data=body, at=at)
    pieces = body.split("\x1f")
    subfields = tuple((piece[:1], piece[1:]) for piece in pieces[1:])
    return ContentField(tag, pieces[0][:2], subfields, at=at)
