"""results.ttl and results.jsonld parsed back with rdflib: the EARL triples a conformance tool reads."""

from __future__ import annotations

import warnings
from dataclasses import replace

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF
from sample_run import RUN  # covers every outcome and verdict

from harness.reporting.earl import (
    EARL,
    check_iri,
    render_jsonld,
    render_turtle,
    requirement_iri,
    subject_iri,
)
from harness.results import Outcome, Verdict


@pytest.fixture(scope="module")
def turtle() -> Graph:
    return Graph().parse(data=render_turtle(RUN), format="turtle")


@pytest.fixture(scope="module")
def jsonld() -> Graph:
    with warnings.catch_warnings():  # rdflib 7's JSON-LD parser uses its own deprecated ConjunctiveGraph inside
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=render_jsonld(RUN), format="json-ld")


def _assertions(graph: Graph, test: URIRef) -> list[URIRef]:
    return sorted(graph.subjects(EARL.test, test))  # type: ignore[arg-type]


def _outcome(graph: Graph, assertion: URIRef) -> tuple[URIRef, str, str]:
    result = graph.value(assertion, EARL.result)
    return (graph.value(result, EARL.outcome), str(graph.value(result, DCTERMS.type)),  # type: ignore[return-value]
            str(graph.value(result, EARL.info) or ""))


EXPECTED = {
    Outcome.PASS: EARL.passed, Outcome.WARN: EARL.passed, Outcome.FAIL: EARL.failed, Outcome.ERROR: EARL.cantTell,
    Outcome.FLAKY: EARL.cantTell, Outcome.NOT_TESTED: EARL.untested, Outcome.SKIP: EARL.untested,
}


def test_every_check_is_one_automatic_assertion_by_the_harness_about_the_target(turtle: Graph) -> None:
    subject = subject_iri(RUN)
    assert (subject, RDF.type, EARL.TestSubject) in turtle
    assert turtle.value(subject, DCTERMS.title) == Literal("Bibliotekssystem Å")
    for check in RUN.checks:
        (assertion,) = _assertions(turtle, check_iri(check.id))
        assert (assertion, RDF.type, EARL.Assertion) in turtle
        assert turtle.value(assertion, EARL.subject) == subject
        assert turtle.value(assertion, EARL.mode) == EARL.automatic
        assertor = turtle.value(assertion, EARL.assertedBy)
        assert (assertor, RDF.type, EARL.Software) in turtle and turtle.value(assertor, DCTERMS.hasVersion) == Literal("0.1.0")
        outcome, code, info = _outcome(turtle, assertion)
        assert (outcome, code) == (EXPECTED[check.outcome], check.outcome.value), check.id
        assert info == check.message


def test_warn_is_passed_with_the_warning_as_info(turtle: Graph) -> None:
    warn = next(c for c in RUN.checks if c.outcome is Outcome.WARN)
    (assertion,) = _assertions(turtle, check_iri(warn.id))
    assert _outcome(turtle, assertion) == (EARL.passed, "WARN", "plain TCP only")


def test_checks_are_test_cases_part_of_their_requirements(turtle: Graph) -> None:
    check = RUN.checks[1]
    test = check_iri(check.id)
    assert (test, RDF.type, EARL.TestCase) in turtle
    assert set(turtle.objects(test, DCTERMS.isPartOf)) == {requirement_iri(r) for r in check.requirements}
    assert Literal(check.title, lang="en") in set(turtle.objects(test, DCTERMS.title))
    assert "[" not in str(test)  # the parameter brackets are percent-encoded in the IRI


def test_requirement_verdicts_map_to_earl(turtle: Graph) -> None:
    expected = {"MARC-01": EARL.passed, "KAT-03": EARL.failed, "SIP-07": EARL.passed, "Z-01": EARL.inapplicable,
                "SRU-01": EARL.untested, "KAT-04": EARL.cantTell, "KAT-01": EARL.cantTell}
    for req_id, outcome in expected.items():
        (assertion,) = _assertions(turtle, requirement_iri(req_id))
        assert _outcome(turtle, assertion)[0] == outcome, req_id
        assert (requirement_iri(req_id), RDF.type, EARL.TestRequirement) in turtle


def test_an_override_is_a_second_manual_assertion_by_the_evaluator(turtle: Graph) -> None:
    harness_says, evaluator_says = sorted(_assertions(turtle, requirement_iri("MARC-02")),
                                          key=lambda a: str(turtle.value(a, EARL.mode)))
    assert turtle.value(harness_says, EARL.mode) == EARL.automatic
    assert _outcome(turtle, harness_says)[:2] == (EARL.failed, "NOT_MET")
    assert turtle.value(evaluator_says, EARL.mode) == EARL.manual
    outcome, code, info = _outcome(turtle, evaluator_says)
    assert (outcome, code) == (EARL.passed, "MET") and info.startswith("245 $c is a declared system field")
    evaluator = turtle.value(evaluator_says, EARL.assertedBy)
    assert (evaluator, RDF.type, FOAF.Person) in turtle and turtle.value(evaluator, FOAF.name) == Literal("Kari Nordmann")


def test_turtle_and_json_ld_hold_the_same_graph(turtle: Graph, jsonld: Graph) -> None:
    assert len(turtle) == len(jsonld) > 100
    assert isomorphic(turtle, jsonld)


def test_the_same_run_gives_the_same_turtle_byte_for_byte() -> None:
    assert render_turtle(RUN) == render_turtle(RUN)
    other_round = replace(RUN, manifest=replace(RUN.manifest, negotiation_round="3"))
    assert subject_iri(other_round) != subject_iri(RUN)  # another round is another subject


def test_the_outcome_tables_cover_every_outcome_and_verdict() -> None:
    from harness.reporting.earl import OUTCOMES, VERDICTS

    assert set(OUTCOMES) == set(Outcome)
    assert set(VERDICTS) == set(Verdict) - {Verdict.UNVERIFIED}  # decided per requirement from its checks
