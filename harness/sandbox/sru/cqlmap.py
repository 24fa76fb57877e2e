"""CQL (parsed by :mod:`harness.sru.cql_parser`) -> the search index's neutral query.

Indexes (declared in explain, :data:`CQL_INDEXES`); context sets by their URIs, so a query
may rebind a prefix (``> x = "info:srw/cql-context-set/1/dc-v1.1" x.title = fjell``); an
index without prefix is in the default set ``dc``; ``cql.serverChoice`` and a term alone
search every index.

Relations (CQL 1.2; CQL 1.1 for version 1.1 requests):

    =        one word: the word; several: the phrase (the server's choice, declared in explain)
    adj      the phrase;  all / any: every / some word;  == the whole field (1.2, 2.0)
    exact    the whole field, CQL 1.1 only (dropped in CQL 1.2: diagnostic 19 there)
    scr      CQL 1.1's server choice, as =
    < > <= >= <>   not offered: diagnostic 19

Masking ``*`` and ``?`` and anchoring ``^`` are honoured; relation modifiers are not offered
(20), ``prox`` is not (37), nor modifiers on Booleans (46). An empty term is 27.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from harness.sandbox.search import (
    ANY_RUN,
    ONE_CHAR,
    AllRecords,
    And,
    AndNot,
    Node,
    Or,
    SortSpec,
    Term,
    term,
)
from harness.sandbox.search.text import base_letters
from harness.sandbox.sru.diagnostics import Deviation, SruFault
from harness.sru.cql import (
    Boolean,
    Prefixed,
    Query,
    SearchClause,
    Sorted,
    SortKey,
    Statement,
    term_pieces,
)

CONTEXT_SETS = {
    "cql": "info:srw/cql-context-set/1/cql-v1.2",
    "dc": "info:srw/cql-context-set/1/dc-v1.1",
    "bath": "http://zing.z3950.org/cql/bath/2.0/",
    "rec": "info:srw/cql-context-set/2/rec-1.1",
    "local": "info:srw/cql-context-set/libharness/local-1.0",
}
_SET_BY_URI = {uri: name for name, uri in CONTEXT_SETS.items()}
# (context set name, index name) -> the search index; titles for explain
CQL_INDEXES: dict[tuple[str, str], tuple[str, str]] = {
    ("cql", "serverChoice"): ("any", "any"),
    ("cql", "anywhere"): ("any", "anywhere"),
    ("dc", "title"): ("title", "title"),
    ("dc", "creator"): ("author", "author"),
    ("dc", "subject"): ("subject", "subject"),
    ("dc", "identifier"): ("identifier", "identifier (001, 035)"),
    ("bath", "isbn"): ("isbn", "ISBN"),
    ("bath", "name"): ("author", "name"),
    ("bath", "title"): ("title", "title"),
    ("bath", "subject"): ("subject", "subject"),
    ("rec", "id"): ("identifier", "record id"),
    ("local", "library"): ("library", "holding library (852 $a)"),
}
ALL_RECORDS = ("cql", "allRecords")
_WORD = re.compile(r"(?:[^\W_]|[\ue000\ue001])+")  # for the ASCII_CASE_ONLY deviation: words, not folded
_RELATIONS_1_1 = {"=": "phrase", "scr": "phrase", "exact": "exact", "all": "all", "any": "any"}
_RELATIONS_1_2 = {"=": "phrase", "==": "exact", "adj": "phrase", "all": "all", "any": "any"}


@dataclass(frozen=True, slots=True)
class Translation:
    query: Node
    sort: tuple[SortSpec, ...]
    library: str | None = None  # not used: the library limit is an index (local.library)


class Translator:
    def __init__(self, version: str, deviations: frozenset[str]) -> None:
        self.version = version
        self.deviations = deviations

    def statement(self, statement: Statement) -> Translation:
        if isinstance(statement, Sorted):
            prefixes = dict(CONTEXT_SETS)
            if isinstance(statement.query, Prefixed):
                self._assign(prefixes, statement.query.prefixes)
            return Translation(self.query(statement.query, prefixes), tuple(self.sort_key(k, prefixes) for k in statement.keys))
        return Translation(self.query(statement, dict(CONTEXT_SETS)), ())

    def _assign(self, prefixes: dict[str, str], assignments: tuple[tuple[str, str], ...]) -> None:
        for prefix, uri in assignments:
            prefixes[prefix or "dc"] = uri  # a bare URI sets the default context set

    def query(self, node: Query, prefixes: dict[str, str]) -> Node:
        if isinstance(node, Prefixed):
            scoped = dict(prefixes)
            self._assign(scoped, node.prefixes)
            return self.query(node.query, scoped)
        if isinstance(node, Boolean):
            if node.operator == "prox":
                raise SruFault(37, "prox")
            if node.modifiers:
                raise SruFault(46, node.modifiers[0].name)
            left, right = self.query(node.left, prefixes), self.query(node.right, prefixes)
            if node.operator == "and":
                return And(left, right)
            return Or(left, right) if node.operator == "or" else AndNot(left, right)
        return self.clause(node, prefixes)

    def resolve(self, name: str, prefixes: dict[str, str]) -> tuple[str, str]:
        """(context set, index) of a CQL index name; 15 for an unknown set."""
        prefix, dot, local = name.rpartition(".")
        prefix = prefix if dot else "dc"
        uri = prefixes.get(prefix) or prefixes.get(prefix.lower())
        if uri is None or uri not in _SET_BY_URI:
            if Deviation.NO_DIAGNOSTIC_16 in self.deviations:
                return "cql", "serverChoice"
            raise SruFault(15, prefix)
        return _SET_BY_URI[uri], local

    def clause(self, clause: SearchClause, prefixes: dict[str, str]) -> Node:
        term_only = ("dc", "title") if Deviation.TERM_ONLY_TITLE in self.deviations else ("cql", "serverChoice")
        key = term_only if not clause.index else self.resolve(clause.index, prefixes)
        relation = clause.relation.base.lower() if clause.relation is not None else "="
        if clause.relation is not None and clause.relation.modifiers:
            raise SruFault(20, clause.relation.modifiers[0].name)
        if key == ALL_RECORDS:
            return AllRecords()
        if key not in CQL_INDEXES:
            if Deviation.NO_DIAGNOSTIC_16 not in self.deviations:
                raise SruFault(16, clause.index)
            key = ("cql", "serverChoice")
        index = CQL_INDEXES[key][0]
        mode = self.mode(relation)
        pieces = term_pieces(clause.term)
        text = "".join(p.text if p.kind == "text" else {"*": ANY_RUN, "?": ONE_CHAR}.get(p.kind, " ") for p in pieces)
        anchored_start = bool(pieces) and pieces[0].kind == "^"
        anchored_end = bool(pieces) and pieces[-1].kind == "^"
        if index == "library" and Deviation.LIBRARY_LIMIT_IGNORED in self.deviations:
            return AllRecords()
        found = self._deviate(term(index, text, mode, anchored_start=anchored_start, anchored_end=anchored_end), text)
        if not found.words:
            raise SruFault(27, clause.term)
        if mode == "phrase" and len(found.words) == 1 and not (anchored_start or anchored_end):
            return replace(found, mode="all")
        return found

    def _deviate(self, found: Term, text: str) -> Term:
        """The query-side deviations: case folded for A-Z only, letters folded to their base."""
        if Deviation.ASCII_CASE_ONLY in self.deviations and found.index not in ("isbn", "library"):
            found = replace(found, words=tuple(_ascii_lower(w) for w in _WORD.findall(unicodedata.normalize("NFC", text))))
        if Deviation.LETTER_FOLDING in self.deviations:
            found = replace(found, words=tuple(base_letters(w) for w in found.words))
        return found

    def mode(self, relation: str) -> str:
        modes = _RELATIONS_1_1 if self.version == "1.1" else _RELATIONS_1_2
        if relation not in modes:
            raise SruFault(19, relation)
        return modes[relation]

    def sort_key(self, key: SortKey, prefixes: dict[str, str]) -> SortSpec:
        resolved = self.resolve(key.index, prefixes)
        if resolved not in CQL_INDEXES:
            raise SruFault(16, key.index)
        index = CQL_INDEXES[resolved][0]
        if index not in ("title", "author", "identifier"):
            raise SruFault(80, key.index)
        names = {m.name.lower().rpartition(".")[2] for m in key.modifiers}
        return SortSpec(index, descending="descending" in names)


def sort_keys_parameter(text: str, translator: Translator) -> tuple[SortSpec, ...]:
    """SRU 1.1/2.0 ``sortKeys``: space-separated ``path,schema,ascending,...`` (1 = ascending)."""
    specs = []
    for key in text.split():
        parts = key.split(",")
        clause_prefixes = dict(CONTEXT_SETS)
        resolved = translator.resolve(parts[0], clause_prefixes)
        if resolved not in CQL_INDEXES or CQL_INDEXES[resolved][0] not in ("title", "author", "identifier"):
            raise SruFault(80, parts[0])
        descending = len(parts) > 2 and parts[2].strip() == "0"
        specs.append(SortSpec(CQL_INDEXES[resolved][0], descending))
    return tuple(specs)


def _ascii_lower(word: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in word)
