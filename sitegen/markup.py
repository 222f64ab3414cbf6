"""Markdown to safe HTML, internal links under the base path, and glossary terms linked where they appear.

Raw HTML in Markdown is refused with an error rather than sanitised: editors never need it, and a
refusal is easier to reason about than an allow-list. As a second guard, Python-Markdown's raw-HTML
handling is switched off, so anything that slipped past would be escaped, not passed through.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
import xml.etree.ElementTree as etree
from collections.abc import Iterable
from dataclasses import dataclass

import markdown
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from .errors import blanked, position
from .markdown_limits import LINK_READING, LinkReading, TooMuchReading, too_long

SAFE_SCHEMES = ("http://", "https://")
RAW_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--|<!\[CDATA\[|<\?")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)


@dataclass(frozen=True)
class MarkupIssue:
    """A problem in Markdown text, at a line and column counted within that text (1-based)."""

    line: int
    column: int
    message: str


def find_raw_html(text: str) -> list[MarkupIssue]:
    """Every raw HTML tag outside code, which the site refuses."""
    prose = blanked(CODE, text)
    return [
        MarkupIssue(*position(text, match.start()),
                    f"raw HTML {match.group()[:40]!r} is not allowed in Markdown; use Markdown"
                    " (e.g. **bold**, [text](https://…)) or put the text in `backticks` to show it as code")
        for match in RAW_HTML.finditer(prose)
    ]


class _LinkRules(Treeprocessor):
    """Prefix site-relative links with the base path; refuse unsafe URL schemes and images from other sites."""

    def __init__(self, md: markdown.Markdown, base_url: str, issues: list[tuple[str, str]]):
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
                    self.issues.append((url, f"link {url!r} uses a scheme or form the site does not allow; use"
                                             " https://… for other sites or /path/ for this one"))
                    element.set(attribute, "#")
                elif element.tag == "img" and ":" in cleaned.split("/")[0]:
                    self.issues.append((url, f"image {url!r} is on another site; the site shows only its own"
                                             " images (a reader's browser, or an editor's preview, would fetch"
                                             " it from there): copy it into templates/static/ and write"
                                             " /static/its-name"))
                    element.set(attribute, "#")
                elif cleaned.startswith("/"):
                    element.set(attribute, self.base_url + url.lstrip("/"))
                elif not cleaned.startswith(("#", *SAFE_SCHEMES)):  # read from the page's own address
                    meant = f"https://{url}" if cleaned.startswith("www.") else f"/{url.lstrip('./')}"
                    self.issues.append((url, f"link {url!r} would be read from the address of each page it is"
                                             f" on; start a link to this site with / and one to another site with"
                                             f" https://, such as {meant}"))


class _HeadingShift(Treeprocessor):
    """Move every heading down some levels, so a body's `## heading` sits under the page's own h2."""

    def __init__(self, md: markdown.Markdown, levels: int):
        super().__init__(md)
        self.levels = levels

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if re.fullmatch(r"h[1-6]", element.tag):
                element.tag = f"h{min(6, int(element.tag[1]) + self.levels)}"


EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
"""An email address, from the start of its word."""
PHONE = re.compile(r"(?:\+(?<![\d.,]\+)44\s?(?:\(0\)\s?)?|0(?<![\d.,]0)|\((?<![\d.,]\()0)"
                   r"\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d|[.,]\d)")
"""A UK phone number ("020 7946 0000", "(020) 7946 0000", "+44 20 7946 0000"), not within a longer number. Its
first character comes before the look behind, so the search skips to a "+", "0" or "(" at once."""


def find_contacts(text: str) -> list[re.Match[str]]:
    """The email addresses and UK phone numbers in text, in the order written: articles print a
    journalist's address at their foot, which a quote could copy."""
    found = [*(EMAIL.finditer(text) if "@" in text else ()), *PHONE.finditer(text)]
    return sorted(found, key=lambda match: match.start())


def as_read(text: str) -> str:
    """text as a reader reads it: invisible format characters (soft hyphen, zero-width space, word
    joiner...) gone, and compatibility forms folded (a fullwidth at sign is @). ASCII is as read."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", "".join(c for c in text if unicodedata.category(c) != "Cf"))


def contact_message(contact: re.Match[str]) -> str:
    """What is wrong with contact details found in a data file or a page, and what to do."""
    return (f'"{contact.group()}" looks like contact details (an email address or a phone number): the site'
            " never shows contact details from a source; quote the words around them, or leave them out")


@dataclass
class _Converter:
    md: markdown.Markdown
    issues: list[tuple[str, str]]
    """(URL, message) of each link or image the link rules refused in the last text."""
    reading: LinkReading


_converters: dict[tuple[str, int], _Converter] = {}
"""One converter per base URL and heading shift, reset between texts: setting one up costs more than a conversion."""


def _converter(base_url: str, shift: int) -> _Converter:
    found = _converters.get((base_url, shift))
    if found is None:
        issues: list[tuple[str, str]] = []
        md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_LinkRules(md, base_url, issues), "link_rules", 1)
        if shift:
            md.treeprocessors.register(_HeadingShift(md, shift), "heading_shift", 2)
        found = _converters[(base_url, shift)] = _Converter(md, issues, LinkReading(md))
    return found


def render_markdown(text: str, base_url: str, shift: int = 0) -> tuple[Markup, list[MarkupIssue]]:
    """Convert Markdown to HTML; return it with every problem found (raw HTML, unsafe links, off-site
    images, contact details in the text a reader sees, and a text too long, too deeply nested or with
    too many unclosed brackets to convert).

    shift moves headings down that many levels (an item's body sits under a heading of its page).
    """
    if (refused := too_long(text)) is not None:
        return Markup(""), [MarkupIssue(*refused)]
    issues = find_raw_html(text)
    converter = _converter(base_url, shift)
    converter.md.reset()
    converter.issues.clear()
    converter.reading.left = LINK_READING
    try:
        body = converter.md.convert(text)
    except (TooMuchReading, RecursionError) as stopped:
        del _converters[(base_url, shift)]  # stopped half way, its parser's state is not to be trusted
        if isinstance(stopped, RecursionError):
            return Markup(""), [*issues, MarkupIssue(1, 1, "lists or quotes are nested inside each other too"
                                                           " deeply to convert; nest them fewer levels deep")]
        return Markup(""), [*issues, MarkupIssue(*position(text, first_unclosed(text)), (
            "from here on, the text has so many [ or ( that are never closed that converting it would take"
            " too long; close each one, or write \\[ for a bracket that starts no link"))]
    for url, message in converter.issues:
        at = text.find(f"({url}")  # as a link's address, not a part of another one ("/static/x.svg", "x.svg")
        issues.append(MarkupIssue(*position(text, at + 1 if at >= 0 else max(text.find(url), 0)), message))
    start = 0
    shown = [TAG.sub("", body), *SHOWN_ATTRIBUTE.findall(body)]  # as a reader sees it: "a&commat;b.c", "a@*b*.c"
    seen_text = as_read(html.unescape("\n".join(shown)))
    for seen in find_contacts(seen_text):
        if seen.group() not in text:  # else the text's own check reports it where it is
            found = text.find(seen.group().partition("@")[0], start)  # its first part, in the order written
            start = found if found >= 0 else start
            issues.append(MarkupIssue(*position(text, start), contact_message(seen)))
            start += 1
    return Markup(body), issues


SITE_LINK = re.compile(r"\]\(\s*<?(/[^)\s>]*)")
"""A link or image to a path of this site in Markdown: [text](/path/), ![alt](/static/x.svg)."""
SITE_REFERENCE = re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?(/[^\s>]*)", re.M)
"""A reference's definition to a path of this site: [name]: /path/ (sought only in a text with "]:")."""


@functools.lru_cache(maxsize=1 << 15)
def site_links(text: str) -> tuple[MarkupIssue, ...]:
    """Each link or image of a Markdown text to a path of this site, with its place (as an issue whose
    message is the path, without any #fragment or ?query), for the build to check against its pages.
    Kept for each text, so that the preview reads again only the texts a save changed."""
    prose = blanked(CODE, text) if "`" in text else text
    found = [*SITE_LINK.finditer(prose), *(SITE_REFERENCE.finditer(prose) if "]:" in prose else ())]
    return tuple(MarkupIssue(*position(text, link.start(1)), re.split(r"[#?]", link.group(1))[0])
                 for link in sorted(found, key=lambda link: link.start()))


SHOWN_ATTRIBUTE = re.compile(r'\s(?:alt|title)="([^"]*)"')
"""Words of a tag that a reader sees (an image's alt text, a link's title)."""


def first_unclosed(text: str) -> int:
    """Where the first [ or ( that is never closed is (0 if none): where an editor should look."""
    opened: dict[str, list[int]] = {"[": [], "(": []}
    opener = {"]": "[", ")": "("}
    for index, char in enumerate(text):
        if char in opened:
            opened[char].append(index)
        elif char in opener and opened[opener[char]]:
            opened[opener[char]].pop()
    return min((stack[0] for stack in opened.values() if stack), default=0)


@dataclass(frozen=True)
class TermLink:
    """A glossary word or phrase, where it links to, and the definition shown in place."""

    words: str
    href: str
    title: str
    key: str = ""
    """The term's id: it names the term's popover on a page (see place_definitions)."""
    definition: str = ""


def _fold(words: str) -> str:
    """One key for a term however its apostrophe is written."""
    return words.replace("&#39;", "'").replace("\u2019", "'").lower()


APOSTROPHE = "(?:'|&#39;|\u2019)"
"""The text is already escaped, so an apostrophe may be &#39; (or a curly one, as sources write it)."""


@functools.lru_cache(maxsize=8)
def trie_pattern(words: tuple[str, ...]) -> str:
    """A regex matching any of the (folded) words, longest first, with shared prefixes factored out.

    A plain alternation of hundreds of terms is tried term by term at every position of every text;
    the trie form reads each character once. Kept for the same words: the preview makes it on each save.
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


ENTITY = r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"
"""A character reference in the escaped text: matched first, so a term ("amp") is never found inside one."""
SKIP_INSIDE = {"a", "code", "pre", "h1", "h2", "h3", "dfn", "script", "style", "title"}
TAG = re.compile(r"(<[^<>]*>)")


INNER_QUOTATION = re.compile(r"“([^“”]*)”")


def nested_quotations(words: str) -> str:
    """A quotation's own quotations (“fix”, inside a quote) as <q> elements inside it, so that the
    browser shows them with the inner marks (‘fix’) rather than a second pair of double marks. One
    the excerpt cuts off, an opening mark whose closing one is past its end (or a closing mark whose
    opening one is before its start), is nested to the excerpt's end (or from its start) when it is
    the only mark left unmatched; more are left as written. Only the marks' form changes: the words
    are the source's. words is escaped HTML without tags."""
    nested = INNER_QUOTATION.sub(r"<q>\1</q>", words)
    opening, closing = nested.count("“"), nested.count("”")
    if opening == 1 and closing == 0:
        before, _, after = nested.partition("“")
        return f"{before}<q>{after}</q>"
    if opening == 0 and closing == 1:
        before, _, after = nested.partition("”")
        return f"<q>{before}</q>{after}"
    return nested


TERMS_PER_TEXT = 50
"""The most glossary terms one text links: the real texts link 12 at most, and a definition that names
a thousand others would put a thousand links on every page that shows it."""


class TermLinker:
    """Links the first appearance of each glossary term in a piece of HTML to its definition, for the
    first TERMS_PER_TEXT terms of a text; the words of any after them are left as they are."""

    def __init__(self, terms: Iterable[TermLink]):
        ordered = sorted(terms, key=lambda t: (-len(t.words), t.words))
        self.by_word = {_fold(t.words): t for t in ordered}
        words = trie_pattern(tuple(self.by_word))
        self.pattern = re.compile(ENTITY + r"|(?<![\w-])(" + words + r")(?![\w-])", re.I) if self.by_word else None

    def link(self, fragment: str, unlinked: frozenset[str] = frozenset()) -> Markup:
        """Return fragment (already safe HTML) with each term linked once, never inside links or code,
        and never a term whose address is in unlinked (a glossary entry's own, in its definition)."""
        if self.pattern is None:
            return Markup(fragment)
        done: set[str] = set(unlinked)
        full = len(done) + TERMS_PER_TEXT
        out: list[str] = []
        skipping: list[str] = []
        pieces = TAG.split(fragment)
        for n, piece in enumerate(pieces):
            if len(done) == full:
                out.extend(pieces[n:])
                break
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
                out.append(self._linked(self.pattern, piece, done, full))
        return Markup("".join(out))

    def _linked(self, pattern: re.Pattern[str], text: str, done: set[str], full: int) -> str:
        """text with its terms linked, until done holds full terms: the rest is not searched."""
        out: list[str] = []
        at = 0
        for match in pattern.finditer(text):
            out += [text[at:match.start()], self._anchor(match, done)]
            at = match.end()
            if len(done) == full:
                break
        out.append(text[at:])
        return "".join(out)

    def _anchor(self, match: re.Match[str], done: set[str]) -> str:
        words = match.group(1)
        if words is None:
            return match.group()  # an entity such as &amp;: kept whole, whatever term its letters spell
        term = self.by_word[_fold(words)]
        is_acronym = term.words.isupper()
        if term.href in done or (is_acronym and words != term.words):
            return words
        done.add(term.href)
        link = f'<a class="term" href="{html.escape(term.href)}" title="{html.escape(term.title)}">{words}</a>'
        if not term.definition:
            return link
        # the button never starts a line away from its term: a word joiner in a nowrap span holds them
        # together (either alone does not, in Chromium), while the term's own words may still wrap
        return (f'<span class="term-pair">{link}{JOINER}<button type="button" class="term-info"'
                f' popovertarget="def-{term.key}" data-pagefind-ignore><span aria-hidden="true">?</span>'
                f'<span class="visually-hidden"> What {html.escape(term.title)} means</span></button></span>'
                f"<!--def:{term.key}-->")


JOINER = '<span data-pagefind-ignore>&#8288;</span>'
"""A word joiner (U+2060), kept out of the search index's words."""
TERM_WITH_BUTTON = re.compile(r'<span class="term-pair">(<a class="term" [^>]*>[^<]*</a>)' + re.escape(JOINER)
                              + r'<button type="button" class="term-info"[^>]*>.*?</button></span>'
                              + r"<!--def:([a-z0-9-]+)-->")
"""A linked term with its definition's button and the mark where its popover may go: group 1 is the link."""


def without_buttons(fragment: str) -> str:
    """The fragment with its glossary links but no definition buttons (a quotation, the print page).

    A plain str is given to re: re.sub on Markup joins its pieces with Markup, which escapes them."""
    return TERM_WITH_BUTTON.sub(r"\1", str(fragment))


DEFINITIONS_PER_PAGE = 50_000
"""The most characters of definitions (and their terms) a page holds in its popovers; past them, a term
keeps its link and has no button. The real site's fullest page holds about 11,000 in 50 popovers."""


def place_definitions(page: str, terms: dict[str, TermLink] | None, own: str = "") -> str:
    """Give each glossary term with a definition one button on a page, where it is first linked, and
    write its popover there (while DEFINITIONS_PER_PAGE allows); a later use keeps its link only.
    With no terms (a page that holds the glossary itself), leave every button out and keep the links.
    On a glossary entry's own page (own: its id), its term is not linked at all: the link and the
    popover would show the page itself.

    One term is often in every row of a list, or twice in one text shown in a table and a section
    below: a button each time would crowd the text and repeat one definition. The HTML popover
    attribute needs no script."""
    if terms is None:
        return without_buttons(page)
    placed: set[str] = set()
    room = [DEFINITIONS_PER_PAGE]

    def place(match: re.Match[str]) -> str:
        key = match.group(2)
        term = terms.get(key)
        if term is None or key in placed or key == own or len(term.title) + len(term.definition) > room[0]:
            return match.group(1)
        placed.add(key)
        room[0] -= len(term.title) + len(term.definition)
        return (match.group().removesuffix(f"<!--def:{key}-->")
                + f'<span class="term-def" id="def-{key}" popover data-pagefind-ignore>'
                f'<button type="button" class="term-close" popovertarget="def-{key}" popovertargetaction="hide">'
                f'Close<span class="visually-hidden"> {html.escape(term.title)}</span></button>'
                f"<strong>{html.escape(term.title)}</strong>: {html.escape(term.definition)}"
                f' <a href="{html.escape(term.href)}">Glossary entry<span class="visually-hidden">'
                f" for {html.escape(term.title)}</span></a></span>")

    page = TERM_WITH_BUTTON.sub(place, page)
    return re.sub(rf'<a class="term" href="[^"]*/glossary/#{own}" [^>]*>([^<]*)</a>', r"\1", page) if own else page
