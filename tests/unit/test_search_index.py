"""The sandbox's search index: letters, cases, normal forms, collation, truncation, limits, currency."""

from __future__ import annotations

import unicodedata

import pymarc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.sandbox.search import (
    ANY_RUN,
    ONE_CHAR,
    AllRecords,
    And,
    AndNot,
    Or,
    SearchIndex,
    SortSpec,
    fold,
    normalise_isbn,
    sort_key,
    term,
)
from harness.sandbox.search.collation import collate


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def record(number: str, title: str, author: str = "", subjects: tuple[str, ...] = (), isbn: str = "",
           holdings: tuple[tuple[str, str], ...] = (), nonfiling: int = 0, other: tuple[str, ...] = ()) -> pymarc.Record:
    r = pymarc.Record(force_utf8=True)
    r.fields.append(pymarc.Field(tag="001", data=number))
    for value in other:
        r.fields.append(pymarc.Field(tag="035", indicators=pymarc.Indicators(" ", " "), subfields=[pymarc.Subfield("a", value)]))
    if isbn:
        r.fields.append(pymarc.Field(tag="020", indicators=pymarc.Indicators(" ", " "), subfields=[pymarc.Subfield("a", isbn)]))
    if author:
        r.fields.append(pymarc.Field(tag="100", indicators=pymarc.Indicators("1", " "), subfields=[pymarc.Subfield("a", author)]))
    r.fields.append(pymarc.Field(tag="245", indicators=pymarc.Indicators("1", str(nonfiling)), subfields=[pymarc.Subfield("a", title)]))
    for subject in subjects:
        r.fields.append(pymarc.Field(tag="650", indicators=pymarc.Indicators(" ", "7"), subfields=[pymarc.Subfield("a", subject), pymarc.Subfield("2", "humord")]))
    for library, barcode in holdings:
        r.fields.append(pymarc.Field(tag="852", indicators=pymarc.Indicators(" ", " "), subfields=[pymarc.Subfield("a", library), pymarc.Subfield("p", barcode)]))
    return r


CATALOGUE = {
    "r1": record("r1", "Ođđa sámegiela girjjit : čálli, đuoddara ja ŋ-bustávva", "Gaup, Áilu", ("Sámegiella",),
                 "978-82-03-00001-3", (("NO-1", "b11"), ("NO-2", "b21"))),
    "r2": record("r2", nfd("Ŧoaddi ja žiehpi"), nfd("Šávžžas, Ŧeahkká"), (nfd("Čáppagirjjálašvuohta"),), "", (("NO-2", "b22"),)),
    "r3": record("r3", "Blåbærturen : æøå i norske bibliotek", "Østbø, Ørnulf", ("Bibliotek", "Blåbær"), "0-306-40615-2",
                 (("NO-1", "b12"),), other=("(NO-OsBA)123456",)),
    "r4": record("r4", "Blabaerturen i Aalesund", "Ostbo, Ornulf", ("Bibliotek",), "", (("NO-3", "b31"),)),
    "r5": record("r5", "The fjord and the fell", "Smith, John", ("Fjell",), "", (("NO-3", "b32"),), nonfiling=4),
    "r6": record("r6", "Fjell og fjord", "Nordmann, Kari", ("Fjell", "Fjord"), "", (("NO-1", "b13"),)),
}


@pytest.fixture
def catalogue() -> dict[str, pymarc.Record]:
    return dict(CATALOGUE)


@pytest.fixture
def index(catalogue: dict[str, pymarc.Record]) -> SearchIndex:
    return SearchIndex(catalogue, availability=lambda barcode: {"b11": True, "b21": False}.get(barcode))


def found(index: SearchIndex, *args: object, **kwargs: object) -> set[str]:
    return set(index.search(term(*args, **kwargs)))  # type: ignore[arg-type]


# --- letters, cases, normal forms ---------------------------------------------------------------------


@pytest.mark.parametrize("query", ["ŧoaddi", "ŦOADDI", nfd("ŧoaddi"), "Ŧoaddi"])
def test_nfd_data_found_by_any_form_and_case(index: SearchIndex, query: str) -> None:
    assert found(index, "title", query) == {"r2"}


@pytest.mark.parametrize("query", ["ođđa", "OĐĐA", nfd("ođđa"), "čálli", "ČÁLLI", "ŋ", "Ŋ", "áilu", "ÁILU"])
def test_sami_letters_match_across_case_and_form(index: SearchIndex, query: str) -> None:
    assert found(index, "any", query) == {"r1"}


@pytest.mark.parametrize(("query", "expected"), [
    ("blåbærturen", {"r3"}), ("blabaerturen", {"r4"}), ("østbø", {"r3"}), ("ostbo", {"r4"}),
    ("ØSTBØ", {"r3"}), ("ailu", set()), ("odda", set()), ("calli", set()), ("toaddi", set()),
])
def test_letters_are_not_folded_into_others(index: SearchIndex, query: str, expected: set[str]) -> None:
    assert found(index, "any", query) == expected


def test_shavzzas_in_nfd_and_nfc_and_upper_case(index: SearchIndex) -> None:
    assert found(index, "author", "ŠÁVŽŽAS") == found(index, "author", nfd("šávžžas")) == {"r2"}


def test_fold_is_caseless_matching_on_canonical_equivalents() -> None:
    assert fold("ÅLESUND") == fold(nfd("ålesund")) == "ålesund"
    assert fold("Đ") == "đ" and fold("Ŋ") == "ŋ" and fold("Ŧ") == "ŧ" and fold("Æ") == "æ"
    assert fold("å") != fold("a") and fold("ø") != fold("o") and fold("á") != fold("a")


@given(st.text())
def test_fold_ignores_the_normal_form(text: str) -> None:
    assert fold(unicodedata.normalize("NFC", text)) == fold(unicodedata.normalize("NFD", text))


def test_without_normalisation_nfd_data_is_not_found_by_nfc_queries(catalogue: dict[str, pymarc.Record]) -> None:
    deviant = SearchIndex(catalogue, normalise_unicode=False)
    assert deviant.search(term("title", "žiehpi")) == []  # ž is stored as z + U+030C
    assert deviant.search(term("title", "ođđa")) == ["r1"]


# --- words, phrases, truncation, booleans ----------------------------------------------------------------


def test_modes(index: SearchIndex) -> None:
    assert found(index, "title", "fell fjord", "all") == {"r5"}
    assert found(index, "title", "fell fjord", "phrase") == set()
    assert found(index, "title", "fjord and the fell", "phrase") == {"r5"}
    assert found(index, "title", "fjell og fjord", "phrase") == {"r6"}
    assert found(index, "title", "fjell og", "exact") == set()
    assert found(index, "title", "FJELL OG FJORD", "exact") == {"r6"}
    assert found(index, "title", "ođđa blåbærturen", "any") == {"r1", "r3"}


def test_anchors(index: SearchIndex) -> None:
    assert found(index, "title", "fjell", "phrase", anchored_start=True) == {"r6"}
    assert found(index, "title", "fjord", "phrase", anchored_end=True) == {"r6"}
    assert found(index, "title", "fjord", "phrase", anchored_start=True) == set()


@pytest.mark.parametrize(("pattern", "expected"), [
    (f"fjel{ANY_RUN}", {"r6"}), (f"f{ANY_RUN}l", {"r5", "r6"}), (f"{ANY_RUN}turen", {"r3", "r4"}), (f"bl{ANY_RUN}turen", {"r3", "r4"}),
    (f"bl{ONE_CHAR}bærturen", {"r3"}), (f"{ANY_RUN}ŧoaddi", {"r2"}), (f"ŦOA{ANY_RUN}", {"r2"}), (f"zzz{ANY_RUN}", set()),
])
def test_truncation_and_masking(index: SearchIndex, pattern: str, expected: set[str]) -> None:
    assert found(index, "title", pattern) == expected


def test_booleans(index: SearchIndex) -> None:
    fjell, bibliotek = term("subject", "fjell"), term("subject", "bibliotek")
    assert set(index.search(Or(fjell, bibliotek))) == {"r3", "r4", "r5", "r6"}
    assert set(index.search(And(fjell, term("title", "fjord")))) == {"r5", "r6"}
    assert set(index.search(AndNot(fjell, term("author", "smith")))) == {"r6"}
    assert len(index.search(AllRecords())) == 6


def test_isbn_normalised_on_both_sides(index: SearchIndex) -> None:
    assert found(index, "isbn", "9788203000013") == {"r1"}
    assert found(index, "isbn", "978 82 03 00001 3") == {"r1"}
    assert found(index, "isbn", "0306406152") == found(index, "isbn", "978-0-306-40615-7") == {"r3"}
    assert normalise_isbn("0-306-40615-2") == "9780306406157"


def test_identifier_is_001_and_035(index: SearchIndex) -> None:
    assert found(index, "identifier", "r4") == {"r4"}
    assert found(index, "identifier", "(NO-OsBA)123456", "phrase") == {"r3"}


# --- libraries and holdings ----------------------------------------------------------------------------


def test_library_limit(index: SearchIndex) -> None:
    everything = term("subject", "bibliotek")
    assert set(index.search(everything)) == {"r3", "r4"}
    assert index.search(everything, library="NO-1") == ["r3"]
    assert index.search(everything, library="NO-3") == ["r4"]
    assert index.search(everything, library="NO-2") == []
    assert found(index, "library", "no-2") == {"r1", "r2"}


def test_holdings_carry_library_and_live_loan_status(index: SearchIndex) -> None:
    holdings = {(h.library, h.barcode, h.on_loan) for h in index.holdings("r1")}
    assert holdings == {("NO-1", "b11", True), ("NO-2", "b21", False)}
    assert index.holdings("nope") == ()


# --- currency --------------------------------------------------------------------------------------------


def test_records_are_current_the_moment_they_change(catalogue: dict[str, pymarc.Record], index: SearchIndex) -> None:
    assert index.search(term("title", "ruoktu")) == []
    catalogue["r7"] = record("r7", "Ruoktu", holdings=(("NO-1", "b14"),))
    assert index.search(term("title", "ruoktu")) == ["r7"]
    catalogue["r7"] = record("r7", "Mánát")  # replaced, as the MARC channel does on update
    assert index.search(term("title", "ruoktu")) == []
    assert index.search(term("title", "mánát")) == ["r7"]
    del catalogue["r7"]
    assert index.search(term("title", "mánát")) == []
    assert index.refresh() == 0


def test_catalogue_order_without_sort(catalogue: dict[str, pymarc.Record], index: SearchIndex) -> None:
    assert index.search(AllRecords()) == list(catalogue)


# --- collation and sorting ------------------------------------------------------------------------------


def test_norwegian_and_sami_collation() -> None:
    words = ["Østbø", "Ålesund", "Zorro", "Žárja", "Ærfugl", "Áilu", "abc", "Čiekča", "Cecilie", "Đuoddar", "Dávid",
             "Nordmann", "Ŋuolla", "Šávžžas", "Smith", "Ŧeahkká", "Tveit", "Ärlig", "Ödegaard", "ütopi", "yngre"]
    assert collate(words) == ["abc", "Áilu", "Cecilie", "Čiekča", "Dávid", "Đuoddar", "Nordmann", "Ŋuolla", "Smith",
                              "Šávžžas", "Tveit", "Ŧeahkká", "yngre", "ütopi", "Zorro", "Žárja", "Ærfugl", "Ärlig",
                              "Ödegaard", "Østbø", "Ålesund"]


def test_collation_ignores_normal_form_and_puts_lower_case_first() -> None:
    assert sort_key(nfd("Ålesund")) == sort_key("Ålesund")
    assert collate(["Åse", "åse"]) == ["åse", "Åse"]
    assert collate(["fjellet", "fjell"]) == ["fjell", "fjellet"]


def test_sorting_by_title_skips_nonfiling_characters(index: SearchIndex) -> None:
    ids = index.search(AllRecords(), sort=[SortSpec("title")])
    assert ids == ["r4", "r3", "r6", "r5", "r1", "r2"]  # r5 sorts as "fjord and the fell": 245 ind2 = 4
    assert index.search(AllRecords(), sort=[SortSpec("title", descending=True)]) == ids[::-1]


def test_sorting_by_author(index: SearchIndex) -> None:
    assert index.search(AllRecords(), sort=[SortSpec("author")]) == ["r1", "r6", "r4", "r5", "r2", "r3"]


def test_scan_in_collation_order_with_counts(index: SearchIndex) -> None:
    entries = index.scan("author", "n", 4)
    assert [(e.display, e.count) for e in entries] == [("Nordmann", 1), ("Ornulf", 1), ("Ostbo", 1), ("Smith", 1)]
    before = index.scan("author", "n", 3, position=2)
    assert [e.display for e in before] == ["Kari", "Nordmann", "Ornulf"]
    assert [e.term for e in index.scan("subject", "c", 2)] == ["čáppagirjjálašvuohta", "fjell"]
    assert [e.term for e in index.scan("subject", "s", 2)] == ["sámegiella"]
