"""SIP2 codec throughput against pysip2 0.1.0's codec, in the same run on the same machine.

One "round trip" is encode + decode of one message with error detection (AY/AZ) on, UTF-8,
for a small message (11 Checkout) and a large one (64 Patron Information Response with 20 AU
charged items). Both sides do the same work: before timing, the test checks that the two
codecs write byte-identical frames and that each reads the other's. The bar from the issue
is at least 2× pysip2's rate; the ratios are printed at the end of the run.

Run: python -m pytest benchmarks/test_sip2_throughput.py -p no:randomly -s
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness.sip2.codec import Message, decode, encode

pysip2 = pytest.importorskip("pysip2", reason="pip install pysip2==0.1.0 to compare")

ROUND_TRIPS = 1000  # per timed round, so timer overhead is noise
BAR = 2.0
DATE = "20261124    193218"
ITEMS = tuple(f"0301001234{n:04d}" for n in range(20))


def _cases() -> dict[str, tuple[Message, Any]]:
    checkout = Message.build(
        "11", ("Y", "N", DATE, DATE),
        [("AO", "NOTEST"), ("AA", "23456789012345"), ("AB", "03010012345678"), ("AC", "")],
    )
    their_checkout = pysip2.CheckoutRequest(
        sc_renewal_policy="Y", no_block="N", transaction_date=DATE, nb_due_date=DATE,
        institution_id="NOTEST", patron_identifier="23456789012345",
        item_identifier="03010012345678", terminal_password="",
    )
    patron = Message.build(
        "64", (" " * 14, "012", DATE, "0000", "0000", "0020", "0000", "0000", "0000"),
        [("AO", "NOTEST"), ("AA", "23456789012345"), ("AE", "Åse Øvergård"), ("BL", "Y"), ("CQ", "Y"),
         *(("AU", item) for item in ITEMS)],
    )
    their_patron = pysip2.PatronInformationResponse(
        patron_status=" " * 14, language="012", transaction_date=DATE, hold_items_count="0000",
        overdue_items_count="0000", charged_items_count="0020", fine_items_count="0000",
        recall_items_count="0000", unavailable_holds_count="0000", institution_id="NOTEST",
        patron_identifier="23456789012345", personal_name="Åse Øvergård", valid_patron="Y",
        valid_patron_password="Y", charged_items=ITEMS,
    )
    return {"11 checkout": (checkout, their_checkout), "64 patron info, 20 AU": (patron, their_patron)}


CASES = _cases()


def ours(message: Message) -> int:
    for _ in range(ROUND_TRIPS):
        decode(encode(message, sequence=1), charset="utf-8")
    return ROUND_TRIPS


def theirs(model: Any) -> int:
    for _ in range(ROUND_TRIPS):
        frame = pysip2.encode_message(model, sequence_number=1, checksum=True, encoding="utf-8")
        pysip2.decode_message(frame, encoding="utf-8")
    return ROUND_TRIPS


CONTENDERS: dict[str, Callable[[Any], int]] = {"harness": ours, "pysip2 0.1.0": theirs}


class _RatioSummary:
    """Printed in pytest's terminal summary, after the benchmark tables."""

    def __init__(self, rates: dict[tuple[str, str], float]) -> None:
        self.rates = rates

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        tr = terminalreporter
        tr.section("SIP2 codec: encode+decode round trips/s (same run, same machine)")
        for (case, who), rate in sorted(self.rates.items()):
            tr.write_line(f"{case:<24} {who:<14} {rate:>10,.0f} /s")
        for case in CASES:
            mine = self.rates.get((case, "harness"))
            base = self.rates.get((case, "pysip2 0.1.0"))
            if mine and base:
                ratio = mine / base
                verdict = "meets" if ratio >= BAR else "BELOW"
                tr.write_line(f"{case:<24} ours/pysip2 = {ratio:.2f}×  ({verdict} the {BAR:.0f}× bar)")


@pytest.fixture(scope="module")
def sip2_rates(request: pytest.FixtureRequest) -> Iterator[dict[tuple[str, str], float]]:
    measured: dict[tuple[str, str], float] = {}
    yield measured
    if measured:
        request.config.pluginmanager.register(_RatioSummary(measured), "sip2-codec-ratios")


@pytest.mark.parametrize("case", list(CASES))
def test_both_codecs_do_the_same_work(case: str) -> None:
    mine, model = CASES[case]
    our_frame = encode(mine, sequence=1)
    their_frame = pysip2.encode_message(model, sequence_number=1, checksum=True, encoding="utf-8")
    assert our_frame == their_frame
    assert decode(their_frame).findings == ()
    assert pysip2.decode_message(our_frame, encoding="utf-8").message == model


@pytest.mark.parametrize("contender", list(CONTENDERS))
@pytest.mark.parametrize("case", list(CASES))
def test_round_trip_rate(
    benchmark: Any, sip2_rates: dict[tuple[str, str], float], case: str, contender: str
) -> None:
    benchmark.group = f"sip2 {case}"
    subject = CASES[case][0] if contender == "harness" else CASES[case][1]
    done = benchmark.pedantic(CONTENDERS[contender], args=(subject,), rounds=15, warmup_rounds=2, iterations=1)
    assert done == ROUND_TRIPS
    if benchmark.stats is not None:  # None under --benchmark-disable
        sip2_rates[(case, contender)] = ROUND_TRIPS / benchmark.stats.stats.min
