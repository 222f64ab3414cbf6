"""An event's date against its quotes: no more precise than they give it, and written as they write it.

A quote that gives "September" dates an event to the month, "2023" to the year, and "2026-27" to a
span of years that neither year alone stands for. An event with no date of its own follows another,
and a chain of such events must end at a dated one.
"""

from __future__ import annotations

import re
from typing import Any

from . import models as m
from .errors import Collector
from .fields import Precision
from .formats import format_date
from .quote_dates import DateMarks, QuotedDates, finest_precision, holds_date

PRECISION_WORDS = {Precision.day: "the day", Precision.month: "the month", Precision.year: "the year",
                   Precision.span: "the years"}

Found = list[tuple[tuple[str, ...], str]]
"""Problems in one event, each with the field it is in: all are errors."""

EARLIEST = re.compile(r"\bat the earliest\b|\bno earlier than\b", re.IGNORECASE)
"""Words that make a date the earliest a plan could come, which the site must say too."""


def event_date_problems(event: m.Event, quoted: QuotedDates) -> Found:
    """An event's date, precision, `until` and `after` agree with each other, and a quote (quoted: each
    citation's dates, with its source's date) holds the date."""
    marks = [found for found, _source in quoted]
    if event.until is not None and (not event.precision.by_year or event.date is None
                                    or event.until <= event.date.year):
        return [(("until",), "until: is the last year of a choice of years (\"this year or next\") or of a span"
                             " (\"2026-27\") and needs precision: year or span and a date in an earlier year;"
                             " correct it or remove it")]
    if event.precision is Precision.span and event.until is None:
        return [(("precision",), "precision: span needs the span's last year; add until:, for example until: 2027"
                                 " for 2026-27")]
    if event.precision is Precision.after:
        found: Found = []
        if event.after is None:
            found.append((("precision",), "precision: after needs the event this one followed; add after: with"
                                          " that event's id in data/timeline.yaml"))
        if event.date is not None:
            found.append((("date",), "an event with precision: after has no date, as its sources give none;"
                                     " remove date (the site lists it after the event it followed)"))
        if event.earliest:
            found.append((("earliest",), "earliest: true is for a date a quote gives as the earliest; an event with"
                                         " precision: after has none: remove it"))
        return found
    if event.after is not None:
        return [(("after",), "after: is only for events with precision: after; remove it, or write precision:"
                             " after and remove the date")]
    if event.date is None:
        return [((), 'required key "date" is missing; add it, for example: date: 2023-02-02, or write precision:'
                     " after and the event it followed as after:")]
    holding = [citation.quote for citation, (found, source) in zip(event.citations, quoted, strict=True)
               if holds_date(found, event.date, event.precision, event.until, source)]
    if holding:
        return _span_problems(event, marks) + _earliest_problems(event, holding)
    if event.precision is Precision.span:
        given = sorted({span for found in marks for span in found.spans if span[0] == event.date.year})
        if given:
            return [(("until",), f"no quote gives {format_date(event.date, 'span', event.until)}; they give"
                                 f" {format_date(event.date, 'span', given[0][1])}: write until: {given[0][1]}")]
        around = sorted({span for found in marks for span in found.spans if span[0] <= event.date.year <= span[1]})
        if around:
            first, last = around[0]
            return [(("date",), f"no quote gives {format_date(event.date, 'span', event.until)}; they give"
                                f" {first}-{last % 100:02}: write date: {first}-01-01 and until: {last}")]
    finest = finest_precision(quoted, event.date)
    fix = (f"write precision: {finest}, which the quotes give, or correct the date" if finest else
           "correct the date, cite a quote that gives it, or write precision: after and the event it followed"
           " as after:")
    return [(("date",), f"no quote gives {PRECISION_WORDS[event.precision]} of this date"
                        f" ({format_date(event.date, event.precision.value, event.until)}); {fix}")]


def _span_problems(event: m.Event, marks: list[DateMarks]) -> Found:
    """A year that no quote gives other than as part of a span ("findings due in 2026-27") is shown as
    the span: precision: span, the date at its first year and until: its last."""
    assert event.date is not None
    year = event.date.year
    if event.precision is not Precision.year:
        return []
    if any(year in found.alone for found in marks):
        return []
    first, last = min(s for found in marks for s in found.spans if year in s)
    return [(("precision",), f"the quotes give {year} only as part of {first}-{last % 100:02}, which is neither"
                             f" year alone; write precision: span, date: {first}-01-01 and until: {last}, or cite"
                             f" a quote that gives {year} alone")]


def _earliest_problems(event: m.Event, holding: list[str]) -> Found:
    """A date a quote gives "at the earliest" is shown so (earliest: true), and only such a date."""
    said = any(EARLIEST.search(quote) for quote in holding)
    if said and not event.earliest:
        return [(("date",), "a quote gives this date as the earliest (\"at the earliest\"); add earliest: true, so"
                            " that the site says \"… at the earliest\" too")]
    if event.earliest and not said:
        return [(("earliest",), "no quote that gives this date says it is the earliest; remove earliest: true, or"
                                " cite the words that say so (\"at the earliest\")")]
    return []


def check_after_chains(entries: list[Any], problems: Collector) -> None:
    """An event may follow another, which may follow a third, but never come round to itself."""
    events = {entry.item.id: entry for entry in entries}
    for entry in entries:
        seen = [entry.item.id]
        anchor = entry.item.after
        while anchor is not None and anchor in events and anchor not in seen:
            seen.append(anchor)
            anchor = events[anchor].item.after
        if anchor == entry.item.id:
            line, column = entry.doc.where((*entry.loc, "after"))
            problems.add(entry.doc.path, line, column,
                         f"events follow each other in a circle ({' → '.join([*seen, anchor])}); name an event"
                         " with a date, or one that follows a dated event")
