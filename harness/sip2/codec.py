"""SIP2 2.00 messages to bytes and back, sans I/O: the codec's public face.

``encode`` builds a frame from a :class:`Message` and refuses (with a harness-side error) what
it cannot build honestly: a value the charset cannot hold, a delimiter inside a value.
``decode`` reads one frame and never raises: whatever a target sends comes back as a
:class:`Decoded` with structured :class:`~harness.sip2.rules.CodecFinding` values.
:class:`Framer` cuts a byte stream into frames; the client is a socket loop around the two.

Error detection (research §0, §1.1): ``...|AY<seq>AZ<4 hex>``, the checksum being the 16-bit
two's complement of the sum of the *encoded bytes* from the first byte through "AZ". Summing
characters instead of bytes is the classic bug with æøå (§3 P2), so everything here sums bytes.
"""

from __future__ import annotations

import codecs
import functools
import re
from operator import itemgetter

from harness.rules import Severity
from harness.sip2 import fields as F
from harness.sip2.dates import format_date, parse_date
from harness.sip2.errordetect import checksum, trailer, verify_checksum
from harness.sip2.framing import DEFAULT_MAX_FRAME, Frame, Framer
from harness.sip2.messages import MESSAGES, MessageSpec
from harness.sip2.model import (
    Decoded,
    LocalEncodingError,
    LocalProtocolError,
    Message,
    UnsupportedCharset,
    new_decoded,
)
from harness.sip2.reading import read_message
from harness.sip2.rules import CodecFinding

__all__ = [
    "DEFAULT_MAX_FRAME", "CodecFinding", "Decoded", "Frame", "Framer", "LocalEncodingError",
    "LocalProtocolError", "Message", "Severity", "UnsupportedCharset", "checksum", "decode",
    "encode", "format_date", "parse_date", "resolve_charset", "verify_checksum",
]


# -- character sets ----------------------------------------------------------------------------

# Multi-byte sets whose trailing bytes can fall in 0x40-0x7E, so a "|" byte may be half of a
# character: splitting on the delimiter byte would be wrong for them.
_TRAIL_BYTE_UNSAFE = frozenset({
    "shift_jis", "cp932", "shift_jis_2004", "shift_jisx0213", "big5", "big5hkscs", "cp950",
    "gbk", "gb18030", "johab",
})
_ASCII = bytes(range(128))


@functools.lru_cache(maxsize=64)
def resolve_charset(name: str) -> str:
    """Python's codec name for a profile's charset key; it must be ASCII-transparent.

    SIP2's command codes, field ids, delimiter and checksum are ASCII, so the charset must
    write ASCII as itself: utf-8, cp850, iso-8859-1 and the other 8-bit sets do; utf-16 does not.
    """
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise UnsupportedCharset(f"unknown character set {name!r} (try utf-8, cp850 or latin-1)") from None
    try:
        transparent = _ASCII.decode(info.name) == _ASCII.decode("ascii")
    except (LookupError, ValueError):  # "hex", "rot13": not text encodings; utf-16: odd length
        transparent = False
    if not transparent:
        raise UnsupportedCharset(f"character set {name!r} does not keep ASCII bytes as ASCII")
    if info.name in _TRAIL_BYTE_UNSAFE:
        raise UnsupportedCharset(f"character set {name!r} can hide a '|' byte inside a character")
    return info.name


# -- encoding ----------------------------------------------------------------------------------

def fixed_pattern(spec: MessageSpec) -> str:
    """One regular expression for the whole fixed part (command code excluded)."""
    return "".join(f"(?:{F.FORMATS[f.format]})" for f in spec.fixed)


# re.ASCII: in str patterns \d would also accept other scripts' digits.
_FIXED_TEXT = {code: re.compile(fixed_pattern(spec), re.ASCII) for code, spec in MESSAGES.items()}
_SENDABLE_IDS = (frozenset(F.FIELD_NAMES) | frozenset(F.EXTENSION_FIELDS)) - F.TRAILER_FIELDS
_FIRST, _SECOND = itemgetter(0), itemgetter(1)
_SHORT = F.MAX_FIELD_LENGTH + 3  # id + value + delimiter


def encode(
    message: Message,
    *,
    charset: str = "utf-8",
    error_detection: bool = True,
    sequence: int | None = None,
    terminator: bytes = b"\r",
    delimiter: str = "|",
    check: bool = True,
) -> bytes:
    """The frame for ``message``, terminator included.

    With error detection, ordinary messages end ``AY<sequence>AZ<checksum>`` (``sequence``
    defaults to the message's own, then 0); 96 and 97 end ``AZ<checksum>`` only. ``check=False``
    skips the layout checks so that tests can build deliberately malformed messages; the
    charset check always applies (a replaced character would be a lie on the wire).

    Raises:
        LocalProtocolError: the message breaks the layout (unknown code, bad fixed field,
            a delimiter or line end inside a value, a value over 255 characters).
        LocalEncodingError: a value cannot be written in ``charset``.
    """
    fields = message.fields
    fixed = "".join(message.fixed)
    variable = "".join([f"{fid}{value}{delimiter}" for fid, value in fields])
    if check:
        _check_layout(message, fixed, variable, delimiter)
    text = message.code + fixed + variable
    try:
        body = text.encode(resolve_charset(charset))
    except UnicodeEncodeError as exc:
        raise _encoding_error(message, text, charset, exc) from None
    if not error_detection:
        return body + terminator
    seq = sequence if sequence is not None else (message.sequence or 0)
    if not 0 <= seq <= 9:
        raise LocalProtocolError(f"sequence number must be 0-9, not {seq}")
    return body + trailer(body, message.code, seq) + terminator


def _check_layout(message: Message, fixed: str, variable: str, delimiter: str) -> None:
    pattern = _FIXED_TEXT.get(message.code)
    if pattern is None:
        raise LocalProtocolError(f"unknown command {message.code!r}")
    if pattern.fullmatch(fixed) is None:
        raise LocalProtocolError(f"{message.code} fixed fields do not match the layout: {message.fixed!r}")
    fields = message.fields
    # Whole-collection tests at C speed first; the per-field loop only runs to name the culprit.
    if (
        variable.count(delimiter) == len(fields)
        and "\r" not in variable
        and "\n" not in variable
        # A variable part no longer than one maximal field cannot hold an over-long value.
        and (len(variable) <= _SHORT or max(map(len, map(_SECOND, fields))) <= F.MAX_FIELD_LENGTH)
        and set(map(_FIRST, fields)) <= _SENDABLE_IDS
    ):
        return
    for field_id, value in fields:
        if len(field_id) != 2 or field_id in F.TRAILER_FIELDS or delimiter in field_id:
            raise LocalProtocolError(f"{message.code}: {field_id!r} is not a field id the harness may send")
        if delimiter in value or "\r" in value or "\n" in value:
            raise LocalProtocolError(f"{message.code} {field_id}: value holds a delimiter or line end: {value!r}")
        if len(value) > F.MAX_FIELD_LENGTH:
            raise LocalProtocolError(f"{message.code} {field_id}: {len(value)} characters, over 255")


def _encoding_error(message: Message, text: str, charset: str, exc: UnicodeEncodeError) -> LocalEncodingError:
    bad = text[exc.start : exc.end]
    where = "the fixed part"
    position = len(message.code) + sum(map(len, message.fixed))
    for field_id, value in message.fields:
        if exc.start < position + 2 + len(value):
            where = f"field {field_id}"
            break
        position += 3 + len(value)
    return LocalEncodingError(
        f"{message.code}: {where} holds {bad!r} (U+{ord(bad[0]):04X}), which {charset} cannot "
        f"encode; use a charset that can (utf-8 carries Sámi letters) or change the test data"
    )


# -- decoding ----------------------------------------------------------------------------------

def decode(
    frame: bytes | bytearray | memoryview | Frame, *, charset: str = "utf-8", delimiter: str = "|"
) -> Decoded:
    """Read one frame. Never raises on peer data: problems come back as findings.

    ``frame`` is a :class:`Frame` from :class:`Framer` (its framing findings are kept) or the
    bytes of one message, with or without its terminator. A frame the stream ended inside
    (``truncated``) is read as far as it goes, so a check can judge what came; an oversized
    frame, cut at the harness's limit, gives no message.
    """
    if isinstance(frame, Frame):
        if not frame.complete and (frame.terminator or any(f.rule.id == "oversized" for f in frame.findings)):
            return new_decoded(None, frame.findings, frame.raw)
        message, found = read_message(frame.data, resolve_charset(charset), delimiter)
        return new_decoded(message, (*frame.findings, *found), frame.raw)
    raw = frame if isinstance(frame, bytes) else bytes(frame)  # bytearray, memoryview
    data = raw
    if data.endswith(b"\n"):
        data = data[:-1]
    if data.endswith(b"\r"):
        data = data[:-1]
    message, found = read_message(data, resolve_charset(charset), delimiter)
    return new_decoded(message, tuple(found), raw)
