"""The HTTP client's watchdog thread: one per client while it is used, none left behind.

A run builds many clients (one per check and protocol, the sickle transport, load users); a
watchdog that outlived its client kept a sleeping thread each, thousands in a long run.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

import pytest
from fault_targets import FakeServer, Handler, Request, response

from harness.errors import TargetTimeout
from harness.http import HttpClient, _Watchdog


def _answer(conn: socket.socket, request: Request, server: FakeServer) -> None:
    if request.path.startswith("/slow"):
        server.stop.wait(1.0)  # longer than the client's deadline below
    conn.sendall(response("200 OK", b"ok"))


@pytest.fixture()
def base_url(http_fake: Callable[[Handler], FakeServer]) -> str:
    return f"http://127.0.0.1:{http_fake(_answer).port}"


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
