"""KAT-01..04 and SEC-01 on the search path: the shared catalogue as every member sees it.

A record catalogued at one library is found by every member (its own view of the catalogue,
``[sru] member_url``, or the one endpoint) by ISBN, title and author, also one imported over
the MARC channel a moment ago, whose time to visibility is measured. A search limited to one
library returns that library's records; holdings name their library; a checkout over SIP2
shows in the copy's status; and no record or holding names a borrower.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pymarc
import pytest

from harness.findings import WarningRecorder, cannot_judge, not_tested, skip_undeclared
from harness.marc.fixtures import MarcImport
from harness.marc.writer import encode_iso2709
from harness.sru import checks as c
from harness.sru import defects
from harness.sru.catalogue import FixtureRecord, find_number
from harness.sru.client import SruClient
from harness.sru.cql import literal, where
from harness.sru.records import (
    NO_STATUS,
    ON_LOAN,
    UNDECLARED,
    Status,
    control_number,
    copies,
    holdings,
    marc_records,
    read_status,
    undeclared_reason,
)
from harness.sru.target import SruTarget

FIND_CLAUSE = ("Consortium requirement KAT-02: a record catalogued at one library is found by every member over SRU "
               "by ISBN, title and author; NorZIG SRU profile (bath.isbn, dc.title, dc.creator)")
LIMIT_CLAUSE = "Consortium requirement KAT-03; NorZIG SRU profile: a search limited to one library's holdings"
HOLDINGS_CLAUSE = ("MARC 21 Format for Holdings Data, 852 $a Location (the institution, by library number or ISIL, "
                   "ISO 15511); consortium requirement KAT-01 on the search path")
LOAN_CLAUSE = ("Consortium requirement KAT-04: a copy checked out over SIP2 (3M SIP2 2.00 Checkout, 11/12) shows as on "
               "loan in the SRU record's item status, and as available again after checkin (09/10)")
PRIVACY_CLAUSE = "GDPR art. 5(1)(c) data minimisation; consortium requirement SEC-01: no patron data over SRU"
SHARED_RECORD = "hx0000002"  # held by two libraries only: every other member must find it all the same


@dataclass(frozen=True)
class _Searches:
    isbn: str
    title: str
    author: str


def _indexes(sru_target: SruTarget) -> _Searches:
    found = {kind: sru_target.index(kind) for kind in ("isbn", "title", "author")}
    missing = [kind for kind, name in found.items() if name is None]
    if missing:
        skip_undeclared(f"explain declares no {' or '.join(missing)} index (and the profile names none)")
    return _Searches(**{k: str(v) for k, v in found.items()})


def _longest_word(text: str) -> str:
    return max((w.strip(",.:;/") for w in text.split()), key=len).lower()


def _queries(indexes: _Searches, isbn: str, title: str, author: str) -> dict[str, Any]:
    return {f"ISBN {isbn}": where(indexes.isbn, "=", literal(isbn)),
            f"title word {_longest_word(title)}": where(indexes.title, "=", literal(_longest_word(title))),
            f"author {author.split(',')[0]}": where(indexes.author, "=", literal(author.split(",")[0].lower()))}


def _not_found_by_members(sru_target: SruTarget, connect: Any, queries: Mapping[str, Any], number: str,
                          page_budget: int = 5) -> tuple[list[str], list[SruClient]]:
    """Per member library, what does not find record ``number``; and the clients used."""
    missing, clients = [], []
    for url, members in sru_target.view_groups().items():
        client = connect(url)
        clients.append(client)
        for what, query in queries.items():
            found, hits = find_number(client, query, number, budget=page_budget)
            if not found:
                names = ", ".join(m.number for m in members)
                missing.append(f"{names}: {what} found {hits} records, not {number}")
    return missing, clients


@pytest.mark.requirement("KAT-02")
@pytest.mark.failed_by(defects.MEMBER_VIEW_OWN_HOLDINGS)
def test_members_find_catalogue_records(sru_target: SruTarget, sru_connect: Any, warn: WarningRecorder,
                                        held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """Every member library finds a record another library catalogued, by ISBN, title and author

    nb: Alle medlemsbibliotek finner en post et annet bibliotek har katalogisert, på ISBN, tittel og forfatter
    """
    if not sru_target.libraries:
        not_tested("the profile lists no [[library]]")
    record = held_catalogue[SHARED_RECORD]
    queries = _queries(_indexes(sru_target), record.isbn, record.title, record.author)
    missing, clients = _not_found_by_members(sru_target, sru_connect, queries, record.number)
    if missing:
        raise c.fail(f"{len(missing)} member searches do not find {record.number} (held by {', '.join(record.libraries)}): "
                     f"{missing[0]}", clause=FIND_CLAUSE, client=clients[-1], details=missing,
                     expected=f"{record.number} from every member's view, by ISBN, title and author")
    warn.note(f"{record.number} found by ISBN, title and author from all {len(sru_target.libraries)} members "
              f"({len(clients)} distinct view{'s' if len(clients) > 1 else ''})")


# --- a record imported over MARC, until it is visible over SRU ------------------------------------


def _new_record(library: str) -> tuple[pymarc.Record, str, str, str]:
    """A record no catalogue holds: unique ISBN, title word and author, with Sámi letters."""
    stamp = int(time.time() * 1000) % 10**8
    letters = "".join("abcdefghij"[int(d)] for d in f"{stamp:08d}")
    body = f"97882999{stamp % 10**4:04d}"
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    isbn, title, author = f"{body}{check}", f"Čuolbmaráidu{letters} ja ŋuorat", f"Ŋuorra{letters}, Máret"
    record = pymarc.Record(leader="00000nam a2200000 i 4500", force_utf8=True)
    record.fields = [
        pymarc.Field(tag="008", data=f"{time.strftime('%y%m%d')}s2026    no a          000 0 sme d"),
        pymarc.Field(tag="020", indicators=pymarc.Indicators(" ", " "), subfields=[pymarc.Subfield("a", isbn)]),
        pymarc.Field(tag="100", indicators=pymarc.Indicators("1", " "), subfields=[pymarc.Subfield("a", author)]),
        pymarc.Field(tag="245", indicators=pymarc.Indicators("1", "0"), subfields=[pymarc.Subfield("a", f"{title} :"),
                                                                                  pymarc.Subfield("b", "harness KAT-02")]),
        pymarc.Field(tag="852", indicators=pymarc.Indicators(" ", " "),
                     subfields=[pymarc.Subfield("a", library), pymarc.Subfield("p", f"98{stamp:010d}")]),
    ]
    return record, isbn, title, author



@pytest.mark.requirement("KAT-02")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.MEMBER_VIEW_OWN_HOLDINGS, defects.STALE_INDEX)
def test_imported_record_visible_to_every_member(sru_target: SruTarget, sru: SruClient, sru_connect: Any,
                                                 warn: WarningRecorder, marc_import: MarcImport) -> None:
    """A record imported over the MARC channel becomes findable over SRU by every member; the time it takes is measured

    nb: En post importert over MARC-kanalen blir søkbar over SRU for alle medlemmer; tiden det tar måles
    """
    channel, settings, receipts = marc_import
    indexes = _indexes(sru_target)
    record, isbn, title, author = _new_record(settings.import_library)
    started = time.monotonic()
    receipt = channel.import_batch(encode_iso2709(record), settings.import_library, 1)
    imported = time.monotonic()
    receipts.append(receipt)
    if not receipt.understood or not (receipt.created or receipt.updated):
        cannot_judge(f"the MARC import of the test record was not understood: {receipt.problem or receipt.raw[:200]}",
                     "marc suite (test_round_trip)")
    number = (receipt.created or receipt.updated)[0]
    by_isbn = where(indexes.isbn, "=", literal(isbn))
    limit = sru_target.settings.visibility_timeout
    deadline, polls, visible = imported + limit, 0, None
    while visible is None and time.monotonic() < deadline:
        polls += 1
        if find_number(sru, by_isbn, number, budget=1)[0]:
            visible = time.monotonic()
        else:
            time.sleep(min(0.05 * polls, 1.0))
    timing = (f"import took {imported - started:.3f} s; {polls} searches by ISBN over SRU; "
              + (f"findable {visible - imported:.3f} s after the import returned" if visible else
                 f"not findable {time.monotonic() - imported:.1f} s after the import returned"))
    if visible is None:
        raise c.fail(f"record {number} imported over MARC for {settings.import_library} is not findable over SRU by "
                     f"ISBN {isbn} within [sru] visibility_timeout = {limit:g} s",
                     clause=FIND_CLAUSE, client=sru, details=[timing], last=3,
                     expected="findable within the visibility timeout")
    missing, clients = _not_found_by_members(sru_target, sru_connect, _queries(indexes, isbn, title, author), number, 2)
    if missing:
        raise c.fail(f"record {number} imported for {settings.import_library} is findable over SRU after "
                     f"{visible - imported:.3f} s, but {len(missing)} member searches do not find it: {missing[0]}",
                     clause=FIND_CLAUSE, client=clients[-1], details=[timing, *missing],
                     expected="the record from every member's view, by ISBN, title and author")
    warn.note(f"imported over MARC for {settings.import_library}, findable over SRU {visible - imported:.3f} s after the "
              f"import returned; found by ISBN, title and author from all {len(sru_target.libraries)} members",
              details=[timing], exchanges=c.last_exchanges(sru, 2))


# --- one library's holdings -------------------------------------------------------------------------


@pytest.mark.requirement("KAT-03")
@pytest.mark.failed_by(defects.LIBRARY_LIMIT_IGNORED)
def test_search_limited_to_one_library(sru: SruClient, sru_target: SruTarget,
                                       held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """A search limited to one library's holdings returns only records that library holds

    nb: Et søk avgrenset til ett biblioteks beholdning gir bare poster det biblioteket eier
    """
    index = sru_target.settings.library_index
    if not index:
        skip_undeclared("the profile names no [sru] library_index (the index of the holding library)")
    library = "NO-9900002"
    broad = where("cql.serverChoice", "=", "samer")
    limited = broad & where(index, "=", literal(library))
    whole = c.search(sru.search_retrieve(broad, maximum_records=0), sru, "the search without limit")
    run = sru.pages(limited, page_size=50, budget=sru_target.settings.page_budget, trust_next=False)
    numbers = {control_number(m) for m in marc_records(run.records)}
    first = run.pages[0].search if run.pages else None
    if first is None or first.diagnostics:
        raise c.fail(f"{limited.to_cql()} was not answered with records ({c.describe(first.diagnostics) if first else 'no answer'})",
                     clause=LIMIT_CLAUSE, client=sru, last=1, expected=f"the records held by {library}")
    foreign = sorted(n for n in numbers if n in held_catalogue and library not in held_catalogue[n].libraries)
    expected = {n for n, r in held_catalogue.items() if library in r.libraries}
    if foreign or not numbers & expected:
        raise c.fail(f"{limited.to_cql()} returned {len(numbers)} records ({whole.number_of_records} without the limit); "
                     f"{len(foreign)} are not held by {library}, e.g. {', '.join(foreign[:5]) or 'none'}",
                     clause=LIMIT_CLAUSE, client=sru, last=2, details=foreign,
                     expected=f"only records whose holdings include {library}")


@pytest.mark.requirement("KAT-01")
@pytest.mark.failed_by(defects.HOLDINGS_WITHOUT_LIBRARY)
def test_holdings_name_their_owning_library(sru: SruClient, sru_target: SruTarget,
                                            held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """A shared record's holdings in SRU name every owning library by a member's number

    nb: Beholdningen til en delt post i SRU oppgir hvert eierbibliotek med et medlems nummer
    """
    record = held_catalogue["hx0000001"]
    indexes = _indexes(sru_target)
    response = c.search(sru.search_retrieve(where(indexes.isbn, "=", literal(record.isbn)), maximum_records=5), sru, "by ISBN")
    found = [m for m in marc_records(response.records) if control_number(m) == record.number]
    if not found:
        cannot_judge(f"{record.number} is not found by ISBN", "test_members_find_catalogue_records")
    known = sru_target.known_library_numbers()
    named = holdings(found[0], sru_target.settings)
    bad = [owners for owners in named if len(owners) != 1 or owners[0] not in known]
    owners = {o for group in named for o in group}
    if bad or not set(record.libraries) <= owners:
        settings = sru_target.settings
        raise c.fail(f"{record.number}: {len(bad)} of {len(named)} holdings ({settings.holdings_tag}) do not name one member "
                     f"library in ${settings.holdings_library_subfield}; libraries named: {', '.join(sorted(owners)) or 'none'}",
                     clause=HOLDINGS_CLAUSE, client=sru, last=1,
                     expected=f"one holding per copy, naming {', '.join(sorted(set(record.libraries)))}")


# --- a loan over SIP2, seen over SRU ---------------------------------------------------------------


def _copy_status(sru: SruClient, sru_target: SruTarget, word: str, barcode: str) -> Status | None:
    """The status the SRU record gives the copy ``barcode``, read by the profile's value lists;
    None when no record holds it."""
    title = sru_target.index("title") or "cql.serverChoice"
    run = sru.pages(where(title, "=", literal(word)), page_size=50, budget=sru_target.settings.page_budget, trust_next=False)
    for record in marc_records(run.records):
        for copy in copies(record, sru_target.settings):
            if copy.barcode == barcode:
                return read_status(copy.status, sru_target.settings)
    return None


def _said(status: Status | None) -> str:
    return status.describe() if status is not None else "no record holding the copy"


@pytest.mark.requirement("KAT-04")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.AVAILABILITY_NOT_LIVE)
def test_sip2_loan_shows_in_holdings(request: pytest.FixtureRequest, sru: SruClient, sru_target: SruTarget) -> None:
    """A copy checked out over SIP2 shows as on loan in its SRU record, and as available after checkin

    nb: Et eksemplar lånt ut over SIP2 vises som utlånt i SRU-posten, og som ledig etter innlevering
    """
    settings = sru_target.settings
    if not settings.declares_availability:
        skip_undeclared("the profile declares no item status in SRU records ([sru] status_tag, on_loan_values)")
    from harness.sip2 import requests as rq
    from harness.sip2.checks import ask

    sip2_target = request.getfixturevalue("sip2_target")
    sip2 = request.getfixturevalue("sip2")
    item = sip2_target.item(kind="regular")
    patron = sip2_target.patron_from("public") or (sip2_target.patrons[0] if sip2_target.patrons else None)
    if item is None or patron is None:
        not_tested("the profile needs a regular [[item]] and a [[patron]]")
    at = sip2_target.institution_of(item.owning_library)
    word = _longest_word(ask(sip2, rq.item_information(at, item.barcode)).get("AJ") or item.title or "")
    before = _copy_status(sru, sru_target, word, item.barcode)
    if before is None:
        cannot_judge(f"no SRU record found by title word {word!r} holds the copy {item.barcode}", "test_members_find_catalogue_records")
    if before.undeclared:  # neither available nor on loan: nothing to compare the loan with
        not_tested(undeclared_reason(item.barcode, before) + " (before the SIP2 checkout)")
    if before.kind == ON_LOAN:
        not_tested(f"the test copy {item.barcode} is on loan before the check ({before.text!r})")
    reply = ask(sip2, rq.checkout(at, patron.barcode, item.barcode, patron.pin))
    try:
        if reply.fixed_value("ok") != "1":
            cannot_judge(f"the SIP2 checkout of {item.barcode} was refused (AF {reply.get('AF')!r})", "sip2 suite (SIP-04)")
        during = _copy_status(sru, sru_target, word, item.barcode)
    finally:
        ask(sip2, rq.checkin(at, item.barcode))
    after = _copy_status(sru, sru_target, word, item.barcode)
    # on loan after the checkin is wrong whatever it showed during; a declared status other than
    # on loan during the loan is wrong; a status the profile does not name is judged neither way
    if (after is not None and after.kind == ON_LOAN) or (during or Status(NO_STATUS)).kind not in (ON_LOAN, UNDECLARED):
        raise c.fail(f"copy {item.barcode}: {_said(before)} before the SIP2 checkout, {_said(during)} after it, "
                     f"{_said(after)} after the checkin", clause=LOAN_CLAUSE, client=sru, last=4,
                     expected=f"one of {sorted(settings.on_loan_values)} while on loan, another status before and after")
    unnamed = next((s for s in (during, after) if s is not None and s.undeclared), None)
    if unnamed is not None:
        not_tested(undeclared_reason(item.barcode, unnamed) + " (during the loan or after the checkin)")


# --- no patron data ----------------------------------------------------------------------------------


@pytest.mark.requirement("SEC-01")
@pytest.mark.failed_by(defects.BORROWER_IN_HOLDINGS)
def test_no_patron_data_in_records(sru: SruClient, sru_target: SruTarget, warn: WarningRecorder,
                                   held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """No record or holding over SRU carries a test patron's name or card number, loans included

    nb: Ingen post eller beholdning over SRU inneholder en testlåners navn eller kortnummer, heller ikke utlån
    """
    patrons = sru_target.profile.patrons
    if not patrons:
        not_tested("the profile lists no [[patron]] to look for")
    needles = {form: p.barcode for p in patrons for s in (p.name, p.barcode) if s
               for form in {s, unicodedata.normalize("NFD", s), unicodedata.normalize("NFC", s)}}
    query = "cql.allRecords = 1" if sru_target.declares_index("cql.allRecords") else "cql.serverChoice = samer"
    run = sru.pages(query, page_size=50, budget=sru_target.settings.page_budget, trust_next=False)
    leaks, on_loan, read = [], 0, 0
    for record in run.records:
        read += 1
        text = record.data.decode("utf-8", "replace")
        leaks += [f"record {record.position}: {needle!r} (patron {who})" for needle, who in needles.items() if needle in text]
        marc = next(marc_records([record]), None)
        if marc is not None:
            on_loan += sum(1 for copy in copies(marc, sru_target.settings)
                           if read_status(copy.status, sru_target.settings).kind == ON_LOAN)
    if leaks:
        raise c.fail(f"patron data in SRU records, {len(leaks)} times: {leaks[0]}", clause=PRIVACY_CLAUSE, client=sru,
                     details=leaks, expected="no patron name or card number in any record")
    warn.note(f"{read} records read ({query}), {on_loan} copies on loan among them; no patron data")
