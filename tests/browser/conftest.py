"""A real headless browser for the HTML reports: Debian's chromium driven by Playwright.

Never Playwright's own browser download: ``executable_path`` points at the system chromium,
with a fresh profile each session and everything that would reach the network switched off.
Under ``CI=true`` a missing browser or Playwright fails the tests; elsewhere they skip with
the install hint.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = "install Debian's browser and Playwright: apt-get install -y chromium chromium-driver; pip install -e '.[test]'"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}


def _unavailable(reason: str) -> None:
    (pytest.fail if os.environ.get("CI") == "true" else pytest.skip)(f"{reason}; {INSTALL_HINT}")


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    if not CHROMIUM.exists():
        _unavailable(f"no chromium at {CHROMIUM}")
    with sync_playwright() as instance:
        yield instance


def _launch(playwright: Any, profile: Path, **options: Any) -> Any:
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS, viewport=VIEWPORT, **options,
    )


@pytest.fixture(scope="module")
def browser_context(playwright: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    context = _launch(playwright, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="module")
def scriptless_context(playwright: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """JavaScript off: what a reader with scripts blocked (or a mail client's viewer) sees."""
    context = _launch(playwright, tmp_path_factory.mktemp("chromium-profile-nojs"), java_script_enabled=False)
    try:
        yield context
    finally:
        context.close()


class Page:
    """A page with every console error and uncaught exception collected."""

    def __init__(self, context: Any, url: str) -> None:
        self.errors: list[str] = []
        self.page = context.new_page()
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(url)


@pytest.fixture()
def open_page(browser_context: Any) -> Iterator[Any]:
    pages: list[Page] = []

    def opener(path: Path | str) -> Page:
        url = path if isinstance(path, str) else path.resolve().as_uri()
        page = Page(browser_context, url)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.page.close()


# --- reading a screenshot without an imaging library -------------------------------------------


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, b""
    width = height = colour = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0
        elif kind == b"IDAT":
            chunks += body
        pos += 12 + length
    channels = 3 if colour == 2 else 4
    raw, stride, rows, previous = zlib.decompress(chunks), width * channels, [], bytearray(width * channels)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        previous = line
        rows.append(bytes(line) if channels == 3 else bytes(b for i, b in enumerate(line) if i % 4 != 3))
    return width, height, rows


def ink(rows: list[bytes], threshold: int = 200) -> float:
    """The share of pixels darker than ``threshold`` in any channel: text, borders, badges."""
    dark = total = 0
    for row in rows:
        for i in range(0, len(row), 3):
            total += 1
            dark += min(row[i], row[i + 1], row[i + 2]) < threshold
    return dark / total if total else 0.0


def count_colour(rows: list[bytes], rgb: tuple[int, int, int], tolerance: int = 6) -> int:
    r, g, b = rgb
    return sum(1 for row in rows for i in range(0, len(row), 3)
               if abs(row[i] - r) <= tolerance and abs(row[i + 1] - g) <= tolerance and abs(row[i + 2] - b) <= tolerance)
