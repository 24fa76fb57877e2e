"""Error detection: the AY<sequence>AZ<checksum> trailer (research §0, §1.1; §3 P2-P4).

3M SIP2 2.00, error detection: the checksum is "the binary sum of the characters" from the
first character of the message through the "AZ", "the two's complement of that sum", sent as
4 hex digits. Implementations that agree (Koha/Evergreen, pysip2) sum the *encoded bytes* and
keep 16 bits; so does this module. Lower-case digits and dropped leading zeros are real bugs
in the wild (ceridwen #3 sent ``AZ9C9``), so they are findings even when the arithmetic holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from harness.sip2.messages import RESEND_CODES, MessageSpec
from harness.sip2.rules import CodecFinding, finding

_HEX = re.compile(rb"[0-9A-Fa-f]+")
_HEX4 = re.compile(rb"[0-9A-Fa-f]{4}")


def checksum(data: bytes) -> str:
    """Four upper-case hex digits: the 16-bit two's complement of the byte sum of ``data``.

    ``data`` runs from the first byte of the message through the "AZ" characters.
    """
    return "%04X" % (-sum(data) & 0xFFFF)


def trailer(body: bytes, code: str, sequence: int | None, *, digits: Callable[[bytes], str] = checksum) -> bytes:
    """The error-detection trailer for a message body: ``AY<n>AZ<4 hex>``; ``AZ<4 hex>`` for 96/97.

    The one place both the harness's encoder and the sandbox ACS write it. ``digits`` computes
    the checksum text over the body through "AZ" (the sandbox's checksum defects pass their
    own, wrong, computation).
    """
    head = b"AZ" if code in RESEND_CODES else b"AY%dAZ" % (sequence or 0)
    return head + digits(body + head).encode("ascii")


def verify_checksum(frame: bytes) -> bool:
    """True when ``frame`` ends with AZ and 4 hex digits that make the byte sum zero.

    A trailing CR/LF is ignored. Lower-case digits verify here (the arithmetic holds); the
    decoder reports them separately.
    """
    frame = frame.rstrip(b"\r\n")
    if len(frame) < 6 or frame[-6:-4] != b"AZ" or _HEX4.fullmatch(frame, len(frame) - 4) is None:
        return False
    return (sum(frame[:-4]) + int(frame[-4:], 16)) & 0xFFFF == 0


def split_trailer(
    data: bytes, spec: MessageSpec, found: list[CodecFinding], delimiter: bytes = b"|"
) -> tuple[int, int | None, str | None]:
    """Find the trailer: (where the message proper ends, sequence number, checksum text).

    The canonical form ``AY<digit>AZ<4 hex>`` is recognised by position, like Koha does, so a
    last field without its ``|`` still works. Anything looser must start right after the last
    delimiter (or the fixed part), which keeps a title ending in "AZ" from looking like one.
    """
    n = len(data)
    ay = az = -1
    if n >= 9 and data.startswith(b"AY", n - 9) and data.startswith(b"AZ", n - 6):
        # Fast path: compare with the expected checksum's canonical text. Equal bytes mean
        # four upper-case hex digits that verify, so nothing is left to judge.
        seq = data[n - 7]
        digits = data[n - 4 :]
        if (
            0x30 <= seq <= 0x39
            and digits == b"%04X" % ((sum(digits) - sum(data)) & 0xFFFF)
            and spec.code not in RESEND_CODES
        ):
            return n - 9, seq - 0x30, digits.decode("ascii")
        ay, az = n - 9, n - 6
        if delimiter in digits:  # "...AY1AZ123|": the end of a field value, not a trailer
            ay = az = -1
    if ay < 0 and az < 0:
        start = max(data.rfind(delimiter) + 1, min(spec.fixed_length, n))
        tail = data[start:]
        if tail.startswith(b"AY"):
            ay = start
            found_az = tail.find(b"AZ", 2)
            az = start + found_az if found_az >= 0 else -1
        elif tail.startswith(b"AZ"):
            ay, az = -1, start
        else:
            return n, None, None
    sequence = _sequence(data, spec, ay, az, found) if ay >= 0 else None
    if az < 0:
        found.append(finding("ay_without_az", "AY (sequence number) without AZ (checksum)", ay, "AY"))
        return ay, sequence, None
    if ay < 0 and spec.code not in RESEND_CODES:
        found.append(finding("az_without_ay", f"{spec.code} has AZ but no AY before it", az, "AZ"))
    digits = data[az + 2 :]
    _judge_checksum(data, az, digits, found)
    return (ay if ay >= 0 else az), sequence, digits.decode("latin-1")


def _sequence(data: bytes, spec: MessageSpec, ay: int, az: int, found: list[CodecFinding]) -> int | None:
    if spec.code in RESEND_CODES:
        found.append(finding("ay_on_resend", f"{spec.code} carries a sequence number", ay, "AY"))
    raw = data[ay + 2 : az if az >= 0 else len(data)]
    if len(raw) == 1 and raw.isdigit():
        return raw[0] - 0x30
    found.append(finding("sequence_syntax", f"AY{raw!r}: not a single digit", ay + 2, "AY"))
    return None


def _judge_checksum(data: bytes, az: int, digits: bytes, found: list[CodecFinding]) -> None:
    at = az + 2
    if _HEX.fullmatch(digits) is None:
        found.append(finding("checksum_not_hex", f"AZ{digits!r} is not hexadecimal", at, "AZ"))
        return
    if len(digits) != 4:
        found.append(finding("checksum_length", f"AZ{digits.decode()}: {len(digits)} digits, not 4", at, "AZ"))
    if digits != digits.upper():
        found.append(finding("checksum_lowercase", f"AZ{digits.decode()} uses lower-case hex", at, "AZ"))
    expected = checksum(data[: az + 2])
    if int(digits, 16) != int(expected, 16):
        found.append(finding(
            "bad_checksum", f"AZ{digits.decode()}, but the bytes through AZ give AZ{expected}", at, "AZ"
        ))
