"""Z39.50 as a protocol unit: settings, fixtures, sandbox service, secrets, defects, probe."""

from __future__ import annotations

import re

from harness.errors import TargetError
from harness.units import ProtocolUnit, SandboxService, keys_of
from harness.z3950 import defects
from harness.z3950.settings import Z3950Settings, parse

# The rendered Init (render.py) already masks these; the redactor masks them again, whatever
# rendered them: idPass's password and the 'open' authentication string (commonly user/password).
WIRE_SECRETS = (re.compile(r"(?m)(^[ \t>]*(?:password|open): ).+"),)


def _sandbox() -> SandboxService:
    from harness.z3950.sandbox.service import Z3950Service

    return Z3950Service()


def probe(settings: Z3950Settings, timeout: float) -> None:
    """The target accepts a connection and the profile's Init (with its authentication)."""
    from harness.z3950.target import open_association

    if not settings.host or not settings.port:
        raise TargetError("Z39.50: no host and port to connect to")
    client = open_association(settings, settings.timeout or timeout)
    client.close()


Z3950: ProtocolUnit[Z3950Settings] = ProtocolUnit(
    name="z3950",
    section="z3950",
    title="Z39.50 (search and retrieve)",
    parse=parse,
    keys=keys_of(Z3950Settings),
    fixtures="harness.z3950.fixtures",
    defects=defects.CATALOGUE,
    secret_keys=("password",),
    wire_secrets=WIRE_SECRETS,
    sandbox=_sandbox,
    probe=probe,
    endpoints=("z3950",),
)
