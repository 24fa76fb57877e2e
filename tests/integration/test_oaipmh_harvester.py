"""The OAI-PMH harvester against our provider and against misbehaving servers on loopback.

Every bad server ends the harvest within its bound, with an error that carries the exchanges
(or, for bytes that break the protocol, a page whose problems say which rule). Timeouts and
budgets here are small on purpose; the defaults are for real targets.
"""

from __future__ import annotations

import gzip
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from loopback import serving

from harness.errors import TargetError
from harness.http import HttpClient, ResponseTooLarge
from harness.oaipmh.client import (
    FlowControlExhausted,
    HarvestInterrupted,
    HarvestLimits,
    OaiClient,
    PageBudgetExceeded,
    ResumptionLoop,
    retry_after_seconds,
)
from harness.oaipmh.model import ListRecordsResponse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from oaipmh_loopback import CATALOGUE_SIZE, fixture_repository, serve_provider

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ '
        'http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"><responseDate>2024-06-01T12:00:00Z</responseDate>')
Answer = Callable[[dict[str, str], int], tuple[int, dict[str, str], bytes]]


def page(base: str, params: dict[str, str], numbers: range, token: str | None) -> bytes:
    echo = "".join(f' {k}="{v}"' for k, v in params.items())
    records = "".join(f"<record><header status=\"deleted\"><identifier>oai:bad:{n}</identifier>"
                      f"<datestamp>2024-06-01T00:00:00Z</datestamp></header></record>" for n in numbers)
    token_xml = "" if token is None else f"<resumptionToken>{token}</resumptionToken>"
    return f"{HEAD}<request{echo}>{base}</request><ListRecords>{records}{token_xml}</ListRecords></OAI-PMH>".encode()


@contextmanager
def fake_server(answer: Answer) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 whose every answer comes from ``answer(params, count)``."""
    counter = {"n": 0}
    holder: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            counter["n"] += 1
            params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
            status, headers, body = answer({**params, "_base": holder["base"]}, counter["n"])
            self.send_response(status)
            for name, value in {"Content-Type": "text/xml; charset=utf-8", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder["base"] = f"http://127.0.0.1:{server.server_address[1]}/oai"
    with serving(server):
        yield holder["base"]


@contextmanager
def raw_server(behave: Callable[[socket.socket], None]) -> Iterator[str]:
    """A TCP server that does to each connection what ``behave`` does, then closes it."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=_run, args=(conn,), daemon=True).start()

    def _run(conn: socket.socket) -> None:
        with conn:
            try:
                behave(conn)
            except OSError:
                pass

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/oai"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=2)


def client(base: str, timeout: float = 2.0, **limits: float) -> OaiClient:
    bounds = HarvestLimits(**{"max_page_bytes": 1024 * 1024, **limits})  # type: ignore[arg-type]
    return OaiClient(base, HttpClient("oai", timeout=timeout), limits=bounds)


# --- against our provider ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_full_harvest_of_the_provider_is_clean(method: str) -> None:
    with serve_provider(fixture_repository(), page_size=40) as base:
        harvester = OaiClient(base, HttpClient("oai", timeout=5), method=method)
        for first in (harvester.identify(), harvester.list_metadata_formats()):
            assert first.problems == (), [str(p) for p in first.problems]
        harvest = harvester.list_records("marc21")
        identifiers = []
        for one in harvest:
            assert one.problems == (), [str(p) for p in one.problems]
            assert isinstance(one.response, ListRecordsResponse)
            identifiers += [r.header.identifier for r in one.response.records]
    assert len(identifiers) == len(set(identifiers)) == CATALOGUE_SIZE
    assert (harvest.pages, harvest.complete, harvest.problems) == (-(-CATALOGUE_SIZE // 40), True, [])


def test_the_harvester_notices_a_list_ending_without_an_empty_token() -> None:
    from harness.oaipmh.provider import Deviation

    with serve_provider(fixture_repository(), page_size=100, defects=frozenset({Deviation.NO_EMPTY_FINAL_TOKEN})) as base:
        harvest = client(base).list_identifiers("oai_dc")
        assert sum(1 for _ in harvest.headers()) == CATALOGUE_SIZE
    assert [p.rule.id for p in harvest.problems] == ["token-on-last-page"]
    assert harvest.problems[0].clause.startswith("OAI-PMH 2.0 §3.5")


def test_a_wrong_cursor_is_noticed() -> None:
    def answer(params: dict[str, str], count: int) -> tuple[int, dict[str, str], bytes]:
        token = '<resumptionToken cursor="5">next</resumptionToken>' if count == 1 else '<resumptionToken cursor="7"/>'
        body = page(params["_base"], {}, range(count * 2, count * 2 + 2), None).replace(b"</ListRecords>", token.encode() + b"</ListRecords>")
        return 200, {}, body

    with fake_server(answer) as base:
        harvest = client(base).list_records("oai_dc")
        assert len(list(harvest.records())) == 4
    assert [p.rule.id for p in harvest.problems] == ["token-cursor", "token-cursor"]


# --- bad servers ----------------------------------------------------------------------------


def test_a_token_that_loops_ends_the_harvest() -> None:
    with fake_server(lambda params, n: (200, {}, page(params["_base"], {}, range(3), "same-token"))) as base:
        harvester = client(base)
        with pytest.raises(ResumptionLoop) as caught:
            list(harvester.list_records("oai_dc"))
    assert "repeats a token" in str(caught.value)
    assert [p.rule.id for p in caught.value.problems] == ["token-loop"]
    assert len(caught.value.exchanges) == 2 and "same-token" in caught.value.exchanges[-1].sent


def test_a_page_that_repeats_under_new_tokens_ends_the_harvest() -> None:
    repeating = fake_server(lambda params, n: (200, {}, page(params["_base"], {}, range(3), f"token-{n}")))
    with repeating as base, pytest.raises(ResumptionLoop, match="repeats a page"):
        list(client(base).list_records("oai_dc"))


def test_a_list_that_never_ends_stops_at_the_page_budget() -> None:
    with fake_server(lambda params, n: (200, {}, page(params["_base"], {}, range(n * 2, n * 2 + 2), f"t{n}"))) as base:
        harvest = client(base, max_pages=25).list_records("oai_dc")
        started = time.monotonic()
        with pytest.raises(PageBudgetExceeded, match="did not end within 25 pages") as caught:
            list(harvest)
    assert isinstance(caught.value, TargetError)
    assert harvest.pages == 25 and time.monotonic() - started < 10
    assert caught.value.exchanges and "resumptionToken=t24" in caught.value.exchanges[-1].sent


def test_a_byte_budget_ends_an_endless_list() -> None:
    with fake_server(lambda params, n: (200, {}, page(params["_base"], {}, range(n * 50, n * 50 + 50), f"t{n}"))) as base:
        harvest = client(base, max_bytes=60_000).list_records("oai_dc")
        with pytest.raises(TargetError, match="did not end within 60,000 bytes"):
            list(harvest)
    assert harvest.bytes >= 60_000 and harvest.pages < 20


def test_a_retry_after_storm_ends_at_the_retry_budget() -> None:
    slept: list[float] = []
    with fake_server(lambda params, n: (503, {"Retry-After": "0"}, b"busy")) as base:
        harvester = OaiClient(base, HttpClient("oai", timeout=2), limits=HarvestLimits(max_retries=4), sleep=slept.append)
        with pytest.raises(FlowControlExhausted, match="5 time") as caught:
            harvester.identify()
    assert slept == [0.0] * 4
    assert len(caught.value.exchanges) == 5 and all("HTTP 503" in e.received for e in caught.value.exchanges)


def test_a_retry_after_beyond_the_bound_is_not_waited_for() -> None:
    slept: list[float] = []
    with fake_server(lambda params, n: (503, {"Retry-After": "3600"}, b"")) as base:
        harvester = OaiClient(base, HttpClient("oai", timeout=2), limits=HarvestLimits(max_retry_wait=30), sleep=slept.append)
        with pytest.raises(FlowControlExhausted, match="wait of 3600 s"):
            harvester.identify()
    assert slept == []


def test_retry_after_is_honoured_then_the_page_comes() -> None:
    when = format_datetime(datetime(2030, 1, 1, 0, 0, 2, tzinfo=UTC), usegmt=True)

    def answer(params: dict[str, str], count: int) -> tuple[int, dict[str, str], bytes]:
        if count == 1:
            return 503, {"Retry-After": when}, b""
        return 200, {}, page(params["_base"], params, range(2), None)

    slept: list[float] = []
    with fake_server(answer) as base:
        harvester = OaiClient(base, HttpClient("oai", timeout=2), sleep=slept.append,
                              clock=lambda: datetime(2030, 1, 1, 0, 0, 0, tzinfo=UTC))
        records = list(harvester.list_records("oai_dc").records())
    assert slept == [2.0] and len(records) == 2
    assert retry_after_seconds("junk", datetime.now(UTC)) is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", datetime.now(UTC)) == 0.0


def test_a_200_mb_page_stops_at_the_page_budget() -> None:
    def behave(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 209715200\r\n\r\n" + HEAD.encode())
        chunk = b"<!-- padding -->" * 4096
        for _ in range(200 * 1024 * 1024 // len(chunk)):
            conn.sendall(chunk)

    with raw_server(behave) as base:
        started = time.monotonic()
        with pytest.raises(HarvestInterrupted) as caught:
            client(base, timeout=10).identify()
    assert isinstance(caught.value.__cause__, ResponseTooLarge)
    assert time.monotonic() - started < 10
    assert "over the budget" in caught.value.exchanges[-1].received


def test_a_gzip_bomb_stops_at_the_page_budget() -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000
    with fake_server(lambda params, n: (200, {"Content-Encoding": "gzip"}, bomb)) as base, \
            pytest.raises(HarvestInterrupted) as caught:
        client(base).identify()
    assert isinstance(caught.value.__cause__, ResponseTooLarge)


@pytest.mark.parametrize("behaviour", ["silence", "trickle"])
def test_silence_and_trickle_end_at_the_deadline(behaviour: str) -> None:
    def behave(conn: socket.socket) -> None:
        conn.recv(65536)
        if behaviour == "silence":
            time.sleep(3)
            return
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n")
        for byte in HEAD.encode()[:30]:
            conn.sendall(bytes([byte]))
            time.sleep(0.1)

    with raw_server(behave) as base:
        started = time.monotonic()
        with pytest.raises(HarvestInterrupted, match="TargetTimeout") as caught:
            client(base, timeout=1.0).identify()
    assert 0.9 < time.monotonic() - started < 2.5
    assert "no complete answer within 1 s" in caught.value.exchanges[-1].note


def test_an_html_500_is_a_page_with_problems_not_an_exception() -> None:
    html = b"<html><body><h1>500 Internal Server Error</h1></body></html>"
    with fake_server(lambda params, n: (500, {"Content-Type": "text/html"}, html)) as base:
        harvest = client(base).list_records("oai_dc")
        pages = list(harvest)
    assert len(pages) == 1 and pages[0].response is None
    assert {p.rule.id for p in pages[0].problems} == {"http-status", "content-type", "root-element"}
    assert not harvest.complete


def test_an_unreachable_target_is_a_target_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with pytest.raises(HarvestInterrupted) as caught:
        client(f"http://127.0.0.1:{port}/oai").identify()
    assert isinstance(caught.value, TargetError)
