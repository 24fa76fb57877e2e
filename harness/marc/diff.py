"""Field-by-field comparison of two MARC records: the evidence of a round trip (MARC-02, SPR-01).

Values are compared as stored, code point for code point: "Sámi" in NFC and in NFD are
different data, because SPR-01 demands that letters come back byte-exact. Such a change is
reported as kind ``normalisation`` so that a reader sees at once that the text looks the
same but its bytes do not. Of the leader only the positions that are data are compared
(:data:`LEADER_DATA`, as a field tagged ``LDR``): lengths and base address are recomputed by
every writer, and leader/09 (the character coding) is the encoding check's.

Records that are equal, the usual case on a whole catalogue, cost one tuple comparison per
field; only records that differ get the detailed (pairing, order) analysis.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

import pymarc

from harness.marc.records import control_number

Kind = Literal["missing", "added", "changed", "reordered", "indicators", "normalisation"]
SubfieldPair = tuple[str, str]
FieldKey = tuple[object, ...]  # (tag, data) or (tag, ind1, ind2, ((code, value), ...))

# Leader positions that describe the record (MARC 21 Bibliographic, Leader), not its layout.
LEADER_DATA: dict[int, str] = {
    5: "record status", 6: "type of record", 7: "bibliographic level", 8: "type of control",
    17: "encoding level", 18: "descriptive cataloguing form", 19: "multipart resource record level",
}
LEADER_TAG = "LDR"  # a target that rewrites the leader declares this among its system fields

EXCERPT = 60  # characters of a long value shown either side of its first difference
LINE_CAP = 300  # characters of a whole field shown in a missing/added message


@dataclass(frozen=True, slots=True)
class FieldDiff:
    tag: str
    occurrence: int  # 1-based among the fields with this tag: in `before`, or in `after` when added
    kind: Kind
    before: str  # the field in line format (:func:`format_field`); "" when not in `before`
    after: str  # "" when not in `after`
    detail: str = ""  # what changed inside the field, e.g. "$b 'Sámi' → 'Sámi' (...)"

    def __str__(self) -> str:
        if self.tag == LEADER_TAG:
            return f"leader: {self.detail}"
        where = f"{self.tag} #{self.occurrence}"
        if self.kind == "missing":
            return f"{where}: missing after round trip: {_cap(self.before)}"
        if self.kind == "added":
            return f"{where}: added by round trip: {_cap(self.after)}"
        if self.kind == "reordered":
            return self.detail
        return f"{where}: {self.detail}"


def format_field(field: pymarc.Field) -> str:
    """A field as one MARCMaker-style line: ``=245  10$aTitle$bsub``.

    Blanks in indicators and control data are written as a backslash, as MARCMaker and pymarc
    do, so that a trailing blank stays visible; a '$' in data is written ``{dollar}`` so that
    it cannot be read as a subfield delimiter.
    """
    if field.is_control_field():
        return f"={field.tag}  {(field.data or '').replace(' ', chr(92))}"
    indicators = "".join("\\" if i in (" ", "", None) else i for i in (field.indicator1, field.indicator2))
    subfields = "".join(f"${s.code}{s.value.replace('$', '{dollar}')}" for s in field.subfields)
    return f"={field.tag}  {indicators}{subfields}"


# --- one record against another --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    index: int  # position among the compared (not ignored) fields
    occurrence: int
    field: pymarc.Field
    subfields: tuple[SubfieldPair, ...]  # () for a control field
    key: FieldKey


def _entry(index: int, occurrence: int, field: pymarc.Field) -> _Entry:
    if field.is_control_field():
        return _Entry(index, occurrence, field, (), (field.tag, field.data))
    subfields = tuple((s.code, s.value) for s in field.subfields)
    return _Entry(index, occurrence, field, subfields, (field.tag, field.indicator1, field.indicator2, subfields))


def _entries(record: pymarc.Record, ignore_tags: frozenset[str]) -> list[_Entry]:
    seen: dict[str, int] = defaultdict(int)
    entries: list[_Entry] = []
    for field in record.fields:
        if field.tag in ignore_tags:
            continue
        seen[field.tag] += 1
        entries.append(_entry(len(entries), seen[field.tag], field))
    return entries


def diff_records(before: pymarc.Record, after: pymarc.Record, ignore_tags: frozenset[str] = frozenset()) -> list[FieldDiff]:
    """Every difference between two records' fields, in the order of ``before``; [] when equal."""
    leader = [] if LEADER_TAG in ignore_tags else leader_diffs(str(before.leader), str(after.leader))
    old, new = _entries(before, ignore_tags), _entries(after, ignore_tags)
    if [e.key for e in old] == [e.key for e in new]:
        return leader
    pairs, added = _pair(old, new)
    partner = {b.index: a for b, a in pairs}
    diffs: list[FieldDiff] = list(leader)
    for entry in old:
        if entry.index in partner:
            diffs.extend(_field_diffs(entry, partner[entry.index]))
        else:
            diffs.append(FieldDiff(entry.field.tag, entry.occurrence, "missing", format_field(entry.field), ""))
    diffs.extend(FieldDiff(a.field.tag, a.occurrence, "added", "", format_field(a.field)) for a in added)
    diffs.extend(_order_diffs(pairs, new))
    return diffs


def leader_diffs(before: str, after: str) -> list[FieldDiff]:
    """One diff naming every data position of the leader that changed; [] when none did."""
    changed = [(p, name) for p, name in LEADER_DATA.items() if before[p : p + 1] != after[p : p + 1]]
    if not changed:
        return []
    detail = "; ".join(f"leader/{p:02d} {before[p:p + 1]!r} → {after[p:p + 1]!r} ({name})" for p, name in changed)
    return [FieldDiff(LEADER_TAG, 1, "changed", f"={LEADER_TAG}  {before}", f"={LEADER_TAG}  {after}", detail)]


def _pair(old: list[_Entry], new: list[_Entry]) -> tuple[list[tuple[_Entry, _Entry]], list[_Entry]]:
    """Match fields of the same tag: (pairs, fields of `new` with no partner in `old`)."""
    new_by_tag: dict[str, list[_Entry]] = defaultdict(list)
    for entry in new:
        new_by_tag[entry.field.tag].append(entry)
    old_by_tag: dict[str, list[_Entry]] = defaultdict(list)
    for entry in old:
        old_by_tag[entry.field.tag].append(entry)
    pairs: list[tuple[_Entry, _Entry]] = []
    for tag, olds in old_by_tag.items():
        pairs.extend(_pair_tag(olds, new_by_tag.get(tag, [])))
    matched = {a.index for _, a in pairs}
    return pairs, [a for a in new if a.index not in matched]


def _pair_tag(olds: list[_Entry], news: list[_Entry]) -> list[tuple[_Entry, _Entry]]:
    # Identical fields pair first, wherever they moved to, so a move reads as a move and not
    # as two changes; what is left pairs by position when the counts agree (a field edited in
    # place), otherwise by shared subfields (so one lost 880 does not shift all the others).
    pool: dict[FieldKey, deque[_Entry]] = defaultdict(deque)
    for entry in news:
        pool[entry.key].append(entry)
    pairs, rest_old = [], []
    for entry in olds:
        if pool[entry.key]:
            pairs.append((entry, pool[entry.key].popleft()))
        else:
            rest_old.append(entry)
    used = {a.index for _, a in pairs}
    rest_new = [a for a in news if a.index not in used]
    if len(rest_old) == len(rest_new):
        return pairs + list(zip(rest_old, rest_new))
    scored = sorted(
        ((-_similarity(b, a), abs(i - j), i, j) for i, b in enumerate(rest_old) for j, a in enumerate(rest_new)),
    )
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for score, _, i, j in scored:
        if score < 0 and i not in taken_old and j not in taken_new:
            pairs.append((rest_old[i], rest_new[j]))
            taken_old.add(i)
            taken_new.add(j)
    return pairs


def _similarity(old: _Entry, new: _Entry) -> int:
    if old.field.is_control_field() or new.field.is_control_field():
        return int(_nfc(old.field.data or "") == _nfc(new.field.data or ""))
    remaining = [(c, _nfc(v)) for c, v in old.subfields]
    shared = 0
    for code, value in new.subfields:
        if (code, _nfc(value)) in remaining:
            remaining.remove((code, _nfc(value)))
            shared += 1
    return shared


def _field_diffs(old: _Entry, new: _Entry) -> list[FieldDiff]:
    if old.key == new.key:
        return []
    b, a = old.field, new.field

    def diff(kind: Kind, detail: str) -> FieldDiff:
        return FieldDiff(b.tag, old.occurrence, kind, format_field(b), format_field(a), detail)

    if b.is_control_field() or a.is_control_field():
        return [diff(*_value_change(b.data or "", a.data or ""))]
    diffs = [
        diff("indicators", f"indicator {n} {x!r} → {y!r}")
        for n, x, y in ((1, b.indicator1, a.indicator1), (2, b.indicator2, a.indicator2))
        if x != y
    ]
    return diffs + [diff(kind, detail) for kind, detail in _subfield_changes(old.subfields, new.subfields)]


def _subfield_changes(old: Sequence[SubfieldPair], new: Sequence[SubfieldPair]) -> list[tuple[Kind, str]]:
    changes: list[tuple[Kind, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        olds, news = list(old[i1:i2]), list(new[j1:j2])
        for (code_b, value_b), (code_a, value_a) in zip(olds, news):
            if code_b != code_a:
                shown_b, shown_a = _excerpts(value_b, value_a)
                changes.append(("changed", f"subfield ${code_b} {shown_b} → ${code_a} {shown_a}"))
            else:
                kind, detail = _value_change(value_b, value_a)
                changes.append((kind, f"${code_b} {detail}"))
        changes += [("changed", f"${c} {_excerpts(v, v)[0]} missing") for c, v in olds[len(news) :]]
        changes += [("changed", f"${c} {_excerpts(v, v)[0]} added") for c, v in news[len(olds) :]]
    return changes


def _value_change(before: str, after: str) -> tuple[Kind, str]:
    shown_b, shown_a = _excerpts(before, after)
    if _nfc(before) == _nfc(after):
        return "normalisation", f"{shown_b} → {shown_a} (Unicode normalisation changed: {_form(before)} → {_form(after)})"
    return "changed", f"{shown_b} → {shown_a}"


def _order_diffs(pairs: list[tuple[_Entry, _Entry]], new: list[_Entry]) -> list[FieldDiff]:
    """Fields whose relative order changed: those outside a longest run kept in order."""
    ordered = sorted(pairs, key=lambda p: p[0].index)
    kept = _longest_increasing([a.index for _, a in ordered])
    diffs = []
    for position, (b, a) in enumerate(ordered):
        if position in kept:
            continue
        where = f"now after {new[a.index - 1].field.tag}" if a.index else "now first"
        detail = f"field order changed: {b.field.tag} {where}"
        diffs.append(FieldDiff(b.field.tag, b.occurrence, "reordered", format_field(b.field), format_field(a.field), detail))
    return diffs


def _longest_increasing(values: list[int]) -> set[int]:
    """Positions of one longest strictly increasing subsequence (patience sorting)."""
    tails: list[int] = []  # values ending the best run of each length
    tail_positions: list[int] = []
    previous = [-1] * len(values)
    for position, value in enumerate(values):
        length = bisect.bisect_left(tails, value)
        if length == len(tails):
            tails.append(value)
            tail_positions.append(position)
        else:
            tails[length] = value
            tail_positions[length] = position
        previous[position] = tail_positions[length - 1] if length else -1
    kept = set()
    position = tail_positions[-1] if tail_positions else -1
    while position != -1:
        kept.add(position)
        position = previous[position]
    return kept


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _form(text: str) -> str:
    if unicodedata.is_normalized("NFC", text):
        return "NFC"
    return "NFD" if unicodedata.is_normalized("NFD", text) else "unnormalised"


def _excerpts(before: str, after: str) -> tuple[str, str]:
    """Both values quoted; long ones cut to a window around their first difference."""
    if len(before) <= 2 * EXCERPT and len(after) <= 2 * EXCERPT:
        return repr(before), repr(after)
    first = next((i for i, (x, y) in enumerate(zip(before, after)) if x != y), min(len(before), len(after)))
    start = max(0, first - EXCERPT)

    def window(text: str) -> str:
        cut = text[start : first + EXCERPT]
        return ("…" if start else "") + repr(cut) + ("…" if first + EXCERPT < len(text) else "")

    return window(before), window(after)


def _cap(line: str) -> str:
    return line if len(line) <= LINE_CAP else line[:LINE_CAP] + f"… ({len(line)} characters)"


# --- many records against many -----------------------------------------------------------------


def _035s(record: pymarc.Record) -> list[str]:
    return [value for field in record.get_fields("035") for value in field.get_subfields("a")]


def _label(record: pymarc.Record, key: Callable[[pymarc.Record], str | None], position: int) -> str:
    return key(record) or next(iter(_035s(record)), None) or f"record {position + 1}"


def match_records(
    before_records: Iterable[pymarc.Record],
    after_records: Iterable[pymarc.Record],
    key: Callable[[pymarc.Record], str | None] = control_number,
) -> tuple[list[tuple[pymarc.Record, pymarc.Record]], list[str], list[str]]:
    """Pair records by ``key`` (001 by default), falling back to any shared 035 $a.

    Returns (pairs in the order of ``before_records``, labels of before records with no
    partner, labels of after records left over). A label is the key, else the first 035 $a,
    else "record <n>".
    """
    afters = list(after_records)
    by_key: dict[str, deque[int]] = defaultdict(deque)
    by_035: dict[str, deque[int]] = defaultdict(deque)
    for position, record in enumerate(afters):
        if (value := key(record)) is not None:
            by_key[value].append(position)
        for number in _035s(record):
            by_035[number].append(position)
    used: set[int] = set()

    def take(queue: deque[int] | None) -> int | None:
        while queue:
            position = queue.popleft()
            if position not in used:
                return position
        return None

    def partner(record: pymarc.Record) -> int | None:
        value = key(record)
        found = take(by_key.get(value)) if value is not None else None
        numbers = iter(_035s(record))
        while found is None and (number := next(numbers, None)) is not None:
            found = take(by_035.get(number))
        return found

    pairs, missing = [], []
    for position, record in enumerate(before_records):
        found = partner(record)
        if found is None:
            missing.append(_label(record, key, position))
            continue
        used.add(found)
        pairs.append((record, afters[found]))
    unexpected = [_label(r, key, i) for i, r in enumerate(afters) if i not in used]
    return pairs, missing, unexpected
