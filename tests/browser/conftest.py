"""Fixtures for the real-browser gate: the site built once under /REPO/, served as GitHub Pages would,
and one Chromium (Debian's, or CHROMIUM_PATH) for the whole session through pytest-playwright.

SITEGEN_PREBUILT_SITE=DIR checks an already built site (built with --base-url /REPO/) instead of building.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sitecheck import BASE_PATH, CHROMIUM_ARGS, ROOT, ServedSite, served

EXTERNAL_LINKS = pytest.StashKey[dict[str, str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: needs Chromium, Java and node_modules (the real-browser gate)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium (never a Playwright download here) that resolves no host but loopback."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium",
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's site, built once for the session with --base-url /REPO/."""
    prebuilt = os.environ.get("SITEGEN_PREBUILT_SITE")
    if prebuilt:
        return Path(prebuilt).resolve()
    out = tmp_path_factory.mktemp("gate") / "site"
    command = [sys.executable, "build.py", "build", "--out", str(out), "--base-url", BASE_PATH]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}", pytrace=False)
    return out


@pytest.fixture(scope="session")
def site(built_site: Path) -> Iterator[ServedSite]:
    """The built site at http://127.0.0.1:PORT/REPO/, served by sitegen.pages."""
    with served(built_site) as serving:
        yield serving


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """List the external links the gate saw but, being offline, did not fetch."""
    external = config.stash.get(EXTERNAL_LINKS, None)
    if external:
        terminalreporter.write_sep("-", f"{len(external)} external links (listed, not fetched)")
        for url, page in sorted(external.items()):
            terminalreporter.write_line(f"{url}  (first on {page})")
