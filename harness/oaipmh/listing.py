"""One page of a ListIdentifiers or ListRecords answer: which items, rendered how.

The provider's list logic apart from the protocol plumbing: read the repository from the
token's position, keep the items that can be disseminated in the prefix asked for, stop one
past the page to know whether the list goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from harness.oaipmh import render
from harness.oaipmh.dates import SECONDS, format_utc, parse_utc
from harness.oaipmh.model import DC_NS, OAI_DC_NS, OAI_DC_SCHEMA_URL, XSI_NS
from harness.oaipmh.repository import Item, Key, Repository
from harness.oaipmh.tokens import TokenState


@dataclass(frozen=True, slots=True)
class Rendering:
    """How headers and payloads are written; the defaults are what the specification asks
    (the provider's deviations change them)."""

    granularity: str = SECONDS  # of header datestamps (§3.3.2: the granularity Identify declares)
    dc_schema_namespace: str = OAI_DC_NS  # what xsi:schemaLocation pairs with oai_dc.xsd (§3.4)

    def dc_open(self) -> str:
        return (f'<oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc="{DC_NS}" xmlns:xsi="{XSI_NS}" '
                f'xsi:schemaLocation="{self.dc_schema_namespace} {OAI_DC_SCHEMA_URL}">')


SPECIFIED = Rendering()


@dataclass(frozen=True, slots=True)
class Selection:
    prefix: str
    start: datetime | None
    end: datetime | None
    set_spec: str | None
    start_text: str | None  # from and until as the harvester wrote them (they go into tokens)
    end_text: str | None


@dataclass(frozen=True, slots=True)
class Page:
    entries: tuple[tuple[Item, str | None], ...]  # each item with its payload (None: deleted)
    more: bool

    def render(self, with_metadata: bool, rendering: Rendering = SPECIFIED) -> str:
        if not with_metadata:
            return "".join(render_header(item, rendering) for item, _ in self.entries)
        return "".join(
            f"<record>{render_header(item, rendering)}{'' if payload is None else f'<metadata>{payload}</metadata>'}</record>"
            for item, payload in self.entries
        )


def render_header(item: Item, rendering: Rendering = SPECIFIED) -> str:
    status = ' status="deleted"' if item.deleted else ""
    specs = "".join(f"<setSpec>{render.text(spec)}</setSpec>" for spec in item.set_specs)
    return (f"<header{status}><identifier>{render.text(item.identifier)}</identifier>"
            f"<datestamp>{format_utc(item.datestamp, rendering.granularity)}</datestamp>{specs}</header>")


def render_payload(item: Item, prefix: str, rendering: Rendering = SPECIFIED) -> str | None:
    """The item's metadata in ``prefix`` (oai_dc or marc21), or None if it has none there."""
    if prefix == "marc21":
        return item.marcxml()
    if prefix == "oai_dc":
        dc = item.dublin_core()
        if dc is None:
            return None
        return rendering.dc_open() + "".join(f"<dc:{name}>{render.text(value)}</dc:{name}>" for name, value in dc) + "</oai_dc:dc>"
    return None


def _position(state: TokenState | None, offset_mode: bool) -> tuple[Key | None, int]:
    if state is None:
        return None, 0
    if offset_mode:  # the defect: count from the start, so a record moving behind shifts the rest
        return None, state.cursor
    stamp = parse_utc(state.after_datestamp)
    return ((stamp.value, state.after_identifier) if stamp else None), 0


def read_page(repository: Repository, selection: Selection, state: TokenState | None, size: int,
              offset_mode: bool = False, skip_deleted: bool = False, rendering: Rendering = SPECIFIED) -> Page:
    after, skip = _position(state, offset_mode)
    entries: list[tuple[Item, str | None]] = []
    for item in repository.items(after=after, start=selection.start, end=selection.end, set_spec=selection.set_spec):
        if item.deleted and skip_deleted:
            continue
        payload = None if item.deleted else render_payload(item, selection.prefix, rendering)
        if payload is None and not item.deleted:
            continue  # not disseminable in this format: not in this list
        if skip:
            skip -= 1
            continue
        if len(entries) == size:
            return Page(tuple(entries), more=True)
        entries.append((item, payload))
    return Page(tuple(entries), more=False)
