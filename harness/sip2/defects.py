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
CHECKSUM_LOWERCASE = _sip2(
    "sip2-checksum-lowercase", "AZ is written in lower-case hex", "pysip2 0.1.0 accepts lower-case hex on input, so a strict peer never notices")
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
    "pysip2 0.1.0, measured on loopback (tests/peers/test_pysip2_peer.py)")
CRLF_REQUESTS_IGNORED = _sip2(
    "sip2-crlf-requests-ignored",
    "after a CR LF request, the LF is read as the start of the next message, which is dropped",
    "pysip2 0.1.0, measured on loopback (tests/peers/test_pysip2_peer.py)")
STALE_REPLAY = _sip2(
    "sip2-stale-replay",
    "a request identical to the connection's previous one (same AY and AZ) is answered with the old reply",
    "pysip2 0.1.0, measured on loopback (tests/peers/test_pysip2_peer.py)")
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
    "")

# -- what the core messages say (SIP-01) -----------------------------------------------------------
LOGIN_ANY_PASSWORD = _sip2("sip2-login-any-password", "93 is answered 941 whatever the password (CO)")
BX_DENIES_CORE = _sip2(
    "sip2-bx-denies-core", "98 BX says N for Renew (29) and End Patron Session (35), which work",
    "NYPL-Simplified/circulation PR #1309 (dialects without End Session)")
RENEW_ANY_LOAN = _sip2(
    "sip2-renew-any-loan", "29 renews an item that is on loan to another patron (ok = 1, that loan extended)")
END_SESSION_LOGS_OUT = _sip2(
    "sip2-end-session-logs-out", "after 35 End Patron Session the connection is logged out: later requests are refused")
ITEM_INFO_IGNORES_LOANS = _sip2(
    "sip2-item-info-ignores-loans", "18 says 03 available and no due date for an item on loan")
DESENSITIZE_ON_REFUSAL = _sip2("sip2-desensitize-on-refusal", "a refused checkout (ok = 0) says desensitize = Y")
RENEWAL_OK_ECHOES_POLICY = _sip2(
    "sip2-renewal-ok-echoes-policy", "12 renewal ok echoes the request's SC renewal policy instead of saying whether it was a renewal")
ALERT_FLAG_OFF = _sip2("sip2-alert-flag-off", "10 sends routing (CT, CV) with alert = N")
COUNTS_DISAGREE = _sip2("sip2-counts-disagree", "64's charged items count leaves out overdue items that AU lists")
PENDING_HOLDS_AS_AVAILABLE = _sip2(
    "sip2-pending-holds-as-available", "64 lists holds still waiting for a copy in AS (hold items) instead of CD",
    "rero/rero-ils #3173")
FEE_PAID_NOT_DEDUCTED = _sip2("sip2-fee-paid-not-deducted", "37 is accepted but the fee (BV) stays as it was")
BLOCK_PATRON_NO_EFFECT = _sip2("sip2-block-patron-no-effect", "01 Block Patron is answered but the card is not blocked")

# -- patron PINs (SIP-06) ---------------------------------------------------------------------------
PIN_IGNORED_ON_RENEW = _sip2(
    "sip2-pin-ignored-on-renew", "29 and 65 do not check the patron PIN (AD): a wrong PIN renews")
STATUS_WITHOUT_CQ = _sip2(
    "sip2-status-without-cq", "24 never carries CQ: a PIN sent is not validated", "NYPL-Simplified/circulation PR #756")
LISTS_WITHOUT_PIN = _sip2("sip2-lists-without-pin", "64 sends the item list the summary asks for even with a wrong PIN")

# -- dates -------------------------------------------------------------------------------------------
IMPOSSIBLE_DATE = _sip2("sip2-impossible-date", "98's date/time sync is a day that does not exist (30 February)")
UTC_AS_LOCAL = _sip2(
    "sip2-utc-as-local", "transaction dates are UTC wall-clock time written with four blanks (local time)")
DUE_DATE_DST_SHIFT = _sip2(
    "sip2-due-date-dst-shift", "due dates are shown with today's UTC offset, an hour off across the daylight-saving switch",
    "rero/rero-ils #2748 (the same root cause in an ILS's UI)")

# -- more of the wire ------------------------------------------------------------------------------------
UNKNOWN_FIELD_REFUSED = _sip2("sip2-unknown-field-refused", "a request with an unknown field id is answered 96")
PIPELINED_DROPPED = _sip2(
    "sip2-pipelined-dropped", "only the first request of a TCP segment is answered, the rest dropped",
    "Libki/libki-server #110; invenio-sip2 server.py (one recv per message)")
SPLIT_REQUEST_FRAGMENTS = _sip2(
    "sip2-split-request-fragments", "each TCP segment is taken for a whole request: a split request gets 96s",
    "kcls/evergreen-universe-rs sip2 connection.rs; PyPI sip2 1.1 (one recv per message)")
ERROR_REPLY_UNTERMINATED = _sip2(
    "sip2-error-reply-unterminated", "96 is sent without its CR", "folio-org/edge-sip2 PR #170 (SIP2-208)")

CATALOGUE: tuple[Defect, ...] = (
    CRLF_TERMINATOR, CHECKSUM_OVER_CHARACTERS, CHECKSUM_NO_LEADING_ZERO, NO_AY_ECHO, WRONG_AO,
    LATIN1_NAMES, NFD_NAMES, FIXED_FIELD_SHORT, ACCEPT_WRONG_PIN, UNKNOWN_PATRON_DATA,
    NO_LOGIN_REQUIRED, IGNORE_BAD_CHECKSUM, RESEND_STALE, FOREIGN_PATRON_REFUSED, NO_ROUTING,
    BX_OVERCLAIMS, CLOSES_ON_BLANK_DUE_DATE, CRLF_REQUESTS_IGNORED, STALE_REPLAY, TLS_WRONG_HOSTNAME,
    LOGIN_ANY_PASSWORD, BX_DENIES_CORE, RENEW_ANY_LOAN, END_SESSION_LOGS_OUT, ITEM_INFO_IGNORES_LOANS,
    DESENSITIZE_ON_REFUSAL, RENEWAL_OK_ECHOES_POLICY, ALERT_FLAG_OFF, COUNTS_DISAGREE,
    PENDING_HOLDS_AS_AVAILABLE, FEE_PAID_NOT_DEDUCTED, BLOCK_PATRON_NO_EFFECT, PIN_IGNORED_ON_RENEW,
    STATUS_WITHOUT_CQ, LISTS_WITHOUT_PIN, IMPOSSIBLE_DATE, UTC_AS_LOCAL, DUE_DATE_DST_SHIFT,
    UNKNOWN_FIELD_REFUSED, PIPELINED_DROPPED, SPLIT_REQUEST_FRAGMENTS, ERROR_REPLY_UNTERMINATED,
    CHECKSUM_LOWERCASE,
)

# -- under load (the load suite, scenarios/load/) --------------------------------------------------
# Applied by the SIP2 sandbox (harness/sip2/sandbox/pressure.py) only while more than
# CROWD connections are open, which no conformance check does; their protocol is "load", the
# suite that judges them (tests/integration/test_defects.py runs each defect's own suite).
CROWD = 6


def _load(name: str, description: str, seen_in: str = "") -> Defect:
    return Defect("load", name, description, seen_in)


SLOW_UNDER_LOAD = _load(
    "sip2-slow-under-load", f"every reply waits 750 ms while more than {CROWD} SIP2 connections are open",
    "rero/rero-ils #1600 (circulation operations slowed to about 5 s each)")
DROPS_UNDER_LOAD = _load(
    "sip2-drops-under-load", f"while more than {CROWD} SIP2 connections are open, every 10th request is answered by closing the connection",
    "DigitalPlatform/chord #199 (dp2Capo's SIP server caps the TCP connections per client address)")
DEGRADES_UNDER_LOAD = _load(
    "sip2-degrades-under-load", f"every request served while more than {CROWD} SIP2 connections are open adds 0.6 ms to every later reply (a leak)")

UNDER_LOAD: tuple[Defect, ...] = (SLOW_UNDER_LOAD, DROPS_UNDER_LOAD, DEGRADES_UNDER_LOAD)
