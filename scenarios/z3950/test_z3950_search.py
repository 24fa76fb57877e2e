"""Z-01 and Z-02 on Search: Bib-1 attributes, diagnostics, piggyback, named result sets.

Bath level 0 is asked as IRSpy asks it (its Search::Bath test: author, title, subject and any
with ``2=3 3=3 4=2 5=100 6=1``): accepted is the property, hits or not. What a target does
not support it must say with the Bib-1 diagnostic for it; a search answered as if the
attribute were not there, or with 0 hits and no diagnostic, is the deviation users complain
of most (research z3950-sru.md §4.4: "diagnostics that surface instead of 0 hits").
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from harness.findings import WarningRecorder, not_tested, skip_undeclared
from harness.sru.catalogue import FixtureRecord
from harness.z3950 import checks as c
from harness.z3950 import defects, oids
from harness.z3950.client import Client
from harness.z3950.target import Z3950Target

BATH = {1003: "author", 4: "title", 21: "subject", 1016: "any"}
BATH_ATTRIBUTES = "@attr 2=3 @attr 3=3 @attr 4=2 @attr 5=100 @attr 6=1"
PROBE_TERM = "fjorden"
# (the attribute(s) as PQF, the Bib-1 diagnostic that says it is not supported)
UNSUPPORTED = (
    ("@attr 1=9999", 114), ("@attr 1=4 @attr 2=99", 117), ("@attr 1=4 @attr 3=99", 119), ("@attr 1=4 @attr 4=99", 118),
    ("@attr 1=4 @attr 5=99", 120), ("@attr 1=4 @attr 6=99", 122), ("@attr 1=4 @attr 99=1", 113),
)
UNKNOWN_SET = "1.2.840.10003.3.9999"  # an attribute set no one registered: Bib-1 121
COMBINATION = 123  # 'Unsupported attribute combination' is a fair answer to any of them
SHARED_RECORD = "hx0000002"  # Čáppa ŋuolggat, đuoddarat, Ruoŧŧa ja viežžat šattuid; Kristiansen, Kåre


@pytest.mark.requirement("Z-01")
@pytest.mark.failed_by(defects.BATH_ANY_REFUSED)
def test_bath_level0_searches(z3950: Client, warn: WarningRecorder) -> None:
    """Bath Profile level 0 searches (author, title, subject, any: 2=3 3=3 4=2 5=100 6=1) are accepted

    nb: Bath-profilens nivå 0-søk (forfatter, tittel, emne, alle felt: 2=3 3=3 4=2 5=100 6=1) godtas
    """
    refused, counts = [], []
    for use, name in BATH.items():
        search = z3950.search(f"@attr 1={use} {BATH_ATTRIBUTES} {PROBE_TERM}")
        if not search.status or search.diagnostics:
            refused.append(f"{name} (1={use}): searchStatus {search.status}, {c.describe(search.diagnostics)}")
        else:
            counts.append(f"{name} {search.result_count}")
    if refused:
        raise c.fail(f"{len(refused)} of the Bath level 0 searches are refused: {refused[0]}", clause=c.BATH_CLAUSE,
                     client=z3950, details=refused, expected="each accepted (searchStatus true, no diagnostic)", last=4)
    warn.note(f"Bath level 0 accepted; hits for {PROBE_TERM!r}: {', '.join(counts)}")


def _find(client: Client, query: str, number: str) -> tuple[bool, str]:
    found, search = c.numbers_found(client, query)
    if not search.status or search.diagnostics:
        return False, f"{query}: refused ({c.describe(search.diagnostics)})"
    return number in found, f"{query}: {search.result_count} hits, {'with' if number in found else 'without'} {number}"


@pytest.mark.requirement("Z-01")
@pytest.mark.failed_by(defects.TRUNCATION_IGNORED)
def test_bib1_searches_find_the_records(z3950: Client, z3950_catalogue: Mapping[str, FixtureRecord],
                                        warn: WarningRecorder) -> None:
    """Title, author, ISBN and subject searches, right truncation and AND, OR, AND-NOT find what they should

    nb: Søk på tittel, forfatter, ISBN og emne, høyretrunkering og AND, OR, AND-NOT finner det de skal
    """
    record = z3950_catalogue[SHARED_RECORD]
    subject = next(v for f in record.record.get_fields("651", "650") for v in f.get_subfields("a"))
    title, author = "@attr 1=4 ŋuolggat", f"@attr 1=1003 {c.pqf_term(record.author.split(',')[0])}"
    must_find = [title, author, f"@attr 1=7 {record.isbn}", f"@attr 1=21 {c.pqf_term(subject)}",
                 "@attr 1=4 @attr 5=1 ŋuolgg", f"@and {title} {author}", f"@or {title} @attr 1=4 harnessnosuchword"]
    must_not_find = [f"@not {title} {author}"]
    wrong, seen = [], []
    for query in must_find:
        found, line = _find(z3950, query, record.number)
        seen.append(line)
        if not found:
            wrong.append(line)
    for query in must_not_find:
        found, line = _find(z3950, query, record.number)
        seen.append(line)
        if found:
            wrong.append(line)
    if wrong:
        raise c.fail(f"{len(wrong)} searches do not give what they should for {record.number} "
                     f"({record.title!r}): {wrong[0]}", clause=c.SEARCH_CLAUSE, client=z3950, details=seen,
                     expected=f"{record.number} found by title, author, ISBN, subject, truncation, AND and OR; "
                              "not by AND-NOT of its own author", last=len(seen) * 2)
    warn.note(f"{len(seen)} searches as expected for {record.number}", details=seen)


@pytest.mark.requirement("Z-01")
@pytest.mark.failed_by(defects.SILENT_ZERO, defects.UNSUPPORTED_USE_SEARCHED)
def test_unsupported_attributes_get_diagnostics(z3950: Client) -> None:
    """Unsupported Bib-1 attributes are answered with their diagnostic (113, 114, 117-122), never a silent result

    nb: Bib-1-attributter målet ikke støtter besvares med sin diagnostikk (113, 114, 117-122), aldri med et stille resultat
    """
    probes = [(f"{attributes} {PROBE_TERM}", code) for attributes, code in UNSUPPORTED]
    probes.append((f"@attrset {UNKNOWN_SET} @attr 1=4 {PROBE_TERM}", 121))
    wrong, seen = [], []
    for query, code in probes:
        search = z3950.search(query)
        codes = c.bib1_codes(search.diagnostics)
        line = f"{query}: searchStatus {search.status}, {search.result_count} hits, {c.describe(search.diagnostics)}"
        seen.append(line)
        if code in codes or COMBINATION in codes:
            continue
        if search.status and not search.diagnostics:
            what = "a silent zero" if search.result_count == 0 else "searched as if the attribute were not there"
            wrong.append(f"{line} ({what}; Bib-1 {code} expected)")
        else:
            wrong.append(f"{line} (Bib-1 {code} expected)")
    if wrong:
        raise c.fail(f"{len(wrong)} of {len(probes)} unsupported attributes are not answered with their diagnostic: "
                     f"{wrong[0]}", clause=c.ATTRIBUTE_CLAUSE, client=z3950, details=wrong,
                     expected="searchStatus false with Bib-1 " + ", ".join(str(code) for _, code in probes)
                              + " (or 123, unsupported combination)", last=len(probes))


@pytest.mark.requirement("Z-02")
@pytest.mark.failed_by(defects.PIGGYBACK_IGNORED)
def test_piggyback(z3950: Client, z3950_target: Z3950Target, warn: WarningRecorder) -> None:
    """A small result set comes back with its records in the Search response; a medium one with as many as asked

    nb: Et lite resultatsett kommer tilbake med postene i søkesvaret; et middels stort med så mange som bedt om
    """
    query = z3950_target.settings.sample_query
    hits = c.sample_search(z3950, query, at_least=3).result_count
    small = z3950.search(query, small_set_upper_bound=hits, record_syntax=oids.USMARC, element_set="F")
    if {1005, 1006} & set(c.bib1_codes(small.diagnostics)):
        skip_undeclared(f"the target does not piggyback records ({c.describe(small.diagnostics)})")
    medium = z3950.search(query, small_set_upper_bound=0, large_set_lower_bound=hits + 1, medium_set_present_number=2,
                          record_syntax=oids.USMARC, element_set="F")
    wrong = []
    for what, response, wanted in (("small", small, hits), ("medium", medium, 2)):
        records = response.records or ()
        if response.records_returned != wanted or len(records) != wanted:
            wrong.append(f"{what} set ({response.result_count} hits, {wanted} records wanted): numberOfRecordsReturned "
                         f"{response.records_returned}, {len(records)} records ({c.describe(response.diagnostics)})")
    if wrong:
        raise c.fail(f"records are not piggybacked as asked: {wrong[0]}", clause=c.PIGGYBACK_CLAUSE, client=z3950,
                     details=wrong, expected="all records of a small set, medium-set-present-number of a medium one",
                     last=2)
    warn.note(f"{hits} records piggybacked for a small set, 2 for a medium one")


@pytest.mark.requirement("Z-02")
@pytest.mark.failed_by(defects.NAMED_SETS_SHARED)
def test_named_result_sets(z3950: Client, z3950_target: Z3950Target) -> None:
    """Two named result sets live at once: set a reads as before after set b is made

    nb: To navngitte resultatsett lever samtidig: sett a leses som før etter at sett b er laget
    """
    if not z3950_target.offers("namedResultSets"):
        skip_undeclared("Init does not agree to namedResultSets")
    query = z3950_target.settings.sample_query
    hits = c.sample_search(z3950, query, at_least=2, result_set="harness-a").result_count
    first = z3950.present(1, 1, result_set="harness-a", record_syntax=oids.USMARC)
    last = z3950.present(hits, 1, result_set="harness-a", record_syntax=oids.USMARC)
    if not first.records or not last.records:
        not_tested(f"set harness-a ({hits} hits) does not present its first and last records "
                   f"({c.describe(first.diagnostics + last.diagnostics)}); the present checks judge that")
    other = z3950.search(f"@not {query} {query}", result_set="harness-b")  # the same query, less itself: empty
    if not other.status:
        not_tested(f"the empty set for harness-b (AND-NOT of the sample query with itself) is refused: "
                   f"{c.describe(other.diagnostics)}")
    again = [z3950.present(1, 1, result_set="harness-a", record_syntax=oids.USMARC),
             z3950.present(hits, 1, result_set="harness-a", record_syntax=oids.USMARC)]
    before = [first.records[0].data, last.records[0].data]
    after = [a.records[0].data if a.records else None for a in again]
    if after != before:
        changed = [f"record {position} of harness-a: " + (c.describe(a.diagnostics) if a.records is None or not a.records
                                                           else f"{len(a.records[0].data)} bytes, not as before")
                   for position, a, b, x in zip((1, hits), again, before, after, strict=True) if x != b]
        raise c.fail(f"after set harness-b ({other.result_count} hits) was made, set harness-a ({hits} hits) is not "
                     f"what it was: {changed[0]}", clause=c.NAMED_CLAUSE, client=z3950, details=changed,
                     expected="harness-a's records 1 and last as they were before", last=5)
