"""Z39.50 PDUs to bytes and back, sans I/O: the codec's public face.

``encode`` turns one of the typed PDUs (:data:`Pdu`) into BER. ``decode`` reads one whole
PDU as :class:`~harness.z3950.ber.PduReader` cut it and never raises on a target's bytes:
what comes back is a :class:`Decoded` with the typed PDU (or ``None``), the asn1tools value
(for the readable rendering) and the :class:`~harness.rules.Problem` values found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from harness.rules import Problem
from harness.z3950 import asn1
from harness.z3950.ber import PDU_NAMES, PduReader, RawPdu, pdu_label, read_header
from harness.z3950.init import InitRequest, InitResponse
from harness.z3950.reading import Reading
from harness.z3950.render import render_pdu
from harness.z3950.rules import problem
from harness.z3950.search import (
    PresentRequest,
    PresentResponse,
    SearchRequest,
    SearchResponse,
)
from harness.z3950.services import (
    Close,
    DeleteResultSetRequest,
    DeleteResultSetResponse,
    ScanRequest,
    ScanResponse,
    SortRequest,
    SortResponse,
)

Pdu = (
    InitRequest | InitResponse | SearchRequest | SearchResponse | PresentRequest | PresentResponse
    | DeleteResultSetRequest | DeleteResultSetResponse | ScanRequest | ScanResponse | SortRequest
    | SortResponse | Close
)
PDU_TYPES: Mapping[str, Any] = MappingProxyType({cls.NAME: cls for cls in (
    InitRequest, InitResponse, SearchRequest, SearchResponse, PresentRequest, PresentResponse,
    DeleteResultSetRequest, DeleteResultSetResponse, ScanRequest, ScanResponse, SortRequest,
    SortResponse, Close,
)})
MODELLED_TAGS = frozenset(tag for tag, name in PDU_NAMES.items() if name in PDU_TYPES)


@dataclass(frozen=True, slots=True)
class Decoded:
    """One PDU as read: its name, the typed value if it decoded, and what was wrong."""

    name: str
    tag: int
    pdu: Pdu | None
    value: Any  # the asn1tools value of the PDU body, None when it did not decode
    raw: bytes
    offset: int
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.pdu is not None

    def render(self) -> str:
        """The readable form; for what did not decode, the name, the problems and the bytes."""
        if self.value is not None:
            return render_pdu(self.name, self.value)
        head = self.raw[:256].hex(" ")
        more = f" ... ({len(self.raw):,} bytes)" if len(self.raw) > 256 else ""
        lines = [f"{self.name} (not decoded)", *(f"  {p}" for p in self.problems), f"  bytes: {head}{more}"]
        return "\n".join(lines)


def encode(pdu: Pdu) -> bytes:
    """The BER encoding of ``pdu``. Raises ValueError on a value the harness built wrongly."""
    return asn1.encode("PDU", (pdu.NAME, pdu.to_asn1()))


def render(pdu: Pdu) -> str:
    """The readable form of a PDU the harness built (as it will go on the wire)."""
    return render_pdu(pdu.NAME, pdu.to_asn1())


def decode(raw: RawPdu | bytes, *, utf8: bool = False) -> Decoded:
    """Read one whole PDU; never raises on its bytes."""
    if not isinstance(raw, RawPdu):
        try:
            header = read_header(raw, 0) if raw else None
        except ValueError:  # a header no later byte could mend: the PDU has no usable tag
            header = None
        raw = RawPdu(bytes(raw), 0, header[1] if header else -1, bool(header and header[3] < 0))
    name = PDU_NAMES.get(raw.tag, f"[{raw.tag}]")
    if raw.tag not in MODELLED_TAGS:
        rule = "pdu_not_modelled" if raw.tag in PDU_NAMES else "pdu_unknown_tag"
        found = problem(rule, f"{pdu_label(raw.tag)} is {'not decoded by the harness' if raw.tag in PDU_NAMES else 'no Z39.50 PDU'}",
                        raw.offset, label=pdu_label(raw.tag))
        return Decoded(name, raw.tag, None, None, raw.data, raw.offset, (found,))
    value = asn1.decode("PDU", raw.data)
    if isinstance(value, asn1.DecodeFailure):
        at = raw.offset + value.offset if value.offset is not None else raw.offset
        path = f" ({value.path})" if value.path else ""
        found = problem("pdu_undecodable", f"{value.message}{path}", at, label=pdu_label(raw.tag))
        return Decoded(name, raw.tag, None, None, raw.data, raw.offset, (found,))
    choice, body = value
    reading = Reading(utf8=utf8, offset=raw.offset, label=pdu_label(raw.tag))
    typed = PDU_TYPES[choice].from_asn1(body, reading)
    return Decoded(choice, raw.tag, typed, body, raw.data, raw.offset, tuple(reading.problems))


def decode_all(data: bytes, *, utf8: bool = False) -> tuple[list[Decoded], list[Problem]]:
    """Every PDU in ``data`` (a test helper and a one-shot reader), with framing problems."""
    reader = PduReader()
    reader.receive_data(data)
    found: list[Decoded] = []
    problems: list[Problem] = []
    while (event := reader.next_event()) is not None:
        if isinstance(event, RawPdu):
            found.append(decode(event, utf8=utf8))
        else:
            problems.append(event.problem)
    end = reader.close()
    if end is not None:
        problems.append(end.problem)
    return found, problems
