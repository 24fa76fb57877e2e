"""The cooperation suite's parts: the sandbox's deviating search side, the story, letters, privacy, records."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import pymarc
import pytest

from harness.cooperation import defects as d
from harness.cooperation.letters import changes, difference
from harness.cooperation.privacy import leaks, needles
from harness.cooperation.records import (
    FINDABLE,
    LETTER_FIELDS,
    form_of,
    isbn13,
    letters_record,
    shared_record,
    title_proper,
    values,
)
from harness.cooperation.sandbox import CooperationIndex, cooperation_index
from harness.cooperation.story import Story
from harness.defects import Defect, DefectSet
from harness.errors import UsageError
from harness.evidence import Exchange
from harness.findings import Finding, WarningRecorder
from harness.profile import TestPatron
from harness.reporting.timings import timings_in
from harness.sandbox.search import And, HoldingStatus, term
from harness.sandbox.search.shared import shared_index
from harness.sandbox.sru.records import record_view
from harness.sandbox.state import Consortium, Patron, build_items, load_libraries

PUBLIC, SCHOOL = "NO-9900001", "NO-9900011"


def _record(number: str, title: str, *holdings: tuple[str, str]) -> pymarc.Record:
    record = pymarc.Record(force_utf8=True)
    record.fields = [pymarc.Field(tag="001", data=number),
                     pymarc.Field(tag="245", indicators=pymarc.Indicators("1", "0"), subfields=[pymarc.Subfield("a", title)])]
    record.fields += [pymarc.Field(tag="852", indicators=pymarc.Indicators(" ", " "),
                                   subfields=[pymarc.Subfield("a", lib), pymarc.Subfield("p", barcode)]) for lib, barcode in holdings]
    return record


def _consortium() -> Consortium:
    consortium = Consortium(libraries=load_libraries())
    consortium.patrons["P1"] = Patron("P1", "Máret Ánne Sara", SCHOOL)
    consortium.records["old"] = _record("old", "Fjell ja vuovdi", (PUBLIC, "b-old-1"), (SCHOOL, "b-old-2"))
    build_items(consortium)
    return consortium


def _index(consortium: Consortium, *active: Defect) -> CooperationIndex:
    index = cooperation_index(consortium, DefectSet(frozenset(active)))
    assert isinstance(index, CooperationIndex)
    return index


def _libraries(record: pymarc.Record | None) -> list[str]:
    assert record is not None
    return [v for f in record.get_fields("852") for v in f.get_subfields("a")]


def _import(consortium: Consortium, record: pymarc.Record) -> None:
    """As the MARC channel stores a record: a new object, its items built."""
    number = record.get_fields("001")[0].data or ""
    consortium.records[number] = record
    build_items(consortium, [(number, record)])


def test_no_cooperation_defect_no_index_of_its_own() -> None:
    consortium = _consortium()
    assert cooperation_index(consortium, DefectSet()) is None
    other = Defect("sru", "sru-something", "not a cooperation defect")
    assert cooperation_index(consortium, DefectSet(frozenset({other}))) is None


@pytest.mark.parametrize("active", [True, False])
def test_a_holding_added_to_a_new_record_is_not_indexed(active: bool) -> None:
    consortium = _consortium()
    index = _index(consortium, *([d.UPGRADE_HOLDING_NOT_INDEXED] if active else [d.SESSION_BORROWER_IN_SEARCH]))
    _import(consortium, _record("new", "Ovttas girjerájusain", (PUBLIC, "b-new-1")))
    assert _libraries(index.record("new")) == [PUBLIC]
    _import(consortium, _record("new", "Ovttas girjerájusain", (SCHOOL, "b-new-2"), (PUBLIC, "b-new-1")))
    assert _libraries(index.record("new")) == ([PUBLIC] if active else [SCHOOL, PUBLIC])
    assert {h.library for h in index.holdings("new")} == ({PUBLIC} if active else {PUBLIC, SCHOOL})
    _import(consortium, _record("old", "Fjell ja vuovdi", (PUBLIC, "b-old-1"), (SCHOOL, "b-old-2"), ("NO-9900002", "b-old-3")))
    assert len(_libraries(index.record("old"))) == 3  # what was there at start is indexed as it is
    assert consortium.records["new"].get_fields("852")[0].get_subfields("a") == [SCHOOL]  # the catalogue stays exact


def test_letters_of_new_records_are_composed_on_the_way_to_the_index() -> None:
    consortium = _consortium()
    consortium.records["old-nfd"] = _record("old-nfd", unicodedata.normalize("NFD", "Čáppa"))
    index = _index(consortium, d.IMPORTED_LETTERS_NORMALISED)
    _import(consortium, _record("new", unicodedata.normalize("NFD", "Kväänit ja Čáppa")))
    new, old = index.record("new"), index.record("old-nfd")
    assert new is not None and old is not None
    assert form_of(values(new, "245", "a")[0]) == "NFC" and form_of(values(old, "245", "a")[0]) == "NFD"
    assert index.search(term("title", "kväänit")) == ["new"]  # still found: only the letters changed
    assert form_of(values(consortium.records["new"], "245", "a")[0]) == "NFD"


def test_borrowers_of_loans_made_since_start_are_named_in_the_holding() -> None:
    consortium = _consortium()
    consortium.items["b-old-1"].borrower = "P1"  # a loan older than the index: never named
    index = _index(consortium, d.SESSION_BORROWER_IN_SEARCH)
    assert "Máret" not in str(index.record("old"))
    consortium.items["b-old-2"].borrower = "P1"
    named = index.record("old")
    assert named is not None
    assert [f.get_subfields("z") for f in named.get_fields("852")] == [[], ["Utlånt til Máret Ánne Sara (P1)"]]
    consortium.items["b-old-2"].borrower = None
    assert "Máret" not in str(index.record("old"))
    assert not consortium.records["old"].get_fields("852")[1].get_subfields("z")


@pytest.mark.parametrize(("lent_at", "shown"), [(SCHOOL, False), (PUBLIC, True)])
def test_school_counter_loans_wait_for_the_night(lent_at: str, shown: bool) -> None:
    consortium = _consortium()
    index = _index(consortium, d.SCHOOL_LOANS_NOT_IN_SEARCH)
    item = consortium.items["b-old-2"]
    item.borrower, item.location = "P1", lent_at
    assert {h.barcode: h.on_loan for h in index.holdings("old")}["b-old-2"] is shown
    assert shared_index(consortium).holdings("old")[1].on_loan is True  # the live index knows


@pytest.mark.parametrize("active", [True, False])
def test_transit_reaches_search_unless_the_defect_is_on(active: bool) -> None:
    consortium = _consortium()
    index = _index(consortium, d.TRANSIT_NOT_IN_SEARCH if active else d.SCHOOL_LOANS_NOT_IN_SEARCH)
    consortium.items["b-old-1"].in_transit_to = PUBLIC
    states = {h.barcode: (h.on_loan, h.in_transit) for h in index.holdings("old")}
    assert states["b-old-1"] == (False, not active) and states["b-old-2"] == (False, False)


def test_in_transit_is_an_sru_copy_status() -> None:
    view = record_view(_record("x", "T", (PUBLIC, "b1")), (HoldingStatus(PUBLIC, "b1", False, in_transit=True),
                                                          HoldingStatus(PUBLIC, "b2", True, in_transit=True),
                                                          HoldingStatus(PUBLIC, "b3", False)))
    assert [f.get_subfields("j")[0] for f in view.get_fields("876")] == ["in transit", "on loan", "available"]


def test_new_records_pass_every_library_limit() -> None:
    consortium = _consortium()
    index = _index(consortium, d.NEW_RECORDS_PASS_LIBRARY_LIMITS)
    _import(consortium, _record("new", "Iežas hildu fjell", (SCHOOL, "b-new")))
    word = term("title", "fjell")
    assert index.search(word, library="NO-9900002") == ["new"]  # a Z39.50 member limit: held by neither
    assert index.search(And(word, term("library", "NO-9900002"))) == ["new"]  # an SRU library index term
    assert sorted(index.search(And(word, term("library", PUBLIC)))) == ["new", "old"]
    plain = _index(consortium, d.SESSION_BORROWER_IN_SEARCH)
    assert plain.search(And(word, term("library", "NO-9900002"))) == []


def _exchange(protocol: str, at: str) -> Exchange:
    return Exchange(protocol, "127.0.0.1:1", f"{protocol} request", "answer", at)


def test_a_failed_story_shows_every_protocol_in_time_order() -> None:
    story = Story("KAT-01 clause", "both holdings")
    story.keep([_exchange("sru", "2026-01-01T10:00:02.000+00:00")])
    story.keep([_exchange("marc", "2026-01-01T10:00:01.000+00:00"), _exchange("sip2", "2026-01-01T10:00:03.000+00:00")])
    story.timed("SRU", 0.0123)
    story.fine("Z39.50", "both holdings")
    story.fail("SRU", "one holding only", more=["another difference"])
    with pytest.raises(Finding) as raised:
        story.conclude(WarningRecorder(), "summary")
    evidence = raised.value.evidence
    assert str(raised.value) == "SRU: one holding only (and 1 more on SRU)"
    assert [e.protocol for e in evidence.exchanges] == ["marc", "sru", "sip2"]
    assert evidence.clause == "KAT-01 clause" and "SRU: another difference" in evidence.details
    assert list(timings_in(" ".join(evidence.details))) == [("SRU", 0.012)]


def test_a_story_with_nothing_judged_names_the_owners() -> None:
    story = Story("clause", "expected")
    story.owned_by("SRU", "not found", "sru suite (test_x)")
    story.not_observed("Z39.50", "the profile configures no [z3950] section")
    with pytest.raises(pytest.skip.Exception, match=r"SRU: not found; the fault is reported by sru suite \(test_x\)"):
        story.conclude(WarningRecorder(), "summary")
    empty = Story("clause", "expected")
    empty.not_observed("SRU", "no [sru]")
    with pytest.raises(pytest.skip.Exception, match="no path could be observed: SRU: no"):
        empty.conclude(WarningRecorder(), "summary")


def test_a_passing_story_notes_its_times_in_the_charts_form() -> None:
    story = Story("clause", "expected")
    story.timed("Z39.50", 1.5)
    story.timed("OAI-PMH", 0.25)
    story.fine("Z39.50", "ok")
    story.owned_by("SRU", "not found", "sru suite (test_x)")
    warn = WarningRecorder()
    story.conclude(warn, "found")
    [(message, _)] = warn.notes
    assert message.startswith("time to visibility over Z39.50: 1.500 s; time to visibility over OAI-PMH: 0.250 s; found")
    assert "(judged over Z39.50; not over SRU)" in message
    assert list(timings_in(message)) == [("Z39.50", 1.5), ("OAI-PMH", 0.25)]


def test_letter_changes_say_form_and_code_points() -> None:
    sent = letters_record(PUBLIC).record
    got = pymarc.Record(force_utf8=True)
    got.fields = [pymarc.Field(tag=f.tag, data=f.data) if f.is_control_field() else
                  pymarc.Field(tag=f.tag, indicators=f.indicators,
                               subfields=[pymarc.Subfield(s.code, unicodedata.normalize("NFC", s.value)) for s in f.subfields])
                  for f in sent.fields]
    found = changes(sent, got)
    assert found and all("(NFC)" in line for line in found)
    assert {line.split(":")[0] for line in found} == {"245 $a", "245 $b", "100 $a", "500 $a"}  # 246 is composed already
    assert not changes(sent, sent)
    assert difference("kva\u0308", "kv\u00e4") == "from character 3: sent U+0061 U+0308, got U+00E4"


def test_letters_record_mixes_forms_in_every_field_a_path_returns() -> None:
    record = letters_record(PUBLIC).record
    forms = {f"{tag} ${code}": {form_of(v) for v in values(record, tag, code)} for tag, code in LETTER_FIELDS}
    assert forms["245 $a"] == {"mixed NFC/NFD"} and forms["245 $b"] == {"NFD"} and forms["100 $a"] == {"NFD"}
    assert forms["246 $a"] == {"NFC"} and forms["500 $a"] == {"NFD", "NFC"}
    title = values(record, "245", "a")[0]
    composed = unicodedata.normalize("NFC", title).casefold()
    assert all(word in composed for word, _ in FINDABLE)
    assert [form_of(w) for w in title.split() if unicodedata.normalize("NFC", w).casefold() in dict(FINDABLE)] == ["NFC", "NFD"]
    assert title_proper(record) == title.removesuffix(" :")


def test_records_are_new_every_time_with_valid_isbns() -> None:
    one, two = shared_record(PUBLIC, story="x"), shared_record(PUBLIC, story="x")
    assert one.isbn != two.isbn and one.word != two.word and one.osba != two.osba
    assert isbn13("978030640615") == "9780306406157"  # the textbook example
    school = one.holding_of(SCHOOL, "96000")
    assert values(school.record, "035", "a") == [one.osba] and values(school.record, "852", "a") == [SCHOOL]


def _found(data: str, patrons: Iterable[TestPatron]) -> list[str]:
    return leaks(data.encode("utf-8"), needles(patrons))


def test_patron_data_is_found_in_any_form_case_and_escape() -> None:
    patron = TestPatron("TST0000001", "", "NO-9900002", "Máret Ánne Sara")
    assert _found("utlånt til " + unicodedata.normalize("NFD", "máret ánne sara"), [patron])
    assert _found("<z>M&#225;ret &#193;nne Sara</z>", [patron])
    assert _found("kort tst0000001", [patron])
    assert not _found("Máret", [patron])
    assert not _found("x", [TestPatron("AB", "", "NO-1", "Ola")])  # too short to look for


def test_defects_are_cooperation_defects() -> None:
    assert {defect.protocol for defect in d.CATALOGUE} == {"cooperation"}
    assert all(defect.name.startswith("coop-") for defect in d.CATALOGUE)
    with pytest.raises(UsageError):
        from harness.defects import resolve

        resolve(["coop-no-such"], d.CATALOGUE)
