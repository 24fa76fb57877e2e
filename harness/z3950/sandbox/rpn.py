"""Type-1 (RPN) queries with Bib-1 attributes -> the search index's neutral query.

What the sandbox supports (Z39.50-2003 Appendix ATR, Bib-1; anything else gets the Bib-1
diagnostic named beside it, never a silent zero):

    Use (1)          4 5 6 33 title; 1 2 3 1003 1004 1005 1006 author; 21 subject; 7 1007 ISBN;
                     12 local number (001, 035); 56 Code-institution (852 $a, the holding
                     library: KAT-03); 1016 1017 1035 any; absent: any (the server's choice)   114
    Relation (2)     3 equal, 102 relevance (as equal)                                           117
    Position (3)     3 any position; 1 2 first in field / subfield (anchored at the start)      119
    Structure (4)    1 phrase, 108 string (phrase); 2 word, 6 word list, 105 free-form text,
                     106 document text (every word); 3 key (the whole field); 107 local
                     number, 109 numeric string (whole values: ISBN, local number only: 123)    118
    Truncation (5)   100 none; 1 right; 2 left; 3 both; 101 process #; 104 Z39.58 (? and #)     120
    Completeness (6) 1 incomplete subfield; 2 complete subfield, 3 complete field (exact)       122
    attribute types other than 1..6                                                            113
    attribute sets other than Bib-1 (the query's or an element's)                              121
    'complex' attribute values                                                                 246
    AND, OR, AND-NOT; proximity                                                                110
    a result set as operand: its records (an unknown one: 30)

A term with several words and no Structure is a phrase (what CQL's ``=`` means too).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from harness.sandbox.search import ANY_RUN, ONE_CHAR, AllRecords, And, AndNot, Or, term
from harness.sandbox.search import Node as IndexNode
from harness.sandbox.search import Term as IndexTerm
from harness.sandbox.search.text import base_letters
from harness.z3950.diagnostics import Diagnostic, bib1
from harness.z3950.oids import BIB1_ATTRIBUTES
from harness.z3950.query import Node, Operation, ResultSetRef, RpnQuery, Term

USE_INDEXES: Mapping[int, str] = MappingProxyType({
    **dict.fromkeys((4, 5, 6, 33), "title"), **dict.fromkeys((1, 2, 3, 1003, 1004, 1005, 1006), "author"),
    21: "subject", 7: "isbn", 1007: "isbn", 12: "identifier", 56: "library",
    **dict.fromkeys((1016, 1017, 1035), "any"),
})
ANY_USE = 1016
_STRUCTURE_MODES: Mapping[int, str] = MappingProxyType({
    1: "phrase", 108: "phrase", 2: "all", 6: "all", 105: "all", 106: "all", 3: "exact", 107: "exact", 109: "exact",
})
_WHOLE_VALUE_STRUCTURES = frozenset({107, 109})
_WHOLE_VALUE_INDEXES = frozenset({"isbn", "identifier"})
_TRUNCATIONS = frozenset({1, 2, 3, 100, 101, 104})
_WORD = re.compile(r"(?:[^\W_]|[\ue000\ue001])+")


class Bib1Fault(Exception):
    """A query the sandbox does not support: the Bib-1 diagnostic that says why."""

    def __init__(self, condition: int, addinfo: str = "") -> None:
        super().__init__(f"Bib-1 {condition} {addinfo}")
        self.diagnostic: Diagnostic = bib1(condition, addinfo)


@dataclass(frozen=True, slots=True)
class Deviations:
    """The query-side defects; each is applied at one place below, marked DEFECT."""

    bath_any_refused: bool = False
    truncation_ignored: bool = False
    silent_zero: bool = False
    unsupported_use_searched: bool = False
    library_limit_ignored: bool = False
    ascii_case_only: bool = False
    letter_folding: bool = False


def has_result_set(node: Node) -> bool:
    if isinstance(node, ResultSetRef):
        return True
    return isinstance(node, Operation) and (has_result_set(node.left) or has_result_set(node.right))


def translate(query: RpnQuery, deviations: Deviations = Deviations()) -> IndexNode:
    """The whole query as an index query (it holds no result set operand)."""
    if query.attribute_set != BIB1_ATTRIBUTES:
        raise Bib1Fault(121, query.attribute_set)
    return node(query.root, deviations)


def node(rpn: Node, deviations: Deviations) -> IndexNode:
    if isinstance(rpn, Term):
        return term_node(rpn, deviations)
    if isinstance(rpn, ResultSetRef):
        raise TypeError("a result set operand is evaluated by the backend (has_result_set), not translated")
    if rpn.operator == "prox":
        raise Bib1Fault(110, "prox")
    left, right = node(rpn.left, deviations), node(rpn.right, deviations)
    if rpn.operator == "and":
        return And(left, right)
    return Or(left, right) if rpn.operator == "or" else AndNot(left, right)


def _attributes(rpn: Term) -> dict[int, int]:
    found: dict[int, int] = {}
    for attribute in rpn.attributes:
        if attribute.attribute_set and attribute.attribute_set != BIB1_ATTRIBUTES:
            raise Bib1Fault(121, attribute.attribute_set)
        if not 1 <= attribute.type <= 6:
            raise Bib1Fault(113, str(attribute.type))
        if not isinstance(attribute.value, int):
            raise Bib1Fault(246, f"{attribute.type}={attribute.value}")
        found.setdefault(attribute.type, attribute.value)
    return found


def term_text(value: str | bytes | int) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("latin-1")  # not UTF-8 (term_from_asn1 tried): an origin's 8-bit set
    return value


def term_node(rpn: Term, deviations: Deviations) -> IndexNode:
    attributes = _attributes(rpn)
    use = attributes.get(1, ANY_USE)
    index = USE_INDEXES.get(use)
    if index is None:
        if not deviations.unsupported_use_searched:  # DEFECT z3950-unsupported-use-searched
            raise Bib1Fault(114, str(use))
        index = "any"
    if use == ANY_USE and deviations.bath_any_refused:  # DEFECT z3950-bath-any-refused
        raise Bib1Fault(114, str(use))
    relation = attributes.get(2, 3)
    if relation not in (3, 102):
        raise Bib1Fault(117, str(relation))
    position = attributes.get(3, 3)
    if position not in (1, 2, 3):
        raise Bib1Fault(119, str(position))
    structure, truncation, completeness = attributes.get(4), attributes.get(5, 100), attributes.get(6, 1)
    silent = deviations.silent_zero  # DEFECT z3950-silent-zero: searched, nothing found, no diagnostic
    if structure is not None and structure not in _STRUCTURE_MODES:
        if silent:
            return IndexTerm(index, ())
        raise Bib1Fault(118, str(structure))
    if truncation not in _TRUNCATIONS:
        raise Bib1Fault(120, str(truncation))
    if completeness not in (1, 2, 3):
        if silent:
            return IndexTerm(index, ())
        raise Bib1Fault(122, str(completeness))
    if structure in _WHOLE_VALUE_STRUCTURES and index not in _WHOLE_VALUE_INDEXES:
        raise Bib1Fault(123, f"4={structure} with 1={use}")
    if index == "library" and deviations.library_limit_ignored:  # DEFECT z3950-library-limit-ignored
        return AllRecords()
    text = _masked(term_text(rpn.value), truncation, deviations)
    several = len(text.split()) > 1
    mode = _STRUCTURE_MODES.get(structure, "phrase") if structure is not None else ("phrase" if several else "all")
    if completeness in (2, 3):
        mode = "exact"
    found = term(index, text, mode, anchored_start=position in (1, 2))
    if found.mode == "phrase" and len(found.words) == 1 and not found.anchored_start:
        found = replace(found, mode="all")
    return _deviate(found, text, deviations)


def _masked(text: str, truncation: int, deviations: Deviations) -> str:
    if truncation == 1 and deviations.truncation_ignored:  # DEFECT z3950-truncation-ignored
        return text
    if truncation == 101:
        return text.replace("#", ANY_RUN)
    if truncation == 104:
        return re.sub(r"\?\d*", ANY_RUN, text).replace("#", ONE_CHAR)
    return (ANY_RUN if truncation in (2, 3) else "") + text + (ANY_RUN if truncation in (1, 3) else "")


def _deviate(found: IndexTerm, text: str, deviations: Deviations) -> IndexTerm:
    """The query-side letter defects: case folded for A-Z only; letters folded to their base."""
    if deviations.ascii_case_only and found.index not in ("isbn", "library"):  # DEFECT z3950-ascii-case-only
        raw = _WORD.findall(unicodedata.normalize("NFC", text))
        found = replace(found, words=tuple("".join(c.lower() if c.isascii() else c for c in w) for w in raw))
    if deviations.letter_folding:  # DEFECT z3950-letter-folding (the index folds the same way)
        found = replace(found, words=tuple(base_letters(w) for w in found.words))
    return found
