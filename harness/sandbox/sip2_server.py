"""The sandbox's SIP2 server: the network in front of the ACS (``sip2_acs``).

:class:`SIP2Server` is a threaded TCP server on 127.0.0.1 that cuts the byte stream with
:class:`~harness.sip2.Framer` and hands frames to the :class:`~harness.sandbox.sip2_acs.ACS`,
one session per connection; optionally behind TLS (the certificates: ``tls``). It writes
back whatever the ACS answers and hangs up when the ACS says so. Everything SIP2 about a reply
is the ACS's (``sip2_acs``) and its reply builders' (``sip2_replies``).
"""

from __future__ import annotations

import socket
import socketserver
import ssl
import threading

from harness.sandbox.sip2_acs import ACS
from harness.sip2 import Framer

# -- the network: threads, idle timeout, prompt shutdown -------------------------------------

IDLE_TIMEOUT = 30.0  # seconds a connection may stay silent before the server closes it
READ_SIZE = 4096


class SIP2Server(socketserver.ThreadingTCPServer):
    """The ACS on 127.0.0.1:0, one daemon thread per connection, optionally behind TLS."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, acs: ACS, *, tls: ssl.SSLContext | None = None, idle_timeout: float = IDLE_TIMEOUT) -> None:
        super().__init__(("127.0.0.1", 0), _Connection)
        self.acs, self.tls, self.idle_timeout = acs, tls, idle_timeout
        self.stopping = threading.Event()
        self._open: dict[socket.socket, threading.Thread] = {}
        self._open_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server_address[:2]
        return str(host), int(port)

    def start(self) -> tuple[str, int]:
        name = f"sandbox-sip2{'-tls' if self.tls else ''}"
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True)
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
    server: SIP2Server

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
        server = self.server
        session = server.acs.new_session()
        framer = Framer()
        while not server.stopping.is_set():
            data = sock.recv(READ_SIZE)  # at most READ_SIZE bytes, at most idle_timeout seconds
            if not data:
                return
            framer.receive_data(data)
            while (frame := framer.next_frame()) is not None:
                reply = server.acs.respond(frame, session)
                if reply is None:
                    return  # the ACS hangs up (a defect that closes the connection)
                if reply:
                    sock.sendall(reply)
