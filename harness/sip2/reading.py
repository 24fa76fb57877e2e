"""Reading one frame's bytes into a :class:`Message` plus findings (the inside of ``decode``).

Shape: a fast path for the common case (a well-formed message) that works on whole
collections at C speed (one regex for the fixed part, one ``decode``, one ``split``, set
operations over the field ids), and slow paths, taken only when the fast path sees something
off, that locate the problem to the byte for the finding. A finding's byte offset is counted
from the first byte of the frame.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter

from harness.sip2 import fields as F
from harness.sip2.errordetect import split_trailer
from harness.sip2.messages import MESSAGES, MessageSpec
from harness.sip2.model import Message, new_message
from harness.sip2.rules import CodecFinding, finding

_VALUE_FORMATS = {**F.FORMATS, **F.VARIABLE_ONLY_FORMATS}
_VALUE_DESCRIPTIONS = {**F.FORMAT_DESCRIPTIONS, **F.VARIABLE_ONLY_DESCRIPTIONS}
# re.ASCII throughout: in str patterns \d would also accept other scripts' digits.
_VARIABLE_PATTERNS = {
    fid: re.compile(_VALUE_FORMATS[fmt], re.ASCII) for fid, fmt in F.VARIABLE_FORMATS.items()
}
_FORMATTED_IDS = frozenset(F.VARIABLE_FORMATS)
_FIELD_PATTERNS = {name: re.compile(rx.encode("ascii")) for name, rx in F.FORMATS.items()}
_KNOWN_IDS = frozenset(F.FIELD_NAMES) | frozenset(F.EXTENSION_FIELDS) | frozenset(F.VENDOR_FIELDS)
_FIELD_ID = re.compile("[A-Z]{2}")
_SURROGATE = re.compile("[\udc80-\udcff]")
_MAX_SEGMENT = F.MAX_FIELD_LENGTH + 2  # id + value
# map() with C-level getters: measurably faster than comprehensions over a 64's item lists.
_FIELD_ID_PART = itemgetter(slice(None, 2))
_VALUE_PART = itemgetter(slice(2, None))


@dataclass(frozen=True, slots=True)
class _Layout:
    spec: MessageSpec
    # The fixed part (command code included) as one pattern with a group per field: one
    # match both validates it and yields the values.
    fixed_re: re.Pattern[str]
    split_fixed: Callable[[str], tuple[str, ...]]  # for a fixed part that does not match
    required: frozenset[str]


def _grouped(spec: MessageSpec) -> re.Pattern[str]:
    pattern = re.escape(spec.code) + "".join(f"({F.FORMATS[f.format]})" for f in spec.fixed)
    return re.compile(pattern, re.ASCII)


def _splitter(spec: MessageSpec) -> Callable[[str], tuple[str, ...]]:
    slices = [slice(f.offset, f.offset + f.length) for f in spec.fixed]
    if not slices:
        return lambda _text: ()
    if len(slices) == 1:
        only = slices[0]
        return lambda text: (text[only],)
    return itemgetter(*slices)  # a tuple for 2+ slices


_LAYOUTS = {
    code.encode("ascii"): _Layout(spec, _grouped(spec), _splitter(spec), frozenset(spec.required))
    for code, spec in MESSAGES.items()
}


def read_message(data: bytes, charset: str, delimiter: str) -> tuple[Message | None, list[CodecFinding]]:
    """The message in ``data`` (one frame, terminator removed) and what was wrong with it."""
    found: list[CodecFinding] = []
    layout = _LAYOUTS.get(data[:2])
    if layout is None:
        if not data:
            found.append(finding("empty_frame", "no bytes before the terminator", 0))
        else:
            found.append(finding("unknown_command", f"command {data[:2]!r} is not a SIP2 2.00 message", 0))
        return None, found
    spec = layout.spec
    delimiter_bytes = b"|" if delimiter == "|" else delimiter.encode(charset)
    end, sequence, check = split_trailer(data, spec, found, delimiter_bytes)
    flen = spec.fixed_length
    if end < flen:
        found.append(finding(
            "fixed_too_short", f"{spec.code} needs {flen} bytes of command and fixed fields, got {end}", end
        ))
        return None, found
    # latin-1: one byte, one character, so the table's offsets hold even for stray bytes.
    head = data[:flen].decode("latin-1")
    matched = layout.fixed_re.fullmatch(head)
    start = flen
    if matched is not None:
        fixed = matched.groups()
    else:
        start, values = _resynchronised(spec, data, end, found)
        if start == flen:
            _report_fixed(spec, data[2:flen], found)
        fixed = values if values is not None else layout.split_fixed(data[:start].decode("latin-1").ljust(flen))
    fields = _read_fields(data[start:end], start, layout, charset, delimiter, found)
    return new_message(spec.code, fixed, fields, sequence, check), found


_MAX_SHIFT = 3  # bytes a fixed part may be short or long and still be read past
# Characters tried in place of a missing one when working out which fixed field is short.
_FILL = [chr(c).encode("latin-1") for c in range(0x20, 0x7F)]


def _resynchronised(
    spec: MessageSpec, data: bytes, end: int, found: list[CodecFinding]
) -> tuple[int, tuple[str, ...] | None]:
    """Where the variable fields really start when the fixed part is a few bytes off, and the
    fixed values read around the faulty field when it can be told which one it is.

    One root cause, one finding: a fixed field one character short would otherwise shift every
    later fixed field (a cascade of format findings) and swallow the first variable field (AO
    "missing" while the transcript shows it). If the bytes at the expected start do not begin
    an allowed field but a few bytes earlier or later do, the fields are read from there and
    the shift is reported once, at the field that explains it (:func:`_explain_shift`).
    """
    flen = spec.fixed_length
    if not spec.allowed or _starts_field(spec, data, flen, end):
        return flen, None
    for shift in (-1, 1, -2, 2, -3, 3):
        start = flen + shift
        if 2 <= start <= end and _starts_field(spec, data, start, end):
            culprit, values = _explain_shift(spec, data[:start], shift)
            if culprit is None:
                culprit = _first_bad_fixed(spec, data[:start].ljust(flen, b" ")) or None
            how = f"{-shift} byte(s) short" if shift < 0 else f"{shift} byte(s) long"
            where = f" ({culprit} is {how})" if culprit else ""
            found.append(finding(
                "fixed_too_short" if shift < 0 else "fixed_field_format",
                f"the fixed part is {how}: the variable fields start at byte {start}, not {flen}{where}",
                spec.fixed_field(culprit).offset if culprit else spec.fixed[0].offset,
            ))
            return start, values
    return flen, None


def _explain_shift(spec: MessageSpec, head: bytes, shift: int) -> tuple[str | None, tuple[str, ...] | None]:
    """The earliest fixed field whose being ``shift`` bytes off leaves every other fixed field
    well-formed, and the fixed values read that way; (None, None) when none does.

    The earliest such field is taken: every byte before it reads as it should, and the bytes
    cannot say more (a language one digit short and a date one digit short can leave the same
    bytes). The culprit's own value must be one character away from its format, so a field that
    merely happens to sit before the damage is not blamed. Only a one-byte shift is explained.
    """
    if abs(shift) != 1:
        return None, None
    for index, culprit in enumerate(spec.fixed):
        values: list[bytes] = []
        for position, field in enumerate(spec.fixed):
            offset = field.offset + (shift if position > index else 0)
            length = field.length + (shift if position == index else 0)
            values.append(head[offset:offset + length])
        others_fit = all(
            _FIELD_PATTERNS[field.format].fullmatch(value) is not None
            for position, (field, value) in enumerate(zip(spec.fixed, values)) if position != index
        )
        if others_fit and _one_off(_FIELD_PATTERNS[culprit.format], values[index], shift):
            return culprit.name, tuple(v.decode("latin-1") for v in values)
    return None, None


def _one_off(pattern: re.Pattern[bytes], value: bytes, shift: int) -> bool:
    """``value`` fits ``pattern`` with one character put back (shift -1) or taken out (+1)."""
    if shift < 0:
        return any(pattern.fullmatch(value[:i] + fill + value[i:]) for i in range(len(value) + 1) for fill in _FILL)
    return any(pattern.fullmatch(value[:i] + value[i + 1:]) for i in range(len(value)))


def _starts_field(spec: MessageSpec, data: bytes, at: int, end: int) -> bool:
    if at == end:
        return False
    candidate = data[at:at + 2].decode("latin-1")
    return candidate in spec.allowed


def _first_bad_fixed(spec: MessageSpec, head: bytes) -> str:
    for field in spec.fixed:
        value = head[field.offset:field.offset + field.length]
        if _FIELD_PATTERNS[field.format].fullmatch(value) is None:
            return field.name
    return ""


def _report_fixed(spec: MessageSpec, fixed_bytes: bytes, found: list[CodecFinding]) -> None:
    for field in spec.fixed:
        start = field.offset - 2
        value = fixed_bytes[start : start + field.length]
        if _FIELD_PATTERNS[field.format].fullmatch(value) is None:
            shown = value.decode("latin-1")
            message = f"{field.name} is {shown!r}, expected {F.FORMAT_DESCRIPTIONS[field.format]}"
            found.append(finding("fixed_field_format", message, field.offset))


def _read_fields(
    raw: bytes, flen: int, layout: _Layout, charset: str, delimiter: str, found: list[CodecFinding]
) -> tuple[tuple[str, str], ...]:
    try:
        text = raw.decode(charset)
        clean = True
    except UnicodeDecodeError:
        # surrogateescape keeps every bad byte as one character that encodes back to itself,
        # so byte offsets can still be computed for every later finding.
        text = raw.decode(charset, "surrogateescape")
        clean = False
    segments = text.split(delimiter)
    where = (segments, flen, charset, delimiter)
    if not clean:
        _report_undecodable(text, where, found)
    if segments[-1]:
        last = segments[-1]
        found.append(finding(
            "missing_trailing_delimiter", f"the last field {last[:2]!r} has no closing {delimiter!r}",
            flen + len(raw), last[:2] or None,
        ))
    else:
        segments.pop()
    ids = list(map(_FIELD_ID_PART, segments))
    fields = tuple(zip(ids, map(_VALUE_PART, segments)))
    id_set = set(ids)
    spec = layout.spec
    # Every test below is a set operation or a C-level scan; loops run only to locate a finding.
    if not id_set <= spec.allowed:
        fields = _judge_unknown(spec, fields, id_set - spec.allowed, where, found)
    if len(id_set) < len(ids):
        _report_repeats(spec, ids, id_set, where, found)
    if len(text) > _MAX_SEGMENT and max(map(len, segments)) > _MAX_SEGMENT:
        for index, segment in enumerate(segments):
            if len(segment) > _MAX_SEGMENT:
                message = f"{ids[index]} holds {len(segment) - 2} characters"
                found.append(finding("field_too_long", message, _at(where, index), ids[index]))
    formatted = id_set & _FORMATTED_IDS
    if formatted:
        _check_formats(formatted, ids, segments, where, found)
    missing = layout.required - id_set
    if missing:
        for fid in spec.required:
            if fid in missing:
                found.append(finding(
                    "required_field_missing", f"{spec.code} lacks {fid} ({F.field_name(fid)})", None, fid
                ))
    if not clean:
        fields = tuple((fid, _SURROGATE.sub("\ufffd", value)) for fid, value in fields)
    return fields


def _check_formats(
    formatted: set[str], ids: list[str], segments: list[str], where: _Where, found: list[CodecFinding]
) -> None:
    for index, fid in enumerate(ids):
        if fid in formatted and _VARIABLE_PATTERNS[fid].fullmatch(segments[index], 2) is None:
            expected = _VALUE_DESCRIPTIONS[F.VARIABLE_FORMATS[fid]]
            found.append(finding(
                "field_format", f"{fid} is {segments[index][2:]!r}, expected {expected}", _at(where, index), fid
            ))


# Where things are, as plain data: (segments, length of the fixed part, charset, delimiter).
# Byte offsets are computed from it only when a finding needs one.
_Where = tuple[list[str], int, str, str]


def _at(where: _Where, index: int) -> int:
    """The byte offset where segment ``index`` starts."""
    segments, flen, charset, delimiter = where
    before = "".join(s + delimiter for s in segments[:index])
    return flen + len(before.encode(charset, "surrogateescape"))


def _char_at(where: _Where, index: int) -> int:
    """The byte offset of character ``index`` of the variable part."""
    segments, flen, charset, delimiter = where
    return flen + len(delimiter.join(segments)[:index].encode(charset, "surrogateescape"))


def _judge_unknown(
    spec: MessageSpec, fields: tuple[tuple[str, str], ...], strange: set[str],
    where: _Where, found: list[CodecFinding],
) -> tuple[tuple[str, str], ...]:
    """Report fields the message does not define; keep the well-formed ones (the spec says
    ignore them, and a check may still want to read a vendor's WS or a 3M extension)."""
    kept = []
    for index, (fid, value) in enumerate(fields):
        if fid not in strange:
            kept.append((fid, value))
            continue
        at = _at(where, index)
        if len(fid) < 2:
            found.append(finding("field_malformed", f"{fid + value!r} is too short to hold a field id", at))
        elif fid in F.TRAILER_FIELDS:
            found.append(finding("misplaced_trailer", f"{fid} appears before the end of the message", at, fid))
        elif _FIELD_ID.fullmatch(fid) is None:
            found.append(finding("field_id_syntax", f"{fid!r} is not a field id", at))
        else:
            what = "not defined for this message" if fid in _KNOWN_IDS else "not a SIP2 2.00 field"
            message = f"{fid} ({F.field_name(fid)}) is {what}; ignored per spec"
            found.append(finding("unknown_field", message, at, fid))
            kept.append((fid, value))
    return tuple(kept)


def _report_repeats(
    spec: MessageSpec, ids: list[str], id_set: set[str], where: _Where, found: list[CodecFinding]
) -> None:
    for fid in sorted((id_set & spec.allowed) - spec.repeatable):
        if ids.count(fid) > 1:
            second = ids.index(fid, ids.index(fid) + 1)
            message = f"{fid} appears {ids.count(fid)} times in {spec.code}"
            found.append(finding("repeated_field", message, _at(where, second), fid))


def _report_undecodable(text: str, where: _Where, found: list[CodecFinding]) -> None:
    bad = [m.start() for m in _SURROGATE.finditer(text)]
    for index in bad[:5]:
        byte = ord(text[index]) - 0xDC00
        message = f"byte 0x{byte:02X} is not valid {where[2]}"
        found.append(finding("undecodable_bytes", message, _char_at(where, index)))
    if len(bad) > 5:
        found.append(finding("undecodable_bytes", f"and {len(bad) - 5} more undecodable bytes", None))
