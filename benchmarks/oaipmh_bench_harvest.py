"""One harvest in a process of its own, so its peak memory is its own; prints one JSON line.

    python benchmarks/oaipmh_bench_harvest.py strict|sickle BASE_URL [--until DATESTAMP]

strict: harness.oaipmh.client, every page parsed strictly and validated (envelope against
OAI-PMH.xsd, each MARCXML payload against MARC21slim.xsd), records counted and dropped.
sickle: sickle 0.7.0's ListRecords, records counted and dropped, as an aggregator would.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

from sickle import Sickle  # type: ignore[import-untyped]

from harness.http import HttpClient
from harness.oaipmh.client import HarvestLimits, OaiClient


def strict(base_url: str, until: str | None) -> tuple[int, int]:
    client = OaiClient(base_url, HttpClient("oai", timeout=60), limits=HarvestLimits(max_pages=100_000))
    client.identify()
    client.list_metadata_formats()
    harvest = client.list_records("marc21", until=until)
    records = problems = 0
    for page in harvest:
        problems += len(page.problems)
        records += len(page.response.records)  # type: ignore[union-attr]
    return records, problems + len(harvest.problems)


def reference(base_url: str, until: str | None) -> tuple[int, int]:
    arguments = {"metadataPrefix": "marc21", **({"until": until} if until else {})}
    return sum(1 for _ in Sickle(base_url, timeout=60).ListRecords(**arguments)), 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("contender", choices=["strict", "sickle"])
    parser.add_argument("base_url")
    parser.add_argument("--until")
    args = parser.parse_args()
    started = time.perf_counter()
    records, problems = (strict if args.contender == "strict" else reference)(args.base_url, args.until)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"records": records, "seconds": seconds, "peak_mb": peak_kb / 1024, "problems": problems}))


if __name__ == "__main__":
    main()
