"""The gate checks itself: on a small clean site every check is silent, and on a copy with one deliberate
fault per page each check names the page and the fault. A gate that cannot fail proves nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from .conftest import write_fake_site
from .sitecheck import (
    REFLOW_WIDTH,
    ServedSite,
    Visit,
    check_links,
    check_print,
    check_skip_link,
    check_without_javascript,
    new_context,
    run_vnu,
    served,
    visit,
)

# -- links: plain Python, no browser -------------------------------------------------------------------


def test_links_clean_site_has_no_problems(clean_site: ServedSite) -> None:
    links = check_links(clean_site)
    assert links.errors == []
    assert links.external == {}
    assert links.checked >= 10


def test_links_each_fault_is_reported(faulty_site: ServedSite) -> None:
    links = check_links(faulty_site)
    bad = [error for error in links.errors if error.startswith("faults/links/index.html:")]
    assert len(bad) == 4, "\n".join(links.errors)
    assert any("'/REPO/missing/'" in error and "HTTP 404" in error for error in bad)
    assert any("'/about.html'" in error and "leaves the site's base path /REPO/" in error for error in bad)
    assert any("'../../../../etc/'" in error and "leaves the site's base path" in error for error in bad)
    assert any("#nope" in error and "no id='nope'" in error for error in bad)
    assert any(error.startswith("404.html:") and "relative URL in 404.html" in error for error in links.errors)
    assert links.external == {"https://example.org/ext": "faults/links/index.html",
                              "https://example.org/pixel.png": "faults/foreign/index.html"}


# -- the tools and the browser -------------------------------------------------------------------------


@pytest.mark.browser
def test_vnu_clean_site_is_valid(clean_site: ServedSite) -> None:
    assert run_vnu(clean_site.site_dir) == []


@pytest.mark.browser
def test_vnu_reports_file_line_and_message(faulty_site: ServedSite) -> None:
    problems = run_vnu(faulty_site.site_dir)
    files = {problem.split(":")[0] for problem in problems}
    assert files == {"faults/invalid/index.html", "faults/no-alt/index.html"}, problems
    assert any(problem.startswith("faults/invalid/index.html:17: No “p” element in scope") for problem in problems)


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    context = new_context(browser)
    yield context.new_page()
    context.close()


@pytest.fixture
def no_js_tab(browser: Browser) -> Iterator[Page]:
    context = new_context(browser, javascript=False)
    yield context.new_page()
    context.close()


@pytest.mark.browser
def test_visit_clean_pages_are_silent(tab: Page, clean_site: ServedSite) -> None:
    for page in clean_site.pages:
        seen = visit(tab, clean_site.url(page), clean_site.origin)
        assert (seen.axe, seen.console, seen.network, seen.without_js, seen.detached) == ([], [], [], [], []), page
        assert seen.scroll_width <= REFLOW_WIDTH + 1, page
    missing = visit(tab, clean_site.origin + "/REPO/no/such/page/", clean_site.origin, expect_status=404)
    assert (missing.axe, missing.console, missing.network) == ([], [], [])


@pytest.mark.browser
def test_visit_reports_each_fault(tab: Page, faulty_site: ServedSite) -> None:
    def at(page: str) -> Visit:
        return visit(tab, faulty_site.url(page), faulty_site.origin)

    no_alt = at("faults/no-alt/index.html")
    assert [(v.rule, v.impact, v.targets) for v in no_alt.axe] == [("image-alt", "critical", ["img"])]
    assert "image-alt (critical)" in str(no_alt.axe[0]) and str(no_alt.axe[0]).endswith(": img")
    assert any("boom" in message for message in at("faults/uncaught/index.html").console)
    # a page with no script is laid out as without JavaScript, so its load says what that reader sees
    assert at("faults/hidden-table/index.html").without_js == ["table 1 of 1 is hidden without JavaScript"]
    assert at("faults/js-only/index.html").without_js is None, "a page with a script must be loaded without"
    assert at("faults/detached-term/index.html").detached == ["children in care"]
    foreign = at("faults/foreign/index.html").network
    assert any("outside the test server: https://example.org/pixel.png" in message for message in foreign), foreign
    blocked = at("faults/csp/index.html").console
    assert any("Content Security Policy" in message for message in blocked), blocked
    wide = at("faults/wide/index.html")
    assert wide.scroll_width > REFLOW_WIDTH + 1
    assert wide.too_wide == ['main#main > p "A paragraph 1000 pixels wide." reaches 1016 px'], wide.too_wide
    after = at("index.html")  # the tab is reused: nothing from the faulty pages carries over
    assert (after.axe, after.console, after.network, after.too_wide) == ([], [], [], [])


LOCKED_CSS = """body { font-family: sans-serif; }
@media screen and (min-width: 1px) and (max-width: 3000px) and (orientation: portrait) {
  html { transform: rotate(-90deg); }
}
"""
"""A style sheet that turns the page a quarter round in portrait, so that it reads only in landscape (WCAG 1.3.4)."""


FAKE_CAPTION = ('<table><tr><td colspan="3">Figures by year</td></tr>'
                + "".join(f"<tr><td>{year}</td><td>{year - 2000}</td><td>£{year - 2020}m</td></tr>"
                          for year in (2022, 2023, 2024)) + "</table>")
"""A table whose caption is a first row spanning every column, and whose cells have no headers."""


@pytest.mark.browser
def test_the_experimental_rules_asked_for_find_their_faults(tab: Page,
                                                            tmp_path_factory: pytest.TempPathFactory) -> None:
    """axe runs the rules sitecheck.AXE_EXPERIMENTAL names, which it would otherwise leave off."""
    root = write_fake_site(tmp_path_factory.mktemp("experimental"), with_faults=False)
    (root / "locked.css").write_text(LOCKED_CSS, encoding="utf-8")
    home = (root / "index.html").read_text(encoding="utf-8")
    for name, page in (("locked", home.replace("/REPO/site.css", "/REPO/locked.css")),
                       ("fake-caption", home.replace("</main>", f"{FAKE_CAPTION}\n</main>")),
                       ("focusable", home.replace("</main>", '<div tabindex="0">A box to tab to.</div>\n</main>'))):
        (root / name).mkdir()
        (root / name / "index.html").write_text(page, encoding="utf-8")
    with served(root) as site:
        def rules(page: str) -> list[str]:
            return sorted(violation.rule for violation in visit(tab, site.url(page), site.origin).axe)

        assert rules("locked/index.html") == ["css-orientation-lock"]
        assert rules("fake-caption/index.html") == ["table-fake-caption", "td-has-header"]
        assert rules("focusable/index.html") == ["focus-order-semantics"], "a stop of the tab order with no role"
        assert rules("index.html") == []


@pytest.mark.browser
def test_without_javascript(no_js_tab: Page, clean_site: ServedSite, faulty_site: ServedSite) -> None:
    for page in clean_site.pages:
        assert check_without_javascript(no_js_tab, clean_site.url(page)) == [], page
    assert check_without_javascript(no_js_tab, faulty_site.url("faults/js-only/index.html")) == [
        "<main> shows no text without JavaScript"]


@pytest.mark.browser
def test_skip_link(tab: Page, clean_site: ServedSite, faulty_site: ServedSite) -> None:
    assert check_skip_link(tab, clean_site.url("index.html")) == []
    assert check_skip_link(tab, clean_site.url("recommendations/r1/index.html")) == []
    problems = check_skip_link(tab, faulty_site.url("faults/no-skip/index.html"))
    assert len(problems) == 1 and "not the skip link" in problems[0], problems


@pytest.mark.browser
def test_print(tab: Page, clean_site: ServedSite, faulty_site: ServedSite) -> None:
    assert check_print(tab, clean_site.url("index.html")) == []
    assert check_print(tab, faulty_site.url("faults/print-nav/index.html")) == ["1 <nav> still shown in print"]
