"""The code stays ``ruff`` clean everywhere and ``mypy --strict`` clean in harness/.

Both tools are pinned in the ``test`` extra (pyproject.toml), so a rule that changes with a
new release changes here only when the pin moves. Run as tests so the README's one test
command is the whole gate: a finding fails the suite with the tool's own report.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINTED = ("harness", "scenarios", "tests", "benchmarks", "fixtures")


def _tool(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False)


def test_ruff_finds_nothing() -> None:
    done = _tool("ruff", "check", "--no-cache", "--output-format", "concise", *LINTED, timeout=120)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


def test_mypy_strict_finds_nothing_in_harness() -> None:
    # strict = true in [tool.mypy]; --strict again so the flag cannot be lost with the section
    done = _tool("mypy", "--strict", "harness", timeout=600)
    assert done.returncode == 0 and "Success" in done.stdout, done.stdout[-6000:] + done.stderr[-2000:]
