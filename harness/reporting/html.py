"""scorecard.html: the run for people, one self-contained file in bokmål or English.

It is mailed to vendors and attached to procurement files, so it must open anywhere, years
later, offline: inline CSS, no external URL, and readable with JavaScript off (the small
inline script only adds an outcome filter). Every value from the run is escaped, because
evidence is whatever a target sent back, and that can be ``<script>``. Verdicts are shown as
text and colour, never colour alone, and tables have real header cells for screen readers.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

from harness.reporting.i18n import area_label, check_lang, kind_label, outcome_label, scope_lines, ui, verdict_label
from harness.reporting.junit import visible_controls
from harness.evidence import Evidence
from harness.results import CheckResult, Outcome, RequirementResult, RunResult, Verdict

# Worst first, so the checks a reader must look at are at the top of the list.
_SEVERITY = (Outcome.FAIL, Outcome.ERROR, Outcome.FLAKY, Outcome.WARN, Outcome.NOT_TESTED, Outcome.SKIP, Outcome.PASS)
_VERDICT_CLASS = {
    Verdict.MET: "v-met",
    Verdict.PARTIAL: "v-partial",
    Verdict.NOT_MET: "v-notmet",
    Verdict.UNVERIFIED: "v-unverified",
    Verdict.NOT_APPLICABLE: "v-na",
}
# A symbol beside the word helps a quick scan; it is aria-hidden because the word says it.
_VERDICT_SYMBOL = {Verdict.MET: "✔", Verdict.PARTIAL: "◐", Verdict.NOT_MET: "✘", Verdict.UNVERIFIED: "?", Verdict.NOT_APPLICABLE: "–"}
_OUTCOME_SYMBOL = {
    Outcome.PASS: "✔", Outcome.FAIL: "✘", Outcome.WARN: "!", Outcome.SKIP: "»",
    Outcome.NOT_TESTED: "–", Outcome.ERROR: "⚠", Outcome.FLAKY: "≈",
}

# Colour pairs all have a contrast ratio above 7:1 (WCAG AAA); print keeps them with a border.
_CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a;
  background: #fff; margin: 0 auto; max-width: 75rem; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: .2rem 0 .8rem; }
h2 { font-size: 1.3rem; border-bottom: 2px solid #1a1a1a; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.1rem; margin: 1.2rem 0 .4rem; }
h4 { font-size: 1rem; margin: .8rem 0 .3rem; }
a { color: #0b4ea2; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid #8a8a8a; padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #e8e8e8; }
table.manifest { width: auto; }
table.manifest th { background: #f3f3f3; font-weight: 600; }
table.counts { width: auto; min-width: 18rem; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: .3rem; font-weight: 600;
  border: 1px solid currentColor; white-space: nowrap; }
.v-met, .o-pass { background: #dff3e4; color: #0a4419; }
.v-notmet, .o-fail { background: #fbe0e0; color: #7a0b0b; }
.v-partial, .o-warn { background: #fff1c7; color: #533a00; }
.v-unverified, .o-error, .o-flaky { background: #e9e6f7; color: #2f1f73; }
.v-na, .o-skip, .o-not_tested { background: #eeeeee; color: #333333; }
.ext { color: #444; font-size: .9em; }
.scope { border: 3px solid #7a0b0b; background: #fbe0e0; color: #1a1a1a; padding: .2rem 1rem; margin: .6rem 0; }
.scope h2 { border: none; margin: .4rem 0; font-size: 1.15rem; color: #7a0b0b; }
p.scope.complete { border: 1px solid #0a4419; background: #dff3e4; }
.proposed, .override-by { font-size: .9em; margin-top: .3rem; }
.overridden { border-left: 4px solid #7a0b0b; }
.override-reason { margin: .2rem 0; }
ul.checklist { margin: 0; padding-left: 1.1rem; }
article.check { border: 1px solid #8a8a8a; border-radius: .4rem; padding: .2rem 1rem .8rem; margin: 1rem 0; }
article.check > h3 { margin-top: .6rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .4rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.message { white-space: pre-wrap; margin: 0; }
pre { background: #f5f5f5; border: 1px solid #c8c8c8; padding: .5rem; overflow-x: auto;
  white-space: pre-wrap; overflow-wrap: anywhere; font-size: .88rem; margin: .2rem 0 .5rem; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.note { font-style: italic; }
.filters { margin: .5rem 0 1rem; }
.filters label { margin-right: .8rem; white-space: nowrap; }
@media print {
  body { font-size: 10pt; max-width: none; padding: 0; }
  .filters { display: none; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  tr, article.check, pre { break-inside: avoid; }
  .badge, thead th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  @page { margin: 15mm; }
}
"""

# Progressive enhancement only: without JavaScript the filter stays hidden, everything shows.
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
})();
"""


def e(text: object) -> str:
    """Escape for HTML text and attributes; control characters become visible ``\\xNN``."""
    return html.escape(visible_controls(str(text)), quote=True)


def _anchor(prefix: str, key: str) -> str:
    # Ids only need to be unique and attribute-safe; escaping keeps odd ids harmless.
    return e(f"{prefix}-{key}")


def _verdict_badge(verdict: Verdict, lang: str) -> str:
    return (f'<span class="badge {_VERDICT_CLASS[verdict]}"><span aria-hidden="true">'
            f"{_VERDICT_SYMBOL[verdict]}</span> {e(verdict_label(verdict, lang))}</span>")


def _outcome_badge(outcome: Outcome, lang: str) -> str:
    return (f'<span class="badge o-{outcome.value.lower()}"><span aria-hidden="true">'
            f"{_OUTCOME_SYMBOL[outcome]}</span> {e(outcome_label(outcome, lang))}</span>")


def _number(text: str, lang: str) -> str:
    # Bokmål writes a decimal comma; a procurement reader would misread "2.5" as a date or 25.
    return text.replace(".", ",") if lang == "nb" else text


def _seconds(value: float, lang: str) -> str:
    return _number(f"{value:.1f}", lang) + " " + ui(lang)["seconds"]


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
                            ((_outcome_badge(o, lang), run.count(o)) for o in Outcome))
    verdicts = _count_table(t["requirements_by_verdict"], (t["verdict"], t["count"]),
                            ((_verdict_badge(v, lang), sum(r.verdict is v for r in run.requirements)) for v in Verdict))
    return (f'<section id="summary"><h2>{e(t["summary"])}</h2>{outcomes}{verdicts}'
            f'<p class="note">{e(t["verdict_note"])}</p></section>')


def _checks_of(run: RunResult, req_id: str) -> list[tuple[int, CheckResult]]:
    return [(i, c) for i, c in enumerate(run.checks) if req_id in c.requirements]


def _title(req: RequirementResult, lang: str) -> str:
    # Fall back to the other language rather than show an empty cell.
    first, second = (req.title_en, req.title_nb) if lang == "en" else (req.title_nb, req.title_en)
    return first or second


def _verdict_cell(req: RequirementResult, lang: str) -> str:
    cell = _verdict_badge(req.verdict, lang)
    if req.override:
        cell += f'<div class="proposed">{e(ui(lang)["proposed"])}: {_verdict_badge(req.proposed, lang)}</div>'
    return cell


def _override_cell(req: RequirementResult, lang: str) -> str:
    t, o = ui(lang), req.override
    if o is None:
        return "—"
    by = f'<div class="override-by">{e(t["by"])}: {e(o.by)}</div>' if o.by else ""
    return (f'<strong>{e(t["overridden_to"])}</strong> {_verdict_badge(o.verdict, lang)}'
            f'<p class="override-reason"><strong>{e(t["reason"])}:</strong> {e(o.reason)}</p>{by}')


def _weight_cell(req: RequirementResult, lang: str) -> str:
    parts = [_number(f"{req.weight:g}", lang)] if req.weight is not None else []
    if req.award_criterion:
        parts.append(req.award_criterion)
    return " / ".join(e(p) for p in parts)


def _checks_cell(run: RunResult, req: RequirementResult, lang: str) -> str:
    checks = _checks_of(run, req.id)
    if not checks:
        return e(ui(lang)["no_checks"])
    items = "".join(f'<li>{_outcome_badge(c.outcome, lang)} <a href="#{_anchor("check", str(i))}">{e(c.display_title(lang))}</a></li>'
                    for i, c in checks)
    return f'<ul class="checklist">{items}</ul>'


def _requirement_row(run: RunResult, req: RequirementResult, lang: str) -> str:
    ext = f'<br><span class="ext">{e(req.external_id)}</span>' if req.external_id else ""
    row_class = ' class="overridden"' if req.override else ""
    return (f'<tr id="{_anchor("req", req.id)}"{row_class}><th scope="row">{e(req.id)}{ext}</th>'
            f"<td>{e(_title(req, lang))}</td><td>{e(kind_label(req.kind, lang))}</td>"
            f"<td>{_verdict_cell(req, lang)}</td><td>{_weight_cell(req, lang)}</td>"
            f"<td>{_override_cell(req, lang)}</td><td>{_checks_cell(run, req, lang)}</td></tr>")


def _areas(requirements: Iterable[RequirementResult]) -> dict[str, list[RequirementResult]]:
    # Register order, not alphabetical: the register is ordered the way the tender reads.
    areas: dict[str, list[RequirementResult]] = {}
    for req in requirements:
        areas.setdefault(req.area, []).append(req)
    return areas


def _requirements(run: RunResult, lang: str) -> str:
    t = ui(lang)
    heads = ("requirement", "req_title", "kind", "verdict", "weight", "override", "checks")
    thead = "".join(f'<th scope="col">{e(t[h])}</th>' for h in heads)
    tables = []
    for area, reqs in _areas(run.requirements).items():
        rows = "".join(_requirement_row(run, r, lang) for r in reqs)
        tables.append(f'<h3>{e(area_label(area, lang))}</h3><table class="requirements">'
                      f"<thead><tr>{thead}</tr></thead><tbody>{rows}</tbody></table>")
    return f'<section id="requirements"><h2>{e(t["requirements"])}</h2>{"".join(tables)}</section>'


def _evidence(ev: Evidence, number: int, lang: str) -> str:
    t = ui(lang)
    items = [f'<dt>{e(t["clause"])}</dt><dd>{e(ev.clause)}</dd>'] if ev.clause else []
    for key, value in (("sent", ev.sent), ("received", ev.received), ("expected", ev.expected)):
        if value:
            items.append(f"<dt>{e(t[key])}</dt><dd><pre>{e(value)}</pre></dd>")
    if ev.details:
        items.append(f'<dt>{e(t["details"])}</dt><dd><pre>{e(chr(10).join(ev.details))}</pre></dd>')
    return (f'<section class="evidence"><h4>{e(t["evidence"])} {number}</h4>'
            f'<dl class="facts">{"".join(items)}</dl></section>')


def _check_article(index: int, check: CheckResult, lang: str) -> str:
    t = ui(lang)
    reqs = ", ".join(f'<a href="#{_anchor("req", r)}">{e(r)}</a>' for r in check.requirements)
    facts = [f'<dt>{e(t["outcome"])}</dt><dd>{_outcome_badge(check.outcome, lang)}</dd>']
    if check.message:
        facts.append(f'<dt>{e(t["message"])}</dt><dd><p class="message">{e(check.message)}</p></dd>')
    facts.append(f'<dt>{e(t["requirements"])}</dt><dd>{reqs or "—"}</dd>')
    facts.append(f'<dt>{e(t["node_id"])}</dt><dd><code>{e(check.id)}</code></dd>')
    facts.append(f'<dt>{e(t["duration"])}</dt><dd>{e(_seconds(check.duration, lang))}</dd>')
    evidence = "".join(_evidence(ev, n, lang) for n, ev in enumerate(check.evidence, start=1))
    reproduce = (f'<h4>{e(t["reproduce"])}</h4><pre class="reproduce"><code>{e(check.reproduce)}</code></pre>'
                 if check.reproduce else "")
    outcome_class = f"o-{check.outcome.value.lower()}"
    return (f'<article class="check" id="{_anchor("check", str(index))}" data-outcome="{check.outcome.value}">'
            f'<h3><span class="badge {outcome_class}">{e(outcome_label(check.outcome, lang))}</span> '
            f'{e(check.display_title(lang))}</h3><dl class="facts">{"".join(facts)}</dl>{evidence}{reproduce}</article>')


def _filters(lang: str) -> str:
    boxes = "".join(f'<label><input type="checkbox" value="{o.value}" checked> {e(outcome_label(o, lang))}</label>'
                    for o in _SEVERITY)
    return f'<div class="filters" id="filters" hidden><strong>{e(ui(lang)["filter"])}:</strong> {boxes}</div>'


def _checks(run: RunResult, lang: str) -> str:
    rank: Mapping[Outcome, int] = {o: n for n, o in enumerate(_SEVERITY)}
    ordered = sorted(enumerate(run.checks), key=lambda pair: rank[pair[1].outcome])  # stable
    articles = "".join(_check_article(i, c, lang) for i, c in ordered)
    return f'<section id="checks"><h2>{e(ui(lang)["checks"])}</h2>{_filters(lang)}{articles}</section>'


def render_html(run: RunResult, lang: str = "nb") -> str:
    t = ui(check_lang(lang))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(t['title'])}: {e(run.manifest.target)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{e(t['title'])}: {e(run.manifest.target)}</h1>{_scope(run, lang)}{_manifest(run, lang)}</header>\n"
        f"<main>\n{_summary(run, lang)}\n{_requirements(run, lang)}\n{_checks(run, lang)}\n</main>\n"
        f"<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )
