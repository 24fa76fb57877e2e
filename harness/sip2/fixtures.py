"""The SIP2 unit's pytest fixtures, registered by the harness plugin from the registry.

``sip2_target`` is NOT_TESTED when the profile has no ``[sip2]`` and the endpoint is probed
once (connect and 93 login) before the first scenario; ``sip2`` is a logged-in connection,
``sip2_connect`` opens more (closed after the scenario).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness.config import RunConfig
from harness.profile import Profile
from harness.pytest_plugin import configured
from harness.sip2.checks import log_in
from harness.sip2.client import Client
from harness.sip2.target import Sip2Target
from harness.sip2.unit import SIP2

Connect = Callable[..., Client]


@pytest.fixture(scope="session")
def sip2_target(request: pytest.FixtureRequest, target: Profile, harness_run: RunConfig) -> Sip2Target:
    """Where and how to reach the target's SIP2 server, and the profile's test data."""
    return Sip2Target(configured(request, SIP2), target, harness_run.budget)


@pytest.fixture()
def sip2_connect(sip2_target: Sip2Target) -> Iterator[Connect]:
    """Open extra SIP2 connections (not logged in); all are closed after the scenario."""
    opened: list[Client] = []

    def connect(**options: Any) -> Client:
        client = sip2_target.connect(**options)
        opened.append(client)
        return client

    yield connect
    for client in opened:
        client.close()


@pytest.fixture()
def sip2(sip2_target: Sip2Target, sip2_connect: Connect) -> Client:
    """A connection logged in with the profile's SC account (93); a refused login is ERROR."""
    return log_in(sip2_connect(), sip2_target.username, sip2_target.password, sip2_target.location)
