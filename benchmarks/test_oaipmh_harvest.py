"""Strict OAI-PMH harvesting against sickle: 100,000 records from the sandbox provider, same run.

The provider (benchmarks/oaipmh_bench_server.py: the sandbox's respond() over a synthetic
repository that makes records on demand) serves on 127.0.0.1 in its own process. Each
contender harvests all 100,000 marc21 records in a process of its own
(benchmarks/oaipmh_bench_harvest.py), which reports its own time and peak RSS:

- strict: harness.oaipmh.client; every page parsed with recover=False, the envelope validated
  against OAI-PMH.xsd and every MARCXML record against MARC21slim.xsd, the loop guard on;
- sickle: sickle 0.7.0's ListRecords (lenient parse, no validation), as an aggregator harvests.

The ratio is strict records/s over sickle records/s (target >= 1.0). Memory must stay flat:
the strict harvester's peak RSS for 10,000 and for 100,000 records, both under 150 MB.
Run: python -m pytest benchmarks/test_oaipmh_harvest.py --benchmark-only -s
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
RECORDS = 100_000
FEW = 10_000  # the first 10,000: datestamps are one second apart from 2024-01-01T00:00:00Z
FEW_UNTIL = "2024-01-01T02:46:39Z"  # second 9,999
PEAK_LIMIT_MB = 150.0
RESULTS: dict[str, dict[str, float]] = {}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port_file = tmp_path_factory.mktemp("oai-bench") / "base-url"
    process = subprocess.Popen([sys.executable, str(HERE / "oaipmh_bench_server.py"), str(RECORDS),
                                "--port-file", str(port_file), "--duration", "900"])
    try:
        deadline = time.monotonic() + 30
        while not port_file.exists():
            assert process.poll() is None and time.monotonic() < deadline, "the benchmark provider did not start"
            time.sleep(0.05)
        yield port_file.read_text().strip()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def harvest(contender: str, base_url: str, until: str | None = None) -> dict[str, float]:
    command = [sys.executable, str(HERE / "oaipmh_bench_harvest.py"), contender, base_url, *(["--until", until] if until else [])]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.benchmark(group="oaipmh-harvest")
@pytest.mark.parametrize("contender", ["strict", "sickle"])
def test_harvest_100000_records(benchmark: Any, provider: str, contender: str) -> None:
    result = benchmark.pedantic(harvest, args=(contender, provider), rounds=1, iterations=1)
    assert result["records"] == RECORDS
    assert result["problems"] == 0
    RESULTS[contender] = result


def test_strict_harvest_memory_is_flat(provider: str) -> None:
    few = harvest("strict", provider, until=FEW_UNTIL)
    assert few["records"] == FEW
    RESULTS["strict-10000"] = few
    many = RESULTS.get("strict") or harvest("strict", provider)
    assert few["peak_mb"] < PEAK_LIMIT_MB and many["peak_mb"] < PEAK_LIMIT_MB, (few, many)
    assert many["peak_mb"] - few["peak_mb"] < 15, f"peak RSS grew with the record count: {few} -> {many}"


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    lines = [f"{name:>13}: {r['records']:>7,.0f} records in {r['seconds']:6.1f} s = {r['records'] / r['seconds']:7,.0f} records/s, "
             f"peak RSS {r['peak_mb']:5.1f} MB" for name, r in RESULTS.items()]
    if "strict" in RESULTS and "sickle" in RESULTS:
        strict, sickle = (RESULTS[c]["records"] / RESULTS[c]["seconds"] for c in ("strict", "sickle"))
        lines.append(f"strict harvest with schema validation: {strict / sickle:.2f} x sickle's rate")
    print("\nOAI-PMH harvest, 100,000 marc21 records from the sandbox provider on loopback:\n" + "\n".join(lines))
