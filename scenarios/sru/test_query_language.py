"""SRU-02 and SRU-03: the NorZIG points of CQL (diagnostic 16, term-only queries) and the CQL level.

The CQL level is graded, as the CQL conformance page defines it, not passed or failed: level
0 (terms, quoted terms, escaped quotes) is what every SRU server must take; level 1 adds
``index relation term`` and Booleans; level 2 parses all of CQL and answers what it does not
support with the diagnostic for it, never with 10 (syntax error). Level 1 or 2 PASSes with
the level in the message, level 0 WARNs (SRU-03 asks level 1), less FAILs.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from harness.findings import WarningRecorder, cannot_judge
from harness.sru import checks as c
from harness.sru import defects
from harness.sru.catalogue import FixtureRecord
from harness.sru.client import SruClient
from harness.sru.records import control_number, marc_records
from harness.sru.target import SruTarget

CQL = "CQL: the Contextual Query Language, version 1.2 (LoC)"
INDEX_CLAUSE = f"NorZIG SRU profile (requirement SRU-02); {c.DIAGNOSTICS_CLAUSE}: 16 Unsupported index"
TERM_ONLY_CLAUSE = (f"{CQL}, Search Clauses: a clause that is only a term means cql.serverChoice, the server's "
                    "choice of index; NorZIG SRU profile (requirement SRU-02)")
LEVEL_CLAUSE = ("CQL conformance levels (LoC, CQL 'Conformance'): level 0 term-only queries with quoted terms and "
                "escapes; level 1 index-relation-term and Booleans; level 2 all of CQL, unsupported parts "
                f"answered with their diagnostic; {c.DIAGNOSTICS_CLAUSE}")
LEVEL_0 = ('fjell', '"nordlys over"', '"fiskeværet \\"som\\" forsvant"')


def _level_1(title: str) -> tuple[str, ...]:
    return (f"{title} = fjell", "fjell and nordlys", "fjell or nordlys", "fjell not nordlys")


def _level_2(title: str, version: str) -> tuple[str, ...]:
    probes = [f'{title} any "fjell nordlys"', f'{title} all "nordlys over"', f"{title} <> fjell", f"{title} =/relevant fjell",
              "fjell prox nordlys", "fjell and/foo nordlys", f'> dc = "info:srw/cql-context-set/1/dc-v1.1" {title} = fjell',
              "fjel*", "fj?ll", f"{title} = ^nordlys", f"({title} = fjell or nordlys) and bok"]
    if version != "1.1":
        probes += [f'{title} adj "nordlys over"', f'{title} == "Nordlys over Tromsø"', f"fjell sortBy {title}"]
    return tuple(probes)


@pytest.mark.requirement("SRU-02")
@pytest.mark.failed_by(defects.NO_DIAGNOSTIC_16)
def test_unsupported_index_gets_diagnostic_16(sru: SruClient, sru_target: SruTarget) -> None:
    """A search in an index the server does not support gets diagnostic 16

    nb: Et søk i en indeks serveren ikke støtter, gir diagnostikk 16
    """
    for version in sru_target.versions:
        result = sru.search_retrieve("dc.harnessnosuchindex = fjell", version=version, maximum_records=1)
        response = c.search(result, sru, f"{version} dc.harnessnosuchindex")
        if 16 not in c.codes(result):
            raise c.fail(f"{version}: dc.harnessnosuchindex = fjell gave {response.number_of_records} records and "
                         f"{c.describe(response.diagnostics)}", clause=INDEX_CLAUSE, client=sru,
                         expected="diagnostic 16 (Unsupported index), details dc.harnessnosuchindex")


@pytest.mark.requirement("SRU-02")
@pytest.mark.failed_by(defects.TERM_ONLY_TITLE)
def test_term_only_query_means_server_choice(sru: SruClient, held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """A query of a term alone searches as cql.serverChoice: an author's name finds the author's books

    nb: Et søk med bare en term søker som cql.serverChoice: et forfatternavn finner forfatterens bøker
    """
    record = held_catalogue["hx0000002"]
    surname = record.author.split(",")[0].lower()
    counts = {}
    for query in (surname, f"cql.serverChoice = {surname}"):
        result = sru.search_retrieve(query, maximum_records=50)
        response = c.search(result, sru, query)
        numbers = {control_number(m) for m in marc_records(response.records)}
        counts[query] = (response.number_of_records, record.number in numbers, c.describe(response.diagnostics))
    (term_hits, term_found, term_diag), (choice_hits, _, _) = counts.values()
    if not term_found or term_hits != choice_hits:
        raise c.fail(f"the term alone {surname!r} found {term_hits} records ({term_diag}), cql.serverChoice = {surname} "
                     f"{choice_hits}; {record.number} (author {record.author}) "
                     f"{'is' if term_found else 'is not'} among them", clause=TERM_ONLY_CLAUSE, client=sru,
                     expected=f"the same result set as cql.serverChoice = {surname}, with {record.number}")


@pytest.mark.requirement("SRU-03")
@pytest.mark.failed_by(defects.ESCAPED_QUOTE_SYNTAX_ERROR)
def test_cql_conformance_level(sru: SruClient, sru_target: SruTarget, warn: WarningRecorder) -> None:
    """CQL level 1 or 2: index clauses and Booleans, and every other part of CQL parsed

    nb: CQL nivå 1 eller 2: indeksledd og boolske operatorer, og resten av CQL tolket
    """
    title = sru_target.index("title")
    if title is None:
        cannot_judge("explain declares no title index to build index clauses with", "test_members_find_catalogue_records")
    version = sru_target.settings.version

    def diagnostics(query: str) -> list[int | None]:
        return c.codes(sru.search_retrieve(query, version=version, maximum_records=0))

    refused = [(q, d) for q in LEVEL_0 if (d := diagnostics(q))]
    if refused:
        raise c.fail(f"below CQL level 0: {refused[0][0]} was answered with diagnostic {refused[0][1]}",
                     clause=LEVEL_CLAUSE, client=sru, details=[f"{q}: {d}" for q, d in refused],
                     expected="terms, quoted terms and escaped quotes answered without diagnostic")
    one = {q: diagnostics(q) for q in _level_1(title)}
    level_1 = all(10 not in d for d in one.values()) and any(not d for d in one.values())
    two = {q: diagnostics(q) for q in _level_2(title, version)}
    syntax = [q for q, d in two.items() if 10 in d]
    details = [f"{q}: {d or 'answered'}" for q, d in {**one, **two}.items()]
    if not level_1:
        warn(f"CQL level 0 only: {', '.join(q for q, d in one.items() if d)} refused", clause=LEVEL_CLAUSE,
             exchanges=c.last_exchanges(sru, 3))
    elif syntax:
        warn.note(f"CQL level 1 ({len(syntax)} valid CQL queries answered with 10, e.g. {syntax[0]})", details=details)
    else:
        warn.note("CQL level 2: all of CQL parsed, unsupported parts answered with their diagnostic", details=details)
