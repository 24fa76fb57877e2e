"""What the Z39.50 client keeps of a conversation: exchanges, rendered when someone reads them.

Rendering a PDU readably (render.py) costs more than encoding and decoding it, and most
exchanges of a passing check are never read. So each exchange is kept as it happened (the
request PDU, the decoded replies, the problems) and turned into a
:class:`harness.evidence.Exchange` the first time the transcript is read; the result is kept.
Secret fields (idPass passwords) are masked in the rendering (render.py); every other secret is
masked at the edge by the run's redactor.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from harness.evidence import Exchange
from harness.rules import Problem
from harness.z3950.codec import Decoded, Pdu, render

PROTOCOL = "z3950"
TRANSCRIPT_LENGTH = 200  # exchanges kept (the newest)


@dataclass(slots=True)
class Entry:
    """One exchange as it happened; :meth:`exchange` renders it (once)."""

    endpoint: str
    sent: Pdu | str  # the request, or a text (raw bytes as hex; "" for unsolicited PDUs)
    replies: list[Decoded]
    note: str
    problems: list[Problem]
    at: str
    elapsed: float
    head: bytes = b""  # the first bytes of a PDU that could not be read
    _rendered: Exchange | None = field(default=None, repr=False)

    def exchange(self) -> Exchange:
        if self._rendered is None:
            sent = self.sent if isinstance(self.sent, str) else render(self.sent)
            received = [d.render() for d in self.replies] + [str(p) for p in self.problems]
            if self.head:
                received.append(f"first bytes: {self.head.hex(' ')}")
            self._rendered = Exchange(PROTOCOL, self.endpoint, sent, "\n".join(received),
                                      self.at, self.elapsed, self.note)
        return self._rendered

    def add_problem(self, found: Problem) -> None:
        self.problems.append(found)
        self._rendered = None


class Transcript:
    """The newest exchanges of one association, as :class:`harness.evidence.Exchange` values."""

    def __init__(self, limit: int = TRANSCRIPT_LENGTH) -> None:
        self._entries: deque[Entry] = deque(maxlen=limit)

    def add(self, entry: Entry) -> None:
        self._entries.append(entry)

    def last(self) -> Entry | None:
        return self._entries[-1] if self._entries else None

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: int) -> Exchange:
        return self._entries[index].exchange()

    def __iter__(self) -> Iterator[Exchange]:
        return (entry.exchange() for entry in list(self._entries))
