"""Test support: serve ``provider.respond`` on 127.0.0.1 with http.server, and the fixture
catalogue as a repository. Not the sandbox's HTTP wiring (the frame builds that); just enough
HTTP for the harvester, sickle and the peers' data to meet the provider in tests.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pymarc
from loopback import serving

from harness.oaipmh.catalogue import catalogue_item, consortium_sets, oai_identifier
from harness.oaipmh.provider import ProviderSettings, respond
from harness.oaipmh.repository import MemoryRepository, Repository
from harness.paths import MARC_FIXTURES_DIR
from harness.sandbox.state import load_libraries

REPOSITORY_ID = "sandbox.libharness.test"


@dataclass
class Peer:
    """A real OAI-PMH provider running on loopback (tests/peers/conftest.py starts them)."""

    name: str
    base_url: str
    process: subprocess.Popen[bytes]
    repository_id: str
FIRST_DATESTAMP = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)
DELETED_EVERY = 40  # every 40th record (index % 40 == 7) is deleted: persistent deletes to harvest


def catalogue_records(path: Path = MARC_FIXTURES_DIR / "consortium.mrc") -> list[pymarc.Record]:
    with path.open("rb") as fh:
        return [r for r in pymarc.MARCReader(fh, to_unicode=True, force_utf8=True) if r is not None]


CATALOGUE_SIZE = len(catalogue_records())  # records in fixtures/marc/consortium.mrc


def fixture_repository(step: timedelta = timedelta(hours=1)) -> MemoryRepository:
    """The fixture catalogue, one record an hour from 2024-06-01T12:00:00Z, every 40th deleted."""
    libraries = load_libraries()
    kinds = {number: lib.kind for number, lib in libraries.items()}
    items = [
        catalogue_item(record, oai_identifier(record, REPOSITORY_ID), FIRST_DATESTAMP + step * index, kinds,
                       deleted=index % DELETED_EVERY == 7)
        for index, record in enumerate(catalogue_records())
    ]
    sets = consortium_sets([(n, lib.name, lib.kind) for n, lib in libraries.items()])
    return MemoryRepository(items, sets)


def _handler(repository: Repository, settings: Callable[[], ProviderSettings], clock: Callable[[], datetime],
             defects: frozenset[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, query: str) -> None:
            if urlsplit(self.path).path != "/oai":
                self.send_error(404)
                return
            params = parse_qsl(query, keep_blank_values=True)
            reply = respond(params, repository, clock(), settings(), defects)
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def do_GET(self) -> None:
            self._answer(urlsplit(self.path).query)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._answer(self.rfile.read(length).decode("utf-8", "replace"))

    return Handler


@contextmanager
def serve_provider(repository: Repository, *, page_size: int = 50, defects: frozenset[str] = frozenset(),
                   clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                   token_lifetime: timedelta = timedelta(minutes=10)) -> Iterator[str]:
    """The provider over ``repository`` at ``http://127.0.0.1:<port>/oai`` until the block ends."""
    holder: dict[str, ProviderSettings] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(repository, lambda: holder["settings"], clock, defects))
    server.daemon_threads = True
    base_url = f"http://127.0.0.1:{server.server_address[1]}/oai"
    holder["settings"] = ProviderSettings(base_url, page_size=page_size, token_lifetime=token_lifetime)
    with serving(server):
        yield base_url
