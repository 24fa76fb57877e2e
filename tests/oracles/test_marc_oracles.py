"""The MARC checker against judges nobody here wrote, on the same files.

(a) yaz-marcdump (Index Data): its inline "(...)" diagnostics per record, and its record count.
(b) MARC::Lint (Perl): its indicator and subfield-code warnings.
(c) Real exports kept in tests/data/<set>/ (each set's source and licence in its SOURCE.md),
    each file with the verdict we expect and why.

Where the oracle's program is missing the test skips with the install hint, except under
CI=true, where a missing oracle is a failure.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pymarc
import pytest
from marc_lint import lint_available, lint_command, run_lint
from pymarc import Field, Indicators, Subfield

from harness.errors import UsageError
from harness.marc.check import check_file
from harness.marc.iso2709 import check_record, iter_raw_records
from harness.rules import Severity

INSTALL_HINT = "apt-get install yaz libmarc-lint-perl"
REALWORLD = Path(__file__).resolve().parents[1] / "data"  # tests/data: part of the repository
MARC_SETS = ("norway-bibsys-php-marc", "pymarc-tests", "yaz-marc-files")  # tests/data also holds other protocols' captures


def _marc_data() -> list[Path]:
    return sorted(p for name in MARC_SETS for p in (REALWORLD / name).rglob("*"))
IN_CI = os.environ.get("CI") == "true"

# The classes of damage yaz diagnoses too: directory and field framing. (yaz does not look at
# indicators, subfield codes, tags, leader/09 or the encoding; those are compared with Lint.)
YAZ_CLASSES = frozenset({
    "base-address", "directory-length-multiple-of-12", "directory-entry-numeric",
    "directory-entry-in-bounds", "field-terminator", "field-length-limit",
})
LINT_CLASSES = frozenset({"indicator-valid", "subfield-code-valid", "control-field-no-subfields", "tag-valid"})
# MARC::Lint's coded warnings (and MARC::Record's decoding complaints) about the same things;
# its AACR2 punctuation advice is ignored.
LINT_CODED = re.compile(r"Indicator \d must be|Invalid indicators?|Subfield _.*is not allowed|"
                        r"Subfields are not allowed|is not a valid tag|^READ-ERROR")


def missing(what: str) -> None:
    message = f"{what} is not installed: {INSTALL_HINT}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def yaz() -> str:
    return shutil.which("yaz-marcdump") or missing("yaz-marcdump")  # type: ignore[func-returns-value]


@pytest.fixture(scope="module")
def lint(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The command that lints a file (tests/oracles/marc_lint.py)."""
    if not lint_available():
        missing("MARC::Lint (Perl)")
    return lint_command(tmp_path_factory.mktemp("lint"))


# --- the files: Sámi and Norwegian records built with pymarc, then damaged -----------------------


def record_bytes(number: str) -> bytes:
    record = pymarc.Record()
    record.leader = pymarc.Leader("00000cam a2200000 i 4500")
    record.add_field(
        Field(tag="001", data=f"NO{number}"),
        Field(tag="008", data="240101s2024    no a   j      000 1 sme d"),
        Field(tag="100", indicators=Indicators("1", " "), subfields=[Subfield("a", "Áilu, Máret Ánne")]),
        Field(tag="245", indicators=Indicators("1", "0"), subfields=[
            Subfield("a", "Čáppa ŋuolggat ja đuoddar :"), Subfield("b", "šaddu, ŧ, ž /"), Subfield("c", "Máret Ánne.")]),
        Field(tag="500", indicators=Indicators(" ", " "), subfields=[Subfield("a", "Blåbærsyltetøy på Ærøy.")]),
        Field(tag="650", indicators=Indicators(" ", "7"), subfields=[Subfield("a", "Duodji"), Subfield("2", "humord")]),
    )
    return record.as_marc()


def _entries(data: bytes) -> list[tuple[int, bytes, int, int]]:
    base = int(data[12:17])
    return [(p, data[p : p + 3], int(data[p + 3 : p + 7]), int(data[p + 7 : p + 12])) for p in range(24, base - 1, 12)]


def _field(data: bytes, tag: bytes) -> tuple[int, int]:
    _, _, length, start = next(e for e in _entries(data) if e[1] == tag)
    return int(data[12:17]) + start, length


def _patch(data: bytes, at: int, new: bytes) -> bytes:
    return data[:at] + new + data[at + len(new) :]


def _lengths_in_characters(data: bytes) -> bytes:
    """Re-count every length in characters, as a UTF-8-unaware writer does."""
    text = data.decode("utf-8")
    base = int(text[12:17])
    directory, fields = "", text[base:-1].split("\x1e")[:-1]
    start = 0
    for (_, tag, _, _), body in zip(_entries(data), fields, strict=True):
        directory += f"{tag.decode()}{len(body) + 1:04d}{start:05d}"
        start += len(body) + 1
    return f"{base + start + 1:05d}{text[5:24]}{directory}\x1e{text[base:]}".encode()


def _oversize_field(number: str) -> bytes:
    record = pymarc.Record(data=record_bytes(number))
    record.add_field(Field(tag="505", indicators=Indicators("0", " "), subfields=[Subfield("a", "ŋ" * 6000)]))
    return record.as_marc()


Damage = Callable[[bytes], bytes]
DAMAGE: dict[str, Damage] = {
    "lengths-in-characters": _lengths_in_characters,
    "base-address-off-by-one": lambda d: _patch(d, 12, b"%05d" % (int(d[12:17]) + 1)),
    "base-address-not-numeric": lambda d: _patch(d, 12, b"00x00"),
    "directory-entry-out-of-bounds": lambda d: _patch(d, _entries(d)[-1][0] + 7, b"90000"),
    "directory-entry-not-numeric": lambda d: _patch(d, _entries(d)[2][0] + 3, b"00x9"),
    "field-terminator-missing": lambda d: _patch(d, sum(_field(d, b"245")) - 1, b" "),
    "leader-length-too-small": lambda d: _patch(d, 0, b"%05d" % (len(d) - 3)),
    "field-over-9999-bytes": lambda d: _oversize_field("2"),
    "bad-indicator": lambda d: _patch(d, _field(d, b"245")[0], b"X"),
    "bad-subfield-code": lambda d: _patch(d, _field(d, b"650")[0] + 3, b" "),
    "subfield-in-control-field": lambda d: _patch(d, _field(d, b"001")[0] + 1, b"\x1f"),
    "leader09-blank-on-utf8": lambda d: _patch(d, 9, b" "),
}
LINT_DAMAGE = ("bad-indicator", "bad-subfield-code", "subfield-in-control-field")


def damaged_file(directory: Path, name: str) -> Path:
    """good + damaged + good, so that losing the record after the damage shows."""
    path = directory / f"{name}.mrc"
    path.write_bytes(record_bytes("1") + DAMAGE[name](record_bytes("2")) + record_bytes("3"))
    return path


def good_file(directory: Path) -> Path:
    path = directory / "good.mrc"
    path.write_bytes(b"".join(record_bytes(str(i)) for i in range(1, 6)))
    return path


def our_fails(path: Path) -> list[set[str]]:
    with path.open("rb") as fh:
        return [{p.rule.id for p in check_record(raw) if p.severity is Severity.FAIL} for raw in iter_raw_records(fh)]


# --- (a) yaz-marcdump ----------------------------------------------------------------------------


def yaz_diagnostics(yaz: str, path: Path) -> list[list[str]]:
    """yaz's inline diagnostics, per record, from its line format (records end with a blank line)."""
    out = subprocess.run([yaz, str(path)], capture_output=True, timeout=60, check=False).stdout.decode("latin-1")
    blocks = [b.strip().split("\n") for b in out.split("\n\n") if b.strip()]
    # "<!-- Skipping bad byte -->" comments are bytes between records, not a record
    blocks = [b for b in blocks if not all(line.startswith("<!--") for line in b)]
    return [[line for line in block if line.startswith("(")] for block in blocks]


def yaz_count(yaz: str, path: Path) -> int:
    done = subprocess.run([yaz, "-n", "-r", str(path)], capture_output=True, timeout=60, check=False)
    found = re.search(rb"records read: (\d+)", done.stderr)
    assert found, done.stderr
    return int(found[1])


def assert_agrees_with_yaz(yaz: str, path: Path) -> None:
    ours, theirs = our_fails(path), yaz_diagnostics(yaz, path)
    assert len(ours) >= yaz_count(yaz, path)
    assert len(ours) == len(theirs), f"{path.name}: yaz printed {len(theirs)} records, we read {len(ours)}"
    for index, (rules, diagnostics) in enumerate(zip(ours, theirs, strict=True)):
        if rules & YAZ_CLASSES:
            assert diagnostics, f"{path.name} record {index + 1}: we FAIL {sorted(rules)}, yaz says nothing"
        if diagnostics:
            assert rules, f"{path.name} record {index + 1}: yaz says {diagnostics}, we find nothing"


def realworld_iso_files() -> list[Path]:
    return sorted(p for p in _marc_data() if p.suffix in (".mrc", ".dat", ".marc"))


@pytest.mark.peer
@pytest.mark.parametrize("damage", [None, *DAMAGE])
def test_structural_fail_iff_yaz_diagnoses(yaz: str, tmp_path: Path, damage: str | None) -> None:
    path = good_file(tmp_path) if damage is None else damaged_file(tmp_path, damage)
    assert_agrees_with_yaz(yaz, path)
    fails = our_fails(path)
    assert (fails[-1], bool(fails[1])) == (set(), damage is not None)  # the record after the damage is read, clean


@pytest.mark.peer
@pytest.mark.parametrize("path", realworld_iso_files(), ids=lambda p: p.name)
def test_real_files_agree_with_yaz(yaz: str, path: Path) -> None:
    assert_agrees_with_yaz(yaz, path)


@pytest.mark.peer
def test_we_keep_reading_where_yaz_loses_records(yaz: str, tmp_path: Path) -> None:
    """A leader/00-04 that is 3 too big: yaz trusts it and swallows the next record's start."""
    path = tmp_path / "long-leader.mrc"
    bad = record_bytes("2")
    path.write_bytes(record_bytes("1") + _patch(bad, 0, b"%05d" % (len(bad) + 3)) + record_bytes("3"))
    assert yaz_count(yaz, path) == 2
    assert our_fails(path) == [set(), {"record-length-bytes"}, set()]


# --- (b) MARC::Lint -------------------------------------------------------------------------------


def lint_flags(lint: list[str], path: Path) -> list[bool]:
    """Per record Lint read (or died on), whether it has a coded (indicator/subfield/tag) warning."""
    flags: dict[int, bool] = {}
    for number, warning in run_lint(lint, path):
        flags[number] = flags.get(number, False) or bool(LINT_CODED.search(warning))
    return [flags[i] for i in sorted(flags)]


@pytest.mark.peer
@pytest.mark.parametrize("damage", [None, *LINT_DAMAGE])
def test_coded_fail_iff_lint_warns(lint: list[str], tmp_path: Path, damage: str | None) -> None:
    path = good_file(tmp_path) if damage is None else damaged_file(tmp_path, damage)
    ours = [bool(rules & LINT_CLASSES) for rules in our_fails(path)]
    theirs = lint_flags(lint, path)
    assert ours[: len(theirs)] == theirs
    assert any(ours) == (damage is not None)


@pytest.mark.peer
@pytest.mark.parametrize("name", ["bad_indicator.dat", "bad_subfield_code.dat"])
def test_real_coded_damage_is_flagged_by_both(lint: list[str], name: str) -> None:
    path = REALWORLD / "pymarc-tests" / name
    assert our_fails(path)[0] & LINT_CLASSES
    assert lint_flags(lint, path)[0]


# --- (c) real-world files -------------------------------------------------------------------------

WELL_FORMED_ONLY = "well-formed only"  # MarcXchange, OAI/SRU envelopes, records without namespace
REFUSED = "refused as not MARC"

# path: (expected rules, FAIL and WARN; or a mode), why
EXPECTED: dict[str, tuple[frozenset[str] | str, str]] = {
    # yaz test records
    "yaz-marc-files/marccol1.u8.marc": (frozenset(), "19 real UTF-8 records with 880/$6 (CJK, Indic)"),
    "yaz-marc-files/marccol2.u8.marc": (frozenset(), "real UTF-8 record with 880s"),
    "yaz-marc-files/marccol3.u8.marc": (frozenset(), "real UTF-8 record with 880s"),
    "yaz-marc-files/marccol4.u8.marc": (frozenset(), "real UTF-8 serial record"),
    "yaz-marc-files/marccol5.u8.marc": (frozenset(), "11 real UTF-8 records with 880s"),
    "yaz-marc-files/marc6.marc": (frozenset(), "DLC test record, ASCII"),
    "yaz-marc-files/marc7.marc": (frozenset(), "OCLC record, MARC-8"),
    "yaz-marc-files/marc9.marc": (frozenset(), "serial record, MARC-8"),
    "yaz-marc-files/marc5.marc": (frozenset({"data-field-structure"}),
                                  "UTF-8 Greek; 250 '2η εκδ.' has no subfield delimiter after its indicators"),
    "yaz-marc-files/marc0.marc": (frozenset({"indicator-valid"}), "092's 2nd indicator is the first byte of UTF-8 'á'"),
    "yaz-marc-files/marc1.marc": (frozenset({"leader-fixed-positions"}), "danMARC2: leader/10 '3' (3-char indicators), /20-23 '45  '"),
    "yaz-marc-files/marc2.marc": (frozenset({"leader-fixed-positions"}), "danMARC2: leader/10 '3' (3-char indicators), /20-23 '45  '"),
    "yaz-marc-files/marc3.marc": (frozenset({"leader-fixed-positions", "control-field-no-subfields", "data-field-structure", "tag-alphabetic"}),
                                  "danMARC2 with /10 '2': 001 has subfields, local J01-style tags, /20-23 '45  '"),
    "yaz-marc-files/marc4.marc": (frozenset({"record-length-bytes", "leader-fixed-positions", "leader09-value", "base-address",
                                             "directory-length-multiple-of-12", "inter-record-garbage"}),
                                  "leader shifted 5 bytes (record length written twice); trailing spaces"),
    "yaz-marc-files/marc8.marc": (frozenset({"leader09-value"}), "real MARC-8 record with leader/09 '^' (a display stand-in for blank)"),
    "yaz-marc-files/marc10.marc": (frozenset({"leader-fixed-positions"}), "Danish export: leader/20-23 '450 '"),
    "yaz-marc-files/marc11.marc": (frozenset({"leader-fixed-positions"}), "Danish export: leader/20-23 '450 '"),
    "yaz-marc-files/marc12.marc": (frozenset({"subfield-code-valid"}), "MARC-8 880 with an escape sequence (1B hex) right after a delimiter"),
    # pymarc test data
    "pymarc-tests/test.dat": (frozenset(), "10 LC records, MARC-8"),
    "pymarc-tests/marc.dat": (frozenset(), "20 LC records, MARC-8"),
    "pymarc-tests/one.dat": (frozenset(), "one LC record"),
    "pymarc-tests/marc8.dat": (frozenset(), "MARC-8 with ANSEL diacritics: blank leader/09 is honest"),
    "pymarc-tests/diacritic.dat": (frozenset(), "UTF-8 with leader/09 'a'"),
    "pymarc-tests/multi_isbn.dat": (frozenset(), "UTF-8 record"),
    "pymarc-tests/utf8_with_leader_flag.dat": (frozenset(), "UTF-8 with leader/09 'a'"),
    "pymarc-tests/utf8_errors.dat": (frozenset(), "valid UTF-8 (the 'errors' are in content pymarc tests, not structure)"),
    "pymarc-tests/bad_eacc_encoding.dat": (frozenset(), "structurally sound; the bad EACC is MARC-8 content, not checked here"),
    "pymarc-tests/bad_marc8_escape.dat": (frozenset(), "structurally sound; the bad escape is MARC-8 content, not checked here"),
    "pymarc-tests/1251.dat": (frozenset(), "windows-1251 under blank leader/09: not UTF-8, so not told apart from MARC-8"),
    "pymarc-tests/alphatag.dat": (frozenset({"tag-alphabetic"}), "Aleph's local CAT fields: allowed, warned"),
    "pymarc-tests/regression45.dat": (frozenset({"data-field-structure"}), "752 '  \\$a...': a stray backslash before the first subfield"),
    "pymarc-tests/bad_indicator.dat": (frozenset({"tag-valid", "indicator-valid", "inter-record-garbage"}),
                                       "020 written with tag '0 2' and no indicators; 821 trailing spaces"),
    "pymarc-tests/bad_subfield_code.dat": (frozenset({"subfield-code-valid", "record-length-bytes", "field-terminator", "leader09-matches-encoding"}),
                                           "code 'á' in 245 (UTF-8 under blank leader/09), lengths counted in characters"),
    "pymarc-tests/bad_records.mrc": (frozenset({"base-address", "directory-length-multiple-of-12", "inter-record-garbage"}),
                                     "8 records, 5 damaged on purpose (see the per-record test); trailing newline"),
    "pymarc-tests/utf8_invalid.mrc": (frozenset({"subfield-code-valid"}), "260 has U+FFFD (EF BF BD) where a subfield code belongs"),
    "pymarc-tests/utf8_without_leader_flag.dat": (frozenset({"leader09-matches-encoding"}), "UTF-8 bytes, leader/09 blank"),
    "pymarc-tests/testunimarc.dat": (frozenset({"leader09-matches-encoding", "inter-record-garbage"}),
                                     "UNIMARC, not MARC 21: UTF-8 (NSB/NSE as C2 88/C2 89) under blank leader/09"),
    "pymarc-tests/batch.xml": (frozenset(), "LC MARCXML collection"),
    "pymarc-tests/utf8.xml": (frozenset(), "MARCXML, UTF-8"),
    "pymarc-tests/bad_tag.xml": (frozenset({"tag-valid", "xml-schema-valid"}), "datafield tag '42' and a 17-character leader"),
    "pymarc-tests/batch.json": (REFUSED, "MARC-in-JSON"),
    "pymarc-tests/one.json": (REFUSED, "MARC-in-JSON"),
    "pymarc-tests/test.json": (REFUSED, "MARC-in-JSON"),
    "pymarc-tests/test_marc8.txt": (REFUSED, "expected-output text for pymarc's tests"),
    "pymarc-tests/test_utf8.txt": (REFUSED, "expected-output text for pymarc's tests"),
    # Norwegian data (BIBSYS / Alma, php-marc tests)
    "norway-bibsys-php-marc/sandburg.mrc": (frozenset(), "LC sample, MARC-8"),
    "norway-bibsys-php-marc/binary-marc.mrc": (frozenset({"tag-valid"}), "a 300 written with tag '30-'"),
    "norway-bibsys-php-marc/examples_bibliographic2.xml": (frozenset({"tag-alphabetic"}), "Alma MARCXML; local AVA availability field"),
    "norway-bibsys-php-marc/alma-bibs-api-invalid.xml": (frozenset({"xml-well-formed"}), "declared UTF-16, written in UTF-8"),
    "norway-bibsys-php-marc/examples_authority.xml": (WELL_FORMED_ONLY, "MarcXchange authority record"),
    "norway-bibsys-php-marc/examples_bibliographic3.xml": (WELL_FORMED_ONLY, "MARCXML record without a namespace"),
    "norway-bibsys-php-marc/examples_holdings.xml": (WELL_FORMED_ONLY, "holdings record without a namespace"),
    "norway-bibsys-php-marc/oaipmh-bibsys.xml": (WELL_FORMED_ONLY, "OAI-PMH response with MarcXchange"),
    "norway-bibsys-php-marc/sru-alma.xml": (WELL_FORMED_ONLY, "SRU response, records without a namespace"),
    "norway-bibsys-php-marc/sru-bibsys.xml": (WELL_FORMED_ONLY, "SRU response with MarcXchange"),
    "norway-bibsys-php-marc/sru-kth.xml": (WELL_FORMED_ONLY, "SRU response with MARCXML (CJK)"),
    "norway-bibsys-php-marc/sru-loc.xml": (WELL_FORMED_ONLY, "SRU response with MARCXML"),
    "norway-bibsys-php-marc/sru-zdb.xml": (WELL_FORMED_ONLY, "SRU response with MARCXML"),
}
NOT_DATA = {".md", ".lst"}  # SOURCE.md; yaz's expected line-format output (.lst) is checked below


def realworld_files() -> list[str]:
    return sorted(str(p.relative_to(REALWORLD)) for p in _marc_data() if p.is_file() and p.suffix not in NOT_DATA and not p.name.startswith("."))


@pytest.fixture(scope="module")
def realworld() -> Path:
    return REALWORLD


def test_every_real_file_has_an_expected_verdict(realworld: Path) -> None:
    assert sorted(EXPECTED) == realworld_files()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_file_verdict(realworld: Path, name: str) -> None:
    expected, why = EXPECTED[name]
    path = realworld / name
    if expected == REFUSED:
        with pytest.raises(UsageError, match="not MARC"):
            check_file(path)
        return
    report = check_file(path)
    if expected == WELL_FORMED_ONLY:
        assert "xml-well-formed" not in report.counts_by_rule, why
        return
    assert set(report.counts_by_rule) == expected, why


def test_bad_records_per_record(realworld: Path) -> None:
    """pymarc's bad_records.mrc: a wrong base address or directory never costs the next record."""
    dir12 = "directory-length-multiple-of-12"
    assert our_fails(realworld / "pymarc-tests" / "bad_records.mrc") == [
        set(), {"base-address"}, {"base-address"}, {dir12}, {dir12}, {"base-address"}, set(), set()]


def test_yaz_line_format_files_are_refused(realworld: Path) -> None:
    for listing in sorted((realworld / "yaz-marc-files").glob("*.lst")):
        with pytest.raises(UsageError, match="not MARC"):
            check_file(listing)


def test_streaming_matches_whole_file_reading(realworld: Path) -> None:
    """Chunked framing finds the same records as reading the whole file at once."""
    for path in realworld_iso_files():
        data = path.read_bytes()
        assert list(iter_raw_records(io.BytesIO(data), chunk_size=97)) == list(iter_raw_records(io.BytesIO(data)))
