"""Independent clients against the sandbox's SRU server: YAZ's zoomsh and curl.

The harness's own client and parser judge the sandbox in the suite; here two programs that
share no code with it ask the same server: zoomsh (YAZ's ZOOM shell, the client library of
many ILSs) searches with a Sámi term in every version, over GET and POST, and reads the
records; curl fetches explain and a searchRetrieve, read with a bare lxml, not the harness's
parser. The expected counts come from the fixture file, not from the server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator

import pytest
from lxml import etree

from harness.marc.reader import read_records
from harness.paths import MARC_FIXTURES_DIR, SANDBOX_PROFILE
from harness.profile import load_profile
from harness.sandbox.system import Sandbox
from harness.sru.unit import SRU

SRW = "{http://www.loc.gov/zing/srw/}"
ZEEREX = "{http://explain.z3950.org/dtd/2.0/}"
WORD = "ŋuolggat"  # a North Sámi word of hx0000002's title


def _require(program: str, package: str) -> str:
    found = shutil.which(program)
    if found is None:
        message = f"{program} not installed (apt-get install {package})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {message}")
        pytest.skip(message)
    return found


def _titles_with(word: str) -> set[str]:
    """001 of every fixture record whose 245 $a has ``word`` (caseless, NFC)."""
    data = (MARC_FIXTURES_DIR / "consortium.mrc").read_bytes()
    found = set()
    for result in read_records(data):
        record = result.record
        if record is None:
            continue
        title = unicodedata.normalize("NFC", " ".join(record["245"].get_subfields("a"))).casefold()
        if word in title.replace(",", " ").split():
            found.add(str(record["001"].data))
    return found


@pytest.fixture(scope="module")
def sru_url() -> Iterator[str]:
    with Sandbox(load_profile(SANDBOX_PROFILE)) as resolved:
        settings = resolved.settings_for(SRU)
        assert settings is not None
        yield settings.url


@pytest.mark.parametrize("version", ["1.1", "1.2", "2.0"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_zoomsh_finds_a_sami_term_and_reads_the_records(sru_url: str, version: str, method: str) -> None:
    zoomsh = _require("zoomsh", "yaz")
    expected = _titles_with(WORD)
    done = subprocess.run(
        [zoomsh, "-e", f"set sru {method}", f"set sru_version {version}", "set preferredRecordSyntax xml",
         f"connect {sru_url}", f"search cql:dc.title={WORD.upper()}", f"show 0 {len(expected)}", "quit"],
        capture_output=True, timeout=30, check=False)
    out = done.stdout.decode("utf-8")
    assert done.returncode == 0, out + done.stderr.decode("utf-8", "replace")
    assert f"{sru_url}: {len(expected)} hits" in out
    shown = {line.split(">")[1].split("<")[0] for line in out.splitlines() if 'tag="001"' in line}
    assert shown == expected
    assert "Čáppa ŋuolggat, đuoddarat, Ruoŧŧa ja viežžat šattuid :" in out  # the bytes as catalogued


def test_zoomsh_reports_the_diagnostic_for_an_unsupported_index(sru_url: str) -> None:
    zoomsh = _require("zoomsh", "yaz")
    done = subprocess.run([zoomsh, "set sru get", "set sru_version 1.2", f"connect {sru_url}",
                           "search cql:dc.harnessnosuch=x", "quit"], capture_output=True, timeout=30, check=False)
    assert "Unsupported index" in done.stdout.decode() and ":16) dc.harnessnosuch" in done.stdout.decode()


def _curl(*args: str) -> tuple[bytes, str]:
    curl = _require("curl", "curl")
    done = subprocess.run([curl, "-sS", "--max-time", "20", "-w", "\n%{content_type}", *args], capture_output=True,
                          timeout=30, check=True)
    body, _, kind = done.stdout.rpartition(b"\n")
    return body, kind.decode()


def test_curl_reads_explain(sru_url: str) -> None:
    body, kind = _curl(f"{sru_url}?version=1.2&operation=explain")
    root = etree.fromstring(body)
    assert kind.startswith("text/xml") and root.tag == f"{SRW}explainResponse"
    server = root.find(f".//{ZEEREX}serverInfo")
    assert server is not None and server.get("version") == "1.1 1.2 2.0"
    assert server.findtext(f"{ZEEREX}port") == sru_url.rsplit(":", 1)[1].split("/")[0]
    names = {n.text for n in root.iter(f"{ZEEREX}name")}
    assert {"title", "creator", "isbn", "serverChoice"} <= names


@pytest.mark.parametrize("form", ["get", "post"])
def test_curl_searches_with_a_sami_term(sru_url: str, form: str) -> None:
    params = ["--data-urlencode", "version=1.2", "--data-urlencode", "operation=searchRetrieve",
              "--data-urlencode", f"query=dc.title={WORD}", "--data-urlencode", "maximumRecords=10"]
    body, kind = _curl(*(["-G"] if form == "get" else []), sru_url, *params)
    root = etree.fromstring(body)
    assert kind == "text/xml; charset=utf-8"
    assert root.findtext(f"{SRW}numberOfRecords") == str(len(_titles_with(WORD)))
    numbers = {c.text for c in root.iter("{http://www.loc.gov/MARC21/slim}controlfield") if c.get("tag") == "001"}
    assert numbers == _titles_with(WORD)
    assert root.findtext(f"{SRW}echoedSearchRetrieveRequest/{SRW}query") == f"dc.title={WORD}"
