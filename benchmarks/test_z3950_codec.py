"""Z39.50 codec rate against asn1tools alone, on the same PDUs, in the same run.

One round trip is encode + decode of one PDU. "harness" is the whole codec: a typed PDU to
BER, the bytes through the framer (PduReader), back to a typed PDU with its problems checked.
"asn1tools bare" encodes and decodes the same asn1tools value with the same compiled ASN.1
and nothing else: no framing, no typed values, no text decoding, no problem collection. The
ratio is the price of that work (below 1 by construction); it shows where the codec's time
goes, and a regression shows as a falling ratio.

Run: python -m pytest benchmarks/test_z3950_codec.py --benchmark-only -s
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.z3950 import (
    External,
    InitResponse,
    Pdu,
    PduReader,
    PresentResponse,
    RawPdu,
    Record,
    SearchRequest,
    decode,
    decode_all,
    encode,
    oids,
    parse,
)
from harness.z3950.asn1 import specification

ROUND_TRIPS = 100  # per timed round
DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "z3950"


def _cases() -> dict[str, Pdu]:
    (init,), _ = decode_all((DATA / "zebra_init_response.ber").read_bytes())
    (present,), _ = decode_all((DATA / "zebra_present_usmarc.ber").read_bytes())
    (opac,), _ = decode_all((DATA / "ztest_present_opac.ber").read_bytes())
    assert isinstance(init.pdu, InitResponse) and isinstance(present.pdu, PresentResponse)
    assert isinstance(opac.pdu, PresentResponse) and present.pdu.records and opac.pdu.records
    marc = present.pdu.records[0]
    ten = tuple(Record("Default", External(oids.USMARC, "octet-aligned", marc.data)) for _ in range(10))
    return {
        "searchRequest, Sámi PQF": SearchRequest(parse(
            '@and @attr 1=4 @attr 5=1 "čuovga" @or @attr 1=1003 "Eira, Biret Máret" @attr 1=21 kárášjohka')),
        "initResponse, charneg": init.pdu,
        "presentResponse, 10 USMARC": PresentResponse(0, 10, 11, ten),
        "presentResponse, OPAC": opac.pdu,
    }


CASES = _cases()


def ours(pdu: Pdu) -> int:
    for _ in range(ROUND_TRIPS):
        reader = PduReader()
        reader.receive_data(encode(pdu))
        event = reader.next_event()
        assert isinstance(event, RawPdu)
        decode(event)
    return ROUND_TRIPS


def bare(pdu: Pdu) -> int:
    spec, value = specification(), (pdu.NAME, pdu.to_asn1())
    for _ in range(ROUND_TRIPS):
        spec.decode("PDU", spec.encode("PDU", value))
    return ROUND_TRIPS


CONTENDERS: dict[str, Callable[[Pdu], int]] = {"harness": ours, "asn1tools bare": bare}


class _RatioSummary:
    def __init__(self, rates: dict[tuple[str, str], float]) -> None:
        self.rates = rates

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        tr = terminalreporter
        tr.section("Z39.50 codec: encode+decode round trips/s (same run, same machine)")
        for (case, who), rate in sorted(self.rates.items()):
            tr.write_line(f"{case:<30} {who:<15} {rate:>10,.0f} /s")
        for case in CASES:
            mine, base = self.rates.get((case, "harness")), self.rates.get((case, "asn1tools bare"))
            if mine and base:
                tr.write_line(f"{case:<30} harness/asn1tools = {mine / base:.2f}×")


@pytest.fixture(scope="module")
def z3950_rates(request: pytest.FixtureRequest) -> Iterator[dict[tuple[str, str], float]]:
    measured: dict[tuple[str, str], float] = {}
    yield measured
    if measured:
        request.config.pluginmanager.register(_RatioSummary(measured), "z3950-codec-ratios")


@pytest.mark.parametrize("case", list(CASES))
def test_both_contenders_do_the_same_work(case: str) -> None:
    pdu = CASES[case]
    spec = specification()
    ours_bytes = encode(pdu)
    assert ours_bytes == bytes(spec.encode("PDU", (pdu.NAME, pdu.to_asn1())))
    decoded = decode(ours_bytes)
    assert decoded.problems == () and decoded.value == spec.decode("PDU", ours_bytes)[1]


@pytest.mark.parametrize("contender", list(CONTENDERS))
@pytest.mark.parametrize("case", list(CASES))
def test_round_trip_rate(benchmark: Any, z3950_rates: dict[tuple[str, str], float], case: str,
                         contender: str) -> None:
    benchmark.group = f"z3950 {case}"
    done = benchmark.pedantic(CONTENDERS[contender], args=(CASES[case],), rounds=30, warmup_rounds=2, iterations=1)
    assert done == ROUND_TRIPS
    if benchmark.stats is not None:  # None under --benchmark-disable
        z3950_rates[(case, contender)] = ROUND_TRIPS / benchmark.stats.stats.min
