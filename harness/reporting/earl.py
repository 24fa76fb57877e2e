"""results.ttl and results.jsonld: the run in W3C EARL, for conformance tools that read it.

EARL is the Evaluation and Report Language 1.0 Schema (W3C Working Group Note, 2 February
2017, https://www.w3.org/TR/EARL10-Schema/). Each check is an ``earl:Assertion`` that the
harness (an ``earl:Software`` assertor) makes about the target (the ``earl:TestSubject``:
vendor and negotiation round) against the check (an ``earl:TestCase``, ``dct:isPartOf`` the
requirement it gives evidence for). Each requirement gets an assertion too, against an
``earl:TestRequirement``: the harness's proposed verdict, ``earl:mode earl:automatic``; and
where an evaluator overrode it, a second assertion by that evaluator, ``earl:manual``, with the
written reason as ``earl:info``. Both stay on the record, as in the scorecard.

Outcomes, mapped onto EARL's five ``earl:OutcomeValue`` instances (the Schema's definitions
quoted):

=============  =================  ==========================================================
harness        EARL               why
=============  =================  ==========================================================
PASS           earl:passed        "the subject passed the test"
WARN           earl:passed        the check passed: a WARN is a missed bør point, not a
                                  failure (DESIGN.md); the warning is the result's earl:info.
                                  earl:cantTell would claim the harness could not tell, and
                                  it could.
FAIL           earl:failed        "the subject failed the test"
ERROR          earl:cantTell      "it is unclear if the subject passed or failed the test":
                                  the harness could not verify (unreachable, timeout, harness bug)
FLAKY          earl:cantTell      repeated runs disagreed, so it is unclear
NOT_TESTED     earl:untested      "the test has not been carried out" (out of scope, no test
                                  data, or a fault another check owns)
SKIP           earl:untested      the target does not declare the capability, so the test was
                                  not carried out. Not earl:inapplicable ("the test is not
                                  applicable to the subject"): EARL consumers such as WCAG-EM
                                  reports count inapplicable as satisfied, and the harness never
                                  counts an unverified check as met (DESIGN.md).
=============  =================  ==========================================================

Requirement verdicts: MET → passed; NOT_MET → failed; PARTIAL → failed (some of a bør
requirement's checks failed; EARL has no "partly", and the info says PARTIAL); UNVERIFIED →
cantTell when a covering check ran and could not tell (ERROR, FLAKY), untested when none was
carried out; N/A → inapplicable, because only procurement declares N/A (the mapping file), and
that is exactly EARL's "not applicable to the subject".

Every result also carries the harness's own code (``dct:type "WARN"``), so nothing is lost
in the mapping. IRIs: ``urn:libharness:check:<node id>`` and
``urn:libharness:requirement:<id>``, stable across runs so assertions about the same test
from different vendors and rounds line up; the subject is a ``urn:uuid`` derived from
target, round and start time; assertions and results are named under it (no blank nodes),
so the same run always gives the same file.
"""

from __future__ import annotations

import uuid
from urllib.parse import quote

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, XSD

from harness.results import CheckResult, Outcome, RequirementResult, RunResult, Verdict

EARL = Namespace("http://www.w3.org/ns/earl#")
BASE = "urn:libharness:"

OUTCOMES = {
    Outcome.PASS: EARL.passed,
    Outcome.WARN: EARL.passed,
    Outcome.FAIL: EARL.failed,
    Outcome.ERROR: EARL.cantTell,
    Outcome.FLAKY: EARL.cantTell,
    Outcome.NOT_TESTED: EARL.untested,
    Outcome.SKIP: EARL.untested,
}
VERDICTS = {
    Verdict.MET: EARL.passed,
    Verdict.NOT_MET: EARL.failed,
    Verdict.PARTIAL: EARL.failed,
    Verdict.NOT_APPLICABLE: EARL.inapplicable,
    # Verdict.UNVERIFIED depends on the checks: see _unverified_outcome
}
_CARRIED_OUT = frozenset({Outcome.ERROR, Outcome.FLAKY})

# The JSON-LD context: short keys for readers, the same triples as the Turtle.
JSONLD_CONTEXT = {"earl": str(EARL), "dct": str(DCTERMS), "foaf": str(FOAF), "xsd": str(XSD)}


def check_iri(check_id: str) -> URIRef:
    return URIRef(BASE + "check:" + quote(check_id, safe="/:._-"))


def requirement_iri(req_id: str) -> URIRef:
    return URIRef(BASE + "requirement:" + quote(req_id, safe="._-"))


def subject_iri(run: RunResult) -> URIRef:
    m = run.manifest
    return URIRef(uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}subject:{m.target}\n{m.negotiation_round}\n{m.started}").urn)


def _unverified_outcome(req: RequirementResult, run: RunResult) -> URIRef:
    ran = any(c.outcome in _CARRIED_OUT for c in run.checks if req.id in c.requirements)
    return EARL.cantTell if ran else EARL.untested


class _Builder:
    def __init__(self, run: RunResult) -> None:
        self.run = run
        self.graph = Graph()
        for prefix, ns in (("earl", EARL), ("dct", DCTERMS), ("foaf", FOAF), ("xsd", XSD)):
            self.graph.bind(prefix, ns)
        self.started = Literal(run.manifest.started, datatype=XSD.dateTime) if run.manifest.started else None
        self.harness = URIRef(f"{BASE}software:harness/{quote(run.manifest.suite_version or 'unknown')}")
        self.subject = subject_iri(run)
        # Named nodes, not blank ones: the same run gives the same file, byte for byte.
        self.prefix = f"{BASE}run:{self.subject.removeprefix('urn:uuid:')}:"
        self.count = 0

    def node(self, kind: str) -> URIRef:
        self.count += 1
        return URIRef(f"{self.prefix}{kind}:{self.count:05d}")

    def describe_parties(self) -> None:
        g, m = self.graph, self.run.manifest
        g.add((self.harness, RDF.type, EARL.Assertor))
        g.add((self.harness, RDF.type, EARL.Software))
        g.add((self.harness, DCTERMS.title, Literal("libharness")))
        g.add((self.harness, DCTERMS.hasVersion, Literal(m.suite_version)))
        if m.git_revision:
            g.add((self.harness, DCTERMS.identifier, Literal(m.git_revision)))
        g.add((self.subject, RDF.type, EARL.TestSubject))
        g.add((self.subject, DCTERMS.title, Literal(m.target)))
        if m.negotiation_round:
            g.add((self.subject, DCTERMS.description, Literal(f"negotiation round {m.negotiation_round}", lang="en")))
            g.add((self.subject, DCTERMS.description, Literal(f"forhandlingsrunde {m.negotiation_round}", lang="nb")))

    def result(self, outcome: URIRef, code: str, info: str) -> URIRef:
        g, node = self.graph, self.node("result")
        g.add((node, RDF.type, EARL.TestResult))
        g.add((node, EARL.outcome, outcome))
        g.add((node, DCTERMS.type, Literal(code)))
        if info:
            g.add((node, EARL.info, Literal(info)))
        if self.started is not None:
            g.add((node, DCTERMS.date, self.started))
        return node

    def assertion(self, test: URIRef, result: URIRef, assertor: URIRef, mode: URIRef) -> None:
        g, node = self.graph, self.node("assertion")
        g.add((node, RDF.type, EARL.Assertion))
        g.add((node, EARL.assertedBy, assertor))
        g.add((node, EARL.subject, self.subject))
        g.add((node, EARL.test, test))
        g.add((node, EARL.result, result))
        g.add((node, EARL.mode, mode))

    def check(self, check: CheckResult) -> None:
        g, test = self.graph, check_iri(check.id)
        g.add((test, RDF.type, EARL.TestCase))
        g.add((test, DCTERMS.identifier, Literal(check.id)))
        g.add((test, DCTERMS.title, Literal(check.title, lang="en")))
        if check.title_nb:
            g.add((test, DCTERMS.title, Literal(check.title_nb, lang="nb")))
        for req_id in check.requirements:
            g.add((test, DCTERMS.isPartOf, requirement_iri(req_id)))
        self.assertion(test, self.result(OUTCOMES[check.outcome], check.outcome.value, check.message), self.harness, EARL.automatic)

    def requirement(self, req: RequirementResult) -> None:
        g, test = self.graph, requirement_iri(req.id)
        g.add((test, RDF.type, EARL.TestRequirement))
        g.add((test, DCTERMS.identifier, Literal(req.id)))
        g.add((test, DCTERMS.title, Literal(req.title_en, lang="en")))
        g.add((test, DCTERMS.title, Literal(req.title_nb, lang="nb")))
        g.add((test, DCTERMS.type, Literal(req.kind)))
        for check_id in req.checks:
            g.add((test, DCTERMS.hasPart, check_iri(check_id)))
        proposed = VERDICTS.get(req.proposed) or _unverified_outcome(req, self.run)
        self.assertion(test, self.result(proposed, req.proposed.value, req.note), self.harness, EARL.automatic)
        if req.override:
            evaluator = URIRef(f"{BASE}evaluator:{quote(req.override.by or 'unnamed')}")
            g.add((evaluator, RDF.type, EARL.Assertor))
            g.add((evaluator, RDF.type, FOAF.Person))
            g.add((evaluator, FOAF.name, Literal(req.override.by or "evaluator")))
            outcome = VERDICTS.get(req.override.verdict) or EARL.cantTell
            self.assertion(test, self.result(outcome, req.override.verdict.value, req.override.reason), evaluator, EARL.manual)


def earl_graph(run: RunResult) -> Graph:
    builder = _Builder(run)
    builder.describe_parties()
    for check in run.checks:
        builder.check(check)
    for req in run.requirements:
        builder.requirement(req)
    return builder.graph


def render_turtle(run: RunResult) -> bytes:
    return earl_graph(run).serialize(format="turtle", encoding="utf-8")


def render_jsonld(run: RunResult) -> bytes:
    return earl_graph(run).serialize(format="json-ld", context=JSONLD_CONTEXT, indent=2, encoding="utf-8")
