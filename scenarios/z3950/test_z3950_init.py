"""Z-01 and SPR-01 at the association level: Init honesty, UTF-8, Close.

Init is discovery: the option bits say which services the target agrees to, and every check
plans from them (a service not agreed to is SKIP; asking for it anyway would break the
protocol, 3.2.1.1.3). So honesty is judged one way only: each service the target agrees to
must work when used as the standard describes. Close is a confirmed service: the target
answers the origin's Close with a Close, and answers a PDU it cannot read with
Close(protocolError) rather than silence or a dropped connection.
"""

from __future__ import annotations

import pytest

from harness.findings import WarningRecorder, not_tested, skip_undeclared
from harness.rules import Severity
from harness.z3950 import checks as c
from harness.z3950 import defects
from harness.z3950.client import Client, ConnectionLost
from harness.z3950.query import Attribute
from harness.z3950.services import CLOSE_REASONS, Close, SortKey
from harness.z3950.target import Z3950Target

SCAN_START = "fjell"
UNREADABLE_SEARCH = bytes.fromhex("b6 03 02 01 ff")  # [22] searchRequest holding one bare INTEGER: not a SearchRequest
MALFORMED_CLAUSE = (f"{c.Z} 3.2.11.1.1 (Close-reason protocolError) and 3.1.3: a PDU the target cannot read ends "
                    f"the association with Close(protocolError)")


def _probe_delete(client: Client, query: str) -> list[str]:
    client.search(query, result_set="harness-del")
    deleted = client.delete_result_set("harness-del")
    found = []
    if deleted.status != 0 or any(status for _, status in deleted.statuses):
        found.append(f"Delete of an existing result set: deleteOperationStatus {deleted.status}, "
                     f"list statuses {list(deleted.statuses)}")
    again = client.delete_result_set("harness-del")  # the set is gone: resultSetDidNotExist
    if not found and again.status == 0 and all(status == 0 for _, status in again.statuses):
        found.append("a second Delete of the same result set succeeds again: the first deleted nothing")
    return found


def _probe_scan(client: Client, query: str) -> list[str]:
    scan = client.scan(f"@attr 1={c.scan_use(query)} {SCAN_START}", count=3)
    if scan.status == 6 or not scan.entries:
        return [(f"Scan of Use {c.scan_use(query)} from {SCAN_START!r}: scanStatus {scan.status}, "
                 f"{len(scan.entries)} entries ({c.describe(scan.diagnostics)})")]
    return []


def _probe_sort(client: Client, query: str) -> list[str]:
    client.search(query, result_set="harness-sort-in")
    sort = client.sort((SortKey((Attribute(1, 4),)),), inputs=("harness-sort-in",), output="harness-sort-out")
    if sort.status == 2:
        return [f"Sort by title (Use 4): sortStatus failure ({c.describe(sort.diagnostics)})"]
    return []


@pytest.mark.requirement("Z-01")
@pytest.mark.failed_by(defects.DELETE_CLAIMED, defects.REFERENCE_ID_DROPPED)
def test_init_declares_what_works(z3950: Client, z3950_target: Z3950Target, warn: WarningRecorder) -> None:
    """Every service Init agrees to works, and every answer carries the request's Reference-id

    nb: Alle tjenester Init sier ja til virker, og hvert svar bærer forespørselens Reference-id
    """
    options = z3950.init_response.options if z3950.init_response else frozenset()
    query = z3950_target.settings.sample_query
    if "search" not in options or "present" not in options:
        raise c.fail(f"Init does not agree to {' and '.join(o for o in ('search', 'present') if o not in options)}",
                     clause=c.INIT_CLAUSE, client=z3950, expected="search and present agreed to", last=1)
    search = c.sample_search(z3950, query, at_least=1)
    broken: list[str] = []
    present = z3950.present(1, 1)
    if present.present_status == 5 or not present.records:
        broken.append(f"Present of record 1 of {search.result_count}: presentStatus {present.present_status} "
                      f"({c.describe(present.diagnostics)})")
    probes = {"delSet": _probe_delete, "scan": _probe_scan, "sort": _probe_sort}
    for option, probe in probes.items():
        if option in options:
            broken += probe(z3950, query)
    if broken:
        raise c.fail(f"Init agrees to {', '.join(sorted(options))}, but {broken[0]}", clause=c.INIT_CLAUSE, client=z3950,
                     details=broken, expected="each service agreed to in Init works", last=10)
    echoed = c.own_problems(z3950.problems, c.INIT_CHECK, severity=Severity.FAIL)
    if echoed:
        raise c.fail(f"{len(echoed)} responses do not carry the request's Reference-id: {echoed[0].message}",
                     clause=echoed[0].rule.clause, client=z3950, problems=echoed, expected="the Reference-id echoed",
                     last=10)
    untried = [o for o in ("namedResultSets", "negotiation") if o in options]
    warn.note(f"Init agrees to {', '.join(sorted(options))}; search, present"
              f"{''.join(', ' + o for o in probes if o in options)} worked"
              + (f" ({', '.join(untried)}: judged by their own checks)" if untried else ""))


@pytest.mark.requirement("SPR-01")
@pytest.mark.failed_by(defects.CHARSET_NOT_PROPOSED)
def test_utf8_negotiated(z3950: Client, z3950_target: Z3950Target, warn: WarningRecorder) -> None:
    """Character set negotiation: UTF-8 proposed in Init is selected, or nothing is; never a set not proposed

    nb: Tegnsettforhandling: UTF-8 foreslått i Init velges, eller ingenting velges; aldri et tegnsett som ikke ble foreslått
    """
    if not z3950_target.settings.charset_negotiation:
        not_tested("the profile turns character set negotiation off ([z3950] charset_negotiation = false)")
    c.sample_search(z3950, z3950_target.settings.sample_query, at_least=1)
    z3950.present(1, 1)
    found = c.own_problems(z3950.problems, c.CHARSET_CHECK, severity=Severity.FAIL)
    if found:
        raise c.fail(f"UTF-8 proposed: {found[0].message}", clause=found[0].rule.clause, client=z3950, problems=found,
                     expected="UTF-8 selected (ISO 10646, 1.0.10646.1.0.8), or no character set", last=3)
    init = z3950.init_response
    selected = init.charset if init is not None else None
    if selected is None or "negotiation" not in (init.options if init else ()):
        skip_undeclared("the target takes no part in character set negotiation (no negotiation option or record)")
    if not selected.utf8:
        warn(f"UTF-8 proposed, {selected.charset or 'no character set'} selected ({selected.form}): which character "
             f"set the target's records and terms use is not agreed", clause=c.CHARNEG_CLAUSE,
             exchanges=c.last_exchanges(z3950, 3))
        return
    warn.note(f"UTF-8 selected ({selected.form}, records in it: {selected.records_in_selected_charsets})")


@pytest.mark.requirement("Z-01")
@pytest.mark.failed_by(defects.CLOSE_DROPS_CONNECTION)
def test_close_is_answered(z3950_target: Z3950Target, warn: WarningRecorder) -> None:
    """The origin's Close is answered with a Close carrying a defined Close-reason, not a dropped connection

    nb: Opprinnelsens Close besvares med en Close med en definert Close-reason, ikke med en brutt forbindelse
    """
    client = z3950_target.connect()
    client.search(z3950_target.settings.sample_query)
    answer = client.close()
    failing = c.own_problems(client.problems, c.CLOSE_CHECK, severity=Severity.FAIL)
    if answer is None or failing:
        raise c.fail(f"the target answered the harness's Close(finished) by closing the connection without a Close PDU "
                     f"({'; '.join(p.message for p in failing) or 'no Close came back'})", clause=c.CLOSE_CLAUSE,
                     client=client, problems=failing, expected="a Close PDU (Close-reason responseToPeer or finished)", last=2)
    if answer.reason not in CLOSE_REASONS:
        raise c.fail(f"the target's Close has Close-reason {answer.reason}, which Z39.50 does not define",
                     clause=f"{c.Z} 3.2.11.1.1 (Close-reason)", client=client, last=1,
                     expected=f"one of {', '.join(f'{k} {v}' for k, v in CLOSE_REASONS.items())}")
    warnings = c.own_problems(client.problems, c.CLOSE_CHECK, severity=Severity.WARN)
    if warnings:
        warn(f"the target's Close ({answer.reason_name}) {warnings[0].message}", clause=warnings[0].rule.clause,
             problems=warnings, exchanges=c.last_exchanges(client, 1))
        return
    warn.note(f"Close answered: {answer.reason_name}" + (f" ({answer.message})" if answer.message else ""))


@pytest.mark.requirement("Z-01")
@pytest.mark.failed_by(defects.MALFORMED_PDU_DROPPED)
def test_unreadable_pdu_gets_protocol_error(z3950_target: Z3950Target) -> None:
    """A PDU the target cannot read is answered with Close(protocolError), not silence or a dropped connection

    nb: En PDU målet ikke kan lese besvares med Close(protocolError), ikke med stillhet eller brutt forbindelse
    """
    client = z3950_target.connect()
    try:
        replies = client.send_raw(UNREADABLE_SEARCH, allow_silence=True)
    except ConnectionLost:
        raise c.fail("an unreadable searchRequest was answered by closing the connection, without a Close PDU",
                     clause=MALFORMED_CLAUSE, client=client, expected="Close with Close-reason 6 (protocolError)",
                     last=1) from None
    finally:
        client.disconnect()
    closes = [r.pdu for r in replies if isinstance(r.pdu, Close)]
    if not replies:
        raise c.fail(f"an unreadable searchRequest got no answer within {client.timeout:g} s", clause=MALFORMED_CLAUSE,
                     client=client, expected="Close with Close-reason 6 (protocolError)", last=1)
    if not closes or closes[0].reason != 6:
        got = f"Close({closes[0].reason_name})" if closes else ", ".join(r.name for r in replies)
        raise c.fail(f"an unreadable searchRequest was answered with {got}", clause=MALFORMED_CLAUSE, client=client,
                     expected="Close with Close-reason 6 (protocolError)", last=1)
