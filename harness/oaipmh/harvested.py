"""A list harvested once and kept small, for the checks that judge it.

:func:`harvest` follows a list (ListRecords, ListIdentifiers, ListSets) through its tokens with
the strict client and keeps what the checks need: each page stripped of its XML tree (status,
Content-Type, problems, the envelope, the token, the exchange), every header, and each live
record's payload as bytes. Memory is the payloads' size, never the trees'.

A list that could not be harvested to its end says why: :meth:`Harvested.require` lets the
check that owns the reason judge it, makes every other check NOT_TESTED naming that owner, and
re-raises a network or budget stop (:class:`~harness.errors.TargetError`: ERROR).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TypeVar

from lxml import etree

from harness import findings
from harness.evidence import Exchange
from harness.oaipmh.client import (
    Arguments,
    Harvest,
    HarvestStopped,
    OaiClient,
    Page,
    ResumptionLoop,
)
from harness.oaipmh.model import (
    ErrorResponse,
    Header,
    ListIdentifiersResponse,
    ListRecordsResponse,
    ListSetsResponse,
    OaiSet,
    ParseResult,
    ResumptionToken,
)
from harness.oaipmh.ownership import Check, blocking_owner
from harness.rules import Problem

E = TypeVar("E", bound=BaseException)


@dataclass
class Harvested:
    arguments: Arguments
    pages: list[Page] = field(default_factory=list)
    headers: list[Header] = field(default_factory=list)
    sets: list[OaiSet] = field(default_factory=list)
    payloads: dict[str, bytes] = field(default_factory=dict)  # identifier -> the payload element, serialised
    problems: list[Problem] = field(default_factory=list)  # what the list as a whole broke (§3.5)
    complete: bool = False  # ended with an empty token, or fit one page
    stopped: HarvestStopped | None = None
    unavailable: tuple[Check, str] | None = None  # not asked at all: the check that reports why, and why

    @property
    def verb(self) -> str:
        return self.arguments[0][1]

    @property
    def prefix(self) -> str | None:
        return dict(self.arguments).get("metadataPrefix")

    @property
    def error_codes(self) -> tuple[str, ...]:
        """The error codes of the first page, when the list was answered with an error."""
        first = self.pages[0].response if self.pages else None
        return first.codes if isinstance(first, ErrorResponse) else ()

    @property
    def empty(self) -> bool:
        """The list was answered noRecordsMatch: nothing to harvest, rightly so."""
        return self.error_codes == ("noRecordsMatch",)

    @property
    def tokens(self) -> list[ResumptionToken | None]:
        return [_token(page) for page in self.pages]

    def exchanges(self, limit: int = 6) -> tuple[Exchange, ...]:
        found = [page.exchange for page in self.pages if page.exchange is not None]
        if self.stopped is not None:
            found += [e for e in self.stopped.exchanges if e not in found]
        return tuple(found[:limit // 2] + found[-(limit - limit // 2):]) if len(found) > limit else tuple(found)

    def blocker(self) -> Check | None:
        """The check that owns the reason this list did not come whole, or None if it did."""
        if self.unavailable is not None:
            return self.unavailable[0]
        if self.stopped is not None:
            return Check.NO_DUPLICATES if isinstance(self.stopped, ResumptionLoop) else None
        for number, page in enumerate(self.pages):
            if page.response is None:
                return blocking_owner(page.problems) or Check.SCHEMA
            if isinstance(page.response, ErrorResponse) and not (number == 0 and self.empty):
                return Check.NO_DUPLICATES if number else Check.VERBS
        return None if self.complete or self.empty else Check.NO_DUPLICATES

    def require(self, check: Check) -> Harvested:
        """This list, if it came whole; else the owner judges it and the others cannot."""
        if self.stopped is not None and not isinstance(self.stopped, ResumptionLoop):
            raise self.stopped
        owner = self.blocker()
        if owner is not None and owner is not check:
            what = f"{self.verb} {self.prefix or ''}".strip()
            findings.cannot_judge(f"the {what} list could not be harvested whole ({self.why()})", owner.value)
        return self

    def why(self) -> str:
        if self.unavailable is not None:
            return self.unavailable[1]
        if self.stopped is not None:
            return str(self.stopped)
        for page in self.pages:
            if page.response is None:
                return "; ".join(str(p) for p in page.problems[:2]) or "a page could not be read"
            if isinstance(page.response, ErrorResponse):
                return f"a page answered {'/'.join(page.response.codes)}"
        return "; ".join(str(p) for p in self.problems[:2]) or "the list ended without its last page"


def _token(page: Page) -> ResumptionToken | None:
    response = page.response
    if isinstance(response, (ListSetsResponse, ListIdentifiersResponse, ListRecordsResponse)):
        return response.token
    return None


def stripped(page: Page) -> Page:
    """The page without its XML tree (payload elements), so a long harvest keeps no trees."""
    response = page.response
    if isinstance(response, ListRecordsResponse):
        records = tuple(replace(r, metadata=None) for r in response.records)
        return replace(page, result=ParseResult(replace(response, records=records), page.result.problems))
    return page


def harvest(client: OaiClient, arguments: Arguments) -> Harvested:
    """Follow the list that ``arguments`` (verb first) asks for, to its end or its stop."""
    result = Harvested(arguments)
    run = Harvest(client, arguments)
    try:
        for page in run:
            result.pages.append(stripped(page))
            _collect(result, page)
    except HarvestStopped as stop:  # a loop (FAIL), or a network or budget stop (ERROR)
        result.stopped = detached(stop)
    result.problems = list(run.problems)
    result.complete = run.complete
    return result


def detached(error: E) -> E:
    """``error`` without the tracebacks of its chain: a kept traceback keeps its frames, and a
    stop on the byte budget has the budget's worth of body in one of them."""
    seen: BaseException | None = error
    while seen is not None:
        seen.__traceback__ = None
        seen = seen.__cause__ or seen.__context__
    return error


def _collect(result: Harvested, page: Page) -> None:
    response = page.response
    if isinstance(response, ListRecordsResponse):
        for record in response.records:
            result.headers.append(record.header)
            if record.metadata is not None and not record.header.deleted:
                result.payloads[record.header.identifier] = etree.tostring(record.metadata, encoding="utf-8")
    elif isinstance(response, ListIdentifiersResponse):
        result.headers.extend(response.headers)
    elif isinstance(response, ListSetsResponse):
        result.sets.extend(response.sets)


def live(headers: list[Header]) -> Iterator[Header]:
    return (h for h in headers if not h.deleted)
