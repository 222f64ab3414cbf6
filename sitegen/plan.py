"""The page plan: which pages the site has, each with its template and context.

Adding a page kind means adding a job here and a template in templates/.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import Collector
from .markup import render_markdown
from .resolve import Ref, Site

if TYPE_CHECKING:
    from .render import Renderer

PageJob = tuple[str, str, dict[str, Any]]
"""(destination path, template name, context)."""


def plan_pages(site: Site, renderer: Renderer, problems: Collector) -> list[PageJob]:
    """Every page of the site: content pages, a list and a permalink page per item kind, and 404."""
    jobs: list[PageJob] = []
    for page in site.pages:
        body, issues = render_markdown(page.body, renderer.base)
        for issue in issues:
            problems.add(page.path, page.body_line + issue.line - 1, issue.column, issue.message)
        dest = "index.html" if page.slug == "index" else f"{page.slug}/index.html"
        template = "home.html" if page.slug == "index" else "page.html"
        jobs.append((dest, template, {"page": page, "body": renderer.link_terms(body)}))
    from .render import KIND_TITLES

    for kind in KIND_TITLES:
        items = sorted(site.items[kind].values(), key=sort_key(kind))
        jobs.append((f"{kind}/index.html", renderer.pick(f"{kind}/list.html", "list.html"),
                     {"kind": kind, "items": items}))
        item_template = renderer.pick(f"{kind}/item.html", "item.html")
        for item in items:
            jobs.append((f"{kind}/{item.id}/index.html", item_template,
                         {"kind": kind, "item": item, "ref": Ref(kind, item.id)}))
    jobs.append(("404.html", "404.html", {}))
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
    return lambda item: item.id


