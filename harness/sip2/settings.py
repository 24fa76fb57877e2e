"""The ``[sip2]`` section of a target profile: where the self-service account connects.

Read by the unit's ``parse`` (``harness/sip2/unit.py``) with a
:class:`~harness.settings.SectionReader`, so every value is checked before anything is sent.
For the embedded sandbox, host and ports are left out: the sandbox binds free ports (or the
ones ``harness sandbox --port`` asks for) and writes them into the resolved profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.settings import SectionReader
from harness.sip2.codec import DEFAULT_MAX_FRAME, UnsupportedCharset, resolve_charset

DEFAULT_CLOCK_TOLERANCE = 120.0  # seconds between the ACS's clock and the harness's


@dataclass(frozen=True, slots=True)
class Sip2Settings:
    host: str
    port: int
    username: str
    password: str
    institution: str  # the AO the self-check sends: the library it stands in
    location: str = ""  # CP of the 93 login
    charset: str = "utf-8"
    error_detection: bool = True
    tls: bool = False  # every connection uses TLS on ``port``
    tls_port: int | None = None  # or: a separate TLS port, for the SIP-07 check
    ca_file: Path | None = None  # the CA that issued the target's certificate
    verify_tls: bool = True
    timeout: float | None = None  # seconds per exchange; None: the profile's [target] timeout
    max_reply_bytes: int = DEFAULT_MAX_FRAME  # a reply without a terminator ends here
    clock_tolerance: float = DEFAULT_CLOCK_TOLERANCE


def parse(section: SectionReader) -> Sip2Settings:
    charset = section.charset("charset", "utf-8")
    try:
        resolve_charset(charset)
    except UnsupportedCharset as exc:
        raise section.error("charset", str(exc), 'use an ASCII-compatible set such as "utf-8" or "cp850"') from None
    tls = section.boolean("tls", False)
    tls_port = section.optional_port("tls_port")
    ca_file = section.path("ca_file")
    if ca_file is not None and not ca_file.is_file():
        raise section.error("ca_file", f"{ca_file} is not a file", "name the CA certificate (PEM), relative to the profile")
    return Sip2Settings(
        host=section.host("host"),
        port=section.port("port"),
        username=section.text("username", example='"harness-sc"'),
        password=section.text("password", "", non_empty=False),
        institution=section.text("institution", example='"TROMSO"'),
        location=section.text("location", ""),
        charset=charset,
        error_detection=section.boolean("error_detection", True),
        tls=tls,
        tls_port=tls_port,
        ca_file=ca_file,
        verify_tls=section.boolean("verify_tls", True),
        timeout=section.optional_seconds("timeout"),
        max_reply_bytes=section.byte_size("max_reply_bytes", DEFAULT_MAX_FRAME),
        clock_tolerance=section.seconds("clock_tolerance", DEFAULT_CLOCK_TOLERANCE),
    )
