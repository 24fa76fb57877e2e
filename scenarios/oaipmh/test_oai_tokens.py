"""OAI-05: flow control. A list comes whole through its resumption tokens, without a record lost
or repeated, and ends with an empty token; a token can be sent again, a forged or expired one
is refused, cursor and completeListSize are right when given, and a record that changes during
a harvest is not skipped (§3.5, §3.5.1, §3.6 badResumptionToken).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from lxml import etree

from harness.findings import WarningRecorder, cannot_judge, not_tested, skip_undeclared
from harness.marc.records import control_number
from harness.oaipmh import defects
from harness.oaipmh.changes import Changes, marc_of, marker, with_note
from harness.oaipmh.client import Page
from harness.oaipmh.dates import parse_utc
from harness.oaipmh.fixtures import OaiTarget
from harness.oaipmh.harvested import Harvested, harvest
from harness.oaipmh.judging import MarcExport, fail, pages_of
from harness.oaipmh.model import (
    ErrorResponse,
    GetRecordResponse,
    ListIdentifiersResponse,
)
from harness.oaipmh.ownership import Check, blocking_owner, mine
from harness.oaipmh.rules import SPEC
from harness.rules import Severity

FLOW_CLAUSE = f"{SPEC} §3.5 Flow Control"
IDEMPOTENT_CLAUSE = f"{SPEC} §3.5.1 Idempotency of resumptionTokens (re-issuing a token gives the same incomplete list)"
BAD_TOKEN_CLAUSE = f"{SPEC} §3.6 badResumptionToken (the token is invalid or expired)"
FORGED_TOKENS = ("libharness-forged-token", "%%libharness%%")
EXPIRY_MARGIN = 1.0  # seconds after expirationDate (whole seconds) before the expired token is sent


def _list_identifiers(oai_target: OaiTarget, check: Check) -> tuple[str, Page]:
    prefix = oai_target.found.require_catalogue_prefix(check)
    return prefix, oai_target.client.request((("verb", "ListIdentifiers"), ("metadataPrefix", prefix)))


def _readable(page: Page) -> None:
    if page.response is None:
        cannot_judge(f"a ListIdentifiers page could not be read (HTTP {page.status})", (blocking_owner(page.problems) or Check.SCHEMA).value)


def _first_token(page: Page) -> str:
    _readable(page)
    response = page.response
    if isinstance(response, ErrorResponse):
        cannot_judge(f"ListIdentifiers answered {'/'.join(response.codes)}", Check.VERBS.value)
    token = response.token if isinstance(response, ListIdentifiersResponse) else None
    if token is None or token.empty:
        not_tested("the list fits one page: there is no resumption token to send")
    return token.value


def _keys(page: Page) -> list[tuple[str, str]]:
    response = page.response
    return [(h.identifier, h.datestamp) for h in response.headers] if isinstance(response, ListIdentifiersResponse) else []


@pytest.mark.requirement("OAI-05")
@pytest.mark.failed_by(defects.PAGE_OVERLAP)
def test_full_harvest_has_no_duplicates(catalogue: Harvested) -> None:
    """A full harvest follows its tokens to the end, with no record twice and no token seen twice

    nb: En full høsting følger nøklene til slutten, uten noen post to ganger og uten at noen nøkkel går igjen
    """
    catalogue.require(Check.NO_DUPLICATES)
    problems = mine(catalogue.problems, Check.NO_DUPLICATES)
    twice = [key for key, n in Counter((h.identifier, h.datestamp) for h in catalogue.headers).items() if n > 1]
    if problems or twice or catalogue.blocker() is Check.NO_DUPLICATES:
        fail(f"the harvest of {len(catalogue.headers)} records " + (f"repeats {len(twice)} of them" if twice else f"did not end well ({catalogue.why()})"),
             clause=FLOW_CLAUSE, exchanges=catalogue.exchanges(), problems=problems,
             details=[f"{i} {d}: listed {n} times" for (i, d), n in Counter((h.identifier, h.datestamp) for h in catalogue.headers).items() if n > 1],
             expected="each record once (a record changed during the harvest may come again with its new datestamp)")


@pytest.mark.requirement("OAI-05")
@pytest.mark.failed_by(defects.NO_EMPTY_FINAL_TOKEN)
def test_last_page_has_an_empty_token(catalogue: Harvested) -> None:
    """The page that completes a resumed list carries an empty resumptionToken

    nb: Siden som fullfører en gjenopptatt liste, har en tom resumptionToken
    """
    catalogue.require(Check.EMPTY_TOKEN)
    if len(catalogue.pages) < 2:
        not_tested("the catalogue fits one page: no resumed list to end")
    problems = mine(catalogue.problems, Check.EMPTY_TOKEN)
    if problems:
        fail(f"the last of {len(catalogue.pages)} pages has no empty <resumptionToken/>", clause=problems[0].rule.clause,
             pages=catalogue.pages[-1:], problems=problems, expected="<resumptionToken/> (empty) on the page that completes the list")


@pytest.mark.requirement("OAI-05")
@pytest.mark.failed_by(defects.TOKEN_SINGLE_USE)
def test_resent_token_gives_the_same_page(oai_target: OaiTarget) -> None:
    """A resumption token sent again gives the same page

    nb: En gjenopptakelsesnøkkel sendt på nytt gir samme side
    """
    _, first = _list_identifiers(oai_target, Check.RESENT_TOKEN)
    token = _first_token(first)
    pages = [oai_target.client.request((("verb", "ListIdentifiers"), ("resumptionToken", token))) for _ in range(2)]
    for page in pages:
        _readable(page)
    if _keys(pages[0]) != _keys(pages[1]) or not _keys(pages[1]):
        got = ["/".join(p.response.codes) if isinstance(p.response, ErrorResponse) else f"{len(_keys(p))} headers" for p in pages]
        fail(f"the same token gave {got[0]}, then {got[1]}", clause=IDEMPOTENT_CLAUSE, pages=pages,
             expected="the same records on both answers, until the token expires")


@pytest.mark.requirement("OAI-05")
@pytest.mark.failed_by(defects.FORGED_TOKEN_ACCEPTED)
def test_forged_token_is_refused(oai_target: OaiTarget) -> None:
    """A resumption token the repository never issued is answered badResumptionToken

    nb: En gjenopptakelsesnøkkel repositoriet aldri har utstedt, besvares med badResumptionToken
    """
    pages = [oai_target.client.request((("verb", "ListIdentifiers"), ("resumptionToken", token))) for token in FORGED_TOKENS]
    for page in pages:
        _readable(page)
    wrong = [p for p in pages if not (isinstance(p.response, ErrorResponse) and set(p.response.codes) == {"badResumptionToken"})]
    if wrong:
        fail(f"{len(wrong)} of {len(pages)} forged tokens were not refused", clause=BAD_TOKEN_CLAUSE, pages=wrong,
             expected="badResumptionToken", details=[f"{dict(p.arguments)['resumptionToken']!r}: answered "
                                                     + ("/".join(p.response.codes) if isinstance(p.response, ErrorResponse) else f"{len(_keys(p))} headers")
                                                     for p in wrong])


@pytest.mark.requirement("OAI-05")
@pytest.mark.failed_by(defects.TOKEN_NEVER_EXPIRES)
def test_expired_token_is_refused(oai_target: OaiTarget, catalogue: Harvested) -> None:
    """A resumption token past its expirationDate is answered badResumptionToken

    nb: En gjenopptakelsesnøkkel som har passert expirationDate, besvares med badResumptionToken
    """
    catalogue.require(Check.EXPIRED_TOKEN)
    issued = [(page, token) for page, token in zip(catalogue.pages, catalogue.tokens, strict=True) if token and token.value]
    if not issued:
        not_tested("the catalogue fits one page: no resumption token was issued")
    dated = [(page, token) for page, token in issued if token.expiration_date and parse_utc(token.expiration_date)]
    if not dated:
        skip_undeclared("the repository's tokens carry no expirationDate")
    page, token = dated[0]
    expiry, answered = parse_utc(token.expiration_date or ""), parse_utc(page.response.envelope.response_date) if page.response else None
    sent = datetime.fromisoformat(page.exchange.at) if page.exchange and page.exchange.at else datetime.now(UTC)
    if expiry is None or answered is None:
        cannot_judge("the token's page has no responseDate in UTC", Check.RESPONSE_DATE.value)
    remaining = (expiry.value - answered.value).total_seconds() - (datetime.now(UTC) - sent).total_seconds()
    if remaining > oai_target.settings.max_token_wait:
        not_tested(f"the token expires at {token.expiration_date}, {remaining:.0f} s from now; "
                   f"the harness waits at most [oai] max_token_wait = {oai_target.settings.max_token_wait:g} s")
    time.sleep(max(remaining, 0.0) + EXPIRY_MARGIN)
    again = oai_target.client.request((("verb", "ListRecords"), ("resumptionToken", token.value)))
    _readable(again)
    if not (isinstance(again.response, ErrorResponse) and set(again.response.codes) == {"badResumptionToken"}):
        got = "/".join(again.response.codes) if isinstance(again.response, ErrorResponse) else "the next page of the list"
        fail(f"a token that expired at {token.expiration_date} was answered with {got}", clause=BAD_TOKEN_CLAUSE,
             pages=[page, again], expected="badResumptionToken once the expirationDate has passed")


@pytest.mark.requirement("OAI-05")
@pytest.mark.failed_by(defects.CURSOR_COUNTS_THIS_PAGE)
def test_cursor_and_complete_list_size(catalogue: Harvested, warn: WarningRecorder) -> None:
    """cursor counts the records sent before each page, and the token's attributes are well-formed, when given

    nb: cursor teller postene sendt før hver side, og nøkkelens attributter er velformede, når de er oppgitt
    """
    catalogue.require(Check.CURSOR)
    tokens = [t for t in catalogue.tokens if t is not None]
    if not any(t.cursor is not None or t.complete_list_size is not None for t in tokens):
        skip_undeclared("the repository's tokens carry neither cursor nor completeListSize")
    problems = mine(catalogue.problems, Check.CURSOR) + [p for s in pages_of(catalogue) for p in mine(s.page.problems, Check.CURSOR)]
    if problems:
        fail(f"{len(problems)} resumption tokens have a wrong cursor or attribute", clause=problems[0].rule.clause,
             exchanges=catalogue.exchanges(), problems=problems,
             expected="cursor = the number of records sent before the page; expirationDate a UTC datetime")
    for seen in pages_of(catalogue):
        for one in mine(seen.page.problems, Check.CURSOR, severity=Severity.WARN):
            warn(str(one), clause=one.rule.clause, problems=[one])


@pytest.mark.requirement("OAI-05")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.OFFSET_TOKEN)
def test_no_record_skipped_under_concurrent_change(oai_target: OaiTarget, marc_export: MarcExport, changes: Changes) -> None:
    """A record changed during a harvest does not make the harvest skip another record

    nb: En post som endres under en høsting, får ikke høstingen til å hoppe over en annen post
    """
    prefix = oai_target.found.require_catalogue_prefix(Check.CONCURRENT_CHANGE)
    whole = harvest(oai_target.client, (("verb", "ListIdentifiers"), ("metadataPrefix", prefix))).require(Check.CONCURRENT_CHANGE)
    _, first = _list_identifiers(oai_target, Check.CONCURRENT_CHANGE)
    token = _first_token(first)
    early = [h for h in first.response.headers if not h.deleted][:-1] if isinstance(first.response, ListIdentifiersResponse) else []
    record = None
    for header in early:  # a record of the first page, changed: it moves behind the token's position
        got = oai_target.client.request((("verb", "GetRecord"), ("identifier", header.identifier), ("metadataPrefix", prefix)))
        payload = got.response.record.metadata if isinstance(got.response, GetRecordResponse) else None
        record = marc_of(etree.tostring(payload)) if payload is not None else None
        if record is not None and control_number(record):
            break
    if record is None or not early:
        not_tested("no record of the first page could be read as MARC to change it")
    original = marc_export.records.get(control_number(record) or "", record)
    changes.after(header.datestamp)
    changes.change(original, with_note(original, marker("moved")))
    rest = harvest(oai_target.client, (("verb", "ListIdentifiers"), ("resumptionToken", token))).require(Check.CONCURRENT_CHANGE)
    seen = {key[0] for key in _keys(first)} | {h.identifier for h in rest.headers}
    skipped = sorted({h.identifier for h in whole.headers} - seen)
    if skipped:
        fail(f"{len(skipped)} record(s) skipped after {header.identifier} changed during the harvest", clause=FLOW_CLAUSE,
             pages=[first, *rest.pages[:1]], details=[f"{i}: in the list before the change, missing from the harvest" for i in skipped],
             expected="every record of the list: a changed record may move behind the token, never push another past it")
