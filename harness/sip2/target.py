"""The SIP2 target of a run: the resolved ``[sip2]`` settings and the profile's test data.

Built once per run by the SIP2 fixtures. Scenarios ask it for connections and for test data by
role ("a patron of a school library") instead of hard-coding barcodes, so the same suite runs
against any vendor's sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.budget import UNLIMITED, CheckBudget
from harness.profile import Library, Profile, TestItem, TestPatron
from harness.sip2.client import Client
from harness.sip2.settings import Sip2Settings


@dataclass(frozen=True)
class Sip2Target:
    settings: Sip2Settings
    profile: Profile
    budget: CheckBudget = UNLIMITED  # bytes one check may read, across its connections

    # -- connections ------------------------------------------------------------------------

    @property
    def timeout(self) -> float:
        return self.settings.timeout or self.profile.timeout

    def connect(self, *, tls: bool | None = None, **overrides: Any) -> Client:
        settings = self.settings
        use_tls = settings.tls if tls is None else tls
        port = settings.tls_port if use_tls and settings.tls_port else settings.port
        options: dict[str, Any] = {
            "timeout": self.timeout, "charset": settings.charset, "error_detection": settings.error_detection,
            "tls": use_tls, "verify": settings.verify_tls, "ca_file": str(settings.ca_file) if settings.ca_file else None,
            "max_frame": settings.max_reply_bytes, "budget": self.budget,
        }
        options.update(overrides)
        return Client(settings.host, port, **options)

    # -- the account ------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return self.settings.host

    @property
    def port(self) -> int:
        return self.settings.port

    @property
    def tls(self) -> bool:
        return self.settings.tls

    @property
    def tls_port(self) -> int | None:
        return self.settings.tls_port

    @property
    def username(self) -> str:
        return self.settings.username

    @property
    def password(self) -> str:
        return self.settings.password

    @property
    def location(self) -> str:
        return self.settings.location

    @property
    def institution(self) -> str:
        return self.settings.institution

    @property
    def charset(self) -> str:
        return self.settings.charset

    # -- test data ----------------------------------------------------------------------------

    @property
    def libraries(self) -> tuple[Library, ...]:
        return self.profile.libraries

    @property
    def patrons(self) -> tuple[TestPatron, ...]:
        return self.profile.patrons

    @property
    def items(self) -> tuple[TestItem, ...]:
        return self.profile.items

    def institution_of(self, library_number: str) -> str:
        """The AO value for a member library: its SIP2 institution id, else its number."""
        library = self.profile.library(library_number)
        return library.code_for("sip2") if library else library_number

    def library(self, number: str) -> Library | None:
        return self.profile.library(number)

    def kind_of(self, library_number: str) -> str:
        return self.profile.kind_of(library_number)

    def first_library(self, kind: str, *, other_than: str = "") -> Library | None:
        return self.profile.first_library(kind, other_than=other_than)

    def patron_from(self, kind: str) -> TestPatron | None:
        return self.profile.patron_from(kind)

    def item(self, *, kind: str = "", owner_kind: str = "") -> TestItem | None:
        return self.profile.item(kind=kind, owner_kind=owner_kind)
