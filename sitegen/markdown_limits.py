"""What Markdown a build converts: limits on one text (its length, lines and marks), on the reading its
link parsers may do, and on all the texts of one build. Python-Markdown is fast on ordinary text and
slow on some (runs of brackets or emphasis marks); counting characters, never seconds, gives every
machine the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import markdown

from .errors import position

MAX_MARKDOWN_CHARACTERS = 100_000
"""A longer Markdown text is refused: the longest real one is a few thousand characters, and
Python-Markdown is slow on some inputs (runs of emphasis or code marks)."""

MAX_MARKDOWN_MARKS = 200
"""The most marks (* _ ` \\ >) a text may hold: Python-Markdown takes tens of microseconds over each
on some texts (a run of > nests a quotation in a quotation), and no real text holds more than 50."""
MARKS = re.compile(r"[*_`\\>]")

LISTS_ON_ONE_LINE = re.compile(r"^[ \t]*(?:(?:\d+[.)]|[-+*])[ \t]+|>[ \t]*){7}", re.M)
"""A line that opens seven lists or quotations or more, one inside the other (1. 1. 1. …, or 1. > 1. > …):
Python-Markdown reads the rest of the line again for each, and no real text opens more than one."""

MARKDOWN_READING = 100_000_000
"""The work one build may give Python-Markdown, in all, as markdown_cost counts it: about 30 seconds
on one core of a slow machine at the slowest it converts, and 1.6 times what the 10,000-item
benchmark's bodies cost. Past it, a text is refused, so that thousands of texts each within the
limits here stay quick (see render.Renderer.markdown)."""

SLOW_CHARACTERS = re.compile(r"[&|\[<>\n]")
"""Characters that start work of their own: an entity, a table cell, a link, a tag, a quotation or a
line (each block of lines is read again at every line that could end it)."""


def markdown_cost(text: str) -> int:
    """What converting text costs, in plain characters' time (about 0.2 µs each): its characters, 200
    more for each of SLOW_CHARACTERS, and its length again for every 20 lines. On the slowest texts
    within these limits (entities, links, tables, rules, nested quotations) a unit takes at most 1.5
    times a plain character's time, and on the benchmark's bodies less than one."""
    return len(text) + 200 * len(SLOW_CHARACTERS.findall(text)) + len(text) * (text.count("\n") + 1) // 20


MAX_MARKDOWN_LINES = 400
"""A text of more lines is refused: the longest real one has under a hundred, and Python-Markdown
reads the rest of a block again at every line that may end it (a rule, a heading underlined with
= or -), so its time grows with the square of the lines."""

LINK_READING = 500_000
"""Characters Python-Markdown may read, in all, to find where links and images end in one text.

For each [ it reads on to the matching ], and for each ]( to the matching ), to the end of the
paragraph when there is none: a run of [ or ]( takes time with the square of its length. A real
text needs a few thousand; past this much, the text is refused. Counting
characters, not seconds, gives every machine the same answer."""


class TooMuchReading(Exception):
    """The text's links need more reading than LINK_READING allows."""


class LinkReading:
    """Counts the characters that Python-Markdown's link and image parsers read in one text.

    Their getText and getLink return the position they read up to; each call's reading is charged
    against LINK_READING, and TooMuchReading ends the conversion once it is spent.
    """

    PARSERS = ("reference", "link", "image_link", "image_reference", "short_reference", "short_image_ref")

    def __init__(self, md: markdown.Markdown):
        self.left = LINK_READING
        for name in self.PARSERS:
            parser = md.inlinePatterns[name]
            for method in ("getText", "getLink"):
                setattr(parser, method, self.counted(getattr(parser, method)))

    def counted(self, read: Callable[[str, int], tuple[Any, ...]]) -> Callable[[str, int], tuple[Any, ...]]:
        def reading(data: str, index: int) -> tuple[Any, ...]:
            found = read(data, index)
            self.left -= found[-2] - index  # both return (…, the index read up to, whether it is a link)
            if self.left < 0:
                raise TooMuchReading
            return found

        return reading


def too_long(text: str) -> tuple[int, int, str] | None:
    """Where and why a text is past one of the limits on one text, or None."""
    if len(text) > MAX_MARKDOWN_CHARACTERS:
        return 1, 1, f"the text is {len(text):,} characters long, over the limit of {MAX_MARKDOWN_CHARACTERS:,};" \
                     " split it or shorten it"
    if (lines := len(text.splitlines())) > MAX_MARKDOWN_LINES:
        return 1, 1, f"the text has {lines:,} lines, over the limit of {MAX_MARKDOWN_LINES:,}; split it or shorten it"
    marks = [match.start() for match in MARKS.finditer(text)]
    if len(marks) > MAX_MARKDOWN_MARKS:
        return (*position(text, marks[MAX_MARKDOWN_MARKS]), f"the text holds {len(marks):,} of the marks"
                f" * _ ` \\ >, over the limit of {MAX_MARKDOWN_MARKS:,}; this is the first past it: write fewer")
    if nested := LISTS_ON_ONE_LINE.search(text):
        return (*position(text, nested.start()), "this line opens more than six lists or quotations, one inside"
                " the other (marks such as 1., - or > before its words); write the mark once")
    return None
