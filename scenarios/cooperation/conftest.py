"""Fixtures of the cooperation suite: the consortium by role, and each protocol's path to it.

The stories use the profile's libraries, patrons and items by role (a public library, a
school library, a school's copy, the bookbus's copy), never by barcode. They import over the
MARC channel (:class:`Importer`, records deleted afterwards by their receipts), lend and
return over SIP2 (:class:`Desk`, loans checked in and holds cancelled afterwards), and look
through every search path the profile configures (:class:`Observe`). A path whose protocol
the profile does not configure, or whose unit this harness lacks, is not observed: the story
says so, and is NOT_TESTED only when it can observe nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.cooperation.cataloguing import Importer
from harness.cooperation.circulation import Desk
from harness.cooperation.members import Members, members_of
from harness.cooperation.observe import Observe
from harness.findings import not_tested
from harness.profile import Profile


@pytest.fixture()
def members(target: Profile) -> Members:
    return members_of(target)


@pytest.fixture()
def observe(request: pytest.FixtureRequest) -> Iterator[Observe]:
    found = Observe(request)
    yield found
    found.close()


@pytest.fixture()
def importer(request: pytest.FixtureRequest) -> Iterator[Importer]:
    """Imports over the MARC channel; what the receipts say was created is deleted afterwards."""
    channel = request.getfixturevalue("marc_channel")  # NOT_TESTED without [marc]
    if not channel.can_import:
        not_tested("the profile's [marc] channel has no import API: the story needs the harness to import")
    members: Members = request.getfixturevalue("members")
    made = Importer(channel, request.getfixturevalue("marc_settings"), lambda named: members.numbers(named, "marc"))
    yield made
    made.remove_all()


@pytest.fixture()
def desk(request: pytest.FixtureRequest) -> Iterator[Desk]:
    """A logged-in SIP2 connection; every loan is checked in and every hold cancelled afterwards."""
    made = Desk(request.getfixturevalue("sip2_target"), request.getfixturevalue("sip2"))
    yield made
    made.restore()
