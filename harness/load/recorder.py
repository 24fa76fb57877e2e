"""What a load run measured, as plain data: latency histograms and error counts per window.

Every transaction lands in the window of the moment it ended (``floor(epoch / step)``), under
its type: a good reply adds its latency to a histogram, a wrong one adds one to its error
kind. Latencies are kept in buckets the way Locust keeps them (whole milliseconds below 100,
tens below 1000, hundreds above), so a four-hour soak stays a few kilobytes per window.

The same structure is a worker's report (merged on the master: :meth:`Recorder.merge`) and the
run's result (:class:`Timeline`), so percentiles over the whole run, over a third of it or over
one window are all the same computation on merged histograms.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Histogram = dict[int, int]  # bucket (ms) -> count
EXAMPLES_PER_KIND = 3
MAX_KINDS = 50  # error kinds kept with examples; counts are kept for all


def bucket(milliseconds: float) -> int:
    """Locust's rounding: exact below 100 ms, to 10 ms below 1 s, to 100 ms above."""
    if milliseconds < 100:
        return round(milliseconds)
    if milliseconds < 1000:
        return int(round(milliseconds, -1))
    return int(round(milliseconds, -2))


def percentile(histogram: Mapping[int, int], fraction: float) -> float | None:
    """The smallest bucket at or under which ``fraction`` of the samples fall; None when empty."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(1, math.ceil(fraction * total))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return float(value)
    return float(max(histogram))


def merge_histograms(histograms: Iterable[Mapping[int, int]]) -> Histogram:
    merged: Histogram = {}
    for histogram in histograms:
        for value, count in histogram.items():
            merged[value] = merged.get(value, 0) + count
    return merged


@dataclass
class Cell:
    """One transaction type in one window."""

    ok: Histogram = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def good(self) -> int:
        return sum(self.ok.values())

    @property
    def failed(self) -> int:
        return sum(self.errors.values())


@dataclass
class Window:
    cells: dict[str, Cell] = field(default_factory=dict)
    users: int = 0  # clients running at the window's end (the master's count)

    def cell(self, transaction: str) -> Cell:
        found = self.cells.get(transaction)
        if found is None:
            found = self.cells[transaction] = Cell()
        return found


class Recorder:
    """Collects transactions in one process; ``drain`` hands over what came since the last call."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.windows: dict[int, Window] = {}
        self.examples: dict[str, list[dict[str, str]]] = {}

    def window(self, at: float) -> Window:
        index = int(at // self.step)
        found = self.windows.get(index)
        if found is None:
            found = self.windows[index] = Window()
        return found

    def record(self, transaction: str, at: float, milliseconds: float, error: str | None,
               example: Mapping[str, str] | None = None) -> None:
        cell = self.window(at).cell(transaction)
        if error is None:
            value = bucket(milliseconds)
            cell.ok[value] = cell.ok.get(value, 0) + 1
            return
        cell.errors[error] = cell.errors.get(error, 0) + 1
        kept = self.examples.get(error)
        if kept is None and len(self.examples) < MAX_KINDS:
            kept = self.examples[error] = []
        if kept is not None and len(kept) < EXAMPLES_PER_KIND and example is not None:
            kept.append({"transaction": transaction, **example})

    def note_users(self, at: float, users: int) -> None:
        window = self.window(at)
        window.users = max(window.users, users)

    # -- crossing process boundaries (Locust's report_to_master, the result file) ----------------

    def drain(self) -> dict[str, Any]:
        data = self.to_dict()
        self.windows, self.examples = {}, {}
        return data

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "windows": {str(index): {"users": w.users, "cells": {
                name: {"ok": {str(k): v for k, v in c.ok.items()}, "errors": dict(c.errors)} for name, c in w.cells.items()
            }} for index, w in self.windows.items()},
            "examples": {kind: list(items) for kind, items in self.examples.items()},
        }

    def merge(self, data: Mapping[str, Any]) -> None:
        for key, raw in data.get("windows", {}).items():
            window = self.windows.setdefault(int(key), Window())
            window.users = max(window.users, int(raw.get("users", 0)))
            for name, cell_data in raw.get("cells", {}).items():
                cell = window.cell(name)
                for value, count in cell_data.get("ok", {}).items():
                    cell.ok[int(value)] = cell.ok.get(int(value), 0) + int(count)
                for kind, count in cell_data.get("errors", {}).items():
                    cell.errors[kind] = cell.errors.get(kind, 0) + int(count)
        for kind, items in data.get("examples", {}).items():
            kept = self.examples.get(kind)
            if kept is None and len(self.examples) < MAX_KINDS:
                kept = self.examples[kind] = []
            if kept is not None:
                kept.extend(items[: EXAMPLES_PER_KIND - len(kept)])


@dataclass(frozen=True)
class Timeline:
    """A finished run's measurements, windows in order, times relative to the start."""

    step: float
    started: float  # epoch seconds
    spawned: float | None  # when every client was running (None: spawning never finished)
    ended: float
    windows: Mapping[int, Window]
    examples: Mapping[str, list[dict[str, str]]]

    @classmethod
    def from_result(cls, data: Mapping[str, Any]) -> Timeline:
        recorder = Recorder(float(data["step"]))
        recorder.merge(data)
        spawned = data.get("spawned")
        return cls(recorder.step, float(data["started"]), None if spawned is None else float(spawned),
                   float(data["ended"]), dict(sorted(recorder.windows.items())), recorder.examples)

    @property
    def duration(self) -> float:
        return self.ended - self.started

    def transactions(self) -> list[str]:
        names: dict[str, None] = {}
        for window in self.windows.values():
            names.update(dict.fromkeys(window.cells))
        return list(names)

    def between(self, start: float, end: float) -> list[tuple[float, Window]]:
        """(seconds since the start, window) for the windows whose middle lies in [start, end)."""
        found = []
        for index, window in self.windows.items():
            offset = index * self.step - self.started
            if start <= offset + self.step / 2 < end:
                found.append((offset, window))
        return found

    def histogram(self, transaction: str | None = None, start: float = -math.inf, end: float = math.inf) -> Histogram:
        return merge_histograms(c.ok for _, w in self.between(start, end) for name, c in w.cells.items()
                                if transaction is None or name == transaction)

    def errors(self, transaction: str | None = None) -> dict[str, int]:
        counts: dict[str, int] = {}
        for window in self.windows.values():
            for name, cell in window.cells.items():
                if transaction is None or name == transaction:
                    for kind, count in cell.errors.items():
                        counts[kind] = counts.get(kind, 0) + count
        return counts

    def counts(self) -> tuple[int, int]:
        """(good replies, errors) over the run."""
        good = sum(c.good for w in self.windows.values() for c in w.cells.values())
        failed = sum(c.failed for w in self.windows.values() for c in w.cells.values())
        return good, failed
