"""One page of a ListIdentifiers or ListRecords answer: which items, rendered how.

The provider's list logic apart from the protocol plumbing: read the repository from the
token's position, keep the items that can be disseminated in the prefix asked for, stop one
past the page to know whether the list goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from harness.oaipmh import render
from harness.oaipmh.dates import format_utc, parse_utc
from harness.oaipmh.model import DC_NS, OAI_DC_NS, OAI_DC_SCHEMA_URL, XSI_NS
from harness.oaipmh.repository import Item, Key, Repository
from harness.oaipmh.tokens import TokenState

_DC_OPEN = (f'<oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc="{DC_NS}" xmlns:xsi="{XSI_NS}" '
            f'xsi:schemaLocation="{OAI_DC_NS} {OAI_DC_SCHEMA_URL}">')


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

    def render(self, with_metadata: bool) -> str:
        if not with_metadata:
            return "".join(render_header(item) for item, _ in self.entries)
        return "".join(
            f"<record>{render_header(item)}{'' if payload is None else f'<metadata>{payload}</metadata>'}</record>"
            for item, payload in self.entries
        )


def render_header(item: Item) -> str:
    status = ' status="deleted"' if item.deleted else ""
    specs = "".join(f"<setSpec>{render.text(spec)}</setSpec>" for spec in item.set_specs)
    return (f"<header{status}><identifier>{render.text(item.identifier)}</identifier>"
            f"<datestamp>{format_utc(item.datestamp)}</datestamp>{specs}</header>")


def render_payload(item: Item, prefix: str) -> str | None:
    """The item's metadata in ``prefix`` (oai_dc or marc21), or None if it has none there."""
    if prefix == "marc21":
        return item.marcxml()
    if prefix == "oai_dc":
        dc = item.dublin_core()
        if dc is None:
            return None
        return _DC_OPEN + "".join(f"<dc:{name}>{render.text(value)}</dc:{name}>" for name, value in dc) + "</oai_dc:dc>"
    return None


def _position(state: TokenState | None, offset_mode: bool) -> tuple[Key | None, int]:
    if state is None:
        return None, 0
    if offset_mode:  # the defect: count from the start, so a record moving behind shifts the rest
        return None, state.cursor
    stamp = parse_utc(state.after_datestamp)
    return ((stamp.value, state.after_identifier) if stamp else None), 0


def read_page(repository: Repository, selection: Selection, state: TokenState | None, size: int,
              offset_mode: bool = False, skip_deleted: bool = False) -> Page:
    after, skip = _position(state, offset_mode)
    entries: list[tuple[Item, str | None]] = []
    for item in repository.items(after=after, start=selection.start, end=selection.end, set_spec=selection.set_spec):
        if item.deleted and skip_deleted:
            continue
        payload = None if item.deleted else render_payload(item, selection.prefix)
        if payload is None and not item.deleted:
            continue  # not disseminable in this format: not in this list
        if skip:
            skip -= 1
            continue
        if len(entries) == size:
            return Page(tuple(entries), more=True)
        entries.append((item, payload))
    return Page(tuple(entries), more=False)
