"""The MARC unit's pytest fixtures, registered by the harness plugin from the registry.

``marc_settings`` is NOT_TESTED when the profile has no ``[marc]``; the endpoint (or the export
files) is checked once before the first scenario. ``marc_channel`` is the HTTP or file channel.
``marc_import`` is that channel for a check in another suite that imports a record of its own
(KAT-02's time to visibility over SRU and Z39.50), with every import deleted afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import NamedTuple

import pytest

from harness.config import RunConfig
from harness.findings import not_tested
from harness.marc.channel import FileChannel, HttpChannel, ImportReceipt, MarcChannel
from harness.marc.settings import MarcSettings
from harness.marc.unit import MARC
from harness.profile import Profile
from harness.pytest_plugin import configured


@pytest.fixture(scope="session")
def marc_settings(request: pytest.FixtureRequest, target: Profile) -> MarcSettings:
    settings = configured(request, MARC)
    if not settings.import_library and target.libraries:
        settings = replace(settings, import_library=target.libraries[0].number)
    return settings


@pytest.fixture(scope="session")
def marc_channel(marc_settings: MarcSettings, target: Profile, harness_run: RunConfig) -> MarcChannel:
    """The target's MARC import/export channel."""
    if marc_settings.channel == "http":
        auth = (marc_settings.username, marc_settings.password) if marc_settings.username else None
        return HttpChannel(marc_settings.base_url, timeout=target.timeout, auth=auth,
                           max_bytes=marc_settings.max_export_bytes, budget=harness_run.budget)
    return FileChannel(
        export_file=marc_settings.export_file,
        export_xml_file=marc_settings.export_xml_file,
        import_dir=marc_settings.import_dir,
        export_log=marc_settings.export_log,
        max_bytes=marc_settings.max_export_bytes,
    )


class MarcImport(NamedTuple):
    """An importing channel lent to a check, and the receipts of what it imported (to undo)."""

    channel: MarcChannel
    settings: MarcSettings
    receipts: list[ImportReceipt]


@pytest.fixture()
def marc_import(marc_settings: MarcSettings, marc_channel: MarcChannel) -> Iterator[MarcImport]:
    """The MARC channel when it can import (NOT_TESTED otherwise); every receipt appended to
    ``receipts`` is deleted afterwards."""
    if not marc_channel.can_import:
        not_tested("the profile's [marc] channel has no import API; KAT-02's time to visibility needs the harness to import")
    lent = MarcImport(marc_channel, marc_settings, [])
    yield lent
    for receipt in lent.receipts:
        marc_channel.delete(receipt)
