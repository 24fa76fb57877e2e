"""How the MARC suite reaches a target's import and export.

Two channels, one interface:

- :class:`HttpChannel`: the target (or the embedded sandbox) takes a batch over HTTP and
  serves exports over HTTP; every exchange is kept as a readable transcript for evidence.
- :class:`FileChannel`: a vendor without an import API. The harness writes the fixture
  batch to ``import_dir`` for the evaluator to import by hand, and reads the export files
  the profile names. Checks that need the harness to import step by step are NOT_TESTED.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote

import requests

from harness.errors import TargetTimeout, TargetUnreachable


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and response, rendered for a report (never the body bytes in full)."""

    request: str
    response: str


@dataclass(frozen=True, slots=True)
class ExportFile:
    data: bytes
    source: str  # a URL or a path, for the evidence
    omitted: tuple[str, ...] = ()  # records the target says it refused (too long for ISO 2709)


class MarcChannel(Protocol):
    can_import: bool
    transcript: list[Exchange]

    def export(self, fmt: str, library: str | None = None) -> ExportFile: ...

    def import_batch(self, data: bytes, library: str) -> dict[str, object]: ...

    def delete(self, control_numbers: Iterable[str]) -> None: ...


def _summary(data: bytes) -> str:
    return f"{len(data):,} bytes"


@dataclass
class HttpChannel:
    base_url: str
    timeout: float = 30.0
    auth: tuple[str, str] | None = None
    can_import: bool = True
    transcript: list[Exchange] = field(default_factory=list)

    def _call(self, method: str, path: str, params: dict[str, str], body: bytes | None = None) -> requests.Response:
        url = self.base_url.rstrip("/") + path
        try:
            response = requests.request(method, url, params=params, data=body, timeout=self.timeout, auth=self.auth)
        except requests.Timeout as exc:
            raise TargetTimeout(f"{method} {url}: no answer within {self.timeout:g} s") from exc
        except requests.RequestException as exc:
            raise TargetUnreachable(f"{method} {url}: {exc}") from exc
        sent = f"{method} {response.request.url}" + (f" ({_summary(body)})" if body is not None else "")
        received = f"HTTP {response.status_code} {response.headers.get('Content-Type', '')}, {_summary(response.content)}"
        self.transcript.append(Exchange(sent, received))
        return response

    def export(self, fmt: str, library: str | None = None) -> ExportFile:
        params = {"format": fmt} | ({"library": library} if library else {})
        response = self._call("GET", "/marc/export", params)
        if response.status_code != 200:
            raise TargetUnreachable(f"export answered HTTP {response.status_code}: {response.text[:300]}")
        omitted = unquote(response.headers.get("X-Omitted-Records", ""))
        return ExportFile(response.content, response.url, tuple(o for o in omitted.split("; ") if o))

    def import_batch(self, data: bytes, library: str) -> dict[str, object]:
        response = self._call("POST", "/marc/import", {"library": library}, data)
        if response.status_code != 200:
            raise TargetUnreachable(f"import answered HTTP {response.status_code}: {response.text[:300]}")
        result: dict[str, object] = response.json()
        return result

    def delete(self, control_numbers: Iterable[str]) -> None:
        """Clean up what a scenario created; the target's shared sandbox must not fill up."""
        for number in control_numbers:
            self._call("DELETE", f"/marc/record/{number}", {})


@dataclass
class FileChannel:
    export_file: Path | None
    export_xml_file: Path | None
    import_dir: Path | None
    can_import: bool = False
    transcript: list[Exchange] = field(default_factory=list)

    def export(self, fmt: str, library: str | None = None) -> ExportFile:
        path = self.export_xml_file if fmt == "marcxml" else self.export_file
        if path is None:
            key = "export_xml_file" if fmt == "marcxml" else "export_file"
            raise TargetUnreachable(f"the profile names no [marc] {key}")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TargetUnreachable(f"cannot read the export file {path}: {exc.strerror}") from exc
        self.transcript.append(Exchange(f"read {path}", _summary(data)))
        return ExportFile(data, str(path))

    def import_batch(self, data: bytes, library: str) -> dict[str, object]:
        raise NotImplementedError("a file channel cannot import; the evaluator imports the written batch by hand")

    def delete(self, control_numbers: Iterable[str]) -> None:
        pass  # nothing was imported by the harness

    def write_batch(self, name: str, data: bytes) -> Path | None:
        """Leave a fixture batch where the evaluator picks it up for the manual import."""
        if self.import_dir is None:
            return None
        self.import_dir.mkdir(parents=True, exist_ok=True)
        path = self.import_dir / name
        path.write_bytes(data)
        return path
