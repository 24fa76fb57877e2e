"""Turn ISO 2709 or MARCXML bytes into pymarc records, one bad record never ending the batch.

Structural verdicts come from :mod:`harness.marc.iso2709`; this module is for the checks
and the sandbox that need the *content* (round trip, holdings, upgrade). Framing is the
harness's own (resynchronising on the record terminator), so pymarc's habit of silently
ending the loop after a wrong record length (research/marc.md §3.4) cannot lose records.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pymarc
from lxml import etree

from harness.marc.iso2709 import iter_raw_records


@dataclass(frozen=True, slots=True)
class ReadResult:
    index: int
    offset: int  # byte offset (ISO 2709) or source line (MARCXML)
    record: pymarc.Record | None
    error: str = ""


def sniff_format(data: bytes) -> str:
    return "marcxml" if data.lstrip()[:1] == b"<" else "iso2709"


def iter_iso2709(data: bytes) -> Iterator[ReadResult]:
    for raw in iter_raw_records(io.BytesIO(data)):
        try:
            # force_utf8: content checks read the bytes as UTF-8 whatever leader/09 says;
            # a lying leader/09 is the structural check's finding, not a reason to garble.
            record = pymarc.Record(data=raw.data, to_unicode=True, force_utf8=True, utf8_handling="strict")
            yield ReadResult(raw.index, raw.offset, record)
        except Exception as exc:  # pymarc raises a mix of its own classes, ValueError, UnicodeError
            yield ReadResult(raw.index, raw.offset, None, f"{type(exc).__name__}: {exc}")


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
