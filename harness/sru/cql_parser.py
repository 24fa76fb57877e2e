"""CQL text -> the query model of :mod:`harness.sru.cql`; the sandbox server parses with it.

A recursive-descent parser of the CQL 1.2 grammar (LoC "CQL: the Contextual Query Language",
version 1.2, "CQL Syntax" / BNF): prefix assignments, ``index relation term`` with relation
modifiers, term-only clauses, the Booleans ``and or not prox`` (equal precedence, left to
right) with modifiers, parentheses, and ``sortBy`` with sort modifiers. Keywords are matched
without regard to case. With ``version="1.1"`` ``sortBy`` is an ordinary word, as in CQL 1.1.

Anything that is not CQL raises :class:`CQLSyntaxError` (SRU diagnostic 10) with the
character offset; no other exception escapes, whatever the text (hypothesis-tested).
Parentheses nest at most :data:`MAX_DEPTH` deep.

cql-parser 1.0.2 (PyPI, MIT, 2023, a PLY grammar) was judged and is used only as the tests'
independent oracle: its ``cql.parse()`` builds the LR tables on every call (about 10 ms a
query, measured); a reused parser is fast (0.1 ms) but is a stateful PLY object that server
threads cannot share, it logs every syntax error at ERROR level, its ``toCQL()`` drops
``sortBy``, it has no CQL 1.1 mode, and it would bring a vendored PLY into the runtime.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.sru.cql import (
    BOOLEANS,
    Boolean,
    Modifier,
    Prefixed,
    Query,
    Relation,
    SearchClause,
    Sorted,
    SortKey,
    Statement,
)

MAX_DEPTH = 32
_SINGLE = "()/"
_BREAK = set('()=<>"/')


class CQLSyntaxError(ValueError):
    """The text is not CQL; ``position`` is the character offset where reading stopped."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position})")
        self.message, self.position = message, position


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "(" ")" "/" "sym" "word" "quoted" "end"
    value: str
    position: int


def tokenize(text: str) -> list[_Token]:
    tokens, i, n = [], 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in _SINGLE:
            tokens.append(_Token(char, char, i))
            i += 1
        elif char in "<>=":
            two = text[i:i + 2]
            symbol = two if two in ("<=", ">=", "<>", "==") else char
            tokens.append(_Token("sym", symbol, i))
            i += len(symbol)
        elif char == '"':
            i = _quoted(text, i, tokens)
        else:
            i = _bare(text, i, tokens)
    tokens.append(_Token("end", "", n))
    return tokens


def _quoted(text: str, start: int, tokens: list[_Token]) -> int:
    i, body = start + 1, []
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            body.append(text[i:i + 2])  # escapes stay in the term: they carry meaning
            i += 2
        elif char == '"':
            tokens.append(_Token("quoted", "".join(body), start))
            return i + 1
        else:
            body.append(char)
            i += 1
    raise CQLSyntaxError("a quoted term is not closed", start)


def _bare(text: str, start: int, tokens: list[_Token]) -> int:
    i = start
    while i < len(text) and not text[i].isspace() and text[i] not in _BREAK:
        i += 2 if text[i] == "\\" and i + 1 < len(text) and not text[i + 1].isspace() else 1
    tokens.append(_Token("word", text[start:i], start))
    return i


class _Parser:
    def __init__(self, text: str, version: str) -> None:
        self.tokens = tokenize(text)
        self.at = 0
        self.sortby = version != "1.1"

    @property
    def token(self) -> _Token:
        return self.tokens[self.at]

    def advance(self) -> _Token:
        token = self.tokens[self.at]
        self.at = min(self.at + 1, len(self.tokens) - 1)
        return token

    def fail(self, message: str) -> CQLSyntaxError:
        shown = self.token.value or "the end of the query"
        return CQLSyntaxError(f"{message}, found {shown!r}", self.token.position)

    def is_word(self, *words: str) -> bool:
        return self.token.kind == "word" and self.token.value.lower() in words

    def statement(self) -> Statement:
        prefixes = self.prefix_assignments()
        query = self.scoped_clause(0)
        scoped: Query = Prefixed(prefixes, query) if prefixes else query
        result: Statement = scoped
        if self.sortby and self.is_word("sortby"):
            self.advance()
            result = Sorted(scoped, self.sort_keys())
        if self.token.kind != "end":
            raise self.fail("expected a Boolean operator or the end of the query")
        return result

    def term(self, what: str) -> str:
        if self.token.kind not in ("word", "quoted"):
            raise self.fail(f"expected {what}")
        return self.advance().value

    def prefix_assignments(self) -> tuple[tuple[str, str], ...]:
        found = []
        while self.token.kind == "sym" and self.token.value == ">":
            self.advance()
            first = self.term("a prefix or a URI after '>'")
            if self.token.kind == "sym" and self.token.value == "=":
                self.advance()
                found.append((first, self.term("a URI")))
            else:
                found.append(("", first))
        return tuple(found)

    def scoped_clause(self, depth: int) -> Query:
        left = self.search_clause(depth)
        while self.is_word(*BOOLEANS):
            operator = self.advance().value.lower()
            modifiers = self.modifiers()
            left = Boolean(operator, left, self.search_clause(depth), modifiers)
        return left

    def search_clause(self, depth: int) -> Query:
        if self.token.kind == "(":
            if depth >= MAX_DEPTH:
                raise self.fail(f"parentheses nest deeper than {MAX_DEPTH}")
            self.advance()
            prefixes = self.prefix_assignments()
            inner = self.scoped_clause(depth + 1)
            if self.token.kind != ")":
                raise self.fail("expected ')'")
            self.advance()
            return Prefixed(prefixes, inner) if prefixes else inner
        first = self.term("a search term, an index or '('")
        if self.token.kind == "sym" or self.token.kind in ("word", "quoted") and not self.is_word(*BOOLEANS) and not (self.sortby and self.is_word("sortby")):
            base = self.advance().value
        else:
            return SearchClause(first)
        modifiers = self.modifiers()
        return SearchClause(self.term(f"a search term after relation {base!r}"), first, Relation(base, modifiers))

    def modifiers(self) -> tuple[Modifier, ...]:
        found = []
        while self.token.kind == "/":
            self.advance()
            name = self.term("a modifier name after '/'")
            if self.token.kind == "sym":
                comparison = self.advance().value
                found.append(Modifier(name, comparison, self.term(f"a value after '{comparison}'")))
            else:
                found.append(Modifier(name))
        return tuple(found)

    def sort_keys(self) -> tuple[SortKey, ...]:
        keys = [SortKey(self.term("a sort index after sortBy"), self.modifiers())]
        while self.token.kind in ("word", "quoted"):
            keys.append(SortKey(self.advance().value, self.modifiers()))
        return tuple(keys)


def parse_cql(text: str, version: str = "1.2") -> Statement:
    """Parse CQL ``text`` (CQL 1.2, or 1.1 with ``version="1.1"``); raises CQLSyntaxError."""
    if not text.strip():
        raise CQLSyntaxError("the query is empty", 0)
    return _Parser(text, version).statement()
