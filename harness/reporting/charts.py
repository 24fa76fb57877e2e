"""Inline SVG charts for the HTML reports: no script, no external file, readable in print.

Two shapes cover what a procurement officer would rather see than read: stacked bars (verdicts
per area, per vendor and round) and plain bars (seconds until a record is visible, per path).
Every number is also written as text on or beside its bar, every bar has a ``<title>`` (a
tooltip, and what a screen reader says), and the chart's own ``<title>``/``<desc>`` say what it
shows; the colours are the scorecard's verdict colours, never the only sign.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 760
LABEL_WIDTH = 230
VALUE_WIDTH = 70
ROW_HEIGHT = 22
BAR_HEIGHT = 16
HEADING_HEIGHT = 26
_MAX_LABEL = 34  # characters shown; the full label is in the row's <title>

# Fill and text colour per class: the scorecard's verdict palette (contrast above 7:1 for the text).
CHART_CSS = """
svg.chart { max-width: 100%; height: auto; font: 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
svg.chart text { fill: #1a1a1a; }
svg.chart text.heading { font-weight: 700; }
svg.chart rect.seg { stroke: #1a1a1a; stroke-width: .5; }
svg.chart .seg-met { fill: #9fd8ae; } svg.chart .seg-notmet { fill: #f1a1a1; }
svg.chart .seg-partial { fill: #ffd966; } svg.chart .seg-unverified { fill: #c5bdf0; }
svg.chart .seg-na { fill: #d4d4d4; } svg.chart .seg-bar { fill: #8fb4e3; }
svg.chart .seg-fail { fill: #f1a1a1; }
"""


@dataclass(frozen=True, slots=True)
class Segment:
    value: float
    css: str  # "seg-met", ...
    label: str  # "Met", said in the tooltip


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    segments: tuple[Segment, ...] = ()
    heading: bool = False  # a group title row (an area) without a bar
    value_text: str = ""  # written right of the bar; default: the sum


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _short(label: str) -> str:
    return label if len(label) <= _MAX_LABEL else label[: _MAX_LABEL - 1] + "…"


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def _bar(row: Row, y: float, scale: float) -> list[str]:
    parts = [f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 4}" text-anchor="end">{_e(_short(row.label))}</text>']
    x = float(LABEL_WIDTH)
    for seg in row.segments:
        if seg.value <= 0:
            continue
        width = seg.value * scale
        parts.append(f'<rect class="seg {seg.css}" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{BAR_HEIGHT}">'
                     f"<title>{_e(row.label)}: {_e(seg.label)} {_e(_number(seg.value))}</title></rect>")
        if width >= 18:  # the count inside the segment when it fits, else only in the tooltip and the total
            parts.append(f'<text x="{x + width / 2:.1f}" y="{y + BAR_HEIGHT - 4}" text-anchor="middle">{_e(_number(seg.value))}</text>')
        x += width
    total = row.value_text or _number(sum(s.value for s in row.segments))
    parts.append(f'<text x="{x + 6:.1f}" y="{y + BAR_HEIGHT - 4}">{_e(total)}</text>')
    return parts


def bar_chart(title: str, description: str, rows: Sequence[Row], legend: Sequence[Segment] = ()) -> str:
    """Horizontal (stacked) bars, one per row, scaled to the longest; heading rows group them."""
    longest = max((sum(s.value for s in r.segments) for r in rows if not r.heading), default=0.0)
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / longest if longest > 0 else 0.0
    body: list[str] = []
    y = 4.0
    if legend:
        x = 4.0
        for seg in legend:
            body.append(f'<rect class="seg {seg.css}" x="{x:.1f}" y="{y:.1f}" width="12" height="12"></rect>')
            body.append(f'<text x="{x + 16:.1f}" y="{y + 10:.1f}">{_e(seg.label)}</text>')
            x += 28 + 7 * len(seg.label)
        y += HEADING_HEIGHT
    for row in rows:
        if row.heading:
            body.append(f'<text class="heading" x="4" y="{y + 16:.1f}">{_e(row.label)}</text>')
            y += HEADING_HEIGHT
            continue
        body.extend(_bar(row, y, scale))
        y += ROW_HEIGHT
    height = int(y + 6)
    return (f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}"><title>{_e(title)}</title><desc>{_e(description)}</desc>'
            f'{"".join(body)}</svg>')
