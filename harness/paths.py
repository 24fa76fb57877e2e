"""Where the harness finds the parts that live beside the package in the checkout.

The suites, fixtures and target profiles are data the evaluators read and edit, so they stay
top-level folders (DESIGN.md "The shape") rather than package data; the README installs the
checkout in editable mode, which keeps these paths valid.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SCENARIOS_DIR = REPO_ROOT / "scenarios"
FIXTURES_DIR = REPO_ROOT / "fixtures"
MARC_FIXTURES_DIR = FIXTURES_DIR / "marc"
TARGETS_DIR = REPO_ROOT / "targets"
REGISTER_PATH = SCENARIOS_DIR / "requirements.toml"
SANDBOX_PROFILE = TARGETS_DIR / "sandbox.toml"
