"""The streaming MARCXML checker: schema validity, MARC 21's own rules, well-formedness."""

from __future__ import annotations

import io
from pathlib import Path

import pymarc
import pytest
from pymarc import Field, Indicators, Subfield

from harness.marc.check import check_file
from harness.marc.marcxml import (
    SCHEMA_PATH,
    SLIM_NS,
    MarcXmlChecker,
    iter_marcxml_problems,
)
from harness.rules import Position, Problem, Severity

SAMI = "Sámegiella: čáppa ŋuolggat, đuoddar, šaddu, ŧ, ž — ČÁĐŊŠŦŽ"


def build_record(number: str) -> pymarc.Record:
    record = pymarc.Record()
    record.leader = pymarc.Leader("00000cam a2200000 i 4500")
    record.add_field(
        Field(tag="001", data=number),
        Field(tag="008", data="240101s2024    no a   j      000 1 sme d"),
        Field(tag="245", indicators=Indicators("1", "0"), subfields=[Subfield("a", SAMI), Subfield("c", "Máret Ánne")]),
        Field(tag="650", indicators=Indicators(" ", "7"), subfields=[Subfield("a", "Blåbærsyltetøy"), Subfield("2", "humord")]),
    )
    return record


def collection(*records: bytes, attributes: bytes = b"") -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="' + SLIM_NS.encode() + b'"' + attributes + b">\n"
            + b"\n".join(records) + b"\n</collection>\n")


def record_xml(number: str = "1") -> bytes:
    return pymarc.record_to_xml(build_record(number))  # no namespace: inherits the collection's


def problems(document: bytes) -> list[Problem]:
    return list(iter_marcxml_problems(io.BytesIO(document)))


def rules(document: bytes) -> set[str]:
    return {p.rule.id for p in problems(document)}


def test_good_collection_has_no_problems() -> None:
    checker = MarcXmlChecker(io.BytesIO(collection(record_xml("1"), record_xml("2"), record_xml("3"))))
    assert list(checker.problems()) == []
    assert checker.records == 3


def test_single_namespaced_record_document_is_valid() -> None:
    document = pymarc.record_to_xml(build_record("1"), namespace=True)
    assert problems(document) == []


def test_not_well_formed_reports_the_line() -> None:
    document = collection(record_xml("1"), record_xml("2"))
    cut = document[: document.rindex(b"</record>")]
    found = problems(cut)
    assert [p.rule.id for p in found] == ["xml-well-formed"]
    where = found[0].position
    assert where is not None and (where.unit, where.record) == ("line", 1)
    assert where.offset > 1 and found[0].message.startswith(f"line {where.offset}")


def test_mislabelled_encoding_is_not_well_formed() -> None:
    document = collection(record_xml()).replace(b'encoding="UTF-8"', b'encoding="UTF-16"')
    assert rules(document) == {"xml-well-formed"}


def test_schema_invalid_record_is_reported_with_index_and_line() -> None:
    bad = record_xml("2").replace(b"<leader>00000cam a2200000 i 4500</leader>", b"<leader>00000cam a2200000</leader>")
    document = collection(record_xml("1"), bad)
    found = problems(document)
    leader_line = document[: document.index(b"<leader>00000cam a2200000<")].count(b"\n") + 1
    assert [(p.rule.id, p.position) for p in found] == [("xml-schema-valid", Position(leader_line, "line", 1, "2"))]
    assert "leader" in found[0].message


def test_bad_tag_is_reported_once_as_the_marc21_rule() -> None:
    document = collection(record_xml().replace(b'tag="650"', b'tag="65"'))
    assert rules(document) == {"tag-valid"}


def test_bad_indicator() -> None:
    document = collection(record_xml().replace(b'ind1="1"', b'ind1="X"'))
    assert rules(document) == {"indicator-valid"}


def test_multi_character_subfield_code_as_bibsys_exports_it() -> None:
    document = collection(record_xml().replace(b'code="2"', b'code="BIBLIOTEK"'))
    assert rules(document) == {"subfield-code-valid"}


def test_capital_subfield_code_is_schema_valid_but_a_warning() -> None:
    found = problems(collection(record_xml().replace(b'code="2"', b'code="B"')))
    assert [(p.rule.id, p.severity) for p in found] == [("subfield-code-local", Severity.WARN)]


def test_control_tag_used_as_datafield() -> None:
    assert rules(collection(record_xml().replace(b'tag="650"', b'tag="009"'))) == {"control-field-no-subfields"}


def test_field_order_is_checked_by_the_schema() -> None:
    moved = record_xml().replace(b"</record>", b'<controlfield tag="005">20240101</controlfield></record>')
    assert rules(collection(moved)) == {"xml-schema-valid"}


def test_missing_namespace_is_invalid_and_fields_still_checked() -> None:
    document = b"<collection>" + record_xml().replace(b'ind2="7"', b'ind2="#"') + b"</collection>"
    found = problems(document)
    assert {p.rule.id for p in found} == {"xml-schema-valid", "indicator-valid"}


def test_envelope_is_reported_once_and_records_inside_are_checked() -> None:
    inner = pymarc.record_to_xml(build_record("1"), namespace=True)
    bad = pymarc.record_to_xml(build_record("2"), namespace=True).replace(b'ind1="1"', b'ind1="?"')
    document = (b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>'
                + b"".join(b"<record><metadata>" + r + b"</metadata></record>" for r in (inner, bad))
                + b"</ListRecords></OAI-PMH>")
    checker = MarcXmlChecker(io.BytesIO(document))
    found = list(checker.problems())
    assert [(p.rule.id, p.position and p.position.record) for p in found] == [("xml-schema-valid", 0), ("indicator-valid", 1)]
    assert checker.records == 2


def test_stray_content_in_collection() -> None:
    document = collection(record_xml("1"), b"<note>hello</note>", record_xml("2"))
    found = problems(document)
    assert [p.rule.id for p in found] == ["xml-schema-valid"] and "<note>" in found[0].message


def test_nothing_is_fetched_and_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doctype = f'<!DOCTYPE collection SYSTEM "http://127.0.0.1:9/marc.dtd" [<!ENTITY x SYSTEM "file://{secret}">]>'
    body = record_xml().replace(b"humord", b"&x;")
    document = collection(body).replace(b"?>\n", b"?>\n" + doctype.encode() + b"\n", 1)
    assert all("TOP-SECRET" not in p.message for p in problems(document))


def test_shipped_schema_says_what_it_is() -> None:
    head = SCHEMA_PATH.read_text(encoding="utf-8")[:1200]
    assert "transcription" in head and "Library of Congress" in head and SLIM_NS in SCHEMA_PATH.read_text(encoding="utf-8")


def test_check_file_on_marcxml(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes(collection(*(record_xml(str(i)) for i in range(500))))
    seen: list[tuple[int, int]] = []
    report = check_file(path, progress=lambda done, total: seen.append((done, total)))
    assert (report.format, report.records, report.fail_count, report.warn_count) == ("marcxml", 500, 0, 0)
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)


@pytest.mark.parametrize("bom", [b"\xef\xbb\xbf", b"  \n"])
def test_check_file_sniffs_xml_after_bom_or_whitespace(tmp_path: Path, bom: bytes) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes(bom + collection(record_xml()).lstrip())
    if bom.strip():
        assert check_file(path).format == "marcxml"
    else:
        report = check_file(path)  # leading whitespace before the XML declaration is not well-formed
        assert report.format == "marcxml" and report.counts_by_rule == {"xml-well-formed": 1}
