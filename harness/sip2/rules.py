"""What the SIP2 codec can say about bytes it was given: one table of rules.

The decoder never raises on what a target sends; it returns :class:`~harness.rules.Problem`
values (the harness's one rule model) naming a rule here, at a byte position with the field id
as its label. Each rule carries a severity and the clause it rests on, so a check can turn a
problem into evidence without restating the spec.

Severities use the harness's outcome words: FAIL = the bytes break a rule of the spec; WARN =
a common deviation the codec tolerates (and a check may still judge strictly); INFO = noted,
nothing wrong ("fields with unrecognized field identifiers should be ignored").
"""

from __future__ import annotations

from collections.abc import Mapping

from harness.rules import Position, Problem, Rule, Severity, rule_table

CodecFinding = Problem  # what the SIP2 codec reports: the harness's one problem model

_F, _W, _I = Severity.FAIL, Severity.WARN, Severity.INFO

_FORMAT = "3M SIP2 2.00, message format"
_FIELDS = "3M SIP2 2.00, fields"
_ED = "3M SIP2 2.00, error detection"

_TABLE: dict[str, tuple[Severity, str]] = {
    # -- framing (research §1.1 Terminator; §3 P1, P10) ---------------------------------------
    # "Each message ... is terminated by a carriage return."
    "terminator_crlf": (_W, f"{_FORMAT}: a message ends with CR (0x0D); CRLF seen"),
    "terminator_lf": (_W, f"{_FORMAT}: a message ends with CR (0x0D); bare LF seen"),
    "stray_lf": (_W, f"{_FORMAT}: a message ends with CR; an LF followed the previous CR"),
    "blank_line": (_W, f"{_FORMAT}: every frame is a message; empty frames seen"),
    "oversized": (_F, f"{_FORMAT}: no terminator within the harness's maximum frame size"),
    "truncated": (_F, f"{_FORMAT}: the stream ended inside a message (no terminator)"),
    # -- message layout (research §1.2) ---------------------------------------------------------
    "empty_frame": (_F, f"{_FORMAT}: a message starts with a 2-character command identifier"),
    "unknown_command": (_F, f"{_FORMAT}: the command identifier is one of the 2.00 messages"),
    "fixed_too_short": (_F, f"{_FORMAT}: all fixed-length fields precede the variable fields"),
    "fixed_field_format": (_F, f"{_FORMAT}: fixed-length field values"),
    "undecodable_bytes": (_F, "declared character set (SIP-03): every byte decodes"),
    # -- variable fields ---------------------------------------------------------------------
    "field_malformed": (_F, f"{_FIELDS}: a 2-character identifier, the value, then |"),
    "field_id_syntax": (_F, f"{_FIELDS}: identifiers are 2 upper-case letters"),
    "missing_trailing_delimiter": (_W, f"{_FIELDS}: every variable field ends with |"),
    "required_field_missing": (_F, f"{_FIELDS}: required fields"),
    # "Fields with unrecognized field identifiers should be ignored."
    "unknown_field": (_I, f"{_FIELDS}: unrecognized identifiers are ignored"),
    "repeated_field": (_F, f"{_FIELDS}: only AF, AG and the item lists repeat"),
    "field_too_long": (_F, f"{_FIELDS}: a variable field holds at most 255 characters"),
    "field_format": (_F, f"{_FIELDS}: field values with a defined form"),
    "misplaced_trailer": (_F, f"{_ED}: AY and AZ come last, AY<digit>AZ<4 hex>"),
    # -- error detection (research §0, §1.1 Checksum; §3 P3) -------------------------------------
    "bad_checksum": (_F, f"{_ED}: AZ = two's complement of the 16-bit byte sum through AZ"),
    "checksum_lowercase": (_F, f"{_ED}: the checksum is 4 upper-case hexadecimal digits"),
    "checksum_length": (_F, f"{_ED}: the checksum is exactly 4 hex digits (leading zeros kept)"),
    "checksum_not_hex": (_F, f"{_ED}: the checksum is 4 hexadecimal digits"),
    "ay_without_az": (_F, f"{_ED}: a sequence number AY is followed by a checksum AZ"),
    "az_without_ay": (_F, f"{_ED}: AZ follows AY<sequence number> (only 96/97 omit AY)"),
    "ay_on_resend": (_W, f"{_ED}: 96 and 97 carry AZ only, no sequence number (p.4)"),
    "sequence_syntax": (_F, f"{_ED}: the sequence number is one digit 0-9"),
    # -- dates (research §1.1 Date format; §3 P9) ---------------------------------------------
    "date_format": (_F, "3M SIP2 2.00, dates: 18 characters YYYYMMDDZZZZHHMMSS"),
}
RULES: Mapping[str, Rule] = rule_table(Rule(rule_id, severity, clause) for rule_id, (severity, clause) in _TABLE.items())


def finding(rule: str, message: str, byte_offset: int | None = None, field_id: str | None = None) -> Problem:
    """A problem under ``rule``, at a byte of the frame, labelled with the field it is in."""
    position = Position(byte_offset, "byte", label=field_id or "") if byte_offset is not None or field_id else None
    return Problem(RULES[rule], message, position)


# Which check owns which rules (DESIGN.md: a fault is reported once, by the check that owns it).
# The layout check judges LAYOUT_RULES only; the others are judged by the checks of the
# terminator, the checksums and sequence numbers, and the declared character set.
FRAMING_RULES = frozenset({"terminator_crlf", "terminator_lf", "stray_lf", "blank_line", "oversized", "truncated"})
ERROR_DETECTION_RULES = frozenset({
    "misplaced_trailer", "bad_checksum", "checksum_lowercase", "checksum_length", "checksum_not_hex",
    "ay_without_az", "az_without_ay", "ay_on_resend", "sequence_syntax",
})
CHARSET_RULES = frozenset({"undecodable_bytes"})
LAYOUT_RULES = frozenset(RULES) - FRAMING_RULES - ERROR_DETECTION_RULES - CHARSET_RULES
