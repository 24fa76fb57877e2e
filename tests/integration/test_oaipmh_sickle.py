"""sickle, the common harvester, as the reference: a full sickle harvest of our provider gives
the same identifiers and datestamps, in the same order, as the strict harvester.

The provider runs on 127.0.0.1 behind the tests' small http.server adapter; sickle reads it as
any aggregator would (GET, following resumption tokens). A provider sickle cannot read fails
OAI-01 whatever the strict parser says; this test keeps the sandbox on the right side of that.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sickle import Sickle  # type: ignore[import-untyped]

from harness.http import HttpClient
from harness.oaipmh.client import OaiClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from oaipmh_loopback import CATALOGUE_SIZE, fixture_repository, serve_provider


@pytest.mark.parametrize(("prefix", "set_spec"), [("marc21", None), ("oai_dc", None), ("marc21", "kind:school")])
def test_sickle_and_the_strict_harvester_see_the_same_list(prefix: str, set_spec: str | None) -> None:
    with serve_provider(fixture_repository(), page_size=30) as base:
        kwargs = {"metadataPrefix": prefix, **({"set": set_spec} if set_spec else {})}
        reference = [(r.header.identifier, r.header.datestamp, r.header.deleted)
                     for r in Sickle(base, timeout=10).ListRecords(**kwargs)]
        harvest = OaiClient(base, HttpClient("oai", timeout=10)).list_records(prefix, set_spec=set_spec)
        strict = [(r.header.identifier, r.header.datestamp, r.header.deleted) for r in harvest.records()]
    assert harvest.complete and harvest.problems == []
    assert strict == reference
    assert len(strict) == CATALOGUE_SIZE if set_spec is None else 30 < len(strict) < CATALOGUE_SIZE
    assert any(deleted for _, _, deleted in strict), "deleted records are in both harvests"
