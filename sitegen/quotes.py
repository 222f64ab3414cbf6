"""The quote check's reading of text: quotes and archived texts folded alike, a source read
paragraph by paragraph, whether a quote is in its source, and, when it is not, the source's closest
passage (within an allowance of reading, so that many wrong quotes of a huge source stay quick).
"""

from __future__ import annotations

import difflib
import functools
import re

from .errors import did_you_mean


@functools.lru_cache(maxsize=1 << 16)
def normalise(text: str) -> str:
    """Fold whitespace and the forms of quote marks and apostrophes, as the quote check allows.

    Kept for every quote and archived text of a large site, so that the preview, which checks every
    quote on each save, folds only the new ones."""
    return WHITESPACE.sub(" ", text.translate(QUOTE_FORMS)).strip()


WHITESPACE = re.compile(r"\s+")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


@functools.lru_cache(maxsize=1 << 12)
def by_paragraph(text: str) -> str:
    """A source text as the quote check reads it: each paragraph (ended by a blank line) normalised,
    the paragraphs parted by a line break. A quote that ran on from one paragraph into the next would
    join words the source keeps apart, such as an article's sentence and a picture's caption."""
    marked = normalise(PARAGRAPH_BREAK.sub("\x00", text.replace("\r\n", "\n")))  # one pass: no text holds \x00
    return marked.replace(" \x00", "\x00").replace("\x00 ", "\x00").replace("\x00", "\n")


QUOTE_FORMS = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'",
                             "\u201c": '"', "\u201d": '"', "\u201f": '"', "\u2033": '"'})


QUOTE_READING = 4_000_000_000
"""Characters of source text the quote check of one build may search, in all (a second or two): the
real site's quotes need about 11 million, the 10,000-item benchmark's about 160 million. Past it the
check stops with one problem, so that a pull request's hundreds of thousands of quotes of a large
source cannot make a check run for an hour. Counting characters, not seconds, gives every machine
the same answer."""

HINT_READING = 2_000_000_000
"""Characters the closest-passage hints of one check may read, in all: a wrong quote of a real article
costs tens of millions at most. Past it, a quote not found is said without a hint, so that many wrong
quotes of a huge source cannot make a check run for minutes."""


SUGGESTION_READING = 50_000_000
"""What the "did you mean" hints for unknown ids of one check may compare in all, counted as the
characters of the wrong id times those of each id it is compared with (difflib's work grows with
both): a wrong id of 30 characters in a 10,000-item site costs about 9 million. Past it, an unknown id
is said without a hint, so that thousands of wrong or long ids cannot make a check take minutes."""


class Reading:
    """What the resolve stage of one build may still read: QUOTE_READING characters to find quotes in
    their sources, HINT_READING to find the closest passages of those not found, and
    SUGGESTION_READING characters to compare unknown ids with existing ones."""

    def __init__(self) -> None:
        self.left = QUOTE_READING
        self.hints_left = HINT_READING
        self.suggestions_left = SUGGESTION_READING

    def suggest(self, word: str, choices: list[str]) -> str:
        """did_you_mean, or nothing once comparing word with every choice would pass what is left."""
        cost = len(word) * sum(map(len, choices))
        if cost > self.suggestions_left:
            return ""
        self.suggestions_left -= cost
        return did_you_mean(word, choices)

    def spend(self, characters: int) -> bool:
        """Count characters about to be searched; False once the allowance is spent."""
        self.left -= characters
        return self.left >= 0

    def closest(self, quote: str, text: str) -> str | None:
        """closest_passage, or None once its most reading (see _longest_common) would pass what is left."""
        most = len(text) * len(quote) * max(1, len(quote).bit_length())
        if most > self.hints_left:
            return None
        self.hints_left -= most
        return closest_passage(quote, text)


def closest_passage(quote: str, text: str) -> str:
    """The stretch of the source most like the quote, in whole words, to show an editor what it says.
    Both are normalised: words are parted by single spaces.

    The longest stretch of the quote's characters that the source holds anchors it (sought with
    str.find, its length found by halving); then nine stretches of words there, starting a word
    earlier or later and a word longer or shorter than the quote, are compared with it. The source is
    only read by str.find: comparing a long source with the quote character by character would take
    seconds for each wrong quote.
    """
    at, offset = _longest_common(quote, text)
    source = text.split(" ")
    aligned = text.count(" ", 0, max(0, at - offset))  # the source's word where the quote would start
    words = quote.count(" ") + 1
    passages = [" ".join(source[start:start + length]) for start in range(max(0, aligned - 1), aligned + 2)
                for length in range(max(1, words - 1), words + 2)]
    return max(passages, key=lambda passage: difflib.SequenceMatcher(None, passage, quote, autojunk=False).ratio())


def _longest_common(quote: str, text: str) -> tuple[int, int]:
    """Where text holds the longest stretch of the quote's characters, and where that stretch starts
    in the quote; (0, 0) if they share none. A stretch of n characters is found only if one of n-1
    is, so its length is found by halving: about 9 rounds of a str.find per start in the quote."""
    found = (0, 0)
    shortest, longest = 1, len(quote)
    while shortest <= longest:
        size = (shortest + longest) // 2
        hit = next(((at, start) for start in range(len(quote) - size + 1)
                    if (at := text.find(quote[start:start + size])) >= 0), None)
        if hit is None:
            longest = size - 1
        else:
            found, shortest = hit, size + 1
    return found


@functools.lru_cache(maxsize=1 << 16)
def quoted_in(quote: str, text: str) -> bool:
    """Whether a normalised source text holds a normalised quote. Kept for each pair: a preview save
    finds the same text objects (by_paragraph keeps them), so it searches only for new quotes."""
    return quote in text


def normalised_quote(quote: str) -> str:
    """A quote as the quote check compares it (see normalise)."""
    return normalise(quote)
