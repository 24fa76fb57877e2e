"""The Z39.50 unit's pytest fixtures, registered by the harness plugin from the registry.

``z3950_target`` is NOT_TESTED when the profile has no ``[z3950]``; the endpoint is probed once
(connect and Init) before the first scenario, then one Init is kept: every check plans from
the options it agrees to. ``z3950`` is an association after Init for one scenario (its
transcript is the scenario's evidence); ``z3950_connect`` opens more (member views, another
Init); all are closed after the scenario.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from harness.profile import Profile
from harness.pytest_plugin import configured
from harness.z3950.client import Client
from harness.z3950.target import Z3950Target
from harness.z3950.unit import Z3950

Connect = Callable[..., Client]


@pytest.fixture(scope="session")
def z3950_target(request: pytest.FixtureRequest, target: Profile) -> Z3950Target:
    """The Z39.50 target, the profile's consortium, and the first Init's answer."""
    found = Z3950Target(configured(request, Z3950), target)
    client = found.connect()
    try:
        return replace(found, init=client.init_response, init_problems=tuple(p.rule.id for p in client.problems))
    finally:
        client.close()


@pytest.fixture()
def z3950_connect(z3950_target: Z3950Target) -> Iterator[Connect]:
    """Open associations (another database, another Init); each is closed after the scenario."""
    opened: list[Client] = []

    def connect(**options: Any) -> Client:
        client = z3950_target.connect(**options)
        opened.append(client)
        return client

    yield connect
    for client in opened:
        try:
            client.close()
        except Exception:  # noqa: BLE001 - a target that breaks at Close is the Close check's matter
            client.disconnect()


@pytest.fixture()
def z3950(z3950_connect: Connect) -> Client:
    """An association with the profile's database, after an accepted Init."""
    return z3950_connect()
