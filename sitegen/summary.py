"""The one-line summary `build.py check` prints: what the data holds, at a glance."""

from __future__ import annotations

from collections import Counter

from .resolve import Site, item_links


def summary_line(site: Site) -> str:
    """Counts of every kind, responses by status, named areas and citations."""
    items = site.items
    statuses = Counter(r.response.status.value for r in items["recommendations"].values())
    named_areas = {p.area for pilot in items["pilots"].values() for p in pilot.areas}
    citations = sum(len(item_links(item)[1]) for kind in items.values() for item in kind.values())
    status_text = ", ".join(f"{status} {count}" for status, count in sorted(statuses.items()))
    return (
        f"OK: {len(items['recommendations'])} recommendations (responses: {status_text or 'none'}), "
        f"{len(items['missions'])} missions, {len(items['pilots'])} pilots, {len(named_areas)} named areas, "
        f"{len(items['funding'])} funding lines, {len(items['timeline'])} timeline events, "
        f"{len(items['glossary'])} glossary terms, {len(items['people'])} people and organisations, "
        f"{len(items['sources'])} sources, {citations} citations"
    )
