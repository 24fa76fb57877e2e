"""What the harness keeps of a SIP2 conversation: exchanges, redacted, readable.

Every byte sent or received is kept, but only after the secrets are masked: CO (login
password) and AD (patron password) by field, wherever they sit in the message, and then
everything :func:`harness.redact.redact` knows (registered secrets, its own patterns). The
raw bytes with secrets in them are never stored (DESIGN.md: "Credentials and PINs never
appear in any report"). A masked frame's checksum no longer verifies; the decoded replies
keep what the target actually sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.redact import MASK, redact
from harness.sip2.fields import SECRET_FIELDS
from harness.sip2.messages import MESSAGES
from harness.sip2.model import Decoded

_SECRET = re.compile(
    r"(?:(?<=\|)|^)(" + "|".join(sorted(SECRET_FIELDS)) + r")[^|\r\n]*"
)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_CONTROL = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f\udc80-\udcff]")


def _mask_line(line: str) -> str:
    spec = MESSAGES.get(line[:2])
    # Only the variable part holds fields; the fixed part could contain "AD" by accident.
    start = spec.fixed_length if spec is not None else 2
    return line[:start] + _SECRET.sub(lambda m: m.group(1) + MASK, line[start:])


def mask(data: bytes, charset: str) -> bytes:
    """``data`` with CO/AD values and registered secrets replaced by the mask."""
    text = data.decode(charset, "surrogateescape")
    masked = "".join(_mask_line(line) for line in _LINE.findall(text) if line)
    return redact(masked).encode(charset, "surrogateescape")


def readable(data: bytes, charset: str) -> str:
    """Text with CR and LF shown as <CR>/<LF>, other control bytes and bad bytes as <xNN>."""
    text = data.decode(charset, "surrogateescape")
    text = text.replace("\r", "<CR>").replace("\n", "<LF>")
    return _CONTROL.sub(lambda m: f"<x{_byte(m.group())}>", text)


def _byte(char: str) -> str:
    code = ord(char)
    return f"{code - 0xDC00:02X}" if code >= 0xDC80 else f"{code:02X}"


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and what came back, secrets masked.

    ``sent`` and ``received`` are the masked bytes; ``replies`` are the decoded frames (an
    empty tuple when the target stayed silent or the exchange only drained unsolicited data).
    """

    sent: bytes
    received: bytes
    replies: tuple[Decoded, ...]
    sequence: int | None
    elapsed: float
    charset: str
    note: str = ""

    @property
    def sent_text(self) -> str:
        return readable(self.sent, self.charset)

    @property
    def received_text(self) -> str:
        return readable(self.received, self.charset)

    @property
    def sent_hex(self) -> str:
        return self.sent.hex(" ")

    @property
    def received_hex(self) -> str:
        return self.received.hex(" ")

    def render(self, *, hex: bool = False) -> str:  # noqa: A002 (the word the evidence uses)
        lines = [f">>> {self.sent_text}", f"<<< {self.received_text}"]
        if hex:
            lines += [f">>> hex {self.sent_hex}", f"<<< hex {self.received_hex}"]
        if self.note:
            lines.append(f"... {self.note}")
        return "\n".join(lines)
