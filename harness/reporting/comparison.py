"""The procurement view of several runs: vendors × requirements, the skal gate, bør score
inputs, what changed between negotiation rounds, and the vendors' declared deviations.

Pure data built from runs already loaded (``harness compare`` loads them); the HTML, XLSX and
CSV renderers only lay it out, so the three always agree. A *column* is one run: one vendor
(the manifest's target name) in one negotiation round.

Rules, each one a procurement decision written down:

- **Gate**: a vendor's column passes the skal gate when every skal requirement is MET or was
  declared N/A by procurement. NOT_MET and UNVERIFIED are listed apart: UNVERIFIED means the
  harness could not tell, which is a question for the vendor, not a failure, and still never
  counts as met. The harness proposes; the gate is an input to the evaluators, never a rejection.
- **Score inputs**: bør requirements grouped by their award criterion (mapping file), with the
  weight that is MET, PARTIAL, NOT_MET and UNVERIFIED. The harness does not turn these into
  points: the tender's scoring method does, and PARTIAL is left for the evaluators to value.
- **Deltas**: consecutive rounds of one vendor, in round order (numbers compared as numbers).
  A change is *became met* (to MET), *regressed* (from MET to PARTIAL or NOT_MET, or PARTIAL to
  NOT_MET), *newly unverified* (to UNVERIFIED), *improved* (NOT_MET to PARTIAL) or *other*.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from harness.deviations import Deviation, DeviationRegister, run_date
from harness.results import RequirementResult, RunResult, Verdict


@dataclass(frozen=True, slots=True)
class Column:
    run: RunResult
    link: str = ""  # relative URL of the run's scorecard.html from the comparison's folder; "" when none
    deviations: DeviationRegister | None = None

    @property
    def vendor(self) -> str:
        return self.run.manifest.target

    @property
    def round(self) -> str:
        return self.run.manifest.negotiation_round

    @property
    def date(self) -> date | None:
        return run_date(self.run.manifest.started)

    @property
    def label(self) -> str:
        return f"{self.vendor} · {self.round}" if self.round else self.vendor

    def requirement(self, req_id: str) -> RequirementResult | None:
        return next((r for r in self.run.requirements if r.id == req_id), None)

    def deviations_for(self, req: RequirementResult) -> list[Deviation]:
        return self.deviations.for_requirement(req.id, req.checks) if self.deviations else []


@dataclass(frozen=True, slots=True)
class Gate:
    column: Column
    total: int
    met: tuple[str, ...]
    not_met: tuple[str, ...]
    unverified: tuple[str, ...]
    partial: tuple[str, ...]  # only by an evaluator's override: the harness never proposes PARTIAL for skal
    not_applicable: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not (self.not_met or self.unverified or self.partial)


@dataclass(frozen=True, slots=True)
class ScoreInput:
    column: Column
    criterion: str  # "" when the mapping gives none
    requirements: tuple[str, ...]
    weight_total: float
    weight_met: float
    weight_partial: float
    weight_not_met: float
    weight_unverified: float
    not_applicable: int
    unweighted: int  # bør requirements under this criterion without a weight in the mapping

    @property
    def share_met(self) -> float | None:
        return self.weight_met / self.weight_total if self.weight_total else None


class Change:
    BECAME_MET = "became_met"
    REGRESSED = "regressed"
    NEWLY_UNVERIFIED = "newly_unverified"
    IMPROVED = "improved"
    OTHER = "changed"
    ORDER = (BECAME_MET, REGRESSED, NEWLY_UNVERIFIED, IMPROVED, OTHER)


@dataclass(frozen=True, slots=True)
class Delta:
    vendor: str
    before: Column
    after: Column
    requirement: RequirementResult  # as in the later round
    old: Verdict
    new: Verdict
    change: str  # one of Change.ORDER


_RANK = {Verdict.MET: 2, Verdict.PARTIAL: 1, Verdict.NOT_MET: 0}


def classify_change(old: Verdict, new: Verdict) -> str | None:
    if old is new:
        return None
    if new is Verdict.MET:
        return Change.BECAME_MET
    if new is Verdict.UNVERIFIED:
        return Change.NEWLY_UNVERIFIED
    if old in _RANK and new in _RANK:
        return Change.REGRESSED if _RANK[new] < _RANK[old] else Change.IMPROVED
    return Change.OTHER


def round_key(value: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order: "2" before "10", "runde 2" before "runde 10"; text compared case-blind."""
    return tuple((0, int(part)) if part.isdigit() else (1, part.casefold()) for part in re.split(r"(\d+)", value) if part)


@dataclass(frozen=True, slots=True)
class Comparison:
    columns: tuple[Column, ...]  # vendor by vendor (in name order), rounds in round order
    requirements: tuple[RequirementResult, ...]  # register order, as the first run has them

    @property
    def vendors(self) -> list[str]:
        return list(dict.fromkeys(c.vendor for c in self.columns))

    def columns_of(self, vendor: str) -> list[Column]:
        return [c for c in self.columns if c.vendor == vendor]

    def latest(self, vendor: str) -> Column:
        return self.columns_of(vendor)[-1]

    def gates(self) -> list[Gate]:
        return [gate(c, self.requirements) for c in self.columns]

    def score_inputs(self) -> list[ScoreInput]:
        return [s for c in self.columns for s in score_inputs(c, self.requirements)]

    def deltas(self) -> list[Delta]:
        return [d for v in self.vendors for d in deltas(self.columns_of(v), self.requirements)]

    def areas(self) -> list[str]:
        return list(dict.fromkeys(r.area for r in self.requirements))


def order_columns(columns: Iterable[Column]) -> tuple[Column, ...]:
    # By vendor name (no vendor is first because of the order the evaluator typed), then round,
    # then start time for runs of the same round.
    return tuple(sorted(columns, key=lambda c: (c.vendor.casefold(), round_key(c.round), c.run.manifest.started)))


def build(columns: Sequence[Column]) -> Comparison:
    ordered = order_columns(columns)
    requirements = ordered[0].run.requirements if ordered else ()
    return Comparison(ordered, requirements)


def gate(column: Column, requirements: Iterable[RequirementResult]) -> Gate:
    by: dict[Verdict, list[str]] = {v: [] for v in Verdict}
    total = 0
    for req in requirements:
        if req.kind != "skal":
            continue
        found = column.requirement(req.id)
        verdict = found.verdict if found else Verdict.UNVERIFIED  # not in that run's results: not verified
        by[verdict].append(req.id)
        total += 1
    return Gate(column, total, tuple(by[Verdict.MET]), tuple(by[Verdict.NOT_MET]), tuple(by[Verdict.UNVERIFIED]),
                tuple(by[Verdict.PARTIAL]), tuple(by[Verdict.NOT_APPLICABLE]))


def score_inputs(column: Column, requirements: Iterable[RequirementResult]) -> list[ScoreInput]:
    groups: dict[str, list[RequirementResult]] = {}
    for req in requirements:
        if req.kind == "bør":
            groups.setdefault(req.award_criterion, []).append(req)
    inputs = []
    for criterion in sorted(groups, key=lambda c: (c == "", c.casefold())):  # named criteria first
        weights: dict[Verdict, float] = {v: 0.0 for v in Verdict}
        unweighted = 0
        for req in groups[criterion]:
            found = column.requirement(req.id)
            verdict = found.verdict if found else Verdict.UNVERIFIED
            if req.weight is None:
                unweighted += verdict is not Verdict.NOT_APPLICABLE
            else:
                weights[verdict] += req.weight
        counted = sum(weights[v] for v in Verdict if v is not Verdict.NOT_APPLICABLE)
        inputs.append(ScoreInput(
            column=column, criterion=criterion, requirements=tuple(r.id for r in groups[criterion]),
            weight_total=counted, weight_met=weights[Verdict.MET], weight_partial=weights[Verdict.PARTIAL],
            weight_not_met=weights[Verdict.NOT_MET], weight_unverified=weights[Verdict.UNVERIFIED],
            not_applicable=sum(1 for r in groups[criterion] if (f := column.requirement(r.id)) and f.verdict is Verdict.NOT_APPLICABLE),
            unweighted=unweighted,
        ))
    return inputs


def deltas(columns: Sequence[Column], requirements: Iterable[RequirementResult]) -> list[Delta]:
    found: list[Delta] = []
    reqs = list(requirements)
    for before, after in itertools.pairwise(columns):
        pair: list[Delta] = []
        for req in reqs:
            old_req, new_req = before.requirement(req.id), after.requirement(req.id)
            old = old_req.verdict if old_req else Verdict.UNVERIFIED
            new = new_req.verdict if new_req else Verdict.UNVERIFIED
            change = classify_change(old, new)
            if change is not None:
                pair.append(Delta(after.vendor, before, after, new_req or req, old, new, change))
        found += sorted(pair, key=lambda d: Change.ORDER.index(d.change))  # stable: register order within a kind
    return found


@dataclass(frozen=True, slots=True)
class DeviationRow:
    """One declared deviation of a vendor, with what each of the vendor's runs found."""

    vendor: str
    deviation: Deviation
    statuses: tuple[tuple[Column, str], ...]  # per run: the requirement's verdict code or the check's outcome code ("" absent)
    latest: Column

    @property
    def expired(self) -> bool:
        return self.deviation.expired(self.latest.date)


def _status(column: Column, deviation: Deviation) -> str:
    if deviation.requirement:
        found = column.requirement(deviation.requirement)
        return found.verdict.value if found else ""
    outcomes = sorted({c.outcome.value for c in column.run.checks if deviation.covers_check(c.id)})
    return ", ".join(outcomes)


def deviation_rows(comparison: Comparison) -> list[DeviationRow]:
    """The register of each vendor's latest run (the vendor's current declaration), in file order."""
    rows = []
    for vendor in comparison.vendors:
        columns = comparison.columns_of(vendor)
        latest = columns[-1]
        register = latest.deviations or next((c.deviations for c in reversed(columns) if c.deviations), None)
        for dev in register.deviations if register else ():
            rows.append(DeviationRow(vendor, dev, tuple((c, _status(c, dev)) for c in columns), latest))
    return rows
