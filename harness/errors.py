"""The harness's exception tree.

    HarnessError
    ├── UsageError            bad input from a *user*: exit code 2, one clear message
    │   └── ConfigError       ... naming the file, the key and the fix
    └── TargetError           the harness could not verify: outcome ERROR
        ├── TargetUnreachable     connect refused, DNS, no route
        └── TargetTimeout         no answer within the profile's timeout

A target that answers *wrongly* is not an exception here: that is a
:class:`harness.findings.Finding` (an ``AssertionError``), outcome FAIL.
"""

from __future__ import annotations


class HarnessError(Exception):
    """Root of every error the harness raises on purpose."""


class UsageError(HarnessError):
    """The user asked for something that cannot work; reported once, exit code 2."""


class ConfigError(UsageError, ValueError):
    """A profile, register or mapping file is unusable.

    The message always names where the bad value came from and how to fix it, e.g.
    ``targets/x.toml: [sip2] port: expected an integer, got 'abc'. Fix: ...``.
    """

    def __init__(self, file: str, key: str, problem: str, fix: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        self.fix = fix
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {problem}. Fix: {fix}")


class TargetError(HarnessError):
    """The target could not be asked; the check's outcome is ERROR, never FAIL."""


class TargetUnreachable(TargetError):
    pass


class TargetTimeout(TargetError):
    pass
