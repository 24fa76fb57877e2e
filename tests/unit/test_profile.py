"""Profiles: every user mistake is one message naming file, key and fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.paths import SANDBOX_PROFILE, TARGETS_DIR
from harness.profile import load_profile
from harness.redact import clear_registered_secrets, redact

GOOD = """
[target]
name = "Vendor X"
kind = "vendor"

[[library]]
number = "NO-9900001"
name = "Tromsø bibliotek"
kind = "public"

[marc]
channel = "http"
base_url = "http://127.0.0.1:1"
password = "${HARNESS_TEST_SECRET}"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "vendor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_profiles_load(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PATRON1_PIN", "PATRON2_PIN", "VENDOR_SIP2_PASSWORD"):
        monkeypatch.setenv(name, f"test-secret-{name}")
    assert load_profile(SANDBOX_PROFILE).is_sandbox
    template = load_profile(TARGETS_DIR / "vendor-template.toml")
    assert template.kind == "vendor" and template.protocol("marc") is not None
    assert {lib.kind for lib in template.libraries} == {"public", "school", "bookbus"}


def test_secret_comes_from_environment_and_is_redacted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARNESS_TEST_SECRET", "s3cr3t-value")
    profile = load_profile(_write(tmp_path, GOOD))
    assert profile.protocol("marc")["password"] == "s3cr3t-value"  # type: ignore[index]
    assert redact("login with s3cr3t-value") == "login with ***"
    clear_registered_secrets()


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (lambda t: t.replace('password = "${HARNESS_TEST_SECRET}"', 'password = "${NOT_SET_ANYWHERE_XYZ}"'),
         r"vendor\.toml: \[marc\] password: the secret \$\{NOT_SET_ANYWHERE_XYZ\} is not set.*Fix: export NOT_SET_ANYWHERE_XYZ="),
        (lambda t: t.replace("base_url", "base_ulr"), r"\[marc\] base_ulr: unknown key\. Fix: rename it to 'base_url'"),
        (lambda t: t.replace('kind = "public"', 'kind = "museum"'), r"\[\[library\]\] #1 kind: 'museum' is not a library kind"),
        (lambda t: t.replace('channel = "http"', 'channel = "ftp"'), r"\[marc\] channel: 'ftp' is not a MARC channel"),
        (lambda t: t + "\n[sip3]\nhost = 'x'\n", r"\[sip3\]: unknown section\. Fix: rename it to 'sip2'"),
        (lambda t: t.replace('name = "Vendor X"', ""), r"\[target\] name: missing"),
        (lambda t: t.replace("[target]", "[target"), r"vendor\.toml: not valid TOML"),
        (lambda t: t + "\n[sip2]\nport = 'abc'\n", r"\[sip2\] port: expected int, got 'abc'"),
    ],
)
def test_broken_profile_names_file_key_and_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit, pattern: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HARNESS_TEST_SECRET", "x")
    with pytest.raises(ConfigError, match=pattern) as info:
        load_profile(_write(tmp_path, edit(GOOD)))
    assert "Fix:" in str(info.value)


def test_missing_profile_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=re.escape(str(tmp_path / "nope.toml")) + ": no such profile"):
        load_profile(tmp_path / "nope.toml")
