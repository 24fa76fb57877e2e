"""The sandbox's SRU service: explain, searchRetrieve and scan on the shared HTTP server.

    GET|POST /sru                       SRU 2.0 when the request names no version (1.1 and 1.2 on request)
    GET|POST /sru/1.1, /sru/1.2         the same catalogue, answering 1.1 / 1.2 by default
    GET|POST /sru/library/{library}     one member library's view: the whole shared catalogue

Every route answers from the consortium's one search index (``shared_index``: the Z39.50
server searches the same one), so a record imported over the MARC channel is findable at
once and a checkout over SIP2 shows in the next record's item status. The server logic is
pure (:func:`harness.sandbox.sru.service.respond`); this module only wires it to the router,
builds what explain declares (host, port, database per route) and applies the defects that
concern the index or HTTP rather than one request.
"""

from __future__ import annotations

from dataclasses import replace
from http import HTTPStatus
from typing import TYPE_CHECKING

from harness.cooperation.sandbox import cooperation_index
from harness.defects import DefectSet
from harness.sandbox.http import Handler, Request, Response
from harness.sandbox.search import SearchIndex
from harness.sandbox.search.shared import (
    consortium_index,
    live_availability,
    live_transit,
    shared_index,
)
from harness.sandbox.search.text import base_letters, words
from harness.sandbox.sru import Deviation, ServerConfig, respond
from harness.sandbox.state import Consortium
from harness.sru import defects as d

if TYPE_CHECKING:
    from harness.profile import Profile
    from harness.units import SandboxContext

ROUTES = (("/sru", "2.0"), ("/sru/1.1", "1.1"), ("/sru/1.2", "1.2"))
MEMBER_PREFIX = "/sru/library/"
_BY_NAME = {defect.name: Deviation(defect.name) for defect in d.CATALOGUE}

class SruService:
    """SRU over the consortium's catalogue, one route per default version and member view."""

    def __init__(self) -> None:
        self.consortium: Consortium | None = None
        self.defects = DefectSet()
        self.deviations: frozenset[str] = frozenset()
        self.base_url = ""
        self.index: SearchIndex | None = None
        self._host, self._port = "127.0.0.1", 0

    def load(self, consortium: Consortium, defects: DefectSet) -> None:
        self.consortium, self.defects = consortium, defects
        self.deviations = frozenset(_BY_NAME[x.name] for x in defects if x.name in _BY_NAME)

    def start(self, context: SandboxContext) -> None:
        self.base_url = context.http_base_url
        host_port = self.base_url.removeprefix("http://")
        self._host, _, port = host_port.partition(":")
        self._port = int(port)
        self.index = self._build_index(context.consortium)
        post = not self.defects.active(d.POST_REFUSED)
        for path, version in ROUTES:
            handler = self._handler(version, path.lstrip("/"))
            context.router.add("GET", path, handler, summary=f"SRU explain/searchRetrieve/scan ({version} by default)")
            if post:
                context.router.add("POST", path, handler, summary="the same, form-encoded")
        context.router.add("GET", MEMBER_PREFIX, self._member, prefix=True, summary="{library}: a member library's SRU view")
        if post:
            context.router.add("POST", MEMBER_PREFIX, self._member, prefix=True, summary="the same, form-encoded")

    def _build_index(self, consortium: Consortium) -> SearchIndex:
        """The shared index, or, under a defect that changes indexing, one of this server's own."""
        crossing = cooperation_index(consortium, self.defects, d.INDEX_DEFECTS)  # the cooperation defects live in the search index
        if crossing is not None:
            return crossing
        if self.defects.active(d.STALE_INDEX):
            return SearchIndex(dict(consortium.records), lock=consortium.lock, availability=live_availability(consortium),
                               in_transit=live_transit(consortium))
        if self.defects.active(d.NFD_UNFINDABLE):
            return consortium_index(consortium, normalise_unicode=False)
        if self.defects.active(d.LETTER_FOLDING):
            return consortium_index(consortium, words_of=lambda text: [base_letters(w) for w in words(text)])
        if self.defects.active(d.AVAILABILITY_NOT_LIVE):
            live = live_availability(consortium)
            with consortium.lock:
                then = {barcode: live(barcode) for barcode in consortium.items}
            return SearchIndex(consortium.records, lock=consortium.lock, availability=then.get)
        return shared_index(consortium)

    def _config(self, database: str) -> ServerConfig:
        if self.defects.active(d.EXPLAIN_WRONG_SERVER_INFO):
            return ServerConfig(host=self._host, port=210, database="Default")
        return ServerConfig(host=self._host, port=self._port, database=database)

    def _answer(self, request: Request, version: str, database: str, library: str | None) -> Response:
        if self.index is None:
            raise RuntimeError("the SRU service was not started")
        params = dict(request.form)  # the last value of a repeated parameter wins
        reply = respond(params, version, self.index, config=self._config(database), deviations=self.deviations,
                        library=library, borrower_of=self._borrower)
        content_type = "text/html; charset=utf-8" if self.defects.active(d.HTML_CONTENT_TYPE) else reply.content_type
        return Response(reply.status, reply.body, content_type)

    def _handler(self, version: str, database: str) -> Handler:
        def handle(request: Request) -> Response:
            return self._answer(request, version, database, None)

        return handle

    def _member(self, request: Request) -> Response:
        library = request.path.removeprefix(MEMBER_PREFIX).strip("/")
        consortium = self._state()
        member = next((lib for lib in consortium.libraries.values() if library in (lib.number, lib.code_for("sru"))), None)
        if member is None:
            known = ", ".join(sorted(consortium.libraries))
            return Response(HTTPStatus.NOT_FOUND, f"no member library {library!r}; known: {known}\n".encode(), "text/plain; charset=utf-8")
        return self._answer(request, "2.0", request.path.lstrip("/"), member.number)

    def _borrower(self, barcode: str) -> str | None:
        consortium = self._state()
        with consortium.lock:
            item = consortium.items.get(barcode)
            patron = consortium.patrons.get(item.borrower) if item is not None and item.borrower else None
            return f"{patron.name} ({patron.barcode})" if patron is not None else None

    def _state(self) -> Consortium:
        if self.consortium is None:
            raise RuntimeError("the SRU service was not loaded")
        return self.consortium

    def resolve(self, profile: Profile) -> Profile:
        from harness.sru.unit import SRU

        settings = profile.settings_for(SRU)
        if settings is None:
            return profile
        return profile.with_settings(SRU, replace(settings, url=f"{self.base_url}/sru",
                                                  member_url=f"{self.base_url}{MEMBER_PREFIX}{{library}}"))

    def describe(self) -> list[tuple[str, str]]:
        return [("SRU", f"{self.base_url}/sru (2.0; /sru/1.1 and /sru/1.2 answer those by default)"),
                ("SRU member", f"{self.base_url}{MEMBER_PREFIX}{{library}} (a member library's view)")]

    def stop(self) -> None:
        pass  # the routes go with the HTTP server; the index with the consortium
