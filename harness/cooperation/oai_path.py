"""OAI-PMH as a cooperation story sees it: the next incremental harvest, and one record.

An aggregator learns of a change from the next incremental harvest: ``ListRecords`` in the
MARC 21 format ``from`` the repository's own time just before the change (its Identify
responseDate, one granule earlier: a harvester's usual overlap). A record is found in the
harvest by its 001, whatever the repository's identifier scheme; its holdings are read where
``[oai] holdings_tag`` says. A record the story needs outside an incremental list is fetched
by the identifier a harvest gave it (GetRecord), or found by its copy's barcode in the
harvest of its library's set (a set naming the library), else of the whole catalogue.

Faults the OAI-PMH suite owns are named by its checks (:class:`~harness.oaipmh.ownership.Check`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import pymarc
from lxml import etree

from harness.cooperation.paths import HoldingsLayout, Owners, Sighting
from harness.errors import TargetError
from harness.evidence import Exchange
from harness.marc.records import control_number
from harness.oaipmh.changes import CLOCK_WAIT, marc_of, since_argument
from harness.oaipmh.dates import DAY, SECONDS, UtcDatetime, parse_utc, read_past
from harness.oaipmh.fixtures import OaiTarget
from harness.oaipmh.harvested import Harvested, harvest
from harness.oaipmh.model import GetRecordResponse
from harness.oaipmh.ownership import Check
from harness.profile import Library

OAI_OWNERS = Owners("oaipmh", visibility=Check.INCREMENTAL.value, holdings=Check.HOLDINGS.value, loans="", limit="",
                    letters=Check.LETTERS.value,
                    findability="", privacy=Check.PRIVACY.value)
DEFAULT_VISIBILITY_TIMEOUT = 60.0  # seconds, as [sru] and [z3950] visibility_timeout default


@dataclass(frozen=True)
class Found:
    identifier: str
    record: pymarc.Record
    payload: bytes


@dataclass
class OaiPath:
    target: OaiTarget
    visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT  # the search paths' timeout: [oai] has none of its own
    name: str = "OAI-PMH"
    owners: Owners = OAI_OWNERS

    @property
    def prefix(self) -> str | None:
        return self.target.found.marc_prefix

    @property
    def transcript(self) -> Sequence[Exchange]:
        return self.target.client.transcript

    def clock(self) -> UtcDatetime | None:
        """The repository's time now (Identify's responseDate), None if it cannot be read."""
        response = self.target.client.identify().response
        moment = read_past(response.envelope.response_date) if response is not None else None
        return UtcDatetime(moment, SECONDS) if moment is not None else None

    def clock_after(self, datestamp: str) -> UtcDatetime | None:
        """The repository's time once its clock is past ``datestamp`` by more than the harvest's
        one granule of overlap (waiting up to CLOCK_WAIT s), so the next incremental harvest does
        not reach back to a change already seen. A day datestamp cannot be waited past."""
        stamp = parse_utc(datestamp)
        now = self.clock()
        deadline = time.monotonic() + CLOCK_WAIT
        while (now is not None and stamp is not None and stamp.granularity != DAY
               and now.value <= stamp.value + timedelta(seconds=1) and time.monotonic() < deadline):
            time.sleep(0.25)
            now = self.clock()
        return now

    def _list(self, arguments: tuple[tuple[str, str], ...]) -> Harvested:
        harvested = harvest(self.target.client, arguments)
        if harvested.stopped is not None:
            raise harvested.stopped  # network trouble or a budget spent: the harness cannot judge (ERROR)
        return harvested

    def since(self, moment: UtcDatetime) -> Harvested:
        """The incremental harvest from ``moment`` (one granule of overlap)."""
        assert self.prefix is not None
        granularity = self.target.found.granularity
        return self._list((("verb", "ListRecords"), ("metadataPrefix", self.prefix), ("from", since_argument(moment, granularity))))

    def whole(self, library: Library | None = None) -> Harvested:
        """The records of ``library``'s set when the repository declares one, else every record."""
        assert self.prefix is not None
        spec = self.library_set(library) if library is not None else None
        return self._list((("verb", "ListRecords"), ("metadataPrefix", self.prefix), *((("set", spec),) if spec else ())))

    def library_set(self, library: Library) -> str | None:
        for one in self.target.found.sets.sets:
            levels = one.spec.split(":")
            if any(code in levels for code in (library.number, library.isil) if code) or one.name == library.name:
                return one.spec
        return None

    def get(self, identifier: str) -> tuple[Found | None, tuple[Exchange, ...]]:
        assert self.prefix is not None
        page = self.target.client.get_record(identifier, self.prefix)
        exchanges = (page.exchange,) if page.exchange is not None else ()
        response = page.response
        if not isinstance(response, GetRecordResponse) or response.record.metadata is None:
            return None, exchanges
        payload = etree.tostring(response.record.metadata, encoding="utf-8")
        record = marc_of(payload)
        return (Found(identifier, record, payload) if record is not None else None), exchanges

    def in_list(self, harvested: Harvested, number: str = "", barcode: str = "") -> Found | None:
        """The record with 001 ``number`` (or holding the copy ``barcode``) in a harvested list."""
        for identifier, payload in harvested.payloads.items():
            if barcode and barcode.encode() not in payload:
                continue
            record = marc_of(payload)
            if record is None:
                continue
            if (number and control_number(record) == number) or (barcode and barcode in self.barcodes(record)):
                return Found(identifier, record, payload)
        return None

    @property
    def holdings(self) -> HoldingsLayout:
        """The payloads' holdings where ``[oai]`` says; [oai] names no barcode subfield: 852 $p's."""
        settings = self.target.settings
        return HoldingsLayout(settings.holdings_tag, settings.holdings_library_subfield)

    def libraries(self, record: pymarc.Record) -> tuple[str, ...]:
        return self.holdings.libraries(record)

    def barcodes(self, record: pymarc.Record) -> set[str]:
        return {barcode for barcode, _ in self.holdings.copies(record)}

    def sighting(self, harvested: Harvested, number: str, asked: str) -> Sighting:
        found = self.in_list(harvested, number)
        exchanges = harvested.exchanges(2)
        if found is None:
            return Sighting(asked, exchanges=exchanges, hits=len(harvested.headers))
        stamp = next((h.datestamp for h in harvested.headers if h.identifier == found.identifier), "")
        return Sighting(asked, found.record, self.libraries(found.record), (), found.payload, len(harvested.headers), exchanges,
                        identifier=found.identifier, datestamp=stamp)

    def incremental(self, moment: UtcDatetime, number: str) -> Sighting:
        """Record ``number`` as the incremental harvest from ``moment`` gives it (or not)."""
        harvested = self.since(moment)
        blocker = harvested.blocker()
        if blocker is not None:
            raise HarvestBlocked(blocker.value, harvested.why())
        return self.sighting(harvested, number, f"ListRecords from {dict(harvested.arguments).get('from')}")


class HarvestBlocked(TargetError):
    """The incremental list could not be harvested whole: the OAI-PMH check ``owner`` reports why.
    A story catches it and names that check; uncaught, it is an ERROR (the harness could not ask)."""

    def __init__(self, owner: str, why: str) -> None:
        super().__init__(why)
        self.owner, self.why = owner, why
