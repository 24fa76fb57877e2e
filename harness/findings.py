"""How a scenario says FAIL, WARN, SKIP or NOT_TESTED, with evidence.

Scenarios raise :class:`Finding` (an ``AssertionError``, so plain pytest reads it as a failure
too) carrying the spec clause, the exchanges with the target and what was expected. The plugin
turns it into a FAIL with that evidence. :func:`warn` records a missed bør point without
failing. :func:`skip_undeclared` and :func:`not_tested` distinguish "the target does not
declare this optional capability" (SKIP) from "out of scope, or could not be judged" (NOT_TESTED).

Nothing is redacted here: every byte is redacted once, at the edge where it leaves the process.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn

import pytest

from harness.evidence import Evidence, Exchange
from harness.rules import Problem

NOT_TESTED_PREFIX = "NOT_TESTED: "
SKIP_PREFIX = "SKIP: "


def evidence(
    *,
    clause: str = "",
    expected: str = "",
    exchanges: Iterable[Exchange] = (),
    problems: Iterable[Problem] = (),
    details: Iterable[str] = (),
    sent: str = "",
    received: str = "",
) -> Evidence:
    """Evidence from exchanges and problems; ``sent``/``received`` add one unlabelled exchange
    (a file read, a fixture batch) where there is no protocol client's transcript."""
    exchanges = list(exchanges)
    if sent or received:
        exchanges.append(Exchange("", "", sent, received))
    return Evidence(clause=clause, expected=expected, exchanges=tuple(exchanges), problems=tuple(problems), details=tuple(details))


class Finding(AssertionError):
    """The target's behaviour contradicts the clause: outcome FAIL."""

    def __init__(
        self,
        message: str,
        *,
        clause: str,
        expected: str = "",
        exchanges: Iterable[Exchange] = (),
        problems: Iterable[Problem] = (),
        details: Iterable[str] = (),
        sent: str = "",
        received: str = "",
    ) -> None:
        super().__init__(message)
        self.evidence = evidence(clause=clause, expected=expected, exchanges=exchanges, problems=problems,
                                 details=details, sent=sent, received=received)


class WarningRecorder:
    """Collects WARN findings for one test; the plugin gives each test its own.

    :meth:`note` records what a passing check measured (a time to visibility, a CQL level):
    the check still PASSes, with the note as its message and evidence.
    """

    def __init__(self) -> None:
        self.warnings: list[tuple[str, Evidence]] = []
        self.notes: list[tuple[str, Evidence]] = []

    def __call__(self, message: str, *, clause: str, received: str = "", expected: str = "",
                 exchanges: Iterable[Exchange] = (), problems: Iterable[Problem] = ()) -> None:
        self.warnings.append((message, evidence(clause=clause, expected=expected, exchanges=exchanges,
                                                problems=problems, received=received)))

    def note(self, message: str, *, clause: str = "", exchanges: Iterable[Exchange] = (),
             details: Iterable[str] = ()) -> None:
        self.notes.append((message, evidence(clause=clause, exchanges=exchanges, details=details)))


def not_tested(reason: str) -> NoReturn:
    """Out of scope for this target, no test data for it, or a fault another check owns."""
    pytest.skip(NOT_TESTED_PREFIX + reason)


def skip_undeclared(reason: str) -> NoReturn:
    """An optional capability the target does not declare (98 BX, SRU explain, ...)."""
    pytest.skip(SKIP_PREFIX + reason)


def cannot_judge(reason: str, owner: str) -> NoReturn:
    """This check's property cannot be judged because of a fault another check reports.

    ``owner`` names that check, so the reader finds the fault where it is reported, once.
    """
    pytest.skip(f"{NOT_TESTED_PREFIX}{reason}; the fault is reported by {owner}")
