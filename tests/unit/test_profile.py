"""Profiles: typed core tables, one section per protocol unit, every mistake one clear message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.config import redactor_for
from harness.errors import ConfigError
from harness.marc.unit import MARC
from harness.paths import SANDBOX_PROFILE, TARGETS_DIR
from harness.profile import TestItem, TestPatron, load_profile
from harness.sip2.unit import SIP2

GOOD = """
[target]
name = "Vendor X"
kind = "vendor"

[[library]]
number = "NO-9900001"
name = "Tromsø bibliotek"
kind = "public"
codes = { sip2 = "TROMSO" }

[[library]]
number = "NO-9900011"
name = "Kongsbakken vgs"
kind = "school"

[[patron]]
barcode = "TST1"
pin = "${HARNESS_TEST_PIN}"
home_library = "NO-9900011"
name = "Máret Ánne Sara"

[[item]]
barcode = "0301"
owning_library = "NO-9900001"
home_library = "NO-9900011"
kind = "deposit"

[marc]
channel = "http"
base_url = "https://marc.vendor.example/api"
username = "harness"
password = "${HARNESS_TEST_SECRET}"
system_fields = ["001", "005"]

[sip2]
host = "sip2.vendor.example"
port = 6001
username = "sc"
password = "${HARNESS_TEST_SECRET}"
institution = "TROMSO"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "vendor.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARNESS_TEST_SECRET", "s3cr3t vålue/+")
    monkeypatch.setenv("HARNESS_TEST_PIN", "8642")


def test_core_tables_are_typed_and_sections_belong_to_units(tmp_path: Path) -> None:
    profile = load_profile(_write(tmp_path, GOOD))
    assert profile.patrons == (TestPatron("TST1", "8642", "NO-9900011", "Máret Ánne Sara"),)
    assert profile.items == (TestItem("0301", "NO-9900001", "NO-9900011", "deposit"),)
    assert profile.library("NO-9900001").code_for("sip2") == "TROMSO"  # type: ignore[union-attr]
    assert profile.library("NO-9900011").code_for("sip2") == "NO-9900011"  # type: ignore[union-attr]
    sip2, marc = profile.settings_for(SIP2), profile.settings_for(MARC)
    assert sip2 is not None and (sip2.host, sip2.port, sip2.password) == ("sip2.vendor.example", 6001, "s3cr3t vålue/+")
    assert marc is not None and marc.system_fields == frozenset({"001", "005"})
    assert profile.patron_from("school") == profile.patrons[0]


def test_every_secret_and_its_encodings_are_redacted(tmp_path: Path) -> None:
    import base64
    from urllib.parse import quote, quote_plus

    profile = load_profile(_write(tmp_path, GOOD))
    redact = redactor_for(profile)
    secret = "s3cr3t vålue/+"
    assert {secret, "8642"} <= profile.secrets
    forms = [secret, quote(secret, safe=""), quote_plus(secret), base64.b64encode(secret.encode()).decode(),
             base64.b64encode(f"harness:{secret}".encode()).decode(), "8642"]
    text = " | ".join(forms) + "\nAuthorization: Basic Zm9vOmJhcg==\nCookie: session=abc\n"
    text += "https://user:hunter2@vendor.example/x?password=pw1&x=1"
    out = redact(text)
    for leaked in (*forms, "Zm9vOmJhcg==", "session=abc", "hunter2", "pw1"):
        assert leaked not in out, leaked
    assert "vendor.example/x?password=***&x=1" in out  # the rest stays readable


def test_shipped_profiles_load(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PATRON1_PIN", "PATRON2_PIN", "VENDOR_SIP2_PASSWORD"):
        monkeypatch.setenv(name, f"test-secret-{name}")
    assert load_profile(SANDBOX_PROFILE).is_sandbox
    template = load_profile(TARGETS_DIR / "vendor-template.toml")
    assert template.kind == "vendor" and template.settings_for(MARC) is not None
    assert {lib.kind for lib in template.libraries} == {"public", "school", "bookbus"}


def test_the_sandbox_profile_may_leave_endpoints_out() -> None:
    sip2 = load_profile(SANDBOX_PROFILE).settings_for(SIP2)
    assert sip2 is not None and (sip2.host, sip2.port) == ("", 0)  # the sandbox fills them in


def test_paths_are_relative_to_the_profile_not_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ca.pem").write_text("x", encoding="ascii")
    text = GOOD.replace("institution = \"TROMSO\"", "institution = \"TROMSO\"\nca_file = \"ca.pem\"")
    monkeypatch.chdir("/")
    sip2 = load_profile(_write(tmp_path, text)).settings_for(SIP2)
    assert sip2 is not None and sip2.ca_file == tmp_path / "ca.pem"


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        ('password = "${HARNESS_TEST_SECRET}"\nsystem', 'password = "${NOT_SET_ANYWHERE_XYZ}"\nsystem',
         r"vendor\.toml: \[marc\] password: the secret \$\{NOT_SET_ANYWHERE_XYZ\} is not set.*Fix: export NOT_SET_ANYWHERE_XYZ="),
        ("base_url", "base_ulr", r"\[marc\] base_ulr: unknown key\. Fix: rename it to 'base_url'"),
        ('kind = "public"', 'kind = "museum"', r"\[\[library\]\] #1 kind: 'museum' is not one of public, school, bookbus, deposit"),
        ('channel = "http"', 'channel = "ftp"', r"\[marc\] channel: 'ftp' is not one of http, files"),
        ("[sip2]", "[sip3]", r"\[sip3\]: unknown section\. Fix: rename it to 'sip2'"),
        ('name = "Vendor X"', "", r"\[target\] name: missing"),
        ("[target]", "[target", r"vendor\.toml: not valid TOML"),
        ("port = 6001", "port = 'abc'", r"\[sip2\] port: expected an integer port, got a string 'abc'"),
        ("port = 6001", "port = 70000", r"\[sip2\] port: port 70000 is out of range\. Fix: use a port from 1 to 65535"),
        ("port = 6001", "port = 0", r"\[sip2\] port: port 0 is out of range"),
        ("port = 6001", "port = true", r"\[sip2\] port: expected an integer port, got True"),
        ('host = "sip2.vendor.example"\n', "", r"\[sip2\] host: missing"),
        ('host = "sip2.vendor.example"', 'host = "sip2://x:1"', r"\[sip2\] host: 'sip2://x:1' is not a host name"),
        ('base_url = "https://marc.vendor.example/api"', 'base_url = "marc.vendor.example"', r"\[marc\] base_url: 'marc.vendor.example' is not an http\(s\) URL"),
        ('base_url = "https://marc.vendor.example/api"', 'base_url = "http://x:99999/"', r"\[marc\] base_url: the port in 'http://x:99999/' is out of range"),
        ('kind = "vendor"', 'kind = "vendor"\ntimeout = 0', r"\[target\] timeout: 0 is not a usable number of seconds"),
        ('kind = "vendor"', 'kind = "vendor"\ntimeout = -3', r"\[target\] timeout: -3 is not a usable number"),
        ('kind = "vendor"', 'kind = "vendor"\ntimeout = "10"', r"\[target\] timeout: expected a number of seconds"),
        ("port = 6001", 'port = 6001\ncharset = "klingon-8"', r"\[sip2\] charset: 'klingon-8' is not a character set Python knows"),
        ("port = 6001", 'port = 6001\ncharset = "utf-16"', r"\[sip2\] charset: .*ASCII"),
        ("port = 6001", 'port = 6001\nca_file = "missing.pem"', r"\[sip2\] ca_file: .*missing\.pem is not a file"),
        ('barcode = "TST1"\n', "", r"\[\[patron\]\] #1 barcode: missing"),
        ('home_library = "NO-9900011"\nname', 'home_library = "NO-9999999"\nname', r"\[\[patron\]\] #1 home_library: 'NO-9999999' is not a library of this profile"),
        ('barcode = "0301"', 'barcode = "TST1"', r"TST1 is listed twice"),
        ('kind = "deposit"', 'kind = "ebook"', r"\[\[item\]\] #1 kind: 'ebook' is not one of regular, bookbus, deposit"),
        ('codes = { sip2 = "TROMSO" }', 'codes = { sip = "TROMSO" }', r"\[\[library\]\] #1 codes\.sip: not a protocol\. Fix: rename it to 'sip2'"),
        ('system_fields = ["001", "005"]', 'system_fields = "001"', r"\[marc\] system_fields: expected a list of strings"),
        ('system_fields = ["001", "005"]', 'system_fields = ["1"]', r"\[marc\] system_fields: '1' is not a MARC tag"),
        ('channel = "http"', 'channel = "files"', r"\[marc\] export_file: channel = \"files\" needs the vendor's export"),
    ],
)
def test_broken_profile_names_file_key_and_fix(tmp_path: Path, old: str, new: str, pattern: str) -> None:
    assert old in GOOD
    with pytest.raises(ConfigError, match=pattern) as info:
        load_profile(_write(tmp_path, GOOD.replace(old, new, 1)))
    assert "Fix:" in str(info.value) and str(tmp_path / "vendor.toml") in str(info.value)


def test_missing_profile_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=re.escape(str(tmp_path / "nope.toml")) + ": no such profile"):
        load_profile(tmp_path / "nope.toml")


def test_a_profile_that_is_not_utf8_is_one_message(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('[target]\nname = "Tromsø"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match=r"not UTF-8 text \(byte 22 is 0xF8\)\. Fix: save the profile as UTF-8"):
        load_profile(path)
