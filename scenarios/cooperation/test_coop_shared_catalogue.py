"""KAT-01 and KAT-02 across protocols: one shared catalogue, every library's holdings on every path.

A public library catalogues a new title over the MARC channel; a school library finds it over
SRU and Z39.50 (its own view), and it appears in the next incremental OAI-PMH harvest. Then
the school adds its own copy: its import of the same title is matched on the 035 (NO-OsBA)
number, and every path must show one record with both libraries' holdings. The time until
the record is visible on each path is measured and reported.

What a protocol suite already owns is read past: a record that never becomes findable after
an import is the suite's KAT-02 check's (``test_imported_record_visible_...``), an import
not matched on 035 is MARC-03's. This story owns the holding that a second library adds
reaching every path.
"""

from __future__ import annotations

from functools import partial

import pytest

from harness.cooperation import defects
from harness.cooperation.cataloguing import Importer
from harness.cooperation.members import Members
from harness.cooperation.observe import Observe
from harness.cooperation.paths import Question, SearchPath, Sighting, poll
from harness.cooperation.records import new_barcode, shared_record
from harness.cooperation.story import Story
from harness.findings import WarningRecorder

CLAUSE = ("Consortium requirements KAT-01 (one bibliographic record carries the holdings of several libraries, each "
          "naming its owning library, in SRU/Z39.50 holdings and OAI-PMH) and KAT-02 (a record catalogued at one library "
          "is found by every member; the time until it is visible is measured); MARC 21 Format for Holdings Data, 852 $a; "
          "Nasjonalbiblioteket, Metadata til folke- og skolebibliotek: 035 (NO-OsBA) identifies the record")


def _found(sighting: Sighting) -> bool:
    return sighting.found


@pytest.mark.requirement("KAT-01", "KAT-02")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.UPGRADE_HOLDING_NOT_INDEXED)
def test_shared_catalogue(members: Members, importer: Importer, observe: Observe, warn: WarningRecorder) -> None:
    """A title a public library imports is found by a school over every path, and shows both libraries' holdings once the school adds its copy

    nb: En tittel et folkebibliotek importerer finnes av en skole over alle veier, og viser begge bibliotekenes beholdning når skolen legger til sitt eksemplar
    """
    public, school = members.public, members.school
    story = Story(CLAUSE, expected=f"one record, found from {school.number}'s view on every path, with holdings of "
                                   f"{public.number} and {school.number} within the path's visibility timeout")
    paths = observe.search(story, school)
    title = shared_record(public.number, story="shared catalogue")
    first = importer.add(title, public.number)
    story.did(f"imported {first.number} (ISBN {title.isbn}, 035 {title.osba}) over MARC for {public.number}")
    visible: list[SearchPath] = []
    for path in paths:
        watched = poll(partial(path.ask, Question(first.number, isbn=title.isbn)), _found,
                       since=first.returned_at, timeout=path.visibility_timeout)
        story.keep(watched.sighting.exchanges)
        if watched.shown:
            story.timed(path.name, watched.seconds)
            visible.append(path)
        else:
            story.owned_by(path.name, f"{first.number} not found by ISBN {watched.seconds:.1f} s after the import",
                           path.owners.of("visibility"))
    second = importer.add_holding(title.holding_of(school.number, new_barcode()), school.number, first.number)
    story.did(f"imported the same title for {school.number} (its own copy); the receipt names {first.number} updated")
    story.keep(importer.exchanges, last=None)
    wanted = {public.number, school.number}

    def both(sighting: Sighting, protocol: str) -> bool:
        return sighting.found and wanted <= members.numbers(sighting.libraries, protocol)

    for path in visible:
        protocol = path.owners.suite
        watched = poll(partial(path.ask, Question(first.number, isbn=title.isbn)), partial(both, protocol=protocol),
                       since=second.returned_at, timeout=path.visibility_timeout)
        named = sorted(members.numbers(watched.sighting.libraries, protocol))
        if watched.shown:
            story.fine(path.name, f"holdings of {', '.join(named)} {watched.seconds:.3f} s after {school.number}'s import")
            story.keep(watched.sighting.exchanges, last=1)
        else:
            story.fail(path.name, f"{first.number} shows holdings of {', '.join(named) or 'no library'} "
                                  f"{watched.seconds:.1f} s after {school.number} added its copy ({watched.polls} searches; "
                                  f"{path.visibility_timeout:g} s allowed), not of both {public.number} and {school.number}",
                       watched.sighting.exchanges)
    story.conclude(warn, f"{first.number} from {school.number}'s view with holdings of {public.number} and {school.number}")
