"""Peer A: the PyPI ``oaipmh`` 4.0.0 provider engine on 127.0.0.1, behind a small WSGI app.

    python tests/peers/oai_peer_a.py RECORDS.jsonl --port-file PATH --page-size N --duration S

Every OAI-PMH byte (envelope, errors, tokens, oai_dc) is written by ``oaipmh.server.
BatchingServer``; ours is the data adapter (:class:`Catalogue`, the engine's IBatchingOAI
interface over the records file the test writes) and the HTTP glue: GET and POST, a
repeated argument answered through the engine's own error writer (the engine takes a dict
and never sees repeats), 404 off /oai. The server binds port 0, writes the port to
--port-file atomically, and stops by itself after --duration seconds or on SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from lxml import etree
from oaipmh import common, error, metadata, server  # type: ignore[import-untyped]

REPOSITORY_ID = "peer-a.libharness.test"
FORMATS = [
    ("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/"),
    ("marc21", "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd", "http://www.loc.gov/MARC21/slim"),
]


def naive_utc(stamp: str) -> datetime:
    """The engine wants naive datetimes meaning UTC (it asserts on aware ones)."""
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")


class Catalogue:
    """The engine's IBatchingOAI over the test's records, in file (datestamp) order."""

    def __init__(self, records: Path, sets: Path, base_url: str) -> None:
        self.base_url = base_url
        self.records = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines() if line]
        self.by_id = {f"oai:{REPOSITORY_ID}:{r['id']}": r for r in self.records}
        self.sets = [json.loads(line) for line in sets.read_text(encoding="utf-8").splitlines() if line]

    def identify(self) -> common.Identify:
        return common.Identify(
            repositoryName="Peer A (PyPI oaipmh 4.0.0)", baseURL=self.base_url, protocolVersion="2.0",
            adminEmails=["oai@peer-a.libharness.test"], earliestDatestamp=min(naive_utc(r["datestamp"]) for r in self.records),
            deletedRecord="persistent", granularity="YYYY-MM-DDThh:mm:ssZ", compression=["identity"])

    def _header(self, record: dict[str, Any]) -> common.Header:
        return common.Header(None, f"oai:{REPOSITORY_ID}:{record['id']}", naive_utc(record["datestamp"]), record["sets"], record["deleted"])

    def _entry(self, record: dict[str, Any]) -> tuple[common.Header, common.Metadata | None, None]:
        return self._header(record), (None if record["deleted"] else common.Metadata(None, record)), None

    def getRecord(self, metadataPrefix: str, identifier: str) -> tuple[common.Header, common.Metadata | None, None]:
        record = self.by_id.get(identifier)
        if record is None:
            raise error.IdDoesNotExistError(identifier)
        if metadataPrefix not in {f[0] for f in FORMATS}:
            raise error.CannotDisseminateFormatError(metadataPrefix)
        return self._entry(record)

    def listMetadataFormats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:
        if identifier is not None and identifier not in self.by_id:
            raise error.IdDoesNotExistError(identifier)
        return FORMATS

    def listSets(self, cursor: int = 0, batch_size: int = 10) -> list[tuple[str, str, None]]:
        # the engine unpacks (spec, name, description) although IOAI's docstring says pairs
        return [(s["spec"], s["name"], None) for s in self.sets[cursor:cursor + batch_size]]

    def _select(self, prefix: str, set: str | None, from_: datetime | None, until: datetime | None) -> Iterator[dict[str, Any]]:
        if prefix not in {f[0] for f in FORMATS}:
            raise error.CannotDisseminateFormatError(prefix)
        for record in self.records:
            stamp = naive_utc(record["datestamp"])
            if (set is None or set in record["sets"]) and (from_ is None or stamp >= from_) and (until is None or stamp <= until):
                yield record

    def listIdentifiers(self, metadataPrefix: str, set: str | None = None, from_: datetime | None = None,
                        until: datetime | None = None, cursor: int = 0, batch_size: int = 10) -> list[common.Header]:
        chosen = list(self._select(metadataPrefix, set, from_, until))[cursor:cursor + batch_size]
        return [self._header(r) for r in chosen]

    def listRecords(self, metadataPrefix: str, set: str | None = None, from_: datetime | None = None,
                    until: datetime | None = None, cursor: int = 0, batch_size: int = 10) -> list[tuple[Any, ...]]:
        chosen = list(self._select(metadataPrefix, set, from_, until))[cursor:cursor + batch_size]
        return [self._entry(r) for r in chosen]


def marc21_writer(element: etree._Element, md: common.Metadata) -> None:
    element.append(etree.fromstring(md.getMap()["marcxml"]))


def dc_map(record: dict[str, Any]) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for name, value in record["dc"] or ():
        names.setdefault(name, []).append(value)
    return names


def oai_dc_writer(element: etree._Element, md: common.Metadata) -> None:
    """The engine's own oai_dc writer, fed the record's Dublin Core as its map expects."""
    server.oai_dc_writer(element, common.Metadata(None, dc_map(md.getMap())))


def application(catalogue: Catalogue, page_size: int) -> Callable[..., list[bytes]]:
    registry = metadata.MetadataRegistry()
    registry.registerWriter("oai_dc", oai_dc_writer)
    registry.registerWriter("marc21", marc21_writer)
    engine = server.BatchingServer(catalogue, registry, resumption_batch_size=page_size)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ.get("PATH_INFO") != "/oai":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        if environ["REQUEST_METHOD"] == "POST":
            query = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode("utf-8", "replace")
        else:
            query = environ.get("QUERY_STRING", "")
        pairs = parse_qsl(query, keep_blank_values=True)
        names = [name for name, _ in pairs]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:  # §3.6: a repeated verb is badVerb, any other repeated argument badArgument
            fault = error.BadVerbError if "verb" in repeated else error.BadArgumentError
            body = engine.handleException({}, (fault, fault(f"repeated argument(s): {', '.join(repeated)}"), None))
        else:
            body = engine.handleRequest(dict(pairs))
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]

    return app


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("records", type=Path)
    parser.add_argument("--port-file", type=Path, required=True)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--duration", type=float, default=60.0)
    args = parser.parse_args()
    httpd = make_server("127.0.0.1", 0, lambda e, s: [b""], server_class=ThreadingServer, handler_class=QuietHandler)
    port = httpd.server_address[1]
    catalogue = Catalogue(args.records, Path(f"{args.records}.sets"), f"http://127.0.0.1:{port}/oai")
    httpd.set_app(application(catalogue, args.page_size))
    deadline = threading.Timer(args.duration, httpd.shutdown)
    deadline.daemon = True
    deadline.start()
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=httpd.shutdown).start())
    temporary = args.port_file.with_suffix(".tmp")
    temporary.write_text(str(port))
    os.replace(temporary, args.port_file)
    httpd.serve_forever(poll_interval=0.1)


if __name__ == "__main__":
    main()
