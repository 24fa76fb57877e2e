"""CQL: the query model, a builder that quotes and escapes, and the serialiser.

The model follows the CQL 1.2 grammar (LoC "CQL: the Contextual Query Language", version
1.2; OASIS searchRetrieve v1.0 Part 5): a query is a search clause, a Boolean of two
queries, a query under prefix assignments, or (at the top) a query with sort keys.

Terms are kept as CQL writes them, **escapes included**, because an escape changes meaning:
``fjell*`` is right truncation, ``fjell\\*`` the five letters and an asterisk. Build terms
with :func:`literal` (every masking and anchoring character escaped: the text means
itself) or :func:`truncated` (a literal with an unescaped ``*``). :func:`term_pieces` turns a
term back into literal text and masks for a search engine.

Serialising then parsing gives the same model (``parse_cql(to_cql(q)) == q``, tested with
hypothesis); :mod:`harness.sru.cql_parser` holds the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BOOLEANS = ("and", "or", "not", "prox")
SYMBOLS = ("=", "==", "<>", "<", ">", "<=", ">=")
KEYWORDS = (*BOOLEANS, "sortby")
_SPECIAL = set('()=<>"/ \t\r\n\f\v')  # CQL 1.2: a bare term has none of these (nor whitespace)
_MASKING = "*?^"
_WHITESPACE = re.compile(r"\s")


@dataclass(frozen=True, slots=True)
class Modifier:
    """``/name``, or ``/name<comparison>value`` (relation, boolean and sort modifiers)."""

    name: str
    comparison: str = ""
    value: str = ""


@dataclass(frozen=True, slots=True)
class Relation:
    """A comparison symbol (``=``, ``==``, ``<>``...) or a named relation (``any``, ``adj``...)."""

    base: str
    modifiers: tuple[Modifier, ...] = ()


class _Node:
    """Boolean operators on every query node: ``a & b``, ``a | b``, ``a - b`` (and not)."""

    __slots__ = ()

    def __and__(self, other: Query) -> Boolean:
        return Boolean("and", self, other)  # type: ignore[arg-type]

    def __or__(self, other: Query) -> Boolean:
        return Boolean("or", self, other)  # type: ignore[arg-type]

    def __sub__(self, other: Query) -> Boolean:
        return Boolean("not", self, other)  # type: ignore[arg-type]

    def to_cql(self) -> str:
        return to_cql(self)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class SearchClause(_Node):
    """``index relation term``, or a term alone (``index`` empty: cql.serverChoice)."""

    term: str
    index: str = ""
    relation: Relation | None = None


@dataclass(frozen=True, slots=True)
class Boolean(_Node):
    operator: str  # and | or | not | prox, lower case
    left: Query
    right: Query
    modifiers: tuple[Modifier, ...] = ()


@dataclass(frozen=True, slots=True)
class Prefixed(_Node):
    """Prefix assignments scoping a query: ``> dc = "info:..." query`` (prefix "" for a bare URI)."""

    prefixes: tuple[tuple[str, str], ...]
    query: Query


@dataclass(frozen=True, slots=True)
class SortKey:
    index: str
    modifiers: tuple[Modifier, ...] = ()


@dataclass(frozen=True, slots=True)
class Sorted:
    """A query and its ``sortBy`` keys (CQL 1.2; the top level only). Prefix assignments
    at the start of the query (a :class:`Prefixed` query) scope the sort keys too."""

    query: Query
    keys: tuple[SortKey, ...]

    def to_cql(self) -> str:
        return to_cql(self)


Query = SearchClause | Boolean | Prefixed
Statement = Query | Sorted


# --- the builder ------------------------------------------------------------------------------


def escape(text: str) -> str:
    """``text`` as a CQL term that means exactly these characters (no masking, no anchoring)."""
    out = []
    for char in text:
        if char in '\\"' or char in _MASKING:
            out.append("\\")
        out.append(char)
    return "".join(out)


def literal(text: str) -> str:
    """A term for ``text`` itself; the serialiser adds quotes when the term needs them."""
    return escape(text)


def truncated(text: str, *, right: bool = True, left: bool = False) -> str:
    """``text`` literally, with ``*`` truncation on the chosen sides (``fjel*``, ``*fjord``)."""
    return ("*" if left else "") + escape(text) + ("*" if right else "")


def where(index: str, relation: str | Relation, term: str, *modifiers: Modifier) -> SearchClause:
    """``index relation term``; ``term`` is a CQL term (use :func:`literal` for plain text)."""
    if isinstance(relation, str):
        relation = Relation(relation, tuple(modifiers))
    return SearchClause(term, index, relation)


def anywhere(term: str) -> SearchClause:
    """A term alone: the server's choice of index (cql.serverChoice)."""
    return SearchClause(term)


def prox(left: Query, right: Query, *modifiers: Modifier) -> Boolean:
    return Boolean("prox", left, right, tuple(modifiers))


def sort_by(query: Query, *keys: SortKey | str) -> Sorted:
    return Sorted(query, tuple(SortKey(k) if isinstance(k, str) else k for k in keys))


def sort_key(index: str, *, descending: bool = False, missing: str = "") -> SortKey:
    mods = [Modifier("sort.descending" if descending else "sort.ascending")]
    if missing:
        mods.append(Modifier("sort.missingValue", "=", missing))
    return SortKey(index, tuple(mods))


# --- the serialiser ------------------------------------------------------------------------------


def quote_term(term: str) -> str:
    """A term as it must be written: bare when CQL allows it, else in double quotes.

    ``term`` carries its escapes already; an unescaped ``"`` is escaped here so the quoted
    form always reads back as the same term.
    """
    if term and not any(c in _SPECIAL or c.isspace() for c in term) and term.lower() not in KEYWORDS \
            and not term.endswith("\\"):
        return term
    body, i = [], 0
    while i < len(term):
        char = term[i]
        if char == "\\" and i + 1 < len(term):
            body.append(term[i:i + 2])
            i += 2
            continue
        body.append('\\"' if char == '"' else ("\\\\" if char == "\\" else char))
        i += 1
    return '"' + "".join(body) + '"'


def _modifiers(modifiers: tuple[Modifier, ...]) -> str:
    parts = []
    for m in modifiers:
        value = f"{m.comparison}{quote_term(m.value)}" if m.comparison else ""
        parts.append(f"/{quote_term(m.name)}{value}")
    return "".join(parts)


def _clause(clause: SearchClause) -> str:
    if not clause.index and clause.relation is None:
        return quote_term(clause.term)
    relation = clause.relation or Relation("=")
    base = relation.base if relation.base in SYMBOLS else quote_term(relation.base)
    index = quote_term(clause.index) if clause.relation is not None else "cql.serverChoice"
    return f"{index} {base}{_modifiers(relation.modifiers)} {quote_term(clause.term)}"


def _prefixes(prefixes: tuple[tuple[str, str], ...]) -> str:
    return "".join(f"> {quote_term(p)} = {quote_term(u)} " if p else f"> {quote_term(u)} " for p, u in prefixes)


def _query(node: Query, wrap: bool) -> str:
    """``wrap``: parenthesise a compound node (a Boolean or a prefixed query) here."""
    if isinstance(node, SearchClause):
        return _clause(node)
    if isinstance(node, Prefixed):
        text = _prefixes(node.prefixes) + _query(node.query, isinstance(node.query, Prefixed))
    else:
        # Booleans associate to the left: a Boolean on the left needs no parentheses.
        left = _query(node.left, isinstance(node.left, Prefixed))
        text = f"{left} {node.operator}{_modifiers(node.modifiers)} {_query(node.right, True)}"
    return f"({text})" if wrap else text


def to_cql(statement: Statement) -> str:
    """CQL text for a query; quotes and escapes only where the grammar requires them."""
    if isinstance(statement, Sorted):
        keys = " ".join(quote_term(k.index) + _modifiers(k.modifiers) for k in statement.keys)
        return f"{_query(statement.query, False)} sortBy {keys}"
    return _query(statement, False)


# --- terms for a search engine ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TermPiece:
    """A run of literal text, or one mask: ``*`` (any run), ``?`` (one character), ``^`` (anchor)."""

    kind: str  # "text" | "*" | "?" | "^"
    text: str = ""


def term_pieces(term: str) -> tuple[TermPiece, ...]:
    """A CQL term as literal text and masks; a backslash makes the next character literal."""
    pieces: list[TermPiece] = []
    buffer: list[str] = []
    i = 0
    while i < len(term):
        char = term[i]
        if char == "\\" and i + 1 < len(term):
            buffer.append(term[i + 1])
            i += 2
            continue
        if char in _MASKING:
            if buffer:
                pieces.append(TermPiece("text", "".join(buffer)))
                buffer = []
            pieces.append(TermPiece(char))
        else:
            buffer.append(char)
        i += 1
    if buffer:
        pieces.append(TermPiece("text", "".join(buffer)))
    return tuple(pieces)


def unescape(term: str) -> str:
    """The characters a term means, masks written as themselves (for display and echo)."""
    return "".join(p.text if p.kind == "text" else p.kind for p in term_pieces(term))
