"""Patron data looked for the way a reader of a record would find it.

A leak is a test patron's name or card number anywhere in what a path returns, in any
normalisation form and case, with XML character references resolved (a name decomposed, or
written ``&#225;``, is still the patron's). Only the profile's own test patrons are looked for.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from harness.profile import TestPatron

MIN_LENGTH = 4  # shorter values (initials, "Ola") would be found in any text


def folded(text: str) -> str:
    return unicodedata.normalize("NFC", html.unescape(text)).casefold()


@dataclass(frozen=True, slots=True)
class Needle:
    text: str  # folded
    patron: str  # the patron's card number
    what: str  # "name" or "card number"


def needles(patrons: Iterable[TestPatron]) -> list[Needle]:
    found = []
    for patron in patrons:
        for what, value in (("name", patron.name), ("card number", patron.barcode)):
            if len(value.strip()) >= MIN_LENGTH:
                found.append(Needle(folded(value), patron.barcode, what))
    return found


def leaks(data: bytes, looked_for: Iterable[Needle]) -> list[str]:
    """Each patron value found in ``data``, with the text around it."""
    text = folded(data.decode("utf-8", errors="replace"))
    found = []
    for needle in looked_for:
        at = text.find(needle.text)
        if at >= 0:
            found.append(f"the {needle.what} of patron {needle.patron} in …{text[max(0, at - 50):at + len(needle.text) + 20]!r}…")
    return found
