"""What renders without an error but not as the editor meant: a link to no page of the site, a
template block that no parent template has (Jinja drops it), and Markdown that would drop or mangle
text (a table row's extra cells, a link left open, a heading that skips a level). Each is refused at
its place, since a reader would otherwise meet it first.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from .cache import files_under
from .errors import Collector, blanked, did_you_mean
from .inputs import InputRefused, read_input
from .markup import CODE, MarkupIssue, site_links
from .plan import PageJob
from .render import report_in_body
from .resolve import Site


def check_written_pages(site: Site, jobs: list[PageJob], static: Path, problems: Collector) -> None:
    """Refuse, in a content page or an item's body, a link or image to a path of this site that no page
    or file will be at (readers would follow it to the 404 page), and Markdown that would lose or mangle
    text (see markdown_slips)."""
    files = {job.dest for job in jobs}

    def missing(issues: tuple[MarkupIssue, ...]) -> list[MarkupIssue]:
        return [MarkupIssue(issue.line, issue.column, f"{issue.message} is not a page or file of this site, so"
                                                      " readers would get the missing-page notice; correct the"
                                                      " address (as the browser shows it, such as /missions/)")
                for issue in issues if not is_site_file(issue.message, files, static)]

    for page in site.pages:
        for issue in [*missing(site_links(page.body)), *markdown_slips(page.body)]:
            problems.add(page.path, page.body_line + issue.line - 1, issue.column, issue.message)
    for entry in site.bodies:
        report_in_body(entry, [*missing(site_links(entry.item.body)), *markdown_slips(entry.item.body)], problems)


def is_site_file(path: str, files: set[str], static: Path) -> bool:
    """Whether a site path (/missions/, /missions, /data/x.csv) names one of the pages, or a file of
    templates/static/ (/static/x.svg), which is looked for only when a link names one."""
    rel = path.lstrip("/")
    if not rel or rel.endswith("/"):
        return f"{rel}index.html" in files
    if rel.startswith("static/") and ".." not in rel.split("/"):
        try:
            return (static / rel.removeprefix("static/")).is_file()
        except (OSError, ValueError):  # a name too long for the file system, say: no such file
            return False
    return rel in files or f"{rel}/index.html" in files


DIVIDER_CHARACTERS = frozenset("|:- \t")
HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]|$)")
"""A line that is a heading: up to three spaces, then one to six #s and a space (or nothing)."""
TOP_HEADING = 2
"""The level a page's or a body's own headings start at (##): the page's title is its only #."""


@functools.lru_cache(maxsize=1 << 15)
def markdown_slips(text: str) -> tuple[MarkupIssue, ...]:
    """Markdown that converts without an error but not as written (see open_links, long_rows and
    heading_jumps), in the order written. Kept for each text, as markup.site_links is."""
    prose = blanked(CODE, text) if "`" in text else text
    found = open_links(prose) if "](" in prose else []
    found += long_rows(prose) if "|" in prose else []
    found += heading_jumps(prose) if "#" in prose else []
    return tuple(sorted(found, key=lambda issue: (issue.line, issue.column)))


def open_links(prose: str) -> list[MarkupIssue]:
    """A link whose address is not closed on its line ("[text](/path/ and more words"): readers would
    see its brackets as typed. Only the last "](" of a line is looked at, so the search is linear; an
    indented line may be code, and is left alone."""
    found: list[MarkupIssue] = []
    for number, line in enumerate(prose.split("\n"), start=1):
        opened = line.rfind("](")
        if opened >= 0 and ")" not in line[opened:] and not line.startswith(("    ", "\t")):
            found.append(MarkupIssue(number, opened + 1, "this link's address is not closed, so readers would see"
                                                         " the brackets as typed; end the address with )"))
    return found


def long_rows(prose: str) -> list[MarkupIssue]:
    """A table row with more cells than its header, the extra ones not empty: Markdown drops the
    cells past the last column. A table is a header row over a divider of as many cells (| --- |)."""
    found: list[MarkupIssue] = []
    lines = prose.split("\n")
    columns = 0
    for number, line in enumerate(lines):
        below = lines[number + 1] if number + 1 < len(lines) else ""
        if "|" in line and is_divider(below, len(cells(line))):
            columns = len(cells(line))
        elif not line.strip():
            columns = 0
        elif columns and len(row := cells(line)) > columns and any(cell.strip() for cell in row[columns:]):
            found.append(MarkupIssue(number + 1, 1, f"this table row has {len(row)} cells but the table has"
                                                    f" {columns} columns, so the cells after the last column would be"
                                                    " dropped; join them, or add a column to the header"))
    return found


def is_divider(line: str, columns: int) -> bool:
    """Whether a line is a table's divider for a header of so many cells: only |, :, - and spaces, a
    - in each cell (read character by character: a pattern would backtrack on a long line)."""
    return "-" in line and set(line) <= DIVIDER_CHARACTERS and len(parts := cells(line)) == columns and all(
        "-" in part for part in parts)


def cells(row: str) -> list[str]:
    """A table row's cells: the parts between each | not escaped, without the row's outer |."""
    parts = re.split(r"(?<!\\)\|", row.strip())
    if len(parts) > 1 and not parts[-1].strip():
        parts.pop()
    if len(parts) > 1 and not parts[0].strip():
        parts.pop(0)
    return parts


def heading_jumps(prose: str) -> list[MarkupIssue]:
    """A heading above ## (the page's title is its only #), or more than one level below the heading
    before it: screen reader users move through a page by heading levels."""
    found: list[MarkupIssue] = []
    level = TOP_HEADING - 1
    for number, line in enumerate(prose.split("\n"), start=1):
        heading = HEADING.match(line) if "#" in line else None
        if heading is None:
            continue
        depth = len(heading.group(1))
        if depth < TOP_HEADING or depth > level + 1:
            why = ("the page's title is its only top-level heading" if depth < TOP_HEADING
                   else "it is more than one level below the heading before it")
            want = "#" * max(TOP_HEADING, min(depth, level + 1))
            found.append(MarkupIssue(number, heading.start(1) + 1, f"a heading of level {depth}: {why}; write it as"
                                                                   f" {want}"))
        level = max(depth, TOP_HEADING)
    return found


Tags = tuple[str | None, frozenset[str], tuple[tuple[str, int], ...]]
"""A template's parent, every block it has, and its top-level blocks with their lines."""


@functools.lru_cache(maxsize=1 << 10)
def template_tags(path: str, folder: str, _mtime_ns: int, _size: int) -> Tags | None:
    """A template's extends and block tags, kept while the file's time and size are the same, so
    that a preview save that changed no template reads none."""
    try:
        text = read_input(Path(path), Path(folder)).decode("utf-8")
    except (OSError, InputRefused, UnicodeDecodeError):
        return None
    parent, blocks, top, depth = None, set(), [], 0
    for tag in BLOCK_TAG.finditer(text):
        if tag.group(1):
            blocks.add(tag.group(2))
            if depth == 0:
                top.append((tag.group(2), text.count("\n", 0, tag.start()) + 1))
            depth += 1
        elif tag.group(3):
            depth = max(0, depth - 1)
        elif parent is None:
            parent = tag.group(5)
    return parent, frozenset(blocks), tuple(top)


BLOCK_TAG = re.compile(r"{%[-+]?\s*(?:(block)\s+(\w+)|(endblock)\b|extends\s+(['\"])([^'\"]+)\4)")
"""The tags check_blocks reads: {% block name %}, {% endblock %} and {% extends "name" %}."""


def check_blocks(templates_dir: Path, problems: Collector) -> None:
    """Refuse a block in a template that extends another where no template it extends has a block of
    that name: Jinja drops its content without a word ({% block mian %} would publish empty pages).
    The tags are read as text, not parsed, since this runs on every build and preview save: a tag
    inside a comment counts, and a template that extends a name it works out is not followed."""
    found: dict[str, Tags] = {}
    for name, path, stat in files_under(templates_dir):
        if not name.startswith("static/") and name.endswith((".html", ".xml", ".txt")):
            tags = template_tags(path, str(templates_dir), stat.st_mtime_ns, stat.st_size)
            if tags is not None:  # else unreadable: reported when a page renders it
                found[name] = tags
    for name, (parent, _blocks, top) in sorted(found.items()):
        offered: set[str] = set()
        seen = {name}
        while parent in found and parent not in seen:
            seen.add(parent)
            offered |= found[parent][1]
            parent = found[parent][0]
        for block, line in top if offered else ():
            if block not in offered:
                problems.add(f"templates/{name}", line, 1,
                             f'no template this one extends has a block "{block}", so what it holds is never shown;'
                             f"{did_you_mean(block, offered)} blocks there: {', '.join(sorted(offered))}")
