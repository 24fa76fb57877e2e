"""The cooperation defects: faults that break only the crossing between protocols.

Each protocol suite alone still passes under any of them: they concern what happens after
the sandbox started (records imported, holdings added, loans made, items returned elsewhere)
and reaches another protocol's view. The sandbox applies them in :mod:`.sandbox`, between
the live catalogue and circulation and the search index the SRU and Z39.50 servers share,
where library systems keep such copies (a search index fed by a queue, an availability cache,
a nightly holdings job). Each cooperation scenario names its defect in ``failed_by``;
``tests/integration/test_defects.py`` runs them with ``--suite cooperation`` (``protocol``).
"""

from __future__ import annotations

from harness.defects import Defect

SUITE = "cooperation"  # the suite these defects belong to (scenarios/cooperation/), not a protocol unit


def _coop(name: str, description: str, seen_in: str = "") -> Defect:
    return Defect(SUITE, f"coop-{name}", description, seen_in)


UPGRADE_HOLDING_NOT_INDEXED = _coop(
    "upgrade-holding-not-indexed",
    "a holding another library adds (an import matched on 035) to a record imported after start never reaches the "
    "search index: SRU and Z39.50 keep showing the first library's holding only",
    "rism-digital/muscat#739 (adding a holding record did not reindex the record it belongs to)")
SCHOOL_LOANS_NOT_IN_SEARCH = _coop(
    "school-loans-not-in-search",
    "loans made at a school library's counter reach search availability only with a nightly batch: a school's copy "
    "checked out over SIP2 shows as available over SRU",
    "wellcomecollection/platform#5632 (loans of one kind still shown as available in the online catalogue)")
NEW_RECORDS_PASS_LIBRARY_LIMITS = _coop(
    "new-records-pass-library-limits",
    "the holdings table that library limits use is rebuilt nightly: a record imported after start passes every "
    "library's limit, over SRU and Z39.50")
TRANSIT_NOT_IN_SEARCH = _coop(
    "transit-not-in-search",
    "search availability is updated on loans only: an item returned at another member and routed home over SIP2 shows "
    "as available over SRU, never as in transit",
    "rero/rero-ils#2827 (an item in transit without a loan shown as available; fixed in rero/rero-ils#3580)")
IMPORTED_LETTERS_NORMALISED = _coop(
    "imported-letters-normalised",
    "records imported after start are NFC-normalised on their way to the search index: SRU and Z39.50 return their "
    "decomposed letters composed (the fixture catalogue, loaded before start, stays exact)",
    "hbz/lobid-gnd#45 (index data normalised to NFC on the way in)")
SESSION_BORROWER_IN_SEARCH = _coop(
    "session-borrower-in-search",
    "the search index's copy of a holding names the borrower (852 $z) of a loan made since start; loans older than "
    "the index carry no name",
    "YaleSTC/reservations#1749 (public item pages listed who had each item checked out)")

CATALOGUE: tuple[Defect, ...] = (
    UPGRADE_HOLDING_NOT_INDEXED, SCHOOL_LOANS_NOT_IN_SEARCH, NEW_RECORDS_PASS_LIBRARY_LIMITS, TRANSIT_NOT_IN_SEARCH,
    IMPORTED_LETTERS_NORMALISED, SESSION_BORROWER_IN_SEARCH,
)
