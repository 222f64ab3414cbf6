"""What a YAML syntax error means for an editor, said where the mistake was made.

The parser reports where it gave up, which for an unclosed quote or bracket can be many lines after
the mistake; unclosed_opening finds where it opened. A value closed early (a quotation inside a quote),
a key with no space after its colon and a no-break space get their own message at their place
(misquoted_value, no_space_after_colon, no_break_space); the other complaints a plain-English hint.
"""

from __future__ import annotations

import re

import yaml

from .errors import brief

# Plain-English help for the parser's most common complaints, matched against its words.
YAML_HINTS: list[tuple[str, str]] = [
    (
        "tab character",
        "a tab character is used for indentation; YAML indents with spaces only, so replace the tab with spaces",
    ),
    (
        "cannot start any token",
        "a tab or other character YAML cannot read starts a token here; indent with spaces only"
        " and put text that starts with @, ` or % in quotes",
    ),
    (
        "mapping values are not allowed",
        "a colon followed by a space in an unquoted value, or a key indented wrongly; put the value"
        ' in double quotes ("…") or line the key up with the keys above it',
    ),
    (
        "while scanning a quoted scalar",
        "a quote is opened but never closed; add the closing quote mark at the end of the value",
    ),
    (
        "did not find expected key",
        "this line is indented differently from the keys around it; line it up with its neighbours",
    ),
    (
        "expected <block end>",
        "this line is indented differently from the lines around it; line it up with its neighbours",
    ),
    (
        "could not find expected ':'",
        'a key has no colon after it, or a quoted value is not closed; write it as "key: value"',
    ),
    (
        "did not find expected '-' indicator",
        'a list item is missing its "- " or is indented wrongly; start each item with "- "'
        " at the same indentation",
    ),
    (
        "found undefined alias",
        'a value that starts with * is read as an alias (*name), which this site\'s data does not use; put'
        ' the whole value in double quotes ("*…*")',
    ),
    (
        "expected a single document",
        'a line of "---" starts a second YAML document, and a data file is one list; delete the line',
    ),
]


def explain_yaml_error(problem: str) -> str:
    """Return the parser's words with a plain-English explanation and what to do."""
    for needle, hint in YAML_HINTS:
        if needle in problem:
            return f"YAML syntax error: {hint} (the parser said: {problem})"
    return f"YAML syntax error: {problem}; check the quotes and indentation on this line and the one above"


KEY_LINE = re.compile(r"\n[ \t]*(?:- +)?[^\s:#'\"][^\n:]*:(?:[ \t]|$)", re.M)
"""A line inside a quoted value that looks like a key (`  name: …`, `- id: …`): a sign that the quote
ran on past the end of its line because it was never closed."""

FLOW_CLOSERS = {"flow sequence": ("list", "[", "]"), "flow mapping": ("mapping", "{", "}")}


def unclosed_opening(text: str, exc: yaml.MarkedYAMLError,
                     loader: type[yaml.SafeLoader]) -> tuple[int, int, str] | None:
    """Line, column and message for a quote, `[` or `{` that was never closed, at where it opens.

    YAML lets a quoted value run over many lines, so an unclosed quote swallows the lines after it
    up to the next quote mark, and the parser complains there, often as wrong indentation.
    """
    mark = exc.problem_mark
    context = exc.context or ""
    if (context == "while scanning a quoted scalar" and exc.problem == "found unexpected end of stream"
            and exc.context_mark is not None):
        start = exc.context_mark
        return start.line + 1, start.column + 1, never_closed(text[start.index], "the end of the file")
    for flow, (name, opener, closer) in FLOW_CLOSERS.items():
        if (context == f"while parsing a {flow}" and f"expected ',' or '{closer}'" in (exc.problem or "")
                and exc.context_mark is not None and mark is not None
                and closer not in text[exc.context_mark.index:text.find("\n", mark.index) % (len(text) + 1)]):
            start = exc.context_mark
            return (start.line + 1, start.column + 1,
                    f'the {name} opened here with "{opener}" is never closed (YAML reached line {mark.line + 1}'
                    f' without finding its "{closer}"); end it with "{closer}" and separate its entries with commas')
    if mark is None:
        return None
    runaway = None
    try:
        for token in yaml.scan(text[:mark.index], Loader=loader):
            start, end = token.start_mark, token.end_mark
            if (isinstance(token, yaml.ScalarToken) and token.style in ("'", '"') and start.line != end.line
                    and KEY_LINE.search(text, start.index, end.index)):
                runaway = token
    except yaml.YAMLError:
        pass  # the tokens before this point are the ones that matter
    if runaway is None:
        return None
    start, end = runaway.start_mark, runaway.end_mark
    return (start.line + 1, start.column + 1,
            never_closed(text[start.index], f"line {end.line + 1}, where the next {text[start.index]} is"))


def never_closed(quote: str, runs_to: str) -> str:
    """The message for an unclosed quote: what is wrong, and that the same mark closes it."""
    return (f"the quote {quote} that opens this value is never closed, so the value runs on to {runs_to};"
            f" close it with {quote} at the end of the value on this line")


VALUE = re.compile(r"[ \t]*(?:- +)?[^\s:#'\"\[{}\]-][^\n:#'\"\[{}\]]*:[ \t]+(?=\S)")
"""A line's key and the space after its colon, up to where its value starts (not a line of { } or [ ]:
which value of it YAML stopped at is not known)."""
CLOSERS = {"[": "]", "{": "}"}


def misquoted_value(text: str, mark: yaml.Mark | None) -> tuple[int, int, str] | None:
    """Line, column and message for a value on the line where YAML gave up that ends before its line
    does: its closing quote mark comes early (a quotation inside a quote, an apostrophe inside single
    quotes), it starts with [ or { and more text follows the bracket, or it is put in curly quotation
    marks, which YAML reads as text. The parser calls all of these indentation or a stray colon."""
    if mark is None:
        return None
    start = text.rfind("\n", 0, mark.index) + 1
    line = text[start:text.find("\n", start) % (len(text) + 1)]
    key = VALUE.match(line)
    if key is None:
        return None
    at = key.end()
    value = line[at:]
    if value[0] in "“‘":
        return (mark.line + 1, at + 1, f"{value[0]} is not one of YAML's quotation marks, so this value is read as"
                                       ' plain text; put straight double quotes "…" around it (the curly marks'
                                       " inside it stay)")
    end = _closing(value)
    if end is None or not value[end + 1:].strip() or value[end + 1:].lstrip().startswith("#"):
        return None
    column = at + end + 1
    if value[0] == '"':
        why = ('the " here closes the value, so YAML cannot read the rest of the line; write a quotation inside a'
               ' quote with the source\'s own marks (“…” or ‘…’), or as \\"')
    elif value[0] == "'":
        why = ("the apostrophe here closes the value, which opened with '; put the value in double quotes"
               ' ("…") instead, or write the apostrophe twice (\'\')')
    else:
        why = (f"a value that starts with {value[0]} is read as a {'list' if value[0] == '[' else 'mapping'},"
               ' which closes here; put the whole value in double quotes ("…")')
    return mark.line + 1, column, why


def _closing(value: str) -> int | None:
    """Where a value that opens with a quote mark or a bracket closes on its line, if it does."""
    opener = value[0]
    if opener == '"':
        index = 1
        while index < len(value):
            if value[index] == "\\":
                index += 2
                continue
            if value[index] == '"':
                return index
            index += 1
        return None
    if opener == "'":
        index = 1
        while index < len(value):
            if value[index] == "'":
                if value[index + 1:index + 2] != "'":
                    return index
                index += 1
            index += 1
        return None
    if opener in CLOSERS:
        depth = 0
        for index, character in enumerate(value):
            depth += (character == opener) - (character == CLOSERS[opener])
            if depth == 0:
                return index
    return None


KEY_WITHOUT_SPACE = re.compile(r"[ \t]*(?:- +)?([A-Za-z_][\w-]*):(?=[^\s:])")
"""A key written straight up against its value ("summary:Every child"), which YAML reads as text."""


def no_space_after_colon(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, int, str] | None:
    """Line, column and message for a key with no space after its colon. YAML reads the line as text
    that runs on, and says where it next expected a colon: the line after the mistake."""
    mark = exc.context_mark
    if exc.context != "while scanning a simple key" or mark is None:
        return None
    start = text.rfind("\n", 0, mark.index) + 1
    key = KEY_WITHOUT_SPACE.match(text, start)
    if key is None:
        return None
    value = text[key.end():key.end() + 12].split("\n")[0]
    return (mark.line + 1, key.end() - start + 1,
            f'a key needs a space after its colon: write "{brief(key.group(1))}: {value}…"')


def no_break_space(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, int, str] | None:
    """Line, column and message for a no-break space (U+00A0, Option-space on a Mac) in the indentation
    or after a key's colon on a line where YAML gave up: it looks like a space, and YAML reads it as text."""
    for mark in (exc.problem_mark, exc.context_mark):
        if mark is None:
            continue
        start = text.rfind("\n", 0, mark.index) + 1
        line = text[start:text.find("\n", start) % (len(text) + 1)]
        indent = len(line) - len(line.lstrip(" \t\xa0"))
        at, where = ((line.index("\xa0"), "indents this line") if "\xa0" in line[:indent] else
                     (line.index(":\xa0") + 1, "follows this colon") if ":\xa0" in line else (-1, ""))
        if at >= 0:
            return mark.line + 1, at + 1, f"{NO_BREAK_SPACE}, {where}; replace it with an ordinary space"
    return None


NO_BREAK_SPACE = "a no-break space (U+00A0), which YAML does not read as a space"


def values_past(text: str, loader: type[yaml.SafeLoader], most: int) -> tuple[int, int] | None:
    """Where (0-based line and column) a text of YAML holds its value number most + 1, counted from the
    parser's events before any value is built (in C, with libyaml); None within most, or where the text
    does not parse (said elsewhere)."""
    count = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
                count += 1
                if count > most and (mark := event.start_mark) is not None:
                    return mark.line, mark.column
    except yaml.YAMLError:
        pass
    return None


def too_many_values(most: int, holder: str) -> str:
    return (f"{holder} holds more than {most:,} values by here; no data needs so many: split it, or remove"
            " what the site does not show")
