"""The protocol units the harness knows: the one list the core reads.

Adding a protocol is a new ``harness/<protocol>/`` package with a ``unit.py``, a
``scenarios/<protocol>/`` folder, and one line here. The order is the order suites run in and
the order the sandbox starts services in (MARC first: its catalogue is what the others serve).
"""

from __future__ import annotations

from typing import Any

from harness.defects import Defect
from harness.load.unit import LOAD
from harness.marc.unit import MARC
from harness.sip2.unit import SIP2
from harness.units import ProtocolUnit

UNITS: tuple[ProtocolUnit[Any], ...] = (MARC, SIP2, LOAD)


def unit_named(name: str) -> ProtocolUnit[Any] | None:
    return next((u for u in UNITS if u.name == name), None)


def all_defects() -> tuple[Defect, ...]:
    return tuple(d for unit in UNITS for d in unit.defects)
