"""OAI-01: the six verbs, their arguments, the error codes, the HTTP embedding and the envelope.

Discover first: Identify, ListMetadataFormats and ListSets decide what is asked. The probe
battery (harness/oaipmh/probes.py) asks every verb with its required and optional arguments,
every illegal argument and every error condition once; each check below judges one property
of those answers and of every other page the run has read, and reads past the faults that
other checks own (harness/oaipmh/ownership.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from harness.findings import cannot_judge
from harness.oaipmh import defects
from harness.oaipmh.client import Page
from harness.oaipmh.fixtures import OaiTarget
from harness.oaipmh.harvested import Harvested
from harness.oaipmh.judging import fail, fail_on, faults, pages_of, seen_pages
from harness.oaipmh.model import (
    OAI_DC_NS,
    OAI_DC_SCHEMA_URL,
    ErrorResponse,
    ListIdentifiersResponse,
)
from harness.oaipmh.ownership import Check, blocking_owner
from harness.oaipmh.probes import Answer, untestable
from harness.oaipmh.rules import SPEC

ERRORS_CLAUSE = f"{SPEC} §3.6 Error and Exception Conditions"
IDENTIFY_CLAUSE = f"{SPEC} §4.2 Identify"
POST_CLAUSE = f"{SPEC} §3.1.1 HTTP Request Format (both GET and POST are supported)"
DC_CLAUSE = f"{SPEC} §3.4 metadataPrefix and Metadata Schema (oai_dc is mandatory); §4.4 ListMetadataFormats"


def _judged(answers: Sequence[Answer], check: Check) -> tuple[list[Answer], list[tuple[Answer, Check]]]:
    """(answers this check judges, those it cannot judge with the check that reports why):
    an answer that cannot be read, or a probe whose twin shows the argument does not work."""
    judged, passed = [], []
    for answer in (a for a in answers if a.probe.judge is check and a.answered):
        twin = untestable(answer, list(answers))
        if answer.page.response is None:
            passed.append((answer, blocking_owner(answer.page.problems) or Check.SCHEMA))
        elif twin is not None:
            passed.append((answer, twin.probe.judge))
        else:
            judged.append(answer)
    return judged, passed


def _describe(answer: Answer) -> str:
    arguments = "&".join(f"{k}={v}" for k, v in answer.probe.arguments) or "(no arguments)"
    got = "/".join(answer.codes) if answer.codes else (answer.page.response.verb if answer.page.response else "nothing readable")
    want = "/".join(sorted(answer.probe.expect)) if answer.probe.expect else "the verb's response"
    return f"{answer.probe.name}: {arguments} -> {got} (expected {want})"


def _judge_answers(answers: Sequence[Answer], check: Check, what: str, expected: str) -> None:
    readable, unreadable = _judged(answers, check)
    wrong = [a for a in readable if not a.right]
    if wrong:
        fail(f"{len(wrong)} of {len(readable) + len(unreadable)} {what}", clause="; ".join(sorted({a.probe.why for a in wrong})),
             expected=expected, pages=[a.page for a in wrong], details=[_describe(a) for a in wrong])
    unanswered = [a.failure for a in answers if a.probe.judge is check and a.failure is not None]
    if unanswered:
        raise unanswered[0]  # could not be asked: ERROR
    if unreadable:
        answer, owner = unreadable[0]
        cannot_judge(f"{len(unreadable)} answer(s) cannot be judged ({_describe(answer)})", owner.value)
    if not readable:
        cannot_judge("no probe of this kind could be sent", Check.VERBS.value)


@pytest.mark.requirement("OAI-01")
@pytest.mark.failed_by(defects.IDENTIFY_BASE_URL)
def test_identify_describes_the_repository(oai_target: OaiTarget) -> None:
    """Identify gives protocol version 2.0 and the base URL the repository is harvested at

    nb: Identify oppgir protokollversjon 2.0 og basis-URL-en repositoriet høstes fra
    """
    found = oai_target.found
    identity = found.require_identify()
    problems = [p for p in found.identify.problems if p.rule.id == "identify-base-url"]
    lines = [str(p) for p in problems]
    if identity.protocol_version != "2.0":
        lines.append(f"protocolVersion is {identity.protocol_version!r}")
    if lines:
        fail("Identify does not describe the repository harvested", clause=IDENTIFY_CLAUSE, pages=[found.identify],
             expected=f"protocolVersion 2.0 and baseURL {oai_target.settings.url}", details=lines, problems=problems)


@pytest.mark.requirement("OAI-01")
@pytest.mark.failed_by(defects.FORMATS_IDENTIFIER_REFUSED)
def test_every_verb_answers(answers: list[Answer]) -> None:
    """Every verb answers with its response, with its required and its optional arguments

    nb: Alle verb svarer med sitt svar, med påkrevde og valgfrie argumenter
    """
    _judge_answers(answers, Check.VERBS, "verb requests were not answered with the verb's response",
                   "Identify, ListMetadataFormats (with and without identifier), ListSets, GetRecord, "
                   "ListIdentifiers and ListRecords each answered with their own element, without error")
    verbs = [(a, p) for a in answers for p in a.page.problems if p.rule.id == "unexpected-verb"]
    if verbs:
        fail(f"{len(verbs)} responses are for another verb", clause=verbs[0][1].rule.clause, pages=[a.page for a, _ in verbs],
             expected="the response element of the verb asked", problems=[p for _, p in verbs])


@pytest.mark.requirement("OAI-01")
@pytest.mark.failed_by(defects.IMPOSSIBLE_DATE_ACCEPTED)
def test_bad_arguments_are_refused(answers: list[Answer]) -> None:
    """Missing, illegal, repeated and malformed arguments are answered badArgument

    nb: Manglende, ulovlige, gjentatte og feilformede argumenter besvares med badArgument
    """
    _judge_answers(answers, Check.BAD_ARGUMENTS, "requests with bad arguments were not answered badArgument",
                   "badArgument for a missing or illegal argument, a repeated one, an impossible date "
                   "(2024-13-45), mixed granularities, and a resumptionToken with other arguments")


@pytest.mark.requirement("OAI-01")
@pytest.mark.failed_by(defects.UNKNOWN_PREFIX_BAD_ARGUMENT)
def test_error_codes_where_they_apply(answers: list[Answer], oai_target: OaiTarget, catalogue: Harvested) -> None:
    """badVerb, cannotDisseminateFormat, idDoesNotExist, noRecordsMatch and noSetHierarchy where they apply

    nb: badVerb, cannotDisseminateFormat, idDoesNotExist, noRecordsMatch og noSetHierarchy der de gjelder
    """
    _judge_answers(answers, Check.ERROR_CODES, "error conditions were not answered with their error code",
                   "the error code §3.6 names for each condition")
    seen = seen_pages(oai_target.found, [catalogue], answers)
    fail_on(faults(seen, Check.ERROR_CODES, oai_target.found.marc_prefix), len(seen),
            "carry an error code their verb cannot return", "only the error codes §4 lists for each verb")


@pytest.mark.requirement("OAI-01")
@pytest.mark.failed_by(defects.IDENTIFY_OUT_OF_ORDER)
def test_responses_are_schema_valid(answers: list[Answer], oai_target: OaiTarget, catalogue: Harvested) -> None:
    """Every response is well-formed UTF-8 XML, valid against the OAI-PMH 2.0 schema

    nb: Alle svar er velformet UTF-8-XML, gyldig mot OAI-PMH 2.0-skjemaet
    """
    seen = seen_pages(oai_target.found, [catalogue], answers)
    fail_on(faults(seen, Check.SCHEMA, oai_target.found.marc_prefix), len(seen),
            "are not well-formed or not valid against OAI-PMH.xsd",
            "an XML declaration (1.0, UTF-8), root OAI-PMH with its schemaLocation, valid against OAI-PMH.xsd")


@pytest.mark.requirement("OAI-01")
@pytest.mark.failed_by(defects.ERROR_HTTP_STATUS)
def test_http_status_is_200(answers: list[Answer], oai_target: OaiTarget, catalogue: Harvested) -> None:
    """Every OAI-PMH response, errors included, comes with HTTP status 200

    nb: Alle OAI-PMH-svar, også feil, kommer med HTTP-status 200
    """
    seen = seen_pages(oai_target.found, [catalogue], answers)
    fail_on(faults(seen, Check.HTTP_STATUS, oai_target.found.marc_prefix), len(seen),
            "come with another HTTP status than 200", "HTTP 200 for every response, the OAI-PMH errors included")


@pytest.mark.requirement("OAI-01")
@pytest.mark.failed_by(defects.CONTENT_TYPE_XML)
def test_content_type_is_text_xml(answers: list[Answer], oai_target: OaiTarget, catalogue: Harvested) -> None:
    """Every response is sent as Content-Type text/xml

    nb: Alle svar sendes som Content-Type text/xml
    """
    seen = seen_pages(oai_target.found, [catalogue], answers)
    fail_on(faults(seen, Check.CONTENT_TYPE, oai_target.found.marc_prefix), len(seen),
            "are not sent as text/xml", "Content-Type: text/xml (a charset parameter is allowed)")


@pytest.mark.requirement("OAI-01")
@pytest.mark.failed_by(defects.ECHO_REWRITES_DATES, defects.ECHO_ON_BAD_ARGUMENT)
def test_request_is_echoed(answers: list[Answer], oai_target: OaiTarget, catalogue: Harvested) -> None:
    """The request element echoes the base URL and exactly the arguments sent (none after badVerb or badArgument)

    nb: request-elementet gjengir basis-URL-en og nøyaktig argumentene som ble sendt (ingen etter badVerb og badArgument)
    """
    seen = seen_pages(oai_target.found, [catalogue], answers)
    fail_on(faults(seen, Check.ECHO, oai_target.found.marc_prefix), len(seen), "do not echo the request as sent",
            "<request> with the base URL and, unless badVerb or badArgument, each argument exactly as sent")


@pytest.mark.requirement("OAI-01")
@pytest.mark.failed_by(defects.RESPONSE_DATE_LOCAL)
def test_response_date_is_utc(answers: list[Answer], oai_target: OaiTarget, catalogue: Harvested) -> None:
    """responseDate is UTC at seconds granularity (YYYY-MM-DDThh:mm:ssZ)

    nb: responseDate er UTC med sekundoppløsning (YYYY-MM-DDThh:mm:ssZ)
    """
    seen = seen_pages(oai_target.found, [catalogue], answers)
    fail_on(faults(seen, Check.RESPONSE_DATE, oai_target.found.marc_prefix), len(seen),
            "have a responseDate that is not UTC at seconds granularity", "responseDate as YYYY-MM-DDThh:mm:ssZ")


@pytest.mark.requirement("OAI-01")
@pytest.mark.failed_by(defects.POST_IGNORED)
def test_post_works_like_get(oai_target: OaiTarget) -> None:
    """POST (a form-encoded body) is answered as GET is

    nb: POST (skjemakodet innhold) besvares som GET
    """
    prefix = oai_target.found.require_catalogue_prefix(Check.POST)
    get = oai_target.client_with(method="GET")
    post = oai_target.client_with(method="POST")
    try:
        requests = [(("verb", "Identify"),), (("verb", "ListIdentifiers"), ("metadataPrefix", prefix))]
        pairs = [(get.request(arguments), post.request(arguments)) for arguments in requests]
    finally:
        get.http.close()
        post.http.close()
    wrong = []
    for by_get, by_post in pairs:
        if by_get.response is None or isinstance(by_get.response, ErrorResponse):
            continue  # GET's own answer is another check's to judge
        if by_post.response is None or type(by_post.response) is not type(by_get.response) or _items(by_post) != _items(by_get):
            wrong.append((by_get, by_post))
    if wrong:
        fail(f"{len(wrong)} of {len(pairs)} requests answered differently over POST", clause=POST_CLAUSE,
             expected="the same response over POST (application/x-www-form-urlencoded) as over GET",
             pages=[p for pair in wrong for p in pair],
             details=[f"{dict(g.arguments)['verb']}: GET gave {_summary(g)}, POST gave {_summary(p)}" for g, p in wrong])


def _items(page: Page) -> list[str]:
    response = page.response
    return [h.identifier for h in response.headers] if isinstance(response, ListIdentifiersResponse) else []


def _summary(page: Page) -> str:
    response = page.response
    if response is None:
        return f"HTTP {page.status}, nothing readable"
    if isinstance(response, ErrorResponse):
        return "/".join(response.codes)
    return f"{response.verb} ({len(_items(page))} identifiers)" if _items(page) else response.verb


@pytest.mark.requirement("OAI-01")
@pytest.mark.failed_by(defects.DC_SCHEMA_LOCATION)
def test_oai_dc_is_offered_and_valid(oai_target: OaiTarget, dc_catalogue: Harvested) -> None:
    """oai_dc is offered with its namespace and schema, and every oai_dc record is valid Dublin Core

    nb: oai_dc tilbys med navnerom og skjema, og alle oai_dc-poster er gyldig Dublin Core
    """
    found = oai_target.found
    formats = found.require_formats()
    declared = next((f for f in formats if f.prefix == "oai_dc"), None)
    if declared is None or declared.namespace != OAI_DC_NS or declared.schema.replace("https://", "http://", 1) != OAI_DC_SCHEMA_URL:
        fail("oai_dc is not offered as §3.4 defines it", clause=DC_CLAUSE, pages=[found.formats],
             expected=f"metadataPrefix oai_dc, namespace {OAI_DC_NS}, schema {OAI_DC_SCHEMA_URL}",
             details=[f"ListMetadataFormats gives {declared}" if declared else "ListMetadataFormats lists no oai_dc"])
    dc_catalogue.require(Check.OAI_DC)
    seen = pages_of(dc_catalogue)
    fail_on(faults(seen, Check.OAI_DC, found.marc_prefix), len(seen), "carry oai_dc records that are not valid",
            "every live record's payload is oai_dc:dc in its namespace, valid against oai_dc.xsd, with a right schemaLocation")
