"""A horizontal bar chart drawn at build time as inline SVG: no JavaScript, no library.

The scale is linear and starts at zero, so bar lengths compare honestly. Every bar is labelled with
its figure and source in text, so colour never carries meaning alone, and the chart has a <title>,
a <desc> and a plain-text summary for readers who cannot see it.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 360
"""Width of the drawing in SVG units; it scales to the column it sits in, so on a 390 px phone a unit is
about a pixel and the text is drawn at about FONT pixels."""
PAD = 8
LINE = 17
BAR = 14
FONT = 14
WRAP = 42
"""Characters per label line at the font size above within the width above."""
_KEPT = "\u00a0"
"""Joins the words of who reported a sum and when, so that a line never breaks inside "31 Oct 2024"."""


@dataclass(frozen=True)
class Bar:
    """One reported sum: what it is, how much, who reported it and when."""

    label: str
    amount: float
    figure: str
    reported: str
    group: str
    css: str
    key: str = ""
    """What the bar stands for (a funding line's id), for readers' tools and tests: data-id."""
    qualifier: str | None = None
    """The sum's qualifier ("at least", "up to"): a floor is drawn open-ended, a ceiling dashed."""
    as_reported: str = ""
    """Who reported it and when, in words beside the chart: "as Community Care reported on 7 February 2023"."""


def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above value (the axis end)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def short_money(amount: float) -> str:
    """£0, £500m, £1.5bn: axis tick labels."""
    if amount == 0:
        return "£0"
    if amount >= 1_000_000_000:
        return f"£{amount / 1_000_000_000:g}bn"
    if amount >= 1_000_000:
        return f"£{amount / 1_000_000:g}m"
    if amount >= 1_000:
        return f"£{amount / 1_000:g}k"
    return f"£{amount:g}"


OPEN_ENDED = {"at least", "more than"}
"""Qualifiers of a floor: the bar ends in an arrow, as the sum may be larger."""
CEILING = {"up to", "less than", "just under"}
"""Qualifiers of a ceiling: the bar's end is dashed, as the sum may be smaller."""


def count_tick(value: float) -> str:
    """0, 5, 12.5: axis tick labels of a count."""
    return f"{value:g}"


@dataclass(frozen=True)
class Measure:
    """What a chart's bars measure, as its axis and its words in brief name it."""

    one: str
    many: str
    of: str
    tick: Callable[[float], str]


MONEY = Measure("sum", "sums", " of money", short_money)
AREAS = Measure("number", "numbers", " of areas", count_tick)


def describe(bars: list[Bar], measure: Measure = MONEY) -> str:
    """A plain-text summary of what the chart shows, for <desc> and the visible text alternative."""
    if not bars:
        return f"No {measure.many}{measure.of} are recorded yet."
    groups: dict[str, list[Bar]] = {}
    for bar in bars:
        groups.setdefault(bar.group, []).append(bar)

    def reported(count: int) -> str:
        return f"{count} reported {measure.one if count == 1 else measure.many}"

    scales = "one scale that starts" if len(groups) == 1 else "scales that start"
    parts = [f"{reported(len(bars))}{measure.of}, drawn as bars on {scales} at {measure.tick(0)}"
             + ("." if len(groups) == 1 else "; each part has its own scale.")]
    for group, members in groups.items():
        biggest = max(members, key=lambda b: b.amount)
        parts.append(f"{group}: {reported(len(members))} on a scale to"
                     f" {measure.tick(nice_max(biggest.amount))}, the largest {biggest.figure} ({biggest.label}).")
    return " ".join(parts)


def figure_lines(bar: Bar) -> list[str]:
    """A bar's figure and who reported it when, in lines of WRAP characters; who and when start a line
    of their own rather than break, unless they are longer than a line."""
    reported = bar.reported.replace(" ", _KEPT) if len(bar.reported) <= WRAP else bar.reported
    return [line.replace(_KEPT, " ") for line in textwrap.wrap(f"{bar.figure} · {reported}", WRAP)]


def bar_chart(bars: list[Bar], title: str, chart_id: str = "chart", measure: Measure = MONEY) -> Markup:
    """The SVG for bars grouped in the order given, each group on its own scale under its heading,
    with axis ticks and gridlines; a floor ("at least") ends in an arrow, a ceiling ("up to") dashed."""
    plot = WIDTH - 2 * PAD - 24  # room for the last tick label
    rows: list[str] = []
    y = PAD
    groups: dict[str, list[Bar]] = {}
    for bar in bars:
        groups.setdefault(bar.group, []).append(bar)
    for group, members in groups.items():
        top = nice_max(max(b.amount for b in members))
        y += 10 if rows else 0
        for line in textwrap.wrap(group, WRAP - 4):  # bold letters are wider
            y += LINE
            rows.append(f'<text class="chart-group" x="{PAD}" y="{y}">{escape(line)}</text>')
        y += 4
        bar_tops: list[int] = []
        marks: list[str] = []
        for bar in members:
            for line in textwrap.wrap(bar.label, WRAP):
                y += LINE
                marks.append(f'<text x="{PAD}" y="{y}">{escape(line)}</text>')
            for line in figure_lines(bar):
                y += LINE
                marks.append(f'<text class="chart-figure" x="{PAD}" y="{y}">{escape(line)}</text>')
            y += 4
            width = max(plot * bar.amount / top, 1.0)
            bar_tops.append(y)
            marks.append(f'<rect class="{escape(bar.css)}" data-id="{escape(bar.key)}" x="{PAD}" y="{y}"'
                         f' width="{width:.1f}" height="{BAR}"/>')
            end = PAD + width
            if bar.qualifier in OPEN_ENDED:
                marks.append(f'<path class="chart-open {escape(bar.css)}" d="M{end:.1f} {y - 3}l10 {BAR / 2 + 3:g}'
                             f'l-10 {BAR / 2 + 3:g}z"/>')
            elif bar.qualifier in CEILING:
                marks.append(f'<line class="chart-ceiling" x1="{end:.1f}" y1="{y - 3}" x2="{end:.1f}"'
                             f' y2="{y + BAR + 3}"/>')
            y += BAR + 4
        bottom = y + 4
        steps = 4 if str(top).startswith("2") and not str(top).startswith("25") else 5
        for i in range(steps + 1):
            value = top * i / steps
            x = PAD + plot * i / steps
            # gridlines only beside the bars, so they never cross the labels
            rows.extend(f'<line class="chart-grid" x1="{x:.1f}" y1="{t - 2}" x2="{x:.1f}" y2="{t + BAR + 2}"/>'
                        for t in bar_tops)
            rows.append(f'<line class="chart-axis" x1="{x:.1f}" y1="{bottom - 4}" x2="{x:.1f}" y2="{bottom + 2}"/>')
            anchor = "start" if i == 0 else "middle"
            rows.append(f'<text class="chart-tick" x="{x:.1f}" y="{bottom + LINE}"'
                        f' text-anchor="{anchor}">{measure.tick(value)}</text>')
        rows.append(f'<line class="chart-axis" x1="{PAD}" y1="{bottom - 1}" x2="{PAD + plot}" y2="{bottom - 1}"/>')
        rows.extend(marks)
        y = bottom + LINE
    height = y + PAD
    desc = describe(bars, measure)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"'
        f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" font-size="{FONT}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
        + "".join(rows) + "</svg>"
    )
