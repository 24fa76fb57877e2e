"""The redactor masks what is secret and leaves what a vendor needs to read."""

from __future__ import annotations

import pytest

from harness.redact import Redactor


@pytest.mark.parametrize(("text", "kept", "masked"), [
    ("GET /oai?verb=ListRecords&resumptionToken=abc123", "resumptionToken=abc123", ""),  # flow control, not a secret
    ("GET /x?access_token=xyz&y=1", "&y=1", "xyz"),
    ("GET /x?password=pw1&pin=4711", "", "pw1"),
    ("Authorization: Bearer eyJhbGciOi", "Authorization: ***", "eyJhbGciOi"),
    ("https://user:hunter2@vendor.example/sru", "https://user:***@vendor.example/sru", "hunter2"),
    ("Set-Cookie: session=abc; Path=/", "Set-Cookie: ***", "session=abc"),
])
def test_patterns(text: str, kept: str, masked: str) -> None:
    out = Redactor().redact(text)
    assert kept in out
    if masked:
        assert masked not in out


def test_short_values_are_not_masked_everywhere() -> None:
    assert Redactor(["ab"]).redact("a tab, a cab") == "a tab, a cab"  # two characters would mask ordinary text
