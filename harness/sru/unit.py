"""SRU as a protocol unit: settings, fixtures, sandbox service, secrets, defects, probe."""

from __future__ import annotations

from harness.errors import TargetError
from harness.sru import defects
from harness.sru.settings import SruSettings, parse
from harness.units import ProtocolUnit, SandboxService, keys_of


def _sandbox() -> SandboxService:
    from harness.sru.sandbox import SruService

    return SruService()


def probe(settings: SruSettings, timeout: float) -> None:
    """The endpoint answers an explain request over HTTP (any status: judging it is the suite's job)."""
    from harness.http import HttpClient

    if not settings.url:
        raise TargetError("SRU: no url to ask")
    with HttpClient("sru", timeout=settings.timeout or timeout, max_bytes=1024 * 1024, auth=settings.auth,
                    verify=settings.verify) as client:
        client.get(settings.url, {"version": settings.version, "operation": "explain"})


SRU: ProtocolUnit[SruSettings] = ProtocolUnit(
    name="sru",
    section="sru",
    title="SRU (search and retrieve)",
    parse=parse,
    keys=keys_of(SruSettings),
    fixtures="harness.sru.fixtures",
    defects=defects.CATALOGUE,
    secret_keys=("password",),
    sandbox=_sandbox,
    probe=probe,
    endpoints=(),
)
