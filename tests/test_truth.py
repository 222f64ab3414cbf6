"""Issue 19: labels and sources say what the sources say, and no more.

One article is one source; "Sources differ" only where values differ; the same words carry the same
response status; template text that does not contradict its page; the About page's method.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, Run
from reader_site import GLOSSARY_POPOVERS, rendered
from test_cli import edit

from sitegen.build import build, check_site
from sitegen.claims import carriers
from sitegen.render import Settings
from sitegen.views import Views
from sitegen.words import STATUS_HELP, STATUS_TEST, STATUS_WORDS

ARTICLE = """Example council tests family help
The example council will test a family help team for two years before deciding whether to keep it.
The team brings early help and child in need work together under one manager for every family it sees.
Its leader said the council had waited a long time for the chance to work with families this way.
Parents who took part in the first meetings said they wanted one worker instead of several visits.
Comments
A reader wrote: this will never work in a council of this size, whatever the manager says.
"""


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as data:
        data.write("\n" + text)


def line_of(path: Path, text: str) -> int:
    """The line number (from 1) of the first line of path holding text."""
    return next(number for number, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line)


def page_text(path: Path) -> str:
    return words_of(path.read_text(encoding="utf-8"))


def words_of(html: str) -> str:
    html = GLOSSARY_POPOVERS.sub("", html)  # a reader sees the glossary's popovers only when opened
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def real_page_text(page: str) -> str:
    """A page of the real site as a build writes it (rendered in memory once per run, without Pagefind)."""
    return words_of(rendered("/")[page].decode("utf-8"))


def add_article(project: Path, name: str = "council.txt", text: str = ARTICLE) -> None:
    (project / "sources" / name).write_text(text, encoding="utf-8")


def add_later_entry(project: Path, text: str, quote: str, body: str = "") -> Path:
    """A later entry on the minimal project's proposal, citing the council article, and a first line
    for its body if given; the data file's path."""
    recommendations = project / "data" / "recommendations.yaml"
    entry = f"    - text: {text}\n      citations:\n        - source: council-article\n          quote: {quote}\n"
    edit(recommendations, "  body: |", f"  later:\n{entry}  body: |\n{body}")
    return recommendations


COUNCIL_SOURCE = """- id: council-article
  title: Example council tests family help
  outlet: Example News
  date: 2024-03-01
  url: https://example.org/council
  archive: council.txt
  comments_from: 6
"""


# --- One article, one source ---------------------------------------------------------------------


def test_two_entries_holding_the_same_article_are_refused_at_the_later_one(
        project: Path, run_cli: Callable[..., Run]) -> None:
    add_article(project)
    add_article(project, "council-copy.txt", "Archived again\n" + ARTICLE)
    sources = project / "data" / "sources.yaml"
    append(sources, COUNCIL_SOURCE)
    append(sources, "- id: council-article-archived\n  title: Example council tests family help\n"
                    "  outlet: Example News\n  archive: council-copy.txt\n")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    first = line_of(sources, "id: council-article")
    assert result.err.splitlines()[0] == (
        f'data/sources.yaml:{line_of(sources, "archive: council-copy.txt")}:12: source "council-article-archived"'
        f' holds the same article as "council-article" (data/sources.yaml:{first}:7): they share 3 long'
        ' sentences, such as "The team brings early help and child in need work together under…"; one article'
        " is one source, or citing both reads as two confirmations: keep one entry for the article (list"
        " another archived copy of it under that entry's copies) and cite only that entry")


def test_two_entries_with_one_address_are_refused(project: Path, run_cli: Callable[..., Run]) -> None:
    add_article(project)
    sources = project / "data" / "sources.yaml"
    append(sources, COUNCIL_SOURCE.replace("https://example.org/council", "http://example.org/article/"))
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0].startswith(
        f'data/sources.yaml:{line_of(sources, "http://example.org/article/")}:8: source "council-article" holds'
        ' the same article as "test-article" (data/sources.yaml:1:7): both give the address'
        " http://example.org/article/; one article is one source")


def test_articles_sharing_a_sentence_or_two_are_two_sources(project: Path, run_cli: Callable[..., Run]) -> None:
    """A line one article quotes from another, or a publisher's boilerplate, is not the same article."""
    sentences = ARTICLE.splitlines()
    add_article(project)
    add_article(project, "other.txt", "Another article\n" + "\n".join(sentences[1:3])
                + "\nA different council said it would not take part in the test of family help this year.\n")
    sources = project / "data" / "sources.yaml"
    append(sources, COUNCIL_SOURCE)
    append(sources, "- id: other-article\n  title: Another article\n  outlet: Example News\n  archive: other.txt\n")
    result = run_cli("--project", str(project), "check")
    assert result.code == 0, result.err


def test_one_entry_holds_every_archived_copy_and_quotes_come_from_any(
        project: Path, run_cli: Callable[..., Run]) -> None:
    add_article(project, "council.txt", "\n".join(ARTICLE.splitlines()[:3]) + "\n")  # a shorter copy
    add_article(project, "council-full.txt", ARTICLE)
    sources = project / "data" / "sources.yaml"
    append(sources, COUNCIL_SOURCE.replace("  comments_from: 6\n", "")
           + "  copies:\n    - archive: council-full.txt\n      comments_from: 6\n")
    glossary = project / "data" / "glossary.yaml"
    append(glossary, "- id: one-worker\n  term: one worker\n  definition: One worker for a family.\n"
                     "  citations:\n    - source: council-article\n"
                     '      quote: "Parents who took part in the first meetings said they wanted one worker"\n')
    assert run_cli("--project", str(project), "check").code == 0  # the quote is in the fuller copy only
    quote = "Parents who took part in the first meetings said they wanted one worker"
    edit(glossary, quote, "this will never work in a council of this size")  # the fuller copy's reader comments
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert 'quote is outside the article "council-article" (in reader comments' in result.err.splitlines()[0]
    edit(glossary, "this will never work in a council of this size", "they wanted two workers")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert 'quote not found in source "council-article"' in result.err.splitlines()[0]


def test_an_unreadable_copy_is_reported_at_its_own_line(project: Path, run_cli: Callable[..., Run]) -> None:
    sources = project / "data" / "sources.yaml"
    append(sources, COUNCIL_SOURCE.replace("archive: council.txt", "archive: article.txt")
           .replace("https://example.org/council", "https://example.org/other")
           + "  copies:\n    - archive: missing-copy.txt\n")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        f'data/sources.yaml:{line_of(sources, "missing-copy.txt")}:16: archived text "sources/missing-copy.txt"'
        " cannot be read; copy the article there as UTF-8 text or correct the file name")


def test_a_citation_repeated_in_one_list_is_refused(project: Path, run_cli: Callable[..., Run]) -> None:
    timeline = project / "data" / "timeline.yaml"
    append(timeline, "    - source: test-article\n      quote: The government has  today laid out\n")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        f"data/timeline.yaml:{line_of(timeline, 'quote: The government has  today laid out')}:14: this citation repeats"
        ' citation 1 of the same list (source "test-article", the same quote); a source cited twice is still'
        " one source: remove the repeat")


def test_the_real_sources_hold_one_entry_per_article() -> None:
    """The Community Care key points were archived twice (once on their own, once in the tag feed): one
    entry holds both copies, and the feed, which holds every one of its articles, has no entry of its own."""
    site = check_site(ROOT)
    archives = [(copy.archive, copy.lines) for source in site.items["sources"].values()
                for copy in (source, *source.copies)]
    assert ("004_c75363b7075ab9d5.txt", None) in archives
    assert len(archives) == len(set(archives))


# --- "Sources differ" only where values differ ----------------------------------------------------


SECOND_SOURCE = """- id: second-article
  title: A second test article
  outlet: Example News
  date: 2024-03-01
  archive: second.txt
"""
SECOND_TEXT = """A second test article
The council will get £200m from 2023-25.
Another report says £200m over three years.
A third says up to £200m over two years.
A fourth says £150m.
The grant will rise from £2,000 to £3,000.
It will spend £50m of it in 2024-25.
It will spend £250m in 2024-25 alone.
"""


def funding_line(values: str, note: str = "") -> str:
    return ("- id: disputed\n  title: A disputed sum\n  kind: pledged\n  purpose: A sum for the test.\n"
            f"  values:\n{values}" + (f"  note: {note}\n" if note else ""))


def money(spec: str, source: str, quote: str) -> str:
    return f"    - money: {{{spec}}}\n      citations:\n        - source: {source}\n          quote: \"{quote}\"\n"


@pytest.mark.parametrize(("values", "differ"), [
    (money("amount: 200000000, years: 2", "test-article", "a £200m package of measures")
     + money("amount: 200000000, period: 2023-25", "second-article", "£200m from 2023-25"), False),
    (money("amount: 200000000, years: 2", "test-article", "a £200m package of measures")
     + money("amount: 200000000, years: 3", "second-article", "£200m over three years"), True),
    (money("amount: 200000000, years: 2", "test-article", "a £200m package of measures")
     + money("amount: 200000000, years: 2, qualifier: up to", "second-article", "up to £200m over two years"), True),
    (money("amount: 200000000", "test-article", "a £200m package of measures")
     + money("amount: 150000000", "second-article", "A fourth says £150m."), True),
    (money("amount: 200000000", "test-article", "a £200m package of measures")  # a year's part of a total
     + money("amount: 50000000, years: 1, period: 2024-25", "second-article", "£50m of it in 2024-25"), False),
    (money("amount: 200000000", "test-article", "a £200m package of measures")
     + money("amount: 250000000, years: 1, period: 2024-25", "second-article", "£250m in 2024-25 alone"), True),
], ids=["period-said-two-ways", "years-differ", "qualifier-differs", "amounts-differ",
        "a-year-within-a-total", "a-year-above-a-total"])
def test_sources_differ_only_where_the_values_differ(project: Path, values: str, differ: bool) -> None:
    add_article(project)
    append(project / "data" / "sources.yaml", SECOND_SOURCE)
    (project / "sources" / "second.txt").write_text(SECOND_TEXT, "utf-8")
    (project / "data" / "funding.yaml").write_text(funding_line(values, "How the figures compare."), "utf-8")
    build(project, project / "site", Settings())
    for page in ("funding/disputed/index.html", "funding/index.html"):
        text = page_text(project / "site" / page)
        assert ("Sources differ: How the figures compare." in text) is differ, page
        assert ("Note: How the figures compare." in text) is not differ, page


def test_the_real_sites_sources_differ_banners_match_the_values() -> None:
    site = check_site(ROOT)
    views = Views(site)
    for line in site.items["funding"].values():
        text = real_page_text(f"funding/{line.id}/index.html")
        assert ("Sources differ:" in text) is views.values_differ(line.values), line.id
        if line.note and not views.values_differ(line.values):
            assert "Note: " + line.note.split(".")[0] in text, line.id
    for person in site.items["people"]:
        assert "Sources differ" not in real_page_text(f"people/{person}/index.html")


# --- The same words, the same status --------------------------------------------------------------


SECOND_PROPOSAL = """- id: second-proposal
  title: A second proposal
  proposal: Another idea.
  themes: [family-help]
  citations:
    - source: test-article
      quote: "review's proposals"
  response:
    status: STATUS
    detail: Tested too.
    citations:
      - source: test-article
        quote: a £200m  package of measures
"""


def test_two_proposals_citing_the_same_words_need_the_same_status(project: Path,
                                                                   run_cli: Callable[..., Run]) -> None:
    recommendations = project / "data" / "recommendations.yaml"
    append(recommendations, SECOND_PROPOSAL.replace("STATUS", "to-be-tested"))
    assert run_cli("--project", str(project), "check").code == 0
    edit(recommendations, "status: to-be-tested\n    detail: Tested too.", "status: accepted\n    detail: Tested too.")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        f"data/recommendations.yaml:{line_of(recommendations, 'status: accepted')}:13: response status"
        ' "accepted" differs from "to-be-tested" of proposal "family-help-services", whose response cites the'
        ' same words of "test-article" (data/recommendations.yaml:14:16): "a £200m package of measures"; the'
        " same words support one status: give both the status these words support (see the tests on"
        " content/about.md), or cite the words that tell the two answers apart")



def test_a_quote_holding_another_proposals_quote_needs_the_same_status(project: Path,
                                                                     run_cli: Callable[..., Run]) -> None:
    """The same words cut shorter are still the same words: "a £200m package" lies inside the first
    proposal's quote "a £200m package of measures", so the two responses rest on one passage."""
    recommendations = project / "data" / "recommendations.yaml"
    append(recommendations, SECOND_PROPOSAL.replace("STATUS", "accepted").replace(
        "quote: a £200m  package of measures", "quote: a £200m package"))
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0].startswith(
        f"data/recommendations.yaml:{line_of(recommendations, 'status: accepted')}:13: response status"
        ' "accepted" differs from "to-be-tested" of proposal "family-help-services", whose response cites the'
        ' same words of "test-article" (data/recommendations.yaml:14:16): "a £200m package of measures";')
    edit(recommendations, "quote: a £200m package\n", "quote: review's proposals\n")
    assert run_cli("--project", str(project), "check").code == 0  # other words of the same source

# --- Template text that agrees with its page ------------------------------------------------------


def test_cite_this_page_gives_the_date_of_the_sources_the_page_rests_on(project: Path) -> None:
    add_article(project)
    append(project / "data" / "sources.yaml", SECOND_SOURCE.replace("  date: 2024-03-01\n", ""))
    (project / "sources" / "second.txt").write_text(SECOND_TEXT, "utf-8")
    append(project / "data" / "themes.yaml", "- id: empty-theme\n  title: Empty\n  description: No proposals.\n")
    build(project, project / "site", Settings())

    def cite(page: str) -> str:
        found = re.search(r"Cite this page: .*?\.(?= )", page_text(project / "site" / page / "index.html"))
        assert found, page
        return found.group()

    assert cite("sources/test-article").endswith(", based on sources up to 2 February 2023.")
    assert cite("themes/family-help").endswith(", based on sources up to 2 February 2023.")
    assert cite("sources/second-article").endswith(", based on undated sources.")
    assert cite("themes/empty-theme").endswith("/themes/empty-theme/ .")  # it rests on no source


def test_a_proposal_is_headed_by_the_body_that_made_it(project: Path) -> None:
    edit(project / "data" / "recommendations.yaml", "  proposal: Join up", "  review: cma\n  proposal: Join up")
    build(project, project / "site", Settings())
    page = project / "site" / "recommendations" / "family-help-services" / "index.html"
    text = page_text(page)
    assert "What the Competition and Markets Authority proposed" in text
    assert "review proposed" not in text


def test_the_home_page_is_as_of_the_newest_article_the_site_cites(project: Path) -> None:
    """An entry nobody cites, such as an archive's capture of a feed, does not date the site."""
    add_article(project)
    append(project / "data" / "sources.yaml", SECOND_SOURCE.replace("2024-03-01", "2024-12-08"))
    (project / "sources" / "second.txt").write_text(SECOND_TEXT, "utf-8")
    build(project, project / "site", Settings())
    assert "Where things stand as of 2 February 2023" in page_text(project / "site" / "index.html")
    assert "Facts as reported up to 2 February 2023" in page_text(project / "site" / "about" / "index.html")


def test_no_real_page_is_cited_as_older_than_a_report_it_shows() -> None:
    """"Cite this page … based on sources up to" is the newest report a page rests on: never older
    than a date of report the page itself shows (a mission's page lists its proposals' and money's)."""
    dates = re.compile(r"(?:as reported on|Reported on) (\d{1,2} [A-Z][a-z]+ \d{4})")
    pages = {name: data.decode("utf-8") for name, data in rendered().items() if name.endswith("/index.html")}
    older = []
    for name, html in pages.items():
        cited = re.search(r"based on sources up to (\d{1,2} [A-Z][a-z]+ \d{4})", html)
        page = GLOSSARY_POPOVERS.sub("", html).partition('<h2 id="changes">')[0]  # not the change notes' words
        shown = [dt.datetime.strptime(d, "%d %B %Y").date() for d in dates.findall(page)]
        if cited and shown and dt.datetime.strptime(cited.group(1), "%d %B %Y").date() < max(shown):
            older.append(f"{name}: cited up to {cited.group(1)}, shows {max(shown):%d %B %Y}")
    assert not older, older
    assert "based on sources up to 31 October 2024" in pages["missions/stable-loving-homes/index.html"]


def test_a_search_result_names_an_item_s_kind_once() -> None:
    """Search shows "Kind: title"; a mission's heading already begins "Mission 2: …", so its result does too."""
    titles = {name: re.search(r'data-pagefind-meta="title:([^"]*)"', data.decode("utf-8"))
              for name, data in rendered().items() if name.endswith("/index.html")}
    found = {name: match.group(1) for name, match in titles.items() if match}
    assert found["missions/stable-loving-homes/index.html"].startswith("Mission 2: “By 2027")
    assert found["recommendations/family-help-services/index.html"].startswith("Proposal: ")
    assert not [title for title in found.values() if re.match(r"(\w+): \1 ", title)]


def test_undated_sources_are_told_apart_by_their_titles() -> None:
    text = real_page_text("recommendations/care-review-investment/index.html")
    assert "CYP Now, undated, “Care Review response: funding fails to match scale of reforms”" in text
    assert "CYP Now, undated, “Plan for revamp of early help”" in real_page_text("pilots/index.html")


def test_a_planned_event_s_description_gives_the_date_of_its_report() -> None:
    descriptions = re.findall(r'<meta name="description" content="([^"]*)"', rendered()[
        "timeline/consultations-close/index.html"].decode("utf-8"))
    assert descriptions[0].startswith("Planned, as reported on 2 February 2023: due 11 May 2023. Consultations")


def test_the_real_home_page_is_as_of_the_newest_cited_article() -> None:
    site = check_site(ROOT)
    views = Views(site)
    newest = max(site.items["sources"][s].date for s in views.quotes if site.items["sources"][s].date)
    assert f"Where things stand as of {newest.day} {newest:%B %Y}" in real_page_text("index.html")


# --- The About page explains the method -----------------------------------------------------------


def test_the_about_page_gives_every_status_its_meaning_and_test() -> None:
    """The About page and the status pages give each status the same meaning (words.STATUS_HELP)."""
    about = (ROOT / "content" / "about.md").read_text(encoding="utf-8")
    for status, words in STATUS_WORDS.items():
        test = STATUS_TEST[status].replace("none of the other labels' tests", "none of the tests above")
        found = re.search(rf"^- \*\*{re.escape(words)}\*\*: {re.escape(STATUS_HELP[status])} \*Test:\* "
                          rf"{re.escape(test[0].lower() + test[1:])}$", about, re.M)
        assert found, f"no meaning and test for {words!r} on the About page, as the proposals download gives them"
    for topic in ("earliest dated source", "undated", "Planned, as reported on", "Sources differ",
                  "one source", "pull request"):
        assert topic in about, topic


# --- Dates no more precise than their sources, everywhere the code writes one --------------------


def test_no_page_description_or_download_dates_an_event_more_precisely_than_its_sources() -> None:
    """An event the sources date only by its year or month keeps that precision in its page's
    description (search results and social cards) and in timeline.csv, not the 1st of the month the
    data stores it as."""
    import csv
    import io

    files = rendered("/")
    site = check_site(ROOT)
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(files["data/timeline.csv"].decode("utf-8")))}
    vague = [e for e in site.items["timeline"].values() if e.date and e.precision.value in ("year", "month")]
    assert len(vague) >= 5, "the real timeline has events dated only by year or month"
    for event in vague:
        page = files[f"timeline/{event.id}/index.html"].decode("utf-8")
        description = re.search(r'<meta name="description" content="([^"]*)"', page)
        assert description is not None and event.date.isoformat() not in description.group(1), event.id
        shown = event.date.isoformat()[:4 if event.precision.value == "year" else 7]
        assert rows[event.id]["date"] == shown + (f"/{event.until}" if event.until else ""), event.id


def test_the_feed_says_undated_in_words_and_never_dates_an_entry_by_another_event_s_source() -> None:
    """A planned event reported only in an undated source is 'as reported in an undated source', and
    its entry is dated by the site's last change to it, neither by the newest source of the whole site
    nor by when it was due (see test_feeds)."""
    feed = rendered("/")["feed.xml"].decode("utf-8")
    assert "as reported on undated" not in feed
    entry = re.search(r"<entry>(?:(?!</entry>).)*timeline/national-framework-early-2024/.*?</entry>", feed, re.S)
    assert entry is not None and "as reported in an undated source" in entry.group()
    assert "Source: CYP Now, undated, “Care Review response: funding fails to match scale of reforms”." in entry.group()
    assert "<updated>2024-01-01T00:00:00Z</updated>" not in entry.group()  # when it was due
    several = re.search(r"<entry>(?:(?!</entry>).)*timeline/new-measures-from-april-2024/.*?</entry>", feed, re.S)
    assert several is not None and "as reported in an undated source" in several.group()
    assert re.search(r"Sources: [^<]*; CYP Now, undated, “[^”]+”\.</summary>", several.group())


def test_a_download_lists_an_article_once_per_row() -> None:
    """One article cited twice for one value (or one role) is one source in the row, as on the pages."""
    import csv
    import io

    files = rendered("/")
    for name in ("funding", "people", "timeline", "recommendations", "pilots"):
        for row in csv.DictReader(io.StringIO(files[f"data/{name}.csv"].decode("utf-8"))):
            sources = row["sources"].split("; ") if row.get("sources") else []
            assert len(sources) == len(set(sources)), (name, row)


def test_a_plan_dated_by_a_span_of_years_shows_the_span_and_is_due_at_its_end(project: Path,
                                                                              run_cli: Callable[..., Run]) -> None:
    """'This year or next' is neither year alone: the page, its description and timeline.csv give both
    years, and the plan is due by the end of the second. until needs precision: year and a later year."""
    files = rendered("/")
    page = files["timeline/employer-virtual-hub-planned/index.html"].decode("utf-8")
    assert "due 2023 or 2024; no report since in our sources" in words_of(page)
    timeline = files["timeline/index.html"].decode("utf-8")  # listed under both years, not "Sometime in 2023"
    group = timeline[timeline.index('id="y2023-or-2024"'):]
    assert group.index("employer-virtual-hub-planned") < group.index("<h2")
    assert 'content="Planned, as reported on 10 February 2023: due 2023 or 2024. ' in page
    assert ",2023/2024,year,,,2023 or 2024," in files["data/timeline.csv"].decode("utf-8")
    views = Views(check_site(ROOT))
    hub = views.site.items["timeline"]["employer-virtual-hub-planned"]
    assert views.due_by(hub) == dt.date(2024, 12, 31)

    add_article(project)
    append(project / "data" / "timeline.yaml", (
        "\n- id: span\n  date: 2024-01-01\n  until: 2024\n  precision: year\n  title: A span that is one year\n"
        "  citations:\n    - source: council-article\n      quote: \"will test a family help team for two years\"\n"))
    append(project / "data" / "timeline.yaml", (
        "\n- id: span-after\n  precision: after\n  after: span\n  until: 2025\n  title: A span with no date\n"
        "  citations:\n    - source: council-article\n      quote: \"will test a family help team for two years\"\n"))
    append(project / "data" / "sources.yaml", COUNCIL_SOURCE)
    result = run_cli("--project", str(project), "check")
    assert result.code == 1 and result.err.count("until: is the last year of a choice of years") == 2, result.err


def test_a_span_of_years_such_as_a_financial_year_is_shown_as_the_source_writes_it(
        project: Path, run_cli: Callable[..., Run]) -> None:
    """'Findings due in 2026-27' is neither 2026 nor 2027 alone: the page, the timeline's heading and
    timeline.csv give the span, and the plan is due by the end of its last year. A year that the quotes
    give only inside a span is refused (not one a quote also gives alone), and so is a span no quote writes."""
    files = rendered("/")
    page = words_of(files["timeline/practice-model-findings/index.html"].decode("utf-8"))
    assert "due 2026-27" in page and "due 2026;" not in page
    assert '<h2 id="y2026-27">2026-27</h2>' in files["timeline/index.html"].decode("utf-8")
    assert "practice-model-findings,2026/2027,span,,,2026-27," in files["data/timeline.csv"].decode("utf-8")
    views = Views(check_site(ROOT))
    assert views.due_by(views.site.items["timeline"]["practice-model-findings"]) == dt.date(2027, 12, 31)
    munro = views.site.items["timeline"]["munro-review-2010-11"]  # dated by the quote that gives the span
    assert [c.quote for c in carriers(munro, lambda source: views.source(source).date)] == [munro.citations[0].quote]

    add_article(project, text=ARTICLE.replace("keep it.", "keep it. The council expects findings in 2025-26. It"
                                                          " began in 2025, with findings in 2025-26."))
    append(project / "data" / "sources.yaml", COUNCIL_SOURCE)
    timeline = project / "data" / "timeline.yaml"
    for ident, dating, quote in (("one-year", "precision: year", "The council expects findings in 2025-26."),
                                 ("wrong-span", "precision: span\n  until: 2027", "findings in 2025-26"),
                                 ("no-end", "precision: span", "findings in 2025-26"),
                                 ("year-alone-too", "precision: year", "began in 2025, with findings in 2025-26")):
        append(timeline, (f"\n- id: {ident}\n  date: 2025-01-01\n  {dating}\n  planned: true\n  title: Findings\n"
                          f"  citations:\n    - source: council-article\n      quote: \"{quote}\"\n"))
    append(timeline, ("\n- id: late-start\n  date: 2026-01-01\n  precision: span\n  until: 2027\n  planned: true\n"
                      "  title: Findings\n  citations:\n    - source: council-article\n"
                      "      quote: \"findings in 2025-26\"\n"))
    result = run_cli("--project", str(project), "check")
    assert result.code == 1, result.err
    assert (f"data/timeline.yaml:{line_of(timeline, 'id: late-start') + 1}:9: no quote gives 2026-27; they give"
            " 2025-26: write date: 2025-01-01 and until: 2026" in result.err), result.err
    assert (f"data/timeline.yaml:{line_of(timeline, 'id: one-year') + 2}:14: the quotes give 2025 only as part"
            " of 2025-26, which is neither year alone; write precision: span, date: 2025-01-01 and until: 2026"
            in result.err), result.err
    assert (f"data/timeline.yaml:{line_of(timeline, 'id: wrong-span') + 3}:10: no quote gives 2025-27; they give"
            " 2025-26: write until: 2026" in result.err), result.err
    assert (f"data/timeline.yaml:{line_of(timeline, 'id: no-end') + 2}:14: precision: span needs the span's last"
            " year; add until:" in result.err), result.err
    assert result.err.count("data/timeline.yaml") == 4, result.err


def test_every_role_in_the_list_of_people_carries_the_date_it_was_reported() -> None:
    """A role is as of its report: the list of people never shows one as current, even a person's only role."""
    site = Views(check_site(ROOT)).site
    listing = rendered("/")["people/index.html"].decode("utf-8")
    rows = re.findall(r'<li><a href="/people/([^/"]+)/">.*?</li>', listing)
    assert sorted(rows) == sorted(site.items["people"])
    for row in re.findall(r'<li><a href="/people/[^/"]+/">.*?</li>', listing):
        assert re.search(r"\((as reported on \d{1,2} \w+ \d{4}|as reported in an undated source)", words_of(row)), row
    coles = re.search(r'<li><a href="/people/jenny-coles/">.*?</li>', listing)
    assert coles and words_of(coles.group()).strip().endswith("(as reported on 26 January 2021)"), coles


def test_a_person_the_site_names_must_be_named_in_a_quote_beside_it(project: Path,
                                                                    run_cli: Callable[..., Run]) -> None:
    """A quote of what was said does not show who said it: naming someone is a claim like any other, so
    an event that names a person (from data/people.yaml) must cite words that name them too, by full
    name or surname. The prose may leave out the title people.yaml gives ("Dame")."""
    add_article(project, text=ARTICLE.replace("Its leader said", "Its leader, Pat Example, said")
                .replace("The team brings", "The Exampleton team brings"))
    append(project / "data" / "sources.yaml", COUNCIL_SOURCE)
    (project / "data" / "people.yaml").write_text(
        "- id: pat-example\n  name: Dame Pat Example\n  kind: person\n  roles:\n    - role: Team leader\n"
        "      citations:\n        - source: council-article\n          quote: \"Its leader, Pat Example, said\"\n",
        encoding="utf-8")
    timeline = project / "data" / "timeline.yaml"
    for ident, who, quote in (("unnamed", "Pat", "the council had waited a long time"),
                              ("inside-a-word", "Dame Pat", "The Exampleton team brings early help"),  # not the surname
                              ("named", "Pat", "Its leader, Pat Example, said the council had waited a long time")):
        append(timeline, (f"\n- id: {ident}\n  date: 2024-03-01\n  title: {who} Example welcomes the test\n"
                          f"  citations:\n    - source: council-article\n      quote: \"{quote}\"\n"))
    result = run_cli("--project", str(project), "check")
    assert result.code == 1, result.err
    line = line_of(timeline, "id: unnamed") + 2
    assert (f"data/timeline.yaml:{line}:10: Pat Example is named here but in none of the quotes cited beside it"
            in result.err), result.err
    assert (f"data/timeline.yaml:{line_of(timeline, 'id: inside-a-word') + 2}:10: Dame Pat Example is named here"
            in result.err), result.err
    assert result.err.count("is named here") == 2, result.err  # "Dame Pat Example" is not also "Pat Example"



def test_a_role_that_names_someone_must_cite_words_that_name_them(project: Path,
                                                                  run_cli: Callable[..., Run]) -> None:
    """A role is the site's words too: "Council whose leader Pat Example welcomed the test" says who spoke,
    so a quote beside it must name them."""
    add_article(project, text=ARTICLE.replace("Its leader said", "Its leader, Pat Example, said"))
    append(project / "data" / "sources.yaml", COUNCIL_SOURCE)
    people = project / "data" / "people.yaml"
    people.write_text(
        "- id: pat-example\n  name: Pat Example\n  kind: person\n  roles:\n    - role: Team leader\n"
        "      citations:\n        - source: council-article\n          quote: \"Its leader, Pat Example, said\"\n"
        "- id: exampleton\n  name: Exampleton Council\n  kind: organisation\n  roles:\n"
        "    - role: Council whose leader Pat Example welcomed the test\n"
        "      citations:\n        - source: council-article\n"
        "          quote: \"the council had waited a long time\"\n",
        encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1, result.err
    assert (f"data/people.yaml:{line_of(people, 'role: Council whose')}:13: Pat Example is named here but in none"
            " of the quotes cited beside it" in result.err), result.err
    edit(people, "quote: \"the council had waited a long time\"", "quote: \"Its leader, Pat Example, said\"")
    assert run_cli("--project", str(project), "check").code == 0

def test_a_later_entry_that_opens_by_pointing_back_is_refused(project: Path, run_cli: Callable[..., Run]) -> None:
    """Each later entry is shown on its own under its own date: "He urged…" points to nothing there."""
    recommendations = project / "data" / "recommendations.yaml"
    edit(recommendations, "  body: |", "  later:\n    - text: He said the pathfinders were a start.\n      citations:\n"
                                       "        - source: test-article\n          quote: \"review's proposals\"\n"
                                       "    - text: It’s a start, the council said.\n      citations:\n"
                                       "        - source: test-article\n          quote: \"review's proposals\"\n"
                                       "  body: |")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert (f"data/recommendations.yaml:{line_of(recommendations, 'He said the pathfinders')}:13: a later entry is"
            ' shown on its own, under its own date, so "He" points to nothing' in result.err), result.err
    assert '"It" points to nothing' in result.err, result.err


def test_a_sum_in_the_site_s_own_words_must_be_in_a_quote_of_its_entry(project: Path,
                                                                       run_cli: Callable[..., Run]) -> None:
    """A sum written into a purpose or a note is checked as a value is: one of the entry's quotes holds
    it, with the word the quote puts before it."""
    funding = project / "data" / "funding.yaml"
    edit(funding, "purpose: What the review said its proposals would cost.",
         "purpose: What the review said its proposals would cost, about £3bn, for 45 million people.")
    edit(funding, "note: The same article gives two periods.", "note: The same article gives up to £2.6bn, twice.")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert (f"data/funding.yaml:{line_of(funding, 'purpose:')}:12: " '"about £3bn" is in none of the quotes of this'
            " entry" in result.err), result.err
    assert (f'data/funding.yaml:{line_of(funding, "note:")}:9: the quote says "£2.6bn" but these words say'
            ' "up to £2.6bn"' in result.err), result.err
    assert result.err.count("data/funding.yaml") == 2, result.err


def test_a_date_in_the_site_s_own_words_must_be_in_a_quote_beside_it_or_be_its_date_of_report(
        project: Path, run_cli: Callable[..., Run]) -> None:
    """A later entry's date comes from its own quotes or their sources' dates, never from another
    part's source (the proposal cites a February 2023 article; this entry cites one of March 2024).
    The body sums up the whole item, so any of its quotes holds a date there; a link's address is not
    read."""
    add_article(project)
    append(project / "data" / "sources.yaml", COUNCIL_SOURCE)
    recommendations = project / "data" / "recommendations.yaml"
    cited = ("      citations:\n        - source: council-article\n"
             "          quote: The example council will test a family help team for two years\n")
    edit(recommendations, "  body: |", "  later:\n"
         f"    - text: In March 2024, Example News reported the council's test.\n{cited}"
         f"    - text: In February 2023 the council agreed to test family help.\n{cited}"
         f"    - text: The council's test would end in 2026.\n{cited}"
         "  body: |\n    In March 2024 the council began. See [its report](https://example.org/2019/05/report).\n")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1, result.err
    problems = [line for line in result.err.splitlines() if "is in none of the quotes cited beside it" in line]
    assert problems == [
        f'data/recommendations.yaml:{line_of(recommendations, "In February 2023")}:13: "February 2023" is in none of'
        " the quotes cited beside it, nor is it when one of them was reported; cite a quote that gives it, or write"
        " the date a quote gives",
        f'data/recommendations.yaml:{line_of(recommendations, "end in 2026")}:13: "2026" is in none of the quotes'
        " cited beside it, nor is it when one of them was reported; cite a quote that gives it, or write the date a"
        " quote gives"], result.err


def test_dates_are_held_at_the_precision_written() -> None:
    """A quote's month without a year holds it near its source's year; a year written alone needs a
    quote that gives it alone, and a span the same span (or both its years)."""
    from sitegen.quote_dates import date_marks, dates_not_in

    february = dt.date(2023, 2, 10)
    quoted = [(date_marks("closing on 11 May, in September, for 2025-26", february), february)]
    assert dates_not_in(date_marks("It closed on 11 May 2023, met in September 2024 and in September 2026.",
                                   None), quoted) == ["September 2026"]
    assert dates_not_in(date_marks("The money for 2025-26 ran out in 2026.", None), quoted) == ["2026"]
    assert dates_not_in(date_marks("The money for 2025-26.", None),
                        [(date_marks("money for 2025", february), february)]) == ["2025-26"]
    assert dates_not_in(date_marks("In September 2030.", None), [(date_marks("in September", None), None)]) == []


def test_a_date_where_nothing_cites_a_quote_is_refused_as_such(project: Path, run_cli: Callable[..., Run]) -> None:
    """A theme has no citations, so its description can hold no date."""
    themes = project / "data" / "themes.yaml"
    edit(themes, "description: Support for families before problems grow.",
         "description: Support for families before problems grow, since 2024.")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1, result.err
    assert result.err.splitlines()[0] == (
        f'data/themes.yaml:{line_of(themes, "since 2024")}:16: "2024" is a date, but nothing here cites a quote that'
        " could give it; leave it out, or write it where a quote gives it")


def test_a_quote_may_not_copy_contact_details_from_its_source(project: Path, run_cli: Callable[..., Run]) -> None:
    """Articles print a journalist's email address at their foot: a quote that copies it is refused,
    as is a phone number in the site's own words."""
    add_article(project, text=ARTICLE.replace("Comments", "Questions? Email pat.example@example.org today.\nComments"))
    append(project / "data" / "sources.yaml", COUNCIL_SOURCE.replace("comments_from: 6", "comments_from: 7"))
    add_later_entry(project, "The council can be called on 020 7946 0000.",
                    "Questions? Email pat.example@example.org today.")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1, result.err
    contacts = [line for line in result.err.splitlines() if "looks like contact details" in line]
    assert [line.split(": ")[1].split(" looks")[0] for line in contacts] == ['"020 7946 0000"',
                                                                           '"pat.example@example.org"'], result.err

    about = project / "content" / "about.md"
    text = about.read_text(encoding="utf-8").replace("description: ", "description: Call +44 7911 123456. ", 1)
    about.write_text(text + "\nWrite to pat.example@example.org.\n", encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert f"content/about.md:{line_of(about, 'Write to')}:10: \"pat.example@example.org\" looks like" in result.err
    assert f'content/about.md:{line_of(about, "description:")}:14: "+44 7911 123456" looks like' in result.err


@pytest.mark.parametrize("hidden", ["pat.example@exa\u00admple.org", "pat.example@exa\u200bmple.org",
                                    "pat.example\uff20example.org"])
def test_contact_details_are_refused_however_they_are_spelled_out(project: Path, run_cli: Callable[..., Run],
                                                                   hidden: str) -> None:
    """A soft hyphen or a zero-width space inside an address is invisible, and a full-width at sign
    reads as @: the check reads a data string as a reader would."""
    add_article(project)
    append(project / "data" / "sources.yaml", COUNCIL_SOURCE)
    add_later_entry(project, f"Write to {hidden} about the test.", "will test a family help team for two years")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert '"pat.example@example.org" looks like contact details' in result.err, result.err


def test_this_year_or_next_gives_both_years() -> None:
    from sitegen.quote_dates import date_marks

    for words in ("this year or next", "this year, or next", "this year or the next", "this year and next"):
        assert date_marks(f"a virtual hub {words}", dt.date(2023, 2, 10)).years == {2023, 2024}, words
    assert date_marks("a virtual hub this year", dt.date(2023, 2, 10)).years == {2023}
    later = date_marks("this month or next year", dt.date(2023, 2, 10))
    assert (later.months, later.years) == ({(2023, 2)}, {2023, 2024})


def test_a_percentage_in_the_site_s_own_words_must_be_in_one_of_its_quotes(project: Path,
                                                                          run_cli: Callable[..., Run]) -> None:
    """Written either way (19% or 19 per cent); a link's address in a body is not read."""
    add_article(project, text=ARTICLE.replace("Parents who took", "Some 19% of posts were vacant. Parents who took"))
    append(project / "data" / "sources.yaml", COUNCIL_SOURCE)
    recommendations = add_later_entry(project, "In March 2024, 19 per cent of posts were vacant.",
                                      "Some 19% of posts were vacant",
                                      "    About 20% took part. See [the report](https://example.org/2023%20report).\n")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1, result.err
    assert result.err.splitlines() == [
        f'data/recommendations.yaml:{line_of(recommendations, "About 20% took part")}:5: "20%" is in none of the'
        " quotes of this entry; write the percentage a quote gives, or cite a quote that gives it",
        "1 problem(s) found; nothing was written."]


def test_names_and_titles_are_found_the_same_way_every_run() -> None:
    """Stacked titles are left out as one ("Professor Sir"), and of two names with one surname the
    message names the same one whatever the order of a set."""
    from sitegen import models as m
    from sitegen.fields import Citation
    from sitegen.own_words import names_in, names_of, unnamed_people

    people = [m.Party.model_construct(name="Professor Sir Pat Example", kind=m.PartyKind.person),
              m.Party.model_construct(name="Cllr Sam Smith", kind=m.PartyKind.person),
              m.Party.model_construct(name="Example Trust", kind=m.PartyKind.organisation)]
    names = names_of(people)
    assert names == {"Professor Sir Pat Example", "Pat Example", "Cllr Sam Smith", "Sam Smith"}
    assert names_in("Pat Example and Sam Smith spoke.", names) == {"Pat Example", "Sam Smith"}
    event = m.Event.model_construct(title="Andy Smith and Anna Smith spoke",
                                    citations=[Citation(source="s", quote="They spoke")])
    found = unnamed_people([(("title",), event, "title", event.title)], [],
                           frozenset({"Andy Smith", "Anna Smith"}))
    assert [f.message.split(" is named")[0] for f in found] == ["Anna Smith"]  # the same one each run


def test_names_are_found_in_full_within_runs_of_capitals_and_before_a_possessive() -> None:
    from sitegen.own_words import names_in

    names = frozenset({"Gavin Williamson", "Eileen Munro", "Andy Smith", "Émile Zola"})
    text = ("Education Secretary Gavin Williamson said so. Eileen\nMunro’s review. Andy Smithson and Smith did not."
            " Nor did Émile Zola.")
    assert names_in(text, names) == {"Gavin Williamson", "Eileen Munro", "Émile Zola"}


def test_a_date_in_digits_is_no_span_and_a_span_may_give_four_digits() -> None:
    from sitegen.quote_dates import date_marks

    assert date_marks("on 2024-05-01 it met", None).years == {2024}  # not 2024-05, "2024 to 2005"
    assert date_marks("in 2026-2027", None).spans == date_marks("in 2026-27", None).spans == {(2026, 2027)}
    assert date_marks("from 2025/26", None).alone == frozenset()


EARLIEST_ARTICLE = """Example council opens family help
The council will open its family help team in May 2025 at the earliest, its leader said.
A second team will open in June 2025, the council said in its plan for the next two years.
"""


def test_a_date_a_quote_gives_at_the_earliest_is_shown_so(project: Path, run_cli: Callable[..., Run]) -> None:
    """"From April 2026 at the earliest" is not "due April 2026": the event says earliest: true, and the
    site writes the words on the page, in its description and in timeline.csv."""
    assert "due April 2026 at the earliest; no report since" in real_page_text(
        "timeline/fundamental-reform-from-april-2026/index.html")
    assert ",April 2026 at the earliest,yes," in rendered("/")["data/timeline.csv"].decode("utf-8")

    add_article(project, text=EARLIEST_ARTICLE)
    append(project / "data" / "sources.yaml", COUNCIL_SOURCE)
    timeline = project / "data" / "timeline.yaml"
    append(timeline, (
        "\n- id: first-team\n  date: 2025-05-01\n  precision: month\n  planned: true\n  title: The first team opens\n"
        "  citations:\n    - source: council-article\n      quote: \"will open its family help team in May 2025 at the"
        " earliest\"\n"
        "\n- id: second-team\n  date: 2025-06-01\n  precision: month\n  planned: true\n  earliest: true\n"
        "  title: The second team opens\n"
        "  citations:\n    - source: council-article\n      quote: \"A second team will open in June 2025\"\n"))
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert (f"data/timeline.yaml:{line_of(timeline, 'date: 2025-05-01')}:9: a quote gives this date as the earliest"
            in result.err), result.err
    assert (f"data/timeline.yaml:{line_of(timeline, 'earliest: true')}:13: no quote that gives this date says it is"
            " the earliest" in result.err), result.err

    append(timeline, "\n- id: after-it\n  precision: after\n  after: first-team\n  earliest: true\n"
                     "  title: A third team follows\n  citations:\n    - source: council-article\n"
                     "      quote: \"A second team will open in June 2025\"\n")
    result = run_cli("--project", str(project), "check")
    assert (f"data/timeline.yaml:{line_of(timeline, 'after: first-team') + 1}:13: earliest: true is for a date a quote"
            " gives as the earliest" in result.err), result.err


def test_an_organisation_the_site_names_must_be_named_in_a_quote_beside_it(
        project: Path, run_cli: Callable[..., Run]) -> None:
    """That an association warned is a fact like a person's words: an organisation of data/people.yaml,
    by its name or the abbreviation in brackets, must be named in a quote beside the words that name it,
    by one of those or an alias. "Example" at a sentence's start is only a capital, and "example" in a
    quote is only the word."""
    add_article(project, text=ARTICLE.replace("Its leader said", "The Example Council Network (ECN) said")
                .replace("Parents who took part", "The network's chair and parents who took part"))
    append(project / "data" / "sources.yaml", COUNCIL_SOURCE)
    (project / "data" / "people.yaml").write_text(
        "- id: ecn\n  name: Example Council Network (ECN)\n  kind: organisation\n  aliases: [the network]\n"
        "  roles:\n    - role: Councils' network\n      citations:\n        - source: council-article\n"
        "          quote: \"The Example Council Network (ECN) said\"\n"
        "- id: the-society\n  name: The Example Society\n  kind: organisation\n"
        "  roles:\n    - role: A society\n      citations:\n        - source: council-article\n"
        "          quote: \"The Example Council Network (ECN) said\"\n"
        "- id: example-charity\n  name: Example\n  kind: organisation\n"
        "  roles:\n    - role: A charity\n      citations:\n        - source: council-article\n"
        "          quote: \"The Example Council Network (ECN) said\"\n", encoding="utf-8")
    timeline = project / "data" / "timeline.yaml"
    for ident, title, quote in (("unnamed", "The ECN welcomes the test", "the council had waited a long time"),
                                ("full-name", "Example Council Network welcomes it", "had waited a long time"),
                                ("plain-word", "Example councils test family help", "will test a family help team"),
                                ("named", "The ECN welcomes the test", "The Example Council Network (ECN) said"),
                                ("alias", "The ECN's chair spoke", "The network’s chair and parents"),
                                ("without-the", "It and the Example Society spoke", "had waited a long time"),
                                ("ordinary-word", "A test that Example welcomes", "The example council will test")):
        append(timeline, (f"\n- id: {ident}\n  date: 2024-03-01\n  title: {title}\n"
                          f"  citations:\n    - source: council-article\n      quote: \"{quote}\"\n"))
    result = run_cli("--project", str(project), "check")
    assert result.code == 1, result.err
    assert (f"data/timeline.yaml:{line_of(timeline, 'id: unnamed') + 2}:10: ECN is named here but in none of the"
            " quotes cited beside it" in result.err), result.err
    assert (f"data/timeline.yaml:{line_of(timeline, 'id: full-name') + 2}:10: Example Council Network is named here"
            in result.err), result.err
    assert (f"data/timeline.yaml:{line_of(timeline, 'id: without-the') + 2}:10: Example Society is named here"
            in result.err), result.err
    assert (f"data/timeline.yaml:{line_of(timeline, 'id: ordinary-word') + 2}:10: Example is named here"
            in result.err), result.err  # "example" in a quote is the word, not the charity
    assert result.err.count("is named here") == 4, result.err
