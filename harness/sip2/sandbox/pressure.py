"""The SIP2 sandbox under load: the defects that only show with many connections open.

A :class:`Pressure` counts the ACS's open connections (each :class:`PressuredConversation`
lives as long as its connection: the TCP server drops it when the socket closes) and applies
the load defects of ``harness/sip2/defects.py`` (``UNDER_LOAD``) to each reply, each at one
commented ``DEFECT`` line. Only a sandbox started with one of them wraps its conversations, and
they act only while more than ``CROWD`` connections are open, which no conformance check does.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterator

from harness.defects import DefectSet
from harness.sip2 import defects as d
from harness.sip2.sandbox.acs import AcsConversation

SLOW_REPLY = 0.75  # seconds each reply waits under sip2-slow-under-load
DROP_EVERY = 10  # every n-th request closes the connection under sip2-drops-under-load
LEAK_PER_REQUEST = 0.0006  # seconds added to every later reply under sip2-degrades-under-load


class Pressure:
    """Open connections and what the load defects have built up, for one ACS."""

    def __init__(self, defects: DefectSet) -> None:
        self.defects = defects
        self._lock = threading.Lock()
        self.open = 0
        self.requests = 0  # requests seen while crowded
        self.leak = 0.0  # seconds every reply now waits

    def enter(self) -> None:
        with self._lock:
            self.open += 1

    def leave(self) -> None:
        with self._lock:
            self.open -= 1

    def judge(self) -> tuple[float, bool]:
        """(seconds to wait, whether to close instead of replying) for the next reply."""
        with self._lock:
            crowded = self.open > d.CROWD
            if crowded:
                self.requests += 1
            wait = self.leak
            if crowded and self.defects.active(d.DEGRADES_UNDER_LOAD):
                self.leak += LEAK_PER_REQUEST  # DEFECT sip2-degrades-under-load: a leak per request
            if crowded and self.defects.active(d.SLOW_UNDER_LOAD):
                wait += SLOW_REPLY  # DEFECT sip2-slow-under-load
            drop = crowded and self.defects.active(d.DROPS_UNDER_LOAD) and self.requests % DROP_EVERY == 0
            return wait, drop  # DEFECT sip2-drops-under-load: the connection closed, no reply


class PressuredConversation:
    """An ACS conversation counted as an open connection, its replies under the load defects."""

    def __init__(self, inner: AcsConversation, pressure: Pressure) -> None:
        self.inner, self.pressure = inner, pressure
        pressure.enter()
        weakref.finalize(self, pressure.leave)  # the server drops the conversation with its socket

    def receive(self, data: bytes) -> Iterator[bytes | None]:
        for reply in self.inner.receive(data):
            wait, drop = self.pressure.judge()
            if wait:
                time.sleep(wait)
            if drop:
                yield None
                return
            yield reply


def wants_pressure(defects: DefectSet) -> bool:
    return any(defects.active(defect) for defect in d.UNDER_LOAD)
