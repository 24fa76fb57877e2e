"""The reports of a run, every one a pure function of a :class:`~harness.results.RunResult`.

=================  ======================================  =========================
file               for                                     renderer
=================  ======================================  =========================
results.json       machines; ``harness report`` re-reads   ``render_json``
junit.xml          CI test views (Jenkins, GitLab)         ``render_junit``
scorecard.html     evaluators and vendors (nb or en)       ``render_html``
requirements.csv   procurement's spreadsheet               ``render_csv``
scorecard.xlsx     procurement officers in Excel (nb/en)   ``render_xlsx``
=================  ======================================  =========================

:func:`write_reports` is the only function here that touches the disk.
"""

from __future__ import annotations

import os
from pathlib import Path

from harness.errors import UsageError
from harness.reporting.csv_report import render_csv
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
    "render_junit",
    "render_xlsx",
    "run_from_dict",
    "write_reports",
]

FILE_NAMES = {
    "json": "results.json",
    "junit": "junit.xml",
    "html": "scorecard.html",
    "csv": "requirements.csv",
    "xlsx": "scorecard.xlsx",
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


def write_reports(run: RunResult, out_dir: Path, lang: str = "nb") -> dict[str, Path]:
    """Write the five reports into ``out_dir`` (created if needed); returns kind → path."""
    check_lang(lang)  # before anything is written, so a bad --lang leaves no half set
    out_dir = Path(out_dir)
    contents = {
        "json": render_json(run).encode("utf-8"),
        "junit": render_junit(run),
        "html": render_html(run, lang).encode("utf-8"),
        "csv": render_csv(run),
        "xlsx": render_xlsx(run, lang),
    }
    paths = {kind: out_dir / FILE_NAMES[kind] for kind in contents}
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for kind, data in contents.items():
            _write_atomically(paths[kind], data)
    except OSError as exc:
        where = exc.filename or out_dir
        raise UsageError(
            f"{where}: cannot write the reports ({exc.strerror or exc}). "
            "Fix: choose a writable directory with --report-dir"
        ) from None
    return paths
