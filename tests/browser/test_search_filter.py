"""The search page's "Type of page": with JavaScript, a search for a word found in pages of several types
narrows to the type chosen (from the keyboard too), keeps the first page full while matches lie further
down, and "All types" shows every type again; under the site's CSP, with no axe violation in light or
dark mode and no sideways scroll at 320 px. Without JavaScript the page says what it always said."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page

from .sitecheck import REFLOW_WIDTH, ServedSite, axe_violations, new_context

pytestmark = pytest.mark.browser

QUERY = "family"
"""A word of proposals, glossary terms, events, guides and more on the real site."""

PAGE = 10
"""Results search.js shows at first and adds with each "Load more results"."""


def shown(page: Page) -> list[tuple[str, str]]:
    """The results on the page as (title, address)."""
    found: list[tuple[str, str]] = page.eval_on_selector_all(
        "#search-results a", "links => links.map(link => [link.textContent, link.getAttribute('href')])")
    return [(title, href) for title, href in found]


def settled(page: Page) -> None:
    """Wait until search.js has finished loading results (the list is not busy) and says what it shows."""
    page.wait_for_function("() => document.getElementById('search-results').getAttribute('aria-busy') === 'false'"
                           " && document.getElementById('search-status').textContent !== ''")


def every_result(page: Page) -> list[tuple[str, str]]:
    """Press "Load more results" until there are no more; the results then shown."""
    while page.is_visible("#search-more"):
        before = len(shown(page))
        page.click("#search-more")
        page.wait_for_function(f"() => document.querySelectorAll('#search-results li').length > {before}")
        settled(page)
    return shown(page)


def type_of(title: str, types: list[str]) -> str | None:
    """The page type a result's title starts with ("Proposal: …"); None for a page without one."""
    return next((kind for kind in types if title.startswith(kind + ": ")), None)


def test_results_narrow_to_the_type_chosen_and_all_types_shows_them_again(browser: Browser, site: ServedSite) -> None:
    context = new_context(browser)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(site.url("search/index.html"), wait_until="load")
        types = page.eval_on_selector_all("#search-type option", "options => options.map(option => option.value)")
        assert types[0] == "" and {"Proposal", "Glossary term", "Guide"} <= set(types)
        types = types[1:]
        page.fill("#search-input", QUERY)
        settled(page)
        assert len(shown(page)) == PAGE
        everything = every_result(page)
        kinds = [type_of(title, types) for title, _ in everything]
        assert {"Proposal", "Glossary term"} <= set(kinds)
        assert re.fullmatch(rf"{len(everything)} results for “{QUERY}”\.", page.inner_text("#search-status"))

        # A type whose first result lies beyond the first page: its results still fill the first page.
        late = next(kind for kind in types if kind in kinds and kinds.index(kind) >= PAGE)
        page.select_option("#search-type", late)
        settled(page)
        wanted = [result for result, kind in zip(everything, kinds, strict=True) if kind == late]
        assert shown(page) == wanted[:PAGE] and every_result(page) == wanted

        # One type chosen from the keyboard: only its results, and its count among all results.
        page.focus("#search-type")
        page.keyboard.press("Home")  # "All types"
        page.keyboard.press("ArrowDown")
        assert page.eval_on_selector("#search-type", "select => select.value") == types[0] == "Proposal"
        settled(page)
        proposals = [result for result, kind in zip(everything, kinds, strict=True) if kind == "Proposal"]
        assert len(proposals) > PAGE  # so "Load more results" is tried with a type chosen
        assert shown(page) == proposals[:PAGE]
        assert all(href.startswith(site.base_path + "recommendations/") for _, href in shown(page))
        assert page.inner_text("#search-status") == (
            f"Showing {PAGE} of type “Proposal” from the {len(everything)} results for “{QUERY}”.")
        page.focus("#search-more")
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => document.querySelectorAll('#search-results li').length > {PAGE}")
        settled(page)
        assert page.evaluate("() => document.activeElement.getAttribute('href')") == proposals[PAGE][1]
        assert every_result(page) == proposals
        assert page.inner_text("#search-status") == (
            f"{len(proposals)} of the {len(everything)} results for “{QUERY}” are of type “Proposal”.")

        page.select_option("#search-type", "Glossary term")
        settled(page)
        terms = shown(page)
        assert terms and all(title.startswith("Glossary term: ") for title, _ in terms)
        assert all(href.startswith(site.base_path + "glossary/") for _, href in terms)

        # The control in view, with results: no violation in either colour scheme, no sideways scroll.
        problems = [f"light: {violation}" for violation in axe_violations(page)]
        page.emulate_media(color_scheme="dark")
        problems += [f"dark: {violation}" for violation in axe_violations(page)]
        assert not problems, problems
        page.set_viewport_size({"width": REFLOW_WIDTH, "height": 800})
        assert page.evaluate("() => document.documentElement.scrollWidth") <= REFLOW_WIDTH

        page.select_option("#search-type", "")
        settled(page)
        assert shown(page) == everything[:PAGE]
        assert {"Proposal", "Glossary term"} <= {type_of(title, types) for title, _ in every_result(page)}
    finally:
        context.close()
    assert errors == []  # a script the CSP blocked would show here


def test_a_query_and_type_in_the_address_are_searched_at_once(browser: Browser, site: ServedSite) -> None:
    context = new_context(browser)
    try:
        page = context.new_page()
        page.goto(site.url("search/index.html") + f"?q={QUERY}&type=Glossary+term", wait_until="load")
        settled(page)
        assert page.input_value("#search-input") == QUERY
        assert page.eval_on_selector("#search-type", "select => select.value") == "Glossary term"
        assert shown(page) and all(title.startswith("Glossary term: ") for title, _ in shown(page))
    finally:
        context.close()


def test_without_javascript_the_page_says_what_it_said(browser: Browser, site: ServedSite) -> None:
    context = new_context(browser, javascript=False)
    try:
        page = context.new_page()
        page.goto(site.url("search/index.html"), wait_until="load")
        assert page.is_hidden("#search") and page.is_hidden("#search-type")
        text = page.inner_text("main")
        assert "Search needs JavaScript, which is switched off." in text
        assert "You can also browse every page in the A–Z index." in text
        assert text.count("A–Z index") == 1, "the A to Z said once"
    finally:
        context.close()
