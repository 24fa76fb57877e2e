"""Times to visibility that checks report, for the scorecard's chart.

KAT-02 asks how long a record imported at one library takes to be findable by the others.
The checks that measure it (SRU, Z39.50, OAI-PMH) say so in words in their message or a note's
details. This module reads one documented form, and the phrasing the SRU suite uses:

    time to visibility over SRU: 1.84 s            (the documented form; "via" works too)
    findable over SRU 1.840 s after the import     (the SRU suite's note)
    visible in the OAI-PMH harvest after 12.5 s

A path is one to four words before the number (``SRU``, ``Z39.50``, ``the OAI-PMH harvest``);
milliseconds (``ms``) are converted. A check that reports nothing adds nothing: the chart is
drawn only when some check measured a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from harness.results import CheckResult, Outcome

_NUMBER = r"(?P<value>\d+(?:[.,]\d+)?)\s*(?P<unit>ms|s)\b"
_PATH = r"(?P<path>[\w.\-]+(?:\s[\w.\-]+){0,3}?)"
_FORMS = (
    re.compile(rf"time to visibility (?:over|via|in) {_PATH}\s*[:=]\s*{_NUMBER}", re.IGNORECASE),
    re.compile(rf"\b(?:findable|visible|found|harvested) (?:over|via|in) {_PATH},?\s+(?:after\s+)?{_NUMBER}", re.IGNORECASE),
)


@dataclass(frozen=True, slots=True)
class Timing:
    path: str  # as the check wrote it: "SRU", "Z39.50", "the OAI-PMH harvest"
    seconds: float
    check_id: str
    outcome: Outcome


def _path_name(text: str) -> str:
    words = text.split()
    return " ".join(words[1:]) if len(words) > 1 and words[0].lower() == "the" else text


def timings_in(text: str) -> Iterator[tuple[str, float]]:
    for form in _FORMS:
        for match in form.finditer(text):
            value = float(match["value"].replace(",", "."))
            yield _path_name(match["path"]), value / 1000 if match["unit"].lower() == "ms" else value


def check_timings(checks: tuple[CheckResult, ...]) -> list[Timing]:
    """One timing per (check, path): the first one a check states, from its message, then its evidence."""
    found: list[Timing] = []
    for check in checks:
        texts = [check.message, *(line for ev in check.evidence for line in ev.details)]
        seen: set[str] = set()
        for text in texts:
            for path, seconds in timings_in(text):
                if path.casefold() not in seen:
                    seen.add(path.casefold())
                    found.append(Timing(path, seconds, check.id, check.outcome))
    return found
