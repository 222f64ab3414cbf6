"""The pages for each kind of reader (data/guides.yaml, /for/<id>/), the sentence each area's page
opens with, the councils' A to Z list and its filter, and the reading-age check."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import textstat  # type: ignore[import-untyped]
from conftest import ROOT, Run
from markupsafe import escape
from reader_site import GLOSSARY_POPOVERS
from test_cli import edit

from sitegen.build import Timings, build, check_site, load_data
from sitegen.content_checks import prose_of
from sitegen.errors import Collector
from sitegen.readability import (
    ITEM_READING_AGE_CEILING,
    PAGE_READING_AGE_CEILING,
    add_up,
    as_sentence,
    count,
    guide_text,
    index_of,
    page_text,
    prose_counts,
    reading_age,
)
from sitegen.render import Settings
from sitegen.resolve import Site

READERS = ("care-leavers", "families", "social-workers", "councils", "journalists")

A_GUIDE = """- id: test-readers
  title: If you are a test reader
  audience: Test readers
  reading_age: {age}
  intro: This page says what the test article says.
  questions:
    - question: How much money is there?
      answer: {answer}
      citations:
        - source: test-article
          quote: "{quote}"
"""
EASY = "The government set out a £200m plan. It is for the next two years."
QUOTE = "a £200m package of measures to fix children's social care over the next two years"


def write_guide(project: Path, answer: str = EASY, quote: str = QUOTE, age: int = 11) -> None:
    (project / "data/guides.yaml").write_text(A_GUIDE.format(answer=answer, quote=quote, age=age), encoding="utf-8")


@pytest.fixture(scope="module")
def site() -> Site:
    return check_site(ROOT)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("guides") / "site"
    build(ROOT, out, Settings(base_url="/REPO/"))
    return out


def text_of(page: str) -> str:
    """A page's words, as a reader sees them: the glossary's buttons and closed popovers out, tags out,
    entities decoded, spaces folded."""
    page = GLOSSARY_POPOVERS.sub("", page)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", page)))


def test_a_cited_guide_is_accepted(project: Path, run_cli: Callable[..., Run]) -> None:
    write_guide(project)
    assert run_cli("--project", str(project), "check").code == 0


def test_a_guide_without_citations_is_refused(project: Path, run_cli: Callable[..., Run]) -> None:
    write_guide(project)
    path = project / "data/guides.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("      citations:")] + "      citations: []\n", encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0] == ("data/guides.yaml:9:18: questions[0].citations: the list is empty;"
                                          " give at least 1 entry")


def test_a_guide_quote_not_in_the_source_is_refused(project: Path, run_cli: Callable[..., Run]) -> None:
    write_guide(project, quote="a £300m package of measures to fix children's social care")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0].startswith(
        'data/guides.yaml:11:18: quote not found in source "test-article"; the closest passage in the source is:')


@pytest.mark.parametrize(("answer", "expected"), [
    ("The government set out a £300m plan for two years.",
     '"£300m" is in none of the quotes of this answer'),
    ("The government set out a £200m plan for the next three years.",
     '"three" is in none of the quotes of this answer'),
    ("The government set out a £200m plan in 2024.", '"2024" is in none of the quotes of this answer'),
    ("The government set out up to £200m for the next two years.",
     'the quote says "£200m" but the answer says "up to £200m"'),
])
def test_an_answer_says_no_more_than_its_quotes(project: Path, run_cli: Callable[..., Run],
                                                answer: str, expected: str) -> None:
    write_guide(project, answer=answer)
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0].startswith(f"data/guides.yaml:8:15: {expected}")


def test_an_answer_keeps_its_quotes_qualifier(project: Path, run_cli: Callable[..., Run]) -> None:
    article = project / "sources/article.txt"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "met by 2027.", "met by 2027. The reforms would take nearly five years."), encoding="utf-8")
    write_guide(project, answer="The reforms were put at five years.", quote="The reforms would take nearly five years")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0] == ('data/guides.yaml:8:15: the quote says "nearly five" but the answer says'
                                          ' "five"; keep the quote\'s word before the figure')


def test_over_a_span_of_time_is_no_qualifier_an_answer_must_keep(project: Path, run_cli: Callable[..., Run]) -> None:
    write_guide(project, answer="The costs were put at £2.6bn for five years.",
                quote="the review’s proposals would cost £2.6bn over five years")
    result = run_cli("--project", str(project), "check")
    assert result.code == 0, result.err


def test_a_guide_s_title_and_questions_hold_only_figures_its_quotes_give(project: Path,
                                                                        run_cli: Callable[..., Run]) -> None:
    """The title has no quotes, so it holds no figure; a question's figures are its answer's quotes'."""
    write_guide(project)
    guides = project / "data/guides.yaml"
    text = guides.read_text(encoding="utf-8")
    guides.write_text(text.replace("title: If you are a test reader", "title: If you are one of 500 test readers")
                      .replace("question: How much money is there?", "question: Is there £200m for 2030?"),
                      encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[:2] == [
        "data/guides.yaml:2:10: a guide's title holds no figure, as it has no quote to hold it; put the figure in an"
        " answer whose quote gives it",
        'data/guides.yaml:7:17: "2030" is in none of the quotes of this answer; a question holds only figures its'
        " answer's quotes give"]


def test_a_hard_guide_fails_above_its_reading_age(project: Path, run_cli: Callable[..., Run]) -> None:
    hard = ("The government's multidisciplinary transformation programme, notwithstanding considerable"
            " implementation uncertainties, establishes a £200m commissioning infrastructure over the next"
            " two years.")
    write_guide(project, answer=hard, age=11)
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    first = result.err.splitlines()[0]
    assert re.fullmatch(r'data/guides\.yaml:1:3: guide "test-readers" reads at a reading age of [\d.]+, above its'
                        r' target of 11; .*', first), first
    write_guide(project, answer=EASY, age=11)
    checked = run_cli("--project", str(project), "check")
    assert checked.code == 0
    assert "/for/test-readers/" in checked.out


def test_reading_age_is_the_automated_readability_index_plus_five() -> None:
    text = "The government set out a plan. It is for the next two years. Councils will test it first."
    assert reading_age(text) == round(textstat.automated_readability_index(text) + 5, 1)


ODD_TEXTS = ("", "…", "Yes. No. A plan that is long enough to count.", "It's the council's plan – isn't it?!",
             "£2.6bn over 5 years (2023–25): 'kinship' carers, U.K.-wide.", "Heading\n\nA b c d. E f. G h i j k!")


def kind_texts() -> dict[str, tuple[list[str], str]]:
    """Each kind's texts on its item pages, item by item, and all of them as one text."""
    found = {}
    for kind, entries in load_data(ROOT, Collector(), Timings()).items():
        parts = [as_sentence(text) for entry in entries for text in prose_of(entry.item) if text.strip()]
        found[kind] = ([text for entry in entries for text in prose_of(entry.item)], "\n".join(parts))
    return found


def test_the_builds_count_of_the_index_is_textstat_s_on_every_page_and_odd_text(site: Site) -> None:
    """readability.py counts the index itself, for speed; textstat is the reference it must equal."""
    guides = [guide_text(guide) for guide in site.items["guides"].values()]
    pages = [page_text(page) for page in site.pages]
    kinds = [whole for _items, whole in kind_texts().values()]
    for text in [*guides, *pages, *kinds, *ODD_TEXTS]:
        assert index_of(count(text)) == pytest.approx(textstat.automated_readability_index(text)), text


def test_a_kinds_counts_are_the_sum_of_its_items_counts() -> None:
    """The build counts each item's words once and adds the counts up (content_checks.ItemChecks):
    that must be the count of the kind's words read as one text, on every kind and on odd texts."""
    cases = [*kind_texts().values(), (list(ODD_TEXTS), "\n".join(as_sentence(t) for t in ODD_TEXTS if t.strip()))]
    assert sum(bool(texts) for texts, _whole in cases) > 5
    for texts, whole in cases:
        assert prose_counts(texts) == count(whole)
        assert add_up(prose_counts([text]) for text in texts) == count(whole)
    # a text that did not end its sentence would run into the next: as_sentence is what makes the sum exact
    assert add_up([count("Two short words"), count("and three more here.")]) != count(
        "Two short words\nand three more here.")


def test_the_real_guides_and_pages_read_within_their_targets(site: Site) -> None:
    ages = {measured.page: measured for measured in site.reading_ages}
    assert {f"/for/{reader}/" for reader in READERS} <= set(ages)
    assert ages["/for/care-leavers/"].ceiling == 11  # GOV.UK's 9, and no more than 11
    assert all(measured.passes for measured in ages.values()), ages
    assert all(ages[page].ceiling == PAGE_READING_AGE_CEILING for page in ("/", "/about/"))


def test_check_prints_each_reading_age(run_cli: Callable[..., Run]) -> None:
    result = run_cli("--project", str(ROOT), "check")
    assert result.code == 0
    line = next(line for line in result.out.splitlines() if line.startswith("Reading ages"))
    for reader in READERS:
        assert re.search(rf"/for/{reader}/ [\d.]+ \(at most \d+\)", line), line


def test_each_guide_renders_its_questions_and_citations(site: Site, built: Path) -> None:
    listing = (built / "for/index.html").read_text(encoding="utf-8")
    # in the data file's order, which puts families first as the home page does
    assert re.findall(r'href="/REPO/for/([a-z-]+)/"', listing) == list(site.items["guides"])
    assert list(site.items["guides"])[0] == "families"
    for reader in READERS:
        guide = site.items["guides"][reader]
        page = (built / "for" / reader / "index.html").read_text(encoding="utf-8")
        words = text_of(page)
        assert f">{escape(guide.title)}</h1>" in page  # as the templates escape it
        for question in guide.questions:
            assert question.question in words and question.answer in words
            for citation in question.citations:  # its own quotation marks are the browser's (nested <q>)
                assert text_of(html.escape(citation.quote)).replace("“", "").replace("”", "") in words
            when = "Planned, as reported on " if question.planned else "Reported on "
            assert f"{question.question} {when}" in words


def test_an_area_page_opens_with_what_it_takes_part_in(built: Path) -> None:
    page = (built / "areas/lincolnshire/index.html").read_text(encoding="utf-8")
    first = text_of(page.split("</h1>", 1)[1].split("</p>", 1)[0])
    assert first.strip() == (
        "The sources name Lincolnshire in 1 programme: the Families First for Children pathfinder, as reported"
        " on 26 July 2023, with money from Families First for Children pathfinder funding (£45m (up to March"
        " 2025), allocated, as reported on 26 July 2023) (sources differ: see the details of Families First for"
        " Children pathfinder funding) and £200m over two years to test the Stable Homes, Built on Love"
        " reforms (£200m over 2 years, allocated, as reported on 2 February 2023), sums the sources do not split"
        " by area.")
    assert "Dorset, Lincolnshire and Wolverhampton will also trial merging" in text_of(page)
    assert '<dl class="facts"><dt>Kind</dt><dd>Council</dd></dl>' in page  # labelled, not a word on its own


def test_the_council_list_works_without_javascript(site: Site, built: Path) -> None:
    page = (built / "for/councils/index.html").read_text(encoding="utf-8")
    listing = page.split('id="council-list"', 1)[1]
    for area in site.items["areas"].values():
        assert f'href="/REPO/areas/{area.id}/">{html.escape(area.name)}</a>' in listing
    assert '<div class="name-filter" data-filter-for="council-list" hidden>' in page
    assert '<script src="/REPO/static/name-filter.js" defer></script>' in page
    assert re.findall(r"<script(?![^>]*\ssrc=)", page) == []  # no inline script: the CSP allows none
    assert (built / "static/name-filter.js").is_file()


def test_a_hard_content_page_fails_above_the_ceiling(project: Path, run_cli: Callable[..., Run]) -> None:
    hard = ("Notwithstanding considerable implementation uncertainties, the multidisciplinary transformation"
            " programme's commissioning infrastructure necessitates comprehensive organisational restructuring. ")
    edit(project / "content/about.md", "From *data* files.", hard * 8)
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert re.fullmatch(r"content/about\.md:1:1: the page reads at a reading age of [\d.]+, above the ceiling of"
                        rf" {PAGE_READING_AGE_CEILING} for pages; .*", result.err.splitlines()[0])


def test_an_answer_from_two_reports_shows_both_dates(built: Path) -> None:
    words = text_of((built / "for/councils/index.html").read_text(encoding="utf-8"))
    assert ("How many areas were in the Families First for Children pathfinder? Reported on 2 February 2023,"
            " 7 February 2023, 26 July 2023, 12 June 2024, 14 October 2024 and 31 October 2024"
            " Earlier reports gave 12") in words


def test_a_reaction_quote_dates_an_answer_beside_its_figure_quote(built: Path) -> None:
    """The agency rules answer takes its closing date (11 May 2023) from the report of 7 February 2023
    and the ADCS reaction, which holds no figure, from that of 10 February 2023: both dates show."""
    words = text_of((built / "for/social-workers/index.html").read_text(encoding="utf-8"))
    assert ("What happened to the agency rules after the consultation? Reported on 7 February 2023 and"
            " 10 February 2023 The consultation was due to close") in words


def test_an_answer_is_dated_by_every_report_it_cites(built: Path) -> None:
    """The family group decision-making quote of 7 February 2023 holds a count (12 pathfinders) that the
    answer does not repeat; it is there for what the answer says of the pathfinders, so its date shows."""
    words = text_of((built / "for/families/index.html").read_text(encoding="utf-8"))
    assert ("Will my wider family be asked to help? Planned, as reported on 7 February 2023, 26 July 2023 and"
            " 14 October 2024 The government of the time planned to test this.") in words


def test_hard_item_pages_fail_above_their_ceiling(project: Path, run_cli: Callable[..., Run]) -> None:
    hard = ("Notwithstanding considerable implementation uncertainties, multidisciplinary commissioning"
            " infrastructure necessitates comprehensive organisational restructuring. ")
    edit(project / "data/themes.yaml", "Support for families", hard * 10)
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert re.fullmatch(r"data/themes\.yaml:1:1: the site's own words on the themes pages read at a reading age of"
                        rf" [\d.]+, above the ceiling of {ITEM_READING_AGE_CEILING}; .*", result.err.splitlines()[0])


def main_menu(page: str) -> list[tuple[str, str, str | None]]:
    """The main menu's links as (label, address, aria-current)."""
    menu = page[page.index('<nav class="site-nav"'):]
    menu = menu[:menu.index("</nav>")]
    return [(label, href, current or None) for href, current, label in
            re.findall(r'<a href="([^"]+)"(?: aria-current="([^"]+)")?>([^<]+)</a>', menu)]


def test_the_main_menu_leads_to_the_guides_and_marks_them_current() -> None:
    """One menu entry leads to the guides' list under for/ (never guides/), and is the current section on
    that list and on each guide's page, and on no other page."""
    from reader_site import BASE, html_pages, rendered

    pages = html_pages(rendered())
    guide_pages = {f"for/{reader}/index.html" for reader in READERS}
    assert guide_pages <= set(pages)
    for name, page in pages.items():
        if '<nav class="site-nav"' not in page:
            continue
        menu = main_menu(page)
        entries = [(label, current) for label, href, current in menu if href == f"{BASE}for/"]
        expected = "page" if name == "for/index.html" else "true" if name in guide_pages else None
        assert entries == [("For readers", expected)], name
        assert not any("/guides/" in href for _, href, _ in menu), name
    assert main_menu(pages["index.html"])[0][:2] == ("For readers", f"{BASE}for/")  # first: readers start there


def test_a_site_without_guides_has_no_guides_entry_in_its_menu(project: Path, run_cli: Callable[..., Run]) -> None:
    """The guides' list is built only when there are guides, so the menu leads there only then."""
    out = project.parent / "out"
    assert not (project / "data/guides.yaml").exists()
    assert run_cli("--project", str(project), "build", "--out", str(out)).code == 0
    assert not (out / "for").exists()
    assert all(href != "/for/" for _, href, _ in main_menu((out / "index.html").read_text()))
    write_guide(project)
    assert run_cli("--project", str(project), "build", "--out", str(out)).code == 0
    assert ("For readers", "/for/", None) in main_menu((out / "index.html").read_text())
    assert ("For readers", "/for/", "page") in main_menu((out / "for" / "index.html").read_text())


def test_a_quotation_inside_a_quote_is_nested_for_the_inner_marks(built: Path) -> None:
    """The source's “pathfinders” inside a quote is a <q> inside the quote's <q>, which the browser
    marks ‘pathfinders’, not a second pair of double marks."""
    page = (built / "for/councils/index.html").read_text(encoding="utf-8")
    assert '<q>The three authorities are the first group of an expected 12 <q><a class="term"' in page
    assert "12 “" not in page


PICTURE_MARKS = {"money": 'id="needed-and-given-picture"', "areas": 'id="areas-chart"', "response": 'class="glance"'}
"""What each picture a guide's answer can show starts with, as its own page draws it."""


def test_an_answer_shows_the_picture_it_names_and_no_other(site: Site, built: Path) -> None:
    named = 0
    for reader in READERS:
        page = (built / "for" / reader / "index.html").read_text(encoding="utf-8")
        sections = re.findall(r'<section class="guide-answer".*?</section>', page, re.S)
        guide = site.items["guides"][reader]
        assert len(sections) == len(guide.questions)
        for question, section in zip(guide.questions, sections, strict=True):
            shown = {name for name, mark in PICTURE_MARKS.items() if mark in section}
            assert shown == ({question.picture.value} if question.picture else set()), (reader, question.question)
            named += bool(question.picture)
            if question.picture and question.picture.value == "areas":  # its links lead off the page
                assert 'href="#pilot-' not in section and 'href="/REPO/pilots/case-recording-trial/"' in section
            if question.picture and question.picture.value == "money":
                assert section.index("</p>") < section.index(PICTURE_MARKS["money"])  # after the words it draws
                drawn = set(re.findall(r'<rect class="bar-[a-z-]+" data-id="([^"]+)"', section))
                assert drawn and drawn <= set(question.links)  # only the sums the answer links to
    assert named >= 4


def test_a_guide_shows_each_picture_once(project: Path, run_cli: Callable[..., Run]) -> None:
    write_guide(project)
    path = project / "data/guides.yaml"
    question = A_GUIDE.split("    - question:", 1)[1].format(answer=EASY, quote=QUOTE)
    twice = path.read_text(encoding="utf-8") + "    - question:" + question
    path.write_text(twice.replace("      answer:", "      picture: money\n      answer:"), encoding="utf-8")
    assert twice.count("    - question:") == 2
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert "a page shows each picture once: give each `picture` to one question only" in result.err
    assert result.err.startswith("data/guides.yaml:1:")
