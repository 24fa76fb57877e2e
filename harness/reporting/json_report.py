"""results.json: the machine-readable record of a run, and reading it back.

The file is exactly :meth:`RunResult.to_dict`, so it is the one format every other report can
be rebuilt from (``harness report a.json b.json`` merges repeated runs and re-renders).
Reading it back is a user-facing operation: a wrong path or a hand-edited file must give one
clear :class:`UsageError` naming the file and the fix, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness.errors import UsageError
from harness.results import (
    CheckResult,
    Override,
    RequirementResult,
    RunManifest,
    RunResult,
    Verdict,
)

RESULTS_NAME = "results.json"
_FIX = "give the results.json (or results.jsonl) that `harness run` wrote into its --report-dir (default ./harness-report)"


def render_json(run: RunResult) -> str:
    # ensure_ascii=False keeps æøå and Sámi letters readable in the file (it is UTF-8);
    # MARC control characters are still written as \u001d escapes by json itself.
    return json.dumps(run.to_dict(), ensure_ascii=False, indent=2) + "\n"


def requirement_from_dict(data: Mapping[str, Any]) -> RequirementResult:
    """The inverse of :meth:`RequirementResult.to_dict` (``verdict`` is derived, so ignored)."""
    req_id = str(data["id"])
    override = None
    if data.get("override"):
        raw = data["override"]
        override = Override(
            requirement=req_id,
            verdict=Verdict(raw["verdict"]),
            reason=str(raw.get("reason", "")),
            by=str(raw.get("by", "")),
        )
    weight = data.get("weight")
    return RequirementResult(
        id=req_id,
        kind=str(data["kind"]),
        title_nb=str(data.get("title_nb", "")),
        title_en=str(data.get("title_en", "")),
        area=str(data.get("area", "")),
        proposed=Verdict(data.get("proposed_verdict", data.get("verdict"))),
        checks=tuple(str(c) for c in data.get("checks", ())),
        override=override,
        external_id=str(data.get("external_id", "")),
        weight=None if weight is None else float(weight),
        award_criterion=str(data.get("award_criterion", "")),
    )


def _list_of_objects(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValueError(f"'{key}' must be a list of objects")
    return items


def run_from_dict(data: Any) -> RunResult:
    """Rebuild a :class:`RunResult`; ``ValueError`` says which entry is wrong and how.

    The ``summary`` block is derived from the checks, so it is not read.
    """
    if not isinstance(data, dict):
        raise ValueError(f"the top level is a JSON {type(data).__name__}, expected an object")  # noqa: TRY004 -- a malformed file, which the callers report as ValueError
    if not isinstance(data.get("run"), dict):
        raise ValueError("the 'run' object (the run's manifest) is missing")  # noqa: TRY004 -- a malformed file, which the callers report as ValueError
    if "checks" not in data:
        raise ValueError("the 'checks' list is missing")
    manifest = RunManifest.from_dict(data["run"])
    checks = []
    for index, item in enumerate(_list_of_objects(data, "checks")):
        checks.append(_parse(CheckResult.from_dict, item, f"checks[{index}]"))
    requirements = []
    for index, item in enumerate(_list_of_objects(data, "requirements")):
        requirements.append(_parse(requirement_from_dict, item, f"requirements[{index}]"))
    return RunResult(manifest, tuple(checks), tuple(requirements))


def _parse(parse: Any, item: Mapping[str, Any], where: str) -> Any:
    try:
        return parse(item)
    except KeyError as exc:
        raise ValueError(f"{where}: the key {exc} is missing") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"{where}: {exc}") from None


JOURNAL_NAME = "results.jsonl"


def journal_from_lines(text: str) -> RunResult:
    """A run from results.jsonl, the journal written as the run went: a manifest line, one line
    per check, and a closing line when the run finished. Without the closing line the run was
    cut short (killed, the machine lost): the manifest says so."""
    manifest: RunManifest | None = None
    checks: list[CheckResult] = []
    finished = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            if number == len(text.splitlines()):
                break  # the last line was cut mid-write: everything before it stands
            raise ValueError(f"line {number} is not JSON") from None
        if not isinstance(entry, dict):
            raise ValueError(f"line {number} is not a JSON object")  # noqa: TRY004 -- a malformed file, which the callers report as ValueError
        if "manifest" in entry:
            manifest = RunManifest.from_dict(entry["manifest"])
        elif "finished" in entry:
            finished = True
        else:
            checks.append(_parse(CheckResult.from_dict, entry, f"line {number}"))
    if manifest is None:
        raise ValueError("no manifest line (the first line of a results.jsonl)")
    if not finished:
        manifest = replace(manifest, interrupted=True)
    return RunResult(manifest, tuple(checks), ())


def load_results(path: Path) -> RunResult:
    """Read a results.json (or a results.jsonl journal) back; a directory means the file in it."""
    path = Path(path)
    if path.is_dir() and (path / RESULTS_NAME).is_file():
        path = path / RESULTS_NAME
    elif path.is_dir() and (path / JOURNAL_NAME).is_file():
        path = path / JOURNAL_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such results file. Fix: {_FIX}") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory without a {RESULTS_NAME}. Fix: {_FIX}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}). Fix: {_FIX}") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror or exc}). Fix: check the path and its permissions") from None
    if path.suffix == ".jsonl":
        try:
            return journal_from_lines(text)
        except ValueError as exc:
            raise UsageError(f"{path}: not a harness results journal: {exc}. Fix: {_FIX}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}). Fix: {_FIX}"
        ) from None
    try:
        return run_from_dict(data)
    except ValueError as exc:
        raise UsageError(f"{path}: not a harness results file: {exc}. Fix: {_FIX}") from None
