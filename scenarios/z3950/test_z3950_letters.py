"""SPR-01 and SPR-02 on the Z39.50 path: Sámi, Norwegian and Kven letters, returned and found.

USMARC records come back in UTF-8 with leader/09 = a and the letters byte for byte as
catalogued (an NFD record stays NFD). When an origin negotiates MARC-8, a target may send
MARC-8 (č š ž have ANSEL diacritics; ŋ ŧ need MARC 21's lossless numeric character
references) or decline and send UTF-8: either way no letter may silently go missing, as it
does in YAZ's conversion (measured). Searching is blind to normalisation (NFC query, NFD
data and the reverse) and to case across the Sámi letters, and never folds one letter
into another.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping

import pymarc
import pytest

from harness.findings import WarningRecorder, cannot_judge, not_tested, skip_undeclared
from harness.marc.lenient import decode_record
from harness.rules import Severity
from harness.sru.catalogue import FixtureRecord
from harness.z3950 import checks as c
from harness.z3950 import defects, oids
from harness.z3950.client import AssociationClosed, Client
from harness.z3950.init import CharsetProposal
from harness.z3950.target import InitRefused, Z3950Target

BYTE_EXACT_CLAUSE = ("MARC 21 Specifications, Character Sets: Unicode Encoding Environment (UTF-8, leader/09 = a); "
                     "consortium requirement SPR-01: Norwegian, Sámi and Kven letters survive every path byte for byte")
MARC8_CLAUSE = ("MARC 21 Specifications, Character Sets, Part 4 'Lossless conversion': characters MARC-8 lacks are "
                "numeric character references (&#x014B;), never dropped; consortium requirement SPR-01")
NORMALISATION_CLAUSE = ("Unicode Standard Annex #15 (Normalization Forms): canonically equivalent strings (NFC, NFD) "
                        "are the same text; consortium requirement SPR-02")
CASE_CLAUSE = ("The Unicode Standard, §3.13 Default Case Folding (Ŋ/ŋ, Đ/đ, Ŧ/ŧ, Č/č, Š/š, Ž/ž, Á/á); consortium "
               "requirement SPR-02: searches find Sámi terms whatever their case")
FOLDING_CLAUSE = ("Consortium requirement SPR-02; Norwegian and North Sámi orthography: å ø æ á č đ ŋ š ŧ ž are letters "
                  "of their own (CLDR nb and se), not a o ae a c d n s t z")
BYTE_EXACT = ("hx0000002", "hx0000003", "hx0000004", "hx0000005", "hx0000020")  # North, South, Lule Sámi, Kven; an NFD record
SAMI_RECORD, SAMI_LETTERS = "hx0000002", "ŋŧčšž"
SAMI_WORDS = ("čáppa", "ŋuolggat", "đuoddarat", "ruoŧŧa", "viežžat", "šattuid")  # the words of hx0000002's title
FOLDED = (("hx0000002", "cappa"), ("hx0000002", "nuolggat"), ("hx0000002", "duoddarat"), ("hx0000001", "aerfugl"),
          ("hx0000001", "oyvaer"), ("hx0000003", "aarjelsaemien"))
_NCR = re.compile(r"&#x([0-9A-Fa-f]{2,6});")


def _subfields(record: pymarc.Record, decode: Callable[[str], str] = lambda v: v) -> dict[str, list[str]]:
    return {f"{tag} ${code}": [decode(v) for f in record.get_fields(tag) for v in f.get_subfields(code)]
            for tag, code in (("245", "a"), ("245", "b"), ("100", "a"))}


def _usmarc(client: Client, record: FixtureRecord) -> bytes | None:
    found = client.search(f"@attr 1=7 {record.isbn}")
    present = client.present(1, min(max(found.result_count, 1), 5), record_syntax=oids.USMARC)
    return next((r.data for r in present.records or () if r.diagnostic is None and c.control_number(r) == record.number), None)


@pytest.mark.requirement("SPR-01")
@pytest.mark.failed_by(defects.LEADER_09_BLANK, defects.RECORDS_LOSE_SAMI_LETTERS)
def test_usmarc_letters_byte_exact(z3950: Client, z3950_catalogue: Mapping[str, FixtureRecord]) -> None:
    """USMARC records are UTF-8 with leader/09 = a, and ŋ ŧ č š ž (and every letter) come back byte for byte

    nb: USMARC-poster er UTF-8 med leader/09 = a, og ŋ ŧ č š ž (og alle bokstaver) kommer tilbake byte for byte
    """
    wrong = []
    for number in BYTE_EXACT:
        fixture = z3950_catalogue[number]
        data = _usmarc(z3950, fixture)
        if data is None:
            cannot_judge(f"{number} is not found by its ISBN in USMARC", "test_bib1_searches_find_the_records")
        if data[9:10] != b"a":
            wrong.append(f"{number}: leader/09 is {data[9:10].decode('latin-1')!r}, not 'a' (UTF-8)")
        returned = decode_record(data).record
        if returned is None:
            wrong.append(f"{number}: not readable as ISO 2709")
            continue
        want, got = _subfields(fixture.record), _subfields(returned)
        wrong += [f"{number} {key}: {got[key]!r}, catalogued {want[key]!r}" for key in want if want[key] != got[key]]
        title = "".join(want["245 $a"]).encode("utf-8")
        if title and title not in data:
            wrong.append(f"{number}: the bytes of 245 $a ({title[:40].hex(' ')} ...) are not in the record")
    if wrong:
        raise c.fail(f"{len(wrong)} differences from the catalogued letters: {wrong[0]}", clause=BYTE_EXACT_CLAUSE,
                     client=z3950, details=wrong, last=2 * len(BYTE_EXACT),
                     expected="leader/09 a; 245 $a $b and 100 $a exactly as in fixtures/marc/consortium.mrc")


def _decode_marc8(data: bytes) -> pymarc.Record | None:
    try:
        return pymarc.Record(data=data, to_unicode=True, force_utf8=False)
    except Exception:  # noqa: BLE001 - pymarc's complaints about a broken record: nothing to compare
        return None


@pytest.mark.requirement("SPR-01")
@pytest.mark.failed_by(defects.MARC8_DROPS_SAMI)
def test_marc8_keeps_sami_letters(z3950_target: Z3950Target, z3950_connect: Callable[..., Client],
                                  z3950_catalogue: Mapping[str, FixtureRecord], warn: WarningRecorder) -> None:
    """With MARC-8 negotiated, Sámi letters are not dropped: č š ž as ANSEL diacritics, ŋ ŧ as &#x...; (or UTF-8)

    nb: Med MARC-8 forhandlet forsvinner ikke samiske bokstaver: č š ž som ANSEL-diakritika, ŋ ŧ som &#x...; (eller UTF-8)
    """
    try:
        client = z3950_connect(charset=CharsetProposal(("MARC-8",), records_in_selected_charsets=True))
    except (AssociationClosed, InitRefused) as exc:
        skip_undeclared(f"the target does not take MARC-8: an Init proposing MARC-8 alone was not accepted ({exc})")
    if c.own_problems(client.problems, c.CHARSET_CHECK, severity=Severity.FAIL):
        cannot_judge("the target selected a character set the harness did not propose", c.CHARSET_CHECK)
    selected = client.init_response.charset if client.init_response else None
    fixture = z3950_catalogue[SAMI_RECORD]
    data = _usmarc(client, fixture)
    if data is None:
        cannot_judge(f"{fixture.number} is not found by its ISBN in USMARC", "test_bib1_searches_find_the_records")
    utf8 = data[9:10] == b"a"
    returned = decode_record(data).record if utf8 else _decode_marc8(data)
    if returned is None:
        raise c.fail(f"{fixture.number} in {'UTF-8' if utf8 else 'MARC-8'} is not readable as ISO 2709", clause=MARC8_CLAUSE,
                     client=client, expected="a MARC 21 record", last=2)
    def undo(value: str) -> str:
        return unicodedata.normalize("NFC", _NCR.sub(lambda m: chr(int(m.group(1), 16)), value))
    want = _subfields(fixture.record, lambda v: unicodedata.normalize("NFC", v))
    got = _subfields(returned, undo)
    wrong = [f"{key}: {got[key]!r}, catalogued {want[key]!r}" for key in want if want[key] != got[key]]
    if wrong:
        lost = sorted(set(SAMI_LETTERS) - set("".join(got["245 $a"]).casefold()))
        raise c.fail(f"{fixture.number} with {selected.charset if selected and selected.charset else 'no character set'} "
                     f"selected, records in {'UTF-8' if utf8 else 'MARC-8'}: {wrong[0]}"
                     + (f" (lost: {' '.join(lost)})" if lost else ""), clause=MARC8_CLAUSE, client=client, details=wrong,
                     expected="245 $a $b and 100 $a as catalogued, after MARC-8 decoding and NCRs", last=2)
    how = "MARC-8 with numeric character references" if not utf8 else "UTF-8 (MARC-8 declined)"
    warn.note(f"MARC-8 proposed, {selected.charset if selected and selected.charset else 'nothing'} selected; "
              f"{fixture.number} came in {how}, every letter intact")


def _title_finds(client: Client, word: str, number: str) -> tuple[bool, str]:
    found, search = c.numbers_found(client, f"@attr 1=4 {c.pqf_term(word)}")
    codepoints = " ".join(f"U+{ord(ch):04X}" for ch in word)
    return number in found, f"@attr 1=4 {word!r} ({codepoints}): {search.result_count} hits ({c.describe(search.diagnostics)})"


@pytest.mark.requirement("SPR-02")
@pytest.mark.failed_by(defects.NFD_UNFINDABLE)
def test_search_is_blind_to_normalisation(z3950: Client, z3950_catalogue: Mapping[str, FixtureRecord]) -> None:
    """An NFC term finds NFD data and an NFD term finds NFC data

    nb: En NFC-term finner NFD-data og en NFD-term finner NFC-data
    """
    nfd_record, nfc_record = z3950_catalogue["hx0000020"], z3950_catalogue[SAMI_RECORD]
    if not nfd_record.nfd or nfc_record.nfd:
        not_tested("the fixture catalogue's NFD and NFC records are not as expected")
    cases = [("NFC term, NFD record", unicodedata.normalize("NFC", "mearrasámiid"), nfd_record),
             ("NFD term, NFC record", unicodedata.normalize("NFD", "čáppa"), nfc_record)]
    missing = []
    for what, word, record in cases:
        found, line = _title_finds(z3950, word, record.number)
        if not found:
            missing.append(f"{what}: {line}, not {record.number}")
    if missing:
        raise c.fail(missing[0], clause=NORMALISATION_CLAUSE, client=z3950, details=missing, last=4,
                     expected="the record, whichever normalisation form term and data are in")


@pytest.mark.requirement("SPR-02")
@pytest.mark.failed_by(defects.ASCII_CASE_ONLY)
def test_search_is_caseless_across_sami_letters(z3950: Client, z3950_catalogue: Mapping[str, FixtureRecord]) -> None:
    """Upper-case Sámi terms (ČÁPPA, ŊUOLGGAT, ĐUODDARAT, RUOŦŦA ...) find the record as lower-case ones do

    nb: Samiske termer med store bokstaver (ČÁPPA, ŊUOLGGAT, ĐUODDARAT, RUOŦŦA ...) finner posten som små bokstaver gjør
    """
    record = z3950_catalogue[SAMI_RECORD]
    if not _title_finds(z3950, SAMI_WORDS[1], record.number)[0]:
        cannot_judge(f"@attr 1=4 {SAMI_WORDS[1]} does not find {record.number}", "test_bib1_searches_find_the_records")
    missing = []
    for word in SAMI_WORDS:
        found, line = _title_finds(z3950, word.upper(), record.number)
        if not found:
            missing.append(f"{line}, not {record.number} (title {record.title!r})")
    if missing:
        raise c.fail(missing[0], clause=CASE_CLAUSE, client=z3950, details=missing, last=2 * len(missing),
                     expected=f"{record.number} for every word of its title in upper case")


@pytest.mark.requirement("SPR-02")
@pytest.mark.failed_by(defects.LETTER_FOLDING)
def test_letters_are_not_folded(z3950: Client, z3950_catalogue: Mapping[str, FixtureRecord]) -> None:
    """å, ø, æ and the Sámi letters are not folded to a, o, ae, c, d, n ...: 'cappa' does not find 'čáppa'

    nb: å, ø, æ og de samiske bokstavene foldes ikke til a, o, ae, c, d, n ...: 'cappa' finner ikke 'čáppa'
    """
    folded = []
    for number, ascii_word in FOLDED:
        found, line = _title_finds(z3950, ascii_word, number)
        if found:
            folded.append(f"{line} includes {number} ({z3950_catalogue[number].title!r})")
    if folded:
        raise c.fail(f"letters are folded to their base letters: {folded[0]}", clause=FOLDING_CLAUSE, client=z3950,
                     details=folded, last=2 * len(FOLDED),
                     expected="no record whose word has å ø æ á č đ ŋ ... for the ASCII spelling")
