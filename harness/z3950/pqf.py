"""YAZ's Prefix Query Format (PQF) to type-1 queries, for profiles and evaluators.

Evaluators know Z39.50 queries as PQF, the notation of yaz-client and zoomsh:

    @attr 1=4 @attr 5=1 "nord"                 title, right-truncated
    @and @attr 1=1003 gaup @attr 1=21 sámegiella
    @or @attr 1=7 9788299000017 @attr 1=12 hx0000001
    @not fjell fjord                            AND-NOT
    @prox 0 3 1 2 k 2 fjell fjord               proximity: exclusion distance ordered relation k|p unit
    @attrset bib-1 @attr bib-1 1=4 @attr 4=1 "fjell og fjord"
    @set default                                a result set as operand
    @term numeric 2020 / @term string ...      the term's type

A syntax error is the user's (a profile or a test), so it raises :class:`PqfError` with the
position; nothing here reads a target's bytes.
"""

from __future__ import annotations

from collections.abc import Iterator

from harness.z3950.oids import BIB1_ATTRIBUTES
from harness.z3950.query import (
    ATTRIBUTE_SET_NAMES,
    Attribute,
    Node,
    Operation,
    Proximity,
    ResultSetRef,
    RpnQuery,
    Term,
)

_OPERATORS = {"@and": "and", "@or": "or", "@not": "and-not"}
_TERM_TYPES = {"general": "general", "string": "characterString", "numeric": "numeric"}


class PqfError(ValueError):
    """The PQF text does not parse; the message says where."""


def parse(text: str) -> RpnQuery:
    """The type-1 query written in PQF ``text``."""
    tokens = _Tokens(text)
    attribute_set = BIB1_ATTRIBUTES
    if tokens.peek() == "@attrset":
        tokens.take()
        attribute_set = _set_oid(tokens.take_word("an attribute set name or OID after @attrset"))
    root = _node(tokens)
    if tokens.peek() is not None:
        extra = tokens.take()
        raise PqfError(f"unexpected {extra!r} after the query at character {tokens.position}")
    return RpnQuery(root, attribute_set)


def _node(tokens: _Tokens) -> Node:
    attributes: list[Attribute] = []
    while tokens.peek() == "@attr":
        tokens.take()
        attributes.append(_attribute(tokens))
    head = tokens.peek()
    if head is None:
        raise PqfError("the query ends where a term or an operator was expected")
    if attributes and head in (*_OPERATORS, "@prox", "@set"):
        raise PqfError(f"@attr must come right before a term, not before {head}")
    if head in _OPERATORS:
        tokens.take()
        return Operation(_OPERATORS[head], _node(tokens), _node(tokens))
    if head == "@prox":
        tokens.take()
        proximity = _proximity(tokens)
        return Operation("prox", _node(tokens), _node(tokens), proximity)
    if head == "@set":
        tokens.take()
        return ResultSetRef(tokens.take_word("a result set name after @set"))
    kind = "general"
    if head == "@term":
        tokens.take()
        name = tokens.take_word("a term type after @term")
        if name not in _TERM_TYPES:
            raise PqfError(f"unknown term type {name!r} (one of {', '.join(_TERM_TYPES)})")
        kind = _TERM_TYPES[name]
    word = tokens.take_term()
    if kind == "numeric":
        if not word.lstrip("-").isdigit():
            raise PqfError(f"@term numeric needs an integer, got {word!r}")
        return Term(int(word), tuple(attributes))
    return Term(word, tuple(attributes), kind)


def _attribute(tokens: _Tokens) -> Attribute:
    spec = tokens.take_word("type=value after @attr")
    attribute_set = None
    if "=" not in spec and spec.isdigit():
        raise PqfError(f"@attr needs type=value, got {spec!r}")
    if "=" not in spec:
        attribute_set = _set_oid(spec)
        spec = tokens.take_word("type=value after the attribute set")
    type_text, _, value_text = spec.partition("=")
    if not type_text.isdigit() or not value_text:
        raise PqfError(f"@attr needs type=value with a numeric type, got {spec!r}")
    value: int | str = int(value_text) if value_text.lstrip("-").isdigit() else value_text
    return Attribute(int(type_text), value, attribute_set)


def _proximity(tokens: _Tokens) -> Proximity:
    words = [tokens.take_word("the six @prox parameters") for _ in range(6)]
    exclusion, distance, ordered, relation, which, unit = words
    numbers = (exclusion, distance, ordered, relation, unit)
    if not all(w.isdigit() for w in numbers) or which not in ("k", "p", "known", "private"):
        raise PqfError(f"@prox needs: exclusion distance ordered relation k|p unit, got {' '.join(words)!r}")
    return Proximity(int(distance), ordered != "0", int(relation), int(unit), exclusion != "0", which.startswith("k"))


def _set_oid(name: str) -> str:
    oid = ATTRIBUTE_SET_NAMES.get(name.lower())
    if oid:
        return oid
    if all(part.isdigit() for part in name.split(".")) and "." in name:
        return name
    raise PqfError(f"unknown attribute set {name!r} (bib-1, exp-1 or an OID)")


class _Tokens:
    """Words, quoted strings (backslash escapes) and @-keywords, one at a time."""

    def __init__(self, text: str) -> None:
        self._items = list(_split(text))
        self._index = 0
        self.position = 0

    def peek(self) -> str | None:
        """The next keyword (``@and``...), ``""`` for a term, ``None`` at the end."""
        if self._index >= len(self._items):
            return None
        word, quoted, _ = self._items[self._index]
        return word if word.startswith("@") and not quoted else ""

    def take(self) -> str:
        word, _, self.position = self._items[self._index]
        self._index += 1
        return word

    def take_word(self, what: str) -> str:
        if self._index >= len(self._items):
            raise PqfError(f"the query ends where {what} was expected")
        return self.take()

    def take_term(self) -> str:
        if self._index >= len(self._items):
            raise PqfError("the query ends where a term was expected")
        word, quoted, _ = self._items[self._index]
        if word.startswith("@") and not quoted:
            raise PqfError(f"unknown or misplaced operator {word!r} at character {self._items[self._index][2]}")
        return self.take()


def _split(text: str) -> Iterator[tuple[str, bool, int]]:
    """(word, was quoted, position) for each token of ``text``."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        if text[i] == '"':
            i += 1
            chars: list[str] = []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(text[i])
                i += 1
            if i >= n:
                raise PqfError(f"the quoted term at character {start} has no closing quote")
            i += 1
            yield "".join(chars), True, start
            continue
        while i < n and not text[i].isspace():
            i += 1
        yield text[start:i], False, start
