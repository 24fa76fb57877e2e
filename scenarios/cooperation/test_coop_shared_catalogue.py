"""KAT-01 and KAT-02 across protocols: one shared catalogue, every library's holdings on every path.

A public library catalogues a new title over the MARC channel; a school library finds it over
SRU and Z39.50 (its own view), and it appears in the next incremental OAI-PMH harvest. Then
the school adds its own copy: its import of the same title is matched on the 035 (NO-OsBA)
number, and every path must show one record with both libraries' holdings. The time until
the record is visible on each path is measured and reported.

What a protocol suite already owns is read past: a record that never becomes findable after
an import is the suite's KAT-02 check's (OAI-PMH: its incremental harvest check's), an import
not matched on 035 is MARC-03's, a change GetRecord shows but the incremental harvest leaves
out is the OAI-PMH suite's. This story owns the holding a second library adds reaching every path.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest

from harness.cooperation import defects
from harness.cooperation.cataloguing import Imported, Importer
from harness.cooperation.members import Members
from harness.cooperation.oai_path import HarvestBlocked, OaiPath
from harness.cooperation.observe import Observe
from harness.cooperation.paths import Question, SearchPath, Sighting, Watch, poll, poll_each
from harness.cooperation.records import TestRecord, new_barcode, shared_record
from harness.cooperation.story import Story
from harness.findings import WarningRecorder
from harness.oaipmh.dates import UtcDatetime
from harness.oaipmh.ownership import Check
from harness.sru.catalogue import FixtureRecord, load_catalogue

CLAUSE = ("Consortium requirements KAT-01 (one bibliographic record carries the holdings of several libraries, each "
          "naming its owning library, in SRU/Z39.50 holdings and OAI-PMH) and KAT-02 (a record catalogued at one library "
          "is found by every member; the time until it is visible is measured); MARC 21 Format for Holdings Data, 852 $a; "
          "Nasjonalbiblioteket, Metadata til folke- og skolebibliotek: 035 (NO-OsBA) identifies the record; OAI-PMH 2.0 "
          "§2.7.1 (a record changed since from is in the incremental harvest)")


def _found(sighting: Sighting) -> bool:
    return sighting.found


def _shared_fixture() -> FixtureRecord:
    """The fixture catalogue's record held by the most libraries: the control for holdings."""
    return max(load_catalogue().values(), key=lambda r: len(set(r.libraries)))


def _missing(members: Members, fixture: FixtureRecord, sighting: Sighting | None, protocol: str) -> str | None:
    """What the path leaves out of the fixture record's holdings too: "" when nothing, None when
    the path does not give the fixture record at all (then there is no control)."""
    if sighting is None or not sighting.found:
        return None
    lacking = sorted(set(fixture.libraries) - members.numbers(sighting.libraries, protocol))
    return f"the fixture record {fixture.number} lacks holdings of {', '.join(lacking)} too" if lacking else ""


def _search_control(members: Members, path: SearchPath) -> str | None:
    fixture = _shared_fixture()
    return _missing(members, fixture, path.ask(Question(fixture.number, isbn=fixture.isbn)), path.owners.suite)


def _oai_control(members: Members, oai: OaiPath) -> str | None:
    fixture = _shared_fixture()
    found = oai.in_list(oai.whole(), fixture.number)
    sighting = Sighting("", found.record, oai.libraries(found.record)) if found is not None else None
    return _missing(members, fixture, sighting, "oaipmh")


def _holds(members: Members, wanted: set[str], protocol: str, sighting: Sighting) -> bool:
    return sighting.found and wanted <= members.numbers(sighting.libraries, protocol)


class _Oai:
    """The OAI-PMH side of the story: the repository's clock before each import, then the harvest."""

    def __init__(self, story: Story, path: OaiPath | None) -> None:
        self.story, self.path = story, path
        self.identifier = self.datestamp = ""

    def clock(self) -> UtcDatetime | None:
        """The repository's time now; past the record's datestamp once the harvest has seen it."""
        if self.path is None:
            return None
        moment = self.path.clock_after(self.datestamp) if self.datestamp else self.path.clock()
        if moment is None:
            self.story.owned_by(self.path.name, "the repository's clock (Identify responseDate) cannot be read",
                                f"oaipmh suite ({Check.RESPONSE_DATE.value})")
            self.path = None
        return moment

    def watch(self, moment: UtcDatetime | None, imported: Imported, shown: partial[bool]) -> tuple[Sighting, float, bool] | None:
        if self.path is None or moment is None:
            return None
        try:
            watched = poll(partial(self.path.incremental, moment, imported.number), shown, since=imported.returned_at,
                           timeout=self.path.visibility_timeout)
        except HarvestBlocked as blocked:
            self.story.owned_by(self.path.name, f"the incremental harvest could not be read whole ({blocked.why})",
                                f"oaipmh suite ({blocked.owner})")
            self.path = None
            return None
        return watched.sighting, watched.seconds, watched.shown


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
    oai = _Oai(story, observe.oai(story, paths))
    title = shared_record(public.number, story="shared catalogue")
    before_first = oai.clock()
    first = importer.add(title, public.number)
    story.did(f"imported {first.number} (ISBN {title.isbn}, 035 {title.osba}) over MARC for {public.number}")
    visible = _first_sightings(story, paths, title, first)
    seen_in_oai = oai.watch(before_first, first, partial(_holds, members, set(), "oaipmh"))
    if seen_in_oai is not None:
        _oai_first(story, oai, seen_in_oai, first)
    before_second = oai.clock()
    second = importer.add_holding(title.holding_of(school.number, new_barcode()), school.number, first.number, public.number)
    story.did(f"imported the same title for {school.number} (its own copy); the receipt names {first.number} updated")
    story.keep(importer.exchanges, last=None)
    wanted = {public.number, school.number}
    held = poll_each({p.name: Watch(partial(p.ask, Question(first.number, isbn=title.isbn)),
                                    partial(_holds, members, wanted, p.owners.suite), p.visibility_timeout) for p in visible},
                     since=second.returned_at)
    for path in visible:
        watched = held[path.name]
        if story.stopped(path.name, watched):
            continue
        with story.on(path.name):  # the control asks the path again
            _judge_second(story, members, path.name, path.owners.suite, watched.sighting, watched.seconds, watched.shown,
                          second, wanted, path.visibility_timeout, partial(_search_control, members, path),
                          path.owners.of("holdings"))
    seen_again = oai.watch(before_second, second, partial(_holds, members, wanted, "oaipmh"))
    if seen_again is not None:
        _oai_second(story, members, oai, seen_again, second, wanted)
    story.conclude(warn, f"{first.number} from {school.number}'s view with holdings of {public.number} and {school.number}")


def _first_sightings(story: Story, paths: list[SearchPath], title: TestRecord, first: Imported) -> list[SearchPath]:
    """The search paths that find the new record by ISBN (each timed, all polled together so no
    path's wait adds to another's time); the others are their suite's to judge."""
    visible = []
    found = poll_each({p.name: Watch(partial(p.ask, Question(first.number, isbn=title.isbn)), _found, p.visibility_timeout)
                       for p in paths}, since=first.returned_at)
    for path in paths:
        watched = found[path.name]
        if story.stopped(path.name, watched):
            continue
        story.keep(watched.sighting.exchanges)
        if watched.shown:
            story.timed(path.name, watched.seconds)
            visible.append(path)
        else:
            story.owned_by(path.name, f"{first.number} not found by ISBN {watched.seconds:.1f} s after the import",
                           path.owners.of("visibility"))
    return visible


def _oai_first(story: Story, oai: _Oai, seen: tuple[Sighting, float, bool], first: Imported) -> None:
    sighting, seconds, shown = seen
    assert oai.path is not None
    story.keep(sighting.exchanges)
    if shown:
        story.timed(oai.path.name, seconds)
        oai.identifier, oai.datestamp = sighting.identifier, sighting.datestamp
    else:
        story.owned_by(oai.path.name, f"{first.number} is not in the incremental harvest {seconds:.1f} s after the import",
                       oai.path.owners.of("visibility"))
        oai.path = None


def _judge_second(story: Story, members: Members, name: str, protocol: str, sighting: Sighting, seconds: float,
                  shown: bool, second: Imported, wanted: set[str], timeout: float, control: Callable[[], str | None],
                  owner: str) -> None:
    """Both libraries' holdings shown: fine; else the path's suite's fault if the fixture's shared
    record lacks holdings there too, the crossing's if not, and not judged when the path does
    not give the fixture record at all (no control)."""
    named = members.numbers(sighting.libraries, protocol)
    if shown:
        story.fine(name, f"holdings of {', '.join(sorted(named))} {seconds:.3f} s after {second.library}'s import")
        story.keep(sighting.exchanges, last=1)
        return
    missing = sorted(wanted - named)
    what = (f"{second.number} shows holdings of {', '.join(sorted(named)) or 'no library'}, not of {', '.join(missing)}, "
            f"{seconds:.1f} s after {second.library} added its copy ({timeout:g} s allowed)")
    if story.crossing_owns(name, what, control(), owner, without="the fixture record held by the most libraries is not found there"):
        story.fail(name, what, sighting.exchanges)


def _oai_second(story: Story, members: Members, oai: _Oai, seen: tuple[Sighting, float, bool], second: Imported,
                wanted: set[str]) -> None:
    sighting, seconds, shown = seen
    assert oai.path is not None
    name = oai.path.name
    if shown or sighting.found:
        _judge_second(story, members, name, "oaipmh", sighting, seconds, shown, second, wanted, oai.path.visibility_timeout,
                      partial(_oai_control, members, oai.path), oai.path.owners.of("holdings"))
        return
    got, exchanges = oai.path.get(oai.identifier)
    story.keep(exchanges)
    late = f"{second.number} is not in the incremental harvest {seconds:.1f} s after {second.library} added its copy"
    if got is None:  # GetRecord of an identifier the harvest gave must answer: the OAI-PMH suite's to report
        story.owned_by(name, f"{late}, and GetRecord {oai.identifier} gave no MARC 21 record", f"oaipmh suite ({Check.VERBS.value})")
    elif second.library in members.numbers(oai.path.libraries(got.record), "oaipmh"):
        story.owned_by(name, f"{second.number} with {second.library}'s holding is in GetRecord but not in the incremental "
                             f"harvest {seconds:.1f} s after the import", oai.path.owners.of("visibility"))
    else:
        _judge_second(story, members, name, "oaipmh", Sighting("GetRecord", got.record, oai.path.libraries(got.record), (),
                                                                got.payload, exchanges=exchanges),
                      seconds, False, second, wanted, oai.path.visibility_timeout, partial(_oai_control, members, oai.path),
                      oai.path.owners.of("holdings"))
