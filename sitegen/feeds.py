"""What the Atom feed and the sitemap list; templates/feed.xml, sitemap.xml and robots.txt write them.

Feed entries are dated by their newest dated source (an event only undated sources report, by the
newest change note that names it, else the first note: when the site last changed it), not by the
build, so the feed only changes when the facts do. Entry ids are tag: URIs, which stay the same
wherever the site is published.
"""

from __future__ import annotations

import hashlib
from typing import Any

from . import models as m
from .resolve import Ref, Site
from .views import Views


def sitemap_paths(dests: list[str]) -> list[str]:
    """Every page's path under the base, the home page first (404.html is not a page to index)."""
    pages = sorted(dest.removesuffix("index.html") for dest in dests if dest.endswith("/index.html"))
    return ["", *pages] if "index.html" in dests else pages


def note_id(change: m.Change) -> str:
    """A change note's id for the feed and the Corrections and changes page: its date and a hash of
    its own words, the same however notes are added or reordered."""
    return f"{change.date.isoformat()}-{hashlib.sha256(change.summary.encode()).hexdigest()[:12]}"


def feed_entries(site: Site, views: Views, changes: list[m.Change]) -> list[dict[str, Any]]:
    """Timeline events and change notes for the Atom feed, newest first."""
    entries: list[dict[str, Any]] = []
    for event in site.items["timeline"].values():
        # its newest dated source; else the newest note naming it, or the first note: never when it was due
        named = [change.date for change in site.changes_for.get(Ref("timeline", event.id), [])]
        first = min((change.date for change in changes), default=views.earliest_date(event))
        updated = views.latest_date(event) or max(named, default=first)
        entries.append({"id": f"timeline/{event.id}", "title": event.title, "path": f"timeline/{event.id}/",
                        "updated": updated, "event": event})
    for change in sorted(changes, key=lambda c: (c.date, c.summary)):
        entries.append({"id": f"changes/{note_id(change)}", "title": change.summary,
                        "path": f"changes/#note-{note_id(change)}", "updated": change.date, "change": change})
    return sorted(entries, key=lambda e: (e["updated"], e["id"]), reverse=True)
