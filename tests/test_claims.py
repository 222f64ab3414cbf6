"""Every value says what its quotes say: report dates derived from the quotes that carry the claim,
qualifiers kept everywhere, money grouped by kind, and dates no more precise than their quotes.

Each check is shown failing on a bad example in a copy of the minimal project, and the real data is
checked for the examples issue 19 found.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run
from reader_site import Tags, html_pages, rendered, site_model
from test_cli import edit

from sitegen import models as m
from sitegen.claims import count_figures, money_figures
from sitegen.fields import Precision, Qualifier
from sitegen.quote_dates import date_marks
from sitegen.words import FUNDING_KIND_WORDS

SECOND = """Second test article

The government's response is due in September. The response came in February.
Up to 12 areas will test family help, backed by at least £600m and a £200m package.
A speech followed.
"""


def add_second_source(project: Path, date: str | None) -> None:
    """A second article, dated or not, that the tests cite beside the minimal project's own."""
    (project / "sources" / "second.txt").write_text(SECOND, encoding="utf-8")
    dated = f"  date: {date}\n" if date else ""
    with (project / "data" / "sources.yaml").open("a", encoding="utf-8") as sources:
        sources.write(f"- id: second-article\n  title: A second article\n  outlet: Other News\n{dated}"
                      "  archive: second.txt\n")


def append(project: Path, name: str, text: str) -> None:
    with (project / "data" / name).open("a", encoding="utf-8") as data:
        data.write(text)


def page(project: Path, path: str) -> str:
    html = (project / "site" / path).read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def first_error(run_cli: Callable[..., Run], project: Path) -> str:
    result = run_cli("--project", str(project), "check")
    assert result.code == 1, result.err
    return result.err.splitlines()[0]


# --- 1. The date of report is derived from the citations whose quote holds the claim ----------------


def test_a_plan_is_dated_by_the_source_that_gives_its_date_not_the_first(
        project: Path, run_cli: Callable[..., Run]) -> None:
    add_second_source(project, None)
    append(project, "timeline.yaml", """- id: response-due
  date: 2023-09-01
  precision: month
  planned: true
  title: Response due
  citations:
    - source: test-article
      quote: The government has today laid out
    - source: second-article
      quote: The government's response is due in September.
""")
    assert run_cli("--project", str(project), "build").code == 0
    text = page(project, "timeline/index.html")
    assert "Planned, as reported in an undated source : due September 2023" in text  # the first quote is dated
    assert "as reported on 2 February 2023 : due September" not in text


@pytest.mark.parametrize(("first", "second", "shown"), [
    # both quotes hold £200m: the earlier source dates it, though it is cited second
    ("a £200m package of measures", "a £200m package", "as reported on 15 January 2023"),
    # the earlier source's quote does not hold £200m: it never dates the sum
    ("a £200m package of measures", "A speech followed.", "as reported on 2 February 2023"),
])
def test_a_sum_is_dated_by_the_earliest_source_whose_quote_holds_it(
        project: Path, run_cli: Callable[..., Run], first: str, second: str, shown: str) -> None:
    add_second_source(project, "2023-01-15")
    append(project, "funding.yaml", f"""- id: package
  title: The package
  kind: pledged
  purpose: Money for the reforms.
  values:
    - money: {{amount: 200000000}}
      citations:
        - source: test-article
          quote: {first}
        - source: second-article
          quote: {second}
""")
    assert run_cli("--project", str(project), "build").code == 0
    assert f"£200m , {shown}" in page(project, "funding/package/index.html")


def test_a_sum_in_none_of_its_quotes_is_refused(project: Path, run_cli: Callable[..., Run]) -> None:
    edit(project / "data/funding.yaml", "amount: 2600000000, years: 5", "amount: 2700000000, years: 5")
    assert first_error(run_cli, project) == (
        "data/funding.yaml:6:23: £2.7bn is in none of the quotes of this sum; correct it to the figure a quote"
        " gives, or cite a quote that gives £2.7bn")


def test_the_real_consultation_response_is_dated_by_the_undated_analysis_that_says_september() -> None:
    event = site_model().items["timeline"]["consultation-response-due"]
    assert event.planned and len(event.citations) > 1
    text = Tags(html_pages(rendered())["timeline/consultation-response-due/index.html"]).plain()
    assert "Planned, as reported in an undated source: due September 2023" in text


def test_developments_have_no_typed_date_and_show_the_date_of_their_report() -> None:
    assert "date" not in m.Development.model_fields
    pages = html_pages(rendered())
    text = Tags(pages["recommendations/merge-evidence-bodies/index.html"]).plain()
    assert "Reported on 7 June 2023: The merged body, Foundations, formally started work" in text


# --- 2. Qualifiers kept everywhere -----------------------------------------------------------------


def test_a_dropped_qualifier_is_refused(project: Path, run_cli: Callable[..., Run]) -> None:
    edit(project / "sources/article.txt", "would cost £2.6bn over five", "would cost up to £2.6bn over five")
    edit(project / "data/funding.yaml", "quote: cost £2.6bn", "quote: cost up to £2.6bn")
    assert first_error(run_cli, project) == (
        'data/funding.yaml:6:23: the quote says "up to £2.6bn" but the sum has no qualifier; add qualifier: up to')


@pytest.mark.parametrize(("article", "qualifier", "message"), [
    ("up to £2.6bn", "about", 'the quote says "up to £2.6bn" but the qualifier is "about"; write qualifier: up to'),
    ("£2.6bn", "about",
     'the quote says "£2.6bn", without "about"; remove the qualifier, or cite a quote that gives it'),
])
def test_a_qualifier_other_than_the_quotes_is_refused(project: Path, run_cli: Callable[..., Run], article: str,
                                                      qualifier: str, message: str) -> None:
    edit(project / "sources/article.txt", "would cost £2.6bn over five", f"would cost {article} over five")
    edit(project / "data/funding.yaml", "quote: cost £2.6bn", f"quote: cost {article}")
    edit(project / "data/funding.yaml", "years: 5}", f"years: 5, qualifier: {qualifier}}}")
    assert first_error(run_cli, project) == f"data/funding.yaml:6:56: {message}"


COUNTED = """- id: family-help-pilot
  name: Family help pilot
  purpose: Tests family help.
  funding: [social-care-share]
  area_counts:
    - count: 12
{qualifier}      citations:
        - source: second-article
          quote: Up to 12 areas will test family help
  citations:
    - source: second-article
      quote: will test family help
"""
SHARE = """- id: social-care-share
  title: Social care share
  kind: allocated
  purpose: Money for social care.
  values:
    - money: {amount: 600000000, qualifier: at least}
      citations:
        - source: second-article
          quote: backed by at least £600m
"""


def test_a_count_keeps_its_qualifier(project: Path, run_cli: Callable[..., Run]) -> None:
    add_second_source(project, "2023-03-01")
    (project / "data" / "pilots.yaml").write_text(COUNTED.format(qualifier=""), encoding="utf-8")
    append(project, "funding.yaml", SHARE)
    assert first_error(run_cli, project) == (
        'data/pilots.yaml:6:14: the quote says "Up to 12" but the count has no qualifier; add qualifier: up to')


def test_every_output_shows_the_qualifier(project: Path, run_cli: Callable[..., Run]) -> None:
    add_second_source(project, "2023-03-01")
    (project / "data" / "pilots.yaml").write_text(COUNTED.format(qualifier="      qualifier: up to\n"),
                                                  encoding="utf-8")
    append(project, "funding.yaml", SHARE)
    home = project / "content" / "index.md"  # the home page's tiles show the figures its editors choose
    home.write_text(home.read_text(encoding="utf-8").replace(
        "---\n", "---\nkey_figures: [pilots/family-help-pilot, funding/social-care-share]\n", 1), encoding="utf-8")
    result = run_cli("--project", str(project), "build")
    assert result.code == 0, result.err
    for path in ("pilots/family-help-pilot/index.html", "pilots/index.html"):
        assert "up to 12 areas , as reported on 1 March 2023" in page(project, path), path
    assert "up to 12 areas Family help pilot Reported on 1 March 2023" in page(project, "index.html")  # a tile
    for path in ("funding/social-care-share/index.html", "funding/index.html", "index.html",
                 "pilots/family-help-pilot/index.html"):
        assert "at least £600m" in page(project, path), path
    assert "at least £600m · Other News, 1 Mar 2023" in page(project, "funding/index.html")  # the chart
    data = project / "site" / "data"
    pilots = list(csv.DictReader(io.StringIO((data / "pilots.csv").read_text(encoding="utf-8"))))
    assert pilots[0]["area_counts"] == "up to 12 areas (reported 2023-03-01, second-article)"
    funding = {row["id"]: row for row in csv.DictReader(io.StringIO((data / "funding.csv").read_text("utf-8")))}
    assert (funding["social-care-share"]["qualifier"], funding["social-care-share"]["figure"]) == (
        "at least", "at least £600m")
    records = json.loads((data / "pilots.json").read_text(encoding="utf-8"))
    assert records[0]["area_counts"][0]["qualifier"] == "up to"
    records = {r["id"]: r for r in json.loads((data / "funding.json").read_text(encoding="utf-8"))}
    assert records["social-care-share"]["values"][0]["money"]["qualifier"] == "at least"


def test_a_count_in_the_site_s_own_words_keeps_its_quote_s_word(project: Path, run_cli: Callable[..., Run]) -> None:
    """A count a quote gives of the same thing keeps the quote's qualifier in a purpose too; a count of
    something no quote counts (the editor's own, such as the number of areas named) is not checked."""
    add_second_source(project, "2023-03-01")
    pilot = COUNTED.format(qualifier="      qualifier: up to\n").replace(
        "purpose: Tests family help.", "purpose: Tests family help in 12 areas, three of them named, in 12 weeks.")
    (project / "data" / "pilots.yaml").write_text(pilot, encoding="utf-8")
    append(project, "funding.yaml", SHARE)
    result = run_cli("--project", str(project), "check")
    assert result.code == 1, result.err
    assert result.err.splitlines() == [
        """data/pilots.yaml:3:12: the quote says "Up to 12" but these words say "12"; keep the quote's word before"""
        " the count", "1 problem(s) found; nothing was written."]


def test_a_count_is_matched_with_the_thing_it_counts_and_never_in_a_date() -> None:
    from sitegen.own_words import counts_of_things

    said = counts_of_things("Up to 12 areas, up to 12 ‘pathfinder’ areas, almost three quarters, one at a time,"
                            " until 2030, on 3 May 2024, more than one child, nearly 30 councils and 5.")
    assert [(f.value, f.qualifier, thing) for f, thing in said] == [
        (12, Qualifier.up_to, "area"), (12, Qualifier.up_to, "pathfinder"), (3, Qualifier.just_under, "quarter"),
        (30, Qualifier.just_under, "council")]


def test_over_before_a_span_of_time_is_how_long_unless_the_words_before_make_it_more_than() -> None:
    said = count_figures("£2.6bn over five years for over 12 areas, waiting for over two years, over two financial"
                         " years, just over six months")
    assert [(f.value, f.qualifier, f.words) for f in said] == [
        (5, None, "five"), (12, Qualifier.more_than, "over 12"), (2, Qualifier.more_than, "over two"),
        (2, None, "two"), (6, Qualifier.more_than, "over six")]


def test_a_quote_s_day_without_a_year_dates_an_event_only_near_its_source() -> None:
    from sitegen.quote_dates import holds_date

    reported = dt.date(2023, 2, 2)
    marks = date_marks("All three consultations will close on 11 May.", reported)
    assert holds_date(marks, dt.date(2023, 5, 11), Precision.day, source=reported)
    assert holds_date(marks, dt.date(2024, 5, 11), Precision.day, source=reported)
    assert not holds_date(marks, dt.date(2030, 5, 11), Precision.day, source=reported)
    assert holds_date(marks, dt.date(2030, 5, 11), Precision.day, source=None)  # an undated source: any year


def test_words_that_look_like_dates_or_durations_are_read_as_what_they_are() -> None:
    from sitegen.quote_dates import date_marks, said_dates

    assert said_dates("Theresa May said so. May the council agree?").months == frozenset()
    assert said_dates("In May the council agreed, on 11 May.").months == {(None, 5)}
    assert date_marks("a grant of £2000", None).years == frozenset()
    assert [f.qualifier for f in count_figures("children aged over 16 years, not over 6 years old")] == [
        Qualifier.more_than, Qualifier.more_than]


def test_the_real_qualifiers_are_shown() -> None:
    pages = {name: Tags(html).plain() for name, html in html_pages(rendered()).items()}
    assert "at least £600m (2025-26)" in pages["funding/council-social-care-600m/index.html"]
    assert "at least £600m (2025-26)" in pages["funding/index.html"]
    assert "over 1 year" not in pages["funding/index.html"]  # a year its period names is not said twice
    pathfinder = pages["pilots/families-first-for-children-pathfinder/index.html"]
    assert "up to 12 areas, as reported on 7 February 2023" in pathfinder
    assert "up to 10 areas" in pages["pilots/index.html"]


def test_figures_are_read_with_the_word_before_them() -> None:
    assert [(f.value, f.qualifier) for f in money_figures("over £250m and at least £600m, £2,000 or 45 million")] == [
        (250e6, Qualifier.more_than), (600e6, Qualifier.at_least), (2000, None), (45e6, None)]
    assert [(f.value, f.qualifier) for f in count_figures("an expected 12, seven councils, nearly 30 in 2025-26,"
                                                          " £44m and 12 per cent")] == [
        (12, Qualifier.expected), (7, None), (30, Qualifier.just_under)]


def test_an_estimate_or_a_forecast_is_read_as_a_qualifier() -> None:
    said = money_figures("cuts estimated to be £2.2bn and forecast to increase by a further £100m; an estimated"
                         " £5m, a forecast £7m, £9m")
    assert [(f.value, f.qualifier) for f in said] == [
        (2.2e9, Qualifier.estimated), (100e6, Qualifier.forecast), (5e6, Qualifier.estimated),
        (7e6, Qualifier.forecast), (9e6, None)]


@pytest.mark.parametrize(("words", "qualifier"), [("is estimated to be", "estimated"),
                                                  ("is forecast to increase by a further", "forecast")])
def test_a_dropped_estimate_or_forecast_is_refused(project: Path, run_cli: Callable[..., Run], words: str,
                                                   qualifier: str) -> None:
    edit(project / "sources/article.txt", "would cost £2.6bn over five", f"{words} £2.6bn over five")
    edit(project / "data/funding.yaml", "quote: cost £2.6bn", f"quote: {words} £2.6bn")
    assert first_error(run_cli, project) == (
        f'data/funding.yaml:6:23: the quote says "{words.removeprefix("is ")} £2.6bn" but the sum has no qualifier;'
        f" add qualifier: {qualifier}")


def test_the_real_cuts_are_shown_as_estimated_and_forecast() -> None:
    pages = {name: Tags(html).plain() for name, html in html_pages(rendered()).items()}
    cuts = pages["funding/childrens-services-cuts-2-2bn/index.html"]
    # drawn whole: CYP Now's "£2.2bn in the past decade" is not said to be a sum over ten years
    assert "estimated £2.2bn (the past decade)" in cuts and "£220m" not in pages["funding/index.html"]
    assert "forecast £100m" in pages["funding/covid-further-cuts-100m/index.html"]


def test_a_figure_given_as_where_a_change_started_is_a_baseline() -> None:
    said = money_figures("£18.4m in 2024-25, up from £11.7m last year; the grant will increase from £2,000 to £3,000")
    assert [(f.value, f.baseline, f.words) for f in said] == [
        (18.4e6, False, "£18.4m"), (11.7e6, True, "up from £11.7m"), (2000, True, "increase from £2,000"),
        (3000, False, "£3,000")]
    assert [(f.value, f.baseline) for f in count_figures("10 areas, down from about 12")] == [(10, False), (12, True)]
    assert [f.words for f in count_figures("down from about 12")] == ["down from about 12"]
    assert not any(f.baseline for f in money_figures("£200m from 2023-25, and £5m from the DfE"))


def test_a_sum_its_quotes_give_only_as_a_baseline_is_refused(project: Path, run_cli: Callable[..., Run]) -> None:
    """Last year's sum, given only as where a rise started, is not a value of the line, whose kind it
    would take (a pledge, say): the source does not say what kind of money it was."""
    edit(project / "sources/article.txt", "would cost £2.6bn over five", "would cost £2.6bn, up from £2.2bn, over five")
    edit(project / "data/funding.yaml", "amount: 2600000000, years: 5", "amount: 2200000000, years: 5")
    edit(project / "data/funding.yaml", "quote: cost £2.6bn over five years",
         "quote: cost £2.6bn, up from £2.2bn, over five years")
    assert first_error(run_cli, project) == (
        'data/funding.yaml:6:23: the quotes give £2.2bn only as where a change started ("up from £2.2bn"), not as'
        " this sum: give it in the note or purpose, or cite a quote that gives it as the sum")


@pytest.mark.parametrize(("article", "money", "error"), [
    ("would cost £2.6bn a year, over five", "each_year: true", None),
    ("would cost £2.6bn, a year ago, over five", "each_year: true",
     'data/funding.yaml:6:46: no quote gives £2.6bn as a sum each year ("£2.6bn a year", "per year",'
     ' "annually"); remove each_year, or cite a quote that says so'),
    ("would cost £2.6bn a year, over five", "years: 5, each_year: true",
     "data/funding.yaml:6:14: values[0].money: give either years (the sum covers that many years) or"
     " each_year: true (the sum recurs every year), not both"),
])
def test_a_sum_each_year_is_said_so_by_its_quote(project: Path, run_cli: Callable[..., Run], article: str,
                                                 money: str, error: str | None) -> None:
    edit(project / "sources/article.txt", "would cost £2.6bn over five", article)
    quote = article.removeprefix("would ").replace(", over five", "")
    edit(project / "data/funding.yaml", "quote: cost £2.6bn over five years", f'quote: "{quote}"')
    edit(project / "data/funding.yaml", "amount: 2600000000, years: 5", f"amount: 2600000000, {money}")
    if error is not None:
        assert first_error(run_cli, project) == error
        return
    assert run_cli("--project", str(project), "build").code == 0
    assert "£2.6bn a year , as reported" in page(project, "funding/review-costing/index.html")
    assert "over 1 year" not in page(project, "funding/review-costing/index.html")


def test_a_sum_each_year_is_read_where_the_figure_is() -> None:
    from sitegen.claims import said_each_year

    quote = "£200m in 2024, and from 2025 it gets £200m a year; £5m a year ago; £7m annually"
    assert [said_each_year(quote, f) for f in money_figures(quote)] == [False, True, False, True]


def test_the_real_cost_of_delay_is_a_sum_each_year() -> None:
    text = Tags(html_pages(rendered())["funding/cost-of-delay-estimate/index.html"]).plain()
    assert "£200m a year (over the long run), as reported on 31 October 2024" in text


# --- 3. Money kinds --------------------------------------------------------------------------------


def test_no_funding_heading_gathers_kinds_it_does_not_fit() -> None:
    site = site_model()
    html = html_pages(rendered())["funding/index.html"]
    charts = re.findall(r'<figure class="chart-figure" id="chart-([a-z-]+)">(.*?)</figure>', html, re.S)
    assert len(charts) >= 4
    for chart_kind, chart in charts:  # one chart per kind, headed by its word, holding only its kind
        assert chart.startswith(f"\n<figcaption>{FUNDING_KIND_WORDS[chart_kind]}</figcaption>\n<svg ")
        kinds = {site.items["funding"][i].kind.value for i in re.findall(r'<rect [^>]*data-id="([^"]+)"', chart)}
        assert kinds == {chart_kind}, (chart_kind, kinds)
    for line_id, kind in re.findall(r'<tr data-id="([^"]+)".*?<td data-label="Kind">([^<]+)</td>', html, re.S):
        assert kind == FUNDING_KIND_WORDS[site.items["funding"][line_id].kind.value], line_id
    cuts = site.items["funding"]["childrens-services-cuts-2-2bn"]
    assert cuts.kind is m.FundingKind.cut  # past cuts are not a need anyone estimated


def test_a_retired_kind_is_refused_with_the_kinds_to_choose_from(project: Path, run_cli: Callable[..., Run]) -> None:
    edit(project / "data/funding.yaml", "kind: estimated-cost", "kind: estimate")
    assert first_error(run_cli, project) == (
        'data/funding.yaml:3:9: kind: "estimate" is not an allowed value; did you mean "estimated-cost"? allowed'
        " values: called-for, estimated-cost, cut, pledged, allocated, spent")


# --- 4. Dates no more precise than their quotes ----------------------------------------------------


@pytest.mark.parametrize(("quote", "fix"), [
    ("a £200m package of measures", "correct the date, cite a quote that gives it, or write precision: after and"
                                    " the event it followed as after:"),
    ("The response came in February.", "write precision: month, which the quotes give, or correct the date"),
])
def test_a_date_more_precise_than_its_quotes_is_refused(project: Path, run_cli: Callable[..., Run], quote: str,
                                                        fix: str) -> None:
    add_second_source(project, "2023-03-01")
    source = "second-article" if "February" in quote else "test-article"
    edit(project / "data/timeline.yaml", "    - source: test-article\n      quote: The government has today laid out",
         f"    - source: {source}\n      quote: {quote}")
    assert first_error(run_cli, project) == (
        f"data/timeline.yaml:2:9: no quote gives the day of this date (2 February 2023); {fix}")


def test_a_mission_year_in_none_of_its_quotes_is_refused(project: Path, run_cli: Callable[..., Run]) -> None:
    edit(project / "data/missions.yaml", "  target_year: 2027", "  target_year: 2028")
    assert first_error(run_cli, project) == (
        "data/missions.yaml:5:16: no quote of the mission gives the year 2028; correct it, or cite a quote that"
        " gives it")


AFTER = """- id: speech
  precision: after
  after: response-published
  title: A speech
  citations:
    - source: second-article
      quote: A speech followed.
- id: later-that-month
  date: 2023-02-10
  precision: month
  title: Something later that month
  citations:
    - source: second-article
      quote: The response came in February.
"""


@pytest.mark.parametrize(("date", "heading", "reported"), [
    ("2023-03-01", "2023", "as reported on 1 March 2023"),
    (None, "2023 or later", "as reported in an undated source"),
    ("2024-03-01", "Between 2023 and 2024", "as reported on 1 March 2024"),  # when, not how long
])
def test_an_event_known_only_to_follow_another_is_listed_after_it_and_said_so(
        project: Path, run_cli: Callable[..., Run], date: str | None, heading: str, reported: str) -> None:
    add_second_source(project, date)
    append(project, "timeline.yaml", AFTER)
    result = run_cli("--project", str(project), "build")
    assert result.code == 0, result.err
    text = page(project, "timeline/index.html")
    assert f"Happened after “Government publishes its response” (2 February 2023), {reported}" in text
    assert text.index("Government publishes its response") < text.index("A speech")
    assert f"{heading} Happened after" in text  # under the heading of the years it may fall in
    if date == "2024-03-01":
        assert '<h2 id="y2023-2024">Between 2023 and 2024</h2>' in (project / "site/timeline/index.html").read_text()
    if date is None:  # a year it may not fall in does not hold it, so its group comes after that year's
        assert text.index("Something later that month") < text.index("A speech")
    csv_rows = list(csv.DictReader(io.StringIO((project / "site/data/timeline.csv").read_text("utf-8"))))
    assert [row["id"] for row in csv_rows][:1] == ["response-published"]
    speech = next(row for row in csv_rows if row["id"] == "speech")
    assert (speech["date"], speech["precision"], speech["after"]) == ("", "after", "response-published")


@pytest.mark.parametrize(("old", "new", "message"), [
    ("  date: 2023-02-02\n", "  date: 2023-02-02\n  precision: after\n  after: speech\n",
     "data/timeline.yaml:2:9: an event with precision: after has no date, as its sources give none; remove date"
     " (the site lists it after the event it followed)"),
    ("  date: 2023-02-02\n", "  precision: after\n",
     "data/timeline.yaml:2:14: precision: after needs the event this one followed; add after: with that event's"
     " id in data/timeline.yaml"),
    ("  date: 2023-02-02\n", "  date: 2023-02-02\n  after: speech\n",
     "data/timeline.yaml:3:10: after: is only for events with precision: after; remove it, or write precision:"
     " after and remove the date"),
    ("  date: 2023-02-02\n", "",
     'data/timeline.yaml:1:3: required key "date" is missing; add it, for example: date: 2023-02-02, or write'
     " precision: after and the event it followed as after:"),
    ("  date: 2023-02-02\n", "  precision: after\n  after: speech\n",
     "data/timeline.yaml:3:10: events follow each other in a circle (response-published → speech →"
     " response-published); name an event with a date, or one that follows a dated event"),
])
def test_an_events_date_precision_and_after_must_agree(project: Path, run_cli: Callable[..., Run], old: str,
                                                       new: str, message: str) -> None:
    add_second_source(project, "2023-03-01")
    append(project, "timeline.yaml", AFTER)
    edit(project / "data/timeline.yaml", old, new)
    assert first_error(run_cli, project) == message


def test_the_real_kings_speech_follows_the_election() -> None:
    site = site_model()
    speech = site.items["timeline"]["kings-speech-2024"]
    assert (speech.date, speech.precision, speech.after) == (None, Precision.after, "general-election-2024")
    text = Tags(html_pages(rendered())["timeline/index.html"]).plain()
    assert text.index("General election in July 2024") < text.index("King's Speech announces")
    assert ("Happened after “General election in July 2024” (July 2024), as reported on 14 October 2024") in text


def test_dates_are_read_as_precisely_as_the_quote_gives_them() -> None:
    on = dt.date(2024, 10, 14)  # a Monday
    assert date_marks("which formally started work yesterday", on).days == {(2024, 10, 13)}
    assert date_marks("Last month, the minister said", on).months == {(2024, 9)}
    assert date_marks("issued last week", on).months == {(2024, 10)}
    assert date_marks("This will report next spring", on).years == {2025}
    assert date_marks("this month (July)", dt.date(2023, 7, 26)).months == {(2023, 7), (None, 7)}
    assert date_marks("On 2 February 2023, the DfE", None).days == {(2023, 2, 2)}
    assert date_marks("from 2023-25", None).years == {2023, 2025}
    assert date_marks("it may fund further testing last year", None) == date_marks("", None)  # no date without one


SPENT_ERROR = ('data/funding.yaml:3:9: kind is spent, but no quote that gives £2.6bn says the money was spent ("was'
               ' spent", "has spent"); money to be spent is a plan: pledged, allocated or called for. Correct the'
               " kind, or cite a quote that says it was spent")


@pytest.mark.parametrize(("article", "error"), [
    ("has spent £2.6bn over five", None),
    ("spent £2.6bn over five", None),
    ("will be spent: £2.6bn over five",
     SPENT_ERROR),
    ("would cost £2.6bn over five",
     SPENT_ERROR),
])
def test_a_sum_is_spent_only_when_its_quote_says_it_was(project: Path, run_cli: Callable[..., Run], article: str,
                                                        error: str | None) -> None:
    """A pledged or allocated sum is a plan: `kind: spent` needs a quote that says the money was spent."""
    edit(project / "sources/article.txt", "would cost £2.6bn over five", article)
    edit(project / "data/funding.yaml", "quote: cost £2.6bn over five years", f'quote: "{article} years"')
    edit(project / "data/funding.yaml", "kind: estimated-cost", "kind: spent")
    edit(project / "sources/article.txt", "put the cost at £2.6bn over four years.",
         "said £2.6bn over four years was spent.")
    edit(project / "data/funding.yaml", "quote: £2.6bn over four years", "quote: £2.6bn over four years was spent")
    if error is not None:
        assert first_error(run_cli, project) == error
        return
    assert run_cli("--project", str(project), "check").code == 0


@pytest.mark.parametrize(("kind", "words", "suggested"), [
    ("called-for", "would cost", "estimated-cost"),
    ("called-for", "called for", None),
    ("called-for", "set out recommendations worth", ""),  # a noun of the review's, not a call for money
    ("estimated-cost", "faced cost-of-living rises of", ""),
    ("estimated-cost", "were forecast at", None),
    ("cut", "would cost", "estimated-cost"),
    ("cut", "aim to reduce costs by", "estimated-cost"),  # a plan to reduce is not a cut
    ("cut", "were reduced by", None),
])
def test_a_sum_asked_for_estimated_or_cut_needs_its_kind_s_words(project: Path, run_cli: Callable[..., Run],
                                                                  kind: str, words: str, suggested: str | None) -> None:
    """Money someone called for, estimated or cut is not the government's: a line of such a kind needs a
    quote that uses the kind's words, so an estimate is not shown as a call for money; the error names
    the one kind whose words the quotes do use."""
    from sitegen.claims import KIND_WORDS
    from sitegen.models import FundingKind

    edit(project / "sources/article.txt", "would cost £2.6bn over five", f"{words} £2.6bn over five")
    edit(project / "data/funding.yaml", "kind: estimated-cost", f"kind: {kind}")
    edit(project / "data/funding.yaml", "quote: cost £2.6bn over five", f"quote: {words} £2.6bn over five")
    if suggested is None:
        assert run_cli("--project", str(project), "check").code == 0
        return
    hint = f" its quotes use the words of {suggested};" if suggested else ""
    assert first_error(run_cli, project) == (f"data/funding.yaml:3:9: kind is {kind}, but no quote of this line"
                                             f" {KIND_WORDS[FundingKind(kind)][1]};{hint} correct the kind, or cite"
                                             " a quote that says so")


def test_spent_is_read_with_the_words_before_it() -> None:
    from sitegen.claims import said_spent

    said = ["was spent", "had been spent on staff", "councils spent £5m", "Spent: £5m", "money  has\nbeen spent",
            "In May £5m was spent", "No delay. £5m was spent"]
    plans = ["will be spent", "to be fully spent", "could have been spent", "aims to have spent £5m",
             "was not spent", "was never spent", "unspent", "overspent", "spending £5m", "if spent well",
             "hasn't been spent", "wasn’t spent", "won't have been spent", "none of the £5m has been spent",
             "no money has been spent", "£5m is being spent"]
    assert [said_spent(quote) for quote in said] == [True] * len(said)
    assert [said_spent(quote) for quote in plans] == [False] * len(plans)


def test_spent_must_be_said_by_a_quote_that_gives_the_sum(project: Path, run_cli: Callable[..., Run]) -> None:
    """A quote that says some money was spent does not make a sum it does not give spent."""
    edit(project / "sources/article.txt", "The missions are", "Some money was spent. The missions are")
    edit(project / "data/funding.yaml", "kind: estimated-cost", "kind: spent")
    edit(project / "data/funding.yaml", "quote: cost £2.6bn over five years",
         "quote: cost £2.6bn over five years\n        - source: test-article\n          quote: Some money was spent")
    edit(project / "data/funding.yaml", "quote: £2.6bn over four years",
         "quote: £2.6bn over four years\n        - source: test-article\n          quote: Some money was spent")
    assert first_error(run_cli, project) == SPENT_ERROR
