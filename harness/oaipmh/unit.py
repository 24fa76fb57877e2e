"""OAI-PMH as a protocol unit: settings, fixtures, sandbox service, secrets, defects, probe."""

from __future__ import annotations

from harness.errors import TargetError
from harness.oaipmh import defects
from harness.oaipmh.settings import OaiSettings, parse
from harness.units import ProtocolUnit, SandboxService, keys_of

PROBE_BYTES = 1024 * 1024  # an Identify answer is small; a bigger one is judged by the suite


def _sandbox() -> SandboxService:
    from harness.oaipmh.sandbox.service import OaiService

    return OaiService()


def probe(settings: OaiSettings, timeout: float) -> None:
    """Identify gets an HTTP answer (any status, any body: the suite judges those), with 503s
    waited out within the profile's bounds; silence, a refused connection, a trickle or an
    endless 503 is one ERROR for the suite."""
    from dataclasses import replace

    from harness.http import HttpClient
    from harness.oaipmh.client import OaiClient

    if not settings.url:
        raise TargetError("OAI-PMH: no base URL to harvest ([oai] url)")
    limits = replace(settings.limits(), max_page_bytes=min(settings.max_page_bytes, PROBE_BYTES))
    with HttpClient("oai", timeout=settings.timeout or timeout, max_bytes=limits.max_page_bytes, auth=settings.auth()) as http:
        OaiClient(settings.url, http, method=settings.method, limits=limits).fetch((("verb", "Identify"),))


OAI: ProtocolUnit[OaiSettings] = ProtocolUnit(
    name="oaipmh",
    section="oai",
    title="OAI-PMH 2.0 harvesting",
    parse=parse,
    keys=keys_of(OaiSettings),
    fixtures="harness.oaipmh.fixtures",
    defects=defects.CATALOGUE,
    secret_keys=("username", "password"),
    sandbox=_sandbox,
    probe=probe,
    endpoints=(),  # served on the sandbox's one HTTP server (harness sandbox --port http=...)
)
