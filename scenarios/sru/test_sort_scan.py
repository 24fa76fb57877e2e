"""SRU-03: sorting in Norwegian order, and scan.

Sorting is judged on the fixture's titles, identified by 001, so a record's letters as the
target writes them do not matter (SPR-01 judges those). The Norwegian rule is firm (A-Z, then
Æ Ø Å: CLDR nb); where a Sámi letter goes is the consortium's wish (Č Đ Š after C D S, as the
Sámi alphabet and CLDR se have it) and a target that sorts them as accented letters (CLDR nb,
ICU's default) gets a WARN. What explain does not declare is asked anyway: refused with a
diagnostic is SKIP, working is WARN (undeclared), accepted and ignored is FAIL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

import pytest

from harness.findings import WarningRecorder, cannot_judge, skip_undeclared
from harness.sru import checks as c
from harness.sru import defects
from harness.sru.catalogue import FixtureRecord
from harness.sru.client import SruClient, SruResult
from harness.sru.cql import Boolean, Query, literal, where
from harness.sru.records import control_number, marc_records
from harness.sru.rules import OASIS6_SCAN, SRU12, SRU12_SCAN
from harness.sru.target import SruTarget

NORWEGIAN = "abcdefghijklmnopqrstuvwxyzæøå"
SAMI = {"á": "a", "č": "c", "đ": "d", "ŋ": "n", "š": "s", "ŧ": "t", "ž": "z"}  # letter -> its base letter
INITIALS = ("B", "D", "Đ", "F", "G", "K", "M", "S", "Š", "T", "V", "Æ", "Å", "Č")
SORT_CLAUSE = (f"{SRU12}, Sorting (CQL sortBy; SRU 1.1 and 2.0 sortKeys); Unicode Technical Standard #10 with the "
               f"CLDR nb tailoring: æ ø å after z; {c.DIAGNOSTICS_CLAUSE}: 80 Sort not supported (never a sort ignored)")
SAMI_CLAUSE = "North Sámi alphabet (CLDR se tailoring): č đ ŋ š ŧ ž are letters of their own, after c d n s t z"
SCAN_CLAUSE = (f"{SRU12_SCAN}: maximumTerms, 'the number of terms which the client requests be returned'; term value "
               f"and numberOfRecords; {OASIS6_SCAN}")


def _initial(record: FixtureRecord) -> str:
    return record.title[:1].lower()


def _rank(letter: str) -> int:
    base = SAMI.get(letter, letter)
    return NORWEGIAN.index(base) if base in NORWEGIAN else -1


def _selection(catalogue: Mapping[str, FixtureRecord]) -> list[FixtureRecord]:
    """One record per initial, in catalogue order (which is not title order)."""
    chosen: dict[str, FixtureRecord] = {}
    for record in catalogue.values():
        if record.title[:1] in INITIALS and record.title[:1] not in chosen:
            chosen[record.title[:1]] = record
    return sorted(chosen.values(), key=lambda r: r.number)


def _disorder(order: Sequence[FixtureRecord], descending: bool) -> list[str]:
    """Neighbours out of Norwegian order, judged by initial letter (Sámi letters as their base)."""
    sign = -1 if descending else 1
    return [f"{a.title!r} before {b.title!r}" for a, b in pairwise(order)
            if sign * (_rank(_initial(b)) - _rank(_initial(a))) < 0]


def _sami_misplaced(order: Sequence[FixtureRecord]) -> list[str]:
    """Sámi letters not after every word of their base letter (ascending order)."""
    found = []
    for letter, base in SAMI.items():
        positions = [i for i, r in enumerate(order) if _initial(r) == letter]
        base_positions = [i for i, r in enumerate(order) if _initial(r) == base]
        if positions and base_positions and min(positions) < max(base_positions):
            found.append(f"{letter.upper()} sorts among {base.upper()}")
    return found


def _sorted(sru: SruClient, version: str, query: Query, title: str, descending: bool) -> SruResult:
    direction = "descending" if descending else "ascending"
    if version == "1.1":
        return sru.search_retrieve(query, version=version, maximum_records=50,
                                   sort_keys=f"{title},,{0 if descending else 1}")
    return sru.search_retrieve(f"{query.to_cql()} sortBy {title}/sort.{direction}", version=version, maximum_records=50)


@pytest.mark.requirement("SRU-03")
@pytest.mark.failed_by(defects.SORT_IGNORED, defects.SORT_CODE_POINT)
def test_sort_in_norwegian_order(sru: SruClient, sru_target: SruTarget, warn: WarningRecorder,
                                 held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """Sorting by title puts æ ø å after z, both ways; or the server says it does not sort (80)

    nb: Sortering på tittel plasserer æ ø å etter z, begge veier; eller serveren sier at den ikke sorterer (80)
    """
    isbn, title = sru_target.index("isbn"), sru_target.index("title")
    if isbn is None or title is None:
        cannot_judge("explain declares no ISBN or title index", "test_members_find_catalogue_records")
    chosen = _selection(held_catalogue)
    by_number = {r.number: r for r in chosen}
    query: Query = where(isbn, "=", literal(chosen[0].isbn))
    for record in chosen[1:]:
        query = Boolean("or", query, where(isbn, "=", literal(record.isbn)))
    declared = sru_target.explain is not None and sru_target.explain.supports_sort
    version = sru_target.settings.version
    orders = {}
    for descending in (False, True):
        result = _sorted(sru, version, query, title, descending)
        response = c.search(result, sru, "a sorted search")
        if response.diagnostics and not declared:
            skip_undeclared(f"explain does not declare sorting, and a sorted search was refused: {c.describe(response.diagnostics)}")
        numbers = [control_number(m) for m in marc_records(response.records)]
        order = [by_number[n] for n in numbers if n in by_number]
        if response.diagnostics or len(order) != len(chosen):
            said = "sorting is declared, but" if declared else "the sort was accepted, but"
            raise c.fail(f"{said} the sorted search gave {len(order)} of {len(chosen)} records "
                         f"({c.describe(response.diagnostics)})", clause=SORT_CLAUSE, client=sru, last=1,
                         expected=f"the {len(chosen)} records, sorted")
        wrong = _disorder(order, descending)
        if wrong:
            raise c.fail(f"{'descending' if descending else 'ascending'} by title is not in Norwegian order: {wrong[0]}",
                         clause=SORT_CLAUSE, client=sru, last=1, details=[r.title for r in order],
                         expected="A-Z, then Æ Ø Å (reversed for descending)")
        orders[descending] = order
    misplaced = _sami_misplaced(orders[False])
    if misplaced:
        warn(f"Sámi letters sort as accented letters: {', '.join(misplaced)}", clause=SAMI_CLAUSE,
             exchanges=c.last_exchanges(sru, 2))
    if not declared:
        warn("titles sort in Norwegian order, but explain does not declare sorting", clause=SORT_CLAUSE,
             exchanges=c.last_exchanges(sru, 2))


@pytest.mark.requirement("SRU-03")
@pytest.mark.failed_by(defects.SCAN_IGNORES_MAXIMUM_TERMS)
def test_scan_terms(sru: SruClient, sru_target: SruTarget, warn: WarningRecorder,
                    held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """Scan returns at most maximumTerms terms, each with a count, and a term found by scan finds records

    nb: Scan gir høyst maximumTerms termer, hver med antall, og en term fra scan finner poster
    """
    info = sru_target.explain
    title = sru_target.index("title")
    if info is None or title is None:
        cannot_judge("explain could not be read, or declares no title index", c.EXPLAIN_CHECK)
    scannable = [n for i in info.indexes if i.scan for n in i.cql_names]
    index = title if not scannable or title in scannable else scannable[0]
    result = sru.scan(where(index, "=", "n"), maximum_terms=5)
    response = c.scan_response(result, sru, f"scan {index} = n")
    if response.diagnostics and not scannable:
        skip_undeclared(f"explain declares no scannable index, and scan was refused: {c.describe(response.diagnostics)}")
    own = c.own_failures(result, c.SCAN_CHECK)
    problems = [str(p) for p in own]
    if response.diagnostics:
        problems.append(f"scan of {index}, declared scannable, was refused: {c.describe(response.diagnostics)}")
    if len(response.terms) > 5:
        problems.append(f"maximumTerms=5 was answered with {len(response.terms)} terms")
    if not response.terms and not problems:
        problems.append(f"scan {index} = n returned no terms")
    uncounted = [t.value for t in response.terms if not t.number_of_records]
    if uncounted:
        problems.append(f"terms without numberOfRecords: {', '.join(uncounted[:5])}")
    if not problems:
        term = response.terms[0]
        found = c.search(sru.search_retrieve(where(index, "=", literal(term.value)), maximum_records=0), sru, "a scanned term")
        if not found.number_of_records:
            problems.append(f"the scanned term {term.value!r} ({term.number_of_records} records) finds "
                            f"{found.number_of_records} records ({c.describe(found.diagnostics)})")
    if problems:
        raise c.fail(problems[0], clause=SCAN_CLAUSE, client=sru, problems=own, details=problems, last=2,
                     expected="at most 5 terms, each with value and numberOfRecords; the first term finds records")
    if not scannable:
        warn(f"scan of {index} works, but explain declares no index scannable", clause=SCAN_CLAUSE,
             exchanges=c.last_exchanges(sru, 2))
