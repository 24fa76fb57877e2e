"""What the OAI-PMH parser and harvester can say about a response: one table of rules.

Each rule names the clause of the OAI-PMH 2.0 specification it rests on (protocol version
2002-06-14, document version 2015-01-08, ``openarchivesprotocol.htm``; sections cited as §n)
or, for XML itself, the W3C recommendation. The parser and the harvester report
:class:`~harness.rules.Problem` values naming a rule here; they never raise on target bytes.

Severities: FAIL = the response breaks the clause; WARN = allowed, but a harvester or a
validator is known to stumble on it; INFO = noted, nothing wrong.
"""

from __future__ import annotations

from collections.abc import Mapping

from harness.rules import Position, Problem, Rule, Severity, rule_table

_F, _W, _I = Severity.FAIL, Severity.WARN, Severity.INFO

SPEC = "OAI-PMH 2.0"
XML = "Extensible Markup Language (XML) 1.0 (Fifth Edition)"
XSD = "XML Schema Part 1: Structures (Second Edition)"

RULES: Mapping[str, Rule] = rule_table((
    # -- HTTP embedding (§3.1) -------------------------------------------------------------
    Rule("http-status", _F, f"{SPEC} §3.1.2.1 HTTP Response Status Codes",
         "an OAI-PMH response, errors included, travels with HTTP status 200"),
    Rule("content-type", _F, f"{SPEC} §3.1.2 HTTP Response Format",
         "the Content-Type of every OAI-PMH response is text/xml"),
    Rule("retry-after-missing", _W, f"{SPEC} §3.1.2.1 HTTP Response Status Codes (503 Service Unavailable)",
         "a 503 tells the harvester when to come back with Retry-After"),
    # -- XML (§3.2) ----------------------------------------------------------------------------
    Rule("empty-body", _F, f"{SPEC} §3.1.2 HTTP Response Format",
         "responses to all OAI-PMH requests are well-formed XML instance documents"),
    Rule("not-well-formed", _F, f"{SPEC} §3.1.2 HTTP Response Format; {XML} §2.1 Well-Formed XML Documents",
         "the body is not well-formed XML"),
    Rule("illegal-character", _F, f"{SPEC} §3.2 XML Response Format; {XML} §2.2 Characters",
         "a character XML 1.0 forbids (e.g. a C0 control from legacy MARC data), even as a reference"),
    Rule("entity-declaration", _F, f"{SPEC} §3.2 XML Response Format (character references, not entity references)",
         "a DOCTYPE or entity reference where only character references are allowed"),
    Rule("xml-declaration", _F, f"{SPEC} §3.2 XML Response Format",
         "the first tag is an XML declaration, version 1.0, encoding UTF-8"),
    Rule("root-element", _F, f"{SPEC} §3.2 XML Response Format",
         "the root element is OAI-PMH in namespace http://www.openarchives.org/OAI/2.0/"),
    Rule("schema-location", _F, f"{SPEC} §3.2 XML Response Format",
         "the root's xsi:schemaLocation pairs the OAI 2.0 namespace with OAI-PMH.xsd"),
    Rule("schema-invalid", _F, f"{SPEC} §3.2.1 XML Schema for Validating Responses to OAI-PMH Requests",
         "the response is not valid against the OAI-PMH 2.0 schema"),
    Rule("response-date", _F, f"{SPEC} §3.2 XML Response Format (responseDate); §3.3.2 UTCdatetime in Protocol Responses",
         "responseDate is the UTC time of the response at seconds granularity, YYYY-MM-DDThh:mm:ssZ"),
    # -- the request echo (§3.2) ------------------------------------------------------------
    Rule("request-base-url", _F, f"{SPEC} §3.2 XML Response Format (request: the base URL of the protocol request)",
         "the request element's content is the repository's base URL"),
    Rule("identify-base-url", _F, f"{SPEC} §4.2 Identify (baseURL: the base URL of the repository)",
         "Identify's baseURL is the URL the repository is harvested at"),
    Rule("request-echo", _F, f"{SPEC} §3.2 XML Response Format (request: attributes are the request's key=value pairs)",
         "a successful request is echoed with exactly its arguments"),
    Rule("request-echo-on-error", _F, f"{SPEC} §3.2 XML Response Format (badVerb, badArgument: no attributes)",
         "after badVerb or badArgument the request element carries only the base URL"),
    # -- verbs and errors (§3.6, §4) ----------------------------------------------------------
    Rule("unexpected-verb", _F, f"{SPEC} §4 Protocol Requests and Responses",
         "the response is for another verb than the one asked"),
    Rule("error-not-for-verb", _F, f"{SPEC} §3.6 Error and Exception Conditions; §4 (each verb's error conditions)",
         "an error code the verb cannot return"),
    Rule("error-expected", _F, f"{SPEC} §3.6 Error and Exception Conditions",
         "the request called for a particular error code and got another answer"),
    # -- datestamps (§3.3, §4.2) --------------------------------------------------------------
    Rule("datestamp-syntax", _F, f"{SPEC} §3.3 UTCdatetime",
         "a datestamp is YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ and a real calendar date"),
    Rule("datestamp-granularity", _F, f"{SPEC} §3.3.2 UTCdatetime in Protocol Responses; §4.2 Identify (granularity)",
         "datestamps and earliestDatestamp use the granularity Identify declares"),
    Rule("before-earliest", _F, f"{SPEC} §4.2 Identify (earliestDatestamp: a guaranteed lower limit of all datestamps)",
         "a datestamp earlier than the declared earliestDatestamp"),
    Rule("outside-range", _F, f"{SPEC} §2.7.1 Selective Harvesting and Datestamps (from and until are inclusive)",
         "a record whose datestamp lies outside the from/until asked for"),
    # -- records (§2.5) --------------------------------------------------------------------------
    Rule("deleted-with-metadata", _F, f"{SPEC} §2.5.1 Deleted records; §4.5 ListRecords",
         "a header with status=\"deleted\" comes without metadata"),
    Rule("metadata-missing", _F, f"{SPEC} §2.5 Record; §4.1 GetRecord; §4.5 ListRecords",
         "a record that is not deleted carries its metadata"),
    Rule("deleted-not-declared", _F, f"{SPEC} §2.5.1 Deleted records (deletedRecord=no: never reveal a deletion)",
         "a deleted header from a repository that declares deletedRecord=no"),
    Rule("set-not-in-header", _F, f"{SPEC} §2.7.2 Selective Harvesting and Sets",
         "a record in a set harvest whose header does not list that set (or a child of it)"),
    # -- payloads (§3.4) -------------------------------------------------------------------------
    Rule("payload-schema-invalid", _F, f"{SPEC} §3.4 metadataPrefix and Metadata Schema",
         "a metadata payload is not valid against the schema of its format"),
    Rule("payload-schema-location", _F, f"{SPEC} §3.4 metadataPrefix and Metadata Schema; {XSD} §4.3.2",
         "a payload's xsi:schemaLocation pairs a namespace with another namespace's schema"),
    Rule("payload-namespace", _F, f"{SPEC} §3.4 metadataPrefix and Metadata Schema",
         "a payload in another namespace than the format asked for"),
    Rule("payload-unchecked", _I, f"{SPEC} §3.4 metadataPrefix and Metadata Schema",
         "a payload in a namespace the harness ships no schema for"),
    # -- flow control (§3.5) ---------------------------------------------------------------------
    Rule("token-expiration-date", _F, f"{SPEC} §3.5 Flow Control (expirationDate: a UTCdatetime)",
         "a resumptionToken's expirationDate is a UTC datetime with Z"),
    Rule("token-cursor", _F, f"{SPEC} §3.5 Flow Control (cursor: items returned before this response)",
         "cursor counts the list items of all earlier responses"),
    # completeListSize "may be only an estimate ... and may be revised during the list request
    # sequence" (§3.5): a page past it is worth a WARN, never a FAIL.
    Rule("token-list-size", _W, f"{SPEC} §3.5 Flow Control (completeListSize)",
         "completeListSize estimates the size of the complete list (cursor plus this page fits in it)"),
    Rule("token-on-last-page", _F, f"{SPEC} §3.5 Flow Control (the response completing the list has an empty token)",
         "a list that began with a token ends with an empty <resumptionToken/>"),
    Rule("token-whitespace", _W, f"{SPEC} §3.5 Flow Control",
         "a token of only whitespace: harvesters send it back and get badResumptionToken"),
    Rule("token-loop", _F, f"{SPEC} §3.5 Flow Control (each token continues the list)",
         "a token or a page came back that the harvest had already seen"),
    Rule("list-incomplete", _F, f"{SPEC} §3.5 Flow Control",
         "a page of a list that is not a list page (no token to go on with, no empty token)"),
))


def problem(rule_id: str, message: str, position: Position | None = None) -> Problem:
    """A :class:`Problem` naming a rule of this table (an unknown id is a programming error)."""
    return Problem(RULES[rule_id], message, position)


def at_line(line: int | None, label: str = "", record: int | None = None) -> Position:
    return Position(line or 0, "line", record, label)
