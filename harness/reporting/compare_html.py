"""compare.html: vendors and negotiation rounds side by side, one self-contained file (nb or en).

Like scorecard.html it must open anywhere, offline, years later: inline CSS and SVG, no
external URL, readable with JavaScript off (the script only adds the matrix filter). Its only
links leave the page for the evidence: each verdict links to ``scorecard.html#req-<id>`` of
its run, relative to where compare.html is written. Sections, in the order a procurement
officer asks: what was compared and what the runs did not do; the skal gate; verdicts per
area (a chart); the matrix; bør score inputs; changes between rounds; declared deviations.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from harness.reporting.anchors import requirement_anchor
from harness.reporting.charts import CHART_CSS, Row, Segment, bar_chart
from harness.reporting.comparison import (
    Change,
    Column,
    Comparison,
    Delta,
    deviation_rows,
)
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
    scope_lines,
    ui,
    verdict_label,
)
from harness.results import Outcome, RequirementResult, Verdict

_CHART_CLASS = {Verdict.MET: "seg-met", Verdict.PARTIAL: "seg-partial", Verdict.NOT_MET: "seg-notmet",
                Verdict.UNVERIFIED: "seg-unverified", Verdict.NOT_APPLICABLE: "seg-na"}
_CHANGE_CLASS = {Change.BECAME_MET: "v-met", Change.REGRESSED: "v-notmet", Change.NEWLY_UNVERIFIED: "v-unverified",
                 Change.IMPROVED: "v-partial", Change.OTHER: "v-na"}

_CSS = BASE_CSS + CHART_CSS + """
body { max-width: none; }
.scope { border: 3px solid #7a0b0b; background: #fbe0e0; padding: .2rem 1rem; margin: .6rem 0; }
.scope h2 { border: none; margin: .4rem 0; font-size: 1.15rem; color: #7a0b0b; }
p.scope.complete { border: 1px solid #0a4419; background: #dff3e4; }
table.matrix { table-layout: fixed; }
table.matrix col.id { width: 6.5rem; } table.matrix col.kind { width: 4.5rem; } table.matrix col.weight { width: 10.5rem; }
table.matrix col.run { width: 11.5rem; }
table.matrix tbody th { white-space: nowrap; }
td code, th code { overflow-wrap: anywhere; }
table.deviations td:nth-child(3) { width: 40%; }
table.matrix td.cell a.evidence { font-size: .85em; margin-left: .2rem; }
table.matrix td.cell .marks { font-size: .85em; margin-top: .15rem; }
.mark { display: inline-block; border: 1px solid #533a00; color: #533a00; background: #fffaf0; border-radius: .25rem;
  padding: 0 .25rem; margin-right: .2rem; }
.gate-open { background: #dff3e4; color: #0a4419; }
.gate-closed { background: #fbe0e0; color: #7a0b0b; }
details.area > summary, details.pair > summary { cursor: pointer; font-weight: 700; font-size: 1.05rem; margin: .8rem 0 .3rem; }
.ids a { margin-right: .3rem; }
"""

# Without JavaScript the filter stays hidden and every row shows.
_SCRIPT = """
(function () {
  var bar = document.getElementById("matrix-filters");
  bar.hidden = false;
  function apply() {
    var kinds = {}, open = document.getElementById("filter-open").checked;
    bar.querySelectorAll("input[data-kind]").forEach(function (b) { kinds[b.value] = b.checked; });
    document.querySelectorAll("tr.req").forEach(function (row) {
      row.hidden = !kinds[row.dataset.kind] || (open && row.dataset.allMet === "yes");
    });
  }
  bar.querySelectorAll("input").forEach(function (box) { box.addEventListener("change", apply); });
})();
"""


def _link(column: Column, req_id: str, text: str, css: str = "") -> str:
    if not column.link:
        return text
    cls = f' class="{css}"' if css else ""
    return f'<a{cls} href="{e(column.link)}#{e(requirement_anchor(req_id))}">{text}</a>'


def _scope(comparison: Comparison, lang: str) -> str:
    t = ui(lang)
    items = [f"<li><strong>{e(c.label)}</strong>: {e(line)}</li>" for c in comparison.columns for line in scope_lines(c.run.manifest, lang)]
    if not items:
        return f'<p class="scope complete">{e(t["scope_complete"])}</p>'
    return f'<section class="scope" role="alert"><h2>{e(t["scope"])}</h2><ul>{"".join(items)}</ul></section>'


def _runs(comparison: Comparison, lang: str) -> str:
    t = ui(lang)
    heads = ("vendor", "round", "started", "suite_version", "git_revision", "sandbox_defects", "checks_total", "checks_fail")
    rows = []
    for c in comparison.columns:
        m = c.run.manifest
        fails = sum(1 for ch in c.run.checks if ch.outcome.value == "FAIL")
        name = f'<a href="{e(c.link)}">{e(c.vendor)}</a>' if c.link else e(c.vendor)
        rows.append(f'<tr><th scope="row">{name}</th><td>{e(c.round)}</td><td>{e(m.started)}</td><td>{e(m.suite_version)}</td>'
                    f'<td>{e(m.git_revision)}</td><td>{e(", ".join(m.sandbox_defects) or t["none"])}</td>'
                    f'<td class="num">{len(c.run.checks)}</td><td class="num">{fails}</td></tr>')
    thead = "".join(f'<th scope="col">{e(t[h])}</th>' for h in heads)
    return f'<section id="runs"><h2>{e(t["runs"])}</h2><table><thead><tr>{thead}</tr></thead><tbody>{"".join(rows)}</tbody></table></section>'


def _ids(column: Column, ids: Iterable[str]) -> str:
    return '<span class="ids">' + " ".join(_link(column, i, e(i)) for i in ids) + "</span>"


def _gate(comparison: Comparison, lang: str) -> str:
    t = ui(lang)
    rows = []
    for g in comparison.gates():
        result = (f'<span class="badge gate-open">✔ {e(t["gate_open"])}</span>' if g.passed
                  else f'<span class="badge gate-closed">✘ {e(t["gate_closed"])}</span>')
        lists = [(t["gate_not_met"], g.not_met), (t["gate_unverified"], g.unverified), (t["gate_partial"], g.partial)]
        detail = "".join(f"<p><strong>{e(label)}:</strong> {_ids(g.column, ids)}</p>" for label, ids in lists if ids)
        rows.append(f'<tr data-gate="{"open" if g.passed else "closed"}"><th scope="row">{e(g.column.label)}</th><td>{result}{detail}</td>'
                    f'<td class="num">{len(g.met)}</td><td class="num">{len(g.not_met)}</td><td class="num">{len(g.unverified)}</td>'
                    f'<td class="num">{len(g.not_applicable)}</td><td class="num">{g.total}</td></tr>')
    heads = (t["run"], t["gate_result"], t["gate_met"], t["gate_not_met"], t["gate_unverified"], t["gate_na"], t["count"])
    thead = "".join(f'<th scope="col">{e(h)}</th>' for h in heads)
    return (f'<section id="gate"><h2>{e(t["gate"])}</h2><p class="note">{e(t["gate_note"])}</p>'
            f'<table class="gate"><thead><tr>{thead}</tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


def _chart(comparison: Comparison, lang: str) -> str:
    t = ui(lang)
    rows: list[Row] = []
    for area in comparison.areas():
        ids = [r.id for r in comparison.requirements if r.area == area]
        rows.append(Row(area_label(area, lang), heading=True))
        for column in comparison.columns:
            verdicts = [found.verdict if (found := column.requirement(i)) else Verdict.UNVERIFIED for i in ids]
            rows.append(Row(column.label, tuple(Segment(verdicts.count(v), _CHART_CLASS[v], verdict_label(v, lang)) for v in Verdict)))
    legend = [Segment(1, _CHART_CLASS[v], verdict_label(v, lang)) for v in Verdict]
    chart = bar_chart(t["chart_areas"], t["chart_areas_desc"], rows, legend)
    return f'<section id="chart"><h2>{e(t["chart_areas"])}</h2><figure>{chart}</figure></section>'


def _cell(column: Column, req: RequirementResult, lang: str) -> str:
    t, found = ui(lang), column.requirement(req.id)
    if found is None:
        return '<td class="cell">—</td>'
    marks = []
    if found.override:
        marks.append(f'<span class="mark" title="{e(found.override.reason)}">{e(t["overridden_short"])}</span>')
    for dev in column.deviations_for(found):
        expired = f' <span class="expired">{e(t["expired"])}</span>' if dev.expired(column.date) else ""
        marks.append(f'<a class="mark" href="#dev-{e(_vendor_slug(column.vendor))}-{dev.number}" title="{e(dev.reason)}">'
                     f'{e(t["deviation"])} #{dev.number}</a>{expired}')
    evidence = _link(column, req.id, e(t["evidence_link"]), "evidence")
    marks_html = f'<div class="marks">{"".join(marks)}</div>' if marks else ""
    return f'<td class="cell" data-verdict="{e(found.verdict.value)}">{verdict_badge(found.verdict, lang)}{evidence}{marks_html}</td>'


def _vendor_slug(vendor: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in vendor)


def _matrix(comparison: Comparison, lang: str) -> str:
    t = ui(lang)
    heads = "".join(f'<th scope="col">{e(t[h])}</th>' for h in ("requirement", "req_title", "kind", "weight"))
    colgroup = '<colgroup><col class="id"><col class="title"><col class="kind"><col class="weight">' + '<col class="run">' * len(comparison.columns) + "</colgroup>"
    cols = "".join(f'<th scope="col" class="col">{e(c.vendor)}<br><span class="ext">{e(t["round"])} {e(c.round)}</span></th>'
                   for c in comparison.columns)
    groups = []
    for area in comparison.areas():
        rows = []
        for req in (r for r in comparison.requirements if r.area == area):
            verdicts = [found.verdict if (found := c.requirement(req.id)) else None for c in comparison.columns]
            all_met = all(v in (Verdict.MET, Verdict.NOT_APPLICABLE) for v in verdicts)
            title = req.title_en if lang == "en" else req.title_nb
            weight = " / ".join(e(p) for p in ([number(f"{req.weight:g}", lang)] if req.weight is not None else []) + ([req.award_criterion] if req.award_criterion else []))
            ext = f'<br><span class="ext">{e(req.external_id)}</span>' if req.external_id else ""
            rows.append(f'<tr class="req" id="{e(requirement_anchor(req.id))}" data-kind="{e(req.kind)}" data-all-met="{"yes" if all_met else "no"}">'
                        f'<th scope="row">{e(req.id)}{ext}</th><td>{e(title or req.title_nb)}</td><td>{e(kind_label(req.kind, lang))}</td>'
                        f'<td>{weight}</td>{"".join(_cell(c, req, lang) for c in comparison.columns)}</tr>')
        groups.append(f'<details class="area" open><summary>{e(area_label(area, lang))}</summary><table class="matrix">{colgroup}'
                      f'<thead><tr>{heads}{cols}</tr></thead><tbody>{"".join(rows)}</tbody></table></details>')
    boxes = "".join(f'<label><input type="checkbox" data-kind="1" value="{k}" checked> {e(kind_label(k, lang))}</label>' for k in ("skal", "bør"))
    filters = (f'<div class="filters" id="matrix-filters" hidden><strong>{e(t["show"])}:</strong> {boxes}'
               f'<label><input type="checkbox" id="filter-open"> {e(t["only_open"])}</label></div>')
    return (f'<section id="matrix"><h2>{e(t["matrix"])}</h2><p class="note">{e(t["matrix_note"])}</p>{filters}'
            f'{"".join(groups)}</section>')


def _number_cell(value: float | None, lang: str, percent: bool = False) -> str:
    if value is None:
        return '<td class="num">—</td>'
    text = f"{value * 100:.0f} %" if percent else f"{value:g}"
    return f'<td class="num">{e(number(text, lang))}</td>'


def _scores(comparison: Comparison, lang: str) -> str:
    t = ui(lang)
    heads = ("criterion", "run", "weight_total", "weight_met", "weight_partial", "weight_not_met", "weight_unverified", "share_met",
             "unweighted", "na_count")
    rows = []
    for s in comparison.score_inputs():
        rows.append(f'<tr><th scope="row">{e(s.criterion or t["no_criterion"])}</th><td>{e(s.column.label)}</td>'
                    + "".join(_number_cell(v, lang) for v in (s.weight_total, s.weight_met, s.weight_partial, s.weight_not_met, s.weight_unverified))
                    + _number_cell(s.share_met, lang, percent=True) + f'<td class="num">{s.unweighted}</td><td class="num">{s.not_applicable}</td></tr>')
    thead = "".join(f'<th scope="col">{e(t[h])}</th>' for h in heads)
    return (f'<section id="score"><h2>{e(t["score"])}</h2><p class="note">{e(t["score_note"])}</p>'
            f'<table class="score"><thead><tr>{thead}</tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


def _delta_row(d: Delta, lang: str) -> str:
    t = ui(lang)
    change = f'<span class="badge {_CHANGE_CLASS[d.change]}">{e(t[d.change])}</span>'
    return (f'<tr data-change="{e(d.change)}"><td>{change}</td><th scope="row">{_link(d.after, d.requirement.id, e(d.requirement.id))}</th>'
            f'<td>{e(kind_label(d.requirement.kind, lang))}</td><td>{_link(d.before, d.requirement.id, verdict_badge(d.old, lang))}</td>'
            f'<td>{_link(d.after, d.requirement.id, verdict_badge(d.new, lang))}</td></tr>')


def _deltas(comparison: Comparison, lang: str) -> str:
    t = ui(lang)
    pairs: dict[tuple[str, str, str], list[Delta]] = {}
    for vendor in comparison.vendors:
        columns = comparison.columns_of(vendor)
        for before, after in itertools.pairwise(columns):
            pairs[(vendor, before.round, after.round)] = []
    for d in comparison.deltas():
        pairs[(d.vendor, d.before.round, d.after.round)].append(d)
    if not pairs:
        return f'<section id="deltas"><h2>{e(t["deltas"])}</h2><p>{e(t["no_deltas"])}</p></section>'
    heads = "".join(f'<th scope="col">{e(t[h])}</th>' for h in ("change", "requirement", "kind", "before", "after"))
    parts = []
    for (vendor, old, new), found in pairs.items():
        counts = ", ".join(f"{t[k]}: {sum(d.change == k for d in found)}" for k in Change.ORDER if any(d.change == k for d in found))
        body = (f'<table class="deltas"><thead><tr>{heads}</tr></thead><tbody>{"".join(_delta_row(d, lang) for d in found)}</tbody></table>'
                if found else f'<p>{e(t["no_changes"])}</p>')
        parts.append(f'<details class="pair" open><summary>{e(vendor)}: {e(t["round"])} {e(old)} → {e(new)}'
                     f'{" (" + e(counts) + ")" if counts else ""}</summary>{body}</details>')
    return f'<section id="deltas"><h2>{e(t["deltas"])}</h2>{"".join(parts)}</section>'


def _status_badges(status: str, lang: str) -> str:
    """A requirement's verdict code, or the outcome codes of a check's runs ("FAIL, PASS"), as badges."""
    if not status:
        return "—"
    if status in {v.value for v in Verdict}:
        return verdict_badge(Verdict(status), lang)
    return " ".join(outcome_badge(Outcome(code), lang) for code in status.split(", ") if code in {o.value for o in Outcome})


def _deviations(comparison: Comparison, lang: str) -> str:
    t = ui(lang)
    rows = deviation_rows(comparison)
    if not rows:
        return f'<section id="deviations"><h2>{e(t["deviations"])}</h2><p>{e(t["no_deviations"])}</p></section>'
    body = []
    for row in rows:
        dev = row.deviation
        subject = _link(row.latest, dev.requirement, e(dev.requirement)) if dev.requirement else f"<code>{e(dev.check)}</code>"
        statuses = "<br>".join(f"{e(t['round'])} {e(c.round)}: {_status_badges(s, lang)}" for c, s in row.statuses)
        body.append(f'<tr id="dev-{e(_vendor_slug(row.vendor))}-{dev.number}" data-expired="{"yes" if row.expired else "no"}">'
                    f'<th scope="row">{e(row.vendor)}</th><td>{subject}</td><td>{deviation_box(dev, row.latest.date, lang, show_subject=False)}</td><td>{statuses}</td></tr>')
    heads = "".join(f'<th scope="col">{e(t[h])}</th>' for h in ("vendor", "deviation_subject", "deviation", "status"))
    return (f'<section id="deviations"><h2>{e(t["deviations"])}</h2><p class="note">{e(t["deviation_note"])}</p>'
            f'<table class="deviations"><thead><tr>{heads}</tr></thead><tbody>{"".join(body)}</tbody></table></section>')


def render_compare_html(comparison: Comparison, lang: str = "nb") -> str:
    t = ui(check_lang(lang))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(t['compare_title'])}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{e(t['compare_title'])}</h1>{_scope(comparison, lang)}</header>\n<main>\n"
        f"{_gate(comparison, lang)}\n{_chart(comparison, lang)}\n{_matrix(comparison, lang)}\n{_scores(comparison, lang)}\n"
        f"{_deltas(comparison, lang)}\n{_deviations(comparison, lang)}\n{_runs(comparison, lang)}\n</main>\n"
        f"<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )
