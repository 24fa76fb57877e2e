"""The SRU unit's pytest fixtures, registered by the harness plugin from the registry.

``sru_target`` is NOT_TESTED when the profile has no ``[sru]``; the endpoint is probed once
(an explain request) before the first scenario, then explain is read once and kept: every
check plans from what it declares. ``sru`` is a client of the endpoint for one scenario (its
transcript is the scenario's evidence); ``sru_connect`` opens more (member views).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from harness.errors import TargetError
from harness.profile import Profile
from harness.pytest_plugin import configured
from harness.sru.client import SruClient
from harness.sru.target import SruTarget
from harness.sru.unit import SRU

Connect = Callable[..., SruClient]


@pytest.fixture(scope="session")
def sru_target(request: pytest.FixtureRequest, target: Profile) -> SruTarget:
    """The SRU endpoint, the profile's consortium, and the explain record read once."""
    found = SruTarget(configured(request, SRU), target)
    try:
        with found.client() as client:
            return replace(found, explain_result=client.explain())
    except TargetError as exc:
        return replace(found, explain_error=str(exc))


@pytest.fixture()
def sru_connect(sru_target: SruTarget) -> Iterator[Connect]:
    """Open clients (another URL, another method...); all are closed after the scenario."""
    opened: list[SruClient] = []

    def connect(url: str | None = None, **overrides: Any) -> SruClient:
        client = sru_target.client(url, **overrides)
        opened.append(client)
        return client

    yield connect
    for client in opened:
        client.close()


@pytest.fixture()
def sru(sru_connect: Connect) -> SruClient:
    """A client of the profile's SRU endpoint, in the profile's version and method."""
    return sru_connect()
