"""A generic loopback TCP server for the sandbox's stream protocols (SIP2, Z39.50).

The server only moves bytes. Each connection gets a :class:`Conversation` from the factory
the protocol service passes in: bytes go in with ``receive``, replies come out, and ``None``
among them means "hang up" (a defect that closes the connection). Framing and answers are the
protocol's, sans-I/O. Connections run in daemon threads, idle ones are closed after
``idle_timeout``, and :meth:`FramedTCPServer.stop` closes every socket it opened.
"""

from __future__ import annotations

import socket
import socketserver
import ssl
import threading
from collections.abc import Callable, Iterable
from typing import Protocol

IDLE_TIMEOUT = 30.0  # seconds a connection may stay silent before the server closes it
READ_SIZE = 4096


class Conversation(Protocol):
    def receive(self, data: bytes) -> Iterable[bytes | None]:
        """Replies to what ``data`` completes, in order; None closes the connection."""


class FramedTCPServer(socketserver.ThreadingTCPServer):
    """A protocol's conversations on 127.0.0.1, one daemon thread per connection, optional TLS."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    # The listen backlog. socketserver's default of 5 drops the SYNs of a morning rush (every
    # self-service machine connecting at once): each dropped one is retried after a second.
    request_queue_size = 128

    def __init__(
        self,
        name: str,
        conversation: Callable[[], Conversation],
        *,
        port: int = 0,
        tls: ssl.SSLContext | None = None,
        idle_timeout: float = IDLE_TIMEOUT,
    ) -> None:
        super().__init__(("127.0.0.1", port), _Connection)
        self.name, self.conversation, self.tls, self.idle_timeout = name, conversation, tls, idle_timeout
        self.stopping = threading.Event()
        self._open: dict[socket.socket, threading.Thread] = {}
        self._open_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server_address[:2]
        return str(host), int(port)

    def start(self) -> tuple[str, int]:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1}, name=f"sandbox-{self.name}", daemon=True)
        self._thread.start()
        return self.address

    def stop(self, grace: float = 1.0) -> None:
        """Stop accepting, close the listening socket and every connection, wait a moment."""
        self.stopping.set()
        if self._thread is not None:
            self.shutdown()  # returns within one poll interval
            self._thread.join(grace)
        self.server_close()
        with self._open_lock:
            open_now = list(self._open.items())
        for sock, _ in open_now:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in recv()
            except OSError:
                pass
        for _, thread in open_now:
            thread.join(grace / max(len(open_now), 1))

    def track(self, sock: socket.socket, on: bool) -> None:
        with self._open_lock:
            if on:
                self._open[sock] = threading.current_thread()
            else:
                self._open.pop(sock, None)


class _Connection(socketserver.BaseRequestHandler):
    server: FramedTCPServer

    def handle(self) -> None:
        server, sock = self.server, self.request
        sock.settimeout(server.idle_timeout)
        try:
            if server.tls is not None:  # wrap_socket detaches sock: track the wrapped one
                sock = server.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
            server.track(sock, True)
            # stop() sets `stopping` before it collects the tracked sockets, so a connection
            # tracked too late to be collected sees the flag here.
            if server.stopping.is_set():
                return
            if server.tls is not None:
                sock.do_handshake()
            self._serve(sock)
        except (OSError, ValueError):
            pass  # idle timeout, reset, TLS refused by the client, shut down: end this one quietly
        finally:
            server.track(sock, False)
            try:
                sock.close()
            except OSError:
                pass

    def _serve(self, sock: socket.socket) -> None:
        conversation = self.server.conversation()
        while not self.server.stopping.is_set():
            data = sock.recv(READ_SIZE)  # at most READ_SIZE bytes, at most idle_timeout seconds
            if not data:
                return
            for reply in conversation.receive(data):
                if reply is None:
                    return
                if reply:
                    sock.sendall(reply)
