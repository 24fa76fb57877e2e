"""The SIP2 judgement rules on hand-made replies: each rule can say yes and can say no."""

from __future__ import annotations

from datetime import UTC, datetime

from harness.sip2.codec import Message
from harness.sip2.judging import (
    amount,
    calendar_problem,
    clock_problem,
    count_problems,
    dates_of,
    personal_data,
    same_moment,
    wrong_pin_problems,
)

WINTER = "20261128    233000"  # Norwegian time, CET: 22:30 UTC
STATUS = "              "


def info(*fields: tuple[str, str], counts: str = "0000" * 6) -> Message:
    fixed = (STATUS, "012", WINTER, *(counts[i:i + 4] for i in range(0, 24, 4)))
    return Message("64", fixed, (("AO", "TROMSO"), ("AA", "TST1"), ("AE", ""), *fields))


def test_a_wrong_pin_answered_cq_n_without_lists_passes() -> None:
    assert wrong_pin_problems(info(("BL", "Y"), ("CQ", "N"))) == []


def test_a_24_without_cq_validated_nothing() -> None:
    reply = Message("24", (STATUS, "012", WINTER), (("AO", "X"), ("AA", "TST1"), ("AE", ""), ("BL", "Y")))
    assert wrong_pin_problems(reply) == ["24 carries no CQ: the PIN sent was not validated"]


def test_lists_and_the_fee_owed_are_leaks_and_cq_y_is_wrong() -> None:
    problems = wrong_pin_problems(info(("CQ", "Y"), ("BV", "25.00"), ("AU", "990010"), ("BE", "a@b.no")))
    assert problems[0] == "64 says CQY for a wrong PIN"
    assert "AU990010" in problems[1] and "BEa@b.no" in problems[1] and "BV25.00" in problems[1]


def test_a_checkout_with_a_wrong_pin_must_be_refused_and_a_renew_all_must_renew_nothing() -> None:
    done = Message("12", ("1", "N", "N", "Y", WINTER), (("AO", "X"), ("AA", "T"), ("AB", "I"), ("AJ", ""), ("AH", "")))
    assert wrong_pin_problems(done) == ["12 ok = '1': done with a wrong PIN"]
    renewed = Message("66", ("0", "0002", "0000", WINTER), (("AO", "X"), ("BM", "I1"), ("BM", "I2")))
    assert wrong_pin_problems(renewed)[0].startswith("66 renewed count 0002")
    assert "BMI1" in wrong_pin_problems(renewed)[1]


def test_the_fee_amount_is_personal_only_where_it_is_the_patrons() -> None:
    checkout_fee = Message("12", ("0", "N", "N", "N", WINTER), (("AO", "X"), ("BV", "10.00")))
    assert personal_data(checkout_fee) == [] and personal_data(info(("BV", "5,00"))) == ["BV5,00"]


def test_counts_must_equal_the_list_asked_for_and_blank_counts_are_not_judged() -> None:
    assert count_problems(info(("AU", "1"), ("AU", "2"), counts="000000000002" + "0" * 12), 2) == []
    assert count_problems(info(("AU", "1"), counts="000000000002" + "0" * 12), 2)[0].startswith("charged_items_count is 0002")
    assert count_problems(info(("AU", "1"), counts=" " * 24), 2) == []


def test_dates_real_and_in_the_declared_zone() -> None:
    assert calendar_problem(WINTER) == "" and "not a calendar date" in calendar_problem("20260230    120000")
    harness = datetime(2026, 11, 28, 22, 30, 30, tzinfo=UTC)
    assert clock_problem("24 transaction_date", WINTER, harness, 120) == ""
    utc_as_local = clock_problem("24 transaction_date", "20261128    223000", harness, 120)
    assert "-3630 s" in utc_as_local and "UTC sent as local time" in utc_as_local and "22:30:30 UTC" in utc_as_local
    assert clock_problem("x", "20261128   Z223000", harness, 120) == ""


def test_the_same_moment_in_summer_local_time_and_in_utc() -> None:
    assert same_moment("20270328    120000", "20270328   Z100000")  # CEST: UTC+2
    assert not same_moment("20270328    120000", "20270328   Z110000")
    assert same_moment("28.03.2027", " 28.03.2027 ")  # free-form AH: compared as text


def test_dates_of_reads_fixed_dates_and_18_character_ah() -> None:
    reply = Message("18", ("04", "00", "01", WINTER), (("AB", "I"), ("AJ", "T"), ("AH", "20261226    235900")))
    assert dates_of(reply) == [("18 transaction_date", WINTER), ("18 AH", "20261226    235900")]
    assert dates_of(Message("18", ("04", "00", "01", WINTER), (("AH", "26.12.2026"),))) == [("18 transaction_date", WINTER)]


def test_amounts_with_point_or_comma() -> None:
    assert amount("25.00") == amount("25,00") and amount("") is None and amount("NaN") is None
