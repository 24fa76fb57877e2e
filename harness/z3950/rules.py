"""What the Z39.50 codec and client can say about a target's bytes: one table of rules.

Each rule names the clause it rests on. Clauses cite ANSI/NISO Z39.50-2003 (ISO 23950) by
section (3.x = service definition, 4.x = protocol specification) or by appendix mnemonic
(ASN1, ERR, REC), ITU-T X.690 (BER) for the encoding, and the character set negotiation
definition 1.2.840.10003.15.3 ("charneg-3", Z39.50 Maintenance Agency, 2000; Z39.50-1995
Amendment 2 model) for character sets. The framer and the decoder never raise on a target's
bytes: they return :class:`~harness.rules.Problem` values naming a rule below.
"""

from __future__ import annotations

from collections.abc import Mapping

from harness.rules import Position, Problem, Rule, Severity, rule_table

_F, _W, _I = Severity.FAIL, Severity.WARN, Severity.INFO

_BER = "ITU-T X.690 (BER)"
_APDU = "Z39.50-2003 Appendix ASN1 (Z39-50-APDU-1995)"
_CHARNEG = "Z39.50 charneg-3 (1.2.840.10003.15.3), general rules"

RULES: Mapping[str, Rule] = rule_table([
    # -- BER framing (harness/z3950/ber.py) ---------------------------------------------------
    Rule("ber_not_a_pdu", _F, f"{_APDU}: PDU ::= CHOICE of context tags [20]..[50], constructed",
         "the first octet of a PDU is not a constructed context-specific tag"),
    Rule("ber_tag_too_long", _F, f"{_BER} 8.1.2.4: tag numbers the PDU definitions use",
         "a high-form tag number longer than any Z39.50 tag"),
    Rule("ber_length_reserved", _F, f"{_BER} 8.1.3.5 c): the length octet 0xFF is reserved",
         "the reserved length octet 0xFF"),
    Rule("ber_indefinite_primitive", _F, f"{_BER} 8.1.3.2 a): indefinite length only for constructed",
         "an indefinite length on a primitive element"),
    Rule("ber_bad_end_of_contents", _F, f"{_BER} 8.1.5: end-of-contents is two zero octets",
         "an end-of-contents octet 00 followed by a non-zero length"),
    Rule("ber_too_deep", _F, f"{_BER} 8.1.3.6; {_APDU}: nesting no Z39.50 PDU needs",
         "indefinite-length elements nested deeper than the harness's limit"),
    Rule("ber_truncated", _F, f"{_BER} 8.1.1: a PDU is complete before the stream ends",
         "the connection ended inside a PDU"),
    Rule("pdu_too_large", _F, "Z39.50-2003 3.2.1.1.6 (Preferred-message-size and Exceptional-record-size)",
         "a PDU larger than the harness accepts (at least the negotiated maximum)"),
    # -- decoding a whole PDU (harness/z3950/codec.py) -----------------------------------------
    Rule("pdu_undecodable", _F, f"{_APDU}: the PDU decodes against its ASN.1 type",
         "the PDU's contents do not match the ASN.1 of its type"),
    Rule("pdu_not_modelled", _I, f"{_APDU}: PDU ::= CHOICE (tags [28]..[34], [45]..[47], [49], [50])",
         "a valid PDU the harness does not decode (access control, resource control, segment, ES, ...)"),
    Rule("pdu_unknown_tag", _F, f"{_APDU}: PDU ::= CHOICE has no alternative with this tag",
         "a context tag no Z39.50 PDU uses"),
    Rule("external_undecodable", _F, "Z39.50-2003 Appendix REC / ERR: an EXTERNAL decodes as its direct-reference says",
         "an EXTERNAL (OPAC record, diag-1, negotiation record) that does not decode as its OID says"),
    Rule("text_not_utf8", _F, f"{_CHARNEG}: UTF-8 in force for name and message strings",
         "an InternationalString that is not UTF-8 after UTF-8 was negotiated"),
    Rule("text_not_utf8_unnegotiated", _I, "Z39.50-2003 Appendix ASN1: InternationalString ::= GeneralString",
         "an InternationalString that is not UTF-8 (no UTF-8 was negotiated)"),
    # -- the conversation (harness/z3950/client.py) -------------------------------------------
    Rule("unexpected_pdu", _F, "Z39.50-2003 3.1.3 and 3.2: a request is answered by its response PDU",
         "a response PDU of another service than the request's"),
    Rule("reference_id_not_echoed", _F, "Z39.50-2003 3.4 (Reference-id): the target returns the origin's Reference-id",
         "the response's referenceId differs from the request's"),
    # Table 15 gives Reference-id "if appl." in the Close response, but its note allows a Close
    # crossing the origin's to serve as the response: a WARN, not a FAIL.
    Rule("close_reference_id_not_echoed", _W, "Z39.50-2003 3.2.11.1 Table 15 and 3.4 (Reference-id)",
         "the target's Close answering the origin's Close does not carry its Reference-id"),
    Rule("unsolicited_pdu", _W, "Z39.50-2003 3.1.3: target-initiated PDUs (access or resource control)",
         "a PDU that answers no request the harness sent"),
    # Close is a confirmed service: a connection dropped in answer to the origin's Close is a FAIL.
    Rule("close_not_answered", _F, "Z39.50-2003 3.2.11.1 (Close, a confirmed service): the responder answers a Close with a Close",
         "the target ended the connection instead of answering the origin's Close"),
    Rule("dropped_without_close", _W, "Z39.50-2003 3.2.11.1 (Close): the target closes the Z-association with Close",
         "the target closed the TCP connection without sending a Close PDU"),
    Rule("charset_not_proposed", _F, f"{_CHARNEG} 4: the target selects from the origin's proposal",
         "the target selected a character set the origin did not propose"),
])


def problem(rule_id: str, message: str, offset: int | None = None, *, label: str = "",
            record: int | None = None) -> Problem:
    """A :class:`Problem` for rule ``rule_id`` at byte ``offset`` (of the stream or the PDU)."""
    position = Position(offset, "byte", record, label) if offset is not None else None
    return Problem(RULES[rule_id], message, position)
