"""The pictures at a glance agree with the tables and lists beside them, on the real site as built."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT

from sitegen.build import build
from sitegen.glance import Part, place_in_rows, placed_date, status_bar
from sitegen.render import Settings


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("glance") / "site"
    build(ROOT, out, Settings(base_url="/REPO/"))
    return out


def html(built: Path, page: str) -> str:
    return (built / page / "index.html").read_text(encoding="utf-8")


def picture(text: str, css: str) -> str:
    found = re.search(rf'<svg class="{css}[ "].*?</svg>', text, re.S)
    assert found, f"no {css} picture"
    return found.group(0)


def table_rows(text: str) -> list[tuple[str, list[str]]]:
    """(status, themes) of each row of the proposals table."""
    return [(status, themes.split()) for status, themes in
            re.findall(r'<tr data-id="[^"]+" data-status="([^"]+)" data-themes="([^"]*)">', text)]


@pytest.mark.parametrize("page", ["", "recommendations"])
def test_response_bar_counts_match_the_table(built: Path, page: str) -> None:
    rows = table_rows(html(built, "recommendations"))
    assert len(rows) >= 20
    by_status = Counter(status for status, _ in rows)
    text = html(built, page) if page else (built / "index.html").read_text(encoding="utf-8")
    bar = picture(text, "glance-bar")
    drawn = {s: int(n) for s, n in re.findall(r'<a href="[^"]+" data-status="([^"]+)" data-count="(\d+)"', bar)}
    assert drawn == dict(by_status)
    legend = {s: int(n) for s, n in re.findall(r'<li data-status="([^"]+)" data-count="(\d+)">', text)}
    assert legend == dict(by_status)
    for status, count in by_status.items():  # each part links to its status page and says its word and count
        assert re.search(rf'<a href="/REPO/recommendations/status/{status}/" data-status="{status}"'
                         rf' data-count="{count}" aria-label="[^"]+: {count} of {len(rows)} proposals">', bar)
        assert (built / "recommendations" / "status" / status / "index.html").is_file()


def test_theme_view_counts_match_the_table(built: Path) -> None:
    text = html(built, "recommendations")
    by_theme = Counter(theme for _, themes in table_rows(text) for theme in themes)
    bars = picture(text, "glance-themes")
    drawn = {t: int(n) for t, n in re.findall(r'data-theme="([^"]+)" data-count="(\d+)"', bars)}
    assert drawn == dict(by_theme)
    for theme in by_theme:
        assert f'<a href="/REPO/themes/{theme}/" data-theme="{theme}"' in bars


def test_every_event_has_one_mark_in_each_overview_linking_to_its_entry(built: Path) -> None:
    text = html(built, "timeline")
    entries = {key: planned for planned, key in
               re.findall(r'<li class="event( is-planned)?" id="event-([a-z0-9-]+)">', text)}
    assert len(entries) >= 40
    for css in ("glance-timeline is-wide", "glance-timeline is-narrow"):
        svg = picture(text, css)
        marks = re.findall(r'<a href="#event-([a-z0-9-]+)"><title>[^<]+</title>'
                           r'<circle class="(planned|happened)"', svg)
        assert sorted(key for key, _ in marks) == sorted(entries)
        for key, state in marks:  # hollow for planned, solid for what happened, as in the list
            assert (state == "planned") == bool(entries[key])
        assert svg.count('class="sources-end"') == 2  # the line, and its key
        assert len(svg.encode()) < 16_000


def test_close_marks_stack_in_rows_of_their_lane() -> None:
    assert place_in_rows([(0, 0), (5, 0), (30, 0), (5, 1), (6, 0)], gap=12) == [0, 1, 0, 0, 2]


def test_events_are_placed_as_precisely_as_they_are_dated() -> None:
    anchor = dt.date(2019, 7, 1)
    assert placed_date(dt.date(2023, 2, 2), "day", lambda: anchor) == dt.date(2023, 2, 2)
    assert placed_date(dt.date(2024, 4, 1), "month", lambda: anchor) == dt.date(2024, 4, 15)
    assert placed_date(dt.date(2022, 1, 1), "year", lambda: anchor) == dt.date(2022, 7, 1)
    assert placed_date(None, "after", lambda: anchor) == dt.date(2019, 7, 31)


def test_bar_parts_are_proportional_and_escaped() -> None:
    svg = str(status_bar([Part("accepted", "A<b>", 3, "/a?x=1&y"), Part("rejected", "R", 1, "/r")], 4, "t", "p"))
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="\d+" width="([\d.]+)"', svg)]
    assert (widths[0] + 2) / (widths[1] + 2) == pytest.approx(3)
    assert "A&lt;b&gt;: 3 of 4 proposals" in svg and 'href="/a?x=1&amp;y"' in svg


def test_on_the_narrow_timeline_each_year_is_named_between_its_lines() -> None:
    """A year's label sat just below its line, so a mark near a line could be read as either year."""
    from sitegen.glance import Mark, timeline_overview

    marks = [Mark("a", "A", dt.date(2021, 3, 1), 0, False, "#a"), Mark("b", "B", dt.date(2023, 9, 1), 1, True, "#b")]
    svg = str(timeline_overview(marks, ["Reviews", "Government"], dt.date(2023, 1, 1), "T", "t", wide=False))
    lines = [float(y) for y in re.findall(r'<line class="tick" x1="[\d.]+" y1="([\d.]+)"', svg)]
    labels = {int(year): float(y) for y, year in re.findall(r'<text x="\d+" y="([\d.]+)">(\d{4})</text>', svg)}
    assert sorted(labels) == [2021, 2022, 2023]
    for number, (year, y) in enumerate(sorted(labels.items())):
        assert lines[number] + 5 < y < lines[number + 1] - 5, year
