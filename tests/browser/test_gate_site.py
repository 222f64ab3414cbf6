"""The real-browser gate over every page of the built site, served under /REPO/ as on GitHub Pages.

Each page is loaded once with JavaScript (axe, console, network, reflow, glossary buttons and, for a page with no
script, what a reader without JavaScript sees, from the same load), and each page with a script once
without, by the tests of EveryPage, in two halves; a few pages get the keyboard and print
checks. Every test collects the problems of all its pages and fails listing each one with its page,
so one run shows everything to fix.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pytest
from playwright.sync_api import Browser, Route

from .sitecheck import (
    EXTERNAL_LINKS,
    GATE_FIGURES,
    REFLOW_WIDTH,
    ServedSite,
    Visit,
    check_links,
    check_print,
    check_skip_link,
    check_without_javascript,
    new_context,
    run_vnu,
    search_results,
    visit,
)

pytestmark = pytest.mark.browser

MISSING = "no/such/page/"  # a deep missing URL: Pages answers it with 404.html, whose URLs must still work


def report(problems: list[str], what: str) -> str:
    return f"{len(problems)} {what}:\n" + "\n".join(problems)


def section_indexes(site: ServedSite) -> list[str]:
    """The home page and each top-level section's index: the kinds of page a reader prints."""
    return [page for page in site.pages
            if page == "index.html" or page.count("/") == 1 and page.endswith("/index.html")]


def test_site_has_the_expected_pages(site: ServedSite) -> None:
    pages = set(site.pages)
    for page in ("index.html", "404.html", "recommendations/index.html"):
        assert page in pages, f"{page} missing from the built site"
    assert any(PurePosixPath(page).match("recommendations/*/index.html") for page in pages), "no recommendation page"


def count(name: str, problems: list[str]) -> None:
    """Add one half's count to the gate's figure (the halves may run in one process or two)."""
    GATE_FIGURES[name] = GATE_FIGURES.get(name, 0) + len(problems)


class EveryPage:
    """The checks that load pages, over every other page of the site from `part`: each half is a
    class, so that `pytest -n 2 --dist loadscope` (make test) loads the two halves in two workers."""

    part = 0

    def pages(self, site: ServedSite) -> list[str]:
        return site.pages[self.part::2]

    @pytest.fixture(scope="class")
    def visits(self, browser: Browser, site: ServedSite) -> dict[str, Visit]:
        """Each page of this half loaded once with JavaScript on, and in the first half a deep missing
        URL that must get the 404 page."""
        context = new_context(browser)
        try:
            tab = context.new_page()
            found = {page: visit(tab, site.url(page), site.origin) for page in self.pages(site)}
            if self.part == 0:
                found[MISSING] = visit(tab, site.origin + site.base_path + MISSING, site.origin, expect_status=404)
        finally:
            context.close()
        count("pages loaded in Chromium", list(found))
        return found

    def test_axe_finds_no_violations(self, visits: dict[str, Visit]) -> None:
        problems = [f"{page}: {violation}" for page, seen in visits.items() for violation in seen.axe]
        count("axe violations", problems)
        assert not problems, report(problems, "axe-core violations (WCAG 2.2 AA + best practice)")

    def test_no_console_errors(self, visits: dict[str, Visit]) -> None:
        problems = [f"{page}: {message}" for page, seen in visits.items() for message in seen.console]
        count("console errors (CSP violations included)", problems)
        assert not problems, report(problems, "console errors or uncaught exceptions")

    def test_no_failed_or_foreign_requests(self, visits: dict[str, Visit]) -> None:
        problems = [f"{page}: {message}" for page, seen in visits.items() for message in seen.network]
        count("failed or other-origin requests", problems)
        assert not problems, report(problems, "failed requests, error statuses or requests to other origins")

    def test_reflows_at_320_css_pixels(self, visits: dict[str, Visit]) -> None:
        problems = [f"{page}: {seen.scroll_width} px wide at {REFLOW_WIDTH} px: {'; '.join(seen.too_wide)}"
                    for page, seen in visits.items() if seen.scroll_width > REFLOW_WIDTH + 1]
        count("pages scrolling sideways at 320 px", problems)
        assert not problems, report(problems, "pages scroll sideways at 320 px (WCAG 1.4.10)")

    def test_glossary_buttons_stay_on_their_term_s_line(self, visits: dict[str, Visit]) -> None:
        problems = [f"{page}: the “?” of “{term}” starts a line of its own at {REFLOW_WIDTH} px"
                    for page, seen in visits.items() for term in seen.detached]
        count("glossary buttons off their term's line at 320 px", problems)
        assert not problems, report(problems, "glossary buttons away from their terms")

    def test_readable_without_javascript(self, browser: Browser, site: ServedSite, visits: dict[str, Visit]) -> None:
        """A page with a script or a <noscript> is loaded again with JavaScript off; any other page
        shows the same either way, so its load with JavaScript on says what such a reader sees."""
        context = new_context(browser, javascript=False)
        try:
            tab = context.new_page()
            scripted = [page for page in self.pages(site) if visits[page].without_js is None]
            found = {page: check_without_javascript(tab, site.url(page)) for page in scripted}
        finally:
            context.close()
        found.update({page: seen.without_js for page, seen in visits.items()
                      if page != MISSING and seen.without_js is not None})
        assert len(found) == len(self.pages(site)) and scripted, "every page checked, some with JavaScript off"
        problems = [f"{page}: {problem}" for page, page_problems in found.items() for problem in page_problems]
        count("problems with JavaScript off", problems)
        count("pages loaded with JavaScript off (those with a script or <noscript>)", scripted)
        assert not problems, report(problems, "problems with JavaScript off")


class TestFirstHalf(EveryPage):
    part = 0


class TestSecondHalf(EveryPage):
    part = 1


def test_html_is_valid(site: ServedSite) -> None:
    problems = run_vnu(site.site_dir)
    GATE_FIGURES["vnu errors"] = len(problems)
    assert not problems, report(problems, "HTML errors from the Nu Html Checker")


def test_links_resolve_under_the_base_path(site: ServedSite, request: pytest.FixtureRequest) -> None:
    links = check_links(site)
    request.config.stash[EXTERNAL_LINKS] = links.external
    GATE_FIGURES["internal links checked"] = links.checked
    GATE_FIGURES["broken internal links"] = len(links.errors)
    assert links.checked > 0, "no internal link found: is the site empty?"
    assert not links.errors, report(links.errors, "broken internal links")


def test_skip_link_works_from_the_keyboard(browser: Browser, site: ServedSite) -> None:
    recommendations = [page for page in site.pages if PurePosixPath(page).match("recommendations/*/index.html")]
    chosen = ["index.html", "recommendations/index.html", *recommendations[:1], "404.html"]
    context = new_context(browser)
    try:
        tab = context.new_page()
        problems = [f"{page}: {problem}" for page in chosen for problem in check_skip_link(tab, site.url(page))]
    finally:
        context.close()
    assert not problems, report(problems, "keyboard problems")


def test_prints_without_navigation(browser: Browser, site: ServedSite) -> None:
    context = new_context(browser)
    try:
        tab = context.new_page()
        problems = [f"{page}: {problem}" for page in section_indexes(site)
                    for problem in check_print(tab, site.url(page))]
    finally:
        context.close()
    assert not problems, report(problems, "print problems")


def test_search_finds_pages_of_the_last_shard(browser: Browser, site: ServedSite, sharded_site: ServedSite) -> None:
    """Search works on the site as built, and on the same site with its index in shards, where the
    search page must merge every bundle: a page of the last shard is found by its heading."""
    from html import unescape

    from sitegen.search import plan_shards

    from .conftest import SHARD_PAGES

    folder = sharded_site.site_dir
    searched = [page for page in sharded_site.pages if "data-pagefind-body" in (folder / page).read_text()]
    shards = plan_shards(searched, SHARD_PAGES)
    assert len(shards) > 2
    wanted = shards[-1].pages[-1]
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", (folder / wanted).read_text(), re.S)
    assert heading, wanted
    query = unescape(re.sub(r"<[^>]+>", "", heading.group(1)))
    context = new_context(browser)
    try:
        for served_site in (site, sharded_site):
            link = served_site.url(wanted).removeprefix(served_site.origin)
            found, errors = search_results(context.new_page(), served_site.url("search/index.html"), query, link)
            assert link in found, (query, found)
            assert not errors, errors

        def without_merge(route: Route) -> None:  # the search page as if it merged no other shard
            response = route.fetch()
            route.fulfill(response=response, body=re.sub(r' data-merge="[^"]*"', "", response.text()))

        tab, search_page = context.new_page(), sharded_site.url("search/index.html")
        tab.route(search_page, without_merge)
        found, errors = search_results(tab, search_page, query, link, timeout_ms=5_000)
        assert link not in found, "the page was found without merging its shard: the test proves nothing"
    finally:
        context.close()
