"""Serving a test's own loopback server from a thread, stopped when the block ends.

Fault tests, fake providers and client tests each start a ``socketserver`` server bound to
127.0.0.1; this is the one way they run and stop it.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def serving(server: socketserver.BaseServer, *, stopping: threading.Event | None = None,
            poll_interval: float = 0.05) -> Iterator[int]:
    """Serve ``server`` from a daemon thread until the block ends; yields its port. ``stopping``
    is set first, so a handler still inside a misbehaviour (a trickle, a stall) ends too."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])  # type: ignore[index]
    finally:
        if stopping is not None:
            stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
