"""The search index's own query model: what both the SRU and the Z39.50 servers translate to.

A :class:`Term` names an index, the words to look for (each word may hold the masks
:data:`~harness.sandbox.search.text.ANY_RUN` and :data:`~harness.sandbox.search.text.ONE_CHAR`)
and how they must occur:

    all     every word occurs in the index, anywhere (CQL ``all``; Z39.50 structure 2 word list)
    any     at least one word occurs (CQL ``any``)
    phrase  the words occur next to each other, in order, in one field (CQL ``adj``; ``=`` with
            several words; Z39.50 structure 1 phrase)
    exact   one field holds exactly these words, nothing more (CQL ``==``, CQL 1.1 ``exact``;
            Z39.50 completeness 6=3)

``anchored_start``/``anchored_end`` (CQL ``^``) tie a phrase to the start or end of a field.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.sandbox.search.text import fold, normalise_isbn, words

INDEXES = ("any", "title", "author", "subject", "isbn", "identifier", "library")
MODES = ("all", "any", "phrase", "exact")
SORTABLE = ("title", "author", "identifier")


@dataclass(frozen=True, slots=True)
class Term:
    index: str
    words: tuple[str, ...]
    mode: str = "all"
    anchored_start: bool = False
    anchored_end: bool = False


@dataclass(frozen=True, slots=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class AndNot:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class AllRecords:
    pass


Node = Term | And | Or | AndNot | AllRecords


@dataclass(frozen=True, slots=True)
class SortSpec:
    index: str  # one of SORTABLE
    descending: bool = False


def term(index: str, text: str, mode: str = "all", *, anchored_start: bool = False, anchored_end: bool = False) -> Term:
    """A term from text (masks as ANY_RUN / ONE_CHAR), split into folded words.

    The ISBN and library indexes hold whole values, not words: their text stays one word.
    """
    if index in ("isbn", "library"):
        value = normalise_isbn(text) if index == "isbn" else fold(text).strip()
        return Term(index, (value,) if value else (), mode, anchored_start, anchored_end)
    return Term(index, tuple(words(text)), mode, anchored_start, anchored_end)
