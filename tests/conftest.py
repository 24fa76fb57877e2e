"""Shared test settings for the harness's own tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.redact import clear_registered_secrets


@pytest.fixture(autouse=True)
def _forget_registered_secrets() -> Iterator[None]:
    """Secrets registered by one test's profile must not mask another test's text."""
    yield
    clear_registered_secrets()
