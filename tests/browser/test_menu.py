"""The main menu: folded behind one "Menu" control on a phone, so the page's content comes first, and
opened from the keyboard with or without JavaScript; open without a click on a wide screen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page

from .sitecheck import DESKTOP, REFLOW_WIDTH, ServedSite, new_context

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MENU_LINKS = ".site-nav a"


def visible_links(page: Page) -> list[str]:
    links: list[str] = page.eval_on_selector_all(
        MENU_LINKS, "links => links.filter(link => link.checkVisibility()).map(link => link.textContent)")
    return links


def header_height(page: Page) -> float:
    height: float = page.eval_on_selector(".site-header", "header => header.getBoundingClientRect().height")
    return height


@contextmanager
def menu_page(browser: Browser, url: str, viewport: dict[str, int],
              javascript: bool) -> Iterator[tuple[Page, list[str]]]:
    """A page at url in a fresh browser context of this size, and every link its menu holds."""
    context = new_context(browser, javascript=javascript)
    try:
        page = context.new_page()
        page.set_viewport_size(viewport)
        page.goto(url, wait_until="load")
        yield page, page.eval_on_selector_all(MENU_LINKS, "links => links.map(link => link.textContent)")
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_on_a_phone_the_menu_is_folded_and_opens_from_the_keyboard(browser: Browser, site: ServedSite,
                                                                    javascript: bool) -> None:
    with menu_page(browser, site.url("missions/index.html"), PHONE, javascript) as (page, every):
        assert len(every) >= 8
        assert visible_links(page) == []
        assert header_height(page) < 120  # the site's name and the control: the heading shows without scrolling
        page.focus(".site-menu > summary")
        page.keyboard.press("Enter")
        assert visible_links(page) == every
        assert page.inner_text('.site-nav a[aria-current="page"]') == "Missions"
        page.set_viewport_size({"width": REFLOW_WIDTH, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= REFLOW_WIDTH  # open, it still reflows
        page.keyboard.press("Enter")
        assert visible_links(page) == []


def test_on_a_wide_screen_every_link_shows_without_the_control(browser: Browser, site: ServedSite) -> None:
    with menu_page(browser, site.url("index.html"), DESKTOP, javascript=False) as (page, every):
        assert visible_links(page) == every
        assert page.is_hidden(".site-menu > summary")
        tops = page.eval_on_selector_all(".site-nav li", "items => items.map(li => li.getBoundingClientRect().top)")
        assert len(set(tops)) == 1, "the menu is one line at 1280 px, not Search alone on a second"


@pytest.mark.parametrize("width", [REFLOW_WIDTH, PHONE["width"]])
def test_on_a_phone_the_control_keeps_the_page_s_margin_and_is_not_printed(browser: Browser, site: ServedSite,
                                                                           width: int) -> None:
    """The control lines up with the text below it (1rem from the edge), not against the screen's edge."""
    with menu_page(browser, site.url("index.html"), {"width": width, "height": 800}, javascript=True) as (page, _):
        control = page.eval_on_selector(".site-menu > summary", "s => s.getBoundingClientRect().right")
        text = page.eval_on_selector("main h1", "h => h.getBoundingClientRect().right")
        assert control <= width - 16 and abs(control - text) <= 1, (control, text)
        page.emulate_media(media="print")
        assert page.is_hidden(".site-menu > summary")
