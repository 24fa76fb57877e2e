"""The paths a cooperation story looks through, one interface for each protocol's view.

A story asks every path the same questions (is record N there, found by its ISBN or by
words, limited to a library or not; which libraries do its holdings name; what state is
each copy in; what bytes came back) and gets a :class:`Sighting`. Each path also names the
checks of its own protocol suite that own a fault the story meets without any crossing
(:class:`Owners`): a library limit ignored for the fixture catalogue too is the SRU suite's
to report, not the story's.

Paths: SRU here; Z39.50 in :mod:`.z3950_path`, OAI-PMH in :mod:`.oai_path` (each with its unit);
the MARC export (:class:`MarcExport`) is read as the catalogue's own word.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import pymarc
import pytest

from harness.errors import TargetError
from harness.evidence import Exchange
from harness.marc.channel import MarcChannel
from harness.marc.reader import read_records
from harness.marc.settings import MarcSettings
from harness.profile import Library
from harness.sru import records as sru_records
from harness.sru.client import SruClient
from harness.sru.cql import Query, literal, where
from harness.sru.records import control_number, copies, holdings, marc_records, read_status, undeclared_reason
from harness.sru.settings import SruSettings
from harness.sru.target import SruTarget

ON_LOAN, AVAILABLE, IN_TRANSIT, UNDECLARED = "on loan", "available", "in transit", ""
UNKNOWN = "unknown"  # a status the profile names in none of its lists: neither available nor on loan


@dataclass(frozen=True, slots=True)
class Copy:
    barcode: str
    library: str  # as the path names the owner ("" when it does not)
    state: str  # ON_LOAN, AVAILABLE, IN_TRANSIT, UNKNOWN, or UNDECLARED when the path gives no status
    shown: str = ""  # the state in evidence words, as the path gave it ("not on loan (status 'x')")
    unjudged: str = ""  # why a story cannot judge this copy's state (UNKNOWN: the status the profile does not name)

    @property
    def seen(self) -> str:
        return self.shown or (f"'{self.state}'" if self.state else "no status")


@dataclass(frozen=True, slots=True)
class HoldingsLayout:
    """Where a path's MARC records name their holdings: the field, the owning library's subfield,
    each copy's barcode (MARC 21 Format for Holdings Data 852 $a and $p by default)."""

    tag: str = "852"
    library: str = "a"
    barcode: str = "p"

    def libraries(self, record: pymarc.Record) -> tuple[str, ...]:
        return tuple(v for f in record.get_fields(self.tag) for v in f.get_subfields(self.library))

    def copies(self, record: pymarc.Record) -> Iterator[tuple[str, str]]:
        """(barcode, owning library or "") for each copy the holdings name."""
        for f in record.get_fields(self.tag):
            owner = next(iter(f.get_subfields(self.library)), "")
            yield from ((barcode, owner) for barcode in f.get_subfields(self.barcode))


MARC21_HOLDINGS = HoldingsLayout()  # 852 $a $p, where a profile names no other


@dataclass(frozen=True)
class Question:
    """What a story asks a search path: a record by ISBN or title words, maybe limited to one
    library's holdings; the record wanted is ``number`` or, when unknown, the one holding ``barcode``."""

    number: str = ""
    isbn: str = ""
    words: tuple[str, ...] = ()
    library: Library | None = None
    barcode: str = ""

    def describe(self) -> str:
        asked = f"ISBN {self.isbn}" if self.isbn else f"title words {' '.join(self.words)}"
        if self.library is not None:
            asked += f" limited to {self.library.number}"
        return asked

    def wants(self, number: str, barcodes: Iterable[str]) -> bool:
        return number == self.number if self.number else self.barcode in barcodes


@dataclass(frozen=True)
class Sighting:
    """What one question to one path gave: the record asked for, if it came back."""

    asked: str  # the question in words ("ISBN 978... from Kongsbakken's view")
    record: pymarc.Record | None = None
    libraries: tuple[str, ...] = ()  # the owning libraries its holdings name
    copies: tuple[Copy, ...] = ()
    raw: bytes = b""  # the record's bytes as they came (for letters and privacy)
    hits: int | None = None
    exchanges: tuple[Exchange, ...] = ()
    identifier: str = ""  # the path's own identifier of the record (OAI-PMH), when it has one
    datestamp: str = ""  # the path's datestamp of the record (OAI-PMH), when it has one

    @property
    def found(self) -> bool:
        return self.record is not None

    def copy(self, barcode: str) -> Copy | None:
        return next((c for c in self.copies if c.barcode == barcode), None)


@dataclass(frozen=True, slots=True)
class Owners:
    """The protocol suite's checks that own what a story meets without any crossing."""

    suite: str
    visibility: str  # a record imported over MARC is found at all
    holdings: str  # a shared record's holdings name every owning library
    loans: str  # a SIP2 loan shows in the copy's status
    limit: str  # a search limited to one library, for the fixture catalogue
    letters: str  # the fixture catalogue's letters come back exact
    findability: str  # NFC and NFD queries find the fixture catalogue's records
    privacy: str  # no patron data in records with the loans the target already had

    def of(self, kind: str) -> str:
        return f"{self.suite} suite ({getattr(self, kind)})"


class SearchPath(Protocol):
    """SRU or Z39.50: a member library's view of the shared catalogue."""

    name: str

    @property
    def owners(self) -> Owners: ...

    @property
    def visibility_timeout(self) -> float: ...

    @property
    def declares_loans(self) -> bool | None: ...

    @property
    def declares_transit(self) -> bool: ...

    @property
    def declares_library_limit(self) -> bool: ...

    @property
    def transcript(self) -> Sequence[Exchange]: ...

    def ask(self, question: Question) -> Sighting: ...

    def close(self) -> None: ...


SRU_OWNERS = Owners("sru", visibility="test_imported_record_visible_to_every_member",
                    holdings="test_holdings_name_their_owning_library", loans="test_sip2_loan_shows_in_holdings",
                    limit="test_search_limited_to_one_library", letters="test_letters_byte_exact_in_records",
                    findability="test_search_is_blind_to_normalisation", privacy="test_no_patron_data_in_records")


@dataclass
class SruPath:
    """SRU as one member library searches it (its ``member_url`` view, else the endpoint)."""

    target: SruTarget
    member: Library | None = None
    name: str = "SRU"
    owners: Owners = SRU_OWNERS
    client: SruClient = field(init=False)

    def __post_init__(self) -> None:
        url = self.target.settings.view_url(self.member.code_for("sru")) if self.member is not None else None
        self.client = self.target.client(url)

    @property
    def visibility_timeout(self) -> float:
        return self.target.settings.visibility_timeout

    @property
    def declares_loans(self) -> bool:
        return self.target.settings.declares_availability

    @property
    def declares_transit(self) -> bool:
        return self.declares_loans and bool(self.target.settings.in_transit_values)

    @property
    def declares_library_limit(self) -> bool:
        return bool(self.target.settings.library_index)

    @property
    def transcript(self) -> Sequence[Exchange]:
        return self.client.transcript

    def close(self) -> None:
        self.client.close()

    def _where(self, kind: str, text: str) -> Query:
        index = self.target.index(kind)
        return where(index, "=", literal(text)) if index else where("cql.serverChoice", "=", literal(text))

    def _query(self, question: Question) -> Query:
        parts = [self._where("isbn", question.isbn)] if question.isbn else [self._where("title", w) for w in question.words]
        if question.library is not None:
            parts.append(where(self.target.settings.library_index, "=", literal(question.library.number)))
        query = parts[0]
        for part in parts[1:]:
            query = query & part
        return query

    def ask(self, question: Question) -> Sighting:
        mark = len(self.client.transcript)
        asked = question.describe() + (f" from {self.member.name}'s view" if self.member is not None else "")
        result = self.client.search_retrieve(self._query(question), maximum_records=20)
        exchanges = self.client.transcript[mark:]
        search = result.search
        if search is None:
            raise TargetError(f"SRU: the searchRetrieve for {asked} was not answered with a readable response")
        parsed = [(record, marc) for record in search.records if (marc := next(marc_records([record]), None)) is not None]
        numbers = [control_number(marc) for _, marc in parsed]
        for (record, marc), number in zip(parsed, numbers):
            if question.wants(number, (c.barcode for c in copies(marc, self.target.settings))):
                owners = tuple(o for named in holdings(marc, self.target.settings) for o in named)
                return Sighting(asked, marc, owners, tuple(self._copies(marc)), record.data or b"", search.number_of_records,
                                exchanges)
        return Sighting(asked, hits=search.number_of_records, exchanges=exchanges)

    def _copies(self, record: pymarc.Record) -> Iterable[Copy]:
        return sru_copies(record, self.target.settings)


def sru_copies(record: pymarc.Record, settings: SruSettings) -> Iterator[Copy]:
    """The record's copies with their states, each said in the words its status allows."""
    for c in copies(record, settings):
        status = read_status(c.status, settings)
        state = copy_state(c.status, settings)
        yield Copy(c.barcode, c.library, state, status.describe() if state else "",
                   undeclared_reason(c.barcode, status) if state == UNKNOWN else "")


def copy_state(status: str, settings: SruSettings) -> str:
    """A copy's SRU status as a story's state, read as the SRU suite's KAT-04 check reads it
    (:func:`harness.sru.records.read_status`). A copy without a status says nothing
    (UNDECLARED, never available); a status in none of the profile's lists is UNKNOWN when it
    gives ``available_values``, else 'not on loan', which a story takes for available."""
    read = read_status(status, settings)
    if read.available:
        return AVAILABLE
    if read.undeclared:
        return UNKNOWN
    return {sru_records.ON_LOAN: ON_LOAN, sru_records.IN_TRANSIT: IN_TRANSIT}.get(read.kind, UNDECLARED)


@dataclass
class MarcExport:
    """The catalogue's own export, read for one library (its records and holdings)."""

    channel: MarcChannel
    settings: MarcSettings
    name: str = "MARC export"

    @property
    def transcript(self) -> Sequence[Exchange]:
        return self.channel.transcript

    def records(self, library: str | None, fmt: str = "iso2709") -> tuple[dict[str, pymarc.Record], bytes, tuple[Exchange, ...]]:
        """The export's records by 001, the export's bytes, and the exchanges."""
        mark = len(self.channel.transcript)
        export = self.channel.export(fmt, library)
        found: dict[str, pymarc.Record] = {}
        for result in read_records(export.data):
            if result.record is not None:
                found.setdefault(control_number(result.record), result.record)
        return found, export.data, tuple(self.channel.transcript[mark:])


@dataclass(frozen=True, slots=True)
class Watched:
    """How a polled question ended: the last sighting, when, and whether it showed what was awaited."""

    sighting: Sighting
    seconds: float  # from ``since`` to the last answer
    polls: int
    shown: bool
    stopped: BaseException | None = None  # what stopped the asking (a fault another check owns: cannot_judge)


def poll(ask: Callable[[], Sighting], shown: Callable[[Sighting], bool], *, since: float, timeout: float) -> Watched:
    """Ask until the answer shows what is awaited or ``timeout`` seconds after ``since`` have passed.

    The pause grows from 50 ms to 1 s, so a fast target is measured to the millisecond and a
    slow one is not flooded."""
    polls = 0
    while True:
        polls += 1
        sighting = ask()
        now = time.monotonic()
        if shown(sighting):
            return Watched(sighting, now - since, polls, True)
        if now - since >= timeout:
            return Watched(sighting, now - since, polls, False)
        time.sleep(min(0.05 * polls, 1.0, max(since + timeout - now, 0.0)))


K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Watch:
    """One question polled among others: how to ask it, what it awaits, and for how long."""

    ask: Callable[[], Sighting]
    shown: Callable[[Sighting], bool]
    timeout: float


def poll_each(watches: Mapping[K, Watch], *, since: float, clock: Callable[[], float] = time.monotonic,
              sleep: Callable[[float], None] = time.sleep) -> dict[K, Watched]:
    """Ask every question in turn, round after round, until each shows what it awaits or its
    own ``timeout`` after ``since`` has passed.

    Each keeps its own time: from ``since`` to the first answer that showed it. Polling one path
    after another would add the first path's whole wait to the second's time to visibility (the
    numbers the procurement chart compares). A question whose asking stops with a fault another
    check owns (``cannot_judge``) ends with that exception in ``stopped``; the others go on."""
    done: dict[K, Watched] = {}
    rounds = 0
    while len(done) < len(watches):
        rounds += 1
        for key, watch in watches.items():
            if key in done:
                continue
            try:
                sighting = watch.ask()
            except pytest.skip.Exception as stopped:
                done[key] = Watched(Sighting(""), clock() - since, rounds, False, stopped)
                continue
            now, shown = clock(), watch.shown(sighting)
            if shown or now - since >= watch.timeout:
                done[key] = Watched(sighting, now - since, rounds, shown)
        waiting = [since + w.timeout - clock() for k, w in watches.items() if k not in done]
        if waiting:
            sleep(min(0.05 * rounds, 1.0, max(min(waiting), 0.0)))
    return done
