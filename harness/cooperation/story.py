"""One cooperation scenario's account: what it did on each path, what each path showed.

A story crosses protocols, so its verdict rests on several paths (SRU, Z39.50, OAI-PMH, the
MARC export, SIP2). Each path ends in one of four ways, and the story keeps them apart:

- **saw**: the path showed what the story expects (a PASS line, with what it measured);
- **failed**: it did not, and the fault is the crossing's (the story FAILs);
- **owned elsewhere**: it did not, and the same fault shows without any crossing, so a
  protocol suite's check owns it (a fault is reported once, by its owner): not judged here;
- **not observed**: the profile does not configure the path, or the harness has no unit for it.

:meth:`Story.conclude` turns that into the outcome: a :class:`~harness.findings.Finding` with
the exchanges of every protocol in the order they happened (``exchanges_of``) when a path
failed; NOT_TESTED naming the owners when no path could be judged; else a passing note with
the times to visibility in the form the procurement chart reads
(``time to visibility over SRU: 0.012 s``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from harness.cooperation.paths import Watched
from harness.evidence import Exchange, exchanges_of
from harness.findings import NOT_TESTED_PREFIX, SKIP_PREFIX, Finding, WarningRecorder, cannot_judge, not_tested

KEEP_PER_STEP = 4  # exchanges a step keeps of what it sent (the last ones: the answer that decided)
REPORTED_BY = "; the fault is reported by "  # how harness.findings.cannot_judge names the owner


@dataclass
class Story:
    """What one scenario did and saw; ``clause`` is the clause a FAIL cites."""

    clause: str
    expected: str
    saw: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    failed_more: list[str] = field(default_factory=list)
    owned: list[tuple[str, str]] = field(default_factory=list)  # (what, the check that owns it)
    unobserved: list[str] = field(default_factory=list)
    timings: list[str] = field(default_factory=list)  # "time to visibility over SRU: 0.012 s"
    facts: list[str] = field(default_factory=list)  # what was done, for the evidence
    kept: list[Exchange] = field(default_factory=list)

    def keep(self, exchanges: Iterable[Exchange], last: int | None = KEEP_PER_STEP) -> None:
        """Keep exchanges for the evidence (the last ``last`` of them; all with None)."""
        chosen = list(exchanges)
        self.kept.extend(chosen if last is None else chosen[-last:])

    def did(self, fact: str) -> None:
        self.facts.append(fact)

    def fine(self, path: str, what: str) -> None:
        self.saw.append(f"{path}: {what}")

    def fail(self, path: str, what: str, exchanges: Iterable[Exchange] = (), more: Sequence[str] = ()) -> None:
        """A fault of the crossing; ``more`` are further differences of the same kind on the path."""
        self.failed.append(f"{path}: {what}" + (f" (and {len(more)} more on {path})" if more else ""))
        self.failed_more.extend(f"{path}: {line}" for line in more)
        self.keep(exchanges)

    def owned_by(self, path: str, what: str, owner: str) -> None:
        if (f"{path}: {what}", owner) not in self.owned:
            self.owned.append((f"{path}: {what}", owner))

    def not_observed(self, path: str, why: str) -> None:
        line = f"{path}: {why}"
        if line not in self.unobserved:
            self.unobserved.append(line)

    def crossing_owns(self, path: str, what: str, control: str | None, owner: str, *, without: str) -> bool:
        """Judge a difference against a control that does not cross (a fixture record, the suite's
        own copy): the same difference there is ``owner``'s fault (``control`` says what it shows);
        no control (None, ``without`` says why) is not judged; a clean control ("") leaves the
        difference to the crossing, and True tells the caller to FAIL it."""
        if control is None:
            self.not_observed(path, f"{what}; {without}, so it cannot be told from the {owner} fault")
            return False
        if control:
            self.owned_by(path, f"{what}; {control}", owner)
            return False
        return True

    def timed(self, path: str, seconds: float) -> None:
        self.timings.append(f"time to visibility over {path}: {seconds:.3f} s")

    @contextmanager
    def on(self, path: str) -> Iterator[None]:
        """One path's part of the story. A fault another check owns that stops this path
        (``cannot_judge``: an unreadable answer, a refused loan) is recorded for this path as
        owned elsewhere, and the story goes on with the other paths: what they showed, a FAIL
        included, is kept."""
        try:
            yield
        except pytest.skip.Exception as stopped:
            reason = str(stopped.msg).removeprefix(NOT_TESTED_PREFIX).removeprefix(SKIP_PREFIX)
            what, found, owner = reason.rpartition(REPORTED_BY)
            if found:
                self.owned_by(path, what, owner)
            else:
                self.not_observed(path, reason)

    def stopped(self, path: str, watched: Watched) -> bool:
        """Whether polling ``path`` was stopped by a fault another check owns (then recorded as such)."""
        if watched.stopped is None:
            return False
        with self.on(path):
            raise watched.stopped
        return True

    def details(self) -> list[str]:
        lines = [*self.facts, *self.timings, *self.failed, *self.failed_more, *self.saw]
        lines += [f"not judged here, {what} (reported by {owner})" for what, owner in self.owned]
        lines += [f"not observed, {why}" for why in self.unobserved]
        return lines

    def exchanges(self) -> tuple[Exchange, ...]:
        """The kept exchanges of every protocol, in the order they happened, each once."""
        return exchanges_of(dict.fromkeys(self.kept))

    def conclude(self, warn: WarningRecorder, summary: str) -> None:
        """FAIL with the crossing's faults; else NOT_TESTED if nothing was judged; else a passing note."""
        if self.failed:
            more = f" (and {len(self.failed) - 1} more: see the details)" if len(self.failed) > 1 else ""
            raise Finding(f"{self.failed[0]}{more}", clause=self.clause, expected=self.expected,
                          exchanges=self.exchanges(), details=self.details())
        if not self.saw:
            if self.owned:
                reasons = "; ".join(what for what, _ in self.owned)
                cannot_judge(reasons, ", ".join(dict.fromkeys(owner for _, owner in self.owned)))
            not_tested("no path could be observed: " + ("; ".join(self.unobserved) or "none is configured"))
        message = "; ".join([*self.timings, summary])
        judged = _paths(self.saw)
        others = _paths([what for what, _ in self.owned] + self.unobserved) - judged
        if others:
            message += f" (judged over {', '.join(sorted(judged))}; not over {', '.join(sorted(others))})"
        warn.note(message, clause=self.clause, exchanges=self.exchanges(), details=self.details())


def _paths(lines: Iterable[str]) -> set[str]:
    """The paths lines are about ("SRU: ..." -> SRU)."""
    return {line.split(":", 1)[0] for line in lines}
