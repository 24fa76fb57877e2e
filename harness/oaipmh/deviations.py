"""The provider's deviation switches: named departures from OAI-PMH 2.0 that real providers show.

:func:`harness.oaipmh.provider.respond` takes a set of these names; with none, every response
is what the specification asks. The sandbox's defect catalogue (:mod:`harness.oaipmh.defects`)
gives each a :class:`~harness.defects.Defect` of the same name, with where it was seen; the
deviations of the repository adapter and the HTTP glue (payload content, sets, POST, the
User-Agent) are named there only, because the provider never sees them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType


class Deviation:
    """Names of the deviations ``respond`` can switch on."""

    # -- the HTTP embedding and the envelope (§3.1, §3.2) ----------------------------------
    CONTENT_TYPE_XML = "oai-content-type-application-xml"  # §3.1.2: application/xml
    ERROR_HTTP_STATUS = "oai-error-http-status"  # §3.1.2.1: errors travel with 400/404/422
    ECHO_REWRITES_DATES = "oai-echo-rewrites-dates"  # §3.2: from/until echoed in another form
    ECHO_ON_BAD_ARGUMENT = "oai-echo-on-bad-argument"  # §3.2: badArgument echoed with attributes
    RESPONSE_DATE_LOCAL = "oai-response-date-local"  # §3.2: responseDate in local time with an offset
    # -- verbs, arguments, errors (§3.6, §4) ------------------------------------------------
    IDENTIFY_BASE_URL = "oai-identify-base-url"  # §4.2: baseURL is a configured placeholder
    IDENTIFY_OUT_OF_ORDER = "oai-identify-out-of-order"  # §3.2.1: Identify's elements out of schema order
    EARLIEST_TOO_LATE = "oai-earliest-too-late"  # §4.2: earliestDatestamp in local time, labelled UTC
    FORMATS_IDENTIFIER_REFUSED = "oai-formats-identifier-refused"  # §4.4: identifier argument refused
    IMPOSSIBLE_DATE_ACCEPTED = "oai-impossible-date-accepted"  # §3.6: from=2024-13-45 is noRecordsMatch
    UNKNOWN_PREFIX_BAD_ARGUMENT = "oai-unknown-prefix-bad-argument"  # §3.6: not cannotDisseminateFormat
    DC_SCHEMA_LOCATION = "oai-dc-schema-location"  # §3.4: oai_dc.xsd paired with the DC elements namespace
    # -- datestamps and selection (§2.7.1, §3.3) ---------------------------------------------
    DAY_DATESTAMPS = "oai-day-datestamps"  # §3.3.2: headers in days while seconds are declared
    EXCLUSIVE_RANGE = "oai-exclusive-range"  # §2.7.1: from/until treated as exclusive
    REFUSE_DAY_GRANULARITY = "oai-refuse-day-granularity"  # §3.3.1: day from/until -> badArgument
    FORGET_DELETED = "oai-forget-deleted"  # §2.5.1: deleted records vanish (persistent declared)
    # -- flow control (§3.5) --------------------------------------------------------------------
    NO_EMPTY_FINAL_TOKEN = "oai-no-empty-final-token"  # the completing page omits <resumptionToken/>
    OFFSET_TOKEN = "oai-offset-token"  # the token holds an offset; a change skips a record
    PAGE_OVERLAP = "oai-page-overlap"  # each page repeats the last item of the page before
    CURSOR_COUNTS_THIS_PAGE = "oai-cursor-counts-this-page"  # cursor includes the items of its own page
    TOKEN_SINGLE_USE = "oai-token-single-use"  # a token works once (§3.5.1: re-issue must work)
    FORGED_TOKEN_ACCEPTED = "oai-forged-token-accepted"  # a token never issued is noRecordsMatch
    TOKEN_NEVER_EXPIRES = "oai-token-never-expires"  # past its expirationDate a token still works


# FOLIO's "Associate with HTTP error statuses" setting: the OAI error travels with an HTTP error.
ERROR_STATUS: Mapping[str, int] = MappingProxyType({
    "badArgument": 400, "badResumptionToken": 400, "badVerb": 400, "cannotDisseminateFormat": 422,
    "idDoesNotExist": 404, "noRecordsMatch": 404, "noMetadataFormats": 404, "noSetHierarchy": 404,
})
LOCAL_OFFSET = timedelta(hours=2)  # Central European Summer Time, where the deviation was seen
PLACEHOLDER_BASE_URL = "http://folio.org/oai"  # the example baseURL of FOLIO's settings page


def local_response_date(now: datetime) -> str:
    """``now`` as local time with an offset: a valid xs:dateTime, not an OAI-PMH UTCdatetime."""
    return (now + LOCAL_OFFSET).strftime("%Y-%m-%dT%H:%M:%S") + "+02:00"
