"""Search+present per second: the harness's client beside YAZ's zoomsh, against zebrasrv and the sandbox.

Both clients run the same N operations on one association to the same target: a Search with
one of ten title terms, then a Present of the first hit in USMARC. zoomsh does exactly that
too: a searchRequest, then a presentRequest (checked in its APDU log, research z3950-sru.md
§5). zoomsh's time includes starting the process and its Init (a few ms of the total); the
harness's includes its Init. The targets hold the same catalogue: zebrasrv (C, YAZ's
frontend, tests/peers/zebra.py) and the embedded sandbox's Z39.50 target (Python, the shared
search index, idPass authentication). The ratios: harness/zoomsh per target (the client's
cost), sandbox/zebrasrv per client (the sandbox target's cost).

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

from dataclasses import dataclass

from zebra import ZebraPeer

from harness.paths import SANDBOX_PROFILE
from harness.profile import load_profile
from harness.sandbox.system import Sandbox
from harness.z3950 import oids
from harness.z3950.settings import Z3950Settings
from harness.z3950.target import open_association
from harness.z3950.unit import Z3950

OPERATIONS = 200
TERMS = ("čuovga", "ŋuolggat", "ruoŧŧa", "viežžat", "đuoddariid", "historjá", "románna", "giđđa", "ærfugl",
         "máinnasat")


@dataclass(frozen=True)
class Target:
    name: str
    settings: Z3950Settings  # host, port, database and the account

    def zoomsh_account(self) -> list[str]:
        s = self.settings
        return [f"set user {s.user}", f"set group {s.group}", f"set password {s.password}"] if s.auth == "idpass" else []


@pytest.fixture(scope="module")
def targets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Target]]:
    if shutil.which("zebrasrv") is None or shutil.which("zoomsh") is None:
        pytest.skip("apt-get install -y yaz idzebra-2.0-utils idzebra-2.0-common libidzebra-2.0-mod-dom")
    with ZebraPeer(tmp_path_factory.mktemp("zebra")) as peer, Sandbox(load_profile(SANDBOX_PROFILE)) as resolved:
        zebra = peer.start()
        sandbox = resolved.settings_for(Z3950)
        assert sandbox is not None
        yield {"zebrasrv": Target("zebrasrv", Z3950Settings(zebra.host, zebra.port, zebra.database)),
               "sandbox": Target("sandbox", sandbox)}


def harness_client(target: Target) -> int:
    done = 0
    client = open_association(target.settings, 10)
    with client:
        for n in range(OPERATIONS):
            if client.search(f"@attr 1=4 {TERMS[n % len(TERMS)]}").result_count:
                present = client.present(1, 1, record_syntax=oids.USMARC)
                done += present.records_returned
    return done


def zoomsh(target: Target) -> int:
    s = target.settings
    commands = [*target.zoomsh_account(), "set charset UTF-8", "set preferredRecordSyntax usmarc",
                f"connect tcp:{s.host}:{s.port}/{s.database}"]
    for n in range(OPERATIONS):
        commands += [f"search @attr 1=4 {TERMS[n % len(TERMS)]}", "show 0 1"]
    result = subprocess.run(["zoomsh", *commands, "quit"], capture_output=True, check=True, timeout=60)
    return result.stdout.count(b"\n001 hx")


CONTENDERS: dict[str, Callable[[Target], int]] = {"harness Client": harness_client, "zoomsh (YAZ)": zoomsh}


class _RatioSummary:
    def __init__(self, rates: dict[tuple[str, str], float]) -> None:
        self.rates = rates

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        tr = terminalreporter
        tr.section("Z39.50 search+present/s on one association (same run)")
        for (who, where), rate in sorted(self.rates.items()):
            tr.write_line(f"{who:<16} -> {where:<9} {rate:>8,.0f} search+present/s")
        for where in ("zebrasrv", "sandbox"):
            mine, yaz = self.rates.get(("harness Client", where)), self.rates.get(("zoomsh (YAZ)", where))
            if mine and yaz:
                tr.write_line(f"against {where}: harness/zoomsh = {mine / yaz:.2f}x")
        for who in CONTENDERS:
            sandbox, zebra = self.rates.get((who, "sandbox")), self.rates.get((who, "zebrasrv"))
            if sandbox and zebra:
                tr.write_line(f"{who}: sandbox/zebrasrv = {sandbox / zebra:.2f}x")


@pytest.fixture(scope="module")
def throughput(request: pytest.FixtureRequest) -> Iterator[dict[tuple[str, str], float]]:
    measured: dict[tuple[str, str], float] = {}
    yield measured
    if measured:
        request.config.pluginmanager.register(_RatioSummary(measured), "z3950-throughput")


@pytest.mark.parametrize("where", ["zebrasrv", "sandbox"])
@pytest.mark.parametrize("contender", list(CONTENDERS))
def test_search_and_present_rate(benchmark: Any, targets: dict[str, Target], throughput: dict[tuple[str, str], float],
                                 contender: str, where: str) -> None:
    benchmark.group = f"z3950 search+present against {where}"
    done = benchmark.pedantic(CONTENDERS[contender], args=(targets[where],), rounds=5, warmup_rounds=1, iterations=1)
    assert done == OPERATIONS  # every term has hits in the catalogue; each present returned one record
    if benchmark.stats is not None:
        throughput[(contender, where)] = OPERATIONS / benchmark.stats.stats.min
