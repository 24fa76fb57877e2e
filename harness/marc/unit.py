"""MARC 21 import/export as a protocol unit: settings, fixtures, sandbox service, defects, probe."""

from __future__ import annotations

from harness.errors import TargetUnreachable
from harness.marc import defects
from harness.marc.settings import MarcSettings, parse
from harness.units import ProtocolUnit, SandboxService, keys_of


def _sandbox() -> SandboxService:
    from harness.marc.sandbox import MarcService

    return MarcService()


def probe(settings: MarcSettings, timeout: float) -> None:
    """The HTTP endpoint answers at all (any status), or the export files can be read."""
    from harness.http import HttpClient

    if settings.channel == "http":
        with HttpClient("marc", timeout=timeout, max_bytes=64 * 1024) as client:
            client.get(settings.base_url)
        return
    for path in (settings.export_file, settings.export_xml_file):
        if path is not None and not path.is_file():
            raise TargetUnreachable(f"MARC: the export file {path} named in the profile does not exist")


MARC: ProtocolUnit[MarcSettings] = ProtocolUnit(
    name="marc",
    section="marc",
    title="MARC 21 import and export",
    parse=parse,
    keys=keys_of(MarcSettings),
    fixtures="harness.marc.fixtures",
    defects=defects.CATALOGUE,
    secret_keys=("password",),
    sandbox=_sandbox,
    probe=probe,
    endpoints=("http",),
)
