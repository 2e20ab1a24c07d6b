"""A real browser for the web UI's end-to-end tests: Playwright (the pip package) driving Debian's
``chromium``, launched by its executable path (/usr/bin/chromium, or ``CHROMIUM``), so no test
ever downloads a browser (`playwright install` is never run).

Without Chromium the tests that need it are skipped with a line saying how to install it, except
under ``CI=true``, where they fail (as a missing PostgreSQL does, tests/conftest.py): CI can never
pass with the browser tests left out.

``Recorder`` watches one browser context: every URL its pages ask for (requests that would leave
the server are aborted and kept, so a test can assert that none was made) and every console error
or uncaught script error. ``Shots`` numbers the screenshots of one run in a folder, the test
artifacts (docs/web.md's tour is a copy of one set)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import in_ci

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: Nothing that reaches out on its own (updates, sync, safe browsing, QUIC probes), no GPU.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
VIEWPORT = {"width": 1280, "height": 800}
#: A tablet held upright: the narrowest width the pages are made for (issue 14: "laptop to tablet").
TABLET = {"width": 768, "height": 1024}


def need_chromium() -> str:
    """The browser's path, or a skip (a failure under CI) saying how to install it."""
    found = shutil.which(CHROMIUM) if not os.path.isabs(CHROMIUM) else (CHROMIUM if os.access(CHROMIUM, os.X_OK) else None)
    reason = ""
    if found is None:
        reason = (f"Chromium is not installed ({CHROMIUM}): apt-get install chromium (Debian's package; .ci/run "
                  "installs it)")
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright pip package is missing: pip install -e '.[dev]'"
    if reason:
        if in_ci():
            pytest.fail(f"{reason}. CI=true: CI must run the browser tests.", pytrace=False)
        pytest.skip(reason)
    return found


@dataclass
class Recorder:
    """What the pages of one browser context asked for and what went wrong in their scripts."""

    origin: str  #: scheme://host:port of the server under test
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, context) -> None:  # noqa: ANN001 (playwright BrowserContext)
        context.on("request", lambda r: self.requests.append(r.url))
        context.on("console", lambda m: self.errors.append(f"console: {m.text} ({m.location.get('url', '')})")
                   if m.type == "error" else None)
        context.on("page", lambda p: p.on("pageerror", lambda e: self.errors.append(f"script: {e}")))
        # A request for anything but the server is answered by nobody: kept and aborted, so that a
        # page relying on a CDN or a tile server fails here instead of waiting on a network.
        context.route(lambda url: not self.local(url), self._abort)

    def _abort(self, route) -> None:  # noqa: ANN001
        self.foreign.append(route.request.url)
        route.abort()

    def local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def left_the_server(self) -> list[str]:
        return sorted({u for u in [*self.requests, *self.foreign] if not self.local(u)})

    def take_errors(self) -> list[str]:
        """The errors seen since the last call (so a test can expect some, like a 404's)."""
        found, self.errors[:] = list(self.errors), []
        return found


class Shots:
    """Numbered screenshots in ``folder`` (``01-sign-in.png``, ...), the run's artifacts."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        self.count = 0
        self.taken: list[Path] = []

    def take(self, page, name: str, full_page: bool = False) -> Path:  # noqa: ANN001
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        self.taken.append(path)
        return path
