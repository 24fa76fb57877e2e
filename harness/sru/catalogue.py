"""The fixture catalogue as the SRU suite knows it: what it searches for, and how it finds it.

``fixtures/marc/consortium.mrc`` is the consortium's test catalogue (Norwegian, Sámi and Kven
titles, NFD records, several libraries' holdings). The suite searches a target for its
records by ISBN, title and author and identifies what comes back by 001, so nothing here
depends on how a target writes its records.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import pymarc

from harness.marc.reader import read_records
from harness.paths import MARC_FIXTURES_DIR
from harness.sru.client import SruClient
from harness.sru.cql import Statement
from harness.sru.records import control_number, marc_records

CATALOGUE = MARC_FIXTURES_DIR / "consortium.mrc"


@dataclass(frozen=True)
class FixtureRecord:
    number: str  # 001
    isbn: str
    title: str  # 245 $a, NFC, without the ISBD punctuation that ends it
    author: str  # 100 $a, NFC
    libraries: tuple[str, ...]  # 852 $a
    nfd: bool  # stored decomposed
    record: pymarc.Record


def fixture_record(record: pymarc.Record) -> FixtureRecord:
    def first(tag: str, code: str) -> str:
        values = [v for f in record.get_fields(tag) for v in f.get_subfields(code)]
        return values[0] if values else ""

    raw_title = first("245", "a")
    nfc = unicodedata.normalize("NFC", raw_title)
    return FixtureRecord(
        number=control_number(record), isbn=first("020", "a"), title=nfc.rstrip(" :/;=.,"),
        author=unicodedata.normalize("NFC", first("100", "a")),
        libraries=tuple(v for f in record.get_fields("852") for v in f.get_subfields("a")),
        nfd=raw_title != nfc, record=record,
    )


def load_catalogue() -> Mapping[str, FixtureRecord]:
    """The fixture catalogue by 001, in file order."""
    records = (r.record for r in read_records(CATALOGUE.read_bytes()) if r.record is not None)
    return {f.number: f for f in map(fixture_record, records)}


def find_number(client: SruClient, query: str | Statement, number: str, *, version: str | None = None,
                page_size: int = 50, budget: int = 5) -> tuple[bool, int | None]:
    """Whether the record ``number`` is in the result set of ``query`` (read page by page, at
    most ``budget`` pages, past a missing nextRecordPosition), and numberOfRecords as the
    first page says."""
    run = client.pages(query, page_size=page_size, budget=budget, trust_next=False, version=version)
    first = run.pages[0].search if run.pages else None
    numbers = {control_number(m) for m in marc_records(run.records)}
    return number in numbers, first.number_of_records if first is not None else None
