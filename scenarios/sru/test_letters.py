"""SPR-01 and SPR-02 on the search path: Sámi, Norwegian and Kven letters, found and returned as they are.

Records come back byte for byte as catalogued (an NFD record stays NFD). Searching is blind
to how query and data are normalised (NFC query, NFD data and the reverse) and to case
across the Sámi letters (Ŋ finds ŋ), and never folds one letter into another (å is not a,
č is not c) unless the vendor declares that it does (``[sru] folds_letters``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

import pytest

from harness.findings import cannot_judge, not_tested
from harness.sru import checks as c
from harness.sru import defects
from harness.sru.catalogue import FixtureRecord, find_number
from harness.sru.client import SruClient
from harness.sru.cql import literal, where
from harness.sru.records import control_number, marc_records
from harness.sru.target import SruTarget

BYTE_EXACT_CLAUSE = ("MARC 21 Specifications, Character Sets: Unicode Encoding Environment (UTF-8); consortium "
                     "requirement SPR-01: Norwegian, Sámi and Kven letters survive every path byte for byte")
NORMALISATION_CLAUSE = ("Unicode Standard Annex #15 (Normalization Forms): canonically equivalent strings (NFC, NFD) are "
                        "the same text; consortium requirement SPR-02")
CASE_CLAUSE = ("The Unicode Standard, §3.13 Default Case Folding (Ŋ/ŋ, Đ/đ, Ŧ/ŧ, Č/č, Š/š, Ž/ž, Á/á); consortium "
               "requirement SPR-02: searches find Sámi terms whatever their case")
FOLDING_CLAUSE = ("Consortium requirement SPR-02; Norwegian and North Sámi orthography: å ø æ á č đ ŋ š ŧ ž are letters "
                  "of their own (CLDR nb and se), not a o ae a c d n s t z")
BYTE_EXACT = ("hx0000002", "hx0000003", "hx0000004", "hx0000005", "hx0000020")  # North, South, Lule Sámi, Kven; an NFD record
# (record, a word of its title, that word with its letters folded to ASCII as ICU Latin-ASCII does)
FOLDED = (("hx0000002", "čáppa", "cappa"), ("hx0000002", "ŋuolggat", "nuolggat"), ("hx0000002", "đuoddarat", "duoddarat"),
          ("hx0000001", "ærfugl", "aerfugl"), ("hx0000001", "øyvær", "oyvaer"), ("hx0000003", "åarjelsaemien", "aarjelsaemien"))
SAMI_WORDS = ("čáppa", "ŋuolggat", "đuoddarat", "ruoŧŧa", "viežžat", "šattuid")  # the words of hx0000002's title


def _title_index(sru_target: SruTarget) -> str:
    index = sru_target.index("title")
    if index is None:
        cannot_judge("explain declares no title index", "test_members_find_catalogue_records")
    return index


@pytest.mark.requirement("SPR-01")
@pytest.mark.failed_by(defects.RECORDS_LOSE_SAMI_LETTERS)
def test_letters_byte_exact_in_records(sru: SruClient, sru_target: SruTarget,
                                       held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """Title and author of Sámi, Kven and NFD records come back byte for byte as catalogued

    nb: Tittel og forfatter i samiske, kvenske og NFD-poster kommer tilbake byte for byte som katalogisert
    """
    isbn = sru_target.index("isbn")
    if isbn is None:
        cannot_judge("explain declares no ISBN index", "test_members_find_catalogue_records")
    changed = []
    for number in BYTE_EXACT:
        fixture = held_catalogue[number].record
        response = c.search(sru.search_retrieve(where(isbn, "=", literal(held_catalogue[number].isbn)), maximum_records=5),
                            sru, f"{number} by ISBN")
        returned = [m for m in marc_records(response.records) if control_number(m) == number]
        if not returned:
            cannot_judge(f"{number} is not found by its ISBN", "test_members_find_catalogue_records")
        for tag, code in (("245", "a"), ("245", "b"), ("100", "a")):
            want = [v for f in fixture.get_fields(tag) for v in f.get_subfields(code)]
            got = [v for f in returned[0].get_fields(tag) for v in f.get_subfields(code)]
            if want != got:
                changed.append(f"{number} {tag} ${code}: {got!r} ({_form(got)}), catalogued {want!r} ({_form(want)})")
    if changed:
        raise c.fail(f"{len(changed)} subfields differ from the catalogued bytes: {changed[0]}", clause=BYTE_EXACT_CLAUSE,
                     client=sru, details=changed, last=len(BYTE_EXACT),
                     expected="245 $a $b and 100 $a exactly as in fixtures/marc/consortium.mrc (NFD stays NFD)")


def _form(values: list[str]) -> str:
    text = "".join(values)
    return "NFC" if unicodedata.is_normalized("NFC", text) else "NFD" if unicodedata.is_normalized("NFD", text) else "mixed"


@pytest.mark.requirement("SPR-02")
@pytest.mark.failed_by(defects.NFD_UNFINDABLE)
def test_search_is_blind_to_normalisation(sru: SruClient, sru_target: SruTarget,
                                          held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """An NFC query finds NFD data and an NFD query finds NFC data

    nb: Et NFC-søk finner NFD-data og et NFD-søk finner NFC-data
    """
    title = _title_index(sru_target)
    nfd_record = held_catalogue["hx0000020"]  # stored decomposed: "Mearrasámiid eallin"
    nfc_record = held_catalogue["hx0000002"]  # stored composed: "Čáppa ŋuolggat, ..."
    if not nfd_record.nfd or nfc_record.nfd:
        not_tested("the fixture catalogue's NFD and NFC records are not as expected")
    cases = [("NFC query, NFD record", unicodedata.normalize("NFC", "mearrasámiid"), nfd_record),
             ("NFD query, NFC record", unicodedata.normalize("NFD", "čáppa"), nfc_record)]
    missing = []
    for what, word, record in cases:
        found, hits = find_number(sru, where(title, "=", literal(word)), record.number)
        if not found:
            missing.append(f"{what}: {title} = {word!r} ({' '.join(f'U+{ord(ch):04X}' for ch in word)}) found {hits} "
                           f"records, not {record.number}")
    if missing:
        raise c.fail(missing[0], clause=NORMALISATION_CLAUSE, client=sru, details=missing, last=4,
                     expected="the record, whichever normalisation form query and data are in")


@pytest.mark.requirement("SPR-02")
@pytest.mark.failed_by(defects.ASCII_CASE_ONLY)
def test_search_is_caseless_across_sami_letters(sru: SruClient, sru_target: SruTarget,
                                                held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """Upper-case Sámi terms (ČÁPPA, ŊUOLGGAT, ĐUODDARAT, RUOŦŦA ...) find the record as lower-case ones do

    nb: Samiske termer med store bokstaver (ČÁPPA, ŊUOLGGAT, ĐUODDARAT, RUOŦŦA ...) finner posten som små bokstaver gjør
    """
    title = _title_index(sru_target)
    record = held_catalogue["hx0000002"]
    if not find_number(sru, where(title, "=", literal(SAMI_WORDS[1])), record.number)[0]:
        cannot_judge(f"{title} = {SAMI_WORDS[1]} does not find {record.number}", "test_members_find_catalogue_records")
    missing = []
    for word in SAMI_WORDS:
        upper = word.upper()
        found, hits = find_number(sru, where(title, "=", literal(upper)), record.number)
        if not found:
            missing.append(f"{title} = {upper} found {hits} records, not {record.number} (title {record.title!r})")
    if missing:
        raise c.fail(missing[0], clause=CASE_CLAUSE, client=sru, details=missing, last=len(missing),
                     expected=f"{record.number} for every word of its title in upper case")


@pytest.mark.requirement("SPR-02")
@pytest.mark.failed_by(defects.LETTER_FOLDING)
def test_letters_are_not_folded(sru: SruClient, sru_target: SruTarget,
                                held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """å, ø, æ and the Sámi letters are not folded to a, o, ae, c, d, n ...: 'cappa' does not find 'čáppa'

    nb: å, ø, æ og de samiske bokstavene foldes ikke til a, o, ae, c, d, n ...: 'cappa' finner ikke 'čáppa'
    """
    if sru_target.settings.folds_letters:
        not_tested("the profile declares that the target folds letters ([sru] folds_letters = true)")
    title = _title_index(sru_target)
    folded = []
    for number, word, ascii_word in FOLDED:
        found, hits = find_number(sru, where(title, "=", literal(ascii_word)), number, budget=2)
        if found:
            folded.append(f"{title} = {ascii_word} finds {number} ({held_catalogue[number].title!r}; {hits} records)")
    if folded:
        raise c.fail(f"letters are folded to their base letters: {folded[0]}", clause=FOLDING_CLAUSE, client=sru,
                     details=folded, last=len(FOLDED), expected="no record whose word has å ø æ á č đ ŋ ... for the ASCII spelling")
