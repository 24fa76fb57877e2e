"""How the cooperation stories judge: what a path that showed nothing, a path that stopped, a
missing control and a slow neighbour do to a verdict. Small fakes where the sandbox cannot
show the path (it never loses a record, never breaks a Z39.50 answer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pymarc
import pytest

from harness.cooperation import defects as coop_defects
from harness.cooperation.cataloguing import Importer
from harness.cooperation.letters import fixture_changes, sip2_title
from harness.cooperation.paths import (
    AVAILABLE,
    IN_TRANSIT,
    ON_LOAN,
    UNDECLARED,
    UNKNOWN,
    HoldingsLayout,
    Sighting,
    Watch,
    copy_state,
    poll_each,
    sru_copies,
)
from harness.cooperation.privacy import Looked, judge, needles
from harness.cooperation.records import shared_record
from harness.cooperation.story import Story
from harness.cooperation.z3950_path import SEARCH_CHECK, Z3950Path
from harness.defects import Defect, DefectSet
from harness.errors import UsageError
from harness.findings import NOT_TESTED_PREFIX, Finding, WarningRecorder, cannot_judge
from harness.marc.settings import MarcSettings
from harness.marc.writer import encode_iso2709
from harness.profile import TestPatron
from harness.rules import Problem, Rule, Severity
from harness.sandbox.state import Consortium, load_libraries
from harness.sru import defects as sru_defects
from harness.sru.catalogue import load_catalogue
from harness.sru.settings import SruSettings
from harness.z3950 import defects as z3950_defects
from harness.z3950.client import ProtocolViolation
from harness.z3950.sandbox.service import index_for

PATRON = TestPatron("TST0000001", "", "NO-9900002", "Máret Ánne Sara")
RECORD = "the record holding 99001"


def _outcome(story: Story) -> str:
    """PASS, FAIL or the NOT_TESTED reason of a concluded story."""
    try:
        story.conclude(WarningRecorder(), "summary")
    except Finding as finding:
        return f"FAIL {finding}"
    except pytest.skip.Exception as skipped:
        return str(skipped.msg)
    return "PASS"


def _looked(path: str, data: bytes | None) -> Looked:
    looked = Looked(path)
    looked.look(RECORD, data, needles([PATRON]), "no record found holds it")
    return looked


# --- privacy: nothing read is nothing judged ----------------------------------------------------------


def test_a_path_that_read_no_record_is_not_judged_clean() -> None:
    story = Story("SEC-01", "no patron data")
    judge(story, _looked("SRU", None), _looked("SRU", None), "sru suite (test_no_patron_data_in_records)")
    assert _outcome(story).startswith(NOT_TESTED_PREFIX + "no path could be observed: SRU: no record could be read")
    assert not story.saw


def test_a_failed_get_record_is_the_oai_suites() -> None:
    story = Story("SEC-01", "no patron data")
    after = Looked("OAI-PMH")
    after.look(RECORD, None, needles([PATRON]), "GetRecord gave no MARC 21 record", "oaipmh suite (test_every_verb_answers)")
    judge(story, _looked("OAI-PMH", b"<record/>"), after, "oaipmh suite (test_harvested_records_carry_no_patron_data)")
    assert "reported by oaipmh suite (test_every_verb_answers)" in _outcome(story)


def test_a_record_read_before_and_after_without_patron_data_is_fine() -> None:
    story = Story("SEC-01", "no patron data")
    judge(story, _looked("SRU", b"<record>clean</record>"), _looked("SRU", b"<record>clean</record>"), "owner")
    assert _outcome(story) == "PASS" and story.saw == [f"SRU: no patron data in {RECORD}, before or after the loans and holds"]


@pytest.mark.parametrize(("data", "owned"), [
    ("utlånt til Máret Ánne Sara".encode(), True),  # as the profile gives it: the SRU suite's check sees it
    ("utlånt til MÁRET ÁNNE SARA".encode(), False),  # another case: only the story's matching sees it
    (b"utl&#229;nt til M&#225;ret &#193;nne Sara", False),  # character references
])
def test_a_leak_before_the_story_is_the_suites_only_when_its_check_sees_it(data: bytes, owned: bool) -> None:
    story = Story("SEC-01", "no patron data")
    judge(story, _looked("SRU", data), _looked("SRU", data), "sru suite (test_no_patron_data_in_records)")
    outcome = _outcome(story)
    if owned:
        assert "reported by sru suite (test_no_patron_data_in_records)" in outcome
    else:
        assert outcome.startswith("FAIL SRU: patron data before the story lent anything, in a form the sru suite"), outcome


def test_the_oai_suite_looks_for_the_value_as_given() -> None:
    story = Story("SEC-01", "no patron data")
    decomposed = "Ma\u0301ret A\u0301nne Sara".encode()
    judge(story, _looked("OAI-PMH", decomposed), _looked("OAI-PMH", decomposed), "oaipmh suite (x)")
    assert _outcome(story).startswith("FAIL OAI-PMH: patron data before the story lent anything")


# --- one path stopping does not undo the others ----------------------------------------------------------


def test_a_path_that_cannot_be_judged_leaves_the_others_verdicts() -> None:
    story = Story("KAT-01", "both holdings")
    with story.on("SRU"):
        story.fail("SRU", "one holding only")
    with story.on("Z39.50"):
        cannot_judge("a Z39.50 answer could not be read", "z3950 suite (test_bib1_searches_find_the_records)")
    assert story.owned == [("Z39.50: a Z39.50 answer could not be read", "z3950 suite (test_bib1_searches_find_the_records)")]
    assert _outcome(story) == "FAIL SRU: one holding only"


# --- times to visibility: each path its own ---------------------------------------------------------------


@dataclass
class _Clock:
    now: float = 0.0
    per_answer: float = 0.01

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_each_path_keeps_its_own_time_to_visibility() -> None:
    """A slow first path (shown after 1.5 s) does not add its wait to a fast second one."""
    clock = _Clock()

    def ask(ready_at: float) -> Sighting:
        clock.now += clock.per_answer
        return Sighting("q", record=object() if clock.now >= ready_at else None)  # type: ignore[arg-type]

    watched = poll_each({"SRU": Watch(lambda: ask(1.5), lambda s: s.found, 5.0),
                         "Z39.50": Watch(lambda: ask(0.0), lambda s: s.found, 5.0)},
                        since=0.0, clock=clock, sleep=clock.sleep)
    assert watched["SRU"].shown and watched["SRU"].seconds >= 1.5
    assert watched["Z39.50"].shown and watched["Z39.50"].seconds == pytest.approx(0.02)


def test_a_path_never_shown_stops_at_its_own_timeout() -> None:
    clock = _Clock()
    watched = poll_each({"SRU": Watch(lambda: Sighting("q"), lambda s: s.found, 0.5),
                         "Z39.50": Watch(lambda: Sighting("q"), lambda s: s.found, 2.0)}, since=0.0, clock=clock, sleep=clock.sleep)
    assert not watched["SRU"].shown and 0.5 <= watched["SRU"].seconds < 1.0
    assert not watched["Z39.50"].shown and 2.0 <= watched["Z39.50"].seconds < 3.0


def test_a_path_stopped_while_polled_is_recorded_for_that_path_only() -> None:
    clock = _Clock()

    def broken() -> Sighting:
        cannot_judge("unreadable", "z3950 suite (test_x)")

    watched = poll_each({"SRU": Watch(lambda: Sighting("q", record=object()), lambda s: s.found, 1.0),  # type: ignore[arg-type]
                         "Z39.50": Watch(broken, lambda s: s.found, 1.0)}, since=0.0, clock=clock, sleep=clock.sleep)
    story = Story("c", "e")
    assert not story.stopped("SRU", watched["SRU"]) and story.stopped("Z39.50", watched["Z39.50"])
    assert story.owned == [("Z39.50: unreadable", "z3950 suite (test_x)")]


# --- SRU copy status ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "state"), [
    ("on loan", ON_LOAN), ("In transit", IN_TRANSIT), ("available", AVAILABLE), ("", UNDECLARED), ("  ", UNDECLARED),
])
def test_an_sru_copy_without_a_status_is_not_available(status: str, state: str) -> None:
    settings = SruSettings("http://127.0.0.1:1/sru", status_tag="876", on_loan_values=("on loan",), in_transit_values=("in transit",))
    assert copy_state(status, settings) == state
    assert copy_state(status, SruSettings("http://127.0.0.1:1/sru")) == UNDECLARED


def test_an_sru_status_the_profile_does_not_name_is_neither_available_nor_on_loan() -> None:
    base = SruSettings("http://127.0.0.1:1/sru", status_tag="876", on_loan_values=("Utlånt",))
    declared = SruSettings("http://127.0.0.1:1/sru", status_tag="876", on_loan_values=("Utlånt",), available_values=("Ledig",))
    assert [copy_state(s, declared) for s in ("Ledig", "Utlånt", "Reparasjon")] == [AVAILABLE, ON_LOAN, UNKNOWN]
    assert copy_state("Reparasjon", base) == AVAILABLE  # no available_values: read as before, said as "not on loan"


def test_an_sru_copy_shows_its_status_in_words_and_why_it_cannot_be_judged() -> None:
    record = pymarc.Record()
    record.add_field(pymarc.Field("852", subfields=[pymarc.Subfield("a", "NO-1"), pymarc.Subfield("p", "b1"),
                                                    pymarc.Subfield("p", "b2")]))
    for barcode, status in (("b1", "Reparasjon"), ("b2", "Utlånt")):
        record.add_field(pymarc.Field("876", subfields=[pymarc.Subfield("p", barcode), pymarc.Subfield("j", status)]))
    for available, first in (((), (AVAILABLE, "not on loan (status 'Reparasjon')", False)),
                             (("Ledig",), (UNKNOWN, "undeclared status 'Reparasjon'", True))):
        settings = SruSettings("http://127.0.0.1:1/sru", status_tag="876", on_loan_values=("Utlånt",), available_values=available)
        one, two = sru_copies(record, settings)
        assert (one.state, one.seen, "copy b1 has status 'Reparasjon'" in one.unjudged) == first
        assert (two.state, two.seen, two.unjudged) == (ON_LOAN, "on loan (status 'Utlånt')", "")


# --- Z39.50: loan status learned from the story's own question; unreadable answers named ----------------


@dataclass
class _Search:
    result_count: int = 0
    status: bool = True


@dataclass
class _Client:
    fail: bool = False
    transcript: list[Any] = field(default_factory=list)
    searched: list[str] = field(default_factory=list)

    def search(self, query: str) -> _Search:
        self.searched.append(query)
        if self.fail:
            raise ProtocolViolation("the searchResponse does not decode", (), None)
        return _Search()


@dataclass
class _Target:
    client: _Client
    settings: Any = None

    def connect(self, database: str | None = None) -> _Client:
        return self.client


def test_z3950_loan_status_is_unknown_until_a_record_came_back() -> None:
    client = _Client()
    path = Z3950Path(_Target(client))  # type: ignore[arg-type]
    assert path.declares_loans is None and not client.searched  # no probe of its own ("a" is a stopword)
    path._read("@attr 1=4 nothing")
    assert path.declares_loans is None  # nothing came back: still unknown, not "declares none"


@pytest.mark.parametrize(("rule", "owner"), [(None, SEARCH_CHECK), ("text_not_utf8", "test_utf8_negotiated")])
def test_an_unreadable_z3950_answer_names_a_real_check(rule: str | None, owner: str) -> None:
    client = _Client(fail=True)
    if rule is not None:
        problem = Problem(Rule(rule, Severity.FAIL, "charneg-3"), "not UTF-8")
        client.search = lambda query: (_ for _ in ()).throw(ProtocolViolation("bad", (problem,), None))  # type: ignore[method-assign]
    path = Z3950Path(_Target(client))  # type: ignore[arg-type]
    with pytest.raises(pytest.skip.Exception, match=rf"reported by z3950 suite \({owner}\)"):
        path._read("@attr 1=4 word")


def test_z3950_usmarc_holdings_are_read_where_the_marc_unit_says() -> None:
    """Without OPAC records the copies come from the USMARC record's holdings: [marc] holdings_tag
    and holdings_library_subfield (Koha's 952 $b here), not a hard-coded 852 $a."""
    record = pymarc.Record()
    record.add_field(pymarc.Field("852", subfields=[pymarc.Subfield("a", "NO-852"), pymarc.Subfield("p", "b852")]),
                     pymarc.Field("952", subfields=[pymarc.Subfield("b", "NO-952"), pymarc.Subfield("p", "b952")]))
    plain = SimpleNamespace(opac=None)
    koha = Z3950Path(_Target(_Client()), holdings=HoldingsLayout("952", "b"))  # type: ignore[arg-type]
    assert [(c.barcode, c.library, c.state) for c in koha._copies(plain, record)] == [("b952", "NO-952", UNDECLARED)]  # type: ignore[arg-type]
    assert list(koha._libraries(plain, record)) == ["NO-952"]  # type: ignore[arg-type]
    default = Z3950Path(_Target(_Client()))  # type: ignore[arg-type]
    assert [(c.barcode, c.library) for c in default._copies(plain, record)] == [("b852", "NO-852")]  # type: ignore[arg-type]


# --- controls that could not run ---------------------------------------------------------------------------


def test_no_fixture_letter_record_returned_is_no_control() -> None:
    catalogue = load_catalogue()
    assert fixture_changes(catalogue, {}) is None
    record = catalogue["hx0000002"].record
    assert fixture_changes(catalogue, {"hx0000002": record}) == []


@pytest.mark.parametrize(("aj", "control", "verdict"), [
    ("Čáppa girji", "x", "fine"),
    ("Čáppa girji : ođđa", "x", "fine"),  # AJ with the subtitle still holds the title proper
    ("Cappa girji", "x", "differs"),
    (None, "Another title", "missing"),  # the crossing's: the profile's own item has a title
    (None, None, "no control"),  # AJ missing everywhere: the SIP2 suite's layout check's
])
def test_sip2_title_compares_the_title_proper(aj: str | None, control: str | None, verdict: str) -> None:
    assert sip2_title("Čáppa girji", aj, control)[0] == verdict


# --- the catalogue's own holdings read as the members are named ---------------------------------------------


@dataclass
class _Export:
    data: bytes


@dataclass
class _Channel:
    record: Any
    transcript: list[Any] = field(default_factory=list)

    def export(self, fmt: str, library: str | None) -> _Export:
        return _Export(encode_iso2709(self.record))


def test_a_holding_naming_the_library_by_isil_is_its_holding() -> None:
    """852 $a may name a member by ISIL or code: read as Members.numbers reads holdings elsewhere."""
    record = shared_record("NO-TestISIL", story="x").record
    number_field = pymarc.Field(tag="001", data="rec1")
    record.fields.insert(0, number_field)
    isil = {"NO-TestISIL": "NO-9900001"}
    importer = Importer(_Channel(record), MarcSettings("api"),  # type: ignore[arg-type]
                        lambda named: {isil.get(n, n) for n in named})
    assert importer._held_in("NO-9900001", "rec1") == ""
    assert "without a holding" in importer._held_in("NO-9900011", "rec1")


# --- a protocol's own index defect and a cooperation defect cannot both be shown --------------------------


@pytest.mark.parametrize("own", [z3950_defects.STALE_INDEX, z3950_defects.NFD_UNFINDABLE])
def test_an_index_defect_with_a_cooperation_defect_is_a_usage_error(own: Defect) -> None:
    consortium = Consortium(libraries=load_libraries())
    defects = DefectSet(frozenset({own, coop_defects.TRANSIT_NOT_IN_SEARCH}))
    with pytest.raises(UsageError, match=rf"{own.name} and --sandbox-defect {coop_defects.TRANSIT_NOT_IN_SEARCH.name}"):
        index_for(consortium, defects)
    assert sru_defects.INDEX_DEFECTS and all(x.protocol == "sru" for x in sru_defects.INDEX_DEFECTS)
    assert index_for(consortium, DefectSet(frozenset({coop_defects.TRANSIT_NOT_IN_SEARCH}))) is not None


# --- a difference judged against a control that does not cross ---------------------------------


def test_a_difference_the_control_shows_too_is_its_owners() -> None:
    story = Story("SPR-01", "letters as sent")
    assert not story.crossing_owns("SRU", "ŋ became n", "the fixture records' letters change too: ŧ became t",
                                   "sru::test_letters", without="no fixture came back")
    assert story.owned == [("SRU: ŋ became n; the fixture records' letters change too: ŧ became t", "sru::test_letters")]
    assert not story.failed and not story.unobserved


def test_a_difference_without_a_control_is_not_judged() -> None:
    story = Story("SPR-01", "letters as sent")
    assert not story.crossing_owns("SRU", "ŋ became n", None, "sru::test_letters", without="no fixture came back")
    assert story.unobserved == ["SRU: ŋ became n; no fixture came back, so it cannot be told from the sru::test_letters fault"]
    assert not story.owned and not story.failed


def test_a_difference_the_clean_control_lacks_is_the_crossings() -> None:
    story = Story("SPR-01", "letters as sent")
    assert story.crossing_owns("SRU", "ŋ became n", "", "sru::test_letters", without="no fixture came back")
    assert not story.owned and not story.unobserved  # the caller FAILs it, with its exchanges
