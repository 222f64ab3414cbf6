"""Resolve every cross-reference and verify every quote before any page is rendered.

As in MkDocs and Pelican, all data is gathered and checked first, so every page sees the same,
consistent site. A dangling id suggests the nearest existing one; a quote not found in its source
shows the closest passage that is.
"""

from __future__ import annotations

import functools
import re
import typing
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel

from . import models as m
from .errors import Collector, Problem
from .fields import Citation
from .inputs import MEGABYTE, InputRefused, archived_copies, archived_text, read_input
from .load import Loc, Marked
from .quotes import QUOTE_READING, Reading, by_paragraph, normalised_quote, quoted_in

ANY_ITEM = ("recommendations", "missions", "pilots", "funding", "timeline", "glossary",
            "people", "areas", "sources", "themes", "guides")
"""Kinds a bare id in `related` or `items` may name (ids are unique within a kind)."""

REFERENCES: dict[tuple[type[BaseModel], str], tuple[str, ...]] = {
    (Citation, "source"): ("sources",),
    (m.Recommendation, "themes"): ("themes",),
    (m.Recommendation, "missions"): ("missions",),
    (m.FundingLine, "by"): ("people",),
    (m.FundingLine, "missions"): ("missions",),
    (m.Participation, "area"): ("areas",),
    (m.Pilot, "missions"): ("missions",),
    (m.Pilot, "recommendations"): ("recommendations",),
    (m.Pilot, "funding"): ("funding",),
    (m.Event, "related"): ("recommendations", "missions", "pilots", "funding", "people", "areas"),
    (m.Event, "after"): ("timeline",),
    (m.Change, "items"): ANY_ITEM,
    (m.GuideQuestion, "links"): ("recommendations", "missions", "pilots", "funding", "timeline", "glossary",
                                 "people", "areas", "sources", "themes"),
}
"""Which field of which model names an item of which kinds."""


class Ref(NamedTuple):
    """A resolved reference: the kind and id of the item named (a named tuple, which sets and dicts of
    references hash and compare in C)."""

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
    front_matter: Marked | None = None
    """Where each value of the front matter sits, for a problem found after loading."""


Links = tuple[list[tuple[Loc, tuple[str, ...], str]], list[tuple[Loc, Citation]]]
"""An item's references (loc, kinds the id may name, id) and citations (loc of the quote, citation)."""
Named = tuple[tuple[tuple[str, ...], str], ...]
"""An item's references without their locs: (kinds the id may name, id)."""


@dataclass
class Site:
    """Everything the templates need: items by kind and id, backlinks, pages, dates."""

    items: dict[str, dict[str, Any]]
    pages: list[PageSource]
    backlinks: dict[Ref, list[Ref]] = field(default_factory=dict)
    links: dict[Ref, tuple[Named, tuple[Citation, ...]]] = field(default_factory=dict)
    """Each item's references and citations (item_links, without their locs), gathered once while resolving."""
    warnings: list[Problem] = field(default_factory=list)
    changes: list[m.Change] = field(default_factory=list)
    """Every change note, whether or not it names items."""
    changes_for: dict[Ref, list[m.Change]] = field(default_factory=dict)
    bodies: list[Located] = field(default_factory=list)
    """The items with a Markdown body (and where they are), to convert and check before rendering."""
    reading_ages: list[Any] = field(default_factory=list)
    """Each guide's and content page's measured reading age (readability.ReadingAge), for `check`."""


@dataclass
class KeptLinks:
    """The preview's record of each item's links and the items they name, from its last reading without a
    problem. An item whose model is that reading's very object (load keeps an unchanged item's) names
    the same items again while every kind holds the same ids; its quotes are checked again all the same,
    so that the quote check reads as much as a build's."""

    ids: tuple[tuple[str, frozenset[str]], ...] = ()
    """Every kind's ids when the record was made (which ids exist is all a reference's resolving reads)."""
    items: dict[int, tuple[Any, tuple[Named, tuple[Citation, ...]], tuple[Ref, ...]]] = field(default_factory=dict)
    """By the model's id(): the model (so that the id names no other), its links as Site.links holds
    them (the very tuples: a record and its site share them) and the items named."""


def resolve_site(located: dict[str, list[Located]], pages: list[PageSource],
                 sources_dir: Path, problems: Collector, kept: KeptLinks | None = None) -> Site:
    """Index items, refuse duplicate ids, resolve references and verify quotes; with the preview's kept
    record, resolve only the items it cannot answer for, and renew it when nothing is wrong."""
    items: dict[str, dict[str, Any]] = {kind: {} for kind in m.DATA_FILES}
    places: dict[Ref, Located] = {}
    for kind, entries in located.items():
        for entry in entries:
            item_id = getattr(entry.item, "id", None)
            if item_id is None:
                continue
            if item_id in items[kind]:  # said before the references that meant the renamed item
                line, column = entry.doc.where((*entry.loc, "id"))
                problems.extend([Problem(entry.doc.path, line, column, f'the id "{item_id}" is used twice: first at'
                                         f" line {id_line(places[Ref(kind, item_id)])}; give each item its own id"
                                         " (rename one of them) or delete the copy", leads=2)])
                continue
            items[kind][item_id] = entry.item
            places[Ref(kind, item_id)] = entry

    site = Site(items=items, pages=pages)
    texts = _source_texts(located.get("sources", []), sources_dir, problems)
    check_one_entry_per_article(located.get("sources", []), texts, problems)
    archives = {s.item.id: [sources_dir / copy.archive for _, copy in archived_copies(s.item)]
                for s in located.get("sources", []) if s.item.id in texts}

    @functools.cache
    def whole_file(source_id: str) -> str:
        """A source's whole archived files, read only for a quote its article lacks."""
        try:
            return "\n".join(by_paragraph(read_input(path, sources_dir).decode("utf-8"))
                             for path in archives[source_id])
        except (OSError, UnicodeDecodeError, InputRefused):  # two sources with one id, the other's file unreadable
            return ""

    reading = Reading()
    backlinks: dict[Ref, set[Ref]] = defaultdict(set)
    if kept is not None and kept.ids != (ids := tuple((kind, frozenset(found)) for kind, found in items.items())):
        kept.ids, kept.items = ids, {}  # let go now: not one entry would be used
    last = kept.items if kept is not None else {}
    now: dict[int, tuple[Any, tuple[Named, tuple[Citation, ...]], tuple[Ref, ...]]] = {}
    for kind, entries in located.items():
        for entry in entries:
            owner = Ref(kind, entry.item.id) if hasattr(entry.item, "id") else None
            hit = last.get(id(entry.item))
            if hit is not None and hit[0] is entry.item:
                _, site_links, refs = hit
                quote_at = _quote_locs(entry)
                for index, citation in enumerate(site_links[1]):
                    _check_quote(citation, texts, whole_file, reading, entry.doc, functools.partial(quote_at, index),
                                 problems)
            else:
                links = item_links(entry.item)
                site_links = (tuple((kinds, target) for _, kinds, target in links[0]),
                              tuple(citation for _, citation in links[1]))
                refs = tuple(_resolve_item(entry, links, items, places, texts, whole_file, reading, problems))
            now[id(entry.item)] = (entry.item, site_links, refs)
            if owner and items[kind].get(owner.id) is entry.item:
                site.links[owner] = site_links
            for ref in refs:
                if owner and ref != owner:
                    backlinks[ref].add(owner)
    if kept is not None and not problems.problems:
        kept.items = now
    site.backlinks = {ref: sorted(owners, key=lambda r: (r.kind, r.id)) for ref, owners in backlinks.items()}
    site.changes = [entry.item for entry in located.get("changes", [])]
    for change in site.changes:
        for ref in change_refs(change, items):
            site.changes_for.setdefault(ref, []).append(change)
    return site


def change_refs(change: m.Change, items: dict[str, dict[str, Any]]) -> list[Ref]:
    """The items a change note names, in its order (a `kind/id` names only that kind)."""
    found: list[Ref] = []
    for target in change.items:
        named_kind, _, item_id = target.rpartition("/")
        found += [Ref(kind, item_id) for kind in ((named_kind,) if named_kind else ANY_ITEM)
                  if item_id in items.get(kind, {})]
    return found


def id_line(entry: Located) -> int:
    """The line of an item's id, worked out only for a message: an item's marks are not kept."""
    return entry.doc.where((*entry.loc, "id"))[0]


def _resolve_item(entry: Located, links: Links, items: dict[str, dict[str, Any]], places: dict[Ref, Located],
                  texts: dict[str, str], whole_file: Callable[[str], str], reading: Reading,
                  problems: Collector) -> list[Ref]:
    """The items an item names (links: its item_links), with its quotes checked. places: where each
    item is, to name both items an id names in two kinds."""
    refs: list[Ref] = []
    references, citations = links
    for field_loc, kinds, target in references:
        ref = _resolve(target, kinds, items, places, entry.doc, (*entry.loc, *field_loc), reading, problems)
        if ref:
            refs.append(ref)
    quote_at = _quote_locs(entry, citations)
    for index, (_, citation) in enumerate(citations):
        _check_quote(citation, texts, whole_file, reading, entry.doc, functools.partial(quote_at, index), problems)
    return refs


def _quote_locs(entry: Located, citations: list[tuple[Loc, Citation]] | None = None) -> Callable[[int], Loc]:
    """Where the item's index-th quote is; its citations are gathered, once, only if a problem asks."""
    gathered = functools.cache(lambda: citations if citations is not None else item_links(entry.item)[1])
    return lambda index: (*entry.loc, *gathered()[index][0])


def item_links(item: Any) -> Links:
    """The references and citations inside an item, at locs relative to it."""
    links: Links = ([], [])
    _gather_links(item, (), links)
    return links


ARCHIVED_TEXT_LIMIT = 64 * MEGABYTE
"""Characters of archived text one build reads for all its sources, in all: each file is read whole
only up to inputs.LIMITS, and this keeps a list of many large files (or copies) from taking
gigabytes. The real sources are a few hundred thousand; the 10,000-item benchmark's about four million."""


def _source_texts(entries: list[Located], sources_dir: Path, problems: Collector) -> dict[str, str]:
    """Load each source's archived text once, normalised for the quote check.

    Its paragraphs, and the copies of an article, are joined by a line break, which no normalised
    quote holds, so a quote is found only within one paragraph of one copy (see by_paragraph).
    """
    texts: dict[str, str] = {}
    left = ARCHIVED_TEXT_LIMIT
    for entry in entries:
        source: m.Source = entry.item
        copies: list[str] = []
        named: set[tuple[str, Any]] = set()
        for loc, copy in archived_copies(source):
            if (copy.archive, copy.lines) in named:
                problems.add(entry.doc.path, *entry.doc.where((*entry.loc, *loc, "archive")),
                             f'"sources/{copy.archive}" is named twice for this article, with the same lines; a'
                             " copy is another archive of the article: remove the repeat")
                continue
            named.add((copy.archive, copy.lines))
            try:
                text = by_paragraph(archived_text(copy, sources_dir))
                left -= len(text)
                if left < 0:
                    raise InputRefused(f"takes the archived text read for all the sources past"
                                       f" {ARCHIVED_TEXT_LIMIT // MEGABYTE} million characters",
                                       "archive only the article itself, with its lines: range")
                copies.append(text)
            except InputRefused as exc:  # a link out of sources/ (never shown in a hint), a device, a huge file
                problems.add(entry.doc.path, *entry.doc.where((*entry.loc, *loc, "archive")),
                             f'archived text "sources/{copy.archive}": {exc}')
            except (OSError, UnicodeDecodeError):
                problems.add(entry.doc.path, *entry.doc.where((*entry.loc, *loc, "archive")),
                             f'archived text "sources/{copy.archive}" cannot be read; copy the article there'
                             " as UTF-8 text or correct the file name")
        if len(copies) == len(source.copies) + 1:
            texts[source.id] = "\n".join(copies)
    return texts


SAME_ARTICLE_SENTENCES = 3
"""Two source entries with this many long sentences in common hold the same article: different
articles share at most a line one quotes from another, or a publisher's boilerplate note."""

LONG_SENTENCE_WORDS = 12
"""A sentence of this many words or more is too particular for two articles to share by chance."""

SENTENCE_BREAK = re.compile(r"[.!?…] |\n")
"""Where a sentence of a normalised text ends (its spaces are single) or one archived copy ends."""
SENTENCE_EDGES = " -–•*.!?…"
"""List marks before a sentence and the mark that ends it (the last sentence of a copy keeps it)."""


@functools.lru_cache(maxsize=1 << 14)
def long_sentences_of(text: str) -> tuple[str, ...]:
    """A normalised source text's long sentences, in order, each once, without list marks or the
    mark that ends them."""
    sentences = (sentence.strip(SENTENCE_EDGES) for sentence in SENTENCE_BREAK.split(text))
    return tuple(dict.fromkeys(s for s in sentences if s.count(" ") >= LONG_SENTENCE_WORDS - 1))


def check_one_entry_per_article(entries: list[Located], texts: dict[str, str], problems: Collector) -> None:
    """Report a source entry that holds the same article as an earlier one (the same address, or
    long sentences in common): citing both would read as two confirmations of one report."""
    by_address: dict[str, Located] = {}
    by_sentence: dict[str, Located] = {}
    for entry in entries:
        source: m.Source = entry.item
        if source.id not in texts:
            continue  # unreadable, and reported
        sentences = long_sentences_of(texts[source.id])
        address = source.url.split("://", 1)[-1].rstrip("/").lower() if source.url else ""
        shared: dict[str, tuple[Located, list[str]]] = {}  # by the earlier entry's id
        for sentence in sentences:
            owner = by_sentence.get(sentence)
            if owner is not None:
                shared.setdefault(owner.item.id, (owner, []))[1].append(sentence)
        most = max(shared.values(), key=lambda found: len(found[1]), default=None)
        earlier: Located | None = None
        if address in by_address:
            earlier, field = by_address[address], "url"
            evidence = f"both give the address {source.url}"
        elif most is not None and len(most[1]) >= SAME_ARTICLE_SENTENCES:
            earlier, field = most[0], "archive"
            example = next((s for s in most[1] if s[0].isalpha() and "://" not in s), most[1][0])  # prose, if any
            evidence = f'they share {len(most[1])} long sentences, such as "{shorten_words(example, 12)}"'
        if earlier is not None:
            line, column = entry.doc.where((*entry.loc, field))
            at_line, at_column = earlier.doc.where((*earlier.loc, "id"))
            problems.add(entry.doc.path, line, column,
                         f'source "{source.id}" holds the same article as "{earlier.item.id}" ({earlier.doc.path}:'
                         f"{at_line}:{at_column}): {evidence}; one article is one source, or citing both reads as"
                         " two confirmations: keep one entry for the article (list another archived copy of it"
                         " under that entry's copies) and cite only that entry")
        if address:
            by_address.setdefault(address, entry)
        for sentence in sentences:
            by_sentence.setdefault(sentence, entry)


def shorten_words(text: str, words: int) -> str:
    """The first words of a text, with an ellipsis when there are more."""
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


@functools.cache
def _linking_fields(model: type[BaseModel]) -> tuple[tuple[str, tuple[str, ...] | None], ...]:
    """The fields of a model that name items (with the kinds they may name) or hold models (None):
    its text, numbers and dates are never looked at."""
    return tuple((name, REFERENCES.get((model, name))) for name, info in model.model_fields.items()
                 if (model, name) in REFERENCES or _holds_model(info.annotation))


def _holds_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_model(arg) for arg in typing.get_args(annotation))


def _gather_links(obj: BaseModel, loc: Loc, links: Links) -> None:
    """Add every (loc, target kinds, id) that obj and its nested models name, and every citation
    (with the loc of its quote), to links, in the order of the fields."""
    references, citations = links
    if isinstance(obj, Citation):
        citations.append(((*loc, "quote"), obj))
    for name, kinds in _linking_fields(type(obj)):
        value = getattr(obj, name)
        if kinds and isinstance(value, str):
            references.append(((*loc, name), kinds, value))
        elif kinds and isinstance(value, list):
            references.extend(((*loc, name, i), kinds, v) for i, v in enumerate(value))
        elif isinstance(value, BaseModel):
            _gather_links(value, (*loc, name), links)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, BaseModel):
                    _gather_links(v, (*loc, name, i), links)


def narrowed(target: str, kinds: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The id and the kinds a reference may name: `kind/id` names only that kind (two kinds may share an id)."""
    kind, slash, bare = target.partition("/")
    return (bare, (kind,)) if slash and kind in kinds else (target, kinds)


def _resolve(target: str, kinds: tuple[str, ...], items: dict[str, dict[str, Any]], places: dict[Ref, Located],
             doc: Marked, loc: Loc, reading: Reading, problems: Collector) -> Ref | None:
    """Find the one item an id (or kind/id) names among kinds, or report it with the nearest existing id
    (while the reading allows), unless its file's problems are more than are listed."""
    target, kinds = narrowed(target, kinds)
    matches = [kind for kind in kinds if target in items[kind]]
    if len(matches) == 1:
        return Ref(matches[0], target)
    if problems.full(doc.path):
        return None
    line, column = doc.where(loc)
    if matches:
        named = " and ".join(f"data/{kind}.yaml line {id_line(places[Ref(kind, target)])}" for kind in matches)
        problems.add(doc.path, line, column, f'"{target}" names an item in {named}; rename one of them, or'
                                             f" write kind/id here (such as {matches[0]}/{target})")
        return None
    known = [item_id for kind in kinds for item_id in items[kind]]
    where = " or ".join(f"data/{kind}.yaml" for kind in kinds)
    problems.add(doc.path, line, column,
                 f'no item with id "{target}" in {where};{reading.suggest(target, known)}'
                 " use the id of an existing item or add the item")
    return None


def _check_quote(citation: Citation, texts: dict[str, str], whole_file: Callable[[str], str], reading: Reading,
                 doc: Marked, loc_of: Callable[[], Loc], problems: Collector) -> None:
    """Report a quote that does not occur in its source, at loc_of(), with the closest passage that does
    (while the reading allowed lasts); once the quote check's reading is spent, say so once and stop."""
    text = texts.get(citation.source)
    if text is None or reading.left < 0:
        return  # the dangling source id is reported by _resolve; a spent reading where it ran out
    quote = normalised_quote(citation.quote)
    if reading.spend(len(text)) and quoted_in(quote, text):
        return
    if reading.left < 0 or not reading.spend(len(whole_file(citation.source)) + 2 * len(text)):
        problems.add(doc.path, *doc.where(loc_of()), f"the quote check stopped here: the quotes ask for more than"
                                                f" {QUOTE_READING:,} characters of source text to be searched,"
                                                " far more than a real site's; cite fewer, or shorter, sources")
        return
    line, column = doc.where(loc_of())
    if quote in whole_file(citation.source):
        problems.add(doc.path, line, column,
                     f'quote is outside the article "{citation.source}" (in reader comments or another article'
                     " of the same file); cite only the article's own words, or, if lines were added to or"
                     " removed from the file, correct the source's lines: range to fit its article again")
        return
    if quote[:1] == quote[-1:] == '"' and quote[1:-1].strip() in text:
        problems.add(doc.path, line, column,
                     f'the quote begins and ends with quotation marks that "{citation.source}" does not have'
                     ' there: curly marks (“…”) around a value are part of it; put straight double quotes "…"'
                     " around the quote instead")
        return
    if quote in text.replace("\n", " "):
        problems.add(doc.path, line, column,
                     f'the quote runs from one paragraph of "{citation.source}" into the next; quote one'
                     " paragraph at a time, each with a citation of its own")
        return
    closest = reading.closest(quote, text.replace("\n", " "))
    problems.add(doc.path, line, column,
                 f'quote not found in source "{citation.source}"; '
                 + (f'the closest passage in the source is: "{closest}"; ' if closest is not None else "")
                 + "copy the words exactly as the source gives them")
