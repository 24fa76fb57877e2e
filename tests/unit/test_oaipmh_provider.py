"""The sandbox provider's logic, called directly: every verb, its arguments, every error code,
from/until, granularities, deletes, sets, tokens under change; each answer judged by our parser."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.oaipmh.catalogue import dublin_core
from harness.oaipmh.model import (
    ErrorResponse,
    GetRecordResponse,
    IdentifyResponse,
    ListIdentifiersResponse,
    ListMetadataFormatsResponse,
    ListRecordsResponse,
    ListSetsResponse,
    OaiResponse,
)
from harness.oaipmh.parse import Context, parse_response
from harness.oaipmh.provider import Deviation, ProviderSettings, respond
from harness.oaipmh.repository import MemoryRepository, StoredItem

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from oaipmh_loopback import CATALOGUE_SIZE, FIRST_DATESTAMP, catalogue_records, fixture_repository

NOW = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
SETTINGS = ProviderSettings("http://127.0.0.1:9/oai", page_size=50, token_lifetime=timedelta(minutes=5))
Params = Sequence[tuple[str, str]]


@pytest.fixture(scope="module")
def repository() -> MemoryRepository:
    return fixture_repository()


def ask(repository: MemoryRepository, params: Params, now: datetime = NOW, defects: frozenset[str] = frozenset(),
        settings: ProviderSettings = SETTINGS) -> OaiResponse:
    reply = respond(params, repository, now, settings, defects)
    assert reply.status == 200
    result = parse_response(reply.body, Context(arguments=tuple(params), base_url=settings.base_url,
                                                granularity="YYYY-MM-DDThh:mm:ssZ"))
    assert result.ok, [str(p) for p in result.problems]
    assert result.response is not None
    return result.response


def error_of(repository: MemoryRepository, params: Params, **kwargs: object) -> str:
    response = ask(repository, params, **kwargs)  # type: ignore[arg-type]
    assert isinstance(response, ErrorResponse), response
    return "/".join(response.codes)


def harvest(repository: MemoryRepository, params: Params, now: datetime = NOW, defects: frozenset[str] = frozenset(),
            between: object = None) -> list[tuple[str, str]]:
    """(identifier, datestamp) of the whole list; ``between(page_number)`` runs after each page."""
    keys: list[tuple[str, str]] = []
    verb = dict(params)["verb"]
    request: Params = params
    for number in range(1000):
        response = ask(repository, request, now, defects)
        if isinstance(response, ErrorResponse):
            assert response.codes == ("noRecordsMatch",)
            return keys
        assert isinstance(response, (ListRecordsResponse, ListIdentifiersResponse))
        headers = [r.header for r in response.records] if isinstance(response, ListRecordsResponse) else list(response.headers)
        keys += [(h.identifier, h.datestamp) for h in headers]
        if callable(between):
            between(number)
        if response.token is None or response.token.empty:
            return keys
        request = (("verb", verb), ("resumptionToken", response.token.value))
    raise AssertionError("the list did not end")


def test_identify(repository: MemoryRepository) -> None:
    response = ask(repository, [("verb", "Identify")])
    assert isinstance(response, IdentifyResponse)
    identify = response.identify
    assert (identify.base_url, identify.protocol_version, identify.deleted_record, identify.granularity) == (
        SETTINGS.base_url, "2.0", "persistent", "YYYY-MM-DDThh:mm:ssZ")
    assert identify.earliest_datestamp == "2024-06-01T12:00:00Z"
    assert identify.descriptions == ("{http://www.openarchives.org/OAI/2.0/oai-identifier}oai-identifier",)


def test_list_metadata_formats(repository: MemoryRepository) -> None:
    response = ask(repository, [("verb", "ListMetadataFormats")])
    assert isinstance(response, ListMetadataFormatsResponse)
    assert {(f.prefix, f.namespace) for f in response.formats} == {
        ("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc/"), ("marc21", "http://www.loc.gov/MARC21/slim")}
    one = ask(repository, [("verb", "ListMetadataFormats"), ("identifier", "oai:sandbox.libharness.test:hx0000001")])
    assert isinstance(one, ListMetadataFormatsResponse) and len(one.formats) == 2
    assert error_of(repository, [("verb", "ListMetadataFormats"), ("identifier", "oai:nowhere:1")]) == "idDoesNotExist"


def test_no_metadata_formats_for_an_item_without_any() -> None:
    bare = MemoryRepository([StoredItem("oai:x:bare", FIRST_DATESTAMP)])
    assert error_of(bare, [("verb", "ListMetadataFormats"), ("identifier", "oai:x:bare")]) == "noMetadataFormats"
    assert error_of(bare, [("verb", "GetRecord"), ("identifier", "oai:x:bare"), ("metadataPrefix", "marc21")]) == "cannotDisseminateFormat"


def test_sets_have_a_hierarchy(repository: MemoryRepository) -> None:
    response = ask(repository, [("verb", "ListSets")])
    assert isinstance(response, ListSetsResponse)
    specs = [s.spec for s in response.sets]
    assert {"library", "library:NO-9900001", "kind", "kind:school", "kind:bookbus", "kind:public"} <= set(specs)
    assert all(s.split(":")[0] in specs for s in specs), "every child set's parent is listed"
    school = harvest(repository, [("verb", "ListIdentifiers"), ("metadataPrefix", "marc21"), ("set", "kind:school")])
    kind = harvest(repository, [("verb", "ListIdentifiers"), ("metadataPrefix", "marc21"), ("set", "kind")])
    assert 0 < len(school) < len(kind)
    assert set(school) <= set(kind), "a child set's records are in the parent set (§2.6)"
    assert error_of(repository, [("verb", "ListIdentifiers"), ("metadataPrefix", "marc21"), ("set", "kind:nosuch")]) == "noRecordsMatch"


def test_no_set_hierarchy_without_sets() -> None:
    flat = MemoryRepository([StoredItem("oai:x:1", FIRST_DATESTAMP, dc=(("title", "T"),))])
    assert error_of(flat, [("verb", "ListSets")]) == "noSetHierarchy"
    assert error_of(flat, [("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("set", "a")]) == "noSetHierarchy"


@pytest.mark.parametrize(("params", "code"), [
    ([], "badVerb"),
    ([("verb", "Frobnicate")], "badVerb"),
    ([("verb", "GetMetadata")], "badVerb"),
    ([("verb", "Identify"), ("verb", "Identify")], "badVerb"),
    ([("verb", "Identify"), ("foo", "bar")], "badArgument"),
    ([("verb", "ListRecords")], "badArgument"),
    ([("verb", "GetRecord"), ("identifier", "oai:x:1")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("metadataPrefix", "oai_dc")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2024-13-45")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "junk")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2024-06-01"), ("until", "2024-06-02T00:00:00Z")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("resumptionToken", "x")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai dc")], "badArgument"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("set", "kind::school")], "badArgument"),
    ([("verb", "ListRecords"), ("resumptionToken", "junk")], "badResumptionToken"),
    ([("verb", "ListIdentifiers"), ("resumptionToken", "%%garbage%%")], "badResumptionToken"),
    ([("verb", "ListSets"), ("resumptionToken", "junk")], "badResumptionToken"),
    ([("verb", "ListRecords"), ("metadataPrefix", "nosuch")], "cannotDisseminateFormat"),
    ([("verb", "GetRecord"), ("identifier", "oai:sandbox.libharness.test:hx0000001"), ("metadataPrefix", "nosuch")], "cannotDisseminateFormat"),
    ([("verb", "GetRecord"), ("identifier", 'invalid"id'), ("metadataPrefix", "oai_dc")], "idDoesNotExist"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("from", "2099-01-01")], "noRecordsMatch"),
    ([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("until", "2023-06-01")], "noRecordsMatch"),
])
def test_error_codes(repository: MemoryRepository, params: Params, code: str) -> None:
    assert error_of(repository, params) == code


def test_bad_verb_and_bad_argument_echo_only_the_base_url(repository: MemoryRepository) -> None:
    for params in ([("verb", "Frobnicate"), ("x", "1")], [("verb", "ListRecords"), ("bogus", "1")]):
        reply = respond(params, repository, NOW, SETTINGS)
        assert f"<request>{SETTINGS.base_url}</request>".encode() in reply.body


def test_list_records_pages_through_everything(repository: MemoryRepository) -> None:
    keys = harvest(repository, [("verb", "ListRecords"), ("metadataPrefix", "marc21")])
    assert len(keys) == len(repository) == CATALOGUE_SIZE
    assert len(set(keys)) == CATALOGUE_SIZE
    first = ask(repository, [("verb", "ListRecords"), ("metadataPrefix", "marc21")])
    assert isinstance(first, ListRecordsResponse) and first.token is not None
    assert (first.token.cursor, first.token.complete_list_size, first.token.expiration_date) == (0, CATALOGUE_SIZE, "2025-01-01T12:05:00Z")


def test_the_last_page_of_a_resumed_list_has_an_empty_token(repository: MemoryRepository) -> None:
    response = ask(repository, [("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc")])
    while isinstance(response, ListIdentifiersResponse) and response.token is not None and not response.token.empty:
        response = ask(repository, [("verb", "ListIdentifiers"), ("resumptionToken", response.token.value)])
    assert isinstance(response, ListIdentifiersResponse) and response.token is not None and response.token.empty
    assert (response.token.cursor, response.token.complete_list_size) == (200, CATALOGUE_SIZE)
    single = ask(repository, [("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc"), ("until", "2024-06-01")])
    assert isinstance(single, ListIdentifiersResponse) and single.token is None, "a one-page list has no token"
    without = ask(repository, [("verb", "ListIdentifiers"), ("resumptionToken", ask_token(repository))],
                  defects=frozenset({Deviation.NO_EMPTY_FINAL_TOKEN}), settings=ProviderSettings(SETTINGS.base_url, page_size=200))
    assert isinstance(without, ListIdentifiersResponse) and without.token is None


def ask_token(repository: MemoryRepository) -> str:
    first = ask(repository, [("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc")], settings=ProviderSettings(SETTINGS.base_url, page_size=200))
    assert isinstance(first, ListIdentifiersResponse) and first.token is not None
    return first.token.value


def test_from_and_until_are_inclusive_in_both_granularities(repository: MemoryRepository) -> None:
    # records are one an hour from 2024-06-01T12:00:00Z: day 2024-06-02 holds 24 of them
    day = harvest(repository, [("verb", "ListIdentifiers"), ("metadataPrefix", "marc21"), ("from", "2024-06-02"), ("until", "2024-06-02")])
    assert [d for _, d in day] == [f"2024-06-02T{h:02d}:00:00Z" for h in range(24)]
    seconds = harvest(repository, [("verb", "ListIdentifiers"), ("metadataPrefix", "marc21"),
                                   ("from", "2024-06-02T01:00:00Z"), ("until", "2024-06-02T03:00:00Z")])
    assert [d for _, d in seconds] == ["2024-06-02T01:00:00Z", "2024-06-02T02:00:00Z", "2024-06-02T03:00:00Z"]
    exclusive = harvest(repository, [("verb", "ListIdentifiers"), ("metadataPrefix", "marc21"),
                                     ("from", "2024-06-02T01:00:00Z"), ("until", "2024-06-02T03:00:00Z")],
                        defects=frozenset({Deviation.EXCLUSIVE_RANGE}))
    assert [d for _, d in exclusive] == ["2024-06-02T02:00:00Z"]
    assert error_of(repository, [("verb", "ListIdentifiers"), ("metadataPrefix", "marc21"), ("from", "2024-06-02")],
                    defects=frozenset({Deviation.REFUSE_DAY_GRANULARITY})) == "badArgument"


def test_deleted_records_persist(repository: MemoryRepository) -> None:
    deleted = "oai:sandbox.libharness.test:hx0000008"  # index 7
    response = ask(repository, [("verb", "GetRecord"), ("identifier", deleted), ("metadataPrefix", "marc21")])
    assert isinstance(response, GetRecordResponse)
    assert response.record.header.deleted and response.record.metadata is None
    all_keys = harvest(repository, [("verb", "ListRecords"), ("metadataPrefix", "oai_dc")])
    assert deleted in {i for i, _ in all_keys}
    forgetting = frozenset({Deviation.FORGET_DELETED})
    assert deleted not in {i for i, _ in harvest(repository, [("verb", "ListRecords"), ("metadataPrefix", "oai_dc")], defects=forgetting)}
    assert error_of(repository, [("verb", "GetRecord"), ("identifier", deleted), ("metadataPrefix", "marc21")], defects=forgetting) == "idDoesNotExist"


def test_a_re_sent_token_gives_the_same_page(repository: MemoryRepository) -> None:
    first = ask(repository, [("verb", "ListIdentifiers"), ("metadataPrefix", "marc21")])
    assert isinstance(first, ListIdentifiersResponse) and first.token is not None
    again = [ask(repository, [("verb", "ListIdentifiers"), ("resumptionToken", first.token.value)]) for _ in range(2)]
    assert isinstance(again[0], ListIdentifiersResponse) and isinstance(again[1], ListIdentifiersResponse)
    assert again[0].headers == again[1].headers


def test_expired_forged_and_foreign_tokens_are_bad(repository: MemoryRepository) -> None:
    first = ask(repository, [("verb", "ListRecords"), ("metadataPrefix", "marc21")])
    assert isinstance(first, ListRecordsResponse) and first.token is not None
    token = first.token.value
    assert error_of(repository, [("verb", "ListRecords"), ("resumptionToken", token)], now=NOW + timedelta(minutes=6)) == "badResumptionToken"
    payload, mac = token.split(".")
    forged = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + mac
    assert error_of(repository, [("verb", "ListRecords"), ("resumptionToken", forged)]) == "badResumptionToken"
    assert error_of(repository, [("verb", "ListIdentifiers"), ("resumptionToken", token)]) == "badResumptionToken"
    other_key = ProviderSettings(SETTINGS.base_url, token_secret=b"another repository")
    assert error_of(repository, [("verb", "ListRecords"), ("resumptionToken", token)], settings=other_key) == "badResumptionToken"


def test_a_record_changed_during_a_harvest_is_not_skipped() -> None:
    repository = fixture_repository()
    identifiers = [i for i, _ in harvest(repository, [("verb", "ListIdentifiers"), ("metadataPrefix", "marc21")])]

    def change_an_early_record(page: int) -> None:
        if page == 1:  # after the second page: a record from the first page changes
            item = repository.item(identifiers[3])
            assert item is not None
            repository.put(replace(item, datestamp=NOW))

    seen = [i for i, _ in harvest(repository, [("verb", "ListIdentifiers"), ("metadataPrefix", "marc21")], between=change_an_early_record)]
    assert set(seen) == set(identifiers), f"skipped: {set(identifiers) - set(seen)}"
    assert seen.count(identifiers[3]) == 2, "the changed record comes again, with its new datestamp, at the end"

    repository = fixture_repository()
    offset = [i for i, _ in harvest(repository, [("verb", "ListIdentifiers"), ("metadataPrefix", "marc21")],
                                    defects=frozenset({Deviation.OFFSET_TOKEN}), between=change_an_early_record)]
    assert set(identifiers) - set(offset), "the offset-token defect skips a record under the same change"


def test_echo_and_content_type_deviations(repository: MemoryRepository) -> None:
    params = [("verb", "ListIdentifiers"), ("metadataPrefix", "marc21"), ("until", "2024-06-01")]
    reply = respond(params, repository, NOW, SETTINGS, frozenset({Deviation.ECHO_REWRITES_DATES}))
    result = parse_response(reply.body, Context(arguments=tuple(params), base_url=SETTINGS.base_url))
    assert result.rule_ids() == {"request-echo"}
    assert respond(params, repository, NOW, SETTINGS, frozenset({Deviation.CONTENT_TYPE_XML})).content_type == "application/xml"
    assert respond(params, repository, NOW, SETTINGS).content_type == "text/xml; charset=utf-8"


def test_oai_dc_keeps_sami_and_kven_letters() -> None:
    records = catalogue_records()
    dc = [dublin_core(r) for r in records]
    texts = "".join(v for pairs in dc for _, v in pairs)
    for letter in "áčđŋšŧž" + "äö":
        assert letter in texts, letter
    first = dict(dc[0])
    assert first["title"] == "Ærfugl og øyvær : oahppogirji" and first["identifier"] == "urn:isbn:9788299000017"
    assert first["language"] == "sme" and first["creator"] == "Eira, Biret Máret"
    repository = fixture_repository()
    response = ask(repository, [("verb", "GetRecord"), ("identifier", "oai:sandbox.libharness.test:hx0000001"), ("metadataPrefix", "oai_dc")])
    assert isinstance(response, GetRecordResponse) and response.record.metadata is not None
    assert response.record.metadata.findtext("{http://purl.org/dc/elements/1.1/}creator") == "Eira, Biret Máret"


def test_xml_illegal_characters_in_the_catalogue_never_break_a_response() -> None:
    item = StoredItem("oai:x:ctl", FIRST_DATESTAMP, dc=(("title", "Bad\x0bbyte\x1f and \ud800 surrogate"),),
                      marc='<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 i 4500</leader></record>')
    response = ask(MemoryRepository([item]), [("verb", "GetRecord"), ("identifier", "oai:x:ctl"), ("metadataPrefix", "oai_dc")])
    assert isinstance(response, GetRecordResponse) and response.record.metadata is not None
    assert response.record.metadata.findtext("{http://purl.org/dc/elements/1.1/}title") == "Bad\\x0bbyte\\x1f and \\ud800 surrogate"


_NAMES = st.sampled_from(["verb", "metadataPrefix", "identifier", "from", "until", "set", "resumptionToken", "bogus", ""])
_VALUES = st.one_of(
    st.sampled_from(["Identify", "ListRecords", "ListIdentifiers", "ListSets", "GetRecord", "ListMetadataFormats",
                     "oai_dc", "marc21", "2024-06-02", "2024-06-02T01:00:00Z", "kind:school", "library",
                     "oai:sandbox.libharness.test:hx0000008", ""]),
    st.text(max_size=30),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_NAMES, _VALUES), max_size=6))
def test_any_request_gets_a_valid_response(repository: MemoryRepository, params: list[tuple[str, str]]) -> None:
    """Whatever a harvester sends, the provider answers 200 with a response our parser passes."""
    reply = respond(params, repository, NOW, SETTINGS)
    assert reply.status == 200
    result = parse_response(reply.body, Context(arguments=tuple(params), base_url=SETTINGS.base_url,
                                                granularity="YYYY-MM-DDThh:mm:ssZ"))
    assert result.ok, (params, [str(p) for p in result.problems])

