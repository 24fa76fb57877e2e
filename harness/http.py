"""A bounded HTTP client for every protocol that speaks HTTP (MARC channel, SRU, OAI-PMH).

Whatever a target does, one call ends within its deadline and holds at most its byte budget:

- **a deadline on the whole exchange**, not per read: a watchdog shuts the socket at the
  deadline, so a body trickling one byte a second, or one that never ends, ends there with
  :class:`~harness.errors.TargetTimeout` and the bytes that came, counted;
- **a byte budget on the decoded body**: bytes are counted after decompression as they are
  read, so a gzip bomb stops at the budget (:class:`ResponseTooLarge`), never in memory;
- **redirects bounded** (a loop is an error naming the chain), and TLS verified by default.

Each exchange goes into ``transcript`` as an :class:`~harness.evidence.Exchange`, with the
Authorization and Cookie headers masked and the body shown as its first characters.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import urljoin

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from harness.budget import UNLIMITED, BudgetExceeded, CheckBudget
from harness.errors import TargetError, TargetTimeout, TargetUnreachable
from harness.evidence import Exchange, utc_now

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
PREVIEW_CHARS = 4096  # characters of a body kept in the transcript
READ_SIZE = 65536
TRANSCRIPT_LENGTH = 200  # exchanges a client keeps (the newest); a long harvest must not grow it
MASKED_HEADERS = ("authorization", "proxy-authorization", "cookie", "set-cookie")


class ResponseTooLarge(TargetError):
    """The body (decoded) grew past the byte budget; reading stopped there."""

    def __init__(self, message: str, received: int) -> None:
        super().__init__(message)
        self.received = received


class RedirectLoop(TargetError):
    """The target redirected more often than the budget allows, or in a circle."""


# --- the watchdog: which socket the current thread's request uses ----------------------------

_watched = threading.local()


def _watch(sock: socket.socket | None) -> None:
    watchdog: _Watchdog | None = getattr(_watched, "watchdog", None)
    if watchdog is not None and sock is not None:
        watchdog.sock = sock


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _watch(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch(self.sock)  # a kept-alive connection: connect() is not called again
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _watch(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _Watchdog:
    """Shuts the request's socket at the deadline, which wakes a read blocked on it.

    One daemon thread per client, started on its first request and armed per exchange: a
    thread per request (threading.Timer) cost more than the request itself on loopback. The
    thread ends when the client closes or after ``IDLE_EXIT`` seconds unarmed (the next
    request starts another), so a run with many clients does not keep a thread for each.
    """

    IDLE_EXIT = 5.0

    def __init__(self) -> None:
        self.sock: socket.socket | None = None
        self.fired = False
        self._deadline: float | None = None
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closing = False

    def arm(self, seconds: float) -> Self:
        with self._cond:
            self.sock, self.fired, self._closing = None, False, False
            self._deadline = time.monotonic() + max(seconds, 0.0)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="harness-http-watchdog", daemon=True)
                self._thread.start()
            self._cond.notify()
        return self

    def __enter__(self) -> Self:
        _watched.watchdog = self
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._deadline = None
            self._cond.notify()
        _watched.watchdog = None

    def close(self) -> None:
        """End the thread (a request after this starts a new one)."""
        with self._cond:
            self._deadline, self._closing = None, True
            self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while True:
                if self._deadline is None:
                    # closed, or a wait that timed out with the deadline still unset: nothing to watch
                    if (self._closing or not self._cond.wait(self.IDLE_EXIT)) and self._deadline is None:
                        self._thread, self._closing = None, False
                        return
                    continue
                remaining = self._deadline - time.monotonic()
                if remaining > 0:
                    self._cond.wait(remaining)
                    continue
                self._deadline = None
                self._fire()

    def _fire(self) -> None:
        self.fired = True
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


# --- responses -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    url: str  # after redirects
    elapsed: float
    redirects: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def text(self, encoding: str = "utf-8") -> str:
        return self.body.decode(encoding, "replace")


def _render_request(method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> str:
    lines = [f"{method} {url}"]
    lines += [f"{k}: {'***' if k.lower() in MASKED_HEADERS else v}" for k, v in headers.items()]
    if body:
        lines.append("")
        lines.append(_preview(body))
    return "\n".join(lines)


def _preview(body: bytes | bytearray, limit: int = PREVIEW_CHARS) -> str:
    # Slice first: never copy a whole (possibly huge) body to show its first characters.
    text = bytes(body[: limit * 4]).decode("utf-8", "replace")
    if len(text) > limit or len(body) > limit * 4:
        return f"{text[:limit]}\n[... {len(body):,} bytes in all]"
    return text


def _render_response(status: int, reason: str, headers: Mapping[str, str], body: bytes | bytearray) -> str:
    lines = [f"HTTP {status} {reason}".rstrip()]
    lines += [f"{k}: {'***' if k.lower() in MASKED_HEADERS else v}" for k, v in headers.items()]
    lines += ["", _preview(body)] if body else []
    return "\n".join(lines)


class HttpClient:
    """One target's HTTP endpoint family, with the profile's bounds.

    ``protocol`` names the exchanges in evidence ("sru", "oai", "marc"). ``auth`` is a
    (user, password) pair for HTTP basic authentication.
    """

    def __init__(
        self,
        protocol: str,
        *,
        timeout: float,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        auth: tuple[str, str] | None = None,
        verify: bool | str = True,
        user_agent: str = "libharness",
        budget: CheckBudget = UNLIMITED,
    ) -> None:
        self.protocol, self.timeout, self.max_bytes = protocol, timeout, max_bytes
        self.max_redirects = max_redirects
        self.budget = budget
        self._watchdog = _Watchdog()
        self.transcript: deque[Exchange] = deque(maxlen=TRANSCRIPT_LENGTH)
        self.bytes_received = 0  # every body byte this client read, decoded; for budgets per check
        self._session = requests.Session()
        self._session.mount("http://", _WatchedAdapter())
        self._session.mount("https://", _WatchedAdapter())
        self._session.auth = auth
        self._session.verify = verify
        self._session.max_redirects = max_redirects
        self._session.headers["User-Agent"] = user_agent

    def close(self) -> None:
        self._session.close()
        self._watchdog.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, params: Mapping[str, str] | None = None, **kwargs: Any) -> HttpResponse:
        return self.request("GET", url, params=params, **kwargs)

    def post(self, url: str, data: bytes | Mapping[str, str], **kwargs: Any) -> HttpResponse:
        return self.request("POST", url, data=data, **kwargs)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        data: bytes | Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
        timeout: float | None = None,
    ) -> HttpResponse:
        """One exchange, redirects followed by hand so each hop is bounded and recorded."""
        budget = self.max_bytes if max_bytes is None else max_bytes
        seconds = self.timeout if timeout is None else timeout
        started = time.monotonic()
        deadline = started + seconds
        hops: list[str] = []
        current_method, current_url, current_params, current_data = method, url, params, data
        while True:
            response = self._one(current_method, current_url, current_params, current_data, headers, budget, deadline, seconds)
            if response.status not in (301, 302, 303, 307, 308) or "location" not in response.headers:
                return HttpResponse(response.status, response.headers, response.body, response.url,
                                    time.monotonic() - started, tuple(hops))
            hops.append(response.url)
            target = urljoin(response.url, response.headers["location"])
            if len(hops) > self.max_redirects or target in hops:
                chain = " -> ".join([*hops, target])
                raise RedirectLoop(f"{method} {url}: more than {self.max_redirects} redirects or a loop: {chain}")
            if response.status == 303 or (response.status in (301, 302) and current_method == "POST"):
                current_method, current_data = "GET", None
            current_url, current_params = target, None

    def _one(
        self, method: str, url: str, params: Mapping[str, str] | None, data: bytes | Mapping[str, str] | None,
        headers: Mapping[str, str] | None, budget: int, deadline: float, seconds: float,
    ) -> HttpResponse:
        remaining = deadline - time.monotonic()
        at = utc_now()
        prepared = self._session.prepare_request(requests.Request(method, url, params=params, data=data, headers=headers))
        sent = _render_request(method, prepared.url or url, prepared.headers, prepared.body if isinstance(prepared.body, bytes) else (prepared.body or "").encode())
        body = bytearray()
        with self._watchdog.arm(remaining) as watchdog:
            try:
                if remaining <= 0:
                    raise TimeoutError
                raw = self._session.send(prepared, stream=True, timeout=(remaining, remaining), allow_redirects=False)
                try:
                    self._read_body(raw, body, budget)
                finally:
                    raw.close()
                if watchdog.fired:  # a socket shut mid-headers can read as a short, "complete" answer
                    raise TimeoutError
            except BudgetExceeded as exc:
                self._record(at, sent, _preview(body), deadline, seconds, str(exc))
                del body[:]  # the traceback keeps this frame alive (pytest caches it): not the bytes
                raise
            except ResponseTooLarge as exc:
                self._record(at, sent, f"(stopped reading at {exc.received:,} bytes: over the budget of {budget:,})", deadline, seconds, str(exc))
                del body[:]
                raise
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, TimeoutError) as exc:
                if watchdog.fired or isinstance(exc, (requests.Timeout, TimeoutError)):
                    note = f"no complete answer within {seconds:g} s; {len(body):,} body bytes came"
                    self._record(at, sent, _preview(body), deadline, seconds, note)
                    del body[:]
                    raise TargetTimeout(f"{method} {url}: {note}") from None
                note = f"connection failed: {type(exc).__name__}: {exc}"
                self._record(at, sent, _preview(body), deadline, seconds, note)
                del body[:]
                raise TargetUnreachable(f"{method} {url}: {type(exc).__name__}: {exc}") from None
        response_headers = {k.lower(): v for k, v in raw.headers.items()}
        self._record(at, sent, _render_response(raw.status_code, raw.reason or "", raw.headers, body), deadline, seconds)
        data = bytes(body)
        del body[:]  # the one copy the caller keeps; the buffer goes now, not at the end of the call
        return HttpResponse(raw.status_code, response_headers, data, raw.url or url, 0.0)

    def _read_body(self, raw: requests.Response, body: bytearray, budget: int) -> None:
        stream = raw.raw
        while True:
            chunk = stream.read1(READ_SIZE, decode_content=True) if hasattr(stream, "read1") else stream.read(READ_SIZE, decode_content=True)
            if not chunk:
                return
            body += chunk
            self.bytes_received += len(chunk)
            self.budget.charge(len(chunk))
            del chunk  # a decoded chunk can be large: not kept alive by a traceback
            if len(body) > budget:
                received = len(body)
                del body[budget:]
                raise ResponseTooLarge(f"{raw.request.method} {raw.url}: the body grew past {budget:,} bytes (decoded); reading stopped", received)

    def _record(self, at: str, sent: str, received: str, deadline: float, seconds: float, note: str = "") -> None:
        elapsed = seconds - max(deadline - time.monotonic(), 0.0)
        endpoint = sent.split("\n", 1)[0].split(" ", 1)[-1].split("?", 1)[0]
        self.transcript.append(Exchange(self.protocol, endpoint, sent, received, at, elapsed, note))
