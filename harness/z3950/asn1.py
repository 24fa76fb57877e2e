"""The harness's own ASN.1 for Z39.50 (``asn1/z3950.asn``), compiled once, and BER in and out.

asn1tools does the BER work. Two things are added here:

* :func:`decode` never lets an asn1tools exception out: a value that does not decode is a
  :class:`DecodeFailure` with the ASN.1 path and the byte offset asn1tools gives.
* An ``ANY`` (EXTERNAL's single-ASN1-type: an OPAC record, a negotiation record) whose
  content uses indefinite lengths is something asn1tools cannot step over, although X.690
  allows it and YAZ sends it for OPAC records (measured). When a decode fails, the value is
  rewritten with definite lengths only (:func:`definite_form`: same content, same tags) and
  decoded again. Only PDUs that fail the first time pay for the rewrite.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import asn1tools  # type: ignore[import-untyped]

from harness.z3950.ber import read_header

_ASN1_FILE = "z3950.asn"


@functools.cache
def specification() -> Any:
    """The compiled modules (BER codec); compiling takes about 0.2 s, so once per process."""
    text = resources.files("harness.z3950").joinpath("asn1").joinpath(_ASN1_FILE).read_text(encoding="utf-8")
    return asn1tools.compile_string(text, "ber")


@dataclass(frozen=True, slots=True)
class DecodeFailure:
    """Why a value did not decode: asn1tools' message, its ASN.1 path, the byte offset."""

    message: str
    path: str
    offset: int | None


def encode(type_name: str, value: Any) -> bytes:
    """BER for ``value`` of ``type_name``. Raises on values the harness built wrongly."""
    return bytes(specification().encode(type_name, value))


def decode(type_name: str, data: bytes) -> Any | DecodeFailure:
    """The value of ``type_name`` in ``data``, or a :class:`DecodeFailure`; never raises."""
    spec = specification()
    try:
        return spec.decode(type_name, data)
    except Exception as first:  # noqa: BLE001 - asn1tools raises many kinds; all are the target's bytes
        rewritten = definite_form(data)
        if rewritten is not None and rewritten != data:
            try:
                return spec.decode(type_name, rewritten)
            except Exception:  # noqa: BLE001, S110 - report the first failure: its offsets are the target's
                pass
        return _failure(first)


def _failure(exc: Exception) -> DecodeFailure:
    message = str(getattr(exc, "message", "") or exc) or type(exc).__name__
    path = str(getattr(exc, "location_str", "") or "")
    offset = getattr(exc, "offset", None)
    return DecodeFailure(message, path, offset if isinstance(offset, int) else None)


def definite_form(data: bytes) -> bytes | None:
    """``data`` with every indefinite length made definite, or ``None`` if it is not BER."""
    try:
        out, end = _rewrite(data, 0, len(data), 0)
    except (IndexError, ValueError, RecursionError):
        return None
    return bytes(out) if end == len(data) else None


def _rewrite(data: bytes, pos: int, limit: int, depth: int) -> tuple[bytearray, int]:
    """The element at ``pos`` rewritten, and the offset after it in ``data``."""
    if depth > 64:
        raise ValueError("nested too deep")
    header = read_header(data[:limit], pos) if limit < len(data) else read_header(data, pos)
    if header is None:
        raise ValueError("truncated")
    ident, _, head_len, length = header
    tag_octets = bytearray(data[pos:pos + head_len - _length_octets(data[pos:pos + head_len])])
    start = pos + head_len
    if length >= 0:
        end = start + length
        if end > limit:
            raise ValueError("past its parent")
        if not ident & 0x20:
            return bytearray(data[pos:end]), end
        content, at = bytearray(), start
        while at < end:
            child, at = _rewrite(data, at, end, depth + 1)
            content += child
        return tag_octets + _length(len(content)) + content, end
    content, at = bytearray(), start
    while data[at:at + 2] != b"\x00\x00":
        if at >= limit:
            raise ValueError("no end-of-contents")
        child, at = _rewrite(data, at, limit, depth + 1)
        content += child
    return tag_octets + _length(len(content)) + content, at + 2


def _length_octets(header: bytes) -> int:
    """How many of the header's last octets are the length."""
    first_length = 1
    if header[0] & 0x1F == 0x1F:
        while header[first_length] & 0x80:
            first_length += 1
        first_length += 1
    octet = header[first_length]
    return 1 + (octet & 0x7F if octet > 0x80 else 0)


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets
