"""The build cache: cold, warm and incremental builds give the same bytes; a bad cache is never trusted."""

from __future__ import annotations

import json
import os
import pickle
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, snapshot

from sitegen import build as build_module
from sitegen import cache as cache_module
from sitegen import models as m
from sitegen import parallel, write
from sitegen.build import build, check_site
from sitegen.build import render as render_files
from sitegen.cache import BuildCache, read_cache_file, write_cache_file
from sitegen.errors import BuildFailed, Collector
from sitegen.inputs import static_files
from sitegen.render import Settings
from sitegen.search import bundle_of, plan_shards
from sitegen.write import MARKER

sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402


def cold_build(project: Path, out: Path, settings: Settings | None = None) -> dict[str, bytes]:
    """A build with no cache at all: the reference every cached build must equal."""
    build(project, out, settings or Settings())
    return snapshot(out)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def assert_same_site(built: dict[str, bytes], expected: dict[str, bytes]) -> None:
    assert sorted(built) == sorted(expected)
    for name, content in expected.items():
        assert built[name] == content, f"{name} differs from a cold build"


def test_cold_warm_and_incremental_builds_give_the_same_bytes(project: Path, tmp_path: Path) -> None:
    cache, out = BuildCache(project / ".cache"), project / "site"
    first = build(project, out, Settings(), cache)
    assert_same_site(snapshot(out), cold_build(project, tmp_path / "cold-1"))

    warm = build(project, out, Settings(), BuildCache(project / ".cache"))
    assert warm.count == first.count and warm.rendered == 0
    assert_same_site(snapshot(out), cold_build(project, tmp_path / "cold-1"))

    # one line of one item, then an edit of a glossary term (linked on every page) and of a page
    edit(project / "data" / "themes.yaml", "title: Family help", "title: Family help and support")
    again = build(project, out, Settings(), BuildCache(project / ".cache"))
    assert 0 < again.rendered < first.rendered, "only the pages showing the theme are rendered again"
    assert_same_site(snapshot(out), cold_build(project, tmp_path / "cold-2"))

    glossary = project / "data" / "glossary.yaml"
    text = glossary.read_text(encoding="utf-8")
    glossary.write_text(text.replace("term: ", "term: New ", 1), encoding="utf-8")
    edit(project / "content" / "about.md", "title:", "title: All")
    build(project, out, Settings(), BuildCache(project / ".cache"))
    assert_same_site(snapshot(out), cold_build(project, tmp_path / "cold-3"))


SHOWN_FIELD = re.compile(r"\b(title|name|term|outlet|summary): (['\"]?)")
"""A field of an item that its pages show, in any kind's data file."""


@pytest.fixture(scope="module")
def built_real(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project built once, with its cache on disk and without its search index, at the path
    its copies take (the cache is warm only for the output folder it was made for) and then moved
    aside: the edit tests below start from copies of it rather than each building the site."""
    import shutil

    root = tmp_path_factory.mktemp("built-real")
    project = real_project(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sitegen.build.index_shards", lambda folder, shards, at_once=1: None)
        cold = build(project, project / "site", Settings(), BuildCache(project / ".cache"))
        statics = static_files(project / "templates", Collector())
        assert cold.rendered == cold.count - len(statics) > 400  # every page (the other files are static)
    shutil.move(project, root / "built")
    shutil.copytree(root / "built", project, symlinks=True)
    with pytest.MonkeyPatch.context() as patch:  # a copy at that path is warm: nothing to render
        patch.setattr("sitegen.build.index_shards", lambda folder, shards, at_once=1: None)
        assert build(project, project / "site", Settings(), BuildCache(project / ".cache")).rendered == 0
    return root / "built"


@pytest.fixture
def real_built(built_real: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of built_real at the path it was built at, so its cache is warm. The search
    index is not made (it is not compared)."""
    import shutil

    monkeypatch.setattr("sitegen.build.index_shards", lambda folder, shards, at_once=1: None)
    project = built_real.parent / "project"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(built_real, project, symlinks=True)
    return project


@pytest.mark.parametrize("kind", [*m.DATA_FILES, "content"])
def test_an_edit_of_any_kind_of_item_gives_a_cold_build_s_bytes(real_built: Path, kind: str) -> None:
    """The real site: after an edit of the first item of each kind (or of a content page), an
    incremental build equals a cold build byte for byte. A page that shows an item its job does not
    name (see plan.PageJob) is left stale, and fails this test."""
    project = real_built
    out = project / "site"
    path = project / "content" / "about.md" if kind == "content" else project / "data" / f"{kind}.yaml"
    text = path.read_text(encoding="utf-8")
    found = SHOWN_FIELD.search(text)
    assert found is not None, path
    path.write_text(f"{text[:found.end()]}Edited {text[found.end():]}", encoding="utf-8")
    again = build(project, out, Settings(), BuildCache(project / ".cache"))
    assert again.rendered > 0
    built = {name: data for name, data in snapshot(out).items() if not name.startswith("pagefind/") and name != MARKER}
    _site, expected = render_files(project, Settings())
    assert_same_site(built, expected)


def test_a_corrupt_cache_file_is_detected_and_ignored(project: Path, tmp_path: Path) -> None:
    out = project / "site"
    first = build(project, out, Settings(), BuildCache(project / ".cache"))
    state, markdown = project / ".cache" / "state.pickle", project / ".cache" / "markdown.pickle"
    raw = bytearray(state.read_bytes())
    raw[len(raw) // 2] ^= 0xFF  # one flipped byte in the payload
    state.write_bytes(bytes(raw))
    markdown.write_bytes(markdown.read_bytes()[:-100])  # a truncated file
    assert read_cache_file(state, "any") is None and read_cache_file(markdown, "any") is None
    cache = BuildCache(project / ".cache")
    result = build(project, out, Settings(), cache)
    assert result.rendered == first.rendered, "nothing was reused from the corrupt cache"
    assert_same_site(snapshot(out), cold_build(project, tmp_path / "cold"))


def test_a_cache_of_another_code_version_is_ignored(project: Path) -> None:
    build(project, project / "site", Settings(), BuildCache(project / ".cache"))
    cache = BuildCache(project / ".cache")
    cache.load("another-version")
    assert cache.markdown == {} and cache.state.pages == {}


def test_a_cache_file_that_cannot_be_written_leaves_nothing_behind(tmp_path: Path) -> None:
    """The pickle goes straight into a temporary file: a failure half way removes it, and the last
    good file stays."""
    path = tmp_path / ".cache" / "state.pickle"
    write_cache_file(path, "v1", {"kept": True})
    with pytest.raises((pickle.PicklingError, AttributeError)):
        write_cache_file(path, "v1", {"a value pickle refuses": lambda: None})
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.pickle"]
    assert read_cache_file(path, "v1") == {"kept": True}


def test_an_output_file_changed_by_hand_is_written_again(project: Path, tmp_path: Path) -> None:
    """A build trusts an output file it wrote while its inode, size and time are as recorded; a file
    written to, or replaced by another of the same size and time, is written again, a search bundle's
    file included."""
    out = project / "site"
    build(project, out, Settings(), BuildCache(project / ".cache"))
    (out / "glossary" / "index.html").write_text("changed by hand")
    (out / "stray.html").write_text("left by someone")
    for rel in ("about/index.html", "pagefind/pagefind-entry.json"):
        was = (out / rel).stat()
        (out / rel).unlink()
        (out / rel).write_bytes(b"x" * was.st_size)
        os.utime(out / rel, ns=(was.st_atime_ns, was.st_mtime_ns))
    build(project, out, Settings(), BuildCache(project / ".cache"))
    assert_same_site(snapshot(out), cold_build(project, tmp_path / "cold"))


def test_a_build_with_nothing_changed_reads_no_output_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files' signatures, not their bytes, show the last build's output is as it was written."""
    out = project / "site"
    build(project, out, Settings(), BuildCache(project / ".cache"))
    read: list[Path] = []
    real = write.output_hash

    def counted(path: Path) -> str | None:
        read.append(path)
        return real(path)

    for module in (write, cache_module, build_module, parallel):
        monkeypatch.setattr(module, "output_hash", counted)
    warm = build(project, out, Settings(), BuildCache(project / ".cache"))
    assert warm.rendered == 0
    assert [path for path in read if path.suffix == ".html" or "pagefind" in path.parts] == []


def test_problems_are_reported_at_the_same_places_with_a_cache(project: Path) -> None:
    build(project, project / "site", Settings(), BuildCache(project / ".cache"))
    edit(project / "data" / "recommendations.yaml", "themes: [", "themes: [no-such-theme, ")
    with pytest.raises(BuildFailed) as plain:
        check_site(project)
    cache = BuildCache(project / ".cache")
    cache.load("x")
    with pytest.raises(BuildFailed) as cached:
        build(project, project / "site", Settings(), BuildCache(project / ".cache"))
    assert cached.value.problems == plain.value.problems


def test_an_unchanged_item_is_placed_exactly_when_a_change_elsewhere_breaks_it(project: Path) -> None:
    """The preview keeps each item's validated model but not its marks: they are found again from
    the item's text, and must be the very places a build without a cache reports."""
    cache = BuildCache(None)  # the preview's: the items stay in memory between saves
    build(project, project / "site", Settings(), cache)
    themes = project / "data" / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8").replace("- id: family-help\n", "- id: family-helps\n"),
                      encoding="utf-8")
    with pytest.raises(BuildFailed) as plain:
        check_site(project)
    with pytest.raises(BuildFailed) as cached:
        build(project, project / "site", Settings(), cache)
    assert cached.value.problems == plain.value.problems
    assert any(p.path == "data/recommendations.yaml" and p.line > 1 and p.column > 1 and '"family-help"' in p.message
               for p in cached.value.problems)


def test_the_preview_updates_the_search_index_after_a_save(project: Path, tmp_path: Path) -> None:
    from sitegen.serve import Preview

    preview = Preview(project, project / ".preview")
    preview.rebuild()
    edit(project / "data" / "themes.yaml", "title: Family help", "title: Family help and support")
    preview.fingerprint = None
    preview.rebuild()
    assert not preview.problems
    cold = cold_build(project, tmp_path / "cold")
    preview.wait()  # the index is brought up to date in the background
    assert_same_site(snapshot(project / ".preview"), cold)


def real_project(tmp_path: Path) -> Path:
    """A writable copy of the real site's inputs."""
    import shutil

    from conftest import ROOT

    project = tmp_path / "project"
    for folder in ("data", "content", "templates", "sources", "schemas"):
        shutil.copytree(ROOT / folder, project / folder)
    return project


def test_an_edited_title_re_renders_only_the_pages_that_name_the_proposal(tmp_path: Path) -> None:
    """The real site: a proposal's new title reaches every page naming it; the pages rendered again
    are those whose jobs name the proposal (its neighbours' pages, the lists), not the whole site."""
    project = real_project(tmp_path)
    out = project / "site"
    build(project, out, Settings(), BuildCache(project / ".cache"))
    before = snapshot(out)
    edit(project / "data" / "recommendations.yaml", "title: Specialist child protection lead practitioners",
         "title: Specialist lead practitioners for child protection")
    again = build(project, out, Settings(), BuildCache(project / ".cache"))
    after = snapshot(out)
    changed = {name for name in after if after[name] != before.get(name) and not name.startswith("pagefind/")}
    assert len(changed) <= again.rendered < len(after) // 4, "the pages naming the proposal, not the whole site"
    assert all(b"Specialist lead practitioners for child protection" in after[name]
               for name in changed if name.endswith(".html"))
    assert "themes/funding/index.html" not in changed  # a theme page that only counts the proposals
    assert_same_site(after, cold_build(project, tmp_path / "cold"))


def bundle_inodes(out: Path) -> dict[str, set[int]]:
    """The inodes of each search bundle's files: a bundle indexed again gets new files."""
    found: dict[str, set[int]] = {}
    for path in (out / "pagefind").rglob("*"):
        if path.is_file():
            bundle = bundle_of(path.relative_to(out).as_posix())
            assert bundle is not None
            found.setdefault(bundle, set()).add(path.stat().st_ino)
    return found


def indexed_pages(out: Path) -> int:
    """How many pages the bundles in out hold, by Pagefind's own count."""
    entries = [json.loads(path.read_text()) for path in (out / "pagefind").rglob("pagefind-entry.json")]
    return sum(language["page_count"] for entry in entries for language in entry["languages"].values())


def test_a_large_index_is_split_in_shards_and_only_shards_whose_pages_changed_are_indexed_again(
        tmp_path: Path) -> None:
    """The real site in shards of 60 pages: the shards hold every indexed page once, the search page
    merges them, an edit indexes again only the shards holding a changed page, the preview's deferred
    index catches up on the next build, and every step gives a cold build's bytes."""
    project, settings = real_project(tmp_path), Settings(search_shard_pages=60)
    out, cache = project / "site", BuildCache(project / ".cache")
    build(project, out, settings, cache)
    with_body = sorted(path.relative_to(out).as_posix() for path in out.rglob("*.html")
                       if b"data-pagefind-body" in path.read_bytes())
    shards = [shard.bundle for shard in plan_shards(with_body, 60)]
    assert sorted(bundle_inodes(out)) == sorted(shards) and len(shards) == -(-len(with_body) // 60) > 2
    search = (out / "search" / "index.html").read_text()
    assert f'data-merge="{" ".join("/" + bundle for bundle in shards[1:])}"' in search
    unsharded = tmp_path / "unsharded"
    build(project, unsharded, Settings())
    assert indexed_pages(out) == indexed_pages(unsharded) == len(with_body)
    assert "data-merge" not in (unsharded / "search" / "index.html").read_text()

    before, inodes = snapshot(out), bundle_inodes(out)
    edit(project / "data" / "recommendations.yaml", "title: Specialist child protection lead practitioners",
         "title: Specialist lead practitioners for child protection")
    build(project, out, settings, BuildCache(project / ".cache"))
    after = snapshot(out)
    changed_pages = {name for name in after if name.endswith(".html") and after[name] != before.get(name)}
    holding = {shard.bundle for shard in plan_shards(with_body, 60) if changed_pages.intersection(shard.pages)}
    indexed_again = {bundle for bundle, found in bundle_inodes(out).items() if found.isdisjoint(inodes[bundle])}
    assert indexed_again == holding and 0 < len(holding) < len(shards)
    assert all(bundle_inodes(out)[bundle] == inodes[bundle] for bundle in set(shards) - holding)
    assert_same_site(after, cold_build(project, tmp_path / "cold-1", settings))

    fewer = Settings(search_shard_pages=100)  # fewer shards: the last ones' bundles must go
    build(project, out, fewer, BuildCache(project / ".cache"))
    assert_same_site(snapshot(out), cold_build(project, tmp_path / "cold-2", fewer))


def test_a_failed_index_run_leaves_the_last_site_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When one shard's Pagefind run fails, the build fails and the output is the last build's, index
    and all; the next build catches up."""
    from sitegen import search
    from sitegen.errors import Problem

    project, settings = real_project(tmp_path), Settings(search_shard_pages=60)
    out = project / "site"
    build(project, out, settings, BuildCache(project / ".cache"))
    before = snapshot(out)
    edit(project / "data" / "recommendations.yaml", "title: Specialist child protection lead practitioners",
         "title: Specialist lead practitioners for child protection")
    runs: list[str] = []
    real_run = search.run_pagefind

    def failing_second(site: Path, pages: Sequence[str], bundle: Path, shown: str = "the site",
                       running: Any = None) -> int:
        runs.append(shown)
        if len(runs) == 2:
            raise BuildFailed([Problem("templates/base.html", 1, 1, "Pagefind could not index: test")])
        return real_run(site, pages, bundle, shown, running)

    monkeypatch.setattr(search, "run_pagefind", failing_second)
    with pytest.raises(BuildFailed):
        build(project, out, settings, BuildCache(project / ".cache"))
    assert len(runs) == 2  # the first shard was indexed again, and still not put in place
    assert snapshot(out) == before
    monkeypatch.setattr(search, "run_pagefind", real_run)
    build(project, out, settings, BuildCache(project / ".cache"))
    assert_same_site(snapshot(out), cold_build(project, tmp_path / "cold", settings))


def test_shards_indexed_side_by_side_give_the_bytes_of_one_at_a_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With two workers, two Pagefind runs index shards at once, and the site is the same as with one."""
    import threading

    from sitegen import search

    project, settings = real_project(tmp_path), Settings(search_shard_pages=60)
    running, most, lock = [0], [0], threading.Lock()
    real_run = search.run_pagefind

    def counted(site: Path, pages: Sequence[str], bundle: Path, shown: str = "the site", live: Any = None) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return real_run(site, pages, bundle, shown, live)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(search, "run_pagefind", counted)
    build(project, tmp_path / "two", settings, workers=2)
    assert most[0] == 2
    most[0] = 0
    build(project, tmp_path / "one", settings, workers=1)
    assert most[0] == 1
    assert_same_site(snapshot(tmp_path / "two"), snapshot(tmp_path / "one"))


def test_the_preview_makes_a_body_again_when_its_text_or_the_glossary_changes(project: Path, tmp_path: Path) -> None:
    """A body's HTML is kept between saves only while its text and the glossary's links are the same."""
    out, cache = project / ".preview", BuildCache(None)  # kept in memory
    build(project, out, Settings(), cache)
    edit(project / "data" / "recommendations.yaml", "help to reach families", "help to reach more families")
    build(project, out, Settings(), cache)
    assert_same_site(snapshot(out), cold_build(project, tmp_path / "cold-1"))
    assert b"reach more families" in (out / "print" / "index.html").read_bytes()

    edit(project / "data" / "glossary.yaml", "term: family help\n", "term: family help\n  aliases: [early help]\n")
    build(project, out, Settings(), cache)
    assert_same_site(snapshot(out), cold_build(project, tmp_path / "cold-2"))
    assert b">early help</a>" in (out / "print" / "index.html").read_bytes()


LINK_AND_QUERY_EDITS = [
    # each step changes what some fact other than an item's own text is worked out from
    [("pilots.yaml", "recommendations: [family-help-services, non-social-workers-hold-child-in-need-cases, ",
      "recommendations: [family-help-services, ")],  # backlinks, and the pilots testing a proposal
    [("pilots.yaml", 'quote: "to test the model in ten areas"', 'quote: "test the model in ten areas"')],  # quotes
    [("timeline.yaml", "related: [regional-care-cooperatives]\n",
      "related: [regional-care-cooperatives, family-help-services]\n")],  # the events about a proposal
    [("recommendations.yaml", "themes: [family-help, funding]", "themes: [family-help]")],  # a theme's proposals
    [("changes.yaml", "summary: First publication of the explainer.\n  items: []",
      "summary: First publication of this explainer.\n  items: [family-help-services]")],  # an item's changes
    [("themes.yaml", "- id: child-protection\n",
      "- id: a-new-theme\n  title: A new theme\n  description: Added by a test.\n\n- id: child-protection\n")],
    [("recommendations.yaml", "themes: [fostering]\n  missions: [stable-loving-homes]",
      "themes: [fostering]\n  missions: [loving-relationships]")],  # the proposals of two missions
    [("pilots.yaml", "  missions: [stable-loving-homes]", "  missions: [loving-relationships]")],  # and pilots
    [("funding.yaml", "title: Open and secure children's homes (spring budget 2024)",
      "title: Open and secure children's homes (2024 budget)")],  # a mission's money, on the print page too
    [("people.yaml", "- id: martin-narey\n", "- id: narey\n"),  # an event's related id now names an area
     ("areas.yaml", "- {id: dorset,", "- {id: martin-narey, name: Narey, kind: council}\n- {id: dorset,")],
    [("sources.yaml", "  outlet: CYP Now\n  archive: 000_defd42aa9698fa0d.txt\n",
      "  outlet: CYP Now\n  date: 2023-02-03\n  archive: 000_defd42aa9698fa0d.txt\n")],  # dates of report
    [("pilots.yaml", "    - area: wolverhampton\n      citations:\n"
                     "        - source: cc-2023-07-26-pathfinder-councils\n"
                     '          quote: "Dorset, Lincolnshire and Wolverhampton will also trial merging targeted early'
                     ' help with child in need teams"\n', "")],  # an area's programmes, in areas.csv too
    # a plan's "no report since in our sources": the editors' last review, and the sources of events
    # about the same items
    [("../content/index.md", "last_reviewed: 2026-12-04", "last_reviewed: 2023-01-02")],
    [("../content/index.md", "last_reviewed: 2023-01-02", "last_reviewed: 2026-12-04"),
     ("sources.yaml", "  date: 2023-02-10\n", "  date: 2023-01-05\n"),
     # and the sentences that give the report's date (the build holds them to it)
     ("recommendations.yaml", "10 February 2023", "5 January 2023"),  # each edit changes the first it finds
     ("recommendations.yaml", "10 February 2023", "5 January 2023"),
     ("timeline.yaml", "10 February 2023", "5 January 2023"),
     ("timeline.yaml", "10 February 2023", "5 January 2023"),
     ("timeline.yaml", "reported this in February 2023", "reported this in January 2023"),
     ("glossary.yaml", "In February 2023 it required", "In January 2023 it required"),
     ("glossary.yaml", "said in February 2023 it would", "said in January 2023 it would"),
     ("glossary.yaml", "as reported in February 2023, represented", "as reported in January 2023, represented")],
    [("../content/index.md", "  - funding/budget-2024-reform-testing\n", "")],  # the funding page's key figures
]


def test_edits_to_links_quotes_and_queries_reach_every_page(real_built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a page shows of other items (backlinks, quotes, queries, change notes) is in the items its
    job names: after each kind of edit, the site is a cold build's. The pages are compared, not the
    search index (the shard tests above check that), so Pagefind is not run."""
    monkeypatch.setattr("sitegen.build.index_shards", lambda folder, shards, at_once=1: None)
    project = real_built
    out, cache = project / "site", BuildCache(project / ".cache")
    for step in LINK_AND_QUERY_EDITS:
        for file, old, new in step:
            edit(project / "data" / file, old, new)
        build(project, out, Settings(), cache)
        assert build(project, out, Settings(), cache).rendered == 0  # nothing changed since: nothing rendered
        built = {name: data for name, data in snapshot(out).items()
                 if not name.startswith("pagefind/") and name != MARKER}  # the writer's, not rendered
        _site, expected = render_files(project, Settings())
        assert_same_site(built, expected)


def test_a_page_description_change_reaches_the_home_page(project: Path, tmp_path: Path) -> None:
    """The home page lists every content page with its description (found by a review)."""
    out = project / "site"
    build(project, out, Settings(), BuildCache(project / ".cache"))
    edit(project / "content" / "about.md", "description: ", "description: Newly described. ")
    build(project, out, Settings(), BuildCache(project / ".cache"))
    assert_same_site(snapshot(out), cold_build(project, tmp_path / "cold"))


def test_a_file_removed_by_hand_costs_one_full_build_not_every_build(project: Path) -> None:
    out = project / "site"
    build(project, out, Settings(), BuildCache(project / ".cache"))
    (out / "about" / "index.html").unlink()
    renders = [build(project, out, Settings(), BuildCache(project / ".cache")).rendered for _ in range(3)]
    assert renders[0] > 0 and renders[1:] == [0, 0]


def test_the_input_listing_names_every_link_and_keeps_path_order(tmp_path: Path) -> None:
    """files_under lists what the build hashes and the preview watches, as Path.rglob did before it, and
    refuses every symbolic link, wherever it leads, naming each."""
    import os

    from sitegen.cache import files_under
    from sitegen.errors import BuildFailed

    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "inner").mkdir(parents=True)
    (elsewhere / "linked.txt").write_text("linked file")
    folder = tmp_path / "templates"
    for rel in ("a/x.html", "a-b/x.html", "a.html", "z/y/z.html"):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(rel)
    listed = files_under(folder)
    assert [rel for rel, _, _ in listed] == ["a/x.html", "a-b/x.html", "a.html", "z/y/z.html"]
    assert [Path(path) for _, path, _ in listed] == sorted(p for p in folder.rglob("*") if p.is_file()), \
        "the same files, in the same order, and the same path strings as Path.rglob gives"
    assert all(stat.st_size == Path(path).stat().st_size for _, path, stat in listed)
    assert files_under(tmp_path / "no-such-folder") == []
    (tmp_path / "linked-templates").symlink_to(folder, target_is_directory=True)
    assert files_under(tmp_path / "linked-templates") == [], "a linked input folder is left to check_site"

    os.symlink(elsewhere / "linked.txt", folder / "out.txt")
    os.symlink("/dev/zero", folder / "zero.txt")
    os.symlink("a.html", folder / "link.txt")
    os.symlink(elsewhere / "inner", folder / "z" / "linked-folder")
    os.symlink(tmp_path / "missing.txt", folder / "broken.txt")
    with pytest.raises(BuildFailed) as failed:
        files_under(folder)
    assert [(problem.path, problem.message) for problem in failed.value.problems] == [
        (f"templates/{name}", "this is a symbolic link, which the build never follows: put the file or folder"
                               " itself here")
        for name in ("broken.txt", "link.txt", "out.txt", "z/linked-folder", "zero.txt")]


def test_list_pages_name_only_their_own_rows_and_stay_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A generated site whose lists, filters, themes and print sections run over many pages (4 rows
    each here): each list page names only the items on it (plan.list_job) and sums up the rest in its
    summary. After each edit the incremental build equals a cold one byte for byte, and an edit of
    one proposal's text renders its own list page again, not the others."""
    monkeypatch.setattr("sitegen.build.index_shards", lambda folder, shards, at_once=1: None)
    monkeypatch.setattr("sitegen.plan.ROWS_PER_PAGE", 4)
    monkeypatch.setattr("sitegen.plan.PRINT_ROWS_PER_PAGE", 4)
    monkeypatch.setattr("sitegen.plan.PRINT_ITEMS", 10)
    monkeypatch.setattr("sitegen.plan.QUOTES_PER_PAGE", 3)
    monkeypatch.setattr("sitegen.plan.A_TO_Z_PER_PAGE", 20)
    project, out = tmp_path / "project", tmp_path / "project" / "site"
    generate(project, 30)
    first = build(project, out, Settings(), BuildCache(project / ".cache"))
    listed = [dest for dest in snapshot(out)
              if dest.startswith(("recommendations/index.html", "recommendations/page/", "print/recommendations/"))]
    assert len(listed) >= 10, "the proposals' list and print section run over several pages"
    assert any(dest.startswith("a-z/page/") for dest in snapshot(out)), "the A–Z runs over several pages"
    assert any(dest.startswith("sources/") and "/page/" in dest for dest in snapshot(out)), "and a source's quotes"

    def rebuilt() -> int:
        result = build(project, out, Settings(), BuildCache(project / ".cache"))
        built = {name: data for name, data in snapshot(out).items() if name != MARKER}
        _site, expected = render_files(project, Settings())
        assert_same_site(built, expected)
        return result.rendered

    recommendations = project / "data" / "recommendations.yaml"
    inodes = {dest: (out / dest).stat().st_ino for dest in listed}
    edit(recommendations, "  proposal: \"", "  proposal: \"Edited. ")  # the first proposal's text
    assert 0 < rebuilt() < first.rendered
    again = {dest for dest in listed if (out / dest).stat().st_ino != inodes[dest]}  # a reused page is hard-linked
    holding = {dest for dest in listed if 'data-id="recommendations-1"' in (out / dest).read_text(encoding="utf-8")}
    assert again == holding and len(holding) == 2, "only the list page and the print page holding it"
    edit(recommendations, 'title: "Moved courts', 'title: "Aaa moved courts')  # moves to the lists' first pages
    rebuilt()
    edit(recommendations, "status: unclear", "status: rejected")  # every filter's counts change
    rebuilt()
    text = recommendations.read_text(encoding="utf-8")
    last = text[text.index("- id: recommendations-30"):]
    recommendations.write_text(text + "\n" + last.replace("recommendations-30", "recommendations-31"),
                               encoding="utf-8")  # one more page of rows, and every pager changes
    rebuilt()
    for kind in ("glossary", "sources", "themes"):
        path = project / "data" / f"{kind}.yaml"
        found = SHOWN_FIELD.search(path.read_text(encoding="utf-8"))
        assert found is not None, kind
        edit(path, found.group(), f"{found.group()}Edited ")
        rebuilt()


def test_kept_item_checks_report_what_a_check_with_nothing_kept_reports(project: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Each item's content checks are kept between builds by the hash of the item, the glossary, the
    people's names and the sources' dates (content_checks.ItemChecks). After each edit the problems,
    warnings and reading ages, with their places, must be those of a check that keeps nothing; and an
    edit of one item checks that item only."""
    from sitegen import content_checks

    checked: list[str] = []
    check_item = content_checks.check_item
    monkeypatch.setattr(content_checks, "check_item",
                        lambda item, *rest: checked.append(getattr(item, "id", "")) or check_item(item, *rest))
    kept: dict[str, Any] = {}

    def outcome(**kwargs: Any) -> Any:
        try:
            site = check_site(project, **kwargs)
        except BuildFailed as failed:
            return failed.problems
        return site.warnings, site.reading_ages

    def same_as_nothing_kept() -> list[str]:
        """Check with what is kept and with nothing kept; the ids of the items the first checked again."""
        checked.clear()
        with_kept, again = outcome(checks=kept), list(checked)
        assert with_kept == outcome()
        return again

    recommendations = project / "data" / "recommendations.yaml"
    long = " ".join(["Councils"] + ["would"] * 30) + "."
    edit(recommendations, "proposal: Join up early help and child in need work.", f"proposal: {long}")
    assert same_as_nothing_kept() and kept, "the first check keeps what it found"
    warnings, _ages = outcome(checks=kept)
    assert any("a sentence of 31 words" in warning.message for warning in warnings)

    checked.clear()
    assert outcome(checks=kept)[0] == warnings and checked == [], "nothing changed: nothing checked again"

    moved = "# a comment moves every item down a line\n" + recommendations.read_text(encoding="utf-8")
    recommendations.write_text(moved, encoding="utf-8")
    assert same_as_nothing_kept() == []  # kept findings, placed where the item is now

    edit(recommendations, "title: Family help services", "title: Family help services ZQX")
    assert same_as_nothing_kept() == ["family-help-services"], "an edit of one item checks that item only"
    assert any('"ZQX"' in problem.message for problem in outcome(checks=kept))

    glossary = project / "data" / "glossary.yaml"
    term = ("- id: zqx\n  term: ZQX\n  definition: A made-up term for this test.\n  citations:\n"
            "    - source: test-article\n      quote: children's social care\n")
    glossary.write_text(term + glossary.read_text(encoding="utf-8"), encoding="utf-8")
    again = same_as_nothing_kept()  # the glossary is part of every key: every item is checked again
    assert "family-help-services" in again and len(again) == len(kept)

    (project / "data" / "people.yaml").write_text(
        "- id: pat-example\n  name: Pat Example\n  kind: person\n  roles:\n    - role: Team leader\n      citations:\n"
        "        - source: test-article\n          quote: children's social care\n", encoding="utf-8")
    again = same_as_nothing_kept()  # so are the people's names
    assert "family-help-services" in again

    recommendations.write_text("---\n" + recommendations.read_text(encoding="utf-8"), encoding="utf-8")
    again = same_as_nothing_kept()  # read whole: each item kept by the model written out, not by its text
    assert "family-help-services" in again and same_as_nothing_kept() == []
    edit(recommendations, "title: Family help services ZQX", "title: Family help services ZQY")
    assert same_as_nothing_kept() == ["family-help-services"]


def test_the_preview_validates_again_only_the_items_whose_text_changed(project: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview keeps each data file item's marks and model by its text (build.Kept): after a save
    that edits one item and adds a line above it, only that item is validated again, and the site is
    the one a check that keeps nothing gives, its problems placed where they are now."""
    import sitegen.build

    validated: list[Any] = []
    real = sitegen.build.validate_one
    monkeypatch.setattr(sitegen.build, "validate_one",
                        lambda doc, raw, *rest: validated.append(raw.get("id")) or real(doc, raw, *rest))
    kept: dict[str, Any] = {}
    check_site(project, kept=kept)
    assert "family-help-services" in validated and kept["recommendations"]

    recommendations = project / "data" / "recommendations.yaml"
    text = "# a line above every item\n" + recommendations.read_text(encoding="utf-8")
    recommendations.write_text(text.replace("title: Family help services", "title: Family help services, edited"),
                               encoding="utf-8")
    validated.clear()
    site = check_site(project, kept=kept)
    assert [item_id for item_id in validated if item_id] == ["family-help-services"]  # (pages' front matter too)
    assert site.items["recommendations"]["family-help-services"].title == "Family help services, edited"
    assert site == check_site(project)

    edit(recommendations, "themes: [family-help]", "themes: [no-such-theme]")
    with pytest.raises(BuildFailed) as cached:
        check_site(project, kept=kept)
    with pytest.raises(BuildFailed) as plain:
        check_site(project)
    assert cached.value.problems == plain.value.problems
