"""Sandbox defects: named deviations real systems have shown, switched on one at a time.

Each protocol unit keeps its catalogue in ``harness/<protocol>/defects.py`` as module
constants, and its sandbox code asks ``defects.active(CRLF_TERMINATOR)`` with the constant,
never with the name as a string. Each check says which defects must make it FAIL with the
``failed_by`` marker, referring to the same constants::

    @pytest.mark.requirement("SIP-01")
    @pytest.mark.failed_by(defects.CRLF_TERMINATOR)
    def test_replies_end_with_cr(...): ...

``tests/integration/test_defects.py`` switches every defect on and asserts that exactly the
checks marked with it FAIL, and that every other check PASSes or says it could not judge.
A check no defect can fail proves nothing (DESIGN.md).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from harness.errors import UsageError


@dataclass(frozen=True, slots=True)
class Defect:
    protocol: str  # the protocol unit whose sandbox service applies it
    name: str  # what a user types after --sandbox-defect
    description: str
    seen_in: str = ""  # where the deviation was reported in the wild

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class DefectSet:
    """The defects switched on for one sandbox; empty for a clean sandbox."""

    defects: frozenset[Defect] = frozenset()

    def active(self, defect: Defect) -> bool:
        return defect in self.defects

    def __iter__(self) -> Iterator[Defect]:
        return iter(sorted(self.defects, key=lambda d: d.name))

    def __bool__(self) -> bool:
        return bool(self.defects)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self)


NO_DEFECTS = DefectSet()  # a sandbox that behaves as the specifications say


def catalogue_by_name(catalogue: Iterable[Defect]) -> dict[str, Defect]:
    by_name: dict[str, Defect] = {}
    for defect in catalogue:
        if defect.name in by_name:
            raise ValueError(f"defect {defect.name!r} is defined twice")
        by_name[defect.name] = defect
    return by_name


@dataclass(frozen=True, slots=True)
class Exclusive:
    """Two groups of defects that each replace the same part of the sandbox (``what``): one
    from each side cannot both be shown, so asking for both is a usage error, not a run that
    silently drops one."""

    what: str
    left: Sequence[Defect]
    right: Sequence[Defect]


def resolve(names: Iterable[str], catalogue: Iterable[Defect], exclusive: Iterable[Exclusive] = ()) -> DefectSet:
    """User-given defect names as a set; an unknown one, or two that exclude each other, is a
    usage error with the fix."""
    by_name = catalogue_by_name(catalogue)
    chosen = []
    for name in names:
        if name not in by_name:
            close = difflib.get_close_matches(name, list(by_name), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise UsageError(
                f"--sandbox-defect {name}: no such defect. Fix: {hint}list them with `harness sandbox --list-defects`"
            )
        chosen.append(by_name[name])
    for rule in exclusive:
        one = next((x for x in chosen if x in rule.left), None)
        other = next((x for x in chosen if x in rule.right), None)
        if one is not None and other is not None:
            raise UsageError(f"--sandbox-defect {one.name} and --sandbox-defect {other.name} both replace {rule.what}, "
                             "so one would not be shown. Fix: run them separately")
    return DefectSet(frozenset(chosen))
