"""What a quote holds: the sums, counts, percentages and dates in it, each with the word the quote puts
before it; which dates of a text no quote gives (dates_not_in); and every figure an item holds, which
the figures in content pages must come from.

A reported value is only as good as the quote behind it. These readers let the content checks prove
that a value's quote holds its figure with the same qualifier ("up to 12", "at least £600m"), and that
a date is no more precise than its quotes; and they tell the site which citations carry a claim, so
that a value is dated by the earliest source that says it, never by whichever citation comes first.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from pydantic import BaseModel

from . import models as m
from .fields import Citation, Money, Precision, Qualifier, ReportedCount, ReportedMoney
from .formats import format_date, format_money


class Figure(NamedTuple):
    """A sum or a count in a quote, with the qualifier before it and the words as the quote gives them."""

    value: float
    qualifier: Qualifier | None
    words: str
    baseline: bool
    """The quote gives the figure as where a change started ("up from £11.7m", "rise from £1,000"):
    a past value, which the quote does not report as the sum or count itself."""
    end: int
    """Where the figure ends in its quote."""


QUALIFIER_WORDS: dict[str, Qualifier] = {
    "just under": Qualifier.just_under, "nearly": Qualifier.just_under, "almost": Qualifier.just_under,
    "about": Qualifier.about, "around": Qualifier.about, "roughly": Qualifier.about,
    "approximately": Qualifier.about,
    "up to": Qualifier.up_to,
    "at least": Qualifier.at_least,
    "more than": Qualifier.more_than, "over": Qualifier.more_than,
    "less than": Qualifier.less_than, "fewer than": Qualifier.less_than,
    "an expected": Qualifier.expected, "expected": Qualifier.expected,
    "an estimated": Qualifier.estimated, "estimated": Qualifier.estimated, "estimated at": Qualifier.estimated,
    "estimated to be": Qualifier.estimated,
    "a forecast": Qualifier.forecast, "forecast": Qualifier.forecast, "forecast to be": Qualifier.forecast,
    "forecast to increase by": Qualifier.forecast, "forecast to increase by a further": Qualifier.forecast,
}
"""The words a source puts right before a figure to say how exact it is, and the qualifier each means."""
QUALIFIER_BEFORE = re.compile(r"(?:^|\W)(" + "|".join(sorted(QUALIFIER_WORDS, key=len, reverse=True))
                              + r")\s+$", re.I)

UNITS = {"bn": 1e9, "billion": 1e9, "m": 1e6, "million": 1e6, "k": 1e3, "thousand": 1e3}
NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
MONEY = re.compile(rf"£\s?(?P<number>{NUMBER})(?:\s?(?P<unit>bn|billion|m|million|k|thousand)\b)?"
                   rf"|\b(?P<bare>{NUMBER})\s(?P<word>billion|million)\b")
"""A sum: £45m, £2.6bn, £2,000, or 45 million."""
NUMBER_WORDS = {word: n for n, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
    " seventeen eighteen nineteen twenty".split())}
NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                     "ninety": 90, "hundred": 100})
COUNT = re.compile(r"(?<![£\w.,–-])(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?![\w.,–-]*\d)"
                   r"(?!\s?(?:%|per ?cent|bn\b|m\b|k\b|million|billion|st\b|nd\b|rd\b|th\b))"
                   r"|\b(?P<word>" + "|".join(NUMBER_WORDS) + r")\b", re.I)
"""A count: 12 or twelve; not a sum, a percentage, a decimal, an ordinal or part of a year range."""


BASELINE_BEFORE = re.compile(r"(?:^|\W)((?:up|down|rises?|rising|rose|risen|increases?|increasing|increased"
                             r"|falls?|falling|fell|fallen|drops?|dropping|dropped|grows?|growing|grew|grown"
                             r"|goes|going|went|gone|go)\s+from)\s+$", re.I)
"""The words before a figure that make it where a change started: "up from", "will increase from"."""


EACH_YEAR = re.compile(r"\s*(?:(?:a|per|each|every) year|annually|yearly|per annum)\b"
                       r"(?!\s+(?:ago|earlier|later|before|after)\b)", re.I)
"""The words right after a sum that make it recur every year: "£200m a year" (not "£5m a year ago")."""


SPENT = re.compile(r"\bspent\b", re.I)
NOT_SPENT_BEFORE = {"be", "being", "not", "never", "could", "should", "would", "might", "must", "will", "may", "to",
                    "if", "unless"}
"""Words that, among the three before "spent", make it a plan or a negation: "will be spent", "to be
fully spent", "could have been spent", "to have spent", "was not spent", "is being spent"; so does a
word ending in n't ("hasn't been spent")."""
NO_MONEY = {"no", "none", "nothing"}
"""Words that, anywhere before "spent" in its sentence, make it a negation: "none of the £5m has been spent"."""
WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")


def said_spent(quote: str) -> bool:
    """Whether the quote says money was spent: the word "spent" with no word of NOT_SPENT_BEFORE (nor
    one ending in n't) among the three words before it, and none of NO_MONEY before it in its sentence
    ("was spent", "has been spent", "spent £5m"; "In May" is the month). It cannot tell which sum was
    spent ("called for £2.6bn, with £1bn spent"): an editor reads the quote too (EDITING.md)."""
    for match in SPENT.finditer(quote):
        words = WORD.findall(re.split(r"[.!?;]\s", quote[:match.start()])[-1])
        near = {word if word == "May" else word.lower().replace("’", "'") for word in words[-3:]}
        if near & NOT_SPENT_BEFORE or any(word.endswith("n't") for word in near) or \
                NO_MONEY & {word.lower() for word in words}:
            continue
        return True
    return False


def said_each_year(quote: str, figure: Figure) -> bool:
    """Whether the quote gives the figure as recurring each year ("£200m a year", "£5m annually")."""
    return EACH_YEAR.match(quote, figure.end) is not None


def _figure(quote: str, match: re.Match[str], value: float) -> Figure:
    """The figure a match found, with the qualifier and any baseline words before it."""
    found = QUALIFIER_BEFORE.search(quote, 0, match.start())
    qualifier, start = (QUALIFIER_WORDS[found.group(1).lower()], found.start(1)) if found else (None, match.start())
    baseline = BASELINE_BEFORE.search(quote, 0, start)
    if baseline is not None:
        start = baseline.start(1)
    return Figure(value, qualifier, quote[start:match.end()], baseline is not None, match.end())


@functools.lru_cache(maxsize=1 << 14)
def money_figures(quote: str) -> tuple[Figure, ...]:
    """Every sum of money in a quote, in pounds."""
    found: list[Figure] = []
    for match in MONEY.finditer(quote):
        number = match.group("number") or match.group("bare")
        unit = match.group("unit") or match.group("word")
        found.append(_figure(quote, match, float(number.replace(",", "")) * UNITS.get(unit or "", 1)))
    return tuple(found)


DURATION_AFTER = re.compile(r"\s+(?:(?:financial|academic|school|calendar)\s+)?(?:years?|months?|weeks?|days?"
                            r"|decades?|hours?)\b(?!\s+old\b)", re.I)
"""The words after a count that make it a span of time: "over four years"."""
LONGER_BEFORE = re.compile(r"\b(?:for|after|in|within|than|just|of|lasted|lasting|waited|waiting|took|taking|aged"
                           r"|to|spent)\s+$", re.I)
"""The words before "over" that make it "more than" even before a span of time: "for over two years",
"aged over 16 years", "rose to over five years"."""


@functools.lru_cache(maxsize=1 << 14)
def count_figures(quote: str) -> tuple[Figure, ...]:
    """Every whole number in a quote that is not a sum, in digits or in words. "Over" before a span of
    time says how long ("£200m over four years" is four years), unless the words before it make it
    "more than" ("for over two years")."""
    found: list[Figure] = []
    for match in COUNT.finditer(quote):
        digits, word = match.group("digits"), match.group("word")
        value = float(digits.replace(",", "")) if digits else float(NUMBER_WORDS[word.lower()])
        figure = _figure(quote, match, value)
        start = match.end() - len(figure.words)
        if (figure.words.lower().startswith("over ") and DURATION_AFTER.match(quote, match.end())
                and not LONGER_BEFORE.search(quote, 0, start)):
            figure = figure._replace(qualifier=None, words=match.group())
        found.append(figure)
    return tuple(found)


def figures_of(value: ReportedMoney | ReportedCount, quote: str) -> list[Figure]:
    """The figures in a quote equal to a reported value's amount or count."""
    if isinstance(value, ReportedMoney):
        return [f for f in money_figures(quote) if round(f.value) == round(value.money.amount)]
    return [f for f in count_figures(quote) if f.value == value.count]


# --- Dates ---------------------------------------------------------------------------------------

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


# --- Which citations carry a claim ---------------------------------------------------------------


def carriers(value: Any, published: Callable[[str], dt.date | None]) -> list[Citation]:
    """The citations whose quote holds what a value claims: its sum or count, or an event's date.

    Other claims (a development, a role, an event known only to follow another, a guide's answer,
    each of whose quotes is there for something it says) are carried by every citation. published
    gives a source's date, to read "yesterday" or "last month".
    """
    citations: list[Citation] = value.citations
    if isinstance(value, ReportedMoney | ReportedCount):
        return [c for c in citations if figures_of(value, c.quote)]
    if isinstance(value, m.Event) and value.date is not None:
        return [c for c in citations
                if holds_date(date_marks(c.quote, published(c.source)), value.date, value.precision, value.until,
                              published(c.source))]
    return list(citations)


FIGURE = re.compile(
    r"(?=[£\d])(?:"                               # every figure starts so: the search skips to one
    r"£\d[\d,]*(?:\.\d+)?(?:bn|m|k)?"            # sums of money
    r"|(?<!\d)(?<!\d,)\d[\d,]*+(?:\.\d++)?+\s?%"   # percentages, from where a number starts
    rf"|\b\d{{1,2}} (?:{MONTH}) \d{{4}}\b"           # dates
    r"|\b\d[\d,]*(?:\.\d+)?\b"                     # counts and years
    r")"
)
"""A figure in prose. A percentage is sought only where a number starts (not after a digit, nor after
a digit and a comma) and its digits are taken whole (possessive *+), so a long run of digits is read
once, not again from each of its digits."""


def normalise_figure(figure: str) -> str:
    return figure.replace(",", "").replace(" ", "").rstrip(".")


def item_figures(item: BaseModel) -> frozenset[str]:
    """Every figure one item holds: quotes, amounts, counts, dates and the prose written from them."""
    figures: set[str] = set()

    def add_text(text: str) -> None:
        figures.update(normalise_figure(f) for f in FIGURE.findall(text))

    for _loc, model in located_models(item):
        if isinstance(model, Citation):
            add_text(model.quote)
        elif isinstance(model, Money):
            add_text(format_money(model))
        elif isinstance(model, ReportedCount):
            figures.add(str(model.count))
        for name in type(model).model_fields:
            value = getattr(model, name)
            if isinstance(value, str):
                add_text(value)
            elif hasattr(value, "isoformat"):
                for precision in ("day", "month", "year"):
                    add_text(format_date(value, precision))
            elif isinstance(value, int) and not isinstance(value, bool):
                figures.add(str(value))
    return frozenset(figures)


Models = list[tuple[tuple[Any, ...], BaseModel]]
"""An item and every model inside it, each with its place (located_models), listed once per item."""


def located_models(obj: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], BaseModel]]:
    """(loc, model) of obj and every model inside it."""
    if isinstance(obj, BaseModel):
        yield loc, obj
        for name in type(obj).model_fields:
            yield from located_models(getattr(obj, name), (*loc, name))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from located_models(value, (*loc, i))


def is_one(figure: Figure) -> bool:
    """Whether a count is the word "one", which plain English uses for "a" ("one of the councils")."""
    return figure.words.lower().split()[-1] == "one"


PERCENTAGE = re.compile(r"(?<![\d.,])(\d+(?:\.\d+)?)\s?(?:%|per ?cent\b)")
"""A percentage: 19%, 14.6% or 14 per cent."""


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
