"""The Z39.50 service of the embedded sandbox: a target on the generic TCP server.

It serves the consortium's one search index (``shared_index``: the SRU server searches the
same one, so both answer alike) and its live items, with the ``[z3950]`` account of the
sandbox's profile, and writes host and port into the resolved profile. Under a defect that
changes indexing it builds an index of its own and leaves the shared one alone.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from harness.cooperation.sandbox import cooperation_index
from harness.defects import DefectSet
from harness.sandbox.search import SearchIndex
from harness.sandbox.search.shared import consortium_index, shared_index
from harness.sandbox.search.text import base_letters, words
from harness.sandbox.state import Consortium
from harness.sandbox.tcp import FramedTCPServer
from harness.z3950 import defects as d
from harness.z3950.sandbox.backend import SandboxBackend
from harness.z3950.sandbox.conversation import Z3950Conversation

if TYPE_CHECKING:
    from harness.profile import Profile
    from harness.units import SandboxContext



def index_for(consortium: Consortium, defects: DefectSet) -> SearchIndex:
    """The shared index, or, under a defect that changes indexing, one of this server's own."""
    crossing = cooperation_index(consortium, defects, d.INDEX_DEFECTS)  # the cooperation defects live in the search index
    if crossing is not None:
        return crossing
    if defects.active(d.NFD_UNFINDABLE):  # DEFECT z3950-nfd-unfindable
        return consortium_index(consortium, normalise_unicode=False)
    if defects.active(d.LETTER_FOLDING):  # DEFECT z3950-letter-folding
        return consortium_index(consortium, words_of=lambda text: [base_letters(w) for w in words(text)])
    if defects.active(d.STALE_INDEX):  # DEFECT z3950-stale-index: the catalogue as it was at start, for ever
        return SearchIndex(dict(consortium.records), lock=consortium.lock)
    return shared_index(consortium)


class Z3950Service:
    def __init__(self) -> None:
        self.consortium: Consortium | None = None
        self.defects = DefectSet()
        self.backend: SandboxBackend | None = None
        self._server: FramedTCPServer | None = None

    def load(self, consortium: Consortium, defects: DefectSet) -> None:
        self.consortium, self.defects = consortium, defects

    def start(self, context: SandboxContext) -> None:
        from harness.z3950.unit import Z3950

        settings = context.profile.settings_for(Z3950)
        if settings is None:
            return
        consortium = context.consortium
        self.backend = backend = SandboxBackend(consortium, index_for(consortium, self.defects), settings, self.defects)
        defects = self.defects
        self._server = FramedTCPServer("z3950", lambda: Z3950Conversation(backend, defects),
                                       port=context.ports.get("z3950", 0))
        self._server.start()

    def resolve(self, profile: Profile) -> Profile:
        from harness.z3950.unit import Z3950

        settings = profile.settings_for(Z3950)
        if settings is None or self._server is None:
            return profile
        host, port = self._server.address
        return profile.with_settings(Z3950, replace(settings, host=host, port=port))

    def describe(self) -> list[tuple[str, str]]:
        if self._server is None or self.backend is None:
            return []
        host, port = self._server.address
        settings = self.backend.settings
        views = f"; member views: {settings.member_database}" if settings.member_database else ""
        lines = [("Z39.50", f"{host}:{port} database {settings.database}{views} (USMARC, MARCXML, OPAC, SUTRS; UTF-8)")]
        if settings.auth != "none":
            account = f"user {settings.user}, group {settings.group or '-'}, password {settings.password}"
            lines.append(("Z39.50 login", f"{settings.auth} {account} (the sandbox's public test account)"))
        return lines

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
