"""The one result model every report is built from.

A *check* is one scenario run against one target; its :class:`Outcome` is decided by the
pytest plugin (see ``pytest_plugin.classify``). A *requirement* gets a :class:`Verdict`
computed from the outcomes of every check that names it (``verdict_for``). Reports in
``harness.reporting`` are pure functions of a :class:`RunResult`.

The verdict rules are DESIGN.md "Outcomes and verdicts", written as one table each below so a
reader can check them against the design without reading control flow.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.evidence import Evidence


class Outcome(str, enum.Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    WARN = "WARN"
    SKIP = "SKIP"
    NOT_TESTED = "NOT_TESTED"
    ERROR = "ERROR"
    FLAKY = "FLAKY"


class Verdict(str, enum.Enum):
    MET = "MET"
    PARTIAL = "PARTIAL"
    NOT_MET = "NOT_MET"
    UNVERIFIED = "UNVERIFIED"
    NOT_APPLICABLE = "N/A"


# Outcomes that say "the harness could not tell": never counted as met (DESIGN.md).
UNVERIFIED_OUTCOMES = frozenset(
    {Outcome.SKIP, Outcome.NOT_TESTED, Outcome.ERROR, Outcome.FLAKY}
)
# Outcomes that say "the behaviour is acceptable". WARN is a missed bør point, not a failure.
PASSING_OUTCOMES = frozenset({Outcome.PASS, Outcome.WARN})


@dataclass(frozen=True, slots=True)
class CheckResult:
    id: str  # the pytest node id, stable across runs
    title: str
    requirements: tuple[str, ...]
    outcome: Outcome
    message: str = ""
    evidence: tuple[Evidence, ...] = ()
    reproduce: str = ""
    duration: float = 0.0
    suite: str = ""
    title_nb: str = ""  # the scenario's bokmål title, when it gives one

    def display_title(self, lang: str) -> str:
        return self.title_nb if lang == "nb" and self.title_nb else self.title

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "title_nb": self.title_nb,
            "suite": self.suite,
            "requirements": list(self.requirements),
            "outcome": self.outcome.value,
            "message": self.message,
            "evidence": [e.to_dict() for e in self.evidence],
            "reproduce": self.reproduce,
            "duration": round(self.duration, 4),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckResult:
        return cls(
            id=str(data["id"]),
            title=str(data.get("title", data["id"])),
            title_nb=str(data.get("title_nb", "")),
            suite=str(data.get("suite", "")),
            requirements=tuple(data.get("requirements", ())),
            outcome=Outcome(data["outcome"]),
            message=str(data.get("message", "")),
            evidence=tuple(Evidence.from_dict(e) for e in data.get("evidence", ())),
            reproduce=str(data.get("reproduce", "")),
            duration=float(data.get("duration", 0.0)),
        )


@dataclass(frozen=True, slots=True)
class Override:
    """An evaluator's written decision that replaces the proposed verdict."""

    requirement: str
    verdict: Verdict
    reason: str
    by: str = ""


@dataclass(frozen=True, slots=True)
class RequirementResult:
    id: str
    kind: str  # "skal" or "bør"
    title_nb: str
    title_en: str
    area: str
    proposed: Verdict
    checks: tuple[str, ...]
    override: Override | None = None
    external_id: str = ""
    weight: float | None = None
    award_criterion: str = ""
    note: str = ""  # why the proposed verdict is what it is, where the checks alone do not say

    @property
    def verdict(self) -> Verdict:
        return self.override.verdict if self.override else self.proposed

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "title_nb": self.title_nb,
            "title_en": self.title_en,
            "area": self.area,
            "verdict": self.verdict.value,
            "proposed_verdict": self.proposed.value,
            "checks": list(self.checks),
            "external_id": self.external_id,
            "weight": self.weight,
            "award_criterion": self.award_criterion,
            "note": self.note,
        }
        if self.override:
            data["override"] = {
                "verdict": self.override.verdict.value,
                "reason": self.override.reason,
                "by": self.override.by,
            }
        return data


@dataclass(frozen=True, slots=True)
class RunManifest:
    """What ran, against what, and what did not: the first screen of every report."""

    suite_version: str
    git_revision: str
    target: str
    negotiation_round: str
    started: str  # ISO 8601, UTC
    duration: float
    command: str = ""
    read_only: bool = False
    sandbox_defects: tuple[str, ...] = ()
    suites: tuple[str, ...] = ()  # selected with --suite; empty: every suite
    keyword: str = ""  # -k
    interrupted: bool = False  # stopped before every selected check ran (Ctrl-C, SIGTERM, -x)
    unreachable: tuple[str, ...] = ()  # "sip2: ..." one line per protocol whose endpoint did not answer
    not_configured: tuple[str, ...] = ()  # protocols the profile has no section for

    @property
    def partial(self) -> bool:
        return bool(self.suites or self.keyword or self.read_only or self.interrupted)

    def to_dict(self) -> dict[str, Any]:
        return {
            "suite_version": self.suite_version,
            "git_revision": self.git_revision,
            "target": self.target,
            "negotiation_round": self.negotiation_round,
            "start": self.started,
            "duration": round(self.duration, 3),
            "command": self.command,
            "read_only": self.read_only,
            "sandbox_defects": list(self.sandbox_defects),
            "suites": list(self.suites),
            "keyword": self.keyword,
            "interrupted": self.interrupted,
            "unreachable": list(self.unreachable),
            "not_configured": list(self.not_configured),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunManifest:
        return cls(
            suite_version=str(data.get("suite_version", "")),
            git_revision=str(data.get("git_revision", "")),
            target=str(data.get("target", "")),
            negotiation_round=str(data.get("negotiation_round", "")),
            started=str(data.get("start", "")),
            duration=float(data.get("duration", 0.0)),
            command=str(data.get("command", "")),
            read_only=bool(data.get("read_only", False)),
            sandbox_defects=tuple(data.get("sandbox_defects", ())),
            suites=tuple(data.get("suites", ())),
            keyword=str(data.get("keyword", "")),
            interrupted=bool(data.get("interrupted", False)),
            unreachable=tuple(data.get("unreachable", ())),
            not_configured=tuple(data.get("not_configured", ())),
        )


@dataclass(frozen=True, slots=True)
class RunResult:
    manifest: RunManifest
    checks: tuple[CheckResult, ...]
    requirements: tuple[RequirementResult, ...] = field(default=())

    def count(self, outcome: Outcome) -> int:
        return sum(1 for c in self.checks if c.outcome is outcome)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.manifest.to_dict(),
            "summary": {o.value: self.count(o) for o in Outcome},
            "checks": [c.to_dict() for c in self.checks],
            "requirements": [r.to_dict() for r in self.requirements],
        }


def verdict_for(kind: str, outcomes: Sequence[Outcome]) -> Verdict:
    """Propose a requirement's verdict from the outcomes of the checks that cover it.

    DESIGN.md: MET when every mandatory check PASSes (WARN allowed); NOT_MET when a
    mandatory check FAILed; UNVERIFIED when a mandatory check was SKIP, NOT_TESTED, ERROR or
    FLAKY, *never counted as met*; PARTIAL for a bør requirement with some PASS and some
    FAIL. With no check in the run it is UNVERIFIED ("not run"): N/A is only what procurement
    declares (``not_applicable`` in the mapping file, applied in ``verdicts``).

    For a skal requirement every check is mandatory. For a bør requirement the checks are
    the evidence for a "should": failures make it PARTIAL (or NOT_MET if nothing passed).
    """
    if not outcomes:
        return Verdict.UNVERIFIED
    failed = any(o is Outcome.FAIL for o in outcomes)
    unverified = any(o in UNVERIFIED_OUTCOMES for o in outcomes)
    passed = any(o in PASSING_OUTCOMES for o in outcomes)
    if kind == "bør" and failed and passed:
        return Verdict.PARTIAL
    if failed:
        return Verdict.NOT_MET
    if unverified:
        return Verdict.UNVERIFIED
    return Verdict.MET


def merge_repeated(runs: Iterable[Sequence[CheckResult]]) -> list[CheckResult]:
    """Fold several runs of the same checks into one list; disagreeing outcomes are FLAKY.

    Used by ``harness report a.json b.json`` when the runs are of the same target: a check
    that passed once and failed once is neither, and must not be counted as met.
    """
    by_id: dict[str, list[CheckResult]] = {}
    for run in runs:
        for check in run:
            by_id.setdefault(check.id, []).append(check)
    merged: list[CheckResult] = []
    for results in by_id.values():
        outcomes = {r.outcome for r in results}
        last = results[-1]
        if len(outcomes) == 1:
            merged.append(last)
            continue
        seen = ", ".join(sorted(o.value for o in outcomes))
        merged.append(
            CheckResult(
                id=last.id,
                title=last.title,
                title_nb=last.title_nb,
                suite=last.suite,
                requirements=last.requirements,
                outcome=Outcome.FLAKY,
                message=f"repeated runs disagree: {seen}",
                evidence=tuple(e for r in results for e in r.evidence),
                reproduce=last.reproduce,
                duration=last.duration,
            )
        )
    return merged
