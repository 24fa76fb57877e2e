"""CQL: the builder's quoting and escaping, the parser, round trips, and an independent oracle."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.sru.cql import (
    Boolean,
    Modifier,
    Prefixed,
    Query,
    Relation,
    SearchClause,
    Sorted,
    SortKey,
    Statement,
    TermPiece,
    anywhere,
    literal,
    prox,
    sort_by,
    sort_key,
    term_pieces,
    to_cql,
    truncated,
    unescape,
    where,
)
from harness.sru.cql_parser import MAX_DEPTH, CQLSyntaxError, parse_cql

# --- the builder -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "cql"), [
    ("fjell", "fjell"),
    ("Ođđa sámegiela", '"Ođđa sámegiela"'),
    ('si "hei"', r'"si \"hei\""'),
    ("a\\b", r"a\\b"),
    ("50*", r"50\*"),
    ("hvem?", r"hvem\?"),
    ("^", r"\^"),
    ("and", '"and"'),
    ("SORTBY", '"SORTBY"'),
    ("", '""'),
    ("a=b", '"a=b"'),
    ("(x)", '"(x)"'),
    ("a/b", '"a/b"'),
])
def test_a_literal_means_exactly_its_text(text: str, cql: str) -> None:
    clause = anywhere(literal(text))
    assert to_cql(clause) == cql
    parsed = parse_cql(cql)
    assert parsed == clause
    assert isinstance(parsed, SearchClause) and unescape(parsed.term) == text
    assert all(p.kind == "text" for p in term_pieces(parsed.term))


def test_truncation_is_an_unescaped_mask() -> None:
    assert to_cql(where("dc.title", "=", truncated("fjel"))) == "dc.title = fjel*"
    assert to_cql(where("dc.title", "=", truncated("fjord", left=True, right=False))) == "dc.title = *fjord"
    assert term_pieces(truncated("a*b")) == (TermPiece("text", "a*b"), TermPiece("*"))
    assert term_pieces("fj?ll*") == (TermPiece("text", "fj"), TermPiece("?"), TermPiece("text", "ll"), TermPiece("*"))
    assert term_pieces("^fjell^") == (TermPiece("^"), TermPiece("text", "fjell"), TermPiece("^"))


@pytest.mark.parametrize("relation", ["=", "==", "exact", "all", "any", "adj", "<", ">", "<=", ">=", "<>"])
def test_relations(relation: str) -> None:
    clause = where("dc.title", relation, literal("a b"))
    assert to_cql(clause) == f'dc.title {relation} "a b"'
    assert parse_cql(to_cql(clause), "1.1" if relation == "exact" else "1.2") == clause


def test_booleans_modifiers_and_sorting() -> None:
    query = (where("dc.title", "all", literal("fjell fjord")) & anywhere("noreg")) | where("bath.isbn", "=", "9788205000011")
    assert to_cql(query) == 'dc.title all "fjell fjord" and noreg or bath.isbn = 9788205000011'
    assert to_cql(anywhere("a") & (anywhere("b") | anywhere("c"))) == "a and (b or c)"
    assert to_cql(anywhere("a") - anywhere("b")) == "a not b"
    assert to_cql(prox(anywhere("fjell"), anywhere("fjord"), Modifier("distance", "<", "3"))) == "fjell prox/distance<3 fjord"
    assert to_cql(where("dc.title", Relation("=", (Modifier("relevant"),)), "x")) == "dc.title =/relevant x"
    sorted_query = sort_by(anywhere("x"), sort_key("dc.title", descending=True), "dc.creator")
    assert to_cql(sorted_query) == "x sortBy dc.title/sort.descending dc.creator"


# --- the parser ----------------------------------------------------------------------------------------


def test_booleans_are_left_associative_and_case_blind() -> None:
    parsed = parse_cql("a AND b Or c")
    assert parsed == Boolean("or", Boolean("and", anywhere("a"), anywhere("b")), anywhere("c"))


def test_named_relation_and_modifiers() -> None:
    parsed = parse_cql('dc.title any/relevant/locale=nb "fjell fjord"')
    assert parsed == SearchClause("fjell fjord", "dc.title", Relation("any", (Modifier("relevant"), Modifier("locale", "=", "nb"))))


def test_prefix_assignments() -> None:
    parsed = parse_cql('> dc = "info:srw/cql-context-set/1/dc-v1.1" > "http://x/" dc.title = a')
    assert parsed == Prefixed((("dc", "info:srw/cql-context-set/1/dc-v1.1"), ("", "http://x/")), where("dc.title", "=", "a"))


def test_sortby_is_cql_1_2_only() -> None:
    assert parse_cql("a sortBy dc.title") == Sorted(anywhere("a"), (SortKey("dc.title"),))
    assert parse_cql("a sortby b", "1.1") == SearchClause("b", "a", Relation("sortby"))


@pytest.mark.parametrize("text", ["", "   ", "(fjell", "fjell and", "a b", '"open', "a = ", "()", "a sortby", "> = x a",
                                  "a and/ b", "dc.title =/ x", "a ) b", "a = b c", "=", "sortby x"])
def test_syntax_errors(text: str) -> None:
    with pytest.raises(CQLSyntaxError) as error:
        parse_cql(text)
    assert 0 <= error.value.position <= len(text)


def test_nesting_is_bounded() -> None:
    assert parse_cql("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH) == anywhere("a")
    with pytest.raises(CQLSyntaxError, match="deeper"):
        parse_cql("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))


@settings(max_examples=400)
@given(st.lists(st.sampled_from(list('ab =<>/()"\\*?^.æŋ\t') + ["and ", "or ", "not ", "prox ", "sortby ", "> "]), max_size=30))
def test_the_parser_raises_nothing_but_syntax_errors(pieces: list[str]) -> None:
    try:
        parse_cql("".join(pieces))
    except CQLSyntaxError:
        pass


# --- round trips -----------------------------------------------------------------------------------------

words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=0, max_size=12)
terms = st.one_of(words.map(literal), words.map(truncated), st.sampled_from(["fjell", "Ŋ*", "?a", "^start", "x^"]))
names = st.sampled_from(["dc.title", "dc.creator", "bath.isbn", "rec.id", "title", "cql.serverChoice", "local.library"])
relations = st.builds(Relation, st.sampled_from(["=", "==", "<>", "<", ">", "<=", ">=", "any", "all", "adj", "within"]),
                      st.lists(st.builds(Modifier, st.sampled_from(["relevant", "locale", "cql.unit"]),
                                         st.sampled_from(["", "="]), st.sampled_from(["", "nb", "word"]))
                               .map(lambda m: m if m.comparison else Modifier(m.name)), max_size=2).map(tuple))
clauses = st.one_of(st.builds(SearchClause, terms), st.builds(SearchClause, terms, names, relations))


def _booleans(children: st.SearchStrategy[Query]) -> st.SearchStrategy[Query]:
    return st.one_of(
        st.builds(Boolean, st.sampled_from(["and", "or", "not", "prox"]), children, children,
                  st.lists(st.builds(Modifier, st.sampled_from(["distance", "unit"]), st.just("<"), st.just("3")), max_size=1).map(tuple)),
        st.builds(Prefixed, st.lists(st.tuples(st.sampled_from(["", "dc", "x"]), st.sampled_from(["info:a/b", "http://x.org/s"])),
                                     min_size=1, max_size=2).map(tuple), children),
    )


queries = st.recursive(clauses, _booleans, max_leaves=8)
statements = st.one_of(queries, st.builds(Sorted, queries, st.lists(st.builds(SortKey, names, st.just(())), min_size=1, max_size=2).map(tuple)))


@settings(max_examples=300)
@given(statements)
def test_serialise_then_parse_gives_the_same_query(statement: Statement) -> None:
    assert parse_cql(to_cql(statement)) == statement


# --- cql-parser (PyPI) as an independent oracle ------------------------------------------------------------

cql_oracle = pytest.importorskip("cql.parser")


@pytest.fixture(scope="module")
def oracle() -> Any:
    from cql.lexer import CQLLexer

    logging.getLogger("cql").setLevel(logging.CRITICAL)  # it logs every syntax error it meets
    lexer = CQLLexer()
    lexer.build()
    parser = cql_oracle.CQLParser12()
    parser.build(lexer)
    return parser


def _shape_of_oracle(node: Any) -> Any:
    if type(node).__name__ == "CQLQuery":
        return _shape_of_oracle(node.root)
    if type(node).__name__ == "CQLTriple":
        return (node.operator.value.lower(), _shape_of_oracle(node.left), _shape_of_oracle(node.right))
    relation = str(node.relation.comparitor).lower() if node.relation is not None else None
    index = str(node.index) if node.index is not None else None
    return (index or None, relation, str(node.term))


def _shape(node: Query) -> Any:
    if isinstance(node, Boolean):
        return (node.operator, _shape(node.left), _shape(node.right))
    assert isinstance(node, SearchClause)
    return (node.index or None, node.relation.base.lower() if node.relation else None, node.term)


simple_terms = st.text(alphabet="abcæøåŋčđ 0123456789-", min_size=1, max_size=10).map(literal)
simple_clauses = st.one_of(st.builds(SearchClause, simple_terms),
                           st.builds(SearchClause, simple_terms, names, st.builds(Relation, st.sampled_from(["=", "==", "any", "all", "adj"]))))
simple_queries = st.recursive(simple_clauses, lambda c: st.builds(Boolean, st.sampled_from(["and", "or", "not"]), c, c), max_leaves=6)


@settings(max_examples=200)
@given(simple_queries)
def test_the_oracle_reads_our_queries_as_we_do(oracle: Any, query: Query) -> None:
    assert _shape_of_oracle(oracle.parse(to_cql(query))) == _shape(query)
