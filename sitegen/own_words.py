"""The site's own words against the quotes beside them: a sum, a percentage, a date or the name of
a person or an organisation written into a sentence must be one the quotes give (a date may instead
be when one of them was reported), and a sum, or a count a quote gives of the same thing, keeps the
word the quote puts before it.

Each check reads one item: its prose fields (PROSE_FIELDS, with link targets and code in a Markdown
body blanked) and the quotes of its citations. Sums, percentages and counts answer to all the item's
quotes. Names and dates answer to the quotes of the part they are in (a later entry, a response), so
that they cannot come from another part's source; a part without citations, and a field that sums up
the whole item (WHOLE_ITEM_FIELDS), answer to all of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from . import models as m
from .claims import PERCENTAGE, Figure, Models, count_figures, is_one, money_figures
from .errors import Finding, blanked
from .fields import Citation
from .quote_dates import DATE_OR_YEAR, MONTHS, Published, dates_not_in, day_marks, quoted_dates, said_dates
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
    m.Role: ("role",),
}
"""The fields written in the site's own words (quotes and names are the sources' words)."""

WHOLE_ITEM_FIELDS = ("body", "purpose")
"""Fields that sum up a whole item (a proposal's article, a programme's purpose): they answer to all
the item's quotes, not only to those of the part they are in."""
Prose = list[tuple[tuple[Any, ...], BaseModel, str, str]]
"""Each prose field of an item with text: its place, the model that holds it, its name, its text
(a body with its link targets and code blanked)."""


def own_prose(models: Models) -> Prose:
    """The item's prose fields, each with the model it is in (to find the quotes beside it)."""
    found: Prose = []
    for loc, model in models:
        for field in PROSE_FIELDS.get(type(model), ()):
            text = getattr(model, field, None)
            if isinstance(text, str) and text:
                found.append(((*loc, field), model, field, blanked(MARKDOWN_NOT_PROSE, text) if field == "body"
                              else text))
    return found


def citations_of_parts(models: Models) -> list[Citation]:
    """Every citation of an item, in every part of it."""
    return [c for _loc, model in models for c in getattr(model, "citations", None) or ()]


def citations_beside(model: BaseModel, field: str, everything: list[Citation]) -> list[Citation]:
    """The citations a field answers to: its part's own, or all the item's for a field that sums up the
    whole item and for a part without citations."""
    own = getattr(model, "citations", None)
    return everything if field in WHOLE_ITEM_FIELDS or not own else list(own)


def unheld_figures(prose: Prose, everything: list[Citation]) -> list[Finding]:
    """A sum or a percentage in the site's own words must be in one of the item's quotes, and a sum, or
    a count a quote gives of the same thing (the word after it), keeps the word the quote puts before
    it ("at least £600m", "up to 12 areas"): the checks values get, for figures written into
    sentences. A count no quote gives of the same thing may be the editor's own ("four councils" for
    four areas named), so it is not checked."""
    quotes = [c.quote for c in everything]
    found = unheld_percentages(prose, quotes)
    quoted_counts = [pair for quote in quotes for pair in counts_of_things(quote)]
    said: list[tuple[tuple[Any, ...], Figure, str]] = []
    for loc, _model, _field, text in prose:
        if "£" in text:
            said += [(loc, figure, "") for figure in money_figures(text) if "£" in figure.words]  # "45 million people"
        if quoted_counts:
            said += [(loc, figure, thing) for figure, thing in counts_of_things(text)]
    quoted_sums = [figure for quote in quotes for figure in money_figures(quote)] if said else []
    for loc, figure_said, thing in said:
        pool = quoted_counts if thing else [(figure, "") for figure in quoted_sums]
        same = [figure for figure, of in pool if round(figure.value) == round(figure_said.value) and of == thing]
        what = "count" if thing else "sum"
        if not same and not thing:
            found.append(Finding(loc, None, f'"{figure_said.words}" is in none of the quotes of this entry; write the'
                                            " sum a quote gives, or cite a quote that gives it", False))
        elif same and not any(figure.qualifier == figure_said.qualifier for figure in same):
            found.append(Finding(loc, None, f'the quote says "{same[0].words}" but these words say'
                                            f' "{figure_said.words}"; keep the quote\'s word before the {what}', False))
    return found


def unheld_percentages(prose: Prose, quotes: list[str]) -> list[Finding]:
    """A percentage in the site's own words that none of the item's quotes gives (as % or per cent)."""
    said = [(loc, match) for loc, _model, _field, text in prose if "%" in text or "cent" in text
            for match in PERCENTAGE.finditer(text)]
    quoted = {float(value) for quote in quotes for value in PERCENTAGE.findall(quote)} if said else set()
    return [Finding(loc, None, f'"{match.group()}" is in none of the quotes of this entry; write the percentage a quote'
                               " gives, or cite a quote that gives it", False)
            for loc, match in said if float(match.group(1)) not in quoted]


DIGIT = re.compile(r"\d")
"""A text without a digit holds no date but a month's name (nor a date that could be read as a count)."""
THING_AFTER = re.compile(r"""\s+[‘“'"]?([A-Za-z]+)""")
"""The word after a count, past an opening quotation mark: "12 ‘pathfinder’ areas" counts pathfinders."""
NOT_A_THING = frozenset({"of", "in", "on", "at", "to", "by", "for", "from", "with", "and", "or", "more", "other",
                         "per", "a", "an", "the"})
"""Words after a number that do not say what it counts ("12 of them", "500 more")."""


def counts_of_things(text: str) -> list[tuple[Figure, str]]:
    """Each count in a text with the word after it, the thing counted, in the singular ("12 areas" →
    area): not in a date or a year, not "one", and not a count followed by no word or by a word that
    says nothing of what is counted ("12 of them"). Irregular plurals ("children") are not made
    singular, so "12 child" and "12 children" are different things."""
    undated = blanked(DATE_OR_YEAR, text) if DIGIT.search(text) else text
    found: list[tuple[Figure, str]] = []
    for figure in count_figures(undated):
        thing = THING_AFTER.match(undated, figure.end)
        if thing is not None and not is_one(figure) and thing.group(1).lower() not in NOT_A_THING:
            found.append((figure, thing.group(1).lower().removesuffix("s")))
    return found


def unnamed_people(prose: Prose, everything: list[Citation], names: frozenset[str]) -> list[Finding]:
    """A person the site's own words name (by full name, from data/people.yaml, with or without a title)
    must be named, by full name or surname, in one of the quotes cited beside those words: who said
    or did something is a fact like any other, and a quote of what was said does not show who said
    it. The names are searched for once in all the prose before each field is."""
    found: list[Finding] = []
    if not names_in("\n".join(text for *_rest, text in prose), names):
        return found
    for loc, model, field, text in prose:
        found_names = sorted(names_in(text, names), key=lambda name: (len(name), name))
        by_surname = {name.split()[-1]: name for name in found_names}  # the longest: "Sir Martin Narey"
        quotes = " ".join(c.quote for c in citations_beside(model, field, everything)) if by_surname else ""
        for surname, name in sorted(by_surname.items()):
            if not re.search(rf"\b{re.escape(surname)}\b", quotes):
                found.append(Finding(loc, None, f"{name} is named here but in none of the quotes cited beside it;"
                                                " cite the words that name them (their role and organisation, say)",
                                     False))
    return found


NAME_RUN = re.compile(r"[A-ZÀ-ÖØ-Þ][\w'’-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]*)+")
"""Capitalised words in a row (accented capitals too), among which a person's name may be ("Education
Secretary Gavin Williamson")."""
TITLES = re.compile(r"^(?:(?:Sir|Dame|Lord|Lady|Baroness|Baron|Dr\.?|Prof(?:essor)?\.?|Cllr|Councillor|Mrs?\.?|Ms"
                    r"|Miss)\s+)+")
"""The titles before a person's name, one or more: prose that leaves them out ("Martin Narey" for
"Sir Martin Narey") still names them."""


def names_of(people: Iterable[m.Party]) -> frozenset[str]:
    """The names the names check looks for: each person's name, and the same without its titles."""
    return frozenset(name for who in people if who.kind is m.PartyKind.person
                     for name in (who.name, TITLES.sub("", who.name)))


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


@dataclass(frozen=True)
class Organisations:
    """The names of the organisations in data/people.yaml as the names check looks for them."""

    pattern: re.Pattern[str] | None
    """Any of their names, the longest first, as a whole word or words."""
    handles: dict[str, tuple[str, ...]]
    """For each name, the words that name the same organisation in a quote: its names and aliases."""


def organisations_of(people: Iterable[m.Party]) -> Organisations:
    """Each organisation's names ("Local Government Association (LGA)" is written either way; "The
    Children's Society" also without its "The") and the other words its sources use for it (`aliases`:
    "the department" for the DfE)."""
    handles: dict[str, tuple[str, ...]] = {}
    for who in people:
        if who.kind is m.PartyKind.organisation:
            given = [part.strip() for part in re.split(r"[()]", who.name) if part.strip()]
            names = tuple(dict.fromkeys([*given, *(name[4:] for name in given if name.startswith("The "))]))
            handles.update((name, (*names, *who.aliases)) for name in names)
    ordered = sorted(handles, key=lambda name: (-len(name), name))
    pattern = re.compile(r"(?<![\w'])(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)") if ordered else None
    return Organisations(pattern, handles)


SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+)$")
"""What comes before a word that starts a sentence, where "Kinship" or "Become" is only a capital."""


def is_plain_word(name: str) -> bool:
    """One word with a capital only at its start ("Kinship", not "DfE", "NSPCC" or "Open University")."""
    return " " not in name and name[1:] == name[1:].lower()


def unnamed_organisations(prose: Prose, everything: list[Citation], organisations: Organisations) -> list[Finding]:
    """An organisation the site's own words name (by any of its names in data/people.yaml) must be
    named, by one of its names or aliases, in one of the quotes cited beside those words: that the
    LGA warned, or Kinship asked, is a fact like any other, and a quote of what was said does not
    show who said it. A one-word name that is an ordinary word ("Kinship") counts only within a
    sentence, not as its first word, and a quote names it only with its capital ("kinship carers"
    does not)."""
    found: list[Finding] = []
    if organisations.pattern is None:
        return found
    for loc, model, field, text in prose:
        text = text.replace("’", "'")
        named = sorted({match.group() for match in organisations.pattern.finditer(text)
                        if not is_plain_word(match.group()) or not SENTENCE_START.search(text[:match.start()])})
        if not named:
            continue
        quotes = " ".join(c.quote for c in citations_beside(model, field, everything)).replace("’", "'")
        for name in named:
            if not any(re.search(rf"(?<![\w']){re.escape(handle)}(?!\w)", quotes,  # "the DfE's" too
                                 0 if is_plain_word(handle) else re.IGNORECASE)
                       for handle in organisations.handles[name]):
                found.append(Finding(loc, None, f"{name} is named here but in none of the quotes cited beside it;"
                                                " cite the words that name it (or say who spoke in other words)",
                                     False))
    return found


def unheld_dates(prose: Prose, everything: list[Citation], published: Published) -> list[Finding]:
    """A date in the site's own words (a day, a month, a year or a span such as 2025-26) must be one a
    quote cited beside it gives (quote_dates.dates_not_in), or the date one of those quotes' sources was
    published: "In February 2023, the government said" beside a report of 7 February 2023."""
    found: list[Finding] = []
    for loc, model, field, text in prose:
        if not (DIGIT.search(text) or any(name in text for name in MONTHS)):
            continue  # a text with no digit and no month's name gives no date
        citations = citations_beside(model, field, everything)
        reported = [(day_marks(when), when) for c in citations if (when := published.get(c.source)) is not None]
        for words in dates_not_in(said_dates(text), [*quoted_dates(citations, published), *reported]):
            found.append(Finding(loc, None, f'"{words}" is in none of the quotes cited beside it, nor is it when one'
                                            " of them was reported; cite a quote that gives it, or write the date a"
                                            " quote gives" if citations else
                                 f'"{words}" is a date, but nothing here cites a quote that could give it; leave it'
                                 " out, or write it where a quote gives it", False))
    return found
