"""Fixtures of the fault-injection suite: misbehaving fake targets on loopback (tools in
tests/fault_targets.py)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from fault_targets import FakeServer, Handler, _read_request


@pytest.fixture()
def http_fake() -> Iterator[Callable[[Handler], FakeServer]]:
    """Start a loopback HTTP server whose every connection ``handler`` answers (one request each)."""
    servers: list[tuple[FakeServer, socket.socket, threading.Thread]] = []

    def start(handler: Handler) -> FakeServer:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.2)
        server = FakeServer(listener.getsockname()[1])

        def serve() -> None:
            while not server.stop.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                threading.Thread(target=_one, args=(conn,), daemon=True).start()

        def _one(conn: socket.socket) -> None:
            with conn:
                conn.settimeout(30)
                try:
                    request = _read_request(conn)
                    if request is not None:
                        server.requests.append(request)
                        handler(conn, request, server)
                except OSError:
                    pass

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        servers.append((server, listener, thread))
        return server

    yield start
    for server, listener, thread in servers:
        server.stop.set()
        thread.join(2)
        listener.close()


@pytest.fixture()
def tcp_fake() -> Iterator[Callable[[Callable[[socket.socket, threading.Event], None]], int]]:
    """Start a loopback TCP server whose every connection ``talk(conn, stop)`` handles."""
    stops: list[tuple[threading.Event, socket.socket, threading.Thread]] = []

    def start(talk: Callable[[socket.socket, threading.Event], None]) -> int:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.2)
        stop = threading.Event()

        def serve() -> None:
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return

                def one(c: socket.socket = conn) -> None:
                    with c:
                        try:
                            talk(c, stop)
                        except OSError:
                            pass

                threading.Thread(target=one, daemon=True).start()

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        stops.append((stop, listener, thread))
        return int(listener.getsockname()[1])

    yield start
    for stop, listener, thread in stops:
        stop.set()
        thread.join(2)
        listener.close()


