"""SRU searchRetrieve requests per second: the harness's client beside a raw ``requests`` loop.

Two servers, same run: the sandbox's SRU service (``/sru``, the shared search index) and
zebrasrv (the consortium catalogue, tests/peers/zebra.py). Each contender sends the same N
searchRetrieve requests (SRU 1.2, one of ten title terms, maximumRecords=1, MARCXML) on one
keep-alive connection:

- ``raw requests``: ``requests.Session.get`` and the body read, nothing else: the floor;
- ``harness client``: :class:`harness.sru.client.SruClient`: the bounded HttpClient (deadline
  watchdog, byte budget, transcript) and :func:`harness.sru.parse.parse_response` with every rule.

The contenders take turns for a few rounds and the best round of each counts, so load from
other processes falls on both alike. The ratio (harness / raw) says what the client's bounds
and parsing cost per request; the absolute rates say how long a suite's traffic takes.
Run: python -m pytest benchmarks/test_sru_throughput.py -p no:randomly -s
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from harness.paths import SANDBOX_PROFILE
from harness.profile import load_profile
from harness.sandbox.system import Sandbox
from harness.sru.client import SruClient
from harness.sru.settings import SruSettings
from harness.sru.unit import SRU

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "peers"))

REQUESTS = 200
ROUNDS = 5
TERMS = ("čuovga", "ŋuolggat", "ruoŧŧa", "viežžat", "đuoddariid", "historjá", "románna", "giđđa", "ærfugl", "máinnasat")
RATES: dict[str, float] = {}


def _params(n: int) -> dict[str, str]:
    return {"version": "1.2", "operation": "searchRetrieve", "query": f"dc.title = {TERMS[n % len(TERMS)]}",
            "maximumRecords": "1", "recordSchema": "marcxml"}


def raw_requests(url: str) -> int:
    with requests.Session() as session:
        for n in range(REQUESTS):
            response = session.get(url, params=_params(n), timeout=10)
            assert response.status_code == 200 and response.content
    return REQUESTS


def harness_client(url: str) -> int:
    with SruClient(SruSettings(url, version="1.2", timeout=10.0)) as client:
        for n in range(REQUESTS):
            result = client.search_retrieve(_params(n)["query"], maximum_records=1)
            assert result.search is not None and result.search.number_of_records
    return REQUESTS


CONTENDERS: dict[str, Callable[[str], int]] = {"raw requests": raw_requests, "harness client": harness_client}


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    with Sandbox(load_profile(SANDBOX_PROFILE)) as resolved:
        settings = resolved.settings_for(SRU)
        assert settings is not None
        yield settings.url


@pytest.fixture(scope="module")
def zebra_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if shutil.which("zebrasrv") is None:
        pytest.skip("apt-get install -y yaz idzebra-2.0-utils idzebra-2.0-common libidzebra-2.0-mod-dom")
    from zebra import ZebraPeer

    with ZebraPeer(tmp_path_factory.mktemp("zebra")) as peer:
        yield peer.start().sru_url


def _alternate(url: str, server: str) -> None:
    best = dict.fromkeys(CONTENDERS, float("inf"))
    for _ in range(ROUNDS):
        for name, run in CONTENDERS.items():
            started = time.perf_counter()
            assert run(url) == REQUESTS
            best[name] = min(best[name], time.perf_counter() - started)
    for name, seconds in best.items():
        RATES[f"{server}: {name}"] = REQUESTS / seconds


@pytest.mark.benchmark(group="sru-throughput")
@pytest.mark.parametrize("server", ["sandbox", "zebrasrv"])
def test_requests_per_second(benchmark: Any, request: pytest.FixtureRequest, server: str) -> None:
    url = request.getfixturevalue("sandbox_url" if server == "sandbox" else "zebra_url")
    benchmark.pedantic(_alternate, args=(url, server), rounds=1, iterations=1)


@pytest.fixture(scope="module", autouse=True)
def _print_ratios() -> Iterator[None]:
    yield
    for server in ("sandbox", "zebrasrv"):
        ours, raw = RATES.get(f"{server}: harness client"), RATES.get(f"{server}: raw requests")
        if ours and raw:
            print(f"\nSRU against the {server}: harness client {ours:,.0f} requests/s, raw requests loop {raw:,.0f}/s, "
                  f"ratio {ours / raw:.2f}")
