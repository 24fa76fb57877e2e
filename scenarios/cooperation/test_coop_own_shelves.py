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

from collections.abc import Mapping
from functools import partial

import pytest

from harness.cooperation import defects
from harness.cooperation.cataloguing import Importer
from harness.cooperation.members import Members
from harness.cooperation.observe import Observe
from harness.cooperation.paths import Question, SearchPath, Sighting, poll
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


def _control(path: SearchPath, catalogue: Mapping[str, FixtureRecord], library: Library, held: bool) -> str:
    """Whether the limit to ``library`` also fails for a fixture record it holds (``held``) or
    does not hold: the fault is then the protocol suite's, whatever the crossing. "" when the
    fixture record is limited right (or cannot be found at all, so there is no control)."""
    record = next((r for r in catalogue.values() if r.isbn and (library.number in r.libraries) == held), None)
    if record is None or not path.ask(Question(record.number, isbn=record.isbn)).found:
        return ""
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
                                   f"{public.number} (which does not)")
    paths = []
    for path in observe.search(story, school):
        if path.declares_library_limit:
            paths.append(path)
        else:
            story.not_observed(path.name, "the profile declares no library limit for it")
    if not paths:
        skip_undeclared("no search path declares a library limit ([sru] library_index, [z3950] library_use)")
    title = plain_record(school.number, story="own shelves first")
    imported = importer.add(title, school.number)
    story.did(f"imported {imported.number} (title word {title.word}) over MARC for {school.number} only")
    story.keep(importer.exchanges, last=None)
    catalogue = load_catalogue()
    for path in paths:
        visible = poll(partial(path.ask, Question(imported.number, isbn=title.isbn)), _found, since=imported.returned_at,
                       timeout=path.visibility_timeout)
        if not visible.shown:
            story.owned_by(path.name, f"{imported.number} not found by ISBN {visible.seconds:.1f} s after the import",
                           path.owners.of("visibility"))
            continue
        own = path.ask(Question(imported.number, words=(title.word,), library=school))
        other = path.ask(Question(imported.number, words=(title.word,), library=public))
        story.keep([*own.exchanges, *other.exchanges])
        wrong = ([] if own.found else [f"not found limited to {school.number}, which holds it ({own.hits} hits)"])
        wrong += [f"found limited to {public.number}, which holds no copy"] if other.found else []
        if not wrong:
            story.fine(path.name, f"{imported.number} found limited to {school.number}, not limited to {public.number}")
            continue
        controls = [c for c in (_control(path, catalogue, school, True) if not own.found else "",
                                _control(path, catalogue, public, False) if other.found else "") if c]
        if controls:
            story.owned_by(path.name, f"{imported.number} {'; '.join(wrong)}; {'; '.join(controls)}", path.owners.of("limit"))
        else:
            story.fail(path.name, f"the new title {imported.number}, held by {school.number} only, is {' and '.join(wrong)}")
    story.conclude(warn, f"limits to {school.number} and {public.number} hold for a title catalogued during the run")
