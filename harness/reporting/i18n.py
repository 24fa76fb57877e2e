"""Every string a reader of the scorecard sees, in Norwegian bokmål and English.

The scorecard is a procurement document: the evaluators read it in bokmål, a vendor's
engineer may need it in English. Keeping every UI string here (and none in ``html.py``) means
a missing translation is a ``KeyError`` in the tests, not an English word in a Norwegian report.
Outcome and verdict codes (``FAIL``, ``NOT_MET``) stay untranslated in the machine-readable
reports (JSON, JUnit, CSV) so that tools and spreadsheets can compare runs.
"""

from __future__ import annotations

from collections.abc import Mapping

from harness.errors import UsageError
from harness.reporting.i18n_procurement import PROCUREMENT_UI
from harness.results import Outcome, RunManifest, Verdict

LANGUAGES = ("nb", "en")

_UI: dict[str, dict[str, str]] = {
    "nb": {
        "title": "Resultatkort for samvirketest",
        "manifest": "Om kjøringen",
        "target": "Testobjekt",
        "negotiation_round": "Forhandlingsrunde",
        "suite_version": "Versjon av testsamlingen",
        "git_revision": "Git-revisjon",
        "started": "Startet",
        "duration": "Varighet",
        "read_only": "Bare lesing",
        "sandbox_defects": "Påslåtte sandkassefeil",
        "command": "Kommando",
        "yes": "Ja",
        "no": "Nei",
        "none": "ingen",
        "seconds": "s",
        "summary": "Sammendrag",
        "outcome": "Utfall",
        "count": "Antall",
        "checks_by_outcome": "Kontroller per utfall",
        "requirements_by_verdict": "Krav per vurdering",
        "verdict_note": "«Ikke verifisert» regnes aldri som oppfylt. Testen foreslår vurderinger; "
        "den avviser ingen leverandør.",
        "requirements": "Krav",
        "requirement": "Krav",
        "req_title": "Tittel",
        "kind": "Type",
        "verdict": "Vurdering",
        "proposed": "Foreslått av testen",
        "weight": "Vekt / tildelingskriterium",
        "weight_short": "Vekt",
        "override": "Overstyring",
        "overridden_to": "Overstyrt til",
        "reason": "Begrunnelse",
        "by": "Av",
        "checks": "Kontroller",
        "no_checks": "ingen kontroller",
        "check": "Kontroll",
        "message": "Melding",
        "node_id": "Kontroll-id",
        "evidence": "Bevis",
        "clause": "Spesifikasjonspunkt",
        "sent": "Sendt",
        "received": "Mottatt",
        "expected": "Forventet",
        "details": "Detaljer",
        "reproduce": "Gjenskap med",
        "filter": "Vis utfall",
        "all": "Alle",
        "other_area": "Øvrige krav",
        # scorecard.xlsx: sheet names (at most 31 characters) and column headers
        "run_sheet": "Kjøring",
        "external_id": "Ekstern id",
        "verdict_code": "Vurderingskode",
        "proposed_code": "Foreslått kode",
        "override_reason": "Begrunnelse for overstyring",
        "override_by": "Overstyrt av",
        "award_criterion": "Tildelingskriterium",
        "checks_total": "Kontroller i alt",
        "checks_pass": "Kontroller bestått",
        "checks_fail": "Kontroller feilet",
        "checks_unverified": "Kontroller ikke verifisert",
        "suite": "Testsamling",
        "outcome_code": "Utfallskode",
        "truncated": "avkortet, {count} tegn utelatt; se results.json",
        # what the run did not do: the first thing every report says
        "scope": "Hva kjøringen ikke gjorde",
        "scope_complete": "Alle testsamlinger kjørt til ende; alle protokoller i profilen svarte.",
        "scope_interrupted": "AVBRUTT: kjøringen stoppet før alle valgte kontroller var kjørt. Rapporten viser det som ble kjørt.",
        "scope_partial": "DELVIS KJØRING: {selection}. Krav uten kontroll i denne kjøringen er «Ikke verifisert».",
        "scope_unreachable": "UTILGJENGELIG: {line}. Kontrollene for protokollen er «Ikke testet».",
        "scope_not_configured": "IKKE KONFIGURERT i profilen (kontrollene er «Ikke testet»): {protocols}.",
        "selection_suites": "bare testsamlingene {suites}",
        "selection_keyword": "bare kontroller som passer -k {keyword}",
        "selection_read_only": "bare lesing (kontroller som endrer testobjektet ble ikke kjørt)",
    },
    "en": {
        "title": "Interoperability test scorecard",
        "manifest": "About this run",
        "target": "Target",
        "negotiation_round": "Negotiation round",
        "suite_version": "Suite version",
        "git_revision": "Git revision",
        "started": "Started",
        "duration": "Duration",
        "read_only": "Read-only",
        "sandbox_defects": "Sandbox defects switched on",
        "command": "Command",
        "yes": "Yes",
        "no": "No",
        "none": "none",
        "seconds": "s",
        "summary": "Summary",
        "outcome": "Outcome",
        "count": "Count",
        "checks_by_outcome": "Checks by outcome",
        "requirements_by_verdict": "Requirements by verdict",
        "verdict_note": "\u201cUnverified\u201d is never counted as met. The harness proposes "
        "verdicts; it never rejects a vendor.",
        "requirements": "Requirements",
        "requirement": "Requirement",
        "req_title": "Title",
        "kind": "Kind",
        "verdict": "Verdict",
        "proposed": "Proposed by the harness",
        "weight": "Weight / award criterion",
        "weight_short": "Weight",
        "override": "Override",
        "overridden_to": "Overridden to",
        "reason": "Reason",
        "by": "By",
        "checks": "Checks",
        "no_checks": "no checks",
        "check": "Check",
        "message": "Message",
        "node_id": "Check id",
        "evidence": "Evidence",
        "clause": "Spec clause",
        "sent": "Sent",
        "received": "Received",
        "expected": "Expected",
        "details": "Details",
        "reproduce": "Reproduce with",
        "filter": "Show outcomes",
        "all": "All",
        "other_area": "Other requirements",
        # scorecard.xlsx: sheet names (at most 31 characters) and column headers
        "run_sheet": "Run",
        "external_id": "External id",
        "verdict_code": "Verdict code",
        "proposed_code": "Proposed code",
        "override_reason": "Override reason",
        "override_by": "Overridden by",
        "award_criterion": "Award criterion",
        "checks_total": "Checks in total",
        "checks_pass": "Checks passed",
        "checks_fail": "Checks failed",
        "checks_unverified": "Checks unverified",
        "suite": "Suite",
        "outcome_code": "Outcome code",
        "truncated": "truncated, {count} characters left out; see results.json",
        "scope": "What this run did not do",
        "scope_complete": "Every suite ran to the end; every protocol in the profile answered.",
        "scope_interrupted": "INTERRUPTED: the run stopped before every selected check ran. The report shows what ran.",
        "scope_partial": "PARTIAL RUN: {selection}. Requirements without a check in this run are Unverified.",
        "scope_unreachable": "UNREACHABLE: {line}. That protocol's checks are Not tested.",
        "scope_not_configured": "NOT CONFIGURED in the profile (their checks are Not tested): {protocols}.",
        "selection_suites": "only the suites {suites}",
        "selection_keyword": "only checks matching -k {keyword}",
        "selection_read_only": "read-only (checks that change the target did not run)",
    },
}

# The procurement views' strings live in their own table; one lookup serves both.
_UI = {lang: {**strings, **PROCUREMENT_UI[lang]} for lang, strings in _UI.items()}

_OUTCOMES: dict[str, dict[Outcome, str]] = {
    "nb": {
        Outcome.PASS: "Bestått",
        Outcome.FAIL: "Feilet",
        Outcome.WARN: "Advarsel",
        Outcome.SKIP: "Hoppet over",
        Outcome.NOT_TESTED: "Ikke testet",
        Outcome.ERROR: "Feil i kjøringen",
        Outcome.FLAKY: "Ustabil",
    },
    "en": {
        Outcome.PASS: "Passed",
        Outcome.FAIL: "Failed",
        Outcome.WARN: "Warning",
        Outcome.SKIP: "Skipped",
        Outcome.NOT_TESTED: "Not tested",
        Outcome.ERROR: "Error in the run",
        Outcome.FLAKY: "Flaky",
    },
}

_VERDICTS: dict[str, dict[Verdict, str]] = {
    "nb": {
        Verdict.MET: "Oppfylt",
        Verdict.PARTIAL: "Delvis oppfylt",
        Verdict.NOT_MET: "Ikke oppfylt",
        Verdict.UNVERIFIED: "Ikke verifisert",
        Verdict.NOT_APPLICABLE: "Ikke aktuelt",
    },
    "en": {
        Verdict.MET: "Met",
        Verdict.PARTIAL: "Partially met",
        Verdict.NOT_MET: "Not met",
        Verdict.UNVERIFIED: "Unverified",
        Verdict.NOT_APPLICABLE: "Not applicable",
    },
}

# The register's kinds are Norwegian words; the English scorecard keeps them in brackets
# because the tender documents the evaluators quote from say "skal" and "bør".
_KINDS: dict[str, dict[str, str]] = {
    "nb": {"skal": "Skal", "bør": "Bør"},
    "en": {"skal": "Must (skal)", "bør": "Should (bør)"},
}

# Area = the requirement id's prefix (``Requirement.area``). An area not listed here is shown
# by its code, so a new suite never breaks the scorecard.
_AREAS: dict[str, dict[str, str]] = {
    "nb": {
        "KAT": "Katalog og beholdning",
        "SPR": "Språk og tegnsett",
        "MARC": "MARC 21-utveksling",
        "SIP": "SIP2 utlån og innlevering",
        "SRU": "SRU-søk",
        "Z": "Z39.50",
        "OAI": "OAI-PMH-høsting",
        "SEC": "Personvern og sikkerhet",
        "LAST": "Last og utholdenhet",
    },
    "en": {
        "KAT": "Catalogue and holdings",
        "SPR": "Languages and character sets",
        "MARC": "MARC 21 exchange",
        "SIP": "SIP2 circulation",
        "SRU": "SRU search",
        "Z": "Z39.50",
        "OAI": "OAI-PMH harvesting",
        "SEC": "Privacy and security",
        "LAST": "Load and soak",
    },
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if a scorecard can be written in it, else a usage error with the fix."""
    if lang not in LANGUAGES:
        raise UsageError(
            f"unknown report language {lang!r}. Fix: use one of {', '.join(LANGUAGES)} (--lang)"
        )
    return lang


def ui(lang: str) -> Mapping[str, str]:
    return _UI[check_lang(lang)]


def outcome_label(outcome: Outcome, lang: str) -> str:
    return _OUTCOMES[check_lang(lang)][outcome]


def verdict_label(verdict: Verdict, lang: str) -> str:
    return _VERDICTS[check_lang(lang)][verdict]


def kind_label(kind: str, lang: str) -> str:
    return _KINDS[check_lang(lang)].get(kind, kind)


def area_label(area: str, lang: str) -> str:
    if not area:
        return ui(lang)["other_area"]
    name = _AREAS[check_lang(lang)].get(area)
    return f"{area} – {name}" if name else area


def scope_lines(manifest: RunManifest, lang: str) -> list[str]:
    """What the run did not do, in the report's language: the first lines of every report."""
    t = ui(lang)
    lines = [t["scope_interrupted"]] if manifest.interrupted else []
    selection = []
    if manifest.suites:
        selection.append(t["selection_suites"].format(suites=", ".join(manifest.suites)))
    if manifest.keyword:
        selection.append(t["selection_keyword"].format(keyword=manifest.keyword))
    if manifest.read_only:
        selection.append(t["selection_read_only"])
    if selection:
        lines.append(t["scope_partial"].format(selection="; ".join(selection)))
    lines += [t["scope_unreachable"].format(line=line) for line in manifest.unreachable]
    if manifest.not_configured:
        lines.append(t["scope_not_configured"].format(protocols=", ".join(manifest.not_configured)))
    return lines
