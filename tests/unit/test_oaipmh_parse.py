"""The OAI-PMH parser on fixture bytes: each rule fires on the bytes that break it, and no
input whatever makes it raise (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.oaipmh.model import (
    ErrorResponse,
    GetRecordResponse,
    IdentifyResponse,
    ListIdentifiersResponse,
    ListMetadataFormatsResponse,
    ListRecordsResponse,
    ListSetsResponse,
)
from harness.oaipmh.parse import Context, http_problems, parse_response

BASE = "http://127.0.0.1:8000/oai"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
    "<responseDate>2024-06-01T12:00:00Z</responseDate>\n"
)
DC = ('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
      'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">'
      "<dc:title>Sámi girjjit ja Kvääni kirjat</dc:title><dc:language>sme</dc:language></oai_dc:dc>")
MARC = ('<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 i 4500</leader>'
        '<controlfield tag="001">hx1</controlfield><datafield tag="245" ind1="1" ind2="0">'
        '<subfield code="a">Čáhppes ŋ ŧ</subfield></datafield></record>')
LIST_RECORDS = (("verb", "ListRecords"), ("metadataPrefix", "oai_dc"))


def doc(request: str, body: str, head: str = HEAD) -> bytes:
    return f"{head}{request}\n{body}\n</OAI-PMH>\n".encode()


def echo(pairs: tuple[tuple[str, str], ...] = LIST_RECORDS) -> str:
    attributes = "".join(f' {k}="{v}"' for k, v in pairs)
    return f"<request{attributes}>{BASE}</request>"


def header(identifier: str = "oai:x:1", datestamp: str = "2024-06-01T10:00:00Z", deleted: bool = False, specs: str = "") -> str:
    status = ' status="deleted"' if deleted else ""
    return f"<header{status}><identifier>{identifier}</identifier><datestamp>{datestamp}</datestamp>{specs}</header>"


def records(*parts: str, token: str = "") -> str:
    return f"<ListRecords>{''.join(parts)}{token}</ListRecords>"


def rules(body: bytes, **context: object) -> set[str]:
    args = context.pop("arguments", LIST_RECORDS)
    return parse_response(body, Context(arguments=args, base_url=BASE, **context)).rule_ids()  # type: ignore[arg-type]


GOOD_PAGE = doc(echo(), records(f"<record>{header()}<metadata>{DC}</metadata></record>",
                                f"<record>{header('oai:x:2', deleted=True)}</record>",
                                token='<resumptionToken completeListSize="3" cursor="0">t1</resumptionToken>'))


def test_a_valid_page_parses_without_problems() -> None:
    result = parse_response(GOOD_PAGE, Context(arguments=LIST_RECORDS, base_url=BASE, granularity="YYYY-MM-DDThh:mm:ssZ"))
    assert result.problems == ()
    response = result.response
    assert isinstance(response, ListRecordsResponse)
    assert [r.header.identifier for r in response.records] == ["oai:x:1", "oai:x:2"]
    assert [r.header.deleted for r in response.records] == [False, True]
    assert response.records[1].metadata is None
    assert response.token is not None and (response.token.value, response.token.cursor, response.token.complete_list_size) == ("t1", 0, 3)
    assert response.records[0].metadata is not None
    assert response.records[0].metadata.findtext("{http://purl.org/dc/elements/1.1/}title") == "Sámi girjjit ja Kvääni kirjat"


def test_every_verb_has_its_type() -> None:
    identify = ("<Identify><repositoryName>R</repositoryName><baseURL>" + BASE + "</baseURL><protocolVersion>2.0</protocolVersion>"
                "<adminEmail>a@b.no</adminEmail><earliestDatestamp>2024-01-01</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
                "<granularity>YYYY-MM-DD</granularity></Identify>")
    cases = {
        identify: IdentifyResponse,
        "<ListMetadataFormats><metadataFormat><metadataPrefix>oai_dc</metadataPrefix><schema>http://www.openarchives.org/OAI/2.0/oai_dc.xsd</schema>"
        "<metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/</metadataNamespace></metadataFormat></ListMetadataFormats>": ListMetadataFormatsResponse,
        "<ListSets><set><setSpec>kind:school</setSpec><setName>Skole</setName></set></ListSets>": ListSetsResponse,
        f"<ListIdentifiers>{header()}</ListIdentifiers>": ListIdentifiersResponse,
        f"<GetRecord><record>{header()}<metadata>{MARC}</metadata></record></GetRecord>": GetRecordResponse,
        '<error code="noRecordsMatch">none</error>': ErrorResponse,
    }
    for body, kind in cases.items():
        result = parse_response(doc(f"<request>{BASE}</request>", body))
        assert isinstance(result.response, kind), (kind, result.problems)
        assert result.problems == (), (kind, [str(p) for p in result.problems])
    identified = parse_response(doc("<request/>", identify)).response
    assert isinstance(identified, IdentifyResponse) and identified.identify.granularity == "YYYY-MM-DD"


def test_unreadable_bodies_give_no_response_and_say_why() -> None:
    cases = {
        b"": "empty-body",
        b"<html><body>500 Internal Server Error</body></html>": "root-element",
        b"<OAI-PMH><unclosed>": "not-well-formed",
        GOOD_PAGE.replace("Sámi".encode(), b"S\x0bmi"): "illegal-character",
        GOOD_PAGE.replace("Sámi".encode(), b"S&#11;mi"): "illegal-character",
        GOOD_PAGE.replace(b"http://www.openarchives.org/OAI/2.0/", b"http://www.openarchives.org/OAI/1.1/OAI_ListRecords"): "root-element",
    }
    for body, rule in cases.items():
        result = parse_response(body)
        assert result.response is None, body[:80]
        assert rule in result.rule_ids(), (rule, [str(p) for p in result.problems])
    with_entities = GOOD_PAGE.replace(b"<OAI-PMH ", b'<!DOCTYPE OAI-PMH [<!ENTITY e "boom">]>\n<OAI-PMH ', 1)
    assert "entity-declaration" in parse_response(with_entities).rule_ids()
    assert parse_response(b"<html><body>500</body></html>").rule_ids() == {"root-element"}


def test_envelope_rules() -> None:
    assert "xml-declaration" in rules(GOOD_PAGE.split(b"\n", 1)[1])
    assert "xml-declaration" in rules(GOOD_PAGE.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"'))
    assert "schema-location" in rules(GOOD_PAGE.replace(b"OAI-PMH.xsd", b"OAI_PMH.xsd"))
    assert "response-date" in rules(GOOD_PAGE.replace(b"2024-06-01T12:00:00Z</responseDate>", b"2024-06-01T14:00:00+02:00</responseDate>"))
    assert "response-date" in rules(GOOD_PAGE.replace(b"2024-06-01T12:00:00Z</responseDate>", b"2024-06-01</responseDate>"))
    assert "schema-invalid" in rules(GOOD_PAGE.replace(b"<identifier>oai:x:1</identifier>", b""))


def test_request_echo_rules() -> None:
    assert "request-base-url" in rules(GOOD_PAGE.replace(BASE.encode(), b"http://elsewhere/oai"))
    dated = LIST_RECORDS + (("from", "2024-01-01"),)
    rewritten = doc(echo(LIST_RECORDS + (("from", "2024-01-01T00:00:00Z"),)), records(f"<record>{header()}<metadata>{DC}</metadata></record>"))
    assert "request-echo" in rules(rewritten, arguments=dated)
    bad_argument = doc(echo((("verb", "ListRecords"),)), '<error code="badArgument">no prefix</error>')
    assert "request-echo-on-error" in rules(bad_argument, arguments=(("verb", "ListRecords"),))
    bare = doc(f"<request>{BASE}</request>", '<error code="badArgument">no prefix</error>')
    assert rules(bare, arguments=(("verb", "ListRecords"),)) == set()
    other_error = doc(f"<request>{BASE}</request>", '<error code="noRecordsMatch">none</error>')
    assert rules(other_error) == set(), "after other errors the attributes may be left out (§3.2)"
    untrue = doc(echo((("verb", "ListRecords"), ("metadataPrefix", "ARRAY(0x55d0)"))), '<error code="cannotDisseminateFormat">?</error>')
    assert "request-echo" in rules(untrue), "but what is echoed must be the request"


def test_error_codes_per_verb() -> None:
    identify_says_no_records = doc(echo((("verb", "Identify"),)), '<error code="noRecordsMatch">?</error>')
    assert "error-not-for-verb" in rules(identify_says_no_records, arguments=(("verb", "Identify"),))
    assert "schema-invalid" in rules(doc(f"<request>{BASE}</request>", '<error code="serviceUnavailable">busy</error>'))


def test_datestamp_rules() -> None:
    def page(stamp: str) -> bytes:
        return doc(echo(), records(f"<record>{header(datestamp=stamp)}<metadata>{DC}</metadata></record>"))

    assert "datestamp-granularity" in rules(page("2024-06-01"), granularity="YYYY-MM-DDThh:mm:ssZ")
    assert "datestamp-syntax" in rules(page("2024-02-30"))
    assert "before-earliest" in rules(page("2023-12-31T23:59:59Z"), earliest="2024-01-01T00:00:00Z")
    ranged = LIST_RECORDS + (("from", "2024-06-02"), ("until", "2024-06-03"))
    assert "outside-range" in rules(doc(echo(ranged), records(f"<record>{header(datestamp='2024-06-01T23:59:59Z')}<metadata>{DC}</metadata></record>")), arguments=ranged)
    inside = doc(echo(ranged), records(f"<record>{header(datestamp='2024-06-03T23:59:59Z')}<metadata>{DC}</metadata></record>"))
    assert "outside-range" not in rules(inside, arguments=ranged), "until=2024-06-03 covers the whole day (§2.7.1)"


def test_record_rules() -> None:
    assert "deleted-with-metadata" in rules(doc(echo(), records(f"<record>{header(deleted=True)}<metadata>{DC}</metadata></record>")))
    assert "metadata-missing" in rules(doc(echo(), records(f"<record>{header()}</record>")))
    assert "deleted-not-declared" in rules(doc(echo(), records(f"<record>{header(deleted=True)}</record>")), deleted_record="no")
    in_set = LIST_RECORDS + (("set", "kind"),)
    good = doc(echo(in_set), records(f"<record>{header(specs='<setSpec>kind:school</setSpec>')}<metadata>{DC}</metadata></record>"))
    assert "set-not-in-header" not in rules(good, arguments=in_set), "a child set's member is in the parent (§2.6)"
    bad = doc(echo(in_set), records(f"<record>{header(specs='<setSpec>library</setSpec>')}<metadata>{DC}</metadata></record>"))
    assert "set-not-in-header" in rules(bad, arguments=in_set)


def test_payload_rules() -> None:
    invalid_dc = DC.replace("<dc:language>", "<dc:langue>").replace("</dc:language>", "</dc:langue>")
    assert "payload-schema-invalid" in rules(doc(echo(), records(f"<record>{header()}<metadata>{invalid_dc}</metadata></record>")))
    invalid_marc = MARC.replace('tag="245"', 'tag="24"')
    assert "payload-schema-invalid" in rules(doc(echo(), records(f"<record>{header()}<metadata>{invalid_marc}</metadata></record>")))
    peer_a_style = DC.replace("schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai_dc/", "schemaLocation=\"http://purl.org/dc/elements/1.1/")
    assert "payload-schema-location" in rules(doc(echo(), records(f"<record>{header()}<metadata>{peer_a_style}</metadata></record>")))
    assert "payload-namespace" in rules(GOOD_PAGE, namespace="http://www.loc.gov/MARC21/slim")
    two = doc(echo(), records(f"<record>{header()}<metadata>{DC}</metadata></record>",
                              f"<record>{header('oai:x:2')}<metadata>{invalid_dc}</metadata></record>"))
    [found] = [p for p in parse_response(two).problems if p.rule.id == "payload-schema-invalid"]
    assert found.position is not None and (found.position.record, found.position.label) == (1, "oai:x:2")
    unknown = '<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo/></mods>'
    assert "payload-unchecked" in rules(doc(echo(), records(f"<record>{header()}<metadata>{unknown}</metadata></record>")))
    assert "payload-schema-invalid" not in rules(doc(echo(), records(f"<record>{header()}<metadata>{invalid_dc}</metadata></record>")),
                                                 validate_payloads=False)


def test_token_rules() -> None:
    one = f"<record>{header()}<metadata>{DC}</metadata></record>"
    assert "token-expiration-date" in rules(doc(echo(), records(one, token='<resumptionToken expirationDate="2024-06-01T12:00:00+01:00">t</resumptionToken>')))
    assert "token-list-size" in rules(doc(echo(), records(one, one.replace("oai:x:1", "oai:x:2"), token='<resumptionToken completeListSize="1" cursor="0">t</resumptionToken>')))
    assert "token-whitespace" in rules(doc(echo(), records(one, token="<resumptionToken>  </resumptionToken>")))
    assert "schema-invalid" in rules(doc(echo(), records(one, token='<resumptionToken completeListSize="0">t</resumptionToken>')))


def test_http_rules() -> None:
    assert http_problems(200, "text/xml; charset=utf-8") == []
    assert {p.rule.id for p in http_problems(200, "application/xml")} == {"content-type"}
    assert {p.rule.id for p in http_problems(500, "text/html")} == {"http-status", "content-type"}


def test_problems_cite_the_spec_and_a_line() -> None:
    body = doc(echo(), records(f"<record>{header(deleted=True)}<metadata>{DC}</metadata></record>"))
    [found] = [p for p in parse_response(body).problems if p.rule.id == "deleted-with-metadata"]
    assert found.clause.startswith("OAI-PMH 2.0 §2.5.1")
    assert found.position is not None and found.position.offset == 5 and found.position.unit == "line"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_are_answered_not_raised(body: bytes) -> None:
    result = parse_response(body, Context(arguments=LIST_RECORDS, base_url=BASE))
    assert result.response is not None or result.problems


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_damaged_pages_are_answered_not_raised(data: st.DataObject) -> None:
    body = bytearray(GOOD_PAGE)
    for _ in range(data.draw(st.integers(1, 8))):
        index = data.draw(st.integers(0, len(body) - 1))
        body[index] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(body)))
    result = parse_response(bytes(body[:cut]), Context(arguments=LIST_RECORDS, base_url=BASE, granularity="YYYY-MM-DD"))
    assert result.response is not None or result.problems
