"""Content warnings (harness marc check --content) against MARC::Lint on the same real files.

Both judge MARC 21 Bibliographic content designation: tag repeatability, indicator values,
subfield codes and their repeatability, 880 without $6, more than one 1XX, a missing 245,
control characters in subfield data, 020 $a ISBNs. Every record both judged is compared,
warning by warning (kind, tag, indicator or code). A difference fails the test unless
KNOWN_DIFFERENCES below explains it; each explanation must be needed by some file, so the
table cannot go stale.

What only one side looks at is left out of the comparison, not hidden: Lint's AACR2
punctuation and article advice (245 "Must end with .", "$c must be preceded by /"), its
041/043 code lists, and its reading complaints; the harness's structural rules (judged
against yaz in test_marc_oracles.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from marc_lint import lint_available, lint_command, run_lint

from harness.marc.check import check_file
from harness.marc.content import BIBLIOGRAPHIC_TYPES
from harness.marc.iso2709 import iter_raw_records
from harness.paths import MARC_FIXTURES_DIR
from harness.rules import Problem, Severity

DATA = Path(__file__).resolve().parents[1] / "data"
FILES = sorted(p for p in DATA.rglob("*") if p.suffix in (".mrc", ".dat", ".marc")) + [
    MARC_FIXTURES_DIR / "consortium.mrc", MARC_FIXTURES_DIR / "content_warnings.mrc"]

Finding = tuple[str, str, str]  # (rule id, tag, indicator number or subfield code)

# MARC::Lint's warnings about what the content rules judge too, as (rule, tag, detail).
LINT_WARNINGS: tuple[tuple[re.Pattern[str], str, int | None], ...] = (
    (re.compile(r"^(\d{3}): Field is not repeatable"), "content-field-not-repeatable", None),
    (re.compile(r"^(\d{3}): Indicator (\d) must be"), "content-indicator-undefined", 2),
    (re.compile(r"^(\d{3}): Subfield _(.) is not allowed"), "content-subfield-undefined", 2),
    (re.compile(r"^(\d{3}): Subfield _(.) is not repeatable"), "content-subfield-not-repeatable", 2),
    (re.compile(r"^(\d{3}): Subfield _(.) has an invalid control character"), "content-control-character", 2),
    (re.compile(r"^(880): No subfield 6"), "content-880-linkage", None),
    (re.compile(r"^(1XX): Only one 1XX tag"), "content-one-main-entry", None),
    (re.compile(r"^(245): No 245 tag"), "content-title-missing", None),
    (re.compile(r"^(020): Subfield a (?:has bad checksum|has the wrong number of digits|may have invalid)"), "content-isbn", None),
)
_OUR_TAG = re.compile(r"^(?:field |880 \(for )?(\d{3})")
_OUR_DETAIL = re.compile(r"indicator (\d)|\$(.)")


@dataclass(frozen=True)
class Known:
    """A difference explained: which side warns alone, about what, and why."""

    side: str  # "harness" or "lint": who warns where the other does not
    rule: str
    reason: str
    tag: str = ""
    detail: str = ""
    non_bibliographic: bool = False  # only for records whose leader/06 is not a bibliographic type

    def explains(self, side: str, finding: Finding, leader06: str) -> bool:
        rule, tag, detail = finding
        return (side == self.side and rule == self.rule and self.tag in ("", tag) and self.detail in ("", detail)
                and (not self.non_bibliographic or leader06 not in BIBLIOGRAPHIC_TYPES))


# On 6,234 LC records (benchmarks' data, not in the repository) the same comparison also meets
# 260 $d (plate or publisher's number for music, pre-AACR 2): obsolete in MARC 21, still allowed
# by MARC::Lint 1.53's table; the harness warns. Nothing else differs there.
KNOWN_DIFFERENCES: tuple[Known, ...] = (
    Known("harness", "content-tag-undefined",
          "MARC::Lint says nothing about a tag it has no rule for; the harness warns that MARC 21 Bibliographic does not "
          "define it: 440 (obsolete since 2008, now 490 + 8XX), 019 and 049 (OCLC's own), 012, 859 (local)"),
    Known("harness", "content-880-linkage",
          "MARC::Lint checks only that an 880 has a $6; the harness also matches occurrence numbers both ways and "
          "checks that $6 comes first (MARC 21 Appendix A)"),
    Known("harness", "content-008-length", "MARC::Lint does not look at the 008; the harness checks its length by leader/06"),
    Known("lint", "content-title-missing",
          "MARC::Lint judges every record as bibliographic; the harness judges content designation only where leader/06 is a "
          "bibliographic type (here blank: pymarc's bad_records.mrc), and checks only the 008's length in other records",
          non_bibliographic=True),
)


def lint_findings(command: list[str], path: Path) -> tuple[dict[int, set[Finding]], set[int]]:
    """Lint's comparable warnings per record, and the records it read."""
    found: dict[int, set[Finding]] = {}
    read: set[int] = set()
    for number, warning in run_lint(command, path):
        if warning == "read":
            read.add(number)
        for pattern, rule, group in LINT_WARNINGS:
            if match := pattern.match(warning):
                found.setdefault(number, set()).add((rule, match[1], match[group] if group else ""))
                break
    return found, read


def our_finding(problem: Problem) -> Finding:
    rule, message = problem.rule.id, problem.message
    tag = {"content-one-main-entry": "1XX", "content-title-missing": "245"}.get(rule, "")
    if not tag and (match := _OUR_TAG.match(message)):
        tag = match[1]
    detail = ""
    if rule in ("content-indicator-undefined", "content-subfield-undefined", "content-subfield-not-repeatable",
                "content-control-character"):
        match = _OUR_DETAIL.search(message.removeprefix("880 (for "))
        detail = (match[1] or match[2]) if match else ""
    return rule, tag, detail


def our_findings(path: Path) -> tuple[dict[int, set[Finding]], set[int]]:
    """The harness's content warnings per record, and the records it judged (no structural FAIL)."""
    found: dict[int, set[Finding]] = {}
    failed: set[int] = set()

    def collect(problem: Problem) -> None:
        record = problem.position.record if problem.position and problem.position.record is not None else -1
        if problem.severity is Severity.FAIL:
            failed.add(record)
        elif problem.rule.id.startswith("content-"):
            found.setdefault(record, set()).add(our_finding(problem))

    report = check_file(path, on_problem=collect, content=True)
    return found, set(range(report.records)) - failed


def leader06_of(path: Path) -> dict[int, str]:
    with path.open("rb") as fh:
        return {raw.index: raw.data[6:7].decode("latin-1") for raw in iter_raw_records(fh)}


@pytest.fixture(scope="module")
def lint(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    if not lint_available():
        message = "MARC::Lint (Perl) is not installed: apt-get install libmarc-lint-perl"
        (pytest.fail if os.environ.get("CI") == "true" else pytest.skip)(message)
    return lint_command(tmp_path_factory.mktemp("lint"))


@dataclass(frozen=True)
class Judged:
    """Both sides' findings on one file."""

    ours: dict[int, set[Finding]]
    theirs: dict[int, set[Finding]]
    both: set[int]  # records both judged: no structural FAIL here, read by Lint
    leader06: dict[int, str]

    def differences(self) -> list[tuple[int, str, Finding]]:
        """(record, side warning alone, finding) for every record both judged."""
        out = []
        for record in sorted(self.both):
            mine, its = self.ours.get(record, set()), self.theirs.get(record, set())
            out += [(record, "harness", f) for f in sorted(mine - its)] + [(record, "lint", f) for f in sorted(its - mine)]
        return out

    def explained(self, record: int, side: str, finding: Finding) -> list[Known]:
        return [k for k in KNOWN_DIFFERENCES if k.explains(side, finding, self.leader06.get(record, ""))]


@pytest.fixture(scope="module")
def judged(lint: list[str]) -> dict[Path, Judged]:
    out = {}
    for path in FILES:
        ours, judged_here = our_findings(path)
        theirs, read = lint_findings(lint, path)
        out[path] = Judged(ours, theirs, judged_here & read, leader06_of(path))
    return out


@pytest.mark.peer
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_content_warnings_agree_with_marc_lint(judged: dict[Path, Judged], path: Path) -> None:
    result = judged[path]
    unexplained = [d for d in result.differences() if not result.explained(*d)]
    assert not unexplained, f"{path.name}: differences nobody has explained (record, who warns alone, what): {unexplained}"


@pytest.mark.peer
def test_both_judge_enough_to_agree_on_and_every_explanation_is_needed(judged: dict[Path, Judged]) -> None:
    agreed: set[str] = set()
    used: set[Known] = set()
    for result in judged.values():
        for record in result.both:
            agreed |= {rule for rule, _, _ in result.ours.get(record, set()) & result.theirs.get(record, set())}
        for difference in result.differences():
            used.update(result.explained(*difference))
    assert {"content-indicator-undefined", "content-subfield-undefined", "content-field-not-repeatable",
            "content-subfield-not-repeatable", "content-isbn", "content-880-linkage", "content-one-main-entry",
            "content-title-missing", "content-control-character"} <= agreed
    assert set(KNOWN_DIFFERENCES) == used, f"explanations no file needs: {set(KNOWN_DIFFERENCES) - used}"
