"""Target profiles: one TOML file per target (DESIGN.md "Target profiles").

A profile names the target, its endpoints per protocol, the consortium's libraries as the
target knows them, and the test data the vendor set up. Secrets are written as ``${NAME}``
and taken from the environment; a missing one is a usage error, never an empty string.

Every key is declared in :data:`SCHEMA` below, so a typo is an error that names the file,
the key and the fix instead of a silently ignored setting.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.redact import register_secret

# section -> key -> accepted Python types. Sections holding a list of tables are "[[x]]".
SCHEMA: dict[str, dict[str, tuple[type, ...]]] = {
    "target": {
        "name": (str,), "kind": (str,), "negotiation_round": (str, int),
        "timeout": (int, float), "vendor": (str,), "notes": (str,),
    },
    "[[library]]": {
        "number": (str,), "isil": (str,), "name": (str,), "kind": (str,),
        "municipality": (str,), "sip2_institution": (str,),
    },
    "marc": {
        "channel": (str,), "base_url": (str,), "username": (str,), "password": (str,),
        "export_file": (str,), "export_xml_file": (str,), "import_dir": (str,),
        "system_fields": (list,), "holdings_tag": (str,), "holdings_library_subfield": (str,),
        "import_library": (str,),
    },
    "sip2": {
        "host": (str,), "port": (int,), "tls": (bool,), "verify_tls": (bool,), "ca_file": (str,),
        "tls_port": (int,), "username": (str,), "password": (str,), "location": (str,),
        "charset": (str,), "institution": (str,), "timeout": (int, float), "error_detection": (bool,),
    },
    "sru": {"url": (str,), "version": (str,), "timeout": (int, float)},
    "z3950": {"host": (str,), "port": (int,), "database": (str,), "timeout": (int, float)},
    "oai": {"url": (str,), "timeout": (int, float)},
    "[[patron]]": {
        "barcode": (str,), "pin": (str,), "home_library": (str,), "name": (str,),
    },
    "[[item]]": {
        "barcode": (str,), "owning_library": (str,), "home_library": (str,), "title": (str,), "kind": (str,),
    },
}
PROTOCOLS = ("marc", "sip2", "sru", "z3950", "oai")
LIBRARY_KINDS = ("public", "school", "bookbus", "deposit")
MARC_CHANNELS = ("sandbox", "http", "files")
TARGET_KINDS = ("sandbox", "vendor", "peer")
_SECRET_KEYS = frozenset({"password", "pin"})
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class Library:
    number: str
    name: str
    kind: str
    isil: str = ""
    municipality: str = ""
    sip2_institution: str = ""


@dataclass(frozen=True, slots=True)
class Profile:
    path: Path
    name: str
    kind: str
    negotiation_round: str
    timeout: float
    libraries: tuple[Library, ...]
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    patrons: tuple[Mapping[str, Any], ...] = ()
    items: tuple[Mapping[str, Any], ...] = ()

    @property
    def is_sandbox(self) -> bool:
        return self.kind == "sandbox"

    def protocol(self, name: str) -> Mapping[str, Any] | None:
        """The protocol's section, or None when the profile does not configure it."""
        return self.sections.get(name)

    def library(self, number: str) -> Library | None:
        return next((lib for lib in self.libraries if number in (lib.number, lib.isil)), None)

    def resolve_path(self, value: str) -> Path:
        """Paths in a profile are relative to the profile file, like an include."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else (self.path.parent / path)


def _nearest(key: str, allowed: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    return f"rename it to '{close[0]}'" if close else f"remove it (allowed: {', '.join(allowed)})"


def _expand_env(value: str, file: str, key: str) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ConfigError(
                file, key, f"the secret ${{{name}}} is not set in the environment",
                f"export {name}=... before running (secrets never go in the file)",
            )
        return os.environ[name]

    return _ENV_REF.sub(substitute, value)


def _check_table(table: Mapping[str, Any], section: str, file: str) -> dict[str, Any]:
    allowed = SCHEMA[section]
    checked: dict[str, Any] = {}
    for key, value in table.items():
        where = f"{section.strip('[]') if section.startswith('[[') else '[' + section + ']'} {key}"
        if key not in allowed:
            raise ConfigError(file, where, "unknown key", _nearest(key, allowed))
        if not isinstance(value, allowed[key]) or (isinstance(value, bool) and bool not in allowed[key]):
            wanted = " or ".join(t.__name__ for t in allowed[key])
            raise ConfigError(file, where, f"expected {wanted}, got {value!r}", f"write it as a TOML {wanted}")
        if isinstance(value, str):
            value = _expand_env(value, file, where)
            if key in _SECRET_KEYS:
                register_secret(value)
        checked[key] = value
    return checked


def _library_from(entry: dict[str, Any], file: str, index: int) -> Library:
    where = f"[[library]] #{index + 1}"
    for name in ("number", "name", "kind"):
        if name not in entry:
            raise ConfigError(file, f"{where} {name}", "missing", f"add `{name} = ...`")
    if entry["kind"] not in LIBRARY_KINDS:
        raise ConfigError(file, f"{where} kind", f"'{entry['kind']}' is not a library kind", f"use one of {', '.join(LIBRARY_KINDS)}")
    return Library(**entry)


def _validate_choices(sections: Mapping[str, Mapping[str, Any]], file: str) -> None:
    target_kind = sections["target"].get("kind", "vendor")
    if target_kind not in TARGET_KINDS:
        raise ConfigError(file, "[target] kind", f"'{target_kind}' is not a target kind", f"use one of {', '.join(TARGET_KINDS)}")
    marc = sections.get("marc")
    if marc is None:
        return
    channel = marc.get("channel", "files")
    if channel not in MARC_CHANNELS:
        raise ConfigError(file, "[marc] channel", f"'{channel}' is not a MARC channel", f"use one of {', '.join(MARC_CHANNELS)}")
    if channel == "http" and "base_url" not in marc:
        raise ConfigError(file, "[marc] base_url", "missing for channel = \"http\"", "add base_url = \"https://...\" or use channel = \"files\"")
    if channel == "files" and "export_file" not in marc and "export_xml_file" not in marc:
        raise ConfigError(file, "[marc] export_file", "channel = \"files\" needs the vendor's export", "add export_file = \"path/to/export.mrc\" (relative to the profile)")


def from_dict(data: Mapping[str, Any], path: Path) -> Profile:
    file = str(path)
    if "target" not in data or not isinstance(data["target"], dict):
        raise ConfigError(file, "[target]", "missing section", "start the profile with [target] and name = \"...\"")
    sections: dict[str, dict[str, Any]] = {}
    lists: dict[str, list[dict[str, Any]]] = {"library": [], "patron": [], "item": []}
    for key, value in data.items():
        if key in lists:
            if not isinstance(value, list):
                raise ConfigError(file, f"[{key}]", "must be a list of tables", f"write [[{key}]] (double brackets) for each entry")
            lists[key] = [_check_table(v, f"[[{key}]]", file) for v in value]
        elif key in SCHEMA and isinstance(value, dict):
            sections[key] = _check_table(value, key, file)
        else:
            allowed = [s.strip("[]") for s in SCHEMA]
            raise ConfigError(file, f"[{key}]", "unknown section", _nearest(key, dict.fromkeys(allowed)))
    _validate_choices(sections, file)
    target = sections.pop("target")
    if "name" not in target:
        raise ConfigError(file, "[target] name", "missing", "add name = \"Vendor X sandbox\"")
    return Profile(
        path=path,
        name=target["name"],
        kind=target.get("kind", "vendor"),
        negotiation_round=str(target.get("negotiation_round", "")),
        timeout=float(target.get("timeout", 10.0)),
        libraries=tuple(_library_from(e, file, i) for i, e in enumerate(lists["library"])),
        sections=sections,
        patrons=tuple(lists["patron"]),
        items=tuple(lists["item"]),
    )


def load_profile(path: Path) -> Profile:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(str(path), "", "no such profile", "check the path, or start from targets/vendor-template.toml") from None
    except IsADirectoryError:
        raise ConfigError(str(path), "", "is a directory, not a profile", "name the .toml file") from None
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read the file ({exc.strerror})", "check its permissions") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "", f"not valid TOML: {exc}", "correct the TOML syntax at that line") from None
    return from_dict(data, path)
