"""The [sru] profile section: every value checked before anything is sent, errors naming key and fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.errors import ConfigError
from harness.profile import from_dict


def _profile(sru: dict[str, Any], kind: str = "vendor") -> Any:
    return from_dict({"target": {"name": "x", "kind": kind}, "sru": sru}, Path("/tmp/p.toml")).settings["sru"]


def test_defaults_and_views() -> None:
    settings = _profile({"url": "https://sru.example/cat", "member_url": "https://sru.example/{library}"})
    assert (settings.version, settings.method, settings.page_budget) == ("1.2", "GET", 20)
    assert settings.view_url("NO-9900002") == "https://sru.example/NO-9900002"
    assert not settings.declares_availability and settings.auth is None and settings.verify is True


def test_the_sandbox_may_leave_the_url_out() -> None:
    assert _profile({}, kind="sandbox").url == ""


@pytest.mark.parametrize(("section", "key", "fix"), [
    ({}, "url", "add url"),
    ({"url": "sru.example"}, "url", "with its scheme"),
    ({"url": "https://x/", "version": "1.3"}, "version", "use one of 1.1, 1.2, 2.0"),
    ({"url": "https://x/", "member_url": "https://x/lib"}, "member_url", "{library}"),
    ({"url": "https://x/", "status_tag": "876"}, "on_loan_values", "give both"),
    ({"url": "https://x/", "on_loan_values": ["utlånt"]}, "status_tag", "give both"),
    ({"url": "https://x/", "in_transit_values": ["på vei"]}, "in_transit_values", "needs status_tag"),
    ({"url": "https://x/", "available_values": ["ledig"]}, "available_values", "needs status_tag"),
    ({"url": "https://x/", "status_tag": "876", "on_loan_values": ["utlånt"], "available_values": "ledig"},
     "available_values", "write it as a list of strings"),
    ({"url": "https://x/", "status_tag": "876", "on_loan_values": ["utlånt"], "available_values": ["ledig", 3]},
     "available_values", 'write it as ["a", "b"]'),
    ({"url": "https://x/", "status_tag": "876", "on_loan_values": ["Utlånt"], "available_values": ["utlånt "]},
     "available_values", "is also in on_loan_values"),
    ({"url": "https://x/", "library_index": "local library"}, "library_index", "set.name"),
    ({"url": "https://x/", "holdings_tag": "85"}, "holdings_tag", "three digits"),
    ({"url": "https://x/", "page_size": 0}, "page_size", "use 1..1000"),
    ({"url": "https://x/", "pasword": "x"}, "pasword", "rename it to 'password'"),
])
def test_bad_values_name_the_key_and_the_fix(section: dict[str, Any], key: str, fix: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _profile(section)
    assert str(raised.value).startswith(f"/tmp/p.toml: [sru] {key}: ") and fix in str(raised.value)


def test_available_values_are_read() -> None:
    settings = _profile({"url": "https://x/", "status_tag": "876", "on_loan_values": ["Utlånt"],
                         "available_values": ["Ledig", "På hylla"]})
    assert settings.available_values == ("Ledig", "På hylla") and settings.declares_availability
    assert _profile({"url": "https://x/"}).available_values == ()


def test_password_is_a_secret() -> None:
    profile = from_dict({"target": {"name": "x"}, "sru": {"url": "https://x/", "username": "u", "password": "s3cret"}},
                        Path("/tmp/p.toml"))
    settings: Any = profile.settings["sru"]
    assert "s3cret" in profile.secrets and settings.auth == ("u", "s3cret")
