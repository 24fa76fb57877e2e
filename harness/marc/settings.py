"""The ``[marc]`` section of a target profile: how the MARC suite reaches import and export.

``channel = "http"``: the target takes a batch and serves exports over HTTP
(``GET {base_url}/marc/export``, ``POST {base_url}/marc/import``); the embedded sandbox is one
such target and writes its own ``base_url`` into the resolved profile. ``channel = "files"``:
no API; the harness writes the batch into ``import_dir`` and reads the export files named
(and ``export_log``, where the vendor's export names the records it left out of the ISO 2709
file: MARC-04's declaration, as the X-Omitted-Records header is over HTTP).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from harness.settings import SectionReader

CHANNELS = ("http", "files")
# A whole-catalogue export is read into memory and parsed: 64 MiB (about 60,000 records) keeps
# the harness under 300 MB whatever a target sends. A bigger catalogue raises the key (and the
# memory the run needs); the error says so.
DEFAULT_MAX_EXPORT_BYTES = 64 * 1024 * 1024
_TAG = re.compile(r"^[0-9A-Za-z]{3}$")


@dataclass(frozen=True, slots=True)
class MarcSettings:
    channel: str  # one of CHANNELS
    base_url: str = ""
    username: str = ""
    password: str = ""
    export_file: Path | None = None
    export_xml_file: Path | None = None
    import_dir: Path | None = None
    export_log: Path | None = None  # files: the export run's log, naming records left out of the ISO 2709 file
    system_fields: frozenset[str] = frozenset()  # fields the target declares it rewrites on import
    holdings_tag: str = "852"
    holdings_library_subfield: str = "a"
    import_library: str = ""  # the library a batch is imported for; default: the first library
    max_export_bytes: int = DEFAULT_MAX_EXPORT_BYTES


def parse(section: SectionReader) -> MarcSettings:
    channel = section.choice("channel", "files", CHANNELS)
    settings = MarcSettings(
        channel=channel,
        base_url=section.url("base_url", required=channel == "http"),
        username=section.text("username", ""),
        password=section.text("password", "", non_empty=False),
        export_file=section.path("export_file"),
        export_xml_file=section.path("export_xml_file"),
        import_dir=section.path("import_dir"),
        export_log=section.path("export_log"),
        system_fields=frozenset(_tags(section, "system_fields")),
        holdings_tag=_tag(section, "holdings_tag", "852"),
        holdings_library_subfield=_subfield_code(section, "holdings_library_subfield", "a"),
        import_library=section.text("import_library", ""),
        max_export_bytes=section.byte_size("max_export_bytes", DEFAULT_MAX_EXPORT_BYTES),
    )
    if channel == "files" and settings.export_file is None and settings.export_xml_file is None:
        raise section.error("export_file", 'channel = "files" needs the vendor\'s export',
                            'add export_file = "path/to/export.mrc" (relative to the profile)')
    return settings


def _tag(section: SectionReader, key: str, default: str) -> str:
    value = section.text(key, default)
    if not _TAG.match(value):
        raise section.error(key, f"'{value}' is not a MARC tag", 'write three digits or letters, e.g. "852"')
    return value


def _tags(section: SectionReader, key: str) -> tuple[str, ...]:
    tags = section.text_list(key)
    for tag in tags:
        if not _TAG.match(tag):
            raise section.error(key, f"'{tag}' is not a MARC tag", 'list tags of three digits or letters, e.g. ["001", "005"]')
    return tags


def _subfield_code(section: SectionReader, key: str, default: str) -> str:
    value = section.text(key, default)
    if len(value) != 1 or not value.isascii() or not value.isalnum():
        raise section.error(key, f"'{value}' is not a subfield code", 'write one letter or digit, e.g. "a"')
    return value
