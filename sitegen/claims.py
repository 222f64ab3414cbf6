"""What a quote holds: the sums, counts and percentages in it, each with the word the quote puts before
it (its dates are read by quote_dates); and every figure an item holds, which the figures in content
pages must come from.

A reported value is only as good as the quote behind it. These readers let the content checks prove
that a value's quote holds its figure with the same qualifier ("up to 12", "at least £600m"); and they
tell the site which citations carry a claim (a figure, or an event's date), so that a value is dated
by the earliest source that says it, never by whichever citation comes first.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from pydantic import BaseModel

from . import models as m
from .fields import Citation, Money, Qualifier, ReportedCount, ReportedMoney
from .formats import format_date, format_money
from .quote_dates import MONTH, date_marks, holds_date


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


KIND_WORDS: dict[m.FundingKind, tuple[re.Pattern[str], str]] = {
    m.FundingKind.called_for: (
        re.compile(r"\b(?:call(?:s|ed|ing)?|ask(?:s|ed|ing)?) for\b(?! (?:evidence|views))|\bcalled on\b"
                   r"|\bpropos(?:e|es|ed|ing)\b|\brecommend(?:s|ed|ing)?\b|\bcosted\b|\burg(?:e|es|ed|ing)\b"
                   r"|\bdemand(?:s|ed|ing)?\b", re.I),
        "says it was called for, asked for, proposed, recommended, urged, demanded or costed"),
    m.FundingKind.estimated_cost: (
        re.compile(r"\bestimat|\bcalculat|\bforecast|\bproject(?:ed|ions?)\b|\bcost(?:s|ing)?\b(?!-)"
                   r"|\bpressures?\b", re.I),
        "says it was estimated, calculated, forecast or projected, or calls it a cost or a pressure"),
    m.FundingKind.cut: (
        re.compile(r"\bcut(?:s|ting|backs?)?\b|\breduc(?:ed|tions?)\b|\bslash|\bfell\b|\bfallen\b|\blost\b"
                   r"|\bloss(?:es)?\b|\bsqueez", re.I),
        "speaks of a cut, a reduction, a fall or a loss"),
}
"""The kinds of money that are someone's ask, reckoning or loss, not the government's plan, with the
words one of a line's quotes must use, and what they say: a sum shown under the wrong kind misleads
(an estimate shown as a call for money). The words are verbs and nouns of the kind ("recommended",
not "recommendations"; "cost", not "cost-of-living"), but they do not prove it: an editor reads the
quotes (EDITING.md). Pledged and allocated sums are told apart by the editor, and spent by said_spent."""

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
