"""How the MARC suite reaches a target's import and export.

Two channels, one interface:

- :class:`HttpChannel`: the target (or the embedded sandbox) takes a batch over HTTP and
  serves exports over HTTP, through the bounded :class:`~harness.http.HttpClient` (a deadline
  on the whole export, a byte budget); every exchange is kept for evidence.
- :class:`FileChannel`: a vendor without an import API. The harness writes the fixture batch
  to ``import_dir`` for the evaluator to import by hand, and reads the export files the
  profile names, and the export's log (``export_log``) where the vendor's system names the
  records it left out of the ISO 2709 file. Checks that need the harness to import step by
  step are NOT_TESTED.

An import's receipt is the target's word on what it created. The harness deletes only what a
receipt it understood says it created, after checking each identifier's type and shape and
that there are no more of them than records sent: a receipt it cannot read is a FAIL of the
import (with the receipt as evidence), never a loop over a string's characters.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, unquote

from harness.budget import UNLIMITED, CheckBudget
from harness.errors import TargetError, TargetUnreachable
from harness.evidence import Exchange
from harness.http import HttpClient

# What a record identifier may look like before the harness puts it in a DELETE URL.
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


@dataclass(frozen=True, slots=True)
class ExportFile:
    data: bytes
    source: str  # a URL or a path, for the evidence
    omitted: tuple[str, ...] = ()  # records the target says it refused (too long for ISO 2709)
    declared_by: str = ""  # where the target names refused records, for the evidence


@dataclass(frozen=True, slots=True)
class ImportReceipt:
    """What the target said about an import, checked; ``problem`` says why it is unusable."""

    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    raw: str = ""  # the receipt as it came, for evidence
    problem: str = ""  # empty when the receipt was understood
    manual: str = ""  # a file channel: where the batch was left for the evaluator

    @property
    def understood(self) -> bool:
        return not self.problem


def read_receipt(body: bytes, records_sent: int) -> ImportReceipt:
    """Parse and check a JSON receipt ``{"created": [...], "updated": [...], "rejected": [...]}``."""
    raw = body[:4096].decode("utf-8", "replace")
    try:
        data = json.loads(body)
    except ValueError as exc:
        return ImportReceipt(raw=raw, problem=f"the receipt is not JSON ({exc})")
    if not isinstance(data, dict):
        return ImportReceipt(raw=raw, problem=f"the receipt is a JSON {type(data).__name__}, not an object")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("created", "updated", "rejected"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return ImportReceipt(raw=raw, problem=f"'{key}' is {json.dumps(value, ensure_ascii=False)[:80]}, not a list of identifiers")
        lists[key] = tuple(value)
    created = lists["created"]
    bad = [v for v in (*created, *lists["updated"]) if not _IDENTIFIER.match(v)]
    if bad:
        return ImportReceipt(raw=raw, problem=f"{bad[0]!r} is not a record identifier the harness can address")
    if len(created) + len(lists["updated"]) > records_sent or len(set(created)) != len(created):
        return ImportReceipt(raw=raw, problem=f"the receipt names {len(created)} created and {len(lists['updated'])} updated "
                                              f"records for a batch of {records_sent}, or repeats one")
    return ImportReceipt(created, lists["updated"], lists["rejected"], raw)


class MarcChannel(Protocol):
    can_import: bool

    @property
    def transcript(self) -> list[Exchange]: ...

    def export(self, fmt: str, library: str | None = None) -> ExportFile: ...

    def import_batch(self, data: bytes, library: str, records: int) -> ImportReceipt: ...

    def delete(self, receipt: ImportReceipt) -> None: ...


class HttpChannel:
    can_import = True

    def __init__(self, base_url: str, *, timeout: float, auth: tuple[str, str] | None = None, max_bytes: int,
                 budget: CheckBudget = UNLIMITED) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = HttpClient("marc", timeout=timeout, max_bytes=max_bytes, auth=auth, budget=budget)

    @property
    def transcript(self) -> list[Exchange]:
        return list(self.client.transcript)

    def export(self, fmt: str, library: str | None = None) -> ExportFile:
        params = {"format": fmt} | ({"library": library} if library else {})
        response = self.client.get(f"{self.base_url}/marc/export", params)
        if response.status != 200:
            raise TargetUnreachable(f"the export answered HTTP {response.status}: {response.text()[:300]}")
        omitted = unquote(response.headers.get("x-omitted-records", ""))
        return ExportFile(response.body, response.url, tuple(o for o in omitted.split("; ") if o),
                          declared_by=f"the X-Omitted-Records header of {response.url}")

    def import_batch(self, data: bytes, library: str, records: int) -> ImportReceipt:
        response = self.client.post(f"{self.base_url}/marc/import?library={quote(library)}", data)
        if response.status != 200:
            return ImportReceipt(raw=response.text()[:4096], problem=f"the import answered HTTP {response.status}")
        return read_receipt(response.body, records)

    def delete(self, receipt: ImportReceipt) -> None:
        """Clean up what an import created; the target's shared sandbox must not fill up."""
        if not receipt.understood:
            return  # never guess what to delete
        for number in receipt.created:
            try:
                self.client.request("DELETE", f"{self.base_url}/marc/record/{quote(number, safe='')}")
            except TargetError:
                continue  # cleanup is best effort; the transcript shows what failed


@dataclass
class FileChannel:
    export_file: Path | None
    export_xml_file: Path | None
    import_dir: Path | None
    max_bytes: int
    export_log: Path | None = None
    can_import: bool = False
    exchanges: list[Exchange] = field(default_factory=list)

    @property
    def transcript(self) -> list[Exchange]:
        return self.exchanges

    def export(self, fmt: str, library: str | None = None) -> ExportFile:
        path = self.export_xml_file if fmt == "marcxml" else self.export_file
        if path is None:
            key = "export_xml_file" if fmt == "marcxml" else "export_file"
            raise TargetUnreachable(f"the profile names no [marc] {key}")
        data = self._read(path)
        if fmt == "marcxml":
            return ExportFile(data, str(path))
        if self.export_log is None:
            return ExportFile(data, str(path), declared_by="no export log (the profile names no [marc] export_log)")
        log = self._read(self.export_log).decode("utf-8", "replace")
        lines = tuple(line.strip() for line in log.splitlines() if line.strip())
        return ExportFile(data, str(path), lines, declared_by=f"the export log {self.export_log}")

    def _read(self, path: Path) -> bytes:
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                raise TargetError(f"the export file {path} has {size:,} bytes, over [marc] max_export_bytes = {self.max_bytes:,}")
            data = path.read_bytes()
        except OSError as exc:
            raise TargetUnreachable(f"cannot read the export file {path}: {exc.strerror}") from exc
        self.exchanges.append(Exchange("file", str(path), f"read {path}", f"{len(data):,} bytes"))
        return data

    def import_batch(self, data: bytes, library: str, records: int) -> ImportReceipt:
        raise TargetError("a file channel cannot import; the evaluator imports the written batch by hand")

    def delete(self, receipt: ImportReceipt) -> None:
        pass  # nothing was imported by the harness

    def write_batch(self, name: str, data: bytes) -> Path | None:
        """Leave a fixture batch where the evaluator picks it up for the manual import."""
        if self.import_dir is None:
            return None
        self.import_dir.mkdir(parents=True, exist_ok=True)
        path = self.import_dir / name
        path.write_bytes(data)
        return path
