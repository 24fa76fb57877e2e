"""The sandbox's defect catalogue: named deviations that real systems have shown.

Each defect names the check(s) it must make FAIL; ``tests/integration/test_defects.py``
switches every defect on and asserts exactly that, and runs the clean sandbox to assert
every check passes. A check no defect can fail is a check that proves nothing (DESIGN.md).

Checks are named by their scenario function name, which is stable across files.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from harness.errors import UsageError


@dataclass(frozen=True, slots=True)
class Defect:
    name: str
    protocol: str
    description: str
    must_fail: tuple[str, ...]
    seen_in: str = ""  # where the deviation was reported in the wild


CATALOGUE: tuple[Defect, ...] = (
    Defect(
        "marc-length-in-characters", "marc",
        "ISO 2709 export counts leader/00-04 and directory lengths in characters, not bytes",
        ("test_iso2709_export_is_structurally_valid",),
        "internetarchive/openlibrary#11507, ruby-marc#26, marc4j#40",
    ),
    Defect(
        "marc-leader09-blank", "marc",
        "ISO 2709 export writes UTF-8 data with leader/09 blank (claims MARC-8)",
        ("test_iso2709_export_declares_and_uses_utf8",),
        "openlibrary#10955, pymarc#23",
    ),
    Defect(
        "marc-export-latin1", "marc",
        "ISO 2709 export encodes text in Latin-1 (Sámi letters become '?') while leader/09 says UTF-8",
        ("test_iso2709_export_declares_and_uses_utf8", "test_letters_survive_import_export_byte_exact"),
    ),
    Defect(
        "marc-export-nfd", "marc",
        "export decomposes all text to NFD (á becomes a + U+0301)",
        ("test_letters_survive_import_export_byte_exact", "test_import_export_round_trip_unchanged"),
        "marc4j#78",
    ),
    Defect(
        "marc-import-nfc", "marc",
        "import composes all text to NFC, so records stored decomposed do not come back byte-exact",
        ("test_letters_survive_import_export_byte_exact",),
        "metadatabyran.kb.se (LIBRIS precomposes on save)",
    ),
    Defect(
        "marc-reorder-fields", "marc",
        "export sorts variable fields by tag, losing the catalogued order",
        ("test_import_export_round_trip_unchanged",),
    ),
    Defect(
        "marc-drop-880", "marc",
        "880 alternate graphic representation fields are dropped on import",
        ("test_880_linkage_survives_export", "test_import_export_round_trip_unchanged"),
        "FOLIO-FSE/folio_migration_tools#9, hbz/lobid-resources#1842",
    ),
    Defect(
        "marc-truncate-long-fields", "marc",
        "fields over 9,999 bytes are cut to 9,999 bytes on import",
        ("test_oversize_records_not_corrupted",),
    ),
    Defect(
        "marc-oversize-corrupt", "marc",
        "ISO 2709 export writes oversize records as pymarc does: 5-digit field lengths, 6-digit record length",
        ("test_oversize_records_not_corrupted", "test_iso2709_export_is_structurally_valid"),
        "edsu/pymarc#42",
    ),
    Defect(
        "marc-marcxml-no-namespace", "marc",
        "MARCXML export omits the MARC 21 slim namespace",
        ("test_marcxml_export_is_schema_valid",),
    ),
    Defect(
        "marc-ignore-035-match", "marc",
        "an incoming full or changed record is not matched on 035 (NO-OsBA): a duplicate is created",
        ("test_prepublication_record_upgraded_in_place",),
    ),
    Defect(
        "marc-upgrade-drops-holdings", "marc",
        "upgrading a record in place replaces it whole, losing the local holdings (852)",
        ("test_prepublication_record_upgraded_in_place",),
    ),
    Defect(
        "marc-holdings-without-library", "marc",
        "exported holdings (852) lack $a, the owning library's number",
        ("test_every_holding_names_its_owning_library",),
    ),
    Defect(
        "marc-first-holding-only", "marc",
        "export keeps only the first library's holding of a shared record",
        ("test_shared_record_keeps_holdings_of_every_library",),
    ),
    Defect(
        "marc-library-filter-ignored", "marc",
        "a one-library export returns the whole catalogue",
        ("test_library_export_holds_only_that_library",),
    ),
    Defect(
        "marc-export-borrower", "marc",
        "exported holdings carry the current borrower's name in 852 $z",
        ("test_export_carries_no_patron_data",),
    ),
)

SIP2_DEFECTS: tuple[Defect, ...] = (
    Defect(
        "sip2-crlf-terminator", "sip2", "replies end with CR LF instead of CR",
        ("test_replies_end_with_cr",), "Koha's default terminator (C4/SIP/Sip.pm write_msg); NYPL circulation PR #833",
    ),
    Defect(
        "sip2-checksum-over-characters", "sip2", "AZ is computed over characters, not the encoded bytes",
        ("test_checksums_are_computed_over_bytes",), "cap60552/php-sip2 #8; PyPI sip2 1.1 _crc_calc",
    ),
    Defect(
        "sip2-checksum-no-leading-zero", "sip2", "AZ is written without leading zeros (3 hex digits when below 0x1000)",
        ("test_checksums_are_computed_over_bytes",), "ceridwen SIP library #3; PyPI sip2 1.1",
    ),
    Defect(
        "sip2-no-ay-echo", "sip2", "replies carry AY0 whatever sequence number the request had",
        ("test_replies_echo_the_sequence_number",),
    ),
    Defect(
        "sip2-wrong-ao", "sip2", "replies carry the login account's institution id, not the request's AO",
        ("test_replies_echo_the_institution_id",), "Koha C4/SIP (AO taken from the account)",
    ),
    Defect(
        "sip2-latin1-names", "sip2", "patron names are sent in Latin-1 ('?' for Sámi letters) while UTF-8 is declared",
        ("test_sami_patron_name_round_trips",),
    ),
    Defect(
        "sip2-nfd-names", "sip2", "patron names are sent decomposed (NFD), as Evergreen's SIPServer does",
        ("test_sami_patron_name_round_trips",), "evergreen-library-system/SIPServer Sip.pm write_msg",
    ),
    Defect(
        "sip2-fixed-field-short", "sip2", "the 24 Patron Status Response's language field is one character short",
        ("test_reply_layouts_conform",),
    ),
    Defect(
        "sip2-accept-wrong-pin", "sip2", "a wrong PIN is answered CQ = Y",
        ("test_wrong_pin_refused_without_personal_data",), "Libki/libki-server #351",
    ),
    Defect(
        "sip2-unknown-patron-data", "sip2", "an unknown patron is answered BL = Y with a made-up name",
        ("test_unknown_patron_refused",), "NYPL-Simplified/circulation PR #756",
    ),
    Defect(
        "sip2-no-login-required", "sip2", "patron data is given before a 93 login",
        ("test_no_patron_data_before_login",),
    ),
    Defect(
        "sip2-ignore-bad-checksum", "sip2", "a request with a wrong checksum is processed instead of answered 96",
        ("test_bad_checksum_answered_with_96",),
    ),
    Defect(
        "sip2-resend-stale", "sip2", "97 is answered with 96 instead of the last reply",
        ("test_resend_repeats_last_reply",), "folio-org/edge-sip2 ACSResendHandler",
    ),
    Defect(
        "sip2-foreign-patron-refused", "sip2", "checkout is refused when the patron's home library is another member",
        ("test_public_patron_borrows_at_school", "test_school_patron_borrows_at_public"),
        "DigitalPlatform/dp2 #765",
    ),
    Defect(
        "sip2-no-routing", "sip2", "checking in another library's item gives no CT destination or CV alert",
        ("test_return_anywhere_routes_item_home", "test_bookbus_and_deposit_items_are_routed"),
    ),
    Defect(
        "sip2-bx-overclaims", "sip2", "98 BX declares Hold (15) and Fee Paid (37), which are answered as failures",
        ("test_declared_optional_messages_work",), "research/sip2.md P14",
    ),
    Defect(
        "sip2-closes-on-blank-due-date", "sip2", "a checkout whose nb due date is 18 blanks closes the connection",
        ("test_checkout_with_blank_due_date_is_answered",), "pysip2 0.1.0 (research/sip2.md §2.1)",
    ),
    Defect(
        "sip2-crlf-requests-ignored", "sip2", "after a CR LF request, the LF is read as the start of the next message, which is dropped",
        ("test_requests_ending_crlf_are_answered",), "pysip2 0.1.0 (research/sip2.md §2.1)",
    ),
    Defect(
        "sip2-stale-replay", "sip2", "a request identical to the connection's previous one (same AY and AZ) is answered with the old reply",
        ("test_identical_request_is_answered_anew",), "pysip2 0.1.0 (research/sip2.md §2.1)",
    ),
    Defect(
        "sip2-tls-wrong-hostname", "sip2", "the TLS certificate is issued for another host name",
        ("test_sip2_over_tls",),
    ),
)

CATALOGUE = CATALOGUE + SIP2_DEFECTS

BY_NAME: dict[str, Defect] = {d.name: d for d in CATALOGUE}


def resolve(names: list[str] | tuple[str, ...]) -> frozenset[str]:
    """Validate user-given defect names; an unknown one is a usage error with a suggestion."""
    for name in names:
        if name not in BY_NAME:
            close = difflib.get_close_matches(name, list(BY_NAME), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise UsageError(
                f"--sandbox-defect {name}: no such defect. Fix: {hint}"
                "list them with `harness sandbox --list-defects`"
            )
    return frozenset(names)
