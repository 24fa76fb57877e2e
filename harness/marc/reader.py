"""Turn ISO 2709 or MARCXML bytes into pymarc records, one bad record never ending the batch.

Structural verdicts come from :mod:`harness.marc.iso2709`; this module is for the checks
and the sandbox that need the *content* (round trip, holdings, upgrade). Framing is the
harness's own (resynchronising on the record terminator), so pymarc's habit of silently
ending the loop after a wrong record length cannot lose records, and each record is decoded
past the structural and encoding faults other checks own (:mod:`harness.marc.lenient`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pymarc
from lxml import etree

from harness.marc.iso2709 import iter_raw_records
from harness.marc.lenient import decode_record


@dataclass(frozen=True, slots=True)
class ReadResult:
    index: int
    offset: int  # byte offset (ISO 2709) or source line (MARCXML)
    record: pymarc.Record | None
    error: str = ""
    how: str = ""  # how a record was read past a fault another check owns; "" when read as it is


def sniff_format(data: bytes) -> str:
    return "marcxml" if data.lstrip()[:1] == b"<" else "iso2709"


def iter_iso2709(data: bytes) -> Iterator[ReadResult]:
    for raw in iter_raw_records(io.BytesIO(data)):
        # UTF-8 whatever leader/09 says: a lying leader/09 is the encoding check's finding,
        # not a reason to garble the content the other checks judge.
        decoded = decode_record(raw.data)
        yield ReadResult(raw.index, raw.offset, decoded.record, decoded.error, decoded.how)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _record_from_element(element: etree._Element) -> pymarc.Record:
    record = pymarc.Record(leader=" " * 24)
    record.fields = []
    for child in element:
        name = _local(child.tag)
        if name == "leader":
            record.leader = pymarc.Leader((child.text or "").ljust(24)[:24])
        elif name == "controlfield":
            record.add_field(pymarc.Field(tag=child.get("tag", ""), data=child.text or ""))  # type: ignore[no-untyped-call]
        elif name == "datafield":
            subfields = [
                pymarc.Subfield(code=sub.get("code", ""), value=sub.text or "")
                for sub in child
                if _local(sub.tag) == "subfield"
            ]
            indicators = pymarc.Indicators(child.get("ind1", " "), child.get("ind2", " "))
            record.add_field(pymarc.Field(tag=child.get("tag", ""), indicators=indicators, subfields=subfields))  # type: ignore[no-untyped-call]
    return record


def iter_marcxml(data: bytes) -> Iterator[ReadResult]:
    """Records of a MARCXML document, with or without the MARC 21 slim namespace."""
    index = 0
    try:
        for _, element in etree.iterparse(io.BytesIO(data), events=("end",), resolve_entities=False, no_network=True):
            if _local(element.tag) != "record":
                continue
            yield ReadResult(index, element.sourceline or 0, _record_from_element(element))
            index += 1
            element.clear()
    except etree.XMLSyntaxError as exc:
        yield ReadResult(index, exc.lineno or 0, None, f"XML not well-formed: {exc}")


def read_records(data: bytes) -> Iterator[ReadResult]:
    return iter_marcxml(data) if sniff_format(data) == "marcxml" else iter_iso2709(data)


def records_of(results: Iterable[ReadResult] | None) -> list[pymarc.Record]:
    """The records that could be read (those that could not are another check's to report)."""
    return [r.record for r in results or () if r.record is not None]
