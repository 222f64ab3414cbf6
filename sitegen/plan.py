"""The page plan: which pages the site has, each with its template and context.

Adding a page kind means adding a job here and a template in templates/. Data downloads, feeds and
copied schemas are jobs too, rendered through `_raw.txt`, so every output file goes through the
same collision check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from . import models as m
from .chart import Bar, bar_chart, describe
from .downloads import dataset_files
from .errors import Collector
from .load import parse_yaml, read_text
from .markup import render_markdown
from .resolve import Ref, Site
from .validate import validate_list
from .views import STATUS_WORDS, Views

if TYPE_CHECKING:
    from .render import Renderer

PageJob = tuple[str, str, dict[str, Any]]
"""(destination path, template name, context)."""

FUNDING_GROUPS: dict[str, tuple[str, str]] = {
    "call": ("Called for or estimated as needed", "bar-call"),
    "estimate": ("Called for or estimated as needed", "bar-call"),
    "pledge": ("Promised or allocated by government", "bar-commit"),
    "allocation": ("Promised or allocated by government", "bar-commit"),
}
"""The chart's two groups: what was asked for against what was committed."""

HOME_DEFAULT = m.Page(
    title="Children's social care reform in England, explained",
    description="What the Independent Review of Children's Social Care proposed, what the government"
                " answered, and what has happened since, with every fact linked to its source.",
)


def plan_pages(site: Site, renderer: Renderer, problems: Collector) -> list[PageJob]:
    """Every file of the site: pages, list and permalink pages per kind, filters, feeds and downloads."""
    from .render import KIND_TITLES, format_money

    views: Views = renderer.env.globals["views"]
    project = renderer.templates_dir.parent
    changes = load_changes(project)
    jobs: list[PageJob] = []

    # Markdown pages: the home page and pages such as About
    bodies: dict[str, Markup] = {}
    for page in site.pages:
        body, issues = render_markdown(page.body, renderer.base)
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
        context: dict[str, Any] = {"kind": kind, "items": items}
        if kind == "funding":
            context["chart"] = chart
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
                     {"status": status, "items": views.by_status(status)}))

    jobs.append(("changes/index.html", "changes.html", {"changes": changes}))
    jobs.append(("print/index.html", "print.html", {"meta": home, "bodies": bodies, "chart": chart,
                                                   "changes": changes}))
    jobs.append(("search/index.html", "search.html", {}))
    jobs.append(("a-z/index.html", "a-z.html", {"entries": a_to_z(site, views)}))
    jobs.append(("404.html", "404.html", {}))

    # Downloads, schemas, feed, sitemap and robots.txt
    for dest, text in sorted(dataset_files(site, views, changes).items()):
        jobs.append((dest, "_raw.txt", {"body": Markup(text)}))
    schemas = project / "schemas"
    for path in sorted(schemas.glob("*.schema.json")) if schemas.is_dir() else []:
        jobs.append((f"schemas/{path.name}", "_raw.txt", {"body": Markup(path.read_text(encoding="utf-8"))}))
    jobs.append(("feed.xml", "feed.xml", {"entries": feed_entries(site, views, changes)}))
    pages = sorted(dest.removesuffix("index.html") for dest, _, _ in jobs if dest.endswith("/index.html"))
    jobs.append(("sitemap.xml", "sitemap.xml", {"pages": ["", *pages]}))
    jobs.append(("robots.txt", "robots.txt", {}))
    return jobs


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


def load_changes(project: Path) -> list[m.Change]:
    """Every change note, newest first (the resolved Site keeps only notes that name items)."""
    path = project / "data" / "changes.yaml"
    if not path.is_file():
        return []
    problems = Collector()  # already validated by the load stage; nothing new can go wrong here
    text = read_text(path, "data/changes.yaml", problems)
    doc = parse_yaml(text, "data/changes.yaml", problems) if text is not None else None
    found = [item for _, item in validate_list(doc, m.Change, problems)] if doc is not None else []
    return sorted(found, key=lambda c: (c.date, c.summary), reverse=True)


def funding_bars(site: Site, views: Views, money: Callable[[m.Money], str]) -> list[Bar]:
    """One bar per reported value, called-for sums first, each group largest first."""
    order = list(FUNDING_GROUPS)
    lines = sorted(site.items["funding"].values(),
                   key=lambda f: (FUNDING_GROUPS[f.kind.value][0] != FUNDING_GROUPS["call"][0],
                                  -max(v.money.amount for v in f.values), order.index(f.kind.value), f.id))
    bars: list[Bar] = []
    for line in lines:
        group, css = FUNDING_GROUPS[line.kind.value]
        for value in line.values:
            source = views.source(value.citations[0].source)
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


def a_to_z(site: Site, views: Views) -> list[tuple[str, list[Ref]]]:
    """Every item on the site under its initial letter, for readers without search."""
    from .views import title_of

    letters: dict[str, list[tuple[str, Ref]]] = {}
    for kind in sorted(site.items):
        for item_id, item in sorted(site.items[kind].items()):
            if kind == "changes":
                continue
            name = title_of(item)
            initial = name[:1].upper()
            key = initial if initial.isalpha() else "0–9"
            letters.setdefault(key, []).append((name.lower(), Ref(kind, item_id)))
    return [(letter, [ref for _, ref in sorted(entries, key=lambda e: (e[0], e[1].kind, e[1].id))])
            for letter, entries in sorted(letters.items(), key=lambda kv: (kv[0] == "0–9", kv[0]))]


def feed_entries(site: Site, views: Views, changes: list[m.Change]) -> list[dict[str, Any]]:
    """Timeline events and change notes for the Atom feed, newest first."""
    entries: list[dict[str, Any]] = []
    for event in site.items["timeline"].values():
        updated = views.latest_date(event) or views.latest or event.date  # when the site could know of it
        entries.append({"id": f"timeline/{event.id}", "title": event.title, "path": f"timeline/{event.id}/",
                        "updated": updated, "event": event})
    for number, change in enumerate(sorted(changes, key=lambda c: (c.date, c.summary))):
        entries.append({"id": f"changes/{change.date.isoformat()}-{number}", "title": change.summary,
                        "path": "changes/", "updated": change.date, "change": change})
    return sorted(entries, key=lambda e: (e["updated"], e["id"]), reverse=True)


__all__ = ["STATUS_WORDS", "PageJob", "plan_pages", "sort_key"]
