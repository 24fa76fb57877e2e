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

from harness.marc.marcxml import SCHEMA_PATH as MARC_SCHEMA_PATH
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


_XS = "{http://www.w3.org/2001/XMLSchema}"


@lru_cache(maxsize=1)
def response_schema() -> etree.XMLSchema:
    """OAI-PMH.xsd with the metadata wildcard made ``lax`` and the payload schemas imported.

    One validation pass then judges the envelope and every oai_dc and MARCXML payload (a
    payload in another namespace is skipped, as with the shipped file): a third faster than
    validating each record on its own. Errors name the node's path, which says whether an
    error lies in a payload and in which record (:func:`payload_index`).
    """
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    tree = etree.parse(str(SCHEMA_DIR / "OAI-PMH.xsd"), parser)
    root = tree.getroot()
    wildcard = root.find(f"{_XS}complexType[@name='metadataType']//{_XS}any")
    assert wildcard is not None, "OAI-PMH.xsd without its metadataType wildcard"
    wildcard.set("processContents", "lax")
    for position, (namespace, path) in enumerate(((OAI_DC_NS, SCHEMA_DIR / "oai_dc.xsd"), (MARC_NS, MARC_SCHEMA_PATH)), 1):
        root.insert(position, etree.Element(f"{_XS}import", namespace=namespace, schemaLocation=path.resolve().as_uri()))
    return etree.XMLSchema(tree)


_OAI = "{http://www.openarchives.org/OAI/2.0/}"


def namespace_prefixes(root: etree._Element) -> dict[str, str]:
    """Every prefix the document binds: libxml2 writes error paths with them (oai_dc:dc/dc:title)."""
    return {prefix: uri for element in root.iter() for prefix, uri in element.nsmap.items() if prefix}


def payload_index(root: etree._Element, path: str | None, prefixes: Mapping[str, str]) -> int | None:
    """The 0-based record whose payload a validation error's node (its XPath ``path``, as
    libxml2 reports it) lies in; None for an error in the envelope."""
    if not path:
        return None
    try:
        found = root.getroottree().xpath(path, namespaces=dict(prefixes))
    except etree.XPathError:
        return None
    node = found[0] if isinstance(found, list) and found and isinstance(found[0], etree._Element) else None
    if node is None:
        return None
    for ancestor in node.iterancestors():
        if ancestor.tag == f"{_OAI}metadata":
            record = ancestor.getparent()
            return 0 if record is None else sum(1 for _ in record.itersiblings(f"{_OAI}record", preceding=True))
    return None


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
