"""The sandbox's one consortium: libraries, catalogue, patrons, loans.

Every protocol server of the sandbox reads and changes this one object, so a checkout over
SIP2 is visible in SRU holdings and an imported record in an OAI-PMH harvest. It is plain
in-memory data behind one lock; servers run in threads.
"""

from __future__ import annotations

import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pymarc

from harness.paths import MARC_FIXTURES_DIR
from harness.profile import Library, Profile


@dataclass(slots=True)
class Patron:
    barcode: str
    name: str
    home_library: str
    pin: str = ""


@dataclass(slots=True)
class Consortium:
    libraries: dict[str, Library]
    patrons: dict[str, Patron] = field(default_factory=dict)
    records: dict[str, pymarc.Record] = field(default_factory=dict)  # 001 -> record, in catalogue order
    loans: dict[str, str] = field(default_factory=dict)  # item barcode (852 $p) -> patron barcode
    lock: threading.RLock = field(default_factory=threading.RLock)
    next_number: int = 1

    def library_numbers(self) -> frozenset[str]:
        return frozenset(self.libraries)

    def new_control_number(self) -> str:
        with self.lock:
            while f"sbx{self.next_number:07d}" in self.records:
                self.next_number += 1
            number = f"sbx{self.next_number:07d}"
            self.next_number += 1
            return number


def load_libraries(path: Path = MARC_FIXTURES_DIR / "libraries.toml") -> dict[str, Library]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    libraries = [Library(**entry) for entry in data["library"]]
    return {lib.number: lib for lib in libraries}


def item_barcodes(record: pymarc.Record) -> list[str]:
    return [sub for f in record.get_fields("852") for sub in f.get_subfields("p")]


def seed_loans(consortium: Consortium) -> None:
    """Put one item on loan to each patron, deterministically, so exports have loans to leak."""
    patrons = list(consortium.patrons.values())
    barcodes = [b for r in consortium.records.values() for b in item_barcodes(r)]
    for patron, barcode in zip(patrons, barcodes[::7]):
        consortium.loans[barcode] = patron.barcode


def new_consortium(profile: Profile) -> Consortium:
    """An empty consortium with the fixture libraries and the sandbox profile's patrons."""
    consortium = Consortium(libraries=load_libraries())
    for entry in profile.patrons:
        patron = Patron(
            barcode=str(entry["barcode"]),
            name=str(entry.get("name", "")),
            home_library=str(entry.get("home_library", "")),
            pin=str(entry.get("pin", "")),
        )
        consortium.patrons[patron.barcode] = patron
    return consortium
