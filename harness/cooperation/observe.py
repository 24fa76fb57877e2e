"""Which paths a story can look through, found from the profile and the harness's units.

A path is observed when the harness has its unit and the profile configures it (and its
endpoint answered the probe); otherwise the story records why not and looks through the
others. The units' own fixtures are asked for their targets, so a path is set up exactly as
its protocol suite sets it up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from harness.cooperation.circulation import Desk
from harness.cooperation.oai_path import DEFAULT_VISIBILITY_TIMEOUT, OaiPath
from harness.cooperation.paths import MARC21_HOLDINGS, HoldingsLayout, MarcExport, SearchPath, SruPath
from harness.cooperation.story import Story
from harness.cooperation.z3950_path import Z3950Path
from harness.findings import NOT_TESTED_PREFIX
from harness.profile import Library


def _fixture(request: pytest.FixtureRequest, name: str) -> tuple[Any, str]:
    """A unit's fixture, or why it cannot be had (no unit, no profile section, unreachable)."""
    try:
        return request.getfixturevalue(name), ""
    except pytest.FixtureLookupError:
        return None, "this harness has no unit for it"
    except pytest.skip.Exception as exc:
        return None, str(exc.msg).split(NOT_TESTED_PREFIX, 1)[-1]


# Each search path: its name, the fixture of its unit's target, and how a member's view is opened
# (SRU reads holdings where [sru] says; Z39.50's USMARC records where the MARC unit says).
SEARCH_PATHS: tuple[tuple[str, str, Callable[[Any, Library, HoldingsLayout], SearchPath]], ...] = (
    ("SRU", "sru_target", lambda target, member, _: SruPath(target, member)),
    ("Z39.50", "z3950_target", lambda target, member, layout: Z3950Path(target, member, holdings=layout)),
)


@dataclass
class Observe:
    request: pytest.FixtureRequest
    opened: list[SearchPath] = field(default_factory=list)
    desks: list[Desk] = field(default_factory=list)

    def search(self, story: Story, member: Library) -> list[SearchPath]:
        """Every search path the profile configures, as ``member`` searches it."""
        paths = []
        layout = self.marc_holdings()
        for name, fixture, open_view in SEARCH_PATHS:
            target, why = _fixture(self.request, fixture)
            if target is None:
                story.not_observed(name, why)
                continue
            path = open_view(target, member, layout)
            self.opened.append(path)
            paths.append(path)
        return paths

    def marc_holdings(self) -> HoldingsLayout:
        """Where the catalogue's MARC records name holdings ([marc] holdings_tag ...); without
        [marc], MARC 21's 852 $a. No unit names a barcode subfield but [sru]: 852 $p."""
        settings, _ = _fixture(self.request, "marc_settings")
        if settings is None:
            return MARC21_HOLDINGS
        return HoldingsLayout(settings.holdings_tag, settings.holdings_library_subfield)

    def oai(self, story: Story, paths: Sequence[SearchPath] = ()) -> OaiPath | None:
        """The OAI-PMH repository, when it offers MARC 21 records; it may take as long to show
        a change as the slowest search path is allowed to ([oai] has no timeout of its own)."""
        target, why = _fixture(self.request, "oai_target")
        if target is None:
            story.not_observed("OAI-PMH", why)
            return None
        path = OaiPath(target, max((p.visibility_timeout for p in paths), default=DEFAULT_VISIBILITY_TIMEOUT))
        if path.prefix is None:
            story.not_observed("OAI-PMH", "the repository offers no MARC 21 format (holdings and letters are in MARC)")
            return None
        return path

    def marc_export(self, story: Story) -> MarcExport | None:
        channel, why = _fixture(self.request, "marc_channel")
        if channel is None:
            story.not_observed("MARC export", why)
            return None
        return MarcExport(channel, self.request.getfixturevalue("marc_settings"))

    def sip2(self, story: Story) -> Desk | None:
        """A SIP2 desk, when the profile configures SIP2; what it lends is put back at close."""
        target, why = _fixture(self.request, "sip2_target")
        if target is None:
            story.not_observed("SIP2", why)
            return None
        desk = Desk(target, self.request.getfixturevalue("sip2"))
        self.desks.append(desk)
        return desk

    def close(self) -> None:
        for desk in self.desks:
            desk.restore()
        for path in self.opened:
            path.close()
