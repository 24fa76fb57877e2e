"""Cutting a Z39.50 byte stream into whole PDUs, sans I/O.

Z39.50 has no framing of its own: a PDU is one BER element (ITU-T X.690) whose tag says which
PDU it is, so the stream is cut by reading tags and lengths. Both length forms occur in the
wild: YAZ (and so Zebra, Koha, Evergreen's servers) sends definite lengths for small PDUs and
indefinite ones, ended by two zero octets, for records. Feed whatever the socket gave with
:meth:`PduReader.receive_data`, then call :meth:`PduReader.next_event` until it returns
``None`` (more data needed). A read may hold half a PDU or several.

The reader never raises on a target's bytes and never holds more than ``max_pdu`` bytes:

* a PDU whose definite length is over the limit is *skipped*: its bytes are counted and
  dropped as they arrive, and a :class:`Skipped` event says so (the stream stays in step);
* anything that makes the rest of the stream unreadable (a first octet that is no PDU tag, a
  reserved length, an indefinite PDU growing past the limit) gives one :class:`Broken` event
  with a :class:`~harness.rules.Problem` at the stream offset, and the reader stops there.

Inside an indefinite element only the nesting is walked (a definite child is stepped over
whole), so the cost is linear in the bytes however they are fed, one at a time included.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from harness.rules import Problem
from harness.z3950.rules import problem

# The exceptional record size the harness proposes in Init (8 MiB, init.py) plus room for the
# PDU around one such record: anything larger breaks what the Init negotiated (3.2.1.1.6).
DEFAULT_MAX_PDU = 9 * 1024 * 1024
DEFAULT_MAX_DEPTH = 64  # indefinite elements inside each other; real PDUs use under 20
_MAX_TAG_OCTETS = 4  # high-form tag number octets: Z39.50 tags are below 1000
_MAX_LENGTH_OCTETS = 8
_HEAD = 64  # bytes of a skipped PDU kept for the evidence

# Appendix ASN1, PDU ::= CHOICE: every APDU tag of Z39.50-2003, modelled or not.
PDU_NAMES: Mapping[int, str] = MappingProxyType({
    20: "initRequest", 21: "initResponse", 22: "searchRequest", 23: "searchResponse",
    24: "presentRequest", 25: "presentResponse", 26: "deleteResultSetRequest",
    27: "deleteResultSetResponse", 28: "accessControlRequest", 29: "accessControlResponse",
    30: "resourceControlRequest", 31: "resourceControlResponse",
    32: "triggerResourceControlRequest", 33: "resourceReportRequest",
    34: "resourceReportResponse", 35: "scanRequest", 36: "scanResponse", 43: "sortRequest",
    44: "sortResponse", 45: "segmentRequest", 46: "extendedServicesRequest",
    47: "extendedServicesResponse", 48: "close", 49: "duplicateDetectionRequest",
    50: "duplicateDetectionResponse",
})


def pdu_label(tag: int) -> str:
    return f"{PDU_NAMES.get(tag, 'unknown PDU')} [{tag}]"


@dataclass(frozen=True, slots=True)
class RawPdu:
    """One whole PDU as it came: its bytes, where it started in the stream, its tag."""

    data: bytes
    offset: int
    tag: int
    indefinite: bool  # the PDU itself used the indefinite length form


@dataclass(frozen=True, slots=True)
class Skipped:
    """A PDU over the size limit: its first bytes, its declared length; the rest was dropped."""

    head: bytes
    offset: int
    tag: int
    length: int  # the whole PDU, header included
    problem: Problem


@dataclass(frozen=True, slots=True)
class Broken:
    """The stream cannot be cut any further; nothing after this event is read."""

    problem: Problem
    head: bytes  # the bytes from the start of the PDU that broke it, for the evidence


Event = RawPdu | Skipped | Broken


class _Malformed(ValueError):
    def __init__(self, rule: str, message: str, at: int) -> None:
        super().__init__(message)
        self.rule, self.message, self.at = rule, message, at


def read_header(buf: bytes | bytearray, pos: int) -> tuple[int, int, int, int] | None:
    """The BER header at ``pos``: (identifier octet, tag number, header length, content
    length, -1 when indefinite), or ``None`` when ``buf`` ends inside it.

    Raises ValueError (``_Malformed``, with the rule and offset) for what no later byte can mend.
    """
    end = len(buf)
    if pos >= end:
        return None
    ident = buf[pos]
    i = pos + 1
    tag = ident & 0x1F
    if tag == 0x1F:  # high-tag-number form: base-128 octets, bit 8 set on all but the last
        tag = 0
        for count in range(_MAX_TAG_OCTETS + 1):
            if i >= end:
                return None
            octet = buf[i]
            i += 1
            tag = (tag << 7) | (octet & 0x7F)
            if not octet & 0x80:
                break
            if count == _MAX_TAG_OCTETS - 1:
                raise _Malformed("ber_tag_too_long", f"a tag number over {_MAX_TAG_OCTETS} octets", pos)
    if i >= end:
        return None
    first = buf[i]
    i += 1
    if first < 0x80:
        return ident, tag, i - pos, first
    if first == 0x80:
        return ident, tag, i - pos, -1
    if first == 0xFF:
        raise _Malformed("ber_length_reserved", "length octet 0xFF (reserved)", i - 1)
    count = first & 0x7F
    if count > _MAX_LENGTH_OCTETS:
        raise _Malformed("pdu_too_large", f"a length in {count} octets (over 2^64 bytes)", i - 1)
    if i + count > end:
        return None
    return ident, tag, i + count - pos, int.from_bytes(buf[i:i + count], "big")


class PduReader:
    """Bytes in, :data:`Event` values out. Never raises on peer data."""

    def __init__(self, max_pdu: int = DEFAULT_MAX_PDU, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        if max_pdu < 16:
            raise ValueError("max_pdu must allow at least a small PDU (16 bytes)")
        self.max_pdu = max_pdu
        self.max_depth = max_depth
        self._buf = bytearray()
        self._base = 0  # stream offset of _buf[0]
        self._skip = 0  # bytes of an oversized PDU still to drop
        self._tag = -1  # tag of the PDU being read; -1 between PDUs
        self._end = -1  # its end in _buf when its length is definite
        self._pos = 0  # how far an indefinite PDU has been walked
        self._depth = 0  # indefinite elements open at _pos
        self._broken = False

    @property
    def buffered(self) -> int:
        """Bytes received and not yet handed out as a PDU."""
        return len(self._buf)

    @property
    def received(self) -> int:
        """Bytes received since the start, dropped ones included."""
        return self._base + len(self._buf)

    @property
    def broken(self) -> bool:
        return self._broken

    def receive_data(self, data: bytes) -> None:
        if self._broken or not data:
            return
        if self._skip:
            dropped = min(self._skip, len(data))
            self._skip -= dropped
            self._base += dropped
            data = data[dropped:]
        self._buf += data

    def next_event(self) -> Event | None:
        """The next whole PDU (or a skipped or broken one), or ``None`` if more data is needed."""
        if self._broken or self._skip:
            return None
        try:
            if self._tag < 0 and not self._start():
                return None
            if self._skip:
                return self._skipped()
            if self._end >= 0:
                return self._take(self._end) if len(self._buf) >= self._end else None
            if self._walk():
                return self._take(self._pos)
            if len(self._buf) > self.max_pdu:
                raise _Malformed("pdu_too_large", f"indefinite-length {pdu_label(self._tag)} past {self.max_pdu:,} bytes", 0)
            return None
        except _Malformed as exc:
            return self._break(exc.rule, exc.message, exc.at)

    def close(self) -> Broken | None:
        """End of stream: a PDU begun and not finished is reported as truncated."""
        if self._broken or (not self._buf and not self._skip):
            self._broken = True
            return None
        if self._skip:
            return self._break("ber_truncated", f"the stream ended {self._skip:,} bytes before the end of the oversized PDU", 0)
        what = pdu_label(self._tag) if self._tag >= 0 else "a PDU"
        return self._break("ber_truncated", f"the stream ended inside {what} after {len(self._buf):,} bytes", 0)

    # -- internals -----------------------------------------------------------------------------

    def _start(self) -> bool:
        """Read the header of the next PDU; False when it is not all here yet."""
        header = read_header(self._buf, 0)
        if header is None:
            return False
        ident, tag, head_len, length = header
        if ident & 0xE0 != 0xA0:  # class context-specific (10), constructed (1)
            raise _Malformed("ber_not_a_pdu", f"first octet 0x{ident:02X} is not a constructed context tag", 0)
        self._tag = tag
        if length < 0:
            self._end, self._pos, self._depth = -1, head_len, 1
        elif head_len + length > self.max_pdu:
            self._skip = head_len + length
        else:
            self._end = head_len + length
        return True

    def _walk(self) -> bool:
        """Step through an indefinite PDU; True once its last end-of-contents is in."""
        buf, pos, depth = self._buf, self._pos, self._depth
        try:
            while depth:
                if pos + 2 > len(buf):
                    return False
                if buf[pos] == 0:
                    if buf[pos + 1] != 0:
                        raise _Malformed("ber_bad_end_of_contents", "octet 00 followed by a non-zero length", pos)
                    depth -= 1
                    pos += 2
                    continue
                header = read_header(buf, pos)
                if header is None:
                    return False
                ident, _, head_len, length = header
                if length >= 0:
                    pos += head_len + length
                elif not ident & 0x20:
                    raise _Malformed("ber_indefinite_primitive", f"primitive tag 0x{ident:02X} with indefinite length", pos)
                else:
                    depth += 1
                    pos += head_len
                    if depth > self.max_depth:
                        raise _Malformed("ber_too_deep", f"more than {self.max_depth} indefinite elements nested", pos)
                if pos > self.max_pdu:
                    raise _Malformed("pdu_too_large", f"indefinite-length {pdu_label(self._tag)} past {self.max_pdu:,} bytes", 0)
            return True
        finally:
            self._pos, self._depth = pos, depth

    def _take(self, end: int) -> RawPdu:
        data = bytes(self._buf[:end])
        del self._buf[:end]
        event = RawPdu(data, self._base, self._tag, self._end < 0)
        self._base += end
        self._tag, self._end, self._pos, self._depth = -1, -1, 0, 0
        return event

    def _skipped(self) -> Skipped:
        length = self._skip
        head = bytes(self._buf[:_HEAD])
        dropped = min(length, len(self._buf))
        del self._buf[:dropped]
        found = problem("pdu_too_large", f"{pdu_label(self._tag)} of {length:,} bytes, over the "
                        f"{self.max_pdu:,}-byte limit; its bytes were dropped", self._base, label=pdu_label(self._tag))
        event = Skipped(head, self._base, self._tag, length, found)
        self._base += dropped
        self._skip = length - dropped
        self._tag = -1
        return event

    def _break(self, rule: str, message: str, at: int) -> Broken:
        label = pdu_label(self._tag) if self._tag >= 0 else ""
        event = Broken(problem(rule, message, self._base + at, label=label), bytes(self._buf[:_HEAD]))
        self._broken = True
        self._buf.clear()
        return event
