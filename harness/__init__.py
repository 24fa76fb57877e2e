"""libharness: interoperability test harness for the Troms and Finnmark library consortium.

The public pieces a scenario or a report script uses are re-exported here; everything else
is reached through its module (see ARCHITECTURE.md for the map).
"""

from harness.evidence import Evidence
from harness.findings import Finding, not_tested, skip_undeclared
from harness.results import CheckResult, Outcome, RunResult, Verdict

__version__ = "0.1.0"

__all__ = [
    "CheckResult",
    "Evidence",
    "Finding",
    "Outcome",
    "RunResult",
    "Verdict",
    "__version__",
    "not_tested",
    "skip_undeclared",
]
