"""Markdown to safe HTML, internal links under the base path, and glossary terms linked where they appear.

Raw HTML in Markdown is refused with an error rather than sanitised: editors never need it, and a
refusal is easier to reason about than an allow-list. As a second guard, Python-Markdown's raw-HTML
handling is switched off, so anything that slipped past would be escaped, not passed through.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Iterable
from dataclasses import dataclass

import markdown
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

SAFE_SCHEMES = ("http://", "https://", "mailto:")
RAW_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--|<!\[CDATA\[|<\?")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)


@dataclass(frozen=True)
class MarkupIssue:
    """A problem in Markdown text, at a line and column counted within that text (1-based)."""

    line: int
    column: int
    message: str


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def find_raw_html(text: str) -> list[MarkupIssue]:
    """Every raw HTML tag outside code, which the site refuses."""
    blanked = CODE.sub(lambda match: " " * len(match.group()), text)
    return [
        MarkupIssue(*_position(text, match.start()),
                    f"raw HTML {match.group()[:40]!r} is not allowed in Markdown; use Markdown"
                    " (e.g. **bold**, [text](https://…)) or put the text in `backticks` to show it as code")
        for match in RAW_HTML.finditer(blanked)
    ]


class _LinkRules(Treeprocessor):
    """Prefix site-relative links with the base path and refuse unsafe URL schemes."""

    def __init__(self, md: markdown.Markdown, base_url: str, issues: list[str]):
        super().__init__(md)
        self.base_url = base_url
        self.issues = issues

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                url = element.get(attribute)
                if url is None:
                    continue
                cleaned = "".join(html.unescape(url).split()).lower()  # as the browser will read it
                if cleaned.startswith("//") or "\\" in cleaned or (
                        ":" in cleaned.split("/")[0] and not cleaned.startswith(SAFE_SCHEMES)):
                    self.issues.append(url)
                    element.set(attribute, "#")
                elif cleaned.startswith("/"):
                    element.set(attribute, self.base_url + url.lstrip("/"))


class _HeadingShift(Treeprocessor):
    """Move every heading down some levels, so a body's `## heading` sits under the page's own h2."""

    def __init__(self, md: markdown.Markdown, levels: int):
        super().__init__(md)
        self.levels = levels

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if re.fullmatch(r"h[1-6]", element.tag):
                element.tag = f"h{min(6, int(element.tag[1]) + self.levels)}"


_converters: dict[tuple[str, int], tuple[markdown.Markdown, list[str]]] = {}
"""One converter per base URL and heading shift, reset between texts: setting one up costs more than a conversion."""


def _converter(base_url: str, shift: int) -> tuple[markdown.Markdown, list[str]]:
    found = _converters.get((base_url, shift))
    if found is None:
        bad_urls: list[str] = []
        md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_LinkRules(md, base_url, bad_urls), "link_rules", 1)
        if shift:
            md.treeprocessors.register(_HeadingShift(md, shift), "heading_shift", 2)
        found = _converters[(base_url, shift)] = (md, bad_urls)
    return found


def render_markdown(text: str, base_url: str, shift: int = 0) -> tuple[Markup, list[MarkupIssue]]:
    """Convert Markdown to HTML; return it with every problem found (raw HTML, unsafe links).

    shift moves headings down that many levels (an item's body sits under a heading of its page).
    """
    issues = find_raw_html(text)
    md, bad_urls = _converter(base_url, shift)
    md.reset()
    bad_urls.clear()
    body = md.convert(text)
    for url in bad_urls:
        index = max(text.find(url), 0)
        issues.append(MarkupIssue(*_position(text, index),
                                  f"link {url!r} uses a scheme or form the site does not allow; use https://…"
                                  " for other sites or /path/ for this one"))
    return Markup(body), issues


@dataclass(frozen=True)
class TermLink:
    """A glossary word or phrase and where it links to."""

    words: str
    href: str
    title: str


def _fold(words: str) -> str:
    """One key for a term however its apostrophe is written."""
    return words.replace("&#39;", "'").replace("\u2019", "'").lower()


APOSTROPHE = "(?:'|&#39;|\u2019)"
"""The text is already escaped, so an apostrophe may be &#39; (or a curly one, as sources write it)."""


def trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of the (folded) words, longest first, with shared prefixes factored out.

    A plain alternation of hundreds of terms is tried term by term at every position of every text;
    the trie form reads each character once.
    """
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
        branches = [(APOSTROPHE if char == "'" else re.escape(char)) + pattern(child)
                    for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


SKIP_INSIDE = {"a", "code", "pre", "h1", "h2", "h3", "dfn", "script", "style", "title"}
TAG = re.compile(r"(<[^>]*>)")


class TermLinker:
    """Links the first appearance of each glossary term in a piece of HTML to its definition."""

    def __init__(self, terms: Iterable[TermLink]):
        ordered = sorted(terms, key=lambda t: (-len(t.words), t.words))
        self.by_word = {_fold(t.words): t for t in ordered}
        words = trie_pattern(self.by_word)
        self.pattern = re.compile(r"(?<![\w-])(" + words + r")(?![\w-])", re.I) if self.by_word else None

    def link(self, fragment: str) -> Markup:
        """Return fragment (already safe HTML) with each term linked once, never inside links or code."""
        if self.pattern is None:
            return Markup(fragment)
        done: set[str] = set()
        out: list[str] = []
        skipping: list[str] = []
        for piece in TAG.split(fragment):
            if piece.startswith("<"):
                name = re.match(r"</?\s*([a-zA-Z0-9]+)", piece)
                tag = name.group(1).lower() if name else ""
                if tag in SKIP_INSIDE and not piece.endswith("/>"):
                    if piece.startswith("</"):
                        if skipping and skipping[-1] == tag:
                            skipping.pop()
                    else:
                        skipping.append(tag)
                out.append(piece)
            elif skipping or not piece:
                out.append(piece)
            else:
                out.append(self.pattern.sub(lambda match: self._anchor(match, done), piece))
        return Markup("".join(out))

    def _anchor(self, match: re.Match[str], done: set[str]) -> str:
        words = match.group(1)
        term = self.by_word[_fold(words)]
        is_acronym = term.words.isupper()
        if term.href in done or (is_acronym and words != term.words):
            return words
        done.add(term.href)
        return (f'<a class="term" href="{html.escape(term.href)}" title="{html.escape(term.title)}">'
                f"{words}</a>")
