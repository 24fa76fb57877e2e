"""Thousands of SIP2 transactions on one connection: memory stays flat, masking waits for rendering.

The load tests to come send thousands of requests per connection. The client keeps the newest
exchanges only (client.TRANSCRIPT_LENGTH) and masks secrets (CO, AD) when an exchange is read,
not when it is recorded, so a transaction pays nothing for a transcript nobody renders.
Measured here against the sandbox ACS on loopback (numbers in the README: per transaction
about 0.2 ms; masking one 63/64 exchange about 19 µs, some 9 % of it, now paid only on
rendering; traced memory +30 KiB from 1,000 to 6,000 transactions).
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator

import pytest

from harness.paths import SANDBOX_PROFILE
from harness.profile import load_profile
from harness.sandbox.system import Sandbox
from harness.sip2 import requests as rq
from harness.sip2 import transcript
from harness.sip2.checks import log_in
from harness.sip2.client import TRANSCRIPT_LENGTH, Client
from harness.sip2.unit import SIP2

TRANSACTIONS = 3000
FLAT = 256 * 1024  # bytes the traced heap may grow by between 1,000 and 3,000 transactions


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    box = Sandbox(load_profile(SANDBOX_PROFILE))
    try:
        settings = box.start().settings_for(SIP2)
        assert settings is not None
        with Client(settings.host, settings.port, timeout=5) as connection:
            yield log_in(connection, settings.username, settings.password)
    finally:
        box.stop()


def test_thousands_of_transactions_keep_memory_flat_and_mask_nothing_until_rendered(
    client: Client, monkeypatch: pytest.MonkeyPatch,
) -> None:
    masked: list[int] = []
    real_mask = transcript.mask

    def counting_mask(data: bytes, charset: str) -> bytes:
        masked.append(len(data))
        return real_mask(data, charset)

    monkeypatch.setattr(transcript, "mask", counting_mask)
    request = rq.patron_information("TROMSO", "TST0000001", "4711", 2)  # AD in every request
    tracemalloc.start()
    try:
        marks = {}
        for done in range(1, TRANSACTIONS + 1):
            client.send(request)
            if done in (1000, TRANSACTIONS):
                gc.collect()
                marks[done] = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert marks[TRANSACTIONS] - marks[1000] < FLAT, marks
    assert len(client.transcript) == TRANSCRIPT_LENGTH and client.exchanges >= TRANSACTIONS
    assert masked == [], "an exchange was masked before anyone rendered it"
    rendered = client.transcript[-1].render()
    assert len(masked) == 2 and "AD***|" in rendered and "4711" not in rendered
