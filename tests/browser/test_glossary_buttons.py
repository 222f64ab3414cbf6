"""The glossary's "?" buttons on a phone: one per term on a page, each on its term's line, never
starting a line of its own away from the words it explains."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from .sitecheck import REFLOW_WIDTH, ServedSite, new_context

pytestmark = pytest.mark.browser

PAGES = ["recommendations/index.html", "glossary/index.html", "for/journalists/index.html", "changes/index.html",
         "timeline/index.html"]
"""The pages a reader's review found "?" buttons wrapped away from their terms on (glossary/ has none)."""

AWAY = """() => [...document.querySelectorAll('button.term-info')].flatMap(button => {
  const lines = button.previousElementSibling.getClientRects(), last = lines[lines.length - 1];
  const box = button.getBoundingClientRect();
  const apart = box.bottom < last.top || box.top > last.bottom || box.left < last.right - 1;
  return apart ? [button.previousElementSibling.textContent] : [];
})"""
TARGETS = "() => [...document.querySelectorAll('button.term-info')].map(b => b.getAttribute('popovertarget'))"


@pytest.mark.parametrize("width", [REFLOW_WIDTH, 390])
def test_each_button_is_on_its_term_s_line_once_a_page(browser: Browser, site: ServedSite, width: int) -> None:
    context = new_context(browser, javascript=False)
    try:
        tab = context.new_page()
        tab.set_viewport_size({"width": width, "height": 800})
        buttons = 0
        for page in PAGES:
            tab.goto(site.url(page), wait_until="load")
            assert tab.evaluate(AWAY) == [], f"{page}: a button on another line than its term"
            targets = tab.evaluate(TARGETS)
            assert len(targets) == len(set(targets)), f"{page}: a term has two buttons"
            buttons += len(targets)
        assert buttons > 10
    finally:
        context.close()
