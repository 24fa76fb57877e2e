"""The SIP2 2.00 message table: every message's layout, as data.

One entry per command code: its name, who sends it, the reply it expects, its fixed-length
fields (name, offset, length, format from :data:`harness.sip2.fields.FORMATS`) and its
variable fields (required, optional, repeatable). The codec and the checks read this table;
they do not restate it.

Source: 3M Standard Interchange Protocol 2.00; layouts as cross-checked in
``research/sip2.md`` §1.2 (Koha/Evergreen ``template_len``, pysip2's registry, FOLIO templates
all agree). Offsets are 0-based byte positions in the frame; the command code is bytes 0-1.
"Required" follows the spec even where real servers send the field empty (§1.4 item 4): a
field that is present but empty counts as present.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from harness.sip2.fields import EXTENSION_FIELDS, FORMATS


class Direction(str, enum.Enum):
    SC_TO_ACS = "SC→ACS"  # self-check (the harness) to the library system
    ACS_TO_SC = "ACS→SC"


SC = Direction.SC_TO_ACS
ACS = Direction.ACS_TO_SC


@dataclass(frozen=True, slots=True)
class FixedField:
    name: str
    offset: int
    length: int
    format: str  # a key of fields.FORMATS


@dataclass(frozen=True, slots=True)
class MessageSpec:
    code: str
    name: str
    direction: Direction
    response: str | None  # the reply's code; None where any reply may come (97: a resend)
    fixed: tuple[FixedField, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    repeatable: frozenset[str]
    clause: str
    fixed_length: int  # command code included
    allowed: frozenset[str]  # required + optional + 3M extensions

    def fixed_field(self, name: str) -> FixedField:
        for field in self.fixed:
            if field.name == name:
                return field
        raise KeyError(f"message {self.code} has no fixed field {name!r}")


_ALWAYS_REPEATABLE = frozenset({"AF", "AG"})  # screen message, print line


def _define(
    code: str,
    name: str,
    direction: Direction,
    response: str | None,
    fixed: tuple[tuple[str, int, str], ...] = (),
    required: str = "",
    optional: str = "",
    repeatable: str = "",
) -> MessageSpec:
    offset = 2
    layout = []
    for field_name, length, fmt in fixed:
        assert fmt in FORMATS, fmt  # a typo in this table must fail at import
        layout.append(FixedField(field_name, offset, length, fmt))
        offset += length
    req, opt = tuple(required.split()), tuple(optional.split())
    return MessageSpec(
        code=code,
        name=name,
        direction=direction,
        response=response,
        fixed=tuple(layout),
        required=req,
        optional=opt,
        repeatable=frozenset(repeatable.split()) | (_ALWAYS_REPEATABLE & frozenset(opt)),
        clause=f"3M SIP2 2.00, {name} ({code})",
        fixed_length=offset,
        allowed=frozenset(req) | frozenset(opt) | frozenset(EXTENSION_FIELDS),
    )


_DATE = ("transaction_date", 18, "date18")
_PATRON_STATUS = ("patron_status", 14, "patron_status")
_LANGUAGE = ("language", 3, "language")

_TABLE = (
    # 3M SIP2 2.00, Login (93): the SC's user id and password for the ACS.
    _define("93", "Login", SC, "94",
            fixed=(("uid_algorithm", 1, "algorithm"), ("pwd_algorithm", 1, "algorithm")),
            required="CN CO", optional="CP"),
    # 3M SIP2 2.00, Login Response (94)
    _define("94", "Login Response", ACS, None, fixed=(("ok", 1, "01"),)),
    # 3M SIP2 2.00, SC Status (99)
    _define("99", "SC Status", SC, "98",
            fixed=(("status_code", 1, "sc_status"), ("max_print_width", 3, "digits3"),
                   ("protocol_version", 4, "protocol_version"))),
    # 3M SIP2 2.00, ACS Status (98). Timeout period in tenths of a second, 000 = ACS off-line,
    # 999 = unknown; retries 999 = unknown (research §1.4 item 13).
    _define("98", "ACS Status", ACS, None,
            fixed=(("online_status", 1, "YN"), ("checkin_ok", 1, "YN"), ("checkout_ok", 1, "YN"),
                   ("acs_renewal_policy", 1, "YN"), ("status_update_ok", 1, "YN"),
                   ("offline_ok", 1, "YN"), ("timeout_period", 3, "digits3"),
                   ("retries_allowed", 3, "digits3"), ("date_time_sync", 18, "date18"),
                   ("protocol_version", 4, "protocol_version")),
            required="AO BX", optional="AM AN AF AG"),
    # 3M SIP2 2.00, Patron Status Request (23)
    _define("23", "Patron Status Request", SC, "24", fixed=(_LANGUAGE, _DATE),
            required="AO AA AC AD"),
    # 3M SIP2 2.00, Patron Status Response (24)
    _define("24", "Patron Status Response", ACS, None, fixed=(_PATRON_STATUS, _LANGUAGE, _DATE),
            required="AO AA AE", optional="BL CQ BH BV AF AG"),
    # 3M SIP2 2.00, Block Patron (01): answered with a Patron Status Response (24).
    _define("01", "Block Patron", SC, "24",
            fixed=(("card_retained", 1, "YN"), _DATE), required="AO AL AA AC"),
    # 3M SIP2 2.00, Checkout (11)
    _define("11", "Checkout", SC, "12",
            fixed=(("sc_renewal_policy", 1, "YN"), ("no_block", 1, "YN"), _DATE,
                   ("nb_due_date", 18, "date18_or_blank")),
            required="AO AA AB AC", optional="CH AD BO BI"),
    # 3M SIP2 2.00, Checkout Response (12): AJ and AH are required even when ok = 0.
    _define("12", "Checkout Response", ACS, None,
            fixed=(("ok", 1, "01"), ("renewal_ok", 1, "YN"), ("magnetic_media", 1, "YNU"),
                   ("desensitize", 1, "YNU"), _DATE),
            required="AO AA AB AJ AH", optional="BT CI BH BV CK CH BK AF AG"),
    # 3M SIP2 2.00, Checkin (09)
    _define("09", "Checkin", SC, "10",
            fixed=(("no_block", 1, "YN"), _DATE, ("return_date", 18, "date18_or_blank")),
            required="AP AO AB AC", optional="CH BI"),
    # 3M SIP2 2.00, Checkin Response (10); routing of another library's item in CT/CV (3M ext.).
    _define("10", "Checkin Response", ACS, None,
            fixed=(("ok", 1, "01"), ("resensitize", 1, "YN"), ("magnetic_media", 1, "YNU"),
                   ("alert", 1, "YN"), _DATE),
            required="AO AB AQ", optional="AJ CL AA CK CH AF AG"),
    # 3M SIP2 2.00, Patron Information (63): summary has at most one Y.
    _define("63", "Patron Information", SC, "64",
            fixed=(_LANGUAGE, _DATE, ("summary", 10, "summary")),
            required="AO AA", optional="AC AD BP BQ"),
    # 3M SIP2 2.00, Patron Information Response (64): counts are 4 digits or 4 blanks.
    _define("64", "Patron Information Response", ACS, None,
            fixed=(_PATRON_STATUS, _LANGUAGE, _DATE,
                   ("hold_items_count", 4, "count4_or_blank"),
                   ("overdue_items_count", 4, "count4_or_blank"),
                   ("charged_items_count", 4, "count4_or_blank"),
                   ("fine_items_count", 4, "count4_or_blank"),
                   ("recall_items_count", 4, "count4_or_blank"),
                   ("unavailable_holds_count", 4, "count4_or_blank")),
            required="AO AA AE",
            optional="BZ CA CB BL CQ BH BV CC AS AT AU AV BU CD BD BE BF AF AG",
            repeatable="AS AT AU AV BU CD"),
    # 3M SIP2 2.00, End Patron Session (35)
    _define("35", "End Patron Session", SC, "36", fixed=(_DATE,),
            required="AO AA", optional="AC AD"),
    # 3M SIP2 2.00, End Session Response (36)
    _define("36", "End Session Response", ACS, None,
            fixed=(("end_session", 1, "YN"), _DATE), required="AO AA", optional="AF AG"),
    # 3M SIP2 2.00, Fee Paid (37)
    _define("37", "Fee Paid", SC, "38",
            fixed=(_DATE, ("fee_type", 2, "fee_type"), ("payment_type", 2, "payment_type"),
                   ("currency_type", 3, "currency")),
            required="BV AO AA", optional="AC AD CG BK"),
    # 3M SIP2 2.00, Fee Paid Response (38)
    _define("38", "Fee Paid Response", ACS, None,
            fixed=(("payment_accepted", 1, "YN"), _DATE),
            required="AO AA", optional="BK AF AG"),
    # 3M SIP2 2.00, Item Information (17)
    _define("17", "Item Information", SC, "18", fixed=(_DATE,),
            required="AO AB", optional="AC"),
    # 3M SIP2 2.00, Item Information Response (18)
    _define("18", "Item Information Response", ACS, None,
            fixed=(("circulation_status", 2, "circulation_status"),
                   ("security_marker", 2, "security_marker"),
                   ("fee_type", 2, "item_fee_type"), _DATE),
            required="AB AJ", optional="CF AH CJ CM BG BH BV CK AQ AP CH AF AG"),
    # 3M SIP2 2.00, Item Status Update (19)
    _define("19", "Item Status Update", SC, "20", fixed=(_DATE,),
            required="AO AB CH", optional="AC"),
    # 3M SIP2 2.00, Item Status Update Response (20)
    _define("20", "Item Status Update Response", ACS, None,
            fixed=(("item_properties_ok", 1, "01"), _DATE),
            required="AB", optional="AJ CH AF AG"),
    # 3M SIP2 2.00, Patron Enable (25)
    _define("25", "Patron Enable", SC, "26", fixed=(_DATE,),
            required="AO AA", optional="AC AD"),
    # 3M SIP2 2.00, Patron Enable Response (26)
    _define("26", "Patron Enable Response", ACS, None, fixed=(_PATRON_STATUS, _LANGUAGE, _DATE),
            required="AO AA AE", optional="BL CQ AF AG"),
    # 3M SIP2 2.00, Hold (15): hold mode + add, - delete, * change.
    _define("15", "Hold", SC, "16", fixed=(("hold_mode", 1, "hold_mode"), _DATE),
            required="AO AA", optional="BW BS BY AD AB AJ AC BO"),
    # 3M SIP2 2.00, Hold Response (16)
    _define("16", "Hold Response", ACS, None,
            fixed=(("ok", 1, "01"), ("available", 1, "YN"), _DATE),
            required="AO AA", optional="BW BR BS AB AJ AF AG"),
    # 3M SIP2 2.00, Renew (29)
    _define("29", "Renew", SC, "30",
            fixed=(("third_party_allowed", 1, "YN"), ("no_block", 1, "YN"), _DATE,
                   ("nb_due_date", 18, "date18_or_blank")),
            required="AO AA", optional="AD AB AJ AC CH BO"),
    # 3M SIP2 2.00, Renew Response (30)
    _define("30", "Renew Response", ACS, None,
            fixed=(("ok", 1, "01"), ("renewal_ok", 1, "YN"), ("magnetic_media", 1, "YNU"),
                   ("desensitize", 1, "YNU"), _DATE),
            required="AO AA AB AJ AH", optional="BT CI BH BV CK CH BK AF AG"),
    # 3M SIP2 2.00, Renew All (65)
    _define("65", "Renew All", SC, "66", fixed=(_DATE,),
            required="AO AA", optional="AD AC BO"),
    # 3M SIP2 2.00, Renew All Response (66)
    _define("66", "Renew All Response", ACS, None,
            fixed=(("ok", 1, "01"), ("renewed_count", 4, "digits4"),
                   ("unrenewed_count", 4, "digits4"), _DATE),
            required="AO", optional="BM BN AF AG", repeatable="BM BN"),
    # 3M SIP2 2.00, Request ACS Resend (97): the ACS repeats its last message. With error
    # detection it carries AZ but never AY (spec p.4, as Koha reads it).
    _define("97", "Request ACS Resend", SC, None),
    # 3M SIP2 2.00, Request SC Resend (96): the ACS could not use the last message
    # (e.g. a bad checksum); with error detection it is exactly 96AZFEF6.
    _define("96", "Request SC Resend", ACS, None),
)

MESSAGES: Mapping[str, MessageSpec] = MappingProxyType({spec.code: spec for spec in _TABLE})

# Messages that carry AZ without AY when error detection is on.
RESEND_CODES = frozenset({"96", "97"})


def spec_for(code: str) -> MessageSpec | None:
    return MESSAGES.get(code)
