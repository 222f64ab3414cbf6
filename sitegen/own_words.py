"""The site's own words against the quotes beside them: a sum, a date or a person's name written into
a sentence must be one the quotes give (a date may instead be when one of them was reported), and a
sum, or a count a quote gives of the same thing, keeps the word the quote puts before it.

Each check reads one item: its prose fields (PROSE_FIELDS) and the quotes of its citations. Sums and
counts answer to all the item's quotes. Names and dates answer to the quotes of the part they are in
(a later entry, a response), so that they cannot come from another part's source; a part without
citations, and a field that sums up the whole item (WHOLE_ITEM_FIELDS), answer to all of them.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from . import models as m
from .claims import (
    DATE_OR_YEAR,
    MONTHS,
    Figure,
    Published,
    count_figures,
    date_marks,
    dates_not_in,
    money_figures,
)
from .errors import Finding
from .formats import format_date
from .readability import MARKDOWN_NOT_PROSE

PROSE_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {
    m.Recommendation: ("title", "proposal", "body"),
    m.Response: ("detail",),
    m.Development: ("text",),
    m.Theme: ("description",),
    m.Mission: ("summary",),
    m.FundingLine: ("title", "purpose", "note"),
    m.Pilot: ("purpose",),
    m.Event: ("title", "text"),
    m.Term: ("definition",),
    m.Change: ("summary",),
    m.Guide: ("title", "audience", "intro"),
    m.GuideQuestion: ("question", "answer"),
}
"""The fields written in the site's own words (quotes and names are the sources' words)."""
Models = list[tuple[tuple[Any, ...], BaseModel]]
"""An item and every model inside it, each with its place (claims.located_models), listed once per item."""
WHOLE_ITEM_FIELDS = ("body", "purpose")
"""Fields that sum up a whole item (a proposal's article, a programme's purpose): they answer to all
the item's quotes, not only to those of the part they are in."""


def unheld_figures(models: Models, prose: list[tuple[tuple[Any, ...], str]]) -> list[Finding]:
    """A sum or count in the site's own words (a purpose, a note, a definition, a later entry) keeps the
    word the item's quotes put before it ("at least £600m", "up to 12 areas"), and a sum or a
    percentage must be in one of them: the check that values get, for figures written into sentences. A count no quote
    gives of the same thing may be the editor's own ("four councils" for four areas named), so only
    a count a quote gives of the same thing (the word after it) is checked.
    prose: the item's own texts by place."""
    quotes = [c.quote for _loc, model in models for c in getattr(model, "citations", None) or ()]
    found = unheld_percentages(prose, quotes)
    quoted = {"count": [pair for quote in quotes for pair in counts_of_things(quote)]}
    texts = [(loc, MARKDOWN_NOT_PROSE.sub(lambda match: " " * len(match.group()), text) if loc[-1] == "body" else text)
             for loc, text in prose if quoted["count"] or "£" in text]  # else there is nothing to check
    said = [(loc, figure, "sum", "") for loc, text in texts if "£" in text for figure in money_figures(text)
            if "£" in figure.words]  # "45 million people" is a count
    if quoted["count"]:
        said += [(loc, figure, "count", thing) for loc, text in texts for figure, thing in counts_of_things(text)]
    if not said:
        return found
    quoted["sum"] = [(figure, "") for quote in quotes for figure in money_figures(quote)]
    for loc, figure_said, what, thing in said:
        same = [figure for figure, of in quoted[what]
                if round(figure.value) == round(figure_said.value) and of == thing]
        if not same and what == "sum":
            found.append(Finding(loc, None, f'"{figure_said.words}" is in none of the quotes of this entry; write the'
                                            " sum a quote gives, or cite a quote that gives it", False))
        elif same and not any(figure.qualifier == figure_said.qualifier for figure in same):
            found.append(Finding(loc, None, f'the quote says "{same[0].words}" but these words say'
                                            f' "{figure_said.words}"; keep the quote\'s word before the {what}', False))
    return found


PERCENTAGE = re.compile(r"(?<![\d.,])(\d+(?:\.\d+)?)\s?(?:%|per ?cent\b)")
"""A percentage: 19%, 14.6% or 14 per cent."""


def unheld_percentages(prose: list[tuple[tuple[Any, ...], str]], quotes: list[str]) -> list[Finding]:
    """A percentage in the site's own words that none of the item's quotes gives (as % or per cent)."""
    said = [(loc, match) for loc, text in prose if "%" in text or "cent" in text for match in PERCENTAGE.finditer(text)]
    quoted = {float(value) for quote in quotes for value in PERCENTAGE.findall(quote)} if said else set()
    return [Finding(loc, None, f'"{match.group()}" is in none of the quotes of this entry; write the percentage a quote'
                               " gives, or cite a quote that gives it", False)
            for loc, match in said if float(match.group(1)) not in quoted]


DIGIT = re.compile(r"\d")
"""A text without a digit holds no date that could be read as a count."""
THING_AFTER = re.compile(r"""\s+[‘“'"]?([A-Za-z]+)""")
"""The word after a count, past an opening quotation mark: "12 ‘pathfinder’ areas" counts pathfinders."""


def counts_of_things(text: str) -> list[tuple[Figure, str]]:
    """Each count in a text with the word after it, the thing counted, in the singular ("12 areas" →
    area): not in a date or a year, not "one" (plain English uses it for "a"), and not a count
    followed by no word."""
    undated = DATE_OR_YEAR.sub(lambda match: " " * len(match.group()), text) if DIGIT.search(text) else text
    found: list[tuple[Figure, str]] = []
    for figure in count_figures(undated):
        thing = THING_AFTER.match(undated, figure.end)
        if thing is not None and figure.words.lower().split()[-1] != "one":
            found.append((figure, thing.group(1).lower().removesuffix("s")))
    return found


def unnamed_people(models: Models, prose: list[tuple[tuple[Any, ...], str]], names: frozenset[str]) -> list[Finding]:
    """A person the site's own words name (by full name, from data/people.yaml) must be named, by full
    name or surname, in one of the quotes cited beside those words: who said or did something is a
    fact like any other, and a quote of what was said does not show who said it. Words in a part
    with no citations of its own (a funding line's title or note), and a body or a purpose, answer to all
    the item's quotes.
    prose: the item's own texts, searched once for any name before each part is."""
    found: list[Finding] = []
    if not names_in("\n".join(text for _loc, text in prose), names):
        return found
    everything = " ".join(c.quote for _loc, model in models
                          for c in getattr(model, "citations", None) or ())
    for loc, model in models:
        if type(model) not in PROSE_FIELDS:
            continue
        citations = getattr(model, "citations", None)
        own = " ".join(c.quote for c in citations) if citations else everything
        for field in PROSE_FIELDS[type(model)]:
            quotes = everything if field in WHOLE_ITEM_FIELDS else own
            text = getattr(model, field, None)
            found_names = sorted(names_in(text, names), key=len) if isinstance(text, str) else []
            by_surname = {name.split()[-1]: name for name in found_names}  # the longest: "Sir Martin Narey"
            for surname, name in sorted(by_surname.items()):
                if not re.search(rf"\b{re.escape(surname)}\b", quotes):
                    found.append(Finding((*loc, field), None, f"{name} is named here but in none of the quotes"
                                         " cited beside it; cite the words that name them (their role and"
                                         " organisation, say)", False))
    return found


NAME_RUN = re.compile(r"[A-ZÀ-ÖØ-Þ][\w'’-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]*)+")
"""Capitalised words in a row (accented capitals too), among which a person's name may be ("Education
Secretary Gavin Williamson")."""
HONORIFIC = re.compile(r"^(?:Sir|Dame|Lord|Lady|Baroness|Baron|Dr|Professor)\s+")
"""A title before a person's name: prose that leaves it out ("Martin Narey") still names them."""


def names_in(text: str, names: frozenset[str]) -> set[str]:
    """The names of the set that the text gives in full: each run of capitalised words, and every run
    of two to four words within it, looked up in the set (a scan that costs the same however many
    names there are)."""
    found: set[str] = set()
    for run in NAME_RUN.findall(text):
        words = [word.removesuffix("’s").removesuffix("'s") for word in run.split()]  # "Eileen Munro’s"
        for start in range(len(words) - 1):
            for end in range(start + 2, min(len(words), start + 4) + 1):
                if (candidate := " ".join(words[start:end])) in names:
                    found.add(candidate)
    return found


def unheld_dates(models: Models, published: Published) -> list[Finding]:
    """A date in the site's own words (a day, a month or a year) must be one a quote cited beside it
    gives (claims.dates_not_in), or the date one of those quotes' sources was published: "In February
    2023, the government said" beside a report of 7 February 2023. A part with citations of its own
    answers to them, so a date cannot come from another part's source; a body or a purpose, and a part
    without citations, answer to all the item's quotes. Link targets in a body are not read."""
    everything = [c for _loc, model in models for c in getattr(model, "citations", None) or ()]
    found: list[Finding] = []
    for loc, model in models:
        for field in PROSE_FIELDS.get(type(model), ()):
            text = getattr(model, field, None)
            if isinstance(text, str) and field == "body":
                text = MARKDOWN_NOT_PROSE.sub(lambda match: " " * len(match.group()), text)  # link targets
            if not isinstance(text, str) or not (DIGIT.search(text) or any(name in text for name in MONTHS)):
                continue  # no date, found fast: most texts have no digit and no month's name
            citations = (everything if field in WHOLE_ITEM_FIELDS else getattr(model, "citations", None)) or everything
            quoted = [(date_marks(c.quote, published.get(c.source)), published.get(c.source)) for c in citations]
            reported = [(date_marks(format_date(when), None), when) for c in citations
                        if (when := published.get(c.source)) is not None]
            for words in dates_not_in(date_marks(text, None), [*quoted, *reported]):
                found.append(Finding((*loc, field), None, f'"{words}" is in none of the quotes cited beside it, nor is'
                                     " it when one of them was reported; cite a quote that gives it, or write the"
                                     " date a quote gives" if citations else
                                     f'"{words}" is a date, but nothing here cites a quote that could give it;'
                                     " leave it out, or write it where a quote gives it", False))
    return found
