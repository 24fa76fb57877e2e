"""Load as a unit: the ``[load]`` section, the load suite's fixtures, the defects it must catch.

Load is not a protocol; it is a unit because that is how the core learns a profile section, a
suite (``scenarios/load/``) and a defect catalogue without naming them. It has no sandbox
service of its own (the load goes to the SIP2 and HTTP services already running) and no probe
(the protocols it loads are probed by their own units).
"""

from __future__ import annotations

from harness.load.settings import LoadSettings, parse
from harness.sip2 import defects as sip2_defects
from harness.units import ProtocolUnit, keys_of

LOAD: ProtocolUnit[LoadSettings] = ProtocolUnit(
    name="load",
    section="load",
    title="Load (Locust)",
    parse=parse,
    keys=keys_of(LoadSettings),
    fixtures="harness.load.fixtures",
    defects=sip2_defects.UNDER_LOAD,
    secret_keys=("patron_pin",),
)
