"""A thin SIP2 client: a socket loop around the sans-I/O codec.

Everything protocol-shaped is in :mod:`harness.sip2.codec`; this module only moves bytes,
with a timeout on the connect and a deadline on every exchange (a peer trickling one byte at
a time cannot hold the harness either). Network trouble becomes a
:class:`~harness.errors.TargetError` (outcome ERROR); what the target *said* comes back as a
:class:`~harness.sip2.codec.Decoded` with findings (a check turns those into FAIL).

TLS uses the system trust store and checks the host name. ``verify=False`` is an explicit,
visible opt-out for sandboxes with self-signed certificates; a TLS failure is an error, never
a silent fall-back to plaintext (the PyPI ``sip2`` client does that, research §2.2).
"""

from __future__ import annotations

import itertools
import re
import socket
import ssl
import time
from collections import deque
from collections.abc import Sequence
from types import TracebackType
from typing import Self

from harness.budget import UNLIMITED, BudgetExceeded, CheckBudget
from harness.errors import TargetError, TargetTimeout, TargetUnreachable
from harness.evidence import utc_now
from harness.sip2.codec import DEFAULT_MAX_FRAME, Decoded, Framer, Message, decode, encode, resolve_charset
from harness.sip2.transcript import Exchange

_TERMINATORS = re.compile(rb"\r\n|\r|\n")
TRANSCRIPT_LENGTH = 500  # exchanges kept per connection (the newest)
MAX_UNSOLICITED_BYTES = 1024 * 1024  # unsolicited data read before one request; the rest is left unread
KEEP_BYTES = 64 * 1024  # received bytes kept per exchange for evidence (the count is kept whole)
MAX_KEPT_REPLIES = 50  # decoded frames kept per exchange


class _Kept:
    """Received bytes: the first KEEP_BYTES kept for evidence, every byte counted."""

    def __init__(self) -> None:
        self.data = b""
        self.total = 0

    def add(self, chunk: bytes) -> None:
        if len(self.data) < KEEP_BYTES:
            self.data += chunk[: KEEP_BYTES - len(self.data)]
        self.total += len(chunk)


class ConnectionLost(TargetError):
    """The target closed or broke the connection during an exchange."""

    def __init__(self, message: str, exchange: Exchange | None = None) -> None:
        super().__init__(message)
        self.exchange = exchange


class TLSFailed(TargetUnreachable):
    """The TLS handshake failed (untrusted certificate, wrong host name, no TLS at all)."""


class Client:
    """One SIP2 connection. Use as a context manager; every exchange is in ``transcript``."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float = 10.0,
        tls: bool = False,
        verify: bool = True,
        ca_file: str | None = None,
        charset: str = "utf-8",
        error_detection: bool = True,
        terminator: bytes = b"\r",
        max_frame: int = DEFAULT_MAX_FRAME,
        transcript_length: int = TRANSCRIPT_LENGTH,
        budget: CheckBudget = UNLIMITED,
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.charset = resolve_charset(charset)
        self.budget = budget
        self.error_detection = error_detection
        self.terminator = terminator
        # The newest exchanges only: a load run sends thousands, a flood of unsolicited frames
        # must not grow memory (DESIGN.md: nothing hangs, nothing grows without bound).
        self.transcript: deque[Exchange] = deque(maxlen=transcript_length)
        self.exchanges = 0  # every exchange, also those the transcript no longer holds
        self.unsolicited = 0  # frames no request asked for
        self._framer = Framer(max_frame)
        self._next_sequence = 0
        self._sock: socket.socket | None = self._connect(tls, verify, ca_file)

    # -- public --------------------------------------------------------------------------------

    def send(self, message: Message) -> Decoded:
        """Send one request and return its one reply (with error detection: the next AY)."""
        sequence = self._take_sequence() if self.error_detection else None
        frame = encode(
            message,
            charset=self.charset,
            error_detection=self.error_detection,
            sequence=sequence,
            terminator=self.terminator,
        )
        return self._exchange(frame, expect=1, allow_silence=False, sequence=sequence)[0]

    def send_raw(
        self, data: bytes, *, expect: int | None = None, allow_silence: bool = False,
        cuts: Sequence[int] = (), pause: float = 0.05,
    ) -> list[Decoded]:
        """Send bytes as they are (bad-input tests) and collect ``expect`` replies.

        ``expect`` defaults to the number of terminated frames in ``data`` (at least 1). With
        ``allow_silence`` a timeout returns what arrived instead of raising: silence is then
        an observation, not an error. ``cuts`` sends ``data`` in pieces, cut at those byte
        offsets, ``pause`` seconds apart (each its own TCP segment: a request split in transit).
        """
        if expect is None:
            expect = max(1, len(_TERMINATORS.findall(data)))
        edges = [0, *sorted(c for c in cuts if 0 < c < len(data)), len(data)]
        pieces = [data[a:b] for a, b in itertools.pairwise(edges)]
        return self._exchange(data, expect=expect, allow_silence=allow_silence, sequence=None, pieces=pieces, pause=pause)

    @property
    def next_sequence(self) -> int:
        return self._next_sequence

    @property
    def closed(self) -> bool:
        """The connection is gone: :meth:`close` was called, or the client ended it after a broken
        exchange (a reset, a reply that never ended, a timeout)."""
        return self._sock is None

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- internals -----------------------------------------------------------------------------

    def _connect(self, tls: bool, verify: bool, ca_file: str | None) -> socket.socket:
        where = f"{self.host}:{self.port}"
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except TimeoutError:
            raise TargetTimeout(f"SIP2 {where}: no TCP connection within {self.timeout}s") from None
        except OSError as exc:
            raise TargetUnreachable(f"SIP2 {where}: cannot connect ({exc.strerror or exc})") from None
        if not tls:
            return sock
        context = ssl.create_default_context(cafile=ca_file)
        if not verify:
            # Explicit opt-out, for sandboxes with self-signed certificates only.
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        try:
            return context.wrap_socket(sock, server_hostname=self.host)
        except TimeoutError:
            sock.close()
            raise TargetTimeout(f"SIP2 {where}: no TLS handshake within {self.timeout}s") from None
        except OSError as exc:  # ssl.SSLError (certificate, protocol) or a reset mid-handshake
            sock.close()
            untrusted = isinstance(exc, ssl.SSLCertVerificationError)
            hint = " (verify=False accepts it, for a sandbox you trust)" if untrusted else ""
            raise TLSFailed(f"SIP2 {where}: TLS handshake failed: {exc}{hint}") from None

    def _take_sequence(self) -> int:
        sequence = self._next_sequence
        self._next_sequence = (sequence + 1) % 10  # the SC increments and wraps 9 -> 0
        return sequence

    def _exchange(
        self, data: bytes, *, expect: int, allow_silence: bool, sequence: int | None,
        pieces: Sequence[bytes] = (), pause: float = 0.0,
    ) -> list[Decoded]:
        sock = self._require_socket()
        self._drain_unsolicited(sock)
        started, at = time.monotonic(), utc_now()
        deadline = started + self.timeout
        received = _Kept()
        replies: list[Decoded] = []
        where = f"SIP2 {self.host}:{self.port}"
        try:
            sock.settimeout(self.timeout)
            if len(pieces) > 1:
                self._send_pieces(sock, pieces, pause)
            else:
                sock.sendall(data)
            while len(replies) < expect:
                frame = self._framer.next_frame()
                if frame is not None:
                    replies.append(decode(frame, charset=self.charset))
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                sock.settimeout(remaining)
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received.add(chunk)
                self.budget.charge(len(chunk))
                self._framer.receive_data(chunk)
        except BudgetExceeded as exc:
            self._record(data, received, replies, sequence, started, at, str(exc))
            self.close()
            raise
        except TimeoutError:
            return self._timed_out(data, received, replies, sequence, started, at, expect, allow_silence, where)
        except OSError as exc:
            exchange = self._record(data, received, replies, sequence, started, at, f"connection broken: {exc}")
            self.close()
            raise ConnectionLost(f"{where}: connection broken: {exc}", exchange) from None
        if len(replies) < expect:  # end of stream before every reply was in
            leftover = self._framer.close()
            if leftover is not None:
                # Half a reply, then the end: the target's fault, returned (decoded as
                # truncated) for a check to judge, as a reply that never ends is.
                replies.append(decode(leftover, charset=self.charset))
                self._record(data, received, replies, sequence, started, at,
                             f"the target closed the connection mid-message after {received.total:,} bytes")
                self.close()
                return replies
            note = "the target closed the connection"
            exchange = self._record(data, received, replies, sequence, started, at, note)
            self.close()
            raise ConnectionLost(f"{where}: {note}", exchange)
        self._record(data, received, replies, sequence, started, at)
        return replies

    @staticmethod
    def _send_pieces(sock: socket.socket, pieces: Sequence[bytes], pause: float) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # each piece its own segment
        for index, piece in enumerate(pieces):
            if index:
                time.sleep(pause)
            sock.sendall(piece)

    def _timed_out(
        self, data: bytes, received: _Kept, replies: list[Decoded], sequence: int | None, started: float, at: str,
        expect: int, allow_silence: bool, where: str,
    ) -> list[Decoded]:
        """The deadline passed. Bytes without a terminator are a reply that never ended: the
        target's fault, returned (decoded as truncated) for a check to judge; silence is not."""
        leftover = self._framer.close()
        if leftover is not None:
            replies.append(decode(leftover, charset=self.charset))
            self._record(data, received, replies, sequence, started, at,
                         f"no terminator within {self.timeout:g}s after {received.total:,} bytes")
            self.close()  # the stream is out of step: nothing after this can be trusted
            return replies
        note = f"{len(replies)} of {expect} replies within {self.timeout:g}s"
        self._record(data, received, replies, sequence, started, at, note)
        if allow_silence:
            return replies
        # A late reply would be read as the answer to the next request: end the session.
        self.close()
        raise TargetTimeout(f"{where}: {note}") from None

    def _record(
        self, data: bytes, received: _Kept, replies: list[Decoded], sequence: int | None,
        started: float, at: str, note: str = "",
    ) -> Exchange:
        if received.total > len(received.data):
            note = f"{note}; " if note else ""
            note += f"{received.total:,} bytes came, the first {len(received.data):,} are kept"
        exchange = Exchange(
            data, received.data, tuple(replies[:MAX_KEPT_REPLIES]),
            sequence, time.monotonic() - started, self.charset, note, at,
        )
        self.transcript.append(exchange)
        self.exchanges += 1
        return exchange

    def _drain_unsolicited(self, sock: socket.socket) -> None:
        """Bytes that arrived before a request are not its reply: record them apart.

        Reads what already sits in the socket without waiting, at most
        ``MAX_UNSOLICITED_BYTES`` (a flood is counted, not read forever), so a late or extra
        reply to the previous request cannot be taken for the answer to this one.
        """
        received = _Kept()
        sock.settimeout(0)
        try:
            while received.total < MAX_UNSOLICITED_BYTES and (chunk := sock.recv(65536)):
                received.add(chunk)
                self._framer.receive_data(chunk)
        except OSError:  # nothing more waiting (BlockingIOError, SSLWantReadError) or broken
            pass
        frames = 0
        kept: list[Decoded] = []
        while (frame := self._framer.next_frame()) is not None:
            frames += 1
            if len(kept) < MAX_KEPT_REPLIES:
                kept.append(decode(frame, charset=self.charset))
        if frames or received.total:
            self.unsolicited += frames
            self.transcript.append(Exchange(
                b"", received.data, tuple(kept), None, 0.0, self.charset,
                f"unsolicited: {frames} frame(s), {received.total:,} bytes arrived before the next request", utc_now(),
            ))

    def _require_socket(self) -> socket.socket:
        if self._sock is None:
            raise ConnectionLost(f"SIP2 {self.host}:{self.port}: the connection is closed")
        return self._sock
