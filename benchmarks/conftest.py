"""Benchmarks run on the 250,000 LC records (fetched and cached by lc_data.py, never committed).

Each benchmark names the library it competes with and runs it in the same session, so the
reported number is a ratio measured on the same machine at the same time, not a time.
Run: python -m pytest benchmarks --benchmark-only -s
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lc_data import lc_records_path

RATIOS: dict[str, float] = {}


@pytest.fixture(scope="session")
def lc_file() -> Path:
    return lc_records_path()


@pytest.fixture(scope="session")
def rates() -> Iterator[dict[str, float]]:
    """records/second per contender, filled by the benchmarks and printed as ratios at the end."""
    measured: dict[str, float] = {}
    yield measured
    RATIOS.update(measured)


def pytest_terminal_summary(terminalreporter, config) -> None:  # type: ignore[no-untyped-def]
    if not RATIOS:
        return
    tr = terminalreporter
    tr.section("rates and ratios (same run, same machine)")
    for name, rate in sorted(RATIOS.items()):
        tr.write_line(f"{name:<36} {rate:>12,.0f} records/s")
    base = RATIOS.get("pymarc MARCReader parse")
    if base:
        for name, rate in sorted(RATIOS.items()):
            if name != "pymarc MARCReader parse":
                tr.write_line(f"{name:<36} {rate / base:>8.2f} × pymarc's parse rate")
