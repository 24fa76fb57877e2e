"""Target profiles: one TOML file per target (DESIGN.md "Target profiles").

A profile names the target, the consortium's libraries as the target knows them, the test
patrons and items the vendor set up, and one section per protocol. This module reads the
core tables; each protocol section is read by its unit's ``parse`` (``harness/units.py``),
found through the registry, so no protocol's keys are known here.

Secrets are written as ``${NAME}`` anywhere in the file and taken from the environment; a
missing one is a usage error, never an empty string. Every value so expanded, every PIN and
every value of a unit's secret keys is collected in :attr:`Profile.secrets` for the redactor.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar, cast

from harness.errors import ConfigError
from harness.settings import SectionReader, nearest
from harness.units import ProtocolUnit

S = TypeVar("S")

LIBRARY_KINDS = ("public", "school", "bookbus", "deposit")
ITEM_KINDS = ("regular", "bookbus", "deposit")
TARGET_KINDS = ("sandbox", "vendor", "peer")
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024  # one answer held in memory; see [marc] max_export_bytes
DEFAULT_MAX_CHECK_BYTES = 1024 * 1024 * 1024
TARGET_KEYS = ("name", "kind", "vendor", "notes", "timeout", "max_response_bytes", "max_check_bytes", "negotiation_round")
LIBRARY_KEYS = ("number", "name", "kind", "isil", "municipality", "codes")
PATRON_KEYS = ("barcode", "pin", "home_library", "name")
ITEM_KEYS = ("barcode", "owning_library", "home_library", "kind", "title")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class Library:
    number: str  # library number (biblioteknummer) as used in holdings
    name: str
    kind: str  # one of LIBRARY_KINDS
    isil: str = ""
    municipality: str = ""
    codes: Mapping[str, str] = field(default_factory=dict)  # protocol unit -> the library's code there

    def code_for(self, protocol: str) -> str:
        """The library's identifier in a protocol (SIP2's institution id), else its number."""
        return self.codes.get(protocol) or self.number


@dataclass(frozen=True, slots=True)
class TestPatron:
    __test__ = False  # not a pytest test class, whatever its name

    barcode: str
    pin: str
    home_library: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class TestItem:
    __test__ = False

    barcode: str
    owning_library: str
    home_library: str  # where it lives; a bookbus or deposit copy lives away from its owner
    kind: str = "regular"  # one of ITEM_KINDS
    title: str = ""


@dataclass(frozen=True, slots=True)
class Profile:
    path: Path
    name: str
    kind: str
    negotiation_round: str = ""
    vendor: str = ""
    timeout: float = DEFAULT_TIMEOUT
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    max_check_bytes: int = DEFAULT_MAX_CHECK_BYTES
    libraries: tuple[Library, ...] = ()
    patrons: tuple[TestPatron, ...] = ()
    items: tuple[TestItem, ...] = ()
    settings: Mapping[str, object] = field(default_factory=dict)  # unit name -> its settings
    secrets: frozenset[str] = frozenset()

    @property
    def is_sandbox(self) -> bool:
        return self.kind == "sandbox"

    def settings_for(self, unit: ProtocolUnit[S]) -> S | None:
        """The unit's settings, or None when the profile does not configure the protocol."""
        return cast("S | None", self.settings.get(unit.name))

    def with_settings(self, unit: ProtocolUnit[S], settings: S) -> Profile:
        return replace(self, settings={**self.settings, unit.name: settings})

    def library(self, number: str) -> Library | None:
        return next((lib for lib in self.libraries if number in (lib.number, lib.isil)), None)

    def kind_of(self, library_number: str) -> str:
        library = self.library(library_number)
        return library.kind if library else ""

    def first_library(self, kind: str, *, other_than: str = "") -> Library | None:
        return next((lib for lib in self.libraries if lib.kind == kind and lib.number != other_than), None)

    def patron_from(self, kind: str) -> TestPatron | None:
        """A test patron whose home library is of this kind (public, school)."""
        return next((p for p in self.patrons if self.kind_of(p.home_library) == kind), None)

    def item(self, *, kind: str = "", owner_kind: str = "") -> TestItem | None:
        for item in self.items:
            if kind and item.kind != kind:
                continue
            if owner_kind and self.kind_of(item.owning_library) != owner_kind:
                continue
            return item
        return None


# --- reading ---------------------------------------------------------------------------------


class _Expander:
    """Replaces ``${NAME}`` in every string of the file and remembers what it put in."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.secrets: set[str] = set()

    def expand(self, value: Any, where: str) -> Any:
        if isinstance(value, str):
            return _ENV_REF.sub(lambda m: self._lookup(m.group(1), where), value)
        if isinstance(value, list):
            return [self.expand(v, f"{where} #{i + 1}" if isinstance(v, dict) else where) for i, v in enumerate(value)]
        if isinstance(value, dict):
            return {k: self.expand(v, f"{where} {k}") for k, v in value.items()}
        return value

    def expand_file(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Every string of the file, with ``where`` as errors name it: "[marc] password"."""
        expanded: dict[str, Any] = {}
        for key, value in data.items():
            if isinstance(value, list):
                expanded[key] = [self.expand(v, f"[[{key}]] #{i + 1}") for i, v in enumerate(value)]
            elif isinstance(value, dict):
                expanded[key] = self.expand(value, f"[{key}]")
            else:
                expanded[key] = self.expand(value, key)
        return expanded

    def _lookup(self, name: str, where: str) -> str:
        if name not in os.environ:
            raise ConfigError(str(self.file), where or "(top level)", f"the secret ${{{name}}} is not set in the environment",
                              f"export {name}=... before running (secrets never go in the file)")
        value = os.environ[name]
        if value:
            self.secrets.add(value)
        return value


def _entries(data: Mapping[str, Any], key: str, file: Path) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(str(file), f"[{key}]", "must be a list of tables", f"write [[{key}]] (double brackets) for each entry")
    return value


def _table(data: Mapping[str, Any], key: str, file: Path) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(str(file), key, "must be a table", f"write it as a [{key}] section")
    return value


def _read_target(reader: SectionReader) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": reader.text("name", example='"Vendor X sandbox"'),
        "kind": reader.choice("kind", "vendor", TARGET_KINDS),
        "vendor": reader.text("vendor", ""),
        "notes": reader.text("notes", "", non_empty=False),
        "timeout": reader.seconds("timeout", DEFAULT_TIMEOUT),
        "max_response_bytes": reader.byte_size("max_response_bytes", DEFAULT_MAX_RESPONSE_BYTES),
        "max_check_bytes": reader.byte_size("max_check_bytes", DEFAULT_MAX_CHECK_BYTES),
    }
    round_value = reader.raw("negotiation_round") or ""
    if not isinstance(round_value, (str, int)) or isinstance(round_value, bool):
        raise reader.error("negotiation_round", f"expected a string or an integer, got {round_value!r}", 'write e.g. negotiation_round = "2"')
    values["negotiation_round"] = str(round_value)
    reader.finish()
    return values


def _read_library(reader: SectionReader, protocols: tuple[str, ...]) -> Library:
    codes = reader.raw("codes") or {}
    if not isinstance(codes, dict) or not all(isinstance(v, str) for v in codes.values()):
        raise reader.error("codes", f"expected a table of strings, got {codes!r}", 'write codes = { sip2 = "TROMSO" }')
    for protocol in codes:
        if protocol not in protocols:
            raise reader.error(f"codes.{protocol}", "not a protocol", nearest(protocol, protocols))
    library = Library(
        number=reader.text("number", example='"NO-9900001"'),
        name=reader.text("name", example='"Tromsø bibliotek"'),
        kind=reader.choice("kind", "public", LIBRARY_KINDS),
        isil=reader.text("isil", ""),
        municipality=reader.text("municipality", ""),
        codes=dict(codes),
    )
    reader.finish()
    return library


def _read_patron(reader: SectionReader) -> TestPatron:
    patron = TestPatron(
        barcode=reader.text("barcode", example='"TST0000001"'),
        pin=reader.text("pin", "", non_empty=False),
        home_library=reader.text("home_library", example='"NO-9900001"'),
        name=reader.text("name", ""),
    )
    reader.finish()
    return patron


def _read_item(reader: SectionReader) -> TestItem:
    owner = reader.text("owning_library", example='"NO-9900001"')
    item = TestItem(
        barcode=reader.text("barcode", example='"03010000000001"'),
        owning_library=owner,
        home_library=reader.text("home_library", owner),
        kind=reader.choice("kind", "regular", ITEM_KINDS),
        title=reader.text("title", ""),
    )
    reader.finish()
    return item


def _check_references(file: Path, libraries: tuple[Library, ...], patrons: tuple[TestPatron, ...], items: tuple[TestItem, ...]) -> None:
    """Test data must name libraries the profile lists (the sandbox's profile lists none)."""
    if not libraries:
        return
    known = [lib.number for lib in libraries] + [lib.isil for lib in libraries if lib.isil]
    references = [(f"[[patron]] #{i + 1} home_library", p.home_library) for i, p in enumerate(patrons)]
    references += [(f"[[item]] #{i + 1} owning_library", it.owning_library) for i, it in enumerate(items)]
    references += [(f"[[item]] #{i + 1} home_library", it.home_library) for i, it in enumerate(items)]
    for where, number in references:
        if number not in known:
            raise ConfigError(str(file), where, f"'{number}' is not a library of this profile", nearest(number, known).replace("rename it", "change it"))
    barcodes = [p.barcode for p in patrons] + [it.barcode for it in items]
    duplicates = sorted({b for b in barcodes if barcodes.count(b) > 1})
    if duplicates:
        raise ConfigError(str(file), "[[patron]]/[[item]] barcode", f"{duplicates[0]} is listed twice", "give every test patron and item its own barcode")


def from_dict(data: Mapping[str, Any], path: Path, units: tuple[ProtocolUnit[Any], ...] | None = None) -> Profile:
    if units is None:
        from harness.registry import UNITS

        units = UNITS
    expander = _Expander(path)
    data = expander.expand_file(data)
    if "target" not in data or not isinstance(data["target"], dict):
        raise ConfigError(str(path), "[target]", "missing section", 'start the profile with [target] and name = "..."')
    by_section = {u.section: u for u in units}
    core = ("target", "library", "patron", "item")
    for key in data:
        if key not in core and key not in by_section:
            raise ConfigError(str(path), f"[{key}]", "unknown section", nearest(key, [*core, *by_section]))
    target = _read_target(SectionReader(path, "[target]", data["target"], sandbox=False, keys=TARGET_KEYS))
    sandbox = target["kind"] == "sandbox"
    protocols = tuple(u.name for u in units)

    def each(key: str, read: Callable[[SectionReader], Any], keys: tuple[str, ...]) -> tuple[Any, ...]:
        return tuple(read(SectionReader(path, f"[[{key}]] #{i + 1}", e, sandbox=sandbox, keys=keys))
                     for i, e in enumerate(_entries(data, key, path)))

    libraries = each("library", lambda r: _read_library(r, protocols), LIBRARY_KEYS)
    patrons = each("patron", _read_patron, PATRON_KEYS)
    items = each("item", _read_item, ITEM_KEYS)
    _check_references(path, libraries, patrons, items)
    settings: dict[str, object] = {}
    secrets = set(expander.secrets) | {p.pin for p in patrons if p.pin}
    for unit in units:
        if unit.section not in data:
            continue
        table = _table(data, unit.section, path)
        reader = SectionReader(path, f"[{unit.section}]", table, sandbox=sandbox, keys=unit.keys)
        settings[unit.name] = unit.parse(reader)
        reader.finish()
        secrets |= {str(table[k]) for k in unit.secret_keys if isinstance(table.get(k), str) and table[k]}
    return Profile(
        path=path, name=target["name"], kind=target["kind"], negotiation_round=target["negotiation_round"],
        vendor=target["vendor"], timeout=target["timeout"], max_response_bytes=target["max_response_bytes"],
        max_check_bytes=target["max_check_bytes"], libraries=libraries, patrons=patrons, items=items,
        settings=settings, secrets=frozenset(secrets),
    )


def load_profile(path: Path, units: tuple[ProtocolUnit[Any], ...] | None = None) -> Profile:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(str(path), "", "no such profile", "check the path, or start from targets/vendor-template.toml") from None
    except IsADirectoryError:
        raise ConfigError(str(path), "", "is a directory, not a profile", "name the .toml file") from None
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read the file ({exc.strerror})", "check its permissions") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), "", f"not UTF-8 text (byte {exc.start} is 0x{raw[exc.start]:02X})",
                          "save the profile as UTF-8 (TOML files are UTF-8)") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "", f"not valid TOML: {exc}", "correct the TOML syntax at that line") from None
    return from_dict(data, path.resolve(), units)
