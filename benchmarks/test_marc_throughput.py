"""MARC streaming throughput against pymarc's bare parse, on 250,000 real LC records.

Targets (issue 14): `harness marc check` at least 10× pymarc's parse rate with peak memory
under 100 MB for the whole file; the full round-trip comparison at least 0.5×. The ratios
are printed at the end of the run and written into the README by hand.

Measured on the 2-core development machine while other work ran on it (load average 3-7),
one run each, whole file, pymarc 5.4.0, numpy 2.4:

    before the chunk-wide fast path (per-record checks only)   5.2x
    with it (harness/marc/fastpath.py), run 1                  21.9x  (check 1.59 s, pymarc 34.7 s)
    with it, run 2 (load average about 7)                      14.0x  (100,354 records/s, pymarc 7,190/s)
    round-trip comparison                                      3.1x and 2.1x in the same runs
    peak RSS of `harness marc check`, whole process            72.8 and 80.6 MiB (48 MiB before: numpy's import)
    check alone on a quiet moment (no pymarc run)              1.1-1.6 s for the 250,000 records
    after the round trip learned leader data (branch marc2)    23.5x  (check 1.63 s, pymarc 38.2 s, load average 5.3)
    round-trip comparison, same run                            2.0x   (13,102 records/s)
    peak RSS, same run                                         86.9 MiB
    `harness marc check --content` (per-record content rules)  68.6 s, 3,640 records/s (0.56x pymarc), 62 MiB
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pymarc
import pytest

from harness.marc.check import check_file
from harness.marc.iso2709 import check_record, iter_raw_records
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
    done = subprocess.run([sys.executable, "-c", _MEASURE_CHILD, str(lc_file)], capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode in (0, 1), done.stderr
    assert f"{RECORDS} record(s)" in done.stdout
    peak_kib = int(done.stdout.rsplit("PEAK_RSS_KIB", 1)[1].split()[0])
    print(f"\npeak RSS of harness marc check: {peak_kib / 1024:.1f} MiB")
    assert peak_kib < 100 * 1024, f"peak RSS {peak_kib / 1024:.1f} MiB, the bar is 100 MB"


def test_fast_path_finds_what_the_detailed_path_finds_on_lc(lc_file: Path) -> None:
    """The differential test of tests/unit/test_marc_fastpath.py, on all 250,000 LC records."""
    fast = []
    report = check_file(lc_file, on_problem=fast.append)
    with lc_file.open("rb") as fh:
        detailed = [p for raw in iter_raw_records(fh) for p in check_record(raw)]
    assert report.records == RECORDS
    assert fast == detailed
    assert report.counts_by_rule == {"control-field-no-subfields": 8}  # 001s ending in a stray 1F hex
