"""One run's configuration, loaded once and shared by the CLI and the pytest plugin.

:func:`load_run_config` reads and checks everything a user gives (profile, register, mapping,
overrides, deviations, defects, report directory) before anything is sent to a target: a mistake is one
:class:`~harness.errors.UsageError` naming the file, the key and the fix (exit code 2). The
CLI loads it and hands it to the plugin; ``pytest scenarios/ --target ...`` makes the plugin
load it from its options.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.budget import CheckBudget
from harness.defects import DefectSet
from harness.deviations import DeviationRegister, check_vendor, load_deviations
from harness.errors import UsageError
from harness.paths import SANDBOX_PROFILE
from harness.profile import Profile, load_profile
from harness.redact import Redactor
from harness.registry import UNITS, resolve_defects
from harness.requirements import Register, apply_mapping, load_overrides, load_register
from harness.results import Override
from harness.units import ProtocolUnit

REPORT_MARKERS = ("results.json", "results.jsonl")  # a directory holding these holds a run's reports


@dataclass(frozen=True, slots=True)
class Selection:
    """What the user asked to run; the manifest records it so a partial run says so."""

    suites: tuple[str, ...] = ()  # empty: every suite
    keyword: str = ""  # pytest -k expression
    read_only: bool = False

    @property
    def partial(self) -> bool:
        return bool(self.suites or self.keyword or self.read_only)

    def describe(self) -> str:
        parts = [f"suites {', '.join(self.suites)}" if self.suites else "every suite"]
        if self.keyword:
            parts.append(f"-k {self.keyword}")
        if self.read_only:
            parts.append("read-only (scenarios that change the target were not run)")
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class RunOptions:
    """The user's choices, as the CLI or the pytest options give them."""

    target: Path | None = None
    mapping: Path | None = None
    overrides: Path | None = None
    deviations: Path | None = None  # the vendor's declared-deviation register (TOML)
    defects: tuple[str, ...] = ()
    report_dir: Path | None = None
    overwrite: bool = False
    lang: str = "nb"
    negotiation_round: str = ""
    selection: Selection = Selection()
    invocation: str = ""


@dataclass(frozen=True)
class RunConfig:
    profile: Profile
    register: Register
    overrides: Mapping[str, Override]
    defects: DefectSet
    redactor: Redactor
    options: RunOptions
    units: tuple[ProtocolUnit[Any], ...] = field(default=UNITS)
    budget: CheckBudget = field(default_factory=lambda: CheckBudget(1 << 62))
    deviations: DeviationRegister | None = None

    @property
    def report_dir(self) -> Path | None:
        return self.options.report_dir

    @property
    def selection(self) -> Selection:
        return self.options.selection

    def unit(self, name: str) -> ProtocolUnit[Any] | None:
        return next((u for u in self.units if u.name == name), None)

    def reproduce(self, suite: str, check_name: str) -> str:
        """The command line that runs this one check again against this target."""
        if self.profile.is_sandbox:
            defects = "".join(f" --sandbox-defect {d.name}" for d in self.defects)
            return f"harness run --suite {suite}{defects} -k {check_name}"
        return f"harness run --target {self.profile.path} --suite {suite} -k {check_name}"


def redactor_for(profile: Profile, units: tuple[ProtocolUnit[Any], ...] = UNITS) -> Redactor:
    credentials = []
    for unit in units:
        settings = profile.settings.get(unit.name)
        user, password = getattr(settings, "username", ""), getattr(settings, "password", "")
        if isinstance(user, str) and isinstance(password, str) and password:
            credentials.append((user, password))
    return Redactor(
        profile.secrets,
        credentials=credentials,
        wire_patterns=[p for unit in units for p in unit.wire_secrets],
    )


def check_report_dir(path: Path, overwrite: bool) -> None:
    """A report directory must be a writable directory that holds no earlier run, unless asked."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"--report-dir {path}: is a file, not a directory. Fix: name a directory (it is created if missing)")
    if path.is_dir() and not overwrite:
        earlier = [m for m in REPORT_MARKERS if (path / m).exists()]
        if earlier:
            raise UsageError(
                f"--report-dir {path}: holds the reports of an earlier run ({earlier[0]}). "
                "Fix: choose another --report-dir, or add --overwrite to replace them"
            )
    try:  # make it and write in it now: a report directory that cannot be written fails here, not after the run
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".harness-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"--report-dir {path}: not writable ({exc.strerror or exc}). Fix: choose a directory you can write to") from None


def load_run_config(options: RunOptions) -> RunConfig:
    profile = load_profile(options.target or SANDBOX_PROFILE)
    defects = resolve_defects(options.defects)
    if defects and not profile.is_sandbox:
        raise UsageError("--sandbox-defect only applies to the embedded sandbox. Fix: drop --target, or drop the defects")
    register = load_register()
    if options.mapping:
        register = apply_mapping(register, options.mapping)
    overrides = load_overrides(options.overrides, register) if options.overrides else {}
    deviations = load_deviations(options.deviations, register) if options.deviations else None
    if deviations is not None:
        check_vendor(deviations, [profile.name])
    if options.report_dir is not None:
        check_report_dir(options.report_dir, options.overwrite)
    return RunConfig(profile, register, overrides, defects, redactor_for(profile), options,
                     budget=CheckBudget(profile.max_check_bytes), deviations=deviations)
