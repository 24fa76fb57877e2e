"""Real peers on loopback, started once per test session and shared.

``zebra``: zebrasrv over the consortium catalogue, Z39.50 and SRU on one port
(tests/peers/zebra.py). ``ztest``: yaz-ztest, YAZ's test server (tests/peers/ztest.py).

The two real OAI-PMH providers:

Peer A is the PyPI ``oaipmh`` 4.0.0 engine behind our WSGI glue (oai_peer_a.py); peer B is
Debian's Dancer::Plugin::Catmandu::OAI 0.0508 over our in-memory CQL store (catmandu/). Both
serve the fixture catalogue from one records file (one JSON object a line, in datestamp
order) written here. Each stops by itself after PEER_SECONDS whatever happens to the tests.
Where a peer's program is missing its tests skip with the install hint, except under CI=true.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from zebra import ZebraEndpoint, ZebraPeer, require_zebra
from ztest import ZtestEndpoint, ZtestPeer, require_ztest

from harness.oaipmh.dates import format_utc
from harness.oaipmh.repository import MemoryRepository

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from oaipmh_loopback import Peer, fixture_repository

IN_CI = os.environ.get("CI") == "true"
HERE = Path(__file__).resolve().parent
PAGE_SIZE = 100  # 240 records: three pages, so the list is resumed twice
PEER_SECONDS = 600  # each peer stops by itself after this, whatever happens to the test
START_WAIT = 20.0
HINT_A = "pip install oaipmh==4.0.0"
HINT_B = "apt-get install libdancer-plugin-catmandu-oai-perl libcql-parser-perl"


def missing(what: str, hint: str) -> None:
    message = f"{what}: {hint}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def catalogue() -> MemoryRepository:
    return fixture_repository()


@pytest.fixture(scope="session")
def records_file(catalogue: MemoryRepository, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture catalogue as the peers read it: one JSON object a line, in datestamp order."""
    path = tmp_path_factory.mktemp("oai-peers") / "records.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for item in catalogue.items():
            out.write(json.dumps({
                "_id": item.identifier.rsplit(":", 1)[1], "id": item.identifier.rsplit(":", 1)[1],
                "datestamp": format_utc(item.datestamp), "deleted": item.deleted, "sets": list(item.set_specs),
                "marcxml": item.marcxml(), "dc": [list(pair) for pair in item.dublin_core() or ()],
            }, ensure_ascii=False) + "\n")
    with Path(f"{path}.sets").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps({"spec": one.spec, "name": one.name}, ensure_ascii=False) + "\n" for one in catalogue.sets())
    return path


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_for(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    host, port = "127.0.0.1", int(base_url.split(":")[2].split("/")[0])
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the peer exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"the peer did not listen within {START_WAIT}s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="session")
def peer_a(records_file: Path) -> Iterator[Peer]:
    try:
        version = importlib.metadata.version("oaipmh")
    except importlib.metadata.PackageNotFoundError:
        missing("the oaipmh package is not installed", HINT_A)
    if version != "4.0.0":
        missing(f"oaipmh {version} is installed; this test pins 4.0.0", HINT_A)
    port_file, log = records_file.with_name("peer-a.port"), records_file.with_name("peer-a.log")
    with log.open("wb") as log_fh:
        process = subprocess.Popen([sys.executable, str(HERE / "oai_peer_a.py"), str(records_file), "--port-file", str(port_file),
                                    "--page-size", str(PAGE_SIZE), "--duration", str(PEER_SECONDS)], stdout=log_fh, stderr=log_fh)
    try:
        deadline = time.monotonic() + START_WAIT
        while not port_file.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        if not port_file.exists():
            pytest.fail(f"peer A wrote no port:\n{log.read_text(errors='replace')[-3000:]}")
        base_url = f"http://127.0.0.1:{port_file.read_text().strip()}/oai"
        _wait_for(base_url, process, log)
        yield Peer("A", base_url, process, "peer-a.libharness.test")
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def peer_b(records_file: Path) -> Iterator[Peer]:
    perl = shutil.which("perl")
    if perl is None:
        missing("perl is not installed", HINT_B)
        return
    check = subprocess.run([perl, "-MDancer::Plugin::Catmandu::OAI", "-MCQL::Parser", "-e", "1"], capture_output=True, check=False)
    if check.returncode != 0:
        missing(f"a Perl module is missing ({check.stderr.decode(errors='replace').splitlines()[0]})", HINT_B)
    with socket.socket() as probe:  # Dancer 1 takes a port number, not 0: ask the kernel for a free one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = records_file.with_name("peer-b.log")
    with log.open("wb") as log_fh:
        process = subprocess.Popen([perl, str(HERE / "catmandu" / "serve.pl"), str(records_file), str(port), str(PAGE_SIZE),
                                    str(PEER_SECONDS)], stdout=log_fh, stderr=log_fh, cwd=HERE / "catmandu")
    try:
        base_url = f"http://127.0.0.1:{port}/oai"
        _wait_for(base_url, process, log)
        yield Peer("B", base_url, process, "peer-b.libharness.test")
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def zebra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZebraEndpoint]:
    require_zebra()
    with ZebraPeer(tmp_path_factory.mktemp("zebra")) as peer:
        yield peer.start()


@pytest.fixture(scope="session")
def ztest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZtestEndpoint]:
    require_ztest()
    with ZtestPeer(tmp_path_factory.mktemp("ztest")) as peer:
        yield peer.start()
