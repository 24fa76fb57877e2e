"""Reading one profile section: typed values, validated before anything is sent.

Each protocol unit parses its own section with a :class:`SectionReader`: every getter checks
the value's type and range and, when it is wrong, raises :class:`~harness.errors.ConfigError`
naming the file, the key and the fix (exit code 2). A key nobody asked for is a typo: after
the unit has read what it knows, :meth:`SectionReader.finish` names it with the nearest known
key. Paths are relative to the profile file, like an include.

Endpoints (hosts, ports, URLs) may be left out of the embedded sandbox's profile: the sandbox
binds free ports and writes them into the resolved profile. For any other target a missing
endpoint is an error here, never a connection to port 0 later.
"""

from __future__ import annotations

import codecs
import difflib
import ipaddress
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.errors import ConfigError

_HOSTNAME = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$")
MAX_TIMEOUT = 3600.0  # an hour: beyond that a typo (ms for s) is likelier than intent


def nearest(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    if close:
        return f"rename it to '{close[0]}'"
    return f"remove it (known keys: {', '.join(known)})" if known else "remove it"


def _type_name(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


class SectionReader:
    """Typed access to one ``[section]`` of a profile, for one protocol unit."""

    def __init__(self, file: Path, section: str, table: Mapping[str, Any], *, sandbox: bool,
                 keys: Sequence[str] = ()) -> None:
        """``section`` as errors show it: "[sip2]", or "[[library]] #2" for a list entry.

        ``keys``, when given, is the section's schema: a key outside it is reported at once,
        before any value is judged (a typo explains the errors it would otherwise cause).
        """
        self.file, self.section, self.sandbox = file, section, sandbox
        self._table = table
        self._asked: list[str] = []
        for key in table:
            if keys and key not in keys:
                raise self.error(key, "unknown key", nearest(key, list(keys)))

    # -- errors ---------------------------------------------------------------------------

    def error(self, key: str, problem: str, fix: str) -> ConfigError:
        return ConfigError(str(self.file), f"{self.section} {key}", problem, fix)

    def finish(self) -> None:
        """Every key of the section must have been asked for: the rest are typos."""
        for key in self._table:
            if key not in self._asked:
                raise self.error(key, "unknown key", nearest(key, self._asked))

    # -- raw access -------------------------------------------------------------------------

    def has(self, key: str) -> bool:
        self._note(key)
        return key in self._table

    def raw(self, key: str) -> Any:
        """The value as TOML gave it, for a unit that checks its shape itself."""
        self._note(key)
        return self._table.get(key)

    def _note(self, key: str) -> None:
        if key not in self._asked:
            self._asked.append(key)

    def _get(self, key: str, types: tuple[type, ...], wanted: str) -> Any:
        self._note(key)
        value = self._table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) and bool not in types:
            raise self.error(key, f"expected {wanted}, got {value!r}", f"write it as {wanted}")
        if not isinstance(value, types):
            raise self.error(key, f"expected {wanted}, got {_type_name(value)} {value!r}", f"write it as {wanted}")
        return value

    def _missing(self, key: str, example: str) -> ConfigError:
        return self.error(key, "missing", f"add {key} = {example}")

    # -- typed getters ---------------------------------------------------------------------

    def text(self, key: str, default: str | None = None, *, example: str = '"..."', non_empty: bool = True) -> str:
        value = self._get(key, (str,), "a string")
        if value is None:
            if default is None:
                raise self._missing(key, example)
            return default
        if non_empty and not value.strip():
            raise self.error(key, "is empty", f"give a value, e.g. {key} = {example}, or leave the key out")
        return str(value)

    def optional_text(self, key: str) -> str | None:
        value = self._get(key, (str,), "a string")
        return None if value is None else str(value)

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, (bool,), "true or false")
        return default if value is None else bool(value)

    def integer(self, key: str, default: int | None, *, low: int, high: int, unit: str = "") -> int:
        value = self._get(key, (int,), "an integer")
        if value is None:
            if default is None:
                raise self._missing(key, str(low))
            return default
        if not low <= value <= high:
            raise self.error(key, f"{value} is out of range", f"use {low}..{high}{' ' + unit if unit else ''}")
        return int(value)

    def seconds(self, key: str, default: float) -> float:
        value = self._get(key, (int, float), "a number of seconds")
        if value is None:
            return default
        if not 0 < value <= MAX_TIMEOUT:
            raise self.error(key, f"{value} is not a usable number of seconds", f"use a number above 0 and at most {MAX_TIMEOUT:g}")
        return float(value)

    def optional_seconds(self, key: str) -> float | None:
        """Seconds, or None when left out (the caller falls back to a wider setting)."""
        value = self.seconds(key, 0.0)
        return value or None

    def byte_size(self, key: str, default: int) -> int:
        return self.integer(key, default, low=1024, high=1 << 40, unit="bytes")

    def choice(self, key: str, default: str, choices: Sequence[str]) -> str:
        value = self.text(key, default)
        if value not in choices:
            close = difflib.get_close_matches(value, list(choices), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise self.error(key, f"'{value}' is not one of {', '.join(choices)}", f"{hint}use one of {', '.join(choices)}")
        return value

    def text_list(self, key: str, default: Sequence[str] = ()) -> tuple[str, ...]:
        value = self._get(key, (list,), "a list of strings")
        if value is None:
            return tuple(default)
        if not all(isinstance(v, str) for v in value):
            raise self.error(key, f"expected a list of strings, got {value!r}", 'write it as ["a", "b"]')
        return tuple(value)

    def path(self, key: str) -> Path | None:
        """A path relative to the profile file (never to the working directory)."""
        value = self.optional_text(key)
        if value is None:
            return None
        if not value.strip():
            raise self.error(key, "is empty", "give a path relative to the profile, or leave the key out")
        path = Path(value).expanduser()
        return path if path.is_absolute() else (self.file.parent / path)

    def host(self, key: str = "host", *, endpoint: bool = True) -> str:
        """A host name or IP address; may be left out of the sandbox's profile."""
        value = self._get(key, (str,), "a host name")
        if value is None:
            if self.sandbox and endpoint:
                return ""
            raise self._missing(key, '"sip2.vendor.example"')
        value = str(value).strip()
        if not _valid_host(value):
            raise self.error(key, f"'{value}' is not a host name or IP address", "write the host only (no scheme, port or path)")
        return value

    def port(self, key: str = "port", *, required: bool = True) -> int:
        value = self._get(key, (int,), "an integer port")
        if value is None:
            if self.sandbox or not required:
                return 0
            raise self._missing(key, "6001")
        if not 1 <= value <= 65535:
            raise self.error(key, f"port {value} is out of range", "use a port from 1 to 65535")
        return int(value)

    def optional_port(self, key: str) -> int | None:
        return self.port(key, required=False) or None

    def url(self, key: str = "url", *, required: bool = True) -> str:
        value = self._get(key, (str,), 'a URL "https://..."')
        if value is None:
            if self.sandbox or not required:
                return ""
            raise self._missing(key, '"https://vendor.example/path"')
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.error(key, f"'{value}' is not an http(s) URL", 'write it with its scheme, e.g. "https://vendor.example/sru"')
        try:
            parts.port  # noqa: B018 - raises ValueError on a port out of range
        except ValueError:
            raise self.error(key, f"the port in '{value}' is out of range", "use a port from 1 to 65535") from None
        return str(value).strip()

    def charset(self, key: str, default: str) -> str:
        """A character set Python knows.

        Whether it can hold the test data's Sámi names is not judged here: a target that
        declares a set without them is a FAIL of SIP-03 with evidence, not a profile error.
        """
        value = self.text(key, default)
        try:
            codecs.lookup(value)
        except LookupError:
            raise self.error(key, f"'{value}' is not a character set Python knows", 'use e.g. "utf-8" or "iso-8859-1"') from None
        return value


def _valid_host(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip("[]"))
        return True
    except ValueError:
        return bool(_HOSTNAME.match(value)) and not value.replace(".", "").isdigit()
