"""The OAI-PMH service of the embedded sandbox: ``/oai`` on the sandbox's one HTTP server.

    GET  /oai?verb=...            POST /oai  (application/x-www-form-urlencoded body)

The provider's logic is :func:`harness.oaipmh.provider.respond`, pure; this service passes it
the request's pairs (repeats kept), the time, and the consortium through
:class:`~harness.oaipmh.sandbox.repository.ConsortiumRepository`, and writes the reply. The
MARC channel's imports and deletions move the datestamps the provider serves, so a record
imported over MARC is in the next incremental harvest.

Resumption tokens live :data:`TOKEN_LIFETIME` seconds: short on purpose, so the suite can wait
for one to expire and check that it is refused (§3.5, §3.6 badResumptionToken). A whole
harvest of the sandbox takes well under a second per page.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING

from harness.defects import DefectSet
from harness.oaipmh import defects as d
from harness.oaipmh.provider import ProviderSettings, respond
from harness.oaipmh.repository import Repository
from harness.oaipmh.sandbox.repository import (
    REPOSITORY_IDENTIFIER,
    ConsortiumRepository,
)
from harness.sandbox.http import Handler, Request, Response
from harness.sandbox.state import Consortium

if TYPE_CHECKING:
    from harness.profile import Profile
    from harness.units import SandboxContext

CLEAN = DefectSet()
PAGE_SIZE = 100  # the fixture catalogue (240 records) is three pages: every list is resumed
TOKEN_LIFETIME = timedelta(seconds=3)  # short, so the expiry check waits little; a harvest on loopback takes well under that
_BLOCKED_PAGE = (b"<!DOCTYPE html><html><head><title>403 Forbidden</title></head><body><h1>Access denied</h1>"
                 b"<p>Automated requests are not allowed.</p></body></html>")


class _SpentTokens:
    """The tokens answered so far, for the single-use defect only (the provider keeps no state)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: set[str] = set()

    def __contains__(self, token: object) -> bool:
        with self._lock:
            return token in self._seen

    def add(self, token: str) -> None:
        with self._lock:
            self._seen.add(token)


def oai_handler(repository: Repository, settings: ProviderSettings, defects: DefectSet = CLEAN) -> Handler:
    """The sandbox's ``/oai`` route over any repository: the request's pairs to
    :func:`~harness.oaipmh.provider.respond`, the reply to HTTP (the benchmark serves its
    synthetic repository through this same handler and HTTP server)."""
    switches, spent = d.provider_switches(defects.defects), _SpentTokens()

    def serve(request: Request) -> Response:
        agent = request.headers.get("user-agent", "")
        if defects.active(d.BLOCKS_COMMON_HARVESTERS) and agent.startswith("python-requests"):
            return Response(HTTPStatus.FORBIDDEN, _BLOCKED_PAGE, "text/html; charset=utf-8")  # DEFECT oai-blocks-python-requests
        # DEFECT oai-post-ignored: the form body of a POST is not read
        params = request.params if defects.active(d.POST_IGNORED) else request.form
        reply = respond(params, repository, datetime.now(UTC), settings, switches, spent)
        return Response(reply.status, reply.body, reply.content_type)

    return serve


class OaiService:
    def __init__(self) -> None:
        self.consortium: Consortium | None = None
        self.defects = DefectSet()
        self.repository: ConsortiumRepository | None = None
        self.settings: ProviderSettings | None = None

    def load(self, consortium: Consortium, defects: DefectSet) -> None:
        """Nothing to load: the MARC service loads the catalogue this service serves."""
        self.consortium, self.defects = consortium, defects

    def start(self, context: SandboxContext) -> None:
        from harness.oaipmh.unit import OAI

        if context.profile.settings_for(OAI) is None or self.consortium is None:
            return
        self.repository = ConsortiumRepository(self.consortium, self.defects, REPOSITORY_IDENTIFIER)
        self.repository.refresh()  # the catalogue as loaded: the first datestamps
        self.settings = ProviderSettings(f"{context.http_base_url}/oai", repository_identifier=REPOSITORY_IDENTIFIER,
                                         page_size=PAGE_SIZE, token_lifetime=TOKEN_LIFETIME)
        serve = oai_handler(self.repository, self.settings, self.defects)
        context.router.add("GET", "/oai", serve, summary="?verb=Identify|ListMetadataFormats|ListSets|GetRecord|ListIdentifiers|ListRecords")
        context.router.add("POST", "/oai", serve, summary="form body verb=...")

    def resolve(self, profile: Profile) -> Profile:
        from harness.oaipmh.unit import OAI

        settings = profile.settings_for(OAI)
        if settings is None or self.settings is None:
            return profile
        return profile.with_settings(OAI, replace(settings, url=self.settings.base_url))

    def describe(self) -> list[tuple[str, str]]:
        if self.settings is None:
            return []
        return [("OAI-PMH", (f"{self.settings.base_url} (GET and POST; oai_dc, marc21; sets library:*, kind:*; "
                            f"{PAGE_SIZE} records a page, tokens expire after {TOKEN_LIFETIME.total_seconds():g} s)"))]

    def stop(self) -> None:
        pass  # the routes go with the HTTP server
