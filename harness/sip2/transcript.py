"""What the harness keeps of a SIP2 conversation: exchanges, redacted when they are read.

Every byte sent or received is kept in the connection's bounded transcript (the newest
exchanges only, see ``client.TRANSCRIPT_LENGTH``), and whatever leaves an exchange, as bytes,
text, hex or evidence, has the secret fields masked: CO (login password) and AD (patron
password), wherever they sit in the message. Masking is lazy: it costs nothing per
transaction, only when an exchange is rendered (a FAIL's evidence, a debugging print), so a
load run of thousands of transactions pays for none of it. The unmasked bytes are private to
the exchange and never rendered (DESIGN.md: "Credentials and PINs never appear in any
report"); the run's redactor masks every known secret value again at the edge. A masked
frame's checksum no longer verifies; the decoded replies keep what the target actually sent.

The harness's own deliberately wrong PIN (:data:`WRONG_PIN`) is shown as it is: a reader must
see that the probe sent a wrong PIN, and it is no one's secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness import evidence
from harness.redact import MASK
from harness.sip2.messages import MESSAGES
from harness.sip2.model import Decoded

WRONG_PIN = "0000"  # the PIN the wrong-PIN probes send; shown as it is, never masked

# CO and AD field values, at the start of the variable part or after a delimiter (group 1 is
# kept); AD holding exactly the harness's wrong PIN is left alone. The run's redactor uses
# these too, on every rendered text.
SECRET_FIELD_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?:(?<=\|)|(?<=<CR>)|^)(CO)[^|\r\n<]*", re.MULTILINE),
    re.compile(r"(?:(?<=\|)|(?<=<CR>)|^)(AD)(?!" + WRONG_PIN + r"(?:\||$))[^|\r\n<]*", re.MULTILINE),
)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_CONTROL = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f\udc80-\udcff]")


def _mask_line(line: str) -> str:
    spec = MESSAGES.get(line[:2])
    # Only the variable part holds fields; the fixed part could contain "AD" by accident.
    start = spec.fixed_length if spec is not None else 2
    rest = line[start:]
    for pattern in SECRET_FIELD_PATTERNS:
        rest = pattern.sub(lambda m: m.group(1) + MASK, rest)
    return line[:start] + rest


def mask(data: bytes, charset: str) -> bytes:
    """``data`` with the CO and AD values replaced by the mask."""
    text = data.decode(charset, "surrogateescape")
    masked = "".join(_mask_line(line) for line in _LINE.findall(text) if line)
    return masked.encode(charset, "surrogateescape")


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
    """One request and what came back. ``sent`` and ``received`` are masked when read.

    ``replies`` are the decoded frames (an empty tuple when the target stayed silent or the
    exchange only drained unsolicited data).
    """

    wire_sent: bytes  # as sent, secrets included: read ``sent`` instead
    wire_received: bytes  # as received (the first KEEP_BYTES): read ``received`` instead
    replies: tuple[Decoded, ...]
    sequence: int | None
    elapsed: float
    charset: str
    note: str = ""
    at: str = ""  # ISO 8601 UTC, when the request went out

    @property
    def sent(self) -> bytes:
        """What was sent, CO and AD masked."""
        return mask(self.wire_sent, self.charset) if self.wire_sent else b""

    @property
    def received(self) -> bytes:
        """What came back, CO and AD masked (a target echoing a PIN must not leak it either)."""
        return mask(self.wire_received, self.charset) if self.wire_received else b""

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

    def to_evidence(self, endpoint: str, *, hex: bool = False) -> evidence.Exchange:
        """This exchange in the harness's evidence model (hex dumps added when asked)."""
        sent, received = self.sent_text, self.received_text
        if hex:
            sent += f"\nhex {self.sent_hex}" if self.sent else ""
            received += f"\nhex {self.received_hex}" if self.received else ""
        return evidence.Exchange("sip2", endpoint, sent, received, self.at, self.elapsed, self.note)

    def render(self, *, hex: bool = False) -> str:
        lines = [f">>> {self.sent_text}", f"<<< {self.received_text}"]
        if hex:
            lines += [f">>> hex {self.sent_hex}", f"<<< hex {self.received_hex}"]
        if self.note:
            lines.append(f"... {self.note}")
        return "\n".join(lines)
