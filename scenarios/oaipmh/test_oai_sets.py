"""OAI-04: sets per library and per library kind, with ':' hierarchy (§2.6, §2.7.2).

Sets are optional in OAI-PMH: a repository that answers ListSets with noSetHierarchy declares
none, and these checks are SKIP. Declared sets must hold what they say: a library's set every
record that library holds (by the holdings of the MARC export when there is one, else of the
harvested records), a parent set every record of its children.
"""

from __future__ import annotations

import pymarc
import pytest

from harness.findings import cannot_judge, skip_undeclared
from harness.marc.records import control_number
from harness.oaipmh import defects
from harness.oaipmh.fixtures import OaiTarget
from harness.oaipmh.harvested import Harvested, harvest
from harness.oaipmh.judging import (
    MarcExport,
    answer_pages,
    fail,
    fail_on,
    faults,
    marc_records,
    pages_of,
)
from harness.oaipmh.model import OaiSet
from harness.oaipmh.ownership import Check
from harness.oaipmh.probes import Answer
from harness.oaipmh.rules import SPEC
from harness.profile import Library

SETS_CLAUSE = f"{SPEC} §2.7.2 Selective Harvesting and Sets; §2.6 Set (the consortium's requirement OAI-04)"
HIERARCHY_CLAUSE = f"{SPEC} §2.6 Set (a record in a set is in each of its ancestors: ':' separates the levels)"
KIND_WORDS = {
    "public": ("public", "folkebibliotek", "folkeboksamling"),
    "school": ("school", "skole"),
    "bookbus": ("bookbus", "bokbuss", "mobile"),
    "deposit": ("deposit", "depot"),
}
LIBRARY_SETS_HARVESTED = 4  # one per kind first, then others, up to this many


def _names_library(one: OaiSet, library: Library) -> bool:
    levels = one.spec.split(":")
    return any(code in levels for code in (library.number, library.isil) if code) or one.name == library.name


def _names_kind(one: OaiSet, kind: str) -> bool:
    text = f"{one.spec} {one.name}".lower()
    return any(word in text for word in KIND_WORDS.get(kind, (kind,)))


def _kind_set(sets: list[OaiSet], kind: str, libraries: tuple[Library, ...]) -> OaiSet | None:
    """The set of a library kind: it names the kind and no library (a library's name may hold
    a kind word: "Kautokeino folkebibliotek")."""
    return next((s for s in sets if _names_kind(s, kind) and not any(_names_library(s, lib) for lib in libraries)), None)


def _library_sets(sets: list[OaiSet], libraries: tuple[Library, ...]) -> dict[str, OaiSet]:
    """Library number -> the most specific set that names it (a leaf, if there is one)."""
    found = {}
    for library in libraries:
        named = [s for s in sets if _names_library(s, library)]
        if named:
            found[library.number] = max(named, key=lambda s: s.spec.count(":"))
    return found


@pytest.mark.requirement("OAI-04")
@pytest.mark.failed_by(defects.NO_KIND_SETS)
def test_sets_per_library_and_kind(oai_target: OaiTarget, libraries: tuple[Library, ...]) -> None:
    """ListSets offers a set for every member library and for every library kind

    nb: ListSets tilbyr et sett for hvert medlemsbibliotek og for hver bibliotektype
    """
    sets = oai_target.found.require_sets(Check.SET_DISCOVERY).sets
    by_library = _library_sets(sets, libraries)
    missing = [f"{lib.number} ({lib.name}): no set names it" for lib in libraries if lib.number not in by_library]
    kinds = sorted({lib.kind for lib in libraries})
    missing += [f"kind {kind}: no set names it ({', '.join(KIND_WORDS.get(kind, (kind,)))})" for kind in kinds
                if _kind_set(sets, kind, libraries) is None]
    if missing:
        fail(f"{len(missing)} member libraries or library kinds have no set", clause=SETS_CLAUSE,
             pages=oai_target.found.sets.pages[:2], details=missing + [f"offered: {', '.join(s.spec for s in sets)}"],
             expected="a set per library (by library number, ISIL or name) and per kind (public, school, bookbus)")


def _holders(records: dict[str, pymarc.Record], export: MarcExport, tag: str, code: str) -> dict[str, set[str]]:
    """Identifier -> the libraries holding the record: by the export's holdings when the record
    is in it (the catalogue as stored), else by the harvested record's."""
    holders = {}
    for identifier, record in records.items():
        truth = export.records.get(control_number(record) or "", record)
        holders[identifier] = {a for field in truth.get_fields(tag) for a in field.get_subfields(code)}
    return holders


def _live(harvested: Harvested) -> set[str]:
    return {h.identifier for h in harvested.headers if not h.deleted}


@pytest.mark.requirement("OAI-04")
@pytest.mark.failed_by(defects.SET_FIRST_LIBRARY_ONLY)
def test_set_harvest_gives_the_set_members(oai_target: OaiTarget, catalogue: Harvested, marc_export: MarcExport,
                                           libraries: tuple[Library, ...], answers: list[Answer]) -> None:
    """A library's set holds exactly the records that library holds, and so does a kind's set

    nb: Et biblioteks sett har nøyaktig postene biblioteket eier, og det samme gjelder en bibliotektypes sett
    """
    found = oai_target.found
    sets = found.require_sets(Check.SET_MEMBERS).sets
    prefix = found.require_marc_prefix(Check.SET_MEMBERS)
    records = marc_records(catalogue.require(Check.SET_MEMBERS))
    holders = _holders(records, marc_export, oai_target.settings.holdings_tag, oai_target.settings.holdings_library_subfield)
    by_library = _library_sets(sets, libraries)
    chosen: list[tuple[OaiSet, set[str]]] = []
    for kind in sorted({lib.kind for lib in libraries}):
        members = {lib.number for lib in libraries if lib.kind == kind}
        first = next((by_library[n] for n in sorted(members) if n in by_library), None)
        if first is not None:
            chosen.append((first, {n for n in members if by_library.get(n) == first}))
        kind_set = _kind_set(sets, kind, libraries)
        if kind_set is not None:
            chosen.append((kind_set, members))
    chosen = chosen[:LIBRARY_SETS_HARVESTED + 2]
    if not chosen:
        cannot_judge("no set names a member library or kind", Check.SET_DISCOVERY.value)
    lines, lists = [], []
    for one, numbers in chosen:
        listed = harvest(oai_target.client, (("verb", "ListIdentifiers"), ("metadataPrefix", prefix), ("set", one.spec)))
        lists.append(listed)
        if listed.blocker() not in (None, Check.SET_MEMBERS):
            listed.require(Check.SET_MEMBERS)
        expected = {i for i, held in holders.items() if held & numbers}
        got = _live(listed)
        lines += [f"set {one.spec}: {i} is held by {sorted(holders[i] & numbers)} but not in the set" for i in sorted(expected - got)]
        lines += [f"set {one.spec}: {i} is in the set, held only by {sorted(holders[i])}" for i in sorted(got - expected) if i in holders]
    seen = pages_of(*lists) + answer_pages([a for a in answers if a.probe.judge is Check.SET_MEMBERS])
    fail_on(faults(seen, Check.SET_MEMBERS, found.marc_prefix), len(seen), "list records that do not show the set asked",
            "every header of a set harvest lists that set (or a child of it)")
    wrong_probe = [a for a in answers if a.probe.judge is Check.SET_MEMBERS and a.page.response is not None and not a.right]
    if lines or wrong_probe:
        fail(f"{len(lines) + len(wrong_probe)} set harvests do not give the records their libraries hold", clause=SETS_CLAUSE,
             pages=[p for lst in lists for p in lst.pages[:1]] + [a.page for a in wrong_probe], details=lines + [
                 f"{a.probe.name}: {'/'.join(a.codes)}" for a in wrong_probe],
             expected="a set per library with every record holding a copy of that library, and nothing else")


@pytest.mark.requirement("OAI-04")
@pytest.mark.failed_by(defects.SET_HIERARCHY_IGNORED)
def test_parent_set_holds_its_children(oai_target: OaiTarget) -> None:
    """A parent set (before ':') holds every record of its child sets

    nb: Et overordnet sett (før ':') har alle postene i sine undersett
    """
    found = oai_target.found
    specs = [s.spec for s in found.require_sets(Check.SET_HIERARCHY).sets]
    prefix = found.require_catalogue_prefix(Check.SET_HIERARCHY)
    parents = [p for p in specs if any(c.startswith(f"{p}:") for c in specs)]
    if not parents:
        skip_undeclared("the repository declares no set hierarchy (no setSpec with ':' under another)")
    lines, pages = [], []
    for parent in parents[:2]:
        child = next(c for c in specs if c.startswith(f"{parent}:"))
        lists = [harvest(oai_target.client, (("verb", "ListIdentifiers"), ("metadataPrefix", prefix), ("set", spec)))
                 for spec in (child, parent)]
        for listed in lists:
            listed.require(Check.SET_HIERARCHY) if not listed.empty else None
        pages += [lst.pages[0] for lst in lists if lst.pages]
        missing = _live(lists[0]) - _live(lists[1])
        if missing:
            lines.append(f"set {parent} lacks {len(missing)} of the {len(_live(lists[0]))} records of its child {child}, "
                         f"e.g. {min(missing)}" + (" (it answered noRecordsMatch)" if lists[1].empty else ""))
    if lines:
        fail(f"{len(lines)} parent sets do not hold their children's records", clause=HIERARCHY_CLAUSE, pages=pages,
             details=lines, expected="set=P lists every record of every set P:...")
