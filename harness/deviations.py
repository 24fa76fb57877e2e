"""A vendor's declared deviations: what the vendor acknowledges, shown beside the verdict.

A vendor may answer a NOT_MET with "we know; it is fixed in release 24.2, ticket VEND-1234".
Procurement wants that declaration on the record beside the verdict, and never in place of it:
the harness's verdict is what the target did; the deviation is what the vendor promised. So
nothing here changes a verdict, and a promise whose fix date is before the run's date is
flagged as expired (the fix was due and the run still saw the fault, or the promise was not
renewed).

One TOML file per vendor (``--deviations FILE`` on ``harness run``, ``report`` and
``compare``)::

    vendor = "Bibliotekssystem AS"      # the [target] name in the vendor's profile
    [[deviation]]
    requirement = "SIP-07"              # a register id; or check = "sip2/test_wire.py::test_tls"
    reason = "TLS is terminated by a proxy in production; the sandbox has none"
    fix_by = 2027-03-01                 # the promised fix date (a TOML date); leave out if none is promised
    ticket = "VEND-1234"                # the vendor's reference

Every mistake in the file is reported, one line each naming the entry, the key and the fix,
as one usage error (exit code 2): a vendor's file is usually wrong in more than one place.
"""

from __future__ import annotations

import ast
import difflib
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from harness.errors import UsageError
from harness.paths import SCENARIOS_DIR

RECORD_NAME = "deviations.toml"  # the register as given, kept beside the reports of a run
_TOP_KEYS = frozenset({"vendor", "deviation"})
_ENTRY_KEYS = frozenset({"requirement", "check", "reason", "fix_by", "ticket"})
# The run's date is the date in Norway: a run started at 00:30 Oslo time on 2 March is a 2 March run.
_PROCUREMENT_ZONE = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True, slots=True)
class Deviation:
    number: int  # position in the file (1-based): the anchor and the message name it
    requirement: str = ""  # exactly one of requirement and check is set
    check: str = ""
    reason: str = ""
    fix_by: date | None = None
    ticket: str = ""

    @property
    def subject(self) -> str:
        return self.requirement or self.check

    def expired(self, on: date | None) -> bool:
        """The promised fix date is before ``on`` (the run's date); unknown dates never expire."""
        return self.fix_by is not None and on is not None and self.fix_by < on

    def covers_check(self, check_id: str) -> bool:
        # A deviation on "file.py::test_x" covers every parametrisation "file.py::test_x[...]".
        return bool(self.check) and (check_id == self.check or check_id.startswith(self.check + "["))


@dataclass(frozen=True, slots=True)
class DeviationRegister:
    vendor: str
    deviations: tuple[Deviation, ...]
    source: str  # the file it was read from
    raw: bytes = b""  # the file as the vendor gave it: written beside the reports for the record

    def for_requirement(self, req_id: str, check_ids: Iterable[str] = ()) -> list[Deviation]:
        """Deviations declared on the requirement, or on a check that covers it."""
        checks = list(check_ids)
        return [d for d in self.deviations
                if d.requirement == req_id or any(d.covers_check(c) for c in checks)]

    def for_check(self, check_id: str) -> list[Deviation]:
        return [d for d in self.deviations if d.covers_check(check_id)]


def run_date(started: str) -> date | None:
    """The calendar date of a run in Norway, from the manifest's ISO 8601 start; None if unreadable."""
    try:
        moment = datetime.fromisoformat(started)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(_PROCUREMENT_ZONE).date()


# --- which check ids exist -------------------------------------------------------------------


def scenario_check_ids(root: Path = SCENARIOS_DIR) -> frozenset[str]:
    """Every check id the suites define, read from the source (no collection, nothing imported).

    Ids are pytest node ids relative to ``scenarios/`` without parameters:
    ``sip2/test_wire.py::test_tls`` or ``suite/test_x.py::TestClass::test_y``.
    """
    ids: set[str] = set()
    for path in sorted(root.glob("*/test_*.py")):
        prefix = f"{path.parent.name}/{path.name}"
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError):
            continue  # a broken scenario file is pytest's to report, not the deviation register's
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                ids.add(f"{prefix}::{node.name}")
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                ids.update(f"{prefix}::{node.name}::{item.name}" for item in node.body
                           if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("test"))
    return frozenset(ids)


def _base_id(check_id: str) -> str:
    return check_id.split("[", 1)[0]


# --- reading the file ------------------------------------------------------------------------


class _Mistakes:
    """Every mistake in the file, one line each: ``file: key: problem. Fix: fix``."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[str] = []

    def add(self, key: str, problem: str, fix: str) -> None:
        where = f"{self.source}: {key}" if key else self.source
        self.lines.append(f"{where}: {problem}. Fix: {fix}")

    def raise_if_any(self) -> None:
        if len(self.lines) == 1:
            raise UsageError(self.lines[0])
        if self.lines:
            raise UsageError(f"{self.source}: {len(self.lines)} mistakes in the deviation register:\n  "
                             + "\n  ".join(self.lines))


def _suggest(unknown: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(unknown, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _read(path: Path) -> tuple[bytes, dict[str, Any]]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such deviation register. Fix: check the path given to --deviations") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory. Fix: give the vendor's deviations TOML file to --deviations") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror or exc}). Fix: check its permissions") from None
    try:
        return raw, tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 (byte {exc.start}). Fix: save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}. Fix: correct the TOML syntax at that line") from None


def _fix_by(value: object, key: str, mistakes: _Mistakes) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):  # a TOML date-time is also a date in Python: say which to write
        mistakes.add(key, f"{value.isoformat()} is a date and time", f"write the date alone, e.g. fix_by = {value.date().isoformat()}")
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    mistakes.add(key, f"expected a date, got {value!r}", "write it as a TOML date, e.g. fix_by = 2027-03-01 (no quotes)")
    return None


def _entry(number: int, entry: object, known_requirements: Mapping[str, object], check_known: Callable[[str], str | None],
           mistakes: _Mistakes) -> Deviation | None:
    key = f"[[deviation]] #{number}"
    if not isinstance(entry, dict):
        mistakes.add(key, "expected a table", "write each deviation as a [[deviation]] table")
        return None
    for name in sorted(set(entry) - _ENTRY_KEYS):
        mistakes.add(f"{key} {name}", f"unknown key{_suggest(name, _ENTRY_KEYS)}", f"use only {', '.join(sorted(_ENTRY_KEYS))}")
    requirement, check = entry.get("requirement", ""), entry.get("check", "")
    texts = {"requirement": requirement, "check": check, "reason": entry.get("reason", ""), "ticket": entry.get("ticket", "")}
    for name, value in texts.items():
        if not isinstance(value, str):
            mistakes.add(f"{key} {name}", f"expected a string, got {value!r}", f'write it in quotes, e.g. {name} = "..."')
    if not isinstance(requirement, str) or not isinstance(check, str):
        return None
    if requirement and check:
        mistakes.add(key, "names both a requirement and a check", "declare one deviation per requirement or per check")
    elif not requirement and not check:
        mistakes.add(key, "names no requirement and no check",
                     'add requirement = "SIP-07" (a register id) or check = "sip2/test_x.py::test_y"')
    elif requirement and requirement not in known_requirements:
        mistakes.add(f"{key} requirement", f"unknown requirement id '{requirement}'{_suggest(requirement.upper(), known_requirements)}",
                     "use an id from `harness requirements`")
    elif check:
        problem = check_known(check)
        if problem:
            mistakes.add(f"{key} check", problem, "use a check id as `harness list` prints it (suite/test_file.py::test_name)")
    reason = texts["reason"]
    if isinstance(reason, str) and not reason.strip():
        mistakes.add(f"{key} reason", "missing", "write the vendor's reason; it is shown beside the verdict")
    fix_by = _fix_by(entry.get("fix_by"), f"{key} fix_by", mistakes)
    ticket = texts["ticket"]
    return Deviation(number=number, requirement=requirement, check=check, reason=str(reason).strip(), fix_by=fix_by,
                     ticket=str(ticket).strip())


def _checker(known_checks: Iterable[str]) -> Callable[[str], str | None]:
    known = frozenset(_base_id(c) for c in known_checks)

    def problem(check_id: str) -> str | None:
        if _base_id(check_id) in known:
            return None
        return f"no check '{check_id}' in the suites{_suggest(_base_id(check_id), known)}"

    return problem


def load_deviations(path: Path, known_requirements: Mapping[str, object], known_checks: Iterable[str] = ()) -> DeviationRegister:
    """Read and validate one vendor's register; every mistake is one line of one UsageError.

    ``known_checks`` adds check ids (from the runs being reported) to those the suites define.
    """
    path = Path(path)
    raw, data = _read(path)
    mistakes = _Mistakes(str(path))
    for name in sorted(set(data) - _TOP_KEYS):
        hint = "a deviation's keys go under [[deviation]]" if name in _ENTRY_KEYS else f"use only vendor and [[deviation]]{_suggest(name, _TOP_KEYS)}"
        mistakes.add(name, "unknown key", hint)
    vendor = data.get("vendor", "")
    if not isinstance(vendor, str) or not vendor.strip():
        mistakes.add("vendor", "missing" if vendor == "" else f"expected a string, got {vendor!r}",
                     'write vendor = "..." as the [target] name in the vendor\'s profile')
        vendor = ""
    entries = data.get("deviation", [])
    if not isinstance(entries, list):
        mistakes.add("deviation", "expected a list of tables", "write each deviation as [[deviation]] (double brackets)")
        entries = []
    check_known = _checker([*scenario_check_ids(), *known_checks])
    deviations = [d for n, e in enumerate(entries, start=1) if (d := _entry(n, e, known_requirements, check_known, mistakes))]
    seen: dict[str, int] = {}
    for dev in deviations:
        if dev.subject and dev.subject in seen:
            mistakes.add(f"[[deviation]] #{dev.number}", f"declares {dev.subject} again (first in #{seen[dev.subject]})",
                         "keep one deviation per requirement or check; put both reasons in one")
        seen.setdefault(dev.subject, dev.number)
    mistakes.raise_if_any()
    return DeviationRegister(vendor=vendor.strip(), deviations=tuple(deviations), source=str(path), raw=raw)


def check_vendor(register: DeviationRegister, targets: Iterable[str], option: str = "--deviations") -> None:
    """The register must be of a vendor whose runs are reported: a wrong file is a user error."""
    names = sorted(set(targets))
    if register.vendor in names:
        return
    raise UsageError(
        f"{register.source}: vendor '{register.vendor}' has no run here (runs of: {', '.join(names)})"
        f"{_suggest(register.vendor, names)}. Fix: give {option} the register of a vendor being reported, "
        "or correct `vendor` to the [target] name of the vendor's profile"
    )
