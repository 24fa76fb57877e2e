"""A protocol unit: everything the core needs to know about one protocol, in one value.

Each ``harness/<protocol>/`` package exports one :class:`ProtocolUnit` from its ``unit.py``,
and ``harness/registry.py`` lists them. The core (profile, plugin, sandbox, CLI) reads the
registry and never names a protocol. A unit brings:

- **settings**: ``parse`` reads its profile section with a
  :class:`~harness.settings.SectionReader` into a frozen, typed dataclass;
- **fixtures**: the module path of a pytest plugin module the core registers;
- **a sandbox service**: a factory for the object that serves the protocol from the
  embedded sandbox's one consortium and writes its endpoints into the resolved profile;
- **secrets**: the settings keys that hold credentials, and patterns that find secret fields
  in the protocol's rendered wire text (SIP2's CO and AD);
- **defects**: its catalogue of sandbox deviations;
- **probe**: how to tell, once, before its scenarios, whether the endpoint answers.

Adding a protocol is a new package with a ``unit.py``, a ``scenarios/<name>/`` folder and a
line in the registry. ``ARCHITECTURE.md`` walks through SIP2 as the worked example.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from harness.defects import Defect, DefectSet
from harness.settings import SectionReader

if TYPE_CHECKING:
    from harness.profile import Profile
    from harness.sandbox.http import Router
    from harness.sandbox.state import Consortium

S = TypeVar("S")


@dataclass(frozen=True)
class SandboxContext:
    """What a sandbox service gets from the sandbox: the one state, and shared plumbing."""

    profile: Profile  # as the user gave it (the sandbox's own), before endpoints are filled in
    consortium: Consortium
    defects: DefectSet
    router: Router  # the sandbox's one HTTP server: a service adds its routes here
    http_base_url: str
    ports: Mapping[str, int] = field(default_factory=dict)  # fixed ports asked for, by endpoint name


class SandboxService(Protocol):
    """One protocol served by the embedded sandbox."""

    def load(self, consortium: Consortium, defects: DefectSet) -> None:
        """Put the protocol's fixture data into the consortium before anything is served."""

    def start(self, context: SandboxContext) -> None:
        """Bind on 127.0.0.1 (the ports in ``context.ports``, else free ones) and serve."""

    def resolve(self, profile: Profile) -> Profile:
        """The profile with this protocol's endpoints filled in, as a vendor's would be."""

    def describe(self) -> list[tuple[str, str]]:
        """(endpoint name, where and how) lines for ``harness sandbox``."""

    def stop(self) -> None:
        """Close every socket and thread it opened."""


@dataclass(frozen=True)
class ProtocolUnit(Generic[S]):
    name: str  # the suite (scenarios/<name>/) and the key results and defects use
    section: str  # the profile section: [<section>]
    title: str
    parse: Callable[[SectionReader], S]
    keys: tuple[str, ...]  # the section's schema: every key it may hold
    fixtures: str  # module path of the unit's pytest plugin module
    defects: tuple[Defect, ...] = ()
    secret_keys: tuple[str, ...] = ()  # settings keys whose values are credentials
    wire_secrets: tuple[re.Pattern[str], ...] = ()  # group 1 is kept, the rest of the match masked
    sandbox: Callable[[], SandboxService] | None = None
    probe: Callable[[S, float], None] | None = None  # raises TargetError when unreachable
    endpoints: tuple[str, ...] = ()  # endpoint names a user can fix with `harness sandbox --port`


def keys_of(settings_type: type) -> tuple[str, ...]:
    """A settings dataclass's field names: the profile keys of its section, one for one."""
    return tuple(f.name for f in fields(settings_type))
