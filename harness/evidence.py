"""The evidence model: what a check shows a vendor's engineer who disputes its outcome.

Evidence is an ordered list of :class:`Exchange` values (protocol, endpoint, what was sent,
what came back, when), the structured :class:`~harness.rules.Problem` values a codec found,
the clause the check rests on and what it expected. A cross-protocol finding (a SIP2
checkout, then an SRU search) is one Evidence with exchanges of both protocols.

Evidence is bounded (whatever a target sends, a report file stays small): a long text keeps
its first and last characters and says how much was left out; a long list keeps its first
and last entries. Redaction is not done here but at the edge, where every byte leaves the
process (``harness.redact.Redactor``); protocol clients mask secret fields when they render.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from harness.rules import Position, Problem, Rule, Severity

TEXT_LIMIT = 16_384  # characters of one sent or received rendering kept in evidence
EXCHANGE_LIMIT = 40  # exchanges kept per evidence (the first and the last ones)
PROBLEM_LIMIT = 200  # problems kept per evidence
DETAIL_LIMIT = 200  # detail lines kept per evidence

T = TypeVar("T")


def clip(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text`` whole if it fits, else its head and tail with the length of what was cut."""
    if len(text) <= limit:
        return text
    keep = max(limit - 80, 2) // 2
    omitted = len(text) - 2 * keep
    return f"{text[:keep]}\n[... {omitted:,} characters omitted of {len(text):,} ...]\n{text[-keep:]}"


def clip_sequence(items: Sequence[T], limit: int, filler: T | None = None) -> tuple[T, ...]:
    """The first and last entries of a long sequence; ``filler`` stands where entries were cut."""
    if len(items) <= limit:
        return tuple(items)
    head = limit // 2
    tail = limit - head - (1 if filler is not None else 0)
    middle = (filler,) if filler is not None else ()
    return (*items[:head], *middle, *items[len(items) - tail:])


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and what came back, rendered readably (secret fields already masked)."""

    protocol: str  # "sip2", "http", "z3950", "file", ...
    endpoint: str  # "127.0.0.1:6001", "https://vendor.example/sru"
    sent: str
    received: str
    at: str = ""  # ISO 8601 UTC, when the request was sent
    elapsed: float = 0.0  # seconds until the exchange ended
    note: str = ""  # what the harness noticed about the exchange itself (timeout, closed, ...)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sent", clip(self.sent))
        object.__setattr__(self, "received", clip(self.received))

    def render(self) -> str:
        lines = [f"[{self.protocol} {self.endpoint}]"] if self.endpoint else []
        lines += [f">>> {line}" for line in self.sent.split("\n")] if self.sent else []
        lines += [f"<<< {line}" for line in self.received.split("\n")] if self.received else ["<<< (nothing)"]
        if self.note:
            lines.append(f"... {self.note}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol, "endpoint": self.endpoint, "sent": self.sent,
            "received": self.received, "at": self.at, "elapsed": round(self.elapsed, 4), "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Exchange:
        return cls(
            protocol=str(data.get("protocol", "")), endpoint=str(data.get("endpoint", "")),
            sent=str(data.get("sent", "")), received=str(data.get("received", "")),
            at=str(data.get("at", "")), elapsed=float(data.get("elapsed", 0.0)), note=str(data.get("note", "")),
        )


def _problem_to_dict(problem: Problem) -> dict[str, Any]:
    position = problem.position
    return {
        **problem.to_dict(),
        "offset": position.offset if position else None,
        "unit": position.unit if position else "",
        "record": position.record if position else None,
        "label": position.label if position else "",
    }


def _problem_from_dict(data: Mapping[str, Any]) -> Problem:
    rule = Rule(str(data.get("rule", "")), Severity(str(data.get("severity", "FAIL"))), str(data.get("clause", "")))
    offset, record, label = data.get("offset"), data.get("record"), str(data.get("label", ""))
    position = None
    if isinstance(offset, int) or isinstance(record, int) or label:
        position = Position(offset if isinstance(offset, int) else None, str(data.get("unit", "byte")),
                            record if isinstance(record, int) else None, label)
    return Problem(rule, str(data.get("message", "")), position)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a FAIL (or WARN, or ERROR) shows: the clause, the exchanges, the problems."""

    clause: str = ""
    expected: str = ""
    exchanges: tuple[Exchange, ...] = ()
    problems: tuple[Problem, ...] = ()
    details: tuple[str, ...] = ()
    omitted: int = field(default=0)  # exchanges, problems and details left out to keep it bounded

    def __post_init__(self) -> None:
        cut = 0
        if len(self.exchanges) > EXCHANGE_LIMIT:
            cut += len(self.exchanges) - EXCHANGE_LIMIT
            object.__setattr__(self, "exchanges", clip_sequence(self.exchanges, EXCHANGE_LIMIT))
        if len(self.problems) > PROBLEM_LIMIT:
            cut += len(self.problems) - PROBLEM_LIMIT
            object.__setattr__(self, "problems", tuple(self.problems[:PROBLEM_LIMIT]))
        details = tuple(clip(d, 4096) for d in self.details)
        if len(details) > DETAIL_LIMIT:
            cut += len(details) - DETAIL_LIMIT
            details = details[:DETAIL_LIMIT]
        object.__setattr__(self, "details", details)
        object.__setattr__(self, "expected", clip(self.expected, 4096))
        object.__setattr__(self, "omitted", self.omitted + cut)

    @property
    def sent(self) -> str:
        """Everything sent, in order (for readers that show one block)."""
        return "\n".join(e.sent for e in self.exchanges if e.sent)

    @property
    def received(self) -> str:
        return "\n".join(e.received for e in self.exchanges if e.received)

    def render(self) -> str:
        """Plain text for a terminal or a CI log: exchanges, problems, expectation, clause."""
        parts = [e.render() for e in self.exchanges]
        parts += [str(p) for p in self.problems]
        parts += list(self.details)
        if self.omitted:
            parts.append(f"({self.omitted:,} more exchanges, problems or details left out)")
        if self.expected:
            parts.append(f"expected: {self.expected}")
        if self.clause:
            parts.append(f"clause: {self.clause}")
        return "\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "clause": self.clause,
            "expected": self.expected,
            "exchanges": [e.to_dict() for e in self.exchanges],
            "problems": [_problem_to_dict(p) for p in self.problems],
            "details": list(self.details),
            "omitted": self.omitted,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        exchanges = [Exchange.from_dict(e) for e in data.get("exchanges", ())]
        if not exchanges and (data.get("sent") or data.get("received")):
            # results written before exchanges existed: one block each way
            exchanges = [Exchange("", "", str(data.get("sent", "")), str(data.get("received", "")))]
        return cls(
            clause=str(data.get("clause", "")),
            expected=str(data.get("expected", "")),
            exchanges=tuple(exchanges),
            problems=tuple(_problem_from_dict(p) for p in data.get("problems", ())),
            details=tuple(str(d) for d in data.get("details", ())),
            omitted=int(data.get("omitted", 0)),
        )


def exchanges_of(*transcripts: Iterable[Exchange]) -> tuple[Exchange, ...]:
    """Several clients' transcripts as one list, in the order the exchanges happened."""
    merged = [e for transcript in transcripts for e in transcript]
    return tuple(sorted(merged, key=lambda e: e.at))
