"""Pictures at a glance, drawn at build time as inline SVG: the response bar and the timeline overview.

Each is drawn from the same validated items as the table or list beside it, links every part to the
page or entry it stands for, and says in words what colour shows: each status has its word, its
count and a fill pattern, and each event's mark is solid when it happened and hollow when planned.
No JavaScript and no library; the page's stylesheet gives the colours, so dark mode only swaps them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
"""Width of the response bar and of the wide timeline in SVG units; each scales to its column."""
FONT = 13
PAD = 8
BAR = 40

STATUS_PATTERNS: dict[str, str] = {
    "accepted": "",
    "accepted-in-part": "M0 6L6 0",
    "to-be-tested": "M0 3h6",
    "consultation": "M3 0v6",
    "rejected": "M0 0L6 6M0 6L6 0",
    "not-addressed": "M1 3h1M4 3h1",
    "unclear": "M0 0L6 6",
}
"""Each status's hatching over its colour (an empty path is a plain fill), so no two parts differ by
colour alone; the legend beside the bar shows the same swatch, the status's icon, word and count."""


@dataclass(frozen=True)
class Part:
    """One part of the response bar: a status (or theme) with its number of proposals and its page."""

    key: str
    word: str
    count: int
    href: str


def pattern_defs(prefix: str) -> str:
    """The fill patterns of the statuses, with ids unique to one picture."""
    found = []
    for status, path in STATUS_PATTERNS.items():
        hatch = f'<path class="hatch" d="{path}"/>' if path else ""
        found.append(f'<pattern id="{prefix}-{status}" width="6" height="6" patternUnits="userSpaceOnUse">'
                     f'<rect class="st-{status}" width="6" height="6"/>{hatch}</pattern>')
    return "<defs>" + "".join(found) + "</defs>"


def swatch(status: str, prefix: str) -> Markup:
    """A small square of a status's fill, for the legend: decorative, as the word beside it says it."""
    return Markup(f'<svg class="swatch" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"'
                  f' focusable="false"><rect width="16" height="16" fill="url(#{prefix}-{escape(status)})"/></svg>')


def status_bar(parts: list[Part], total: int, title: str, prefix: str) -> Markup:
    """One bar of all proposals split by the government's response, each part a link to its status's
    page; parts are laid end to end in the order given, with a gap of the page's background between."""
    width = WIDTH - 2 * PAD
    gap = 2
    x = float(PAD)
    shapes: list[str] = []
    for part in parts:
        share = width * part.count / total if total else 0
        drawn = max(share - gap, 1.0)
        label = f"{part.word}: {part.count} of {total} proposals"
        shapes.append(f'<a href="{escape(part.href)}" data-status="{escape(part.key)}" data-count="{part.count}"'
                      f' aria-label="{escape(label)}"><rect x="{x:.1f}" y="{PAD}" width="{drawn:.1f}"'
                      f' height="{BAR}" fill="url(#{prefix}-{escape(part.key)})"/></a>')
        x += share
    height = BAR + 2 * PAD
    summary = describe_parts(parts, total)
    return Markup(
        f'<svg class="glance-bar" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"'
        f' role="group" aria-labelledby="{prefix}-title {prefix}-desc" font-size="{FONT}">'
        f'<title id="{prefix}-title">{escape(title)}</title><desc id="{prefix}-desc">{escape(summary)}</desc>'
        + pattern_defs(prefix) + "".join(shapes) + "</svg>"
    )


def describe_parts(parts: list[Part], total: int) -> str:
    """The bar in words: "27 proposals: 12 accepted, 5 to be tested first, …"."""
    if not total:
        return "No proposals are recorded yet."
    words = ", ".join(f"{p.count} {p.word.lower()}" for p in parts)
    return f"{total} proposal{'s' if total != 1 else ''}: {words}."


def theme_bars(parts: list[Part], total: int, title: str, prefix: str) -> Markup:
    """The same proposals by theme: a row per theme whose filled share of the whole bar is its number
    of proposals, linked to the theme's page. A proposal may have several themes, so the rows are
    not parts of one sum, and each is drawn against the whole."""
    row = 26
    label_width = 250
    width = WIDTH - label_width - 2 * PAD - 30
    shapes: list[str] = []
    y = PAD
    for part in parts:
        share = width * part.count / total if total else 0
        label = f"{part.word}: {part.count} of {total} proposals"
        shapes.append(
            f'<a href="{escape(part.href)}" data-theme="{escape(part.key)}" data-count="{part.count}"'
            f' aria-label="{escape(label)}"><text x="{PAD}" y="{y + 15}">{escape(part.word)}</text>'
            f'<rect class="track" x="{PAD + label_width}" y="{y + 3}" width="{width}" height="16"/>'
            f'<rect class="fill" x="{PAD + label_width}" y="{y + 3}" width="{max(share, 1.0):.1f}" height="16"/>'
            f'<text x="{PAD + label_width + width + 6}" y="{y + 15}">{part.count}</text></a>')
        y += row
    height = y + PAD
    summary = (f"{total} proposals by theme; a proposal may have several themes: "
               + ", ".join(f"{p.word} {p.count}" for p in parts) + ".")
    return Markup(
        f'<svg class="glance-themes" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"'
        f' role="group" aria-labelledby="{prefix}-title {prefix}-desc" font-size="{FONT}">'
        f'<title id="{prefix}-title">{escape(title)}</title><desc id="{prefix}-desc">{escape(summary)}</desc>'
        + "".join(shapes) + "</svg>"
    )


@dataclass(frozen=True)
class Mark:
    """One event on the timeline overview: where it sits, whether it was planned, and its entry."""

    key: str
    title: str
    when: dt.date
    lane: int
    planned: bool
    href: str


LANE_SPACE = 14
"""Distance between marks that share a lane and would overlap, in SVG units."""


def place_in_rows(positions: list[tuple[float, int]], gap: float) -> list[int]:
    """For marks at (position along time, lane), in time order, the row of its lane each takes: the
    first row whose last mark is at least gap before it, so close marks stack instead of hiding."""
    last: dict[tuple[int, int], float] = {}
    rows: list[int] = []
    for position, lane in positions:
        row = 0
        while (lane, row) in last and position - last[(lane, row)] < gap:
            row += 1
        last[(lane, row)] = position
        rows.append(row)
    return rows


def timeline_overview(marks: list[Mark], lanes: list[str], sources_end: dt.date | None, title: str,
                      prefix: str, wide: bool) -> Markup:
    """Events in lanes along time, from the first event's year to the end of the last one's: wide runs
    time left to right with a row per lane; narrow (for small screens) runs time down the page with a
    column per lane. A dashed line marks the newest source's date, after which everything is a plan."""
    if not marks:
        return Markup("")
    start = dt.date(min(m.when for m in marks).year, 1, 1)
    end = dt.date(max(m.when for m in marks).year + 1, 1, 1)
    span = (end - start).days
    along = 474 if wide else 560
    lead = 158 if wide else 40  # room for the lane names (wide) or the years (narrow)
    head = 8 if wide else 40
    gap = 2 * 5 + 2

    def at(day: dt.date) -> float:
        return lead + along * (day - start).days / span if wide else head + along * (day - start).days / span

    ordered = sorted(marks, key=lambda m: (m.when, m.key))
    rows = place_in_rows([(at(m.when), m.lane) for m in ordered], gap)
    depth = [1] * len(lanes)
    for mark, row in zip(ordered, rows, strict=True):
        depth[mark.lane] = max(depth[mark.lane], row + 1)
    lane_start: list[float] = []
    offset = float(head if wide else lead)
    for n in depth:
        lane_start.append(offset)
        offset += n * LANE_SPACE + 10
    across = offset

    def point(position: float, lane: int, row: int) -> tuple[float, float]:
        other = lane_start[lane] + 5 + 6 + row * LANE_SPACE
        return (position, other) if wide else (other, position)

    parts: list[str] = []
    for i, name in enumerate(lanes):  # lane bands and names
        low, high = lane_start[i], lane_start[i] + depth[i] * LANE_SPACE + 6
        if wide:
            parts.append(f'<rect class="lane" x="{lead}" y="{low:.0f}" width="{along}" height="{high - low:.0f}"/>'
                         f'<text x="{PAD}" y="{(low + high) / 2 + 4:.0f}">{escape(name)}</text>')
        else:
            parts.append(f'<rect class="lane" x="{low:.0f}" y="{head}" width="{high - low:.0f}" height="{along}"/>'
                         f'<text x="{(low + high) / 2:.0f}" y="{head - 8}" text-anchor="middle"'
                         f' font-size="12">{escape(name.split()[0])}</text>')
    for year in range(start.year, end.year + 1):  # year ticks
        pos = at(dt.date(year, 1, 1))
        if wide:
            parts.append(f'<line class="tick" x1="{pos:.1f}" y1="{head}" x2="{pos:.1f}" y2="{across + 4:.0f}"/>')
            if (year - start.year) % 2 == 0 and year < end.year:
                parts.append(f'<text x="{pos + 2:.1f}" y="{across + 18:.0f}">{year}</text>')
        else:
            parts.append(f'<line class="tick" x1="{lead - 4}" y1="{pos:.1f}" x2="{across:.0f}" y2="{pos:.1f}"/>')
            if year < end.year:  # in the middle of its band, so that no label sits on a line between two years
                parts.append(f'<text x="{PAD}" y="{at(dt.date(year, 7, 1)) + 5:.1f}">{year}</text>')
    bottom = across + 30 if wide else head + along + 12
    if sources_end is not None and start <= sources_end <= end:
        pos = at(sources_end)
        if wide:
            parts.append(f'<line class="sources-end" x1="{pos:.1f}" y1="{head - 4}" x2="{pos:.1f}" y2="{across:.0f}"/>')
        else:
            parts.append(f'<line class="sources-end" x1="{lead - 4}" y1="{pos:.1f}" x2="{across:.0f}" y2="{pos:.1f}"/>')
        parts.append(f'<line class="sources-end" x1="{PAD}" y1="{bottom + 36}" x2="{PAD + 24}" y2="{bottom + 36}"/>'
                     f'<text x="{PAD + 30}" y="{bottom + 40}">Sources end, {sources_end.strftime("%-d %B %Y")}</text>')
    parts.append(f'<circle class="happened" cx="{PAD + 12}" cy="{bottom + 12}" r="5"/>'
                 f'<text x="{PAD + 30}" y="{bottom + 16}">Happened</text>'
                 f'<circle class="planned" cx="{PAD + 132}" cy="{bottom + 12}" r="5"/>'
                 f'<text x="{PAD + 150}" y="{bottom + 16}">Planned</text>')
    for mark, row in zip(ordered, rows, strict=True):
        x, y = point(at(mark.when), mark.lane, row)
        state = "planned" if mark.planned else "happened"
        parts.append(f'<a href="{escape(mark.href)}"><title>{escape(mark.title)} ({state})</title>'
                     f'<circle class="{state}" cx="{x:.0f}" cy="{y:.0f}" r="5"/></a>')
    width = lead + along + PAD if wide else across + PAD
    height = bottom + 50
    summary = describe_timeline(marks, lanes, sources_end)
    return Markup(
        f'<svg class="glance-timeline {"is-wide" if wide else "is-narrow"}" viewBox="0 0 {width:.0f} {height:.0f}"'
        f' width="{width:.0f}" height="{height:.0f}" role="group" aria-labelledby="{prefix}-title {prefix}-desc"'
        f' font-size="{FONT}"><title id="{prefix}-title">{escape(title)}</title>'
        f'<desc id="{prefix}-desc">{escape(summary)}</desc>' + "".join(parts) + "</svg>"
    )


def describe_timeline(marks: list[Mark], lanes: list[str], sources_end: dt.date | None) -> str:
    """The overview in words: how many events, how many planned, and how many in each lane."""
    planned = sum(m.planned for m in marks)
    per_lane = ", ".join(f"{name} {sum(m.lane == i for m in marks)}" for i, name in enumerate(lanes))
    end = f" The sources end in {sources_end.strftime('%B %Y')}." if sources_end else ""
    return (f"{len(marks)} events from {min(m.when for m in marks).year} to {max(m.when for m in marks).year},"
            f" {planned} of them planned when reported (hollow marks) and {len(marks) - planned} that happened"
            f" (solid marks). By lane: {per_lane}.{end}")


def placed_date(event_date: dt.date | None, precision: str, anchor: Callable[[], dt.date]) -> dt.date:
    """Where an event sits on the time axis: its day; the middle of its month or year when only those
    are known; a month after the event it followed when only that is known."""
    if event_date is None:
        return anchor() + dt.timedelta(days=30)
    if precision == "month":
        return event_date.replace(day=15)
    if precision in ("year", "span"):
        return event_date.replace(month=7, day=1)
    return event_date
