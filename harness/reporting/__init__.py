"""The reports of a run, every one a pure function of a :class:`~harness.results.RunResult`.

=================  ======================================  =========================
file               for                                     renderer
=================  ======================================  =========================
results.json       machines; ``harness report`` re-reads   ``render_json``
junit.xml          CI test views (Jenkins, GitLab)         ``render_junit``
scorecard.html     evaluators and vendors (nb or en)       ``render_html``
requirements.csv   procurement's spreadsheet               ``render_csv``
scorecard.xlsx     procurement officers in Excel (nb/en)   ``render_xlsx``
results.ttl        conformance tools (W3C EARL, Turtle)    ``render_turtle``
results.jsonld     the same EARL graph as JSON-LD          ``render_jsonld``
deviations.toml    the vendor's declared deviations, as    (copied when given)
                   given, so the record keeps them
=================  ======================================  =========================

:func:`write_reports` is the only function here that touches the disk.
"""

from __future__ import annotations

import os
from pathlib import Path

from harness.deviations import RECORD_NAME, DeviationRegister
from harness.errors import UsageError
from harness.reporting.compare_csv import render_compare_csv
from harness.reporting.compare_html import render_compare_html
from harness.reporting.compare_xlsx import render_compare_xlsx
from harness.reporting.comparison import Comparison
from harness.reporting.csv_report import render_csv
from harness.reporting.earl import render_jsonld, render_turtle
from harness.reporting.html import render_html
from harness.reporting.i18n import check_lang
from harness.reporting.json_report import load_results, render_json, run_from_dict
from harness.reporting.junit import render_junit
from harness.reporting.xlsx_report import render_xlsx
from harness.results import RunResult

__all__ = [
    "load_results",
    "render_csv",
    "render_html",
    "render_json",
    "render_jsonld",
    "render_junit",
    "render_turtle",
    "render_xlsx",
    "run_from_dict",
    "write_compare",
    "write_reports",
]

FILE_NAMES = {
    "json": "results.json",
    "junit": "junit.xml",
    "html": "scorecard.html",
    "csv": "requirements.csv",
    "xlsx": "scorecard.xlsx",
    "ttl": "results.ttl",
    "jsonld": "results.jsonld",
}


def _write_atomically(path: Path, data: bytes) -> None:
    # Write beside the target and rename: a run interrupted mid-write (Ctrl-C, CI timeout)
    # leaves the previous complete report, never a truncated results.json.
    # (Not tempfile.mkstemp: its files are mode 0600, and CI must be able to publish these.)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_reports(run: RunResult, out_dir: Path, lang: str = "nb", deviations: DeviationRegister | None = None) -> dict[str, Path]:
    """Write the reports into ``out_dir`` (created if needed); returns kind → path.

    ``deviations``: the vendor's declared register, shown in the scorecard beside the verdicts
    and copied as given into ``deviations.toml``, so ``harness report`` and ``harness compare``
    find it with the run.
    """
    check_lang(lang)  # before anything is written, so a bad --lang leaves no half set
    out_dir = Path(out_dir)
    contents = {
        "json": render_json(run).encode("utf-8"),
        "junit": render_junit(run),
        "html": render_html(run, lang, deviations).encode("utf-8"),
        "csv": render_csv(run),
        "xlsx": render_xlsx(run, lang),
        "ttl": render_turtle(run),
        "jsonld": render_jsonld(run),
    }
    paths = {kind: out_dir / FILE_NAMES[kind] for kind in contents}
    if deviations is not None:  # only when given: FILE_NAMES are the reports every run has
        contents["deviations"], paths["deviations"] = deviations.raw, out_dir / RECORD_NAME
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for kind, data in contents.items():
            _write_atomically(paths[kind], data)
        if deviations is None:  # an earlier run's register must not be read as this run's
            (out_dir / RECORD_NAME).unlink(missing_ok=True)
    except OSError as exc:
        where = exc.filename or out_dir
        raise UsageError(
            f"{where}: cannot write the reports ({exc.strerror or exc}). "
            "Fix: choose a writable directory with --report-dir"
        ) from None
    return paths


COMPARE_HTML, COMPARE_XLSX = "compare.html", "compare.xlsx"


def write_compare(comparison: Comparison, out_dir: Path, lang: str = "nb") -> list[Path]:
    """Write compare.html, compare.xlsx and one CSV per view into ``out_dir``; returns the paths."""
    check_lang(lang)
    contents = {
        COMPARE_HTML: render_compare_html(comparison, lang).encode("utf-8"),
        COMPARE_XLSX: render_compare_xlsx(comparison, lang),
        **render_compare_csv(comparison),
    }
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, data in contents.items():
            _write_atomically(out_dir / name, data)
    except OSError as exc:
        raise UsageError(f"{exc.filename or out_dir}: cannot write the comparison ({exc.strerror or exc}). "
                         "Fix: choose a writable directory with --out") from None
    return [out_dir / name for name in contents]
