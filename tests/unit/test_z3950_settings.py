"""The [z3950] profile section: every value checked before anything is sent, errors naming key and fix;
the account's password masked in what a run writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.errors import ConfigError
from harness.profile import from_dict
from harness.z3950 import IdPassAuth, InitRequest, OpenAuth, render
from harness.z3950.target import init_request


def _profile(z3950: dict[str, Any], kind: str = "vendor") -> Any:
    return from_dict({"target": {"name": "x", "kind": kind}, "z3950": z3950}, Path("/tmp/p.toml")).settings["z3950"]


def test_defaults_views_and_the_init_it_sends() -> None:
    settings = _profile({"host": "z.example", "port": 210, "member_database": "lib-{library}"})
    assert (settings.database, settings.auth, settings.charset_negotiation, settings.library_use) == ("Default", "none", True, 0)
    assert settings.view("NO-9900002") == "lib-NO-9900002"
    assert init_request(settings) == InitRequest()
    idpass = init_request(_profile({"host": "z", "port": 1, "auth": "idpass", "user": "u", "password": "p", "group": "g"}))
    assert idpass.authentication == IdPassAuth("u", "p", "g")
    assert init_request(_profile({"host": "z", "port": 1, "auth": "open", "user": "u", "password": "p"})).authentication == OpenAuth("u/p")
    assert init_request(_profile({"host": "z", "port": 1, "charset_negotiation": False})).charset is None


def test_the_sandbox_may_leave_host_and_port_out() -> None:
    settings = _profile({}, kind="sandbox")
    assert (settings.host, settings.port) == ("", 0)


@pytest.mark.parametrize(("section", "key", "fix"), [
    ({}, "host", "add host"),
    ({"host": "z", "port": 70000}, "port", "1 to 65535"),
    ({"host": "z", "port": 1, "auth": "kerberos"}, "auth", "use one of none, open, idpass"),
    ({"host": "z", "port": 1, "auth": "idpass"}, "user", "add user"),
    ({"host": "z", "port": 1, "member_database": "lib"}, "member_database", "{library}"),
    ({"host": "z", "port": 1, "sample_query": "@and fjell"}, "sample_query", "as yaz-client does"),
    ({"host": "z", "port": 1, "max_pdu": 1000}, "max_pdu", "use 65536.."),
    ({"host": "z", "port": 1, "pasword": "x"}, "pasword", "password"),
])
def test_bad_values_name_the_key_and_the_fix(section: dict[str, Any], key: str, fix: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _profile(section)
    assert caught.value.key == f"[z3950] {key}" and fix in caught.value.fix


def test_passwords_are_masked_in_the_rendering_and_in_reports(tmp_path: Path) -> None:
    request = InitRequest(authentication=IdPassAuth("harness", "sandbox-z3950", "consortium"))
    assert "sandbox-z3950" not in render(request) and "password: ***" in render(request)
    assert "s3cret" not in render(InitRequest(authentication=OpenAuth("harness/s3cret")))
    # A FAIL that shows the Init exchange: the sandbox's idPass password must not be in any report.
    code = main(["run", "--suite", "z3950", "--sandbox-defect", "z3950-reference-id-dropped", "-k",
                 "test_init_declares_what_works", "--report-dir", str(tmp_path)])
    assert code == 1
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    (check,) = results["checks"]
    assert check["outcome"] == "FAIL" and "initRequest" in json.dumps(check)
    for name in ("results.json", "results.jsonl", "junit.xml", "scorecard.html"):
        assert "sandbox-z3950" not in (tmp_path / name).read_text(encoding="utf-8"), name
