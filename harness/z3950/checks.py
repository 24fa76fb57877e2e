"""Turning Z39.50 answers into verdicts with evidence: the pieces every Z39.50 scenario shares.

**A fault is reported once.** What the client notices about an association (a Reference-id
not echoed, a character set not proposed, text that is not UTF-8, a Close not answered) is
a :class:`~harness.rules.Problem` naming a rule of ``harness/z3950/rules.py``; each rule is
owned by one check (:data:`OWNERS`), which judges it, and every other check reads past it.
An answer that cannot stand for the answer at all (undecodable, another service's PDU)
raises :class:`~harness.z3950.client.ProtocolViolation`, a Finding: that check FAILs.

Clauses cite ANSI/NISO Z39.50-2003 (ISO 23950) by section, its appendices (ATR: Bib-1
attributes; ERR: Bib-1 diagnostics; REC.5: OPAC), the Bath Profile 2.0 (ANSI/NISO Z39.89)
and the character set negotiation definition (charneg-3).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

import pymarc

from harness.evidence import Exchange
from harness.findings import Finding, not_tested
from harness.marc.lenient import decode_record
from harness.rules import Problem, Severity
from harness.z3950.client import Client
from harness.z3950.diagnostics import Diagnostic
from harness.z3950.oids import BIB1_DIAGNOSTICS, USMARC
from harness.z3950.pqf import parse
from harness.z3950.query import Operation, Term
from harness.z3950.records import Record
from harness.z3950.search import SearchResponse
from harness.z3950.settings import DEFAULT_SAMPLE_QUERY

Z = "Z39.50-2003"
INIT_CLAUSE = (f"{Z} 3.2.1.1.3 (Init options): the target agrees to a service only when it supports it; "
               f"3.2.4.1 (Delete), 3.2.8.1 (Scan), 3.2.7.1 (Sort); 3.4 (Reference-id)")
SEARCH_CLAUSE = f"{Z} 3.2.2.1 (Search); Appendix ATR (Bib-1 attribute set, 1.2.840.10003.3.1)"
ATTRIBUTE_CLAUSE = (f"{Z} Appendix ATR (Bib-1) and Appendix ERR (Bib-1 diagnostics 113-124); 3.2.2.1: a search "
                    f"that fails has searchStatus false and a diagnostic")
BATH_CLAUSE = ("Bath Profile 2.0 (ANSI/NISO Z39.89), Functional Area A, Level 0: author (1003), title (4), subject "
               "(21) and any (1016) with relation 3, position 3, structure 2, truncation 100, completeness 1")
PRESENT_CLAUSE = f"{Z} 3.2.3.1 (Present): preferredRecordSyntax, element set names F and B"
SIZE_CLAUSE = (f"{Z} 3.2.1.1.6 and 3.3 (message and record size): a record over the exceptional record size, or "
               f"over the preferred message size with others, is replaced by surrogate diagnostic 16 or 17")
OPAC_CLAUSE = f"{Z} Appendix REC.5 (OPAC record syntax, 1.2.840.10003.5.102): bibliographicRecord and holdingsData"
SCAN_CLAUSE = (f"{Z} 3.2.8.1 (Scan): the term list begins at the start term (or the first term after it), at "
               f"Position-of-term; Number-of-entries-returned and Scan-status say how many came back")
SORT_CLAUSE = (f"{Z} 3.2.7.1 (Sort): Sort-status success means the sorted result set exists under the name "
               f"asked; Unicode Technical Standard #10 with the CLDR nb tailoring: æ ø å after z; Bib-1 207 "
               f"(cannot sort according to sequence) rather than an order left as it was")
NAMED_CLAUSE = (f"{Z} 3.2.2.1 (Result-set-name) and 3.2.1.1.3 (option namedResultSets): each named result set "
                f"stays as it was made until it is replaced or deleted")
PIGGYBACK_CLAUSE = (f"{Z} 3.2.2.1.4 (Small-set-upper-bound, Large-set-lower-bound, Medium-set-present-number): "
                    f"a result set no larger than small-set-upper-bound comes back with its records")
CHARNEG_CLAUSE = ("Z39.50 charneg-3 (1.2.840.10003.15.3, Z39.50-1995 Amendment 2): the target selects from the "
                  "origin's proposal, and the selection governs names, messages and (recordsInSelectedCharSets) records")
CLOSE_CLAUSE = f"{Z} 3.2.11.1 (Close, a confirmed service): the responder answers a Close with a Close"

# The checks that own the client's rules; a rule not listed is owned by none (reported as
# a ProtocolViolation by whichever check meets it, or INFO).
INIT_CHECK = "test_init_declares_what_works"
CHARSET_CHECK = "test_utf8_negotiated"
CLOSE_CHECK = "test_close_is_answered"
OWNERS: dict[str, str] = {
    "reference_id_not_echoed": INIT_CHECK, "unsolicited_pdu": INIT_CHECK,
    "charset_not_proposed": CHARSET_CHECK, "text_not_utf8": CHARSET_CHECK,
    "close_reference_id_not_echoed": CLOSE_CHECK, "close_not_answered": CLOSE_CHECK,
    "dropped_without_close": CLOSE_CHECK,
}


def own_problems(problems: Iterable[Problem], owner: str, *, severity: Severity | None = None) -> list[Problem]:
    """The problems of the rules ``owner`` reports (of one severity, when given)."""
    return [p for p in problems if OWNERS.get(p.rule.id) == owner and (severity is None or p.severity is severity)]


def last_exchanges(client: Client, last: int = 6) -> list[Exchange]:
    return list(islice(reversed(client.transcript), last))[::-1]


def fail(message: str, *, clause: str, client: Client, expected: str, problems: Iterable[Problem] = (),
         details: Iterable[str] = (), last: int = 6) -> Finding:
    return Finding(message, clause=clause, expected=expected, exchanges=last_exchanges(client, last),
                   problems=problems, details=list(details))


def describe(diagnostics: Iterable[Diagnostic]) -> str:
    return "; ".join(str(d) for d in diagnostics) or "no diagnostic"


def bib1_codes(diagnostics: Iterable[Diagnostic]) -> list[int]:
    return [d.condition for d in diagnostics if d.set_oid == BIB1_DIAGNOSTICS]


def marc(data: bytes) -> pymarc.Record | None:
    """A MARC 21 record read past structure and encoding faults (other checks own those)."""
    return decode_record(data).record


def control_number(record: Record) -> str:
    """001 of a returned USMARC record (or of the one inside an OPAC record); "" if none."""
    data = record.opac.bibliographic.data if record.opac is not None and record.opac.bibliographic else record.data
    found = marc(data) if data else None
    fields = found.get_fields("001") if found is not None else []
    return (fields[0].data or "").strip() if fields else ""


def sample_search(client: Client, query: str, *, at_least: int = 2, **options: object) -> SearchResponse:
    """The profile's sample query on ``client``; NOT_TESTED when it finds fewer than ``at_least``."""
    response = client.search(query, **options)  # type: ignore[arg-type]
    if not response.status or response.result_count < at_least:
        hint = "" if query != DEFAULT_SAMPLE_QUERY else " (a title word of the fixture catalogue)"
        not_tested(f"the sample query {query}{hint} finds {response.result_count} records "
                   f"({describe(response.diagnostics)}); set [z3950] sample_query to one with at least {at_least}")
    return response


def numbers_found(client: Client, query: str, *, budget: int = 50, database: str | None = None) -> tuple[set[str], SearchResponse]:
    """001 of the first ``budget`` records ``query`` finds (read in USMARC), and the Search response."""
    kwargs: dict[str, object] = {"databases": (database,)} if database else {}
    response = client.search(query, **kwargs)  # type: ignore[arg-type]
    found: set[str] = set()
    wanted = min(response.result_count, budget) if response.status else 0
    start = 1
    while start <= wanted:
        present = client.present(start, min(25, wanted - start + 1), record_syntax=USMARC)
        records = present.records or ()
        found |= {control_number(r) for r in records if r.diagnostic is None}
        if not records:
            break
        start += len(records)
    return found, response


def pqf_term(text: str) -> str:
    """``text`` as one quoted PQF term."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def scan_use(query: str) -> int:
    """The Use attribute of a PQF query's first term (what Scan lists), else title (4)."""
    root = parse(query).root
    while not isinstance(root, Term):
        if not isinstance(root, Operation):
            return 4
        root = root.left
    value = root.attribute(1)
    return value if isinstance(value, int) else 4
