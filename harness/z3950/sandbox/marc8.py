"""Unicode to MARC-8, losslessly: what the sandbox sends when an origin negotiates MARC-8.

MARC 21 Specifications, Character Sets, Part 1 (MARC-8 Encoding Environment): Basic Latin
(ASCII) in G0 and the Extended Latin set ANSEL in G1, combining diacritics written *before*
the letter they modify. Characters MARC-8 does not have (ŋ U+014B, ŧ U+0167, ...) follow the
specification's lossless conversion, Part 4 "Unicode to MARC-8: Numeric Character
References": ``&#x014B;``. So č (c + háček, ANSEL E9) survives, and ŋ comes back as a
reference a reader can decode, where YAZ's conversion drops both (research: measured).

The ANSEL table is pymarc's (``pymarc.marc8_mapping``, from the Library of Congress's code
tables), read in the other direction; the harness's checks decode with pymarc's decoder.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping

import pymarc
from pymarc.marc8_mapping import CODESETS

_ANSEL = 0x45
_NOT_CHARACTERS = frozenset({0x88, 0x89, 0x8D, 0x8E})  # ANSEL's non-sort markers and joiners: not text


@functools.cache
def _ansel() -> Mapping[int, int]:
    """Unicode code point -> ANSEL byte (G1)."""
    return {point: byte for byte, (point, _) in CODESETS[_ANSEL].items() if byte not in _NOT_CHARACTERS}


def to_marc8(text: str) -> bytes:
    """``text`` in MARC-8 (G0 ASCII, G1 ANSEL), diacritics first, the rest as NCRs."""
    ansel = _ansel()
    letters: list[tuple[str, list[str]]] = []  # each letter with the combining marks after it
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and letters:
            letters[-1][1].append(char)
        else:
            letters.append((char, []))
    out = bytearray()
    for base, marks in letters:
        encoded = [_one(mark, ansel) for mark in marks]
        out += b"".join(e for e in encoded if not e.startswith(b"&#x"))  # MARC-8: diacritics first
        out += _one(base, ansel)
        out += b"".join(e for e in encoded if e.startswith(b"&#x"))  # a mark MARC-8 lacks: after it
    return bytes(out)


def _one(char: str, ansel: Mapping[int, int]) -> bytes:
    point = ord(char)
    if point < 0x7F:
        return bytes([point])
    if point in ansel:
        return bytes([ansel[point]])
    return f"&#x{point:04X};".encode("ascii")


def marc8_record(record: pymarc.Record) -> pymarc.Record:
    """A copy of ``record`` whose values are MARC-8 bytes (held as Latin-1 text, one char a
    byte, so an ISO 2709 writer given ``encoding="latin-1"`` writes them unchanged)."""
    copy = pymarc.Record(leader=str(record.leader), force_utf8=True)
    fields = []
    for field in record.fields:
        if field.is_control_field():
            fields.append(pymarc.Field(tag=field.tag, data=to_marc8(field.data or "").decode("latin-1")))
            continue
        fields.append(pymarc.Field(tag=field.tag, indicators=field.indicators, subfields=[
            pymarc.Subfield(s.code, to_marc8(s.value).decode("latin-1")) for s in field.subfields]))
    copy.fields = fields
    return copy
