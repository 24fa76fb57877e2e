"""SRU-01 on the wire: HTTP GET and POST give the same answer.

SRU 1.2 and 2.0 define a POST binding (form-encoded parameters) beside GET; a long query
(a union search's many ISBNs) needs it. ZeeRex's serverInfo/@method says which a server offers.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from harness.findings import WarningRecorder, skip_undeclared
from harness.sru import checks as c
from harness.sru import defects
from harness.sru.catalogue import FixtureRecord
from harness.sru.client import SruClient
from harness.sru.cql import literal, where
from harness.sru.records import control_number, marc_records
from harness.sru.rules import OASIS3, SRU12, ZEEREX
from harness.sru.target import SruTarget

POST_CLAUSE = (f"{SRU12}, HTTP POST: the parameters form-encoded (application/x-www-form-urlencoded), the response as "
               f"for GET; {OASIS3}, HTTP POST binding; {ZEEREX}, serverInfo/@method")


@pytest.mark.requirement("SRU-01")
@pytest.mark.failed_by(defects.POST_REFUSED)
def test_get_and_post_give_the_same_answer(sru: SruClient, sru_target: SruTarget, warn: WarningRecorder,
                                           held_catalogue: Mapping[str, FixtureRecord]) -> None:
    """A searchRetrieve sent by POST is answered as the same request sent by GET

    nb: Et searchRetrieve sendt med POST besvares som samme forespørsel sendt med GET
    """
    declared = "POST" in (sru_target.explain.methods if sru_target.explain is not None else ())
    record = held_catalogue["hx0000002"]
    isbn, title = sru_target.index("isbn"), sru_target.index("title")
    query = (where(isbn, "=", literal(record.isbn)) | where(title, "=", "ærfugl")) if isbn and title else literal(record.isbn)
    answers = {}
    for method in ("GET", "POST"):
        result = sru.search_retrieve(query, maximum_records=20, method=method)
        response = result.search
        if response is None and method == "POST" and not declared:
            skip_undeclared(f"explain does not declare POST, and POST was answered HTTP {result.http.status}")
        if response is None:
            raise c.fail(f"{method} searchRetrieve got no SRU answer (HTTP {result.http.status})", clause=POST_CLAUSE,
                         client=sru, last=1, problems=result.problems, expected="the same searchRetrieveResponse as GET")
        answers[method] = (response.number_of_records, [control_number(m) for m in marc_records(response.records)],
                           c.describe(response.diagnostics))
    if answers["GET"] != answers["POST"]:
        raise c.fail(f"GET and POST answer differently: GET {answers['GET'][0]} records {answers['GET'][2]}, POST "
                     f"{answers['POST'][0]} records {answers['POST'][2]}", clause=POST_CLAUSE, client=sru, last=2,
                     expected="the same numberOfRecords and records")
    if not declared:
        warn("POST works, but explain's serverInfo does not declare it (method)", clause=POST_CLAUSE,
             exchanges=c.last_exchanges(sru, 1))
