"""OAI-PMH 2.0 responses as typed, frozen values: one class per verb, and errors.

The parser (:mod:`harness.oaipmh.parse`) builds these from bytes; the tables here (verbs,
arguments, error codes per verb) are shared by the parser, the harvester and the provider,
so the three read the specification the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from lxml import etree

from harness.rules import Problem, Severity

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA_URL = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA_URL = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
MARC_NS = "http://www.loc.gov/MARC21/slim"
MARC_SCHEMA_URL = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

VERBS = ("Identify", "ListMetadataFormats", "ListSets", "GetRecord", "ListIdentifiers", "ListRecords")
LIST_VERBS = ("ListSets", "ListIdentifiers", "ListRecords")
ERROR_CODES = (
    "badArgument", "badResumptionToken", "badVerb", "cannotDisseminateFormat",
    "idDoesNotExist", "noRecordsMatch", "noMetadataFormats", "noSetHierarchy",
)

# §4.1-§4.6: each verb's arguments (required, optional, exclusive) and error conditions.
# badVerb is not listed: it answers a request that names no verb the table knows.
_SELECTIVE = frozenset({"from", "until", "set"})
REQUIRED: Mapping[str, frozenset[str]] = MappingProxyType({
    "Identify": frozenset(), "ListMetadataFormats": frozenset(), "ListSets": frozenset(),
    "GetRecord": frozenset({"identifier", "metadataPrefix"}),
    "ListIdentifiers": frozenset({"metadataPrefix"}), "ListRecords": frozenset({"metadataPrefix"}),
})
OPTIONAL: Mapping[str, frozenset[str]] = MappingProxyType({
    "Identify": frozenset(), "ListMetadataFormats": frozenset({"identifier"}), "ListSets": frozenset(),
    "GetRecord": frozenset(), "ListIdentifiers": _SELECTIVE, "ListRecords": _SELECTIVE,
})
EXCLUSIVE: Mapping[str, frozenset[str]] = MappingProxyType({
    verb: frozenset({"resumptionToken"}) if verb in LIST_VERBS else frozenset() for verb in VERBS
})
_LIST_ERRORS = frozenset({"badArgument", "badResumptionToken", "cannotDisseminateFormat",
                          "noRecordsMatch", "noSetHierarchy"})
ERRORS_BY_VERB: Mapping[str, frozenset[str]] = MappingProxyType({
    "Identify": frozenset({"badArgument"}),
    "ListMetadataFormats": frozenset({"badArgument", "idDoesNotExist", "noMetadataFormats"}),
    "ListSets": frozenset({"badArgument", "badResumptionToken", "noSetHierarchy"}),
    "GetRecord": frozenset({"badArgument", "cannotDisseminateFormat", "idDoesNotExist"}),
    "ListIdentifiers": _LIST_ERRORS,
    "ListRecords": _LIST_ERRORS,
})


@dataclass(frozen=True, slots=True)
class RequestEcho:
    """The ``<request>`` element: the base URL and the arguments the repository says it got."""

    base_url: str
    arguments: tuple[tuple[str, str], ...] = ()

    def get(self, name: str) -> str | None:
        return next((v for k, v in self.arguments if k == name), None)


@dataclass(frozen=True, slots=True)
class Envelope:
    response_date: str
    request: RequestEcho


@dataclass(frozen=True, slots=True)
class ResumptionToken:
    value: str
    complete_list_size: int | None = None
    cursor: int | None = None
    expiration_date: str | None = None

    @property
    def empty(self) -> bool:
        """True on the page that completes the list (§3.5: an empty resumptionToken)."""
        return self.value == ""


@dataclass(frozen=True, slots=True)
class Header:
    identifier: str
    datestamp: str
    set_specs: tuple[str, ...] = ()
    deleted: bool = False
    line: int = 0  # where the header starts in the page


@dataclass(frozen=True, slots=True)
class Record:
    """One record. ``metadata`` is the payload's root element (None for a deleted record);
    it keeps its page's tree alive, so a harvest that keeps records keeps pages."""

    header: Header
    metadata: etree._Element | None = field(default=None, compare=False)
    line: int = 0


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str


@dataclass(frozen=True, slots=True)
class OaiSet:
    spec: str
    name: str


@dataclass(frozen=True, slots=True)
class OaiError:
    code: str
    message: str = ""


@dataclass(frozen=True, slots=True)
class Identify:
    repository_name: str
    base_url: str
    protocol_version: str
    admin_emails: tuple[str, ...]
    earliest_datestamp: str
    deleted_record: str
    granularity: str
    compression: tuple[str, ...] = ()
    descriptions: tuple[str, ...] = ()  # the Clark names of the description payloads


@dataclass(frozen=True, slots=True)
class IdentifyResponse:
    envelope: Envelope
    identify: Identify
    verb: str = "Identify"


@dataclass(frozen=True, slots=True)
class ListMetadataFormatsResponse:
    envelope: Envelope
    formats: tuple[MetadataFormat, ...]
    verb: str = "ListMetadataFormats"


@dataclass(frozen=True, slots=True)
class ListSetsResponse:
    envelope: Envelope
    sets: tuple[OaiSet, ...]
    token: ResumptionToken | None = None
    verb: str = "ListSets"


@dataclass(frozen=True, slots=True)
class ListIdentifiersResponse:
    envelope: Envelope
    headers: tuple[Header, ...]
    token: ResumptionToken | None = None
    verb: str = "ListIdentifiers"


@dataclass(frozen=True, slots=True)
class ListRecordsResponse:
    envelope: Envelope
    records: tuple[Record, ...]
    token: ResumptionToken | None = None
    verb: str = "ListRecords"


@dataclass(frozen=True, slots=True)
class GetRecordResponse:
    envelope: Envelope
    record: Record
    verb: str = "GetRecord"


@dataclass(frozen=True, slots=True)
class ErrorResponse:
    envelope: Envelope
    errors: tuple[OaiError, ...]
    verb: str = ""  # the verb asked, when the echo or the context tells

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.errors)


OaiResponse = (IdentifyResponse | ListMetadataFormatsResponse | ListSetsResponse | ListIdentifiersResponse
               | ListRecordsResponse | GetRecordResponse | ErrorResponse)
ListResponse = ListSetsResponse | ListIdentifiersResponse | ListRecordsResponse


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What the parser made of one response: the typed response (None if there is none to
    read) and every problem found, FAIL or not."""

    response: OaiResponse | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.response is not None and not any(p.severity is Severity.FAIL for p in self.problems)

    def rule_ids(self) -> set[str]:
        return {p.rule.id for p in self.problems}


def list_items(response: ListResponse) -> tuple[OaiSet, ...] | tuple[Header, ...] | tuple[Record, ...]:
    if isinstance(response, ListSetsResponse):
        return response.sets
    if isinstance(response, ListIdentifiersResponse):
        return response.headers
    return response.records


def header_of(item: Header | Record) -> Header:
    return item.header if isinstance(item, Record) else item
