"""What the SRU response parser can say about bytes a target sent: one table of rules.

The parser never raises on a target's bytes; it reports :class:`~harness.rules.Problem`
values that name a rule here. Each rule carries the clause it rests on:

* SRU 1.1 and 1.2: the Library of Congress SRU pages ("SRU Version 1.1" archive; "SRU 1.2:
  searchRetrieve Operation", "Explain Operation", "Scan Operation", "Diagnostics"), whose
  XML schema is ``srw-types.xsd`` (namespace ``http://www.loc.gov/zing/srw/``);
* SRU 2.0: OASIS searchRetrieve Version 1.0 (OASIS Standard, 30 January 2013), Part 3
  "searchRetrieve Operation: APD Binding for SRU 2.0" (response schema ``sruResponse.xsd``,
  namespace ``http://docs.oasis-open.org/ns/search-ws/sruResponse``) and Part 6 "Scan"
  (``scan.xsd``, namespace ``http://docs.oasis-open.org/ns/search-ws/scan``); Part 2 is
  the OASIS edition of SRU 1.2 and is cited where the 1.2 rule is the same;
* explain records: ZeeRex 2.0 (``http://explain.z3950.org/dtd/2.0/``), which SRU 1.2's
  Explain page and SRU 2.0 Part 3's explain section adopt as the explain record schema.

FAIL = the bytes break the response schema or a "must"; WARN = allowed, but a client or a
consortium profile will stumble; INFO = noted, nothing wrong.
"""

from __future__ import annotations

from collections.abc import Mapping

from harness.rules import Position, Problem, Rule, Severity, rule_table

_F, _W, _I = Severity.FAIL, Severity.WARN, Severity.INFO

SRU11 = "LoC SRU 1.1"
SRU12 = "LoC SRU 1.2"
SRU12_SR = f"{SRU12}, searchRetrieve Operation, Response Parameters"
SRU12_SCAN = f"{SRU12}, Scan Operation, Response Parameters"
SRU12_EXPLAIN = f"{SRU12}, Explain Operation"
SRU12_RECORDS = f"{SRU12}, searchRetrieve Operation, Records (recordPacking)"
SRU_DIAG = "LoC SRU Diagnostics List (info:srw/diagnostic/1/N); OASIS searchRetrieve v1.0 Part 3, Diagnostics"
OASIS2 = "OASIS searchRetrieve v1.0 Part 2 (SRU 1.2)"
OASIS3 = "OASIS searchRetrieve v1.0 Part 3 (SRU 2.0)"
OASIS3_SR = f"{OASIS3}, Response Elements (sruResponse.xsd searchRetrieveResponseDefinition)"
OASIS3_RECORD = f"{OASIS3}, Response Elements: record (recordXMLEscaping, recordPacking)"
OASIS6_SCAN = "OASIS searchRetrieve v1.0 Part 6 (Scan), scanResponse (scan.xsd)"
ZEEREX = "ZeeRex 2.0 (http://explain.z3950.org/dtd/2.0/), adopted by SRU 1.2 Explain and SRU 2.0 Part 3"
XML = "XML 1.0 (Fifth Edition) §2.1 well-formed documents; §4.2.2 external entities"

SRU_RULES: Mapping[str, Rule] = rule_table((
    # --- the document --------------------------------------------------------------------
    Rule("not-xml", _F, f"{XML}; {SRU12_SR}: the response is an XML document",
         "the body is not well-formed XML (or is empty)"),
    Rule("doctype", _W, XML,
         "the document declares a DOCTYPE; the parser resolves no entity, so a reader may see other text"),
    Rule("unknown-root", _F, f"{SRU12_SR}; {OASIS3_SR}",
         "the root is not searchRetrieveResponse, explainResponse or scanResponse in an SRU namespace"),
    Rule("wrong-operation", _F, f"{SRU12_SR}; {OASIS3_SR}",
         "the root element answers another operation than the one asked"),
    # --- namespaces and versions -----------------------------------------------------------
    Rule("namespace-version-mismatch", _F,
         f"{SRU12_SR} (namespace http://www.loc.gov/zing/srw/); {OASIS3} (namespace .../search-ws/sruResponse)",
         "the response namespace belongs to another SRU version than the one it states or was asked"),
    Rule("mixed-namespaces", _F, f"{SRU12_SR}; {OASIS3_SR}",
         "elements of the 1.x and the 2.0 response namespaces in one response"),
    Rule("version-missing", _F, f"{SRU12_SR}: version is mandatory in a 1.x response",
         "a 1.x response has no version element"),
    Rule("version-in-2.0", _W, f"{OASIS3_SR}: version 'is removed in version 2.0'",
         "a 2.0 response carries a version element"),
    Rule("version-not-asked", _F, f"{SRU12}, Version: a server answers in the version asked, or a lower one it supports",
         "the response states a version higher than the one asked (and is no diagnostic 5)"),
    # --- scalar elements -------------------------------------------------------------------
    Rule("number-of-records-missing", _F, f"{SRU12_SR}: numberOfRecords is mandatory; 'if the query fails this must be 0' (srw-types.xsd: minOccurs 1)",
         "a 1.x searchRetrieveResponse has no numberOfRecords (also when a fatal diagnostic is returned)"),
    Rule("not-an-integer", _F, f"{SRU12_SR}; {OASIS3_SR} (xs:nonNegativeInteger / xs:positiveInteger)",
         "numberOfRecords, nextRecordPosition, recordPosition or a term count is not a valid integer"),
    Rule("repeated-element", _F, f"{SRU12_SR}; {OASIS3_SR}: the element occurs at most once",
         "an element that occurs once occurs more than once"),
    Rule("result-count-precision-in-1x", _F, f"{OASIS3_SR}: resultCountPrecision is new in 2.0, not used in 1.2 or earlier",
         "a 1.x response carries resultCountPrecision"),
    Rule("result-count-precision-value", _W, f"{OASIS3}, resultCountPrecision: info:srw/vocabulary/resultCountPrecision/1/ values",
         "resultCountPrecision is not one of exact, unknown, estimate, maximum, minimum, current"),
    # --- records ------------------------------------------------------------------------------
    Rule("record-schema-missing", _F, f"{SRU12_SR}: record/recordSchema is mandatory; {OASIS3_RECORD}",
         "a record has no recordSchema"),
    Rule("record-data-missing", _F, f"{SRU12_SR}: record/recordData is mandatory; {OASIS3_RECORD}",
         "a record has no recordData"),
    Rule("record-packing-value", _F, f"{SRU12_RECORDS}: recordPacking is 'xml' or 'string'",
         "a 1.x record's recordPacking is neither xml nor string"),
    Rule("record-escaping-value", _F, f"{OASIS3_RECORD}: recordXMLEscaping is 'xml' or 'string'",
         "a 2.0 record's recordXMLEscaping is neither xml nor string"),
    Rule("record-packing-1x-meaning-in-2.0", _F,
         f"{OASIS3_RECORD}: in 2.0 recordPacking means packed|unpacked; escaping is recordXMLEscaping",
         "a 2.0 record says recordPacking xml|string (the 1.x meaning) instead of recordXMLEscaping"),
    Rule("record-escaping-in-1x", _F, f"{OASIS3_RECORD}: recordXMLEscaping is valid only for 2.0 or later",
         "a 1.x record carries recordXMLEscaping"),
    Rule("record-data-not-as-packed", _F, f"{SRU12_RECORDS}; {OASIS3_RECORD}",
         "recordData does not hold what its packing says: escaped text for string, an element for xml"),
    Rule("escaped-record-not-xml", _F, f"{SRU12_RECORDS}: with packing string the record is escaped XML",
         "the escaped record (packing string) does not parse as XML"),
    Rule("record-position-order", _F, f"{SRU12_SR}: recordPosition is the record's position in the result set",
         "recordPosition values are not consecutive from the first record's position"),
    Rule("marcxml-namespace", _F, "MARC 21 XML Schema (MARC21slim.xsd): namespace http://www.loc.gov/MARC21/slim",
         "a record labelled MARCXML is not a record element in the MARC 21 slim namespace (e.g. xmlns=\"\")"),
    Rule("surrogate-diagnostic", _I, f"{SRU_DIAG}: a surrogate diagnostic stands in a record's place",
         "a record position holds a diagnostic instead of a record"),
    # --- paging ------------------------------------------------------------------------------
    Rule("next-position-on-last-page", _F,
         f"{SRU12_SR}: nextRecordPosition is omitted when there are no further records; {OASIS3_SR}",
         "nextRecordPosition is present although the last record of the result set is in this page"),
    Rule("next-position-wrong", _F, f"{SRU12_SR}: nextRecordPosition is the position of the next record",
         "nextRecordPosition is not the position after the last record returned"),
    Rule("next-position-missing", _F,
         f"{SRU12_SR}: nextRecordPosition, 'The next position within the result set following the final returned "
         "record. If there are no remaining records, this field should be omitted.' (so it is given while records "
         "remain); " + OASIS3_SR,
         "records remain after this page but nextRecordPosition is absent (a client cannot follow the result set)"),
    Rule("more-records-than-hits", _F, f"{SRU12_SR}: records of the result set",
         "the page holds records past numberOfRecords"),
    # --- diagnostics -------------------------------------------------------------------------
    Rule("diagnostic-uri-missing", _F, f"{SRU_DIAG}: uri is mandatory in a diagnostic",
         "a diagnostic has no uri"),
    Rule("diagnostic-namespace", _F, f"{SRU_DIAG}: 1.x http://www.loc.gov/zing/srw/diagnostic/, 2.0 .../search-ws/diagnostic",
         "a diagnostic is not in the diagnostic namespace of the response's version"),
    Rule("diagnostic-uri-form", _W, f"{SRU_DIAG}: SRU diagnostics are info:srw/diagnostic/1/N",
         "a diagnostic uri is not of the form info:srw/diagnostic/1/N"),
    Rule("diagnostic-5-without-version", _W, f"{SRU_DIAG}, 5 Unsupported version: details = highest version supported",
         "diagnostic 5 does not name a version in its details"),
    # --- explain -----------------------------------------------------------------------------
    Rule("explain-record-missing", _F, f"{SRU12_EXPLAIN}: the explainResponse holds one record; {OASIS3}",
         "an explainResponse has no record"),
    Rule("explain-not-zeerex", _F, f"{ZEEREX}: the explain record is a ZeeRex explain element",
         "the explain record is not a ZeeRex explain element"),
    Rule("explain-server-info", _F, f"{ZEEREX}, serverInfo: host, port and database are mandatory",
         "serverInfo lacks host, port or database"),
    Rule("explain-index-without-name", _W, f"{ZEEREX}, indexInfo/index/map/name: a CQL index is named by set and name",
         "an index has no map/name, so a client cannot query it by CQL"),
    Rule("explain-undeclared-set", _W, f"{ZEEREX}, indexInfo/set: each context set used in a name is declared",
         "an index name uses a context set that indexInfo does not declare"),
    Rule("explain-schema-without-identifier", _F, f"{ZEEREX}, schemaInfo/schema: identifier is mandatory",
         "a schema has no identifier URI"),
    Rule("explain-config-value", _W, f"{ZEEREX}, configInfo: default/setting values are numbers for numberOfRecords, maximumRecords",
         "a configInfo numberOfRecords or maximumRecords value is not an integer"),
    # --- scan --------------------------------------------------------------------------------
    Rule("scan-term-without-value", _F, f"{SRU12_SCAN}: term/value is mandatory; {OASIS6_SCAN}",
         "a scan term has no value"),
    Rule("scan-namespace", _F, f"{OASIS6_SCAN}: a 2.0 scanResponse is in namespace http://docs.oasis-open.org/ns/search-ws/scan",
         "a 2.0 scanResponse in the searchRetrieve response namespace or the 1.x namespace"),
))


def problem(rule_id: str, message: str, position: Position | None = None) -> Problem:
    """A problem naming a rule of :data:`SRU_RULES` (a wrong id is a harness bug: KeyError)."""
    return Problem(SRU_RULES[rule_id], message, position)


__all__ = ["SRU_RULES", "Position", "Problem", "Rule", "Severity", "problem"]
