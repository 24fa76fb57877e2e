"""The OAI-PMH unit's pytest fixtures, registered by the harness plugin from the registry.

``oai_settings`` is NOT_TESTED when the profile has no ``[oai]``, and the endpoint is probed
once (Identify answers at all) before the first scenario. ``oai`` is the run's one harvester,
after discovery: it has run Identify, ListMetadataFormats and ListSets, so every page it reads
later is judged against the declared granularity, earliest datestamp, deletion policy and
each prefix's namespace. One client for the run also means one flow-control budget: a
repository that answers 503 again and again costs ``max_total_wait`` once, not per check.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from harness.http import HttpClient
from harness.oaipmh.client import OaiClient
from harness.oaipmh.discovery import Discovery, discover
from harness.oaipmh.settings import OaiSettings
from harness.oaipmh.unit import OAI
from harness.profile import Profile
from harness.pytest_plugin import configured


@dataclass(frozen=True)
class OaiTarget:
    """The repository: its settings, the run's harvester, and what it declared."""

    settings: OaiSettings
    client: OaiClient
    found: Discovery
    timeout: float

    def http(self, *, user_agent: str = "libharness") -> HttpClient:
        """Another HTTP client with the same bounds (the caller closes it)."""
        return HttpClient("oai", timeout=self.timeout, max_bytes=self.settings.max_page_bytes,
                          auth=self.settings.auth(), user_agent=user_agent)

    def client_with(self, *, method: str | None = None, user_agent: str = "libharness") -> OaiClient:
        """A second harvester knowing what the first discovered (POST, or another agent)."""
        other = OaiClient(self.settings.url, self.http(user_agent=user_agent), method=method or self.settings.method,
                          limits=self.settings.limits())
        other.identity, other.namespaces = self.client.identity, dict(self.client.namespaces)
        return other


@pytest.fixture(scope="session")
def oai_settings(request: pytest.FixtureRequest) -> OaiSettings:
    return configured(request, OAI)


@pytest.fixture(scope="session")
def oai_target(oai_settings: OaiSettings, target: Profile) -> Iterator[OaiTarget]:
    """The repository after discovery (Identify, ListMetadataFormats, ListSets)."""
    timeout = oai_settings.timeout or target.timeout
    http = HttpClient("oai", timeout=timeout, max_bytes=oai_settings.max_page_bytes, auth=oai_settings.auth())
    client = OaiClient(oai_settings.url, http, method=oai_settings.method, limits=oai_settings.limits())
    try:
        yield OaiTarget(oai_settings, client, discover(client), timeout)
    finally:
        http.close()


@pytest.fixture(scope="session")
def oai(oai_target: OaiTarget) -> OaiClient:
    """The run's harvester; it has run Identify, ListMetadataFormats and ListSets."""
    return oai_target.client
