"""ISO 2709 (MARC 21) structural checks of one record, without I/O of its own.

Framing (cutting a stream into records) is :mod:`harness.marc.framing`; checking a whole
chunk of records at once is :mod:`harness.marc.fastpath`, which sends here only the records
it cannot prove sound.

Checking one record has two paths. ``_looks_clean`` is a handful of C-level calls (regexes
over the leader and directory, one split of the data area) that proves a record sound; only
records it cannot prove go through ``_check_structure``, the field-by-field path that explains
each problem. Lengths are always counted in bytes. Each rule is reported at most once per record,
with the first occurrence spelled out and a count of the rest.
"""

from __future__ import annotations

import re
from itertools import accumulate
from operator import add

from harness.marc.framing import (
    GAP_BYTES,
    RECORD_TERMINATOR,
    RawRecord,
    iter_raw_records,
)
from harness.marc.rules import problem
from harness.rules import Problem

# Framing names are re-exported: callers check and frame records through this one module.
__all__ = ["GAP_BYTES", "RECORD_TERMINATOR", "Problem", "RawRecord", "check_record", "control_number", "iter_raw_records"]

FIELD_TERMINATOR = b"\x1e"
SUBFIELD_DELIMITER = b"\x1f"
LEADER_LENGTH = 24
MAX_RECORD_LENGTH = 99_999
MAX_FIELD_LENGTH = 9_999

# Fast path: a MARC 21 leader, an all-numeric directory with the control fields first, and
# each data field starting with valid indicators and a valid first subfield code.
_LEADER_OK = re.compile(rb"(\d{5})[\x20-\x7e]{4}[ a]22(\d{5})[\x20-\x7e]{3}4500")
_DIRECTORY_OK = re.compile(rb"((?:00\d\d{9})*)(?:(?:0[1-9]\d|[1-9]\d\d)\d{9})*")
_ENTRY_NUMBERS = re.compile(rb"...(\d{9})", re.DOTALL)  # field length and start, as one number
_PLUS_ONE = (1).__add__
_TIMES_10_5 = (100_000).__mul__
_BAD_FIELD_START = re.compile(rb"\x1e(?![0-9a-z ]{2}\x1f[0-9a-z])")
_BAD_SUBFIELD_CODE = re.compile(rb"\x1f[^0-9a-z]")

# Field-by-field path.
_TAG = re.compile(rb"[0-9A-Z]{3}|[0-9a-z]{3}")
_INDICATORS = re.compile(rb"[0-9a-z ]{2}")
_NON_ASCII = re.compile(rb"[\x80-\xff]")


class _Found:
    """Problems of one record: the first message per rule, and how many more of each."""

    __slots__ = ("first", "more")

    def __init__(self) -> None:
        self.first: dict[str, str] = {}
        self.more: dict[str, int] = {}

    def add(self, rule: str, message: str) -> None:
        if rule in self.first:
            self.more[rule] = self.more.get(rule, 0) + 1
        else:
            self.first[rule] = message

    def problems(self, raw: RawRecord) -> list[Problem]:
        if not self.first:
            return []
        number = control_number(raw.data)
        out = []
        for rule, message in self.first.items():
            if more := self.more.get(rule):
                message += f" (and {more} more in this record)"
            offset = raw.offset - raw.skipped if rule == "inter-record-garbage" else raw.offset
            out.append(problem(rule, message, offset, raw.index, number))
        return out


def check_record(raw: RawRecord) -> list[Problem]:
    """Every structural rule on one record; an empty list when it is sound."""
    data = raw.data
    found = _Found()
    if raw.skipped:
        found.add("inter-record-garbage", f"{raw.skipped} byte(s) of whitespace/padding before this record")
    if not data.endswith(RECORD_TERMINATOR):
        declared = data[:5].decode("ascii", "replace")
        found.add("truncated-record", f"no record terminator (1D hex) in the {len(data)} bytes that follow "
                  f"(leader/00-04 says {declared!r}): the record is cut off or this is not ISO 2709")
        return found.problems(raw)
    if len(data) < LEADER_LENGTH + 1:
        found.add("record-too-short", f"the record is {len(data)} bytes, too short for a 24-byte leader and a terminator")
        return found.problems(raw)
    if len(data) > MAX_RECORD_LENGTH:
        found.add("record-length-limit", f"the record is {len(data)} bytes; leader/00-04 can say at most 99999 "
                  f"(it says {data[:5].decode('ascii', 'replace')!r}): split the record or export it as MARCXML")
        _check_field_sizes(data, data.find(FIELD_TERMINATOR, LEADER_LENGTH) + 1, found)
        return found.problems(raw)
    if not _looks_clean(data):
        _check_structure(data, found)
    _check_encoding(data, raw.offset, found)
    return found.problems(raw)


def _looks_clean(data: bytes) -> bool:
    """True only if the record is sound (encoding aside); False means 'look closer'."""
    leader = _LEADER_OK.match(data)
    if leader is None or int(leader[1]) != len(data):
        return False
    base = int(leader[2])
    dir_end = base - 1
    if data.find(FIELD_TERMINATOR, LEADER_LENGTH) != dir_end:
        return False
    directory = _DIRECTORY_OK.fullmatch(data, LEADER_LENGTH, dir_end)
    if directory is None:
        return False
    # Split the data area on terminators: the fields as they really are. The directory is
    # right iff entry i holds (length, start) = (size of piece i, sum of the sizes before it);
    # both sides are compared as the 9-digit number length * 10^5 + start, all in C loops.
    end_of_data = len(data) - 1
    pieces = data[base:end_of_data].split(FIELD_TERMINATOR)
    if pieces.pop() != b"":
        return False
    sizes = list(map(_PLUS_ONE, map(len, pieces)))
    starts = list(accumulate(sizes, initial=0))
    expected = list(map(add, map(_TIMES_10_5, sizes), starts))
    if expected != list(map(int, _ENTRY_NUMBERS.findall(data, LEADER_LENGTH, dir_end))):
        return False
    controls = (directory.end(1) - LEADER_LENGTH) // 12
    data_start = base + starts[controls]
    if data.find(SUBFIELD_DELIMITER, base, data_start) >= 0:
        return False
    # data[data_start - 1] is the terminator before the first data field (or the directory's).
    if _BAD_FIELD_START.search(data, data_start - 1, end_of_data - 1):
        return False
    return _BAD_SUBFIELD_CODE.search(data, data_start, end_of_data) is None


def _check_structure(data: bytes, found: _Found) -> None:
    """The field-by-field path: find and explain every structural problem."""
    leader = data[:LEADER_LENGTH]
    declared = leader[:5]
    if not declared.isdigit():
        found.add("leader-length-numeric", f"leader/00-04 is {declared.decode('latin-1')!r}, not five digits")
    elif int(declared) != len(data):
        found.add("record-length-bytes", _length_message(int(declared), data))
    _check_leader_codes(leader, found)
    dir_end = data.find(FIELD_TERMINATOR, LEADER_LENGTH)
    if dir_end < 0:
        found.add("directory-terminator", "no field terminator (1E hex) after the leader: the directory never ends")
        return
    base = dir_end + 1  # trust the real terminator over leader/12-16, so one error is reported once
    stated = leader[12:17]
    if not stated.isdigit():
        found.add("base-address", f"leader/12-16 is {stated.decode('latin-1')!r}, not digits; "
                  f"the directory ends at byte {dir_end}, so it should be {base:05d}")
    elif int(stated) != base:
        found.add("base-address", f"leader/12-16 says the data starts at byte {int(stated)}, but the directory's "
                  f"terminator is at byte {dir_end}, so the base address is {base}")
    if _check_field_sizes(data, base, found):
        return  # an overlong field garbles the directory; the rest would only repeat it
    directory = data[LEADER_LENGTH:dir_end]
    if len(directory) % 12:
        found.add("directory-length-multiple-of-12", f"the directory is {len(directory)} bytes: "
                  f"{len(directory) // 12} entries and {len(directory) % 12} byte(s) left over")
        return
    area = data[base:-1]
    fields_checked = leader[10:12] == b"22"  # indicators and codes only mean something then
    for number, pos in enumerate(range(0, len(directory), 12), start=1):
        _check_entry(directory[pos : pos + 12], number, area, fields_checked, found)
    if not data.endswith(FIELD_TERMINATOR + RECORD_TERMINATOR):
        found.add("record-terminator", f"the byte before the record terminator is {data[-2:-1].hex().upper()} hex, "
                  "not the last field's terminator (1E hex)")


def _length_message(declared: int, data: bytes) -> str:
    message = f"leader/00-04 says {declared} bytes, the record has {len(data)} bytes"
    if declared == len(data.decode("utf-8", "replace")):
        message += " (lengths must be counted in bytes, not characters)"
    return message


def _check_leader_codes(leader: bytes, found: _Found) -> None:
    wrong = [f"leader/{where} is {leader[a:b].decode('latin-1')!r}, must be {want!r}"
             for where, a, b, want in (("10", 10, 11, "2"), ("11", 11, 12, "2"), ("20-23", 20, 24, "4500"))
             if leader[a:b] != want.encode()]
    if wrong:
        found.add("leader-fixed-positions", "; ".join(wrong))
    if leader[9:10] not in (b" ", b"a"):
        found.add("leader09-value", f"leader/09 is {leader[9:10].decode('latin-1')!r}: MARC 21 allows only blank (MARC-8) or 'a' (Unicode)")


def _check_field_sizes(data: bytes, base: int, found: _Found) -> bool:
    """Report fields over 9,999 bytes, found by their terminators since the directory cannot hold them."""
    sizes = [len(piece) + 1 for piece in data[base:-1].split(FIELD_TERMINATOR)[:-1]]
    big = [(number, size) for number, size in enumerate(sizes, start=1) if size > MAX_FIELD_LENGTH]
    for number, size in big:
        found.add("field-length-limit", f"field {number} of the data area is {size} bytes; a directory entry's length has 4 digits "
                  f"(max {MAX_FIELD_LENGTH}), so the entry overflows and shifts every later one")
    return bool(big)


def _check_entry(entry: bytes, number: int, area: bytes, fields_checked: bool, found: _Found) -> None:
    tag = entry[:3]
    shown = tag.decode("latin-1")
    if not _TAG.fullmatch(tag):
        found.add("tag-valid", f"directory entry {number} has tag {shown!r}: a tag is three ASCII digits or letters")
    elif not tag.isdigit():
        found.add("tag-alphabetic", f"directory entry {number} has the alphabetic (local) tag {shown!r}")
    length_s, start_s = entry[3:7], entry[7:12]
    label = f"field {shown} (directory entry {number})"
    if not (length_s.isdigit() and start_s.isdigit()):
        found.add("directory-entry-numeric",
                  f"{label}: length {length_s.decode('latin-1')!r} and start {start_s.decode('latin-1')!r} must be digits")
        return
    length, start = int(length_s), int(start_s)
    if start + length > len(area):
        found.add("directory-entry-in-bounds", f"{label} claims bytes {start}-{start + length - 1} of a data area of {len(area)} bytes")
        return
    if length == 0:
        found.add("field-terminator", f"{label} has length 0: not even room for its terminator")
        return
    end = start + length - 1
    inner = area.find(FIELD_TERMINATOR, start, end)
    if area[end] != 0x1E:
        found.add("field-terminator", _terminator_message(label, area, start, length))
    elif inner >= 0:
        found.add("field-terminator", f"{label} holds a field terminator at byte {inner - start} of its {length}: "
                  "its length runs into the next field")
    if area[end] != 0x1E or inner >= 0:
        # Still judge what is surely this field (from a sound start to the first terminator or
        # the directory's end, whichever comes first); a shifted start would only yield noise.
        if start and area[start - 1] != 0x1E:
            return
        end = inner if inner >= 0 else end
    if fields_checked:
        _check_field_body(tag, area[start:end], label, found)


def _terminator_message(label: str, area: bytes, start: int, length: int) -> str:
    message = f"{label}: no field terminator at its directory length {length} (start {start})"
    actual = area.find(FIELD_TERMINATOR, start)
    if actual >= 0:
        real = actual - start + 1
        message += f"; the next terminator is at length {real}"
        if len(area[start : actual + 1].decode("utf-8", "replace")) == length:
            message += " (the length was counted in characters, not bytes)"
    return message


def _check_field_body(tag: bytes, body: bytes, label: str, found: _Found) -> None:
    if tag[:2] == b"00":
        if (at := body.find(SUBFIELD_DELIMITER)) >= 0:
            found.add("control-field-no-subfields", f"control {label} has a subfield delimiter (1F hex) at byte {at}")
        return
    indicators = body[:2]
    if not _INDICATORS.fullmatch(indicators):
        missing = " (the field starts with a subfield delimiter: indicators missing)" if body[:1] == SUBFIELD_DELIMITER else ""
        found.add("indicator-valid", f"{label} has indicators {indicators.decode('latin-1')!r}: "
                  f"each must be a lowercase ASCII letter, digit or blank{missing}")
        return
    rest = body[2:]
    if rest[:1] not in (b"", SUBFIELD_DELIMITER):
        before = rest.find(SUBFIELD_DELIMITER)
        found.add("data-field-structure", f"{label} has {len(rest) if before < 0 else before} byte(s) of data "
                  "after the indicators before any subfield delimiter")
    for piece in rest.split(SUBFIELD_DELIMITER)[1:]:
        _check_code(piece, label, found)


def _check_code(piece: bytes, label: str, found: _Found) -> None:
    code = piece[:1]
    if code.isdigit() or code.islower():
        return
    if code and 0x21 <= code[0] <= 0x7E:
        found.add("subfield-code-local",
                  f"{label} has subfield code {code.decode('ascii')!r}: allowed for local data, undefined in MARC 21")
        return
    if not code:
        what = "nothing (a delimiter with no code)"
    elif code[0] >= 0x80:
        char = piece[:4].decode("utf-8", "replace")[:1]
        what = f"byte {code.hex().upper()} hex (non-ASCII{', ' + repr(char) + ' in UTF-8' if char != chr(0xFFFD) else ''})"
    else:
        what = f"byte {code.hex().upper()} hex (blank or control character)"
    found.add("subfield-code-valid", f"{label} has a subfield code of {what}: a code is one lowercase ASCII letter or digit")


def _check_encoding(data: bytes, offset: int, found: _Found) -> None:
    if data.isascii():
        return  # ASCII is the same in MARC-8 and UTF-8
    # Only the data area: a non-ASCII leader or directory is a structural problem, found above.
    base = data.find(FIELD_TERMINATOR, LEADER_LENGTH) + 1
    area = data[base:-1]
    scheme = data[9:10]
    if scheme == b"a":
        try:
            area.decode("utf-8")
        except UnicodeDecodeError as exc:
            at = base + exc.start
            more = area.decode("utf-8", "replace").count("\ufffd") - area.count("\ufffd".encode()) - 1
            extra = f"; {more} more invalid sequence(s)" if more > 0 else ""
            found.add("utf8-valid", f"invalid UTF-8 at byte {offset + at} of the file ({_where(data, at)}): "
                      f"{data[at : at + 4].hex(' ').upper()} hex ({exc.reason}){extra}")
    elif scheme == b" ":
        try:
            text = area.decode("utf-8")
        except UnicodeDecodeError:
            return  # not UTF-8: MARC-8 as declared (the MARC-8 repertoire itself is not checked here)
        if text.isascii():
            return
        first = _NON_ASCII.search(area)
        at = base + (first.start() if first else 0)
        sample = next(ch for ch in text if ord(ch) > 0x7F)
        found.add("leader09-matches-encoding", f"leader/09 is blank (MARC-8), but the non-ASCII bytes are valid UTF-8, "
                  f"e.g. {sample!r} at byte {offset + at} ({_where(data, at)}): set leader/09 to 'a' or convert to MARC-8")


def _where(data: bytes, pos: int) -> str:
    """Which part of the record a byte position falls in, best effort."""
    dir_end = data.find(FIELD_TERMINATOR, LEADER_LENGTH)
    if pos < LEADER_LENGTH:
        return "in the leader"
    if dir_end < 0 or pos <= dir_end:
        return "in the directory"
    relative = pos - dir_end - 1
    for at in range(LEADER_LENGTH, dir_end - 11, 12):
        entry = data[at : at + 12]
        if entry[3:12].isdigit() and int(entry[7:12]) <= relative < int(entry[7:12]) + int(entry[3:7]):
            return f"in field {entry[:3].decode('latin-1')}"
    return "in the data area"


def control_number(data: bytes) -> str | None:
    """The record's 001, best effort: None when the directory has no usable 001 entry."""
    dir_end = data.find(FIELD_TERMINATOR, LEADER_LENGTH)
    if dir_end < 0:
        return None
    base = dir_end + 1
    for at in range(LEADER_LENGTH, dir_end - 11, 12):
        if data[at : at + 3] == b"001" and data[at + 3 : at + 12].isdigit():
            start = base + int(data[at + 7 : at + 12])
            value = data[start : start + int(data[at + 3 : at + 7])].split(FIELD_TERMINATOR, 1)[0]
            text = value.split(RECORD_TERMINATOR, 1)[0].decode("utf-8", "replace").strip()
            return text or None
    return None
