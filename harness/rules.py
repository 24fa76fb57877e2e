"""One rule model for every protocol: a rule, its severity, the clause it rests on.

Each protocol keeps its own table of :class:`Rule` values (``harness/<protocol>/rules.py``),
the spec clause beside each; its codec reports what it noticed as :class:`Problem` values
that name a rule and a :class:`Position`. A check turns problems into evidence without
restating the spec, and a report can group them by rule.

Severities use the harness's outcome words: FAIL = the bytes break a rule of the spec;
WARN = allowed, or a common deviation a reader tolerates, but a best practice is missed;
INFO = noted, nothing wrong.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType


class Severity(str, enum.Enum):
    FAIL = "FAIL"
    WARN = "WARN"
    INFO = "INFO"


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule a codec or checker can report, and the clause of the spec it rests on."""

    id: str
    severity: Severity
    clause: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Position:
    """Where a problem is: an offset, what it counts, and what stands there.

    ``offset`` counts ``unit`` from the start of what was judged (a frame, a file, a PDU, an
    XML document); ``record`` is the 0-based index of the record or message in a stream when
    there is one; ``label`` names what is there (a SIP2 field id, a MARC control number, an
    XML element, a BER tag path).
    """

    offset: int | None  # None: the problem has no place (a field that is missing)
    unit: str = "byte"
    record: int | None = None
    label: str = ""

    def __str__(self) -> str:
        parts = [f"record {self.record + 1}"] if self.record is not None else []
        if self.offset is not None:
            parts.append(f"{self.unit} {self.offset}")
        where = ", ".join(parts)
        if not where:
            return self.label
        return f"{where} ({self.label})" if self.label else where


@dataclass(frozen=True, slots=True)
class Problem:
    """One rule broken (or one observation), at one position."""

    rule: Rule
    message: str
    position: Position | None = None

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def clause(self) -> str:
        return self.rule.clause

    def __str__(self) -> str:
        where = f" at {self.position}" if self.position is not None else ""
        return f"[{self.severity.value}] {self.rule.id}{where}: {self.message} ({self.clause})"

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule.id,
            "severity": self.severity.value,
            "clause": self.clause,
            "message": self.message,
            "position": str(self.position) if self.position is not None else "",
        }


def rule_table(rules: Iterable[Rule]) -> Mapping[str, Rule]:
    """A read-only table by rule id; a duplicate id is a programming error, caught at import."""
    table: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in table:
            raise ValueError(f"rule {rule.id!r} is defined twice")
        table[rule.id] = rule
    return MappingProxyType(table)


def failing(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.FAIL]
