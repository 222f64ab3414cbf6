"""The home page's key figures: which items the editors chose (content/index.md's key_figures)."""

from __future__ import annotations

from .errors import Collector
from .resolve import Ref, Site

FIGURE_KINDS = {"funding": "values", "pilots": "area_counts"}
"""The kinds a key figure may come from, and the field holding its reported values."""


def key_figures(site: Site, problems: Collector) -> list[Ref]:
    """The home page's key figures as references, each checked: a known kind and item with figures."""
    home = next((page for page in site.pages if page.slug == "index"), None)
    if home is None:
        return []
    refs: list[Ref] = []
    for index, entry in enumerate(home.meta.key_figures):
        kind, _, item_id = entry.partition("/")
        line, column = home.front_matter.where(("key_figures", index)) if home.front_matter else (1, 1)
        if kind not in FIGURE_KINDS:
            problems.add(home.path, line, column, f"key figure “{entry}” is not of a kind with figures;"
                         " write funding/ID or pilots/ID")
        elif item_id not in site.items[kind]:
            problems.add(home.path, line, column, f"key figure “{entry}” names no item in data/{kind}.yaml;"
                         f" use the id of one of its items, as {kind}/ID")
        elif not getattr(site.items[kind][item_id], FIGURE_KINDS[kind]):
            problems.add(home.path, line, column, f"key figure “{entry}” has no reported figures to show;"
                         " choose an item that gives some")
        elif Ref(kind, item_id) in refs:
            problems.add(home.path, line, column, f"key figure “{entry}” is listed twice, so the home page would"
                                                  " show it twice; remove one")
        else:
            refs.append(Ref(kind, item_id))
    return refs


QUESTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("What was rejected?", ("recommendations/status/rejected/",)),
    ("How much money was called for, and how much was set aside?", ("funding/",)),
    ("Was my council named in a pilot?", ("for/councils/#councils", "areas/")),
)
"""The home page's questions, in readers' own words, each with the pages that answer it, best first:
the first the site has is linked, and a question none of whose pages exist is left out. A page may
be linked at a part of it ("for/councils/#councils": the councils' A to Z, not the top of a long guide)."""

READERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("I am a parent, or I bring up a relative's child", ("for/families/",)),
    ("I am a care leaver", ("for/care-leavers/",)),
    ("I am a social worker", ("for/social-workers/",)),
    ("I am a journalist", ("for/journalists/",)),
)
"""The home page's other way in, by who the reader is, each with its guide, chosen as QUESTIONS are."""


def questions(pages: set[str], entries: tuple[tuple[str, tuple[str, ...]], ...] = QUESTIONS) -> list[tuple[str, str]]:
    """Each entry point the site can answer, as (words, path of its page), from the planned pages."""
    found: list[tuple[str, str]] = []
    for words, answers in entries:
        page = next((path for path in answers if f"{path.partition('#')[0]}index.html" in pages), None)
        if page is not None:
            found.append((words, page))
    return found
