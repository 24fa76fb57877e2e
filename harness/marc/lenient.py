"""Reading an exported record past the faults other checks own.

A content check (holdings, letters, the round trip) must judge the content of an export whose
structure or encoding is wrong, because those faults belong to the structural and encoding
checks and are reported there, once (DESIGN.md). So an ISO 2709 record is decoded in the
strictest way that works:

1. as it is, UTF-8 strict (the normal case);
2. with undecodable bytes replaced by U+FFFD (a Latin-1 export under leader/09 = a): the
   letters check owns that fault and sees it in the replaced characters;
3. with the fields cut at their field terminators instead of at the directory's lengths and
   offsets (lengths counted in characters, or a directory that lies), the tags taken from the
   directory in order: the structural check owns that fault.

The result says which way it was read, so a check can mention it in its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import pymarc

FIELD_TERMINATOR = b"\x1e"
SUBFIELD_DELIMITER = b"\x1f"
RECORD_TERMINATOR = b"\x1d"


@dataclass(frozen=True, slots=True)
class Decoded:
    record: pymarc.Record | None
    how: str = ""  # "" read as it is; else how it was read past a fault
    error: str = ""  # why it could not be read at all


def decode_record(data: bytes) -> Decoded:
    if not _directory_holds(data):
        return _by_terminators(data)
    try:
        return Decoded(pymarc.Record(data=data, to_unicode=True, force_utf8=True, utf8_handling="strict"))
    except UnicodeDecodeError:
        pass
    except Exception:  # noqa: BLE001 -- pymarc raises many kinds for target bytes; try the terminators below
        return _by_terminators(data)
    try:
        return Decoded(pymarc.Record(data=data, to_unicode=True, force_utf8=True, utf8_handling="replace"),
                       "bytes that are not UTF-8 replaced by U+FFFD")
    except Exception:  # noqa: BLE001 -- as above: a target's bytes, whatever pymarc makes of them
        return _by_terminators(data)


def _directory_holds(data: bytes) -> bool:
    """Every directory entry's field ends with a field terminator where the entry says."""
    try:
        base = int(data[12:17])
        for pos in range(24, base - 1, 12):
            length, start = int(data[pos + 3 : pos + 7]), int(data[pos + 7 : pos + 12])
            if length < 1 or data[base + start + length - 1 : base + start + length] != FIELD_TERMINATOR:
                return False
    except ValueError:
        return False
    return True


def _by_terminators(data: bytes) -> Decoded:
    """Fields cut at their terminators; tags from the directory, in order."""
    try:
        base = data.index(FIELD_TERMINATOR) + 1  # the directory ends at the first terminator
        directory = data[24 : base - 1]
        tags = [directory[i : i + 3].decode("ascii") for i in range(0, len(directory) - len(directory) % 12, 12)]
        chunks = data[base:].rstrip(RECORD_TERMINATOR).split(FIELD_TERMINATOR)
        if chunks and chunks[-1] == b"":
            chunks.pop()
        if len(chunks) != len(tags):
            return Decoded(None, error=f"{len(tags)} directory entries but {len(chunks)} terminated fields")
        record = pymarc.Record(leader=data[:24].decode("ascii", "replace"), force_utf8=True)
        record.fields = [_field(tag, chunk) for tag, chunk in zip(tags, chunks)]
        return Decoded(record, "fields cut at their terminators (the directory's lengths or offsets are wrong)")
    except (ValueError, UnicodeDecodeError) as exc:
        return Decoded(None, error=f"{type(exc).__name__}: {exc}")


def _field(tag: str, chunk: bytes) -> pymarc.Field:
    if tag < "010" and tag.isdigit():
        return pymarc.Field(tag=tag, data=chunk.decode("utf-8", "replace"))
    # An indicator is one byte (MARC 21 Record Structure): decoded byte by byte, never as UTF-8.
    indicators = "".join(chr(b) if b < 0x80 else "\ufffd" for b in chunk[:2]).ljust(2)
    subfields = [
        pymarc.Subfield(part[:1].decode("utf-8", "replace"), part[1:].decode("utf-8", "replace"))
        for part in chunk[2:].split(SUBFIELD_DELIMITER)[1:]
    ]
    return pymarc.Field(tag=tag, indicators=pymarc.Indicators(indicators[0], indicators[1]), subfields=subfields)
