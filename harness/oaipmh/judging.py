"""What the OAI-PMH checks share: every page the run has seen, each check's own faults on them,
and a FAIL that carries those pages' exchanges and problems as evidence.

A check that judges a property of every response (HTTP status, Content-Type, schema, echo,
responseDate) reads the same pages: discovery, the catalogue harvest and the probe battery,
with each page's format, so payload problems go to the format's check (:mod:`ownership`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NoReturn

import pymarc

from harness.evidence import Exchange
from harness.findings import Finding
from harness.marc.records import control_number
from harness.oaipmh.changes import marc_of
from harness.oaipmh.client import Page
from harness.oaipmh.discovery import Discovery
from harness.oaipmh.harvested import Harvested
from harness.oaipmh.ownership import Check, mine
from harness.oaipmh.probes import Answer
from harness.rules import Problem, Severity

EVIDENCE_PAGES = 6
LINES_SHOWN = 25


@dataclass(frozen=True)
class MarcExport:
    """The target's MARC export as records by 001, or why there is none to compare with."""

    records: dict[str, pymarc.Record]
    source: str = ""
    unavailable: str = ""  # non-empty: no [marc] section, or the export could not be read


@dataclass(frozen=True, slots=True)
class Seen:
    page: Page
    prefix: str | None  # the format the page was asked in (None: no format)
    label: str  # what the page is, for the evidence: "probe missing_prefix", "ListRecords marc21 page 2"


def seen_pages(found: Discovery, lists: Sequence[Harvested] = (), answers: Sequence[Answer] = ()) -> list[Seen]:
    """Discovery's pages, then the lists', then the probes' answers."""
    pages = [Seen(found.identify, None, "Identify"), Seen(found.formats, None, "ListMetadataFormats")]
    pages += pages_of(found.sets)
    pages += pages_of(*{id(one): one for one in lists}.values())  # a list given twice is read once
    return pages + answer_pages(answers)


def answer_pages(answers: Sequence[Answer]) -> list[Seen]:
    return [Seen(a.page, dict(a.probe.arguments).get("metadataPrefix"), f"probe {a.probe.name}") for a in answers if a.answered]


def pages_of(*lists: Harvested) -> list[Seen]:
    return [Seen(page, harvested.prefix, f"{harvested.verb} {harvested.prefix or ''} page {number}".replace("  ", " "))
            for harvested in lists for number, page in enumerate(harvested.pages, 1)]


def faults(seen: Iterable[Seen], check: Check, marc_prefix: str | None,
           severity: Severity = Severity.FAIL) -> list[tuple[Seen, list[Problem]]]:
    found = []
    for one in seen:
        problems = mine(one.page.problems, check, one.prefix, marc_prefix, severity)
        if problems:
            found.append((one, problems))
    return found


def exchanges_of(pages: Iterable[Page], limit: int = EVIDENCE_PAGES) -> tuple[Exchange, ...]:
    found = [p.exchange for p in pages if p.exchange is not None]
    return tuple(found[:limit])


def clauses(problems: Iterable[Problem]) -> str:
    return "; ".join(sorted({p.rule.clause for p in problems}))


def capped(lines: Sequence[str], limit: int = LINES_SHOWN) -> list[str]:
    return list(lines) if len(lines) <= limit else [*lines[:limit], f"... and {len(lines) - limit} more"]


def fail_on(found: list[tuple[Seen, list[Problem]]], total: int, what: str, expected: str) -> None:
    """FAIL with the problems of ``found`` (pages, each with this check's problems), if any."""
    if not found:
        return
    problems = [p for _, ps in found for p in ps]
    details = capped([f"{seen.label}: {p}" for seen, ps in found for p in ps])
    raise Finding(f"{len(found)} of {total} responses {what}", clause=clauses(problems), expected=expected,
                  exchanges=exchanges_of(seen.page for seen, _ in found), problems=problems, details=details)


def fail(message: str, *, clause: str, expected: str, pages: Iterable[Page] = (), details: Sequence[str] = (),
         problems: Sequence[Problem] = (), exchanges: Sequence[Exchange] = ()) -> NoReturn:
    raise Finding(message, clause=clause, expected=expected, exchanges=[*exchanges, *exchanges_of(pages)],
                  problems=problems, details=capped(details))


# --- the catalogue's records ------------------------------------------------------------------


def payload_faults(harvested: Harvested, check: Check, marc_prefix: str | None) -> dict[str, list[Problem]]:
    """Identifier -> the problems ``check`` owns in that record's payload (payload problems
    carry the identifier as their position's label)."""
    by_record: dict[str, list[Problem]] = {}
    for page in harvested.pages:
        for problem in mine(page.problems, check, harvested.prefix, marc_prefix):
            label = problem.position.label if problem.position else ""
            if label:
                by_record.setdefault(label, []).append(problem)
    return by_record


def marc_records(harvested: Harvested) -> dict[str, pymarc.Record]:
    """Identifier -> the live record's MARCXML payload as a pymarc record (read leniently)."""
    records = {}
    for identifier, payload in harvested.payloads.items():
        record = marc_of(payload)
        if record is not None:
            records[identifier] = record
    return records


def by_control_number(records: dict[str, pymarc.Record]) -> dict[str, tuple[str, pymarc.Record]]:
    """001 -> (identifier, record), for matching harvested records to the MARC export."""
    found = {}
    for identifier, record in records.items():
        number = control_number(record)
        if number:
            found[number] = (identifier, record)
    return found
