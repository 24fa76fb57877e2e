"""Content designation warnings: each rule fires on its own damage, never on a good record, never as FAIL."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.marc.bibliographic import FIELDS, is_local
from harness.marc.check import check_file
from harness.marc.cli import check_files
from harness.marc.content import (
    CONTENT_RULES,
    ContentField,
    ContentRecord,
    check_content,
    from_iso2709,
)
from harness.paths import MARC_FIXTURES_DIR
from harness.rules import Severity

LEADER = "00000cam a2200000 i 4500"
F008 = "240601s2024    no a   j      000 1 sme d"


def good_fields() -> list[ContentField]:
    return [
        ContentField("001", data="hx1"),
        ContentField("008", data=F008),
        ContentField("020", "  ", (("a", "9788299000017"), ("q", "innbundet"))),
        ContentField("100", "1 ", (("a", "Sara, Ánne Márjá"), ("e", "forfatter"), ("4", "aut"))),
        ContentField("245", "10", (("6", "880-01"), ("a", "Čáppa ŋuolggat :"), ("b", "máinnasat /"), ("c", "Ánne Márjá Sara."))),
        ContentField("650", " 7", (("a", "Duodji"), ("x", "Historja"), ("x", "1900-tallet"), ("2", "humord"))),
        ContentField("852", "  ", (("a", "NO-9900002"), ("h", "894.57"))),
        ContentField("880", "10", (("6", "245-01/(N"), ("a", "Чаппа :"))),
        ContentField("950", "ab", (("q", "local, never judged"),)),
    ]


def rules(fields: list[ContentField], leader: str = LEADER) -> list[str]:
    return [p.rule.id for p in check_content(ContentRecord(leader, tuple(fields)))]


def replaced(tag: str, new: ContentField) -> list[ContentField]:
    return [new if f.tag == tag else f for f in good_fields()]


def test_a_good_record_has_no_warnings() -> None:
    assert rules(good_fields()) == []


@pytest.mark.parametrize(("fields", "rule"), [
    (good_fields() + [ContentField("245", "10", (("a", "Again"),))], "content-field-not-repeatable"),
    (good_fields() + [ContentField("110", "2 ", (("a", "Sámediggi"),))], "content-one-main-entry"),
    ([f for f in good_fields() if f.tag not in ("245", "880")], "content-title-missing"),
    (replaced("650", ContentField("650", "#7", (("a", "Duodji"),))), "content-indicator-undefined"),
    (replaced("100", ContentField("100", "2 ", (("a", "Sara"),))), "content-indicator-undefined"),
    (replaced("650", ContentField("650", " 7", (("a", "Duodji"), ("9", "sme")))), "content-subfield-undefined"),
    (replaced("650", ContentField("650", " 7", (("a", "Duodji"), ("a", "Goarrun")))), "content-subfield-not-repeatable"),
    (replaced("852", ContentField("852", "  ", (("a", "NO-9900002\r\n"),))), "content-control-character"),
    (good_fields() + [ContentField("440", " 0", (("a", "Old series"),))], "content-tag-undefined"),
    (replaced("008", ContentField("008", data=F008[:39])), "content-008-length"),
    (replaced("020", ContentField("020", "  ", (("a", "9788299000018"),))), "content-isbn"),
    (replaced("020", ContentField("020", "  ", (("a", "82-990-0001-X (h.)"),))), "content-isbn"),
    (replaced("020", ContentField("020", "  ", (("a", "97882990"),))), "content-isbn"),
    (replaced("880", ContentField("880", "10", (("a", "Чаппа :"),))), "content-880-linkage"),
    (replaced("880", ContentField("880", "10", (("6", "245-02/(N"), ("a", "Чаппа :")))), "content-880-linkage"),
    (replaced("880", ContentField("880", "10", (("a", "Чаппа :"), ("6", "245-01/(N")))), "content-880-linkage"),
])
def test_each_rule_fires_on_its_damage_as_a_warning(fields: list[ContentField], rule: str) -> None:
    found = check_content(ContentRecord(LEADER, tuple(fields), 3, 1234))
    assert rule in [p.rule.id for p in found]
    assert all(p.severity is Severity.WARN for p in found)
    assert all(p.position and p.position.record == 3 and p.position.label == "hx1" for p in found)


def test_valid_isbns_pass_both_lengths() -> None:
    for isbn in ("9788299000017", "82-990-0001-7", "0-306-40615-2", "080442957X (pbk.)"):
        assert rules(replaced("020", ContentField("020", "  ", (("a", isbn),)))) == [], isbn


def test_880_takes_its_linked_fields_rules_and_repeatability() -> None:
    bad_indicator = replaced("880", ContentField("880", "30", (("6", "245-01/(N"), ("a", "Чаппа"))))
    assert rules(bad_indicator) == ["content-indicator-undefined"]
    second = good_fields() + [ContentField("880", "10", (("6", "245-01/(N"), ("a", "Again")))]
    assert "content-field-not-repeatable" in rules(second)
    unlinked = good_fields() + [ContentField("880", "1 ", (("6", "100-00/(N"), ("a", "Сара")))]
    assert rules(unlinked) == []  # occurrence 00: an 880 with no partner, as Appendix A allows


def test_the_warning_cites_the_fields_own_page() -> None:
    (found,) = check_content(ContentRecord(LEADER, tuple(replaced("650", ContentField("650", "#7", (("a", "x"),))))))
    assert found.clause == FIELDS["650"].clause
    assert "650 Subject Added Entry-Topical Term (R)" in found.clause and "bd650.html" in found.clause
    assert found.rule.id in CONTENT_RULES


def test_008_length_by_kind_of_record() -> None:
    holdings = [ContentField("001", data="h1"), ContentField("008", data="0" * 32), ContentField("852", "  ", (("a", "x"),))]
    assert rules(holdings, leader="00000nx  a2200000   4500") == []  # a holdings 008 has 32; bib rules do not apply
    assert rules(holdings[:1] + [ContentField("008", data=F008)], leader="00000nx  a2200000   4500") == ["content-008-length"]


def test_local_fields_are_never_judged() -> None:
    assert all(is_local(tag) for tag in ("090", "099", "590", "690", "900", "950", "999", "886"))
    assert not any(is_local(tag) for tag in ("490", "190", "245", "880", "852"))


def test_iso2709_records_are_taken_apart_for_the_content_checks() -> None:
    data = (MARC_FIXTURES_DIR / "prepub.mrc").read_bytes()
    record = from_iso2709(data, index=0, offset=0)
    assert record.leader == data[:24].decode()
    assert [f.tag for f in record.fields][:3] == ["001", "003", "005"]
    assert record.control_number == "hx0000240"
    assert [p.rule.id for p in check_content(record)] == ["content-subfield-undefined"]  # 651 $9 nob: local practice


def test_check_file_content_only_when_asked(tmp_path: Path) -> None:
    catalogue = MARC_FIXTURES_DIR / "consortium.mrc"
    plain = check_file(catalogue)
    with_content = check_file(catalogue, content=True)
    assert plain.counts_by_rule == {"tag-alphabetic": 1} and plain.fail_count == with_content.fail_count == 0
    # the consortium's local $9 (BIBSYS, BIBBI) and the round-trip record whose $6 is not first
    assert set(with_content.counts_by_rule) == {"tag-alphabetic", "content-subfield-undefined", "content-880-linkage"}


def test_cli_prints_content_warnings(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    with out.open("w") as fh:
        code = check_files([MARC_FIXTURES_DIR / "consortium.mrc"], quiet=False, out=fh, content=True)
    assert code == 0 and "WARN" in out.read_text() and "content-subfield-undefined" in out.read_text()


_DATA = (MARC_FIXTURES_DIR / "consortium.mrc").read_bytes()[:40_000]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 39_999), st.integers(0, 255)), min_size=1, max_size=6))
def test_no_bytes_make_the_content_checks_raise(tmp_path: Path, edits: list[tuple[int, int]]) -> None:
    data = bytearray(_DATA)
    for at, value in edits:
        data[at] = value
    path = tmp_path / "fuzzed.mrc"
    path.write_bytes(bytes(data))
    report = check_file(path, content=True)  # must not raise, whatever the bytes
    assert report.records >= 1
