"""Z39.50 as one member library searches it: its own database, OPAC records where offered.

A question becomes a Bib-1 query (ISBN Use 7, title words Use 4, the library limit the
profile's ``[z3950] library_use``); the records come back in OPAC (Appendix REC.5) when the
target offers it, else in USMARC. The record's holdings are the OPAC holdings' nucCode (or
localLocation), each copy's state its circulation record's availableNow; without OPAC the
USMARC record's holdings (the MARC unit's ``holdings_tag`` ..., else 852 $a $p), and no copy status (loans not declared). OPAC has no state for a copy
in transit, so the path declares none. An answer the client cannot read is the Z39.50 suite's
to report, not the story's: it is not judged here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import pymarc

from harness.cooperation.paths import (
    AVAILABLE,
    MARC21_HOLDINGS,
    ON_LOAN,
    UNDECLARED,
    Copy,
    HoldingsLayout,
    Owners,
    Question,
    Sighting,
)
from harness.evidence import Exchange
from harness.findings import cannot_judge
from harness.profile import Library
from harness.sru.records import control_number
from harness.z3950 import oids
from harness.z3950.checks import OWNERS, bib1_codes, marc, pqf_term
from harness.z3950.client import Client, ProtocolViolation
from harness.z3950.records import Record
from harness.z3950.target import Z3950Target

Z3950_OWNERS = Owners("z3950", visibility="test_imported_record_found_over_z3950",
                      holdings="test_opac_holdings_name_their_library", loans="test_sip2_loan_shows_in_opac",
                      limit="test_search_limited_to_one_library", letters="test_usmarc_letters_byte_exact",
                      findability="test_search_is_blind_to_normalisation", privacy="test_no_patron_data_in_records")
OPAC_CHECK = "test_opac_records"
# The Z39.50 suite's checks that meet an answer a story reads (an unreadable one is theirs to FAIL,
# unless harness.z3950.checks.OWNERS gives its rule to another check).
SEARCH_CHECK = "test_bib1_searches_find_the_records"
PRESENT_CHECK = "test_present_usmarc_and_marcxml"
PRESENT = 20  # records read of one result set
_NOT_IN_SYNTAX = {238, 239}  # Bib-1: record not available in the requested syntax


@dataclass
class Z3950Path:
    target: Z3950Target
    member: Library | None = None
    name: str = "Z39.50"
    client: Client = field(init=False)
    opac: bool | None = None  # whether the target offers OPAC records, learned on the first Present
    bare_opac: bool = False  # an OPAC record came without holdingsData: the OPAC check's fault
    holdings: HoldingsLayout = MARC21_HOLDINGS  # where USMARC records (no OPAC) name holdings and copies

    def __post_init__(self) -> None:
        database = self.target.settings.view(self.member.code_for("z3950")) if self.member is not None else None
        self.client = self.target.connect(database=database)

    @property
    def owners(self) -> Owners:
        """The Z39.50 suite's checks; an OPAC record without holdings is its OPAC check's to report."""
        return replace(Z3950_OWNERS, holdings=OPAC_CHECK, loans=OPAC_CHECK) if self.bare_opac else Z3950_OWNERS

    @property
    def visibility_timeout(self) -> float:
        return self.target.settings.visibility_timeout

    @property
    def declares_loans(self) -> bool | None:
        """Whether the target offers OPAC records (their circulation data is the loan status):
        learned from the first record a story's own question brought back; None until then."""
        return self.opac

    @property
    def declares_transit(self) -> bool:
        return False

    @property
    def declares_library_limit(self) -> bool:
        return bool(self.target.settings.library_use)

    @property
    def transcript(self) -> Sequence[Exchange]:
        return tuple(self.client.transcript)

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:  # noqa: BLE001 - a target that breaks at Close is the Close check's matter
            self.client.disconnect()

    def _query(self, question: Question) -> str:
        terms = [f"@attr 1=7 {pqf_term(question.isbn)}"] if question.isbn else [f"@attr 1=4 {pqf_term(w)}" for w in question.words]
        if question.library is not None:
            terms.append(f"@attr 1={self.target.settings.library_use} {pqf_term(question.library.number)}")
        query = terms[-1]
        for term in reversed(terms[:-1]):
            query = f"@and {term} {query}"
        return query

    def _read(self, query: str) -> tuple[list[Record], int]:
        """The first records of ``query``, in OPAC when offered; and the result count."""
        owner = SEARCH_CHECK
        try:
            search = self.client.search(query)
            count = min(search.result_count, PRESENT) if search.status else 0
            if not count:
                return [], search.result_count
            if self.opac is not False:
                owner = OPAC_CHECK
                present = self.client.present(1, count, record_syntax=oids.OPAC)
                offered = not _NOT_IN_SYNTAX & set(bib1_codes(present.diagnostics))
                if self.opac is None:
                    self.opac = offered
                if offered:
                    return list(present.records or ()), search.result_count
            owner = PRESENT_CHECK
            present = self.client.present(1, count, record_syntax=oids.USMARC)
            return list(present.records or ()), search.result_count
        except ProtocolViolation as exc:
            ruled = next((OWNERS[p.rule.id] for p in exc.problems if p.rule.id in OWNERS), owner)
            cannot_judge(f"a Z39.50 answer could not be read: {exc}", f"z3950 suite ({ruled})")

    def ask(self, question: Question) -> Sighting:
        mark = len(self.client.transcript)
        asked = question.describe() + (f" in {self.member.name}'s database" if self.member is not None else "")
        records, hits = self._read(self._query(question))
        exchanges = tuple(self.client.transcript)[mark:]
        for record in records:
            self.bare_opac = self.bare_opac or (record.opac is not None and not record.opac.holdings)
            bibliographic = _marc_of(record)
            number = control_number(bibliographic) if bibliographic is not None else ""
            copies = tuple(self._copies(record, bibliographic))
            if bibliographic is not None and question.wants(number, (c.barcode for c in copies)):
                return Sighting(asked, bibliographic, tuple(self._libraries(record, bibliographic)), copies,
                                record.data, hits, exchanges)
        return Sighting(asked, hits=hits, exchanges=exchanges)

    def _libraries(self, record: Record, bibliographic: pymarc.Record | None) -> Iterable[str]:
        if record.opac is not None:
            for holding in record.opac.holdings:
                yield holding.nuc_code or holding.local_location
        elif bibliographic is not None:
            yield from self.holdings.libraries(bibliographic)

    def _copies(self, record: Record, bibliographic: pymarc.Record | None) -> Iterable[Copy]:
        if record.opac is not None:
            for holding in record.opac.holdings:
                for circulation in holding.circulation:
                    yield Copy(circulation.item_id, holding.nuc_code or holding.local_location,
                               AVAILABLE if circulation.available_now else ON_LOAN)
        elif bibliographic is not None:
            yield from (Copy(barcode, owner, UNDECLARED) for barcode, owner in self.holdings.copies(bibliographic))


def _marc_of(record: Record) -> pymarc.Record | None:
    if record.diagnostic is not None:
        return None
    bibliographic = record.opac.bibliographic if record.opac is not None else None
    data = bibliographic.data if bibliographic is not None else record.data
    return marc(data) if data else None

