"""KAT-03 across protocols: own shelves first, also for what was catalogued a moment ago.

A school library catalogues a new title over the MARC channel. A search limited to the
school's holdings finds it; the same search limited to a public library that holds no copy
does not, on every search path that declares a library limit (``[sru] library_index``,
``[z3950] library_use``). A library system that fills its library limits from a nightly job
lets today's records through every library's limit (or none).

What a protocol suite owns is read past: a limit that fails for the fixture catalogue too is
its KAT-03 check's; a record never findable after an import is its KAT-02 check's.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import partial

import pytest

from harness.cooperation import defects
from harness.cooperation.cataloguing import Importer
from harness.cooperation.members import Members
from harness.cooperation.observe import Observe
from harness.cooperation.paths import Question, SearchPath, Sighting, Watch, Watched, poll_each
from harness.cooperation.records import plain_record
from harness.cooperation.story import Story
from harness.findings import WarningRecorder, skip_undeclared
from harness.profile import Library
from harness.sru.catalogue import FixtureRecord, load_catalogue

CLAUSE = ("Consortium requirement KAT-03: a search limited to one library's holdings returns only what that library "
          "holds, including records catalogued since the last search; NorZIG SRU profile (holding library index); "
          "Z39.50 Bib-1 Use 56 (Code-institution)")


def _found(sighting: Sighting) -> bool:
    return sighting.found


def _control(path: SearchPath, catalogue: Mapping[str, FixtureRecord], library: Library, held: bool) -> str | None:
    """Whether the limit to ``library`` also fails for a fixture record it holds (``held``) or
    does not hold: the fault is then the protocol suite's, whatever the crossing. "" when the
    fixture record is limited right; None when there is no control (no such fixture record, or
    the path does not find it at all)."""
    record = next((r for r in catalogue.values() if r.isbn and (library.number in r.libraries) == held), None)
    if record is None or not path.ask(Question(record.number, isbn=record.isbn)).found:
        return None
    limited = path.ask(Question(record.number, isbn=record.isbn, library=library))
    if limited.found == held:
        return ""
    return (f"the fixture record {record.number} ({'held' if held else 'not held'} by {library.number}) is "
            f"{'not ' if held else ''}found by ISBN limited to {library.number} too")


@pytest.mark.requirement("KAT-03")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.NEW_RECORDS_PASS_LIBRARY_LIMITS)
def test_own_shelves_first(members: Members, importer: Importer, observe: Observe, warn: WarningRecorder) -> None:
    """A search limited to one library returns what it holds and nothing else, also for a title catalogued during the run

    nb: Et søk avgrenset til ett bibliotek gir det biblioteket eier og ikke noe annet, også for en tittel katalogisert underveis
    """
    school, public = members.school, members.public
    story = Story(CLAUSE, expected=f"the new title found limited to {school.number} (which holds it), not limited to "
                                   f"{public.number} (which does not), within the path's visibility timeout")
    searched = observe.search(story, school)
    if not searched:  # no search path configured at all: NOT_TESTED, saying why
        story.conclude(warn, "no search path")
    paths = [path for path in searched if path.declares_library_limit]
    for path in searched:
        if not path.declares_library_limit:
            story.not_observed(path.name, "the profile declares no library limit for it")
    if not paths:
        skip_undeclared("no search path declares a library limit ([sru] library_index, [z3950] library_use)")
    title = plain_record(school.number, story="own shelves first")
    imported = importer.add(title, school.number)
    story.did(f"imported {imported.number} (title word {title.word}) over MARC for {school.number} only")
    story.keep(importer.exchanges, last=None)
    found = poll_each({p.name: Watch(partial(p.ask, Question(imported.number, isbn=title.isbn)), _found, p.visibility_timeout)
                       for p in paths}, since=imported.returned_at)
    visible = []
    for path in paths:
        watched = found[path.name]
        if story.stopped(path.name, watched):
            continue
        if watched.shown:
            visible.append(path)
        else:
            story.owned_by(path.name, f"{imported.number} not found by ISBN {watched.seconds:.1f} s after the import",
                           path.owners.of("visibility"))
    # A limit may be filled later than the record is findable: the own limit is awaited until it
    # finds the title, the other until it no longer does, each within the path's timeout.
    limits = poll_each({(p.name, own): Watch(partial(p.ask, Question(imported.number, words=(title.word,),
                                                                      library=school if own else public)),
                                             _found if own else _absent, p.visibility_timeout)
                        for p in visible for own in (True, False)}, since=time.monotonic())
    catalogue = load_catalogue()
    for path in visible:
        with story.on(path.name):
            _judge(story, path, catalogue, members, imported.number, limits[(path.name, True)], limits[(path.name, False)])
    story.conclude(warn, f"limits to {school.number} and {public.number} hold for a title catalogued during the run")


def _absent(sighting: Sighting) -> bool:
    return not sighting.found


def _judge(story: Story, path: SearchPath, catalogue: Mapping[str, FixtureRecord], members: Members, number: str,
           own: Watched, other: Watched) -> None:
    school, public = members.school, members.public
    for watched in (own, other):
        if watched.stopped is not None:
            raise watched.stopped  # story.on records the owner
    story.keep([*own.sighting.exchanges, *other.sighting.exchanges])
    wrong = ([] if own.shown else [(f"not found limited to {school.number}, which holds it ({own.sighting.hits} hits, "
                                   f"{own.seconds:.1f} s)")])
    wrong += [] if other.shown else [f"found limited to {public.number}, which holds no copy ({other.seconds:.1f} s)"]
    if not wrong:
        story.fine(path.name, f"{number} found limited to {school.number}, not limited to {public.number}")
        return
    controls = [_control(path, catalogue, school, True) if not own.shown else "",
                _control(path, catalogue, public, False) if not other.shown else ""]
    shown = [c for c in controls if c]
    if shown:
        story.owned_by(path.name, f"{number} {'; '.join(wrong)}; {'; '.join(shown)}", path.owners.of("limit"))
    elif None in controls:
        story.not_observed(path.name, f"{number} is {' and '.join(wrong)}, but no fixture record the limit could be tried on "
                                      f"is found by ISBN, so it cannot be told from the {path.owners.of('limit')} fault")
    else:
        story.fail(path.name, f"the new title {number}, held by {school.number} only, is {' and '.join(wrong)}")
