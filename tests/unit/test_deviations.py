"""The declared-deviation register: what it accepts, every mistake named, expiry against the run's date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from harness.deviations import (
    Deviation,
    DeviationRegister,
    check_vendor,
    load_deviations,
    run_date,
    scenario_check_ids,
)
from harness.errors import UsageError
from harness.requirements import load_register

REGISTER = load_register()
GOOD = """
vendor = "Bibliotekssystem Aurora"
[[deviation]]
requirement = "SIP-05"
reason = "Routing comes with the transit module"
fix_by = 2027-03-01
ticket = "AUR-881"
[[deviation]]
check = "sip2/test_consortium.py::test_return_anywhere_routes_item_home"
reason = "  a reason with spaces around  "
"""


def _load(tmp_path: Path, text: str) -> DeviationRegister:
    path = tmp_path / "deviations.toml"
    path.write_text(text, encoding="utf-8")
    return load_deviations(path, REGISTER)


def test_a_valid_register_is_read_as_written(tmp_path: Path) -> None:
    register = _load(tmp_path, GOOD)
    assert register.vendor == "Bibliotekssystem Aurora"
    first, second = register.deviations
    assert (first.number, first.requirement, first.fix_by, first.ticket) == (1, "SIP-05", date(2027, 3, 1), "AUR-881")
    assert (second.check, second.reason, second.fix_by, second.ticket) == (
        "sip2/test_consortium.py::test_return_anywhere_routes_item_home", "a reason with spaces around", None, "")
    assert register.raw == GOOD.encode()  # kept byte for byte for the record


def test_a_check_deviation_covers_the_check_and_its_parametrisations_only() -> None:
    dev = Deviation(number=1, check="marc/test_x.py::test_y", reason="r")
    assert dev.covers_check("marc/test_x.py::test_y") and dev.covers_check("marc/test_x.py::test_y[consortium/nb]")
    assert not dev.covers_check("marc/test_x.py::test_y_other") and not dev.covers_check("marc/test_x.py::test_z")


def test_requirement_deviations_are_found_through_the_checks_that_cover_it(tmp_path: Path) -> None:
    register = _load(tmp_path, GOOD)
    assert [d.number for d in register.for_requirement("SIP-05")] == [1]
    covering = ["sip2/test_consortium.py::test_return_anywhere_routes_item_home"]
    assert [d.number for d in register.for_requirement("SIP-04", covering)] == [2]
    assert register.for_requirement("SIP-04", ["sip2/test_other.py::test_x"]) == []


@pytest.mark.parametrize(
    ("fix_by", "on", "expired"),
    [(date(2026, 3, 1), date(2026, 3, 2), True), (date(2026, 3, 2), date(2026, 3, 2), False),
     (date(2026, 3, 3), date(2026, 3, 2), False), (None, date(2030, 1, 1), False), (date(2020, 1, 1), None, False)],
)
def test_a_promise_expires_only_when_its_date_is_before_the_run(fix_by: date | None, on: date | None, expired: bool) -> None:
    assert Deviation(number=1, requirement="SIP-05", reason="r", fix_by=fix_by).expired(on) is expired


def test_the_run_date_is_the_date_in_norway() -> None:
    assert run_date("2026-03-01T23:30:00+00:00") == date(2026, 3, 2)  # 00:30 in Oslo
    assert run_date("2026-07-01T21:59:00+00:00") == date(2026, 7, 1)  # 23:59 summer time
    assert run_date("2026-03-01T10:00:00") == date(2026, 3, 1)
    assert run_date("") is None and run_date("yesterday") is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[deviation]]\nrequirement = "SIP-05"\nreason = "r"', "vendor: missing. Fix: write vendor ="),
        ('vendor = 3\n', "vendor: expected a string, got 3"),
        ('vendor = "V"\nreason = "r"', "reason: unknown key. Fix: a deviation's keys go under [[deviation]]"),
        ('vendor = "V"\ndeviation = "x"', "deviation: expected a list of tables"),
        ('vendor = "V"\n[[deviation]]\nrequirement = "SIP-5"\nreason = "r"', "'SIP-5' (did you mean SIP-05?)"),
        ('vendor = "V"\n[[deviation]]\nreason = "r"', "#1: names no requirement and no check"),
        ('vendor = "V"\n[[deviation]]\nrequirement = "SIP-05"\ncheck = "sip2/x.py::t"\nreason = "r"', "names both a requirement and a check"),
        ('vendor = "V"\n[[deviation]]\nrequirement = "SIP-05"', "#1 reason: missing"),
        ('vendor = "V"\n[[deviation]]\nrequirement = "SIP-05"\nreason = "  "', "#1 reason: missing"),
        ('vendor = "V"\n[[deviation]]\nrequirement = "SIP-05"\nreason = "r"\nfix_by = "soon"', "expected a date, got 'soon'"),
        ('vendor = "V"\n[[deviation]]\nrequirement = "SIP-05"\nreason = "r"\nfix_by = 2027-01-01T10:00:00',
         "is a date and time. Fix: write the date alone, e.g. fix_by = 2027-01-01"),
        ('vendor = "V"\n[[deviation]]\nrequirement = "SIP-05"\nreason = "r"\nticket = 12', "#1 ticket: expected a string, got 12"),
        ('vendor = "V"\n[[deviation]]\nrequirement = "SIP-05"\nreason = "r"\nreasn = "x"', "#1 reasn: unknown key (did you mean reason?)"),
        ('vendor = "V"\n[[deviation]]\ncheck = "sip2/test_consortium.py::test_return_anywhere_route_item_home"\nreason = "r"',
         "(did you mean sip2/test_consortium.py::test_return_anywhere_routes_item_home?)"),
        ('vendor = "V"\n[[deviation]]\nrequirement = "SIP-05"\nreason = "a"\n[[deviation]]\nrequirement = "SIP-05"\nreason = "b"',
         "#2: declares SIP-05 again (first in #1)"),
        ('vendor = "V"\n[[deviation]\n', "not valid TOML"),
    ],
)
def test_each_mistake_is_named_with_its_fix(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        _load(tmp_path, body)
    text = str(info.value)
    assert message in text and "deviations.toml" in text and "Fix:" in text


def test_every_mistake_in_a_file_is_reported_one_line_each(tmp_path: Path) -> None:
    body = ('vendor = "V"\n[[deviation]]\nrequirement = "SIP-5"\nfix_by = "soon"\n'
            '[[deviation]]\ncheck = "sip2/nope.py::test_x"\nreason = "r"\n')
    with pytest.raises(UsageError) as info:
        _load(tmp_path, body)
    lines = str(info.value).splitlines()
    assert "4 mistakes" in lines[0]
    assert len(lines) == 5 and all("Fix:" in line for line in lines[1:])


def test_a_missing_or_unreadable_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such deviation register"):
        load_deviations(tmp_path / "nope.toml", REGISTER)
    with pytest.raises(UsageError, match="is a directory"):
        load_deviations(tmp_path, REGISTER)
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('vendor = "Bibliotekssystem Å"'.encode("latin-1"))
    with pytest.raises(UsageError, match="not UTF-8"):
        load_deviations(latin1, REGISTER)


def test_check_ids_of_the_runs_count_as_known(tmp_path: Path) -> None:
    path = tmp_path / "d.toml"
    path.write_text('vendor = "V"\n[[deviation]]\ncheck = "old/test_gone.py::test_renamed"\nreason = "r"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="no check"):
        load_deviations(path, REGISTER)
    assert load_deviations(path, REGISTER, ["old/test_gone.py::test_renamed[p]"]).deviations[0].check == "old/test_gone.py::test_renamed"


def test_the_suites_check_ids_are_read_from_source() -> None:
    ids = scenario_check_ids()
    assert "sip2/test_consortium.py::test_return_anywhere_routes_item_home" in ids
    assert "marc/test_round_trip.py::test_880_linkage_survives_export" in ids
    assert all("::" in i and i.split("/")[1].startswith("test_") for i in ids)


def test_a_register_of_another_vendor_is_refused(tmp_path: Path) -> None:
    register = _load(tmp_path, GOOD)
    check_vendor(register, ["Bibliotekssystem Aurora", "Nordlys"])
    with pytest.raises(UsageError) as info:
        check_vendor(register, ["Bibliotekssystem Aurura"])
    assert "vendor 'Bibliotekssystem Aurora' has no run here" in str(info.value) and "did you mean Bibliotekssystem Aurura?" in str(info.value)
