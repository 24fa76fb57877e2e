"""The protocol units the harness knows: the one list the core reads.

Adding a protocol is a new ``harness/<protocol>/`` package with a ``unit.py``, a
``scenarios/<protocol>/`` folder, and one line here. The order is the order suites run in and
the order the sandbox starts services in (MARC first: its catalogue is what the others serve).
"""

from __future__ import annotations

from typing import Any

from harness.cooperation.defects import CATALOGUE as COOPERATION_DEFECTS
from harness.defects import Defect, DefectSet, Exclusive, resolve
from harness.load.unit import LOAD
from harness.marc.unit import MARC
from harness.oaipmh.unit import OAI
from harness.sip2.unit import SIP2
from harness.sru import defects as sru_defects
from harness.sru.unit import SRU
from harness.units import ProtocolUnit
from harness.z3950 import defects as z3950_defects
from harness.z3950.unit import Z3950

UNITS: tuple[ProtocolUnit[Any], ...] = (MARC, SIP2, SRU, Z3950, OAI, LOAD)
# Defects of a suite that is not a unit: scenarios/cooperation/ crosses the units' protocols with
# their settings (no profile section of its own); its defects are applied by their services.
CROSS_SUITE_DEFECTS: tuple[Defect, ...] = COOPERATION_DEFECTS
# The cooperation defects live in the search index SRU and Z39.50 share; so do those units'
# index defects, and one index cannot show both (harness/cooperation/sandbox.py).
EXCLUSIVE_DEFECTS: tuple[Exclusive, ...] = (
    Exclusive("the SRU and Z39.50 search index", (*sru_defects.INDEX_DEFECTS, *z3950_defects.INDEX_DEFECTS), COOPERATION_DEFECTS),
)


def unit_named(name: str) -> ProtocolUnit[Any] | None:
    return next((u for u in UNITS if u.name == name), None)


def all_defects() -> tuple[Defect, ...]:
    return tuple(d for unit in UNITS for d in unit.defects) + CROSS_SUITE_DEFECTS


def resolve_defects(names: list[str] | tuple[str, ...]) -> DefectSet:
    """The user's --sandbox-defect names against every suite's catalogue; unknown or exclusive
    names are a usage error (exit 2) before anything starts."""
    return resolve(names, all_defects(), EXCLUSIVE_DEFECTS)
