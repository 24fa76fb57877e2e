"""The SRU client over real HTTP on loopback: the sandbox's SRU logic behind a test-local server."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from loopback import serving

from harness.errors import TargetUnreachable
from harness.marc.reader import read_records
from harness.paths import MARC_FIXTURES_DIR
from harness.sandbox.search import SearchIndex
from harness.sandbox.sru import ServerConfig, respond
from harness.sru.client import SruClient
from harness.sru.cql import literal, where
from harness.sru.model import ExplainResponse, ScanResponse
from harness.sru.settings import SruSettings

DATA = Path(__file__).parents[1] / "data" / "sru"
Answer = Callable[[str, dict[str, str]], tuple[int, str, bytes]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _reply(self, params: dict[str, str]) -> None:
        self.server.seen.append((self.command, params))
        status, content_type, body = self.server.answer(self.command, params)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._reply(dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True)))

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        assert self.headers.get("Content-Type") == "application/x-www-form-urlencoded"
        self._reply(dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)))


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answer: Answer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer
        self.seen: list[tuple[str, dict[str, str]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sru"


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    data = (MARC_FIXTURES_DIR / "consortium.mrc").read_bytes()
    return SearchIndex({str(r.record["001"].data): r.record for r in read_records(data) if r.record is not None})


def serve(answer: Answer) -> Iterator[_Server]:
    server = _Server(answer)
    with serving(server):
        yield server


@pytest.fixture
def sandbox(index: SearchIndex) -> Iterator[_Server]:
    config = ServerConfig(default_records=5, maximum_records=10)
    yield from serve(lambda method, params: respond(params, "2.0", index, config=config))


@pytest.fixture
def client(sandbox: _Server) -> Iterator[SruClient]:
    with SruClient(SruSettings(sandbox.url, version="1.2", timeout=5.0, page_size=7)) as sru:
        yield sru


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("version", ["1.1", "1.2", "2.0"])
def test_operations_over_get_and_post(sandbox: _Server, method: str, version: str) -> None:
    with SruClient(SruSettings(sandbox.url, version=version, method=method, timeout=5.0)) as sru:
        explained = sru.explain()
        assert isinstance(explained.parsed.response, ExplainResponse) and not explained.problems
        found = sru.search_retrieve(where("dc.title", "=", literal("Ærfugl og øyvær")), maximum_records=2, packing="string")
        assert found.search is not None and found.search.number_of_records == 10 and not found.problems
        assert [r.packing for r in found.search.records] == ["string", "string"]
        scanned = sru.scan("dc.creator = a", maximum_terms=2)
        assert isinstance(scanned.parsed.response, ScanResponse) and len(scanned.parsed.response.terms) == 2
    methods = {m for m, _ in sandbox.seen}
    assert methods == {method}
    sent = sandbox.seen[1][1]
    assert sent["version"] == version and sent["query"] == 'dc.title = "Ærfugl og øyvær"'
    assert sent["recordXMLEscaping" if version == "2.0" else "recordPacking"] == "string"


def test_page_loop_reads_the_whole_result_set(client: SruClient) -> None:
    run = client.pages("dc.subject = samer")
    assert run.complete and len(run.pages) == 3
    assert [r.position for r in run.records] == list(range(1, 20))


def test_page_budget(client: SruClient) -> None:
    run = client.pages("dc.subject = samer", budget=2)
    assert run.budget_spent and not run.complete and len(run.pages) == 2


def test_page_loop_stops_at_a_diagnostic(client: SruClient) -> None:
    run = client.pages("dc.nosuch = x")
    assert run.stopped == "diagnostic" and len(run.pages) == 1


def test_loop_guard_against_a_next_record_position_that_does_not_advance() -> None:
    stuck = (DATA / "1.2/searchRetrieve_page1.xml").read_bytes().replace(
        b"</zs:records>", b"</zs:records><zs:nextRecordPosition>1</zs:nextRecordPosition>")
    for server in serve(lambda method, params: (200, "text/xml", stuck)):
        with SruClient(SruSettings(server.url, timeout=5.0)) as sru:
            run = sru.pages("x", page_size=3)
        assert run.looped and len(run.pages) == 1 and "no progress" in run.stopped


def test_without_next_record_position_the_client_can_count_for_itself() -> None:
    page = (DATA / "1.2/searchRetrieve_page1.xml").read_bytes()  # zebrasrv: 19 hits, records 1-3, no next
    for server in serve(lambda method, params: (200, "text/xml", page)):
        with SruClient(SruSettings(server.url, timeout=5.0)) as sru:
            trusting = sru.pages("x", page_size=3)
            counting = sru.pages("x", page_size=3, trust_next=False)
        assert trusting.complete and len(trusting.pages) == 1
        assert counting.looped and len(counting.pages) == 2  # the same page came back for startRecord=4


def test_transcript_records_each_exchange(client: SruClient) -> None:
    client.search_retrieve("dc.creator = gaup", maximum_records=1)
    [exchange] = client.transcript
    assert exchange.protocol == "sru" and "query=dc.creator" in exchange.sent and "searchRetrieveResponse" in exchange.received


def test_raw_request_sends_exactly_what_it_is_given(client: SruClient, sandbox: _Server) -> None:
    result = client.request({"operation": "searchRetrieve", "query": "x"}, operation="searchRetrieve")
    assert sandbox.seen[-1][1] == {"operation": "searchRetrieve", "query": "x"}
    assert result.search is not None and result.search.family == "2.0"  # no version: the endpoint's (2.0)


def test_html_error_page_is_problems_not_an_exception() -> None:
    for server in serve(lambda method, params: (503, "text/html", b"<html><body>Down for maintenance</body>")):
        with SruClient(SruSettings(server.url, timeout=5.0)) as sru:
            result = sru.search_retrieve("x")
        assert result.http.status == 503 and result.parsed.response is None
        assert [p.rule.id for p in result.problems] == ["not-xml"]


def test_unreachable_target_is_a_target_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with SruClient(SruSettings(f"http://127.0.0.1:{port}/sru", timeout=2.0)) as sru, pytest.raises(TargetUnreachable):
        sru.explain()
