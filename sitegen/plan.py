"""The page plan: which pages the site has, each with its template and context.

Adding a page kind means adding a job here and a template in templates/. Data downloads, the feed,
the sitemap and copied schemas are jobs too (rendered through `_dataset.txt`, `feed.xml`,
`sitemap.xml` and `_raw.txt`), so every output file goes through the same collision check.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import Any, NamedTuple

from markupsafe import Markup

from . import models as m
from .cache import digest
from .downloads import CSV_DRAWS, ROWS, change_files, funding_order
from .errors import Collector
from .feeds import feed_entries, sitemap_paths
from .home import READERS, key_figures, questions
from .inputs import InputRefused, read_input
from .pictures import areas_chart, funding_charts, needed_and_given, response_glance, timeline_glance
from .render import Renderer, Settings
from .resolve import REFERENCES, Ref, Site
from .search import Shard, plan_shards
from .views import Views
from .words import KIND_SINGULAR, KIND_TITLES, title_of


@dataclass(frozen=True)
class PageJob:
    """One output file: the template that makes it, where it goes, its context, and what it shows.

    `items`, `kinds` and `summary` name everything the page shows besides what every page shows (see
    Renderer.site_wide): the build renders the page again only when the content of one of them
    changed, or the templates, the code or the settings did. A page that shows something it does
    not name here would be left stale, which tests/test_cache.py checks for an edit of every kind.
    """

    dest: str
    template: str
    context: dict[str, Any]
    items: tuple[Ref, ...] = ()
    kinds: tuple[str, ...] = ()
    summary: str = ""
    """Plain values the page shows that sum up a whole kind (its place among its list's pages, the
    filters' counts), so that it depends on them rather than on every item of the kind."""


PAGES = "pages"
"""The kind name the content/*.md pages go by in a job's kinds."""
CHANGES = "changes"
"""The change notes (which have no ids) as a job's kind."""

ITEM_PAGE_KINDS = {"themes": ("sources",), "areas": ("funding", "pilots", "sources"),
                   "timeline": ("timeline", "sources", PAGES)}
"""Whole kinds an item's page, and the rows of its kind's lists and print pages, show besides its
neighbours: a theme's page, as an area's, shows the dates of the sources its neighbours cite
(views.sources_behind; its filters' counts are in its job's summary); an area's opening sentence
names its programmes' money (views.area_programmes); an event's date may be given from a chain of
events (views.event_date), and a plan past its date says "no report since in our sources" from the
sources of every event about the same items and the editors' last review, in content/index.md
(views.overdue_ids)."""

ROWS_PER_PAGE = 100
"""Items a list or filter page shows at most; the others are on its numbered pages."""

QUOTES_PER_PAGE = 250
"""Quotes a source's page lists at most; the others are on its numbered pages."""

PAGED_ITEMS: dict[str, Callable[[Views, str], tuple[list[Any], str, int]]] = {
    "themes": lambda views, theme: (views.recommendations_where("themes", theme), "recs", ROWS_PER_PAGE),
    "missions": lambda views, mission: (views.recommendations_where("missions", mission), "recs", ROWS_PER_PAGE),
    "sources": lambda views, source: (views.quotes_from(source), "quotes", QUOTES_PER_PAGE),
}
"""The kinds whose item pages list many items, each page with what it lists (the context's name for
it) and how many a page holds: a theme's or mission's proposals (a theme's page filters them, as
the list does), a source's quotes."""

WHOLE_KIND_LISTS = ("funding", "timeline")
"""Kinds whose list pages draw the whole kind (the funding charts, the timeline's overview and its
chains of events): each of their pages shows every item. Any other list page shows only its own
rows of its kind, and names only those."""

A_TO_Z_PER_PAGE = 3000
"""Entries a page of the A–Z holds at most: about 450 KB of HTML."""

PRINT_SECTIONS = ("recommendations", "missions", "pilots", "areas", "funding", "timeline", "glossary", "sources")
"""The sections of the print page, each a kind of item, in order."""

PRINT_ITEMS = 500
"""A site with more items than this in the print page's sections prints each section on pages of its
own, linked from the print page's contents: one page of them all would be megabytes."""

PRINT_ROWS_PER_PAGE = 150
"""Items a section's print page holds at most, once the print page is split: under 1 MB of HTML with
the longest bodies the benchmarks generate."""

UNSEARCHED = {"search_indexed": False}
"""The context of a page search should not find: it lists items that have pages of their own (lists,
filters, the A–Z, the print page), or has nothing to find (search, 404). Only the others are indexed."""

HOME_DEFAULT = m.Page(
    title="Children's social care reform in England, explained",
    description="What the Independent Review of Children's Social Care proposed, what the government"
                " answered, and what has happened since, with every fact linked to its source.",
)


def plan_pages(site: Site, renderer: Renderer, problems: Collector) -> list[PageJob]:
    """Every file of the site: pages, list and permalink pages per kind, filters, feeds and downloads."""
    views = renderer.views
    project = renderer.templates_dir.parent
    changes = sorted(site.changes, key=lambda c: (c.date, c.summary), reverse=True)
    near, cites = neighbours(site)
    everything = tuple(sorted({*site.items, CHANGES, PAGES}))
    jobs: list[PageJob] = []

    # Markdown pages: the home page and pages such as About
    bodies: dict[str, Markup] = {}
    for page in site.pages:
        body, issues = renderer.markdown(page.body)
        for issue in issues:
            problems.add(page.path, page.body_line + issue.line - 1, issue.column, issue.message)
        bodies[page.slug] = renderer.link_terms(body)
    home = next((p.meta for p in site.pages if p.slug == "index"), HOME_DEFAULT)
    charts = funding_charts(site, views)
    figures = key_figures(site, problems)
    glance, overview = response_glance(site, views, renderer), timeline_glance(site, views, renderer)
    home_context = {"meta": home, "body": bodies.get("index", Markup("")), "figures": figures,
                    "glance": glance}  # and its questions (below)
    jobs.append(PageJob("index.html", "home.html", home_context, kinds=everything))
    for page in site.pages:
        if page.slug != "index":
            jobs.append(PageJob(f"{page.slug}/index.html", "page.html", {"meta": page.meta, "body": bodies[page.slug]},
                                kinds=(PAGES,)))

    # List pages of at most ROWS_PER_PAGE items, and a permalink page per item, for every kind
    filters = filter_summary(site, views)
    for kind in KIND_TITLES:
        items = sorted(site.items[kind].values(), key=sort_key(kind, views))
        shown = kinds_shown(kind, site, near)
        listed = funding_order(site) if kind == "funding" else items  # the funding table's order
        if kind == "funding":  # its page opens with the key figures content/index.md chooses
            shown = (*shown, PAGES)
        for dest, chunk, pager in paginate(listed, f"{kind}/", renderer.url):
            context: dict[str, Any] = {"kind": kind, "items": chunk, "pager": pager, **UNSEARCHED}
            if kind == "funding":
                answer = [ref for ref in figures if ref.kind == "funding"]
                context.update(charts=charts, lines=chunk, figures=answer,
                               needed=needed_and_given(site, views, [ref.id for ref in answer]))
            if kind == "recommendations":
                context["glance"] = glance
            if kind == "timeline":
                context["overview"] = overview
            if kind == "pilots":
                context["areas_chart"] = areas_chart(views, chunk)
            if kind == "glossary":
                context["letters"] = by_initial(chunk, lambda term: term.term)
            jobs.append(list_job(dest, renderer.pick(f"{kind}/list.html", "list.html"), context, kind, chunk, shown,
                                 f"{pager!r} {filters if kind == 'recommendations' else ''}"))
        item_template = renderer.pick(f"{kind}/item.html", "item.html")
        for item in items:
            ref = Ref(kind, item.id)
            noted = (CHANGES,) if ref in site.changes_for else ()  # the page lists the change notes naming it
            shows: dict[str, Any] = {"kind": kind, "item": item, "ref": ref}
            pages = [(f"{kind}/{item.id}/index.html", shows)]
            if kind in PAGED_ITEMS:  # its proposals or quotes in pages, as lists are; search finds the first
                listed, name, per_page = PAGED_ITEMS[kind](views, item.id)
                pages = [(dest, {**shows, name: chunk, "pager": pager, **(UNSEARCHED if pager.number > 1 else {})})
                         for dest, chunk, pager in paginate(listed, f"{kind}/{item.id}/", renderer.url, per_page)]
            for dest, page_context in pages:
                paged = page_context.get("pager")
                summary = f"{paged!r} {filters if kind == 'themes' else ''}" if paged else ""
                # and the sources its neighbours cite: it shows their dates of report ("as reported on …")
                behind = set().union(*(cites.get(other, ()) for other in near[ref])) - {ref}
                jobs.append(PageJob(dest, item_template, page_context, items=(ref, *sorted(near[ref] | behind)),
                                    kinds=(*ITEM_PAGE_KINDS.get(kind, ()), *noted), summary=summary))

    # Filters that work without JavaScript: a page per response status (themes have their own pages)
    shown = kinds_shown("recommendations", site, near)
    for status, _count in views.statuses():
        for dest, chunk, pager in paginate(views.by_status(status), f"recommendations/status/{status}/", renderer.url):
            jobs.append(list_job(dest, "recommendations/status.html",
                                 {"status": status, "items": chunk, "pager": pager, **UNSEARCHED},
                                 "recommendations", chunk, shown, f"{pager!r} {filters}"))
    for theme_id, status, found in views.theme_statuses():  # and one per theme and status, so a theme keeps its filter
        theme = site.items["themes"][theme_id]
        for dest, chunk, pager in paginate(found, f"themes/{theme_id}/status/{status}/", renderer.url):
            jobs.append(list_job(dest, "recommendations/status.html",
                                 {"status": status, "theme": theme, "items": chunk, "pager": pager, **UNSEARCHED},
                                 "recommendations", chunk, shown, f"{pager!r} {filters}"))

    jobs.append(PageJob("changes/index.html", "changes.html", {"changes": changes}, kinds=everything))
    printed = {"meta": home, "bodies": bodies, "charts": charts, "changes": changes, "glance": glance,
               "overview": overview, **UNSEARCHED}
    rows = print_rows(site, views)
    split = sum(len(site.items[kind]) for kind in PRINT_SECTIONS) > PRINT_ITEMS
    jobs.append(PageJob("print/index.html", "print.html",
                        {**printed, "split": split, "rows": {} if split else rows, "pager": None,
                         "sections": ("intro",) if split else ("intro", *PRINT_SECTIONS)},
                        kinds=everything))
    for section in PRINT_SECTIONS if split else ():
        for dest, chunk, pager in paginate(rows[section], f"print/{section}/", renderer.url, PRINT_ROWS_PER_PAGE):
            jobs.append(list_job(dest, "print.html", {**printed, "split": True, "sections": (section,),
                                                      "rows": {section: chunk}, "pager": pager},
                                 section, chunk, tuple(kind for kind in everything
                                                       if kind != PAGES or kind in ITEM_PAGE_KINDS.get(section, ())),
                                 repr(pager)))
    # The search page's filter offers the type of each kind that has item pages (their `type` meta, see
    # item.html); the other shards' bundles are added once every page is listed (below).
    search: dict[str, Any] = {"page_types": [KIND_SINGULAR[kind] for kind in KIND_SINGULAR if site.items.get(kind)],
                              **UNSEARCHED}
    jobs.append(PageJob("search/index.html", "search.html", search, kinds=everything))
    jobs += a_to_z_jobs(a_to_z(site, renderer.item_url), renderer.url, everything)
    jobs.append(PageJob("404.html", "404.html", {**UNSEARCHED}))
    pilots = sorted(site.items["pilots"].values(), key=sort_key("pilots", views))
    pictures = {"areas": areas_chart(views, pilots), "response": glance if site.items["recommendations"] else None}
    jobs += guide_jobs(site, views, everything, pictures)

    # Downloads, schemas, feed, sitemap and robots.txt
    for kind in sorted(ROWS):
        jobs.append(PageJob(f"data/{kind}.csv", "_dataset.txt", {"kind": kind, "format": "csv"},
                            kinds=CSV_DRAWS.get(kind, everything)))
        jobs.append(PageJob(f"data/{kind}.json", "_dataset.txt", {"kind": kind, "format": "json"}, kinds=(kind,)))
    for dest, text in change_files(changes).items():
        jobs.append(PageJob(dest, "_raw.txt", {"body": Markup(text)}, kinds=(CHANGES,)))
    schemas = project / "schemas"
    for path in sorted(schemas.glob("*.schema.json")) if schemas.is_dir() else []:
        try:
            text = read_input(path, schemas).decode("utf-8")
        except (OSError, InputRefused, UnicodeDecodeError) as exc:
            problems.add(f"schemas/{path.name}", 1, 1, str(exc) if isinstance(exc, InputRefused) else
                         "cannot be read as UTF-8 text; run `build.py schema` to write it again")
            continue
        jobs.append(PageJob(f"schemas/{path.name}", "_raw.txt", {"body": Markup(text)}))
    jobs.append(PageJob("feed.xml", "feed.xml", {"entries": feed_entries(site, views, changes)}, kinds=everything))
    jobs.append(PageJob("sitemap.xml", "sitemap.xml", {"pages": sitemap_paths([job.dest for job in jobs])},
                        kinds=everything))
    jobs.append(PageJob("robots.txt", "robots.txt", {}))
    planned = {job.dest for job in jobs}
    home_context["questions"], home_context["readers"] = questions(planned), questions(planned, READERS)
    search["merge"] = [shard.bundle for shard in search_shards(jobs, renderer.settings)[1:]]
    return unique_jobs(jobs, problems)


@dataclass(frozen=True)
class Pager:
    """Where a list page stands among the pages of one list, for the numbered page links."""

    number: int
    links: tuple[tuple[int, str], ...]
    """Every page of the list as (number, URL), the first at the list's own address."""
    total: int
    """How many items the list has over all its pages."""


def paginate(items: list[Any], folder: str, url: Callable[[str], str],
             per_page: int | None = None) -> list[tuple[str, list[Any], Pager]]:
    """A list's pages as (destination, items, pager): ROWS_PER_PAGE items each (or per_page), the
    first at folder/index.html and page n at folder/page/n/index.html; one (empty) page for no items."""
    per_page = per_page or ROWS_PER_PAGE
    chunks = [items[start:start + per_page] for start in range(0, len(items), per_page)] or [[]]
    dests = [f"{folder}index.html" if number == 1 else f"{folder}page/{number}/index.html"
             for number in range(1, len(chunks) + 1)]
    links = tuple((number, url(dest.removesuffix("index.html"))) for number, dest in enumerate(dests, start=1))
    return [(dest, chunk, Pager(number, links, len(items)))
            for number, (dest, chunk) in enumerate(zip(dests, chunks, strict=True), start=1)]


def list_job(dest: str, template: str, context: dict[str, Any], kind: str, chunk: list[Any],
             shown: tuple[str, ...], summary: str) -> PageJob:
    """A page of a list of one kind's items: it names the items on it, not the whole kind (unless the
    kind's lists draw the whole kind, see WHOLE_KIND_LISTS), and the other kinds its rows show."""
    if kind in WHOLE_KIND_LISTS:
        return PageJob(dest, template, context, kinds=shown, summary=summary)
    return PageJob(dest, template, context, items=tuple(Ref(kind, item.id) for item in chunk),
                   kinds=tuple(other for other in shown if other != kind), summary=summary)


def filter_summary(site: Site, views: Views) -> str:
    """What the proposals' filters and their overview show of all the proposals: the number of each
    status, overall and within each theme, and each theme's title and number of proposals. As a
    hash: it is part of the summary of every page that filters the proposals."""
    themes = [(t.id, t.title, len(views.recommendations_where("themes", t.id)), views.statuses_within(t.id))
              for _, t in sorted(site.items["themes"].items())]
    return digest(repr((len(site.items["recommendations"]), views.statuses(), themes)).encode())


def print_rows(site: Site, views: Views) -> dict[str, list[Any]]:
    """Each section's items in the order the print page lists them."""
    order = {"recommendations": lambda item: (item.title.lower(), item.id), "missions": lambda item: item.number,
             "areas": lambda item: (item.name.lower(), item.id), "glossary": lambda item: (item.term.lower(), item.id),
             "timeline": views.event_key}
    rows = {section: sorted(site.items[section].values(), key=order.get(section, lambda item: item.id))
            for section in PRINT_SECTIONS if section != "funding"}
    rows["funding"] = funding_order(site)
    return rows


def unique_jobs(jobs: list[PageJob], problems: Collector) -> list[PageJob]:
    """The jobs, each destination once: a second page at one path is a problem, not an overwrite."""
    seen: set[str] = set()
    kept: list[PageJob] = []
    for job in jobs:
        if job.dest in seen:
            problems.add(f"templates/{job.template}", 1, 1,
                         f"two pages would be written to {job.dest}; give one of the items another id")
            continue
        seen.add(job.dest)
        kept.append(job)
    return kept


def neighbours(site: Site) -> tuple[dict[Ref, set[Ref]], dict[Ref, set[Ref]]]:
    """Each item's neighbours: the items it names or cites, and the items that name or cite it; and
    the sources each item cites.

    An item's page shows its neighbours (their titles, statuses, dates, quotes), so it depends on them.
    """
    near: dict[Ref, set[Ref]] = defaultdict(set)
    cites: dict[Ref, set[Ref]] = defaultdict(set)
    for kind, items in site.items.items():
        for item_id in items:
            ref = Ref(kind, item_id)
            references, citations = site.links[ref]
            named = [Ref(k, target) for kinds, target in references for k in kinds
                     if target in site.items.get(k, {})]
            for other in [*named, *(Ref("sources", c.source) for c in citations)]:
                if other != ref:
                    near[ref].add(other)
                    near[other].add(ref)
                    if other.kind == "sources":
                        cites[ref].add(other)
    return near, cites


def kinds_shown(kind: str, site: Site, near: dict[Ref, set[Ref]]) -> tuple[str, ...]:
    """The kinds a list of one kind's items shows: its own, what its items' pages show of whole kinds
    (ITEM_PAGE_KINDS), and its items' neighbours' kinds."""
    shown = {kind, *ITEM_PAGE_KINDS.get(kind, ())}
    for item_id in site.items[kind]:
        shown.update(other.kind for other in near[Ref(kind, item_id)])
    return tuple(sorted(shown))


GUIDE_LINK_KINDS = REFERENCES[(m.GuideQuestion, "links")]
"""The kinds a guide's question may link to (resolve checks that each id names one of them)."""


def guide_jobs(site: Site, views: Views, everything: tuple[str, ...], pictures: dict[str, Any]) -> list[PageJob]:
    """A page for each kind of reader at for/<id>/, and for/ listing them: each question's links as
    references and its picture (of pictures by name, or the money picture of the sums it links to), the
    councils A to Z for a guide that shows them, the downloads for one that lists them.
    A guide draws on every kind (its councils' sentences come from pilots, funding and sources), and
    there are only a few, so each shows `everything`."""
    guides = list(site.items["guides"].values())  # in the order of data/guides.yaml: the editors choose it
    if not guides:
        return []
    jobs = [PageJob("for/index.html", "guides/list.html", {"kind": "guides", "items": guides, **UNSEARCHED},
                    kinds=("guides",))]
    areas = sorted(site.items["areas"].values(), key=sort_key("areas", views))
    for guide in guides:
        links = [[Ref(kind, item_id) for item_id in question.links for kind in GUIDE_LINK_KINDS
                  if item_id in site.items[kind]] for question in guide.questions]
        extras = {extra.value for extra in guide.extras}
        jobs.append(PageJob(f"for/{guide.id}/index.html", "guides/item.html", {
            "kind": "guides", "item": guide, "ref": Ref("guides", guide.id), "links": links,
            "councils": by_initial(areas, lambda area: area.name) if "councils" in extras else [],
            "downloads": sorted(ROWS) if "downloads" in extras else [],
            "extras": sorted(extras), "pictures": [
                None if q.picture is None else pictures[q.picture.value] if q.picture.value in pictures
                else needed_and_given(site, views, [i for i in q.links if i in site.items["funding"]])
                for q in guide.questions]}, kinds=everything))
    return jobs


def search_shards(jobs: list[PageJob], settings: Settings) -> list[Shard]:
    """How the pages search finds are split between the search index's bundles."""
    found = [job.dest for job in jobs if job.dest.endswith(".html") and job.context.get("search_indexed", True)]
    return plan_shards(found, settings.search_shard_pages)


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
    entries = sorted(((title_of(item), Ref(kind, item_id)) for kind in site.items
                      for item_id, item in site.items[kind].items()),
                     key=lambda entry: (entry[0].lower(), entry[1].kind, entry[1].id))
    return [Entry(letter, name, item_url(ref.kind, ref.id), KIND_SINGULAR[ref.kind].lower())
            for letter, group in by_initial(entries, lambda entry: entry[0]) for name, ref in group]


def a_to_z_jobs(entries: list[Entry], url: Callable[[str], str], everything: tuple[str, ...]) -> list[PageJob]:
    """The A–Z in pages of A_TO_Z_PER_PAGE entries. Each page links to every letter where it starts,
    and a letter that goes on from the page before says so."""
    firsts: dict[str, int] = {}
    for at, entry in enumerate(entries):
        firsts.setdefault(entry.letter, at)
    anchors = {letter: f"az-{number}" for number, letter in enumerate(firsts, start=1)}
    pages = paginate(entries, "a-z/", url, A_TO_Z_PER_PAGE)
    jobs = []
    for page, (dest, chunk, pager) in enumerate(pages):
        letters = [(letter, ("" if at // A_TO_Z_PER_PAGE == page else pager.links[at // A_TO_Z_PER_PAGE][1])
                    + "#" + anchors[letter]) for letter, at in firsts.items()]
        groups = [(letter, anchors[letter], firsts[letter] < page * A_TO_Z_PER_PAGE, list(group))
                  for letter, group in groupby(chunk, key=lambda entry: entry.letter)]
        jobs.append(PageJob(dest, "a-z.html", {"letters": letters, "groups": groups, "pager": pager, **UNSEARCHED},
                            kinds=everything))
    return jobs
