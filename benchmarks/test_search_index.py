"""The sandbox's search index on 10,000 records: build time, the per-query currency check, queries.

The 240 records of the fixture catalogue are repeated under new ids up to 10,000 (distinct
record objects, so each is indexed on its own). No bar: the numbers go into the report and the
README beside the SRU rates. Run: python -m pytest benchmarks/test_search_index.py -p no:randomly -s
"""

from __future__ import annotations

import copy
import time
from typing import Any

import pymarc
import pytest

from harness.marc.reader import read_records
from harness.paths import MARC_FIXTURES_DIR
from harness.sandbox.search import ANY_RUN, And, SearchIndex, SortSpec, term

SIZE = 10_000


@pytest.fixture(scope="module")
def catalogue() -> dict[str, pymarc.Record]:
    data = (MARC_FIXTURES_DIR / "consortium.mrc").read_bytes()
    base = [r.record for r in read_records(data) if r.record is not None]
    return {f"bench{n:06d}": copy.deepcopy(base[n % len(base)]) for n in range(SIZE)}


@pytest.fixture(scope="module")
def index(catalogue: dict[str, pymarc.Record]) -> SearchIndex:
    built = SearchIndex(catalogue)
    built.refresh()
    return built


def test_build(benchmark: Any, catalogue: dict[str, pymarc.Record]) -> None:
    def build() -> int:
        return SearchIndex(catalogue).refresh()

    assert benchmark.pedantic(build, rounds=3, iterations=1) == SIZE


def test_currency_check_of_an_unchanged_catalogue(benchmark: Any, index: SearchIndex) -> None:
    assert benchmark(index.refresh) == 0


QUERIES = {
    "word": term("title", "ærfugl"),
    "phrase": term("title", "ærfugl og øyvær", "phrase"),
    "right truncation": term("any", f"sám{ANY_RUN}"),
    "library limit": And(term("subject", "samer"), term("library", "NO-9900003")),
}


@pytest.mark.parametrize("name", list(QUERIES))
def test_query(benchmark: Any, index: SearchIndex, name: str) -> None:
    assert benchmark(index.search, QUERIES[name])


def test_sorted_query(benchmark: Any, index: SearchIndex) -> None:
    assert benchmark(index.search, term("any", "samer"), sort=[SortSpec("title")])


def test_a_new_record_is_findable_at_once(catalogue: dict[str, pymarc.Record], index: SearchIndex) -> None:
    record = copy.deepcopy(next(iter(catalogue.values())))
    record["245"]["a"] = "Ovttasbargu ja ođasmahttin"
    catalogue["bench-new"] = record
    started = time.perf_counter()
    assert index.search(term("title", "ođasmahttin")) == ["bench-new"]
    print(f"\nnew record findable after {1000 * (time.perf_counter() - started):.1f} ms (one incremental re-index)")
    del catalogue["bench-new"]
