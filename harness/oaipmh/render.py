"""Writing OAI-PMH XML as text: escaping that can never produce a document XML 1.0 rejects.

The provider writes strings (one join per page) rather than building trees: it is the
harness's reference repository and must serve 100,000 records faster than a harvester reads
them. Every value passes through :func:`text` or :func:`attr`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from harness.oaipmh.model import OAI_NS, OAI_SCHEMA_URL, XSI_NS

# XML 1.0 §2.2 Char: tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF.
_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"})


def _visible(match: re.Match[str]) -> str:
    # A C0 control from legacy MARC data cannot be written at all, not even as &#11;; make it
    # visible (as the MARC writer does) instead of silently dropping a byte of the record.
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(value: str) -> str:
    return _ILLEGAL.sub(_visible, value) if _ILLEGAL.search(value) else value


def text(value: str) -> str:
    """``value`` as element content."""
    return clean(value).translate(_ESCAPES)


def attr(value: str) -> str:
    """``value`` as a double-quoted attribute value (quotes included)."""
    return f'"{clean(value).translate(_ATTR_ESCAPES)}"'


def element(name: str, value: str) -> str:
    return f"<{name}>{text(value)}</{name}>"


def attributes(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f" {name}={attr(value)}" for name, value in pairs)


def envelope(response_date: str, base_url: str, echo: Iterable[tuple[str, str]], body: str) -> bytes:
    """The whole response: declaration, root with its schema location, date, echo, body."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="{XSI_NS}" xsi:schemaLocation="{OAI_NS} {OAI_SCHEMA_URL}">\n'
        f"<responseDate>{response_date}</responseDate>\n"
        f"<request{attributes(echo)}>{text(base_url)}</request>\n"
        f"{body}\n</OAI-PMH>\n"
    ).encode()


def error(code: str, message: str) -> str:
    return f"<error code={attr(code)}>{text(message)}</error>"
