"""SRU-01 and SRU-02: how records travel (packing, escaping) and in which schema (MARCXML).

1.x says how the record XML travels with recordPacking (xml | string); 2.0 says it with
recordXMLEscaping, and its recordPacking means packed | unpacked. Either way an escaped
record must read back as the same record, and a value the server does not know is
diagnostic 71. MARCXML is asked for by the short name explain declares and by its URI.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from lxml import etree

from harness.marc.marcxml import marc21_slim_schema
from harness.sru import checks as c
from harness.sru import defects
from harness.sru.catalogue import FixtureRecord
from harness.sru.client import SruClient
from harness.sru.cql import Statement, literal, where
from harness.sru.model import MARCXML_NS, MARCXML_SCHEMA_URI, Record
from harness.sru.records import as_marc
from harness.sru.rules import OASIS3_RECORD, SRU12_RECORDS, SRU12_SR
from harness.sru.target import SruTarget

PACKING_CLAUSE = f"{SRU12_RECORDS}; {OASIS3_RECORD}"
PACKING_71_CLAUSE = f"{SRU12_RECORDS}; {OASIS3_RECORD}; {c.DIAGNOSTICS_CLAUSE}: 71 Unsupported record packing"
SCHEMA_CLAUSE = (f"NorZIG SRU profile (requirement SRU-02): MARC 21 as MARCXML; {SRU12_SR}: recordSchema, 'the short "
                 "name or the URI identifier' of a schema the server supports (explain schemaInfo)")
SLIM_CLAUSE = "MARC 21 XML Schema (MARC21slim.xsd, namespace http://www.loc.gov/MARC21/slim)"
UNKNOWN_SCHEMA_CLAUSE = f"{SRU12_SR}: recordSchema; {c.DIAGNOSTICS_CLAUSE}: 66 Unknown schema for retrieval"


def _isbn_query(sru_target: SruTarget, record: FixtureRecord) -> str | Statement:
    index = sru_target.index("isbn")
    return where(index, "=", literal(record.isbn)) if index else literal(record.isbn)


def _escaping(version: str, value: str) -> dict[str, str]:
    return {"recordXMLEscaping" if version == "2.0" else "recordPacking": value}


@pytest.mark.requirement("SRU-01")
@pytest.mark.failed_by(defects.ESCAPE_XML_IN_XML_PACKING)
def test_record_packing_xml_and_string(sru: SruClient, sru_target: SruTarget,
                                      held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """Records come as XML elements when xml is asked, as escaped XML when string is, the same record either way

    nb: Poster kommer som XML-elementer når xml er bedt om, som escapet XML når string er, samme post begge veier
    """
    query = _isbn_query(sru_target, held_catalogue["hx0000001"])
    for version in sru_target.versions:
        seen: dict[str, Record] = {}
        for packing in ("xml", "string"):
            result = sru.search_retrieve(query, version=version, maximum_records=1, packing=packing)
            c.require_same_family(result)
            response = c.search(result, sru, f"{version} packing {packing}")
            own = c.own_failures(result, c.PACKING_CHECK)
            records = [r for r in response.records if r.diagnostic is None]
            if own or not records or records[0].packing != packing:
                got = records[0].packing if records else "no record"
                raise c.fail(f"{version}, {packing} asked: {own[0] if own else f'the record came as {got}'}",
                             clause=PACKING_CLAUSE, client=sru, problems=own, last=1,
                             expected=f"one record, {'an element in recordData' if packing == 'xml' else 'escaped XML'}")
            seen[packing] = records[0]
        as_xml, as_string = (as_marc(seen[p]) for p in ("xml", "string"))
        if as_xml is None or as_string is None or as_xml.as_json() != as_string.as_json():
            raise c.fail(f"{version}: the record escaped as a string does not read back as the record sent as XML",
                         clause=PACKING_CLAUSE, client=sru, last=2, expected="the same record both ways")


@pytest.mark.requirement("SRU-01")
@pytest.mark.failed_by(defects.NO_DIAGNOSTIC_71)
def test_invalid_record_packing_gets_diagnostic_71(sru: SruClient, sru_target: SruTarget,
                                                   held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """A record packing (2.0: XML escaping) the server does not know is answered with diagnostic 71

    nb: En postpakking (2.0: XML-escaping) serveren ikke kjenner, besvares med diagnostikk 71
    """
    query = _isbn_query(sru_target, held_catalogue["hx0000001"])
    for version in sru_target.versions:
        name = "recordXMLEscaping" if version == "2.0" else "recordPacking"
        result = sru.search_retrieve(query, version=version, maximum_records=1, extra={name: "harness-no-such-packing"})
        response = c.search(result, sru, f"{version} {name}=harness-no-such-packing")
        surrogate = [r.diagnostic for r in response.records if r.diagnostic is not None]
        if 71 not in c.codes(result) and 71 not in [d.code for d in surrogate]:
            raise c.fail(f"{version}: {name}=harness-no-such-packing was answered with {len(response.records)} records "
                         f"and {c.describe([*response.diagnostics, *surrogate])}", clause=PACKING_71_CLAUSE, client=sru,
                         last=1, expected="diagnostic 71 (Unsupported record packing)")


@pytest.mark.requirement("SRU-02")
@pytest.mark.failed_by(defects.SCHEMA_URI_UNKNOWN)
def test_marcxml_schema_by_name_and_uri(sru: SruClient, sru_target: SruTarget,
                                       held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """MARCXML is declared in explain and returned when asked by its short name and by its URI

    nb: MARCXML er oppgitt i explain og returneres når det bes om med kortnavn og med URI
    """
    declared = sru_target.explain.schema(MARCXML_SCHEMA_URI) if sru_target.explain is not None else None
    name, uri = sru_target.marcxml_schema
    query = _isbn_query(sru_target, held_catalogue["hx0000001"])
    for version in sru_target.versions:
        for asked in dict.fromkeys((name, uri)):
            result = sru.search_retrieve(query, version=version, maximum_records=1, record_schema=asked)
            response = c.search(result, sru, f"{version} recordSchema={asked}")
            marc = [r for r in response.records if r.diagnostic is None and as_marc(r) is not None]
            if not marc:
                problems = [*response.diagnostics, *(r.diagnostic for r in response.records if r.diagnostic is not None)]
                raise c.fail(f"{version}: recordSchema={asked} gave no MARC record ({c.describe(problems)})",
                             clause=SCHEMA_CLAUSE, client=sru, last=1, expected="the record, as MARCXML")
    if declared is None:
        raise c.fail(f"MARCXML ({MARCXML_SCHEMA_URI}) is returned but explain's schemaInfo does not declare it",
                     clause=SCHEMA_CLAUSE, client=sru, last=1, expected=f"schemaInfo/schema identifier={MARCXML_SCHEMA_URI!r}")


@pytest.mark.requirement("SRU-02")
@pytest.mark.failed_by(defects.MARCXML_NO_NAMESPACE)
def test_records_are_marc21_slim(sru: SruClient, sru_target: SruTarget, held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """MARCXML records are valid MARC 21 slim records, in the MARC 21 slim namespace

    nb: MARCXML-poster er gyldige MARC 21 slim-poster, i MARC 21 slim-navnerommet
    """
    schema = marc21_slim_schema()
    query = _isbn_query(sru_target, held_catalogue["hx0000002"])
    for version in sru_target.versions:
        result = sru.search_retrieve(query, version=version, maximum_records=1, packing="xml")
        response = c.search(result, sru, f"{version} MARCXML")
        own = c.own_failures(result, c.SLIM_CHECK)
        invalid = []
        for record in response.records:
            if record.diagnostic is not None or not record.data:
                continue
            try:
                element = etree.fromstring(record.data)
            except etree.XMLSyntaxError:
                continue  # the packing check reports XML that does not parse
            if element.tag != f"{{{MARCXML_NS}}}record" or not schema.validate(element):
                invalid.append(f"record {record.position}: {element.tag}: {str(schema.error_log).splitlines()[:1]}")
        if own or invalid:
            raise c.fail(f"{version}: {own[0] if own else invalid[0]}", clause=SLIM_CLAUSE, client=sru, problems=own,
                         details=invalid, last=1, expected=f"record elements in {MARCXML_NS}, valid against MARC21slim.xsd")


@pytest.mark.requirement("SRU-01")
@pytest.mark.failed_by(defects.UNKNOWN_SCHEMA_AS_DEFAULT)
def test_unknown_schema_gets_diagnostic_66(sru: SruClient, sru_target: SruTarget,
                                          held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """A recordSchema the server does not know is answered with diagnostic 66

    nb: Et recordSchema serveren ikke kjenner, besvares med diagnostikk 66
    """
    query = _isbn_query(sru_target, held_catalogue["hx0000001"])
    for version in sru_target.versions:
        result = sru.search_retrieve(query, version=version, maximum_records=1, record_schema="harness-no-such-schema")
        response = c.search(result, sru, f"{version} recordSchema=harness-no-such-schema")
        found = [*c.codes(result), *(r.diagnostic.code for r in response.records if r.diagnostic is not None)]
        if 66 not in found:
            raise c.fail(f"{version}: recordSchema=harness-no-such-schema was answered with {len(response.records)} "
                         f"records and {c.describe(response.diagnostics)}", clause=UNKNOWN_SCHEMA_CLAUSE, client=sru,
                         last=1, expected="diagnostic 66 (Unknown schema for retrieval), fatal or per record")
