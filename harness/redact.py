"""Keep credentials and PINs out of every report.

Two layers: values registered at run time (the profile's resolved secrets and test PINs)
are replaced wherever they occur, and protocol fields that carry secrets by definition
(SIP2 CO login password, AD patron password; HTTP Authorization headers; ``password=`` in
URLs) are masked whatever their value.
"""

from __future__ import annotations

import re

MASK = "***"

_SECRET_PATTERNS: tuple[re.Pattern[str], ...] = (
    # SIP2 2.00: CO = login password (93), AD = patron password (11, 23, 63, ...).
    re.compile(r"(?<=\|)(CO|AD)[^|\r\n]*"),
    re.compile(r"(?i)(authorization:\s*)\S.*"),
    re.compile(r"(?i)((?:password|passwd|pin|secret)=)[^&\s]*"),
)

# Process-wide on purpose: a secret must be masked in every report the process writes,
# whichever code path rendered the text.
_registered: set[str] = set()


def register_secret(value: str) -> None:
    """Mask this exact value wherever it appears from now on (min. 3 chars, to stay sane)."""
    if value and len(value) >= 3:
        _registered.add(value)


def clear_registered_secrets() -> None:
    _registered.clear()


def redact(text: str) -> str:
    if not text:
        return text
    for secret in sorted(_registered, key=len, reverse=True):
        text = text.replace(secret, MASK)
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text
