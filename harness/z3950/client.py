"""A thin Z39.50 client: a socket loop around the sans-I/O codec.

Everything protocol-shaped is in :mod:`harness.z3950.codec`; this module moves bytes with a
connect timeout and a deadline on each whole exchange (a target trickling one byte a second,
or sending a PDU that never ends, stops at the deadline with
:class:`~harness.errors.TargetTimeout`, the bytes that came counted in the transcript). The
reader holds at most ``max_pdu`` bytes of one PDU. Every exchange goes into ``transcript``
(a :class:`~harness.z3950.transcript.Transcript` of :class:`harness.evidence.Exchange`, protocol
"z3950", each PDU rendered readably when the transcript is read).

What a target *says* wrongly is evidence, not an exception the harness chokes on:

* a response that decodes comes back typed; what was odd about it (text not in UTF-8 after
  UTF-8 was negotiated, a Reference-id not echoed) is in ``problems`` and in the transcript;
* a response that cannot stand for the answer (undecodable bytes, a broken stream, an
  oversized PDU, another service's response) raises :class:`ProtocolViolation`, a
  :class:`~harness.findings.Finding` whose evidence holds the problems (the clause of the
  first) and the exchange: a check's FAIL;
* a Close from the target raises :class:`AssociationClosed`, a dropped connection
  :class:`ConnectionLost` (both :class:`~harness.errors.TargetError`: the harness could not
  ask). The check decides whether that was the point.
"""

from __future__ import annotations

import dataclasses
import itertools
import select
import socket
import time
from types import TracebackType
from typing import Self, TypeVar

from harness.errors import TargetError, TargetTimeout, TargetUnreachable
from harness.evidence import Exchange, utc_now
from harness.findings import Finding
from harness.rules import Problem
from harness.z3950.ber import Broken, PduReader, RawPdu, Skipped
from harness.z3950.codec import Decoded, Pdu, decode, encode
from harness.z3950.init import InitRequest, InitResponse
from harness.z3950.pqf import parse
from harness.z3950.query import RpnQuery, Term
from harness.z3950.rules import problem
from harness.z3950.search import (
    PresentRequest,
    PresentResponse,
    SearchRequest,
    SearchResponse,
)
from harness.z3950.services import (
    Close,
    DeleteResultSetRequest,
    DeleteResultSetResponse,
    ScanRequest,
    ScanResponse,
    SortKey,
    SortRequest,
    SortResponse,
)
from harness.z3950.transcript import Entry, Transcript

Sent = Pdu | str  # what an exchange sent: a PDU, or a text for raw bytes
T = TypeVar("T", InitResponse, SearchResponse, PresentResponse, ScanResponse, SortResponse,
            DeleteResultSetResponse, Close)

CLOSE_WAIT = 2.0  # seconds to wait for the target's Close when the harness closes
# Target-initiated PDUs (3.1.3): not answers to anything the harness sent.
_TARGET_REQUESTS = frozenset({"accessControlRequest", "resourceControlRequest", "segmentRequest"})
_READ_SIZE = 65536


class ProtocolViolation(Finding):
    """The target's answer breaks the protocol (outcome FAIL); ``problems`` say how, and the
    evidence carries them, the first one's clause and the exchange."""

    def __init__(self, message: str, problems: tuple[Problem, ...], exchange: Exchange | None) -> None:
        clause = problems[0].rule.clause if problems else "Z39.50-2003 3.1.3 and 3.2"
        super().__init__(message, clause=clause, exchanges=(exchange,) if exchange else (), problems=problems,
                         expected="a response PDU that decodes as the answer to the request")
        self.problems = problems
        self.exchange = exchange


class AssociationClosed(TargetError):
    """The target sent Close instead of the answer."""

    def __init__(self, message: str, close: Close, exchange: Exchange) -> None:
        super().__init__(message)
        self.close = close
        self.exchange = exchange


class ConnectionLost(TargetError):
    """The connection ended (or broke) before the answer was complete."""

    def __init__(self, message: str, exchange: Exchange | None) -> None:
        super().__init__(message)
        self.exchange = exchange


def _same_charset(a: str, b: str) -> bool:
    def norm(name: str) -> str:
        return name.upper().replace("_", "-").replace("UTF8", "UTF-8")

    return norm(a) == norm(b)


class Client:
    """One Z39.50 association. Use as a context manager: it sends Close on the way out."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        database: str = "Default",
        timeout: float = 10.0,
        connect_timeout: float | None = None,
        max_pdu: int | None = None,
        max_unsolicited: int = 8,
        reference_ids: bool = True,
    ) -> None:
        self.host, self.port, self.database, self.timeout = host, port, database, timeout
        self.endpoint = f"{host}:{port}"
        self.max_unsolicited = max_unsolicited
        self.transcript = Transcript()  # every exchange, rendered as Exchange when read
        self.problems: list[Problem] = []  # everything odd seen on this association, in order
        self.init_response: InitResponse | None = None
        self.unsolicited = 0
        self._sent_at, self._started = "", 0.0  # when the current exchange began
        self._closing = False  # the harness's Close is out: a dropped connection is its only answer
        self._reader = PduReader(max_pdu) if max_pdu else PduReader()
        self._references = (f"h{n}".encode() for n in itertools.count(1)) if reference_ids else None
        self._sock: socket.socket | None = self._connect(connect_timeout or timeout)

    # -- the services ----------------------------------------------------------------------------

    @property
    def utf8(self) -> bool:
        """Whether the target agreed to UTF-8 in character set negotiation."""
        response = self.init_response
        return bool(response and response.charset and response.charset.utf8)

    def init(self, request: InitRequest | None = None) -> InitResponse:
        """Init (3.2.1.1); the response is kept in ``init_response``."""
        request = request or InitRequest()
        self.init_response = response = self.exchange(request, InitResponse)
        proposal, selected = request.charset, response.charset
        if proposal and selected and selected.charset and selected.form != "none" and not any(
            _same_charset(selected.charset, name) for name in proposal.charsets
        ):
            self._add_problem(problem(
                "charset_not_proposed", f"selected {selected.charset!r} ({selected.form}); the harness proposed "
                f"{', '.join(proposal.charsets)}", label="initResponse otherInfo",
            ))
        return response

    def search(
        self,
        query: RpnQuery | str,
        *,
        result_set: str = "default",
        databases: tuple[str, ...] | None = None,
        record_syntax: str | None = None,
        element_set: str | None = None,
        small_set_upper_bound: int = 0,
        large_set_lower_bound: int = 1,
        medium_set_present_number: int = 0,
        replace: bool = True,
    ) -> SearchResponse:
        """Search (3.2.2.1) with a type-1 query, given as PQF text or an :class:`RpnQuery`."""
        rpn = parse(query) if isinstance(query, str) else query
        request = SearchRequest(
            rpn, databases or (self.database,), result_set, replace, small_set_upper_bound,
            large_set_lower_bound, medium_set_present_number, element_set, element_set, record_syntax,
        )
        return self.exchange(request, SearchResponse)

    def present(
        self, start: int = 1, count: int = 1, *, result_set: str = "default", record_syntax: str | None = None,
        element_set: str | None = None,
    ) -> PresentResponse:
        """Present (3.2.3.1) ``count`` records from position ``start``."""
        return self.exchange(PresentRequest(result_set, start, count, element_set, record_syntax), PresentResponse)

    def scan(
        self, term: Term | str, *, count: int = 10, position: int | None = 1, step_size: int | None = None,
        databases: tuple[str, ...] | None = None,
    ) -> ScanResponse:
        """Scan (3.2.8.1) around ``term`` (a :class:`Term` or PQF such as ``@attr 1=4 fjell``)."""
        if isinstance(term, str):
            root = parse(term).root
            if not isinstance(root, Term):
                raise TypeError("a scan term is one term with its attributes, not an operation")
            term = root
        request = ScanRequest(term, databases or (self.database,), count, position, step_size)
        return self.exchange(request, ScanResponse)

    def sort(self, keys: tuple[SortKey, ...], *, inputs: tuple[str, ...] = ("default",),
             output: str = "sorted") -> SortResponse:
        """Sort (3.2.7.1) result sets into ``output``."""
        return self.exchange(SortRequest(keys, inputs, output), SortResponse)

    def delete_result_set(self, *names: str) -> DeleteResultSetResponse:
        """Delete (3.2.4.1) the named result sets; no names deletes all."""
        return self.exchange(DeleteResultSetRequest(tuple(names)), DeleteResultSetResponse)

    def close(self, reason: int = 0) -> Close | None:
        """Close (3.2.11.1) and end the connection; the target's Close, or None if it sent none."""
        if self._sock is None:
            return None
        timeout, self.timeout = self.timeout, min(self.timeout, CLOSE_WAIT)
        self._closing = True
        try:
            return self.exchange(Close(reason), Close)
        except (TargetError, ProtocolViolation):
            if not self.problems or self.problems[-1].rule.id != "close_not_answered":
                self._add_problem(problem("close_not_answered", "no Close came back for the harness's Close"))
            return None
        finally:
            self.timeout, self._closing = timeout, False
            self._shutdown()

    def disconnect(self) -> None:
        """End the connection without a Close (after a refused Init, or a broken association)."""
        self._shutdown()

    # -- one exchange -----------------------------------------------------------------------------

    def exchange(self, request: Pdu, expect: type[T]) -> T:
        """Send ``request`` and return its response of type ``expect``."""
        if self._references is not None and getattr(request, "reference_id", None) is None:
            request = dataclasses.replace(request, reference_id=next(self._references))
        replies, note = self._round_trip(encode(request), request)
        answer = replies[-1]
        typed = answer.pdu
        if isinstance(typed, Close) and expect is not Close:
            exchange = self._record(request, replies, note).exchange()
            self._shutdown()  # the target has ended the association
            raise AssociationClosed(f"Z39.50 {self.endpoint}: the target closed the association "
                                    f"({typed.reason_name}) instead of answering {request.NAME}", typed, exchange)
        if not isinstance(typed, expect):
            violations = answer.problems or (problem("unexpected_pdu", f"{answer.name} in answer to {request.NAME}",
                                                answer.offset, label=answer.name),)
            exchange = self._record(request, replies, note, violations).exchange()
            self._shutdown()
            raise ProtocolViolation(f"Z39.50 {self.endpoint}: {violations[0].message}", violations, exchange)
        found = list(answer.problems)
        sent_reference = getattr(request, "reference_id", None)
        if sent_reference is not None and typed.reference_id != sent_reference:
            rule = "close_reference_id_not_echoed" if isinstance(typed, Close) else "reference_id_not_echoed"
            got = "no Reference-id" if typed.reference_id is None else repr(typed.reference_id)
            found.append(problem(rule, f"sent {sent_reference!r}, got {got}",
                                 answer.offset, label=answer.name))
        self._record(request, replies, note, tuple(found))
        return typed

    def send_raw(self, data: bytes, *, allow_silence: bool = False) -> list[Decoded]:
        """Send bytes as they are (bad-input checks) and return the PDUs that came back.

        With ``allow_silence`` a timeout ends the wait quietly: silence is the observation.
        """
        try:
            replies, note = self._round_trip(data, f"(raw bytes) {data[:256].hex(' ')}")
        except TargetTimeout:
            if allow_silence:
                return []
            raise
        self._record(f"(raw bytes) {data[:256].hex(' ')}", replies, note)
        return replies

    # -- internals --------------------------------------------------------------------------------

    def _connect(self, timeout: float) -> socket.socket:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=timeout)
        except TimeoutError:
            raise TargetTimeout(f"Z39.50 {self.endpoint}: no TCP connection within {timeout}s") from None
        except OSError as exc:
            raise TargetUnreachable(f"Z39.50 {self.endpoint}: cannot connect ({exc.strerror or exc})") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(self.timeout)
        return sock

    def _round_trip(self, data: bytes, sent: Sent) -> tuple[list[Decoded], str]:
        """Send ``data``; read until one reply that is not a target-initiated request arrives."""
        sock = self._require_socket()
        self._drain_unsolicited(sock)
        self._sent_at, self._started = utc_now(), time.monotonic()
        started = self._started
        deadline = started + self.timeout
        replies: list[Decoded] = []
        received = 0
        try:
            sock.settimeout(self.timeout)
            sock.sendall(data)
            while True:
                event = self._reader.next_event()
                if event is None:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise TimeoutError
                    sock.settimeout(remaining)
                    chunk = sock.recv(_READ_SIZE)
                    if not chunk:
                        return self._lost(sent, replies, received)
                    received += len(chunk)
                    self._reader.receive_data(chunk)
                    continue
                decoded = self._decoded(event, sent, replies)
                replies.append(decoded)
                if decoded.name in _TARGET_REQUESTS:
                    self._count_unsolicited(decoded, sent, replies)
                    continue
                return replies, ""
        except TimeoutError:
            note = (f"no complete answer within {self.timeout}s: {received:,} bytes received, "
                    f"{self._reader.buffered:,} of them in an unfinished PDU")
            self._record(sent, replies, note)
            self._shutdown()  # a late answer would be taken for the next request's
            raise TargetTimeout(f"Z39.50 {self.endpoint}: {note}") from None
        except OSError as exc:
            exchange = self._record(sent, replies, f"connection broken: {exc}").exchange()
            self._shutdown()
            raise ConnectionLost(f"Z39.50 {self.endpoint}: connection broken: {exc}", exchange) from None

    def _decoded(self, event: RawPdu | Skipped | Broken, sent: Sent, replies: list[Decoded]) -> Decoded:
        if isinstance(event, RawPdu):
            return decode(event, utf8=self.utf8)
        exchange = self._record(sent, replies, "", (event.problem,), event.head).exchange()
        self._shutdown()  # after an oversized or unreadable PDU the stream is not worth reading
        raise ProtocolViolation(f"Z39.50 {self.endpoint}: {event.problem.message}", (event.problem,), exchange)

    def _count_unsolicited(self, decoded: Decoded, sent: Sent, replies: list[Decoded]) -> None:
        self.unsolicited += 1
        self.problems.append(problem("unsolicited_pdu", f"{decoded.name} while waiting for an answer",
                                     decoded.offset, label=decoded.name))
        if self.unsolicited > self.max_unsolicited:
            found = problem("unsolicited_pdu", f"more than {self.max_unsolicited} unsolicited PDUs", decoded.offset)
            exchange = self._record(sent, replies, "", (found,)).exchange()
            self._shutdown()
            raise ProtocolViolation(f"Z39.50 {self.endpoint}: {found.message}", (found,), exchange)

    def _lost(self, sent: Sent, replies: list[Decoded], received: int) -> tuple[list[Decoded], str]:
        end = self._reader.close()
        rule = "close_not_answered" if self._closing else "dropped_without_close"
        found = [problem(rule, f"the target closed the connection after {received:,} bytes without a Close PDU")]
        if end is not None:
            found.append(end.problem)
        exchange = self._record(sent, replies, "the target closed the connection", tuple(found)).exchange()
        self._shutdown()
        raise ConnectionLost(f"Z39.50 {self.endpoint}: {found[-1].message}", exchange)

    def _drain_unsolicited(self, sock: socket.socket) -> None:
        """PDUs waiting before a request are not its answer: record them apart, counted."""
        try:
            while select.select([sock], [], [], 0)[0]:
                chunk = sock.recv(_READ_SIZE)
                if not chunk:
                    break  # closed: the send or the read after it will say so
                self._reader.receive_data(chunk)
        except (OSError, ValueError):  # broken (the send will say) or already closed
            pass
        waiting: list[Decoded] = []
        while isinstance(event := self._reader.next_event(), RawPdu):
            waiting.append(decode(event, utf8=self.utf8))
        if waiting:
            self.unsolicited += len(waiting)
            found = tuple(problem("unsolicited_pdu", f"{d.name} arrived before the next request", d.offset,
                                  label=d.name) for d in waiting)
            self._record("", waiting, "unsolicited: arrived before the next request", found)

    def _record(self, sent: Sent, replies: list[Decoded], note: str, found: tuple[Problem, ...] = (),
                head: bytes = b"") -> Entry:
        problems = [p for d in replies for p in d.problems if p not in found] + list(found)
        self.problems.extend(problems)
        at, elapsed = (self._sent_at, time.monotonic() - self._started) if sent else (utc_now(), 0.0)
        entry = Entry(self.endpoint, sent, replies, note, problems, at, elapsed, head)
        self.transcript.add(entry)
        return entry

    def _add_problem(self, found: Problem) -> None:
        """A problem judged after the exchange was recorded: into ``problems`` and its transcript entry."""
        self.problems.append(found)
        last = self.transcript.last()
        if last is not None:
            last.add_problem(found)

    def _require_socket(self) -> socket.socket:
        if self._sock is None:
            raise ConnectionLost(f"Z39.50 {self.endpoint}: the connection is closed", None)
        return self._sock

    def _shutdown(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.init_response is not None and self.init_response.result:
            self.close()
        self._shutdown()

