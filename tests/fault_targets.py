"""Tools of the fault-injection suite (tests/faults/): a harness run watched as an evaluator
would run it (a subprocess with a wall-clock bound and a memory watch), loopback servers that
misbehave, and profiles pointing at them.

Every fault test asserts the same promises (DESIGN.md, issue "Never hang, never leak, never
harm the target"): the run ends in bounded time, its peak memory stays under the cap, no secret
appears in any output, report files stay bounded, and the harness sends no request it should
not have sent.
"""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

MEMORY_CAP_MB = 300
REPORT_FILE_CAP = 8 * 1024 * 1024  # bytes any one report file may reach, whatever the target sent
SECRET = "Fault-S3cret pw/+"  # the profile's password, from the environment
PIN = "93571"  # the test patron's PIN, from the environment


def secret_forms(*secrets: str, user: str = "harness") -> list[str]:
    forms = []
    for secret in secrets:
        forms += [secret, quote(secret, safe=""), quote_plus(secret), base64.b64encode(secret.encode()).decode()]
        forms.append(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return forms


@dataclass
class Watched:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float
    report_dir: Path

    def reports(self) -> dict[str, bytes]:
        if not self.report_dir.is_dir():
            return {}
        return {p.name: p.read_bytes() for p in self.report_dir.iterdir() if p.is_file()}

    def every_output(self) -> str:
        texts = [self.stdout, self.stderr]
        texts += [data.decode("utf-8", "replace") for data in self.reports().values()]
        return "\n".join(texts)

    def assert_promises(self, *, bound: float, secrets: tuple[str, ...] = (SECRET, PIN)) -> None:
        assert self.seconds < bound, f"the run took {self.seconds:.1f} s (bound {bound} s)"
        assert self.peak_mb < MEMORY_CAP_MB, f"peak memory {self.peak_mb:.0f} MB"
        assert "Traceback" not in self.stdout + self.stderr, self.stderr[-3000:]
        everything = self.every_output()
        for form in secret_forms(*secrets):
            assert form not in everything, f"a secret leaked as {form!r}"
        for name, data in self.reports().items():
            assert len(data) < REPORT_FILE_CAP, f"{name} is {len(data):,} bytes"


def _peak_rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_watched(args: list[str], report_dir: Path, *, timeout: float, env: dict[str, str] | None = None,
                on_start: Callable[[subprocess.Popen[str]], None] | None = None) -> Watched:
    """``harness <args>`` in a subprocess; the peak RSS is read from /proc until it exits."""
    environment = {**os.environ, "FAULT_PASSWORD": SECRET, "FAULT_PIN": PIN, **(env or {})}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "harness.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=environment)
    peak = [0.0]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _peak_rss_mb(proc.pid))
            done.wait(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    if on_start is not None:
        on_start(proc)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail(f"harness {' '.join(args)} did not end within {timeout} s: it hung\n{stdout[-2000:]}\n{stderr[-2000:]}")
    finally:
        done.set()
        watcher.join(1)
    return Watched(proc.returncode, stdout, stderr, time.monotonic() - started, peak[0], report_dir)


# --- a raw loopback server: each connection handled by a behaviour, every request logged ------


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeServer:
    port: int
    requests: list[Request] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


Handler = Callable[[socket.socket, Request, FakeServer], None]


def _read_request(conn: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 1 << 20:
            return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path = lines[0].split(" ")[:2]
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0") or 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return Request(method, path, headers, body)


def response(status: str, body: bytes, content_type: str = "text/plain", extra: str = "") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n{extra}\r\n").encode() + body


LIBRARIES = """
[[library]]
number = "NO-9900001"
name = "Tromsø bibliotek"
kind = "public"
codes = { sip2 = "TROMSO" }

[[library]]
number = "NO-9900011"
name = "Kongsbakken videregående skole"
kind = "school"
codes = { sip2 = "KONGSBAKKEN" }

[[patron]]
barcode = "TST0000001"
name = "Máret Ánne Sara"
home_library = "NO-9900001"
pin = "${FAULT_PIN}"

[[item]]
barcode = "99011000013"
owning_library = "NO-9900011"
"""


def marc_profile(tmp_path: Path, port: int, *, timeout: float = 2, extra: str = "") -> Path:
    path = tmp_path / "marc-fault.toml"
    path.write_text(
        f'[target]\nname = "Misbehaving MARC service"\ntimeout = {timeout}\n{extra}\n'
        f'[marc]\nchannel = "http"\nbase_url = "http://127.0.0.1:{port}/api"\nusername = "harness"\n'
        'password = "${FAULT_PASSWORD}"\nsystem_fields = ["005"]\n' + LIBRARIES,
        encoding="utf-8",
    )
    return path


def sip2_profile(tmp_path: Path, port: int, *, timeout: float = 0.3, extra: str = "") -> Path:
    path = tmp_path / "sip2-fault.toml"
    path.write_text(
        f'[target]\nname = "Misbehaving ACS"\ntimeout = {timeout}\n{extra}\n'
        f'[sip2]\nhost = "127.0.0.1"\nport = {port}\nusername = "harness"\npassword = "${{FAULT_PASSWORD}}"\n'
        'institution = "TROMSO"\n' + LIBRARIES,
        encoding="utf-8",
    )
    return path
