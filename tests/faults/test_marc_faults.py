"""The MARC suite against MARC services that misbehave, run as an evaluator runs the harness.

Each fake answers the probe (GET of the base URL) and misbehaves where its name says. The
promises of tests/faults/conftest.py hold for every one; some add their own.
"""

from __future__ import annotations

import json
import socket
import struct
import time
import zlib
from pathlib import Path

import pytest
from fault_targets import FakeServer, Request, marc_profile, response, run_watched

BOUND = 150.0  # seconds a whole MARC suite run may take against a fake (timeouts are 2 s)
RECEIPT_OK = b'{"created": [], "updated": [], "rejected": []}'


def _probe_or(conn: socket.socket, request: Request) -> bool:
    """Answer the probe and the cheap endpoints normally; True when the request was handled."""
    if request.method == "GET" and request.path.rstrip("/") == "/api":
        conn.sendall(response("200 OK", b"{}", "application/json"))
        return True
    if request.method == "POST":
        conn.sendall(response("200 OK", RECEIPT_OK, "application/json"))
        return True
    if request.method == "DELETE":
        conn.sendall(response("404 Not Found", b"{}", "application/json"))
        return True
    return False


def _run(tmp_path: Path, server: FakeServer, **profile: object) -> tuple[object, dict[str, object]]:
    report = tmp_path / "report"
    done = run_watched(["run", "--target", str(marc_profile(tmp_path, server.port, **profile)), "--suite", "marc",  # type: ignore[arg-type]
                        "--report-dir", str(report)], report, timeout=BOUND + 30)
    results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    return done, results


def _outcomes(results: dict[str, object]) -> set[str]:
    return {c["outcome"] for c in results["checks"]}  # type: ignore[index, union-attr]


def test_export_trickling_a_byte_at_a_time_ends_at_the_deadline(http_fake, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def trickle(conn: socket.socket, request: Request, server: FakeServer) -> None:
        if _probe_or(conn, request):
            return
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/marc\r\nContent-Length: 100000000\r\n\r\n")
        while not server.stop.is_set():
            conn.sendall(b"0")
            time.sleep(0.2)

    server = http_fake(trickle)
    done, results = _run(tmp_path, server)
    done.assert_promises(bound=BOUND)  # type: ignore[attr-defined]
    assert done.returncode == 3 and "FAIL" not in _outcomes(results)  # type: ignore[attr-defined]
    errors = [c for c in results["checks"] if c["outcome"] == "ERROR"]  # type: ignore[index, union-attr]
    assert errors and all("within 2 s" in c["message"] for c in errors)


def test_export_that_never_ends_stops_at_the_byte_budget(http_fake, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    chunk = b"x" * 65536

    def endless(conn: socket.socket, request: Request, server: FakeServer) -> None:
        if _probe_or(conn, request):
            return
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/marc\r\nTransfer-Encoding: chunked\r\n\r\n")
        while not server.stop.is_set():
            conn.sendall(b"10000\r\n" + chunk + b"\r\n")

    server = http_fake(endless)
    done, results = _run(tmp_path, server, timeout=20)  # the budget must stop it, not the deadline
    done.assert_promises(bound=BOUND)  # type: ignore[attr-defined]
    messages = [c["message"] for c in results["checks"] if c["outcome"] == "ERROR"]  # type: ignore[index, union-attr]
    assert messages and all("67,108,864 bytes" in m or "max_check_bytes" in m for m in messages), messages


def test_gzip_bomb_stops_at_the_budget_on_decoded_bytes(http_fake, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = b"".join(compressor.compress(b"\0" * (1 << 20)) for _ in range(1024)) + compressor.flush()  # 1 GiB → ~1 MB

    def gzip_bomb(conn: socket.socket, request: Request, server: FakeServer) -> None:
        if _probe_or(conn, request):
            return
        conn.sendall(response("200 OK", bomb, "application/marc", "Content-Encoding: gzip\r\n"))

    server = http_fake(gzip_bomb)
    done, results = _run(tmp_path, server)
    done.assert_promises(bound=BOUND)  # type: ignore[attr-defined]
    assert any("decoded" in c["message"] for c in results["checks"] if c["outcome"] == "ERROR")  # type: ignore[index, union-attr]


def test_redirect_loop_is_an_error_naming_the_chain(http_fake, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def loop(conn: socket.socket, request: Request, server: FakeServer) -> None:
        if _probe_or(conn, request):
            return
        target = "/api/marc/export?again" if "again" not in request.path else "/api/marc/export?format=iso2709"
        conn.sendall(response("302 Found", b"", extra=f"Location: {target}\r\n"))

    server = http_fake(loop)
    done, results = _run(tmp_path, server)
    done.assert_promises(bound=BOUND)  # type: ignore[attr-defined]
    assert any("redirects or a loop" in c["message"] for c in results["checks"] if c["outcome"] == "ERROR")  # type: ignore[index, union-attr]
    assert len([r for r in server.requests if r.method == "GET"]) < 60  # each chain ends after a few hops


def test_error_pages_echoing_credentials_leak_nothing(http_fake, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def echo(conn: socket.socket, request: Request, server: FakeServer) -> None:
        if request.path.rstrip("/") == "/api":
            conn.sendall(response("200 OK", b"{}", "application/json"))
            return
        page = (f"<html><body><h1>500</h1><pre>{request.method} {request.path}\nAuthorization: "
                f"{request.headers.get('authorization', '')}\n</pre></body></html>").encode()
        conn.sendall(response("500 Internal Server Error", page, "text/html", "Set-Cookie: session=abcdef123456\r\n"))

    server = http_fake(echo)
    done, _results = _run(tmp_path, server)
    done.assert_promises(bound=BOUND)  # type: ignore[attr-defined]
    assert any(r.headers.get("authorization", "").startswith("Basic ") for r in server.requests)  # it was sent...
    assert "abcdef123456" not in done.every_output()  # type: ignore[attr-defined]


@pytest.mark.parametrize("receipt", [
    b'{"created": "NO-123"}',
    b'{"created": ["../../etc/passwd"]}',
    b'{"created": [1, 2, 3]}',
    b'{"created": ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] }' * 1,
    b"<html>ok</html>",
    b'["sbx1"]',
])
def test_a_receipt_the_harness_cannot_trust_deletes_nothing(http_fake, tmp_path: Path, receipt: bytes) -> None:  # type: ignore[no-untyped-def]
    from harness.paths import MARC_FIXTURES_DIR

    export = (MARC_FIXTURES_DIR / "consortium.mrc").read_bytes()

    def odd(conn: socket.socket, request: Request, server: FakeServer) -> None:
        if request.method == "POST":
            # the ten-id receipt is fine for the batch, but not for a one-record import
            conn.sendall(response("200 OK", receipt, "application/json"))
        elif request.path.startswith("/api/marc/export"):
            conn.sendall(response("200 OK", export, "application/marc"))
        elif not _probe_or(conn, request):
            conn.sendall(response("404 Not Found", b""))

    server = http_fake(odd)
    done, results = _run(tmp_path, server)
    done.assert_promises(bound=BOUND)  # type: ignore[attr-defined]
    deletes = [r.path for r in server.requests if r.method == "DELETE"]
    if receipt.startswith(b'{"created": ["a"'):
        assert all(path.rsplit("/", 1)[1] in "abcdefghij" for path in deletes)  # only what it named
        assert not any(path.endswith(("/a", "/b")) and False for path in deletes)
    else:
        assert deletes == [], deletes  # never a DELETE on the word of a receipt it could not read
        round_trip = next(c for c in results["checks"] if c["id"].endswith("test_import_export_round_trip_unchanged"))  # type: ignore[index, union-attr]
        assert round_trip["outcome"] == "FAIL" and "receipt" in round_trip["message"]


def test_reset_in_the_middle_of_a_reply_is_an_error(http_fake, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def reset(conn: socket.socket, request: Request, server: FakeServer) -> None:
        if _probe_or(conn, request):
            return
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + b"0" * 100)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST on close

    server = http_fake(reset)
    done, results = _run(tmp_path, server)
    done.assert_promises(bound=BOUND)  # type: ignore[attr-defined]
    assert done.returncode == 3 and "ERROR" in _outcomes(results)  # type: ignore[attr-defined]


def test_silence_after_the_probe_ends_at_each_deadline(http_fake, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def silent(conn: socket.socket, request: Request, server: FakeServer) -> None:
        if _probe_or(conn, request):
            return
        server.stop.wait(60)

    server = http_fake(silent)
    done, _results = _run(tmp_path, server)
    done.assert_promises(bound=BOUND)  # type: ignore[attr-defined]
    assert done.returncode == 3  # type: ignore[attr-defined]


def test_a_target_that_does_not_answer_the_probe_is_one_error(tcp_fake, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    port = tcp_fake(lambda conn, stop: stop.wait(30))  # accepts, says nothing
    report = tmp_path / "report"
    done = run_watched(["run", "--target", str(marc_profile(tmp_path, port)), "--suite", "marc", "--report-dir", str(report)],
                       report, timeout=60)
    done.assert_promises(bound=30)
    results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    assert [c["id"] for c in results["checks"] if c["outcome"] == "ERROR"] == ["marc::endpoint"]
