"""PQF, the query notation evaluators know from yaz-client and zoomsh, to type-1 queries."""

from __future__ import annotations

import pytest

from harness.z3950 import (
    Attribute,
    Operation,
    PqfError,
    Proximity,
    ResultSetRef,
    RpnQuery,
    Term,
    decode,
    encode,
    parse,
)
from harness.z3950.oids import BIB1_ATTRIBUTES, EXP1_ATTRIBUTES
from harness.z3950.search import SearchRequest


def test_a_term_with_attributes() -> None:
    assert parse('@attr 1=4 @attr 5=1 "nord"') == RpnQuery(Term("nord", (Attribute(1, 4), Attribute(5, 1))))


def test_boolean_operators_nest_in_prefix_order() -> None:
    query = parse("@and @or @attr 1=4 fjell @attr 1=4 fjord @not @attr 1=1003 gaup @attr 1=21 samer")
    assert query.root == Operation(
        "and",
        Operation("or", Term("fjell", (Attribute(1, 4),)), Term("fjord", (Attribute(1, 4),))),
        Operation("and-not", Term("gaup", (Attribute(1, 1003),)), Term("samer", (Attribute(1, 21),))),
    )


def test_quoted_terms_keep_spaces_sami_letters_and_escaped_quotes() -> None:
    assert parse('"Čáppa ŋuolggat \\"đ\\""').root == Term('Čáppa ŋuolggat "đ"')
    assert parse('"@and"').root == Term("@and")  # quoted: a term, not an operator


def test_proximity_result_sets_term_types_and_attribute_sets() -> None:
    assert parse("@prox 0 3 1 2 k 2 fjell fjord").root == Operation(
        "prox", Term("fjell"), Term("fjord"), Proximity(3, True, 2, 2, False, True))
    assert parse("@set default").root == ResultSetRef("default")
    assert parse("@term numeric 2020").root == Term(2020)
    assert parse("@term string abc").root == Term("abc", kind="characterString")
    query = parse("@attrset exp-1 @attr bib-1 1=4 @attr 1=title x")
    assert query.attribute_set == EXP1_ATTRIBUTES
    assert query.root == Term("x", (Attribute(1, 4, BIB1_ATTRIBUTES), Attribute(1, "title")))


@pytest.mark.parametrize("text", [
    '@attr 1=4 @attr 5=1 nord',
    '@and @attr 1=1003 @attr 4=1 "Eira, Biret Máret" @attr 1=21 sámegiella',
    '@or @set a @not "x y" @term numeric 7',
    '@prox 1 2 0 3 p 9 a b',
    '@attrset exp-1 @attr 1=1 foo',
])
def test_pqf_written_back_parses_to_the_same_query(text: str) -> None:
    query = parse(text)
    assert parse(query.pqf()) == query


def test_a_parsed_query_travels_in_a_search_request() -> None:
    query = parse('@and @attr 1=4 "ŋuolggat" @attr 1=7 9788299000024')
    decoded = decode(encode(SearchRequest(query)))
    assert isinstance(decoded.pdu, SearchRequest) and decoded.pdu.query == query


@pytest.mark.parametrize(("text", "message"), [
    ("", "ends where a term or an operator"),
    ("@and fjell", "ends where a term or an operator"),
    ("@attr 1 x", "needs type=value"),
    ("@attr x=4 y", "numeric type, got 'x=4'"),
    ("@attr nosuchset 1=4 y", "unknown attribute set 'nosuchset'"),
    ("fjell fjord", "unexpected 'fjord'"),
    ('"fjell', "no closing quote"),
    ("@nope fjell", "unknown or misplaced operator '@nope'"),
    ("@attr 1=4 @and a b", "@attr must come right before a term"),
    ("@prox 0 x 1 2 k 2 a b", "@prox needs"),
    ("@term numeric abc", "needs an integer"),
    ("@term float 1", "unknown term type"),
])
def test_syntax_errors_say_what_and_where(text: str, message: str) -> None:
    with pytest.raises(PqfError, match=message):
        parse(text)
