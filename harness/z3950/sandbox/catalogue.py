"""What the sandbox's Z39.50 backend reads of the consortium: databases, records, copies.

The databases: the profile's ``[z3950] database`` is the whole shared catalogue; with
``member_database`` each member library has its own, named by its code, which searches the
same shared catalogue (a member sees every member's records: KAT-02). Copies and their
circulation come from the consortium's live items (a SIP2 checkout shows at once: KAT-04),
the library's name from the consortium's libraries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

import pymarc

from harness.sandbox.search import AllRecords, SearchIndex
from harness.sandbox.state import Consortium, find_item
from harness.z3950.sandbox.records import Copy, Holding
from harness.z3950.settings import Z3950Settings

Circulation = Callable[[str], tuple[bool | None, datetime | None, str | None]]  # barcode -> on loan, due, borrower


def databases(settings: Z3950Settings, consortium: Consortium) -> dict[str, str | None]:
    """Database name -> the member library whose view it is (None: the consortium's)."""
    found: dict[str, str | None] = {settings.database: None}
    if settings.member_database:
        for library in consortium.libraries.values():
            found.setdefault(settings.view(library.code_for("z3950")), library.number)
    return found


def live_circulation(consortium: Consortium) -> Circulation:
    def state(barcode: str) -> tuple[bool | None, datetime | None, str | None]:
        with consortium.lock:
            item = find_item(consortium, barcode)
            if item is None:
                return None, None, None
            patron = consortium.patrons.get(item.borrower) if item.borrower else None
            borrower = f"{patron.name} ({patron.barcode})" if patron is not None else item.borrower
            return item.borrower is not None, item.due, borrower

    return state


def snapshot_circulation(consortium: Consortium) -> Circulation:
    """Circulation as it is now, frozen (the availability-not-live defect)."""
    live = live_circulation(consortium)
    with consortium.lock:
        frozen = {barcode: live(barcode) for barcode in consortium.items}
    return lambda barcode: frozen.get(barcode, (None, None, None))


def holdings(record: pymarc.Record, names: Mapping[str, str], circulation: Circulation,
             *, name_borrowers: bool = False) -> tuple[Holding, ...]:
    """One :class:`Holding` per 852, its copies (852 $p) with their circulation now."""
    found = []
    for field in record.get_fields("852"):
        library = next(iter(field.get_subfields("a")), "")
        shelving = " ".join(field.get_subfields("b", "c"))
        call_number = " ".join(field.get_subfields("h"))
        copies = []
        for barcode in field.get_subfields("p"):
            on_loan, due, borrower = circulation(barcode)
            named = (borrower or "") if name_borrowers and on_loan else ""  # DEFECT z3950-borrower-in-opac
            copies.append(Copy(library, names.get(library, ""), barcode, on_loan,
                               due.strftime("%Y%m%d") if on_loan and due else "", shelving, call_number, named))
        found.append(Holding(library, names.get(library, ""), shelving, call_number, tuple(copies)))
    return tuple(found)


def library_names(consortium: Consortium) -> dict[str, str]:
    return {number: library.name for number, library in consortium.libraries.items()}


def catalogue_order(index: SearchIndex) -> dict[str, int]:
    """Record id -> its place in the catalogue (to order a combination of result sets)."""
    return {record_id: n for n, record_id in enumerate(index.search(AllRecords()))}
