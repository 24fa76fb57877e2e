"""The MARC suite against exports that are not MARC at all: FAIL with evidence, no harness error."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from loopback import serving

BODIES = {
    "html-error-page": b"<html><body><h1>500 Internal Server Error</h1></body></html>",
    "random-bytes": bytes(range(256)) * 40,
    "truncated-marc": b"00714cam a2200205 a 4500001001300000003000400013",
    "empty": b"",
}


def _handler(body: bytes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, payload: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            self._send(body, "application/octet-stream")

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._send(json.dumps({"created": [], "updated": [], "rejected": []}).encode(), "application/json")

        def do_DELETE(self) -> None:
            self._send(b"{}", "application/json")

    return Handler


@pytest.fixture(params=list(BODIES))
def bad_export(request: pytest.FixtureRequest) -> Iterator[str]:
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), _handler(BODIES[request.param]))) as port:
        yield f"http://127.0.0.1:{port}"


def test_marc_suite_fails_a_garbage_export_with_evidence(bad_export: str, tmp_path: Path) -> None:
    profile = tmp_path / "bad.toml"
    profile.write_text(
        f'[target]\nname = "Garbage exporter"\ntimeout = 5\n[marc]\nchannel = "http"\nbase_url = "{bad_export}"\n'
        '[[library]]\nnumber = "NO-9900001"\nname = "Tromsø bibliotek"\nkind = "public"\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "--target", str(profile), "--suite", "marc", "--report-dir", str(tmp_path / "r")],
        check=False, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1, done.stdout[-3000:]
    results = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    by_outcome: dict[str, list[str]] = {}
    for check in results["checks"]:
        by_outcome.setdefault(check["outcome"], []).append(check["id"].rsplit("::", 1)[1])
    assert "ERROR" not in by_outcome, [c["message"] for c in results["checks"] if c["outcome"] == "ERROR"]
    assert "test_iso2709_export_is_structurally_valid" in by_outcome["FAIL"]
    assert "test_marcxml_export_is_schema_valid" in by_outcome["FAIL"]
    assert all(c["evidence"][0]["clause"] for c in results["checks"] if c["outcome"] == "FAIL")
