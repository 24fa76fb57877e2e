"""MARC-03: a pre-publication record is upgraded in place, matched on 035 (NO-OsBA).

The National Library's delivery marks a pre-publication record with leader/17 = 5, its full
version with leader/17 blank, and a later correction with leader/05 = c; all three carry the
same 035 $a (NO-OsBA)<number>. A library system must keep one record (with its local
holdings) through the three steps, not make duplicates. A pre-publication record can also be
withdrawn: the supplier then sends it with leader/05 = d, and the system must remove it or
keep it marked deleted (so its own exports pass the deletion on), never keep it live.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pymarc
import pytest

from harness.findings import Finding
from harness.marc import defects
from harness.marc.channel import ImportReceipt, MarcChannel
from harness.marc.diff import format_field
from harness.marc.iso2709 import iter_raw_records
from harness.marc.lenient import decode_record
from harness.marc.reader import read_records
from harness.marc.records import control_number, osba_number
from harness.marc.settings import MarcSettings
from harness.paths import MARC_FIXTURES_DIR

CLAUSE = (
    "Nasjonalbiblioteket, Metadata til folke- og skolebibliotek: 035 (NO-OsBA) identifies the record; "
    "MARC 21 Bibliographic Leader/17 = 5 (prepublication level), Leader/05 = c (corrected or revised)"
)
STEPS = ("prepub.mrc", "prepub_full.mrc", "prepub_changed.mrc")
DELETION = "prepub_deleted.mrc"  # the supplier withdraws the pre-publication record
DELETION_CLAUSE = ("MARC 21 Bibliographic Leader/05 Record status: d = deleted; "
                   "Nasjonalbiblioteket, Metadata til folke- og skolebibliotek: the supplier's deletions are delivered as records")


def _one(path_name: str) -> tuple[bytes, pymarc.Record]:
    data = (MARC_FIXTURES_DIR / path_name).read_bytes()
    record = next(r.record for r in read_records(data) if r.record is not None)
    return data, record


def _matching(channel: Any, osba: str) -> list[pymarc.Record]:
    """The exported records with this 035; only records whose bytes hold it are decoded."""
    export = channel.export("iso2709")
    needle = osba.encode()
    candidates = [decode_record(raw.data).record for raw in iter_raw_records(io.BytesIO(export.data)) if needle in raw.data]
    return [r for r in candidates if r is not None and osba_number(r) == osba]


def _holdings(records: list[pymarc.Record], tag: str) -> set[str]:
    return {format_field(f) for r in records for f in r.get_fields(tag)}


@pytest.fixture()
def upgrade_cleanup(importing_channel: MarcChannel) -> Iterator[list[ImportReceipt]]:
    receipts: list[ImportReceipt] = []
    yield receipts
    for receipt in receipts:
        importing_channel.delete(receipt)


@pytest.mark.requirement("MARC-03")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.IGNORE_035_MATCH, defects.UPGRADE_DROPS_HOLDINGS)
def test_prepublication_record_upgraded_in_place(importing_channel: MarcChannel, marc_settings: MarcSettings, upgrade_cleanup: list[ImportReceipt]) -> None:
    """A pre-publication record is upgraded in place by the full and the changed record

    nb: En forhåndspost oppgraderes på stedet av den fullstendige og den endrede posten
    """
    data, prepub = _one(STEPS[0])
    osba = osba_number(prepub)
    assert osba, "fixtures/marc/prepub.mrc has no 035 (NO-OsBA): regenerate the fixtures"
    receipt = importing_channel.import_batch(data, marc_settings.import_library, 1)
    upgrade_cleanup.append(receipt)
    local = _holdings(_matching(importing_channel, osba), marc_settings.holdings_tag)
    transcript: list[str] = [f"import {STEPS[0]} (leader/17 = 5, 035 {osba}): {_receipt_text(receipt)}"]
    for step in STEPS[1:]:
        step_data, incoming = _one(step)
        receipt = importing_channel.import_batch(step_data, marc_settings.import_library, 1)
        upgrade_cleanup.append(receipt)
        transcript.append(f"import {step} (leader {str(incoming.leader)!r}): {_receipt_text(receipt)}")
        found = _matching(importing_channel, osba)
        _judge_step(step, incoming, found, local, marc_settings.holdings_tag, transcript)


def _receipt_text(receipt: ImportReceipt) -> str:
    if not receipt.understood:
        return f"receipt not understood ({receipt.problem}): {receipt.raw[:200]}"
    return f"created {list(receipt.created)}, updated {list(receipt.updated)}, rejected {list(receipt.rejected)}"


def _judge_step(step: str, incoming: pymarc.Record, found: list[pymarc.Record], local: set[str], tag: str, transcript: list[str]) -> None:
    problem = ""
    # Copies with one 001 are one record the export split by library: KAT-01's to report.
    if len({control_number(r) for r in found}) != 1:
        problem = f"after {step}: {len(found)} records carry the same 035, expected exactly 1 (upgraded in place)"
    elif str(found[0].leader)[17] != str(incoming.leader)[17]:
        problem = f"after {step}: leader/17 is {str(found[0].leader)[17]!r}, the incoming record's is {str(incoming.leader)[17]!r}"
    elif incoming["245"] is not None and format_field(found[0]["245"]) != format_field(incoming["245"]):
        problem = f"after {step}: 245 is {format_field(found[0]['245'])}, the incoming record has {format_field(incoming['245'])}"
    elif not local <= _holdings(found, tag):
        problem = f"after {step}: local holdings lost: {sorted(local - _holdings(found, tag))}"
    if problem:
        raise Finding(
            problem,
            clause=CLAUSE,
            sent="\n".join(transcript),
            received="\n\n".join("\n".join(format_field(f) for f in r.fields) for r in found) or "(no record with that 035)",
            expected="one record with that 035, carrying the incoming bibliographic data and the local holdings",
        )


@pytest.mark.requirement("MARC-03")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.IGNORE_DELETION)
def test_deleted_prepublication_record_leaves_catalogue(importing_channel: MarcChannel, marc_settings: MarcSettings,
                                                        upgrade_cleanup: list[ImportReceipt]) -> None:
    """A deletion from the supplier (leader/05 = d) removes the record or marks it deleted

    nb: En sletting fra leverandøren (leader/05 = d) fjerner posten eller merker den som slettet
    """
    data, prepub = _one(STEPS[0])
    osba = osba_number(prepub)
    assert osba, "fixtures/marc/prepub.mrc has no 035 (NO-OsBA): regenerate the fixtures"
    receipt = importing_channel.import_batch(data, marc_settings.import_library, 1)
    upgrade_cleanup.append(receipt)
    transcript = [f"import {STEPS[0]} (leader/17 = 5, 035 {osba}): {_receipt_text(receipt)}"]
    deletion_data, deletion = _one(DELETION)
    receipt = importing_channel.import_batch(deletion_data, marc_settings.import_library, 1)
    upgrade_cleanup.append(receipt)
    transcript.append(f"import {DELETION} (leader {str(deletion.leader)!r}, same 001 and 035): {_receipt_text(receipt)}")
    alive = [r for r in _matching(importing_channel, osba) if str(r.leader)[5:6] != "d"]
    if alive:
        raise Finding(
            f"after {DELETION}: {len(alive)} record(s) with 035 {osba} are still exported as live records "
            f"(leader/05 {sorted({str(r.leader)[5:6] for r in alive})!r})",
            clause=DELETION_CLAUSE,
            sent="\n".join(transcript),
            received="\n\n".join(f"leader {str(r.leader)!r}\n" + "\n".join(format_field(f) for f in r.fields) for r in alive),
            expected="no record with that 035 in the export, or every one with leader/05 = d (deleted)",
        )
