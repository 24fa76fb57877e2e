"""The scorecard's first screen: what was tested, what was not, and the skal count.

A procurement officer opening scorecard.html must see, before scrolling, how many skal
requirements the run found MET, NOT_MET and UNVERIFIED, which suites ran, and what the run
did not cover (requirements with no check, checks not tested). The scope notice above it
(``i18n.scope_lines``) says what the run did not do; this says what that left open.
"""

from __future__ import annotations

from harness.reporting.anchors import requirement_anchor
from harness.reporting.charts import Row, Segment, bar_chart
from harness.reporting.html_parts import e, number, verdict_badge
from harness.reporting.i18n import ui
from harness.reporting.timings import check_timings
from harness.results import PASSING_OUTCOMES, CheckResult, Outcome, RunResult, Verdict

# Shown always, so a zero is seen as a zero; PARTIAL and N/A only when an override or the
# mapping makes them occur for skal requirements.
_ALWAYS = (Verdict.MET, Verdict.NOT_MET, Verdict.UNVERIFIED)
_SOMETIMES = (Verdict.PARTIAL, Verdict.NOT_APPLICABLE)


def suite_name(check: CheckResult) -> str:
    return check.suite or check.id.split("/", 1)[0]


def _skal_counts(run: RunResult, lang: str) -> str:
    skal = [r for r in run.requirements if r.kind == "skal"]
    shown = [*_ALWAYS, *(v for v in _SOMETIMES if any(r.verdict is v for r in skal))]
    parts = "".join(f'<span class="skal-count" data-verdict="{v.value}">{verdict_badge(v, lang)} '
                    f'<span class="count">{sum(r.verdict is v for r in skal)}</span></span>' for v in shown)
    return f'<p class="counts">{parts}<span class="of">{e(ui(lang)["skal_of"].format(total=len(skal)))}</span></p>'


def _tested(run: RunResult, lang: str) -> str:
    t = ui(lang)
    suites: dict[str, list[CheckResult]] = {}
    for check in run.checks:
        suites.setdefault(suite_name(check), []).append(check)
    if not suites:
        return f'<p>{e(t["tested_nothing"])}</p>'
    items = []
    for suite, checks in suites.items():
        passed = sum(c.outcome in PASSING_OUTCOMES for c in checks)
        failed = sum(c.outcome is Outcome.FAIL for c in checks)
        items.append(f"<li>{e(t['tested_suite'].format(suite=suite, count=len(checks), passed=passed, failed=failed, other=len(checks) - passed - failed))}</li>")
    return f'<ul>{"".join(items)}</ul>'


def _untested(run: RunResult, lang: str) -> str:
    t = ui(lang)
    uncovered = [r.id for r in run.requirements if not r.checks and r.verdict is not Verdict.NOT_APPLICABLE]
    skipped = sum(c.outcome in (Outcome.NOT_TESTED, Outcome.SKIP) for c in run.checks)
    items = []
    if uncovered:
        ids = ", ".join(f'<a href="#{e(requirement_anchor(i))}">{e(i)}</a>' for i in uncovered)
        before, after = t["untested_requirements"].split("{ids}")
        items.append(f"<li>{e(before.format(count=len(uncovered)))}{ids}{e(after)}</li>")
    if skipped:
        items.append(f'<li>{e(t["untested_checks"].format(count=skipped))}</li>')
    if not items:
        return f'<p>{e(t["untested_nothing"])}</p>'
    return f'<ul>{"".join(items)}</ul>'


def headline(run: RunResult, lang: str) -> str:
    t = ui(lang)
    return (f'<section class="headline" id="headline" aria-label="{e(t["headline"])}"><h2>{e(t["headline"])}</h2>'
            f'{_skal_counts(run, lang)}<div class="cols"><div class="tested"><h3>{e(t["tested"])}</h3>{_tested(run, lang)}</div>'
            f'<div class="untested"><h3>{e(t["untested"])}</h3>{_untested(run, lang)}</div></div></section>')


def timing_chart(run: RunResult, lang: str) -> str:
    """Seconds to visibility per path, when checks measured them; empty otherwise."""
    timings = check_timings(run.checks)
    if not timings:
        return ""
    t = ui(lang)
    rows = [Row(tm.path, (Segment(tm.seconds, "seg-fail" if tm.outcome is Outcome.FAIL else "seg-bar", t["seconds_long"]),),
                value_text=number(f"{tm.seconds:.2f}", lang) + " " + t["seconds"]) for tm in timings]
    chart = bar_chart(t["timing_chart"], t["timing_desc"], rows)
    body = "".join(f'<tr><th scope="row">{e(tm.path)}</th><td class="num">{e(number(f"{tm.seconds:.3f}", lang))}</td>'
                   f'<td><code>{e(tm.check_id)}</code></td></tr>' for tm in timings)
    table = (f'<table class="timings"><caption>{e(t["timing_table"])}</caption><thead><tr><th scope="col">{e(t["path"])}</th>'
             f'<th scope="col">{e(t["seconds_long"])}</th><th scope="col">{e(t["check"])}</th></tr></thead><tbody>{body}</tbody></table>')
    return f'<section id="timings"><h3>{e(t["timing_chart"])}</h3><figure>{chart}</figure>{table}</section>'
