"""The requirement register and procurement's mapping onto it.

The register (``scenarios/requirements.toml``) is the harness's; procurement's own ids,
award criteria and weights come from a separate mapping file so the register is never
edited per tender. Unknown ids anywhere are a usage error that suggests the nearest id.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.paths import REGISTER_PATH
from harness.results import Override, Verdict

KINDS = ("skal", "bør")
_REQUIRED_KEYS = ("id", "kind", "title_nb", "title_en", "protocols", "spec")
_MAPPING_KEYS = frozenset({"external_id", "award_criterion", "weight", "not_applicable"})


@dataclass(frozen=True, slots=True)
class Requirement:
    id: str
    kind: str
    title_nb: str
    title_en: str
    protocols: tuple[str, ...]
    spec: tuple[str, ...]
    external_id: str = ""
    award_criterion: str = ""
    weight: float | None = None
    not_applicable: str = ""  # procurement's reason why it does not apply to this tender

    @property
    def area(self) -> str:
        """The group a scorecard shows it under: the id's prefix (KAT, SPR, MARC, SIP...)."""
        return self.id.split("-", 1)[0]

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_nb


class Register(Mapping[str, Requirement]):
    def __init__(self, requirements: list[Requirement], source: str) -> None:
        self._by_id = {r.id: r for r in requirements}
        self.source = source

    def __getitem__(self, key: str) -> Requirement:
        return self._by_id[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def suggest(self, unknown: str) -> str:
        """'did you mean' text for an unknown id, or '' when nothing is close."""
        close = difflib.get_close_matches(unknown.upper(), list(self._by_id), n=1, cutoff=0.5)
        return f" (did you mean {close[0]}?)" if close else ""

    def require(self, req_id: str, where: str) -> Requirement:
        try:
            return self._by_id[req_id]
        except KeyError:
            raise ConfigError(
                where,
                f"requirement '{req_id}'",
                f"unknown requirement id{self.suggest(req_id)}",
                f"use an id from {self.source} (list them with `harness requirements`)",
            ) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(str(path), "", "file not found", "check the path") from None
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read the file ({exc.strerror})", "check its permissions") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "", f"not valid TOML: {exc}", "correct the TOML syntax at that line") from None


def _requirement_from(entry: Mapping[str, Any], index: int, source: str) -> Requirement:
    key = f"[[requirement]] #{index + 1}"
    for name in _REQUIRED_KEYS:
        if name not in entry:
            raise ConfigError(source, f"{key} {name}", "missing", f"add `{name} = ...` to the entry")
    if entry["kind"] not in KINDS:
        raise ConfigError(source, f"{key} kind", f"'{entry['kind']}' is not a kind", "use \"skal\" or \"bør\"")
    return Requirement(
        id=str(entry["id"]),
        kind=str(entry["kind"]),
        title_nb=str(entry["title_nb"]),
        title_en=str(entry["title_en"]),
        protocols=tuple(entry["protocols"]),
        spec=tuple(entry["spec"]),
    )


def load_register(path: Path = REGISTER_PATH) -> Register:
    data = _read_toml(path)
    entries = data.get("requirement", [])
    requirements = [_requirement_from(e, i, str(path)) for i, e in enumerate(entries)]
    return Register(requirements, str(path))


def apply_mapping(register: Register, mapping_path: Path) -> Register:
    """Put procurement's ids, award criteria and weights on the register.

    The mapping file has one table per requirement id::

        [KAT-01]
        external_id = "K2.3"
        award_criterion = "Kvalitet"
        weight = 5
        # not_applicable = "the tender has no bookbus"   (the only way a verdict becomes N/A)
    """
    data = _read_toml(mapping_path)
    mapped = dict(register)
    for req_id, fields in data.items():
        requirement = register.require(req_id, str(mapping_path))
        if not isinstance(fields, dict):
            raise ConfigError(str(mapping_path), req_id, "expected a table", f"write it as [{req_id}] with keys below")
        unknown = set(fields) - _MAPPING_KEYS
        if unknown:
            raise ConfigError(
                str(mapping_path), f"[{req_id}] {min(unknown)}", "unknown key",
                f"use only {', '.join(sorted(_MAPPING_KEYS))}",
            )
        weight = fields.get("weight")
        if weight is not None and not isinstance(weight, (int, float)):
            raise ConfigError(str(mapping_path), f"[{req_id}] weight", f"expected a number, got {weight!r}", "write e.g. weight = 5")
        not_applicable = fields.get("not_applicable", "")
        if not isinstance(not_applicable, str):
            raise ConfigError(str(mapping_path), f"[{req_id}] not_applicable", f"expected the reason as a string, got {not_applicable!r}",
                              'write e.g. not_applicable = "the tender has no bookbus"')
        mapped[req_id] = replace(
            requirement,
            external_id=str(fields.get("external_id", "")),
            award_criterion=str(fields.get("award_criterion", "")),
            weight=float(weight) if weight is not None else None,
            not_applicable=not_applicable.strip(),
        )
    return Register(list(mapped.values()), register.source)


def load_overrides(path: Path, register: Register) -> dict[str, Override]:
    """Evaluators' written decisions, one table per requirement id::

        [SIP-07]
        verdict = "MET"
        reason = "TLS is terminated by stunnel in front of the SIP2 server; seen in the demo 2026-11-12"
        by = "Evaluator name"

    A reason is mandatory: an override without one would hide why the scorecard differs.
    """
    data = _read_toml(path)
    overrides: dict[str, Override] = {}
    for req_id, fields in data.items():
        register.require(req_id, str(path))
        where = f"[{req_id}]"
        if not isinstance(fields, dict):
            raise ConfigError(str(path), where, "expected a table", f"write it as [{req_id}] with verdict, reason and by")
        try:
            verdict = Verdict(fields.get("verdict"))
        except ValueError:
            allowed = ", ".join(v.value for v in Verdict)
            raise ConfigError(str(path), f"{where} verdict", f"{fields.get('verdict')!r} is not a verdict", f"use one of {allowed}") from None
        reason = str(fields.get("reason", "")).strip()
        if not reason:
            raise ConfigError(str(path), f"{where} reason", "missing", "write the reason for the override; it is shown in every report")
        overrides[req_id] = Override(requirement=req_id, verdict=verdict, reason=reason, by=str(fields.get("by", "")))
    return overrides
