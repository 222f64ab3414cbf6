"""Resolve every cross-reference and verify every quote before any page is rendered.

As in MkDocs and Pelican, all data is gathered and checked first, so every page sees the same,
consistent site. A dangling id suggests the nearest existing one; a quote not found in its source
shows the closest passage that is.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel

from . import models as m
from .errors import Collector, Problem, did_you_mean
from .inputs import InputRefused, read_input
from .load import Loc, Marked

ANY_ITEM = ("recommendations", "missions", "pilots", "funding", "timeline", "glossary",
            "people", "areas", "sources", "themes")
"""Kinds a bare id in `related` or `items` may name (ids are unique within a kind)."""

REFERENCES: dict[tuple[type[BaseModel], str], tuple[str, ...]] = {
    (m.Citation, "source"): ("sources",),
    (m.Recommendation, "themes"): ("themes",),
    (m.Recommendation, "missions"): ("missions",),
    (m.FundingLine, "by"): ("people",),
    (m.FundingLine, "missions"): ("missions",),
    (m.Participation, "area"): ("areas",),
    (m.Pilot, "missions"): ("missions",),
    (m.Pilot, "recommendations"): ("recommendations",),
    (m.Pilot, "funding"): ("funding",),
    (m.Event, "related"): ("recommendations", "missions", "pilots", "funding", "people", "areas"),
    (m.Change, "items"): ANY_ITEM,
}
"""Which field of which model names an item of which kinds."""


class Ref(NamedTuple):
    """A resolved reference: the kind and id of the item named.

    A named tuple, not a dataclass: sets and dicts of references, and the facts holding them, hash
    and compare them about 300,000 times on a save at 10,000 items, and a tuple does it in C.
    """

    kind: str
    id: str


@dataclass
class Located:
    """A validated item and where it came from, so later checks can point at its lines."""

    item: Any
    doc: Marked
    loc: Loc


@dataclass
class PageSource:
    """A validated Markdown page before rendering."""

    slug: str
    path: str
    meta: m.Page
    body: str
    body_line: int


@dataclass(frozen=True)
class MarkdownText:
    """A Markdown text held in a data file, and the line and column where its first line starts."""

    text: str
    path: str
    line: int
    column: int
    exact: bool = True
    """Whether line n of the text is line n from `line` on (a literal block); else only the field is known."""


@dataclass
class Site:
    """Everything the templates need: items by kind and id, backlinks, pages, dates."""

    items: dict[str, dict[str, Any]]
    pages: list[PageSource]
    backlinks: dict[Ref, list[Ref]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    changes: list[m.Change] = field(default_factory=list)
    """Every change note, whether or not it names items."""
    changes_for: dict[Ref, list[m.Change]] = field(default_factory=dict)
    bodies: list[MarkdownText] = field(default_factory=list)
    """The Markdown bodies of items, with where each starts, to convert and check before rendering."""

    def get(self, kind: str, item_id: str) -> Any:
        return self.items[kind][item_id]

    def every_item(self) -> Iterator[Any]:
        """The items of every kind, and the change notes."""
        for items in self.items.values():
            yield from dict.values(items)  # not a read of the whole kind (see cache.TrackedItems)
        yield from self.changes


@functools.lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Fold whitespace and the forms of quote marks and apostrophes, as the quote check allows."""
    text = text.translate(QUOTE_FORMS)
    return re.sub(r"\s+", " ", text).strip()


QUOTE_FORMS = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'",
                             "\u201c": '"', "\u201d": '"', "\u201f": '"', "\u2033": '"'})


def archived_text(source: m.Source, sources_dir: Path) -> str:
    """The part of a source's archived file that quotes may come from (not reader comments)."""
    lines = read_input(sources_dir / source.archive, sources_dir).decode("utf-8").splitlines()
    if source.lines is None and source.comments_from is None:
        return "\n".join(lines)
    first = source.lines.first if source.lines else 1
    last = source.lines.last if source.lines else len(lines)
    if source.comments_from:
        last = min(last, source.comments_from - 1)
    return "\n".join(lines[first - 1:last])


def closest_passage(quote: str, text: str) -> str:
    """The stretch of text most like the quote, whole words, to show an editor what the source says."""
    anchor = difflib.SequenceMatcher(None, text, quote, autojunk=False).find_longest_match(
        0, len(text), 0, len(quote))
    guess = anchor.a - anchor.b
    best, best_ratio = (max(0, guess), len(quote)), -1.0
    for start in range(max(0, guess - 4), max(0, guess) + 5):
        for length in range(max(1, len(quote) - 4), len(quote) + 5):
            ratio = difflib.SequenceMatcher(None, text[start:start + length], quote, autojunk=False).ratio()
            if ratio > best_ratio:
                best, best_ratio = (start, length), ratio
    start, end = best[0], best[0] + best[1]
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return text[start:end]


def resolve_site(located: dict[str, list[Located]], pages: list[PageSource],
                 sources_dir: Path, problems: Collector) -> Site:
    """Index items, refuse duplicate ids, resolve references and verify quotes."""
    items: dict[str, dict[str, Any]] = {kind: {} for kind in m.DATA_FILES}
    for kind, entries in located.items():
        for entry in entries:
            item_id = getattr(entry.item, "id", None)
            if item_id is None:
                continue
            if item_id in items[kind]:
                line, column = entry.doc.where((*entry.loc, "id"))
                problems.add(entry.doc.path, line, column,
                             f'duplicate id "{item_id}" in {kind}; ids must be unique, rename one of them')
                continue
            items[kind][item_id] = entry.item

    site = Site(items=items, pages=pages)
    texts = _source_texts(located.get("sources", []), sources_dir, problems)
    archives = {s.item.id: sources_dir / s.item.archive for s in located.get("sources", []) if s.item.id in texts}

    @functools.cache
    def whole_file(source_id: str) -> str:
        """A source's whole archived file, read only for a quote its article lacks."""
        try:
            return normalise(read_input(archives[source_id], sources_dir).decode("utf-8"))
        except (OSError, UnicodeDecodeError, InputRefused):  # two sources with one id, the other's file unreadable
            return ""

    backlinks: dict[Ref, set[Ref]] = defaultdict(set)
    every_item = [entry.item for entries in located.values() for entry in entries]
    _walks.keep_only(every_item)
    _resolved.against(items, texts)
    _resolved.refs.keep_only(every_item)
    for kind, entries in located.items():
        for entry in entries:
            owner = Ref(kind, entry.item.id) if hasattr(entry.item, "id") else None
            refs = _resolved.refs.find(entry.item)
            if refs is None:
                refs = _resolve_item(entry, items, texts, whole_file, problems)
            for ref in refs:
                if owner and ref != owner:
                    backlinks[ref].add(owner)
    site.backlinks = {ref: sorted(owners, key=lambda r: (r.kind, r.id)) for ref, owners in backlinks.items()}
    site.changes = [entry.item for entry in located.get("changes", [])]
    for change_entry in located.get("changes", []):
        for item_id in change_entry.item.items:
            for kind in ANY_ITEM:
                if item_id in items[kind]:
                    site.changes_for.setdefault(Ref(kind, item_id), []).append(change_entry.item)
    return site


def _resolve_item(entry: Located, items: dict[str, dict[str, Any]], texts: dict[str, str],
                  whole_file: Callable[[str], str], problems: Collector) -> list[Ref]:
    """The items an item names, with its quotes checked; remembered when it has no problem."""
    before = len(problems.problems)
    refs: list[Ref] = []
    references, citations = item_links(entry.item)
    for field_loc, kinds, target in references:
        ref = _resolve(target, kinds, items, entry.doc, (*entry.loc, *field_loc), problems)
        if ref:
            refs.append(ref)
    for quote_loc, citation in citations:
        _check_quote(citation, texts, whole_file, entry.doc, (*entry.loc, *quote_loc), problems)
    if len(problems.problems) == before:
        _resolved.refs.remember(entry.item, refs)
    return refs


@dataclass
class ResolvedItems:
    """Each item's resolved references, remembered while the item, every kind's ids and the sources'
    texts stay the same: then it names the same items and its quotes are still found. Only items
    without a problem are remembered, so a problem is reported on every build until it is mended.
    The preview's save resolves only the edited item."""

    ids: dict[str, frozenset[str]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    refs: m.ItemMemo[list[Ref]] = field(default_factory=m.ItemMemo)

    def against(self, items: dict[str, dict[str, Any]], texts: dict[str, str]) -> None:
        """Forget every item's references unless they were found against these very ids and texts."""
        ids = {kind: frozenset(found) for kind, found in items.items()}
        if ids != self.ids or texts != self.texts:
            self.ids, self.texts = ids, texts
            self.refs.clear()


_resolved = ResolvedItems()


Links = tuple[list[tuple[Loc, tuple[str, ...], str]], list[tuple[Loc, m.Citation]]]
"""An item's references (loc, kinds the id may name, id) and citations (loc of the quote, citation)."""

_walks: m.ItemMemo[Links] = m.ItemMemo()


def item_links(item: Any) -> Links:
    """The references and citations inside an item, at locs relative to it, remembered while it is unchanged."""
    return _walks.get(item, lambda item: (_reference_fields(item, ()), _citations(item, ())))


def _source_texts(entries: list[Located], sources_dir: Path, problems: Collector) -> dict[str, str]:
    """Load each source's archived text once, normalised for the quote check."""
    texts: dict[str, str] = {}
    for entry in entries:
        source: m.Source = entry.item
        try:
            texts[source.id] = normalise(archived_text(source, sources_dir))
        except InputRefused as exc:  # a link out of sources/ (never shown in a hint), a device, a huge file
            line, column = entry.doc.where((*entry.loc, "archive"))
            problems.add(entry.doc.path, line, column,
                         f'archived text "sources/{source.archive}": {exc}')
        except (OSError, UnicodeDecodeError):
            line, column = entry.doc.where((*entry.loc, "archive"))
            problems.add(entry.doc.path, line, column,
                         f'archived text "sources/{source.archive}" cannot be read; copy the article there'
                         " as UTF-8 text or correct the file name")
    return texts


def _reference_fields(obj: Any, loc: Loc) -> list[tuple[Loc, tuple[str, ...], str]]:
    """Every (loc, target kinds, id) that obj and its nested models name."""
    found: list[tuple[Loc, tuple[str, ...], str]] = []
    if not isinstance(obj, BaseModel):
        return found
    for name in type(obj).model_fields:
        value = getattr(obj, name)
        kinds = REFERENCES.get((type(obj), name))
        if kinds and isinstance(value, str):
            found.append(((*loc, name), kinds, value))
        elif kinds and isinstance(value, list):
            found.extend(((*loc, name, i), kinds, v) for i, v in enumerate(value))
        elif isinstance(value, BaseModel):
            found.extend(_reference_fields(value, (*loc, name)))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                found.extend(_reference_fields(v, (*loc, name, i)))
    return found


def _citations(obj: Any, loc: Loc) -> list[tuple[Loc, m.Citation]]:
    """Every citation inside obj, with the loc of its quote."""
    if isinstance(obj, m.Citation):
        return [((*loc, "quote"), obj)]
    found: list[tuple[Loc, m.Citation]] = []
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            found.extend(_citations(getattr(obj, name), (*loc, name)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            found.extend(_citations(v, (*loc, i)))
    return found


def _resolve(target: str, kinds: tuple[str, ...], items: dict[str, dict[str, Any]],
             doc: Marked, loc: Loc, problems: Collector) -> Ref | None:
    """Find the one item an id names among kinds, or report it with the nearest existing id."""
    matches = [kind for kind in kinds if target in items[kind]]
    if len(matches) == 1:
        return Ref(matches[0], target)
    line, column = doc.where(loc)
    if matches:
        problems.add(doc.path, line, column,
                     f'"{target}" names items in {" and ".join(matches)}; rename one so the id is unambiguous')
        return None
    known = [item_id for kind in kinds for item_id in items[kind]]
    where = " or ".join(f"data/{kind}.yaml" for kind in kinds)
    problems.add(doc.path, line, column,
                 f'no item with id "{target}" in {where};{did_you_mean(target, known)}'
                 " use the id of an existing item or add the item")
    return None


@functools.lru_cache(maxsize=1 << 17)
def normalised_quote(quote: str) -> str:
    """normalise(quote), remembered: the preview checks the same quotes on every save."""
    return normalise(quote)


def _check_quote(citation: m.Citation, texts: dict[str, str], whole_file: Callable[[str], str], doc: Marked,
                 loc: Loc, problems: Collector) -> None:
    """Report a quote that does not occur in its source, with the closest passage that does."""
    text = texts.get(citation.source)
    if text is None:
        return  # the dangling source id is reported by _resolve
    quote = normalised_quote(citation.quote)
    if quote in text:
        return
    line, column = doc.where(loc)
    if quote in whole_file(citation.source):
        problems.add(doc.path, line, column,
                     f'quote is outside the article "{citation.source}" (in reader comments or another article'
                     " of the same file); cite only the article's own words")
        return
    problems.add(doc.path, line, column,
                 f'quote not found in source "{citation.source}"; the closest passage in the source is: '
                 f'"{closest_passage(quote, text)}"; copy the words exactly as the source gives them')
