"""What the index reads from a MARC 21 record: the fields of each index, holdings, sort text.

Which fields feed which index (MARC 21 Format for Bibliographic Data):

    title       130 240 245 246 730 740 490 ($a $b $n $p; 245 $c is a statement of
                responsibility, not title)
    author      100 110 111 700 710 711 ($a $b $c $q; 111/711 $n as well)
    subject     600-699, every subfield except the control subfields $0 $1 $2 $3 $5 $6 $8 $9
    isbn        020 $a, normalised (hyphens gone, ISBN-10 as ISBN-13)
    identifier  001, 035 $a
    library     852 $a (the owning library of each holding)
    any         all of the above, and 250 260/264 $a $b 490 5XX $a

Title sorting skips the non-filing characters that 245 indicator 2 counts ("The ", "Det ").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pymarc

from harness.sandbox.search.text import normalise_isbn

_TITLE_TAGS = {"130": "anp", "240": "anp", "245": "abnp", "246": "abnp", "730": "anp", "740": "anp", "490": "a"}
_AUTHOR_TAGS = {"100": "abcq", "110": "abc", "111": "acnq", "700": "abcq", "710": "abc", "711": "acnq"}
_SUBJECT_SKIP = set("012345689")
_EXTRA_ANY = {"250": "a", "260": "ab", "264": "ab", "500": "a", "505": "a", "520": "a"}


@dataclass(frozen=True, slots=True)
class Holding:
    """One copy: its owning library (852 $a) and barcode (852 $p)."""

    library: str
    barcode: str


def _subfields(field: pymarc.Field, codes: str) -> str:
    return " ".join(s.value for s in field.subfields if s.code in codes)


def fields_by_index(record: pymarc.Record) -> dict[str, list[str]]:
    """The raw text of each field, per index (not folded: the index folds)."""
    out: dict[str, list[str]] = {"title": [], "author": [], "subject": [], "isbn": [], "identifier": [], "library": [], "any": []}
    for field in record.fields:
        tag = field.tag
        if field.is_control_field():
            if tag == "001" and field.data:
                out["identifier"].append(field.data.strip())
            continue
        if tag in _TITLE_TAGS:
            out["title"].append(_subfields(field, _TITLE_TAGS[tag]))
        elif tag in _AUTHOR_TAGS:
            out["author"].append(_subfields(field, _AUTHOR_TAGS[tag]))
        elif tag.startswith("6"):
            out["subject"].append(" ".join(s.value for s in field.subfields if s.code not in _SUBJECT_SKIP))
        elif tag == "020":
            out["isbn"].extend(normalise_isbn(v) for v in field.get_subfields("a"))
        elif tag == "035":
            out["identifier"].extend(v.strip() for v in field.get_subfields("a"))
        elif tag == "852":
            out["library"].extend(v.strip() for v in field.get_subfields("a"))
        elif tag in _EXTRA_ANY:
            out["any"].append(_subfields(field, _EXTRA_ANY[tag]))
    for index in ("title", "author", "subject", "isbn", "identifier"):
        out["any"].extend(out[index])
    return out


def holdings(record: pymarc.Record) -> Iterator[Holding]:
    for field in record.get_fields("852"):
        owners = field.get_subfields("a")
        owner = owners[0] if owners else ""
        for barcode in field.get_subfields("p"):
            yield Holding(owner, barcode)


def sort_texts(record: pymarc.Record) -> dict[str, str]:
    """The text each sortable index sorts by: the first title (non-filing part skipped),
    the first main or added entry, the control number."""
    texts = {"title": "", "author": "", "identifier": ""}
    for field in record.get_fields("245"):
        title = _subfields(field, "abnp")
        indicators = list(field.indicators or ())
        skip = int(indicators[1]) if len(indicators) > 1 and str(indicators[1]).isdigit() else 0
        texts["title"] = title[skip:]
        break
    for field in record.get_fields("100", "110", "111", "700", "710", "711"):
        texts["author"] = _subfields(field, "a")
        break
    numbers = record.get_fields("001")
    texts["identifier"] = numbers[0].data or "" if numbers else ""
    return texts
