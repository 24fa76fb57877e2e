"""KAT-01..04 and SEC-01 on the Z39.50 path: the shared catalogue as every member sees it.

A record catalogued at one library is found by every member (its own database,
``[z3950] member_database``, or the one database) by ISBN, title, author and subject; a
search limited to one library (``[z3950] library_use``) returns that library's records; OPAC
holdings name their library; a checkout over SIP2 shows in the copy's circulation data; and
no record, holding or circulation entry names a borrower.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import replace

import pymarc
import pytest

from harness.findings import WarningRecorder, cannot_judge, not_tested, skip_undeclared
from harness.marc.fixtures import MarcImport
from harness.marc.writer import encode_iso2709
from harness.sru.catalogue import FixtureRecord
from harness.z3950 import checks as c
from harness.z3950 import defects, oids
from harness.z3950.client import Client
from harness.z3950.records import Circulation, OpacRecord
from harness.z3950.target import Z3950Target

FIND_CLAUSE = ("Consortium requirement KAT-02: a record catalogued at one library is found by every member over "
               "Z39.50 by ISBN, title and author; Bib-1 Use 7, 4, 1003, 21")
LIMIT_CLAUSE = "Consortium requirement KAT-03: a search limited to one library's holdings (Bib-1 Use 56, Code-institution)"
HOLDINGS_CLAUSE = (f"{c.OPAC_CLAUSE}: nucCode and localLocation name the holding institution; MARC 21 Holdings 852 $a; "
                   "consortium requirement KAT-01")
LOAN_CLAUSE = ("Consortium requirement KAT-04: a copy checked out over SIP2 (3M SIP2 2.00 Checkout, 11/12) shows as not "
               f"available (CircRecord availableNow false) in the OPAC record, and available after checkin; {c.OPAC_CLAUSE}")
PRIVACY_CLAUSE = "GDPR art. 5(1)(c) data minimisation; consortium requirement SEC-01: no patron data over Z39.50"
SHARED_RECORD = "hx0000002"  # held by two libraries only: every other member must find it all the same
MANY_HOLDINGS = "hx0000001"  # held by six copies of five libraries
LIMIT_LIBRARY, LIMIT_WORD = "NO-9900002", "fjorden"
Connect = Callable[..., Client]


def _queries(record: FixtureRecord) -> dict[str, str]:
    """ISBN, title word, author surname and subject searches for ``record``, in lower case (whether
    case is folded across the Sámi letters is test_search_is_caseless_across_sami_letters' matter)."""
    subject = next((v for f in record.record.get_fields("650", "651") for v in f.get_subfields("a")), "")
    title_word = max(record.title.replace(",", " ").split(), key=len).lower()
    surname = record.author.split(",")[0].lower()
    queries = {f"ISBN {record.isbn}": f"@attr 1=7 {record.isbn}", f"title word {title_word}": f"@attr 1=4 {c.pqf_term(title_word)}",
               f"author {surname}": f"@attr 1=1003 {c.pqf_term(surname)}"}
    if subject:
        queries[f"subject {subject.lower()}"] = f"@attr 1=21 {c.pqf_term(subject.lower())}"
    return queries


@pytest.mark.requirement("KAT-02")
@pytest.mark.failed_by(defects.MEMBER_VIEW_OWN_HOLDINGS)
def test_members_find_catalogue_records(z3950_target: Z3950Target, z3950_connect: Connect, warn: WarningRecorder,
                                        z3950_catalogue: Mapping[str, FixtureRecord]) -> None:
    """Every member library finds a record another library catalogued, by ISBN, title, author and subject

    nb: Alle medlemsbibliotek finner en post et annet bibliotek har katalogisert, på ISBN, tittel, forfatter og emne
    """
    if not z3950_target.libraries:
        not_tested("the profile lists no [[library]]")
    record = z3950_catalogue[SHARED_RECORD]
    missing, client = [], None
    groups = z3950_target.view_groups()
    for database, members in groups.items():
        client = z3950_connect(database=database)
        for what, query in _queries(record).items():
            found, search = c.numbers_found(client, query)
            if record.number not in found:
                names = ", ".join(m.number for m in members) or database
                missing.append(f"{names} (database {database}): {what} found {search.result_count} records, "
                               f"not {record.number} ({c.describe(search.diagnostics)})")
    if missing and client is not None:
        raise c.fail(f"{len(missing)} member searches do not find {record.number} (held by {', '.join(record.libraries)}): "
                     f"{missing[0]}", clause=FIND_CLAUSE, client=client, details=missing,
                     expected=f"{record.number} from every member's view, by ISBN, title, author and subject")
    warn.note(f"{record.number} found by ISBN, title, author and subject from {len(z3950_target.libraries)} members "
              f"({len(groups)} database{'s' if len(groups) > 1 else ''})")


def _new_record(library: str) -> tuple[pymarc.Record, FixtureRecord]:
    """A record no catalogue holds: unique ISBN, title word and author, with Sámi letters."""
    stamp = int(time.time() * 1000) % 10**8
    letters = "".join("abcdefghij"[int(d)] for d in f"{stamp:08d}")
    body = f"97882998{stamp % 10**4:04d}"
    isbn = body + str((10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10)
    title, author = f"Čuolbmaráidu{letters} ja ŋuorat", f"Ŋuorra{letters}, Máret"
    record = pymarc.Record(leader="00000nam a2200000 i 4500", force_utf8=True)
    record.fields = [
        pymarc.Field(tag="008", data=f"{time.strftime('%y%m%d')}s2026    no a          000 0 sme d"),
        pymarc.Field(tag="020", indicators=pymarc.Indicators(" ", " "), subfields=[pymarc.Subfield("a", isbn)]),
        pymarc.Field(tag="100", indicators=pymarc.Indicators("1", " "), subfields=[pymarc.Subfield("a", author)]),
        pymarc.Field(tag="245", indicators=pymarc.Indicators("1", "0"), subfields=[pymarc.Subfield("a", f"{title} :"),
                                                                                  pymarc.Subfield("b", "harness Z39.50")]),
        pymarc.Field(tag="650", indicators=pymarc.Indicators(" ", "7"), subfields=[pymarc.Subfield("a", f"Guolástus{letters}")]),
        pymarc.Field(tag="852", indicators=pymarc.Indicators(" ", " "),
                     subfields=[pymarc.Subfield("a", library), pymarc.Subfield("p", f"97{stamp:010d}")]),
    ]
    return record, FixtureRecord("", isbn, title, author, (library,), False, record)



@pytest.mark.requirement("KAT-02")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.MEMBER_VIEW_OWN_HOLDINGS, defects.STALE_INDEX)
def test_imported_record_found_over_z3950(z3950_target: Z3950Target, z3950: Client, z3950_connect: Connect,
                                          warn: WarningRecorder, marc_import: MarcImport) -> None:
    """A record imported over the MARC channel becomes findable over Z39.50 by every member; the time it takes is measured

    nb: En post importert over MARC-kanalen blir søkbar over Z39.50 for alle medlemmer; tiden det tar måles
    """
    channel, settings, receipts = marc_import
    record, expected = _new_record(settings.import_library)
    started = time.monotonic()
    receipt = channel.import_batch(encode_iso2709(record), settings.import_library, 1)
    imported = time.monotonic()
    receipts.append(receipt)
    if not receipt.understood or not (receipt.created or receipt.updated):
        cannot_judge(f"the MARC import of the test record was not understood: {receipt.problem or receipt.raw[:200]}",
                     "marc suite (test_round_trip)")
    number = (receipt.created or receipt.updated)[0]
    expected = replace(expected, number=number)
    limit = z3950_target.settings.visibility_timeout
    deadline, polls, visible = imported + limit, 0, None
    while visible is None and time.monotonic() < deadline:
        polls += 1
        if number in c.numbers_found(z3950, f"@attr 1=7 {expected.isbn}", budget=5)[0]:
            visible = time.monotonic()
        else:
            time.sleep(min(0.05 * polls, 1.0))
    timing = (f"import took {imported - started:.3f} s; {polls} searches by ISBN over Z39.50; "
              + (f"findable {visible - imported:.3f} s after the import returned" if visible else
                 f"not findable {time.monotonic() - imported:.1f} s after the import returned"))
    if visible is None:
        raise c.fail(f"record {number} imported over MARC for {settings.import_library} is not findable over Z39.50 by "
                     f"ISBN {expected.isbn} within [z3950] visibility_timeout = {limit:g} s", clause=FIND_CLAUSE,
                     client=z3950, details=[timing], last=3, expected="findable within the visibility timeout")
    missing, client = [], z3950
    for database, members in z3950_target.view_groups().items():
        client = z3950_connect(database=database)
        for what, query in _queries(expected).items():
            if number not in c.numbers_found(client, query, budget=10)[0]:
                missing.append(f"{', '.join(m.number for m in members) or database} (database {database}): {what}")
    if missing:
        raise c.fail(f"record {number} imported for {settings.import_library} is findable over Z39.50 after "
                     f"{visible - imported:.3f} s, but {len(missing)} member searches do not find it: {missing[0]}",
                     clause=FIND_CLAUSE, client=client, details=[timing, *missing],
                     expected="the record from every member's view, by ISBN, title, author and subject")
    warn.note(f"imported over MARC for {settings.import_library}, findable over Z39.50 {visible - imported:.3f} s after "
              f"the import returned; found by ISBN, title, author and subject from every member's view", details=[timing])


@pytest.mark.requirement("KAT-03")
@pytest.mark.failed_by(defects.LIBRARY_LIMIT_IGNORED)
def test_search_limited_to_one_library(z3950: Client, z3950_target: Z3950Target,
                                       z3950_catalogue: Mapping[str, FixtureRecord]) -> None:
    """A search limited to one library's holdings returns only records that library holds

    nb: Et søk avgrenset til ett biblioteks beholdning gir bare poster det biblioteket eier
    """
    use = z3950_target.settings.library_use
    if not use:
        skip_undeclared("the profile names no [z3950] library_use (the Use attribute of the holding library)")
    query = f"@and @attr 1=4 {LIMIT_WORD} @attr 1={use} {c.pqf_term(LIMIT_LIBRARY)}"
    found, search = c.numbers_found(z3950, query)
    if not search.status:
        raise c.fail(f"{query} is refused ({c.describe(search.diagnostics)})", clause=LIMIT_CLAUSE, client=z3950,
                     expected=f"the records held by {LIMIT_LIBRARY}", last=1)
    foreign = sorted(n for n in found if n in z3950_catalogue and LIMIT_LIBRARY not in z3950_catalogue[n].libraries)
    expected = {n for n, r in z3950_catalogue.items() if LIMIT_LIBRARY in r.libraries and LIMIT_WORD in r.title.lower()}
    if foreign or not found & expected:
        raise c.fail(f"{query} returned {search.result_count} records; {len(foreign)} are not held by {LIMIT_LIBRARY}, "
                     f"e.g. {', '.join(foreign[:5]) or 'none'}", clause=LIMIT_CLAUSE, client=z3950, details=foreign,
                     expected=f"only records whose holdings include {LIMIT_LIBRARY} ({len(expected)} in the fixture)",
                     last=3)


def _opac_of(client: Client, isbn: str, number: str) -> OpacRecord | None:
    """The OPAC record of ``number`` (found by ISBN); SKIP when OPAC is not offered."""
    search = client.search(f"@attr 1=7 {isbn}")
    present = client.present(1, min(max(search.result_count, 1), 10), record_syntax=oids.OPAC)
    if {238, 239} & set(c.bib1_codes(present.diagnostics)):
        skip_undeclared(f"the target does not offer the OPAC record syntax ({c.describe(present.diagnostics)})")
    return next((r.opac for r in present.records or () if r.opac is not None and c.control_number(r) == number), None)


@pytest.mark.requirement("KAT-01")
@pytest.mark.failed_by(defects.OPAC_HOLDINGS_WITHOUT_LIBRARY)
def test_opac_holdings_name_their_library(z3950: Client, z3950_target: Z3950Target,
                                          z3950_catalogue: Mapping[str, FixtureRecord]) -> None:
    """A shared record's OPAC holdings name each owning library (nucCode or localLocation)

    nb: OPAC-beholdningen til en delt post oppgir hvert eierbibliotek (nucCode eller localLocation)
    """
    record = z3950_catalogue[MANY_HOLDINGS]
    opac = _opac_of(z3950, record.isbn, record.number)
    if opac is None:
        cannot_judge(f"{record.number} is not found by ISBN in OPAC", "test_bib1_searches_find_the_records")
    if not opac.holdings:
        cannot_judge(f"{record.number}'s OPAC record has no holdingsData", "test_opac_records")
    names = {lib.name: lib.number for lib in z3950_target.libraries}
    named, bad = set(), []
    for n, holding in enumerate(opac.holdings, 1):
        library = z3950_target.library_named(holding.nuc_code) or z3950_target.library_named(holding.local_location)
        number = library.number if library is not None else names.get(holding.local_location)
        if number is None:
            bad.append(f"holding {n}: nucCode {holding.nuc_code!r}, localLocation {holding.local_location!r}")
        else:
            named.add(number)
    missing = sorted(set(record.libraries) - named)
    if bad or missing:
        raise c.fail(f"{record.number}: {len(bad)} of {len(opac.holdings)} OPAC holdings name no member library"
                     + (f"; {', '.join(missing)} not named" if missing else ""), clause=HOLDINGS_CLAUSE, client=z3950,
                     details=bad, expected=f"holdings naming {', '.join(sorted(set(record.libraries)))}", last=1)


def _copy(client: Client, word: str, barcode: str) -> tuple[Circulation | None, bool]:
    """The circulation entry of copy ``barcode`` in the OPAC records of a title search; and
    whether OPAC is offered at all."""
    search = client.search(f"@attr 1=4 {c.pqf_term(word)}")
    present = client.present(1, min(max(search.result_count, 1), 50), record_syntax=oids.OPAC)
    if {238, 239} & set(c.bib1_codes(present.diagnostics)):
        return None, False
    for record in present.records or ():
        for holding in record.opac.holdings if record.opac is not None else ():
            for circulation in holding.circulation:
                if circulation.item_id == barcode:
                    return circulation, True
    return None, True


@pytest.mark.requirement("KAT-04")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.AVAILABILITY_NOT_LIVE)
def test_sip2_loan_shows_in_opac(request: pytest.FixtureRequest, z3950: Client) -> None:
    """A copy checked out over SIP2 is not available in its OPAC record, and is again after checkin

    nb: Et eksemplar lånt ut over SIP2 er ikke tilgjengelig i OPAC-posten, og er det igjen etter innlevering
    """
    from harness.sip2 import requests as rq
    from harness.sip2.checks import ask

    sip2_target = request.getfixturevalue("sip2_target")  # NOT_TESTED without [sip2]
    sip2 = request.getfixturevalue("sip2")
    item = sip2_target.item(kind="regular")
    patron = sip2_target.patron_from("public") or (sip2_target.patrons[0] if sip2_target.patrons else None)
    if item is None or patron is None:
        not_tested("the profile needs a regular [[item]] and a [[patron]]")
    at = sip2_target.institution_of(item.owning_library)
    title = ask(sip2, rq.item_information(at, item.barcode)).get("AJ") or item.title or ""
    word = max(title.replace(",", " ").split() or [""], key=len).lower()
    before, offered = _copy(z3950, word, item.barcode)
    if not offered:
        skip_undeclared("the target does not offer the OPAC record syntax (Bib-1 239)")
    if before is None:
        cannot_judge(f"no OPAC record found by title word {word!r} holds the copy {item.barcode}", "test_opac_records")
    if not before.available_now:
        not_tested(f"the test copy {item.barcode} is not available before the check")
    reply = ask(sip2, rq.checkout(at, patron.barcode, item.barcode, patron.pin))
    try:
        if reply.fixed_value("ok") != "1":
            cannot_judge(f"the SIP2 checkout of {item.barcode} was refused (AF {reply.get('AF')!r})", "sip2 suite (SIP-04)")
        during = _copy(z3950, word, item.barcode)[0]
    finally:
        ask(sip2, rq.checkin(at, item.barcode))
    after = _copy(z3950, word, item.barcode)[0]
    states = [x.available_now if x is not None else None for x in (before, during, after)]
    if states != [True, False, True]:
        raise c.fail(f"copy {item.barcode}: availableNow {states[0]} before the SIP2 checkout, {states[1]} after it, "
                     f"{states[2]} after the checkin", clause=LOAN_CLAUSE, client=z3950, last=6,
                     expected="availableNow true, then false while on loan, then true")


def _isbn_queries(catalogue: Mapping[str, FixtureRecord], chunk: int = 40) -> list[str]:
    isbns = [r.isbn for r in catalogue.values() if r.isbn]
    queries = []
    for start in range(0, len(isbns), chunk):
        part = isbns[start:start + chunk]
        query = f"@attr 1=7 {part[0]}"
        for isbn in part[1:]:
            query = f"@or {query} @attr 1=7 {isbn}"
        queries.append(query)
    return queries


@pytest.mark.requirement("SEC-01")
@pytest.mark.failed_by(defects.BORROWER_IN_OPAC)
def test_no_patron_data_in_records(z3950: Client, z3950_target: Z3950Target, warn: WarningRecorder,
                                   z3950_catalogue: Mapping[str, FixtureRecord]) -> None:
    """No record, holding or circulation entry over Z39.50 carries a test patron's name or card number

    nb: Ingen post, beholdning eller sirkulasjonsoppføring over Z39.50 inneholder en testlåners navn eller kortnummer
    """
    patrons = z3950_target.profile.patrons
    if not patrons:
        not_tested("the profile lists no [[patron]] to look for")
    needles = {form: p.barcode for p in patrons for s in (p.name, p.barcode) if s
               for form in {s, unicodedata.normalize("NFD", s), unicodedata.normalize("NFC", s)}}
    encoded = {needle.encode("utf-8"): who for needle, who in needles.items()}
    syntax, leaks, read, on_loan = oids.OPAC, [], 0, 0
    for query in _isbn_queries(z3950_catalogue):
        hits = z3950.search(query).result_count
        start = 1
        while start <= hits:
            present = z3950.present(start, min(25, hits - start + 1), record_syntax=syntax)
            if syntax == oids.OPAC and {238, 239} & set(c.bib1_codes(present.diagnostics)):
                syntax = oids.USMARC  # no OPAC: the bibliographic records are all there is to read
                continue
            records = present.records or ()
            if not records:
                break
            for record in records:
                read += 1
                raw = record.external.data if record.external is not None else b""
                leaks += [f"record {record.database} {c.control_number(record)}: {needle.decode()!r} (patron {who})"
                          for needle, who in encoded.items() if needle in raw]
                on_loan += sum(1 for h in (record.opac.holdings if record.opac else ()) for x in h.circulation
                               if not x.available_now)
            start += len(records)
    if leaks:
        raise c.fail(f"{len(leaks)} patron data found in Z39.50 records: {leaks[0]}", clause=PRIVACY_CLAUSE,
                     client=z3950, details=leaks, expected="no patron name or card number in any record", last=2)
    warn.note(f"{read} records read in {oids.name_of(syntax)}, {on_loan} copies not available among them; no patron data")
