"""The load suite's pure parts: the cheap reply judgement, the histograms, the verdicts.

Replies are real frames (encoded, then decoded by the codec the suites use); timelines are
built by the same recorder the Locust processes use. Every judgement is shown saying yes and no.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from harness.errors import TargetTimeout
from harness.load.evaluate import (
    LoadRun,
    judge_degradation,
    judge_errors,
    judge_latency,
    sparkline,
    timeline_lines,
    timeline_points,
)
from harness.load.judge import exception_kind, marc_export_error, sip2_error
from harness.load.recorder import Recorder, Timeline, bucket, percentile
from harness.load.settings import LoadSettings
from harness.load.workload import Fleet, Seat, Workload
from harness.sip2 import requests as rq
from harness.sip2.client import ConnectionLost
from harness.sip2.codec import Message, decode, encode

NOW = "20261128    093000"


def _reply(code: str, fixed: dict[str, str], fields: list[tuple[str, str]], sequence: int = 0) -> object:
    return decode(encode(Message.build(code, fixed, fields), sequence=sequence))


def _checkout_reply(ok: str = "1", item: str = "990010", sequence: int = 0) -> object:
    fixed = {"ok": ok, "renewal_ok": "N", "magnetic_media": "N", "desensitize": "Y", "transaction_date": NOW}
    return _reply("12", fixed, [("AO", "TROMSO"), ("AA", "TST1"), ("AB", item), ("AJ", "Tittel"), ("AH", "20261226    235900")], sequence)


CHECKOUT = rq.checkout("TROMSO", "TST1", "990010", "4711")


def test_a_right_successful_reply_is_no_error() -> None:
    assert sip2_error(CHECKOUT, _checkout_reply(), sequence=0) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(("reply", "sequence", "kind"), [
    (_checkout_reply(ok="0"), 0, "12 ok 0: not done"),
    (_checkout_reply(item="990099"), 0, "12 AB names another item than the request"),
    (_checkout_reply(sequence=4), 3, "AY differs from the request's: a reply to another request"),
    (decode(b"96AZFEF6\r"), None, "11 answered with 96, not 12"),
    (decode(b"12X\r"), None, "codec: fixed_too_short"),
])
def test_wrong_replies_are_errors_of_a_stable_kind(reply: object, sequence: int | None, kind: str) -> None:
    found = sip2_error(CHECKOUT, reply, sequence=sequence)  # type: ignore[arg-type]
    assert found is not None and found.startswith(kind.split(":")[0]), found
    if not kind.startswith("codec"):
        assert found == kind


def test_a_refusal_is_no_error_where_the_workload_does_not_expect_success() -> None:
    assert sip2_error(CHECKOUT, _checkout_reply(ok="0"), sequence=0, expect_success=False) is None  # type: ignore[arg-type]


def test_patron_information_needs_a_valid_patron_and_the_pin_accepted() -> None:
    request = rq.patron_information("TROMSO", "TST1", "4711")
    fixed = {"patron_status": " " * 14, "language": "012", "transaction_date": NOW, "hold_items_count": "0000",
             "overdue_items_count": "0000", "charged_items_count": "0000", "fine_items_count": "0000",
             "recall_items_count": "0000", "unavailable_holds_count": "0000"}
    base = [("AO", "TROMSO"), ("AA", "TST1"), ("AE", "Máret")]
    good = _reply("64", fixed, [*base, ("BL", "Y"), ("CQ", "Y")])
    assert sip2_error(request, good, sequence=0, pin_sent=True) is None  # type: ignore[arg-type]
    refused = _reply("64", fixed, [*base, ("BL", "Y"), ("CQ", "N")])
    assert sip2_error(request, refused, sequence=0, pin_sent=True) == "64 CQ is not Y: the patron's PIN was refused"  # type: ignore[arg-type]
    unknown = _reply("64", fixed, [*base, ("BL", "N")])
    assert sip2_error(request, unknown, sequence=0) == "64 BL is not Y: the patron was not recognised"  # type: ignore[arg-type]


def test_wire_trouble_has_kinds_and_harness_trouble_is_marked() -> None:
    assert exception_kind(TargetTimeout("x")).startswith("timeout")
    assert exception_kind(ConnectionLost("x")) == "connection closed by the target"
    assert exception_kind(RuntimeError("bug")).startswith("harness: ")


def _record(length: int) -> bytes:
    body = b"x" * (length - 6)
    return f"{length:05d}".encode() + body + b"\x1d"


@pytest.mark.parametrize(("status", "body", "error"), [
    (200, _record(40) + _record(60), None),
    (500, b"", "export answered HTTP 500"),
    (200, b"", "export is empty"),
    (200, _record(40) + b"0009", "export: a record length (leader/00-04) is not five digits"),
    (200, _record(40)[:-1] + b"x", "export: a record does not end with the record terminator at its length"),
    (200, b"99999" + b"x" * 30, "export: a record length runs past the end of the export"),
])
def test_the_harvest_export_is_judged_by_its_record_lengths(status: int, body: bytes, error: str | None) -> None:
    assert marc_export_error(status, body) == error


# -- histograms -------------------------------------------------------------------------------------

def test_buckets_and_percentiles_as_locust_rounds_them() -> None:
    assert (bucket(0.4), bucket(57.6), bucket(456), bucket(1234)) == (0, 58, 460, 1200)
    histogram = {1: 90, 5: 5, 40: 4, 900: 1}
    assert (percentile(histogram, 0.5), percentile(histogram, 0.95), percentile(histogram, 0.99), percentile(histogram, 1.0)) == (1, 5, 40, 900)
    assert percentile({}, 0.95) is None


def test_worker_reports_merge_into_one_timeline() -> None:
    a, b = Recorder(1.0), Recorder(1.0)
    a.record("checkout", 100.2, 3.0, None)
    b.record("checkout", 100.7, 5.0, None)
    b.record("checkout", 101.1, 9.0, "12 ok 0: not done", {"sent": "11...", "received": "120..."})
    master = Recorder(1.0)
    master.merge(a.drain())
    master.merge(b.drain())
    assert not a.windows and not b.windows  # drained
    timeline = Timeline.from_result({**master.to_dict(), "started": 100.0, "spawned": 100.0, "ended": 102.0})
    assert timeline.histogram("checkout") == {3: 1, 5: 1}
    assert timeline.errors() == {"12 ok 0: not done": 1} and timeline.counts() == (2, 1)
    assert timeline.examples["12 ok 0: not done"][0]["transaction"] == "checkout"


# -- the three verdicts -----------------------------------------------------------------------------

SETTINGS = LoadSettings(p95_ms={"checkout": 500.0}, error_rate=0.01, degradation_factor=1.5, degradation_min_ms=50.0, soak_minimum=5.0)
WORKLOAD = Workload("morning-rush", "Test", (Fleet("selfservice", 2, 1.0, 2, (Seat("L", "L", "P", ("1", "2")),) * 3),), 9.0, 10.0, 1.0)


def _run(latency: object, errors_every: int = 0, seconds: int = 9) -> LoadRun:
    recorder = Recorder(1.0)
    for second in range(seconds):
        for n in range(30):
            error = "connection closed by the target" if errors_every and n % errors_every == 0 else None
            recorder.record("checkout", 1000.0 + second + n / 31, latency(second), error)  # type: ignore[operator]
    timeline = Timeline.from_result({**recorder.to_dict(), "started": 1000.0, "spawned": 1000.0, "ended": 1000.0 + seconds})
    return LoadRun(WORKLOAD, timeline, SETTINGS, Path("vendor.toml"), "1 Locust process")


def test_latency_passes_under_the_threshold_and_fails_over_it() -> None:
    passed = judge_latency(_run(lambda s: 20.0), "errors")
    assert passed.passed is True and "checkout p95 20 ms (limit 500)" in passed.message
    failed = judge_latency(_run(lambda s: 750.0), "errors")
    assert failed.passed is False and "checkout p95 750 ms over 500 ms" in failed.message
    assert "LAST-01" in failed.clause and "p95_ms" in failed.clause and "vendor.toml" in failed.clause


def test_latency_cannot_be_judged_when_every_reply_was_an_error() -> None:
    judgement = judge_latency(_run(lambda s: 20.0, errors_every=1), "test_error_rate_within_threshold")
    assert judgement.passed is None and judgement.owner == "test_error_rate_within_threshold"


def test_errors_pass_within_the_rate_and_fail_over_it() -> None:
    assert judge_errors(_run(lambda s: 5.0)).passed is True
    failed = judge_errors(_run(lambda s: 5.0, errors_every=10))
    assert failed.passed is False and "connection closed by the target: 27" in failed.message
    assert "over the profile's 1 %" in failed.message


def test_degradation_fails_when_the_last_third_is_slower_and_passes_when_steady() -> None:
    assert judge_degradation(_run(lambda s: 20.0)).passed is True
    leak = judge_degradation(_run(lambda s: 20.0 + 30.0 * s))
    assert leak.passed is False and "checkout: median" in leak.message
    slow_but_steady = judge_degradation(_run(lambda s: 750.0))
    assert slow_but_steady.passed is True  # slow is LAST-01's fault, not a degradation


def test_small_absolute_changes_are_not_degradation() -> None:
    assert judge_degradation(_run(lambda s: 1.0 + s)).passed is True  # 2 ms -> 9 ms: under degradation_min_ms


def test_a_run_shorter_than_a_soak_is_not_judged() -> None:
    judgement = judge_degradation(replace(_run(lambda s: 20.0), settings=replace(SETTINGS, soak_minimum=3600.0)))
    assert judgement.passed is None and "soak_minimum" in judgement.message


def test_timeline_lines_have_the_documented_form_and_read_back() -> None:
    run = _run(lambda s: 10.0 * (s + 1))
    lines = timeline_lines(run.timeline)
    points = timeline_points(["unrelated", *lines])
    assert len(points) == len(lines) == 9
    assert points[0]["tps"] == 30.0 and points[-1]["p50"] == 90.0
    assert sparkline([1.0, 2.0, None, 8.0]) == "▁▂ █"
