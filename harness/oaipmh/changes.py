"""Change the catalogue through the MARC channel and find the change in the next harvest.

The destructive OAI-PMH checks (OAI-03's incremental harvest, deleted records, a record changed
mid-harvest, XML-illegal characters in data) import records through the target's MARC import
channel, then harvest ``from`` a time read off the repository's own clock (the responseDate of
an Identify sent just before the import), so neither clock skew nor the harness's clock
matters. Every record is found again by a marker the harness writes into it (035 $a and a
500 note), never by the repository's identifier scheme, which the harness cannot know.

:class:`Changes` cleans up after itself: records it created are deleted (on the receipt's
word, as the MARC channel does), records it changed are imported again as they were.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from types import TracebackType
from typing import Self

import pymarc

from harness import findings
from harness.errors import TargetError
from harness.marc.channel import ImportReceipt, MarcChannel
from harness.marc.reader import read_records
from harness.marc.writer import encode_iso2709
from harness.oaipmh.client import OaiClient
from harness.oaipmh.dates import (
    DAY,
    SECONDS,
    UtcDatetime,
    format_utc,
    parse_utc,
    read_past,
)
from harness.oaipmh.harvested import Harvested, harvest
from harness.oaipmh.ownership import Check, blocking_owner

MARKER_SOURCE = "(libharness)"  # 035 $a prefix of every record the harness writes
CLOCK_WAIT = 3.0  # seconds the harness waits for the repository's clock to pass a datestamp


def marker(purpose: str) -> str:
    return f"libharness-{purpose}-{uuid.uuid4().hex[:10]}"


def probe_record(mark: str, library: str, title: str = "libharness probe", holdings_tag: str = "852") -> pymarc.Record:
    """A small, valid bibliographic record that carries ``mark`` and a holding of ``library``."""
    record = pymarc.Record(leader="00000nam a2200000 i 4500", force_utf8=True)
    record.fields = [
        pymarc.Field(tag="008", data="240601s2024    no ||||| |||| 00| 0 nob d"),
        pymarc.Field(tag="035", indicators=pymarc.Indicators(" ", " "), subfields=[pymarc.Subfield("a", f"{MARKER_SOURCE}{mark}")]),
        pymarc.Field(tag="245", indicators=pymarc.Indicators("0", "0"), subfields=[pymarc.Subfield("a", title)]),
        pymarc.Field(tag="500", indicators=pymarc.Indicators(" ", " "), subfields=[pymarc.Subfield("a", mark)]),
        pymarc.Field(tag=holdings_tag, indicators=pymarc.Indicators(" ", " "), subfields=[pymarc.Subfield("a", library)]),
    ]
    return record


def with_note(record: pymarc.Record, mark: str) -> pymarc.Record:
    """A copy of ``record`` with a 500 note carrying ``mark``: a change any system keeps."""
    changed = pymarc.Record(leader=str(record.leader), force_utf8=True)
    changed.fields = list(record.fields)
    changed.add_ordered_field(pymarc.Field(tag="500", indicators=pymarc.Indicators(" ", " "), subfields=[pymarc.Subfield("a", mark)]))
    return changed


def carries(payload: bytes, mark: str) -> bool:
    return mark.encode("utf-8") in payload


@dataclass
class Changes:
    """Imports made through the MARC channel for one check, undone when the check ends."""

    client: OaiClient
    channel: MarcChannel
    library: str
    receipts: list[ImportReceipt] = field(default_factory=list)
    originals: list[pymarc.Record] = field(default_factory=list)
    deleted: set[str] = field(default_factory=set)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        for receipt in self.receipts:
            self.channel.delete(ImportReceipt(created=tuple(n for n in receipt.created if n not in self.deleted)))
        if self.originals:
            try:
                self.channel.import_batch(b"".join(encode_iso2709(r) for r in self.originals), self.library, len(self.originals))
            except TargetError:
                pass  # best effort, as the MARC channel's own cleanup; the transcript shows it

    # -- the repository's clock ----------------------------------------------------------------

    def clock(self) -> UtcDatetime:
        """The repository's time now: the responseDate of an Identify (read past an offset)."""
        page = self.client.identify()
        response = page.response
        moment = read_past(response.envelope.response_date) if response is not None else None
        if moment is None:
            owner = (blocking_owner(page.problems) or Check.RESPONSE_DATE) if response is None else Check.RESPONSE_DATE
            findings.cannot_judge("the repository's clock cannot be read from Identify's responseDate", owner.value)
        return UtcDatetime(moment, SECONDS)

    def after(self, datestamp: str) -> UtcDatetime:
        """The repository's time once its clock is more than a second past ``datestamp`` (waits
        up to CLOCK_WAIT s), so a harvest from one second before it does not reach back to
        ``datestamp``. A day datestamp cannot be passed by waiting; the time is returned as it is."""
        target = parse_utc(datestamp)
        now = self.clock()
        deadline = time.monotonic() + CLOCK_WAIT
        while (target is not None and target.granularity != DAY and now.value <= target.value + timedelta(seconds=1)
               and time.monotonic() < deadline):
            time.sleep(0.25)
            now = self.clock()
        return now

    # -- changes -----------------------------------------------------------------------------------

    def create(self, records: list[pymarc.Record]) -> ImportReceipt:
        receipt = self.channel.import_batch(b"".join(encode_iso2709(r) for r in records), self.library, len(records))
        if not receipt.understood:
            raise TargetError(f"the MARC import's receipt cannot be read ({receipt.problem}); nothing can be cleaned up after it")
        self.receipts.append(receipt)
        return receipt

    def change(self, original: pymarc.Record, changed: pymarc.Record) -> ImportReceipt:
        """Import ``changed`` over ``original`` (same 001); ``original`` is imported again at the end."""
        self.originals.append(original)
        return self.create([changed])

    def delete(self, number: str) -> None:
        self.channel.delete(ImportReceipt(created=(number,)))
        self.deleted.add(number)

    def harvest_since(self, since: UtcDatetime, prefix: str, granularity: str, verb: str = "ListRecords",
                      set_spec: str | None = None) -> Harvested:
        """The list from ``since``, written in the repository's granularity."""
        arguments = (("verb", verb), ("metadataPrefix", prefix), ("from", since_argument(since, granularity)))
        return harvest(self.client, arguments + ((("set", set_spec),) if set_spec else ()))


def since_argument(since: UtcDatetime, granularity: str) -> str:
    """``from`` one granule before ``since``: a harvester's usual overlap, so the checks that
    look for a change do not also judge whether from is inclusive (the range check does)."""
    return format_utc(since.value - (timedelta(days=1) if granularity == DAY else timedelta(seconds=1)), granularity)


def created_number(receipt: ImportReceipt) -> str | None:
    return receipt.created[0] if receipt.created else None


def marc_of(payload: bytes) -> pymarc.Record | None:
    """A MARCXML payload as a pymarc record, read past faults other checks own."""
    result = next(iter(read_records(payload)), None)
    return result.record if result is not None else None
