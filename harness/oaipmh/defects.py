"""The OAI-PMH sandbox's defect catalogue: deviations real providers have shown.

Most are the provider's own switches (:class:`~harness.oaipmh.deviations.Deviation`, applied in
:func:`~harness.oaipmh.provider.respond` at one place each); the rest change what the
repository adapter serves (payloads, sets, datestamps: ``harness/oaipmh/sandbox/repository.py``)
or how the HTTP glue reads a request (``harness/oaipmh/sandbox/service.py``), each at one
place marked ``DEFECT``. Every check names the defects that must make it FAIL with
``@pytest.mark.failed_by(...)``; ``seen_in`` says where the deviation was reported.
"""

from __future__ import annotations

from harness.defects import Defect
from harness.oaipmh.deviations import Deviation as V


def _oai(name: str, description: str, seen_in: str = "") -> Defect:
    return Defect("oaipmh", name, description, seen_in)


# -- the HTTP embedding, the envelope, verbs and errors (OAI-01) ---------------------------------
CONTENT_TYPE_XML = _oai(V.CONTENT_TYPE_XML, "every response is sent as Content-Type application/xml, not text/xml",
                        "Dancer::Plugin::Catmandu::OAI 0.0508 (Debian libdancer-plugin-catmandu-oai-perl)")
ERROR_HTTP_STATUS = _oai(V.ERROR_HTTP_STATUS, "OAI-PMH errors travel with HTTP 400, 404 or 422 instead of 200",
                         "FOLIO mod-oai-pmh, setting 'OAI-PMH errors processing: associate with HTTP error statuses'")
ECHO_REWRITES_DATES = _oai(V.ECHO_REWRITES_DATES, "from/until are echoed in <request> rewritten to seconds granularity",
                           "PyPI oaipmh 4.0.0 (maintained fork of infrae/pyoai)")
ECHO_ON_BAD_ARGUMENT = _oai(V.ECHO_ON_BAD_ARGUMENT, "a badArgument response echoes the request's arguments in <request>",
                            "Dancer::Plugin::Catmandu::OAI 0.0508")
RESPONSE_DATE_LOCAL = _oai(V.RESPONSE_DATE_LOCAL, "responseDate is written in local time with an offset (+02:00), not UTC")
IDENTIFY_BASE_URL = _oai(V.IDENTIFY_BASE_URL, "Identify's baseURL is a configured placeholder, not the URL harvested",
                         "FOLIO mod-oai-pmh: baseURL is a separate setting (folio-org/docs Settings_oaipmh.md)")
IDENTIFY_OUT_OF_ORDER = _oai(V.IDENTIFY_OUT_OF_ORDER, "Identify writes deletedRecord before earliestDatestamp (schema-invalid)")
FORMATS_IDENTIFIER_REFUSED = _oai(V.FORMATS_IDENTIFIER_REFUSED,
                                  "ListMetadataFormats with its optional identifier argument answers badArgument")
IMPOSSIBLE_DATE_ACCEPTED = _oai(V.IMPOSSIBLE_DATE_ACCEPTED,
                                "from=2024-13-45 is checked by shape only and answered noRecordsMatch, not badArgument",
                                "Dancer::Plugin::Catmandu::OAI 0.0508")
UNKNOWN_PREFIX_BAD_ARGUMENT = _oai(V.UNKNOWN_PREFIX_BAD_ARGUMENT,
                                   "an unknown metadataPrefix is answered badArgument, not cannotDisseminateFormat")
DC_SCHEMA_LOCATION = _oai(V.DC_SCHEMA_LOCATION,
                          "oai_dc payloads pair oai_dc.xsd with the DC elements namespace in xsi:schemaLocation",
                          "PyPI oaipmh 4.0.0 oai_dc writer")
RAW_CONTROL_CHARACTERS = _oai("oai-raw-control-characters",
                              "C0 control characters in catalogue data are written raw into MARCXML: the page is not XML")
POST_IGNORED = _oai("oai-post-ignored", "a POST request's form body is not read: every POST is answered badVerb")
BLOCKS_COMMON_HARVESTERS = _oai(
    "oai-blocks-python-requests",
    "a firewall in front of the repository answers 403 with an HTML page to python-requests' User-Agent, "
    "which sickle and most Python harvesters send")

# -- MARC 21 payloads: the format, the export, holdings, privacy, letters (OAI-02, KAT-01, SEC-01, SPR-01)
MARC_HASH_INDICATORS = _oai("oai-marc-hash-indicators",
                            "marc21 payloads write blank indicators as '#', which MARC21slim.xsd does not allow")
MARC_FIELDS_SORTED = _oai("oai-marc-fields-sorted",
                          "marc21 payloads sort fields by tag, so they differ from the MARC export's catalogued order")
HOLDINGS_WITHOUT_LIBRARY = _oai("oai-holdings-without-library", "marc21 payloads drop 852 $a, the owning library")
FIRST_HOLDING_ONLY = _oai("oai-first-holding-only", "marc21 payloads keep only the first library's holding of a shared record")
BORROWER_IN_HOLDINGS = _oai("oai-borrower-in-holdings", "marc21 holdings carry the current borrower's name in 852 $z")
NFD_PAYLOADS = _oai("oai-nfd-payloads", "payloads are decomposed to Unicode NFD (á becomes a + U+0301)")

# -- datestamps, selective harvesting, deleted records (OAI-03) --------------------------------
DAY_DATESTAMPS = _oai(V.DAY_DATESTAMPS, "header datestamps are written as days while Identify declares seconds")
EARLIEST_TOO_LATE = _oai(V.EARLIEST_TOO_LATE,
                         "earliestDatestamp is local time written as UTC (two hours late), so records come before it",
                         "pkp/pkp-lib#2693 (records before earliestDatestamp); Koha bug 15108 (OAI dates in local time)")
EXCLUSIVE_RANGE = _oai(V.EXCLUSIVE_RANGE, "from and until are treated as exclusive", "PyPI oai-repo 0.5.2 (until=D misses day D)")
REFUSE_DAY_GRANULARITY = _oai(V.REFUSE_DAY_GRANULARITY, "from/until in day granularity are answered badArgument")
FORGET_DELETED = _oai(V.FORGET_DELETED, "deleted records vanish from lists and GetRecord although deletedRecord=persistent",
                      "zenodo/zenodo#2447, inveniosoftware/invenio#778")
DELETED_NOT_IN_SETS = _oai("oai-deleted-not-in-sets", "a deleted record loses its sets, so set harvests never see the deletion",
                           "rero/sonar#349; Evergreen OAI docs (omit the setSpec to harvest deletions)")
CHANGE_NOT_STAMPED = _oai("oai-change-not-stamped",
                          "a record changed through the MARC import keeps its first datestamp: incremental harvests miss it",
                          "Koha bug 15108 (item changes did not move the record's datestamp)")

# -- sets (OAI-04) -------------------------------------------------------------------------------
NO_KIND_SETS = _oai("oai-no-kind-sets", "ListSets offers sets per library but none per library kind")
SET_FIRST_LIBRARY_ONLY = _oai("oai-set-first-library-only",
                              "a record is in the set of the first library holding it only, not of every library")
SET_HIERARCHY_IGNORED = _oai("oai-set-hierarchy-ignored", "a parent set (library) holds no records: membership is not inherited")

# -- flow control (OAI-05) -------------------------------------------------------------------------
NO_EMPTY_FINAL_TOKEN = _oai(V.NO_EMPTY_FINAL_TOKEN, "the page completing a resumed list has no empty <resumptionToken/>",
                            "PyPI oaipmh 4.0.0; coneda/kor#110")
PAGE_OVERLAP = _oai(V.PAGE_OVERLAP, "each page repeats the last record of the page before it")
TOKEN_SINGLE_USE = _oai(V.TOKEN_SINGLE_USE, "a resumption token works once: re-sending it gives badResumptionToken",
                        "coneda/kor#110 (tokens deleted on use)")
FORGED_TOKEN_ACCEPTED = _oai(V.FORGED_TOKEN_ACCEPTED, "a token the repository never issued is answered noRecordsMatch",
                             "Koha bug 21107 (resumptionToken=junk gave no badResumptionToken)")
TOKEN_NEVER_EXPIRES = _oai(V.TOKEN_NEVER_EXPIRES, "a token past its expirationDate is still accepted")
CURSOR_COUNTS_THIS_PAGE = _oai(V.CURSOR_COUNTS_THIS_PAGE, "cursor counts the items of its own page too")
OFFSET_TOKEN = _oai(V.OFFSET_TOKEN, "the token holds an offset, so a record changed mid-harvest makes the next page skip one",
                    "Koha tokens $prefix/$cursor/... (Koha bug 21107)")

CATALOGUE: tuple[Defect, ...] = (
    CONTENT_TYPE_XML, ERROR_HTTP_STATUS, ECHO_REWRITES_DATES, ECHO_ON_BAD_ARGUMENT, RESPONSE_DATE_LOCAL,
    IDENTIFY_BASE_URL, IDENTIFY_OUT_OF_ORDER, FORMATS_IDENTIFIER_REFUSED, IMPOSSIBLE_DATE_ACCEPTED,
    UNKNOWN_PREFIX_BAD_ARGUMENT, DC_SCHEMA_LOCATION, RAW_CONTROL_CHARACTERS, POST_IGNORED, BLOCKS_COMMON_HARVESTERS,
    MARC_HASH_INDICATORS, MARC_FIELDS_SORTED, HOLDINGS_WITHOUT_LIBRARY, FIRST_HOLDING_ONLY, BORROWER_IN_HOLDINGS,
    NFD_PAYLOADS, DAY_DATESTAMPS, EARLIEST_TOO_LATE, EXCLUSIVE_RANGE, REFUSE_DAY_GRANULARITY, FORGET_DELETED,
    DELETED_NOT_IN_SETS, CHANGE_NOT_STAMPED, NO_KIND_SETS, SET_FIRST_LIBRARY_ONLY, SET_HIERARCHY_IGNORED,
    NO_EMPTY_FINAL_TOKEN, PAGE_OVERLAP, TOKEN_SINGLE_USE, FORGED_TOKEN_ACCEPTED, TOKEN_NEVER_EXPIRES,
    CURSOR_COUNTS_THIS_PAGE, OFFSET_TOKEN,
)


def provider_switches(active: frozenset[Defect]) -> frozenset[str]:
    """The names of the active defects that :func:`~harness.oaipmh.provider.respond` applies."""
    names = {value for key, value in vars(V).items() if key.isupper()}
    return frozenset(d.name for d in active if d.name in names)
