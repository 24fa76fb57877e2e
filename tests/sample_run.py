"""One run that covers every outcome and verdict, for the report tests (unit and browser).

Evidence with MARC separators and a target's ``<script>``, an override with its reason, a
weight and an award criterion, and N/A declared by procurement.
"""

from __future__ import annotations

from harness.findings import evidence
from harness.results import (
    CheckResult,
    Outcome,
    Override,
    RequirementResult,
    RunManifest,
    RunResult,
    Verdict,
    verdict_for,
)

MARC_BYTES = "245 10\x1faNordlys over Sápmi\x1e\x1d"
REPRODUCE = "harness run --suite marc -k test_fields_unchanged"
SCRIPT_MESSAGE = "server said <script>alert('pwned')</script> & quit"
OVERRIDE_REASON = "245 $c is a declared system field (vendor's answer of 3 March)"

CHECKS = (
    CheckResult(
        id="scenarios/marc/test_export.py::test_leader_09", title="Leader/09 is a",
        requirements=("MARC-01", "KAT-03"), outcome=Outcome.PASS, suite="marc", duration=0.25,
    ),
    CheckResult(
        id="scenarios/marc/test_roundtrip.py::test_fields_unchanged[consortium/nb]",
        title="Imported record comes back unchanged", requirements=("MARC-02", "SPR-01", "KAT-03"),
        outcome=Outcome.FAIL, message="field 245 changed\nsecond line", suite="marc", duration=1.5,
        evidence=(
            evidence(
                clause="MARC 21 bibliographic, 245", sent=MARC_BYTES,
                received="245 10\x1faNordlys over Sapmi\x1e\x1d <b>bold</b>",
                expected="byte-identical field 245",
                details=("á became a", "GET http://sandbox.example/sru?query=s%C3%A1pmi"),
            ),
        ),
        reproduce=REPRODUCE,
    ),
    CheckResult(
        id="scenarios/sip2/test_core.py::TestLogin::test_tls", title="SIP2 over TLS",
        requirements=("SIP-07",), outcome=Outcome.WARN, message="plain TCP only", suite="sip2",
    ),
    CheckResult(
        id="scenarios/sip2/test_optional.py::test_renew_all", title="Renew all (65/66)",
        requirements=("SIP-08",), outcome=Outcome.SKIP, message="65/66 not declared in 98 BX", suite="sip2",
    ),
    CheckResult(
        id="scenarios/sru/test_explain.py::test_explain", title="SRU explain",
        requirements=("SRU-01",), outcome=Outcome.NOT_TESTED, message="no [sru] endpoint in the profile", suite="sru",
    ),
    CheckResult(
        id="scenarios/kat/test_loan_visible.py::test_on_loan", title="Loan shows in holdings",
        requirements=("KAT-04",), outcome=Outcome.ERROR, message=SCRIPT_MESSAGE,
    ),
    CheckResult(
        id="scenarios/marc/test_holdings.py::test_owner_isil", title="Holdings name their owner",
        requirements=("KAT-01",), outcome=Outcome.FLAKY, message="repeated runs disagree: FAIL, PASS", suite="marc",
    ),
)

# (id, kind, title_nb, title_en, override, external_id, weight, award_criterion)
_REQS = (
    ("MARC-01", "skal", "Fullt katalogeksport", "Full catalogue export", None, "", None, ""),
    ("MARC-02", "skal", "Import og eksport uendret", "Import and export unchanged",
     Override("MARC-02", Verdict.MET, OVERRIDE_REASON, by="Kari Nordmann"), "K-3.2.1", 2.5, "Kvalitet"),
    ("SPR-01", "skal", "Norske og samiske bokstaver æøå", "Norwegian and Sámi letters", None, "", None, ""),
    ("KAT-03", "bør", "Avgrens søk til ett bibliotek", "Limit a search to one library", None, "", 1.0, ""),
    ("SIP-07", "bør", "SIP2 over TLS", "SIP2 over TLS", None, "", None, ""),
    ("SIP-08", "bør", "Valgfrie meldinger", "Optional messages", None, "", None, ""),
    ("SRU-01", "skal", "SRU samsvarer", "SRU conforms", None, "", None, ""),
    ("KAT-04", "skal", "Utlån vises i beholdning", "Loan shows in holdings", None, "", None, ""),
    ("KAT-01", "skal", "Beholdning for flere bibliotek", "Holdings of several libraries", None, "", None, ""),
    ("Z-01", "skal", "Z39.50 grunnleggende", "Z39.50 basics", None, "", None, ""),
)


def requirement(row: tuple, checks: tuple[CheckResult, ...]) -> RequirementResult:  # type: ignore[type-arg]
    """A requirement's result from a ``_REQS``-shaped row and the checks of a hand-made run."""
    req_id, kind, nb, en, override, ext, weight, award = row
    covering = [c for c in checks if req_id in c.requirements]
    return RequirementResult(
        id=req_id, kind=kind, title_nb=nb, title_en=en, area=req_id.split("-")[0],
        # Z-01 is what procurement declared not applicable (the only source of N/A).
        proposed=Verdict.NOT_APPLICABLE if req_id == "Z-01" else verdict_for(kind, [c.outcome for c in covering]),
        checks=tuple(c.id for c in covering),
        override=override, external_id=ext, weight=weight, award_criterion=award,
    )


RUN = RunResult(
    manifest=RunManifest(
        suite_version="0.1.0", git_revision="abc1234", target="Bibliotekssystem Å",
        negotiation_round="2", started="2025-03-01T10:00:00+00:00", duration=12.5,
        command="harness run --target targets/a.toml", read_only=True, sandbox_defects=("sip2-bad-checksum",),
    ),
    checks=CHECKS,
    requirements=tuple(requirement(r, CHECKS) for r in _REQS),
)
