"""Which check owns each rule of the parser and the harvester: a fault is reported once.

Every page the suite reads is parsed in full, so a page carries the problems of every rule it
breaks; each check reports only the problems of the rules it owns and reads past the rest
(the owner reports them). A page that cannot be read at all (no response) cannot be judged by
anyone but the owner of the problem that made it unreadable: :func:`blocking_owner` names it
for the others' cannot-judge note.

Payload rules depend on the format: a broken oai_dc payload is the oai_dc check's, a broken
MARCXML payload the marc21 check's.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from harness.rules import Problem, Severity


class Check(enum.Enum):
    """The OAI-PMH suite's checks (scenarios/oaipmh/), by function name."""

    IDENTIFY = "test_identify_describes_the_repository"
    VERBS = "test_every_verb_answers"
    BAD_ARGUMENTS = "test_bad_arguments_are_refused"
    ERROR_CODES = "test_error_codes_where_they_apply"
    SCHEMA = "test_responses_are_schema_valid"
    HTTP_STATUS = "test_http_status_is_200"
    CONTENT_TYPE = "test_content_type_is_text_xml"
    ECHO = "test_request_is_echoed"
    RESPONSE_DATE = "test_response_date_is_utc"
    ILLEGAL_CHARACTERS = "test_xml_illegal_characters_never_reach_the_wire"
    POST = "test_post_works_like_get"
    OAI_DC = "test_oai_dc_is_offered_and_valid"
    COMMON_HARVESTER = "test_common_harvester_reads_the_same_list"
    MARC21 = "test_marc21_is_offered_and_valid"
    EQUALS_EXPORT = "test_marc21_records_equal_the_marc_export"
    HOLDINGS = "test_harvested_holdings_name_every_owning_library"
    PRIVACY = "test_harvested_records_carry_no_patron_data"
    LETTERS = "test_letters_survive_the_harvest_byte_exact"
    DATESTAMPS = "test_datestamps_follow_identify"
    INCLUSIVE = "test_from_and_until_are_inclusive"
    DAY_GRANULARITY = "test_day_granularity_is_accepted"
    DELETED = "test_deleted_records_follow_the_declared_policy"
    INCREMENTAL = "test_marc_import_moves_the_record_into_the_next_harvest"
    SET_DISCOVERY = "test_sets_per_library_and_kind"
    SET_MEMBERS = "test_set_harvest_gives_the_set_members"
    SET_HIERARCHY = "test_parent_set_holds_its_children"
    NO_DUPLICATES = "test_full_harvest_has_no_duplicates"
    EMPTY_TOKEN = "test_last_page_has_an_empty_token"
    RESENT_TOKEN = "test_resent_token_gives_the_same_page"
    FORGED_TOKEN = "test_forged_token_is_refused"
    EXPIRED_TOKEN = "test_expired_token_is_refused"
    CURSOR = "test_cursor_and_complete_list_size"
    CONCURRENT_CHANGE = "test_no_record_skipped_under_concurrent_change"


# rule id (harness/oaipmh/rules.py) -> the check that reports it
RULE_OWNERS: Mapping[str, Check] = MappingProxyType({
    "http-status": Check.HTTP_STATUS,
    "content-type": Check.CONTENT_TYPE,
    "retry-after-missing": Check.HTTP_STATUS,
    "empty-body": Check.SCHEMA,
    "not-well-formed": Check.SCHEMA,
    "illegal-character": Check.ILLEGAL_CHARACTERS,
    "entity-declaration": Check.SCHEMA,
    "xml-declaration": Check.SCHEMA,
    "root-element": Check.SCHEMA,
    "schema-location": Check.SCHEMA,
    "schema-invalid": Check.SCHEMA,
    "response-date": Check.RESPONSE_DATE,
    "request-base-url": Check.ECHO,
    "request-echo": Check.ECHO,
    "request-echo-on-error": Check.ECHO,
    "identify-base-url": Check.IDENTIFY,
    "unexpected-verb": Check.VERBS,
    "error-not-for-verb": Check.ERROR_CODES,
    "error-expected": Check.ERROR_CODES,
    "datestamp-syntax": Check.DATESTAMPS,
    "datestamp-granularity": Check.DATESTAMPS,
    "before-earliest": Check.DATESTAMPS,
    "outside-range": Check.INCLUSIVE,
    "deleted-with-metadata": Check.DELETED,
    "deleted-not-declared": Check.DELETED,
    "set-not-in-header": Check.SET_MEMBERS,
    "token-expiration-date": Check.CURSOR,
    "token-cursor": Check.CURSOR,
    "token-list-size": Check.CURSOR,
    "token-whitespace": Check.CURSOR,
    "token-on-last-page": Check.EMPTY_TOKEN,
    "token-loop": Check.NO_DUPLICATES,
    "list-incomplete": Check.NO_DUPLICATES,
})
_REQUEST_ELEMENT = "{http://www.openarchives.org/OAI/2.0/}request'"
PAYLOAD_RULES = frozenset({"metadata-missing", "payload-schema-invalid", "payload-schema-location", "payload-namespace",
                           "payload-unchecked"})


def owner_of(problem: Problem, prefix: str | None = None, marc_prefix: str | None = None) -> Check | None:
    """The check that reports ``problem``, seen on a page of format ``prefix`` (None: no format)."""
    rule = problem.rule.id
    if rule == "schema-invalid" and _REQUEST_ELEMENT in problem.message:
        return Check.ECHO  # an echoed argument the schema refuses (from="2024-13-45"): the echo's fault
    if rule in PAYLOAD_RULES:
        if prefix is not None and prefix == marc_prefix:
            return Check.MARC21
        return Check.OAI_DC if prefix == "oai_dc" else None
    return RULE_OWNERS.get(rule)


def mine(problems: Iterable[Problem], check: Check, prefix: str | None = None, marc_prefix: str | None = None,
         severity: Severity = Severity.FAIL) -> list[Problem]:
    """The problems of ``severity`` that ``check`` reports."""
    return [p for p in problems if p.severity is severity and owner_of(p, prefix, marc_prefix) is check]


def blocking_owner(problems: Iterable[Problem]) -> Check | None:
    """For a page with no response: the owner of the first FAIL that explains it."""
    for problem in problems:
        if problem.severity is Severity.FAIL and problem.rule.id not in ("http-status", "content-type"):
            return owner_of(problem)
    for problem in problems:
        if problem.severity is Severity.FAIL:
            return owner_of(problem)
    return None
