"""The consortium's MARC records as OAI-PMH items: oai_dc mapping, sets, MARCXML.

The Dublin Core mapping follows the Library of Congress "MARC to Dublin Core Crosswalk"
(unqualified), kept to what the consortium's records carry:

    245 $a$b$n$p        title            (ISBD punctuation at the end removed)
    100/110/111 $a      creator          700/710/711 $a  contributor
    600-651 $a $x $y $z subject          ("a -- x -- z" as the crosswalk's "--" join)
    520 $a, 500 $a      description      264/260 $b      publisher
    264/260 $c          date             (else 008/07-10)
    leader/06           type             (DCMI Type Vocabulary)
    300 $a              format           (extent)
    020 $a, 022 $a      identifier       (urn:isbn:..., urn:issn:...; RFC 3187, RFC 3044)
    041 $a              language         (else 008/35-37; ISO 639-2, e.g. sme, fkv, nob)
    506 $a, 540 $a      rights

Text is copied as it is stored, byte for byte: Sámi and Kven letters are never normalised
(SPR-01 judges the letters a harvester receives).

Sets: every library holding a copy (852 $a) and its kind, with ':' hierarchy (§2.6):
``library``, ``library:NO-9900001``, ``kind``, ``kind:school``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import pymarc

from harness.marc.records import control_number
from harness.marc.writer import record_to_marcxml
from harness.oaipmh.repository import DublinCore, SetInfo, StoredItem

_ISBD_END = " /:;,.="
KIND_NAMES: Mapping[str, str] = {"public": "Folkebibliotek", "school": "Skolebibliotek", "bookbus": "Bokbuss"}
# leader/06 type of record -> DCMI Type Vocabulary (LC crosswalk, "Type")
_TYPES: Mapping[str, str] = {
    "a": "Text", "t": "Text", "c": "Text", "d": "Text", "e": "Image", "f": "Image", "g": "MovingImage",
    "k": "StillImage", "i": "Sound", "j": "Sound", "m": "Software", "o": "Collection", "p": "Collection",
    "r": "PhysicalObject",
}


def _values(record: pymarc.Record, tags: Iterable[str], codes: str) -> list[str]:
    found = []
    for field in record.get_fields(*tags):
        parts = [s.value for s in field.subfields if s.code in codes]
        if parts:
            found.append(" ".join(parts))
    return found


def _strip(value: str) -> str:
    return value.rstrip(_ISBD_END).strip()


def _title(record: pymarc.Record) -> list[str]:
    return [_strip(v) for v in _values(record, ("245",), "abnp")]


def _subjects(record: pymarc.Record) -> list[str]:
    subjects = []
    for field in record.get_fields("600", "610", "611", "630", "650", "651"):
        parts = [_strip(s.value) for s in field.subfields if s.code in "axyz"]
        if parts:
            subjects.append(" -- ".join(parts))
    return subjects


def _control(record: pymarc.Record, tag: str) -> str:
    fields = record.get_fields(tag)
    return (fields[0].data or "") if fields else ""


def _dates(record: pymarc.Record) -> list[str]:
    dates = [_strip(v) for v in _values(record, ("264", "260"), "c")]
    year = _control(record, "008")[7:11]
    return dates or ([year] if year.strip().isdigit() else [])


def _languages(record: pymarc.Record) -> list[str]:
    codes = [s for f in record.get_fields("041") for s in f.get_subfields("a")]
    fixed = _control(record, "008")[35:38]
    return codes or ([fixed] if fixed.strip() else [])


def _identifiers(record: pymarc.Record) -> list[str]:
    isbns = [f"urn:isbn:{v.split()[0]}" for v in _values(record, ("020",), "a") if v.strip()]
    issns = [f"urn:issn:{v.split()[0]}" for v in _values(record, ("022",), "a") if v.strip()]
    return isbns + issns


def dublin_core(record: pymarc.Record) -> DublinCore:
    """The record as unqualified Dublin Core (element, value) pairs, in the 15-element order."""
    record_type = _TYPES.get(str(record.leader)[6:7], "")
    elements: list[tuple[str, list[str]]] = [
        ("title", _title(record)),
        ("creator", [_strip(v) for v in _values(record, ("100", "110", "111"), "a")]),
        ("subject", _subjects(record)),
        ("description", _values(record, ("520", "500"), "a")),
        ("publisher", [_strip(v) for v in _values(record, ("264", "260"), "b")]),
        ("contributor", [_strip(v) for v in _values(record, ("700", "710", "711"), "a")]),
        ("date", _dates(record)),
        ("type", [record_type] if record_type else []),
        ("format", [_strip(v) for v in _values(record, ("300",), "a")]),
        ("identifier", _identifiers(record)),
        ("language", _languages(record)),
        ("rights", _values(record, ("506", "540"), "a")),
    ]
    return tuple((name, value) for name, values in elements for value in values if value)


def holding_libraries(record: pymarc.Record) -> list[str]:
    """852 $a of every holding, in catalogue order, each library once."""
    seen: dict[str, None] = {}
    for field in record.get_fields("852"):
        for number in field.get_subfields("a"):
            seen.setdefault(number, None)
    return list(seen)


def set_specs(record: pymarc.Record, kinds: Mapping[str, str]) -> tuple[str, ...]:
    """The sets a record is in, parents included; ``kinds`` maps library number to kind."""
    libraries = holding_libraries(record)
    specs = [f"library:{n}" for n in libraries]
    kind_specs = sorted({f"kind:{kinds[n]}" for n in libraries if n in kinds})
    return tuple((["library"] if specs else []) + specs + (["kind"] if kind_specs else []) + kind_specs)


def consortium_sets(libraries: Sequence[tuple[str, str, str]]) -> tuple[SetInfo, ...]:
    """Sets for (number, name, kind) triples: ``library`` and ``kind`` with their children."""
    kinds = sorted({kind for _, _, kind in libraries})
    return (
        SetInfo("library", "Bibliotek i konsortiet"),
        *(SetInfo(f"library:{number}", name) for number, name, _ in libraries),
        SetInfo("kind", "Bibliotekstype"),
        *(SetInfo(f"kind:{kind}", KIND_NAMES.get(kind, kind)) for kind in kinds),
    )


def catalogue_item(record: pymarc.Record, identifier: str, datestamp: datetime, kinds: Mapping[str, str],
                   deleted: bool = False) -> StoredItem:
    """One catalogue record as an item with both renderings made (None when deleted)."""
    return StoredItem(
        identifier=identifier, datestamp=datestamp, deleted=deleted, set_specs=set_specs(record, kinds),
        marc=None if deleted else record_to_marcxml(record),
        dc=None if deleted else dublin_core(record),
    )


def oai_identifier(record: pymarc.Record, repository_identifier: str) -> str:
    """``oai:<repositoryIdentifier>:<001>`` (the oai-identifier scheme of the implementation
    guidelines); a record without 001 cannot be an item."""
    number = control_number(record)
    if not number:
        raise ValueError("a record without 001 has no OAI identifier")
    return f"oai:{repository_identifier}:{number}"
