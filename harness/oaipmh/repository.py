"""What the sandbox provider needs from a catalogue: the :class:`Repository` protocol.

The provider (:mod:`harness.oaipmh.provider`) is pure logic over this protocol; the sandbox
adapts its consortium state to it, tests use :class:`MemoryRepository`, the benchmark a
synthetic one that makes records on demand. Items are listed in key order, the key being
``(datestamp, identifier)``; that order is what keeps resumption correct under change
(:mod:`harness.oaipmh.tokens`).
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from harness.oaipmh.dates import as_utc

# Dublin Core as (element, value) pairs in the order they are written: "title", "creator", ...
DublinCore = tuple[tuple[str, str], ...]
Key = tuple[datetime, str]


@dataclass(frozen=True, slots=True)
class SetInfo:
    spec: str  # "library:NO-9900001", "kind:school"; ':' separates hierarchy levels (§2.6)
    name: str


class Item(Protocol):
    """One record of the repository, live or deleted.

    ``datestamp`` is aware UTC at whole seconds and moves on creation, change and deletion
    (§2.7.1). ``set_specs`` lists every set the item is in, parents included. A deleted item
    keeps its identifier, datestamp and sets forever (deletedRecord=persistent, §2.5.1).
    The renderers return None when the item cannot be disseminated in that format.
    """

    @property
    def identifier(self) -> str: ...

    @property
    def datestamp(self) -> datetime: ...

    @property
    def deleted(self) -> bool: ...

    @property
    def set_specs(self) -> tuple[str, ...]: ...

    def marcxml(self) -> str | None:
        """The MARCXML ``<record xmlns="http://www.loc.gov/MARC21/slim">`` of the item."""
        ...

    def dublin_core(self) -> DublinCore | None:
        """The item as unqualified Dublin Core (element, value) pairs."""
        ...


class Repository(Protocol):
    def sets(self) -> Sequence[SetInfo]:
        """Every set, parents before children; empty if the repository has no sets."""
        ...

    def earliest_datestamp(self) -> datetime:
        """A lower bound of every datestamp, deleted items included (§4.2)."""
        ...

    def item(self, identifier: str) -> Item | None: ...

    def items(self, *, after: Key | None = None, start: datetime | None = None, end: datetime | None = None,
              set_spec: str | None = None) -> Iterator[Item]:
        """Items with key > ``after``, start <= datestamp <= end, in ``set_spec`` (or a child
        set), in key order. The caller stops reading when its page is full."""
        ...

    def count(self, *, start: datetime | None = None, end: datetime | None = None, set_spec: str | None = None) -> int:
        """How many items :meth:`items` would give from the beginning (completeListSize)."""
        ...


def key_of(item: Item) -> Key:
    return (item.datestamp, item.identifier)


def in_set(set_specs: Sequence[str], spec: str) -> bool:
    """Membership of a child set implies membership of its parent (§2.6)."""
    return any(s == spec or s.startswith(f"{spec}:") for s in set_specs)


def matches(item: Item, start: datetime | None, end: datetime | None, set_spec: str | None) -> bool:
    if start is not None and item.datestamp < start:
        return False
    if end is not None and item.datestamp > end:
        return False
    return set_spec is None or in_set(item.set_specs, set_spec)


@dataclass(frozen=True, slots=True)
class StoredItem:
    """An item whose renderings are already made (the form :class:`MemoryRepository` keeps)."""

    identifier: str
    datestamp: datetime
    deleted: bool = False
    set_specs: tuple[str, ...] = ()
    marc: str | None = None
    dc: DublinCore | None = None

    def marcxml(self) -> str | None:
        return self.marc

    def dublin_core(self) -> DublinCore | None:
        return self.dc


class MemoryRepository:
    """A :class:`Repository` in memory, safe to change while a harvest reads it.

    ``put`` adds or replaces an item (its datestamp moves, so its key does); ``delete`` keeps
    the item as deleted with the deletion time as its datestamp (deletedRecord=persistent).
    """

    def __init__(self, items: Iterable[StoredItem] = (), sets: Sequence[SetInfo] = ()) -> None:
        self._lock = threading.Lock()
        self._sets = tuple(sets)
        self._by_id: dict[str, StoredItem] = {}
        self._keys: list[Key] = []
        for item in items:
            self.put(item)

    def __len__(self) -> int:
        return len(self._by_id)

    def put(self, item: StoredItem) -> None:
        item = replace(item, datestamp=as_utc(item.datestamp))
        with self._lock:
            old = self._by_id.get(item.identifier)
            if old is not None:
                del self._keys[bisect.bisect_left(self._keys, key_of(old))]
            self._by_id[item.identifier] = item
            bisect.insort(self._keys, key_of(item))

    def delete(self, identifier: str, when: datetime) -> None:
        old = self._by_id[identifier]
        self.put(replace(old, deleted=True, datestamp=when, marc=None, dc=None))

    def sets(self) -> Sequence[SetInfo]:
        return self._sets

    def earliest_datestamp(self) -> datetime:
        with self._lock:
            return self._keys[0][0] if self._keys else datetime(1970, 1, 1, tzinfo=UTC)

    def item(self, identifier: str) -> StoredItem | None:
        return self._by_id.get(identifier)

    def items(self, *, after: Key | None = None, start: datetime | None = None, end: datetime | None = None,
              set_spec: str | None = None) -> Iterator[StoredItem]:
        with self._lock:
            position = bisect.bisect_right(self._keys, after) if after is not None else 0
            keys = self._keys[position:]
        for key in keys:
            item = self._by_id.get(key[1])
            # an item changed since the snapshot has moved to a later key: it is met there
            if item is not None and key_of(item) == key and matches(item, start, end, set_spec):
                yield item

    def count(self, *, start: datetime | None = None, end: datetime | None = None, set_spec: str | None = None) -> int:
        return sum(1 for _ in self.items(start=start, end=end, set_spec=set_spec))
