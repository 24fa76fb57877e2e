"""Discover first: what Identify, ListMetadataFormats and ListSets declare decides what is judged.

    found = discover(client)        # Identify, ListMetadataFormats, ListSets (each page kept)
    found.granularity, found.deleted_record, found.marc_prefix, found.sets

The MARC format is found by its namespace (``http://www.loc.gov/MARC21/slim``), never by its
prefix: ``marc21``, ``marcxml``, ``MARC21-xml`` and ``marc21_withholdings`` are all in use
(research: Koha before bug 15108, FOLIO). An optional capability that is not declared (sets,
a MARC format) is SKIP for the checks of it; one that is declared and broken is FAIL.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness import findings
from harness.oaipmh.client import OaiClient, Page
from harness.oaipmh.dates import SECONDS
from harness.oaipmh.harvested import Harvested, harvest
from harness.oaipmh.model import (
    MARC_NS,
    OAI_DC_NS,
    ErrorResponse,
    Identify,
    IdentifyResponse,
    ListMetadataFormatsResponse,
    MetadataFormat,
)
from harness.oaipmh.ownership import Check, blocking_owner


@dataclass(frozen=True)
class Discovery:
    identify: Page
    formats: Page
    sets: Harvested

    @property
    def identity(self) -> Identify | None:
        response = self.identify.response
        return response.identify if isinstance(response, IdentifyResponse) else None

    @property
    def granularity(self) -> str:
        """The declared granularity; seconds when Identify cannot be read (the finer one)."""
        identity = self.identity
        return identity.granularity if identity and identity.granularity else SECONDS

    @property
    def deleted_record(self) -> str:
        identity = self.identity
        return identity.deleted_record if identity else ""

    @property
    def metadata_formats(self) -> tuple[MetadataFormat, ...]:
        response = self.formats.response
        return response.formats if isinstance(response, ListMetadataFormatsResponse) else ()

    def prefix_for(self, namespace: str) -> str | None:
        return next((f.prefix for f in self.metadata_formats if f.namespace == namespace), None)

    @property
    def marc_prefix(self) -> str | None:
        return self.prefix_for(MARC_NS)

    @property
    def dc_prefix(self) -> str | None:
        """oai_dc, when it is declared (with its namespace, or under its mandatory prefix)."""
        declared = {f.prefix for f in self.metadata_formats}
        return "oai_dc" if "oai_dc" in declared else self.prefix_for(OAI_DC_NS)

    @property
    def catalogue_prefix(self) -> str | None:
        """The format the suite harvests the catalogue in: MARC if offered, else oai_dc."""
        return self.marc_prefix or self.dc_prefix or next((f.prefix for f in self.metadata_formats), None)

    @property
    def has_sets(self) -> bool:
        return bool(self.sets.sets)

    @property
    def no_sets_declared(self) -> bool:
        """ListSets answered noSetHierarchy: the repository says it has no sets (§3.6)."""
        return self.sets.error_codes == ("noSetHierarchy",)

    # -- what a check needs, or why it cannot judge -------------------------------------------

    def require_identify(self) -> Identify:
        identity = self.identity
        if identity is not None:
            return identity
        findings.cannot_judge(f"Identify could not be read ({_why(self.identify)})", _owner(self.identify).value)

    def require_formats(self) -> tuple[MetadataFormat, ...]:
        if isinstance(self.formats.response, ListMetadataFormatsResponse):
            return self.metadata_formats
        findings.cannot_judge(f"ListMetadataFormats could not be read ({_why(self.formats)})", _owner(self.formats).value)

    def no_catalogue(self) -> tuple[Check, str]:
        """Why there is no format to harvest the catalogue in, and the check that reports it."""
        if not isinstance(self.formats.response, ListMetadataFormatsResponse):
            return _owner(self.formats), f"ListMetadataFormats could not be read ({_why(self.formats)})"
        return Check.OAI_DC, "ListMetadataFormats lists no format to harvest"

    def require_catalogue_prefix(self, check: Check) -> str:
        self.require_formats()
        prefix = self.catalogue_prefix
        if prefix is None:
            findings.cannot_judge("ListMetadataFormats lists no format to harvest", Check.OAI_DC.value)
        return prefix

    def require_marc_prefix(self, check: Check) -> str:
        self.require_formats()
        prefix = self.marc_prefix
        if prefix is None:
            if check is Check.MARC21:
                return ""
            findings.cannot_judge(f"ListMetadataFormats offers no format in the MARC 21 namespace {MARC_NS}", Check.MARC21.value)
        return prefix

    def require_sets(self, check: Check) -> Harvested:
        """The sets, or SKIP when the repository declares none (sets are optional, §2.6)."""
        if self.no_sets_declared:
            findings.skip_undeclared("the repository declares no sets (ListSets: noSetHierarchy)")
        return self.sets.require(check)


def _why(page: Page) -> str:
    if isinstance(page.response, ErrorResponse):
        return "answered " + "/".join(page.response.codes)
    return "; ".join(str(p) for p in page.problems[:2]) or f"HTTP {page.status}"


def _owner(page: Page) -> Check:
    """Who reports that the page is unusable: the owner of what made it unreadable, or the
    verbs check for a verb answered with an error."""
    if page.response is None:
        return blocking_owner(page.problems) or Check.SCHEMA
    return Check.VERBS


def discover(client: OaiClient) -> Discovery:
    """Identify, ListMetadataFormats and ListSets; the client remembers what they declare."""
    identify = client.identify()
    formats = client.list_metadata_formats()
    sets = harvest(client, (("verb", "ListSets"),))
    return Discovery(identify, formats, sets)
