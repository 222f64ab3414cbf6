"""How lists are ordered and cut into pages: each kind's order, the pages of a long list, the A–Z."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from .downloads import funding_order
from .resolve import Ref, Site
from .views import Views
from .words import KIND_SINGULAR, title_of


@dataclass(frozen=True)
class Pager:
    """Where a list page stands among the pages of one list, for the numbered page links."""

    number: int
    links: tuple[tuple[int, str], ...]
    """Every page of the list as (number, URL), the first at the list's own address."""
    total: int
    """How many items the list has over all its pages."""


def paginate(items: list[Any], folder: str, url: Callable[[str], str],
             per_page: int) -> list[tuple[str, list[Any], Pager]]:
    """A list's pages as (destination, items, pager): per_page items each, the first at
    folder/index.html and page n at folder/page/n/index.html; one (empty) page for no items."""
    chunks = [items[start:start + per_page] for start in range(0, len(items), per_page)] or [[]]
    dests = [f"{folder}index.html" if number == 1 else f"{folder}page/{number}/index.html"
             for number in range(1, len(chunks) + 1)]
    links = tuple((number, url(dest.removesuffix("index.html"))) for number, dest in enumerate(dests, start=1))
    return [(dest, chunk, Pager(number, links, len(items)))
            for number, (dest, chunk) in enumerate(zip(dests, chunks, strict=True), start=1)]


def sort_key(kind: str, views: Views) -> Callable[[Any], Any]:
    """How each kind is ordered on its list page."""
    if kind == "missions":
        return lambda item: item.number
    if kind == "timeline":
        return views.event_key
    if kind == "sources":
        return lambda item: (item.date or dt.date.min, item.id)
    if kind == "glossary":
        return lambda item: (item.term.lower(), item.id)
    if kind == "recommendations":
        return lambda item: (item.title.lower(), item.id)
    if kind in ("areas", "people"):
        return lambda item: (item.name.lower(), item.id)
    return lambda item: item.id


def by_initial(items: list[Any], name: Callable[[Any], str]) -> list[tuple[str, list[Any]]]:
    """Items grouped under the upper-case initial of their name, in the order given."""
    groups: dict[str, list[Any]] = {}
    for item in items:
        initial = name(item)[:1].upper()
        groups.setdefault(initial if initial.isalpha() else "0–9", []).append(item)
    return sorted(groups.items(), key=lambda kv: (kv[0] == "0–9", kv[0]))


class Entry(NamedTuple):
    """A line of the A–Z: the letter it is under, and an item's title, address and kind in words."""

    letter: str
    title: str
    address: str
    kind_words: str


def a_to_z(site: Site, item_url: Callable[[str, str], str]) -> list[Entry]:
    """Every item on the site, under its initial letter, for readers without search."""
    def words(entry: tuple[str, Ref]) -> str:  # a quoted title (a mission's) is filed by its first word
        return entry[0].lstrip("“")

    entries = sorted(((title_of(item), Ref(kind, item_id)) for kind in site.items
                      for item_id, item in site.items[kind].items()),
                     key=lambda entry: (words(entry).lower(), entry[1].kind, entry[1].id))
    return [Entry(letter, name, item_url(ref.kind, ref.id), KIND_SINGULAR[ref.kind].lower())
            for letter, group in by_initial(entries, words) for name, ref in group]


def print_rows(site: Site, views: Views, sections: tuple[str, ...]) -> dict[str, list[Any]]:
    """Each section's items (a section is a kind) in the order the print page lists them: as on their list
    pages, but sources by id, and the funding lines as the funding table has them."""
    rows = {section: sorted(site.items[section].values(),
                            key=(lambda item: item.id) if section == "sources" else sort_key(section, views))
            for section in sections if section != "funding"}
    rows["funding"] = funding_order(site)
    return rows
