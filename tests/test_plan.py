"""The page plan: every page once, filters complete, helpers sorted."""

from __future__ import annotations

from pathlib import Path

from reader_site import ROOT, site_model

from sitegen.errors import Collector
from sitegen.fields import Citation
from sitegen.lists import a_to_z, by_initial, sort_key
from sitegen.plan import PageJob, plan_pages
from sitegen.render import Renderer, Settings
from sitegen.views import Views
from sitegen.words import KIND_SINGULAR, STATUS_WORDS, title_of


def jobs() -> list[PageJob]:
    site = site_model()
    renderer = Renderer(ROOT / "templates", site, Settings(base_url="/REPO/"))
    problems = Collector()
    planned = plan_pages(site, renderer, problems)
    assert problems.problems == []
    return planned


def test_every_destination_is_planned_once() -> None:
    dests = [job.dest for job in jobs()]
    assert len(dests) == len(set(dests))


def test_templates_exist() -> None:
    for template in [job.template for job in jobs()]:
        assert (ROOT / "templates" / template).is_file(), template


def test_status_pages_cover_every_proposal_once() -> None:
    site = site_model()
    seen: list[str] = []
    for dest, context in [(job.dest, job.shown.context) for job in jobs()]:
        if dest.startswith("recommendations/status/"):
            assert context["status"] in STATUS_WORDS
            seen.extend(r.id for r in context["items"])  # type: ignore[attr-defined]
    assert sorted(seen) == sorted(site.items["recommendations"])


def test_a_to_z_lists_every_item_once_in_order() -> None:
    site = site_model()
    entries = a_to_z(site, lambda kind, item_id: f"/{kind}/{item_id}/")
    listed = [(e.title, e.address.strip("/").split("/"), e.kind_words) for e in entries]
    assert all(title == title_of(site.items[kind][item_id]) and words == KIND_SINGULAR[kind].lower()
               for title, (kind, item_id), words in listed)
    addresses = [tuple(address) for _, address, _ in listed]
    assert len(addresses) == len(set(addresses)) == sum(len(v) for k, v in site.items.items() if k != "changes")
    letters = list(dict.fromkeys(e.letter for e in entries))
    assert letters == sorted(letters, key=lambda x: (x == "0–9", x))
    assert all(e.title.lstrip("“")[:1].upper() == e.letter for e in entries if e.letter != "0–9")  # a quotation
    for letter in letters:  # by the first letter of its words (a mission's title)
        group = [e.title.lstrip("“").lower() for e in entries if e.letter == letter]
        assert group == sorted(group)
    assert {e.letter for e in entries if e.address.startswith("/missions/")} <= {"B", "W"}


def test_by_initial_groups_case_insensitively() -> None:
    assert by_initial(["apple", "Avocado", "banana", "2nd"], str) == [
        ("A", ["apple", "Avocado"]), ("B", ["banana"]), ("0–9", ["2nd"])]


def test_sort_keys_put_missions_by_number_and_timeline_by_date() -> None:
    site = site_model()
    views = Views(site)
    missions = sorted(site.items["missions"].values(), key=sort_key("missions", views))
    assert [x.number for x in missions] == sorted(x.number for x in site.items["missions"].values())
    events = sorted(site.items["timeline"].values(), key=sort_key("timeline", views))
    placed = [(e.date.year, e.precision.by_year, e.date) for e in events if e.date]
    assert placed == sorted(placed)  # within a year, the events known only by their year come last
    followers = [e for e in events if e.after]
    assert followers, "the real timeline has events dated only as following another"
    for event in followers:  # after the event it followed, never before
        assert events.index(event) > events.index(site.items["timeline"][event.after]), event.id


def test_change_notes_without_items_are_kept(project: Path) -> None:
    from sitegen.build import check_site

    (project / "data" / "changes.yaml").write_text(
        "- date: 2024-01-02\n  summary: First.\n- date: 2024-03-04\n  summary: Second.\n  items: [test-article]\n",
        encoding="utf-8")
    assert [n.summary for n in check_site(project).changes] == ["First.", "Second."]


def test_a_row_names_each_source_once_in_the_order_first_cited() -> None:
    """views.cited_sources gives a row's or a figure's "Sources": every source its citations name, once."""
    site = site_model()
    views = Views(site)
    first, second = sorted(site.items["sources"])[:2]
    cited = [Citation(source=second, quote="one"), Citation(source=first, quote="two"),
             Citation(source=second, quote="three")]
    assert [s.id for s in views.cited_sources(cited)] == [second, first]
    proposal = site.items["recommendations"]["family-help-services"]  # cites in its proposal, response and later
    named = [s.id for s in views.cited_sources(proposal)]
    assert len(named) == len(set(named)) > 1
    assert set(named) == {c.source for c in [*proposal.citations, *proposal.response.citations,
                                             *(c for later in proposal.later for c in later.citations)]}
    assert named[0] == proposal.citations[0].source


def test_an_area_s_opening_sentence_cites_each_quote_once() -> None:
    """The citations under an area's opening sentence: those of each programme naming it and of each
    sum, in order, a quote that backs two parts given once."""
    views = Views(site_model())
    programmes = views.area_programmes("dorset")
    once = views.programme_citations(programmes)
    assert programmes[0][2], "Dorset's programme has a sum, so the sentence cites two parts"
    assert once == [c for _, named, money in programmes
                    for c in [*named.citations, *(c for _, value in money for c in value.citations)]]
    assert views.programme_citations(programmes + programmes) == once


def test_a_template_can_ask_only_whether_a_kind_of_data_has_a_schema() -> None:
    """has_schema joins its argument into a path: a template must not learn whether files elsewhere exist."""
    renderer = Renderer(ROOT / "templates", site_model(), Settings())
    assert renderer.has_schema("themes")
    assert not renderer.has_schema("../schemas/themes")
    assert not renderer.has_schema("../../../../../etc/hostname.schema")
