"""The sandbox's search engine, shared by its SRU and Z39.50 servers; protocol-neutral.

    text.py       folding (caseless, NFC/NFD-blind, letters kept apart), words, ISBNs
    collation.py  Norwegian and North Sámi sort order (UCA levels, CLDR nb + Sámi alphabet)
    extract.py    which MARC fields feed which index; holdings (852 $a library, $p barcode)
    query.py      the neutral query model: Term (all/any/phrase/exact), And, Or, AndNot, AllRecords
    index.py      SearchIndex: kept current with the live catalogue; search, scan, holdings
    shared.py     shared_index(consortium): the one index SRU and Z39.50 search, on the Consortium
"""

from harness.sandbox.search.collation import sort_key
from harness.sandbox.search.index import HoldingStatus, ScanEntry, SearchIndex
from harness.sandbox.search.query import (
    INDEXES,
    MODES,
    SORTABLE,
    AllRecords,
    And,
    AndNot,
    Node,
    Or,
    SortSpec,
    Term,
    term,
)
from harness.sandbox.search.text import ANY_RUN, ONE_CHAR, fold, normalise_isbn, words

__all__ = [
    "ANY_RUN", "INDEXES", "MODES", "ONE_CHAR", "SORTABLE", "AllRecords", "And", "AndNot", "HoldingStatus", "Node",
    "Or", "ScanEntry", "SearchIndex", "SortSpec", "Term", "fold", "normalise_isbn", "sort_key", "term", "words",
]
