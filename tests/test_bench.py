"""The benchmark's synthetic project builds cleanly, and its Hugo twin has the same pages and text."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml
from conftest import ROOT

from sitegen.build import build, check_site
from sitegen.cache import BuildCache
from sitegen.render import Settings

sys.path.insert(0, str(ROOT / "benchmarks"))

import bench  # noqa: E402
from generate import Sizes, generate  # noqa: E402


def test_generated_project_passes_every_check(tmp_path: Path) -> None:
    generate(tmp_path, 40)
    site = check_site(tmp_path)  # every reference resolves and every quote is in its source text
    assert len(site.items["recommendations"]) == 40
    assert {kind: len(items) for kind, items in site.items.items() if kind != "changes"} == {
        kind: Sizes(40).of(kind) for kind in site.items if kind != "changes"}
    proposal = site.items["recommendations"]["recommendations-1"]
    assert 250 <= len(proposal.body.split()) <= 360  # the issue's ~300-word Markdown body
    for piece in ("\n## ", "\n- ", "](/recommendations/", "*", "**"):  # a heading, a list, a link, emphasis
        assert piece in proposal.body
    assert len(proposal.proposal.split()) <= 40  # table cells as short as the real data's


def test_generated_bodies_render_as_markdown(tmp_path: Path) -> None:
    generate(tmp_path, 20)
    build(tmp_path, tmp_path / "site", Settings())
    page = (tmp_path / "site" / "recommendations" / "recommendations-1" / "index.html").read_text(encoding="utf-8")
    assert "<h3>" in page and "<li>" in page and "<em>" in page and "<strong>" in page
    assert '<a href="/recommendations/recommendations-' in page


def test_generation_is_deterministic(tmp_path: Path) -> None:
    generate(tmp_path / "a", 20)
    generate(tmp_path / "b", 20)
    for name in ("recommendations.yaml", "sources.yaml"):
        assert (tmp_path / "a" / "data" / name).read_bytes() == (tmp_path / "b" / "data" / name).read_bytes()


def test_the_benchmark_edit_builds_incrementally(tmp_path: Path) -> None:
    project = tmp_path / "project"
    generate(project, 20)
    cache = BuildCache(project / ".cache")
    first = build(project, project / "site", Settings(), cache)
    bench.edit_one_item(project, 1)
    again = build(project, project / "site", Settings(), BuildCache(project / ".cache"))
    assert 0 < again.rendered < first.rendered
    assert "Edited title number 1" in (project / "data" / "recommendations.yaml").read_text(encoding="utf-8")


def test_hugo_twin_has_the_same_number_of_pages_and_the_texts(tmp_path: Path) -> None:
    generate(tmp_path / "project", 20)
    bench.hugo_project(tmp_path / "project", tmp_path / "hugo", 50)
    pages = sorted((tmp_path / "hugo" / "content" / "items").glob("*.md"))
    assert len(pages) == 50
    first = yaml.safe_load((tmp_path / "project" / "data" / "recommendations.yaml").read_text())[0]
    texts = [page.read_text(encoding="utf-8") for page in pages]
    assert any(first["proposal"] in text and first["body"] in text for text in texts)


def test_no_later_entry_of_a_large_generated_project_opens_by_pointing_back(tmp_path: Path) -> None:
    """The checks refuse a later entry opening with "These" or "Its" (content_checks.POINTING_WORDS); the
    benchmark's 1,000 and 10,000-item projects must pass them, and random words often open with one."""
    from sitegen.content_checks import POINTING_WORDS

    generate(tmp_path, 1000)
    texts = re.findall(r'^    - text: "?(\S+)', (tmp_path / "data" / "recommendations.yaml").read_text("utf-8"), re.M)
    assert len(texts) > 100 and not POINTING_WORDS.intersection(texts)
