"""A guide's answer against its quotes: every sum, count, percentage and date it gives is in one of
them, with the word the quote puts before it.

An answer is written for one kind of reader and cites the quotes beside it, so it is held to them
more closely than other prose: a figure it gives must be written in a quote the same way.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping

from . import models as m
from .claims import DATE_OR_YEAR, FIGURE, DateMarks, count_figures, date_marks, money_figures, normalise_figure


def answer_problems(question: m.GuideQuestion, published: Mapping[str, dt.date | None]) -> list[str]:
    """A guide's answer says no more than its quotes: each sum, count, percentage and date in it is
    in one of its quotes, and a sum or count keeps the word the quote puts before it ("up to 500").

    A figure counts as held when a quote writes it the same way; a date, when a quote gives it to the
    same precision (a quote's "this year" gives its source's year). The word "one" is not read as a
    count: plain English uses it for "a".
    """
    quotes = [c.quote for c in question.citations]
    written = {normalise_figure(f) for quote in quotes for f in FIGURE.findall(quote)}
    marks = [date_marks(c.quote, published.get(c.source)) for c in question.citations]
    found: list[str] = []

    def missing(what: str) -> None:
        found.append(f'"{what}" is in none of the quotes of this answer; write the figure or date a quote gives,'
                     " or cite a quote that gives it")

    answer = question.answer
    said_dates = date_marks(answer, None)
    for year, month, day in said_dates.days:
        if not any(_holds(mark, year, month, day) for mark in marks):
            missing(f"{day} {calendar.month_name[month]}" + (f" {year}" if year else ""))
    for year, month in said_dates.months:
        if not any(_holds(mark, year, month) for mark in marks):
            missing(calendar.month_name[month] + (f" {year}" if year else ""))
    for year in sorted(said_dates.years):
        if not any(year in mark.years for mark in marks):
            missing(str(year))
    undated = DATE_OR_YEAR.sub(lambda match: " " * len(match.group()), answer)
    for match in FIGURE.finditer(undated):
        if normalise_figure(match.group()) not in written:
            missing(match.group())
    for figure in count_figures(undated):
        if figure.words.split()[-1].isalpha() and figure.words.split()[-1].lower() != "one" and not any(
                f.value == figure.value for quote in quotes for f in count_figures(quote)):
            missing(figure.words.split()[-1])  # a count in words; one in digits is a FIGURE, checked above
    said = [*money_figures(undated), *(f for f in count_figures(undated) if f.words.lower() != "one"
                                         and not f.words.lower().endswith(" one"))]
    for figure in said:
        pool = money_figures if figure in money_figures(undated) else count_figures
        same = [f for quote in quotes for f in pool(quote) if round(f.value) == round(figure.value)]
        if same and not any(f.qualifier == figure.qualifier for f in same):
            found.append(f'the quote says "{same[0].words}" but the answer says "{figure.words}"; keep the quote\'s'
                         " word before the figure")
    return found


def _holds(marks: DateMarks, year: int | None, month: int, day: int | None = None) -> bool:
    """Whether a quote's dates give this month (or day), of this year when the answer gives one."""
    if day is None:
        return any(m_ == month and (year is None or y in (year, None)) for y, m_ in marks.months)
    return any((m_, d) == (month, day) and (year is None or y in (year, None)) for y, m_, d in marks.days)
