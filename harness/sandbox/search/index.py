"""The sandbox's search index over the consortium's live catalogue (001 -> pymarc record).

**Currency.** The index reads the catalogue mapping it was given (``Consortium.records``)
and brings itself up to date at the start of every search, scan or lookup (:meth:`refresh`):
a record whose object is not the one indexed is re-indexed, a record gone is dropped. The
MARC channel stores a *new* record object on every import and deletes by ``pop``, so object
identity is an exact change signal, and a record is findable the moment the import returns,
with no notification to forget. The cost is one pass over the mapping per query (about a
millisecond for 10,000 records, measured in the tests' benchmark note); a caller that
changes a stored record *in place* must call :meth:`add` for it (nothing in the sandbox
does). :meth:`add` and :meth:`remove` are there for a server that prefers notifications.

**Matching** is done on folded words (:mod:`.text`): caseless and blind to NFC/NFD, never
folding one letter into another. Words are looked up in posting sets; masks expand over the
index's sorted vocabulary (a prefix by bisection, other masks by a pattern over the words);
phrase and exact matches are then verified field by field on the candidate records.

Pure Python: PyICU would give full CLDR collation but is a heavy native dependency; the
collation this consortium needs fits in :mod:`.collation`.
"""

from __future__ import annotations

import bisect
import operator
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import pymarc

from harness.sandbox.search.collation import SortKey, sort_key
from harness.sandbox.search.extract import fields_by_index, holdings, sort_texts
from harness.sandbox.search.query import (
    INDEXES,
    AllRecords,
    And,
    AndNot,
    Node,
    Or,
    SortSpec,
    Term,
)
from harness.sandbox.search.text import ANY_RUN, ONE_CHAR, fold, normalise_isbn, words

_WHOLE_VALUE = ("isbn", "library")  # indexes of whole values, not words
_EMPTY: frozenset[str] = frozenset()
_WORD_RE = re.compile(r"(?:[^\W_])[\u0300-\u036f]*(?:(?:[^\W_])[\u0300-\u036f]*)*")


@dataclass(frozen=True, slots=True)
class HoldingStatus:
    """A copy as a searcher sees it: owning library, barcode, and whether it is on loan."""

    library: str
    barcode: str
    on_loan: bool | None  # None: the availability source does not know the copy


@dataclass(frozen=True, slots=True)
class ScanEntry:
    term: str  # the folded term, usable in a search
    display: str  # as the catalogue writes it
    count: int  # records holding it


@dataclass(frozen=True, slots=True)
class _Doc:
    record: pymarc.Record
    words: Mapping[str, frozenset[str]]
    phrases: Mapping[str, tuple[tuple[str, ...], ...]]
    sort: Mapping[str, SortKey]
    libraries: frozenset[str]


def _raw_words(text: str) -> list[str]:
    """Words lower-cased but not normalised: the 'NFD data unfindable' deviation."""
    return _WORD_RE.findall(text.lower())


class SearchIndex:
    """Searches, scans and availability over a live ``record id -> pymarc.Record`` mapping.

    Args:
        records: the catalogue, read (never changed) under ``lock``.
        lock: the catalogue's lock (``Consortium.lock``); none for a private mapping.
        availability: item barcode -> on loan (True), on the shelf (False), unknown (None).
        normalise_unicode: False indexes data without canonical normalisation, so NFD data
            is not found by NFC queries (a defect the sandbox can switch on).
        words_of: how text becomes indexed words, instead of :func:`~.text.words` (a defect
            that folds letters swaps it; queries must then be folded the same way).
    """

    def __init__(self, records: Mapping[str, pymarc.Record], *, lock: AbstractContextManager[object] | None = None,
                 availability: Callable[[str], bool | None] = lambda barcode: None, normalise_unicode: bool = True,
                 words_of: Callable[[str], list[str]] | None = None) -> None:
        self._source = records
        self._source_lock: AbstractContextManager[object] = lock if lock is not None else nullcontext()
        self._availability = availability
        self._words: Callable[[str], list[str]] = words_of or (words if normalise_unicode else _raw_words)
        self._guard = threading.RLock()
        self._docs: dict[str, _Doc] = {}
        self._order: dict[str, int] = {}
        self._postings: dict[str, dict[str, set[str]]] = {index: {} for index in INDEXES}
        self._display: dict[str, dict[str, str]] = {index: {} for index in INDEXES}
        self._vocabulary: dict[str, list[str] | None] = {index: None for index in INDEXES}
        self._scan_keys: dict[str, list[tuple[SortKey, str]] | None] = {index: None for index in INDEXES}
        self._keys: list[str] = []  # the catalogue as last seen: ids and record objects
        self._values: list[pymarc.Record] = []

    # --- keeping current -----------------------------------------------------------------------

    def refresh(self) -> int:
        """Bring the index up to date with the catalogue; returns how many records changed."""
        with self._source_lock:
            keys, values = list(self._source), list(self._source.values())
        with self._guard:
            if keys == self._keys and all(map(operator.is_, values, self._values)):
                return 0  # the common case, checked in C: nothing changed since the last look
            changed = self._sync(list(zip(keys, values)))
            self._keys, self._values = keys, values
        return changed

    def _sync(self, items: list[tuple[str, pymarc.Record]]) -> int:
        changed = 0
        present = set()
        for record_id, record in items:
            present.add(record_id)
            doc = self._docs.get(record_id)
            if doc is None or doc.record is not record:
                self._index(record_id, record)
                changed += 1
        for record_id in [r for r in self._docs if r not in present]:
            self._unindex(record_id)
            changed += 1
        self._order = {record_id: i for i, (record_id, _) in enumerate(items)}
        return changed

    def add(self, record_id: str, record: pymarc.Record) -> None:
        """(Re-)index one record now: for a record changed in place."""
        with self._guard:
            self._index(record_id, record)
            self._order.setdefault(record_id, len(self._order))

    def remove(self, record_id: str) -> None:
        with self._guard:
            self._unindex(record_id)
            self._order.pop(record_id, None)

    def _index(self, record_id: str, record: pymarc.Record) -> None:
        self._unindex(record_id)
        fields = fields_by_index(record)
        doc_words: dict[str, frozenset[str]] = {}
        phrases: dict[str, tuple[tuple[str, ...], ...]] = {}
        for index, texts in fields.items():
            sequences: tuple[tuple[str, ...], ...]
            if index in _WHOLE_VALUE:
                sequences = tuple((fold(t).strip(),) for t in texts if t.strip())
            else:
                sequences = tuple(tuple(self._words(t)) for t in texts)
                self._remember_display(index, texts)
            phrases[index] = sequences
            doc_words[index] = frozenset(w for seq in sequences for w in seq)
            for word in doc_words[index]:
                postings = self._postings[index].setdefault(word, set())
                if not postings:
                    self._vocabulary[index] = self._scan_keys[index] = None
                postings.add(record_id)
        sorts = {index: sort_key(text) for index, text in sort_texts(record).items()}
        libraries = frozenset(fold(t).strip() for t in fields["library"])
        self._docs[record_id] = _Doc(record, doc_words, phrases, sorts, libraries)

    def _remember_display(self, index: str, texts: Iterable[str]) -> None:
        display = self._display[index]
        for text in texts:
            originals = _WORD_RE.findall(text)
            folded = self._words(text)
            if len(originals) == len(folded):
                for original, word in zip(originals, folded):
                    display.setdefault(word, original)

    def _unindex(self, record_id: str) -> None:
        doc = self._docs.pop(record_id, None)
        if doc is None:
            return
        for index, doc_words in doc.words.items():
            postings = self._postings[index]
            for word in doc_words:
                ids = postings.get(word)
                if ids is not None:
                    ids.discard(record_id)
                    if not ids:
                        del postings[word]
                        self._display[index].pop(word, None)
                        self._vocabulary[index] = self._scan_keys[index] = None

    # --- reading ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        self.refresh()
        return len(self._docs)

    def record(self, record_id: str) -> pymarc.Record | None:
        self.refresh()
        with self._guard:
            doc = self._docs.get(record_id)
            return doc.record if doc is not None else None

    def holdings(self, record_id: str) -> tuple[HoldingStatus, ...]:
        """The record's copies with owning library and loan status (asked of the live loans)."""
        record = self.record(record_id)
        if record is None:
            return ()
        return tuple(HoldingStatus(h.library, h.barcode, self._availability(h.barcode)) for h in holdings(record))

    def search(self, query: Node, *, library: str | None = None, sort: Sequence[SortSpec] = ()) -> list[str]:
        """Record ids matching ``query`` (held by ``library`` when given), sorted by ``sort``
        (Norwegian/Sámi collation) or else in catalogue order."""
        self.refresh()
        with self._guard:
            found = self._evaluate(query)
            if library is not None:
                wanted = fold(library).strip()
                found = {r for r in found if wanted in self._docs[r].libraries}
            ids = sorted(found, key=self._order.__getitem__)
            for spec in reversed(sort):
                ids.sort(key=self._sort_key(spec.index), reverse=spec.descending)
            return ids

    def _sort_key(self, index: str) -> Callable[[str], SortKey]:
        docs, missing = self._docs, ((), (), ())

        def key(record_id: str) -> SortKey:
            return docs[record_id].sort.get(index, missing)

        return key

    def scan(self, index: str, start: str, count: int, position: int = 1) -> list[ScanEntry]:
        """``count`` terms of ``index`` in collation order; the first term at or after ``start``
        stands at ``position`` (1-based; SRU responsePosition, Z39.50 preferredPositionInResponse)."""
        self.refresh()
        with self._guard:
            keys = self._scan_order(index)
            first = bisect.bisect_left(keys, (sort_key(start), ""))
            begin = max(first - (position - 1), 0)
            postings, display = self._postings[index], self._display[index]
            return [ScanEntry(word, display.get(word, word), len(postings[word])) for _, word in keys[begin:begin + max(count, 0)]]

    # --- evaluation --------------------------------------------------------------------------------

    def _evaluate(self, node: Node) -> set[str]:
        if isinstance(node, Term):
            return self._term(node)
        if isinstance(node, AllRecords):
            return set(self._docs)
        left = self._evaluate(node.left)
        if isinstance(node, And):
            return left & self._evaluate(node.right) if left else set()
        if isinstance(node, Or):
            return left | self._evaluate(node.right)
        if isinstance(node, AndNot):
            return left - self._evaluate(node.right) if left else set()
        raise TypeError(f"not a query node: {node!r}")

    def _term(self, term: Term) -> set[str]:
        if not term.words or term.index not in self._postings:
            return set()
        sets = [self._word_ids(term.index, w) for w in term.words]
        if term.mode == "any":
            return set().union(*sets)
        found = set(min(sets, key=len)).intersection(*sets)
        if term.mode == "all" and not (term.anchored_start or term.anchored_end):
            return found
        matchers = [_matcher(w) for w in term.words]
        return {r for r in found if any(_fits(seq, matchers, term) for seq in self._docs[r].phrases[term.index])}

    def _word_ids(self, index: str, word: str) -> frozenset[str] | set[str]:
        postings = self._postings[index]
        if ANY_RUN not in word and ONE_CHAR not in word:
            return postings.get(word, _EMPTY)
        found: set[str] = set()
        for match in self._expand(index, word):
            found |= postings[match]
        return found

    def _expand(self, index: str, word: str) -> list[str]:
        vocabulary = self._vocabulary[index]
        if vocabulary is None:
            vocabulary = self._vocabulary[index] = sorted(self._postings[index])
        stem = word.rstrip(ANY_RUN)
        if ANY_RUN not in stem and ONE_CHAR not in stem:  # right truncation only: a prefix range
            begin = bisect.bisect_left(vocabulary, stem)
            end = bisect.bisect_left(vocabulary, stem + "\U0010ffff")
            return vocabulary[begin:end]
        pattern = _matcher(word)
        return [w for w in vocabulary if pattern(w)]

    def _scan_order(self, index: str) -> list[tuple[SortKey, str]]:
        keys = self._scan_keys[index]
        if keys is None:
            keys = self._scan_keys[index] = sorted((sort_key(self._display[index].get(w, w)), w) for w in self._postings[index])
        return keys


def _matcher(word: str) -> Callable[[str], bool]:
    if ANY_RUN not in word and ONE_CHAR not in word:
        return word.__eq__
    parts = [".*" if c == ANY_RUN else "." if c == ONE_CHAR else re.escape(c) for c in word]
    compiled = re.compile("".join(parts), re.DOTALL)
    return lambda candidate: compiled.fullmatch(candidate) is not None


def _fits(sequence: tuple[str, ...], matchers: list[Callable[[str], bool]], term: Term) -> bool:
    """Whether the words occur in ``sequence`` as the term's mode and anchors ask."""
    size, length = len(matchers), len(sequence)
    if term.mode == "exact":
        return size == length and all(m(w) for m, w in zip(matchers, sequence))
    if term.mode == "all":  # anchors only: the first/last word must match the first/last pattern
        return (not term.anchored_start or (length > 0 and matchers[0](sequence[0]))) and \
               (not term.anchored_end or (length > 0 and matchers[-1](sequence[-1])))
    starts = [0] if term.anchored_start else range(length - size + 1)
    for start in starts:
        if term.anchored_end and start + size != length:
            continue
        if start + size <= length and all(m(sequence[start + i]) for i, m in enumerate(matchers)):
            return True
    return False


def isbn_term(text: str) -> str:
    """The form an ISBN query takes in the index (hyphens gone, ISBN-10 as 13)."""
    return normalise_isbn(text)
