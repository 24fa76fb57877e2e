"""The load requirements judged from what a run measured: pure functions, no Locust, no sockets.

Each ``judge_*`` returns a :class:`Judgement` for one requirement: passed, failed, or not
judgeable (and why), the message, the clause (the requirement and the profile's threshold) and
the evidence lines: percentiles per transaction type, errors by kind, the timeline. Percentiles
are of the *good* replies; a wrong reply is an error (LAST-02), never a fast sample.

The timeline's lines have one documented form, so a report can draw it without parsing tables::

    timeline +12 s: 11 clients, 74.5 tx/s, 0.0 errors/s, p50 3 ms, p95 12 ms

(:func:`timeline_points` reads it back.)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.evidence import Exchange
from harness.load.judge import is_harness_error
from harness.load.recorder import (
    Timeline,
    merge_histograms,
    percentile,
)
from harness.load.settings import LoadSettings
from harness.load.workload import Workload, describe

PERCENTILES = (0.50, 0.90, 0.95, 0.99)
MIN_SAMPLES = 10  # good replies of a type in each third before LAST-03 compares them
SPARK = "▁▂▃▄▅▆▇█"
_POINT = re.compile(r"^timeline \+(?P<t>[\d.]+) s: (?P<users>\d+) clients, (?P<tps>[\d.]+) tx/s, "
                    r"(?P<eps>[\d.]+) errors/s, p50 (?P<p50>[\d.]+|-) ms, p95 (?P<p95>[\d.]+|-) ms$")


@dataclass(frozen=True)
class LoadRun:
    """One finished load run: what was asked, what was measured, how it ran."""

    workload: Workload
    timeline: Timeline
    settings: LoadSettings
    profile: Path
    processes: str  # "1 Locust process" / "a master and 2 workers"
    exceptions: tuple[str, ...] = ()  # errors in the harness's own user code (a harness bug)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Judgement:
    passed: bool | None  # None: could not be judged (the message says why)
    message: str
    clause: str
    expected: str
    details: tuple[str, ...]
    exchanges: tuple[Exchange, ...] = field(default=())
    owner: str = ""  # with passed None: the check that reports the fault, if another does


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def header(run: LoadRun) -> list[str]:
    w = run.workload
    scale = f", time scale {run.settings.time_scale:g}" if run.settings.time_scale != 1 else ""
    first = (f"workload {w.name} against {w.target}: {w.users} clients for {w.duration:g} s{scale}, "
             f"spawn rate {w.spawn_rate:g}/s, {run.processes}")
    lines = [first, *(f"  {line}" for line in describe(w))]
    return lines + [note for note in run.notes if not is_harness_error(note)]


def percentile_table(timeline: Timeline, thresholds: Mapping[str, float]) -> list[str]:
    rows = [f"{'transaction':<20}{'replies':>8}{'errors':>8}" + "".join(f"{'p' + str(int(p * 100)):>7}" for p in PERCENTILES)
            + f"{'max':>7}{'p95 limit':>11}"]
    for name in timeline.transactions():
        histogram = timeline.histogram(name)
        errors = sum(timeline.errors(name).values())
        limit = thresholds.get(name)
        rows.append(f"{name:<20}{sum(histogram.values()):>8}{errors:>8}"
                    + "".join(f"{_ms(percentile(histogram, p)):>7}" for p in PERCENTILES)
                    + f"{_ms(max(histogram) if histogram else None):>7}"
                    + f"{(_ms(limit) + ' ms') if limit is not None else '-':>11}")
    return rows + ["(milliseconds, good replies only; errors are counted, not timed)"]


def timeline_lines(timeline: Timeline) -> list[str]:
    lines = []
    for offset, window in timeline.between(-math.inf, math.inf):
        good = sum(c.good for c in window.cells.values())
        failed = sum(c.failed for c in window.cells.values())
        histogram = merge_histograms(c.ok for c in window.cells.values())
        lines.append(f"timeline +{max(offset, 0.0):.0f} s: {window.users} clients, {good / timeline.step:.1f} tx/s, "
                     f"{failed / timeline.step:.1f} errors/s, p50 {_ms(percentile(histogram, 0.5))} ms, "
                     f"p95 {_ms(percentile(histogram, 0.95))} ms")
    return lines


def timeline_points(lines: Iterable[str]) -> list[dict[str, float | None]]:
    """The timeline lines of an evidence back as numbers (for a chart); other lines are skipped."""
    points: list[dict[str, float | None]] = []
    for line in lines:
        match = _POINT.match(line)
        if match:
            points.append({k: None if v == "-" else float(v) for k, v in match.groupdict().items()})
    return points


def sparkline(values: Sequence[float | None]) -> str:
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    return "".join(" " if v is None else SPARK[min(len(SPARK) - 1, int((v - low) / span * (len(SPARK) - 1) + 0.5))]
                   for v in values)


def chart(timeline: Timeline) -> list[str]:
    windows = timeline.between(-math.inf, math.inf)
    throughput = [sum(c.good for c in w.cells.values()) / timeline.step for _, w in windows]
    medians = [percentile(merge_histograms(c.ok for c in w.cells.values()), 0.5) for _, w in windows]
    errors = [sum(c.failed for c in w.cells.values()) / timeline.step for _, w in windows]
    top = max(throughput, default=0.0)
    slowest = max((m for m in medians if m is not None), default=0.0)
    return [f"throughput  {sparkline(throughput)}  (up to {top:.1f} tx/s, one mark per {timeline.step:g} s)",
            f"median ms   {sparkline(medians)}  (up to {slowest:.0f} ms)",
            f"errors/s    {sparkline(errors)}  (up to {max(errors, default=0.0):.1f}/s)"]


def _clause(requirement: str, run: LoadRun, keys: str) -> str:
    return f"{requirement} (scenarios/requirements.toml): {keys} in [load] of {run.profile.name}"


# -- LAST-01 ----------------------------------------------------------------------------------------

def judge_latency(run: LoadRun, error_check: str) -> Judgement:
    """LAST-01: each transaction type with a p95 threshold stays under it."""
    limits = run.settings.p95_ms
    timeline = run.timeline
    details = [*header(run), *percentile_table(timeline, limits)]
    judged, over, unjudged = [], [], []
    for name, limit in limits.items():
        histogram = timeline.histogram(name)
        p95 = percentile(histogram, 0.95)
        if p95 is None:
            if timeline.errors(name):
                unjudged.append(name)
            continue
        judged.append(f"{name} p95 {p95:.0f} ms (limit {limit:.0f})")
        if p95 > limit:
            over.append(f"{name} p95 {p95:.0f} ms over {limit:.0f} ms")
    clause = _clause("LAST-01", run, "p95_ms")
    expected = "every transaction type's 95th percentile at or under " + ", ".join(f"{k} {v:.0f} ms" for k, v in limits.items())
    if over:
        return Judgement(False, f"at {run.workload.users} clients: {'; '.join(over)}", clause, expected, tuple(details))
    if not judged:
        reason = "no transaction type with a p95 threshold had a good reply to time"
        if unjudged:
            return Judgement(None, f"{reason} (every {', '.join(unjudged)} was an error)", clause, expected, tuple(details), owner=error_check)
        return Judgement(None, f"{reason}: the {run.workload.name} workload sends none of {', '.join(limits)}", clause, expected, tuple(details))
    return Judgement(True, f"at {run.workload.users} clients: {'; '.join(judged)}", clause, expected, tuple(details))


# -- LAST-02 ----------------------------------------------------------------------------------------

def _examples(run: LoadRun, kinds: Iterable[str]) -> tuple[Exchange, ...]:
    found = []
    for kind in kinds:
        for example in run.timeline.examples.get(kind, [])[:2]:
            data: Mapping[str, Any] = example
            note = f"{data.get('transaction', '')}: {kind}" + (f"; {data['note']}" if data.get("note") else "")
            found.append(Exchange(str(data.get("protocol", "")), str(data.get("endpoint", "")), str(data.get("sent", "")),
                                  str(data.get("received", "")), str(data.get("at", "")), float(data.get("elapsed", 0.0)), note))
    return tuple(found)


def judge_errors(run: LoadRun) -> Judgement:
    """LAST-02: wrong replies, refusals, dropped connections and timeouts, as a share of all."""
    good, failed = run.timeline.counts()
    total = good + failed
    limit = run.settings.error_rate
    errors = run.timeline.errors()
    rows = [f"{count:>8}  {kind}" for kind, count in sorted(errors.items(), key=lambda kv: -kv[1])]
    details = [*header(run), f"{total} transactions, {failed} errors ({_percent(failed, total)}), limit {limit * 100:g} %",
               *(["errors by kind:", *rows] if rows else ["no errors"]),
               *percentile_table(run.timeline, run.settings.p95_ms), *chart(run.timeline), *timeline_lines(run.timeline)]
    clause = _clause("LAST-02", run, "error_rate")
    expected = f"at most {limit * 100:g} % of the transactions wrong, refused or lost"
    if not total:
        return Judgement(None, "no transaction completed: nothing to count", clause, expected, tuple(details))
    rate = failed / total
    summary = f"{failed} of {total} transactions ({_percent(failed, total)}) were errors"
    if rate > limit:
        worst = sorted(errors, key=lambda k: -errors[k])
        kinds = "; ".join(f"{kind}: {errors[kind]}" for kind in worst[:5])
        return Judgement(False, f"{summary}, over the profile's {limit * 100:g} %: {kinds}", clause, expected,
                         tuple(details), _examples(run, worst[:3]))
    return Judgement(True, f"{summary}, within the profile's {limit * 100:g} %", clause, expected, tuple(details),
                     _examples(run, list(errors)[:2]))


def _percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.2f} %" if whole else "-"


# -- LAST-03 ----------------------------------------------------------------------------------------

def _thirds(run: LoadRun) -> tuple[float, float, float]:
    """Start of the steady part (every client running, one window later), and its thirds' edges."""
    timeline = run.timeline
    begin = ((timeline.spawned or timeline.started) - timeline.started) + timeline.step
    length = timeline.duration - begin
    return begin, begin + length / 3, begin + 2 * length / 3


def judge_degradation(run: LoadRun, latency_check: str = "", error_check: str = "") -> Judgement:
    """LAST-03: per transaction type, the last third's median against the first third's."""
    s, timeline = run.settings, run.timeline
    clause = _clause("LAST-03", run, "degradation_factor, degradation_min_ms, soak_minimum")
    expected = (f"each transaction type's median in the last third at most {s.degradation_factor:g} times the first "
                f"third's, or less than {s.degradation_min_ms:g} ms slower")
    details = [*header(run), *chart(timeline)]
    if timeline.duration < s.soak_minimum:
        return Judgement(None, f"the run lasted {timeline.duration:.0f} s; a soak is at least {s.soak_minimum:g} s "
                               "([load] soak_minimum): run longer with --duration", clause, expected, tuple(details))
    begin, first_end, last_start = _thirds(run)
    compared, worse = [], []
    for name in timeline.transactions():
        first = timeline.histogram(name, begin, first_end)
        last = timeline.histogram(name, last_start)
        if sum(first.values()) < MIN_SAMPLES or sum(last.values()) < MIN_SAMPLES:
            continue
        before, after = percentile(first, 0.5), percentile(last, 0.5)
        assert before is not None and after is not None
        line = f"{name}: median {before:.0f} ms in the first third, {after:.0f} ms in the last"
        compared.append(line)
        if after > max(before * s.degradation_factor, before + s.degradation_min_ms):
            worse.append(line)
    steady = (f"steady from +{begin:.0f} s (every client running); thirds from +{begin:.0f}, +{first_end:.0f}, "
              f"+{last_start:.0f} s")
    details += [steady, *compared, *timeline_lines(timeline)]
    if worse:
        return Judgement(False, f"reply times degraded over {timeline.duration:.0f} s: {'; '.join(worse)}", clause, expected, tuple(details))
    if not compared:
        # Too few good replies to compare: the replies were errors, or too slow to come; the
        # checks that judge those report it.
        owner = error_check if timeline.errors() else latency_check
        return Judgement(None, f"fewer than {MIN_SAMPLES} good replies of any type in the first or last third of the "
                               "steady run: nothing to compare", clause, expected, tuple(details), owner=owner)
    return Judgement(True, f"no degradation over {timeline.duration:.0f} s: {'; '.join(compared)}", clause, expected, tuple(details))


def harness_trouble(run: LoadRun) -> list[str]:
    """What makes the run unusable as evidence: the harness's own errors, never the target's."""
    trouble = [note for note in run.notes if is_harness_error(note)]
    trouble += [f"harness: a client failed {e}" for e in run.exceptions]
    trouble += [f"{kind} ({count}x)" for kind, count in run.timeline.errors().items() if is_harness_error(kind)]
    return trouble


