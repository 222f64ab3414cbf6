"""A guide's answer against its quotes: every sum, count, percentage and date it gives is in one of
them, with the word the quote puts before it.

An answer is written for one kind of reader and cites the quotes beside it, so it is held to them
more closely than other prose: a figure it gives must be written in a quote the same way.
"""

from __future__ import annotations

from . import models as m
from .claims import FIGURE, count_figures, is_one, money_figures, normalise_figure
from .errors import blanked
from .quote_dates import DATE_OR_YEAR, Published, dates_not_in, quoted_dates, said_dates


def answer_problems(question: m.GuideQuestion, published: Published) -> list[str]:
    """A guide's answer says no more than its quotes: each sum, count, percentage and date in it is
    in one of its quotes, and a sum or count keeps the word the quote puts before it ("up to 500").

    A figure counts as held when a quote writes it the same way; a date, when a quote gives it at least
    as precisely (quote_dates.dates_not_in: a quote's "this year" gives its source's year). The word
    "one" is not read as a count: plain English uses it for "a".
    """
    quotes = [c.quote for c in question.citations]
    written = {normalise_figure(f) for quote in quotes for f in FIGURE.findall(quote)}
    quoted = quoted_dates(question.citations, published)
    found: list[str] = []

    def missing(what: str) -> None:
        found.append(f'"{what}" is in none of the quotes of this answer; write the figure or date a quote gives,'
                     " or cite a quote that gives it")

    answer = question.answer
    for words in dates_not_in(said_dates(answer), quoted):
        missing(words)
    undated = blanked(DATE_OR_YEAR, answer)
    for match in FIGURE.finditer(undated):
        if normalise_figure(match.group()) not in written:
            missing(match.group())
    for figure in count_figures(undated):
        if figure.words.split()[-1].isalpha() and not is_one(figure) and not any(
                f.value == figure.value for quote in quotes for f in count_figures(quote)):
            missing(figure.words.split()[-1])  # a count in words; one in digits is a FIGURE, checked above
    said = [*money_figures(undated), *(f for f in count_figures(undated) if not is_one(f))]
    for figure in said:
        pool = money_figures if figure in money_figures(undated) else count_figures
        same = [f for quote in quotes for f in pool(quote) if round(f.value) == round(figure.value)]
        if same and not any(f.qualifier == figure.qualifier for f in same):
            found.append(f'the quote says "{same[0].words}" but the answer says "{figure.words}"; keep the quote\'s'
                         " word before the figure")
    return found

