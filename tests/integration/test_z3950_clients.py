"""Independent clients against the sandbox's Z39.50 target: YAZ's yaz-client and zoomsh.

The harness's own client judges the sandbox in the suite; here two programs that share no
code with it (YAZ's BER codec, its MARC and XML renderers) hold scripted sessions: Init with
idPass and UTF-8 negotiated, searches with North Sámi terms (in upper case, too), Present in
USMARC and MARCXML, Scan, Close. The expected records and counts come from the fixture file,
not from the server; yaz-client's APDU log shows how YAZ decoded every PDU the sandbox sent.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest

from harness.marc.reader import read_records
from harness.paths import MARC_FIXTURES_DIR, SANDBOX_PROFILE
from harness.profile import load_profile
from harness.sandbox.system import Sandbox
from harness.z3950.settings import Z3950Settings
from harness.z3950.unit import Z3950

WORD = "ŋuolggat"  # a North Sámi word of hx0000002's title (and others')
SCAN_WORD = "čáppa"
TITLE = "Čáppa ŋuolggat, đuoddarat, Ruoŧŧa ja viežžat šattuid"


def _require(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        message = f"{program} not installed (apt-get install yaz)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {message}")
        pytest.skip(message)
    return found


def _titles_with(word: str) -> set[str]:
    """001 of every fixture record whose 245 $a or $b has ``word`` (caseless, NFC)."""
    found = set()
    for result in read_records((MARC_FIXTURES_DIR / "consortium.mrc").read_bytes()):
        record = result.record
        if record is None:
            continue
        text = unicodedata.normalize("NFC", " ".join(record["245"].get_subfields("a", "b"))).casefold()
        if word in re.findall(r"\w+", text):
            found.add(str(record["001"].data))
    return found


@pytest.fixture(scope="module")
def target() -> Iterator[Z3950Settings]:
    with Sandbox(load_profile(SANDBOX_PROFILE)) as resolved:
        settings = resolved.settings_for(Z3950)
        assert settings is not None and settings.auth == "idpass"
        yield settings


def _yaz_client(settings: Z3950Settings, script: str, apdu: Path) -> str:
    done = subprocess.run([_require("yaz-client"), "-a", str(apdu)], input=script.encode("utf-8"), capture_output=True,
                          timeout=30, check=False)
    out = done.stdout.decode("utf-8")
    assert done.returncode == 0, out + done.stderr.decode("utf-8", "replace")
    return out


def test_yaz_client_session_in_a_member_database(target: Z3950Settings, tmp_path: Path) -> None:
    expected = _titles_with(WORD)
    script = (f"charset UTF-8\nauth {target.user} {target.group} {target.password}\n"
              f"open tcp:{target.host}:{target.port}/NO-9900002\nfind @attr 1=4 {WORD.upper()}\nformat usmarc\n"
              f"show 1+{len(expected)}\nformat xml\nshow 1\nscan @attr 1=4 {SCAN_WORD}\nclose\nquit\n")
    out = _yaz_client(target, script, tmp_path / "apdu.log")
    assert "Connection accepted by v3 target." in out and "Accepted character set : UTF-8" in out
    assert "Options: search present delSet scan sort namedResultSets negotiationModel" in out
    assert f"Number of hits: {len(expected)}, setno 1" in out
    assert {m for m in re.findall(r"^001 (\S+)$", out, re.MULTILINE)} == expected
    assert f"245 10 $a {TITLE} : $b en håndbok for lærere" in out  # USMARC, as YAZ's MARC reader shows it
    assert f'<subfield code="a">{TITLE} :</subfield>' in out  # MARCXML
    scanned = re.findall(r"^\* (\S+) \((\d+)\)$", out, re.MULTILINE)
    assert scanned == [("Čáppa", str(len(_titles_with(SCAN_WORD))))]
    assert "Target has closed the association." in out
    log = (tmp_path / "apdu.log").read_text(encoding="utf-8", errors="replace")
    assert "userId 'harness'" in log and "searchResponse" in log.replace("SearchResponse", "searchResponse")
    assert log.count("presentResponse") + log.count("PresentResponse") >= 2


def test_yaz_client_is_refused_with_a_wrong_password(target: Z3950Settings, tmp_path: Path) -> None:
    script = f"auth {target.user} {target.group} not-the-password\nopen tcp:{target.host}:{target.port}/Default\nquit\n"
    out = _yaz_client(target, script, tmp_path / "apdu.log")
    assert "Connection rejected by v3 target." in out
    assert "1011" in (tmp_path / "apdu.log").read_text(encoding="utf-8", errors="replace")


def _zoomsh(target: Z3950Settings, *commands: str, stop_on_error: bool = True) -> str:
    done = subprocess.run(
        [_require("zoomsh"), *(["-e"] if stop_on_error else []), f"set user {target.user}", f"set group {target.group}", f"set password {target.password}",
         "set charset UTF-8", *commands, "quit"], capture_output=True, timeout=30, check=False)
    out = done.stdout.decode("utf-8")
    assert done.returncode == 0, out + done.stderr.decode("utf-8", "replace")
    return out


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_zoomsh_finds_sami_terms_and_reads_usmarc(target: Z3950Settings, form: Literal["NFC", "NFD"]) -> None:
    expected = _titles_with(WORD)
    term = unicodedata.normalize(form, WORD)
    out = _zoomsh(target, "set preferredRecordSyntax usmarc", f"connect tcp:{target.host}:{target.port}/Default",
                  f"search @attr 1=4 {term}", f"show 0 {len(expected)}")
    assert f"tcp:{target.host}:{target.port}/Default: {len(expected)} hits" in out
    assert {m for m in re.findall(r"^001 (\S+)$", out, re.MULTILINE)} == expected
    assert f"$a {TITLE} :" in out


def test_zoomsh_reads_marcxml_and_scans(target: Z3950Settings) -> None:
    out = _zoomsh(target, "set preferredRecordSyntax xml", f"connect tcp:{target.host}:{target.port}/Default",
                  "search @attr 1=7 9788299000024", "show 0 1", f"scan @attr 1=4 {SCAN_WORD}")
    assert ': 1 hits' in out and '<controlfield tag="001">hx0000002</controlfield>' in out
    assert f'<subfield code="a">{TITLE} :</subfield>' in out
    assert re.search(rf"^Čáppa {len(_titles_with(SCAN_WORD))}$", out, re.MULTILINE)
    assert re.search(r"^čuovga \d+$", out, re.MULTILINE)  # the Sámi č after c, in the sandbox's order


def test_zoomsh_sees_unsupported_attributes_as_diagnostics(target: Z3950Settings) -> None:
    out = _zoomsh(target, f"connect tcp:{target.host}:{target.port}/Default", "search @attr 1=9999 fjorden",
                  "search @attr 1=4 @attr 4=99 fjorden", stop_on_error=False)
    assert "Unsupported Use attribute (Bib-1:114) 9999" in out
    assert "Unsupported Structure attribute (Bib-1:118) 99" in out
