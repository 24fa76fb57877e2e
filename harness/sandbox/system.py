"""The running sandbox: one consortium, every protocol's service on 127.0.0.1, clean stop.

``Sandbox(profile, defects)`` builds the consortium from the fixtures and the sandbox profile
and asks each registered unit's service to load its data into it (MARC first: the catalogue
goes in through the MARC import path, so import defects shape it). ``start()`` starts the one
HTTP server, then each service, and returns the *resolved profile*: the sandbox's profile
with every endpoint filled in, exactly as a vendor's profile would give them, so nothing
downstream asks whether the target is the sandbox. ``stop()`` closes every socket and removes
every key file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import TracebackType
from typing import Any

from harness.defects import NO_DEFECTS, DefectSet
from harness.profile import Profile
from harness.registry import UNITS
from harness.sandbox.http import Router, SandboxHTTPServer, json_response
from harness.sandbox.state import Consortium, new_consortium, stock_consortium
from harness.units import ProtocolUnit, SandboxContext, SandboxService


class Sandbox:
    def __init__(
        self,
        profile: Profile,
        defects: DefectSet = NO_DEFECTS,
        *,
        units: tuple[ProtocolUnit[Any], ...] = UNITS,
        ports: Mapping[str, int] | None = None,
    ) -> None:
        self.profile, self.defects, self.ports = profile, defects, dict(ports or {})
        self.consortium: Consortium = new_consortium(profile)
        self.services: list[tuple[ProtocolUnit[Any], SandboxService]] = [
            (unit, unit.sandbox()) for unit in units if unit.sandbox is not None and unit.name in profile.settings
        ]
        for _, service in self.services:
            service.load(self.consortium, defects)
        stock_consortium(self.consortium, profile)
        self._http: SandboxHTTPServer | None = None
        self._resolved: Profile | None = None

    def start(self) -> Profile:
        """Serve every protocol; the profile with the endpoints filled in."""
        try:
            router = Router()
            router.add("GET", "/", lambda _request: json_response(200, self._about(router)), summary="this page")
            self._http = SandboxHTTPServer(router, self.ports.get("http", 0))
            self._http.start()
            context = SandboxContext(self.profile, self.consortium, self.defects, router, self._http.base_url, self.ports)
            resolved = replace(self.profile, libraries=self.profile.libraries or tuple(self.consortium.libraries.values()))
            for _, service in self.services:
                service.start(context)
                resolved = service.resolve(resolved)
        except BaseException:
            self.stop()
            raise
        self._resolved = resolved
        return resolved

    @property
    def resolved(self) -> Profile:
        if self._resolved is None:
            raise RuntimeError("sandbox not started")
        return self._resolved

    @property
    def http_base_url(self) -> str:
        if self._http is None:
            raise RuntimeError("sandbox not started")
        return self._http.base_url

    def service(self, name: str) -> SandboxService | None:
        return next((s for unit, s in self.services if unit.name == name), None)

    def _about(self, router: Router) -> dict[str, object]:
        return {
            "name": "harness embedded sandbox",
            "defects": list(self.defects.names),
            "libraries": [{"number": lib.number, "name": lib.name, "kind": lib.kind} for lib in self.consortium.libraries.values()],
            "routes": [{"method": r.method, "path": r.path + ("{...}" if r.prefix else ""), "summary": r.summary} for r in router.routes()],
            "endpoints": [{"name": name, "where": where} for name, where in self.describe()],
        }

    def describe(self) -> list[tuple[str, str]]:
        lines = [("HTTP", f"{self.http_base_url}/ (lists every route)")] if self._http else []
        return lines + [line for _, service in self.services for line in service.describe()]

    def stop(self) -> None:
        for _, service in reversed(self.services):
            service.stop()
        if self._http is not None:
            self._http.stop()
            self._http = None

    def __enter__(self) -> Profile:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
