"""Every PDU as compact indented text, in the standard's own field names, for evidence.

A vendor's engineer reading a FAIL sees what went over the wire the way the standard (and
``yaz-client -a``) names it: ``searchResponse / resultCount: 0 / records:
nonSurrogateDiagnostic / condition: 114 (Unsupported Use attribute)``. Rendering works on the
asn1tools value, so a PDU the harness cannot type still renders. OIDs carry their names,
option bits their names, coded integers their meaning, a type-1 query its PQF, and an
EXTERNAL its record syntax with the first characters of the record (a negotiation record,
an OPAC record or a diag-1 diagnostic is rendered in full). Passwords are masked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from harness.redact import MASK
from harness.z3950.asn1 import DecodeFailure, decode
from harness.z3950.diagnostics import BIB1
from harness.z3950.init import OPTION_NAMES, bits_to_names
from harness.z3950.oids import CHARSET_NEGOTIATION_3, DIAG1_FORMAT, NAMES, OPAC, SUTRS
from harness.z3950.query import query_from_asn1
from harness.z3950.search import PRESENT_STATUS, RESULT_SET_STATUS
from harness.z3950.services import (
    CLOSE_REASONS,
    DELETE_STATUS,
    SCAN_STATUS,
    SORT_STATUS,
)

PREVIEW = 400  # characters of a record shown
_SECRET_KEYS = frozenset({"password", "open"})
_CODED: Mapping[str, Mapping[int, str]] = {
    "closeReason": CLOSE_REASONS, "presentStatus": PRESENT_STATUS, "scanStatus": SCAN_STATUS,
    "sortStatus": SORT_STATUS, "deleteOperationStatus": DELETE_STATUS, "status": DELETE_STATUS,
    "resultSetStatus": RESULT_SET_STATUS,
}
_CONTROL = {0x1D: "␝", 0x1E: "␞", 0x1F: "␟"}  # MARC record, field and subfield separators
_INNER_TYPES = {CHARSET_NEGOTIATION_3: "CharSetandLanguageNegotiation", OPAC: "OPACRecord",
                DIAG1_FORMAT: "DiagnosticFormat"}


def render_pdu(name: str, value: Any) -> str:
    """``value`` (an asn1tools PDU body) as indented lines under the PDU's name."""
    lines = [name]
    _walk(value, 1, lines, "")
    return "\n".join(lines)


def _walk(value: Any, depth: int, lines: list[str], key: str) -> None:
    pad = "  " * depth
    if isinstance(value, dict):
        if "encoding" in value and isinstance(value["encoding"], tuple):
            _external(value, depth, lines)
            return
        for k, v in value.items():
            _field(k, v, depth, lines)
    elif _is_choice(value):
        choice, body = value
        if body is None or _scalar(body):
            lines.append(f"{pad}{choice}" + ("" if body is None else f" {_scalar_text(choice, body)}"))
        else:
            lines.append(f"{pad}{choice}")
            _walk(body, depth + 1, lines, choice)
    elif isinstance(value, list):
        for item in value:
            if _scalar(item):
                lines.append(f"{pad}- {_scalar_text(key, item)}")
            else:
                lines.append(f"{pad}-")
                _walk(item, depth + 1, lines, key)
    else:
        lines.append(f"{pad}{_scalar_text(key, value)}")


def _field(key: str, value: Any, depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    special = _SPECIAL.get(key)
    if special is not None:
        lines.append(f"{pad}{key}: {special(value)}")
    elif _is_choice(value):
        choice, body = value
        if body is None or _scalar(body):
            tail = "" if body is None else f" {_scalar_text(choice, body)}"
            lines.append(f"{pad}{key}: {choice}{tail}")
        else:
            lines.append(f"{pad}{key}: {choice}")
            _walk(body, depth + 1, lines, choice)
    elif _scalar(value):
        lines.append(f"{pad}{key}: {_scalar_text(key, value)}")
    elif isinstance(value, list) and all(_scalar(v) for v in value):
        lines.append(f"{pad}{key}: " + ", ".join(_scalar_text(key, v) for v in value))
    else:
        lines.append(f"{pad}{key}:")
        _walk(value, depth + 1, lines, key)


def _is_choice(value: Any) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, str, bytes, bytearray)) or (
        isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], (bytes, bytearray))
    )


def _scalar_text(key: str, value: Any) -> str:
    if key in _SECRET_KEYS:
        return MASK
    if isinstance(value, bool) or value is None:
        return str(value).upper() if isinstance(value, bool) else "NULL"
    if isinstance(value, int):
        meaning = _CODED.get(key, {}).get(value)
        if key == "condition":
            meaning = BIB1.get(value)
        return f"{value} ({meaning})" if meaning else str(value)
    if isinstance(value, str):
        return f"{value} ({NAMES[value]})" if value in NAMES else value
    if isinstance(value, tuple):  # BIT STRING
        return " ".join(sorted(bits_to_names(value, ())))
    return _bytes_text(bytes(value))


def _bytes_text(data: bytes, limit: int = 200) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if text and text.isprintable() and len(text) <= limit:
        return f"'{text}'"
    head = data[:48].hex(" ")
    return f"<{len(data):,} bytes: {head}{' ...' if len(data) > 48 else ''}>"


def _options(value: Any) -> str:
    return " ".join(n for n in OPTION_NAMES if n in bits_to_names(value, OPTION_NAMES)) + \
        "".join(f" {n}" for n in sorted(bits_to_names(value, OPTION_NAMES)) if n.startswith("bit"))


def _versions(value: Any) -> str:
    return " ".join(sorted(bits_to_names(value, ("version-1", "version-2", "version-3"))))


def _query(value: Any) -> str:
    query = query_from_asn1(value)
    return f"{value[0]} {query.pqf()}" if query is not None else f"{value[0]} (not rendered)"


_SPECIAL: Mapping[str, Callable[[Any], str]] = {
    "options": _options, "protocolVersion": _versions, "query": _query,
}


def _external(value: dict[str, Any], depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    oid = str(value.get("direct-reference") or "")
    encoding, data = value["encoding"]
    raw = bytes(data[0]) if encoding == "arbitrary" else bytes(data)
    name = f"{oid} ({NAMES[oid]})" if oid in NAMES else (oid or "(no OID)")
    lines.append(f"{pad}EXTERNAL {name}, {encoding}, {len(raw):,} bytes")
    inner_type = _INNER_TYPES.get(oid)
    if encoding == "single-ASN1-type" and oid == SUTRS:
        inner = decode("InternationalString", raw)
        raw = bytes(inner) if not isinstance(inner, DecodeFailure) else raw
    elif encoding == "single-ASN1-type" and inner_type:
        inner = decode(inner_type, raw)
        if not isinstance(inner, DecodeFailure):
            _walk(inner, depth + 1, lines, inner_type)
            return
        lines.append(f"{pad}  (does not decode as {inner_type}: {inner.message})")
    elif encoding == "single-ASN1-type":  # an ASN.1 value the harness does not model: its bytes
        lines.append(f"{pad}  {_bytes_text(raw, 0)}")
        return
    lines.append(f"{pad}  {_preview(raw)}")


def _preview(data: bytes) -> str:
    text = data[: PREVIEW * 4].decode("utf-8", "replace")
    shown = "".join(_CONTROL.get(ord(c), c) if ord(c) < 0x20 and c != "\n" else c for c in text[:PREVIEW])
    shown = shown.replace("\n", " ")
    return shown + (f" ... ({len(data):,} bytes in all)" if len(text) > PREVIEW or len(data) > PREVIEW * 4 else "")
