"""junit.xml: the run as JUnit XML, the format Jenkins and GitLab show in their test views.

Mapping of outcomes (CI knows only pass / failure / error / skipped):

=========== ===================================================================
PASS        a plain <testcase>
WARN        passes (a missed bør point is not a failure); the warning goes to <system-out>
FAIL        <failure type="fail"> with the evidence as text
FLAKY       <failure type="flaky">: repeated runs disagreed, so it must not look green
ERROR       <error>: the harness could not verify
SKIP        <skipped message="SKIP: reason">
NOT_TESTED  <skipped message="NOT_TESTED: reason">
=========== ===================================================================

Evidence often holds MARC separators (0x1D, 0x1E, 0x1F) and other control characters that
XML 1.0 forbids; they are written as visible escapes (``\\x1d``) so the file stays well-formed
and the engineer still sees where the separators were.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from harness.reporting.i18n import scope_lines
from harness.results import CheckResult, Outcome, RunResult

DEFAULT_SUITE = "harness"

# Forbidden in XML 1.0 (C0 controls except TAB/LF/CR, lone surrogates, U+FFFE/U+FFFF), plus
# the C1 controls: legal in XML but invisible, and HTML forbids them; a Latin-1/UTF-8 mix-up
# in a target's output shows up exactly as these, so the reader should see them.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible_controls(text: str) -> str:
    """``text`` with every invisible or XML-illegal character written as ``\\xNN``."""
    return _INVISIBLE.sub(_escape_char, text)


def split_node_id(node_id: str) -> tuple[str, str]:
    """(classname, name) from a pytest node id, the way pytest's own junitxml does it.

    ``scenarios/marc/test_x.py::TestA::test_y[p/1]`` → (``scenarios.marc.test_x.TestA``,
    ``test_y[p/1]``). Parameters are cut off first because they may contain ``/`` or ``::``.
    """
    path, bracket, params = node_id.partition("[")
    names = path.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    if len(names) == 1:
        return "", names[0]
    return ".".join(names[:-1]), names[-1]


def evidence_text(check: CheckResult) -> str:
    """The message, every piece of evidence and the reproduce line, as plain text for CI logs."""
    parts: list[str] = [check.message] if check.message else []
    for number, ev in enumerate(check.evidence, start=1):
        lines = [f"--- evidence {number} ---"] if len(check.evidence) > 1 else []
        if ev.clause:
            lines.append(f"Clause: {ev.clause}")
        for label, value in (("Sent", ev.sent), ("Received", ev.received), ("Expected", ev.expected)):
            if value:
                lines.append(f"{label}:\n{value}")
        if ev.details:
            lines.append("Details:\n" + "\n".join(f"  - {d}" for d in ev.details))
        parts.append("\n".join(lines))
    if check.reproduce:
        parts.append(f"Reproduce: {check.reproduce}")
    return "\n\n".join(p for p in parts if p)


def _first_line(text: str) -> str:
    # Not str.splitlines(): it also splits at 0x1C-0x1E and 0x85, which MARC data is full of.
    return text.split("\n", 1)[0].rstrip("\r")


def _sub(parent: etree._Element, tag: str, text: str = "", **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: visible_controls(v) for k, v in attrs.items()})
    if text:
        element.text = visible_controls(text)
    return element


def _counts(checks: Iterable[CheckResult]) -> dict[str, str]:
    checks = list(checks)
    failures = sum(c.outcome in (Outcome.FAIL, Outcome.FLAKY) for c in checks)
    errors = sum(c.outcome is Outcome.ERROR for c in checks)
    skipped = sum(c.outcome in (Outcome.SKIP, Outcome.NOT_TESTED) for c in checks)
    return {
        "tests": str(len(checks)),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": str(skipped),
        "time": f"{sum(c.duration for c in checks):.3f}",
    }


def _testcase(parent: etree._Element, check: CheckResult, suite: str) -> None:
    classname, name = split_node_id(check.id)
    case = _sub(parent, "testcase", classname=classname or suite, name=name, time=f"{check.duration:.3f}")
    if check.requirements:
        props = _sub(case, "properties")
        for req in check.requirements:
            _sub(props, "property", name="requirement", value=req)
    outcome = check.outcome
    if outcome is Outcome.FAIL:
        _sub(case, "failure", evidence_text(check), message=_first_line(check.message) or "FAIL", type="fail")
    elif outcome is Outcome.FLAKY:
        _sub(case, "failure", evidence_text(check), message=f"FLAKY: {_first_line(check.message)}", type="flaky")
    elif outcome is Outcome.ERROR:
        _sub(case, "error", evidence_text(check), message=_first_line(check.message) or "ERROR", type="error")
    elif outcome in (Outcome.SKIP, Outcome.NOT_TESTED):
        _sub(case, "skipped", message=f"{outcome.value}: {check.message}")
    elif outcome is Outcome.WARN:
        _sub(case, "system-out", "WARN: " + evidence_text(check))


def _suites_in_order(run: RunResult) -> dict[str, list[CheckResult]]:
    suites: dict[str, list[CheckResult]] = {}
    for check in run.checks:
        suites.setdefault(check.suite or DEFAULT_SUITE, []).append(check)
    return suites


def _manifest_properties(parent: etree._Element, run: RunResult) -> None:
    m = run.manifest
    props = _sub(parent, "properties")
    for key, value in (
        ("target", m.target),
        ("negotiation_round", m.negotiation_round),
        ("suite_version", m.suite_version),
        ("git_revision", m.git_revision),
        ("read_only", "true" if m.read_only else "false"),
        ("sandbox_defects", ",".join(m.sandbox_defects)),
        ("interrupted", "true" if m.interrupted else "false"),
        ("scope", " | ".join(scope_lines(m, "en")) or "complete"),
    ):
        _sub(props, "property", name=key, value=value)


def render_junit(run: RunResult) -> bytes:
    root = etree.Element("testsuites", {"name": "harness", **_counts(run.checks)})
    for suite, checks in _suites_in_order(run).items():
        attrs = {"name": suite, **_counts(checks), "timestamp": run.manifest.started}
        testsuite = _sub(root, "testsuite", **attrs)
        _manifest_properties(testsuite, run)
        for check in checks:
            _testcase(testsuite, check, suite)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
