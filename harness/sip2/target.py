"""The SIP2 side of a target profile: where to connect, how to log in, the test data.

Built once per run from ``[sip2]``, ``[[library]]``, ``[[patron]]`` and ``[[item]]`` (for the
embedded sandbox, host and ports come from the running sandbox). Scenarios ask it for
connections and for test data by role ("a patron of a school library") instead of
hard-coding barcodes, so the same suite runs against any vendor's sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.profile import Library
from harness.sip2.client import Client


@dataclass(frozen=True, slots=True)
class TestPatron:
    barcode: str
    pin: str
    home_library: str
    name: str


@dataclass(frozen=True, slots=True)
class TestItem:
    barcode: str
    owning_library: str
    home_library: str
    kind: str


@dataclass(frozen=True)
class Sip2Target:
    host: str
    port: int
    username: str
    password: str
    institution: str
    location: str = ""
    charset: str = "utf-8"
    timeout: float = 10.0
    error_detection: bool = True
    tls_port: int | None = None
    ca_file: str | None = None
    verify_tls: bool = True
    tls: bool = False
    libraries: tuple[Library, ...] = ()
    patrons: tuple[TestPatron, ...] = ()
    items: tuple[TestItem, ...] = ()

    def connect(self, *, tls: bool | None = None, **overrides: Any) -> Client:
        use_tls = self.tls if tls is None else tls
        port = self.tls_port if use_tls and self.tls_port else self.port
        options: dict[str, Any] = {
            "timeout": self.timeout, "charset": self.charset, "error_detection": self.error_detection,
            "tls": use_tls, "verify": self.verify_tls, "ca_file": self.ca_file,
        }
        options.update(overrides)
        return Client(self.host, port, **options)

    def institution_of(self, library_number: str) -> str:
        """The AO value for a member library: its SIP2 institution id, else its number."""
        library = self.library(library_number)
        return (library.sip2_institution or library.number) if library else library_number

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


def _patron(entry: Mapping[str, Any]) -> TestPatron:
    return TestPatron(str(entry["barcode"]), str(entry.get("pin", "")), str(entry.get("home_library", "")), str(entry.get("name", "")))


def _item(entry: Mapping[str, Any]) -> TestItem:
    owner = str(entry.get("owning_library", ""))
    return TestItem(str(entry["barcode"]), owner, str(entry.get("home_library", owner)), str(entry.get("kind", "regular")))


def from_profile(
    section: Mapping[str, Any],
    libraries: tuple[Library, ...],
    patrons: tuple[Mapping[str, Any], ...],
    items: tuple[Mapping[str, Any], ...],
    *,
    timeout: float,
    endpoint: tuple[str, int] | None = None,
    tls_endpoint: tuple[str, int] | None = None,
    ca_file: str | None = None,
) -> Sip2Target:
    host, port = endpoint or (str(section.get("host", "")), int(section.get("port", 0)))
    return Sip2Target(
        host=host,
        port=port,
        username=str(section.get("username", "")),
        password=str(section.get("password", "")),
        institution=str(section.get("institution", "")),
        location=str(section.get("location", "")),
        charset=str(section.get("charset", "utf-8")),
        timeout=float(section.get("timeout", timeout)),
        error_detection=bool(section.get("error_detection", True)),
        tls=bool(section.get("tls", False)),
        tls_port=tls_endpoint[1] if tls_endpoint else (int(section["tls_port"]) if "tls_port" in section else None),
        ca_file=ca_file or (str(section["ca_file"]) if "ca_file" in section else None),
        verify_tls=bool(section.get("verify_tls", True)),
        libraries=libraries,
        patrons=tuple(_patron(p) for p in patrons),
        items=tuple(_item(i) for i in items),
    )
