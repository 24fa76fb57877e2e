"""The sandbox's OAI-PMH service over a synthetic repository of N records, on 127.0.0.1, for benchmarks.

The HTTP server and the /oai handler are the sandbox's own (harness.sandbox.http,
harness.oaipmh.sandbox.service.oai_handler); only the repository is synthetic, because the
consortium's catalogue holds 242 records and the benchmark needs 100,000.

    python benchmarks/oaipmh_bench_server.py N --port-file PATH --duration SECONDS

Records are made on demand (nothing is stored per record), so the server's memory does not
grow with N: record i is fixture catalogue record i % 240 with 001 = bench{i:07d}, datestamp
2024-01-01T00:00:00Z + i seconds, every 40th deleted, in the library set of its 852 $a.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from oaipmh_loopback import catalogue_records

from harness.marc.records import control_number
from harness.marc.writer import record_to_marcxml
from harness.oaipmh.catalogue import dublin_core, set_specs
from harness.oaipmh.provider import ProviderSettings
from harness.oaipmh.repository import DublinCore, Key, SetInfo, matches
from harness.oaipmh.sandbox.service import oai_handler
from harness.sandbox.http import Router, SandboxHTTPServer
from harness.sandbox.state import load_libraries

BASE = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Template:
    marc_head: str  # MARCXML before the 001 value
    marc_tail: str  # ... and after it
    dc: DublinCore
    sets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SyntheticItem:
    index: int
    template: Template

    @property
    def identifier(self) -> str:
        return f"oai:bench.libharness.test:bench{self.index:07d}"

    @property
    def datestamp(self) -> datetime:
        return BASE + timedelta(seconds=self.index)

    @property
    def deleted(self) -> bool:
        return self.index % 40 == 7

    @property
    def set_specs(self) -> tuple[str, ...]:
        return self.template.sets

    def marcxml(self) -> str:
        return f"{self.template.marc_head}bench{self.index:07d}{self.template.marc_tail}"

    def dublin_core(self) -> DublinCore:
        return self.template.dc


class SyntheticRepository:
    def __init__(self, size: int) -> None:
        kinds = {number: lib.kind for number, lib in load_libraries().items()}
        self.size = size
        self.templates = []
        for record in catalogue_records():
            number = control_number(record) or ""
            head, _, tail = record_to_marcxml(record).partition(f">{number}<")
            self.templates.append(Template(head + ">", "<" + tail, dublin_core(record), set_specs(record, kinds)))

    def sets(self) -> Sequence[SetInfo]:
        return (SetInfo("library", "Bibliotek"),)

    def earliest_datestamp(self) -> datetime:
        return BASE

    def item(self, identifier: str) -> SyntheticItem | None:
        number = identifier.rpartition("bench")[2]
        index = int(number) if number.isdigit() else -1
        return self._at(index) if 0 <= index < self.size else None

    def _at(self, index: int) -> SyntheticItem:
        return SyntheticItem(index, self.templates[index % len(self.templates)])

    def items(self, *, after: Key | None = None, start: datetime | None = None, end: datetime | None = None,
              set_spec: str | None = None) -> Iterator[SyntheticItem]:
        first = 0 if after is None else int((after[0] - BASE).total_seconds()) + 1
        for index in range(max(first, 0), self.size):
            item = self._at(index)
            if matches(item, start, end, set_spec):
                yield item

    def count(self, *, start: datetime | None = None, end: datetime | None = None, set_spec: str | None = None) -> int:
        if start is None and end is None and set_spec is None:
            return self.size
        return sum(1 for _ in self.items(start=start, end=end, set_spec=set_spec))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("size", type=int)
    parser.add_argument("--port-file", type=Path, required=True)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--duration", type=float, default=600.0)
    args = parser.parse_args()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    router = Router()
    server = SandboxHTTPServer(router, 0)  # the sandbox's own HTTP server and /oai handler
    base_url = f"{server.base_url}/oai"
    settings = ProviderSettings(base_url, page_size=args.page_size, token_lifetime=timedelta(hours=2))
    serve = oai_handler(SyntheticRepository(args.size), settings)
    router.add("GET", "/oai", serve)
    router.add("POST", "/oai", serve)
    server.start()
    try:
        temporary = args.port_file.with_suffix(".tmp")
        temporary.write_text(base_url)
        os.replace(temporary, args.port_file)
        done.wait(args.duration)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
