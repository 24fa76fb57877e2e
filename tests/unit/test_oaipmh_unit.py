"""The OAI-PMH unit's parts that are not the suite: settings, the ownership table, the defect
catalogue against the provider's switches, and the provider deviations the catalogue names."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from harness.cli import collect_checks
from harness.errors import ConfigError
from harness.oaipmh import defects
from harness.oaipmh.deviations import Deviation
from harness.oaipmh.model import (
    ErrorResponse,
    IdentifyResponse,
    ListIdentifiersResponse,
    OaiResponse,
)
from harness.oaipmh.ownership import PAYLOAD_RULES, RULE_OWNERS, Check
from harness.oaipmh.parse import Context, parse_response
from harness.oaipmh.provider import ProviderSettings, respond
from harness.oaipmh.rules import RULES
from harness.oaipmh.settings import parse
from harness.oaipmh.unit import OAI
from harness.pytest_plugin import check_name
from harness.settings import SectionReader

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from oaipmh_loopback import fixture_repository

NOW = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
SETTINGS = ProviderSettings("http://127.0.0.1:9/oai", page_size=100, token_lifetime=timedelta(minutes=5))
FIRST_PAGE = (("verb", "ListIdentifiers"), ("metadataPrefix", "marc21"))


def _settings(**table: object) -> object:
    return parse(SectionReader(Path("vendor.toml"), "[oai]", {"url": "https://oai.example/oai", **table}, sandbox=False,
                               keys=OAI.keys))


def test_settings_defaults_and_bounds() -> None:
    settings = _settings()
    assert settings.method == "GET" and settings.holdings_tag == "852"  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match="method"):
        _settings(method="PUT")
    with pytest.raises(ConfigError, match="max_page_bytes"):
        _settings(max_page_bytes=2**30, max_bytes=2**20)
    with pytest.raises(ConfigError, match="password"):
        _settings(password="secret")
    with pytest.raises(ConfigError, match="holdings_tag"):
        _settings(holdings_tag="85")
    with pytest.raises(ConfigError, match="url"):
        parse(SectionReader(Path("vendor.toml"), "[oai]", {}, sandbox=False, keys=OAI.keys))


def test_every_rule_has_one_owning_check_and_every_owner_is_a_check() -> None:
    assert set(RULES) == set(RULE_OWNERS) | PAYLOAD_RULES
    names = {check_name(item) for item in collect_checks(["oaipmh"])}
    assert {c.value for c in Check} == names


def test_the_catalogue_names_each_provider_switch_once() -> None:
    switches = {value for key, value in vars(Deviation).items() if key.isupper()}
    assert switches <= {d.name for d in defects.CATALOGUE}
    assert defects.provider_switches(frozenset(defects.CATALOGUE)) == switches
    assert all(d.protocol == "oaipmh" for d in defects.CATALOGUE)


def _ask(params: tuple[tuple[str, str], ...], *switches: str, now: datetime = NOW, spent: set[str] | None = None) -> tuple[int, OaiResponse | None]:
    reply = respond(params, REPOSITORY, now, SETTINGS, frozenset(switches), spent)
    return reply.status, parse_response(reply.body, Context(arguments=params, base_url=SETTINGS.base_url)).response


def _codes(params: tuple[tuple[str, str], ...], *switches: str, now: datetime = NOW, spent: set[str] | None = None) -> tuple[str, ...]:
    response = _ask(params, *switches, now=now, spent=spent)[1]
    return response.codes if isinstance(response, ErrorResponse) else ()


REPOSITORY = fixture_repository()


def _token(*switches: str) -> str:
    _, first = _ask(FIRST_PAGE, *switches)
    assert isinstance(first, ListIdentifiersResponse) and first.token is not None
    return first.token.value


def test_error_status_local_date_and_identify_deviations() -> None:
    status, response = _ask((("verb", "Frobnicate"),), Deviation.ERROR_HTTP_STATUS)
    assert status == 400 and isinstance(response, ErrorResponse)
    reply = respond((("verb", "Identify"),), REPOSITORY, NOW, SETTINGS, frozenset({Deviation.RESPONSE_DATE_LOCAL}))
    assert b"<responseDate>2025-01-01T14:00:00+02:00</responseDate>" in reply.body
    _, identify = _ask((("verb", "Identify"),), Deviation.IDENTIFY_BASE_URL, Deviation.EARLIEST_TOO_LATE)
    assert isinstance(identify, IdentifyResponse)
    assert identify.identify.base_url == "http://folio.org/oai" and identify.identify.earliest_datestamp == "2024-06-01T14:00:00Z"


def test_echo_on_bad_argument_is_one_attribute_per_name() -> None:
    params = (("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("metadataPrefix", "oai_dc"))
    reply = respond(params, REPOSITORY, NOW, SETTINGS, frozenset({Deviation.ECHO_ON_BAD_ARGUMENT}))
    assert b'<request verb="ListRecords" metadataPrefix="oai_dc">' in reply.body  # well-formed: no attribute twice


def test_token_deviations() -> None:
    forged = (("verb", "ListIdentifiers"), ("resumptionToken", "junk"))
    assert _codes(forged) == ("badResumptionToken",)
    assert _codes(forged, Deviation.FORGED_TOKEN_ACCEPTED) == ("noRecordsMatch",)
    token = _token()
    later = NOW + timedelta(minutes=6)
    resumed = (("verb", "ListIdentifiers"), ("resumptionToken", token))
    assert _codes(resumed, now=later) == ("badResumptionToken",)
    assert isinstance(_ask(resumed, Deviation.TOKEN_NEVER_EXPIRES, now=later)[1], ListIdentifiersResponse)
    spent: set[str] = set()
    once = _token(Deviation.TOKEN_SINGLE_USE)
    again = (("verb", "ListIdentifiers"), ("resumptionToken", once))
    assert isinstance(_ask(again, Deviation.TOKEN_SINGLE_USE, spent=spent)[1], ListIdentifiersResponse)
    assert _codes(again, Deviation.TOKEN_SINGLE_USE, spent=spent) == ("badResumptionToken",)
    assert _token(Deviation.TOKEN_SINGLE_USE) != once, "a single-use token is unique"


def test_cursor_and_overlap_deviations() -> None:
    _, second = _ask((("verb", "ListIdentifiers"), ("resumptionToken", _token())), Deviation.CURSOR_COUNTS_THIS_PAGE)
    assert isinstance(second, ListIdentifiersResponse) and second.token is not None and second.token.cursor == 200
    _, first = _ask(FIRST_PAGE, Deviation.PAGE_OVERLAP)
    _, overlapping = _ask((("verb", "ListIdentifiers"), ("resumptionToken", _token(Deviation.PAGE_OVERLAP))), Deviation.PAGE_OVERLAP)
    assert isinstance(first, ListIdentifiersResponse) and isinstance(overlapping, ListIdentifiersResponse)
    assert overlapping.headers[0] == first.headers[-1]
