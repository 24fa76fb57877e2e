"""SEC-01 across protocols: nothing personal leaks, whatever happens at the kiosks.

Over SIP2 a pupil borrows a school's copy and reserves a title, and a public-library patron
borrows a public library's copy (patrons who owe fees keep them: SIP2 can pay a fee, not
make one). Then no test patron's name or card number may appear over SRU, Z39.50 or OAI-PMH
in the records of those copies, nor in the MARC exports of the libraries that own them.

What a protocol suite owns is read past: a path that already showed patron data before the
story lent anything (the seed loans every catalogue has) leaks whatever the crossing, and its
protocol suite's SEC-01 check reports that. This story owns what its own loans and holds add.
"""

from __future__ import annotations

import pytest

from harness.cooperation import defects
from harness.cooperation.circulation import Desk
from harness.cooperation.members import Members
from harness.cooperation.oai_path import Found, OaiPath
from harness.cooperation.observe import Observe
from harness.cooperation.paths import MarcExport, Question, SearchPath
from harness.cooperation.privacy import Looked, Needle, judge, needles
from harness.cooperation.story import Story
from harness.findings import WarningRecorder
from harness.oaipmh.harvested import Harvested
from harness.oaipmh.ownership import Check
from harness.profile import TestItem

CLAUSE = ("GDPR art. 5(1)(c) data minimisation and art. 25 (data protection by design); consortium requirement SEC-01: "
          "no patron data over SRU, Z39.50, OAI-PMH or in catalogue exports, also while loans and holds exist")
MARC_PRIVACY_OWNER = "marc suite (test_export_carries_no_patron_data)"


def _records_leak(path: SearchPath, questions: list[Question], looked_for: list[Needle], story: Story) -> Looked:
    """Patron data in the records that hold the story's copies, as ``path`` returns them."""
    looked = Looked(path.name)
    for question in questions:
        sighting = path.ask(question)
        story.keep(sighting.exchanges, last=1)
        looked.look(f"the record holding {question.barcode}", sighting.raw if sighting.found else None, looked_for,
                    f"no record found by {question.describe()} holds it")
    return looked


def _exports_leak(export: MarcExport, libraries: list[str], looked_for: list[Needle], story: Story) -> Looked:
    looked = Looked("MARC export")
    for library in libraries:
        for fmt in ("iso2709", "marcxml"):
            _, data, exchanges = export.records(library, fmt)
            story.keep(exchanges, last=1)
            looked.look(f"{library}'s {fmt} export", data or None, looked_for, "it is empty")
    return looked


def _oai_records(oai: OaiPath, members: Members, copies: list[TestItem], story: Story) -> dict[str, Found]:
    """The harvested record holding each copy, from its library's set (or the whole catalogue)."""
    found: dict[str, Found] = {}
    lists: dict[str, Harvested] = {}
    for item in copies:
        library = members.profile.library(item.owning_library)
        key = item.owning_library if library is not None and oai.library_set(library) else ""
        if key not in lists:
            lists[key] = oai.whole(library if key else None)
            story.keep(lists[key].exchanges(2))
        record = oai.in_list(lists[key], barcode=item.barcode)
        if record is not None:
            found[item.barcode] = record
    return found


def _oai_leaks(oai: OaiPath, records: dict[str, Found], looked_for: list[Needle], story: Story, again: bool) -> Looked:
    """Patron data in the harvested records of the story's copies (fetched again with GetRecord)."""
    looked = Looked(oai.name)
    for barcode, record in records.items():
        payload: bytes | None = record.payload
        if again:
            got, exchanges = oai.get(record.identifier)
            story.keep(exchanges)
            payload = got.payload if got is not None else None
        looked.look(f"{record.identifier} (holding {barcode})", payload, looked_for, "GetRecord gave no MARC 21 record",
                    f"oaipmh suite ({Check.VERBS.value})")
    return looked


@pytest.mark.requirement("SEC-01")
@pytest.mark.destructive
@pytest.mark.failed_by(defects.SESSION_BORROWER_IN_SEARCH)
def test_nothing_personal_leaks(members: Members, desk: Desk, observe: Observe, warn: WarningRecorder) -> None:
    """After loans and holds made over SIP2, no patron's name or card number appears over SRU, Z39.50, OAI-PMH or in exports

    nb: Etter utlån og reservasjoner over SIP2 vises ingen låners navn eller kortnummer over SRU, Z39.50, OAI-PMH eller i eksporter
    """
    pupil, adult = members.patron("school"), members.patron("public")
    school_copy, public_copy = members.item(owner_kind="school"), members.item(owner_kind="public")
    lent_titles = {desk.title_word(school_copy), desk.title_word(public_copy)}
    others = [i for i in members.profile.items if i.barcode not in (school_copy.barcode, public_copy.barcode)]
    # a title neither patron borrows (a hold on one's own loan is refused), else any other copy
    reserved = next((i for i in others if desk.title_word(i) not in lent_titles), others[0] if others else None)
    looked_for = needles(members.profile.patrons)
    story = Story(CLAUSE, expected="no test patron's name or card number in any record or export, before or after the "
                                   "loans and holds")
    paths = observe.search(story, members.school)
    export = observe.marc_export(story)
    oai = observe.oai(story, paths)
    copies = [school_copy, public_copy, *([reserved] if reserved is not None else [])]
    questions = [Question(words=(desk.title_word(item),), barcode=item.barcode) for item in copies]
    libraries = sorted({item.owning_library for item in copies})
    before = {}
    for path in paths:
        with story.on(path.name):  # an answer the path's suite owns leaves the other paths judged
            before[path.name] = _records_leak(path, questions, looked_for, story)
    before_export = _exports_leak(export, libraries, looked_for, story) if export is not None else None
    harvested = _oai_records(oai, members, copies, story) if oai is not None else {}
    before_oai = _oai_leaks(oai, harvested, looked_for, story, again=False) if oai is not None else None
    desk.checkout(pupil, school_copy, school_copy.owning_library)
    desk.checkout(adult, public_copy, public_copy.owning_library)
    if reserved is not None:
        desk.hold(pupil, reserved, reserved.owning_library)
    for patron in (pupil, adult):
        info = desk.patron_information(patron)
        story.did(f"{patron.barcode}: {info.fixed_value('charged_items_count').strip() or '?'} loans, "
                  f"{info.fixed_value('hold_items_count').strip() or '?'} holds, fees owed {info.get('BV') or 'none'} "
                  f"(Patron Information, 63/64)")
    story.did(f"lent {school_copy.barcode} to {pupil.barcode} at {school_copy.owning_library} and {public_copy.barcode} to "
              f"{adult.barcode} at {public_copy.owning_library}" + (f"; {pupil.barcode} reserved {reserved.barcode}" if reserved else ""))
    story.keep(desk.exchanges, last=None)
    for path in paths:
        if path.name in before:
            with story.on(path.name):
                judge(story, before[path.name], _records_leak(path, questions, looked_for, story), path.owners.of("privacy"))
    if oai is not None and before_oai is not None:
        if harvested:
            judge(story, before_oai, _oai_leaks(oai, harvested, looked_for, story, again=True), oai.owners.of("privacy"))
        else:
            story.not_observed(oai.name, "no harvested record holds the story's copies")
    if export is not None and before_export is not None:
        judge(story, before_export, _exports_leak(export, libraries, looked_for, story), MARC_PRIVACY_OWNER)
    story.conclude(warn, f"no patron data in the records of {', '.join(q.barcode for q in questions)} nor in the exports "
                         f"of {', '.join(libraries)}, with the story's loans and holds")
