"""One file for the procurement record, and proof that it has not changed since.

``harness archive RUN_DIR --out FILE`` packs a run directory (results, journal, every report,
the declared deviations, anything else the run left there) into one POSIX ustar file::

    <run dir name>/results.json ...        every file, in sorted order
    <run dir name>/MANIFEST                "<sha256>  <path>" per file (the sha256sum format)
    <run dir name>/MANIFEST.sha256         "<sha256 of MANIFEST>  MANIFEST"

Any tar opens it, and ``sha256sum -c MANIFEST`` checks the extracted files without the harness.
``harness verify FILE`` checks more than the files: the archive is written canonically (fixed
header fields, the run's start time as every file's time, sorted names, zero padding, two zero
blocks and nothing after), so verify rebuilds every header and compares it byte for byte. Any
change is found: a byte of a file (its hash), a file added or removed (the manifest), and a
byte anywhere else (a header, padding, the end). The writer and reader are this module's own,
not ``tarfile``'s, so the canonical form does not change with the Python version.

The manifest hash printed by ``harness archive`` is what to write in the case file: someone who
changes a file *and* rewrites both manifests makes an archive that is intact in itself, and only
``harness verify FILE --expect <that hash>`` tells it apart.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from harness.errors import UsageError

BLOCK = 512
MANIFEST = "MANIFEST"
MANIFEST_HASH = "MANIFEST.sha256"
_RUN_MARKERS = ("results.json", "results.jsonl")
_MAX_SIZE = 8**11 - 1  # what 11 octal digits hold (8 GiB)
_MAX_MANIFEST = 16 << 20
_CHUNK = 1 << 20


# --- the canonical ustar header ---------------------------------------------------------------


def _octal(value: int, width: int) -> bytes:
    return f"{value:0{width - 1}o}".encode("ascii") + b"\0"


def _split_name(path: str) -> tuple[bytes, bytes]:
    """ustar's name (100 bytes) and prefix (155 bytes), split at a slash when the path is long."""
    raw = path.encode("utf-8")
    if len(raw) <= 100:
        return raw, b""
    for cut in range(len(raw) - 1, 0, -1):
        if raw[cut : cut + 1] == b"/" and cut <= 155 and len(raw) - cut - 1 <= 100:
            return raw[cut + 1 :], raw[:cut]
    raise UsageError(f"{path}: the path is too long for a ustar archive (255 bytes). Fix: shorten the file or folder name")


def header(path: str, size: int, mtime: int) -> bytes:
    name, prefix = _split_name(path)
    fields = [
        name.ljust(100, b"\0"), b"0000644\0", b"0000000\0", b"0000000\0", _octal(size, 12), _octal(mtime, 12),
        b" " * 8, b"0", b"\0" * 100, b"ustar\x0000", b"harness".ljust(32, b"\0"), b"harness".ljust(32, b"\0"),
        b"0000000\0", b"0000000\0", prefix.ljust(155, b"\0"), b"\0" * 12,
    ]
    block = b"".join(fields)
    checksum = f"{sum(block):06o}".encode("ascii") + b"\0 "
    return block[:148] + checksum + block[156:]


def _padding(size: int) -> int:
    return -size % BLOCK


# --- harness archive ---------------------------------------------------------------------------


def _files(run_dir: Path) -> list[tuple[str, Path]]:
    found = []
    for path in sorted(run_dir.rglob("*")):
        relative = path.relative_to(run_dir)
        if any(part.startswith(".") for part in relative.parts):
            continue  # temporary files of an interrupted write (.results.json.tmp), editor files
        if path.is_symlink():
            raise UsageError(f"{path}: is a symbolic link; the record must hold the bytes. Fix: copy the file into {run_dir}")
        if path.is_file():
            found.append((relative.as_posix(), path))
    return found


def _run_time(run_dir: Path) -> int:
    """Every file's time in the archive: the run's start (so the archive does not depend on when it was made)."""
    for name in _RUN_MARKERS:
        try:
            text = (run_dir / name).read_text(encoding="utf-8")
            data = json.loads(text.splitlines()[0] if name.endswith("l") else text)
            manifest = data.get("manifest") or data.get("run") or {}
            return max(0, int(datetime.fromisoformat(str(manifest.get("start", ""))).timestamp()))
        except (OSError, ValueError, AttributeError, IndexError, TypeError):
            continue
    return 0


def write_archive(run_dir: Path, out: Path, overwrite: bool = False) -> str:
    """Pack ``run_dir`` into ``out``; returns the manifest's SHA-256 (what the case file records)."""
    run_dir, out = Path(run_dir), Path(out)
    if not run_dir.is_dir():
        raise UsageError(f"{run_dir}: no such run directory. Fix: give the --report-dir of a `harness run`")
    if not any((run_dir / m).is_file() for m in _RUN_MARKERS):
        raise UsageError(f"{run_dir}: holds no results.json or results.jsonl. Fix: give the --report-dir of a `harness run`")
    if out.resolve().is_relative_to(run_dir.resolve()):
        raise UsageError(f"--out {out}: is inside the run directory it archives. Fix: write the archive somewhere else")
    if out.exists() and not overwrite:
        raise UsageError(f"--out {out}: exists. Fix: choose another name, or add --overwrite to replace it")
    top = run_dir.resolve().name or "run"
    files = _files(run_dir)
    if {MANIFEST, MANIFEST_HASH} & {name for name, _ in files}:
        raise UsageError(f"{run_dir}: holds a file named {MANIFEST} or {MANIFEST_HASH}, which the archive writes. Fix: rename it")
    mtime = _run_time(run_dir)
    tmp = out.with_name(f".{out.name}.tmp")
    lines = []
    try:
        with tmp.open("wb") as fh:
            for name, path in files:
                lines.append(f"{_add_file(fh, f'{top}/{name}', path, mtime)}  {name}\n")
            manifest = "".join(lines).encode("utf-8")
            digest = hashlib.sha256(manifest).hexdigest()
            _add_bytes(fh, f"{top}/{MANIFEST}", manifest, mtime)
            _add_bytes(fh, f"{top}/{MANIFEST_HASH}", f"{digest}  {MANIFEST}\n".encode("ascii"), mtime)
            fh.write(b"\0" * (2 * BLOCK))
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"{exc.filename or out}: cannot write the archive ({exc.strerror or exc}). Fix: choose a writable --out") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return digest


def _add_file(fh: BinaryIO, name: str, path: Path, mtime: int) -> str:
    size = path.stat().st_size
    if size > _MAX_SIZE:
        raise UsageError(f"{path}: larger than a ustar archive holds (8 GiB). Fix: leave it out of the run directory")
    fh.write(header(name, size, mtime))
    digest, written = hashlib.sha256(), 0
    with path.open("rb") as src:
        while chunk := src.read(_CHUNK):
            chunk = chunk[: size - written]  # a file still growing: the header's size is what is archived
            digest.update(chunk)
            fh.write(chunk)
            written += len(chunk)
            if written == size:
                break
    if written != size:
        raise UsageError(f"{path}: shrank while it was archived. Fix: archive the run once it has finished")
    fh.write(b"\0" * _padding(size))
    return digest.hexdigest()


def _add_bytes(fh: BinaryIO, name: str, data: bytes, mtime: int) -> None:
    fh.write(header(name, len(data), mtime) + data + b"\0" * _padding(len(data)))


# --- harness verify ----------------------------------------------------------------------------


@dataclass
class Verification:
    files: int = 0
    manifest_sha256: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


class _Damaged(Exception):
    """The archive's structure cannot be read on from here: what is wrong and where."""


@dataclass
class _Entry:
    name: str
    offset: int
    sha256: str
    data: bytes | None  # kept for the two manifests only


def _parse_header(block: bytes, offset: int, mtime: int | None) -> tuple[str, int, int]:
    if block[257:265] != b"ustar\x0000":
        raise _Damaged(f"byte {offset}: no ustar header where one must be")
    try:
        size = int(block[124:135], 8)
        entry_mtime = int(block[136:147], 8)
        name = block[0:100].rstrip(b"\0").decode("utf-8")
        prefix = block[345:500].rstrip(b"\0").decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise _Damaged(f"byte {offset}: a damaged header (size, time or name unreadable)") from None
    path = f"{prefix}/{name}" if prefix else name
    if mtime is not None and entry_mtime != mtime:
        raise _Damaged(f"byte {offset}: the header of {path} has another time than the archive's first file")
    try:
        canonical = header(path, size, entry_mtime)
    except UsageError:
        canonical = b""
    if block != canonical:
        first = next((i for i, (a, b) in enumerate(zip(block, canonical.ljust(BLOCK, b"\0"))) if a != b), 0)
        raise _Damaged(f"byte {offset + first}: the header of {path} differs from the form harness archive writes")
    return path, size, entry_mtime


def _entries(fh: BinaryIO) -> Iterator[_Entry]:
    offset, mtime = 0, None
    while True:
        block = fh.read(BLOCK)
        if len(block) < BLOCK:
            raise _Damaged(f"byte {offset}: the archive ends before its end marker (cut short?)")
        if block == b"\0" * BLOCK:
            break
        path, size, mtime = _parse_header(block, offset, mtime)
        digest, keep, left = hashlib.sha256(), bytearray(), size
        while left:
            chunk = fh.read(min(left, _CHUNK))
            if not chunk:
                raise _Damaged(f"{path}: the archive ends inside this file (cut short?)")
            digest.update(chunk)
            if path.endswith(("/" + MANIFEST, "/" + MANIFEST_HASH)):
                if len(keep) + len(chunk) > _MAX_MANIFEST:
                    raise _Damaged(f"{path}: larger than any manifest harness archive writes")
                keep += chunk
            left -= len(chunk)
        pad = fh.read(_padding(size))
        if pad != b"\0" * _padding(size):
            raise _Damaged(f"byte {offset + BLOCK + size}: the padding after {path} is not zero")
        yield _Entry(path, offset, digest.hexdigest(), bytes(keep) if keep or size == 0 else None)
        offset += BLOCK + size + _padding(size)
    rest = fh.read(BLOCK + 1)
    if rest != b"\0" * BLOCK:
        raise _Damaged(f"byte {offset + BLOCK}: the end marker is damaged, or bytes follow it")


def _manifest_lines(data: bytes) -> dict[str, str]:
    lines: dict[str, str] = {}
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise _Damaged(f"{MANIFEST} line {number} is not '<sha256>  <path>'")
        lines[name] = digest
    return lines


def _compare(entries: list[_Entry], result: Verification, expect: str) -> None:
    if len(entries) < 2 or not entries[-1].name.endswith("/" + MANIFEST_HASH) or not entries[-2].name.endswith("/" + MANIFEST):
        raise _Damaged(f"the archive does not end with {MANIFEST} and {MANIFEST_HASH}")
    top = entries[-1].name[: -len(MANIFEST_HASH) - 1]
    manifest, stated = entries[-2], entries[-1]
    result.manifest_sha256 = manifest.sha256
    if stated.data != f"{manifest.sha256}  {MANIFEST}\n".encode("ascii"):
        result.problems.append(f"{MANIFEST} changed: its SHA-256 no longer matches {MANIFEST_HASH}")
    if expect and expect.lower() != manifest.sha256:
        result.problems.append(f"{MANIFEST} is not the one recorded: SHA-256 {manifest.sha256}, expected {expect.lower()}")
    listed = _manifest_lines(manifest.data or b"")
    present = {}
    for entry in entries[:-2]:
        if not entry.name.startswith(top + "/"):
            result.problems.append(f"added: {entry.name} (outside {top}/)")
            continue
        present[entry.name[len(top) + 1 :]] = entry.sha256
    names = list(present)
    if names != sorted(names):
        result.problems.append("the files are not in the order harness archive writes them")
    for name in sorted(set(present) - set(listed)):
        result.problems.append(f"added: {name}")
    for name in sorted(set(listed) - set(present)):
        result.problems.append(f"removed: {name}")
    for name in sorted(set(listed) & set(present)):
        if listed[name] != present[name]:
            result.problems.append(f"changed: {name} (SHA-256 {present[name]}, the manifest says {listed[name]})")
    result.files = len(present)


def _looks_like_archive(path: Path) -> bool:
    with path.open("rb") as fh:
        first = fh.read(BLOCK)
        if first[257:262] == b"ustar":
            return True
        tail = b""
        while chunk := fh.read(_CHUNK):
            if MANIFEST_HASH.encode() in tail + chunk:
                return True
            tail = chunk[-32:]
    return False


def verify_archive(path: Path, expect: str = "") -> Verification:
    """Check an archive; a file that is no harness archive at all is a usage error (exit 2)."""
    path = Path(path)
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "no such file"
        raise UsageError(f"{path}: {what}. Fix: give the file `harness archive` wrote")
    if expect and (len(expect) != 64 or any(c not in "0123456789abcdefABCDEF" for c in expect)):
        raise UsageError(f"--expect {expect}: not a SHA-256. Fix: give the 64 hex digits `harness archive` printed")
    try:
        if not _looks_like_archive(path):
            raise UsageError(f"{path}: not an archive written by harness archive (no ustar header, no {MANIFEST_HASH}). "
                             "Fix: give the file `harness archive` wrote")
        result = Verification()
        with path.open("rb") as fh:
            try:
                entries = list(_entries(fh))
                _compare(entries, result, expect)
            except _Damaged as exc:
                result.problems.insert(0, str(exc))
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror or exc}). Fix: check the path and its permissions") from None
    return result

