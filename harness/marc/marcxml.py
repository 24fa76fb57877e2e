"""Streaming MARCXML checks: well-formedness, the MARC 21 slim schema, and MARC 21's own rules.

The document is read with ``lxml.etree.iterparse`` one ``record`` at a time; each record is
validated on its own against the shipped schema (``schema/MARC21slim.xsd``, never fetched)
and then cleared with its earlier siblings, so memory stays flat whatever the file size.
Where MARC 21 is stricter than the schema (tag case, subfield codes) the ISO 2709 rules of
:mod:`harness.marc.rules` apply too; a schema error that a MARC 21 rule already explains
(same line, same attribute) is not reported a second time.

A problem's ``offset`` is the source line here, not a byte offset.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO

from lxml import etree

from harness.marc.content import ContentField, ContentRecord, check_content
from harness.marc.rules import problem
from harness.rules import Problem, Severity

SLIM_NS = "http://www.loc.gov/MARC21/slim"
SCHEMA_PATH = Path(__file__).with_name("schema") / "MARC21slim.xsd"
_SLIM = f"{{{SLIM_NS}}}"
_RECORD, _COLLECTION = f"{_SLIM}record", f"{_SLIM}collection"

_TAG = re.compile(r"[0-9A-Z]{3}|[0-9a-z]{3}")
_INDICATOR = re.compile(r"[0-9a-z ]")
_CODE_MARC21 = re.compile(r"[0-9a-z]")
_CODE_LOCAL = re.compile(r"[!-~]")  # other ASCII graphic characters: local use only
_ATTRIBUTE = re.compile(r"attribute '(\w+)'")


@lru_cache(maxsize=1)
def marc21_slim_schema() -> etree.XMLSchema:
    """The MARC 21 slim schema, compiled once, from the copy shipped with the harness."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser))


class _RecordFindings:
    """One record's problems: the first message per rule, a count of the rest, and which
    (line, attribute) pairs a MARC 21 rule has already explained."""

    def __init__(self) -> None:
        self.first: dict[str, tuple[int, str]] = {}
        self.more: dict[str, int] = {}
        self.explained: set[tuple[int, str]] = set()

    def add(self, rule: str, line: int, message: str, attribute: str = "") -> None:
        if attribute:
            self.explained.add((line, attribute))
        if rule in self.first:
            self.more[rule] = self.more.get(rule, 0) + 1
        else:
            self.first[rule] = (line, f"line {line}: {message}")

    def problems(self, index: int, number: str | None) -> Iterator[Problem]:
        for rule, (line, message) in self.first.items():
            if more := self.more.get(rule):
                message += f" (and {more} more in this record)"
            yield problem(rule, message, line, index, number, unit="line")


class MarcXmlChecker:
    """Check one MARCXML document; ``records`` counts the MARC records met so far."""

    def __init__(self, source: str | Path | IO[bytes], content: bool = False) -> None:
        self.source = str(source) if isinstance(source, Path) else source
        self.records = 0
        self.content = content  # also the content designation checks (harness.marc.content), all WARN
        self._schema = marc21_slim_schema()

    def problems(self) -> Iterator[Problem]:
        context = etree.iterparse(
            self.source, events=("end",), tag=(_RECORD, "record"),
            no_network=True, resolve_entities=False, load_dtd=False,
        )
        root: etree._Element | None = None
        try:
            for _, element in context:
                if root is None:
                    root = element.getroottree().getroot()
                    yield from self._check_root(root)
                if element.tag == _RECORD or _looks_like_marc(element):
                    yield from self._check_record(element)
                    self.records += 1
                yield from self._release(element, root)
            root = context.root if root is None else root
            if root is not None:
                if self.records == 0:
                    yield from self._check_root(root)
                yield from self._collection_leftovers(root)
        except etree.XMLSyntaxError as exc:
            line, column = exc.position if exc.position else (exc.lineno or 0, 0)
            yield problem("xml-well-formed", f"line {line}, column {column}: {exc.msg}", line or 0, self.records,
                          unit="line")

    def _check_root(self, root: etree._Element) -> Iterator[Problem]:
        if root.tag in (_COLLECTION, _RECORD) or _looks_like_marc(root):
            return  # (a namespace-less record is reported as a record, once)
        line = _line(root)
        yield problem("xml-schema-valid", f"line {line}: the document element is <{_name(root)}>; a MARCXML document "
                      f"is a <collection> or <record> in namespace {SLIM_NS} (an OAI-PMH or SRU envelope, "
                      "MarcXchange, or a missing namespace?)", line, self.records, unit="line")

    def _check_record(self, record: etree._Element) -> Iterator[Problem]:
        found = _RecordFindings()
        slim = record.tag == _RECORD
        prefix = _SLIM if slim else ""
        if not slim:
            found.add("xml-schema-valid", _line(record),
                      f"<record> is not in the MARC 21 slim namespace {SLIM_NS}")
        number = _check_fields(record, prefix, found)
        if slim:
            try:
                if not self._schema.validate(record):
                    _schema_errors(self._schema.error_log, found)
            except etree.XMLSchemaValidateError as exc:  # libxml2 gives up, e.g. on an unexpanded entity
                found.add("xml-schema-valid", _line(record),
                          f"the record could not be validated ({exc}); entities are never expanded here")
        problems = list(found.problems(self.records, number))
        yield from problems
        if self.content and not any(p.severity is Severity.FAIL for p in problems):
            yield from check_content(_content_record(record, prefix, self.records))

    def _release(self, element: etree._Element, root: etree._Element | None) -> Iterator[Problem]:
        """Free what has been checked; in a slim collection, report anything but records first."""
        element.clear(keep_tail=True)  # type: ignore[call-arg]  # lxml-stubs lack keep_tail
        parent = element.getparent()
        if parent is None:
            return
        if parent is root and root.tag == _COLLECTION:
            for sibling in _siblings_before(element):
                yield from self._not_a_record(sibling)
            if element.tail and element.tail.strip():
                yield self._stray(_line(element), f"text {element.tail.strip()[:40]!r}")
        while element.getprevious() is not None:
            del parent[0]

    def _collection_leftovers(self, root: etree._Element) -> Iterator[Problem]:
        if root.tag != _COLLECTION:
            return
        if root.text and root.text.strip():
            yield self._stray(_line(root), f"text {root.text.strip()[:40]!r}")
        for child in root:
            yield from self._not_a_record(child)

    def _not_a_record(self, node: etree._Element) -> Iterator[Problem]:
        if isinstance(node.tag, str) and node.tag != _RECORD:
            yield self._stray(_line(node), f"element <{_name(node)}>")

    def _stray(self, line: int, what: str) -> Problem:
        return problem("xml-schema-valid", f"line {line}: {what} inside <collection>, which holds only <record> elements",
                       line, self.records, unit="line")


def iter_marcxml_problems(path_or_stream: str | Path | IO[bytes]) -> Iterator[Problem]:
    """Every problem of a MARCXML document, streaming."""
    return MarcXmlChecker(path_or_stream).problems()


def _content_record(record: etree._Element, prefix: str, index: int) -> ContentRecord:
    """The record's fields for the content checks (positions are source lines)."""
    leader = ""
    fields = []
    for element in record:
        name, tag = element.tag, element.get("tag", "")
        if name == f"{prefix}leader":
            leader = element.text or ""
        elif name == f"{prefix}controlfield":
            fields.append(ContentField(tag, data=element.text or "", at=_line(element)))
        elif name == f"{prefix}datafield":
            subfields = tuple((sub.get("code", ""), sub.text or "") for sub in element if sub.tag == f"{prefix}subfield")
            indicators = element.get("ind1", " ")[:1] + element.get("ind2", " ")[:1]
            fields.append(ContentField(tag, indicators, subfields, at=_line(element)))
    return ContentRecord(leader, tuple(fields), index, _line(record), "line")


def _line(element: etree._Element) -> int:
    """The element's source line, 0 when lxml does not know it."""
    line: int | None = element.sourceline  # type: ignore[assignment]  # lxml-stubs type it as '...'
    return line or 0


def _looks_like_marc(element: etree._Element) -> bool:
    """A namespace-less <record> holding MARC fields (not an SRU/OAI envelope's record)."""
    return element.tag == "record" and any(
        child.tag in ("leader", "controlfield", "datafield") for child in element)


def _check_fields(record: etree._Element, prefix: str, found: _RecordFindings) -> str | None:
    """MARC 21's own rules on tags, indicators and codes; returns the 001, if any."""
    number = None
    for field in record:
        name = field.tag
        line = _line(field)
        if name == f"{prefix}controlfield":
            tag = field.get("tag", "")
            _check_tag(tag, line, found)
            if tag == "001" and number is None:
                number = (field.text or "").strip() or None
        elif name == f"{prefix}datafield":
            tag = field.get("tag", "")
            _check_tag(tag, line, found)
            if tag.startswith("00"):
                found.add("control-field-no-subfields", line,
                          f"datafield {tag!r}: tags 00X are control fields, without indicators or subfields", "tag")
            for attribute in ("ind1", "ind2"):
                value = field.get(attribute)
                if value is None or not _INDICATOR.fullmatch(value):
                    found.add("indicator-valid", line, f"datafield {tag}: {attribute}={value!r}; "
                              "an indicator is one lowercase ASCII letter, digit or blank", attribute)
            for subfield in field:
                if subfield.tag == f"{prefix}subfield":
                    _check_code(subfield.get("code"), tag, _line(subfield), found)
    return number


def _check_tag(tag: str, line: int, found: _RecordFindings) -> None:
    if not _TAG.fullmatch(tag):
        found.add("tag-valid", line, f"tag {tag!r}: a tag is three ASCII digits or letters (one case)", "tag")
    elif not tag.isdigit():
        found.add("tag-alphabetic", line, f"alphabetic (local) tag {tag!r}")


def _check_code(code: str | None, tag: str, line: int, found: _RecordFindings) -> None:
    if code is not None and _CODE_MARC21.fullmatch(code):
        return
    if code is not None and _CODE_LOCAL.fullmatch(code):
        found.add("subfield-code-local", line, f"datafield {tag}: subfield code {code!r} is for local data, undefined in MARC 21")
        return
    found.add("subfield-code-valid", line, f"datafield {tag}: subfield code {code!r}; "
              "a code is one lowercase ASCII letter or digit", "code")


def _schema_errors(log: etree._ListErrorLog, found: _RecordFindings) -> None:
    fresh = []
    for error in log:
        attribute = _ATTRIBUTE.search(error.message)
        if not (attribute and (error.line, attribute[1]) in found.explained):
            fresh.append(error)
    for error in fresh:
        found.add("xml-schema-valid", error.line, _short(error.message))


def _short(message: str) -> str:
    """lxml's message without the namespace noise."""
    return message.replace(_SLIM, "")


def _siblings_before(element: etree._Element) -> list[etree._Element]:
    siblings = []
    node = element.getprevious()
    while node is not None:
        siblings.append(node)
        node = node.getprevious()
    return siblings[::-1]


def _name(element: etree._Element) -> str:
    """The element's name, with its namespace unless that is MARC 21 slim."""
    qname = etree.QName(element)
    return f"{{{qname.namespace}}}{qname.localname}" if qname.namespace not in (None, SLIM_NS) else qname.localname
