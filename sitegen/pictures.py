"""The pictures: the funding charts, the response bar and the timeline overview, each drawn from
the same items as the table or list beside it (chart.py and glance.py draw them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from . import models as m
from .chart import AREAS, OPEN_ENDED, Bar, bar_chart, describe
from .downloads import funding_order
from .fields import Money, ReportedCount
from .formats import format_amount, format_count, format_date, format_money
from .glance import Mark, Part, placed_date, status_bar, theme_bars, timeline_overview
from .render import Renderer
from .resolve import Site
from .views import Views
from .words import FUNDING_KIND_WORDS, LANE_WORDS, STATUS_WORDS

CHART_FLOOR = 1_000_000
"""Sums below £1m (grants to one person, for example) are left out of the chart but kept in the table."""

PER_YEAR = "A year (as given, or averaged over the years given)"
IN_TOTAL = "Not given a year at a time"


def funding_bars(site: Site, views: Views, money: Callable[[Money], str]) -> list[Bar]:
    """One bar per reported value, grouped by kind, and within a kind the sums whose years are known
    (drawn as their average a year) and the sums each year (drawn as they are) apart from the others
    (drawn in total), so no axis sets different periods side by side."""
    bars: list[Bar] = []
    for line in funding_order(site):
        kind = line.kind.value
        for value in line.values:
            if value.money.amount < CHART_FLOOR:
                continue
            source = views.reporting_source(value)
            when = source.date.strftime("%-d %b %Y") if source.date else "undated"
            in_full = (f"as {source.outlet} reported on {format_date(source.date)}" if source.date
                       else f"as {source.outlet} reported in an undated source")
            years = value.money.years
            amount = value.money.amount / years if years else value.money.amount
            figure = money(value.money)  # one year's sum is its own figure, "£44m (2025-26)", on a chart of sums a year
            if years and years > 1:
                qualified = f"{value.money.qualifier} " if value.money.qualifier else ""
                figure = f"{qualified}{format_amount(amount)} a year on average, from {figure}"
            bars.append(Bar(label=line.title, amount=amount, figure=figure, reported=f"{source.outlet}, {when}",
                            group=PER_YEAR if years or value.money.each_year else IN_TOTAL,
                            css=f"bar-{kind}", key=line.id,
                            qualifier=value.money.qualifier.value if value.money.qualifier else None,
                            as_reported=in_full))
    order = {css: i for i, css in enumerate(dict.fromkeys(b.css for b in bars))}
    return sorted(bars, key=lambda b: (order[b.css], b.group == IN_TOTAL))


def funding_charts(site: Site, views: Views) -> list[dict[str, Any]]:
    """One small chart per kind of sum, each with its own scales (see funding_bars)."""
    bars = funding_bars(site, views, format_money)
    charts: list[dict[str, Any]] = []
    for kind, words in FUNDING_KIND_WORDS.items():
        members = [b for b in bars if b.css == f"bar-{kind}"]
        if members:
            charts.append({"kind": kind, "heading": words,
                           "svg": bar_chart(members, f"{words}: reported sums", f"funding-chart-{kind}"),
                           "summary": describe(members)})
    return charts


def needed_and_given(site: Site, views: Views, lines: list[str]) -> dict[str, Any] | None:
    """The money page's answer as a picture: the sums of the funding lines it answers with (the key
    figures, in the answer's order), each kind beside the others on one scale of sums a year, since the
    question sets them side by side; only sums whose years are known, so no total is set against a
    yearly sum. None when fewer than two kinds have such sums."""
    order = {kind: index for index, kind in enumerate(FUNDING_KIND_WORDS)}
    drawn = [bar for bar in funding_bars(site, views, format_money) if bar.key in lines and bar.group == PER_YEAR]
    bars = sorted(drawn, key=lambda bar: (order[bar.css.removeprefix("bar-")], lines.index(bar.key)))
    if len({bar.css for bar in bars}) < 2:
        return None
    words: list[str] = []
    for bar in bars:
        line, kind = site.items["funding"][bar.key], FUNDING_KIND_WORDS[bar.css.removeprefix("bar-")].lower()
        words.append(f"{bar.label}, {kind}: {bar.figure}, {bar.as_reported}.")
        if bar is next(other for other in bars if other.key == bar.key):  # what the sum is for, said once
            words.append(line.purpose.rstrip(".") + ".")
    labelled = [replace(bar, label=f"{FUNDING_KIND_WORDS[bar.css.removeprefix('bar-')]}: {bar.label}") for bar in bars]
    floor = any(bar.qualifier in OPEN_ENDED for bar in bars)
    return {"svg": bar_chart(labelled, "Called for and set aside: reported sums a year", "chart-needed-and-given"),
            "summary": f"Each sum a year, on one scale from £0. {' '.join(words)}", "floor": floor}


AREAS_GROUP = "Number of areas, planned or taking part, as reported"


def areas_chart(views: Views, pilots: list[m.Pilot]) -> dict[str, Any] | None:
    """The pilots page's picture: each programme's reported numbers of areas on one scale, a bar for
    each different figure (with its qualifier), named with the first report to give it, so a number
    that changed or that the sources give differently shows every value. Programmes with no reported
    number are named under it ("none"). None when no programme has a number."""
    bars: list[Bar] = []
    for pilot in pilots:
        firsts: dict[tuple[int, Any], tuple[ReportedCount, m.Source]] = {}
        for value in pilot.area_counts:
            source, key = views.reporting_source(value), (value.count, value.qualifier)
            if key not in firsts or (source.date or dt.date.max) < (firsts[key][1].date or dt.date.max):
                firsts[key] = value, source
        for value, source in firsts.values():
            when = source.date.strftime("%-d %b %Y") if source.date else "undated"
            bars.append(Bar(label=pilot.name, amount=value.count, figure=format_count(value),
                            reported=f"{source.outlet}, {when}", group=AREAS_GROUP, css="bar-areas", key=pilot.id,
                            qualifier=value.qualifier.value if value.qualifier else None))
    if not bars:
        return None
    title = "Number of areas reported for each programme, planned or taking part"
    return {"svg": bar_chart(bars, title, "chart-areas", AREAS),
            "summary": describe(bars, AREAS), "none": [pilot for pilot in pilots if not pilot.area_counts]}


def response_glance(site: Site, views: Views, renderer: Renderer) -> dict[str, Any]:
    """The response bar and its theme view, from the same proposals as the table beside them."""
    total = len(site.items["recommendations"])
    statuses = [Part(s, STATUS_WORDS[s], n, renderer.url(f"recommendations/status/{s}/"))
                for s, n in views.statuses()]
    themes = [Part(t.id, t.title, n, renderer.item_url("themes", t.id))
              for t in sorted(site.items["themes"].values(), key=lambda t: t.id)
              if (n := len(views.recommendations_where("themes", t.id)))]
    others = len({rec.review.value for rec in site.items["recommendations"].values()} - {"care-review"})
    return {"total": total, "statuses": statuses, "themes": themes, "other_reviews": others,
            "status_svg": status_bar(statuses, total, "Proposals by the government's response", "glance-status"),
            "theme_svg": theme_bars(themes, total, "Proposals by theme", "glance-theme")}


def place(event: m.Event, views: Views, placed: dict[str, dt.date]) -> dt.date:
    """Where an event sits on the overview's time axis: its own date, or (for one known only to follow
    another) its anchor's; each worked out once into placed. A function of the module, not a closure
    that calls itself: that would be a cycle holding the site until the cycle collector ran."""
    if event.id not in placed:
        placed[event.id] = placed_date(event.date, event.precision.value,
                                       lambda: place(views.anchor(event), views, placed))
    return placed[event.id]


def timeline_glance(site: Site, views: Views, renderer: Renderer) -> dict[str, Any]:
    """The timeline overview, wide and narrow, from the same events as the list below it."""
    lanes = list(LANE_WORDS)
    marks: list[Mark] = []
    placed: dict[str, dt.date] = {}
    for event in sorted(site.items["timeline"].values(), key=views.event_key):
        marks.append(Mark(event.id, f"{event.title}, {views.event_date(event)}", place(event, views, placed),
                          lanes.index(views.event_lane(event)), event.planned, f"#event-{event.id}"))
    words = list(LANE_WORDS.values())
    title = "Timeline overview: events by lane over time"
    return {"wide": timeline_overview(marks, words, views.latest, title, "glance-tl-wide", wide=True),
            "narrow": timeline_overview(marks, words, views.latest, title, "glance-tl-narrow", wide=False),
            "marks": marks}
