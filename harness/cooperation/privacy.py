"""Patron data looked for the way a reader of a record would find it.

A leak is a test patron's name or card number anywhere in what a path returns, in any
normalisation form and case, with XML character references resolved (a name decomposed, or
written ``&#225;``, is still the patron's). Only the profile's own test patrons are looked for.

The protocol suites' SEC-01 checks look more narrowly (:data:`SUITE_MATCHING`): SRU and Z39.50
for the value as given, NFC or NFD, case and all; OAI-PMH for the value as given, from three
characters; the MARC suite as this module does. A leak a story finds before it lent anything
is that check's to report only when that check's own matching sees it.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from harness.cooperation.story import Story
from harness.profile import TestPatron

MIN_LENGTH = 4  # shorter values (initials, "Ola") would be found in any text


def folded(text: str) -> str:
    return unicodedata.normalize("NFC", html.unescape(text)).casefold()


@dataclass(frozen=True, slots=True)
class Needle:
    text: str  # folded
    patron: str  # the patron's card number
    what: str  # "name" or "card number"
    value: str = ""  # as the profile gives it


def needles(patrons: Iterable[TestPatron]) -> list[Needle]:
    found = []
    for patron in patrons:
        for what, value in (("name", patron.name), ("card number", patron.barcode)):
            if len(value.strip()) >= MIN_LENGTH:
                found.append(Needle(folded(value), patron.barcode, what, value))
    return found


def leaks(data: bytes, looked_for: Iterable[Needle]) -> list[str]:
    """Each patron value found in ``data``, with the text around it."""
    return [line for _, line in found_in(data, looked_for)]


def found_in(data: bytes, looked_for: Iterable[Needle]) -> list[tuple[Needle, str]]:
    """Each patron value found in ``data``, and the text around it."""
    text = folded(data.decode("utf-8", errors="replace"))
    found = []
    for needle in looked_for:
        at = text.find(needle.text)
        if at >= 0:
            found.append((needle, f"the {needle.what} of patron {needle.patron} in …{text[max(0, at - 50):at + len(needle.text) + 20]!r}…"))
    return found


def _exact_forms(data: bytes, needle: Needle) -> bool:
    """scenarios/sru and scenarios/z3950 test_no_patron_data_in_records: the value, its NFC and NFD, as a substring."""
    text = data.decode("utf-8", errors="replace")
    return any(form in text for form in {needle.value, *(unicodedata.normalize(f, needle.value) for f in ("NFC", "NFD"))})


def _exact_from_three(data: bytes, needle: Needle) -> bool:
    """scenarios/oaipmh test_harvested_records_carry_no_patron_data: the value as given, three characters or more."""
    return len(needle.value) >= 3 and needle.value in data.decode("utf-8", "replace")


def _folded(data: bytes, needle: Needle) -> bool:
    """scenarios/marc test_export_carries_no_patron_data: folded as here."""
    return needle.text in folded(data.decode("utf-8", errors="replace"))


# How each path's protocol suite's SEC-01 check matches patron data (by the story's path name).
SUITE_MATCHING: Mapping[str, Callable[[bytes, Needle], bool]] = MappingProxyType({
    "SRU": _exact_forms, "Z39.50": _exact_forms, "OAI-PMH": _exact_from_three, "MARC export": _folded,
})


def suite_sees(path: str, data: bytes, needle: Needle) -> bool:
    """Whether ``path``'s protocol suite's own check would find ``needle`` in ``data``."""
    return SUITE_MATCHING.get(path, _folded)(data, needle)


@dataclass
class Looked:
    """What a story read on one path, looking for patron data: a record or export is keyed by
    where it is (``record holding 99001``), so before and after compare the same things."""

    path: str
    read: list[str] = field(default_factory=list)
    unread: list[tuple[str, str]] = field(default_factory=list)  # (what could not be read and why, its owner or "")
    leaks: list[tuple[str, str]] = field(default_factory=list)  # (where, the leak)
    seen_by_suite: list[str] = field(default_factory=list)  # the leaks the path's suite's own check sees too

    def look(self, where: str, data: bytes | None, looked_for: Iterable[Needle], why: str = "", owner: str = "") -> None:
        """Look through ``data`` (None: it could not be read, ``why``; ``owner`` the check that reports that)."""
        if data is None:
            self.unread.append((f"{where}: {why}", owner))
            return
        self.read.append(where)
        for needle, line in found_in(data, looked_for):
            self.leaks.append((where, f"{where}: {line}"))
            if suite_sees(self.path, data, needle):
                self.seen_by_suite.append(f"{where}: {line}")


def judge(story: Story, before: Looked, after: Looked, owner: str) -> None:
    """A leak the crossing adds FAILs; one there before the story lent anything is the path's
    suite's SEC-01 check's when that check's own matching sees it, else the story reports it;
    a path that read nothing is not judged, and says why."""
    path = before.path
    fresh = [line for where, line in after.leaks if where in before.read and where not in {w for w, _ in before.leaks}]
    if before.seen_by_suite:
        story.owned_by(path, f"patron data before the story lent anything: {before.seen_by_suite[0]}", owner)
    elif before.leaks:
        story.fail(path, f"patron data before the story lent anything, in a form the {owner} check does not look for "
                         f"(another case or normalisation, a character reference, a short value): {before.leaks[0][1]}",
                   more=[line for _, line in before.leaks[1:]])
    elif fresh:
        story.fail(path, fresh[0], more=fresh[1:])
    elif not (after.read and before.read):
        unread = after.unread or before.unread
        owners = [o for _, o in unread if o]
        why = "; ".join(w for w, _ in unread) or "nothing to read"
        if owners:
            story.owned_by(path, f"no record could be read: {why}", owners[0])
        else:
            story.not_observed(path, f"no record could be read, so none is judged: {why}")
    else:
        read = [where for where in after.read if where in before.read]
        story.fine(path, f"no patron data in {', '.join(read)}, before or after the loans and holds")
        for why, _ in after.unread:
            story.not_observed(path, f"not read after the loans and holds: {why}")
