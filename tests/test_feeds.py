"""Atom feed, sitemap and robots.txt: well-formed, complete and under the base path."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from reader_site import BASE, SITE_URL, rendered, site_model

from sitegen.words import shorten

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_feed_holds_every_event_and_change_note() -> None:

    root = ET.fromstring(rendered(BASE, SITE_URL)["feed.xml"])
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    site = site_model()
    assert len(entries) == len(site.items["timeline"]) + len(site_model().changes)
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    updated = [e.findtext(f"{ATOM}updated") or "" for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert root.findtext(f"{ATOM}updated") == updated[0]
    for entry in entries:
        link = entry.find(f"{ATOM}link")
        assert link is not None and (link.get("href") or "").startswith(SITE_URL)
    planned = [e for e in site.items["timeline"].values() if e.planned]
    summaries = " ".join(e.findtext(f"{ATOM}summary") or "" for e in entries)
    if planned:
        assert "as reported on" in summaries


def test_an_event_only_undated_sources_report_is_dated_by_the_site_s_notes_not_by_when_it_was_due() -> None:
    """Atom's <updated> is when an entry last changed: the newest dated source, else the newest change
    note naming the event. The national framework was due in 2024, which is no date of a report."""
    entries = {e.findtext(f"{ATOM}id", "").rpartition(":")[2]: e.findtext(f"{ATOM}updated", "")
               for e in ET.fromstring(rendered(BASE, SITE_URL)["feed.xml"]).findall(f"{ATOM}entry")}
    site = site_model()
    for event_id in ("national-framework-early-2024", "teacher-ecf-evaluation"):
        event = site.items["timeline"][event_id]
        assert not any(site.items["sources"][c.source].date for c in event.citations), "only undated sources"
        noted = max(change.date for change in site.changes if event_id in change.items)
        assert entries[f"timeline/{event_id}"] == f"{noted.isoformat()}T00:00:00Z"
    summaries = "".join(ET.fromstring(rendered(BASE, SITE_URL)["feed.xml"]).itertext())
    assert "CYP Now, undated, “Care Review response: funding fails to match scale of reforms”" in summaries


def test_feed_without_a_site_url_uses_paths_under_the_base() -> None:
    root = ET.fromstring(rendered()["feed.xml"])
    for link in root.iter(f"{ATOM}link"):
        assert (link.get("href") or "").startswith(BASE)


def test_sitemap_lists_every_page_once() -> None:
    files = rendered(BASE, SITE_URL)
    root = ET.fromstring(files["sitemap.xml"])
    locs = [u.findtext(f"{SITEMAP}loc") or "" for u in root.findall(f"{SITEMAP}url")]
    assert len(set(locs)) == len(locs)
    expected = {SITE_URL + name.removesuffix("index.html") for name in files
                if name.endswith("index.html")}
    assert set(locs) == expected
    assert SITE_URL + "404.html" not in locs


def test_robots_points_at_the_sitemap_only_when_the_address_is_known() -> None:
    assert f"Sitemap: {SITE_URL}sitemap.xml" in rendered(BASE, SITE_URL)["robots.txt"].decode()
    assert "Sitemap" not in rendered()["robots.txt"].decode()
    assert rendered()["robots.txt"].decode().startswith("User-agent: *\nAllow: /\n")


def test_pages_advertise_the_feed() -> None:
    html = rendered()["index.html"].decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html and f'href="{BASE}feed.xml"' in html


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("one two three", 9) == "one two…"
    assert shorten("short") == "short"


def test_sitemap_paths_put_home_first_and_skip_the_404() -> None:
    from sitegen.feeds import sitemap_paths

    assert sitemap_paths(["404.html", "b/index.html", "index.html", "a/index.html", "feed.xml"]) == ["", "a/", "b/"]


def test_change_note_ids_do_not_move_when_a_note_is_added() -> None:
    import datetime as dt

    from sitegen.feeds import feed_entries
    from sitegen.models import Change
    from sitegen.views import Views

    site = site_model()
    views = Views(site)
    note = Change(date=dt.date(2026, 1, 2), summary="Second note.")
    earlier = Change(date=dt.date(2025, 1, 1), summary="A back-dated note.")
    before = {e["title"]: e["id"] for e in feed_entries(site, views, [note]) if "change" in e}
    after = {e["title"]: e["id"] for e in feed_entries(site, views, [earlier, note]) if "change" in e}
    assert after["Second note."] == before["Second note."]
