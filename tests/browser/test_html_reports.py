"""scorecard.html and compare.html in a real browser, in both languages: no console error, the
headline on the first screen, filters and folding working, and pixels on the page (an empty or
broken page is caught by counting them, not by comparing with a golden image)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import VIEWPORT, count_colour, ink, png_pixels
from procurement_runs import write_runs
from sample_run import RUN

from harness.cli import main
from harness.deviations import load_deviations
from harness.reporting import write_reports
from harness.requirements import load_register

FIRST_SCREEN = VIEWPORT["height"]
SKAL_WORDS = {"nb": ("Skal-krav i denne kjøringen", "Oppfylt", "Ikke oppfylt", "Ikke verifisert"),
              "en": ("Must (skal) requirements in this run", "Met", "Not met", "Unverified")}


@pytest.fixture(scope="module")
def scorecards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("scorecards")
    register_file = base / "d.toml"
    register_file.write_text('vendor = "Bibliotekssystem Å"\n[[deviation]]\nrequirement = "SRU-01"\nreason = "later"\n'
                             "fix_by = 2025-01-01\n", encoding="utf-8")
    devs = load_deviations(register_file, load_register())
    return {lang: write_reports(RUN, base / lang, lang=lang, deviations=devs)["html"] for lang in ("nb", "en")}


@pytest.fixture(scope="module")
def comparisons(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("compare")
    dirs, _ = write_runs(base)
    out: dict[str, Path] = {}
    for lang in ("nb", "en"):
        folder = base / f"compare-{lang}"
        code = main(["compare", *map(str, dirs), "--mapping", str(base / "mapping.toml"), "--out", str(folder), "--lang", lang])
        assert code == 1  # the runs have FAILs, as `harness report` would say
        out[lang] = folder / "compare.html"
    return out


def _visible_in_first_screen(page: Any, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["height"] > 0 and box["y"] + min(box["height"], 40) <= FIRST_SCREEN


def _screenshot_rows(page: Any) -> list[bytes]:
    width, height, rows = png_pixels(page.screenshot())
    assert (width, height) == (VIEWPORT["width"], VIEWPORT["height"])
    return rows


# --- scorecard.html -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_scorecard_renders_with_its_headline_on_the_first_screen(open_page: Any, scorecards: dict[str, Path], lang: str) -> None:
    view = open_page(scorecards[lang])
    page = view.page
    assert view.errors == []
    assert _visible_in_first_screen(page, "#headline")
    headline = page.locator("#headline").inner_text()
    for words in SKAL_WORDS[lang]:
        assert words in headline
    assert page.locator("#headline .skal-count[data-verdict='MET'] .count").inner_text() == "2"
    assert _visible_in_first_screen(page, "header > .scope, header > p.scope")  # what the run did not do, first
    rows = _screenshot_rows(page)
    assert 0.02 < ink(rows) < 0.6  # a page with text and badges: neither blank nor a solid block
    assert ink(rows[:200]) > 0.01  # the title is at the top
    assert count_colour(rows, (0xDF, 0xF3, 0xE4)) > 200  # the green of Met badges is drawn


def test_scorecard_folds_passing_checks_and_opens_a_fail(open_page: Any, scorecards: dict[str, Path]) -> None:
    page = open_page(scorecards["en"]).page
    fail = page.locator("article[data-outcome='FAIL']")
    assert fail.locator("section.evidence").first.is_visible()
    assert fail.locator("pre.reproduce").is_visible()
    passed = page.locator("article[data-outcome='PASS']")
    assert passed.locator("dl.facts").is_hidden()
    passed.locator("summary").click()
    assert passed.locator("dl.facts").is_visible()
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # printing shows every check's evidence
    assert page.locator("article.check > details:not([open])").count() == 0
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("article.check > details[open]").count() == 4  # FAIL, ERROR, FLAKY and the one opened by hand


def test_scorecard_filter_hides_and_shows_outcomes(open_page: Any, scorecards: dict[str, Path]) -> None:
    page = open_page(scorecards["nb"]).page
    assert page.locator("#filters").is_visible()
    page.locator("#filters input[value='PASS']").uncheck()
    assert page.locator("article[data-outcome='PASS']").is_hidden()
    assert page.locator("article[data-outcome='FAIL']").is_visible()
    page.locator("#filters input[value='PASS']").check()
    assert page.locator("article[data-outcome='PASS']").is_visible()


def test_scorecard_shows_the_deviation_and_its_expiry(open_page: Any, scorecards: dict[str, Path]) -> None:
    page = open_page(scorecards["en"]).page
    cell = page.locator("#req-SRU-01")
    assert "Declared deviation" in cell.inner_text() and cell.locator(".expired").is_visible()


def test_scorecard_is_readable_with_javascript_off(scriptless_context: Any, scorecards: dict[str, Path]) -> None:
    page = scriptless_context.new_page()
    try:
        page.goto(scorecards["nb"].resolve().as_uri())
        assert page.locator("#filters").is_hidden()  # the filter needs the script: it stays out of the way
        assert page.locator("article.check").count() == len(RUN.checks)
        assert all(page.locator("article.check").nth(i).is_visible() for i in range(len(RUN.checks)))
        assert page.locator("article[data-outcome='FAIL'] section.evidence").first.is_visible()
        page.locator("article[data-outcome='PASS'] summary").click()  # folding is HTML's own <details>
        assert page.locator("article[data-outcome='PASS'] dl.facts").is_visible()
        assert _visible_in_first_screen(page, "#headline")
    finally:
        page.close()


# --- compare.html -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_compare_renders_with_the_gate_on_the_first_screen(open_page: Any, comparisons: dict[str, Path], lang: str) -> None:
    view = open_page(comparisons[lang])
    page = view.page
    assert view.errors == []
    assert _visible_in_first_screen(page, "#gate tr[data-gate]")
    assert page.locator("#gate tr[data-gate='closed']").count() == 3
    chart = page.locator("svg.chart").bounding_box()
    assert chart is not None and chart["width"] > 500 and chart["height"] > 200
    page.locator("svg.chart").scroll_into_view_if_needed()
    rows = _screenshot_rows(page)
    assert count_colour(rows, (0x9F, 0xD8, 0xAE)) > 500  # the chart's Met segments are drawn
    assert ink(rows) > 0.02


def test_compare_filters_rows_by_kind_and_by_what_is_open(open_page: Any, comparisons: dict[str, Path]) -> None:
    page = open_page(comparisons["en"]).page
    all_rows = page.locator("tr.req")
    total = all_rows.count()
    page.locator("#matrix-filters input[value='bør']").uncheck()
    assert page.locator("tr.req[data-kind='bør']").first.is_hidden()
    assert page.locator("tr.req[data-kind='skal']").first.is_visible()
    page.locator("#matrix-filters input[value='bør']").check()
    page.locator("#filter-open").check()
    hidden = page.locator("tr.req[data-all-met='yes']")
    assert hidden.count() > 0 and all(hidden.nth(i).is_hidden() for i in range(hidden.count()))
    assert page.locator("#req-SIP-05").is_visible()  # not met by Aurora: stays
    assert page.locator("tr.req:visible").count() == total - hidden.count()
    page.locator("details.area summary").first.click()  # an area folds away
    assert page.locator("details.area").first.locator("table").is_hidden()


def test_compare_evidence_link_lands_on_the_requirement_in_the_runs_scorecard(open_page: Any, comparisons: dict[str, Path]) -> None:
    page = open_page(comparisons["nb"]).page
    link = page.locator("#req-SIP-05 td.cell a.evidence").first
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith("aurora-1/scorecard.html#req-SIP-05")
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == "req-SIP-05"
    assert page.locator("#req-SIP-05").is_visible()
