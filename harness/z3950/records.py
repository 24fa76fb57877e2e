"""Records as a target returns them: NamePlusRecord, EXTERNAL record syntaxes, OPAC holdings.

Z39.50-2003 3.2.3.1 (Present) and Appendix ASN1 (Records, NamePlusRecord): each position
holds a retrieval record (an EXTERNAL whose direct-reference names the record syntax) or a
surrogate diagnostic (e.g. Bib-1 16/17 when the record is too large, 238/239 when it is not
available in the syntax). MARC 21 (USMARC) and XML travel as octet-aligned bytes; SUTRS and
OPAC as single-ASN1-type values, decoded here. OPAC (Appendix REC, 1.2.840.10003.5.102)
carries a bibliographic record and holdings with circulation data: what KAT-01 and KAT-04
read (holdings per library, availability after a SIP2 checkout).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.z3950.diagnostics import Diagnostic
from harness.z3950.oids import OPAC, SUTRS
from harness.z3950.reading import Reading


@dataclass(frozen=True, slots=True)
class External:
    """An EXTERNAL value: its OID, how it is encoded, and the bytes.

    ``data`` is the octets for octet-aligned; for single-ASN1-type the encoded inner value
    (for SUTRS, the text's bytes after the GeneralString header).
    """

    oid: str
    encoding: str  # "octet-aligned", "single-ASN1-type", "arbitrary"
    data: bytes

    @classmethod
    def from_asn1(cls, value: dict[str, Any]) -> External:
        encoding, data = value["encoding"]
        raw = bytes(data[0]) if encoding == "arbitrary" else bytes(data)
        return cls(str(value.get("direct-reference") or ""), encoding, raw)

    def to_asn1(self) -> dict[str, Any]:
        data: Any = (self.data, len(self.data) * 8) if self.encoding == "arbitrary" else self.data
        body: dict[str, Any] = {"encoding": (self.encoding, data)}
        if self.oid:
            body["direct-reference"] = self.oid
        return body


@dataclass(frozen=True, slots=True)
class Circulation:
    """CircRecord: one item's availability."""

    available_now: bool
    item_id: str = ""
    availability_date: str = ""
    available_thru: str = ""
    restrictions: str = ""
    renewable: bool = False
    on_hold: bool = False
    temporary_location: str = ""


@dataclass(frozen=True, slots=True)
class Holding:
    """HoldingsAndCircData: where a library holds the title, and its items' circulation."""

    local_location: str = ""
    shelving_location: str = ""
    call_number: str = ""
    copy_number: str = ""
    nuc_code: str = ""
    public_note: str = ""
    enum_and_chron: str = ""
    circulation: tuple[Circulation, ...] = ()
    marc_holdings: External | None = None  # when the target sends a MARC holdings record instead


@dataclass(frozen=True, slots=True)
class OpacRecord:
    bibliographic: External | None
    holdings: tuple[Holding, ...]


def read_opac(data: bytes, reading: Reading, where: str) -> OpacRecord | None:
    value = reading.inner("OPACRecord", data, where)
    if value is None:
        return None
    bib = value.get("bibliographicRecord")
    holdings = tuple(_holding(h, reading, where) for h in value.get("holdingsData", ()))
    return OpacRecord(External.from_asn1(bib) if bib else None, holdings)


def _holding(value: tuple[str, Any], reading: Reading, where: str) -> Holding:
    kind, body = value
    if kind == "marcHoldingsRecord":
        return Holding(marc_holdings=External.from_asn1(body))
    def text(key: str) -> str:
        return reading.text(body.get(key), f"{where} {key}")

    circulation = tuple(
        Circulation(
            bool(c["availableNow"]), reading.text(c.get("itemId"), f"{where} itemId"),
            reading.text(c.get("availablityDate"), f"{where} availablityDate"),
            reading.text(c.get("availableThru"), f"{where} availableThru"),
            reading.text(c.get("restrictions"), f"{where} restrictions"), bool(c["renewable"]),
            bool(c["onHold"]), reading.text(c.get("temporaryLocation"), f"{where} temporaryLocation"),
        )
        for c in body.get("circulationData", ())
    )
    return Holding(text("localLocation"), text("shelvingLocation"), text("callNumber"), text("copyNumber"),
                   text("nucCode"), text("publicNote"), text("enumAndChron"), circulation)


@dataclass(frozen=True, slots=True)
class Record:
    """One position of a result set as returned: a record, or a surrogate diagnostic."""

    database: str
    external: External | None = None
    diagnostic: Diagnostic | None = None
    fragment: str = ""  # "startingFragment" etc.: segmentation, which the harness does not request
    opac: OpacRecord | None = None
    content: bytes | None = None  # the inner value when it is not the EXTERNAL's bytes (SUTRS text)

    @property
    def syntax(self) -> str:
        return self.external.oid if self.external else ""

    @property
    def data(self) -> bytes:
        """The record's bytes: ISO 2709 for MARC, the document for XML, the text for SUTRS."""
        if self.content is not None:
            return self.content
        return self.external.data if self.external else b""

    def to_asn1(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.database:
            body["name"] = self.database.encode("utf-8")
        if self.diagnostic is not None:
            body["record"] = ("surrogateDiagnostic", self.diagnostic.to_asn1())
        elif self.external is not None:
            body["record"] = ("retrievalRecord", self.external.to_asn1())
        return body


def read_record(value: dict[str, Any], reading: Reading, index: int) -> Record:
    where = f"record {index + 1}"
    database = reading.text(value.get("name"), f"{where} name")
    kind, body = value["record"]
    if kind == "surrogateDiagnostic":
        return Record(database, diagnostic=reading.diagnostic(body, f"{where} surrogateDiagnostic"))
    if kind != "retrievalRecord":
        inner = body[1] if isinstance(body, tuple) else body
        external = External.from_asn1(inner) if isinstance(inner, dict) else External("", "octet-aligned", bytes(inner))
        return Record(database, external, fragment=kind)
    external = External.from_asn1(body)
    if external.encoding == "single-ASN1-type" and external.oid == SUTRS:
        text = reading.inner("InternationalString", external.data, f"{where} SUTRS")
        return Record(database, external, content=bytes(text) if text is not None else None)
    if external.encoding == "single-ASN1-type" and external.oid == OPAC:
        return Record(database, external, opac=read_opac(external.data, reading, f"{where} OPAC"))
    return Record(database, external)
