"""The chunk-wide fast path of the ISO 2709 checker: prove many records sound at once.

:func:`sound_records` takes a chunk of whole records (each ending with the record
terminator, 1D hex) and answers, per record, "this record is sound" or "look closer". It
never explains anything: a record it cannot prove sound goes through the field-by-field path
in :mod:`harness.marc.iso2709`, which finds and words every problem. So the fast path may be
cautious (turn away a sound record, costing only time) but never lenient: every check here
is one the detailed path makes too, and ``tests/unit/test_marc_fastpath.py`` proves on real
files and on mutated records that both paths give the same problems.

Every step is one numpy operation over the whole chunk (every byte, every record, or every
directory entry of the chunk), not a Python loop per record: that is what makes ``harness
marc check`` 14 to 22 times faster (two loaded runs) than pymarc's bare parse (see
``benchmarks/test_marc_throughput.py``). The checks, per record:

* leader: record length and base address are digits, the length is the record's length in
  bytes, /09 is blank or 'a', /10-11 are '22', /20-23 '4500', the rest printable ASCII;
* directory: a whole number of 12-digit entries (numeric tags only), ended by a field
  terminator at the base address;
* fields: each entry's start is where the previous field ended (the first at 0), each field
  ends with a field terminator, the record has no other terminator, and the last field ends
  just before the record terminator;
* control fields (00X) hold no subfield delimiter; every data field starts with two
  indicators in [0-9a-z ], a delimiter and a code; every delimiter is followed by a code in
  [0-9a-z];
* encoding: the chunk is ASCII, or every record with non-ASCII bytes says leader/09 = 'a' and
  the chunk is valid UTF-8 (records with non-ASCII bytes go the detailed way otherwise).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from harness.marc.framing import RecordChunk
from harness.marc.iso2709 import check_record
from harness.rules import Problem

RT, FT, SD = 0x1D, 0x1E, 0x1F
LEADER_LENGTH = 24
_DIGIT_WEIGHTS_5 = np.array([10_000, 1_000, 100, 10, 1], dtype=np.int64)
_DIGIT_WEIGHTS_4 = np.array([1_000, 100, 10, 1], dtype=np.int64)
# Byte classes as 256-entry lookup tables: one fancy-index classifies a whole array of bytes.
_CODE = np.zeros(256, dtype=bool)  # a MARC 21 subfield code: lowercase ASCII letter or digit
_CODE[list(b"0123456789abcdefghijklmnopqrstuvwxyz")] = True
_INDICATOR = _CODE.copy()  # an indicator: the same, or blank
_INDICATOR[0x20] = True
_PRINTABLE = np.zeros(256, dtype=bool)
_PRINTABLE[0x20:0x7F] = True
_FIXED = {10: ord("2"), 11: ord("2"), 20: ord("4"), 21: ord("5"), 22: ord("0"), 23: ord("0")}
_PRINTABLE_AT = [5, 6, 7, 8, 17, 18, 19]

Bools = np.ndarray[Any, np.dtype[np.bool_]]
Ints = np.ndarray[Any, np.dtype[np.int64]]


def check_chunk(chunk: RecordChunk) -> list[Problem]:
    """Every structural problem of the chunk's records, as :func:`check_record` finds them.

    Records proven sound here are not looked at again; the others go through
    :func:`~harness.marc.iso2709.check_record` one by one.
    """
    if not chunk.terminated:
        return [found for raw in chunk.records() for found in check_record(raw)]
    starts, sound = sound_records(chunk.data)
    problems: list[Problem] = []
    ends = [*starts[1:].tolist(), len(chunk.data)]
    for number in np.flatnonzero(~sound).tolist():
        problems += check_record(chunk.record(number, int(starts[number]), ends[number]))
    return problems


def sound_records(data: bytes) -> tuple[Ints, Bools]:
    """(start offset of each record in ``data``, whether the record is proven sound).

    ``data`` is whole records, each ending with the record terminator. A record marked
    False may still be sound; only the detailed path can say.
    """
    chunk = _Chunk(data)
    starts, ends = chunk.starts, chunk.ends
    if not len(ends):
        return starts, np.zeros(0, dtype=bool)
    lengths = ends - starts + 1
    ok = lengths >= LEADER_LENGTH + 2  # a leader, a directory terminator, a record terminator
    leader = chunk.rows(starts, LEADER_LENGTH)
    ok &= _leader_sound(leader)
    ok &= _number(leader[:, 0:5], _DIGIT_WEIGHTS_5) == lengths
    base = _number(leader[:, 12:17], _DIGIT_WEIGHTS_5)
    directory_length = base - (LEADER_LENGTH + 1)
    ok &= (directory_length >= 0) & (directory_length % 12 == 0) & (base <= lengths - 1)
    ok &= chunk.at(starts + base - 1) == FT
    ok &= _fields_sound(chunk, base, np.where(ok, directory_length // 12, 0), ok)
    ok &= _encoding_sound(chunk, leader[:, 9])
    return starts, ok


class _Chunk:
    """The chunk's bytes as an array, and where its terminators and delimiters are."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.size = len(data)
        # Padding, so that a row of up to 24 bytes can start anywhere in the data.
        self.bytes = np.frombuffer(data + bytes(32), dtype=np.uint8)
        self._windows: dict[int, np.ndarray[Any, Any]] = {}
        control = np.flatnonzero(self.bytes[: self.size] < 0x20)  # one pass finds all three
        kind = self.bytes[control]
        self.ends = control[kind == RT].astype(np.int64)
        self.terminators = control[kind == FT]
        self.delimiters = control[kind == SD]
        self.starts = np.empty_like(self.ends)
        self.starts[:1] = 0
        self.starts[1:] = self.ends[:-1] + 1

    def at(self, positions: Ints) -> np.ndarray[Any, Any]:
        """The bytes at these positions (an unsound record's numbers may point anywhere: clipped)."""
        return self.bytes[np.clip(positions, 0, self.size)]

    def rows(self, positions: Ints, width: int) -> np.ndarray[Any, Any]:
        """``width`` bytes from each position, one row each (a view's rows: no index array)."""
        if width not in self._windows:
            self._windows[width] = sliding_window_view(self.bytes, width)
        return self._windows[width][np.clip(positions, 0, self.size)]

    def record_of(self, positions: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """The index of the record each position is in."""
        return np.searchsorted(self.ends, positions)


def _number(digits: np.ndarray[Any, Any], weights: Ints) -> Ints:
    """ASCII digit rows as numbers; a row with a non-digit gives -1."""
    values = digits - np.uint8(ord("0"))  # wraps below '0' to a big number
    return np.where((values < 10).all(axis=1), values.astype(np.int64) @ weights, -1)


def _leader_sound(leader: np.ndarray[Any, Any]) -> Bools:
    ok: Bools = _PRINTABLE[leader[:, _PRINTABLE_AT]].all(axis=1)
    ok &= (leader[:, 9] == 0x20) | (leader[:, 9] == ord("a"))
    for at, value in _FIXED.items():
        ok &= leader[:, at] == value
    return ok


def _fields_sound(chunk: _Chunk, base: Ints, entries: Ints, ok: Bools) -> Bools:
    """Directory entries against the field terminators really there, and each field's start."""
    sound = ok.copy()
    starts, ends = chunk.starts, chunk.ends
    record = np.repeat(np.arange(len(starts)), entries)  # the record of each directory entry
    first_entry = np.cumsum(entries) - entries  # index of each record's first entry
    first = np.zeros(len(record), dtype=bool)
    first[first_entry[entries > 0]] = True
    within = np.arange(len(record)) - np.repeat(first_entry, entries)
    entry = chunk.rows(starts[record] + LEADER_LENGTH + 12 * within, 12)
    digits = entry - np.uint8(ord("0"))
    sound[record[~(digits < 10).all(axis=1)]] = False
    length = digits[:, 3:7].astype(np.int64) @ _DIGIT_WEIGHTS_4
    start = digits[:, 7:12].astype(np.int64) @ _DIGIT_WEIGHTS_5
    control = (entry[:, 0] == ord("0")) & (entry[:, 1] == ord("0"))
    data_start = starts[record] + base[record]
    # Each field starts where the one before it ended; the first at 0; the last ends at the
    # record terminator (the data area is the record less leader, directory and terminator).
    previous_end = np.empty_like(start)
    previous_end[1:] = start[:-1] + length[:-1]
    previous_end[first] = 0
    sound[record[(start != previous_end) | (length < 1)]] = False
    last = np.flatnonzero(np.r_[first[1:], True]) if len(record) else np.zeros(0, dtype=np.int64)
    sound[record[last][start[last] + length[last] != (ends - starts - base)[record[last]]]] = False
    sound[(entries == 0) & (ends - starts != base)] = False
    # Exactly one field terminator per field, plus the directory's: no field holds another.
    sound &= np.bincount(chunk.record_of(chunk.terminators), minlength=len(starts)) == entries + 1
    field_end = data_start + start + length - 1
    sound[record[chunk.at(field_end) != FT]] = False
    # Content: indicators and first code of data fields, no delimiter in control fields,
    # and a valid code after every delimiter.
    field_start = data_start + start
    head = chunk.rows(field_start, 4)
    bad_head = ~(_INDICATOR[head[:, 0]] & _INDICATOR[head[:, 1]] & (head[:, 2] == SD) & _CODE[head[:, 3]])
    sound[record[~control & bad_head]] = False
    delimiters = chunk.delimiters
    in_control = np.searchsorted(delimiters, field_end[control]) - np.searchsorted(delimiters, field_start[control])
    sound[record[control][in_control > 0]] = False
    sound[chunk.record_of(delimiters[~_CODE[chunk.at(delimiters + 1)]])] = False
    return sound


def _encoding_sound(chunk: _Chunk, leader09: np.ndarray[Any, Any]) -> Bools:
    """False for each record whose non-ASCII bytes the detailed path must judge."""
    data, ends = chunk.data, chunk.ends
    if data.isascii():
        return np.ones(len(ends), dtype=bool)
    try:
        data.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    if utf8 and (leader09 == ord("a")).all():
        return np.ones(len(ends), dtype=bool)
    non_ascii = np.bincount(np.searchsorted(ends, np.flatnonzero(chunk.bytes[: chunk.size] >= 0x80)), minlength=len(ends)) > 0
    return ~non_ascii if not utf8 else ~(non_ascii & (leader09 != ord("a")))
