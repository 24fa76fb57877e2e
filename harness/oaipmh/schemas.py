"""The schemas the OAI-PMH parser validates against, compiled once from the shipped copies.

Nothing is fetched: ``schema/`` holds OAI-PMH.xsd (envelope, payloads skipped), oai_dc.xsd
with its Dublin Core imports rewritten to local files, and the MARC 21 slim schema comes
from :mod:`harness.marc`. Provenance and licences: ``schema/SOURCE.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import cast

from lxml import etree

from harness.marc.marcxml import marc21_slim_schema
from harness.oaipmh.model import MARC_NS, MARC_SCHEMA_URL, OAI_DC_NS, OAI_DC_SCHEMA_URL

SCHEMA_DIR = Path(__file__).with_name("schema")

# The schema location each payload namespace is published at: a payload's xsi:schemaLocation
# naming one of these must pair it with its own namespace (XML Schema Part 1 §4.3.2).
SCHEMA_URLS: Mapping[str, str] = MappingProxyType({OAI_DC_NS: OAI_DC_SCHEMA_URL, MARC_NS: MARC_SCHEMA_URL})


def _compile(name: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / name), parser))


@lru_cache(maxsize=1)
def envelope_schema() -> etree.XMLSchema:
    """OAI-PMH.xsd: the envelope, verbs, headers, tokens and errors (payloads skipped)."""
    return _compile("OAI-PMH.xsd")


@lru_cache(maxsize=1)
def oai_dc_schema() -> etree.XMLSchema:
    return _compile("oai_dc.xsd")


def payload_schema(namespace: str) -> etree.XMLSchema | None:
    """The schema for a payload in ``namespace``, or None when the harness ships none."""
    if namespace == OAI_DC_NS:
        return oai_dc_schema()
    if namespace == MARC_NS:
        return marc21_slim_schema()
    return None


def log_entries(schema: etree.XMLSchema) -> list[etree._LogEntry]:
    """The errors of the schema's last validation (lxml-stubs do not say the log iterates)."""
    return list(cast(Iterable[etree._LogEntry], schema.error_log))


def line_of(element: etree._Element) -> int:
    """The element's source line, 0 when lxml does not know it."""
    line = element.sourceline
    return line if isinstance(line, int) else 0
