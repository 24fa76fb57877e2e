"""The register, procurement's mapping and evaluators' overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.requirements import apply_mapping, load_overrides, load_register
from harness.results import Verdict

DESIGN_IDS = {
    "KAT-01", "KAT-02", "KAT-03", "KAT-04", "SPR-01", "SPR-02", "MARC-01", "MARC-02", "MARC-03", "MARC-04",
    "SIP-01", "SIP-02", "SIP-03", "SIP-04", "SIP-05", "SIP-06", "SIP-07", "SIP-08", "SRU-01", "SRU-02", "SRU-03",
    "Z-01", "Z-02", "OAI-01", "OAI-02", "OAI-03", "OAI-04", "OAI-05", "SEC-01", "SEC-02",
    "LAST-01", "LAST-02", "LAST-03",  # load and soak (issue 13)
}
BOR = {"KAT-03", "MARC-03", "SIP-07", "SIP-08", "SRU-03", "Z-02", "OAI-04", "LAST-01", "LAST-02", "LAST-03"}


def test_register_holds_every_design_requirement_with_its_kind() -> None:
    register = load_register()
    assert set(register) == DESIGN_IDS
    assert {r.id for r in register.values() if r.kind == "bør"} == BOR
    assert all(r.title_nb and r.title_en and r.spec for r in register.values())


def test_unknown_id_suggests_the_nearest() -> None:
    with pytest.raises(ConfigError, match=r"unknown requirement id \(did you mean MARC-01\?\)"):
        load_register().require("MARC-1", "scenarios/x.py")


def test_mapping_adds_ids_and_weights(tmp_path: Path) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text('[KAT-01]\nexternal_id = "K2.3"\nweight = 5\naward_criterion = "Kvalitet"\n', encoding="utf-8")
    mapped = apply_mapping(load_register(), path)
    assert (mapped["KAT-01"].external_id, mapped["KAT-01"].weight) == ("K2.3", 5.0)
    assert mapped["KAT-02"].external_id == ""


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ('[KAT-1]\nweight = 1\n', r"did you mean KAT-01"),
        ('[KAT-01]\nweigth = 1\n', r"\[KAT-01\] weigth: unknown key"),
        ('[KAT-01]\nweight = "high"\n', r"\[KAT-01\] weight: expected a number"),
    ],
)
def test_bad_mapping_is_a_config_error(tmp_path: Path, text: str, pattern: str) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=pattern):
        apply_mapping(load_register(), path)


def test_override_needs_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "overrides.toml"
    path.write_text('[SIP-07]\nverdict = "MET"\nreason = "TLS via stunnel, seen in the demo"\n', encoding="utf-8")
    assert load_overrides(path, load_register())["SIP-07"].verdict is Verdict.MET
    path.write_text('[SIP-07]\nverdict = "MET"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[SIP-07\] reason: missing"):
        load_overrides(path, load_register())
