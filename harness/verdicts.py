"""Requirement verdicts for a run: the register, the checks, and the evaluators' overrides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from harness.requirements import Register
from harness.results import CheckResult, Override, RequirementResult, RunManifest, RunResult, Verdict, verdict_for


def requirement_results(
    register: Register, checks: Iterable[CheckResult], overrides: Mapping[str, Override] | None = None
) -> tuple[RequirementResult, ...]:
    checks = list(checks)
    overrides = overrides or {}
    results = []
    for req in register.values():
        covering = [c for c in checks if req.id in c.requirements]
        proposed = verdict_for(req.kind, [c.outcome for c in covering])
        note = "" if covering else "no check for it in this run"
        if req.not_applicable:  # procurement's declaration, the only source of N/A
            proposed, note = Verdict.NOT_APPLICABLE, req.not_applicable
        results.append(
            RequirementResult(
                id=req.id, kind=req.kind, title_nb=req.title_nb, title_en=req.title_en, area=req.area,
                proposed=proposed, checks=tuple(c.id for c in covering), override=overrides.get(req.id),
                external_id=req.external_id, weight=req.weight, award_criterion=req.award_criterion, note=note,
            )
        )
    return tuple(results)


def rebuild(
    manifest: RunManifest, checks: Iterable[CheckResult], register: Register, overrides: Mapping[str, Override] | None = None
) -> RunResult:
    checks = tuple(checks)
    return RunResult(manifest, checks, requirement_results(register, checks, overrides))
