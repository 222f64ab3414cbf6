"""Lists paginate: at most ROWS_PER_PAGE rows a page, numbered page links that work without
JavaScript, and a print page split by section once the site is large. A small site shows no pager."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from markupsafe import escape

from sitegen.build import render
from sitegen.plan import PRINT_ROWS_PER_PAGE, PRINT_SECTIONS, ROWS_PER_PAGE
from sitegen.render import Renderer, Settings
from sitegen.resolve import Ref
from sitegen.views import Quote, Views
from sitegen.words import KIND_TITLES

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
        assert f"<title>Print: {escape(KIND_TITLES[section])} – " in page  # each section's pages titled apart
    printed = list_pages(large, "print/recommendations/")
    assert len(printed) == -(-PROPOSALS // PRINT_ROWS_PER_PAGE) > 1
    assert f"<title>Print: {KIND_TITLES['recommendations']}, page 2 – " in large[printed[1]]
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


def test_a_mission_page_lists_its_proposals_in_pages_and_the_missions_page_20_of_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A mission's page lists all its proposals, over numbered pages (3 rows a page here); the missions
    page and the print page list 20 of a mission's proposals at most and link to the rest."""
    monkeypatch.setattr("sitegen.plan.ROWS_PER_PAGE", 3)
    generate(tmp_path, 80)
    site, files = render(tmp_path, Settings(base_url="/REPO/"))
    pages = {dest: data.decode("utf-8") for dest, data in files.items() if dest.endswith(".html")}
    recs = site.items["recommendations"].values()
    mission = max(site.items["missions"], key=lambda mi: sum(mi in r.missions for r in recs))
    wanted = sorted(r.id for r in recs if mission in r.missions)
    assert len(wanted) > 20
    proposal = re.compile(r'<li><a href="/REPO/recommendations/([^/"]+)/">')
    dests = list_pages(pages, f"missions/{mission}/")
    assert len(dests) == -(-len(wanted) // 3) and dests[1] == f"missions/{mission}/page/2/index.html"
    listed = [proposal.findall(pages[dest]) for dest in dests]
    assert all(0 < len(found) <= 3 for found in listed)
    assert sorted(found for page in listed for found in page) == wanted
    for at, dest in enumerate(dests[1:], start=2):  # a later page says its number and is left to search's first
        assert f", page {at} – " in pages[dest].partition("</title>")[0] and "data-pagefind-body" not in pages[dest]
    assert ", page" not in pages[dests[0]].partition("</title>")[0] and "data-pagefind-body" in pages[dests[0]]
    number = site.items["missions"][mission].number
    for page, start, end in (("missions/index.html", f'id="mission-{mission}"', "</section>"),
                             ("print/index.html", f"<h3>Mission {number}:", "<h4>Programmes")):
        section = pages[page].split(start, 1)[1].split(end, 1)[0]
        assert len(proposal.findall(section)) == 20, page
        assert f'And {len(wanted) - 20} more, listed on <a href="/REPO/missions/{mission}/">' in section


def test_linked_from_leaves_out_what_the_page_lists_and_stops_at_100(project: Path) -> None:
    """A mission's or theme's page lists the items naming it in their `missions` or `themes` already, so
    its "Linked from" does not repeat them; and it lists 100 items at most."""
    site, _files = render(project, Settings())
    views = Views(site)
    for kind, field in (("missions", "missions"), ("themes", "themes")):
        for item_id in site.items[kind]:
            ref = Ref(kind, item_id)
            naming = {Ref(other, i.id) for other in ("recommendations", "pilots", "funding")
                      for i in site.items[other].values() if item_id in getattr(i, field, [])}
            assert set(views.backlinks(ref)) == set(site.backlinks.get(ref, [])) - naming
    assert any(set(views.backlinks(Ref("missions", i))) != set(site.backlinks.get(Ref("missions", i), []))
               for i in site.items["missions"]), "the project has a mission that proposals name"
    some = next(iter(site.backlinks.values()))[0]
    many = Ref("glossary", "many")
    site.backlinks[many] = [some] * 130
    html = Renderer(ROOT / "templates", site, Settings()).env.from_string(
        '{% import "_macros.html" as ui %}{{ ui.backlinks(ref) }}').render(ref=many)
    assert html.count("<li>") == 100 and "And 30 more, not listed here." in html


def test_the_a_to_z_is_split_in_pages_that_link_to_every_letter(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Past A_TO_Z_PER_PAGE entries, the A–Z goes on over numbered pages; every page links to each letter
    where it starts, and a letter that goes on from the page before says so."""
    monkeypatch.setattr("sitegen.plan.A_TO_Z_PER_PAGE", 40)
    generate(tmp_path, 30)
    site, files = render(tmp_path, Settings(base_url="/REPO/"))
    pages = {dest: data.decode("utf-8") for dest, data in files.items() if dest.endswith(".html")}
    total = sum(len(items) for items in site.items.values())
    dests = list_pages(pages, "a-z/")
    assert len(dests) == -(-total // 40) > 2
    entry = re.compile(r'<li><a href="([^"]+)">[^<]*</a> <span class="kind-tag">')
    found = [[href for href in entry.findall(pages[dest])] for dest in dests]
    assert all(0 < len(page) <= 40 for page in found) and sum(map(len, found)) == total
    letters = re.compile(r'<nav class="az" aria-label="Letters"><ul>(.*?)</ul></nav>', re.S)
    heading = re.compile(r'<h2 id="(az-\d+)">([^<]*)</h2>')
    starts = {}
    for dest in dests:
        for anchor, text in heading.findall(pages[dest]):
            if not text.endswith(" (continued)"):
                starts[text] = (dest, anchor)
    assert any(text.endswith(" (continued)") for dest in dests for _, text in heading.findall(pages[dest]))
    for number, dest in enumerate(dests):
        links = re.findall(r'<a href="([^"]*)#(az-\d+)">([^<]*)</a>', letters.search(pages[dest]).group(1))
        assert [text for _, _, text in links] == list(starts)
        for href, anchor, text in links:
            target, wanted = starts[text]
            assert anchor == wanted and (href or f"/REPO/{dest.removesuffix('index.html')}") == \
                f"/REPO/{target.removesuffix('index.html')}"
            assert (href == "") == (target == dest)
        assert (f"<title>A–Z of every page, page {number + 1} – " if number else "<title>A–Z of every page – ") \
            in pages[dest]


def test_a_source_page_lists_its_quotes_in_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sitegen.plan.QUOTES_PER_PAGE", 5)
    generate(tmp_path, 30)
    site, files = render(tmp_path, Settings(base_url="/REPO/"))
    pages = {dest: data.decode("utf-8") for dest, data in files.items() if dest.endswith(".html")}
    views = Views(site)
    source = max(site.items["sources"], key=lambda s: len(views.quotes_from(s)))
    count = len(views.quotes_from(source))
    assert count > 10
    dests = list_pages(pages, f"sources/{source}/")
    assert len(dests) == -(-count // 5)
    quotes = [re.findall(r"<li>[^<]*: <a href=[^>]*>[^<]*</a>: <q>", pages[dest]) for dest in dests]
    assert all(0 < len(page) <= 5 for page in quotes) and sum(map(len, quotes)) == count
    assert all(f", page {at} – " in pages[dest].partition("</title>")[0] for at, dest in enumerate(dests[1:], start=2))


def test_the_sources_page_lists_100_items_citing_a_source_and_links_to_the_rest(tmp_path: Path) -> None:
    generate(tmp_path, 80)
    site, _files = render(tmp_path, Settings(base_url="/REPO/"))
    renderer = Renderer(ROOT / "templates", site, Settings(base_url="/REPO/"))
    source = next(iter(site.items["sources"].values()))
    refs = sorted(Ref(kind, item_id) for kind in site.items for item_id in site.items[kind])[:130]
    assert len(refs) == 130
    renderer.views.quotes[source.id] = [Quote(ref, "a quote") for ref in refs]
    html = renderer.env.from_string('{% from "sources/_entry.html" import entry %}{{ entry(s) }}').render(s=source)
    assert "Cited by 130 items" in html and html.count("<li>") == 100
    assert (f'And 30 more, on <a href="/REPO/sources/{source.id}/">the source\'s page'
            f'<span class="visually-hidden">: {escape(source.title)}</span></a>.') in html
