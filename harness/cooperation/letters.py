"""Letters compared byte for byte, and said in a way a vendor's engineer can check.

A record's letters came back exact when every subfield of :data:`~.records.LETTER_FIELDS`
holds the same code points as sent (UTF-8 bytes are then the same: an XML or ISO 2709
reader never normalises). A difference is described by field, by normalisation form and by
the first code point that differs, so NFC-for-NFD is told apart from a lost letter.

The control records are the fixture catalogue's Sámi, Kven and NFD records: when a path
changes their letters too, the fault is the protocol suite's letters check's, not the crossing's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pymarc

from harness.cooperation.records import LETTER_FIELDS, form_of, values
from harness.sru.catalogue import FixtureRecord

# North, South and Lule Sámi, Kven, and a record stored decomposed (NFD): the fixture
# catalogue's records the protocol suites' letters checks read.
CONTROL_RECORDS = ("hx0000002", "hx0000003", "hx0000004", "hx0000005", "hx0000020")


def _code_points(text: str) -> str:
    return " ".join(f"U+{ord(ch):04X}" for ch in text)


def difference(want: str, got: str) -> str:
    """Where two texts first differ, in code points."""
    at = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
    return f"from character {at + 1}: sent {_code_points(want[at:at + 3]) or 'nothing'}, got {_code_points(got[at:at + 3]) or 'nothing'}"


def changes(sent: pymarc.Record, got: pymarc.Record, fields: Iterable[tuple[str, str]] = LETTER_FIELDS) -> list[str]:
    """Each subfield whose text differs from what was sent."""
    found = []
    for tag, code in fields:
        want, have = values(sent, tag, code), values(got, tag, code)
        if want == have:
            continue
        if len(want) != len(have):
            found.append(f"{tag} ${code}: sent {len(want)} value(s), got {len(have)}: {have!r}")
            continue
        for w, h in zip(want, have):
            if w != h:
                found.append(f"{tag} ${code}: sent {w!r} ({form_of(w)}), got {h!r} ({form_of(h)}); {difference(w, h)}")
    return found


def fixture_changes(catalogue: Mapping[str, FixtureRecord], returned: Mapping[str, pymarc.Record]) -> list[str] | None:
    """The control: what a path changed in the fixture catalogue's letter records it returned;
    None when it returned none of them (then there is no control)."""
    found = []
    compared = [number for number in CONTROL_RECORDS if number in catalogue and number in returned]
    for number in compared:
        found += [f"{number} {c}" for c in changes(catalogue[number].record, returned[number])]
    return found if compared else None


def sip2_title(catalogued: str, aj: str | None, control_aj: str | None) -> tuple[str, str]:
    """How a SIP2 title (AJ) compares with the title proper as catalogued: ("fine"|"missing"|
    "no control"|"differs", what). AJ may carry more than the title proper ("title : subtitle"),
    so it holds the title proper's letters when it contains them exactly. A missing AJ is the
    crossing's only when the control copy (a profile item) has one."""
    if aj is not None and catalogued in aj:
        return "fine", f"the title (AJ) holds the title proper as catalogued ({form_of(catalogued)} where it was)"
    if aj is None:
        return ("missing" if control_aj else "no control"), "Item Information (18) gives no title (AJ)" + (
            "" if control_aj else ", nor for the profile's own item")
    return "differs", f"the title (AJ) is {aj!r}, catalogued {catalogued!r}; {difference(catalogued, aj[:len(catalogued) + 3])}"
