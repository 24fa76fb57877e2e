"""Keep credentials and PINs out of every byte that leaves the process.

One :class:`Redactor` per run (``RunConfig.redactor``) is applied at the edge: the terminal
(pytest's own sections included), every report, every log line. It knows:

- every value the profile took from the environment (``${NAME}``, in any key, URLs included),
  every test PIN and every value of a protocol's secret keys, with their URL-encoded and
  base64 forms, and the base64 of each ``user:password`` pair (HTTP basic authentication);
- HTTP ``Authorization``, ``Proxy-Authorization``, ``Cookie`` and ``Set-Cookie`` headers and
  the password in a URL's user info or in a ``password=`` parameter;
- each protocol's secret fields in its rendered wire text (SIP2's CO and AD), from the units.

Protocol clients also mask secret fields when they record an exchange, so the raw bytes with a
secret in them are never kept; the redactor is the second, last line.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"
MIN_SECRET_LENGTH = 3  # shorter values would mask ordinary text everywhere

_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?im)(^[ \t>]*(?:proxy-)?authorization[ \t]*:[ \t]*)[^\r\n]+"),
    re.compile(r"(?im)(^[ \t>]*(?:set-)?cookie[ \t]*:[ \t]*)[^\r\n]+"),
    re.compile(r"(?i)([\"']?(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?(?:basic|bearer|digest)?\s*)[A-Za-z0-9+/=._~-]{4,}"),
    re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+(?=@)"),
    # Not after a letter: resumptionToken= is OAI-PMH flow control, not a secret; access_token= is.
    re.compile(r"(?i)((?<![a-z])(?:password|passwd|pwd|pin|secret|token)=)[^&\s\"'<]*"),
)


def _variants(secret: str) -> set[str]:
    encoded = secret.encode("utf-8")
    return {secret, quote(secret, safe=""), quote_plus(secret), base64.b64encode(encoded).decode("ascii"),
            base64.urlsafe_b64encode(encoded).decode("ascii")}


class Redactor:
    """Replaces secrets and secret-bearing fields in text with ``***``."""

    def __init__(
        self,
        secrets: Iterable[str] = (),
        *,
        credentials: Iterable[tuple[str, str]] = (),
        wire_patterns: Iterable[re.Pattern[str]] = (),
    ) -> None:
        values: set[str] = set()
        for secret in secrets:
            if len(secret) >= MIN_SECRET_LENGTH:
                values |= _variants(secret)
        for user, password in credentials:
            if password:
                values.add(base64.b64encode(f"{user}:{password}".encode()).decode("ascii"))
        # Longest first, so a secret that contains another is masked whole.
        self._values = sorted((v for v in values if len(v) >= MIN_SECRET_LENGTH), key=len, reverse=True)
        self._patterns = (*tuple(wire_patterns), *_PATTERNS)

    def __call__(self, text: str) -> str:
        return self.redact(text)

    def redact(self, text: str) -> str:
        if not text:
            return text
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        for pattern in self._patterns:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return text

    def redact_data(self, data: object) -> object:
        """Every string inside a JSON-like structure, redacted (for results and reports)."""
        if isinstance(data, str):
            return self.redact(data)
        if isinstance(data, dict):
            return {k: self.redact_data(v) for k, v in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.redact_data(v) for v in data]
        return data


NO_SECRETS = Redactor()
