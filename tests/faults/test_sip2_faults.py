"""The SIP2 suite against ACSs that misbehave after a good login, run as an evaluator runs it.

Each fake accepts the 93 login (so the probe passes) and then misbehaves as its name says.
The promises of tests/fault_targets.py hold for every one.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from fault_targets import PIN, SECRET, run_watched, sip2_profile

from harness.sip2.codec import Message, encode

BOUND = 150.0
LOGIN_OK = encode(Message.build("94", {"ok": "1"}), sequence=0)
Talk = Callable[[socket.socket, threading.Event], None]


def _requests(conn: socket.socket, stop: threading.Event) -> Iterator[bytes]:
    buffer = b""
    conn.settimeout(0.2)
    while not stop.is_set():
        try:
            data = conn.recv(65536)
        except TimeoutError:
            continue
        if not data:
            return
        buffer += data
        while b"\r" in buffer:
            request, buffer = buffer.split(b"\r", 1)
            yield request.lstrip(b"\n")


def _after_login(then: Callable[[socket.socket, bytes, threading.Event], None]) -> Talk:
    def talk(conn: socket.socket, stop: threading.Event) -> None:
        for request in _requests(conn, stop):
            if request.startswith(b"93"):
                conn.sendall(LOGIN_OK)
            else:
                then(conn, request, stop)

    return talk


def _run(tmp_path: Path, port: int) -> tuple[object, dict[str, object]]:
    report = tmp_path / "report"
    done = run_watched(["run", "--target", str(sip2_profile(tmp_path, port)), "--suite", "sip2", "--report-dir", str(report)],
                       report, timeout=BOUND + 30)
    return done, json.loads((report / "results.json").read_text(encoding="utf-8"))


# A check may pass against a broken ACS only when a refusal (or a 96) is its very subject.
MAY_PASS = {"test_no_patron_data_before_login", "test_bad_checksum_answered_with_96"}


def _passed(results: dict[str, object]) -> set[str]:
    return {k.split("[")[0] for k, v in _outcomes(results).items() if v == "PASS"}


def _outcomes(results: dict[str, object]) -> dict[str, str]:
    return {c["id"].rsplit("::", 1)[1]: c["outcome"] for c in results["checks"]}  # type: ignore[index, union-attr]


def test_a_flood_of_unsolicited_frames_is_counted_not_kept(tcp_fake, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def flood(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
        until = time.monotonic() + 3
        while time.monotonic() < until and not stop.is_set():
            conn.sendall(b"96AZFEF6\r" * 2000)

    done, results = _run(tmp_path, tcp_fake(_after_login(flood)))
    done.assert_promises(bound=BOUND)  # type: ignore[attr-defined]
    assert _passed(results) <= MAY_PASS


def test_a_huge_reply_without_a_terminator_is_a_fail_with_its_first_bytes(tcp_fake, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def huge(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
        chunk = b"24" + b"Y" * (1 << 20)
        for _ in range(10):  # 10 MiB, no CR
            conn.sendall(chunk)
        stop.wait(5)

    done, results = _run(tmp_path, tcp_fake(_after_login(huge)))
    done.assert_promises(bound=BOUND)  # type: ignore[attr-defined]
    fails = [c for c in results["checks"] if c["outcome"] == "FAIL"]  # type: ignore[index, union-attr]
    assert fails, _outcomes(results)
    shown = json.dumps(fails)
    assert "oversized" in shown or "no terminator" in shown or "could not be read" in shown


def test_silence_after_login_ends_at_each_deadline(tcp_fake, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    done, _results = _run(tmp_path, tcp_fake(_after_login(lambda conn, request, stop: None)))
    done.assert_promises(bound=BOUND)  # type: ignore[attr-defined]
    assert done.returncode in (1, 3)  # type: ignore[attr-defined]


def test_a_reset_in_the_middle_of_a_reply(tcp_fake, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def reset(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
        conn.sendall(b"98YNYNNY00300320261128    1200002.0")
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    done, results = _run(tmp_path, tcp_fake(_after_login(reset)))
    done.assert_promises(bound=BOUND)  # type: ignore[attr-defined]
    assert done.returncode in (1, 3)  # type: ignore[attr-defined]
    assert _passed(results) <= MAY_PASS


def test_replies_echoing_the_password_and_pin_leak_nothing(tcp_fake, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    said = f"AFlogin harness/{SECRET} pin {PIN} failed|"

    def echo(conn: socket.socket, request: bytes, stop: threading.Event) -> None:
        conn.sendall(b"24" + b" " * 14 + b"012" + b"20261128    120000" + b"AOTROMSO|AATST0000001|" + said.encode() + b"\r")

    done, results = _run(tmp_path, tcp_fake(_after_login(echo)))
    done.assert_promises(bound=BOUND)  # type: ignore[attr-defined]
    assert results["checks"]  # type: ignore[index]
