"""Lists paginate: at most ROWS_PER_PAGE rows a page, numbered page links that work without
JavaScript, and a print page split by section once the site is large. A small site shows no pager."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from sitegen.build import render
from sitegen.plan import PRINT_ROWS_PER_PAGE, PRINT_SECTIONS, ROWS_PER_PAGE
from sitegen.render import Settings

sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402

PROPOSALS = 320
"""Four pages of proposals, and more items than the print page holds on one page (plan.PRINT_ITEMS)."""

PAGE_LIMIT = 1_000_000
"""Bytes an HTML page of this generated site may have at most."""

PAGER = re.compile(r'<nav class="pager" aria-label="Pages">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="page")?>(\d+)</a>')
ROW = re.compile(r'<tr data-id="([^"]+)" data-status="([^"]+)"')


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every HTML page of a generated site of PROPOSALS proposals, under /REPO/, by path."""
    project = tmp_path_factory.mktemp("large")
    generate(project, PROPOSALS)
    _site, files = render(project, Settings(base_url="/REPO/"))
    return {dest: data.decode("utf-8") for dest, data in files.items() if dest.endswith(".html")}


def pager_links(page: str) -> list[tuple[str, bool, int]]:
    """The pager's links as (href, is the current page, number); [] when the page has no pager."""
    found = PAGER.findall(page)
    assert len(found) <= 1
    return [(href, bool(current), int(number)) for href, current, number in LINK.findall(found[0])] if found else []


def list_pages(pages: dict[str, str], folder: str) -> list[str]:
    """The pages of one list, first to last, by following its pager from the first."""
    links = pager_links(pages[f"{folder}index.html"])
    if not links:
        return [f"{folder}index.html"]
    return [href.removeprefix("/REPO/") + "index.html" for href, _, _ in links]


def test_the_proposals_list_is_split_in_numbered_pages_of_at_most_100_rows(large: dict[str, str]) -> None:
    dests = list_pages(large, "recommendations/")
    assert dests == ["recommendations/index.html", "recommendations/page/2/index.html",
                     "recommendations/page/3/index.html", "recommendations/page/4/index.html"]
    assert "recommendations/page/5/index.html" not in large and "recommendations/page/1/index.html" not in large
    seen: list[str] = []
    for number, dest in enumerate(dests, start=1):
        rows = [row_id for row_id, _ in ROW.findall(large[dest])]
        assert 0 < len(rows) <= ROWS_PER_PAGE
        seen += rows
        links = pager_links(large[dest])
        assert [n for _, _, n in links] == [1, 2, 3, 4]
        assert [n for _, current, n in links if current] == [number], "the page itself is marked current"
        assert f"All {PROPOSALS} proposals" in large[dest]
    assert len(seen) == len(set(seen)) == PROPOSALS, "every proposal once, over the pages"


def test_each_filter_page_lists_exactly_its_proposals_over_its_pages(large: dict[str, str]) -> None:
    everything = [status for dest in list_pages(large, "recommendations/") for _, status in ROW.findall(large[dest])]
    statuses = sorted(set(everything))
    assert len(statuses) > 1
    for status in statuses:
        dests = list_pages(large, f"recommendations/status/{status}/")
        rows = [found for dest in dests for found in ROW.findall(large[dest])]
        assert all(len(ROW.findall(large[dest])) <= ROWS_PER_PAGE for dest in dests)
        assert {found_status for _, found_status in rows} == {status}
        assert len(rows) == everything.count(status) == len({row_id for row_id, _ in rows})
        assert len(dests) == -(-len(rows) // ROWS_PER_PAGE)


def test_a_list_that_fits_on_one_page_has_no_pager(large: dict[str, str]) -> None:
    assert pager_links(large["themes/index.html"]) == []
    assert not any(dest.startswith("themes/page/") for dest in large)


def test_the_print_page_of_a_large_site_is_split_by_section_and_in_pages(large: dict[str, str]) -> None:
    contents = large["print/index.html"]
    assert 'id="p-intro"' in contents and "<table" not in contents
    for section in PRINT_SECTIONS:
        assert f'href="/REPO/print/{section}/"' in contents
        page = large[f"print/{section}/index.html"]
        assert f'id="p-{section}"' in page
        assert [other for other in PRINT_SECTIONS if other != section and f'id="p-{other}"' in page] == []
    printed = list_pages(large, "print/recommendations/")
    assert len(printed) == -(-PROPOSALS // PRINT_ROWS_PER_PAGE) > 1
    rows = [row_id for dest in printed for row_id, _ in ROW.findall(large[dest])]
    assert len(rows) == len(set(rows)) == PROPOSALS
    assert all(len(ROW.findall(large[dest])) <= PRINT_ROWS_PER_PAGE for dest in printed)


def test_no_html_page_of_the_large_site_is_over_the_limit(large: dict[str, str]) -> None:
    largest = max(large, key=lambda dest: len(large[dest].encode("utf-8")))
    assert len(large[largest].encode("utf-8")) <= PAGE_LIMIT, largest


def test_a_small_site_has_no_pager_and_one_print_page(project: Path) -> None:
    _site, files = render(project, Settings())
    pages = {dest: data.decode("utf-8") for dest, data in files.items() if dest.endswith(".html")}
    assert not any('aria-label="Pages"' in page for page in pages.values())
    assert not any(dest.startswith("print/") and dest != "print/index.html" for dest in pages)
    whole = pages["print/index.html"]
    assert 'id="p-recommendations"' in whole and 'href="#p-recommendations"' in whole


def test_a_theme_page_filters_the_proposals_in_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A theme's page is a filter of the proposals: it paginates as the lists do (3 rows a page here)."""
    monkeypatch.setattr("sitegen.plan.ROWS_PER_PAGE", 3)
    generate(tmp_path, 30)
    site, files = render(tmp_path, Settings(base_url="/REPO/"))
    pages = {dest: data.decode("utf-8") for dest, data in files.items() if dest.endswith(".html")}
    theme = max(site.items["themes"], key=lambda t: sum(t in r.themes for r in site.items["recommendations"].values()))
    wanted = sorted(r.id for r in site.items["recommendations"].values() if theme in r.themes)
    assert len(wanted) > 3
    dests = list_pages(pages, f"themes/{theme}/")
    assert len(dests) == -(-len(wanted) // 3) and dests[1] == f"themes/{theme}/page/2/index.html"
    rows = [[row_id for row_id, _ in ROW.findall(pages[dest])] for dest in dests]
    assert all(0 < len(found) <= 3 for found in rows)
    assert sorted(row_id for found in rows for row_id in found) == wanted
    for number, dest in enumerate(dests, start=1):
        assert [n for _, current, n in pager_links(pages[dest]) if current] == [number]
