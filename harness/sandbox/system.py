"""The running sandbox: one consortium, its servers on 127.0.0.1, clean shutdown.

``Sandbox(profile, defects)`` loads the fixture catalogue into one consortium and serves it:
MARC over HTTP, SIP2 in plaintext and over TLS (Z39.50, SRU and OAI-PMH share the same state
as they arrive). Use it as a context manager; it binds free ports on 127.0.0.1 and shuts down
cleanly, TLS certificates included.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from harness.paths import MARC_FIXTURES_DIR
from harness.profile import Profile
from harness.sandbox import tls
from harness.sandbox.http_server import SandboxHTTPServer, serve_in_thread
from harness.sandbox.marc_service import import_batch
from harness.sandbox.sip2_acs import ACS, Account
from harness.sandbox.sip2_server import SIP2Server
from harness.sandbox.state import Consortium, new_consortium, stock_consortium

# The catalogue, plus the records ISO 2709 cannot hold (MARC-04): a real catalogue has them.
CATALOGUE_FILES = (MARC_FIXTURES_DIR / "consortium.mrc", MARC_FIXTURES_DIR / "oversize.xml")


@dataclass(frozen=True, slots=True)
class Endpoints:
    http: str
    sip2: tuple[str, int]
    sip2_tls: tuple[str, int] | None = None  # None: not served, sip2_tls_note says why
    sip2_ca_file: str | None = None  # the throwaway CA that signed the TLS listener's certificate
    sip2_tls_note: str = ""

    def describe(self) -> list[tuple[str, str]]:
        host, port = self.sip2
        lines = [
            ("MARC export", f"{self.http}/marc/export?format=iso2709|marcxml[&library=NO-99...]"),
            ("MARC import", f"POST {self.http}/marc/import?library=NO-99..."),
            ("SIP2", f"{host}:{port} (plaintext, CR-terminated, UTF-8)"),
        ]
        if self.sip2_tls is not None:
            lines.append(("SIP2 TLS", f"{self.sip2_tls[0]}:{self.sip2_tls[1]} (CA file {self.sip2_ca_file})"))
        else:
            lines.append(("SIP2 TLS", f"not served: {self.sip2_tls_note}"))
        return lines


class Sandbox:
    def __init__(self, profile: Profile, defects: frozenset[str] = frozenset(), catalogue: tuple[Path, ...] = CATALOGUE_FILES) -> None:
        self.defects = defects
        self.consortium: Consortium = new_consortium(profile)
        first_library = next(iter(self.consortium.libraries))
        # The initial load goes through the import path, so import defects shape it too.
        for path in catalogue:
            import_batch(self.consortium, path.read_bytes(), first_library, defects)
        stock_consortium(self.consortium, profile)
        self.acs = ACS(self.consortium, Account.from_profile(profile.protocol("sip2")), defects)
        self._http: SandboxHTTPServer | None = None
        self._sip2: SIP2Server | None = None
        self._sip2_tls: SIP2Server | None = None
        self._certificates: tls.Certificates | None = None
        self._tls_note = ""

    def start(self) -> Endpoints:
        try:
            self._http = SandboxHTTPServer(self.consortium, self.defects)
            serve_in_thread(self._http)
            self._sip2 = SIP2Server(self.acs)
            self._sip2.start()
            self._start_tls()
        except BaseException:
            self.stop()
            raise
        return self.endpoints

    def _start_tls(self) -> None:
        try:
            self._certificates = tls.issue(tls.names_for(self.defects))
        except tls.TLSUnavailable as exc:
            self._tls_note = str(exc)
            return
        self._sip2_tls = SIP2Server(self.acs, tls=self._certificates.server_context())
        self._sip2_tls.start()

    @property
    def endpoints(self) -> Endpoints:
        if self._http is None or self._sip2 is None:
            raise RuntimeError("sandbox not started")
        return Endpoints(
            http=self._http.base_url,
            sip2=self._sip2.address,
            sip2_tls=self._sip2_tls.address if self._sip2_tls is not None else None,
            sip2_ca_file=str(self._certificates.ca_file) if self._certificates is not None else None,
            sip2_tls_note=self._tls_note,
        )

    def stop(self) -> None:
        for server in (self._sip2_tls, self._sip2):
            if server is not None:
                server.stop()
        self._sip2 = self._sip2_tls = None
        if self._certificates is not None:
            self._certificates.remove()
            self._certificates = None
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None

    def __enter__(self) -> Endpoints:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
