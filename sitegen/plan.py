"""The page plan: which pages the site has, each with its template and context.

Adding a page kind means adding a job here and a template in templates/. Data downloads, feeds and
copied schemas are jobs too, rendered through `_raw.txt`, so every output file goes through the
same collision check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from . import models as m
from .chart import Bar, bar_chart, describe
from .downloads import ROWS, change_files, forget_old_dumps, funding_order
from .errors import Collector
from .feeds import feed_entries, sitemap_paths
from .inputs import InputRefused, read_input
from .resolve import Ref, Site
from .search import Shard, plan_shards
from .views import KIND_SINGULAR, STATUS_WORDS, Views, title_of

if TYPE_CHECKING:
    from .render import Renderer, Settings

PageJob = tuple[str, str, dict[str, Any]]
"""(destination path, template name, context)."""

FUNDING_GROUPS: dict[str, tuple[str, str]] = {
    "call": ("Called for or estimated as needed", "bar-call"),
    "estimate": ("Called for or estimated as needed", "bar-call"),
    "pledge": ("Promised or allocated by government", "bar-commit"),
    "allocation": ("Promised or allocated by government", "bar-commit"),
}
"""The chart's two groups: what was asked for against what was committed."""

CHART_FLOOR = 1_000_000
"""Sums below £1m (grants to one person, for example) are left out of the chart but kept in the table."""

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
    from .render import KIND_TITLES, format_money

    views = renderer.env.globals["views"]
    assert isinstance(views, Views)
    project = renderer.templates_dir.parent
    changes = sorted(site.changes, key=lambda c: (c.date, c.summary), reverse=True)
    jobs: list[PageJob] = []

    # Markdown pages: the home page and pages such as About
    bodies: dict[str, Markup] = {}
    for page in site.pages:
        body, issues = renderer.markdown(page.body)
        for issue in issues:
            problems.add(page.path, page.body_line + issue.line - 1, issue.column, issue.message)
        bodies[page.slug] = renderer.link_terms(body)
    home = next((p.meta for p in site.pages if p.slug == "index"), HOME_DEFAULT)
    bars = funding_bars(site, views, format_money)
    chart = {"svg": bar_chart(bars, "Sums of money called for and committed", "funding-chart"),
             "summary": describe(bars)}
    jobs.append(("index.html", "home.html", {"meta": home, "body": bodies.get("index", Markup("")),
                                             "key_funding": key_funding(site)}))
    for page in site.pages:
        if page.slug != "index":
            jobs.append((f"{page.slug}/index.html", "page.html", {"meta": page.meta, "body": bodies[page.slug]}))

    # A list page and a permalink page per item, for every kind
    for kind in KIND_TITLES:
        items = sorted(site.items[kind].values(), key=sort_key(kind))
        context: dict[str, Any] = {"kind": kind, "items": items, **UNSEARCHED}
        if kind == "funding":
            context.update(chart=chart, lines=funding_order(site))
        if kind == "glossary":
            context["letters"] = by_initial(items, lambda term: term.term)
        jobs.append((f"{kind}/index.html", renderer.pick(f"{kind}/list.html", "list.html"), context))
        item_template = renderer.pick(f"{kind}/item.html", "item.html")
        for item in items:
            jobs.append((f"{kind}/{item.id}/index.html", item_template,
                         {"kind": kind, "item": item, "ref": Ref(kind, item.id)}))

    # Filters that work without JavaScript: a page per response status (themes have their own pages)
    for status, _count in views.statuses():
        jobs.append((f"recommendations/status/{status}/index.html", "recommendations/status.html",
                     {"status": status, "items": views.by_status(status), **UNSEARCHED}))

    jobs.append(("changes/index.html", "changes.html", {"changes": changes}))
    jobs.append(("print/index.html", "print.html", {"meta": home, "bodies": bodies, "chart": chart,
                                                   "changes": changes, "lines": funding_order(site), **UNSEARCHED}))
    search: dict[str, Any] = {**UNSEARCHED}  # and the other shards' bundles, once every page is listed (below)
    jobs.append(("search/index.html", "search.html", search))
    jobs.append(("a-z/index.html", "a-z.html", {"entries": a_to_z(site, renderer.item_url), **UNSEARCHED}))
    jobs.append(("404.html", "404.html", {**UNSEARCHED}))

    # Downloads, schemas, feed, sitemap and robots.txt
    forget_old_dumps(site)
    for kind in sorted(ROWS):
        for fmt in ("csv", "json"):
            jobs.append((f"data/{kind}.{fmt}", "_dataset.txt", {"kind": kind, "format": fmt}))
    for dest, text in change_files(changes).items():
        jobs.append((dest, "_raw.txt", {"body": Markup(text)}))
    schemas = project / "schemas"
    for path in sorted(schemas.glob("*.schema.json")) if schemas.is_dir() else []:
        try:
            text = read_input(path, schemas).decode("utf-8")
        except (OSError, InputRefused, UnicodeDecodeError) as exc:
            problems.add(f"schemas/{path.name}", 1, 1, str(exc) if isinstance(exc, InputRefused) else
                         "cannot be read as UTF-8 text; run `build.py schema` to write it again")
            continue
        jobs.append((f"schemas/{path.name}", "_raw.txt", {"body": Markup(text)}))
    jobs.append(("feed.xml", "feed.xml", {"entries": feed_entries(site, views, changes)}))
    jobs.append(("sitemap.xml", "sitemap.xml", {"pages": sitemap_paths([dest for dest, _, _ in jobs])}))
    jobs.append(("robots.txt", "robots.txt", {}))
    search["merge"] = [shard.bundle for shard in search_shards(jobs, renderer.settings)[1:]]
    return jobs


def search_shards(jobs: list[PageJob], settings: Settings) -> list[Shard]:
    """How the pages search finds are split between the search index's bundles."""
    found = [dest for dest, _, context in jobs if dest.endswith(".html") and context.get("search_indexed", True)]
    return plan_shards(found, settings.search_shard_pages)


def sort_key(kind: str) -> Callable[[Any], Any]:
    """How each kind is ordered on its list page."""
    if kind == "missions":
        return lambda item: item.number
    if kind == "timeline":
        return lambda item: (item.date, item.id)
    if kind == "sources":
        return lambda item: (item.date or dt.date.min, item.id)
    if kind == "glossary":
        return lambda item: (item.term.lower(), item.id)
    if kind == "recommendations":
        return lambda item: (item.title.lower(), item.id)
    if kind in ("areas", "people"):
        return lambda item: (item.name.lower(), item.id)
    return lambda item: item.id


def funding_bars(site: Site, views: Views, money: Callable[[m.Money], str]) -> list[Bar]:
    """One bar per reported value, called-for sums first, each group largest first."""
    bars: list[Bar] = []
    for line in funding_order(site):
        group, css = FUNDING_GROUPS[line.kind.value]
        for value in line.values:
            if value.money.amount < CHART_FLOOR:
                continue
            dated = [views.source(c.source) for c in value.citations if views.source(c.source).date]
            source = dated[0] if dated else views.source(value.citations[0].source)
            when = source.date.strftime("%-d %b %Y") if source.date else "undated"
            bars.append(Bar(label=line.title, amount=value.money.amount, figure=money(value.money),
                            reported=f"{source.outlet}, {when}", group=group, css=css))
    return bars


def key_funding(site: Site) -> list[m.FundingLine]:
    """The sums the home page leads with: the largest called for and the largest committed."""
    lines = list(site.items["funding"].values())
    picked: list[m.FundingLine] = []
    for kinds in (("call",), ("pledge", "allocation")):
        group = sorted((f for f in lines if f.kind.value in kinds),
                       key=lambda f: (-max(v.money.amount for v in f.values), f.id))
        picked.extend(group[:2])
    return picked


def by_initial(items: list[Any], name: Callable[[Any], str]) -> list[tuple[str, list[Any]]]:
    """Items grouped under the upper-case initial of their name, in the order given."""
    groups: dict[str, list[Any]] = {}
    for item in items:
        initial = name(item)[:1].upper()
        groups.setdefault(initial if initial.isalpha() else "0–9", []).append(item)
    return sorted(groups.items(), key=lambda kv: (kv[0] == "0–9", kv[0]))


def a_to_z(site: Site, item_url: Callable[[str, str], str]) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Every item on the site, as (title, address, kind in words), under its initial letter, for readers
    without search. The page's context holds them all, so the page is made again only when one changes,
    and its template only writes them out: 17,000 at 10,000 items, where looking each address and kind
    up in the template cost 100 ms a save."""
    letters: dict[str, list[tuple[str, str, Ref]]] = {}
    for kind in sorted(site.items):
        for item_id, item in sorted(site.items[kind].items()):
            if kind == "changes":
                continue
            name = title_of(item)
            initial = name[:1].upper()
            key = initial if initial.isalpha() else "0–9"
            letters.setdefault(key, []).append((name.lower(), name, Ref(kind, item_id)))
    return [(letter, [(name, item_url(ref.kind, ref.id), KIND_SINGULAR[ref.kind].lower())
                      for _, name, ref in sorted(entries, key=lambda e: (e[0], e[2].kind, e[2].id))])
            for letter, entries in sorted(letters.items(), key=lambda kv: (kv[0] == "0–9", kv[0]))]


__all__ = ["STATUS_WORDS", "PageJob", "plan_pages", "search_shards", "sort_key"]
