"""Turning SIP2 replies into verdicts with evidence: the pieces every SIP2 scenario shares."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from harness.errors import TargetError
from harness.evidence import Exchange
from harness.findings import Finding, cannot_judge, not_tested
from harness.profile import TestItem, TestPatron
from harness.rules import Problem
from harness.sip2.client import Client
from harness.sip2.codec import Decoded, Message, Severity
from harness.sip2.messages import MESSAGES
from harness.sip2.target import Sip2Target

SPEC = "3M Standard Interchange Protocol Version 2.00"
TERMINATOR_CHECK = "test_replies_end_with_cr"  # owns replies that never end (no terminator)


def last_exchanges(client: Client, last: int = 6, hex: bool = False) -> list[Exchange]:
    """The last exchanges of a connection in the evidence model, secrets masked."""
    recent = list(islice(reversed(client.transcript), last))[::-1]
    return [e.to_evidence(f"{client.host}:{client.port}", hex=hex) for e in recent]


def fail(message: str, *, clause: str, client: Client, expected: str, details: Iterable[str] = (),
         hex: bool = False, last: int = 6, problems: Iterable[Problem] = ()) -> Finding:
    return Finding(message, clause=clause, expected=expected, exchanges=last_exchanges(client, last, hex),
                   problems=problems, details=list(details))


def reply_message(client: Client, decoded: Decoded, request: Message) -> Message:
    """The reply's message, or FAIL when it is unreadable or not the response ``request`` expects."""
    spec = MESSAGES[request.code]
    if "truncated" in decoded.rules():
        cannot_judge(f"the reply to {request.code} ({spec.name}) never ended: no terminator after "
                     f"{len(decoded.raw)} bytes", TERMINATOR_CHECK)
    if decoded.message is None:
        findings = [str(f) for f in decoded.findings]
        raise fail(f"the reply to {request.code} ({spec.name}) could not be read", clause=f"{SPEC}, {spec.name}",
                   client=client, expected=f"a {spec.response} message", details=findings)
    if spec.response and decoded.message.code != spec.response:
        raise fail(f"{request.code} ({spec.name}) was answered with {decoded.message.code}, not {spec.response}",
                   clause=f"{SPEC}, {spec.name}", client=client, expected=f"a {spec.response} message")
    return decoded.message


def ask(client: Client, request: Message) -> Message:
    """Send a request and return its reply, FAIL if the reply is not the expected message."""
    return reply_message(client, client.send(request), request)


def fail_findings(decoded: Decoded, rules: frozenset[str] | None = None) -> list[str]:
    """The FAIL findings of a reply, only those under ``rules`` when given (the caller's own)."""
    return [str(f) for f in decoded.findings if f.severity is Severity.FAIL and (rules is None or f.rule.id in rules)]


def log_in(client: Client, username: str, password: str, location: str = "") -> Client:
    """Log the connection in (93); a refused login means the harness cannot test: ERROR."""
    from harness.sip2 import requests as rq

    reply = client.send(rq.login(username, password, location))
    message = reply.message
    if message is None or message.code != "94" or message.fixed_value("ok") != "1":
        received = client.transcript[-1].received_text if client.transcript else "(none)"
        raise TargetError(f"SIP2 login (93) was not accepted; check [sip2] username and password in the profile. Reply: {received}")
    return client


def bx_of(client: Client) -> str:
    """The ACS's 98 BX (supported messages), '' when it sends none."""
    from harness.sip2 import requests as rq

    return ask(client, rq.sc_status()).get("BX") or ""


def declared(bx: str, code: str) -> bool:
    """Whether BX says Y for the message ``code`` (3M SIP2 2.00, ACS Status (98) BX)."""
    from harness.sip2.fields import SUPPORTED_MESSAGES

    position = next(i for i, (_, c) in enumerate(SUPPORTED_MESSAGES) if c == code)
    return len(bx) > position and bx[position] == "Y"


@dataclass(frozen=True, slots=True)
class Lending:
    """A loan the profile's test data allows: the first [[patron]] borrows a regular [[item]]
    at their own library (every lending rule allows that), and it goes back at the item's home."""

    patron: TestPatron
    item: TestItem
    at: str  # AO of the checkout: the patron's library
    home: str  # AO of the item's home library: where it is checked in again


def lending(target: Sip2Target) -> Lending:
    """The loan the circulation checks make; NOT_TESTED when the profile cannot give one."""
    item = target.item(kind="regular")
    if item is None or not target.patrons:
        not_tested("the profile needs a [[patron]] and a regular [[item]]")
    patron = target.patrons[0]
    return Lending(patron, item, target.institution_of(patron.home_library), target.institution_of(item.home_library))
