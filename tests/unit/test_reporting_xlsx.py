"""scorecard.xlsx, read back with openpyxl the way Excel would show it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sample_run import requirement

from harness.errors import UsageError
from harness.findings import evidence
from harness.reporting import render_xlsx, write_reports
from harness.reporting.csv_report import requirement_row
from harness.reporting.xlsx_report import MAX_CELL_CHARS
from harness.results import (
    CheckResult,
    Outcome,
    Override,
    RunManifest,
    RunResult,
    Verdict,
)

# What a target might send back: a MARC record terminator and markup.
HOSTILE_MESSAGE = "record ends 245 10\x1faNordlys\x1e\x1d then <script>alert(1)</script> & more"
FORMULA_MESSAGE = '=HYPERLINK("http://evil.example/","click")'
OVERRIDE_REASON = "245 $c is a declared system field (vendor's answer of 3 March)"
REPRODUCE = "harness run --suite marc -k test_fields_unchanged"

CHECKS = (
    CheckResult(
        id="scenarios/marc/test_export.py::test_leader_09", title="Leader/09 is a",
        requirements=("MARC-01", "KAT-03"), outcome=Outcome.PASS, suite="marc",
    ),
    CheckResult(
        id="scenarios/marc/test_roundtrip.py::test_fields_unchanged[consortium/nb]",
        title="Imported record comes back unchanged", requirements=("MARC-02", "KAT-03"),
        outcome=Outcome.FAIL, message=HOSTILE_MESSAGE, suite="marc", reproduce=REPRODUCE,
        evidence=(
            evidence(clause="MARC 21 bibliographic, 245", sent="245 10\x1faNordlys"),
            evidence(clause="second clause, not shown"),
        ),
    ),
    CheckResult(
        id="scenarios/sip2/test_core.py::test_tls", title="SIP2 over TLS",
        requirements=("SIP-07",), outcome=Outcome.WARN, message="plain TCP only", suite="sip2",
    ),
    CheckResult(
        id="scenarios/sru/test_explain.py::test_explain", title="SRU explain",
        requirements=("SRU-01",), outcome=Outcome.NOT_TESTED, message=FORMULA_MESSAGE, suite="sru",
    ),
    CheckResult(
        id="scenarios/marc/test_holdings.py::test_owner_isil", title="Holdings name their owner",
        requirements=("KAT-01",), outcome=Outcome.FLAKY, message="repeated runs disagree: FAIL, PASS", suite="marc",
    ),
)

# (id, kind, title_nb, title_en, override, external_id, weight, award_criterion)
_REQS = (
    ("MARC-01", "skal", "Fullt katalogeksport", "Full catalogue export", None, "", None, ""),
    ("MARC-02", "skal", "Import og eksport uendret", "Import and export unchanged",
     Override("MARC-02", Verdict.MET, OVERRIDE_REASON, by="Kari Nordmann"), "K-3.2.1", 2.5, "Kvalitet"),
    ("KAT-03", "bør", "Avgrens søk til ett bibliotek", "Limit a search to one library", None, "", 1.0, ""),
    ("SIP-07", "bør", "SIP2 over TLS", "", None, "", None, ""),
    ("SRU-01", "skal", "SRU samsvarer", "SRU conforms", None, "", None, ""),
    ("KAT-01", "skal", "Beholdning for flere bibliotek", "Holdings of several libraries", None, "", None, ""),
    ("Z-01", "skal", "Z39.50 grunnleggende", "Z39.50 basics", None, "", None, ""),
)


RUN = RunResult(
    manifest=RunManifest(
        suite_version="0.1.0", git_revision="abc1234", target="Bibliotekssystem Å",
        negotiation_round="2", started="2025-03-01T10:00:00+00:00", duration=12.5,
        command="harness run --target targets/a.toml", read_only=True,
        sandbox_defects=("sip2-bad-checksum", "marc-drop-035"),
    ),
    checks=CHECKS,
    requirements=tuple(requirement(r, CHECKS) for r in _REQS),
)

REQ_HEADERS = {
    "nb": ("Krav", "Ekstern id", "Type", "Tittel", "Vurdering", "Vurderingskode", "Foreslått av testen",
           "Foreslått kode", "Begrunnelse for overstyring", "Overstyrt av", "Vekt", "Tildelingskriterium",
           "Kontroller i alt", "Kontroller bestått", "Kontroller feilet", "Kontroller ikke verifisert"),
    "en": ("Requirement", "External id", "Kind", "Title", "Verdict", "Verdict code", "Proposed by the harness",
           "Proposed code", "Override reason", "Overridden by", "Weight", "Award criterion",
           "Checks in total", "Checks passed", "Checks failed", "Checks unverified"),
}
CHECK_HEADERS = {
    "nb": ("Kontroll-id", "Kontroll", "Testsamling", "Krav", "Utfall", "Utfallskode", "Melding",
           "Spesifikasjonspunkt", "Gjenskap med"),
    "en": ("Check id", "Check", "Suite", "Requirements", "Outcome", "Outcome code", "Message",
           "Spec clause", "Reproduce with"),
}
SHEETS = {"nb": ["Krav", "Kontroller", "Kjøring"], "en": ["Requirements", "Checks", "Run"]}


def _book(lang: str, run: RunResult = RUN) -> Workbook:
    return load_workbook(io.BytesIO(render_xlsx(run, lang)))


def _header(ws: Worksheet) -> tuple[object, ...]:
    return next(ws.iter_rows(min_row=1, max_row=1, values_only=True))


def _rows_by_id(ws: Worksheet) -> dict[str, dict[str, object]]:
    """Data rows keyed by their first cell, each a dict header → cell (not value)."""
    header = _header(ws)
    rows = {}
    for row in ws.iter_rows(min_row=2):
        rows[str(row[0].value)] = dict(zip(header, row, strict=True))
    return rows


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_sheets_and_headers_are_in_the_report_language(lang: str) -> None:
    book = _book(lang)
    assert book.sheetnames == SHEETS[lang]
    requirements, checks, _ = book.worksheets
    assert _header(requirements) == REQ_HEADERS[lang]
    assert _header(checks) == CHECK_HEADERS[lang]
    assert all(cell.font.bold for cell in requirements[1]) and all(cell.font.bold for cell in checks[1])


def test_one_row_per_requirement_with_verdict_code_and_translation_in_bokmal() -> None:
    ws = _book("nb")["Krav"]
    rows = _rows_by_id(ws)
    assert list(rows) == [r.id for r in RUN.requirements]  # register order, one row each
    assert ws.max_row == len(RUN.requirements) + 1
    got = {req_id: (row["Vurderingskode"].value, row["Vurdering"].value, row["Type"].value)
           for req_id, row in rows.items()}
    assert got == {
        "MARC-01": ("MET", "Oppfylt", "Skal"),
        "MARC-02": ("MET", "Oppfylt", "Skal"),  # overridden
        "KAT-03": ("PARTIAL", "Delvis oppfylt", "Bør"),
        "SIP-07": ("MET", "Oppfylt", "Bør"),
        "SRU-01": ("UNVERIFIED", "Ikke verifisert", "Skal"),
        "KAT-01": ("UNVERIFIED", "Ikke verifisert", "Skal"),
        "Z-01": ("N/A", "Ikke aktuelt", "Skal"),
    }
    assert rows["SIP-07"]["Tittel"].value == "SIP2 over TLS"
    assert rows["KAT-03"]["Tittel"].value == "Avgrens søk til ett bibliotek"


def test_requirements_in_english_with_title_fallback() -> None:
    rows = _rows_by_id(_book("en")["Requirements"])
    marc = rows["MARC-02"]
    assert (marc["Verdict"].value, marc["Verdict code"].value) == ("Met", "MET")
    assert (marc["Proposed by the harness"].value, marc["Proposed code"].value) == ("Not met", "NOT_MET")
    assert (marc["Title"].value, marc["Kind"].value) == ("Import and export unchanged", "Must (skal)")
    assert rows["KAT-03"]["Kind"].value == "Should (bør)"
    assert rows["SIP-07"]["Title"].value == "SIP2 over TLS"  # no English title: the bokmål one, not empty


def test_override_weight_and_award_criterion() -> None:
    rows = _rows_by_id(_book("en")["Requirements"])
    marc = rows["MARC-02"]
    assert marc["Override reason"].value == OVERRIDE_REASON
    assert marc["Overridden by"].value == "Kari Nordmann"
    assert (marc["External id"].value, marc["Award criterion"].value) == ("K-3.2.1", "Kvalitet")
    weight = marc["Weight"]
    assert weight.data_type == "n" and weight.value == 2.5
    assert rows["KAT-03"]["Weight"].data_type == "n" and rows["KAT-03"]["Weight"].value == 1
    assert rows["MARC-01"]["Weight"].value is None  # not weighted: an empty cell, not 0 or ""
    assert rows["MARC-01"]["Override reason"].value is None


def test_check_counts_are_numbers_and_agree_with_the_csv() -> None:
    rows = _rows_by_id(_book("en")["Requirements"])
    columns = {"Checks in total": "checks_total", "Checks passed": "checks_pass",
               "Checks failed": "checks_fail", "Checks unverified": "checks_unverified"}
    for req in RUN.requirements:
        csv_row = requirement_row(RUN, req)
        for header, key in columns.items():
            cell = rows[req.id][header]
            assert cell.data_type == "n" and cell.value == csv_row[key], (req.id, header)
    kat = rows["KAT-03"]
    assert (kat["Checks in total"].value, kat["Checks passed"].value, kat["Checks failed"].value) == (2, 1, 1)
    assert rows["KAT-01"]["Checks unverified"].value == 1  # FLAKY is unverified
    assert rows["SIP-07"]["Checks passed"].value == 1  # WARN counts as a pass


def test_verdict_cells_are_coloured_and_carry_the_text() -> None:
    rows = _rows_by_id(_book("nb")["Krav"])

    def colour(req_id: str) -> str:
        cell = rows[req_id]["Vurdering"]
        assert cell.value  # never colour alone
        assert cell.fill.fill_type == "solid"
        return str(cell.fill.fgColor.rgb)

    colours = {req_id: colour(req_id) for req_id in ("MARC-01", "KAT-03", "SRU-01", "Z-01")}
    assert len(set(colours.values())) == 4  # one colour per verdict
    assert colour("SIP-07") == colours["MARC-01"]  # the same verdict, the same colour
    # the proposed verdict is coloured by its own verdict, not the overriding one
    assert rows["MARC-02"]["Foreslått av testen"].fill.fgColor.rgb != rows["MARC-02"]["Vurdering"].fill.fgColor.rgb


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_header_row_frozen_and_filtered(lang: str) -> None:
    requirements, checks, _ = _book(lang).worksheets
    assert requirements.freeze_panes == "A2" and checks.freeze_panes == "A2"
    assert requirements.auto_filter.ref == f"A1:P{len(RUN.requirements) + 1}"
    assert checks.auto_filter.ref == f"A1:I{len(RUN.checks) + 1}"


def test_column_widths_follow_the_content_within_bounds() -> None:
    ws = _book("en")["Checks"]
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABCDEFGHI"}
    assert all(6 <= w <= 62 for w in widths.values()), widths
    assert widths["G"] > widths["C"]  # the message column is wider than the suite column


def test_one_row_per_check_with_outcome_code_and_translation() -> None:
    ws = _book("nb")["Kontroller"]
    rows = _rows_by_id(ws)
    assert list(rows) == [c.id for c in RUN.checks]
    fail = rows["scenarios/marc/test_roundtrip.py::test_fields_unchanged[consortium/nb]"]
    assert (fail["Utfall"].value, fail["Utfallskode"].value) == ("Feilet", "FAIL")
    assert fail["Krav"].value == "MARC-02, KAT-03"
    assert fail["Spesifikasjonspunkt"].value == "MARC 21 bibliographic, 245"  # the first evidence's
    assert fail["Gjenskap med"].value == REPRODUCE
    assert (fail["Kontroll"].value, fail["Testsamling"].value) == ("Imported record comes back unchanged", "marc")
    assert fail["Melding"].alignment.wrap_text
    warn = rows["scenarios/sip2/test_core.py::test_tls"]
    assert (warn["Utfall"].value, warn["Utfallskode"].value) == ("Advarsel", "WARN")
    assert warn["Spesifikasjonspunkt"].value is None  # no evidence
    flaky = rows["scenarios/marc/test_holdings.py::test_owner_isil"]
    assert (flaky["Utfall"].value, flaky["Utfallskode"].value) == ("Ustabil", "FLAKY")
    assert fail["Utfall"].fill.fgColor.rgb != warn["Utfall"].fill.fgColor.rgb


def test_control_characters_and_markup_survive_as_visible_text() -> None:
    rows = _rows_by_id(_book("en")["Checks"])
    message = rows["scenarios/marc/test_roundtrip.py::test_fields_unchanged[consortium/nb]"]["Message"].value
    assert message == "record ends 245 10\\x1faNordlys\\x1e\\x1d then <script>alert(1)</script> & more"
    assert "\x1d" not in message


def test_a_formula_from_the_target_stays_text() -> None:
    data = render_xlsx(RUN, "en")
    rows = _rows_by_id(load_workbook(io.BytesIO(data))["Checks"])
    cell = rows["scenarios/sru/test_explain.py::test_explain"]["Message"]
    assert cell.value == FORMULA_MESSAGE and cell.data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in sheet or "<f " in sheet for sheet in sheets)


def test_text_beyond_excels_cell_limit_is_cut_with_a_note() -> None:
    long_check = CheckResult(id="scenarios/x.py::test_long", title="long", requirements=(),
                             outcome=Outcome.FAIL, message="\x1d" * MAX_CELL_CHARS)  # 4x longer once visible
    run = RunResult(RUN.manifest, (long_check,), ())
    message = _rows_by_id(_book("en", run)["Checks"])["scenarios/x.py::test_long"]["Message"].value
    assert isinstance(message, str) and MAX_CELL_CHARS - 10 < len(message) <= MAX_CELL_CHARS
    assert message.startswith("\\x1d\\x1d")
    kept, note = message.split(" … [truncated, ")
    assert note.endswith(" characters left out; see results.json]")
    assert len(kept) + int(note.split(" ")[0]) == 4 * MAX_CELL_CHARS  # the note counts what was cut


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nb", {"Hva kjøringen ikke gjorde": "DELVIS KJØRING: bare lesing (kontroller som endrer testobjektet ble ikke kjørt). "
                "Krav uten kontroll i denne kjøringen er «Ikke verifisert».", "Testobjekt": "Bibliotekssystem Å", "Forhandlingsrunde": "2", "Versjon av testsamlingen": "0.1.0",
                "Git-revisjon": "abc1234", "Startet": "2025-03-01T10:00:00+00:00", "Varighet": 12.5,
                "Bare lesing": "Ja", "Påslåtte sandkassefeil": "sip2-bad-checksum, marc-drop-035",
                "Kommando": "harness run --target targets/a.toml"}),
        ("en", {"What this run did not do": "PARTIAL RUN: read-only (checks that change the target did not run). "
                "Requirements without a check in this run are Unverified.", "Target": "Bibliotekssystem Å", "Negotiation round": "2", "Suite version": "0.1.0",
                "Git revision": "abc1234", "Started": "2025-03-01T10:00:00+00:00", "Duration": 12.5,
                "Read-only": "Yes", "Sandbox defects switched on": "sip2-bad-checksum, marc-drop-035",
                "Command": "harness run --target targets/a.toml"}),
    ],
)
def test_run_sheet_is_the_manifest_as_key_value_rows(lang: str, expected: dict[str, object]) -> None:
    book = _book(lang)
    ws = book.worksheets[2]
    assert dict(ws.iter_rows(values_only=True)) == expected  # type: ignore[arg-type]
    assert ws.max_column == 2
    assert book.active is ws  # a partial run opens on the sheet that says so


def test_run_sheet_says_none_when_no_defects_are_switched_on() -> None:
    manifest = RunManifest(suite_version="0.1.0", git_revision="abc", target="T", negotiation_round="1",
                           started="2025-03-01T10:00:00+00:00", duration=1.0)
    book = _book("en", RunResult(manifest, CHECKS, ()))
    rows = dict(book["Run"].iter_rows(values_only=True))
    assert (rows["Sandbox defects switched on"], rows["Read-only"]) == ("none", "No")
    assert rows["What this run did not do"].startswith("Every suite ran to the end")  # type: ignore[union-attr]
    assert book.active is book.worksheets[0]  # a complete run opens on the requirements
    assert rows["Command"] is None


def test_unknown_language_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown report language 'de'"):
        render_xlsx(RUN, "de")


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_write_reports_writes_the_workbook(tmp_path: Path, lang: str) -> None:
    paths = write_reports(RUN, tmp_path / "out", lang=lang)
    assert paths["xlsx"] == tmp_path / "out" / "scorecard.xlsx"
    assert paths["xlsx"].is_file()
    assert load_workbook(paths["xlsx"]).sheetnames == SHEETS[lang]
