"""The councils' A to Z on /for/councils/: whole without JavaScript; with it, a name filter that hides
the councils (and the letters) that do not match, under the site's CSP."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from sitegen.build import check_site

from .sitecheck import ServedSite, new_context

pytestmark = pytest.mark.browser


AREAS = len(check_site(Path(__file__).resolve().parents[2]).items["areas"])
"""Every council and region in data/areas.yaml."""


def visible_names(page: Page) -> list[str]:
    names: list[str] = page.eval_on_selector_all("#council-list li[data-name]:not([hidden])",
                                                 "items => items.map(item => item.dataset.name)")
    return names


def test_the_filter_narrows_the_list_by_name(browser: Browser, site: ServedSite) -> None:
    context = new_context(browser)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(site.url("for/councils/index.html"), wait_until="load")
        assert len(visible_names(page)) == AREAS
        page.fill("#council-filter", "linc")
        assert visible_names(page) == ["lincolnshire"]
        assert page.is_hidden("#letter-D")  # no council under D matches
        assert page.inner_text(".filter-count") == "1 match"
        page.fill("#council-filter", "")
        assert len(visible_names(page)) == AREAS
    finally:
        context.close()
    assert errors == []  # a script the CSP blocked would show here


def test_without_javascript_the_list_is_whole_and_the_box_hidden(browser: Browser, site: ServedSite) -> None:
    context = new_context(browser, javascript=False)
    try:
        page = context.new_page()
        page.goto(site.url("for/councils/index.html"), wait_until="load")
        assert len(visible_names(page)) == AREAS
        assert page.is_hidden(".name-filter")
        assert page.is_visible("text=Lincolnshire")
    finally:
        context.close()


def test_a_guide_s_quotes_are_folded_on_a_phone_and_printed_open(browser: Browser, site: ServedSite) -> None:
    """Each answer's date line stays in view and its quotes are a tap away, so a phone reader reaches
    the next question; on paper every quote is printed."""
    context = new_context(browser, javascript=False)
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(site.url("for/families/index.html"), wait_until="load")
        folded = page.query_selector_all(".guide-answer details.guide-sources")
        assert len(folded) == len(page.query_selector_all(".guide-answer")) > 3
        shown = "els => els.map(el => el.checkVisibility())"
        assert set(page.eval_on_selector_all(".guide-sources .citations", shown)) == {False}
        assert set(page.eval_on_selector_all(".guide-answer .when", shown)) == {True}
        page.click(".guide-answer summary")
        assert page.eval_on_selector_all(".guide-sources .citations", shown)[0] is True
        page.reload()
        page.emulate_media(media="print")
        assert set(page.eval_on_selector_all(".guide-sources .citations", shown)) == {True}
    finally:
        context.close()
