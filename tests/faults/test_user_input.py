"""Broken input from a user: each is exit code 2 with one message (file, key, fix), no traceback.

Every case is a real `harness` command line, run in-process; a profile case edits a good
vendor profile in one place. Hypothesis then throws random TOML at the profile loader: every
outcome is a profile or one ConfigError, never another exception.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.cli import main
from harness.errors import ConfigError, UsageError
from harness.profile import from_dict

GOOD = """
[target]
name = "Vendor X"
kind = "vendor"
timeout = 5

[[library]]
number = "NO-9900001"
name = "Tromsø bibliotek"
kind = "public"
codes = { sip2 = "TROMSO" }

[[patron]]
barcode = "TST1"
pin = "${INPUT_TEST_PIN}"
home_library = "NO-9900001"

[[item]]
barcode = "0301"
owning_library = "NO-9900001"

[marc]
channel = "http"
base_url = "https://marc.vendor.example/api"
holdings_library_subfield = "a"
system_fields = ["005"]

[sip2]
host = "sip2.vendor.example"
port = 6001
username = "sc"
password = "${INPUT_TEST_PIN}"
institution = "TROMSO"
"""

# (id, old text, new text, words the message must hold)
PROFILE_EDITS: list[tuple[str, str, str, str]] = [
    ("typo-key", "base_url", "base_ulr", "rename it to 'base_url'"),
    ("unknown-section", "[sip2]", "[sip3]", "rename it to 'sip2'"),
    ("no-target", "[target]", "[targe]", "[target]"),
    ("no-name", 'name = "Vendor X"\n', "", "[target] name: missing"),
    ("not-toml", "[target]", "[target", "not valid TOML"),
    ("secret-not-set", '"${INPUT_TEST_PIN}"\nhome', '"${INPUT_UNSET_XYZ}"\nhome', "export INPUT_UNSET_XYZ="),
    ("port-string", "port = 6001", 'port = "6001"', "[sip2] port"),
    ("port-too-big", "port = 6001", "port = 70000", "1 to 65535"),
    ("port-zero", "port = 6001", "port = 0", "1 to 65535"),
    ("port-bool", "port = 6001", "port = true", "[sip2] port"),
    ("port-float", "port = 6001", "port = 6001.5", "[sip2] port"),
    ("sip2-no-host", 'host = "sip2.vendor.example"\n', "", "[sip2] host: missing"),
    ("host-with-scheme", 'host = "sip2.vendor.example"', 'host = "tcp://sip2.vendor.example"', "not a host name"),
    ("host-with-port", 'host = "sip2.vendor.example"', 'host = "sip2.vendor.example:6001"', "not a host name"),
    ("url-no-scheme", 'base_url = "https://marc.vendor.example/api"', 'base_url = "marc.vendor.example/api"', "http(s) URL"),
    ("url-ftp", 'base_url = "https://marc.vendor.example/api"', 'base_url = "ftp://marc.vendor.example/"', "http(s) URL"),
    ("url-bad-port", 'base_url = "https://marc.vendor.example/api"', 'base_url = "https://marc.vendor.example:99999/"', "out of range"),
    ("url-missing", 'base_url = "https://marc.vendor.example/api"\n', "", "[marc] base_url: missing"),
    ("timeout-zero", "timeout = 5", "timeout = 0", "[target] timeout"),
    ("timeout-negative", "timeout = 5", "timeout = -1", "[target] timeout"),
    ("timeout-string", "timeout = 5", 'timeout = "5 s"', "[target] timeout"),
    ("timeout-huge", "timeout = 5", "timeout = 360000", "[target] timeout"),
    ("charset-unknown", 'institution = "TROMSO"', 'institution = "TROMSO"\ncharset = "klingon"', "[sip2] charset"),
    ("charset-not-ascii-safe", 'institution = "TROMSO"', 'institution = "TROMSO"\ncharset = "utf-16"', "[sip2] charset"),
    ("ca-file-missing", 'institution = "TROMSO"', 'institution = "TROMSO"\nca_file = "nowhere.pem"', "[sip2] ca_file"),
    ("patron-no-barcode", 'barcode = "TST1"\n', "", "[[patron]] #1 barcode: missing"),
    ("patron-unknown-library", 'home_library = "NO-9900001"', 'home_library = "NO-0000000"', "not a library of this profile"),
    ("duplicate-barcode", 'barcode = "0301"', 'barcode = "TST1"', "listed twice"),
    ("item-kind", 'owning_library = "NO-9900001"\n', 'owning_library = "NO-9900001"\nkind = "ebook"\n', "[[item]] #1 kind"),
    ("library-kind", 'kind = "public"', 'kind = "museum"', "[[library]] #1 kind"),
    ("codes-unknown-protocol", 'codes = { sip2 = "TROMSO" }', 'codes = { sip9 = "TROMSO" }', "codes.sip9"),
    ("system-fields-string", 'system_fields = ["005"]', 'system_fields = "005"', "[marc] system_fields"),
    ("system-fields-bad-tag", 'system_fields = ["005"]', 'system_fields = ["5"]', "not a MARC tag"),
    ("files-without-export", 'channel = "http"', 'channel = "files"', "needs the vendor's export"),
    ("channel-unknown", 'channel = "http"', 'channel = "ftp"', "[marc] channel"),
    ("library-not-a-list", "[[library]]", "[library]", "[library]"),
    ("check-budget-tiny", "timeout = 5", "timeout = 5\nmax_check_bytes = 10", "[target] max_check_bytes"),
    ("round-bool", "timeout = 5", "timeout = 5\nnegotiation_round = true", "negotiation_round"),
    ("subfield-two-chars", 'holdings_library_subfield = "a"', 'holdings_library_subfield = "ab"', "not a subfield code"),
    ("target-kind", 'kind = "vendor"', 'kind = "seller"', "[target] kind"),
    ("empty-username", 'username = "sc"', 'username = ""', "[sip2] username"),
]


def _profile(tmp_path: Path, text: str = GOOD) -> Path:
    path = tmp_path / "vendor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _one_message(capsys: pytest.CaptureFixture[str], run: Callable[[], int]) -> str:
    try:
        code = run()
    except SystemExit as exc:  # argparse's own usage errors exit 2 too
        code = int(exc.code or 0)
    out = capsys.readouterr()
    assert code == 2, out.out[-2000:] + out.err[-2000:]
    assert "Traceback" not in out.out + out.err and "INTERNALERROR" not in out.out + out.err
    assert out.err.count("error:") == 1, out.err
    return out.err


@pytest.fixture(autouse=True)
def _pin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INPUT_TEST_PIN", "4242")
    monkeypatch.delenv("INPUT_UNSET_XYZ", raising=False)


@pytest.mark.parametrize(("old", "new", "words"), [c[1:] for c in PROFILE_EDITS], ids=[c[0] for c in PROFILE_EDITS])
def test_broken_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, words: str) -> None:
    assert old in GOOD
    path = _profile(tmp_path, GOOD.replace(old, new, 1))
    err = _one_message(capsys, lambda: main(["run", "--target", str(path), "--report-dir", str(tmp_path / "r")]))
    assert words in err and "Fix:" in err and str(path) in err
    assert not (tmp_path / "r").exists()  # nothing was run, nothing was written


def _files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "dir.toml").mkdir()
    (tmp_path / "binary.toml").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "latin1.toml").write_bytes('[target]\nname = "Tromsø"\n'.encode("latin-1"))
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "results.json").write_text("{}", encoding="utf-8")
    (tmp_path / "mapping-unknown.toml").write_text('[KAT-99]\nweight = 2\n', encoding="utf-8")
    (tmp_path / "mapping-weight.toml").write_text('[KAT-01]\nweight = "high"\n', encoding="utf-8")
    (tmp_path / "overrides-reason.toml").write_text('[SIP-07]\nverdict = "MET"\n', encoding="utf-8")
    (tmp_path / "overrides-verdict.toml").write_text('[SIP-07]\nverdict = "GOOD"\nreason = "x"\n', encoding="utf-8")
    (tmp_path / "garbage.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "no-manifest.jsonl").write_text('{"id": "x", "outcome": "PASS"}\n', encoding="utf-8")
    return {p.name: p for p in tmp_path.iterdir()}


CLI_CASES: list[tuple[str, Callable[[dict[str, Path], Path], list[str]], str]] = [
    ("profile-is-a-directory", lambda f, t: ["run", "--target", str(f["dir.toml"])], "is a directory"),
    ("profile-binary", lambda f, t: ["run", "--target", str(f["binary.toml"])], "not UTF-8"),
    ("profile-latin1", lambda f, t: ["run", "--target", str(f["latin1.toml"])], "save the profile as UTF-8"),
    ("profile-empty", lambda f, t: ["run", "--target", str(f["empty.toml"])], "[target]"),
    ("profile-missing", lambda f, t: ["run", "--target", str(t / "nope.toml")], "no such profile"),
    ("unknown-suite", lambda f, t: ["run", "--suite", "sip3"], "no such suite"),
    ("unknown-defect", lambda f, t: ["run", "--sandbox-defect", "sip2-crlf-terminatr"], "did you mean 'sip2-crlf-terminator'"),
    ("defects-that-exclude-each-other", lambda f, t: ["run", "--sandbox-defect", "sru-stale-index", "--sandbox-defect",
                                                      "coop-school-loans-not-in-search"],
     "sru-stale-index and --sandbox-defect coop-school-loans-not-in-search both replace the SRU and Z39.50 search index"),
    ("sandbox-defects-that-exclude-each-other", lambda f, t: ["sandbox", "--defect", "coop-school-loans-not-in-search",
                                                              "--defect", "z3950-stale-index"], "run them separately"),
    ("defect-with-vendor", lambda f, t: ["run", "--target", str(_profile(t)), "--sandbox-defect", "sip2-crlf-terminator"],
     "only applies to the embedded sandbox"),
    ("report-dir-is-a-file", lambda f, t: ["run", "--report-dir", str(f["a-file"])], "is a file"),
    ("report-dir-holds-a-run", lambda f, t: ["run", "--report-dir", str(f["earlier"])], "--overwrite"),
    ("report-dir-unwritable", lambda f, t: ["run", "--report-dir", "/proc/harness-report"], "not writable"),
    ("mapping-unknown-id", lambda f, t: ["run", "--mapping", str(f["mapping-unknown.toml"])], "unknown requirement id"),
    ("mapping-bad-weight", lambda f, t: ["run", "--mapping", str(f["mapping-weight.toml"])], "weight"),
    ("overrides-no-reason", lambda f, t: ["run", "--overrides", str(f["overrides-reason.toml"])], "reason"),
    ("overrides-bad-verdict", lambda f, t: ["run", "--overrides", str(f["overrides-verdict.toml"])], "not a verdict"),
    ("keyword-matches-nothing", lambda f, t: ["run", "--report-dir", str(t / "r"), "-k", "no_such_check_anywhere"], "no scenario matched"),
    ("lang-unknown", lambda f, t: ["run", "--lang", "sv"], "invalid choice"),
    ("sandbox-port-name", lambda f, t: ["sandbox", "--port", "gopher=70"], "no endpoint named 'gopher'"),
    ("sandbox-port-range", lambda f, t: ["sandbox", "--port", "sip2=70000"], "1..65535"),
    ("report-missing", lambda f, t: ["report", str(t / "missing.json")], "no such results file"),
    ("report-garbage", lambda f, t: ["report", str(f["garbage.json"])], "not valid JSON"),
    ("report-journal-without-manifest", lambda f, t: ["report", str(f["no-manifest.jsonl"])], "no manifest line"),
    ("report-out-is-a-file", lambda f, t: ["report", str(f["garbage.json"]), "--out", str(f["a-file"])], "error"),
]


@pytest.mark.parametrize(("args", "words"), [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES])
def test_broken_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: Callable[[dict[str, Path], Path], list[str]],
                             words: str) -> None:
    files = _files(tmp_path)
    err = _one_message(capsys, lambda: main(args(files, tmp_path)))
    assert words in err, err


def test_there_are_at_least_fifty_kinds() -> None:
    assert len(PROFILE_EDITS) + len(CLI_CASES) >= 50


# --- random TOML ---------------------------------------------------------------------------

KEYS = ["name", "kind", "timeout", "host", "port", "url", "base_url", "channel", "username", "password", "charset",
        "barcode", "pin", "number", "home_library", "owning_library", "codes", "system_fields", "tls", "tls_port",
        "export_file", "max_check_bytes", "negotiation_round", "institution", "holdings_tag", "verify_tls", "nonsense"]
SECTIONS = ["target", "marc", "sip2", "library", "patron", "item", "oddball"]
_scalars = st.one_of(st.text(string.printable, max_size=12), st.integers(-5, 70000), st.booleans(),
                     st.floats(allow_nan=False, allow_infinity=False, width=32), st.lists(st.text(string.ascii_letters, max_size=4), max_size=3))
_tables = st.dictionaries(st.sampled_from(KEYS), _scalars, max_size=8)
_documents = st.dictionaries(st.sampled_from(SECTIONS), st.one_of(_tables, st.lists(_tables, max_size=3)), max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=_documents)
def test_random_profiles_are_a_profile_or_one_config_error(document: dict[str, object]) -> None:
    try:
        from_dict(document, Path("/random/vendor.toml"))
    except ConfigError as exc:
        assert "Fix:" in str(exc) and "/random/vendor.toml" in str(exc)
    except UsageError as exc:  # pragma: no cover - a ConfigError is expected, but a UsageError is still one message
        assert "Fix:" in str(exc)
