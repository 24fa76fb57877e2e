"""The structural rules the MARC checkers apply, as a table, each with the clause it checks.

A rule id is what a problem, a report and a test name; its clause is what the evidence cites.
Two sources are cited:

* ``MARC 21 Specifications for Record Structure, Character Sets, and Exchange Media``
  (Library of Congress; "Record Structure" with its Leader, Directory and Variable Fields
  sections, and "Character Sets" with its MARC-8 and Unicode encoding environments);
* ``ISO 2709:2008`` (Format for information exchange), which MARC 21 implements. Its record
  label is clause 4.3 (4.3.2 record length, 4.3.5 indicator length, 4.3.6 identifier length,
  4.3.7 base address of data, 4.3.9 entry map), the directory 4.4 and the data fields 4.5.

MARCXML rules cite the MARC 21 XML Schema (``MARC21slim.xsd``, LC), shipped in ``schema/``.

Severity: FAIL breaks the structure a reader relies on; WARN is allowed by the specification
but is known to break real readers or is reserved for local use. The content rules (MARC 21
Format for Bibliographic Data) are in :mod:`harness.marc.content`, all WARN.

A MARC problem's :class:`~harness.rules.Position` counts bytes from the start of the file
(ISO 2709) or source lines (MARCXML); ``record`` is the 0-based record index in the file and
``label`` the record's control number (001), when it has one.
"""

from __future__ import annotations

from collections.abc import Mapping

from harness.rules import Position, Problem, Rule, Severity, rule_table

MARC_SPEC = "MARC 21 Specifications for Record Structure, Character Sets, and Exchange Media"
STRUCTURE = f"{MARC_SPEC}, Record Structure"
CHARSETS = f"{MARC_SPEC}, Character Sets"
ISO = "ISO 2709:2008"
XML_SCHEMA = "MARC 21 XML Schema (MARC21slim.xsd, namespace http://www.loc.gov/MARC21/slim)"

FAIL, WARN = Severity.FAIL, Severity.WARN

_TABLE: tuple[Rule, ...] = (
    # --- framing -------------------------------------------------------------------------
    Rule("truncated-record", FAIL,
         f"{STRUCTURE}: Record terminator (1D hex) ends every record; {ISO} clause 4 (record structure)",
         "the file ends (or runs on) inside a record: no record terminator"),
    Rule("record-too-short", FAIL,
         f"{STRUCTURE}: Leader (24 octets, character positions 00-23); {ISO} 4.3",
         "a record shorter than its 24-octet leader plus the record terminator"),
    Rule("inter-record-garbage", WARN,
         f"{MARC_SPEC}, Exchange Media: a file is a sequence of records, each ending with the record terminator; {ISO} clause 4 (record structure)",
         "bytes (whitespace, newlines, padding) between or after records; pymarc stops reading there"),
    # --- leader --------------------------------------------------------------------------
    Rule("leader-length-numeric", FAIL,
         f"{STRUCTURE}: Leader/00-04 record length, five ASCII digits; {ISO} 4.3.2",
         "leader/00-04 (record length) is not five ASCII digits"),
    Rule("record-length-bytes", FAIL,
         f"{STRUCTURE}: Leader/00-04 record length, in octets, including the leader and the record terminator; {ISO} 4.3.2",
         "leader/00-04 does not equal the record's length in bytes"),
    Rule("record-length-limit", FAIL,
         f"{STRUCTURE}: Leader/00-04 record length, maximum 99999 octets; {ISO} 4.3.2",
         "a record over 99,999 bytes cannot be represented in ISO 2709"),
    Rule("leader-fixed-positions", FAIL,
         f"{STRUCTURE}: Leader/10 indicator count '2', Leader/11 subfield code length '2', Leader/20-23 entry map '4500'; {ISO} 4.3.5, 4.3.6, 4.3.9",
         "leader/10, /11 or /20-23 differ from the values MARC 21 fixes"),
    Rule("leader09-value", FAIL,
         f"{STRUCTURE}: Leader/09 character coding scheme, blank (MARC-8) or 'a' (UCS/Unicode)",
         "leader/09 is neither blank nor 'a'"),
    Rule("base-address", FAIL,
         f"{STRUCTURE}: Leader/12-16 base address of data = length of leader and directory, including the directory's field terminator; {ISO} 4.3.7",
         "leader/12-16 does not point just past the directory's field terminator"),
    # --- directory -----------------------------------------------------------------------
    Rule("directory-terminator", FAIL,
         f"{STRUCTURE}: Directory, ends with a field terminator (1E hex); {ISO} 4.4",
         "no field terminator ends the directory"),
    Rule("directory-length-multiple-of-12", FAIL,
         f"{STRUCTURE}: Directory, entries of 12 characters: tag (3), field length (4), starting position (5); {ISO} 4.3.9, 4.4",
         "the directory's length is not a multiple of 12"),
    Rule("directory-entry-numeric", FAIL,
         f"{STRUCTURE}: Directory, field length and starting character position are ASCII digits; {ISO} 4.4",
         "a directory entry's field length or starting position is not numeric"),
    Rule("directory-entry-in-bounds", FAIL,
         f"{STRUCTURE}: Directory, starting character position relative to the base address of data; {ISO} 4.4",
         "a directory entry points outside the record's data area"),
    Rule("tag-valid", FAIL,
         f"{STRUCTURE}: Directory, tag: three ASCII digits or letters (upper or lower case, not both); {ISO} 4.4",
         "a tag that is not three ASCII alphanumeric characters"),
    Rule("tag-alphabetic", WARN,
         f"{STRUCTURE}: Directory, tag; MARC 21 formats use numeric tags, alphabetic tags are for local data",
         "an alphabetic tag (local, e.g. Aleph's CAT or FMT): allowed, but undefined in MARC 21"),
    Rule("field-length-limit", FAIL,
         f"{STRUCTURE}: Directory, field length of four digits, maximum 9999 octets (MARC 21 uses no continuation entries); {ISO} 4.4",
         "a field over 9,999 bytes cannot be represented: the directory length overflows"),
    # --- variable fields -------------------------------------------------------------------
    Rule("field-terminator", FAIL,
         f"{STRUCTURE}: Variable fields, each ends with a field terminator (1E hex) at the length the directory gives; {ISO} 4.5",
         "a field does not end with a field terminator exactly where its directory entry says"),
    Rule("record-terminator", FAIL,
         f"{STRUCTURE}: the last field's terminator is followed by the record terminator (1D hex); {ISO} clause 4 (record structure)",
         "the record terminator does not follow the last field terminator"),
    Rule("control-field-no-subfields", FAIL,
         f"{STRUCTURE}: Variable control fields (00X) contain no indicators or subfield codes",
         "a control field (00X) contains a subfield delimiter"),
    Rule("indicator-valid", FAIL,
         f"{STRUCTURE}: Variable data fields, two indicators, each an ASCII lowercase letter, digit or blank; {ISO} 4.3.5, 4.5",
         "a data field whose two indicators are missing or not [0-9a-z ]"),
    Rule("data-field-structure", FAIL,
         f"{STRUCTURE}: Variable data fields, indicators followed by subfields, each a delimiter (1F hex) and a data element identifier; {ISO} 4.5",
         "data between the indicators and the first subfield delimiter"),
    Rule("subfield-code-valid", FAIL,
         f"{STRUCTURE}: Subfield code, a delimiter (1F hex) and a one-character ASCII data element identifier (lowercase letter or digit in MARC 21 formats); {ISO} 4.3.6",
         "a subfield code that is missing, blank, a control character or not ASCII"),
    Rule("subfield-code-local", WARN,
         f"{STRUCTURE}: Subfield code; ASCII graphic symbols (and, per MARC21slim.xsd 1.2, capitals) are allowed for local data only",
         "a subfield code that is a symbol or a capital letter: no MARC 21 format defines one"),
    # --- character encoding ------------------------------------------------------------------
    Rule("utf8-valid", FAIL,
         f"{CHARSETS}: Unicode Encoding Environment (UTF-8 when Leader/09 = 'a')",
         "leader/09 says Unicode but the bytes are not valid UTF-8"),
    Rule("leader09-matches-encoding", FAIL,
         f"{STRUCTURE}: Leader/09 character coding scheme; {CHARSETS}: MARC-8 and Unicode Encoding Environments",
         "leader/09 is blank (MARC-8) but the non-ASCII bytes are valid multi-byte UTF-8"),
    # --- MARCXML --------------------------------------------------------------------------
    Rule("xml-well-formed", FAIL,
         f"Extensible Markup Language (XML) 1.0, well-formedness; {XML_SCHEMA}",
         "the MARCXML document is not well-formed XML"),
    Rule("xml-schema-valid", FAIL,
         XML_SCHEMA,
         "a MARCXML document or record is not valid against the MARC 21 slim schema"),
)

RULES: Mapping[str, Rule] = rule_table(_TABLE)


def problem(rule_id: str, message: str, offset: int, record: int, number: str | None = None,
            unit: str = "byte") -> Problem:
    """A problem with one of the rules above, where a MARC checker found it.

    ``offset`` counts ``unit`` ("byte" in ISO 2709, "line" in MARCXML) from the start of the
    file; ``record`` is the record's 0-based index; ``number`` its 001, if it has one.
    """
    return Problem(RULES[rule_id], message, Position(offset, unit, record, number or ""))
