"""ISO 2709 and MARCXML encoding of pymarc records, without I/O.

pymarc's ``as_marc()`` writes a 5-digit length into a 4-digit directory slot for a field over
9,999 bytes and a 6-digit leader length for a record over 99,999 bytes (research/marc.md
§3.4; edsu/pymarc#42). This writer refuses such records instead, because MARC-04 asks for
"split, refusal or MARCXML, never a broken ISO 2709 record".
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

import pymarc

from harness.marc.records import control_number

FIELD_TERMINATOR = b"\x1e"
RECORD_TERMINATOR = b"\x1d"
SUBFIELD_DELIMITER = b"\x1f"
MARCXML_NS = "http://www.loc.gov/MARC21/slim"

# MARC 21 Specifications, Record Structure: leader/00-04 record length is five digits,
# directory entry: tag (3), field length (4), starting character position (5): a field's start
# is always below the record length, so the record limit covers it.
MAX_RECORD_LENGTH = 99_999
MAX_FIELD_LENGTH = 9_999


class RecordTooLong(ValueError):
    """The record cannot be represented in ISO 2709 (MARC-04)."""

    def __init__(self, control_number: str | None, what: str) -> None:
        self.control_number = control_number
        super().__init__(f"record {control_number or '(no 001)'}: {what}")


def field_body(field: pymarc.Field, encoding: str = "utf-8") -> bytes:
    """The bytes of one variable field, terminator included."""
    if field.is_control_field():
        return (field.data or "").encode(encoding, errors="replace") + FIELD_TERMINATOR
    indicators = "".join(field.indicators or ("  ")).ljust(2)[:2]
    parts = [indicators.encode("ascii", errors="replace")]
    for sub in field.subfields:
        parts.append(SUBFIELD_DELIMITER + sub.code.encode("ascii", errors="replace"))
        parts.append(sub.value.encode(encoding, errors="replace"))
    parts.append(FIELD_TERMINATOR)
    return b"".join(parts)


def encode_iso2709(record: pymarc.Record, *, leader09: str = "a", encoding: str = "utf-8") -> bytes:
    """Encode one record, lengths counted in bytes (ISO 2709:2008 §4)."""
    bodies = [(f.tag, field_body(f, encoding)) for f in record.fields]
    directory = bytearray()
    start = 0
    for tag, body in bodies:
        if len(body) > MAX_FIELD_LENGTH:
            raise RecordTooLong(control_number(record), f"field {tag} is {len(body)} bytes (max {MAX_FIELD_LENGTH})")
        directory += f"{tag[:3]:>03}{len(body):04d}{start:05d}".encode("ascii")
        start += len(body)
    base_address = 24 + len(directory) + 1
    total = base_address + start + 1
    if total > MAX_RECORD_LENGTH:
        raise RecordTooLong(control_number(record), f"{total} bytes (max {MAX_RECORD_LENGTH})")
    leader = _leader(str(record.leader), total, base_address, leader09)
    return leader + bytes(directory) + FIELD_TERMINATOR + b"".join(b for _, b in bodies) + RECORD_TERMINATOR


def _leader(leader: str, total: int, base_address: int, leader09: str) -> bytes:
    leader = leader.ljust(24)[:24]
    # Leader/10-11 indicator and subfield code counts, /20-23 entry map: fixed in MARC 21.
    text = f"{total:05d}{leader[5:9]}{leader09}22{base_address:05d}{leader[17:20]}4500"
    return text.encode("ascii", errors="replace")


def _xml_text(value: str) -> str:
    # XML 1.0 §2.2 forbids most C0 controls even as references; make them visible instead
    # of producing a file no parser accepts (research/marc.md §5 item 10).
    cleaned = "".join(ch if ch in "\t\n\r" or ord(ch) >= 0x20 else f"\\x{ord(ch):02x}" for ch in value)
    return escape(cleaned)


def record_to_marcxml(record: pymarc.Record, namespace: str | None = MARCXML_NS) -> str:
    ns = f" xmlns={quoteattr(namespace)}" if namespace else ""
    lines = [f"<record{ns}>", f"  <leader>{_xml_text(str(record.leader))}</leader>"]
    for field in record.fields:
        if field.is_control_field():
            lines.append(f"  <controlfield tag={quoteattr(field.tag)}>{_xml_text(field.data or '')}</controlfield>")
            continue
        ind1, ind2 = (list(field.indicators or ("  ")) + [" ", " "])[:2]
        lines.append(f"  <datafield tag={quoteattr(field.tag)} ind1={quoteattr(ind1)} ind2={quoteattr(ind2)}>")
        for sub in field.subfields:
            lines.append(f"    <subfield code={quoteattr(sub.code)}>{_xml_text(sub.value)}</subfield>")
        lines.append("  </datafield>")
    lines.append("</record>")
    return "\n".join(lines)


def collection_to_marcxml(records: Iterable[pymarc.Record], namespace: str | None = MARCXML_NS) -> bytes:
    ns = f" xmlns={quoteattr(namespace)}" if namespace else ""
    body = "\n".join(record_to_marcxml(r, namespace=None) for r in records)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<collection{ns}>\n{body}\n</collection>\n'.encode()
