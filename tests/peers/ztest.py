"""yaz-ztest (Debian yaz) on loopback: YAZ's test backend, Z39.50 and SRU on one port.

Research z3950-sru.md §1.9: no data to load; the hit count of a search is the number a term
starts with (``find 42`` gives 42), else a pseudo-random 0..24; 24 canned MARC 21 records
(not ours) repeated for larger counts; databases ``Default``, ``slow`` and ``db*`` (others
give Bib-1 109); delays through the database name (``Default?search-delay=1.5``). It serves
USMARC, XML, SUTRS and OPAC (with holdings and circulation) records. Scan reads a word list
``dummy-words`` from its working directory (without it, a scan ends the connection), so the
launcher writes one.

    with ZtestPeer(tmp_path) as peer:
        endpoint = peer.start()

Installing: ``apt-get install -y yaz``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from peer_process import DEFAULT_LIFETIME, PeerProcess, require_programs

INSTALL_HINT = "apt-get install -y yaz"
# The scan word list: "WORD:count" per line, as ztest reads it (own words, Sámi included).
DUMMY_WORDS = ("ÁILU:3", "ČÁLLI:1", "ĐUODDARAT:2", "FJELL:4", "FJORD:2", "GIRJI:7", "NORD:5",
               "ŊUOLGGAT:1", "ŠUOŊŊAT:2", "ŦOADDI:1", "ŽIEHPI:1", "ÆRFUGL:2", "ØYVÆR:1", "ÅLESUND:3")


@dataclass(frozen=True, slots=True)
class ZtestEndpoint:
    host: str
    port: int
    database: str = "Default"


def require_ztest() -> None:
    require_programs("yaz-ztest", hint=INSTALL_HINT)


class ZtestPeer:
    def __init__(self, workdir: Path, lifetime: float = DEFAULT_LIFETIME) -> None:
        self.workdir = workdir
        self._process = PeerProcess("yaz-ztest", workdir, workdir / "ztest.log", lifetime)

    def start(self, port: int = 0) -> ZtestEndpoint:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "dummy-words").write_text("\n".join(DUMMY_WORDS) + "\n", encoding="utf-8")
        return ZtestEndpoint("127.0.0.1", self._process.start(self._argv, port))

    def stop(self) -> None:
        self._process.stop()

    @staticmethod
    def _argv(port: int) -> list[str]:
        return ["yaz-ztest", "-l", "ztest.log", f"tcp:127.0.0.1:{port}"]

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
