"""scorecard.html: the run for people, one self-contained file in bokmål or English.

It is mailed to vendors and attached to procurement files, so it must open anywhere, years
later, offline: inline CSS and SVG, no external URL, and readable with JavaScript off (the
small inline script only adds an outcome filter and opens every check for printing). Every
value from the run is escaped, because evidence is whatever a target sent back, and that can
be ``<script>``. Verdicts are shown as text and colour, never colour alone, and tables have
real header cells for screen readers.

The first screen says what the run did not do (``i18n.scope_lines``), then the skal count and
what was and was not tested (``first_screen``). Passing checks fold away in ``<details>``; a
FAIL, ERROR or FLAKY check opens to its evidence. Anchors are stable (``anchors``), so
``harness compare`` and a procurement memo can link to ``#req-SIP-05``. A vendor's declared
deviations stand beside the verdict they concern, never changing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from harness.deviations import DeviationRegister, run_date
from harness.evidence import Evidence
from harness.reporting.anchors import check_anchor, requirement_anchor
from harness.reporting.charts import CHART_CSS
from harness.reporting.first_screen import headline, timing_chart
from harness.reporting.html_parts import (
    BASE_CSS,
    deviation_box,
    e,
    number,
    outcome_badge,
    verdict_badge,
)
from harness.reporting.i18n import (
    area_label,
    check_lang,
    kind_label,
    outcome_label,
    scope_lines,
    ui,
)
from harness.results import CheckResult, Outcome, RequirementResult, RunResult, Verdict

# Worst first, so the checks a reader must look at are at the top of the list.
_SEVERITY = (Outcome.FAIL, Outcome.ERROR, Outcome.FLAKY, Outcome.WARN, Outcome.NOT_TESTED, Outcome.SKIP, Outcome.PASS)
# Checks that open to their evidence; the others fold away (the reader opens them when needed).
_OPEN = frozenset({Outcome.FAIL, Outcome.ERROR, Outcome.FLAKY})

_CSS = BASE_CSS + CHART_CSS + """
table.manifest { width: auto; }
table.manifest th { background: #f3f3f3; font-weight: 600; }
table.counts { width: auto; min-width: 18rem; }
table.timings { width: auto; }
.ext { color: #444; font-size: .9em; }
.scope { border: 3px solid #7a0b0b; background: #fbe0e0; color: #1a1a1a; padding: .2rem 1rem; margin: .6rem 0; }
.scope h2 { border: none; margin: .4rem 0; font-size: 1.15rem; color: #7a0b0b; }
p.scope.complete { border: 1px solid #0a4419; background: #dff3e4; }
.proposed, .override-by { font-size: .9em; margin-top: .3rem; }
.overridden { border-left: 4px solid #7a0b0b; }
.override-reason { margin: .2rem 0; }
ul.checklist { margin: 0; padding-left: 1.1rem; }
article.check { border: 1px solid #8a8a8a; border-radius: .4rem; padding: .2rem 1rem; margin: .6rem 0; }
article.check > details > summary { cursor: pointer; padding: .3rem 0; }
article.check > details > summary > h3 { display: inline; margin: 0; font-size: 1.05rem; }
article.check > details[open] > summary { margin-bottom: .3rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .4rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.message { white-space: pre-wrap; margin: 0; }
pre { background: #f5f5f5; border: 1px solid #c8c8c8; padding: .5rem; overflow-x: auto;
  white-space: pre-wrap; overflow-wrap: anywhere; font-size: .88rem; margin: .2rem 0 .5rem; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
@media print { article.check { break-inside: avoid; } }
"""

# Progressive enhancement only: without JavaScript the filter stays hidden and every check shows
# (folded ones open with a click, which needs no script). Printing opens every check, so a
# printed or PDF scorecard carries all the evidence, then restores what the reader had open.
_SCRIPT = """
(function () {
  var bar = document.getElementById("filters");
  bar.hidden = false;
  bar.querySelectorAll("input").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll('article[data-outcome="' + box.value + '"]').forEach(function (a) {
        a.hidden = !box.checked;
      });
    });
  });
  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = Array.prototype.filter.call(document.querySelectorAll("article.check > details"), function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () { closed.forEach(function (d) { d.open = false; }); closed = []; });
})();
"""


def _seconds(value: float, lang: str) -> str:
    return number(f"{value:.1f}", lang) + " " + ui(lang)["seconds"]


def _manifest(run: RunResult, lang: str) -> str:
    t, m = ui(lang), run.manifest
    rows = [
        ("target", m.target),
        ("negotiation_round", m.negotiation_round),
        ("suite_version", m.suite_version),
        ("git_revision", m.git_revision),
        ("started", m.started),
        ("duration", _seconds(m.duration, lang)),
        ("read_only", t["yes"] if m.read_only else t["no"]),
        ("sandbox_defects", ", ".join(m.sandbox_defects) or t["none"]),
    ]
    if m.command:
        rows.append(("command", m.command))
    body = "".join(f'<tr><th scope="row">{e(t[key])}</th><td>{e(value)}</td></tr>' for key, value in rows)
    return f'<table class="manifest"><caption class="note">{e(t["manifest"])}</caption><tbody>{body}</tbody></table>'


def _scope(run: RunResult, lang: str) -> str:
    """What the run did not do, before anything else: a partial run must never read as whole."""
    t, lines = ui(lang), scope_lines(run.manifest, lang)
    if not lines:
        return f'<p class="scope complete">{e(t["scope_complete"])}</p>'
    items = "".join(f"<li>{e(line)}</li>" for line in lines)
    return f'<section class="scope" role="alert" aria-label="{e(t["scope"])}"><h2>{e(t["scope"])}</h2><ul>{items}</ul></section>'


def _count_table(caption: str, head: tuple[str, str], rows: Iterable[tuple[str, int]]) -> str:
    body = "".join(f'<tr><th scope="row">{badge}</th><td class="num">{count}</td></tr>' for badge, count in rows)
    return (f'<table class="counts"><caption>{e(caption)}</caption><thead><tr><th scope="col">{e(head[0])}</th>'
            f'<th scope="col">{e(head[1])}</th></tr></thead><tbody>{body}</tbody></table>')


def _summary(run: RunResult, lang: str) -> str:
    t = ui(lang)
    outcomes = _count_table(t["checks_by_outcome"], (t["outcome"], t["count"]),
                            ((outcome_badge(o, lang), run.count(o)) for o in Outcome))
    verdicts = _count_table(t["requirements_by_verdict"], (t["verdict"], t["count"]),
                            ((verdict_badge(v, lang), sum(r.verdict is v for r in run.requirements)) for v in Verdict))
    return (f'<section id="summary"><h2>{e(t["summary"])}</h2>{outcomes}{verdicts}'
            f'<p class="note">{e(t["verdict_note"])}</p>{timing_chart(run, lang)}</section>')


class _Page:
    """What every part of one scorecard needs: the run, the language, the vendor's deviations."""

    def __init__(self, run: RunResult, lang: str, deviations: DeviationRegister | None) -> None:
        self.run, self.lang, self.deviations = run, lang, deviations
        self.date: date | None = run_date(run.manifest.started)

    def deviation_boxes(self, req: RequirementResult | None = None, check: CheckResult | None = None) -> str:
        if self.deviations is None:
            return ""
        found = self.deviations.for_requirement(req.id, req.checks) if req else self.deviations.for_check(check.id) if check else []
        return "".join(deviation_box(d, self.date, self.lang) for d in found)


def _title(req: RequirementResult, lang: str) -> str:
    # Fall back to the other language rather than show an empty cell.
    first, second = (req.title_en, req.title_nb) if lang == "en" else (req.title_nb, req.title_en)
    return first or second


def _verdict_cell(page: _Page, req: RequirementResult) -> str:
    cell = verdict_badge(req.verdict, page.lang)
    if req.override:
        cell += f'<div class="proposed">{e(ui(page.lang)["proposed"])}: {verdict_badge(req.proposed, page.lang)}</div>'
    return cell + page.deviation_boxes(req=req)


def _override_cell(req: RequirementResult, lang: str) -> str:
    t, o = ui(lang), req.override
    if o is None:
        return "—"
    by = f'<div class="override-by">{e(t["by"])}: {e(o.by)}</div>' if o.by else ""
    return (f'<strong>{e(t["overridden_to"])}</strong> {verdict_badge(o.verdict, lang)}'
            f'<p class="override-reason"><strong>{e(t["reason"])}:</strong> {e(o.reason)}</p>{by}')


def _weight_cell(req: RequirementResult, lang: str) -> str:
    parts = [number(f"{req.weight:g}", lang)] if req.weight is not None else []
    if req.award_criterion:
        parts.append(req.award_criterion)
    return " / ".join(e(p) for p in parts)


def _checks_cell(run: RunResult, req: RequirementResult, lang: str) -> str:
    checks = [c for c in run.checks if req.id in c.requirements]
    if not checks:
        return e(ui(lang)["no_checks"])
    items = "".join(f'<li>{outcome_badge(c.outcome, lang)} <a href="#{e(check_anchor(c.id))}">{e(c.display_title(lang))}</a></li>'
                    for c in checks)
    return f'<ul class="checklist">{items}</ul>'


def _requirement_row(page: _Page, req: RequirementResult) -> str:
    lang = page.lang
    ext = f'<br><span class="ext">{e(req.external_id)}</span>' if req.external_id else ""
    row_class = ' class="overridden"' if req.override else ""
    return (f'<tr id="{e(requirement_anchor(req.id))}"{row_class} data-verdict="{e(req.verdict.value)}"><th scope="row">{e(req.id)}{ext}</th>'
            f"<td>{e(_title(req, lang))}</td><td>{e(kind_label(req.kind, lang))}</td>"
            f"<td>{_verdict_cell(page, req)}</td><td>{_weight_cell(req, lang)}</td>"
            f"<td>{_override_cell(req, lang)}</td><td>{_checks_cell(page.run, req, lang)}</td></tr>")


def _areas(requirements: Iterable[RequirementResult]) -> dict[str, list[RequirementResult]]:
    # Register order, not alphabetical: the register is ordered the way the tender reads.
    areas: dict[str, list[RequirementResult]] = {}
    for req in requirements:
        areas.setdefault(req.area, []).append(req)
    return areas


def _requirements(page: _Page) -> str:
    t = ui(page.lang)
    heads = ("requirement", "req_title", "kind", "verdict", "weight", "override", "checks")
    thead = "".join(f'<th scope="col">{e(t[h])}</th>' for h in heads)
    tables = []
    for area, reqs in _areas(page.run.requirements).items():
        rows = "".join(_requirement_row(page, r) for r in reqs)
        tables.append(f'<h3>{e(area_label(area, page.lang))}</h3><table class="requirements">'
                      f"<thead><tr>{thead}</tr></thead><tbody>{rows}</tbody></table>")
    return f'<section id="requirements"><h2>{e(t["requirements"])}</h2>{"".join(tables)}</section>'


def _deviation_register(page: _Page) -> str:
    """The vendor's register as a whole, in file order: what was promised, and when."""
    if page.deviations is None:
        return ""
    t, lang = ui(page.lang), page.lang
    rows = []
    for dev in page.deviations.deviations:
        link = (f'<a href="#{e(requirement_anchor(dev.requirement))}">{e(dev.requirement)}</a>' if dev.requirement
                else f'<a href="#{e(check_anchor(dev.check))}"><code>{e(dev.check)}</code></a>')
        rows.append(f'<tr id="dev-{dev.number}"><th scope="row">{link}</th><td>{deviation_box(dev, page.date, lang, show_subject=False)}</td></tr>')
    body = "".join(rows) or f'<tr><td colspan="2">{e(t["none"])}</td></tr>'
    return (f'<section id="deviations"><h2>{e(t["deviations"])}: {e(page.deviations.vendor)}</h2>'
            f'<p class="note">{e(t["deviation_note"])}</p><table class="deviations"><thead><tr>'
            f'<th scope="col">{e(t["deviation_subject"])}</th><th scope="col">{e(t["deviation"])}</th></tr></thead>'
            f"<tbody>{body}</tbody></table></section>")


def _evidence(ev: Evidence, index: int, lang: str) -> str:
    t = ui(lang)
    items = [f'<dt>{e(t["clause"])}</dt><dd>{e(ev.clause)}</dd>'] if ev.clause else []
    for key, value in (("sent", ev.sent), ("received", ev.received), ("expected", ev.expected)):
        if value:
            items.append(f"<dt>{e(t[key])}</dt><dd><pre>{e(value)}</pre></dd>")
    if ev.details:
        items.append(f'<dt>{e(t["details"])}</dt><dd><pre>{e(chr(10).join(ev.details))}</pre></dd>')
    return (f'<section class="evidence"><h4>{e(t["evidence"])} {index}</h4>'
            f'<dl class="facts">{"".join(items)}</dl></section>')


def _check_article(page: _Page, check: CheckResult) -> str:
    t, lang = ui(page.lang), page.lang
    reqs = ", ".join(f'<a href="#{e(requirement_anchor(r))}">{e(r)}</a>' for r in check.requirements)
    facts = [f'<dt>{e(t["outcome"])}</dt><dd>{outcome_badge(check.outcome, lang)}</dd>']
    if check.message:
        facts.append(f'<dt>{e(t["message"])}</dt><dd><p class="message">{e(check.message)}</p></dd>')
    facts.append(f'<dt>{e(t["requirements"])}</dt><dd>{reqs or "—"}</dd>')
    facts.append(f'<dt>{e(t["node_id"])}</dt><dd><code>{e(check.id)}</code></dd>')
    facts.append(f'<dt>{e(t["duration"])}</dt><dd>{e(_seconds(check.duration, lang))}</dd>')
    evidence = "".join(_evidence(ev, n, lang) for n, ev in enumerate(check.evidence, start=1))
    reproduce = (f'<h4>{e(t["reproduce"])}</h4><pre class="reproduce"><code>{e(check.reproduce)}</code></pre>'
                 if check.reproduce else "")
    outcome_class = f"o-{check.outcome.value.lower()}"
    opened = " open" if check.outcome in _OPEN else ""
    return (f'<article class="check" id="{e(check_anchor(check.id))}" data-outcome="{check.outcome.value}"><details{opened}>'
            f'<summary><h3><span class="badge {outcome_class}">{e(outcome_label(check.outcome, lang))}</span> '
            f'{e(check.display_title(lang))}</h3></summary>{page.deviation_boxes(check=check)}'
            f'<dl class="facts">{"".join(facts)}</dl>{evidence}{reproduce}</details></article>')


def _filters(lang: str) -> str:
    boxes = "".join(f'<label><input type="checkbox" value="{o.value}" checked> {e(outcome_label(o, lang))}</label>'
                    for o in _SEVERITY)
    return f'<div class="filters" id="filters" hidden><strong>{e(ui(lang)["filter"])}:</strong> {boxes}</div>'


def _checks(page: _Page) -> str:
    rank: Mapping[Outcome, int] = {o: n for n, o in enumerate(_SEVERITY)}
    ordered = sorted(page.run.checks, key=lambda c: rank[c.outcome])  # stable
    articles = "".join(_check_article(page, c) for c in ordered)
    t = ui(page.lang)
    return (f'<section id="checks"><h2>{e(t["checks"])}</h2><p class="note">{e(t["fold_note"])}</p>'
            f"{_filters(page.lang)}{articles}</section>")


def render_html(run: RunResult, lang: str = "nb", deviations: DeviationRegister | None = None) -> str:
    """The scorecard; ``deviations`` (the vendor's declared register) is shown beside the verdicts."""
    t = ui(check_lang(lang))
    page = _Page(run, lang, deviations)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(t['title'])}: {e(run.manifest.target)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{e(t['title'])}: {e(run.manifest.target)}</h1>{_scope(run, lang)}{headline(run, lang)}"
        f"{_manifest(run, lang)}</header>\n"
        f"<main>\n{_summary(run, lang)}\n{_requirements(page)}\n{_deviation_register(page)}\n{_checks(page)}\n</main>\n"
        f"<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )
