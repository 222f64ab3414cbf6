"""The way in for readers (issue 23): questions and key figures on the home page, the funding page's
answer, the timeline's year links, year-only events and overdue plans. Real data and made-up projects."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL, ROOT
from reader_site import BASE, html_pages, rendered, site_model, table_rows

from sitegen.build import render
from sitegen.errors import BuildFailed
from sitegen.formats import format_count
from sitegen.home import READERS, questions
from sitegen.pagefind_run import spaced
from sitegen.render import Settings
from sitegen.views import Views
from sitegen.words import STATUS_WORDS

LATER_SOURCE = """- id: later-article
  title: "A later test article"
  outlet: Test News
  date: 2024-03-01
  url: https://example.org/later
  archive: later.txt
"""
LATER_TEXT = ("A later test article\n\nIn 2023 the council reviewed its homes. On 5 May 2023 the council met."
              " In 2022 the council closed a home. In 2022 it opened another.\n")


def made_up(tmp_path: Path, front: str = "", events: str = "") -> dict[str, str]:
    """The minimal project with extra front matter on its home page and extra timeline events, rendered."""
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    index = project / "content" / "index.md"
    index.write_text(index.read_text().replace("description: A tiny test site.\n",
                                               "description: A tiny test site.\n" + front))
    (project / "sources" / "later.txt").write_text(LATER_TEXT)
    sources = project / "data" / "sources.yaml"
    sources.write_text(sources.read_text() + "\n" + LATER_SOURCE)
    timeline = project / "data" / "timeline.yaml"
    timeline.write_text(timeline.read_text() + events)
    _site, files = render(project, Settings(base_url="/"))
    return html_pages(files)


PLAN = """
- id: missions-met
  date: 2027-01-01
  precision: year
  planned: true
  title: Missions to be met
  related: [family-help-services]
  citations:
    - source: test-article
      quote: The missions are to be met by 2027
"""


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


# --- Home page ---------------------------------------------------------------------------------


def test_home_page_starts_from_readers_questions_linked_to_their_answers() -> None:
    home = html_pages(rendered())["index.html"]
    questions_list = home[home.index('<ul class="question-list">'):home.index("</ul>", home.index("question-list"))]
    assert f'<a href="{BASE}recommendations/status/rejected/">What was rejected?</a>' in questions_list
    assert (f'<a href="{BASE}funding/#needed-and-given">How much money was called for, and how much was set aside?</a>'
            in questions_list)
    assert f'<a href="{BASE}for/councils/#councils">Was my council named in a pilot?</a>' in questions_list  # A to Z
    readers = home[home.index('id="readers"'):home.index("</nav>", home.index("question-list"))]
    assert "journalist" not in questions_list and f'<a href="{BASE}for/journalists/">I am a journalist</a>' in readers
    assert home.index('id="questions"') < home.index('id="key-figures"') < home.index(
        "reported on 26 January 2021 that the government had launched")
    # pictures before lists: the response at a glance comes before the words of "Where things stand"
    assert home.index('id="key-figures"') < home.index('class="glance') < home.index('>Where things stand</h2>')
    reviews = {rec.review.value for rec in site_model().items["recommendations"].values()}
    assert len(reviews) == 3
    assert "They come from the care review and 2 other reports, and the sources report only" in home


def test_questions_link_the_best_page_the_site_has_and_leave_out_those_it_cannot_answer() -> None:
    without_guides = {"recommendations/status/rejected/index.html", "funding/index.html", "areas/index.html"}
    assert questions(without_guides) == [
        ("What was rejected?", "recommendations/status/rejected/"),
        ("How much money was called for, and how much was set aside?", "funding/"),
        ("Was my council named in a pilot?", "areas/")]
    with_guides = without_guides | {f"for/{slug}/index.html" for slug in
                                    ("councils", "families", "care-leavers", "social-workers", "journalists")}
    assert questions(with_guides)[2:] == [("Was my council named in a pilot?", "for/councils/#councils")]
    assert questions(without_guides, READERS) == []
    assert questions(with_guides, READERS) == [
        ("I am a parent, or I bring up a relative's child", "for/families/"),
        ("I am a care leaver", "for/care-leavers/"),
        ("I am a social worker", "for/social-workers/"), ("I am a journalist", "for/journalists/")]


def test_pilots_page_opens_with_a_picture_of_each_programme_s_numbers_of_areas() -> None:
    """Pictures before lists: a bar for each different number of areas a programme is given (qualifier
    included), named with its first report; the programmes without a number are named under it."""
    site = site_model()
    views = Views(site)
    page = html_pages(rendered())["pilots/index.html"]
    figure = page[page.index('<figure class="chart-figure" id="areas-chart">'):page.index("</figure>")]
    assert page.index('id="areas-chart"') < page.index('<section class="card"')
    drawn = re.findall(r'<rect class="bar-areas" data-id="([^"]+)"', figure)
    expected = []
    for pilot in sorted(site.items["pilots"].values(), key=lambda p: p.name.casefold()):
        figures = {(v.count, v.qualifier) for v in pilot.area_counts}
        expected += [pilot.id] * len(figures)
        for value in pilot.area_counts:  # each figure with the date of the first report to give it
            first = min(views.reported_on(v) or dt.date.max for v in pilot.area_counts
                        if (v.count, v.qualifier) == (value.count, value.qualifier))
            assert f">{format_count(value)} ·" in figure
            assert first.strftime("%-d %b %Y") in text_of(figure)
        if not pilot.area_counts:
            assert f'<a href="#pilot-{pilot.id}">' in figure
    assert sorted(drawn) == sorted(expected) and len(set(drawn)) >= 4
    families_first = site.items["pilots"]["families-first-for-children-pathfinder"]
    assert drawn.count(families_first.id) == len({(v.count, v.qualifier) for v in families_first.area_counts}) > 1
    assert "up to 12 areas" in text_of(figure)  # a qualifier is drawn with its figure


def test_home_page_has_one_list_of_sections() -> None:
    page = html_pages(rendered())["index.html"]
    home = page[page.index("<main"):page.index("</main>")]
    assert home.count(f'href="{BASE}pilots/"') == 1
    assert "Finding your way around" not in home and home.count('id="sections"') == 1


def test_key_figure_tiles_show_the_newest_cited_figure_with_kind_date_and_link() -> None:
    home = html_pages(rendered())["index.html"]
    tiles = re.findall(r'<li class="tile">(.*?)</li>', home, re.S)
    assert 4 <= len(tiles) <= 6
    costing = next(t for t in tiles if "care-review-2-6bn" in t)
    assert '<p class="tile-kind">Called for</p>' in costing
    assert '<p class="tile-figure">£2.6bn</p>' in costing  # the 31 October 2024 report gives no period
    # Every source gives £2.6bn, so the tile says how long it has been reported, not only the newest date.
    assert ('In reports dated <time datetime="2023-02-02">2 February 2023</time> to'
            ' <time datetime="2024-10-31">31 October 2024</time>') in costing
    assert f'href="{BASE}funding/care-review-2-6bn/#figures">Sources differ: see the details' in costing
    pathfinder = next(t for t in tiles if "families-first-for-children-pathfinder" in t)
    assert '<p class="tile-figure">10 areas</p>' in pathfinder and "Sources differ" in pathfinder
    settled = next(t for t in tiles if "stable-homes-200m" in t)
    assert "Sources differ" not in settled and '<p class="tile-kind">Allocated</p>' in settled
    # February 2023 gave "over two years" and 2024 "2023-25": the tile shows the sum alone, so no wording
    # of its period stands under the date of a report that worded it otherwise; and £200m was last
    # reported on 31 October 2024 (a second citation of its second value), not 12 June 2024.
    assert '<p class="tile-figure">£200m</p>' in settled and "2023-25" not in settled
    assert ('In reports dated <time datetime="2023-02-02">2 February 2023</time> to'
            ' <time datetime="2024-10-31">31 October 2024</time>') in settled
    # 12 areas became 10: the tile shows 10 with the dates of the reports giving 10, not those giving 12
    assert ('In reports dated <time datetime="2024-05-21">21 May 2024</time> to'
            ' <time datetime="2024-10-31">31 October 2024</time>') in pathfinder


def test_a_report_span_ends_at_the_newest_report_whose_quote_holds_the_figure() -> None:
    """£200m's first value is reported on 2 February 2023; its second cites 12 June 2024 and
    31 October 2024. The span ends at the newer of those, not at the latest of each value's first report."""
    site = site_model()
    line = site.items["funding"]["stable-homes-200m"]
    views = Views(site)
    newest_per_value = [max(d for c in v.citations if (d := site.items["sources"][c.source].date)) for v in line.values]
    assert max(newest_per_value) > max(d for v in line.values if (d := views.reported_on(v)))  # the case is real
    assert views.key_figure(line.values).span == (dt.date(2023, 2, 2), dt.date(2024, 10, 31))


def test_funding_page_opens_with_what_was_called_for_against_what_was_allocated() -> None:
    page = html_pages(rendered())["funding/index.html"]
    answer = text_of(page[page.index('<section class="answer"'):page.index("</section>")])
    assert answer.index("Called for: £2.6bn, in reports dated 2 February 2023 to 31 October 2024") < answer.index(
        "Allocated: £200m, in reports dated 2 February 2023 to 31 October 2024")
    assert "Allocated: more than £250m (2025-26), as reported on 31 October 2024" in answer  # the period alone
    assert "Called for: £1bn over the first two years, as reported on 7 February 2023" in answer  # its words
    assert page.index('id="needed-and-given"') < page.index("<p>The sums of money the sources report")


def test_the_money_page_s_answer_opens_with_a_picture_of_its_sums_a_year() -> None:
    """Pictures before lists: the answer's sums whose years are known, called for beside set aside on one
    scale; a total over years the sources do not give ("£200m (2023-25)") is left out, not set beside them."""
    page = html_pages(rendered())["funding/index.html"]
    section = page[page.index('<section class="answer"'):page.index("</section>")]
    assert section.index('<svg class="chart"') < section.index('<ul class="answer-list">')
    drawn = re.findall(r'<rect class="bar-([a-z-]+)" data-id="([a-z0-9-]+)"', section)
    assert {kind for kind, _ in drawn} == {"called-for", "allocated"}
    answer_ids = set(re.findall(r'href="/REPO/funding/([a-z0-9-]+)/"', section[section.index("answer-list"):]))
    assert {line for _, line in drawn} <= answer_ids and ("allocated", "stable-homes-200m") in drawn
    words = text_of(section[section.index("This chart in brief"):])
    assert ("£200m over two years to test the Stable Homes, Built on Love reforms, allocated: £100m a year on"
            " average, from £200m over 2 years, as CYP Now reported on 2 February 2023.") in words
    assert (words.index("£2.6bn costing, called for") < words.index("£200m over two years to test")
            < words.index("2025-26"))
    assert "(2023-25)" not in words  # a total whose number of years the sources do not give


def test_made_up_key_figure_is_drawn_from_its_item(tmp_path: Path) -> None:
    home = made_up(tmp_path, "key_figures: [funding/review-costing]\n")["index.html"]
    tile = re.search(r'<li class="tile">(.*?)</li>', home, re.S)
    assert tile is not None
    assert '<p class="tile-kind">Estimated cost</p>' in tile.group(1)
    # the sources give £2.6bn over different numbers of years: the tile shows what they agree on, and
    # points to the details
    assert '<p class="tile-figure">£2.6bn</p>' in tile.group(1)
    assert 'href="/funding/review-costing/#figures">Sources differ: see the details' in tile.group(1)


@pytest.mark.parametrize("entry", ["funding/no-such-line", "missions/one", "review-costing"])
def test_a_key_figure_that_names_nothing_with_figures_is_an_error_at_its_line(tmp_path: Path, entry: str) -> None:
    with pytest.raises(BuildFailed) as failed:
        made_up(tmp_path, f"key_figures:\n  - {entry}\n")
    [problem] = failed.value.problems
    assert (problem.path, problem.line, problem.column) == ("content/index.md", 5, 5)
    assert entry in problem.message


# --- Timeline ----------------------------------------------------------------------------------


def test_timeline_links_to_each_year_at_the_top() -> None:
    page = html_pages(rendered())["timeline/index.html"]
    nav = page[page.index('<nav class="year-links"'):page.index("</nav>", page.index("year-links"))]
    years = re.findall(r'<a href="#(y[^"]+)">(\d{4})</a>', nav)
    assert [y for _, y in years] == sorted({y for _, y in years})
    assert ("y2024", "2024") in years and ("y2010-11", "2010") in years  # a span is linked from its first year
    for anchor, _ in years:
        assert f'<h2 id="{anchor}">' in page
    assert page.index("year-links") < page.index('<h2 id="y2010-11">')


def test_events_known_only_by_year_come_after_that_years_dated_events(tmp_path: Path) -> None:
    events = """
- id: homes-reviewed
  date: 2023-01-01
  precision: year
  title: Council reviews its homes
  citations:
    - source: later-article
      quote: In 2023 the council reviewed its homes.
- id: council-met
  date: 2023-05-05
  title: Council meets
  citations:
    - source: later-article
      quote: On 5 May 2023 the council met.
- id: home-closed
  date: 2022-01-01
  precision: year
  title: Council closes a home
  citations:
    - source: later-article
      quote: In 2022 the council closed a home.
- id: home-opened
  date: 2022-01-01
  precision: year
  title: Council opens a home
  citations:
    - source: later-article
      quote: In 2022 it opened another.
"""
    page = made_up(tmp_path, events=events)["timeline/index.html"]
    assert page.index('<h2 id="y2023">2023</h2>') < page.index('id="event-response-published"') < page.index(
        'id="event-council-met"') < page.index('<h3 id="y2023-sometime">Sometime in 2023</h3>') < page.index(
        'id="event-homes-reviewed"')
    assert '<li><a href="#y2023">2023</a></li>' in page and page.count(">2023</h2>") == 1  # one heading a year
    # a year with no dated event lists its events under the year alone
    assert page.index('<h2 id="y2022">2022</h2>') < page.index('id="event-home-closed"') < page.index(
        'id="event-home-opened"') < page.index('id="y2023"')
    assert "Sometime in 2022" not in page


def test_a_plan_past_its_date_with_no_later_report_says_so(tmp_path: Path) -> None:
    page = made_up(tmp_path, "last_reviewed: 2028-01-01\n", PLAN)["timeline/missions-met/index.html"]
    assert "due 2027; no report since in our sources" in text_of(page)


def test_a_plan_not_yet_due_when_reviewed_says_nothing_more(tmp_path: Path) -> None:
    page = made_up(tmp_path, "last_reviewed: 2027-06-01\n", PLAN)["timeline/missions-met/index.html"]
    assert "due 2027" in text_of(page) and "no report since" not in page


def test_a_plan_with_a_later_report_near_it_says_nothing_more(tmp_path: Path) -> None:
    later = """
- id: council-met
  date: 2023-05-05
  title: Council meets
  related: [family-help-services]
  citations:
    - source: later-article
      quote: On 5 May 2023 the council met.
"""
    page = made_up(tmp_path, "last_reviewed: 2028-01-01\n", PLAN + later)["timeline/missions-met/index.html"]
    assert "due 2027" in text_of(page) and "no report since" not in page


def test_real_plans_past_due_by_the_last_review_say_so_only_where_no_later_source_reports() -> None:
    pages = html_pages(rendered())
    flagged = sorted(name for name, html in pages.items()
                     if name.startswith("timeline/") and name != "timeline/index.html"
                     and "; no report since in our sources" in html)  # not a change note quoting it
    # The editors last reviewed the site on 4 December 2026; our sources end in 2024, so every plan due
    # before then is flagged unless a later source reports on it (checked by hand against sources/). A
    # span such as 2025-26 is due by the end of its last year, which is not yet past.
    assert flagged == ["timeline/employer-virtual-hub-planned/index.html",
                       "timeline/family-network-pilots-first-start/index.html",
                       "timeline/family-network-pilots-second-start/index.html",
                       "timeline/fundamental-reform-from-april-2026/index.html",
                       "timeline/spending-review-phase-2/index.html"]
    assert "due July 2023; no report since in our sources" in text_of(
        pages["timeline/family-network-pilots-first-start/index.html"])
    assert "due April 2026 at the earliest; no report since in our sources" in text_of(
        pages["timeline/fundamental-reform-from-april-2026/index.html"])


# --- Search ------------------------------------------------------------------------------------


def indexed(site: Path) -> dict[str, dict[str, Any]]:
    """What Pagefind stored of each page (its fragments: text, filters and meta), by address."""
    found = {}
    for fragment in sorted((site / "pagefind" / "fragment").iterdir()):
        data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
        found[data["url"]] = data
    return found


def test_labels_and_values_are_kept_apart_for_search() -> None:
    page = b"<dl><dt>Made by</dt><dd>Child review</dd><dt>When:</dt><dd>2023.</dd></dl><p>a</p><p>b</p>"
    assert spaced(page) == (b"<dl><dt>Made by:</dt>\n<dd>Child review.</dd>\n<dt>When:</dt>\n<dd>2023.</dd>\n</dl>\n"
                            b"<p>a</p>\n<p>b</p>")
    assert spaced(b"<p>An <em>inline</em><strong>run</strong></p>") == b"<p>An <em>inline</em><strong>run</strong></p>"
    ended = b"<dt>Asked? </dt><dd>Yes;</dd><dt>Why!</dt><dd>See <a>this</a></dd>"
    assert spaced(ended) == b"<dt>Asked? </dt>\n<dd>Yes;</dd>\n<dt>Why!</dt>\n<dd>See <a>this</a>.</dd>"
    assert spaced(b"</dt>x") == b"</dt>x", "nothing before the first end to punctuate"


def test_search_index_reads_cleanly_names_kinds_in_titles_and_leaves_boilerplate_out(
        project: Path, run_cli: Callable[..., Any]) -> None:
    out = project.parent / "out"
    assert run_cli("--project", str(project), "build", "--out", str(out)).code == 0
    pages = indexed(out)
    proposal = next(page for url, page in pages.items() if url.startswith("/recommendations/"))
    assert proposal["meta"]["title"].startswith("Proposal: ")
    assert "Made by: " in proposal["content"] and "Made by" + "I" not in proposal["content"]
    assert pages["/"]["meta"]["title"] == "Home"
    assert proposal["meta"]["type"] == "Proposal"  # what the search page's "Type of page" narrows by
    assert "type" not in pages["/"]["meta"]  # a content page has no type: it shows under "All types"
    for url, page in pages.items():
        for boilerplate in ("Cite this page", "Linked from", "Download this data", "Spotted a mistake"):
            assert boilerplate not in page["content"], (url, boilerplate)


def test_search_offers_the_type_of_every_kind_of_page_it_finds(project: Path, run_cli: Callable[..., Any]) -> None:
    """The search page's "Type of page" lists each type the index holds, as item pages give it (their kind in
    the `type` meta, the value search.js compares with the choice), once each, and the types only."""
    out = project.parent / "out"
    assert run_cli("--project", str(project), "build", "--out", str(out)).code == 0
    search = (out / "search" / "index.html").read_text()
    choice = search[search.index('<select id="search-type"'):search.index("</select>")]
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', choice)
    assert options[0] == ("", "All types")
    assert all(value == words for value, words in options[1:])
    offered = [value for value, _ in options[1:]]
    types = [page["meta"]["type"] for page in indexed(out).values() if "type" in page["meta"]]
    assert len(offered) == len(set(offered)) and set(offered) == set(types)
    assert {"Proposal", "Glossary term", "Event"} <= set(offered) and "Guide" not in offered  # none in the project


def test_search_results_take_the_sites_colours_and_text_size() -> None:
    css = (ROOT / "templates" / "static" / "site.css").read_text()
    block = css[css.index("/* Search (search.js)"):css.index(".search-form {")]
    fields = block[block.index(".search-field input, .search-field select, .search-more {"):]
    fields = fields[:fields.index("}")]
    for setting in ("color: var(--fg)", "background: var(--bg)", "border: 2px solid var(--border)", "font: inherit"):
        assert setting in fields
    assert ".search-result-excerpt { margin: 0; font-size: 1rem; }" in block
    assert ".search mark { background: var(--focus-bg); color: #0b0c0c; }" in block
    assert not re.search(r"#[0-9a-f]{3,6}", block.replace("color: #0b0c0c", ""))  # every other colour is the site's


# --- Filters -----------------------------------------------------------------------------------


def filter_links_of(html: str) -> list[tuple[str, str, int]]:
    """The filter's links on a page, as (address, words, count)."""
    start = html.index('<details class="filters"')
    block = html[start:html.index("</details>", start)]
    return [(href, text_of(words).strip(), int(count)) for href, words, count in
            re.findall(r'<a href="([^"]+)"[^>]*>(.*?) \((\d+)\)</a>', block, re.S)]


def test_a_themes_status_links_keep_the_theme_and_count_what_its_page_lists() -> None:
    pages = html_pages(rendered())
    theme_page = pages["themes/care-leavers/index.html"]
    statuses = [(href, words, n) for href, words, n in filter_links_of(theme_page)
                if href.startswith(f"{BASE}themes/care-leavers/status/")]
    assert ("/REPO/themes/care-leavers/status/rejected/", "Rejected within care leavers", 1) in statuses
    assert sum(n for _, _, n in statuses) == len(table_rows(theme_page, "proposals"))
    for href, _words, count in statuses:
        target = pages[href.removeprefix(BASE) + "index.html"]
        assert len(table_rows(target, "proposals")) == count, href


def test_every_theme_and_status_page_lists_exactly_that_themes_proposals_with_that_status() -> None:
    site = site_model()
    pages = html_pages(rendered())
    found = 0
    for theme_id in site.items["themes"]:
        for status in STATUS_WORDS:
            expected = sorted(r.id for r in site.items["recommendations"].values()
                              if theme_id in r.themes and r.response.status.value == status)
            name = f"themes/{theme_id}/status/{status}/index.html"
            assert (name in pages) == bool(expected), name
            if expected:
                found += 1
                assert sorted(table_rows(pages[name], "proposals")) == expected, name
    assert found > len(site.items["themes"])


def test_filters_are_one_set_of_links_folded_behind_one_filter_control() -> None:
    pages = html_pages(rendered())
    for name in ("recommendations/index.html", "recommendations/status/rejected/index.html",
                 "themes/care-leavers/index.html"):
        html = pages[name]
        assert html.count('<details class="filters"') == 1, name
        assert re.search(r'<details class="filters"[^>]*>\s*<summary>Filter', html), name
        assert html.index('<details class="filters"') < html.index('<table class="proposals"')
    script = (ROOT / "templates" / "static" / "table.js").read_text()
    assert "select" not in script  # no drop-down lists beside the links


def test_the_print_page_opens_its_proposals_and_timeline_with_their_pictures() -> None:
    """The pictures print too (a reader's review found neither on the print page)."""
    page = html_pages(rendered())["print/index.html"]
    assert page.index('id="p-recommendations"') < page.index('id="glance-caption"') < page.index(
        'id="print-proposals"') < page.index('id="p-timeline"') < page.index('id="overview-caption"') < page.index(
        'class="timeline"')
    for href in re.findall(r'<a href="#(event-[^"]+)"', page):
        assert f'id="{href}"' in page  # the overview's marks link to the events printed below


def test_a_picture_of_one_kind_of_sum_alone_is_not_drawn() -> None:
    from sitegen.pictures import needed_and_given

    site = site_model()
    called_for = [line.id for line in site.items["funding"].values() if line.kind.value == "called-for"]
    assert needed_and_given(site, Views(site), called_for) is None
    assert needed_and_given(site, Views(site), [*called_for, "stable-homes-200m"]) is not None


def test_a_programme_s_areas_named_by_one_quote_share_it() -> None:
    """The family network pilots' seven councils are named by two quotes: two entries, not seven copies."""
    page = html_pages(rendered())["pilots/family-network-pilots/index.html"]
    section = page[page.index('id="areas"'):page.index('id="sources"') if 'id="sources"' in page else None]
    site = site_model()
    pilot = site.items["pilots"]["family-network-pilots"]
    quotes = {c.quote for part in pilot.areas for c in part.citations}
    assert len(pilot.areas) == 7 and len(quotes) == 2
    for quote in quotes:
        assert text_of(section).count(text_of(quote)) == 1, quote
    for part in pilot.areas:
        assert section.count(f'href="{BASE}areas/{part.area}/"') == 1, part.area
