"""Compare an imported batch with a target's export, streaming, record by record.

The fast path compares the raw field bytes taken from each record's directory: equal bytes
are equal data, whatever the encoding, and no decoding is needed. Only records that differ
are decoded with pymarc and explained field by field (:func:`harness.marc.diff.diff_records`).
Records are joined on 001; an export in another order still matches, at the cost of
keeping the not-yet-matched records' bytes in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import pymarc

from harness.marc.diff import LEADER_DATA, LEADER_TAG, FieldDiff, diff_records
from harness.marc.iso2709 import control_number, iter_raw_records
from harness.marc.lenient import decode_record

FieldTable = tuple[tuple[bytes, bytes], ...]


@dataclass(frozen=True, slots=True)
class RecordComparison:
    control_number: str
    diffs: tuple[FieldDiff, ...] = ()
    missing: bool = False  # in the batch, not in the export
    unexpected: bool = False  # in the export, not in the batch
    unreadable: str = ""  # why the exported record could not be decoded for a field diff
    read_as: str = ""  # how the exported record was read past a fault another check owns
    after: pymarc.Record | None = None  # the exported record, decoded, when it differs

    @property
    def identical(self) -> bool:
        return not (self.diffs or self.missing or self.unexpected or self.unreadable)


def field_table(data: bytes) -> FieldTable | None:
    """(tag, field bytes) per directory entry, or None when the directory cannot be trusted."""
    try:
        base = int(data[12:17])
    except ValueError:
        return None
    fields = []
    for pos in range(24, base - 1, 12):
        entry = data[pos : pos + 12]
        try:
            length, start = int(entry[3:7]), int(entry[7:12])
        except ValueError:
            return None
        fields.append((entry[:3], data[base + start : base + start + length]))
    return tuple(fields)


def _without(table: FieldTable | None, ignore: frozenset[bytes]) -> FieldTable | None:
    return None if table is None else tuple(f for f in table if f[0] not in ignore)


def compare_pair(number: str, before: bytes, after: bytes, ignore_tags: frozenset[str]) -> RecordComparison:
    ignore = frozenset(t.encode() for t in ignore_tags)
    fast_before, fast_after = _without(field_table(before), ignore), _without(field_table(after), ignore)
    if fast_before is not None and fast_before == fast_after and (LEADER_TAG in ignore_tags or _leader_data(before) == _leader_data(after)):
        return RecordComparison(number)
    decoded_before, decoded_after = decode_record(before), decode_record(after)
    if decoded_after.record is None or decoded_before.record is None:
        return RecordComparison(number, unreadable=decoded_after.error or decoded_before.error)
    diffs = diff_records(decoded_before.record, decoded_after.record, ignore_tags=ignore_tags)
    return RecordComparison(number, tuple(diffs), read_as=decoded_after.how, after=decoded_after.record)


def _leader_data(data: bytes) -> bytes:
    return bytes(data[p] for p in LEADER_DATA if p < len(data))


def _keyed(stream: BinaryIO) -> Iterator[tuple[str, bytes]]:
    for raw in iter_raw_records(stream):
        yield control_number(raw.data) or f"#{raw.index + 1}", raw.data


def compare_streams(before: BinaryIO, after: BinaryIO, ignore_tags: frozenset[str] = frozenset()) -> Iterator[RecordComparison]:
    """Every batch record's comparison, then every export record the batch did not have."""
    pending_before: dict[str, bytes] = {}
    pending_after: dict[str, bytes] = {}
    after_records = _keyed(after)
    for number, data in _keyed(before):
        if number in pending_after:
            yield compare_pair(number, data, pending_after.pop(number), ignore_tags)
            continue
        for other_number, other in after_records:
            if other_number == number:
                yield compare_pair(number, data, other, ignore_tags)
                break
            pending_after[other_number] = other
        else:
            pending_before[number] = data
    for number in pending_before:
        yield RecordComparison(number, missing=True)
    for number, _ in after_records:
        pending_after[number] = b""
    for number in pending_after:
        yield RecordComparison(number, unexpected=True)
