"""The dates a text gives: each quote's dates at the precision it gives them (date_marks), the dates the
site's own words give (said_dates), and which of those no quote gives (dates_not_in).

The content checks use them to hold a date on the site to its quotes, at no finer precision than they
give it. A news report's "last month" or "this year" is read against the report's own date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from .fields import Citation, Precision

MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}
MONTH = "|".join(MONTHS)
YEAR = r"(?:19|20)\d\d"
DAY_MONTH = re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)? (?P<month>{MONTH})\b(?:,? (?P<year>{YEAR})\b)?")
MONTH_DAY = re.compile(rf"\b(?P<month>{MONTH}) (?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,? (?P<year>{YEAR})\b)?")
MONTH_YEAR = re.compile(rf"\b(?P<month>{MONTH})\b(?:,? (?P<year>{YEAR})\b)?")
"""Month names are matched with their capital only: "may fund" is not May."""
YEARS = re.compile(rf"(?<!£)\b(?P<year>{YEAR})(?:[-–/](?P<end>{YEAR}|\d\d)(?![-–/]\d))?\b")
"""A year, or a span of years such as 2023-25 or 2026-2027, whose both ends count; a date such as
2024-05-01 gives its year alone (an end that is not later than the start is no span)."""
DATE_OR_YEAR = re.compile("|".join(re.sub(r"\(\?P<\w+>", "(?:", f"(?:{p.pattern})")
                                   for p in (DAY_MONTH, MONTH_DAY, MONTH_YEAR, YEARS)))
"""Any date or year a text gives in words or digits (the four patterns above, without their groups)."""
RELATIVE = re.compile(r"\b(?:(?P<day>today|yesterday|tomorrow)|(?P<which>this|last|next) (?P<span>week|month|year)"
                      r"(?:,? (?:or|and) (?:the )?(?P<or>next|last)(?!\s+(?:week|month|year|spring|summer|autumn)\b))?"
                      r"|next (?P<season>spring|summer|autumn)|(?P<now>currently))\b", re.I)
"""Dates a news report gives relative to its own date ("this year or next" gives both years; "this
month or next year" is two dates, each read on its own)."""
SEASON_ENDS = {"spring": 5, "summer": 8, "autumn": 11}


class DateMarks(NamedTuple):
    """The dates a quote gives: years, (year or None, month), (year or None, month, day), and spans of
    years such as 2026-27 as (first, last), whose both ends are among the years too; alone holds the
    years given other than as part of a span."""

    years: frozenset[int]
    months: frozenset[tuple[int | None, int]]
    days: frozenset[tuple[int | None, int, int]]
    spans: frozenset[tuple[int, int]]
    alone: frozenset[int]


Published = Mapping[str, dt.date | None]
"""Each source's date by id: quotes such as "yesterday" are read against it."""


@functools.lru_cache(maxsize=1 << 14)
def date_marks(quote: str, published: dt.date | None) -> DateMarks:
    """Every date a quote gives, at the precision it gives it; words such as "yesterday" or "last
    month" are read against the source's date (and give nothing when it is undated)."""
    years: set[int] = set()
    months: set[tuple[int | None, int]] = set()
    days: set[tuple[int | None, int, int]] = set()
    spans: set[tuple[int, int]] = set()
    alone: set[int] = set()

    def add(year: int | None, month: int | None = None, day: int | None = None, *, in_span: bool = False) -> None:
        if year is not None:
            years.add(year)
            if not in_span:
                alone.add(year)
        if month is not None:
            months.add((year, month))
            if day is not None:
                days.add((year, month, day))

    for pattern in (DAY_MONTH, MONTH_DAY):
        for match in pattern.finditer(quote):
            year = int(match.group("year")) if match.group("year") else None
            add(year, MONTHS[match.group("month")], int(match.group("day")))
    for match in MONTH_YEAR.finditer(quote):
        add(int(match.group("year")) if match.group("year") else None, MONTHS[match.group("month")])
    for match in YEARS.finditer(quote):
        year = int(match.group("year"))
        end = match.group("end") or ""
        last = int(end) if len(end) == 4 else year // 100 * 100 + int(end or 0)
        if last > year:
            add(year, in_span=True)
            add(last, in_span=True)
            spans.add((year, last))
        else:
            add(year)
    if published is not None:
        for match in RELATIVE.finditer(quote):
            for when in _relative(match, published):
                add(*when)
    return DateMarks(frozenset(years), frozenset(months), frozenset(days), frozenset(spans), frozenset(alone))


def _relative(match: re.Match[str], published: dt.date) -> list[tuple[int, ...]]:
    """(year,), (year, month) or (year, month, day) that a relative date means, read on the day published."""
    words = {name: (value or "").lower() for name, value in match.groupdict().items()}
    if words["day"]:
        day = published + dt.timedelta(days={"today": 0, "yesterday": -1, "tomorrow": 1}[words["day"]])
        return [(day.year, day.month, day.day)]
    if words["now"]:
        return [(published.year, published.month)]
    if words["season"]:
        later = published.month > SEASON_ENDS[words["season"]] - 3
        return [(published.year + later,)]
    shift = {"this": 0, "last": -1, "next": 1}[words["which"]]
    if words["or"]:  # "this year or next": both
        also = {"next": 1, "last": -1}[words["or"]]
        return [*_relative_span(words["span"], shift, published), *_relative_span(words["span"], also, published)]
    return _relative_span(words["span"], shift, published)


def _relative_span(span: str, shift: int, published: dt.date) -> list[tuple[int, ...]]:
    """The year, month or week shift of them from the one published in, as (year,) or (year, month)."""
    if span == "year":
        return [(published.year + shift,)]
    if span == "month":
        month = published.month - 1 + shift
        return [(published.year + month // 12, month % 12 + 1)]
    monday = published - dt.timedelta(days=published.weekday()) + dt.timedelta(weeks=shift)
    sunday = monday + dt.timedelta(days=6)
    if (monday.year, monday.month) == (sunday.year, sunday.month):
        return [(monday.year, monday.month)]
    return [(monday.year,)] if monday.year == sunday.year else []


QuotedDates = Sequence[tuple[DateMarks, dt.date | None]]
"""Each quote's dates, with its source's date: what a date written elsewhere is compared with."""


def near(year: int | None, given: int | None, source: dt.date | None) -> bool:
    """Whether a quote's date of the year given (None: the quote gives no year) can be of this year: a
    month or day without a year counts in its source's year or the year before or after ("in
    September", in a report of February 2023, is September 2022, 2023 or 2024), in any year if the
    source is undated."""
    return year is None or given == year or (given is None and (source is None or abs(source.year - year) <= 1))


def holds_date(marks: DateMarks, date: dt.date, precision: Precision, until: int | None = None,
               source: dt.date | None = None) -> bool:
    """Whether a quote's dates give this date to this precision (a month or day without a year, in a
    year near its source's: see near); a span, from the date's year to until."""
    if precision is Precision.span:
        return (date.year, until) in marks.spans
    if precision is Precision.year:
        return date.year in marks.years
    if precision is Precision.month:
        return any(month == date.month and near(date.year, year, source) for year, month in marks.months)
    if precision is Precision.day:
        return any((month, day) == (date.month, date.day) and near(date.year, year, source)
                   for year, month, day in marks.days)
    return False


def dates_not_in(said: DateMarks, quoted: QuotedDates) -> list[str]:
    """The dates of said that no quote gives, in words, each once at the precision said gives it ("11
    May 2023", not also "May 2023"). quoted: each quote's marks with its source's date. A quote's day
    or month without a year holds it in a year near its source's (see near); a year written alone
    needs a quote that gives it other than as part of a span ("2026" is not "2025-26"), and a span
    ("2025-26") the same span or both its years."""
    missing: list[str] = []
    for year, month, day in sorted(said.days, key=lambda d: (d[0] or 0, d[1], d[2])):
        if not any((m_, d) == (month, day) and near(year, y, source) for mark, source in quoted
                   for y, m_, d in mark.days):
            missing.append(f"{day} {calendar.month_name[month]}" + (f" {year}" if year else ""))
    in_days = {(year, month) for year, month, _day in said.days}
    for year, month in sorted(said.months - in_days, key=lambda d: (d[0] or 0, d[1])):
        if not any(m_ == month and near(year, y, source) for mark, source in quoted for y, m_ in mark.months):
            missing.append(calendar.month_name[month] + (f" {year}" if year else ""))
    alone = {year for mark, _source in quoted for year in mark.alone}
    for first, last in sorted(said.spans):
        if not any((first, last) in mark.spans for mark, _source in quoted) and not {first, last} <= alone:
            missing.append(f"{first}-{last % 100:02d}" if first // 100 == last // 100 else f"{first}-{last}")
    in_months = {year for year, _month in said.months}
    return missing + [str(year) for year in sorted(said.alone - in_months) if year not in alone]


def finest_precision(quoted: QuotedDates, date: dt.date) -> Precision | None:
    """The finest precision at which any of these quotes (their marks, with their source's date) gives
    the date, if any does."""
    for precision in (Precision.day, Precision.month, Precision.year):
        if any(holds_date(found, date, precision, source=source) for found, source in quoted):
            return precision
    return None


def quoted_dates(citations: Iterable[Citation], published: Published) -> QuotedDates:
    """Each citation's quote's dates, with its source's date (what dates_not_in compares with)."""
    return [(date_marks(c.quote, published.get(c.source)), published.get(c.source)) for c in citations]


def day_marks(day: dt.date) -> DateMarks:
    """The marks of one whole date: its day, its month and its year."""
    year = frozenset({day.year})
    return DateMarks(year, frozenset({(day.year, day.month)}), frozenset({(day.year, day.month, day.day)}),
                     frozenset(), year)


BARE_MONTH_AS_DATE = re.compile(rf"\b(?:in|on|by|from|until|till|since|during|before|after|between|early|late|mid"
                                rf"|and|or|to|next|last|this)[\s-]+({MONTH})\b", re.I)
"""A month's name with no day or year is a date in the site's words only after such a word ("in May"):
"Theresa May" or a sentence that opens "May …" is not."""


def said_dates(text: str) -> DateMarks:
    """The dates the site's own words give (date_marks), without a month's name that is not used as one."""
    marks = date_marks(text, None)
    bare = {(year, month) for year, month in marks.months if year is None}
    if not bare:
        return marks
    used = {MONTHS[found.group(1).capitalize()] for found in BARE_MONTH_AS_DATE.finditer(text)}
    days = {(year, month) for year, month, _day in marks.days}
    return marks._replace(months=frozenset(mark for mark in marks.months
                                           if mark not in bare or mark[1] in used or mark in days))
