"""SPR-01 and SPR-02 across protocols: every letter, every path.

A public library catalogues a title with North, Lule and South Sámi and Kven text, some of it
composed (NFC), some decomposed (NFD), over the MARC channel. It must come back byte for byte
over the MARC export (ISO 2709 and MARCXML), SRU, Z39.50 and OAI-PMH, and as the SIP2 title
(AJ) of its copy; and a search must find it whichever form the query is in.

What a protocol suite owns is read past: letters a path changes in the fixture catalogue's
Sámi, Kven and NFD records too are the suite's letters check's, an NFD record the suite's
own query cannot find is its normalisation check's. This story owns what a record imported
during the run meets on its way to each path.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Literal

import pymarc
import pytest

from harness.cooperation import defects
from harness.cooperation.cataloguing import IMPORT_OWNER, Imported, Importer
from harness.cooperation.circulation import CHARSET_OWNER, GARBLED, LAYOUT_OWNER, Desk
from harness.cooperation.letters import (
    CONTROL_RECORDS,
    changes,
    fixture_changes,
    sip2_title,
)
from harness.cooperation.members import Members
from harness.cooperation.oai_path import HarvestBlocked, OaiPath
from harness.cooperation.observe import Observe
from harness.cooperation.paths import MarcExport, Question, SearchPath, Sighting, poll
from harness.cooperation.records import (
    FINDABLE,
    TestRecord,
    form_of,
    letters_record,
    title_proper,
)
from harness.cooperation.story import Story
from harness.evidence import Exchange
from harness.findings import WarningRecorder
from harness.oaipmh.dates import UtcDatetime
from harness.oaipmh.ownership import Check
from harness.profile import TestItem
from harness.sip2.codec import resolve_charset
from harness.sru.catalogue import FixtureRecord, load_catalogue

CLAUSE = ("Consortium requirements SPR-01 (Norwegian, North, Lule and South Sámi and Kven letters survive every path byte "
          "for byte: MARC export, SRU, Z39.50, OAI-PMH, SIP2) and SPR-02 (a search finds them whether query and data are "
          "NFC or NFD: Unicode Standard Annex #15, canonical equivalence); MARC 21 Specifications, Character Sets: "
          "Unicode Encoding Environment (UTF-8)")
MARC_LETTERS_OWNER = "marc suite (test_letters_survive_import_export_byte_exact)"
# The fixture records a search must find whatever the form: (record, title word, form of the query).
Form = Literal["NFC", "NFD"]
FORMS: tuple[Form, ...] = ("NFC", "NFD")
FINDABLE_CONTROLS: tuple[tuple[str, str, Form], ...] = (("hx0000020", "mearrasámiid", "NFC"), ("hx0000002", "čáppa", "NFD"))


def _found(sighting: Sighting) -> bool:
    return sighting.found


def _export(story: Story, export: MarcExport, title: TestRecord, imported: Imported,
            catalogue: Mapping[str, FixtureRecord]) -> pymarc.Record | None:
    """Judge both export formats; the record as the ISO 2709 export holds it (the catalogue's word)."""
    stored = None
    for fmt in ("iso2709", "marcxml"):
        name = f"MARC export ({fmt})"
        records, _, exchanges = export.records(imported.library, fmt)
        story.keep(exchanges, last=1)
        got = records.get(imported.number)
        if got is None:
            story.owned_by(name, f"{imported.number} is not in {imported.library}'s export", IMPORT_OWNER)
            continue
        stored = stored or got
        changed = changes(title.record, got)
        if not changed:
            story.fine(name, "every letter as sent")
        else:  # the whole catalogue's export holds the control records
            _judge_letters(story, name, imported, changed, fixture_changes(catalogue, export.records(None, fmt)[0]),
                           MARC_LETTERS_OWNER, ())
    return stored


def _judge_letters(story: Story, name: str, imported: Imported, changed: list[str], control: list[str] | None, owner: str,
                   exchanges: Sequence[Exchange]) -> None:
    """Letters changed on the way: the path's suite's fault if the fixture records change too,
    not judged if no fixture record came back (no control), else the crossing's."""
    without = f"no fixture letter record ({', '.join(CONTROL_RECORDS)}) came back"
    if story.crossing_owns(name, f"{imported.number} {changed[0]}", _letters_control(control), owner, without=without):
        story.fail(name, f"{imported.number} {changed[0]}", exchanges, more=changed[1:])


def _letters_control(control: list[str] | None) -> str | None:
    """The fixture records' letter changes as a control's words ("" when they came back unchanged)."""
    if control is None:
        return None
    return f"the fixture records' letters change too: {control[0]}" if control else ""


def _fixture_letters(path: SearchPath, catalogue: Mapping[str, FixtureRecord]) -> list[str] | None:
    returned = {}
    for number in CONTROL_RECORDS:
        if number in catalogue:
            sighting = path.ask(Question(number, isbn=catalogue[number].isbn))
            if sighting.record is not None:
                returned[number] = sighting.record
    return fixture_changes(catalogue, returned)


def _unfound_forms(path: SearchPath, title: TestRecord, number: str) -> list[str]:
    """The NFC and NFD queries for the composed and the decomposed title word that miss the record."""
    missing = []
    for word, stored in FINDABLE:
        for form in FORMS:
            query = unicodedata.normalize(form, word)
            if not path.ask(Question(number, words=(title.word, query))).found:
                missing.append(f"the {form} query {query!r} for the word stored {stored} misses it")
    return missing


def _fixture_unfound(path: SearchPath, catalogue: Mapping[str, FixtureRecord]) -> list[str] | None:
    """The fixture records the path does not find by their word in the other form; None when it
    finds none of them by ISBN either (then there is no control)."""
    missing, tried = [], 0
    for number, word, form in FINDABLE_CONTROLS:
        if number not in catalogue or not path.ask(Question(number, isbn=catalogue[number].isbn)).found:
            continue
        tried += 1
        if not path.ask(Question(number, words=(unicodedata.normalize(form, word),))).found:
            missing.append(f"the fixture record {number} is not found by the {form} query {word!r}")
    return missing if tried else None


def _search(story: Story, path: SearchPath, title: TestRecord, imported: Imported, catalogue: Mapping[str, FixtureRecord]) -> None:
    watched = poll(partial(path.ask, Question(imported.number, isbn=title.isbn)), _found, since=imported.returned_at,
                   timeout=path.visibility_timeout)
    story.keep(watched.sighting.exchanges, last=1)
    if watched.sighting.record is None:
        story.owned_by(path.name, f"{imported.number} not found by ISBN {watched.seconds:.1f} s after the import",
                       path.owners.of("visibility"))
        return
    changed = changes(title.record, watched.sighting.record)
    missing = _unfound_forms(path, title, imported.number)
    wrong = []
    if changed and story.crossing_owns(path.name, changed[0], _letters_control(_fixture_letters(path, catalogue)),
                                       path.owners.of("letters"), without="no fixture letter record came back"):
        wrong += changed
    if missing:
        unfound = _fixture_unfound(path, catalogue)
        control = None if unfound is None else (unfound[0] if unfound else "")
        if story.crossing_owns(path.name, missing[0], control, path.owners.of("findability"),
                               without="no fixture record with a Sámi or Kven title word is found by ISBN"):
            wrong += missing
    if wrong:
        story.fail(path.name, f"{imported.number} {wrong[0]}", watched.sighting.exchanges, more=wrong[1:])
    elif not (changed or missing):
        story.fine(path.name, "every letter as sent; found by NFC and NFD queries for composed and decomposed words")


def _oai(story: Story, oai: OaiPath, moment: UtcDatetime | None, title: TestRecord, imported: Imported,
         catalogue: Mapping[str, FixtureRecord]) -> None:
    """The record as the next incremental harvest gives it; the fixture catalogue's letter
    records from the whole harvest as the control."""
    if moment is None:
        story.owned_by(oai.name, "the repository's clock (Identify responseDate) cannot be read", f"oaipmh suite ({Check.RESPONSE_DATE.value})")
        return
    try:
        watched = poll(partial(oai.incremental, moment, imported.number), _found, since=imported.returned_at,
                       timeout=oai.visibility_timeout)
    except HarvestBlocked as blocked:
        story.owned_by(oai.name, f"the incremental harvest could not be read whole ({blocked.why})", f"oaipmh suite ({blocked.owner})")
        return
    story.keep(watched.sighting.exchanges, last=2)
    if watched.sighting.record is None:
        story.owned_by(oai.name, f"{imported.number} is not in the incremental harvest {watched.seconds:.1f} s after the import",
                       oai.owners.of("visibility"))
        return
    changed = changes(title.record, watched.sighting.record)
    if not changed:
        story.fine(oai.name, "every letter as sent in the incremental harvest")
        return
    whole = oai.whole()
    returned = {number: found.record for number in CONTROL_RECORDS if (found := oai.in_list(whole, number)) is not None}
    _judge_letters(story, oai.name, imported, changed, fixture_changes(catalogue, returned), oai.owners.of("letters"),
                   watched.sighting.exchanges)


def _sip2(story: Story, desk: Desk, title: TestRecord, imported: Imported, stored: pymarc.Record | None,
          control: TestItem | None) -> None:
    """The SIP2 title (AJ) of the new copy, as catalogued; a title the catalogue itself holds
    changed (its MARC export) is the import's fault, the MARC suite's to report."""
    charset = resolve_charset(desk.client.charset)
    try:
        title.title.encode(charset)
    except UnicodeEncodeError:
        story.owned_by("SIP2", f"the declared character set {desk.client.charset} cannot hold the title {title.title!r}",
                       CHARSET_OWNER)
        return
    item = TestItem(title.barcodes[0], imported.library, imported.library)
    aj = desk.item_information(item).get("AJ")
    story.keep(desk.exchanges[-1:])
    control_aj = desk.item_information(control).get("AJ") if aj is None and control is not None else None
    verdict, what = sip2_title(title.title, aj, control_aj)
    what = f"copy {item.barcode} of {imported.number}: {what}"
    held = title_proper(stored) if stored is not None else None
    if verdict == "fine":
        story.fine("SIP2", what)
    elif verdict == "no control":
        story.owned_by("SIP2", what, LAYOUT_OWNER)  # AJ is required in 18: the layout check reports it
    elif verdict == "missing":
        story.fail("SIP2", f"{what}, though copy {control.barcode if control else ''} has one ({control_aj!r})")
    elif aj is not None and any(g in aj and g not in title.title for g in GARBLED):
        story.owned_by("SIP2", f"{what}: letters sent in another character set than declared", CHARSET_OWNER)
    elif held is not None and aj is not None and held in aj:
        story.owned_by("SIP2", f"{what}; the catalogue's own export holds it so", MARC_LETTERS_OWNER)
    else:
        story.fail("SIP2", what)


@pytest.mark.requirement("SPR-01", "SPR-02")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.IMPORTED_LETTERS_NORMALISED)
def test_every_letter_every_path(members: Members, importer: Importer, observe: Observe, warn: WarningRecorder) -> None:
    """A title in North, Lule and South Sámi and Kven, NFC and NFD, comes back byte for byte on every path and is found in both forms

    nb: En tittel på nord-, lule- og sørsamisk og kvensk, NFC og NFD, kommer tilbake byte for byte på alle veier og finnes i begge former
    """
    public = members.public
    story = Story(CLAUSE, expected="every letter of 245, 100, 246 and 500 as sent (NFD stays NFD, NFC stays NFC), the "
                                   "SIP2 title as catalogued, and the record found by NFC and NFD queries")
    paths = observe.search(story, members.school)
    export = observe.marc_export(story)
    oai = observe.oai(story, paths)
    desk = observe.sip2(story)
    title = letters_record(public.number)
    moment = oai.clock() if oai is not None else None
    imported = importer.add(title, public.number)
    story.keep(importer.exchanges, last=None)
    story.did(f"imported {imported.number} (ISBN {title.isbn}, copy {title.barcodes[0]}) over MARC for {public.number}: "
              f"245 $a {title.title!r} ({form_of(title.title)})")
    catalogue = load_catalogue()
    stored = _export(story, export, title, imported, catalogue) if export is not None else None
    for path in paths:
        with story.on(path.name):
            _search(story, path, title, imported, catalogue)
    if oai is not None:
        _oai(story, oai, moment, title, imported, catalogue)
    if desk is not None:
        with story.on("SIP2"):
            _sip2(story, desk, title, imported, stored, members.profile.item(kind="regular"))
    story.conclude(warn, f"{imported.number}'s Sámi and Kven letters exact on every path, found in NFC and NFD")
