"""A catalogue record as the sandbox's Z39.50 server sends it, in each record syntax it offers.

    USMARC  1.2.840.10003.5.10     ISO 2709 in UTF-8, leader/09 = a (MARC-8 when negotiated, /09 blank)
    XML     1.2.840.10003.5.109.10 MARCXML (MARC 21 slim), UTF-8; also 5.109.9 (application/xml)
    OPAC    1.2.840.10003.5.102    the USMARC record and, per 852, the library's holdings with
                                   circulation data per copy from the live loans (Appendix REC.5)
    SUTRS   1.2.840.10003.5.101    labelled lines of text

Element set names: ``F`` (full, the default) and ``B`` (brief: leader, 001, 008, 020, 1XX,
245, 250, 26X); ``marcxml`` is taken for XML, as zebrasrv names it. The stored record is never
changed: every rendering works on a copy. A :class:`Style` carries what the association
negotiated (MARC-8) and the defects that shape records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pymarc

from harness.marc.writer import encode_iso2709, record_to_marcxml
from harness.z3950 import oids
from harness.z3950.asn1 import encode
from harness.z3950.records import External
from harness.z3950.sandbox.marc8 import marc8_record, to_marc8

SYNTAXES = (oids.USMARC, oids.XML_TEXT, oids.XML_APPLICATION, oids.OPAC, oids.SUTRS)
ELEMENT_SETS = frozenset({"F", "B"})
XML_ELEMENT_SETS = frozenset({"F", "B", "marcxml"})
BRIEF_TAGS = frozenset({"001", "008", "020", "100", "110", "111", "245", "250", "260", "264"})
_SAMI_LETTERS = str.maketrans("", "", "čšžŋŧČŠŽŊŦ")  # what YAZ's UTF-8 to MARC-8 conversion drops


@dataclass(frozen=True, slots=True)
class Copy:
    """One copy as a catalogue user sees it: where, which, whether it is on the shelf."""

    library: str  # 852 $a, the owning library's number
    library_name: str
    barcode: str
    on_loan: bool | None  # None: the circulation system does not know the copy
    due: str = ""  # YYYYMMDD, when on loan
    shelving: str = ""  # 852 $b $c
    call_number: str = ""  # 852 $h
    borrower: str = ""  # set only under the borrower-in-opac defect


@dataclass(frozen=True, slots=True)
class Holding:
    """One 852: a library's holding of the title and its copies."""

    library: str
    library_name: str
    shelving: str
    call_number: str
    copies: tuple[Copy, ...]


@dataclass(frozen=True, slots=True)
class Style:
    """What shapes the records of one association: its character set and the defects."""

    marc8: bool = False  # MARC-8 negotiated with records in the selected character set
    leader09_blank: bool = False  # DEFECT z3950-leader-09-blank
    lose_sami_letters: bool = False  # DEFECT z3950-records-lose-sami-letters
    marc8_drops_sami: bool = False  # DEFECT z3950-marc8-drops-sami
    opac_holdings: bool = True  # DEFECT z3950-opac-without-holdings turns it off
    opac_library: bool = True  # DEFECT z3950-opac-holdings-without-library turns it off


def brief(record: pymarc.Record) -> pymarc.Record:
    view = pymarc.Record(leader=str(record.leader), force_utf8=True)
    view.fields = [f for f in record.fields if f.tag in BRIEF_TAGS]
    return view


def _map_values(record: pymarc.Record, change: Callable[[str], str]) -> pymarc.Record:
    view = pymarc.Record(leader=str(record.leader), force_utf8=True)
    view.fields = [f if f.is_control_field() else pymarc.Field(
        tag=f.tag, indicators=f.indicators, subfields=[pymarc.Subfield(s.code, change(s.value)) for s in f.subfields])
        for f in record.fields]
    return view


def usmarc(record: pymarc.Record, style: Style) -> bytes:
    """ISO 2709: UTF-8 with leader/09 a, or MARC-8 (leader/09 blank) when negotiated."""
    if style.marc8:
        if style.marc8_drops_sami:  # DEFECT z3950-marc8-drops-sami: as YAZ's conversion does
            record = _map_values(record, lambda v: v.translate(_SAMI_LETTERS))
        return encode_iso2709(marc8_record(record), leader09=" ", encoding="latin-1")
    if style.lose_sami_letters:  # DEFECT z3950-records-lose-sami-letters
        record = _map_values(record, lambda v: v.translate(_SAMI_LETTERS))
    return encode_iso2709(record, leader09=" " if style.leader09_blank else "a")  # DEFECT z3950-leader-09-blank


def marcxml(record: pymarc.Record) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + record_to_marcxml(record) + "\n").encode("utf-8")


def sutrs(record: pymarc.Record, holdings: tuple[Holding, ...], style: Style) -> bytes:
    lines = []
    for label, tags, codes in (("Title", ("245",), "abnp"), ("Author", ("100", "110", "700", "710"), "a"),
                               ("ISBN", ("020",), "a"), ("Subject", ("650", "651"), "a")):
        for f in record.get_fields(*tags):
            text = " ".join(s.value for s in f.subfields if s.code in codes)
            lines.append(f"{label}: {text}")
    for holding in holdings:
        for copy in holding.copies:
            state = "unknown" if copy.on_loan is None else "on loan" if copy.on_loan else "available"
            lines.append(f"Copy: {holding.library} {holding.library_name}, {copy.barcode}, {state}")
    text = "\n".join(lines) + "\n"
    return to_marc8(text) if style.marc8 else text.encode("utf-8")


def _text(value: str, style: Style) -> bytes:
    return to_marc8(value) if style.marc8 else value.encode("utf-8")


def _circulation(copy: Copy, style: Style) -> dict[str, Any]:
    circ: dict[str, Any] = {"availableNow": copy.on_loan is False, "itemId": _text(copy.barcode, style),
                            "renewable": False, "onHold": False}
    if copy.on_loan and copy.due:
        circ["availablityDate"] = _text(copy.due, style)  # sic: the ASN.1's spelling (Appendix REC.5)
    if copy.borrower:  # DEFECT z3950-borrower-in-opac
        circ["restrictions"] = _text(f"Utlånt til {copy.borrower}", style)
    return circ


def opac(record: pymarc.Record, holdings: tuple[Holding, ...], style: Style) -> bytes:
    """The encoded OPACRecord (Appendix REC.5) for a single-ASN1-type EXTERNAL."""
    body: dict[str, Any] = {"bibliographicRecord": External(oids.USMARC, "octet-aligned", usmarc(record, style)).to_asn1()}
    if style.opac_holdings:
        data = []
        for holding in holdings:
            entry: dict[str, Any] = {"circulationData": [_circulation(c, style) for c in holding.copies]}
            if style.opac_library:
                entry["nucCode"] = _text(holding.library, style)
                entry["localLocation"] = _text(holding.library_name, style)
            if holding.shelving:
                entry["shelvingLocation"] = _text(holding.shelving, style)
            if holding.call_number:
                entry["callNumber"] = _text(holding.call_number, style)
            data.append(("holdingsAndCirc", entry))
        body["holdingsData"] = data
    return encode("OPACRecord", body)


def render(record: pymarc.Record, syntax: str, element_set: str | None, holdings: tuple[Holding, ...],
           style: Style) -> External:
    """The record in ``syntax`` (one of :data:`SYNTAXES`) and element set (None: full)."""
    if element_set == "B":
        record = brief(record)
    if syntax == oids.USMARC:
        return External(oids.USMARC, "octet-aligned", usmarc(record, style))
    if syntax in (oids.XML_TEXT, oids.XML_APPLICATION):
        return External(syntax, "octet-aligned", marcxml(record))
    if syntax == oids.OPAC:
        return External(oids.OPAC, "single-ASN1-type", opac(record, holdings, style))
    if syntax == oids.SUTRS:
        return External(oids.SUTRS, "single-ASN1-type", encode("InternationalString", sutrs(record, holdings, style)))
    raise ValueError(f"not a record syntax the sandbox offers: {syntax}")
