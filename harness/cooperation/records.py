"""The records a cooperation story imports: new to every catalogue, easy to find, easy to remove.

Each record has an ISBN, a title word and barcodes no catalogue holds (built from the clock
and a random part), so it is found by exactly that and nothing else is. A shared record
carries a 035 (NO-OsBA) number, so a second library's import of the same title is matched to
it (the National Library's rule for its deliveries; MARC-03). The letters record carries
North, Lule and South Sámi and Kven text, some of it composed (NFC), some decomposed (NFD),
each in a field every path returns.
"""

from __future__ import annotations

import secrets
import time
import unicodedata
from dataclasses import dataclass, replace

import pymarc

from harness.marc.records import OSBA_PREFIX
from harness.marc.writer import encode_iso2709

ISBN_PREFIX = "97882997"  # a Norwegian publisher block the SRU (…999) and Z39.50 (…998) suites do not use
BARCODE_PREFIX = "96"  # fixture barcodes start 99, the SRU and Z39.50 suites' 98 and 97


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def form_of(text: str) -> str:
    """NFC, NFD, both (no decomposable letter) or mixed: how a value is normalised."""
    nfc_ok, nfd_ok = unicodedata.is_normalized("NFC", text), unicodedata.is_normalized("NFD", text)
    return "NFC and NFD" if nfc_ok and nfd_ok else "NFC" if nfc_ok else "NFD" if nfd_ok else "mixed NFC/NFD"


def _digits(n: int) -> str:
    """``n`` digits that differ from call to call (the clock, then chance)."""
    clock = f"{time.time_ns() // 1000:d}"[-max(n - 3, 1):]
    return (clock + f"{secrets.randbelow(1000):03d}")[-n:]


def isbn13(body: str) -> str:
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    return f"{body}{check}"


def unique_word(prefix: str) -> str:
    """An ASCII title word no catalogue holds: ``prefix`` and letters for digits."""
    return prefix + "".join("abcdefghij"[int(d)] for d in _digits(9))


@dataclass(frozen=True)
class TestRecord:
    __test__ = False  # not a pytest test class

    record: pymarc.Record
    isbn: str
    word: str  # the title word only this record has
    title: str  # 245 $a without the ISBD punctuation that ends it (what a SIP2 AJ carries)
    osba: str = ""  # 035 $a, when the record is a shared one
    barcodes: tuple[str, ...] = ()

    def batch(self) -> bytes:
        return encode_iso2709(self.record)

    def holding_of(self, library: str, barcode: str) -> TestRecord:
        """The same title as another library catalogues it: its own holding only, the same 035."""
        copy = pymarc.Record(leader=str(self.record.leader), force_utf8=True)
        copy.fields = [f for f in self.record.fields if f.tag != "852"] + [holding(library, barcode)]
        return replace(self, record=copy, barcodes=(barcode,))


def holding(library: str, barcode: str) -> pymarc.Field:
    return pymarc.Field(tag="852", indicators=pymarc.Indicators(" ", " "),
                        subfields=[pymarc.Subfield("a", library), pymarc.Subfield("p", barcode)])


def new_barcode() -> str:
    return BARCODE_PREFIX + _digits(10)


def _field(tag: str, *subfields: tuple[str, str], indicators: tuple[str, str] = (" ", " ")) -> pymarc.Field:
    return pymarc.Field(tag=tag, indicators=pymarc.Indicators(*indicators),
                        subfields=[pymarc.Subfield(code, value) for code, value in subfields])


def _record(isbn: str, title: str, rest: str, author: str, extra: list[pymarc.Field]) -> pymarc.Record:
    record = pymarc.Record(leader="00000nam a2200000 i 4500", force_utf8=True)
    record.fields = [
        pymarc.Field(tag="008", data=f"{time.strftime('%y%m%d')}s2026    no a          000 0 sme d"),
        _field("020", ("a", isbn)),
        _field("100", ("a", author), indicators=("1", " ")),
        _field("245", ("a", f"{title} :"), ("b", rest), indicators=("1", "0")),
        *extra,
    ]
    return record


def shared_record(library: str, *, story: str) -> TestRecord:
    """A title one library catalogues first and others add their holdings to (matched on 035)."""
    word = unique_word("samkatalog")
    isbn, osba, barcode = isbn13(ISBN_PREFIX + _digits(4)), f"{OSBA_PREFIX}{_digits(9)}", new_barcode()
    title = f"Ovttas {word} girjerájusain"
    record = _record(isbn, title, f"libharness {story}", f"Guoktásaš{word}, Máret",
                     [_field("035", ("a", osba)), holding(library, barcode)])
    return TestRecord(record, isbn, word, title, osba, (barcode,))


def plain_record(library: str, *, story: str) -> TestRecord:
    """A title only ``library`` holds."""
    word = unique_word("hylle")
    isbn, barcode = isbn13(ISBN_PREFIX + _digits(4)), new_barcode()
    title = f"Iežas {word} hildu"
    record = _record(isbn, title, f"libharness {story}", f"Hilduš{word}, Ánde", [holding(library, barcode)])
    return TestRecord(record, isbn, word, title, "", (barcode,))


# The letters record: (where, text). Composed and decomposed text side by side, in every field
# a path returns: the title (also a SIP2 title), the author, a parallel title, notes.
NORTH_SAMI = "Čáppa"  # composed (č, á decompose); with đ ŋ ŧ, which have no decomposition
KVEN_NFD = nfd("kväänit")  # decomposed in the title itself
LULE_SAMI_NFD = nfd("Julevsámegiella: jåhkåj gáddáj, ietjas árbbe")
SOUTH_SAMI = "Åarjelsaemien gïele jïh bïevnesh: ålkoelaanten ääjjah"
KVEN_NOTE_NFD = nfd("Kväänin kieli: Pohjois-Norjan kväänit, šiivut ja äijän tarinat")
NORTH_SAMI_NOTE = "Sámegielat: čálli, đuoddar, ŋuolggat, ruoŧŧa, šattut, žiežžu"
AUTHOR_NFD = nfd("Čuolbmaš, Máret Ánne")
# Title words a search must find in both forms: one stored composed, one decomposed.
FINDABLE = (("čáppa", "composed"), ("kväänit", "decomposed"))


def letters_record(library: str) -> TestRecord:
    """North, Lule and South Sámi and Kven text in NFC and NFD, and one copy at ``library``."""
    word = unique_word("bokstav")
    isbn, barcode = isbn13(ISBN_PREFIX + _digits(4)), new_barcode()
    title = f"{NORTH_SAMI} {word} ođđa girji ja {KVEN_NFD}"
    record = _record(isbn, title, LULE_SAMI_NFD, AUTHOR_NFD, [
        _field("246", ("a", SOUTH_SAMI), indicators=("1", "1")),
        _field("500", ("a", KVEN_NOTE_NFD)),
        _field("500", ("a", NORTH_SAMI_NOTE)),
        holding(library, barcode),
    ])
    return TestRecord(record, isbn, word, title, "", (barcode,))


# The subfields whose letters every path must return byte for byte (a path may leave some
# out: a brief record, a SIP2 title; what it returns must be exact).
LETTER_FIELDS: tuple[tuple[str, str], ...] = (("245", "a"), ("245", "b"), ("100", "a"), ("246", "a"), ("500", "a"))


def values(record: pymarc.Record, tag: str, code: str) -> list[str]:
    return [v for f in record.get_fields(tag) for v in f.get_subfields(code)]


def title_proper(record: pymarc.Record) -> str:
    """245 $a without the ISBD punctuation that ends it: what a SIP2 title (AJ) carries."""
    titles = values(record, "245", "a")
    return titles[0].rstrip(" :/;=.,") if titles else ""
