"""Shared test settings for the harness's own tests."""

from __future__ import annotations
