"""The MARC fixtures are current, deterministic, and hold what the suites rely on.

The catalogue is read with pymarc, an implementation that is not the generator's; the broken
files are checked for their one defect in the raw bytes, since a reader's silence is exactly
what several of them are built to expose.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import unicodedata
import warnings
from collections.abc import Callable
from pathlib import Path

import pymarc
import pytest
from lxml import etree

from harness.marc.diff import diff_records
from harness.paths import MARC_FIXTURES_DIR
from harness.profile import Library
from harness.sandbox.state import load_libraries

GENERATOR = MARC_FIXTURES_DIR / "generate.py"
LANGUAGES = {"nob", "nno", "sme", "smj", "sma", "fkv"}
NS = {"m": "http://www.loc.gov/MARC21/slim"}
FT, RT = 0x1E, b"\x1d"
ROUND_TRIP_NOTE = "Round-trip test record: "
ALPHABETIC_TAGS = {"CAT", "ava"}  # in the round-trip record "alphabetic and lowercase tags" only


def _generate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(GENERATOR), *args], check=False, capture_output=True, text=True, timeout=120)


def _read_iso(data: bytes) -> list[pymarc.Record]:
    reader = pymarc.MARCReader(data, to_unicode=True)
    records = list(reader)
    assert None not in records, reader.current_exception
    return records


def _values(record: pymarc.Record) -> list[str]:
    return [s.value for f in record.fields if not f.is_control_field() for s in f.subfields]


def _is_nfd_test_record(record: pymarc.Record) -> bool:
    return any("NFD test record" in v for f in record.get_fields("500") for v in f.get_subfields("a"))


def _kind(record: pymarc.Record) -> str | None:
    """The kind of a round-trip test record (fixtures/marc/_changes.py), from its 500 note."""
    for value in (v for f in record.get_fields("500") for v in f.get_subfields("a")):
        if value.startswith(ROUND_TRIP_NOTE):
            return value.removeprefix(ROUND_TRIP_NOTE).removesuffix(".")
    return None


def _iso_size(record: pymarc.Record) -> tuple[int, int]:
    """(record bytes, largest field bytes) were the record written as ISO 2709."""
    sizes = [len(f.as_marc("utf-8")) for f in record.fields]
    return 24 + 12 * len(sizes) + 1 + sum(sizes) + 1, max(sizes)


@pytest.fixture(scope="module")
def raw_catalogue() -> bytes:
    return (MARC_FIXTURES_DIR / "consortium.mrc").read_bytes()


@pytest.fixture(scope="module")
def catalogue(raw_catalogue: bytes) -> list[pymarc.Record]:
    return _read_iso(raw_catalogue)


@pytest.fixture(scope="module")
def libraries() -> dict[str, Library]:
    return load_libraries(MARC_FIXTURES_DIR / "libraries.toml")  # as the sandbox reads them


# --- the generator ---------------------------------------------------------------------------


def test_generator_is_deterministic(tmp_path: Path) -> None:
    for name in ("one", "two"):
        done = _generate("--out", str(tmp_path / name))
        assert done.returncode == 0, done.stderr
    one = {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()}
    two = {p.name: p.read_bytes() for p in (tmp_path / "two").iterdir()}
    assert len(one) >= 20 and one == two


def test_committed_fixtures_match_the_generator() -> None:
    done = _generate("--check")
    assert done.returncode == 0, done.stderr


def test_check_reports_a_stale_file(tmp_path: Path) -> None:
    assert _generate("--out", str(tmp_path)).returncode == 0
    (tmp_path / "prepub.mrc").write_bytes(b"00000")
    done = _generate("--check", "--out", str(tmp_path))
    assert done.returncode == 1 and "prepub.mrc" in done.stderr


# --- the catalogue -----------------------------------------------------------------------------


def test_catalogue_is_well_formed_utf8_iso2709(raw_catalogue: bytes, catalogue: list[pymarc.Record]) -> None:
    assert len(catalogue) >= 200
    assert {str(r.leader)[9] for r in catalogue} == {"a"}
    # pymarc recomputes every length and offset: equal bytes mean the generator's agree.
    assert b"".join(r.as_marc() for r in catalogue) == raw_catalogue
    numbers = [r["001"].data for r in catalogue]
    assert len(set(numbers)) == len(numbers)


def test_marcxml_holds_the_same_records(catalogue: list[pymarc.Record]) -> None:
    from_xml = pymarc.parse_xml_to_array(str(MARC_FIXTURES_DIR / "consortium.xml"))
    assert len(from_xml) == len(catalogue)
    for iso, xml in zip(catalogue, from_xml):
        assert str(iso.leader) == str(xml.leader)
        assert diff_records(iso, xml) == [], iso["001"].data


@pytest.mark.parametrize("name", ["consortium.xml", "oversize.xml"])
def test_marcxml_follows_the_slim_schema_patterns(name: str) -> None:
    root = etree.parse(str(MARC_FIXTURES_DIR / name)).getroot()
    assert root.tag == "{http://www.loc.gov/MARC21/slim}collection"
    assert all(re.fullmatch(r"[\d ]{5}[\dA-Za-z ]{5}[2 ]{2}[\d ]{5}[\dA-Za-z ]{3}4500", e.text) for e in root.iterfind(".//m:leader", NS))
    assert all(re.fullmatch(r"00[1-9]", e.get("tag")) for e in root.iterfind(".//m:controlfield", NS))
    for element in root.iterfind(".//m:datafield", NS):
        # MARC21slim.xsd's tagDataType: digits, or letters of one case; MARC 21 allows both
        assert re.fullmatch(r"0[1-9]\d|[1-9]\d\d", element.get("tag")) or element.get("tag") in ALPHABETIC_TAGS
        assert re.fullmatch(r"[\da-z ]", element.get("ind1")) and re.fullmatch(r"[\da-z ]", element.get("ind2"))
    assert all(len(e.get("code")) == 1 for e in root.iterfind(".//m:subfield", NS))


def test_every_record_has_the_fields_the_suites_read(catalogue: list[pymarc.Record]) -> None:
    for record in catalogue:
        number = record["001"].data
        assert record["003"] and record["005"] and record["040"] and record["041"] and record["245"], number
        assert len(record["008"].data) == 40, number
        assert record.get_fields("650", "651"), number
        isbn = record["020"]["a"]
        assert isbn.startswith("97882") and sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(isbn)) % 10 == 0, isbn
    assert sum(1 for r in catalogue if r.get_fields("035")) >= 50


def test_some_records_keep_a_catalogued_order_that_is_not_tag_order(catalogue: list[pymarc.Record]) -> None:
    # Otherwise an export that sorts fields by tag would pass MARC-02's order check unseen.
    unsorted = [r for r in catalogue if [f.tag for f in r.fields] != sorted(f.tag for f in r.fields)]
    assert len(unsorted) >= 10


def test_libraries_table_has_the_consortium(libraries: dict[str, Library]) -> None:
    kinds = {number: lib.kind for number, lib in libraries.items()}
    assert {"NO-9900001": "public", "NO-9900002": "public", "NO-9900003": "public", "NO-9900011": "school",
            "NO-9900012": "school", "NO-9900021": "bookbus"}.items() <= kinds.items()
    assert libraries["NO-9900001"].name == "Tromsø bibliotek"
    assert all(lib.isil and lib.code_for("sip2") != lib.number and lib.municipality for lib in libraries.values())


def test_every_record_has_holdings_of_known_libraries(catalogue: list[pymarc.Record], libraries: dict[str, Library]) -> None:
    barcodes = []
    for record in catalogue:
        holdings = record.get_fields("852")
        assert holdings, record["001"].data
        for holding in holdings:
            assert holding["a"] in libraries, holding
            assert holding["b"] and holding["c"] and holding["h"] and holding["p"], holding
            barcodes.append(holding["p"])
    assert len(set(barcodes)) == len(barcodes)


def test_one_record_is_held_by_public_school_and_bookbus(catalogue: list[pymarc.Record], libraries: dict[str, Library]) -> None:
    kinds = [{libraries[h["a"]].kind for h in r.get_fields("852")} for r in catalogue]
    assert any({"public", "school", "bookbus"} <= k for k in kinds)


def test_every_language_and_its_letters_are_present(catalogue: list[pymarc.Record]) -> None:
    assert {r["008"].data[35:38] for r in catalogue} == LANGUAGES
    text = unicodedata.normalize("NFC", " ".join(v for r in catalogue for v in _values(r)))
    for letter in "æøåÆØÅŋŧđčšžáïäöń":
        assert letter in text, letter


def test_880_linkage_resolves(catalogue: list[pymarc.Record]) -> None:
    linked = [r for r in catalogue if r.get_fields("880")]
    assert len(linked) >= 3
    for record in linked:
        for field in record.fields:
            if field.tag != "880" and not field.is_control_field() and field.get("6"):
                partners = record.get_linked_fields(field)  # raises MissingLinkedFields if broken
                assert [p["6"].split("-")[0] for p in partners] == [field.tag]
        for alternate in record.get_fields("880"):
            tag, occurrence = alternate["6"].split("/")[0].split("-")
            assert record[tag]["6"] == f"880-{occurrence}"
    assert any(f["6"].endswith("/(N") and f["6"].startswith("100-") for r in linked for f in r.get_fields("880"))


def test_nfd_records_are_nfd_and_the_rest_nfc(catalogue: list[pymarc.Record]) -> None:
    nfd = [r for r in catalogue if _is_nfd_test_record(r)]
    assert len(nfd) >= 3
    for record in nfd:
        values = _values(record)
        assert all(unicodedata.is_normalized("NFD", v) for v in values)
        joined = "".join(values)
        assert "a\u0301" in joined and not unicodedata.is_normalized("NFC", joined)
    assert any("c\u030c" in "".join(_values(r)) for r in nfd)
    mixed = "text a system might normalise"  # the one record with both forms, one per field
    assert all(unicodedata.is_normalized("NFC", v) for r in catalogue if not _is_nfd_test_record(r) and _kind(r) != mixed
               for v in _values(r))
    (both,) = [r for r in catalogue if _kind(r) == mixed]
    assert "č" in "".join(_values(both)) and "c\u030c" in "".join(_values(both))


# --- pre-publication, full and changed record (MARC-03) -----------------------------------------


def test_prepublication_steps(raw_catalogue: bytes) -> None:
    raw = {name: (MARC_FIXTURES_DIR / f"{name}.mrc").read_bytes() for name in ("prepub", "prepub_full", "prepub_changed")}
    (prepub,), (full,), (changed,) = (_read_iso(data) for data in raw.values())
    assert raw["prepub"] in raw_catalogue
    assert str(prepub.leader)[17] == "5" and str(full.leader)[17] == " " and str(changed.leader)[17] == " "
    assert str(changed.leader)[5] == "c"
    assert prepub["035"]["a"] == full["035"]["a"] == changed["035"]["a"] and prepub["035"]["a"].startswith("(NO-OsBA)")
    assert prepub["001"].data != full["001"].data  # only 035 can join them
    assert prepub.get_fields("852") and len(full.fields) > len(prepub.fields) - len(prepub.get_fields("852"))
    status, retitled = diff_records(full, changed, ignore_tags=frozenset({"005"}))
    assert status.tag == "LDR" and status.detail.startswith("leader/05 'n' → 'c'")
    assert (retitled.tag, retitled.kind) == ("245", "changed") and retitled.detail.startswith("$b ")


# --- oversize records (MARC-04) ------------------------------------------------------------------


def test_oversize_records_exceed_what_iso2709_can_hold(catalogue: list[pymarc.Record]) -> None:
    big, long_field = pymarc.parse_xml_to_array(str(MARC_FIXTURES_DIR / "oversize.xml"))
    big_size, big_field = _iso_size(big)
    assert big_size > 99_999 and big_field <= 9_999
    long_size, long_largest = _iso_size(long_field)
    assert long_largest > 9_999 and long_size <= 99_999
    assert max(len(s.value.encode()) for f in long_field.get_fields("505") for s in f.subfields) > 9_999  # one subfield
    assert all(r.get_fields("852") for r in (big, long_field))
    assert {big["001"].data, long_field["001"].data}.isdisjoint(r["001"].data for r in catalogue)


def test_generator_refuses_to_write_oversize_records_as_iso2709() -> None:
    spec = importlib.util.spec_from_file_location("marc_fixture_bytes", MARC_FIXTURES_DIR / "_broken.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for record in pymarc.parse_xml_to_array(str(MARC_FIXTURES_DIR / "oversize.xml")):
        with pytest.raises(ValueError, match="does not fit ISO 2709"):
            module.to_iso2709(record)


# --- broken files: each has its one defect -----------------------------------------------------


def _directory(record: bytes) -> tuple[int, list[tuple[bytes, int, int]]]:
    base = int(record[12:17])
    entries = [(record[p : p + 3], int(record[p + 3 : p + 7]), int(record[p + 7 : p + 12])) for p in range(24, base - 1, 12)]
    return base, entries


def _ends_with_terminator(record: bytes, tag: bytes) -> bool:
    base, entries = _directory(record)
    _, length, start = next(e for e in entries if e[0] == tag)
    return record[base + start + length - 1] == FT


def _pymarc_error(record: bytes) -> type[Exception] | None:
    reader = pymarc.MARCReader(record)
    next(iter(reader), None)
    return type(reader.current_exception) if reader.current_exception else None


def _bad_record_length_chars(bad: bytes) -> None:
    assert int(bad[:5]) != len(bad) and int(bad[:5]) == len(bad.decode("utf-8"))


def _bad_directory_length(bad: bytes) -> None:
    assert not _ends_with_terminator(bad, b"245") and _ends_with_terminator(bad, b"100")
    assert _pymarc_error(bad) is None  # pymarc reads it, silently truncating 245


def _bad_base_address(bad: bytes) -> None:
    base = int(bad[12:17])
    assert bad[base - 1] != FT and bad[base - 6] == FT


def _bad_directory_not_multiple_of_12(bad: bytes) -> None:
    assert (bad.index(FT) - 24) % 12 != 0 and int(bad[12:17]) == bad.index(FT) + 1
    assert _pymarc_error(bad) is pymarc.RecordDirectoryInvalid


def _missing_field_terminator(bad: bytes) -> None:
    base, entries = _directory(bad)
    assert int(bad[:5]) == len(bad) and bad.endswith(RT)
    assert bad[base:].count(FT) == len(entries) - 1 and not _ends_with_terminator(bad, b"245")


def _missing_record_terminator(bad: bytes) -> None:
    assert int(bad[:5]) == len(bad) and not bad.endswith(RT)


def _bad_indicator(bad: bytes) -> None:
    assert pymarc.Record(data=bad)["245"].indicator2 == "#"


def _bad_subfield_code(bad: bytes) -> None:
    assert b"\x1f\xc3\xa5" in bad
    with pytest.warns(pymarc.BadSubfieldCodeWarning):
        pymarc.Record(data=bad)


def _leader09_blank_utf8(bad: bytes) -> None:
    assert bad[9:10] == b" " and not bad.decode("utf-8").isascii()


def _invalid_utf8(bad: bytes) -> None:
    assert bad[9:10] == b"a" and b"\xe6" in bad
    with pytest.raises(UnicodeDecodeError):
        bad.decode("utf-8")


def _field_over_9999_pymarc(bad: bytes) -> None:
    assert (bad.index(FT) - 24) % 12 == 1  # one 5-digit length in a 4-digit slot
    assert re.search(rb"505\d{5}\d{5}", bad[: bad.index(FT)])
    assert _pymarc_error(bad) is pymarc.RecordDirectoryInvalid


SANDWICHED: dict[str, Callable[[bytes], None]] = {
    "bad_record_length_chars.mrc": _bad_record_length_chars,
    "bad_directory_length.mrc": _bad_directory_length,
    "bad_base_address.mrc": _bad_base_address,
    "bad_directory_not_multiple_of_12.mrc": _bad_directory_not_multiple_of_12,
    "missing_field_terminator.mrc": _missing_field_terminator,
    "missing_record_terminator.mrc": _missing_record_terminator,
    "bad_indicator.mrc": _bad_indicator,
    "bad_subfield_code.mrc": _bad_subfield_code,
    "leader09_blank_utf8.mrc": _leader09_blank_utf8,
    "invalid_utf8.mrc": _invalid_utf8,
    "field_over_9999_pymarc.mrc": _field_over_9999_pymarc,
}


@pytest.fixture(scope="module")
def good_pair(raw_catalogue: bytes) -> tuple[bytes, bytes]:
    """The good records the broken files put before and after the bad one (hx0000002, hx0000003)."""
    chunks = [c + RT for c in raw_catalogue.split(RT)[:3]]
    return chunks[1], chunks[2]


@pytest.mark.parametrize("name", sorted(SANDWICHED))
def test_broken_file_has_its_defect_between_good_records(name: str, good_pair: tuple[bytes, bytes]) -> None:
    data = (MARC_FIXTURES_DIR / name).read_bytes()
    before, after = good_pair
    assert data.startswith(before) and data.endswith(after)
    bad = data[len(before) : -len(after)]
    assert bad[:3].isdigit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pymarc.BadSubfieldCodeWarning)  # only _bad_subfield_code asserts it
        SANDWICHED[name](bad)


def test_truncated_record_ends_mid_record(good_pair: tuple[bytes, bytes]) -> None:
    data = (MARC_FIXTURES_DIR / "truncated_record.mrc").read_bytes()
    assert data.startswith(good_pair[0] + good_pair[1])
    tail = data[len(good_pair[0] + good_pair[1]) :]
    assert tail and int(tail[:5]) > len(tail) and not data.endswith(RT)


def test_missing_record_terminator_loses_records_in_pymarc() -> None:
    data = (MARC_FIXTURES_DIR / "missing_record_terminator.mrc").read_bytes()
    assert data.count(RT) == 2
    assert sum(r is not None for r in pymarc.MARCReader(data)) < 3


def test_not_well_formed_xml() -> None:
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring((MARC_FIXTURES_DIR / "not_well_formed.xml").read_bytes())


def test_schema_invalid_xml_is_well_formed_but_breaks_the_patterns() -> None:
    root = etree.fromstring((MARC_FIXTURES_DIR / "schema_invalid.xml").read_bytes())
    fields = root.findall(".//m:datafield", NS)
    assert any(f.get("tag") == "24" for f in fields) and any(f.get("ind1") == "AB" for f in fields)
    assert len(root.findall("m:record", NS)) == 3


def test_not_marc_is_neither_iso2709_nor_xml() -> None:
    data = (MARC_FIXTURES_DIR / "not_marc.txt").read_bytes()
    assert not data[:5].isdigit() and not data.lstrip().startswith(b"<") and RT not in data and bytes([FT]) not in data


# --- round-trip test records: each kind of change would show ---------------------------------------

ROUND_TRIP_KINDS = {
    "subfield order and repetition", "linkage $6 first and not first, RTL 880", "every indicator value",
    "local fields and $9 LOCAL", "alphabetic and lowercase tags", "long note and URL", "text a system might normalise",
    "authority links", "serial with 85X/86X", "several copies in one library",
}


@pytest.fixture(scope="module")
def by_kind(catalogue: list[pymarc.Record]) -> dict[str, pymarc.Record]:
    kinds = {_kind(r): r for r in catalogue if _kind(r)}
    assert set(kinds) == ROUND_TRIP_KINDS and len(kinds) == sum(1 for r in catalogue if _kind(r))
    return kinds  # type: ignore[return-value]


def _codes(field: pymarc.Field) -> str:
    return "".join(s.code for s in field.subfields)


def test_subfields_out_of_code_order_and_repeated(by_kind: dict[str, pymarc.Record]) -> None:
    record = by_kind["subfield order and repetition"]
    assert _codes(record["245"]) == "anpnpc"
    assert any(_codes(f).count("x") >= 3 for f in record.get_fields("650"))


def test_linkage_first_and_not_first_with_right_to_left_880(by_kind: dict[str, pymarc.Record]) -> None:
    record = by_kind["linkage $6 first and not first, RTL 880"]
    assert _codes(record["245"])[0] == "6" and _codes(record["100"])[-1] == "6"
    alternates = record.get_fields("880")
    assert {f["6"] for f in alternates} == {"245-01/(3/r", "100-02/(3/r"}
    assert any(_codes(f)[0] != "6" for f in alternates)
    assert any("\u0600" <= ch <= "\u06ff" for f in alternates for ch in f["a"])  # Arabic script


def test_indicators_of_every_value(catalogue: list[pymarc.Record], by_kind: dict[str, pymarc.Record]) -> None:
    assert {r["245"].indicator2 for r in catalogue} == set("0123456789")
    assert {r["245"].indicator1 for r in catalogue} == {"0", "1"}
    record = by_kind["every indicator value"]
    assert {f.indicator1 for f in record.get_fields("246")} == set("0123")
    assert {f.indicator2 for f in record.get_fields("246")} == set(" 012345678")
    assert {(f.indicator1, f.indicator2) for f in record.get_fields("650")} >= {(a, b) for a in " 012" for b in "01234567"}
    assert {f.indicator1 for f in record.get_fields("505")} == set("0128")
    assert {f.indicator2 for f in record.get_fields("264")} == set("01234")
    assert {f.indicator1 for f in record.get_fields("700")} == set("013")


def test_local_fields_and_tags(by_kind: dict[str, pymarc.Record]) -> None:
    local = by_kind["local fields and $9 LOCAL"]
    assert {"900", "913", "942", "999"} <= {f.tag for f in local.fields}
    assert {f.tag for f in local.fields if "LOCAL" in f.get_subfields("9")} == {"092", "690"}
    tags = [f.tag for f in by_kind["alphabetic and lowercase tags"].fields]
    assert {"CAT", "ava"} <= set(tags) and tags[-1] == "ava"


def test_long_note_and_url(by_kind: dict[str, pymarc.Record]) -> None:
    record = by_kind["long note and URL"]
    assert max(len(v.encode()) for f in record.get_fields("520") for v in f.get_subfields("a")) >= 2_990
    url = record["856"]["u"]
    assert "&" in url and "%" in url


def test_text_a_system_might_normalise(by_kind: dict[str, pymarc.Record]) -> None:
    values = _values(by_kind["text a system might normalise"])
    text = "\n".join(values)
    assert "  " in text and any(v.endswith(" ") for v in values)
    assert "\u00a0" in text and "\u00ad" in text and "\u200d" in text
    assert any(re.search(r"(^|\))0\d", v) for v in values)  # leading zeros: 035 $a and 084 $a
    assert "č" in text and "c\u030c" in text and "ŋ" in text
    assert all(letter in text for letter in "šžäöÅ")  # Kven letters


def test_records_an_ils_treats_specially(by_kind: dict[str, pymarc.Record], libraries: dict[str, Library]) -> None:
    linked = by_kind["authority links"]
    assert linked["100"]["0"].startswith("(NO-TrBIB)") and linked["655"]["0"].startswith("https://id.nb.no/")
    serial = by_kind["serial with 85X/86X"]
    assert str(serial.leader)[7] == "s" and len(serial["008"].data) == 40
    assert all(serial.get_fields(tag) for tag in ("022", "853", "863", "866"))
    copies = [h["a"] for h in by_kind["several copies in one library"].get_fields("852")]
    assert max(copies.count(number) for number in set(copies)) >= 3


def test_deleted_prepublication_step() -> None:
    (prepub,), (deleted,) = (_read_iso((MARC_FIXTURES_DIR / f"{name}.mrc").read_bytes()) for name in ("prepub", "prepub_deleted"))
    assert str(deleted.leader)[5] == "d" and str(deleted.leader)[17] == "5"
    assert deleted["001"].data == prepub["001"].data and deleted["035"]["a"] == prepub["035"]["a"]
    assert not deleted.get_fields("852")


def test_content_warning_records_have_one_content_error_each() -> None:
    from harness.marc.check import check_file

    found: dict[int, list[str]] = {}
    report = check_file(MARC_FIXTURES_DIR / "content_warnings.mrc", content=True,
                        on_problem=lambda p: found.setdefault(p.position.record, []).append(p.rule.id))  # type: ignore[union-attr]
    assert report.fail_count == 0 and report.records == 9
    assert [found.get(i, []) for i in range(report.records)] == [
        ["content-field-not-repeatable"], ["content-one-main-entry"], ["content-indicator-undefined"],
        ["content-subfield-undefined"], ["content-subfield-not-repeatable"], ["content-isbn"], ["content-880-linkage"],
        ["content-control-character"], ["content-title-missing"]]
