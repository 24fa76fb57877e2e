"""Where each Locust process sends its load, with what credentials: the part that never travels.

The workload (:mod:`harness.load.workload`) goes from the master to the workers over Locust's
channel; endpoints, the SC password and patron PINs do not. Each process reads them from its
own *plan file*, written from the profile on the machine it runs on, in a private directory
(mode 0700, the file 0600) that the harness removes when the run ends. A worker started on
another machine builds its plan from its own copy of the profile and refuses a workload meant
for another target, so load only ever goes where the profile on that machine says.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness.load.settings import LoadSettings
from harness.profile import Profile


@dataclass(frozen=True, slots=True)
class Sip2Plan:
    host: str
    port: int
    username: str
    password: str
    location: str = ""
    tls: bool = False
    verify: bool = True
    ca_file: str | None = None
    charset: str = "utf-8"
    error_detection: bool = True
    timeout: float = 10.0
    max_frame: int = 1024 * 1024


@dataclass(frozen=True, slots=True)
class HttpPlan:
    base_url: str
    timeout: float
    max_bytes: int
    username: str = ""
    password: str = ""


@dataclass(frozen=True, slots=True)
class TargetPlan:
    target: str  # the profile's target name
    sip2: Sip2Plan | None = None
    marc: HttpPlan | None = None
    pins: dict[str, str] = field(default_factory=dict)  # patron barcode -> PIN

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> TargetPlan:
        data = json.loads(text)
        sip2 = Sip2Plan(**data["sip2"]) if data.get("sip2") else None
        marc = HttpPlan(**data["marc"]) if data.get("marc") else None
        return cls(data["target"], sip2, marc, dict(data.get("pins", {})))


def _sip2(profile: Profile) -> Sip2Plan | None:
    settings = profile.settings.get("sip2")
    if settings is None:
        return None
    from harness.sip2.settings import Sip2Settings

    assert isinstance(settings, Sip2Settings)
    use_tls = settings.tls
    port = settings.tls_port if use_tls and settings.tls_port else settings.port
    return Sip2Plan(
        host=settings.host, port=port, username=settings.username, password=settings.password,
        location=settings.location, tls=use_tls, verify=settings.verify_tls,
        ca_file=str(settings.ca_file) if settings.ca_file else None, charset=settings.charset,
        error_detection=settings.error_detection, timeout=settings.timeout or profile.timeout,
        max_frame=settings.max_reply_bytes,
    )


def _marc(profile: Profile) -> HttpPlan | None:
    settings = profile.settings.get("marc")
    if settings is None or getattr(settings, "channel", "") != "http":
        return None
    from harness.marc.settings import MarcSettings

    assert isinstance(settings, MarcSettings)
    return HttpPlan(settings.base_url, profile.timeout, settings.max_export_bytes, settings.username, settings.password)


def target_plan(profile: Profile, settings: LoadSettings) -> TargetPlan:
    """The resolved profile's endpoints and credentials (the sandbox's already filled in)."""
    pins = {p.barcode: p.pin for p in profile.patrons}
    if settings.patrons:
        pins.update({barcode: settings.patron_pin for barcode in settings.patrons})
    return TargetPlan(profile.name, _sip2(profile), _marc(profile), pins)


@contextmanager
def private_plan(plan: TargetPlan) -> Iterator[Path]:
    """The plan in a file only this user can read, removed afterwards whatever happens."""
    directory = Path(tempfile.mkdtemp(prefix="harness-load-"))  # mode 0700
    path = directory / "plan.json"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as fh:
            fh.write(plan.to_json())
        yield path
    finally:
        shutil.rmtree(directory, ignore_errors=True)
