"""Fixtures for the real-browser gate: the site built once under /REPO/, served as GitHub Pages would,
and one Chromium (Debian's, or CHROMIUM_PATH) for the whole session through pytest-playwright.

SITEGEN_PREBUILT_SITE=DIR checks an already built site (built with --base-url /REPO/) instead of building.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .sitecheck import BASE_PATH, CHROMIUM_ARGS, GATE_STARTED, ROOT, ServedSite, served


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
    GATE_STARTED["at"] = time.perf_counter()
    prebuilt = os.environ.get("SITEGEN_PREBUILT_SITE")
    if prebuilt:
        return Path(prebuilt).resolve()
    out = tmp_path_factory.mktemp("gate") / "site"
    command = [sys.executable, "build.py", "build", "--out", str(out), "--base-url", BASE_PATH,
               "--repo-url", GATE_REPO]  # so the gate checks the "Spotted a mistake?" links too
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}", pytrace=False)
    return out


GATE_REPO = "https://github.com/owner/REPO"
"""The repository the gate's site names: a link to it is collected, never fetched."""

SHARD_PAGES = 60
"""Search shard size for `sharded_site`: the real site's 340 pages make 6 shards, as 17,000 pages would 12."""


@pytest.fixture(scope="session")
def sharded_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The project's site with its search index in shards of SHARD_PAGES pages, served under /REPO/."""
    out = tmp_path_factory.mktemp("sharded") / "site"
    command = [sys.executable, "build.py", "build", "--out", str(out), "--base-url", BASE_PATH,
               "--search-shard-pages", str(SHARD_PAGES)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}", pytrace=False)
    with served(out) as serving:
        yield serving


@pytest.fixture(scope="session")
def site(built_site: Path) -> Iterator[ServedSite]:
    """The built site at http://127.0.0.1:PORT/REPO/, served by sitegen.pages."""
    with served(built_site) as serving:
        yield serving


def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    """Note when the last test of the gate over the real site ended, for its wall time."""
    if "test_gate_site.py" in nodeid:
        GATE_STARTED["last test ended"] = time.perf_counter()


# -- a small hand-made site, clean or with one fault of each kind, to show the checks find what they should --

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="/REPO/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/REPO/site.css">{head}
</head>
<body>
{skip}<header><p>Fake site</p>
<nav aria-label="Main"><a href="/REPO/">Home</a> <a href="/REPO/recommendations/">Recommendations</a></nav>
</header>
<main id="main" tabindex="-1">
{h1}
{body}
</main>
</body>
</html>
"""
SKIP = '<a class="skip-link" href="#main">Skip to main content</a>\n'
CSS = """body { font-family: sans-serif; margin: 0 1rem; }
h1 { overflow-wrap: anywhere; }  /* "Recommendations" at 2em is wider than 320 px in DejaVu Sans Bold */
.skip-link { position: absolute; left: -10000px; top: 0; }
.skip-link:focus { left: 0.5rem; top: 0.5rem; padding: 0.5rem; background: #fff; outline: 3px solid #000; }
@media print { nav { display: none; } }
"""
SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>\n'
CLEAN = {
    "index.html": ("Home", '<p>See the <a href="recommendations/">recommendations</a> and '
                           '<a href="recommendations/r1/#part">part one</a>.</p>'),
    "recommendations/index.html": ("Recommendations", '<p><a href="r1/">First recommendation</a>.</p>'),
    "recommendations/r1/index.html": ("First recommendation", '<h2 id="part">Part one</h2>\n'
                                      '<table><caption>Figures</caption><tr><th scope="col">Year</th>'
                                      '<th scope="col">Amount</th></tr><tr><td>2024</td><td>£1m</td></tr></table>'
                                      '\n<p><a href="../">All recommendations</a>.</p>'),
    "404.html": ("Page not found", '<p>Try the <a href="/REPO/">home page</a>.</p>'),
}
FAULTS = {
    "faults/no-alt/index.html": ("Image without alt", '<p><img src="/REPO/favicon.svg" width="10" height="10"></p>'),
    "faults/links/index.html": ("Bad links", "<ul>"
                                '<li><a href="/REPO/missing/">missing page</a></li>'
                                '<li><a href="/about.html">root-relative</a></li>'
                                '<li><a href="../../../../etc/">dotted out</a></li>'
                                '<li><a href="/REPO/recommendations/r1/#nope">missing fragment</a></li>'
                                '<li><a href="/REPO/recommendations/r1/#part">good fragment</a></li>'
                                '<li><a href="https://example.org/ext">external</a></li>'
                                '<li><a href="mailto:someone@example.org">mail</a></li></ul>'),
    "faults/invalid/index.html": ("Invalid HTML", "<p><span><div>A block inside a span.</div></span></p>"),
    "faults/js-only/index.html": ("Written by script", "<script>document.querySelector('main').innerHTML ="
                                  " '<h1>Written by script</h1><p>Only JavaScript writes this.</p>'</script>"),
    "faults/detached-term/index.html": ("Term apart from its button", '<p><a class="term" href="/REPO/"'
                                        ' style="display: inline-block; width: 100%">children in care</a>'
                                        '<button type="button" class="term-info">?</button></p>'),
    "faults/hidden-table/index.html": ("Hidden table", '<table hidden><caption>Only for scripts</caption>'
                                       '<tr><td>1</td></tr></table>'),
    "faults/uncaught/index.html": ("Uncaught error", '<p>Text.</p>\n<script>throw new Error("boom")</script>'),
    "faults/wide/index.html": ("Too wide", '<p style="width: 1000px">A paragraph 1000 pixels wide.</p>'),
    "faults/foreign/index.html": ("Foreign request", '<p><img src="https://example.org/pixel.png" alt=""></p>'),
    "faults/no-skip/index.html": ("No skip link", "<p>No skip link here.</p>"),
    "faults/print-nav/index.html": ("Nav in print", "<p>Nav prints.</p>"),
    "faults/csp/index.html": ("Blocked by the policy", "<p>An inline script the policy refuses.</p>"
                              "<script>document.title = 'ran'</script>"),
    "404.html": ("Page not found", '<p>Try the <a href="recommendations/">recommendations</a>.</p>'),
}


def write_fake_site(root: Path, with_faults: bool) -> Path:
    """A small site built as the generator would with --base-url /REPO/; with_faults adds one fault per page."""
    pages = {**CLEAN, **FAULTS} if with_faults else CLEAN
    for relative, (title, body) in pages.items():
        head = '\n<style>@media print { nav { display: block !important; } }</style>' if "print-nav" in relative else ""
        if "csp" in relative:
            head = "\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'\">"
        skip = "" if "no-skip" in relative else SKIP
        h1 = "" if "js-only" in relative else f"<h1>{title}</h1>"
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PAGE.format(title=title, head=head, skip=skip, h1=h1, body=body), encoding="utf-8")
    (root / "site.css").write_text(CSS, encoding="utf-8")
    (root / "favicon.svg").write_text(SVG, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def clean_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    with served(write_fake_site(tmp_path_factory.mktemp("clean"), with_faults=False)) as serving:
        yield serving


@pytest.fixture(scope="session")
def faulty_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    with served(write_fake_site(tmp_path_factory.mktemp("faulty"), with_faults=True)) as serving:
        yield serving
