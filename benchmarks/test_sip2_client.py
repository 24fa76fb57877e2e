"""SIP2 client transactions per second against the sandbox's ACS, beside a raw-socket floor.

The floor sends the same pre-encoded 17/18 frames over a bare socket and reads to the CR: the
least any client can do. The ratio (harness client / floor) says what the client's framing,
checksums, decoding and transcript cost per transaction; the absolute rate says how long a
suite's SIP2 traffic takes against a local server.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from harness.paths import SANDBOX_PROFILE
from harness.profile import load_profile
from harness.sandbox.system import Sandbox
from harness.sip2 import requests as rq
from harness.sip2.checks import log_in
from harness.sip2.client import Client
from harness.sip2.codec import encode
from harness.sip2.unit import SIP2

TRANSACTIONS = 300
RATES: dict[str, float] = {}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[tuple[str, int]]:
    with Sandbox(load_profile(SANDBOX_PROFILE)) as profile:
        settings = profile.settings_for(SIP2)
        assert settings is not None
        yield settings.host, settings.port


def _harness_client(endpoint: tuple[str, int]) -> int:
    with Client(*endpoint, timeout=5) as client:
        log_in(client, "sc-tromso", "sandbox-sip")
        for _ in range(TRANSACTIONS):
            client.send(rq.item_information("TROMSO", "99001000010"))
    return TRANSACTIONS


def _raw_socket(endpoint: tuple[str, int]) -> int:
    login = encode(rq.login("sc-tromso", "sandbox-sip"), sequence=0)
    frames = [encode(rq.item_information("TROMSO", "99001000010"), sequence=(i + 1) % 10) for i in range(TRANSACTIONS)]
    with socket.create_connection(endpoint, timeout=5) as sock:
        for frame in [login, *frames]:
            sock.sendall(frame)
            reply = b""
            while not reply.endswith(b"\r"):
                reply += sock.recv(65536)
    return TRANSACTIONS


@pytest.mark.benchmark(group="sip2-client")
@pytest.mark.parametrize("contender", ["harness client", "raw socket floor"])
def test_transactions_per_second(benchmark: Any, endpoint: tuple[str, int], contender: str) -> None:
    run = _harness_client if contender == "harness client" else _raw_socket
    assert benchmark.pedantic(run, args=(endpoint,), rounds=5, warmup_rounds=1, iterations=1) == TRANSACTIONS
    if benchmark.stats is not None:
        RATES[contender] = TRANSACTIONS / benchmark.stats.stats.min


@pytest.fixture(scope="module", autouse=True)
def _print_ratio(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if len(RATES) == 2:
        ours, floor = RATES["harness client"], RATES["raw socket floor"]
        print(f"\nSIP2 client: {ours:,.0f} transactions/s against the sandbox; raw-socket floor {floor:,.0f}/s; ratio {ours / floor:.2f}")
