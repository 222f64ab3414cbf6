"""The page plan: which pages the site has, each with its template, and what it shows (its context and
dependencies) worked out when the page is first asked for.

Adding a page kind means adding a job here and a template in templates/. Data downloads, the feed,
the sitemap and copied schemas are jobs too (rendered through `_dataset.txt`, `feed.xml`,
`sitemap.xml` and `_raw.txt`), so every output file goes through the same collision check.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, NamedTuple, TypeVar

from markupsafe import Markup

from . import models as m
from .cache import digest
from .downloads import CSV_DRAWS, ROWS, change_files, funding_order
from .errors import Collector
from .feeds import feed_entries, sitemap_paths
from .home import READERS, key_figures, questions
from .inputs import InputRefused, read_input
from .lists import Entry, Pager, a_to_z, by_initial, paginate, print_rows, sort_key
from .pictures import areas_chart, funding_charts, needed_and_given, response_glance, timeline_glance
from .render import Renderer, Settings
from .resolve import REFERENCES, Ref, Site, change_refs, narrowed
from .search import Shard, plan_shards
from .views import Views
from .words import KIND_SINGULAR, KIND_TITLES


class Shows(NamedTuple):
    """What a page shows: its template's context, and everything it shows besides what every page
    shows (see Renderer.site_wide), which the build's page keys are made of (build.page_keys): the
    build renders the page again only when the content of one of these changed, or the templates,
    the code or the settings did. A page that shows something not named here would be left stale,
    which tests/test_cache.py checks for an edit of every kind."""

    context: dict[str, Any]
    items: tuple[Ref, ...] = ()
    kinds: tuple[str, ...] = ()
    summary: str = ""
    """Plain values the page shows that sum up a whole kind (its place among its list's pages, the
    filters' counts), so that it depends on them rather than on every item of the kind."""


@dataclass(frozen=True)
class PageJob:
    """One output file: the template that makes it, where it goes, and how to work out what it shows.

    What a page shows is worked out when it is first asked for (`shown`): a build asks for every
    page's, the preview only for the pages the browser asks for."""

    dest: str
    template: str
    make: Callable[[], Shows] = field(repr=False, compare=False)
    searched: bool = True
    """False for a page search should not find: it lists items that have pages of their own (lists,
    filters, later pages of an item's list, the A–Z, the print page), or has nothing to find (search,
    404). The template is told so as `search_indexed`."""

    @functools.cached_property
    def shown(self) -> Shows:
        shows = self.make()
        return shows if self.searched else shows._replace(context={**shows.context, "search_indexed": False})


def ready(context: dict[str, Any], items: tuple[Ref, ...] = (), kinds: tuple[str, ...] = (),
          summary: str = "") -> Callable[[], Shows]:
    """What a page shows, when it is already known."""
    return functools.partial(Shows, context, items, kinds, summary)


T = TypeVar("T")


def once(work: Callable[..., T], *args: Any) -> Callable[[], T]:
    """work(*args), worked out when first asked for and kept: a value several pages show."""
    return functools.cache(functools.partial(work, *args))


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

HOME_DEFAULT = m.Page(
    title="Children's social care reform in England, explained",
    description="What the Independent Review of Children's Social Care proposed, what the government"
                " answered, and what has happened since, with every fact linked to its source.",
)


def plan_pages(site: Site, renderer: Renderer, problems: Collector) -> list[PageJob]:
    """Every file of the site: pages, list and permalink pages per kind, filters, feeds and downloads.

    Which pages there are is worked out here, with every problem planning finds; what each page
    shows when it is asked for (see PageJob), and what several pages show (each `once`) for the
    first of them that is."""
    views = renderer.views
    project = renderer.templates_dir.parent
    changes = sorted(site.changes, key=lambda c: (c.date, c.summary), reverse=True)
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
    figures = key_figures(site, problems)
    charts = once(funding_charts, site, views)
    glance, overview = once(response_glance, site, views, renderer), once(timeline_glance, site, views, renderer)

    planned: set[str] = set()  # every page's path, once all are listed (below): the home page's questions
    merge: list[str] = []  # and the search page's other bundles. Values, not jobs: a job never points at jobs,
    # so that the preview lets go of a plan without the cycle collector (see serve.Preview.refresh)

    def home_page() -> Shows:
        return Shows({"meta": home, "body": bodies.get("index", Markup("")), "figures": figures, "glance": glance(),
                      "questions": questions(planned), "readers": questions(planned, READERS)}, kinds=everything)

    jobs.append(PageJob("index.html", "home.html", home_page))
    for page in site.pages:
        if page.slug != "index":
            jobs.append(PageJob(f"{page.slug}/index.html", "page.html",
                                ready({"meta": page.meta, "body": bodies[page.slug]}, kinds=(PAGES,))))

    # List pages of at most ROWS_PER_PAGE items, and a permalink page per item, for every kind
    filters = once(filter_summary, site, views)
    needed = once(needed_and_given, site, views, [ref.id for ref in figures if ref.kind == "funding"])

    @functools.cache
    def near(ref: Ref) -> frozenset[Ref]:
        return frozenset(neighbours(site, ref))

    @functools.cache
    def cites(ref: Ref) -> frozenset[Ref]:
        return frozenset(other for other in named(site, ref) if other.kind == "sources")

    @functools.cache
    def shown(kind: str) -> tuple[str, ...]:
        """The kinds a list of this kind's items shows (see kinds_shown); the funding page also opens
        with the key figures content/index.md chooses."""
        return (*kinds_shown(kind, site, near), *((PAGES,) if kind == "funding" else ()))

    @functools.cache
    def item_shows(ref: Ref) -> tuple[Ref, ...]:
        """An item's page shows the item, its neighbours, and the sources they cite: their dates of
        report ("as reported on …")."""
        return (ref, *sorted(near(ref).union(*map(cites, near(ref))) - {ref}))

    def list_page(kind: str, chunk: list[Any], pager: Pager) -> Shows:
        context: dict[str, Any] = {"kind": kind, "items": chunk, "pager": pager}
        if kind == "funding":
            context.update(charts=charts(), lines=chunk, figures=[ref for ref in figures if ref.kind == "funding"],
                           needed=needed())
        if kind == "recommendations":
            context["glance"] = glance()
        if kind == "timeline":
            context["overview"] = overview()
        if kind == "pilots":
            context["areas_chart"] = areas_chart(views, chunk)
        if kind == "glossary":
            context["letters"] = by_initial(chunk, lambda term: term.term)
        return list_shows(context, kind, chunk, shown(kind),
                          f"{pager!r} {filters() if kind == 'recommendations' else ''}")

    def item_page(ref: Ref, context: dict[str, Any], pager: Pager | None) -> Shows:
        noted = (CHANGES,) if ref in site.changes_for else ()  # the page lists the change notes naming it
        return Shows(context, items=item_shows(ref),
                     kinds=(*ITEM_PAGE_KINDS.get(ref.kind, ()), *noted),
                     summary=f"{pager!r} {filters() if ref.kind == 'themes' else ''}" if pager else "")

    def filter_page(context: dict[str, Any], chunk: list[Any], pager: Pager) -> Shows:
        return list_shows(context, "recommendations", chunk, shown("recommendations"), f"{pager!r} {filters()}")

    for kind in KIND_TITLES:
        items = sorted(site.items[kind].values(), key=sort_key(kind, views))
        listed = funding_order(site) if kind == "funding" else items  # the funding table's order
        list_template = renderer.pick(f"{kind}/list.html", "list.html")
        for dest, chunk, pager in paginate(listed, f"{kind}/", renderer.url, ROWS_PER_PAGE):
            jobs.append(PageJob(dest, list_template, functools.partial(list_page, kind, chunk, pager), searched=False))
        item_template = renderer.pick(f"{kind}/item.html", "item.html")
        for item in items:
            ref = Ref(kind, item.id)
            shows: dict[str, Any] = {"kind": kind, "item": item, "ref": ref}
            pages: list[tuple[str, dict[str, Any], Pager | None]] = [(f"{kind}/{item.id}/index.html", shows, None)]
            if kind in PAGED_ITEMS:  # its proposals or quotes in pages, as lists are; search finds the first
                found, name, per_page = PAGED_ITEMS[kind](views, item.id)
                pages = [(dest, {**shows, name: chunk, "pager": pager}, pager)
                         for dest, chunk, pager in paginate(found, f"{kind}/{item.id}/", renderer.url, per_page)]
            for dest, context, paged in pages:
                jobs.append(PageJob(dest, item_template, functools.partial(item_page, ref, context, paged),
                                    searched=paged is None or paged.number == 1))

    # Filters that work without JavaScript: a page per response status (themes have their own pages)
    for status, _count in views.statuses():
        for dest, chunk, pager in paginate(views.by_status(status), f"recommendations/status/{status}/", renderer.url,
                                           ROWS_PER_PAGE):
            jobs.append(PageJob(dest, "recommendations/status.html", functools.partial(
                filter_page, {"status": status, "items": chunk, "pager": pager}, chunk, pager), searched=False))
    for theme_id, status, found in views.theme_statuses():  # and one per theme and status, so a theme keeps its filter
        theme = site.items["themes"][theme_id]
        for dest, chunk, pager in paginate(found, f"themes/{theme_id}/status/{status}/", renderer.url, ROWS_PER_PAGE):
            jobs.append(PageJob(dest, "recommendations/status.html", functools.partial(
                filter_page, {"status": status, "theme": theme, "items": chunk, "pager": pager}, chunk, pager),
                searched=False))

    notes = [(change, change_refs(change, site.items)) for change in changes]
    jobs.append(PageJob("changes/index.html", "changes.html", ready({"notes": notes}, kinds=everything)))
    printed = once(lambda: {"meta": home, "bodies": bodies, "charts": charts(), "changes": changes, "glance": glance(),
                            "overview": overview()})
    split = sum(len(site.items[kind]) for kind in PRINT_SECTIONS) > PRINT_ITEMS
    rows = once(print_rows, site, views, PRINT_SECTIONS)
    jobs.append(PageJob("print/index.html", "print.html", lambda: Shows(
        {**printed(), "split": split, "rows": {} if split else rows(), "pager": None,
         "sections": ("intro",) if split else ("intro", *PRINT_SECTIONS)}, kinds=everything), searched=False))

    def print_page(section: str, chunk: list[Any], pager: Pager) -> Shows:
        context = {**printed(), "split": True, "sections": (section,), "rows": {section: chunk}, "pager": pager}
        return list_shows(context, section, chunk, tuple(kind for kind in everything
                                                if kind != PAGES or kind in ITEM_PAGE_KINDS.get(section, ())),
                          repr(pager))

    for section in PRINT_SECTIONS if split else ():
        for dest, chunk, pager in paginate(rows()[section], f"print/{section}/", renderer.url, PRINT_ROWS_PER_PAGE):
            jobs.append(PageJob(dest, "print.html", functools.partial(print_page, section, chunk, pager),
                                searched=False))
    # The search page's filter offers the type of each kind that has item pages (their `type` meta, see
    # item.html), and it merges the other shards' bundles.
    page_types = [KIND_SINGULAR[kind] for kind in KIND_SINGULAR if site.items.get(kind)]
    jobs.append(PageJob("search/index.html", "search.html", ready({"page_types": page_types, "merge": merge},
                                                                  kinds=everything), searched=False))
    jobs += a_to_z_jobs(once(a_to_z, site, renderer.item_url), sum(map(len, site.items.values())), renderer.url,
                        everything)
    jobs.append(PageJob("404.html", "404.html", ready({}), searched=False))
    pilots = sorted(site.items["pilots"].values(), key=sort_key("pilots", views))
    pictures = once(lambda: {"areas": areas_chart(views, pilots),
                             "response": glance() if site.items["recommendations"] else None})
    jobs += guide_jobs(site, views, everything, pictures)

    # Downloads, schemas, feed, sitemap and robots.txt
    for kind in sorted(ROWS):
        jobs.append(PageJob(f"data/{kind}.csv", "_dataset.txt", ready({"kind": kind, "format": "csv"},
                                                                      kinds=CSV_DRAWS.get(kind, everything))))
        jobs.append(PageJob(f"data/{kind}.json", "_dataset.txt",
                            ready({"kind": kind, "format": "json"}, kinds=(kind,))))
    for dest, text in change_files(changes).items():
        jobs.append(PageJob(dest, "_raw.txt", ready({"body": Markup(text)}, kinds=(CHANGES,))))
    schemas = project / "schemas"
    for path in sorted(schemas.glob("*.schema.json")) if schemas.is_dir() else []:
        try:
            text = read_input(path, schemas).decode("utf-8")
        except (OSError, InputRefused, UnicodeDecodeError) as exc:
            problems.add(f"schemas/{path.name}", 1, 1, str(exc) if isinstance(exc, InputRefused) else
                         "cannot be read as UTF-8 text; run `build.py schema` to write it again")
            continue
        jobs.append(PageJob(f"schemas/{path.name}", "_raw.txt", ready({"body": Markup(text)})))
    jobs.append(PageJob("feed.xml", "feed.xml", lambda: Shows({"entries": feed_entries(site, views, changes)},
                                                              kinds=everything)))
    jobs.append(PageJob("sitemap.xml", "sitemap.xml", ready({"pages": sitemap_paths([job.dest for job in jobs])},
                                                            kinds=everything)))
    jobs.append(PageJob("robots.txt", "robots.txt", ready({})))
    planned.update(job.dest for job in jobs)
    merge.extend(shard.bundle for shard in search_shards(jobs, renderer.settings)[1:])
    return unique_jobs(jobs, problems)


def list_shows(context: dict[str, Any], kind: str, chunk: list[Any], shown: tuple[str, ...], summary: str) -> Shows:
    """What a page of a list of one kind's items shows: the items on it, not the whole kind (unless the
    kind's lists draw the whole kind, see WHOLE_KIND_LISTS), and the other kinds its rows show."""
    if kind in WHOLE_KIND_LISTS:
        return Shows(context, kinds=shown, summary=summary)
    return Shows(context, items=tuple(Ref(kind, item.id) for item in chunk),
                 kinds=tuple(other for other in shown if other != kind), summary=summary)


def filter_summary(site: Site, views: Views) -> str:
    """What the proposals' filters and their overview show of all the proposals: the number of each
    status, overall and within each theme, and each theme's title and number of proposals. As a
    hash: it is part of the summary of every page that filters the proposals."""
    themes = [(t.id, t.title, len(views.recommendations_where("themes", t.id)), views.statuses_within(t.id))
              for _, t in sorted(site.items["themes"].items())]
    return digest(repr((len(site.items["recommendations"]), views.statuses(), themes)).encode())


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


def named(site: Site, ref: Ref) -> set[Ref]:
    """The items an item names or cites (a `kind/id` names only that kind)."""
    found: set[Ref] = set()
    for kinds, target in site.links.get(ref, ((), ()))[0]:
        target, kinds = narrowed(target, kinds)
        found.update(Ref(kind, target) for kind in kinds if target in site.items.get(kind, {}))
    return found


def neighbours(site: Site, ref: Ref) -> set[Ref]:
    """An item's neighbours: the items it names or cites, and the items that name or cite it. Its page
    shows them (their titles, statuses, dates, quotes), so it depends on them."""
    return (named(site, ref) | set(site.backlinks.get(ref, ()))) - {ref}


def kinds_shown(kind: str, site: Site, near: Callable[[Ref], frozenset[Ref]]) -> tuple[str, ...]:
    """The kinds a list of one kind's items shows: its own, what its items' pages show of whole kinds
    (ITEM_PAGE_KINDS), and its items' neighbours' kinds."""
    shown = {kind, *ITEM_PAGE_KINDS.get(kind, ())}
    for item_id in site.items[kind]:
        shown.update(other.kind for other in near(Ref(kind, item_id)))
    return tuple(sorted(shown))


GUIDE_LINK_KINDS = REFERENCES[(m.GuideQuestion, "links")]
"""The kinds a guide's question may link to (resolve checks that each id names one of them)."""


def guide_jobs(site: Site, views: Views, everything: tuple[str, ...],
               pictures: Callable[[], dict[str, Any]]) -> list[PageJob]:
    """A page for each kind of reader at for/<id>/, and for/ listing them: each question's links as
    references and its picture (of pictures by name, or the money picture of the sums it links to), the
    councils A to Z for a guide that shows them, the downloads for one that lists them.
    A guide draws on every kind (its councils' sentences come from pilots, funding and sources), and
    there are only a few, so each shows `everything`."""
    guides = list(site.items["guides"].values())  # in the order of data/guides.yaml: the editors choose it
    if not guides:
        return []

    def guide_page(guide: m.Guide) -> Shows:
        links = [[Ref(kind, item_id) for item_id in question.links for kind in GUIDE_LINK_KINDS
                  if item_id in site.items[kind]] for question in guide.questions]
        extras = {extra.value for extra in guide.extras}
        areas = sorted(site.items["areas"].values(), key=sort_key("areas", views))
        return Shows({
            "kind": "guides", "item": guide, "ref": Ref("guides", guide.id), "links": links,
            "councils": by_initial(areas, lambda area: area.name) if "councils" in extras else [],
            "downloads": sorted(ROWS) if "downloads" in extras else [],
            "extras": sorted(extras), "pictures": [
                None if q.picture is None else pictures()[q.picture.value] if q.picture.value in pictures()
                else needed_and_given(site, views, [i for i in q.links if i in site.items["funding"]])
                for q in guide.questions]}, kinds=everything)

    return [PageJob("for/index.html", "guides/list.html", ready({"kind": "guides", "items": guides}, kinds=("guides",)),
                    searched=False),
            *(PageJob(f"for/{guide.id}/index.html", "guides/item.html", functools.partial(guide_page, guide))
              for guide in guides)]


def search_shards(jobs: list[PageJob], settings: Settings) -> list[Shard]:
    """How the pages search finds are split between the search index's bundles."""
    found = [job.dest for job in jobs if job.dest.endswith(".html") and job.searched]
    return plan_shards(found, settings.search_shard_pages)


def a_to_z_jobs(entries: Callable[[], list[Entry]], count: int, url: Callable[[str], str],
                everything: tuple[str, ...]) -> list[PageJob]:
    """The A–Z's count entries in pages of A_TO_Z_PER_PAGE. Each page links to every letter where it
    starts, and a letter that goes on from the page before says so."""
    return [PageJob(dest, "a-z.html", functools.partial(a_to_z_page, entries, page, pager, everything), searched=False)
            for page, (dest, _, pager) in enumerate(paginate(list(range(count)), "a-z/", url, A_TO_Z_PER_PAGE))]


def a_to_z_page(entries: Callable[[], list[Entry]], page: int, pager: Pager, everything: tuple[str, ...]) -> Shows:
    """What page `page` (from 0) of the A–Z shows."""
    listed = entries()
    firsts: dict[str, int] = {}
    for at, entry in enumerate(listed):
        firsts.setdefault(entry.letter, at)
    anchors = {letter: f"az-{number}" for number, letter in enumerate(firsts, start=1)}
    letters = [(letter, ("" if at // A_TO_Z_PER_PAGE == page else pager.links[at // A_TO_Z_PER_PAGE][1])
                + "#" + anchors[letter]) for letter, at in firsts.items()]
    chunk = listed[page * A_TO_Z_PER_PAGE:(page + 1) * A_TO_Z_PER_PAGE]
    groups = [(letter, anchors[letter], firsts[letter] < page * A_TO_Z_PER_PAGE, list(group))
              for letter, group in groupby(chunk, key=lambda entry: entry.letter)]
    return Shows({"letters": letters, "groups": groups, "pager": pager}, kinds=everything)
