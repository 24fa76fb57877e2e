"""SRU response documents, written per version in the element order of the schemas.

1.1/1.2: ``srw-types.xsd`` (namespace ``http://www.loc.gov/zing/srw/``, diagnostics in
``http://www.loc.gov/zing/srw/diagnostic/``), ``version`` first and mandatory;
2.0: ``sruResponse.xsd`` (``.../search-ws/sruResponse``; scan ``.../search-ws/scan``;
diagnostics ``.../search-ws/diagnostic``), no ``version``, ``resultCountPrecision`` last.
Text from a request (echoed parameters, diagnostic details) is escaped and stripped of the
characters XML 1.0 cannot carry (§2.2), so any request yields a well-formed answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from harness.sandbox.sru.diagnostics import Diag
from harness.sru.model import SRU2_DIAG_NS, SRU2_NS, SRU2_SCAN_NS, SRW_DIAG_NS, SRW_NS

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
ECHO_ORDER: dict[str, dict[str, tuple[str, ...]]] = {
    "searchRetrieve": {
        "1.1": ("version", "query", "startRecord", "maximumRecords", "recordPacking", "recordSchema", "recordXPath",
                "resultSetTTL", "sortKeys", "stylesheet"),
        "1.2": ("version", "query", "startRecord", "maximumRecords", "recordPacking", "recordSchema", "resultSetTTL",
                "stylesheet"),
        "2.0": ("version", "queryType", "query", "startRecord", "maximumRecords", "recordXMLEscaping", "recordPacking",
                "recordSchema", "resultSetTTL", "sortKeys", "stylesheet"),
    },
    "scan": {v: ("version", "scanClause", "responsePosition", "maximumTerms", "stylesheet") for v in ("1.1", "1.2", "2.0")},
    "explain": {"1.1": ("version", "recordPacking", "stylesheet"), "1.2": ("version", "recordPacking", "stylesheet"),
                "2.0": ("version", "recordXMLEscaping", "recordPacking", "stylesheet")},
}


def text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


@dataclass(frozen=True, slots=True)
class Envelope:
    """Namespaces and conventions of one response: which version it is written as."""

    version: str
    namespace: str
    diag_namespace: str

    @classmethod
    def of(cls, version: str, operation: str, *, namespace_2_0: bool = False) -> Envelope:
        if version == "2.0" or namespace_2_0:
            return cls(version, SRU2_SCAN_NS if operation == "scan" else SRU2_NS, SRU2_DIAG_NS)
        return cls(version, SRW_NS, SRW_DIAG_NS)

    @property
    def is_2_0(self) -> bool:
        return self.version == "2.0"

    def element(self, name: str, content: str) -> str:
        return f"<zs:{name}>{content}</zs:{name}>"

    def document(self, root: str, parts: Sequence[str], stylesheet: str = "") -> bytes:
        head = '<?xml version="1.0" encoding="UTF-8"?>\n'
        if stylesheet:
            head += f"<?xml-stylesheet type=\"text/xsl\" href={quoteattr(_NOT_XML.sub('', stylesheet).replace('?>', ''))}?>\n"
        version = [] if self.is_2_0 else [self.element("version", self.version)]
        body = "".join([*version, *parts])
        return f'{head}<zs:{root} xmlns:zs="{self.namespace}">{body}</zs:{root}>\n'.encode()

    def echoed(self, name: str, operation: str, params: dict[str, str]) -> str:
        order = ECHO_ORDER[operation][self.version if self.version in ECHO_ORDER[operation] else "2.0"]
        fields = {**params, "version": self.version}
        inner = "".join(self.element(key, text(fields[key])) for key in order if key in fields)
        return self.element(name, inner)

    def diagnostics(self, diagnostics: Sequence[Diag]) -> str:
        if not diagnostics:
            return ""
        items = []
        for d in diagnostics:
            details = f"<diag:details>{text(d.details)}</diag:details>" if d.details else ""
            items.append(f'<diag:diagnostic xmlns:diag="{self.diag_namespace}"><diag:uri>{d.uri}</diag:uri>'
                         f"{details}<diag:message>{text(d.message)}</diag:message></diag:diagnostic>")
        return self.element("diagnostics", "".join(items))

    def record(self, schema: str, packing: str, xml: str, position: int | None) -> str:
        data = text(xml) if packing == "string" else xml
        escaping = "recordXMLEscaping" if self.is_2_0 else "recordPacking"
        parts = [self.element("recordSchema", text(schema)), self.element(escaping, packing), self.element("recordData", data)]
        if position is not None:
            parts.append(self.element("recordPosition", str(position)))
        return self.element("record", "".join(parts))


def search_retrieve(env: Envelope, *, hits: int | None, records: Sequence[str], next_position: int | None, echoed: str,
                    diagnostics: Sequence[Diag], stylesheet: str = "") -> bytes:
    """``hits`` None leaves numberOfRecords out (a deviation; never in a good answer)."""
    parts = [env.element("numberOfRecords", str(hits))] if hits is not None else []
    if records:
        parts.append(env.element("records", "".join(records)))
    if next_position is not None:
        parts.append(env.element("nextRecordPosition", str(next_position)))
    parts += [echoed, env.diagnostics(diagnostics)]
    if env.is_2_0:
        parts.append(env.element("resultCountPrecision", "info:srw/vocabulary/resultCountPrecision/1/exact"))
    return env.document("searchRetrieveResponse", parts, stylesheet)


def explain(env: Envelope, *, record: str, echoed: str, diagnostics: Sequence[Diag], stylesheet: str = "") -> bytes:
    return env.document("explainResponse", [record, echoed, env.diagnostics(diagnostics)], stylesheet)


@dataclass(frozen=True, slots=True)
class ScanTermOut:
    value: str
    count: int
    display: str
    where: str = ""


def scan(env: Envelope, *, terms: Sequence[ScanTermOut], echoed: str, diagnostics: Sequence[Diag], stylesheet: str = "") -> bytes:
    items = []
    for term in terms:
        where = env.element("whereInList", term.where) if term.where else ""
        items.append(env.element("term", env.element("value", text(term.value)) + env.element("numberOfRecords", str(term.count))
                                 + env.element("displayTerm", text(term.display)) + where))
    parts = [env.element("terms", "".join(items))] if items else []
    return env.document("scanResponse", [*parts, echoed, env.diagnostics(diagnostics)], stylesheet)
