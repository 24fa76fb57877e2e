"""``check_file``: sniff a MARC file's format, stream it through the checkers, count.

Memory stays flat whatever the file size: problems go to the caller's ``on_problem`` as they
are found, and the :class:`FileReport` keeps only counts and the first
:data:`KEEP_PROBLEMS` problems.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

from harness.errors import UsageError
from harness.marc.content import check_content, from_iso2709
from harness.marc.fastpath import check_chunk
from harness.marc.framing import (
    GAP_BYTES,
    RECORD_TERMINATOR,
    RecordChunk,
    iter_record_chunks,
)
from harness.marc.marcxml import MarcXmlChecker
from harness.marc.rules import problem
from harness.rules import Problem, Severity

Format = Literal["iso2709", "marcxml"]
KEEP_PROBLEMS = 1000
SNIFF_BYTES = 64 * 1024
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# A leader (digits where the lengths and base address go) and a first directory entry.
_PLAUSIBLE_START = re.compile(rb"\d{5}[\x20-\x7e]{7}\d{5}[\x20-\x7e]{7}[0-9A-Za-z]{3}\d{9}")
# Formats people hand over by mistake, by their first bytes, with what to do instead.
_NOT_MARC = (
    (b"\x1f\x8b", "gzip-compressed; decompress it first"),
    (b"PK\x03\x04", "a ZIP archive; extract the MARC file first"),
    (b"[", "JSON (MARC-in-JSON is not checked); export ISO 2709 or MARCXML"),
    (b"{", "JSON (MARC-in-JSON is not checked); export ISO 2709 or MARCXML"),
)


@dataclass
class FileReport:
    path: Path
    format: Format
    records: int = 0
    bytes_read: int = 0
    fail_count: int = 0
    warn_count: int = 0
    counts_by_rule: dict[str, int] = field(default_factory=dict)
    first_problems: list[Problem] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.fail_count == 0

    def add(self, problem: Problem) -> None:
        if problem.severity is Severity.FAIL:
            self.fail_count += 1
        else:
            self.warn_count += 1
        self.counts_by_rule[problem.rule.id] = self.counts_by_rule.get(problem.rule.id, 0) + 1
        if len(self.first_problems) < KEEP_PROBLEMS:
            self.first_problems.append(problem)


class _CountingReader:
    """A binary stream that reports how far it has been read (for the progress callback)."""

    def __init__(self, stream: BinaryIO, total: int, progress: Callable[[int, int], None] | None) -> None:
        self.stream = stream
        self.total = total
        self.progress = progress
        self.done = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.done += len(chunk)
        if self.progress is not None:
            self.progress(self.done, max(self.total, self.done))
        return chunk


def sniff_format(path: Path) -> Format:
    """'marcxml' or 'iso2709', or a UsageError that says what the file is instead."""
    if not path.exists():
        raise UsageError(f"{path}: no such file. Fix: check the path, or export the file from the target first")
    if not path.is_file():
        raise UsageError(f"{path}: not a regular file. Fix: give the path of a MARC file (ISO 2709 or MARCXML)")
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head.strip(GAP_BYTES):
        what = "empty" if not head else "only whitespace"
        raise UsageError(f"{path}: the file is {what}{'' if len(head) < SNIFF_BYTES else ' in its first 64 KiB'}. "
                         "Fix: the export produced no records; check the export")
    if head.startswith(_UTF16_BOMS):
        return "marcxml"
    start = head.removeprefix(_UTF8_BOM).lstrip(GAP_BYTES)
    if start[:1] == b"<":
        return "marcxml"
    for magic, what in _NOT_MARC:
        if start.startswith(magic):
            raise UsageError(f"{path}: not MARC: the file is {what}")
    if RECORD_TERMINATOR not in head and not _PLAUSIBLE_START.match(start):
        raise UsageError(f"{path}: not MARC at all: no record terminator (1D hex) in the first 64 KiB and no "
                         f"leader and directory at the start (it begins {start[:24]!r}). "
                         "Fix: give an ISO 2709 (.mrc) or MARCXML file")
    return "iso2709"


def check_file(
    path: Path,
    on_problem: Callable[[Problem], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    content: bool = False,
) -> FileReport:
    """Check every record of an ISO 2709 or MARCXML file, streaming.

    With ``content``, records without a structural FAIL are also checked against MARC 21
    Bibliographic's content designation (:mod:`harness.marc.content`, all WARN).
    """
    path = Path(path)
    report = FileReport(path, sniff_format(path))

    def emit(found: Problem) -> None:
        report.add(found)
        if on_problem is not None:
            on_problem(found)

    with path.open("rb") as fh:
        reader = _CountingReader(fh, path.stat().st_size, progress)
        if report.format == "marcxml":
            _check_marcxml(reader, report, emit, content)
        else:
            _check_iso2709(reader, report, emit, content)
        report.bytes_read = reader.done
    return report


def _check_iso2709(reader: _CountingReader, report: FileReport, emit: Callable[[Problem], None], content: bool) -> None:
    end = 0
    for chunk in iter_record_chunks(reader):  # type: ignore[arg-type]  # has read(); that is all it needs
        report.records += chunk.count
        structural = check_chunk(chunk)
        for found in _with_content(chunk, structural) if content else structural:
            emit(found)
        end = chunk.offset + len(chunk.data)
    last_index = report.records - 1
    # iter_raw_records drops whitespace after the last record; say so, as pymarc's reader
    # turns it into a TruncatedRecord error.
    if report.records and reader.done > end:
        emit(problem("inter-record-garbage", f"{reader.done - end} byte(s) of whitespace/padding after the last record",
                     end, last_index))


def _with_content(chunk: RecordChunk, structural: list[Problem]) -> list[Problem]:
    """The chunk's structural problems and, for each record without a FAIL, its content warnings, in record order."""
    failed = {p.position.record for p in structural if p.severity is Severity.FAIL and p.position}
    found = list(structural)
    for raw in chunk.records():
        if raw.index not in failed:
            found += check_content(from_iso2709(raw.data, raw.index, raw.offset))
    return sorted(found, key=lambda p: p.position.record if p.position and p.position.record is not None else -1)


def _check_marcxml(reader: _CountingReader, report: FileReport, emit: Callable[[Problem], None], content: bool) -> None:
    checker = MarcXmlChecker(reader, content=content)  # type: ignore[arg-type]  # lxml only calls read()
    for found in checker.problems():
        emit(found)
    report.records = checker.records
