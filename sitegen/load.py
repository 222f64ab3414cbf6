"""Read YAML data and Markdown pages into plain Python values, keeping the line and column of every value.

PyYAML forgets positions once it builds Python objects, and silently keeps the last of two equal keys.
So we compose the node tree ourselves: it gives us every node's mark, lets us refuse duplicate keys and
aliases (no "billion laughs"), and only then builds the values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

from .characters import FORBIDDEN_IN_FILE, describe_forbidden, forbidden_character, may_hold_unprintable, written_at
from .errors import Collector, Problem, brief, position
from .yaml_errors import (
    NO_BREAK_SPACE,
    explain_yaml_error,
    misquoted_value,
    no_break_space,
    no_space_after_colon,
    too_many_values,
    unclosed_opening,
    values_past,
)

MAX_DEPTH = 40
"""Deeper nesting than any model needs is refused before it reaches the validator."""
ITEM_VALUES, FILE_VALUES, BUILD_VALUES = 100_000, 1_000_000, 2_000_000
"""The most values (strings, numbers, lists, mappings) an item, a whole file, and all the files one build
reads may hold: YAML builds a document's every value, a few hundred bytes each, before anything is
checked, about a million a second. The real site's largest item holds about 300, and the 10,000-item
benchmark's files about 650,000 between them."""

Loc = tuple[str | int, ...]


@dataclass
class ValuesRead:
    """The values one build has read so far, across its data files and pages' front matter: past
    BUILD_VALUES, the files left are not read, so that no number of files within their own limit
    adds up to minutes of reading."""

    count: int = 0
    refused: bool = False

    def refuses(self, shown: str, problems: Collector) -> bool:
        """Whether the files read before shown hold more than BUILD_VALUES; the first file so refused is
        named, as are the files after it."""
        if self.count <= BUILD_VALUES:
            return False
        if not self.refused:
            problems.add(shown, 1, 1, f"not read, nor any file after it: the files read before it hold more than"
                                      f" {BUILD_VALUES:,} values between them; no site needs so many: look for a"
                                      " file that holds far more than it shows")
        self.refused = True
        return True

Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present


@dataclass
class Marked:
    """A YAML document's values, and where each value and key sits in its file (1-based).

    A data file read item by item (parse_list) holds its items' marks in `parts`, each counted from
    the item's own first line: the file's marks are theirs, moved down to where the item starts. An
    item keeps its text instead of its marks (see forget_marks), and works them out again only when
    a place is asked for: that is, for a problem or a warning.
    """

    path: str
    data: Any
    """The values as read, until the build has validated them into models; for a file read item by
    item, None: each part holds its own, as a list of one item."""
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    literal: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    """Values written as literal blocks (`|`), marked at their first line of text: line n of the
    text is line n of the block, so a problem inside (in Markdown, say) can be placed exactly."""
    parts: list[Part] = field(default_factory=list)
    text: str | None = None
    """The YAML text, while the marks are forgotten."""
    count: int = 0
    """How many values the document holds."""

    def forget_marks(self, text: str) -> None:
        """Keep the text the marks come from instead of the marks: a few bytes a value instead of
        a few hundred, and every item's marks are seldom asked for."""
        self.values, self.keys, self.literal, self.text = {}, {}, {}, text

    def _recall(self) -> None:
        if self.text is not None:
            again = parse_yaml(self.text, self.path, Collector())  # parsed once already, so it parses
            if again is not None:
                self.values, self.keys, self.literal = again.values, again.keys, again.literal
            self.text = None

    def is_literal(self, loc: Loc) -> bool:
        if loc and self.parts:
            return self.parts[int(loc[0])].marks.is_literal((0, *loc[1:]))
        self._recall()
        return loc in self.literal

    def where(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Line and column of the value (or key) at loc, or of its nearest known parent."""
        if loc and self.parts:
            part = self.parts[int(loc[0])]
            line, column = part.marks.where((0, *loc[1:]), key=key)
            return line + part.line - 1, column
        self._recall()
        table = self.keys if key and loc in self.keys else self.values
        while loc and loc not in table:
            loc = loc[:-1]
        return table.get(loc, (1, 1))


class Part(NamedTuple):
    """One top-level item of a data file: the line it starts on, its text, and its marks counted from
    its own first line (a list of this one item)."""

    line: int
    text: str
    marks: Marked


ITEM_START = re.compile(r"\n-(?=[ \n]|\Z)")
"""Where a top-level list item starts: "- " (or a lone "-") at the start of a line. It looks for the
line break before the line (in the text with one put before it), as OTHER_TOP_LEVEL does: a pattern
that starts with a literal is searched for quickly, one that starts with ^ is tried at every
character."""
OTHER_TOP_LEVEL = re.compile(r"\n(?:[^ \n#-]|-(?![ \n]|\Z))")
"""A line that starts with neither a space, an item nor a comment, and is not empty: "---", a key, a tab."""
ODD_LINE_BREAKS = "\r\x85\u2028\u2029"
"""Line breaks YAML knows that are not lines of the text: "\\r" alone, U+0085, U+2028, U+2029."""
ANCHOR = re.compile(r"&[^ \n\[\]{},]")
"""An anchor (&name) where it follows a line break, a space, "[", "{" or ",": its name must be unique
in the file, and an alias in one item may name another item's."""
BLANK_OR_COMMENT = re.compile(r"(?: *(?:#[^\n]*)?\n)*")
"""Lines that may come before the first item: empty, spaces, or a comment."""


def split_items(text: str) -> Iterator[tuple[int, str]] | None:
    """A data file's top-level items as (first line, text), one at a time, when the file is a plain
    list: every line starts with a space, an item or a comment, or is empty, only comments come before
    the first item, and nothing ties two items together or counts lines otherwise (an anchor, an odd
    line break). None otherwise: such a file is read whole."""
    # searched in place, not copied (a 30 MB file is held once); the file's start counts as a line break
    starts = [0] if ITEM_START.match("\n" + text[:2]) else []
    starts += [match.start() + 1 for match in ITEM_START.finditer(text)]
    if (not starts or OTHER_TOP_LEVEL.match("\n" + text[:2]) or OTHER_TOP_LEVEL.search(text)
            or any(mark in text for mark in ODD_LINE_BREAKS)
            or any(text[match.start() - 1:match.start()] in "\n [{," for match in ANCHOR.finditer(text))
            or not BLANK_OR_COMMENT.fullmatch(text, 0, starts[0])):
        return None
    return _items(text, starts)


def _items(text: str, starts: list[int]) -> Iterator[tuple[int, str]]:
    """Each item's first line and text, cut from the file when asked for."""
    line = 1 + text.count("\n", 0, starts[0])
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        yield line, text[start:end]
        line += text.count("\n", start, end)


def parse_list(text: str, shown: str, problems: Collector,
               known: dict[str, tuple[str, Marked]] | None = None) -> Marked | None:
    """A data file read item by item (see split_items), each item's text parsed on its own. An item
    whose text is in `known` (text → that text as read before, its marks) is not parsed again, and keeps
    the text read before: an unchanged item's text is held once. A file that is not a plain list, or in
    which an item does not parse on its own (a syntax error, say), is read whole, so its problems are
    said as parse_yaml says them. Reading by item keeps one item's node tree in memory at a time."""
    items = split_items(text)
    if items is None:
        return parse_yaml(text, shown, problems)
    trial = Collector()
    parts: list[Part] = []
    values = 0
    for line, item_text in items:
        item_text, marks = (known or {}).get(item_text, (item_text, None))  # the text read before, if any
        if marks is None:
            if len(item_text) > 65_536 and (past := values_past(item_text, Loader, ITEM_VALUES)):
                problems.add(shown, line + past[0], past[1] + 1, too_many_values(ITEM_VALUES, "this item"))
                return None
            marks = parse_yaml(item_text, shown, trial)
            if marks is None or trial.problems or not (isinstance(marks.data, list) and len(marks.data) == 1):
                return parse_yaml(text, shown, problems)
            marks.forget_marks(item_text)
        values += marks.count
        if values > FILE_VALUES:  # each item's values counted as it was walked
            problems.add(shown, line, 1, too_many_values(FILE_VALUES, "the file, by this item,"))
            return None
        parts.append(Part(line, item_text, marks))
    return Marked(shown, None, values={(): (parts[0].line, 1)}, parts=parts, count=values)


def parse_yaml(text: str, shown: str, problems: Collector, first_line: int = 1) -> Marked | None:
    """Parse one YAML document of at most FILE_VALUES values, recording marks; report syntax errors (where
    the mistake was made, see yaml_errors), duplicate keys, aliases, and values YAML cannot build."""
    offset = first_line - 1
    if len(text) > 65_536 and (past := values_past(text, Loader, FILE_VALUES)):  # a smaller text holds fewer
        problems.add(shown, past[0] + first_line, past[1] + 1, too_many_values(FILE_VALUES, "the text"))
        return None
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Marked(shown, None)
        found: list[Problem] = []
        doc = Marked(shown, None)
        data = _walk(node, (), doc, found, set(), offset, 0, text, loader)
        if found:
            problems.extend(found)
            return None
        doc.data, doc.count = data, len(doc.values)
        return doc
    except yaml.MarkedYAMLError as exc:
        opened = (no_break_space(text, exc) or unclosed_opening(text, exc, Loader)
                  or misquoted_value(text, exc.problem_mark) or no_space_after_colon(text, exc))
        if opened is not None:
            line, column, message = opened
            problems.add(shown, line + offset, column, message)
            return None
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1 + offset, mark.column + 1) if mark else (first_line, 1)
        said = "; ".join(str(part) for part in (exc.context, exc.problem) if part)
        problems.add(shown, line, column, explain_yaml_error(said))
        return None
    except yaml.YAMLError as exc:  # e.g. a reader error without a mark
        problems.add(shown, first_line, 1, explain_yaml_error(str(exc)))
        return None
    finally:
        loader.dispose()


YAML_TAG = "tag:yaml.org,2002:"
YAML_STR, YAML_MAP, YAML_SEQ, YAML_DATE, YAML_INT = (YAML_TAG + n for n in ("str", "map", "seq", "timestamp", "int"))
PLAIN_TAGS = {YAML_STR, YAML_MAP, YAML_SEQ, YAML_DATE, YAML_INT, *(YAML_TAG + n for n in ("float", "bool", "null"))}
"""The kinds of value the data is written in: any other tag (!!binary, !!set, !!omap) builds values
whose strings no check has read."""


def _walk(
    node: yaml.Node, loc: Loc, doc: Marked, found: list[Problem],
    seen: set[int], offset: int, depth: int, text: str, loader: yaml.SafeLoader,
) -> Any:
    """Record the marks of node and its children, find duplicate keys, aliases and deep nesting, and
    return node's value (None once something is found: the document is refused).

    A literal block (`|`) whose first line has text is marked at that line, not at the indicator,
    so a problem inside it (a line of Markdown, say) can be counted from there. Strings, mappings and
    lists are built here; any other value (a number, a date, true) is built by YAML's safe constructor.
    """
    line, column = node.start_mark.line + 1 + offset, node.start_mark.column + 1
    if isinstance(node, yaml.ScalarNode) and node.style == "|":
        start = text.find("\n", node.start_mark.index) + 1
        if 0 < start < node.end_mark.index:
            first = text[start:text.find("\n", start) % (len(text) + 1)]
            if first.strip():
                line, column = line + 1, len(first) - len(first.lstrip(" ")) + 1
                doc.literal[loc] = (line, column)
    if isinstance(node, yaml.ScalarNode):
        check_scalar(node, doc.path, text, offset, found)
    if id(node) in seen:  # an alias: the node is shared, so point at the key that uses it
        line, column = doc.keys.get(loc, (line, column))
        found.append(Problem(doc.path, line, column,
                             "aliases (*name) are not used in this site's data; write the value out in full"))
        return
    seen.add(id(node))
    if depth > MAX_DEPTH:
        found.append(Problem(doc.path, line, column,
                             f"nested more than {MAX_DEPTH} levels deep; no data file needs this, flatten it"))
        return
    doc.values[loc] = (line, column)
    if isinstance(node, yaml.ScalarNode) and node.tag == YAML_STR:
        return None if found else node.value
    if node.tag not in PLAIN_TAGS:  # !!binary, !!set, !!omap: values whose strings check_scalar never sees
        found.append(Problem(doc.path, line, column, f"the tag {node.tag.replace(YAML_TAG, '!!')} is not used in"
                                                     " this site's data; write the value as plain text or a list"))
        return None
    if isinstance(node, yaml.ScalarNode):
        return None if found else _construct(node, loader, doc.path, line, column, found)
    if isinstance(node, yaml.MappingNode) and node.flow_style and (split := _split_number(node, text)):
        found.append(Problem(doc.path, split[0].line + 1 + offset, split[0].column + 1,
                             f'{brief(split[1])} is a number written with commas inside {{ }}, where a comma parts the'
                             f' entries; write it without them: {brief(split[1].replace(",", ""))}'))
        return None
    if isinstance(node, yaml.MappingNode):
        mapping: dict[Any, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1 + offset
            key_column = key_node.start_mark.column + 1
            if not isinstance(key_node, yaml.ScalarNode):
                found.append(Problem(doc.path, key_line, key_column,
                                     "a key must be a plain word, not a list or mapping; write it as name: value"))
                continue
            check_scalar(key_node, doc.path, text, offset, found)
            key = key_node.value
            if "\xa0" in key:  # "title\xa0:" or "-\xa0id:", read as a key of its own
                follows = "dash" if key.startswith("-") else "key"
                found.append(Problem(doc.path, key_line, key_column + key.index("\xa0"),
                                     f"{NO_BREAK_SPACE}, follows this {follows}; replace it with an ordinary space"))
                continue
            if key in first_seen:
                starts_entry = loc and isinstance(loc[-1], int) and key == next(iter(first_seen))
                found.append(Problem(
                    doc.path, key_line, key_column,
                    f'duplicate key "{brief(key)}" (first given on line {first_seen[key]}); ' + (
                        'if this line starts another entry of the list, begin it with "- "; else keep one of'
                        " them" if starts_entry else "keep one of them, YAML would silently drop the first"),
                ))
                continue
            first_seen[key] = key_line
            doc.keys[(*loc, key)] = (key_line, key_column)
            value = _walk(value_node, (*loc, key), doc, found, seen, offset, depth + 1, text, loader)
            if not found:
                mapping[key if key_node.tag == YAML_STR else
                        _construct(key_node, loader, doc.path, key_line, key_column, found)] = value
        return mapping
    return [_walk(item, (*loc, index), doc, found, seen, offset, depth + 1, text, loader)
            for index, item in enumerate(node.value)]


def _split_number(node: yaml.MappingNode, text: str) -> tuple[yaml.Mark, str] | None:
    """Where a { } mapping holds a number written with commas, and the number as written: in
    `{amount: 7,800,000}` YAML reads amount: 7, then keys 800 and 000 with no value."""
    pairs = node.value
    for index in range(1, len(pairs)):
        number = pairs[index - 1][1]
        if not (isinstance(number, yaml.ScalarNode) and not number.style and number.value.isdigit()):
            continue
        end = index
        while end < len(pairs) and _bare_digits(*pairs[end]) and \
                pairs[end][0].start_mark.index == pairs[end - 1][0 if end > index else 1].end_mark.index + 1:
            end += 1  # digits right after the comma: 7,800,000, not a list such as 1, 2
        if end > index:
            return number.start_mark, text[number.start_mark.index:pairs[end - 1][0].end_mark.index]
    return None


def _bare_digits(key: yaml.Node, value: yaml.Node) -> bool:
    """Whether a mapping's entry is digits with no colon and no value: part of a number split at a comma."""
    return (isinstance(key, yaml.ScalarNode) and not key.style and key.value.isdigit()
            and isinstance(value, yaml.ScalarNode) and value.value == ""
            and value.start_mark.index == key.end_mark.index)


def _construct(node: yaml.Node, loader: yaml.SafeLoader, path: str, line: int, column: int,
               found: list[Problem]) -> Any:
    """A value YAML's safe constructor builds (a number, a date, true); one it cannot build is a problem
    at its place: a date that is not in the calendar (2023-13-01, 2023-02-30) or `!!int abc`."""
    try:
        return loader.construct_object(node, deep=True)
    except Exception as exc:  # a tag's constructor fails in many ways (`!!bool maybe`, `!!int ""`)
        written = node.value if isinstance(node.value, str) else "this value"
        if node.tag == YAML_DATE:
            why = f" ({exc})" if isinstance(exc, ValueError) else ""  # "month must be in 1..12"
            found.append(Problem(path, line, column, f'"{brief(written)}" is not a date in the calendar{why}; write a'
                                                     " date as YYYY-MM-DD, e.g. 2023-02-02"))
        else:
            found.append(Problem(path, line, column, f'"{brief(written)}" cannot be read as the'
                                                     f" {node.tag.rsplit(':')[-1]} its tag asks for; remove the tag or"
                                                     " correct the value"))
        return None


MAX_NUMBER_CHARACTERS = 20
"""A whole number written longer than this is refused before YAML reads it: no number in the data comes
near, and Python refuses to read one of more than 4,300 digits (an internal error, not the editor's)."""


def check_scalar(node: yaml.ScalarNode, path: str, text: str, offset: int, found: list[Problem]) -> None:
    """Refuse a scalar (a value or a key) for what it holds once YAML has decoded it: a character no
    text may hold (see characters.py), whether typed or written as an escape such as "\\x01", a whole
    number too long to be one, or unquoted text that a " #" cut short (see COMMENT_AFTER)."""
    value = node.value
    bad = None if value.isprintable() else forbidden_character(value)  # most values: one test in C
    if bad is not None:
        at = written_at(bad.group(), text, node.start_mark.index, node.end_mark.index)
        line, column = (node.start_mark.line + 1 + offset, node.start_mark.column + 1) if at is None else \
            position(text, at, 1 + offset)
        found.append(Problem(path, line, column, describe_forbidden(bad.group())))
    elif len(value) > MAX_NUMBER_CHARACTERS and node.tag == YAML_INT:
        found.append(Problem(path, node.start_mark.line + 1 + offset, node.start_mark.column + 1,
                             f"a number written with {len(value):,} characters; no number in this"
                             f" site's data needs more than {MAX_NUMBER_CHARACTERS}, check it"))
    elif not node.style and node.tag == YAML_STR and (comment := COMMENT_AFTER.match(text, node.end_mark.index)):
        hash_at = comment.end() - 1
        found.append(Problem(path, node.end_mark.line + 1 + offset, hash_at - text.rfind("\n", 0, hash_at),
                             f'" #" starts a comment, which YAML drops, so this text ends at "{ending_of(value)}";'
                             " put the whole value in double quotes to keep what follows, or move the comment"
                             " to a line of its own"))


COMMENT_AFTER = re.compile(r"[ \t]+#(?=[^\s#])")
"""A # after unquoted text, with a space before it and none after: YAML ends the text there as a
comment ("ranked #1 for savings" would be "ranked"), which an editor rarely means. A comment as
editors write one ("accepted  # the response's own word") has a space after its #, and is left."""


def ending_of(text: str, keep: int = 40) -> str:
    """The end of a text, at most keep characters, for a message."""
    return text if len(text) <= keep else "…" + text[-keep:].lstrip()


def check_markdown_text(text: str, shown: str, first_line: int, problems: Collector) -> bool:
    """Refuse a Markdown page's body for a character no text may hold, as check_scalar does a YAML
    value's; report where it is. True when the text is clean."""
    bad = FORBIDDEN_IN_FILE.search(text) if may_hold_unprintable(text.replace("\r\n", "\n")) else None
    if bad is None:
        return True
    problems.add(shown, *position(text, bad.start(), first_line), describe_forbidden(bad.group()))
    return False


FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)


@dataclass
class RawPage:
    """A Markdown page split into its front matter (with marks) and body."""

    path: str
    slug: str
    meta: Marked
    body: str
    body_line: int


def split_page(text: str, shown: str, slug: str, problems: Collector) -> RawPage | None:
    """Split `---` front matter from the Markdown body; the front matter must be a YAML mapping."""
    match = FRONT_MATTER.match(text)
    if not match and text.startswith("---"):
        problems.add(shown, 1, 1, 'the front matter opened by this "---" is never closed; end it with a line'
                                  ' "---" of its own after its last key, then write the page below it')
        return None
    if not match:
        problems.add(shown, 1, 1, 'the page must start with front matter: a line "---", "title: …",'
                                  ' "description: …", then a line "---"')
        return None
    meta = parse_yaml(match.group(1) or "", shown, problems, first_line=2)
    if meta is None:
        return None
    body_line = text.count("\n", 0, match.end()) + 1
    return RawPage(shown, slug, meta, text[match.end():], body_line)
