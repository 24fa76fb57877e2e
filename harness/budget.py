"""The bytes one check may read from a target, across every client and protocol it uses.

A per-response budget (``HttpClient(max_bytes=...)``, SIP2's maximum frame) bounds one answer;
this bounds a check that asks many times (a harvest that never ends, a flood of frames). The
plugin starts each check afresh (``start``); clients ``charge`` what they read, and the check
ends with :class:`BudgetExceeded` (ERROR: the harness stopped reading, it did not judge) when
the profile's ``[target] max_check_bytes`` is passed.
"""

from __future__ import annotations

from harness.errors import TargetError


class BudgetExceeded(TargetError):
    """The check read more than its budget from the target; reading stopped."""


class CheckBudget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.check = ""

    def start(self, check: str) -> None:
        self.used, self.check = 0, check

    def charge(self, count: int) -> None:
        self.used += count
        if self.used > self.limit:
            raise BudgetExceeded(
                f"{self.check or 'this check'} read {self.used:,} bytes from the target, over [target] max_check_bytes = "
                f"{self.limit:,}; reading stopped"
            )


UNLIMITED = CheckBudget(1 << 62)
