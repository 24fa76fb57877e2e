"""The running sandbox: one consortium, its servers on 127.0.0.1, clean shutdown.

``Sandbox(profile, defects)`` loads the fixture catalogue into one consortium and serves it
(MARC over HTTP now; SIP2, Z39.50, SRU and OAI-PMH share the same state as they arrive).
Use it as a context manager; it binds free ports on 127.0.0.1 and shuts down cleanly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from harness.paths import MARC_FIXTURES_DIR
from harness.profile import Profile
from harness.sandbox.http_server import SandboxHTTPServer, serve_in_thread
from harness.sandbox.marc_service import import_batch
from harness.sandbox.state import Consortium, new_consortium, seed_loans

# The catalogue, plus the records ISO 2709 cannot hold (MARC-04): a real catalogue has them.
CATALOGUE_FILES = (MARC_FIXTURES_DIR / "consortium.mrc", MARC_FIXTURES_DIR / "oversize.xml")


@dataclass(frozen=True, slots=True)
class Endpoints:
    http: str

    def describe(self) -> list[tuple[str, str]]:
        return [
            ("MARC export", f"{self.http}/marc/export?format=iso2709|marcxml[&library=NO-99...]"),
            ("MARC import", f"POST {self.http}/marc/import?library=NO-99..."),
        ]


class Sandbox:
    def __init__(self, profile: Profile, defects: frozenset[str] = frozenset(), catalogue: tuple[Path, ...] = CATALOGUE_FILES) -> None:
        self.defects = defects
        self.consortium: Consortium = new_consortium(profile)
        first_library = next(iter(self.consortium.libraries))
        # The initial load goes through the import path, so import defects shape it too.
        for path in catalogue:
            import_batch(self.consortium, path.read_bytes(), first_library, defects)
        seed_loans(self.consortium)
        self._http: SandboxHTTPServer | None = None

    def start(self) -> Endpoints:
        self._http = SandboxHTTPServer(self.consortium, self.defects)
        serve_in_thread(self._http)
        return self.endpoints

    @property
    def endpoints(self) -> Endpoints:
        if self._http is None:
            raise RuntimeError("sandbox not started")
        return Endpoints(http=self._http.base_url)

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None

    def __enter__(self) -> Endpoints:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
