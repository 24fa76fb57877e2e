"""Cataloguing for a cooperation story: imports over the MARC channel, removed afterwards.

Each import's receipt is the target's word on what it created; at the end the records it
names are deleted (``MarcChannel.delete``), and nothing else. A receipt the harness cannot read
is the MARC suite's to judge (its round trip owns "the import works"), so the story says it
could not judge and names that check; so does a second library's import that is not matched
to the record on its 035 (MARC-03).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.cooperation.records import TestRecord
from harness.evidence import Exchange
from harness.findings import cannot_judge
from harness.marc.channel import ImportReceipt, MarcChannel
from harness.marc.reader import read_records
from harness.marc.records import control_number
from harness.marc.settings import MarcSettings

IMPORT_OWNER = "marc suite (test_import_export_round_trip_unchanged)"
MATCH_OWNER = "marc suite (test_prepublication_record_upgraded_in_place)"
HOLDINGS_OWNER = "marc suite (test_every_holding_names_its_owning_library)"


@dataclass(frozen=True, slots=True)
class Imported:
    number: str  # the record's identifier at the target, from the receipt
    library: str
    returned_at: float  # time.monotonic() when the import answered: visibility is measured from here
    receipt: ImportReceipt


@dataclass
class Importer:
    channel: MarcChannel
    settings: MarcSettings
    # The member libraries holdings name (by number, ISIL, MARC code or name), as Members.numbers reads them.
    numbers: Callable[[tuple[str, ...]], set[str]] = set
    receipts: list[ImportReceipt] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)

    def add(self, record: TestRecord, library: str) -> Imported:
        """Import ``record`` for ``library``; the number the receipt gives it."""
        mark = len(self.channel.transcript)
        receipt = self.channel.import_batch(record.batch(), library, 1)
        returned = time.monotonic()
        self.receipts.append(receipt)
        self.exchanges.extend(self.channel.transcript[mark:])
        numbers = (*receipt.created, *receipt.updated) if receipt.understood else ()
        if not numbers:
            why = receipt.problem or f"it names no record created or updated ({receipt.raw[:200]})"
            cannot_judge(f"the MARC import for {library} was not understood: {why}", IMPORT_OWNER)
        return Imported(numbers[0], library, returned, receipt)

    def add_holding(self, record: TestRecord, library: str, number: str, first: str) -> Imported:
        """Import another library's copy of a shared title; it must update ``number`` (035 match)
        and keep the holding of ``first``, the library that catalogued it, in the catalogue itself
        (its MARC export): what the catalogue lost, no other path can show."""
        imported = self.add(record, library)
        if number not in imported.receipt.updated:
            cannot_judge(f"{library}'s import of the same title (035 {record.osba}) was not matched to {number}: the "
                         f"receipt says created {list(imported.receipt.created)}, updated {list(imported.receipt.updated)}",
                         MATCH_OWNER)
        lost = [f"{holder}'s own export {wrong}" for holder in (first, library) if (wrong := self._held_in(holder, number))]
        if lost:
            cannot_judge(f"after {library}'s import of the same title, the catalogue itself lost a holding: {'; '.join(lost)}",
                         MATCH_OWNER)
        return imported

    def _held_in(self, library: str, number: str) -> str:
        """What is wrong with ``number`` in ``library``'s own MARC export ("" when it holds it)."""
        mark = len(self.channel.transcript)
        export = self.channel.export("iso2709", library)
        self.exchanges.extend(self.channel.transcript[mark:])
        stored = next((r.record for r in read_records(export.data) if r.record is not None and control_number(r.record) == number), None)
        if stored is None:
            return f"has no record {number}"
        tag, code = self.settings.holdings_tag, self.settings.holdings_library_subfield
        fields = stored.get_fields(tag)
        if fields and not any(f.get_subfields(code) for f in fields):
            cannot_judge(f"{library}'s own export gives {number} holdings ({tag}) that name no library (${code})", HOLDINGS_OWNER)
        if library not in self.numbers(tuple(v for f in fields for v in f.get_subfields(code))):
            return f"gives {number} without a holding ({tag} ${code}) of {library}"
        return ""

    def remove_all(self) -> None:
        """Delete what the receipts say was created, newest first (best effort)."""
        for receipt in reversed(self.receipts):
            self.channel.delete(receipt)
        self.receipts.clear()
