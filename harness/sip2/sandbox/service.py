"""The SIP2 service of the embedded sandbox: the ACS on the generic TCP server, plain and TLS.

It sets the consortium's lending policy from the SIP2 defects that change the system's rules
(they deviate in circulation, which the domain layer applies without knowing SIP2), issues a
throwaway certificate for the TLS listener, and writes both endpoints and the CA file into the
resolved profile's ``[sip2]`` settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from harness.defects import DefectSet
from harness.sandbox import tls
from harness.sandbox.state import Consortium, Policy
from harness.sandbox.tcp import Conversation, FramedTCPServer
from harness.sip2 import defects as d
from harness.sip2.sandbox.acs import ACS, Account, AcsConversation
from harness.sip2.sandbox.pressure import Pressure, PressuredConversation, wants_pressure

if TYPE_CHECKING:
    from harness.profile import Profile
    from harness.units import SandboxContext


def policy_for(defects: DefectSet) -> Policy:
    return Policy(
        home_library_only=defects.active(d.FOREIGN_PATRON_REFUSED),  # DEFECT sip2-foreign-patron-refused
        route_returns=not defects.active(d.NO_ROUTING),  # DEFECT sip2-no-routing
        accept_any_pin=defects.active(d.ACCEPT_WRONG_PIN),  # DEFECT sip2-accept-wrong-pin
    )


class Sip2Service:
    def __init__(self) -> None:
        self.acs: ACS | None = None
        self.defects = DefectSet()
        self._plain: FramedTCPServer | None = None
        self._tls: FramedTCPServer | None = None
        self._certificates: tls.Certificates | None = None
        self._tls_note = ""

    def load(self, consortium: Consortium, defects: DefectSet) -> None:
        self.defects = defects
        consortium.policy = policy_for(defects)

    def start(self, context: SandboxContext) -> None:
        from harness.sip2.unit import SIP2

        settings = context.profile.settings_for(SIP2)
        if settings is None:
            return
        self.acs = ACS(context.consortium, Account.from_settings(settings), self.defects)
        conversation = self._conversations(self.acs)
        self._plain = FramedTCPServer("sip2", conversation, port=context.ports.get("sip2", 0))
        self._plain.start()
        # DEFECT sip2-tls-wrong-hostname: the certificate names another host.
        names = tls.WRONG_NAMES if self.defects.active(d.TLS_WRONG_HOSTNAME) else tls.GOOD_NAMES
        try:
            self._certificates = tls.issue(names)
        except tls.TLSUnavailable as exc:
            self._tls_note = str(exc)
            return
        self._tls = FramedTCPServer("sip2-tls", conversation, port=context.ports.get("sip2-tls", 0),
                                    tls=self._certificates.server_context())
        self._tls.start()

    def _conversations(self, acs: ACS) -> Callable[[], Conversation]:
        """One conversation per connection; counted, under the load defects, when one is on."""
        if not wants_pressure(self.defects):
            return lambda: AcsConversation(acs)
        pressure = Pressure(self.defects)
        return lambda: PressuredConversation(AcsConversation(acs), pressure)

    def resolve(self, profile: Profile) -> Profile:
        from harness.sip2.unit import SIP2

        settings = profile.settings_for(SIP2)
        if settings is None or self._plain is None:
            return profile
        host, port = self._plain.address
        resolved = replace(settings, host=host, port=port)
        if self._tls is not None and self._certificates is not None:
            resolved = replace(resolved, tls_port=self._tls.address[1], ca_file=Path(self._certificates.ca_file))
        return profile.with_settings(SIP2, resolved)

    def describe(self) -> list[tuple[str, str]]:
        if self._plain is None or self.acs is None:
            return []
        host, port = self._plain.address
        account = self.acs.account
        lines = [
            ("SIP2", f"{host}:{port} (plaintext, CR-terminated, {account.charset})"),
            ("SIP2 login", f"93 CN{account.username} CO{account.password} (the sandbox's public test account)"),
        ]
        if self._tls is not None and self._certificates is not None:
            lines.append(("SIP2 TLS", f"{self._tls.address[0]}:{self._tls.address[1]} (CA file {self._certificates.ca_file})"))
        else:
            lines.append(("SIP2 TLS", f"not served: {self._tls_note}"))
        return lines

    def stop(self) -> None:
        for server in (self._tls, self._plain):
            if server is not None:
                server.stop()
        self._tls = self._plain = None
        if self._certificates is not None:
            self._certificates.remove()  # no key material is left behind
            self._certificates = None
