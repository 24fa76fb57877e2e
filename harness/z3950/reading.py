"""Turning asn1tools values into the harness's typed values, and noting what was wrong.

A :class:`Reading` travels with one PDU's conversion: it decodes InternationalStrings (bytes
on the wire, see ``asn1/z3950.asn``) and collects :class:`~harness.rules.Problem` values
instead of raising, so a typed value always comes out, with the problems beside it.
"""

from __future__ import annotations

from typing import Any

from harness.rules import Problem
from harness.z3950.asn1 import DecodeFailure, decode
from harness.z3950.diagnostics import Diagnostic
from harness.z3950.oids import DIAG1_FORMAT
from harness.z3950.rules import problem


class Reading:
    """Problems found while reading one PDU; ``utf8`` says whether UTF-8 was negotiated."""

    def __init__(self, *, utf8: bool = False, offset: int = 0, label: str = "") -> None:
        self.utf8 = utf8
        self.offset = offset  # stream offset of the PDU, for problem positions
        self.label = label
        self.problems: list[Problem] = []

    def note(self, rule: str, message: str, where: str = "") -> None:
        label = f"{self.label} {where}".strip()
        self.problems.append(problem(rule, message, self.offset, label=label))

    def text(self, raw: Any, where: str) -> str:
        """An InternationalString as text; bytes that are not UTF-8 are noted and shown as Latin-1."""
        if raw is None:
            return ""
        if isinstance(raw, str):
            return raw
        data = bytes(raw)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            rule = "text_not_utf8" if self.utf8 else "text_not_utf8_unnegotiated"
            self.note(rule, f"byte 0x{data[exc.start]:02X} at {exc.start} of {where} is not UTF-8: "
                            f"{data[:80]!r}", where)
            return data.decode("latin-1")

    def optional_text(self, raw: Any, where: str) -> str | None:
        return None if raw is None else self.text(raw, where)

    def inner(self, type_name: str, data: bytes, where: str) -> Any | None:
        """An EXTERNAL's single-ASN1-type decoded as ``type_name``; None (noted) if it does not decode."""
        value = decode(type_name, bytes(data))
        if isinstance(value, DecodeFailure):
            at = f" at byte {value.offset}" if value.offset is not None else ""
            self.note("external_undecodable", f"{where} is not a valid {type_name}{at}: {value.message}", where)
            return None
        return value

    def diagnostic(self, value: tuple[str, Any], where: str) -> Diagnostic:
        """A DiagRec (default format, or EXTERNAL in diag-1) as a :class:`Diagnostic`."""
        kind, body = value
        if kind == "defaultFormat":
            return self.default_diagnostic(body, where)
        oid = str(body.get("direct-reference") or "")
        encoding, data = body["encoding"]
        if oid == DIAG1_FORMAT and encoding == "single-ASN1-type":
            found = self.diag1(bytes(data), where)
            if found:
                return found[0]
        return Diagnostic(oid, -1, f"diagnostic in format {oid or '(no OID)'} ({encoding})", "external")

    def diag1(self, data: bytes, where: str) -> list[Diagnostic]:
        """The default-format diagnostics inside a diag-1 DiagnosticFormat."""
        value = self.inner("DiagnosticFormat", data, where)
        found: list[Diagnostic] = []
        for entry in value or ():
            inner = entry.get("diagnostic")
            message = self.optional_text(entry.get("message"), where) or ""
            if inner and inner[0] == "defaultDiagRec":
                diag = self.default_diagnostic(inner[1], where)
                found.append(Diagnostic(diag.set_oid, diag.condition, diag.addinfo or message, "diag-1"))
            elif message:
                found.append(Diagnostic(DIAG1_FORMAT, -1, message, "diag-1"))
        return found

    def default_diagnostic(self, body: dict[str, Any], where: str) -> Diagnostic:
        addinfo = body.get("addinfo")
        text = self.text(addinfo[1], f"{where} addinfo") if addinfo else ""
        return Diagnostic(str(body["diagnosticSetId"]), int(body["condition"]), text)
