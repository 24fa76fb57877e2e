"""ISO 2709 framing: cut a byte stream into records on the record terminator (1D hex).

Framing never trusts leader/00-04: it resynchronises on the terminator, the way yaz does,
so one wrong record length costs one record, not the rest of the file (pymarc silently ends
the batch there, research/marc.md §3.4). Records come in chunks of whole records, for the
checker's chunk-wide fast path, or one by one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

RECORD_TERMINATOR = b"\x1d"
# Bytes some exports put between records (newlines, tape-block padding). A leader starts
# with a digit, so stripping these never eats a record.
GAP_BYTES = b" \t\r\n\x00"
# Without a record terminator for this long the input is not ISO 2709 (the biggest record
# even a broken writer makes is a few hundred KB); what was read is yielded as one
# truncated record so that memory stays bounded.
MAX_UNTERMINATED = 1 << 24


@dataclass(frozen=True, slots=True)
class RawRecord:
    index: int  # 0-based position in the file
    offset: int  # byte offset of the record's first byte
    data: bytes  # the record, record terminator included (absent only when truncated)
    skipped: int = 0  # gap bytes (whitespace, NUL) stripped just before the record


@dataclass(frozen=True, slots=True)
class RecordChunk:
    """Consecutive records of a file: whole records, or one unterminated tail."""

    index: int  # 0-based index of the chunk's first record in the file
    offset: int  # byte offset of the chunk in the file
    data: bytes  # whole records, each ending with the record terminator; or one truncated record
    count: int = 1  # how many records

    @property
    def terminated(self) -> bool:
        return self.data.endswith(RECORD_TERMINATOR)

    def record(self, number: int, start: int, end: int) -> RawRecord:
        """The chunk's record ``number`` (0-based), at ``data[start:end]``."""
        return raw_record(self.index + number, self.offset + start, self.data[start:end])

    def records(self) -> Iterator[RawRecord]:
        if not self.terminated:
            yield raw_record(self.index, self.offset, self.data)
            return
        start = 0
        for number, piece in enumerate(self.data.split(RECORD_TERMINATOR)[:-1]):
            yield self.record(number, start, start + len(piece) + 1)
            start += len(piece) + 1


def iter_record_chunks(stream: BinaryIO, chunk_size: int = 1 << 20) -> Iterator[RecordChunk]:
    """The stream's records, a chunk of whole records per read; memory stays at about one chunk."""
    pending = b""  # the unfinished record carried from the previous read
    pending_at = 0  # its offset in the file
    index = 0
    while block := stream.read(chunk_size):
        buf = pending + block if pending else block
        cut = buf.rfind(RECORD_TERMINATOR) + 1
        if cut:
            data = buf[:cut] if cut < len(buf) else buf
            count = data.count(RECORD_TERMINATOR)
            yield RecordChunk(index, pending_at, data, count)
            index += count
            buf, pending_at = buf[cut:], pending_at + cut
        pending = buf
        if len(pending) >= MAX_UNTERMINATED:
            yield RecordChunk(index, pending_at, pending)
            index += 1
            pending, pending_at = b"", pending_at + len(pending)
    if pending.strip(GAP_BYTES):
        yield RecordChunk(index, pending_at, pending)


def iter_raw_records(stream: BinaryIO, chunk_size: int = 1 << 20) -> Iterator[RawRecord]:
    """Every record of an ISO 2709 stream, one by one."""
    for chunk in iter_record_chunks(stream, chunk_size):
        yield from chunk.records()


def raw_record(index: int, offset: int, data: bytes) -> RawRecord:
    """A record as framed, with any gap bytes before it stripped and counted."""
    if data[:1].isdigit():
        return RawRecord(index, offset, data)
    body = data.lstrip(GAP_BYTES)
    skipped = len(data) - len(body)
    return RawRecord(index, offset + skipped, body, skipped)
