"""Z-02: Scan and Sort, when Init agrees to them (else SKIP).

Scan is judged on where its list begins: the entry at Position-of-term is the start term or
the first term after it, the one before it comes before the start term, the entries are in
order. Order is compared coarsely (case, accents and the Sámi letters' marks set aside; æ ø å
after z), so a target following CLDR nb and one following the Sámi alphabet both pass.

Sort is judged on the fixture's titles, identified by 001, when the target holds the
catalogue (else on the titles the records carry). The Norwegian rule is firm (A-Z, then
Æ Ø Å: CLDR nb); where a Sámi letter goes is the consortium's wish (Č Đ Š after C D S, as the
Sámi alphabet and CLDR se have it), so a target that sorts them as accented letters (CLDR nb,
ICU's default) gets a WARN, as in the SRU suite.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from itertools import pairwise

import pytest

from harness.findings import WarningRecorder, cannot_judge, not_tested, skip_undeclared
from harness.sru.catalogue import FixtureRecord
from harness.z3950 import checks as c
from harness.z3950 import defects, oids
from harness.z3950.client import Client
from harness.z3950.query import Attribute
from harness.z3950.services import ScanEntry, SortKey
from harness.z3950.target import Z3950Target

NORWEGIAN = "abcdefghijklmnopqrstuvwxyzæøå"
SAMI = {"á": "a", "č": "c", "đ": "d", "ŋ": "n", "š": "s", "ŧ": "t", "ž": "z"}  # letter -> its base letter
INITIALS = ("B", "D", "Đ", "F", "G", "K", "M", "S", "Š", "T", "V", "Æ", "Å", "Č")
SCAN_START, SCAN_COUNT, SCAN_POSITION = "fjell", 6, 3
SAMI_CLAUSE = "North Sámi alphabet (CLDR se tailoring): č đ ŋ š ŧ ž are letters of their own, after c d n s t z"


def coarse(text: str) -> tuple[int, ...]:
    """A deliberately coarse collation key: letters by the Norwegian alphabet, marks ignored
    (so á č đ š sort with a c d s), æ ø å after z, digits first, other characters ignored."""
    key = []
    for char in unicodedata.normalize("NFC", text.casefold()):
        char = SAMI.get(char, char)
        if char in "æøå":
            key.append(100 + NORWEGIAN.index(char))
        elif char.isdigit():
            key.append(int(char))
        elif char.isalpha():
            base = unicodedata.normalize("NFD", char)[0]
            key.append(100 + NORWEGIAN.index(base) if base in NORWEGIAN else 200 + ord(base))
    return tuple(key)


def _term_text(entry: ScanEntry) -> str:
    if entry.display:
        return entry.display
    return entry.term.decode("utf-8", "replace") if isinstance(entry.term, bytes) else str(entry.term)


@pytest.mark.requirement("Z-02")
@pytest.mark.failed_by(defects.SCAN_FROM_THE_START)
def test_scan_terms(z3950: Client, z3950_target: Z3950Target, warn: WarningRecorder) -> None:
    """Scan returns the term list around the start term, in order, with Position-of-term and Scan-status right

    nb: Scan gir termlisten rundt startermen, i orden, med riktig Position-of-term og Scan-status
    """
    if not z3950_target.offers("scan"):
        skip_undeclared("Init does not agree to scan")
    use = c.scan_use(z3950_target.settings.sample_query)
    scan = z3950.scan(f"@attr 1={use} {SCAN_START}", count=SCAN_COUNT, position=SCAN_POSITION)
    if scan.status == 6:
        cannot_judge(f"Scan of Use {use} fails ({c.describe(scan.diagnostics)})", c.INIT_CHECK)
    terms = [_term_text(e) for e in scan.entries if e.diagnostic is None]
    position = scan.position if scan.position is not None else SCAN_POSITION
    wrong = []
    if scan.entries_returned != len(scan.entries) or len(scan.entries) > SCAN_COUNT:
        wrong.append(f"numberOfEntriesReturned {scan.entries_returned}, {len(scan.entries)} entries, {SCAN_COUNT} asked")
    if scan.status == 0 and len(scan.entries) != SCAN_COUNT:
        wrong.append(f"scanStatus success with {len(scan.entries)} of {SCAN_COUNT} entries")
    wrong += [f"{a!r} listed before {b!r}" for a, b in pairwise(terms) if coarse(a) > coarse(b)]
    start = coarse(SCAN_START)
    if 1 <= position <= len(terms) and coarse(terms[position - 1]) < start:
        wrong.append(f"Position-of-term {position} holds {terms[position - 1]!r}, which comes before {SCAN_START!r}")
    if 2 <= position <= len(terms) + 1 and coarse(terms[position - 2]) > start:
        wrong.append(f"entry {position - 1}, {terms[position - 2]!r}, comes after the start term {SCAN_START!r}")
    if wrong:
        raise c.fail(f"Scan of Use {use} from {SCAN_START!r} (position {SCAN_POSITION} asked, {position} answered): "
                     f"{wrong[0]}", clause=c.SCAN_CLAUSE, client=z3950, details=[*wrong, f"terms: {terms}"],
                     expected=f"{SCAN_COUNT} terms in order, {SCAN_START!r} or the term after it at Position-of-term",
                     last=1)
    warn.note(f"Scan from {SCAN_START!r}: {', '.join(terms)} (position {position}, status {scan.status})")


# -- Sort ----------------------------------------------------------------------------------------------


def _rank(letter: str) -> int:
    base = SAMI.get(letter, letter)
    return NORWEGIAN.index(base) if base in NORWEGIAN else -1


def _disorder(titles: Sequence[str], descending: bool) -> list[str]:
    sign = -1 if descending else 1
    return [f"{a!r} before {b!r}" for a, b in pairwise(titles)
            if sign * (_rank(b[:1].casefold()) - _rank(a[:1].casefold())) < 0]


def _sami_misplaced(titles: Sequence[str]) -> list[str]:
    found = []
    initials = [t[:1].casefold() for t in titles]
    for letter, base in SAMI.items():
        positions = [i for i, x in enumerate(initials) if x == letter]
        base_positions = [i for i, x in enumerate(initials) if x == base]
        if positions and base_positions and min(positions) < max(base_positions):
            found.append(f"{letter.upper()} sorts among {base.upper()}")
    return found


def _selection(catalogue: Mapping[str, FixtureRecord]) -> list[FixtureRecord]:
    """One record per initial, in catalogue order (which is not title order)."""
    chosen: dict[str, FixtureRecord] = {}
    for record in catalogue.values():
        if record.title[:1] in INITIALS and record.title[:1] not in chosen:
            chosen[record.title[:1]] = record
    return sorted(chosen.values(), key=lambda r: r.number)


def _titles(client: Client, count: int, catalogue: Mapping[str, FixtureRecord] | None) -> list[str]:
    present = client.present(1, count, result_set="harness-sorted", record_syntax=oids.USMARC)
    if not present.records and present.diagnostics:
        raise c.fail(f"Sort answered success, but its output set harness-sorted does not present: "
                     f"{c.describe(present.diagnostics)}", clause=c.SORT_CLAUSE, client=client, last=2,
                     expected="the sorted result set, named as the Sort request asked")
    titles = []
    for record in present.records or ():
        number = c.control_number(record)
        if catalogue is not None and number in catalogue:
            titles.append(catalogue[number].title)
            continue
        found = c.marc(record.data)
        field = found.get_fields("245")[0] if found is not None and found.get_fields("245") else None
        second = str(field.indicators[1]) if field is not None and field.indicators else ""
        skip = int(second) if second.isdigit() else 0  # 245 indicator 2: non-filing characters
        titles.append(" ".join(field.get_subfields("a"))[skip:] if field is not None else "")
    return titles


@pytest.mark.requirement("Z-02")
@pytest.mark.failed_by(defects.SORT_CODE_POINT, defects.SORT_IGNORED)
def test_sort_in_norwegian_order(request: pytest.FixtureRequest, z3950: Client, z3950_target: Z3950Target,
                                 warn: WarningRecorder) -> None:
    """Sort by title orders a result set in Norwegian order (æ ø å after z), both ways

    nb: Sortering på tittel ordner et resultatsett i norsk rekkefølge (æ ø å etter z), begge veier
    """
    if not z3950_target.offers("sort"):
        skip_undeclared("Init does not agree to sort")
    catalogue = request.getfixturevalue("fixture_catalogue") if request.getfixturevalue("catalogue_held") else None
    if catalogue is not None:
        chosen = _selection(catalogue)
        query = f"@attr 1=7 {chosen[0].isbn}"
        for record in chosen[1:]:
            query = f"@or {query} @attr 1=7 {record.isbn}"
        hits = z3950.search(query, result_set="harness-unsorted").result_count
    else:
        hits = c.sample_search(z3950, z3950_target.settings.sample_query, at_least=3,
                               result_set="harness-unsorted").result_count
    count = min(hits, 30)
    orders, wrong = [], []
    for descending in (False, True):
        sort = z3950.sort((SortKey((Attribute(1, 4),), descending=descending),), inputs=("harness-unsorted",),
                          output="harness-sorted")
        if sort.status == 2:
            cannot_judge(f"Sort by title fails ({c.describe(sort.diagnostics)})", c.INIT_CHECK)
        titles = _titles(z3950, count, catalogue)
        orders.append(titles)
        wrong += [f"{'descending' if descending else 'ascending'}: {x}" for x in _disorder(titles, descending)]
    if len(orders[0]) < 3:
        not_tested(f"only {len(orders[0])} sorted records came back to judge")
    if wrong:
        raise c.fail(f"Sort by title (Use 4) is not in Norwegian order: {wrong[0]}", clause=c.SORT_CLAUSE, client=z3950,
                     details=[*wrong, f"ascending: {orders[0]}", f"descending: {orders[1]}"],
                     expected="A-Z, then Æ Ø Å, ascending and descending", last=6)
    misplaced = _sami_misplaced(orders[0])
    if misplaced:
        warn(f"Sort by title: {', '.join(misplaced)} (sorted as accented letters, not after their base letters)",
             clause=SAMI_CLAUSE, received=" | ".join(orders[0]), exchanges=c.last_exchanges(z3950, 2))
        return
    warn.note(f"{len(orders[0])} titles sorted both ways: {' | '.join(orders[0])}")
