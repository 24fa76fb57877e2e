"""Every reply under load is judged, cheaply: a wrong reply is an error, never throughput.

The cheap form of the suites' checks, as pure functions of what came back (no sockets), each
returning an *error kind* (a short, stable sentence, so errors of one kind are counted
together) or ``None`` for a good reply:

- the codec's problems of FAIL severity (``harness.sip2.codec.decode``, as every SIP2 check);
- the reply is the response the request expects (3M SIP2 2.00: 11 → 12, 09 → 10, ...);
- the reply answers *this* request: its AY, and the item and patron it names (a server that
  crosses replies between sessions under load is the failure this catches);
- where the workload expects success, the flags that say it: 94 ok, 12 ok, 10 ok, 64 BL and
  CQ (a valid patron, the PIN accepted), 98 online.

Kinds starting ``harness:`` are the harness's own trouble (it could not build the request);
the load checks report those as ERROR, never against the target.
"""

from __future__ import annotations

from collections.abc import Mapping

from harness.errors import TargetError, TargetTimeout
from harness.sip2.client import ConnectionLost, TLSFailed
from harness.sip2.codec import Decoded, Message, Severity
from harness.sip2.messages import MESSAGES

HARNESS_PREFIX = "harness: "

# reply code -> (fixed field, value meaning "done"); 3M SIP2 2.00, each response's fixed fields
SUCCESS_FLAGS: Mapping[str, tuple[str, str]] = {
    "94": ("ok", "1"), "12": ("ok", "1"), "10": ("ok", "1"), "98": ("online_status", "Y"),
}
# request code -> variable fields the reply must repeat (the item, the patron it is about)
ECHOED: Mapping[str, tuple[str, ...]] = {"11": ("AB", "AA"), "09": ("AB",), "63": ("AA",), "23": ("AA",)}


def sip2_error(request: Message, decoded: Decoded, *, sequence: int | None, expect_success: bool = True,
               pin_sent: bool = False) -> str | None:
    """The error kind of one SIP2 reply, or None when it is the right, successful answer."""
    fails = [f.rule.id for f in decoded.findings if f.severity is Severity.FAIL]
    if fails:
        return f"codec: {fails[0]}"
    reply = decoded.message
    if reply is None:
        return "unreadable reply"
    expected = MESSAGES[request.code].response
    if expected is not None and reply.code != expected:
        return f"{request.code} answered with {reply.code}, not {expected}"
    if sequence is not None and reply.sequence is not None and reply.sequence != sequence:
        return "AY differs from the request's: a reply to another request"
    for field_id in ECHOED.get(request.code, ()):
        sent, said = request.get(field_id), reply.get(field_id)
        if said is not None and sent is not None and said != sent:
            return f"{reply.code} {field_id} names another {'item' if field_id == 'AB' else 'patron'} than the request"
    if not expect_success:
        return None
    flag = SUCCESS_FLAGS.get(reply.code)
    if flag is not None and reply.fixed_value(flag[0]) != flag[1]:
        return f"{reply.code} {flag[0]} {reply.fixed_value(flag[0]) or '(missing)'}: not done"
    if reply.code == "64":
        if reply.get("BL") != "Y":
            return "64 BL is not Y: the patron was not recognised"
        if pin_sent and reply.get("CQ") != "Y":
            return "64 CQ is not Y: the patron's PIN was refused"
    return None


def exception_kind(exc: BaseException) -> str:
    """What went wrong on the wire, as an error kind."""
    if isinstance(exc, TargetTimeout):
        return "timeout: no reply within the profile's timeout"
    if isinstance(exc, TLSFailed):
        return "TLS handshake failed"
    if isinstance(exc, ConnectionLost):
        return "connection closed by the target"
    if isinstance(exc, TargetError):
        return "cannot connect"
    if isinstance(exc, OSError):
        return f"network error: {type(exc).__name__}"
    return f"{HARNESS_PREFIX}{type(exc).__name__}: {exc}"


# -- the harvest's MARC export ----------------------------------------------------------------------

RECORD_TERMINATOR = 0x1D


def marc_export_error(status: int, body: bytes) -> str | None:
    """An export over HTTP: 200, and ISO 2709 records whose lengths chain to the end of the body,
    each ending in the record terminator (MARC 21 Specifications, Record Structure: leader/00-04
    record length; the cheap form of MARC-01's structural rules)."""
    if status != 200:
        return f"export answered HTTP {status}"
    if not body:
        return "export is empty"
    offset = 0
    while offset < len(body):
        head = body[offset:offset + 5]
        if len(head) < 5 or not head.isdigit():
            return "export: a record length (leader/00-04) is not five digits"
        length = int(head)
        if length < 25 or offset + length > len(body):
            return "export: a record length runs past the end of the export"
        if body[offset + length - 1] != RECORD_TERMINATOR:
            return "export: a record does not end with the record terminator at its length"
        offset += length
    return None


def is_harness_error(kind: str) -> bool:
    return kind.startswith(HARNESS_PREFIX)
