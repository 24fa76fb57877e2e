"""MARC streaming throughput against pymarc's bare parse, on 250,000 real LC records.

Targets from the issue: `harness marc check` at least 3× pymarc's parse rate with peak
memory under 100 MB for the whole file; the full round-trip comparison at least 0.5×.
The ratios are printed at the end of the run and written into the README by hand.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pymarc
import pytest

from harness.marc.check import check_file
from harness.marc.roundtrip import compare_streams

RECORDS = 250_000


def _pymarc_parse(path: Path) -> int:
    count = 0
    with path.open("rb") as fh:
        for record in pymarc.MARCReader(fh):
            count += record is not None
    return count


def _harness_check(path: Path) -> int:
    return check_file(path).records


def _round_trip(path: Path) -> int:
    with path.open("rb") as before, path.open("rb") as after:
        return sum(1 for c in compare_streams(before, after, frozenset({"005"})) if c.identical)


@pytest.mark.benchmark(group="marc-stream")
def test_pymarc_parse_rate(benchmark, lc_file: Path, rates: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    count = benchmark.pedantic(_pymarc_parse, args=(lc_file,), rounds=1, iterations=1)
    assert count == RECORDS
    rates["pymarc MARCReader parse"] = count / benchmark.stats.stats.min


@pytest.mark.benchmark(group="marc-stream")
def test_harness_check_rate(benchmark, lc_file: Path, rates: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    count = benchmark.pedantic(_harness_check, args=(lc_file,), rounds=1, iterations=1)
    assert count == RECORDS
    rates["harness marc check"] = count / benchmark.stats.stats.min


@pytest.mark.benchmark(group="marc-stream")
def test_round_trip_comparison_rate(benchmark, lc_file: Path, rates: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    identical = benchmark.pedantic(_round_trip, args=(lc_file,), rounds=1, iterations=1)
    assert identical == RECORDS
    rates["round-trip comparison"] = RECORDS / benchmark.stats.stats.min


_MEASURE_CHILD = (
    "import resource, sys\n"
    "from harness.cli import main\n"
    "code = main(['marc', 'check', '-q', sys.argv[1]])\n"
    "print('PEAK_RSS_KIB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    "sys.exit(code)\n"
)


def test_marc_check_peak_memory_whole_file(lc_file: Path) -> None:
    """Peak RSS of `harness marc check` over the 241 MB file: the whole process, imports included."""
    done = subprocess.run([sys.executable, "-c", _MEASURE_CHILD, str(lc_file)], capture_output=True, text=True, timeout=900)
    assert done.returncode in (0, 1), done.stderr
    assert f"{RECORDS} record(s)" in done.stdout
    peak_kib = int(done.stdout.rsplit("PEAK_RSS_KIB", 1)[1].split()[0])
    print(f"\npeak RSS of harness marc check: {peak_kib / 1024:.1f} MiB")
    assert peak_kib < 100 * 1024, f"peak RSS {peak_kib / 1024:.1f} MiB, the bar is 100 MB"
