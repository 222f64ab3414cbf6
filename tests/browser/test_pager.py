"""The numbered page links of long lists, in Chromium, on a generated site of 320 proposals served
under /REPO/: the paged lists and print pages pass axe, the Nu checker and reflow, and a reader
without JavaScript moves from page to page by the links."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from .sitecheck import BASE_PATH, REFLOW_WIDTH, ROOT, ServedSite, new_context, run_vnu, served, visit

pytestmark = pytest.mark.browser

PAGED = ["recommendations/index.html", "recommendations/page/2/index.html", "recommendations/page/4/index.html",
         "print/index.html", "print/recommendations/index.html"]
"""Pages of the generated site that show a pager or the split print page."""


@pytest.fixture(scope="module")
def paged_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    project = tmp_path_factory.mktemp("paged") / "project"
    generate(project, 320)
    out = project.parent / "site"
    command = [sys.executable, str(ROOT / "build.py"), "--project", str(project), "build", "--out", str(out),
               "--base-url", BASE_PATH]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    with served(out) as serving:
        yield serving


def test_paged_lists_pass_axe_and_reflow_without_console_errors(browser: Browser, paged_site: ServedSite) -> None:
    context = new_context(browser)
    try:
        tab = context.new_page()
        visits = {page: visit(tab, paged_site.url(page), paged_site.origin) for page in PAGED}
    finally:
        context.close()
    problems = [f"{page}: {problem}" for page, found in visits.items()
                for problem in [*map(str, found.axe), *found.console, *found.network, *found.too_wide]]
    assert problems == []
    assert all(found.scroll_width <= REFLOW_WIDTH + 1 for found in visits.values())


def test_paged_lists_are_valid_html(paged_site: ServedSite, tmp_path: Path) -> None:
    for page in PAGED:
        (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(paged_site.site_dir / page, tmp_path / page)
    assert run_vnu(tmp_path) == []


def test_a_reader_without_javascript_follows_the_page_links(browser: Browser, paged_site: ServedSite) -> None:
    context = new_context(browser, javascript=False)
    try:
        tab = context.new_page()
        tab.goto(paged_site.url("recommendations/index.html"))
        pager = tab.get_by_role("navigation", name="Pages")
        assert pager.get_by_role("link", name="1").get_attribute("aria-current") == "page"
        pager.get_by_role("link", name="3").click()
        tab.wait_for_url(f"**{BASE_PATH}recommendations/page/3/")
        assert tab.get_by_role("navigation", name="Pages").get_by_role("link", name="3").get_attribute(
            "aria-current") == "page"
        assert tab.locator("table.proposals tbody tr").count() == 100
    finally:
        context.close()
