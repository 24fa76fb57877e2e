"""Running a real peer program on loopback for a test: a free port, a bounded life, a clean stop.

Shared by the Z39.50 and SRU peers (zebrasrv, yaz-ztest). A peer runs under coreutils
``timeout``, so it stops by itself after ``lifetime`` seconds even if the test process is
killed; :meth:`PeerProcess.stop` ends it at once with SIGTERM (zebrasrv ignores SIGINT,
research z3950-sru.md §1.6), then SIGKILL if it lingers. The port is found by binding port 0
and closing it; if another process takes it before the peer binds, the peer's log says
"Failed to bind" and the start is retried on a new port.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI") == "true"
START_TIMEOUT = 10.0  # seconds for a peer to accept connections
DEFAULT_LIFETIME = 300.0  # seconds a peer lives at most
_BIND_FAILED = "Failed to bind"


class PeerStartError(RuntimeError):
    """The peer program did not come up; the message holds the end of its log."""


def require_programs(*names: str, hint: str) -> None:
    """Skip the test when a peer program is missing (with the install hint); fail under CI=true."""
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    message = f"{', '.join(missing)} not installed ({hint})"
    if IN_CI:
        pytest.fail(f"CI=true and {message}")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class PeerProcess:
    """One peer program listening on 127.0.0.1:``port``, started by :meth:`start`."""

    def __init__(self, name: str, workdir: Path, log: Path, lifetime: float = DEFAULT_LIFETIME) -> None:
        self.name, self.workdir, self.log, self.lifetime = name, workdir, log, lifetime
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, argv_for_port: Callable[[int], Sequence[str]], port: int = 0, attempts: int = 3) -> int:
        """Start the program built by ``argv_for_port(port)``; the port it listens on."""
        for _ in range(attempts):
            chosen = port or free_port()
            if self._launch(argv_for_port(chosen), chosen):
                self.port = chosen
                return chosen
            if port:  # a port the caller chose is not retried
                break
        raise PeerStartError(f"{self.name} did not start on 127.0.0.1:{port or chosen}; log:\n{self._log_tail()}")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)  # timeout forwards it to the peer
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=3)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _launch(self, argv: Sequence[str], port: int) -> bool:
        self.log.unlink(missing_ok=True)
        command = ["timeout", "-k", "2", f"{self.lifetime:g}", *argv]
        self._proc = subprocess.Popen(
            command, cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None or _BIND_FAILED in self._log_tail():
                self.stop()
                return False
            if port_accepts(port):
                time.sleep(0.02)  # a bind failure is logged right after the attempt: look once more
                if self._proc.poll() is None and _BIND_FAILED not in self._log_tail():
                    return True
            time.sleep(0.02)
        self.stop()
        return False

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-2000:]
        except FileNotFoundError:
            return ""
