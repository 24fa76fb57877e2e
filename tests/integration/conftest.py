"""Fixtures the integration tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.paths import SANDBOX_PROFILE
from harness.profile import load_profile
from harness.sandbox.system import Sandbox


@pytest.fixture()
def sandbox() -> Iterator[Sandbox]:
    """A clean embedded sandbox on loopback, stopped afterwards."""
    box = Sandbox(load_profile(SANDBOX_PROFILE))
    box.start()
    try:
        yield box
    finally:
        box.stop()
    sip2 = box.service("sip2")
    errors = getattr(getattr(sip2, "acs", None), "errors", [])
    assert not errors, errors  # a SIP2 handler that crashed is a sandbox bug
