"""The ``[oai]`` section of a target profile: where the harvester goes and how far it may go.

Read by the unit's ``parse`` (``harness/oaipmh/unit.py``) with a
:class:`~harness.settings.SectionReader`. The keys are what the harvester
(:class:`~harness.oaipmh.client.OaiClient`) needs: the base URL and the HTTP method, a timeout,
and the bounds that make any harvest end (pages, bytes, flow control). For the embedded sandbox
``url`` is left out: the sandbox writes its own into the resolved profile.

A base URL may carry an API key (FOLIO's edge module takes it in the path). The redactor masks
a value only if it came from the environment, so such a URL must be written ``${NAME}``.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.oaipmh.client import HarvestLimits
from harness.settings import SectionReader

METHODS = ("GET", "POST")
_LIMITS = HarvestLimits()
DEFAULT_TOKEN_WAIT = 30.0  # seconds the harness may wait for a resumption token to expire


@dataclass(frozen=True, slots=True)
class OaiSettings:
    url: str  # the base URL (§3.1.1), exactly as Identify's baseURL should give it
    method: str = "GET"  # GET or POST for the harvest; the other is checked too (§3.1.1)
    timeout: float | None = None  # seconds per exchange; None: the profile's [target] timeout
    max_pages: int = _LIMITS.max_pages
    max_bytes: int = _LIMITS.max_bytes  # decoded bytes over one whole list
    max_page_bytes: int = _LIMITS.max_page_bytes  # one response, decoded
    max_retries: int = _LIMITS.max_retries  # 503s in a row for one request
    max_retry_wait: float = _LIMITS.max_retry_wait  # a longer Retry-After is not waited for
    max_total_wait: float = _LIMITS.max_total_wait  # seconds of Retry-After waited over the run
    max_token_wait: float = DEFAULT_TOKEN_WAIT  # a token expiring later than this is not waited for
    holdings_tag: str = "852"  # where marc21 payloads carry holdings (952 in Koha)
    holdings_library_subfield: str = "a"  # the subfield naming the owning library
    username: str = ""  # HTTP basic authentication, if the repository asks for it
    password: str = ""

    def limits(self) -> HarvestLimits:
        return HarvestLimits(max_pages=self.max_pages, max_bytes=self.max_bytes, max_page_bytes=self.max_page_bytes,
                             max_retries=self.max_retries, max_retry_wait=self.max_retry_wait,
                             max_total_wait=self.max_total_wait)

    def auth(self) -> tuple[str, str] | None:
        return (self.username, self.password) if self.username else None


def parse(section: SectionReader) -> OaiSettings:
    settings = OaiSettings(
        url=section.url("url"),
        method=section.choice("method", "GET", METHODS),
        timeout=section.optional_seconds("timeout"),
        max_pages=section.integer("max_pages", _LIMITS.max_pages, low=1, high=10_000_000, unit="pages"),
        max_bytes=section.byte_size("max_bytes", _LIMITS.max_bytes),
        max_page_bytes=section.byte_size("max_page_bytes", _LIMITS.max_page_bytes),
        max_retries=section.integer("max_retries", _LIMITS.max_retries, low=0, high=100),
        max_retry_wait=section.seconds("max_retry_wait", _LIMITS.max_retry_wait),
        max_total_wait=section.seconds("max_total_wait", _LIMITS.max_total_wait),
        max_token_wait=section.seconds("max_token_wait", DEFAULT_TOKEN_WAIT),
        holdings_tag=_tag(section),
        holdings_library_subfield=_subfield_code(section),
        username=section.text("username", ""),
        password=section.text("password", "", non_empty=False),
    )
    if settings.max_page_bytes > settings.max_bytes:
        raise section.error("max_page_bytes", f"{settings.max_page_bytes:,} is more than max_bytes = {settings.max_bytes:,}",
                            "a page is part of the list: keep max_page_bytes at or below max_bytes")
    if settings.password and not settings.username:
        raise section.error("password", "a password without a username", 'add username = "..." or leave the password out')
    return settings


def _tag(section: SectionReader) -> str:
    value = section.text("holdings_tag", "852")
    if len(value) != 3 or not value.isascii() or not value.isalnum():
        raise section.error("holdings_tag", f"'{value}' is not a MARC tag", 'write three digits or letters, e.g. "852"')
    return value


def _subfield_code(section: SectionReader) -> str:
    value = section.text("holdings_library_subfield", "a")
    if len(value) != 1 or not value.isascii() or not value.isalnum():
        raise section.error("holdings_library_subfield", f"'{value}' is not a subfield code", 'write one letter or digit, e.g. "a"')
    return value
