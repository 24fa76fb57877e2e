"""How a scenario says FAIL, WARN, SKIP or NOT_TESTED, with evidence.

Scenarios raise :class:`Finding` (an ``AssertionError``, so plain pytest reads it as a
failure too) carrying the spec clause and what was sent, received and expected. The plugin
turns it into a FAIL with that evidence. :func:`warn` records a missed bør point without
failing. :func:`skip_undeclared` and :func:`not_tested` distinguish "the target does not
declare this optional capability" (SKIP) from "out of scope for this target" (NOT_TESTED).
"""

from __future__ import annotations

from typing import NoReturn

import pytest

from harness.redact import redact
from harness.results import Evidence

NOT_TESTED_PREFIX = "NOT_TESTED: "
SKIP_PREFIX = "SKIP: "


class Finding(AssertionError):
    """The target's behaviour contradicts the clause: outcome FAIL."""

    def __init__(
        self,
        message: str,
        *,
        clause: str,
        sent: str = "",
        received: str = "",
        expected: str = "",
        details: tuple[str, ...] | list[str] = (),
    ) -> None:
        super().__init__(redact(message))
        self.evidence = Evidence(
            clause=clause,
            sent=redact(sent),
            received=redact(received),
            expected=redact(expected),
            details=tuple(redact(d) for d in details),
        )


class WarningRecorder:
    """Collects WARN findings for one test; the plugin gives each test its own."""

    def __init__(self) -> None:
        self.warnings: list[tuple[str, Evidence]] = []

    def __call__(self, message: str, *, clause: str, received: str = "", expected: str = "") -> None:
        self.warnings.append(
            (redact(message), Evidence(clause=clause, received=redact(received), expected=redact(expected)))
        )


def not_tested(reason: str) -> NoReturn:
    """Out of scope for this target, or the profile gives no test data for it."""
    pytest.skip(NOT_TESTED_PREFIX + reason)


def skip_undeclared(reason: str) -> NoReturn:
    """An optional capability the target does not declare (98 BX, SRU explain, ...)."""
    pytest.skip(SKIP_PREFIX + reason)
