"""SIP2 2.00: the message tables, a sans-I/O codec and a thin client.

    fields.py       field ids, fixed-field formats, code tables (BX, patron status, ...)
    messages.py     the message table: layout, direction, expected reply, per command code
    rules.py        what the decoder can report: rule -> severity + spec clause
    codec.py        encode / decode / checksum; re-exports the pieces below
    framing.py      Framer: bytes in, frames out (CR, CRLF, LF, oversized, truncated)
    reading.py      decode's inside: fixed part, variable fields, findings with byte offsets
    errordetect.py  the AY/AZ trailer and the checksum
    dates.py        18-character SIP2 dates
    model.py        Message, Decoded and the harness-side errors
    transcript.py   Exchange: what was sent and received, secrets masked when read
    client.py       Client: the socket loop, TLS, timeouts, requests split on purpose
    requests.py     builders for the requests a self-check sends
    judging.py      what replies must agree with: PIN refusals, counts, dates, the clock
    checks.py       what every SIP2 scenario shares: ask, fail, the test loan
"""

from harness.sip2.client import Client, ConnectionLost, TLSFailed
from harness.sip2.codec import (
    DEFAULT_MAX_FRAME,
    CodecFinding,
    Decoded,
    Frame,
    Framer,
    LocalEncodingError,
    LocalProtocolError,
    Message,
    Severity,
    UnsupportedCharset,
    checksum,
    decode,
    encode,
    format_date,
    parse_date,
    resolve_charset,
    verify_checksum,
)
from harness.sip2.messages import MESSAGES, Direction, FixedField, MessageSpec
from harness.sip2.rules import RULES
from harness.sip2.transcript import Exchange

__all__ = [
    "DEFAULT_MAX_FRAME",
    "MESSAGES",
    "RULES",
    "Client",
    "CodecFinding",
    "ConnectionLost",
    "Decoded",
    "Direction",
    "Exchange",
    "FixedField",
    "Frame",
    "Framer",
    "LocalEncodingError",
    "LocalProtocolError",
    "Message",
    "MessageSpec",
    "Severity",
    "TLSFailed",
    "UnsupportedCharset",
    "checksum",
    "decode",
    "encode",
    "format_date",
    "parse_date",
    "resolve_charset",
    "verify_checksum",
]
