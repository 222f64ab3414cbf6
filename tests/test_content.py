"""The content rules, checked on the real data and the built site."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest
from conftest import ROOT, Run
from reader_site import BASE, GLOSSARY_POPOVERS, html_pages, rendered
from test_cli import edit

from sitegen.build import check_site
from sitegen.formats import format_money
from sitegen.resolve import Site


@pytest.fixture(scope="module")
def site() -> Site:
    return check_site(ROOT)


@pytest.fixture(scope="module")
def built() -> dict[str, str]:
    """The real site's pages under /REPO/, as a build writes them (rendered in memory once per run)."""
    return html_pages(rendered(BASE))


def page_text(html: str) -> str:
    html = GLOSSARY_POPOVERS.sub("", html)  # a reader sees the glossary's popovers only when opened
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&amp;", "&")


def test_every_disagreement_renders_every_value(site: Site, built: dict[str, str]) -> None:
    disputed = [line for line in site.items["funding"].values()
                if len({v.money for v in line.values}) > 1]
    assert len(disputed) >= 3, "the sources disagree on several sums"
    for line in disputed:
        text = page_text(built[f"funding/{line.id}/index.html"])
        for value in line.values:
            assert format_money(value.money) in text, f"{line.id}: {format_money(value.money)} not shown"
        assert line.note and line.note.split(".")[0] in text, f"{line.id}: no visible note"
        funding_page = page_text(built["funding/index.html"])
        for value in line.values:
            assert format_money(value.money) in funding_page


def test_changing_counts_render_with_each_reports_date(site: Site, built: dict[str, str]) -> None:
    for pilot in site.items["pilots"].values():
        if len(pilot.area_counts) > 1:
            text = page_text(built[f"pilots/{pilot.id}/index.html"])
            for count in pilot.area_counts:
                assert str(count.count) in text


def test_every_glossary_term_is_linked_somewhere(site: Site, built: dict[str, str]) -> None:
    linked: set[str] = set()
    for path, html in built.items():
        if PurePosixPath(path).parent.name != "glossary":
            linked |= set(re.findall(r'class="term" href="/REPO/glossary/#([a-z0-9-]+)"', html))
    unlinked = sorted(set(site.items["glossary"]) - linked)
    assert unlinked == [], f"glossary terms never linked from any page: {unlinked}"


def test_planned_events_say_so(site: Site, built: dict[str, str]) -> None:
    text = page_text(built["timeline/index.html"])
    planned = [e for e in site.items["timeline"].values() if e.planned]
    assert planned
    undated = text.count("Planned, as reported in an undated source")
    assert text.count("Planned, as reported on") + undated == len(planned)


def test_an_uncited_item_is_refused(project: Path, run_cli: Callable[..., Run]) -> None:
    cited = ("  citations:\n    - source: test-article\n      quote: fix children's social care\n"
             "    - source: test-article\n      quote: The missions are to be met by 2027.\n")
    edit(project / "data/missions.yaml", cited, "  citations: []\n")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0] == "data/missions.yaml:6:14: citations: the list is empty; give at least 1 entry"


def test_a_free_floating_figure_is_refused(project: Path, run_cli: Callable[..., Run]) -> None:
    edit(project / "content/about.md", "From *data* files.", "From *data* files, costing £3.1bn.")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        'content/about.md:8:28: the figure "£3.1bn" is not in the data or any cited quote; add it to the data'
        " with a citation, or correct it to the cited value")


def test_a_cited_figure_is_accepted(project: Path, run_cli: Callable[..., Run]) -> None:
    edit(project / "content/about.md", "From *data* files.", "The review costed it at £2.6bn.")
    assert run_cli("--project", str(project), "check").code == 0


def test_an_acronym_missing_from_the_glossary_is_refused(project: Path, run_cli: Callable[..., Run]) -> None:
    edit(project / "data/themes.yaml", "Support for families", "Support from the LGA for families")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        'data/themes.yaml:3:16: the acronym "LGA" is not in the glossary; add a term with "LGA" in its term or'
        " aliases, or spell it out")


def test_long_sentences_are_warned_not_refused(project: Path, run_cli: Callable[..., Run]) -> None:
    edit(project / "content/about.md", "From *data* files.", "From data " + "and more " * 20 + "files.")
    result = run_cli("--project", str(project), "check")
    assert result.code == 0
    assert "content/about.md:8:1: warning: a sentence of 43 words; aim for under 30" in result.err


def test_summary_counts_the_real_data(site: Site, run_cli: Callable[..., Run]) -> None:
    result = run_cli("--project", str(ROOT), "check")
    assert result.code == 0
    assert f"{len(site.items['recommendations'])} recommendations" in result.out
    assert len(site.items["recommendations"]) > 20
    assert len(site.items["missions"]) == 6
    assert len(site.items["glossary"]) >= 30


def test_a_sentence_is_long_from_thirty_one_words_within_its_paragraph() -> None:
    from sitegen.readability import long_sentences

    thirty = " ".join(["word"] * 30)
    assert long_sentences(thirty + ".") == []
    assert long_sentences(f"{thirty}\nmore.") == [f"{thirty} more."]  # 31 words; the line break made a space
    assert long_sentences(f"Short.  {thirty}  more.") == [f"{thirty} more."]
    assert long_sentences(f"{thirty}. {thirty}.") == []
    assert long_sentences(f"{thirty}\n\nmore.") == []  # a paragraph ends the sentence
    assert long_sentences(f"{thirty}\n- more") == []  # and so does a list item


def test_an_acronym_is_known_from_the_glossary_or_the_exemptions_with_or_without_a_plural_s() -> None:
    from sitegen.readability import unknown_acronyms

    text = "The DFE, the LAs, NAAS and the NAASs asked CAFCASS."
    assert [m.group() for m in unknown_acronyms(text, frozenset({"LA"}), {"NAAS"})] == ["DFE", "CAFCASS"]
    assert [m.group() for m in unknown_acronyms(text, {"LA", "DFE", "CAFCASS", "NAAS"})] == []
