"""The sandbox's HTTP endpoints on loopback: MARC import and export (later: SRU, OAI-PMH).

    GET  /                                   JSON: the sandbox's libraries and endpoints
    GET  /marc/export?format=iso2709|marcxml[&library=NO-99...]
    POST /marc/import?library=NO-99...       body: ISO 2709 or MARCXML; JSON receipt
    DELETE /marc/record/{001}                remove a record (scenarios clean up after themselves)

An ISO 2709 export names the records it refused (too long for ISO 2709, MARC-04) in the
``X-Omitted-Records`` header; they are in the MARCXML export.
"""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

from harness.sandbox import marc_service
from harness.sandbox.state import Consortium

MAX_IMPORT_BYTES = 64 * 1024 * 1024


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, consortium: Consortium, defects: frozenset[str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.consortium = consortium
        self.defects = defects

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: SandboxHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib's name
        pass  # the harness's transcripts are the log; stderr noise would hide test output

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: HTTPStatus, data: object) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False, indent=1).encode(), "application/json; charset=utf-8")

    def _query(self) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.path)
        return parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()}

    def _library(self, query: dict[str, str], required: bool) -> str | None:
        library = query.get("library")
        if library is None and not required:
            return None
        if library not in self.server.consortium.libraries:
            known = ", ".join(sorted(self.server.consortium.libraries))
            self._json(HTTPStatus.BAD_REQUEST, {"error": f"unknown library {library!r}; known: {known}"})
            raise _Handled
        return library

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        try:
            path, query = self._query()
            if path == "/":
                self._json(HTTPStatus.OK, _describe(self.server))
            elif path == "/marc/export":
                self._export(query)
            else:
                self._json(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint {path}"})
        except _Handled:
            pass

    def _export(self, query: dict[str, str]) -> None:
        library = self._library(query, required=False)
        fmt = query.get("format", "iso2709")
        records = marc_service.selected_records(self.server.consortium, library, self.server.defects)
        if fmt == "iso2709":
            export = marc_service.export_iso2709(records, self.server.defects)
            headers = {"X-Omitted-Records": quote("; ".join(export.omitted))} if export.omitted else {}
            self._send(HTTPStatus.OK, export.body, "application/marc", headers)
        elif fmt == "marcxml":
            export = marc_service.export_marcxml(records, self.server.defects)
            self._send(HTTPStatus.OK, export.body, "application/marcxml+xml; charset=utf-8")
        else:
            self._json(HTTPStatus.BAD_REQUEST, {"error": f"format must be iso2709 or marcxml, not {fmt!r}"})

    def do_POST(self) -> None:  # noqa: N802
        try:
            path, query = self._query()
            if path != "/marc/import":
                self._json(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint {path}"})
                return
            library = self._library(query, required=True)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_IMPORT_BYTES:
                self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": f"batch over {MAX_IMPORT_BYTES} bytes"})
                return
            body = self.rfile.read(length)
            receipt = marc_service.import_batch(self.server.consortium, body, str(library), self.server.defects)
            self._json(HTTPStatus.OK, receipt.to_dict())
        except _Handled:
            pass


    def do_DELETE(self) -> None:  # noqa: N802
        path, _ = self._query()
        number = path.removeprefix("/marc/record/")
        if path == number or not number:
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint {path}"})
            return
        with self.server.consortium.lock:
            removed = self.server.consortium.records.pop(number, None)
        status = HTTPStatus.OK if removed is not None else HTTPStatus.NOT_FOUND
        self._json(status, {"deleted": number if removed is not None else None})


class _Handled(Exception):
    """The handler already answered (e.g. with 400); stop processing the request."""


def _describe(server: SandboxHTTPServer) -> dict[str, object]:
    libs = server.consortium.libraries.values()
    return {
        "name": "harness embedded sandbox",
        "defects": sorted(server.defects),
        "libraries": [{"number": l.number, "name": l.name, "kind": l.kind} for l in libs],
        "endpoints": {"marc_export": "/marc/export", "marc_import": "/marc/import"},
    }


def serve_in_thread(server: SandboxHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="sandbox-http", daemon=True)
    thread.start()
    return thread
