"""`harness run --suite oaipmh` against repositories that misbehave, each as a subprocess.

Non-XML 500s, HTML error pages, a token that loops, a list that never ends, Retry-After
storms, a 200 MB page, silence, a slow trickle, gzip that expands without bound. Whatever the
target does, the run ends in bounded time and memory with FAIL or ERROR and evidence, never a
hang and never a harness error. The profile's bounds are small on purpose (a 2 s timeout, 25
pages, 8 MB a page); the defaults are for real targets.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from loopback import serving

REPO = Path(__file__).resolve().parents[2]
RUN_SECONDS = 120  # the whole run, whatever the target does
PEAK_MB = 300  # the harness's memory cap whatever a target sends (tests/fault_targets.py); about 60-190 MB measured
PAGE_BYTES = 8 * 1024 * 1024
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
        'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"><responseDate>2024-06-01T12:00:00Z</responseDate>')
MARC = ('<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 i 4500</leader>'
        '<controlfield tag="001">bad{n}</controlfield><datafield tag="245" ind1="0" ind2="0">'
        '<subfield code="a">Title {n}</subfield></datafield></record>')


# --- what a misbehaving repository sends --------------------------------------------------------


def envelope(base: str, params: dict[str, str], body: str) -> bytes:
    echo = "".join(f' {k}="{v}"' for k, v in params.items())
    return f"{HEAD}<request{echo}>{base}</request>{body}</OAI-PMH>".encode()


def identify(base: str) -> str:
    return (f"<Identify><repositoryName>Bad</repositoryName><baseURL>{base}</baseURL><protocolVersion>2.0</protocolVersion>"
            "<adminEmail>bad@example.org</adminEmail><earliestDatestamp>2024-01-01T00:00:00Z</earliestDatestamp>"
            "<deletedRecord>no</deletedRecord><granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>")


FORMATS = ("<ListMetadataFormats><metadataFormat><metadataPrefix>marc21</metadataPrefix>"
           "<schema>http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd</schema>"
           "<metadataNamespace>http://www.loc.gov/MARC21/slim</metadataNamespace></metadataFormat></ListMetadataFormats>")


def records(first: int, count: int, token: str) -> str:
    items = "".join(f"<record><header><identifier>oai:bad:{n}</identifier><datestamp>2024-06-01T00:00:00Z</datestamp></header>"
                    f"<metadata>{MARC.format(n=n)}</metadata></record>" for n in range(first, first + count))
    return f"<ListRecords>{items}<resumptionToken>{token}</resumptionToken></ListRecords>"


Reply = tuple[int, dict[str, str], bytes | Iterator[bytes]]


def well_behaved_discovery(base: str, params: dict[str, str]) -> Reply | None:
    """Identify and ListMetadataFormats answered well (so the suite goes on to the lists)."""
    verb = params.get("verb")
    if verb == "Identify" and set(params) == {"verb"}:
        return 200, {}, envelope(base, params, identify(base))
    if verb == "ListMetadataFormats" and set(params) == {"verb"}:
        return 200, {}, envelope(base, params, FORMATS)
    return None


def non_xml_500(base: str, params: dict[str, str]) -> Reply:
    return 500, {"Content-Type": "text/plain"}, b"Internal Server Error"


def html_error_page(base: str, params: dict[str, str]) -> Reply:
    return 200, {"Content-Type": "text/html"}, b"<html><head><title>Error</title></head><body><h1>Something went wrong</h1></body></html>"


def looping_token(base: str, params: dict[str, str]) -> Reply:
    known = well_behaved_discovery(base, params)
    if known is not None:
        return known
    if params.get("verb") == "ListRecords":
        return 200, {}, envelope(base, params, records(0, 5, "always-the-same"))
    return 200, {}, envelope(base, params, '<error code="badArgument">not here</error>')


def endless_list(base: str, params: dict[str, str]) -> Reply:
    known = well_behaved_discovery(base, params)
    if known is not None:
        return known
    number = params.get("resumptionToken", "page-0").removeprefix("page-")
    page = int(number) if number.isdigit() else 0
    if params.get("verb") == "ListRecords":
        return 200, {}, envelope(base, params, records(page * 5, 5, f"page-{page + 1}"))
    return 200, {}, envelope(base, params, '<error code="badArgument">not here</error>')


def retry_after_storm(base: str, params: dict[str, str]) -> Reply:
    return 503, {"Retry-After": "1", "Content-Type": "text/plain"}, b"busy"


def huge_page(base: str, params: dict[str, str]) -> Reply:
    known = well_behaved_discovery(base, params)
    if known is not None:
        return known
    size = 200 * 1024 * 1024

    def chunks() -> Iterator[bytes]:
        yield HEAD.encode()
        sent, chunk = 0, b" " * 65536
        while sent < size:
            yield chunk
            sent += len(chunk)

    return 200, {"Content-Length": str(size + len(HEAD))}, chunks()


BOMB: list[bytes] = []


def gzip_bomb(base: str, params: dict[str, str]) -> Reply:
    known = well_behaved_discovery(base, params)
    if known is not None:
        return known
    if not BOMB:  # 256 MB of spaces, compressed once: a quarter of a megabyte on the wire
        squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
        BOMB.append(b"".join(squeeze.compress(b" " * (1 << 20)) for _ in range(256)) + squeeze.flush())
    return 200, {"Content-Encoding": "gzip", "Content-Length": str(len(BOMB[0]))}, BOMB[0]


def trickle(base: str, params: dict[str, str]) -> Reply:
    def drip() -> Iterator[bytes]:
        yield HEAD.encode()
        for _ in range(600):  # one byte every 0.2 s: a minute of bytes that never end a response
            time.sleep(0.2)
            yield b" "

    return 200, {}, drip()


# behaviour -> (the check, its outcome, words in its message): what must be among the results
EXPECTED: dict[str, tuple[str, str, str]] = {
    "non-xml-500": ("test_responses_are_schema_valid", "FAIL", "not well-formed"),
    "html-error-page": ("test_responses_are_schema_valid", "FAIL", "not well-formed or not valid"),
    "looping-token": ("test_full_harvest_has_no_duplicates", "FAIL", "repeats"),
    "endless-list": ("test_full_harvest_has_no_duplicates", "ERROR", "did not end within 25 pages"),
    "retry-after-storm": ("endpoint", "ERROR", "503 Service Unavailable 3 time(s) in a row"),
    "200-mb-page": ("test_full_harvest_has_no_duplicates", "ERROR", "grew past 8,388,608 bytes"),
    "gzip-bomb": ("test_full_harvest_has_no_duplicates", "ERROR", "grew past 8,388,608 bytes"),
    "trickle": ("endpoint", "ERROR", "no complete answer within 2 s"),
    "silence": ("endpoint", "ERROR", "no complete answer within 2 s"),
}

BEHAVIOURS: dict[str, Callable[[str, dict[str, str]], Reply]] = {
    "non-xml-500": non_xml_500, "html-error-page": html_error_page, "looping-token": looping_token,
    "endless-list": endless_list, "retry-after-storm": retry_after_storm, "200-mb-page": huge_page,
    "gzip-bomb": gzip_bomb, "trickle": trickle,
}


def _handler(behaviour: Callable[[str, dict[str, str]], Reply], base: dict[str, str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, query: str) -> None:
            status, headers, body = behaviour(base["url"], dict(parse_qsl(query, keep_blank_values=True)))
            self.send_response(status)
            headers = {"Content-Type": "text/xml; charset=utf-8", **headers}
            if isinstance(body, bytes):
                headers.setdefault("Content-Length", str(len(body)))
            else:
                headers.setdefault("Connection", "close")
                self.close_connection = True
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            try:
                for chunk in [body] if isinstance(body, bytes) else body:
                    self.wfile.write(chunk)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, OSError):
                pass  # the harness stopped reading: what it should do

        def do_GET(self) -> None:
            self._answer(urlsplit(self.path).query)

        def do_POST(self) -> None:
            self._answer(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8", "replace"))

    return Handler


@pytest.fixture()
def bad_repository(request: pytest.FixtureRequest) -> Iterator[str]:
    behaviour: str = request.param
    if behaviour == "silence":  # the connection is accepted by the kernel, nothing is ever answered
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(64)
            yield f"http://127.0.0.1:{listener.getsockname()[1]}/oai"
        return
    base: dict[str, str] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(BEHAVIOURS[behaviour], base))
    server.daemon_threads = True
    base["url"] = f"http://127.0.0.1:{server.server_address[1]}/oai"
    with serving(server):
        yield base["url"]


def run_harness(url: str, folder: Path) -> tuple[int, float, float, dict[str, object]]:
    """Exit code, seconds, peak RSS in MB of the harness process, and its results.json."""
    profile = folder / "bad.toml"
    profile.write_text(
        f'[target]\nname = "Misbehaving repository"\nkind = "vendor"\ntimeout = 2\n\n'
        f'[oai]\nurl = "{url}"\nmax_pages = 25\nmax_page_bytes = {PAGE_BYTES}\nmax_bytes = {4 * PAGE_BYTES}\n'
        'max_retries = 2\nmax_retry_wait = 2\nmax_total_wait = 4\nmax_token_wait = 1\n\n'
        '[[library]]\nnumber = "NO-9900001"\nname = "Tromsø bibliotek"\nkind = "public"\n', encoding="utf-8")
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "harness.cli", "run", "--target", str(profile), "--suite", "oaipmh",
                                "--report-dir", str(folder / "report")], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    killer = threading.Timer(RUN_SECONDS, lambda: os.kill(process.pid, signal.SIGKILL))
    killer.start()
    try:
        output = process.stdout.read() if process.stdout else b""
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        killer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    assert seconds < RUN_SECONDS, f"the run was killed after {RUN_SECONDS} s:\n{output.decode(errors='replace')[-3000:]}"
    report = folder / "report" / "results.json"
    assert report.exists(), output.decode(errors="replace")[-3000:]
    return process.returncode, seconds, usage.ru_maxrss / 1024, json.loads(report.read_text(encoding="utf-8"))


@pytest.mark.parametrize("bad_repository", [*BEHAVIOURS, "silence"], indirect=True)
def test_a_misbehaving_repository_gives_fail_or_error_with_evidence(bad_repository: str, tmp_path: Path,
                                                                     request: pytest.FixtureRequest) -> None:
    code, _seconds, peak_mb, results = run_harness(bad_repository, tmp_path)
    checks: list[dict[str, object]] = results["checks"]  # type: ignore[assignment]
    name, outcome, words = EXPECTED[request.node.callspec.params["bad_repository"]]
    found = next((c for c in checks if str(c["id"]).endswith(f"::{name}")), None)
    assert found is not None and found["outcome"] == outcome and words in str(found["message"]), found
    judged = [c for c in checks if c["outcome"] in ("FAIL", "ERROR")]
    assert code in (1, 3) and judged, (code, [(c["id"], c["outcome"], c["message"]) for c in checks])
    assert all(c["evidence"] for c in judged), "every FAIL and ERROR carries evidence"
    failing = [c for c in judged if c["outcome"] == "FAIL"]
    assert all(c["evidence"][0]["clause"] for c in failing), "every FAIL cites its clause"  # type: ignore[index]
    harness_bugs = [c["message"] for c in checks if str(c["message"]).startswith("harness error")]
    assert not harness_bugs, harness_bugs
    assert peak_mb < PEAK_MB, f"peak RSS {peak_mb:.0f} MB"
