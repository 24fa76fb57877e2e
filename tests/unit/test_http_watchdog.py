"""The HTTP client's watchdog thread: one per client while it is used, none left behind.

A run builds many clients (one per check and protocol, the sickle transport, load users); a
watchdog that outlived its client kept a sleeping thread each, thousands in a long run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness.errors import TargetTimeout
from harness.http import HttpClient, _Watchdog


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path.startswith("/slow"):
            time.sleep(1.0)  # longer than the client's deadline below
        body = b"ok"
        try:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up at its deadline, as the test means it to

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _watchdogs() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "harness-http-watchdog")


def _settles(expected: int, within: float = 2.0) -> bool:
    end = time.monotonic() + within
    while _watchdogs() != expected and time.monotonic() < end:
        time.sleep(0.02)
    return _watchdogs() == expected


def test_closing_the_client_ends_its_watchdog(base_url: str) -> None:
    before = _watchdogs()
    clients = [HttpClient("test", timeout=2.0) for _ in range(5)]
    for client in clients:
        assert client.get(f"{base_url}/").status == 200
    assert _watchdogs() == before + 5
    for client in clients:
        client.close()
    assert _settles(before)


def test_an_idle_watchdog_ends_and_the_next_request_is_still_watched(base_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_Watchdog, "IDLE_EXIT", 0.1)
    before = _watchdogs()
    client = HttpClient("test", timeout=0.3)
    try:
        assert client.get(f"{base_url}/").status == 200
        assert _settles(before), "an unarmed watchdog ends by itself"
        started = time.monotonic()
        with pytest.raises(TargetTimeout):
            client.get(f"{base_url}/slow")  # a new watchdog holds the deadline
        assert time.monotonic() - started < 0.9
    finally:
        client.close()
    assert _settles(before)
