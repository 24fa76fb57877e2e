"""SRU-01: explain and version negotiation.

Explain comes first: it says which versions, indexes and schemas the target offers, and the
other checks plan from it. What explain declares must be true of the endpoint; a version
the target answers but does not declare is reported (WARN), not held against it.
"""

from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

import pytest

from harness.findings import WarningRecorder, cannot_judge
from harness.sru import checks as c
from harness.sru import defects
from harness.sru.client import SruClient, SruResult
from harness.sru.model import VERSIONS, ExplainResponse, family_of
from harness.sru.rules import OASIS3, SRU12, SRU12_EXPLAIN, ZEEREX
from harness.sru.target import SruTarget

VERSION_CLAUSE = (f"{SRU12}, Version: a server answers in the version asked, in that version's namespace "
                  "(1.x http://www.loc.gov/zing/srw/, 2.0 http://docs.oasis-open.org/ns/search-ws/sruResponse); "
                  f"{OASIS3}, Versions")
NEGOTIATION_CLAUSE = (f"{SRU12}, Version, and SRU Diagnostics List 5 'Unsupported version': an unsupported version is "
                      "answered with diagnostic 5 whose details give the highest version the server supports; "
                      f"{OASIS3}, Versions")
NO_VERSION_CLAUSE = (f"{OASIS3}, Versions: a request without the version parameter is a 2.0 request; {SRU12}, "
                     "Version: 1.x requests carry version (else diagnostic 7, mandatory parameter not supplied)")


def _explain(result: SruResult, client: SruClient, what: str) -> ExplainResponse:
    response = result.parsed.response
    if not isinstance(response, ExplainResponse):
        raise c.fail(f"{what}: the answer is not an SRU explainResponse (HTTP {result.http.status})",
                     clause=SRU12_EXPLAIN, client=client, expected="an explainResponse holding a ZeeRex record",
                     problems=result.problems)
    return response


def _number(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _same_host(a: str, b: str) -> bool:
    if a.lower() == b.lower():
        return True
    try:
        return socket.gethostbyname(a) == socket.gethostbyname(b)
    except OSError:
        return False


@pytest.mark.requirement("SRU-01")
@pytest.mark.failed_by(defects.EXPLAIN_WRONG_SERVER_INFO)
def test_explain_describes_the_endpoint(sru: SruClient, sru_target: SruTarget) -> None:
    """Explain answers with a ZeeRex record whose serverInfo names this endpoint

    nb: Explain svarer med en ZeeRex-post der serverInfo beskriver dette endepunktet
    """
    answers = [("explain", sru.explain()), ("a request without parameters", sru.request({}))]
    url = urlsplit(sru_target.settings.url)
    for what, result in answers:
        response = _explain(result, sru, what)
        own = c.own_failures(result, c.EXPLAIN_CHECK)
        if own or response.info is None:
            raise c.fail(f"{what}: the explain record is not a usable ZeeRex record", clause=ZEEREX, client=sru,
                         expected="a ZeeRex explain record with serverInfo, indexInfo, schemaInfo", problems=own)
        info = response.info
        port = url.port or (443 if url.scheme == "https" else 80)
        database = url.path.strip("/")
        wrong = [f"{name} {got!r}, the endpoint's is {want!r}" for name, got, want, same in (
            ("host", info.host, url.hostname or "", _same_host(info.host, url.hostname or "")),
            ("port", info.port, port, info.port == port),
            ("database", info.database, database, info.database == database)) if not same]
        if wrong:
            raise c.fail(f"{what}: explain's serverInfo does not describe {sru_target.settings.url}: {'; '.join(wrong)}",
                         clause=f"{ZEEREX}, serverInfo: host, port and database of this server; {SRU12_EXPLAIN}",
                         client=sru, expected=f"host {url.hostname}, port {port}, database {database!r}")


@pytest.mark.requirement("SRU-01")
@pytest.mark.failed_by(defects.NAMESPACE_2_ON_1X)
def test_declared_versions_answer_in_their_namespace(sru: SruClient, sru_target: SruTarget, warn: WarningRecorder) -> None:
    """Every version explain declares is answered in that version's namespace

    nb: Hver versjon explain oppgir, besvares i den versjonens navnerom
    """
    if sru_target.explain is None:
        cannot_judge("explain could not be read", c.EXPLAIN_CHECK)
    declared = sru_target.declared_versions
    for version in VERSIONS:
        result = sru.search_retrieve("fjell", version=version, maximum_records=1)
        own = c.own_failures(result, c.VERSIONS_CHECK)
        response = result.parsed.response
        negotiated = [d for d in result.parsed.diagnostics if d.code == 5]
        if version in declared and (own or negotiated or response is None):
            raise c.fail(f"version {version} is declared in explain but not answered as {version}: "
                         f"{'; '.join(str(p) for p in own) or c.describe(negotiated) or 'no SRU answer'}",
                         clause=VERSION_CLAUSE, client=sru, expected=f"a {version} answer in the {family_of(version)} namespace",
                         problems=own or result.problems)
        if version not in declared and response is not None and not negotiated and not own:
            warn(f"version {version} is answered but explain does not declare it (serverInfo version="
                 f"{' '.join(sru_target.explain.versions)!r})", clause=f"{ZEEREX}, serverInfo/@version",
                 exchanges=c.last_exchanges(sru, 1))


@pytest.mark.requirement("SRU-01")
@pytest.mark.failed_by(defects.NO_DIAGNOSTIC_5)
def test_unsupported_version_gets_diagnostic_5(sru: SruClient, sru_target: SruTarget) -> None:
    """An unsupported version is answered with diagnostic 5 naming the highest version supported

    nb: En versjon som ikke støttes, besvares med diagnostikk 5 som oppgir den høyeste støttede versjonen
    """
    highest = max(sru_target.versions, key=_number)
    for asked in ("9.9", "3.0"):
        result = sru.explain(version=asked)
        if result.parsed.response is None:
            raise c.fail(f"version {asked}: the answer is not SRU", clause=NEGOTIATION_CLAUSE, client=sru,
                         expected="an SRU answer with diagnostic 5", problems=result.problems)
        fives = [d for d in result.parsed.diagnostics if d.code == 5]
        own = c.own_failures(result, c.VERSION5_CHECK)
        named = [v for d in fives for v in re.findall(r"\d+\.\d+", d.details)]
        if not fives:
            raise c.fail(f"version {asked} was answered without diagnostic 5 ({c.describe(result.parsed.diagnostics)})",
                         clause=NEGOTIATION_CLAUSE, client=sru, expected=f"diagnostic 5, details {highest} or higher")
        if own or not named or _number(max(named, key=_number)) < _number(highest):
            raise c.fail(f"diagnostic 5 for version {asked} names {named or 'no version'}, below the highest declared "
                         f"({highest})", clause=NEGOTIATION_CLAUSE, client=sru, expected=f"details {highest} or higher",
                         problems=own)


@pytest.mark.requirement("SRU-01")
@pytest.mark.failed_by(defects.VERSION_REQUIRED)
def test_request_without_version(sru: SruClient, sru_target: SruTarget, warn: WarningRecorder) -> None:
    """A searchRetrieve without version is a 2.0 request where 2.0 is declared; else a diagnostic 7 or a declared version

    nb: Et søk uten versjon er en 2.0-forespørsel der 2.0 er oppgitt; ellers diagnostikk 7 eller en oppgitt versjon
    """
    if sru_target.explain is None:
        cannot_judge("explain could not be read", c.EXPLAIN_CHECK)
    result = sru.request({"operation": "searchRetrieve", "query": "fjell", "maximumRecords": "1"})
    response = result.search
    if response is None:
        raise c.fail("a searchRetrieve without version got no searchRetrieveResponse", clause=NO_VERSION_CLAUSE,
                     client=sru, expected="a searchRetrieveResponse", problems=result.problems)
    declared = sru_target.declared_versions
    sevens = [d for d in response.diagnostics if d.code == 7]
    answered = response.version or response.family
    if "2.0" in declared:
        if response.family != "2.0" or sevens:
            raise c.fail(f"2.0 is declared, but a request without version was answered as {answered} "
                         f"({c.describe(response.diagnostics)})", clause=NO_VERSION_CLAUSE, client=sru,
                         expected="a 2.0 searchRetrieveResponse, no diagnostic 7")
        return
    if sevens:
        return
    if response.family == "2.0" or (response.version and response.version not in declared):
        warn(f"a request without version was answered as {answered}, which explain does not declare "
             f"(declared: {', '.join(declared) or 'none'})", clause=NO_VERSION_CLAUSE, exchanges=c.last_exchanges(sru, 1))
