"""SIP2 as a protocol unit: settings, fixtures, sandbox service, secrets, defects, probe."""

from __future__ import annotations

from harness.errors import TargetError
from harness.sip2 import defects
from harness.sip2.settings import Sip2Settings, parse
from harness.sip2.transcript import SECRET_FIELD_PATTERNS
from harness.units import ProtocolUnit, SandboxService, keys_of


def _sandbox() -> SandboxService:
    from harness.sip2.sandbox.service import Sip2Service

    return Sip2Service()


def probe(settings: Sip2Settings, timeout: float) -> None:
    """The endpoint answers and the profile's login is accepted (93 → 941)."""
    from harness.sip2.checks import log_in
    from harness.sip2.client import Client

    if not settings.host or not settings.port:
        raise TargetError("SIP2: no host and port to connect to")
    tls_port = settings.tls_port if settings.tls and settings.tls_port else settings.port
    with Client(settings.host, tls_port, timeout=settings.timeout or timeout, tls=settings.tls,
                verify=settings.verify_tls, ca_file=str(settings.ca_file) if settings.ca_file else None,
                charset=settings.charset, error_detection=settings.error_detection) as client:
        log_in(client, settings.username, settings.password, settings.location)


SIP2: ProtocolUnit[Sip2Settings] = ProtocolUnit(
    name="sip2",
    section="sip2",
    title="SIP2 (self-service)",
    parse=parse,
    keys=keys_of(Sip2Settings),
    fixtures="harness.sip2.fixtures",
    defects=defects.CATALOGUE,
    secret_keys=("password",),
    wire_secrets=SECRET_FIELD_PATTERNS,
    sandbox=_sandbox,
    probe=probe,
    endpoints=("sip2", "sip2-tls"),
)
