"""Cutting a SIP2 byte stream into frames, sans I/O.

Feed whatever the socket gave with :meth:`Framer.receive_data`, then call
:meth:`Framer.next_frame` until it returns ``None`` (need more data). One read may hold half a
message or several; a frame may be split anywhere, even inside a UTF-8 character (research
§3 P10). The spec's terminator is CR; CRLF and a bare LF are common (Koha sends CRLF by
default, §3 P1), so they are accepted and *reported*: every frame carries the terminator it
actually ended with, and a finding when that was not CR.

A peer that never sends a terminator must not make the harness grow a buffer forever: past
``max_frame`` bytes the framer yields an "oversized" frame and discards up to the next
terminator. At end of stream, :meth:`Framer.close` returns what was left as a "truncated" frame.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.sip2.rules import CodecFinding, finding

CR, LF = 0x0D, 0x0A

# Large enough for a 64 with hundreds of items (each AU field ≤ 255 characters, ~260 bytes),
# small enough that a runaway peer costs nothing.
DEFAULT_MAX_FRAME = 64 * 1024


@dataclass(frozen=True, slots=True)
class Frame:
    data: bytes  # the message bytes, terminator excluded
    terminator: bytes  # b"\r", b"\r\n", b"\n"; b"" when the frame never ended
    complete: bool
    findings: tuple[CodecFinding, ...] = ()

    @property
    def raw(self) -> bytes:
        return self.data + self.terminator


_TERMINATOR_RULES = {b"\r\n": "terminator_crlf", b"\n": "terminator_lf"}


class Framer:
    """Bytes in, :class:`Frame` out. Never raises on peer data."""

    def __init__(self, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        if max_frame < 2:
            raise ValueError("max_frame must allow at least a command code")
        self.max_frame = max_frame
        self._buf = bytearray()
        self._scanned = 0  # the first _scanned bytes of _buf hold no terminator
        self._discarding = False  # inside an oversized frame, dropping bytes until a terminator
        self._cr_at_end = False  # the last frame ended on a CR that was the last byte seen
        self._pending: list[CodecFinding] = []  # notes for the next frame (blank lines, stray LF)
        self._closed = False

    @property
    def buffered(self) -> int:
        """Bytes received but not yet part of a frame."""
        return len(self._buf)

    def receive_data(self, data: bytes) -> None:
        if self._closed:
            raise RuntimeError("Framer.receive_data after close()")
        if not data:
            return
        if self._cr_at_end and data[0] == LF:
            # The peer sent CRLF but the LF came in a later read; the previous frame was
            # already handed out with terminator CR, so say so on the next one.
            self._pending.append(
                finding("stray_lf", "LF after the previous frame's CR arrived in a later read (CRLF)")
            )
            data = data[1:]
        self._cr_at_end = False
        self._buf += data

    def next_frame(self) -> Frame | None:
        """The next complete frame, or ``None`` if more data is needed."""
        while True:
            if self._discarding and not self._skip_oversized_rest():
                return None
            end = self._find_terminator()
            if end < 0:
                return self._maybe_oversized()
            terminator = self._terminator_at(end)
            data = bytes(self._buf[:end])
            del self._buf[: end + len(terminator)]
            self._scanned = 0
            if end > self.max_frame:
                return self._oversized_frame(data[: self.max_frame], terminator, complete_len=end)
            if not data:
                self._pending.append(
                    finding("blank_line", f"an empty frame ({terminator!r}) before this one")
                )
                continue
            return Frame(data, terminator, True, self._take_pending(terminator, len(data)))

    def close(self) -> Frame | None:
        """End of stream: leftover bytes become a truncated frame."""
        self._closed = True
        if self._discarding or not self._buf:
            self._buf.clear()
            return None
        data = bytes(self._buf)
        self._buf.clear()
        findings = (*self._pending, finding(
            "truncated", f"the stream ended after {len(data)} bytes without a terminator", len(data)
        ))
        self._pending = []
        return Frame(data, b"", False, findings)

    # -- helpers -------------------------------------------------------------------------------

    def _find_terminator(self) -> int:
        buf = self._buf
        cr = buf.find(b"\r", self._scanned)
        # Look for LF only before the CR (or anywhere if there is none): one pass at most.
        lf = buf.find(b"\n", self._scanned, cr if cr >= 0 else len(buf))
        if lf >= 0:
            return lf
        if cr < 0:
            self._scanned = len(buf)
        return cr

    def _terminator_at(self, end: int) -> bytes:
        buf = self._buf
        if buf[end] == LF:
            return b"\n"
        if end + 1 < len(buf):
            return b"\r\n" if buf[end + 1] == LF else b"\r"
        self._cr_at_end = True  # an LF may still come in the next read
        return b"\r"

    def _take_pending(self, terminator: bytes, length: int) -> tuple[CodecFinding, ...]:
        rule = _TERMINATOR_RULES.get(terminator)
        if rule is None and not self._pending:
            return ()
        found = self._pending
        self._pending = []
        if rule is not None:
            found.append(finding(rule, f"frame ended with {terminator!r}", length))
        return tuple(found)

    def _maybe_oversized(self) -> Frame | None:
        if len(self._buf) <= self.max_frame:
            return None
        data = bytes(self._buf[: self.max_frame])
        self._buf.clear()
        self._scanned = 0
        self._discarding = True
        return self._oversized_frame(data, b"", complete_len=None)

    def _oversized_frame(self, head: bytes, terminator: bytes, complete_len: int | None) -> Frame:
        size = f"{complete_len} bytes" if complete_len is not None else "more bytes"
        note = finding(
            "oversized",
            f"{size} without a terminator, over the {self.max_frame}-byte limit; "
            f"the first {len(head)} are kept as evidence, the rest discarded",
            self.max_frame,
        )
        findings = (*self._pending, note)
        self._pending = []
        return Frame(head, terminator, False, findings)

    def _skip_oversized_rest(self) -> bool:
        """Drop bytes up to and including the next terminator; True once it was found."""
        end = self._find_terminator()
        if end < 0:
            self._buf.clear()
            self._scanned = 0
            return False
        terminator = self._terminator_at(end)
        del self._buf[: end + len(terminator)]
        self._scanned = 0
        self._discarding = False
        return True
