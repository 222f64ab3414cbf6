"""Plain words: acronyms the glossary defines, sentences of at most LONG_SENTENCE words, and a
reading age measured and held to a target.

The measure is the Automated Readability Index (ARI), counted as the `textstat` library counts it
(tests/test_guides.py checks the two agree on every page): it reads only the lengths of words and
sentences, so it needs no word list and gives the same figure on every machine. It is counted here
because importing textstat loads its pronouncing dictionary, which the build never uses. ARI
gives a US school grade; a UK reading age is about that grade plus 5 years (grade 4 is a reading age
of 9, the age GOV.UK writes for). Only the site's own words are measured: quotes are the sources'
words and stay as they are.

A guide fails the check when its words read above its `reading_age`; every content page has a
ceiling, PAGE_READING_AGE_CEILING, and fails above it (once it has PAGE_MIN_WORDS words to measure).
The item pages of each kind are measured together, against ITEM_READING_AGE_CEILING.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import NamedTuple

from . import models as m
from .errors import Collector
from .resolve import Located, PageSource

ACRONYM = re.compile(r"\b[A-Z](?=[0-9]*[A-Z])[A-Z0-9]*+s?\b")
"""Capitals and digits, at least two capitals, an optional plural s. The second capital is found by a
lookahead and the run is taken whole, so a long run of capitals is not tried split every way."""
LONG_SENTENCE = 30
BLOCK_BREAK = re.compile(r"\n\s*\n|\n(?=#|[-*] |\d+\. )")
"""Where a paragraph, heading or list item ends: a sentence does not run on past it."""
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
SPACES = re.compile(r"\s+")
"""A run of spaces and line breaks: one space in a sentence quoted in a warning."""
MARKDOWN_NOT_PROSE = re.compile(r"`[^`]*`|\]\([^)\]]*\)")
"""Code and link targets in Markdown: not the site's own words, so not checked as prose. A target
stops at a ], where the next could start, so a run of "](" is read once, not to the text's end from
each of them."""


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


GRADE_TO_AGE = 5
"""A UK reading age is a US school grade plus about 5 years."""

PAGE_READING_AGE_CEILING = 16
"""The highest reading age a content page (content/*.md) may need: its readers are adults reading
about policy. A page above it needs shorter sentences or shorter words."""

ITEM_READING_AGE_CEILING = 18
"""The highest reading age the item pages of one kind (proposals, programmes, events…) may need,
measured together: one item's page holds too few of the site's own words to measure alone. It is
higher than a content page's because the programmes' and themes' short titles and definitions are
full of the reform's names."""

PAGE_MIN_WORDS = 100
"""A content page of fewer words is measured and reported, but not held to the ceiling: over a few
sentences the index says more about one sentence than about the page. Guides are always held to
their target, which is the point of them."""

MARKDOWN_MARKS = re.compile(r"\]\([^)\]]*\)|[#*_>`|\[\]]|^\s*[-+] |^\s*\d+\. ", re.M)
"""Link targets and Markdown's marks: not words a reader reads."""


@dataclass(frozen=True)
class ReadingAge:
    """The measured reading age of one page, and the most it may be."""

    page: str
    """The page's address, e.g. /for/care-leavers/."""
    age: float
    ceiling: float
    where: str
    """The file (and for a guide, line and column) the page's words come from."""
    held: bool = True
    """Whether the page fails above its ceiling (a content page of fewer than PAGE_MIN_WORDS is not)."""

    @property
    def passes(self) -> bool:
        return self.age <= self.ceiling or not self.held


WORD_CHARACTER = re.compile(r"\w")
"""A word is a run of characters between spaces with a letter or digit in it; punctuation alone is not."""
SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")
"""A sentence runs from a word to its full stop, question or exclamation mark (textstat's rule)."""


def words_in(text: str) -> int:
    """The words of text, counted in one pass: a pattern such as \\S*\\w\\S* would try a run of
    punctuation (a pull request's 99,000 "&") from every character of it."""
    return sum(1 for token in text.split() if WORD_CHARACTER.search(token))


class Counts(NamedTuple):
    """What the Automated Readability Index counts in a text. Texts that each end a sentence (see
    as_sentence), joined by line breaks, count as the sum of their counts: so a kind's count is the sum
    of its items', and a build counts again only the items that changed (content_checks.ItemChecks)."""

    characters: int
    tokens: int
    words: int
    sentences: int


def count(text: str) -> Counts:
    """Characters are all but spaces, over every run between spaces (a token); a sentence of two words
    or fewer is not counted as one (a heading, say), though its words are: as textstat 0.7 counts."""
    tokens = text.split()
    return Counts(sum(map(len, tokens)), len(tokens), words_in(text),
                  sum(1 for sentence in SENTENCE.findall(text) if words_in(sentence) > 2))


def add_up(counts: Iterable[Counts]) -> Counts:
    return Counts(*(sum(column) for column in zip(Counts(0, 0, 0, 0), *counts, strict=True)))


def as_sentence(text: str) -> str:
    """The text, ending a sentence: a title or a question without a full stop gets one."""
    return text if text.rstrip()[-1:] in ".?!" else text + "."


def index_of(counts: Counts) -> float:
    """4.71 × characters per word + 0.5 × words per sentence − 21.43."""
    if not counts.tokens or not counts.words:
        return 0.0
    return 4.71 * (counts.characters / counts.tokens) + 0.5 * (counts.words / max(1, counts.sentences)) - 21.43


def age_of(counts: Counts) -> float:
    """The UK reading age (years) of what was counted: its Automated Readability Index (a US grade)
    plus 5. No words read at no age above the youngest: 5."""
    if not counts.tokens:
        return float(GRADE_TO_AGE)
    return round(max(0.0, index_of(counts)) + GRADE_TO_AGE, 1)


def reading_age(text: str) -> float:
    return age_of(count(text))


def prose_counts(texts: Iterable[str]) -> Counts:
    """The counts of an item's texts on its page, each ending a sentence."""
    return add_up(count(as_sentence(text)) for text in texts if text.strip())


def guide_text(guide: m.Guide) -> str:
    """The words of a guide that are the site's own: title, intro, and each question and answer (one
    sentence or more each, so a question without a full stop still ends a sentence)."""
    parts = [guide.title, guide.intro]
    for question in guide.questions:
        parts += [question.question, question.answer]
    return "\n".join(map(as_sentence, parts))


def page_text(page: PageSource) -> str:
    """A content page's words: its title and its Markdown without marks or link targets."""
    return f"{page.meta.title}.\n{MARKDOWN_MARKS.sub(' ', page.body)}"


def check_reading_ages(guides: list[Located], pages: list[PageSource], problems: Collector) -> list[ReadingAge]:
    """Each guide's and content page's reading age; a problem for each above its target or ceiling."""
    found: list[ReadingAge] = []
    for entry in guides:
        guide: m.Guide = entry.item
        line, column = entry.doc.where(entry.loc)
        measured = ReadingAge(f"/for/{guide.id}/", reading_age(guide_text(guide)), guide.reading_age,
                              f"{entry.doc.path}:{line}:{column}")
        found.append(measured)
        if not measured.passes:
            hardest = max(guide.questions, key=lambda q: reading_age(f"{q.question}\n{q.answer}"))
            problems.add(entry.doc.path, line, column,
                         f'guide "{guide.id}" reads at a reading age of {measured.age:g}, above its target of'
                         f" {guide.reading_age}; use shorter sentences and shorter words (the hardest answer is"
                         f' to "{hardest.question}")')
    for page in pages:
        address = "/" if page.slug == "index" else f"/{page.slug}/"
        text = page_text(page)
        measured = ReadingAge(address, reading_age(text), PAGE_READING_AGE_CEILING, page.path,
                              held=len(text.split()) >= PAGE_MIN_WORDS)
        found.append(measured)
        if not measured.passes:
            problems.add(page.path, 1, 1, f"the page reads at a reading age of {measured.age:g}, above the"
                                          f" ceiling of {PAGE_READING_AGE_CEILING} for pages; use shorter"
                                          " sentences and shorter words")
    return found


def check_kind_reading_ages(kinds: dict[str, list[Counts]], problems: Collector) -> list[ReadingAge]:
    """The reading age of each kind's item pages, from the counts of the site's own words on each
    item's page; a problem for a kind above ITEM_READING_AGE_CEILING."""
    found: list[ReadingAge] = []
    for kind, items in kinds.items():
        if kind in ("guides", "changes"):
            continue  # guides are held to their own targets; change notes are not pages of their own
        counts = add_up(items)
        if not counts.tokens:
            continue  # no words of the site's own (sources, people, areas): nothing to measure
        measured = ReadingAge(f"/{kind}/<id>/", age_of(counts), ITEM_READING_AGE_CEILING, f"data/{kind}.yaml",
                              held=counts.tokens >= PAGE_MIN_WORDS)
        found.append(measured)
        if not measured.passes:
            problems.add(f"data/{kind}.yaml", 1, 1,
                         f"the site's own words on the {kind} pages read at a reading age of {measured.age:g},"
                         f" above the ceiling of {ITEM_READING_AGE_CEILING}; use shorter sentences and shorter"
                         " words")
    return found


def describe(ages: list[ReadingAge]) -> str:
    """The reading ages as `build.py check` prints them."""
    return "Reading ages (UK, ARI grade + 5): " + ", ".join(
        f"{a.page} {a.age:g} ({f'at most {a.ceiling:g}' if a.held else 'too short to hold to a ceiling'})"
        for a in ages)
