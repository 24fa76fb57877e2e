"""harness archive / verify: one file for the record; any changed byte, added or removed file is found."""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from sample_run import RUN

from harness.archive import BLOCK, MANIFEST, header, verify_archive, write_archive
from harness.errors import UsageError
from harness.reporting import write_reports


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    base = tmp_path_factory.mktemp("archive")
    run_dir = base / "vendor-a-round-2"
    write_reports(RUN, run_dir)
    (run_dir / "evidence").mkdir()
    (run_dir / "evidence" / "sip2-transcript.txt").write_text("93CNsip|CO****|\r", encoding="utf-8")
    (run_dir / ".results.json.tmp").write_text("half written", encoding="utf-8")  # never archived
    out = base / "record.tar"
    return run_dir, out, write_archive(run_dir, out)


def _copy(path: Path, tmp_path: Path, data: bytes) -> Path:
    changed = tmp_path / path.name
    changed.write_bytes(data)
    return changed


def test_an_archive_holds_every_file_and_verifies_intact(archived: tuple[Path, Path, str]) -> None:
    run_dir, out, digest = archived
    result = verify_archive(out)
    assert result.intact and result.files == 8 and result.manifest_sha256 == digest
    with tarfile.open(out) as tar:  # any tar reads it
        names = tar.getnames()
        manifest = tar.extractfile(f"vendor-a-round-2/{MANIFEST}").read().decode()  # type: ignore[union-attr]
    assert names[-2:] == ["vendor-a-round-2/MANIFEST", "vendor-a-round-2/MANIFEST.sha256"]
    assert "vendor-a-round-2/evidence/sip2-transcript.txt" in names and not any(".tmp" in n for n in names)
    expected = hashlib.sha256((run_dir / "results.json").read_bytes()).hexdigest()
    assert f"{expected}  results.json\n" in manifest
    assert hashlib.sha256(manifest.encode()).hexdigest() == digest
    assert verify_archive(out, expect=digest.upper()).intact


def test_the_archive_is_canonical(archived: tuple[Path, Path, str], tmp_path: Path) -> None:
    run_dir, out, digest = archived
    again = tmp_path / "again.tar"
    assert write_archive(run_dir, again) == digest
    assert again.read_bytes() == out.read_bytes()  # the same run makes the same bytes, whenever it is archived


@pytest.mark.skipif(shutil.which("tar") is None or shutil.which("sha256sum") is None, reason="needs GNU tar and sha256sum")
def test_gnu_tar_and_sha256sum_check_it_without_the_harness(archived: tuple[Path, Path, str], tmp_path: Path) -> None:
    subprocess.run(["tar", "-xf", str(archived[1]), "-C", str(tmp_path)], check=True)
    folder = tmp_path / "vendor-a-round-2"
    for manifest in ("MANIFEST", "MANIFEST.sha256"):
        done = subprocess.run(["sha256sum", "--strict", "-c", manifest], cwd=folder, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_every_flipped_byte_is_found(archived: tuple[Path, Path, str], tmp_path: Path) -> None:
    data = archived[1].read_bytes()
    rng = random.Random(12)
    # every byte of the first header and of the end marker, and a sample of the rest
    offsets = {*range(BLOCK), *range(len(data) - 2 * BLOCK, len(data)), *rng.sample(range(len(data)), 300)}
    for offset in sorted(offsets):
        changed = bytearray(data)
        changed[offset] ^= 0x20
        result = verify_archive(_copy(archived[1], tmp_path, bytes(changed)))
        assert not result.intact, f"a change at byte {offset} went unnoticed"


def test_a_changed_file_is_named(archived: tuple[Path, Path, str], tmp_path: Path) -> None:
    data = archived[1].read_bytes()
    at = data.index(b'"run": {') + 10  # inside results.json's content
    changed = data[:at] + (b"X" if data[at:at + 1] != b"X" else b"Y") + data[at + 1:]
    result = verify_archive(_copy(archived[1], tmp_path, changed))
    assert [p for p in result.problems if p.startswith("changed: results.json")]


def _rewrite(source: Path, target: Path, drop: str = "", add: tuple[str, bytes] | None = None) -> None:
    """Rebuild the archive canonically with a file left out or one added, the manifests kept."""
    with tarfile.open(source) as tar:
        members = [(m.name, tar.extractfile(m).read(), int(m.mtime)) for m in tar.getmembers()]  # type: ignore[union-attr]
    if add:
        members.insert(0, (add[0], add[1], members[0][2]))
    with target.open("wb") as fh:
        for name, content, mtime in members:
            if name.endswith(drop) and drop:
                continue
            fh.write(header(name, len(content), mtime) + content + b"\0" * (-len(content) % BLOCK))
        fh.write(b"\0" * 2 * BLOCK)


def test_a_removed_or_added_file_is_named(archived: tuple[Path, Path, str], tmp_path: Path) -> None:
    removed = tmp_path / "removed.tar"
    _rewrite(archived[1], removed, drop="/junit.xml")
    assert verify_archive(removed).problems == ["removed: junit.xml"]
    added = tmp_path / "added.tar"
    _rewrite(archived[1], added, add=("vendor-a-round-2/aaa-extra.txt", b"a later addition"))
    assert verify_archive(added).problems == ["added: aaa-extra.txt"]


def test_a_rewritten_manifest_is_caught_only_by_the_recorded_hash(archived: tuple[Path, Path, str], tmp_path: Path) -> None:
    run_dir, _, digest = archived
    forged_dir = tmp_path / "vendor-a-round-2"
    shutil.copytree(run_dir, forged_dir)
    (forged_dir / "requirements.csv").write_bytes(b"id,verdict\r\nSIP-05,MET\r\n")
    forged = tmp_path / "forged.tar"
    write_archive(forged_dir, forged)
    assert verify_archive(forged).intact  # consistent in itself: that is why the hash goes in the case file
    problems = verify_archive(forged, expect=digest).problems
    assert len(problems) == 1 and "is not the one recorded" in problems[0]


def test_user_errors(archived: tuple[Path, Path, str], tmp_path: Path) -> None:
    run_dir, out, _ = archived
    with pytest.raises(UsageError, match="no such run directory"):
        write_archive(tmp_path / "nope", tmp_path / "x.tar")
    with pytest.raises(UsageError, match="holds no results.json"):
        write_archive(tmp_path, tmp_path.parent / "x.tar")
    with pytest.raises(UsageError, match="inside the run directory"):
        write_archive(run_dir, run_dir / "self.tar")
    with pytest.raises(UsageError, match="exists. Fix: .*--overwrite"):
        write_archive(run_dir, out)
    with pytest.raises(UsageError, match="no such file"):
        verify_archive(tmp_path / "missing.tar")
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b"x" * 2000)
    with pytest.raises(UsageError, match="not an archive written by harness archive"):
        verify_archive(pdf)
    with pytest.raises(UsageError, match="not a SHA-256"):
        verify_archive(out, expect="abc")
