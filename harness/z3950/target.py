"""The Z39.50 target of a run: the resolved ``[z3950]`` settings, what Init declares, the views.

Built once per run by the Z39.50 fixtures. The first Init is kept (``init``): every check
plans from its option bits (a service not agreed to is SKIP) and its character set choice.
Associations are opened with the profile's authentication and a UTF-8 proposal; a refused
Init is :class:`InitRefused` (the harness could not ask: ERROR), an unreadable one a
:class:`~harness.errors.TargetError` too, so the probe reports either once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from harness.errors import TargetError
from harness.profile import Library, Profile
from harness.z3950.client import Client, ProtocolViolation
from harness.z3950.init import (
    CharsetProposal,
    IdPassAuth,
    InitRequest,
    InitResponse,
    OpenAuth,
)
from harness.z3950.settings import Z3950Settings


class InitRefused(TargetError):
    """The target answered the Init with result false."""

    def __init__(self, message: str, client: Client) -> None:
        super().__init__(message)
        self.client = client


def init_request(settings: Z3950Settings, **overrides: Any) -> InitRequest:
    """The Init the harness sends: the profile's authentication, UTF-8 proposed (unless turned off)."""
    auth: OpenAuth | IdPassAuth | None = None
    if settings.auth == "open":
        auth = OpenAuth(f"{settings.user}/{settings.password}")
    elif settings.auth == "idpass":
        auth = IdPassAuth(settings.user, settings.password, settings.group)
    request = InitRequest(authentication=auth, charset=CharsetProposal() if settings.charset_negotiation else None)
    return replace(request, **overrides)


def open_association(settings: Z3950Settings, timeout: float, *, database: str | None = None,
                     **init: Any) -> Client:
    """A client after an accepted Init; TargetError when the target cannot be asked."""
    client = Client(settings.host, settings.port, database=database or settings.database, timeout=timeout,
                    connect_timeout=settings.connect_timeout or timeout, max_pdu=settings.max_pdu)
    try:
        response = client.init(init_request(settings, **init))
    except ProtocolViolation as exc:
        client.disconnect()
        raise TargetError(f"{exc} (the Init response cannot be read)") from None
    if not response.result:
        client.disconnect()
        why = "; ".join(str(d) for d in response.diagnostics) or "no diagnostic"
        raise InitRefused(f"Z39.50 {client.endpoint}: Init refused ({why})", client)
    return client


@dataclass(frozen=True)
class Z3950Target:
    settings: Z3950Settings
    profile: Profile
    init: InitResponse | None = None  # the first Init's answer: what the target declares
    init_problems: tuple[str, ...] = ()  # rule ids the client noted on that Init

    @property
    def timeout(self) -> float:
        return self.settings.timeout or self.profile.timeout

    def connect(self, *, database: str | None = None, **init: Any) -> Client:
        return open_association(self.settings, self.timeout, database=database, **init)

    def offers(self, option: str) -> bool:
        return self.init is not None and self.init.offers(option)

    # -- the consortium's views ------------------------------------------------------------------

    @property
    def libraries(self) -> tuple[Library, ...]:
        return self.profile.libraries

    def view_groups(self) -> dict[str, list[Library]]:
        """The distinct databases to ask, each with the members that search it."""
        groups: dict[str, list[Library]] = {}
        for library in self.libraries:
            groups.setdefault(self.settings.view(library.code_for("z3950")), []).append(library)
        return groups or {self.settings.database: []}

    def known_library_numbers(self) -> frozenset[str]:
        return frozenset(_numbers(self.libraries))

    def library_named(self, text: str) -> Library | None:
        """The member a holding names by number, ISIL or Z39.50 code."""
        return next((lib for lib in self.libraries if text and text in (lib.number, lib.isil, lib.code_for("z3950"))), None)


def _numbers(libraries: Iterable[Library]) -> Iterable[str]:
    for library in libraries:
        yield library.number
        if library.isil:
            yield library.isil
