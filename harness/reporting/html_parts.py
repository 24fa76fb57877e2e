"""The pieces every HTML report shares: escaping, verdict and outcome badges, numbers, and the
stylesheet, so scorecard.html and compare.html look and read alike.

Verdicts are shown as text and colour, never colour alone; every value from a run is escaped,
because evidence is whatever a target sent back, and that can be ``<script>``.
"""

from __future__ import annotations

import html
from datetime import date

from harness.deviations import Deviation
from harness.reporting.i18n import outcome_label, ui, verdict_label
from harness.reporting.junit import visible_controls
from harness.results import Outcome, Verdict

VERDICT_CLASS = {
    Verdict.MET: "v-met",
    Verdict.PARTIAL: "v-partial",
    Verdict.NOT_MET: "v-notmet",
    Verdict.UNVERIFIED: "v-unverified",
    Verdict.NOT_APPLICABLE: "v-na",
}
# A symbol beside the word helps a quick scan; it is aria-hidden because the word says it.
VERDICT_SYMBOL = {Verdict.MET: "✔", Verdict.PARTIAL: "◐", Verdict.NOT_MET: "✘", Verdict.UNVERIFIED: "?", Verdict.NOT_APPLICABLE: "–"}
OUTCOME_SYMBOL = {
    Outcome.PASS: "✔", Outcome.FAIL: "✘", Outcome.WARN: "!", Outcome.SKIP: "»",
    Outcome.NOT_TESTED: "–", Outcome.ERROR: "⚠", Outcome.FLAKY: "≈",
}

# Colour pairs all have a contrast ratio above 7:1 (WCAG AAA); print keeps them with a border.
BASE_CSS = """
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
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: .3rem; font-weight: 600;
  border: 1px solid currentColor; white-space: nowrap; }
.v-met, .o-pass { background: #dff3e4; color: #0a4419; }
.v-notmet, .o-fail { background: #fbe0e0; color: #7a0b0b; }
.v-partial, .o-warn { background: #fff1c7; color: #533a00; }
.v-unverified, .o-error, .o-flaky { background: #e9e6f7; color: #2f1f73; }
.v-na, .o-skip, .o-not_tested { background: #eeeeee; color: #333333; }
.note { font-style: italic; }
.deviation { border-left: 4px solid #533a00; background: #fffaf0; padding: .2rem .5rem; margin-top: .3rem; font-size: .9em; }
.deviation p { margin: .1rem 0; }
.deviation code { overflow-wrap: anywhere; }
.expired { background: #fbe0e0; color: #7a0b0b; border: 1px solid currentColor; font-weight: 700; padding: 0 .3rem; }
.headline { border: 2px solid #1a1a1a; border-radius: .4rem; padding: .3rem 1rem .6rem; margin: .6rem 0; }
.headline h2 { border: none; margin: .3rem 0; }
.headline .counts { font-size: 1.15rem; margin: .2rem 0 .5rem; }
.headline .counts .badge { margin-right: .2rem; }
.headline .count { font-size: 1.4rem; font-weight: 700; margin-right: 1rem; font-variant-numeric: tabular-nums; }
.headline .cols { display: flex; flex-wrap: wrap; gap: 0 2rem; }
.headline .cols > div { flex: 1 1 20rem; }
.headline h3 { margin: .4rem 0 .2rem; }
.filters { margin: .5rem 0 1rem; }
.filters label { margin-right: .8rem; white-space: nowrap; }
@media print {
  body { font-size: 10pt; max-width: none; padding: 0; }
  .filters { display: none; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  tr, pre { break-inside: avoid; }
  .badge, thead th, .expired { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  @page { margin: 15mm; }
}
"""


def e(text: object) -> str:
    """Escape for HTML text and attributes; control characters become visible ``\\xNN``."""
    return html.escape(visible_controls(str(text)), quote=True)


def verdict_badge(verdict: Verdict, lang: str) -> str:
    return (f'<span class="badge {VERDICT_CLASS[verdict]}"><span aria-hidden="true">'
            f"{VERDICT_SYMBOL[verdict]}</span> {e(verdict_label(verdict, lang))}</span>")


def outcome_badge(outcome: Outcome, lang: str) -> str:
    return (f'<span class="badge o-{outcome.value.lower()}"><span aria-hidden="true">'
            f"{OUTCOME_SYMBOL[outcome]}</span> {e(outcome_label(outcome, lang))}</span>")


def number(text: str, lang: str) -> str:
    # Bokmål writes a decimal comma; a procurement reader would misread "2.5" as a date or 25.
    return text.replace(".", ",") if lang == "nb" else text


def deviation_box(dev: Deviation, on: date | None, lang: str, show_subject: bool = True) -> str:
    """A vendor's declared deviation, beside (never instead of) the verdict; an expired promise flagged."""
    t = ui(lang)
    fix = dev.fix_by.isoformat() if dev.fix_by else t["no_fix_promised"]
    expired = ""
    if dev.expired(on):
        assert dev.fix_by is not None and on is not None
        expired = (f' <span class="expired" title="{e(t["expired_long"].format(fix_by=dev.fix_by.isoformat(), run_date=on.isoformat()))}">'
                   f'{e(t["expired"])}</span>')
    ticket = f' · {e(t["ticket"])}: {e(dev.ticket)}' if dev.ticket else ""
    scope = f'<p>{e(t["deviation_subject"])}: <code>{e(dev.check)}</code></p>' if dev.check and show_subject else ""
    return (f'<div class="deviation" data-deviation="{dev.number}"><p><strong>{e(t["deviation"])}</strong>{expired}</p>'
            f'<p>{e(dev.reason)}</p>{scope}<p>{e(t["fix_by"])}: {e(fix)}{ticket}</p></div>')
