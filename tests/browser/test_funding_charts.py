"""The money page on a phone: each chart is named above it and comes before long text; how the charts
are drawn, and each chart in brief, open from the keyboard, and print on paper."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page

from .sitecheck import ServedSite, new_context

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def top(page: Page, selector: str) -> float:
    found: float = page.eval_on_selector(selector, "element => element.getBoundingClientRect().top + window.scrollY")
    return found


def shown(page: Page, selector: str) -> bool:
    visible: bool = page.eval_on_selector(selector, "element => element.checkVisibility()")
    return visible


@contextmanager
def money_page_on_a_phone(browser: Browser, site: ServedSite) -> Iterator[Page]:
    """The money page at a phone's width, with JavaScript off (the charts need none)."""
    context = new_context(browser, javascript=False)
    try:
        page = context.new_page()
        page.set_viewport_size(PHONE)
        page.goto(site.url("funding/index.html"), wait_until="load")
        yield page
    finally:
        context.close()


def test_on_a_phone_each_chart_is_named_above_it_before_long_text(browser: Browser, site: ServedSite) -> None:
    with money_page_on_a_phone(browser, site) as page:
        figures = page.query_selector_all("figure.chart-figure")
        assert len(figures) >= 4
        for figure in figures:
            caption, chart = figure.query_selector("figcaption"), figure.query_selector("svg.chart")
            assert caption is not None and chart is not None
            assert caption.bounding_box()["y"] < chart.bounding_box()["y"]  # type: ignore[index]
            assert caption.inner_text().strip() and ":" not in caption.inner_text()
        # the key and the words are folded: the first chart starts less than 2.2 phone screens down
        assert not shown(page, ".chart-key p") and not shown(page, "#chart-called-for .chart-words p")
        assert top(page, "figure.chart-figure svg") < 2.2 * PHONE["height"]
        page.focus("#chart-called-for .chart-words > summary")
        page.keyboard.press("Enter")
        assert shown(page, "#chart-called-for .chart-words p")
        assert "reported sum" in page.inner_text("#chart-called-for .chart-words p")
        page.emulate_media(media="print")  # paper gets how the charts are drawn and each chart in brief
        assert shown(page, ".chart-key p") and all(
            shown(page, f"#{figure.get_attribute('id')} .chart-words p") for figure in figures)


CHART_TEXT = """charts => charts.flatMap(chart => {
  const box = chart.getBoundingClientRect(), scale = box.width / chart.viewBox.baseVal.width;
  return [...chart.querySelectorAll('text')].map(text => ({
    text: text.textContent,
    px: parseFloat(getComputedStyle(text).fontSize) * scale,
    overflow: text.getBoundingClientRect().right - box.right,
  }));
})"""


def test_on_a_phone_chart_text_is_drawn_large_enough_and_inside_its_chart(browser: Browser, site: ServedSite) -> None:
    """On a 390 px phone every chart's words are drawn at 13 px or more, none past the chart's right edge."""
    with money_page_on_a_phone(browser, site) as page:
        texts = page.eval_on_selector_all("svg.chart", CHART_TEXT)
    assert len(texts) > 40
    assert [t for t in texts if t["px"] < 13] == []
    assert [t for t in texts if t["overflow"] > 0] == []
