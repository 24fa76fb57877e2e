"""The sandbox's one HTTP server on loopback, and the router its protocol services fill.

Each protocol service adds routes (``router.add("GET", "/sru", handler)``); a handler is a pure
function of a :class:`Request` to a :class:`Response`, so it is tested without a socket. The
server only moves bytes: it reads a bounded body, dispatches, writes the response, and keeps
nothing between requests. ``GET /`` lists the routes, so ``curl`` shows what is served.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

MAX_BODY_BYTES = 64 * 1024 * 1024
JSON = "application/json; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    params: tuple[tuple[str, str], ...]  # the query string's pairs, in order, repeats kept
    headers: Mapping[str, str]  # lower-case names
    body: bytes = b""

    def first(self, name: str) -> str | None:
        return next((v for k, v in self.params if k == name), None)

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.params if k == name]

    @property
    def form(self) -> tuple[tuple[str, str], ...]:
        """Query pairs, plus a form-encoded POST body's pairs (SRU and OAI-PMH accept both)."""
        if self.method == "POST" and "application/x-www-form-urlencoded" in self.headers.get("content-type", ""):
            return self.params + tuple(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))
        return self.params


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes
    content_type: str
    headers: Mapping[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Response]


def json_response(status: int, data: object) -> Response:
    return Response(status, json.dumps(data, ensure_ascii=False, indent=1).encode(), JSON)


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    handler: Handler
    prefix: bool = False  # match every path under ``path`` (e.g. /marc/record/{001})
    summary: str = ""


class Router:
    """Routes by method and path; the first match wins, in the order added."""

    def __init__(self) -> None:
        self._routes: list[Route] = []

    def add(self, method: str, path: str, handler: Handler, *, prefix: bool = False, summary: str = "") -> None:
        self._routes.append(Route(method, path, handler, prefix, summary))

    def routes(self) -> list[Route]:
        return list(self._routes)

    def dispatch(self, request: Request) -> Response:
        matching = [r for r in self._routes if request.path == r.path or (r.prefix and request.path.startswith(r.path))]
        if not matching:
            return json_response(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint {request.path}"})
        for route in matching:
            if route.method == request.method:
                return route.handler(request)
        allowed = ", ".join(sorted({r.method for r in matching}))
        return Response(HTTPStatus.METHOD_NOT_ALLOWED, b"", "text/plain", {"Allow": allowed})


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, router: Router, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.router = router
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1}, name="sandbox-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join(2.0)
            self._thread = None
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: SandboxHTTPServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle or trickling client is dropped, never held forever
    # Headers and body go out in two writes; with Nagle's algorithm the body waits for the
    # client's delayed ACK (40 ms on Linux), which held keep-alive clients to ~22 requests/s.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass  # the harness's transcripts are the log; stderr noise would hide test output

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._write(json_response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": f"body over {MAX_BODY_BYTES} bytes"}))
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command, path=parts.path,
            params=tuple(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()}, body=body,
        )
        self._write(self.server.router.dispatch(request))

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_DELETE = do_PUT = do_HEAD = _serve
