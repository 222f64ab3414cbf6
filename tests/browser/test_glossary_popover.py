"""A glossary term's definition in place, on a phone and without JavaScript: the "?" opens it, and its
Close button, or Escape, closes it (the HTML popover attribute needs no script)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from .sitecheck import ServedSite, new_context

pytestmark = pytest.mark.browser


def test_the_definition_opens_from_its_button_and_closes_from_its_own(browser: Browser, site: ServedSite) -> None:
    context = new_context(browser, javascript=False)
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(site.url("recommendations/index.html"), wait_until="load")
        button = page.locator("button.term-info").first
        popover = page.locator(f"#{button.get_attribute('popovertarget')}")
        assert popover.is_hidden()
        button.click()
        assert popover.is_visible() and "Glossary entry" in popover.inner_text()
        close = popover.get_by_role("button", name="Close")
        close.click()
        assert popover.is_hidden()
        button.focus()
        page.keyboard.press("Enter")
        assert popover.is_visible()
        page.keyboard.press("Escape")
        assert popover.is_hidden()
    finally:
        context.close()
