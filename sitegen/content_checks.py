"""Editorial checks: figures in pages must come from the data, acronyms must be in the glossary,
and the site's own sentences should stay short.

A figure written in content/ Markdown that no data value or cited quote contains is an error, so prose
cannot drift from the checked data. Long sentences are warnings: plain English is a goal, not a gate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from . import models as m
from .characters import describe_zero_width, zero_width_character
from .errors import Collector, Problem
from .render import format_date, format_money
from .resolve import PageSource, Site

FIGURE = re.compile(
    r"£\d[\d,]*(?:\.\d+)?(?:bn|m|k)?"            # sums of money
    r"|(?<!\d)(?<!\d,)\d[\d,]*+(?:\.\d++)?+\s?%"   # percentages, from where a number starts
    r"|\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r" \d{4}\b"                                    # dates
    r"|\b\d[\d,]*(?:\.\d+)?\b"                     # counts and years
)
"""A figure in prose. A percentage is sought only where a number starts (not after a digit, nor after
a digit and a comma) and its digits are taken whole (possessive *+): tried from every digit of a long
number, each try read to the number's end, so "x" and 40,000 digits took 25 s."""
ACRONYM = re.compile(r"\b[A-Z](?=[0-9]*[A-Z])[A-Z0-9]*+s?\b")
"""Capitals and digits, at least two capitals, an optional plural s. The second capital is found by a
lookahead and the run is taken whole: two * over one run tried every way to split it (20,000 capitals
took 22 s)."""
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
}
"""The fields written in the site's own words (quotes and names are the sources' words)."""
LONG_SENTENCE = 30
BLOCK_BREAK = re.compile(r"\n\s*\n|\n(?=#|[-*] |\d+\. )")
"""Where a paragraph, heading or list item ends: a sentence does not run on past it."""
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
SPACES = re.compile(r"\s+")
"""A run of spaces and line breaks: one space in a sentence quoted in a warning."""
MARKDOWN_NOT_PROSE = re.compile(r"`[^`]*`|\]\([^)\]]*\)")
"""Code and link targets in Markdown: not the site's own words, so not checked as prose. A target
stops at a ], where the next could start: read to the text's end from every "](", a run of them took
time with the square of its length."""


def normalise_figure(figure: str) -> str:
    return figure.replace(",", "").replace(" ", "").rstrip(".")


def item_figures(item: BaseModel) -> frozenset[str]:
    """Every figure one item holds: quotes, amounts, counts, dates and the prose written from them."""
    figures: set[str] = set()

    def add_text(text: str) -> None:
        figures.update(normalise_figure(f) for f in FIGURE.findall(text))

    for model in _models_in(item):
        if isinstance(model, m.Citation):
            add_text(model.quote)
        elif isinstance(model, m.Money):
            add_text(format_money(model))
        elif isinstance(model, m.ReportedCount):
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


def _models_in(obj: Any) -> Iterator[BaseModel]:
    if isinstance(obj, BaseModel):
        yield obj
        for name in type(obj).model_fields:
            yield from _models_in(getattr(obj, name))
    elif isinstance(obj, list):
        for value in obj:
            yield from _models_in(value)


@dataclass(frozen=True)
class Finding:
    """A problem in one item's prose: where (the field, and the offset in its text for Markdown), what."""

    loc: tuple[Any, ...]
    offset: int | None
    message: str
    warning: bool


@dataclass
class ItemChecks:
    """What the checks found in one item, kept while the item is unchanged (see check_content)."""

    item: BaseModel
    words: frozenset[str]
    findings: list[Finding]
    figures: frozenset[str] | None = None
    """Gathered only when a content page has figures to check against the data."""


def check_item(item: BaseModel, words: frozenset[str]) -> list[Finding]:
    """Acronyms missing from the glossary (errors) and long sentences (warnings) in one item's prose,
    and zero-width characters (warnings) in any of its text."""
    found: list[Finding] = []
    for loc, text, is_prose in _strings(item, ()):
        if not text.isprintable() and (invisible := zero_width_character(text)):
            found.append(Finding(loc, invisible.start(), describe_zero_width(invisible.group()), True))
        if not is_prose:
            continue
        is_markdown = loc[-1] == "body"
        if is_markdown:  # skip code and link targets, point at the very word
            text = MARKDOWN_NOT_PROSE.sub(lambda match: " " * len(match.group()), text)
        for match in unknown_acronyms(text, words):
            found.append(Finding(loc, match.start() if is_markdown else None, acronym_message(match.group()), False))
        for sentence in long_sentences(text):
            found.append(Finding(loc, None, f"warning: a sentence of {len(sentence.split())} words; aim for under"
                                            f" {LONG_SENTENCE}: {sentence[:60]}…", True))
    return found


def _position(text: str, index: int, first_line: int) -> tuple[int, int]:
    line = text.count("\n", 0, index)
    return first_line + line, index - (text.rfind("\n", 0, index) + 1) + 1


def check_page_figures(page: PageSource, figures: set[str], problems: Collector) -> None:
    """Each figure in a page must be one the data or a cited quote holds."""
    for match in FIGURE.finditer(page.body):
        if normalise_figure(match.group()) not in figures:
            line, column = _position(page.body, match.start(), page.body_line)
            problems.add(page.path, line, column,
                         f'the figure "{match.group()}" is not in the data or any cited quote; add it to the'
                         " data with a citation, or correct it to the cited value")


def glossary_words(site: Site) -> set[str]:
    return {word for term in site.items["glossary"].values() for word in (term.term, *term.aliases)}


def unknown_acronyms(text: str, words: AbstractSet[str],
                     exempt: AbstractSet[str] = frozenset()) -> Iterator[re.Match[str]]:
    """Acronyms in text that the glossary does not define (nor exempt), as is or without a plural s.

    The sets are only looked in, never copied: a cold build checks 50,000 fields at 10,000 items.
    """
    for match in ACRONYM.finditer(text):
        acronym = match.group()
        singular = acronym.removesuffix("s")
        if not (acronym in words or singular in words or acronym in exempt or singular in exempt):
            yield match


def acronym_message(acronym: str) -> str:
    return (f'the acronym "{acronym}" is not in the glossary; add a term with "{acronym}" in its term or'
            " aliases, or spell it out")


def long_sentences(text: str) -> list[str]:
    """Sentences over LONG_SENTENCE words, for a warning.

    A text of no more words than that has none, so it is not split: most fields are titles and short
    summaries.
    """
    if len(text.split(maxsplit=LONG_SENTENCE)) <= LONG_SENTENCE:
        return []
    sentences = [sentence for block in BLOCK_BREAK.split(text)
                 for sentence in SENTENCE_END.split(SPACES.sub(" ", block.strip()))]
    return [s for s in sentences if len(s.split()) > LONG_SENTENCE]


def check_content(site: Site, located: dict[str, list[Any]], problems: Collector,
                  memo: dict[int, ItemChecks] | None = None) -> list[Problem]:
    """Run the editorial checks; return warnings (long sentences), add errors to problems.

    memo (the build cache's) keeps each unchanged item's results between builds, by the identity of
    the validated item, which the item cache keeps while its text is unchanged.
    """
    memo = {} if memo is None else memo
    warnings: list[Problem] = []
    words = frozenset(glossary_words(site))
    results: dict[int, ItemChecks] = {}
    facts: list[ItemChecks] = []  # the items whose figures pages may quote (change notes are not facts)
    for kind, entries in located.items():
        for entry in entries:
            checked = memo.get(id(entry.item))
            if checked is None or checked.item is not entry.item or checked.words != words:
                checked = ItemChecks(entry.item, words, check_item(entry.item, words))
            results[id(entry.item)] = checked
            if kind != "changes":
                facts.append(checked)
            for finding in checked.findings:
                loc = (*entry.loc, *finding.loc)
                line, column = entry.doc.where(loc)
                if finding.offset is not None and entry.doc.is_literal(loc):
                    at_line, at_column = _position(_field(entry.item, finding.loc), finding.offset, line)
                    line, column = at_line, at_column + column - 1
                if finding.warning:
                    warnings.append(Problem(entry.doc.path, line, column, finding.message))
                else:
                    problems.add(entry.doc.path, line, column, finding.message)
    memo.clear()
    memo.update(results)
    figures: set[str] = set()
    if any(FIGURE.search(page.body) for page in site.pages):  # only pages are checked against the data's figures
        for checked in facts:
            if checked.figures is None:
                checked.figures = item_figures(checked.item)
            figures |= checked.figures
    for page in site.pages:
        warnings += zero_width_warnings(page)
        exempt = set(page.meta.about_the_site)
        check_page_figures(page, figures | {normalise_figure(f) for f in exempt}, problems)
        prose = MARKDOWN_NOT_PROSE.sub(lambda match: " " * len(match.group()), page.body)
        for match in unknown_acronyms(prose, words, exempt):
            problems.add(page.path, *_position(page.body, match.start(), page.body_line),
                         acronym_message(match.group()))
        for sentence in long_sentences(prose):
            index = page.body.find(sentence[:30])
            line, column = _position(page.body, max(index, 0), page.body_line)
            warnings.append(Problem(page.path, line, column,
                                    f"warning: a sentence of {len(sentence.split())} words; aim for under"
                                    f" {LONG_SENTENCE}: {sentence[:60]}…"))
    return warnings


def zero_width_warnings(page: PageSource) -> list[Problem]:
    """A warning for the first zero-width character in a page's front matter and in its body."""
    warnings: list[Problem] = []
    for loc, text, _prose in _strings(page.meta, ()):
        invisible = zero_width_character(text)
        if invisible:
            line, column = page.front_matter.where(loc) if page.front_matter else (1, 1)
            warnings.append(Problem(page.path, line, column, describe_zero_width(invisible.group())))
            break
    invisible = zero_width_character(page.body)
    if invisible:
        warnings.append(Problem(page.path, *_position(page.body, invisible.start(), page.body_line),
                                describe_zero_width(invisible.group())))
    return warnings


def _field(obj: Any, loc: tuple[Any, ...]) -> str:
    for step in loc:
        obj = obj[step] if isinstance(step, int) else getattr(obj, step)
    return str(obj)


def _strings(obj: Any, loc: tuple[Any, ...], prose: bool = False) -> Iterator[tuple[tuple[Any, ...], str, bool]]:
    """(loc, text, whether it is in the site's own words) of every string in obj and the models and lists
    inside it: the fields PROSE_FIELDS names are prose; quotes and names are the sources' words."""
    if isinstance(obj, str):
        yield loc, obj, prose
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _strings(value, (*loc, i))
    elif isinstance(obj, BaseModel):
        fields = PROSE_FIELDS.get(type(obj), ())
        for name in type(obj).model_fields:
            yield from _strings(getattr(obj, name), (*loc, name), name in fields)
