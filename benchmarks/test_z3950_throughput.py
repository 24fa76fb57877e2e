"""Search+present per second against zebrasrv: the harness's client beside YAZ's zoomsh.

Both contenders run the same N operations on one association to the same zebrasrv (the
consortium catalogue, tests/peers/zebra.py): a Search with one of ten title terms, then a
Present of the first hit in USMARC. zoomsh does exactly that too: a searchRequest, then a
presentRequest (checked in its APDU log, research z3950-sru.md §5). zoomsh's time includes
starting the process and its Init (a few ms of the total); the harness's includes its Init.

Run: python -m pytest benchmarks/test_z3950_throughput.py --benchmark-only -s
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "peers"))

from zebra import ZebraEndpoint, ZebraPeer

from harness.z3950 import Client, oids

OPERATIONS = 200
TERMS = ("čuovga", "ŋuolggat", "ruoŧŧa", "viežžat", "đuoddariid", "historjá", "románna", "giđđa", "ærfugl",
         "máinnasat")


@pytest.fixture(scope="module")
def zebra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZebraEndpoint]:
    if shutil.which("zebrasrv") is None or shutil.which("zoomsh") is None:
        pytest.skip("apt-get install -y yaz idzebra-2.0-utils idzebra-2.0-common libidzebra-2.0-mod-dom")
    with ZebraPeer(tmp_path_factory.mktemp("zebra")) as peer:
        yield peer.start()


def harness_client(endpoint: ZebraEndpoint) -> int:
    done = 0
    with Client(endpoint.host, endpoint.port, timeout=10) as client:
        client.init()
        for n in range(OPERATIONS):
            if client.search(f"@attr 1=4 {TERMS[n % len(TERMS)]}").result_count:
                present = client.present(1, 1, record_syntax=oids.USMARC)
                done += present.records_returned
    return done


def zoomsh(endpoint: ZebraEndpoint) -> int:
    commands = ["set preferredRecordSyntax usmarc", f"connect tcp:{endpoint.host}:{endpoint.port}/{endpoint.database}"]
    for n in range(OPERATIONS):
        commands += [f"search @attr 1=4 {TERMS[n % len(TERMS)]}", "show 0 1"]
    result = subprocess.run(["zoomsh", *commands, "quit"], capture_output=True, check=True, timeout=60)
    return result.stdout.count(b"\n001 hx")


CONTENDERS: dict[str, Callable[[ZebraEndpoint], int]] = {"harness Client": harness_client, "zoomsh (YAZ)": zoomsh}


class _RatioSummary:
    def __init__(self, rates: dict[str, float]) -> None:
        self.rates = rates

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        tr = terminalreporter
        tr.section("Z39.50 against zebrasrv: search+present/s on one association (same run)")
        for who, rate in sorted(self.rates.items()):
            tr.write_line(f"{who:<16} {rate:>8,.0f} search+present/s")
        mine, yaz = self.rates.get("harness Client"), self.rates.get("zoomsh (YAZ)")
        if mine and yaz:
            tr.write_line(f"harness/zoomsh = {mine / yaz:.2f}×")


@pytest.fixture(scope="module")
def throughput(request: pytest.FixtureRequest) -> Iterator[dict[str, float]]:
    measured: dict[str, float] = {}
    yield measured
    if measured:
        request.config.pluginmanager.register(_RatioSummary(measured), "z3950-throughput")


@pytest.mark.parametrize("contender", list(CONTENDERS))
def test_search_and_present_rate(benchmark: Any, zebra: ZebraEndpoint, throughput: dict[str, float],
                                 contender: str) -> None:
    benchmark.group = "z3950 search+present against zebrasrv"
    done = benchmark.pedantic(CONTENDERS[contender], args=(zebra,), rounds=5, warmup_rounds=1, iterations=1)
    assert done == OPERATIONS  # every term has hits in the catalogue; each present returned one record
    if benchmark.stats is not None:
        throughput[contender] = OPERATIONS / benchmark.stats.stats.min
