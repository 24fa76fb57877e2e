"""The SIP2 sandbox's defect catalogue: deviations real ACSs have shown.

The sandbox's SIP2 code (``harness/sip2/sandbox/``) applies each at one place marked
``DEFECT``, asking ``defects.active(<CONSTANT>)``; each check names the defects that must make
it FAIL with ``@pytest.mark.failed_by(...)``. ``seen_in`` says where the deviation was
reported in the wild.
"""

from __future__ import annotations

from harness.defects import Defect


def _sip2(name: str, description: str, seen_in: str = "") -> Defect:
    return Defect("sip2", name, description, seen_in)


# -- the wire ---------------------------------------------------------------------------------
CRLF_TERMINATOR = _sip2(
    "sip2-crlf-terminator", "replies end with CR LF instead of CR",
    "Koha's default terminator (C4/SIP/Sip.pm write_msg); NYPL circulation PR #833")
CHECKSUM_OVER_CHARACTERS = _sip2(
    "sip2-checksum-over-characters", "AZ is computed over characters, not the encoded bytes",
    "cap60552/php-sip2 #8; PyPI sip2 1.1 _crc_calc")
CHECKSUM_NO_LEADING_ZERO = _sip2(
    "sip2-checksum-no-leading-zero", "AZ is written without leading zeros (3 hex digits when below 0x1000)",
    "ceridwen SIP library #3; PyPI sip2 1.1")
NO_AY_ECHO = _sip2("sip2-no-ay-echo", "replies carry AY0 whatever sequence number the request had")
WRONG_AO = _sip2(
    "sip2-wrong-ao", "replies carry the login account's institution id, not the request's AO",
    "Koha C4/SIP (AO taken from the account)")
FIXED_FIELD_SHORT = _sip2(
    "sip2-fixed-field-short", "the 24 Patron Status Response's language field is one character short")
IGNORE_BAD_CHECKSUM = _sip2(
    "sip2-ignore-bad-checksum", "a request with a wrong checksum is processed instead of answered 96")
RESEND_STALE = _sip2(
    "sip2-resend-stale", "97 is answered with 96 instead of the last reply", "folio-org/edge-sip2 ACSResendHandler")
CLOSES_ON_BLANK_DUE_DATE = _sip2(
    "sip2-closes-on-blank-due-date", "a checkout whose nb due date is 18 blanks closes the connection",
    "pysip2 0.1.0 (research/sip2.md §2.1)")
CRLF_REQUESTS_IGNORED = _sip2(
    "sip2-crlf-requests-ignored",
    "after a CR LF request, the LF is read as the start of the next message, which is dropped",
    "pysip2 0.1.0 (research/sip2.md §2.1)")
STALE_REPLAY = _sip2(
    "sip2-stale-replay",
    "a request identical to the connection's previous one (same AY and AZ) is answered with the old reply",
    "pysip2 0.1.0 (research/sip2.md §2.1)")
TLS_WRONG_HOSTNAME = _sip2("sip2-tls-wrong-hostname", "the TLS certificate is issued for another host name")

# -- characters ----------------------------------------------------------------------------------
LATIN1_NAMES = _sip2(
    "sip2-latin1-names", "patron names are sent in Latin-1 ('?' for Sámi letters) while UTF-8 is declared")
NFD_NAMES = _sip2(
    "sip2-nfd-names", "patron names are sent decomposed (NFD), as Evergreen's SIPServer does",
    "evergreen-library-system/SIPServer Sip.pm write_msg")

# -- patrons and login -----------------------------------------------------------------------------
ACCEPT_WRONG_PIN = _sip2("sip2-accept-wrong-pin", "a wrong PIN is answered CQ = Y", "Libki/libki-server #351")
UNKNOWN_PATRON_DATA = _sip2(
    "sip2-unknown-patron-data", "an unknown patron is answered BL = Y with a made-up name",
    "NYPL-Simplified/circulation PR #756")
NO_LOGIN_REQUIRED = _sip2("sip2-no-login-required", "patron data is given before a 93 login")

# -- the consortium --------------------------------------------------------------------------------
FOREIGN_PATRON_REFUSED = _sip2(
    "sip2-foreign-patron-refused", "checkout is refused when the patron's home library is another member",
    "DigitalPlatform/dp2 #765")
NO_ROUTING = _sip2("sip2-no-routing", "checking in another library's item gives no CT destination or CV alert")
BX_OVERCLAIMS = _sip2(
    "sip2-bx-overclaims", "98 BX declares Hold (15) and Fee Paid (37), which are answered as failures",
    "research/sip2.md P14")

CATALOGUE: tuple[Defect, ...] = (
    CRLF_TERMINATOR, CHECKSUM_OVER_CHARACTERS, CHECKSUM_NO_LEADING_ZERO, NO_AY_ECHO, WRONG_AO,
    LATIN1_NAMES, NFD_NAMES, FIXED_FIELD_SHORT, ACCEPT_WRONG_PIN, UNKNOWN_PATRON_DATA,
    NO_LOGIN_REQUIRED, IGNORE_BAD_CHECKSUM, RESEND_STALE, FOREIGN_PATRON_REFUSED, NO_ROUTING,
    BX_OVERCLAIMS, CLOSES_ON_BLANK_DUE_DATE, CRLF_REQUESTS_IGNORED, STALE_REPLAY, TLS_WRONG_HOSTNAME,
)
