"""The consortium's one search index, built once and shared by every server that searches.

The SRU server and the Z39.50 server search the same catalogue with the same rules, so they
share one :class:`~harness.sandbox.search.index.SearchIndex`, kept on the
:class:`~harness.sandbox.state.Consortium` (``search_index``). It reads the live catalogue
(records imported over the MARC channel are findable at once) and asks the live loans for
availability (a checkout over SIP2 shows at once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.sandbox.search.index import SearchIndex
from harness.sandbox.state import Consortium, find_item


def shared_index(consortium: Consortium) -> SearchIndex:
    """The consortium's search index, built on first use."""
    with consortium.lock:
        if consortium.search_index is None:
            consortium.search_index = consortium_index(consortium)
        return consortium.search_index


def consortium_index(consortium: Consortium, **options: Any) -> SearchIndex:
    """A new index over the live catalogue and loans (``options`` go to SearchIndex: a server
    showing a defect builds its own with them, and leaves the shared one alone)."""
    return SearchIndex(consortium.records, lock=consortium.lock, availability=live_availability(consortium), **options)


def live_availability(consortium: Consortium) -> Callable[[str], bool | None]:
    """Item barcode -> on loan now (True), on the shelf (False), not a known copy (None)."""
    def on_loan(barcode: str) -> bool | None:
        item = find_item(consortium, barcode)
        return None if item is None else item.borrower is not None

    return on_loan
