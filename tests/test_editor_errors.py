"""Editor mistakes made as an editor makes them, on a copy of the real project: each is reported where
it was made, saying what is wrong and what would be right (issue 20)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, Run

from sitegen.cache import cache_folder
from sitegen.emptied import RECORD
from sitegen.serve import Preview


@pytest.fixture
def real_project(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    for folder in ("data", "content", "templates", "sources"):
        shutil.copytree(ROOT / folder, dest / folder)
    return dest


def replace_line(path: Path, old: str, new: str) -> int:
    """Replace the first line that is exactly old; return its number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    number = lines.index(old)
    lines[number] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


def first_problem(run_cli: Callable[..., Run], project: Path) -> str:
    result = run_cli("--project", str(project), "check")
    assert result.code == 1, result.out
    assert "Traceback" not in result.err
    return result.err.splitlines()[0]


@pytest.mark.parametrize("quote", ['"', "'"])
def test_an_unclosed_quote_is_reported_where_it_opens(real_project: Path, run_cli: Callable[..., Run],
                                                      quote: str) -> None:
    people = real_project / "data" / "people.yaml"
    line = replace_line(people, "  name: Cathy Ashley", f"  name: {quote}Cathy Ashley")
    text = people.read_text(encoding="utf-8")
    closing = text.count("\n", 0, text.index(quote, text.index(f"{quote}Cathy Ashley") + 1)) + 1

    assert first_problem(run_cli, real_project) == (
        f"data/people.yaml:{line}:9: the quote {quote} that opens this value is never closed, so the value runs"
        f" on to line {closing}, where the next {quote} is; close it with {quote} at the end of the value on"
        " this line")


def test_an_unclosed_list_is_reported_where_it_opens(real_project: Path, run_cli: Callable[..., Run]) -> None:
    changes = real_project / "data" / "changes.yaml"
    text = changes.read_text(encoding="utf-8")
    end = text.index(", funding]")  # the last entry of a list over several lines
    changes.write_text(text[:end] + ", funding" + text[end + len(", funding]"):], encoding="utf-8")
    opens = text.rindex("items: [", 0, end)
    line = text.count("\n", 0, opens) + 1
    column = opens - text.rindex("\n", 0, opens) + len("items: ")

    problem = first_problem(run_cli, real_project)

    assert problem.startswith(f'data/changes.yaml:{line}:{column}: the list opened here with "[" is never'
                              f' closed (YAML reached line '), problem
    assert problem.endswith('without finding its "]"); end it with "]" and separate its entries with commas')


def test_a_duplicate_id_names_both_lines(real_project: Path, run_cli: Callable[..., Run]) -> None:
    people = real_project / "data" / "people.yaml"
    first = people.read_text(encoding="utf-8").split("\n").index("- id: david-graham") + 1
    second = replace_line(people, "- id: kevin-williams", "- id: david-graham")

    assert first_problem(run_cli, real_project) == (
        f'data/people.yaml:{second}:7: the id "david-graham" is used twice: first at line {first}; give each'
        " item its own id (rename one of them) or delete the copy")


def test_a_value_its_tag_cannot_build_is_reported_at_its_place(real_project: Path) -> None:
    """The preview too: a value YAML cannot build is the editor's problem, not an internal error."""
    missions = real_project / "data" / "missions.yaml"
    line = replace_line(missions, "  number: 1", "  number: !!int one")
    preview = Preview(real_project, real_project / ".preview")
    preview.refresh()
    assert [str(problem) for problem in preview.problems] == [
        f'data/missions.yaml:{line}:11: "one" cannot be read as the int its tag asks for; remove the tag or correct'
        " the value"]


def test_a_document_marker_between_items_is_said_to_be_one(real_project: Path, run_cli: Callable[..., Run]) -> None:
    themes = real_project / "data" / "themes.yaml"
    text = themes.read_text(encoding="utf-8")
    second = text.index("\n- id:", text.index("- id:")) + 1
    themes.write_text(text[:second] + "---\n" + text[second:], encoding="utf-8")
    line = text.count("\n", 0, second) + 1

    assert first_problem(run_cli, real_project).startswith(
        f'data/themes.yaml:{line}:1: YAML syntax error: a line of "---" starts a second YAML document, and a data'
        " file is one list; delete the line")


def test_a_citation_missing_its_dash_is_told_to_take_one(real_project: Path, run_cli: Callable[..., Run]) -> None:
    """Without its "- " a second citation reads as the first one's keys again."""
    timeline = real_project / "data" / "timeline.yaml"
    text = timeline.read_text(encoding="utf-8")
    second = text.index("    - source:", text.index("    - source:") + 1)
    assert text[text.rindex("\n", 0, second - 1) + 1:second].strip().startswith("quote:")  # the first's last line
    timeline.write_text(text[:second] + "      source:" + text[second + len("    - source:"):], encoding="utf-8")
    line = text.count("\n", 0, second) + 1

    assert first_problem(run_cli, real_project).startswith(
        f'data/timeline.yaml:{line}:7: duplicate key "source" (first given on line {line - 2}); if this line starts'
        ' another entry of the list, begin it with "- "; else keep one of them')


def test_a_duplicate_id_is_said_before_the_references_it_leaves_naming_nothing(
        real_project: Path, run_cli: Callable[..., Run]) -> None:
    """Renaming an item to another's id leaves its references naming nothing: the cause comes first."""
    glossary = real_project / "data" / "glossary.yaml"
    first = glossary.read_text(encoding="utf-8").split("\n").index("- id: dfe") + 1
    second = replace_line(glossary, "- id: independent-review", "- id: dfe")

    result = run_cli("--project", str(real_project), "check")
    lines = result.err.splitlines()
    assert lines[0] == (f'data/glossary.yaml:{second}:7: the id "dfe" is used twice: first at line {first}; give each'
                        " item its own id (rename one of them) or delete the copy")
    assert any('no item with id "independent-review"' in line for line in lines[1:])


def test_an_id_two_kinds_share_names_both_items(real_project: Path, run_cli: Callable[..., Run]) -> None:
    glossary = real_project / "data" / "glossary.yaml"
    text = glossary.read_text(encoding="utf-8")
    glossary.write_text(text.rstrip("\n") + "\n\n- id: stable-homes-200m\n  term: Two hundred million\n  definition:"
                        " A sum of money.\n  citations:\n    - source: cc-2023-02-07-key-points\n"
                        '      quote: "Funding: £200m in funding over two years."\n', encoding="utf-8")
    line = text.rstrip("\n").count("\n") + 3
    funding_line = (real_project / "data" / "funding.yaml").read_text(encoding="utf-8").split("\n").index(
        "- id: stable-homes-200m") + 1

    problem = first_problem(run_cli, real_project)
    assert problem.endswith(f'"stable-homes-200m" names an item in data/funding.yaml line {funding_line} and'
                            f" data/glossary.yaml line {line}; rename one of them, or write kind/id here (such as"
                            " funding/stable-homes-200m)"), problem


def test_a_deleted_item_is_said_once_before_the_references_to_it(real_project: Path,
                                                                 run_cli: Callable[..., Run]) -> None:
    sources = real_project / "data" / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    start = text.index("- id: cypnow-2021-01-26-sector-priorities")
    sources.write_text(text[:start] + text[text.index("\n- id:", start) + 1:], encoding="utf-8")

    result = run_cli("--project", str(real_project), "check")
    lines = result.err.splitlines()
    references = sum('no item with id "cypnow-2021-01-26-sector-priorities"' in line for line in lines)
    assert references > 2
    assert re.fullmatch(rf'data/\w+\.yaml:\d+:\d+: {references} references name "cypnow-2021-01-26-sector-priorities",'
                        r" which no item in data/sources\.yaml has \(each is listed after this\): if that item was"
                        r" deleted or renamed, put it back, else correct each reference", lines[0]), lines[0]
    assert lines[1].split(": ", 1)[0] == lines[0].split(": ", 1)[0]  # at the first of them


@pytest.mark.parametrize(("link", "message"), [
    ("/sources/nope/", "/sources/nope/ is not a page or file of this site, so readers would get the missing-page"
                       " notice; correct the address (as the browser shows it, such as /missions/)"),
    ("/static/nope.svg", "/static/nope.svg is not a page or file of this site, so readers would get the"
                         " missing-page notice; correct the address (as the browser shows it, such as /missions/)"),
    ("/static/" + "a" * 300, f"/static/{'a' * 300} is not a page or file of this site, so readers would get the"
                             " missing-page notice; correct the address (as the browser shows it, such as /missions/)"),
    ("sources/", "link 'sources/' would be read from the address of each page it is on; start a link to this"
                 " site with / and one to another site with https://, such as /sources/"),
])
def test_a_link_to_no_page_of_the_site_is_refused(real_project: Path, run_cli: Callable[..., Run], link: str,
                                                  message: str) -> None:
    """Readers would follow it to the missing-page notice: the gate's link check would find it only in CI."""
    about = real_project / "content" / "about.md"
    text = about.read_text(encoding="utf-8")
    about.write_text(text.replace("[sources page](/sources/)", f"[sources page]({link})", 1), encoding="utf-8")
    at = text.index("[sources page](/sources/)") + len("[sources page](")
    line, column = text.count("\n", 0, at) + 1, at - text.rindex("\n", 0, at)

    assert first_problem(run_cli, real_project) == f"content/about.md:{line}:{column}: {message}"


def test_links_to_pages_and_static_files_of_the_site_pass(real_project: Path, run_cli: Callable[..., Run]) -> None:
    about = real_project / "content" / "about.md"
    text = about.read_text(encoding="utf-8")
    about.write_text(text.replace("[sources page](/sources/)", "[sources page](/sources) ([style](/static/site.css),"
                                  " [data](/data/recommendations.csv#top))", 1), encoding="utf-8")

    assert run_cli("--project", str(real_project), "check").code == 0


def test_a_page_whose_name_does_not_end_in_md_is_said_not_to_be_read(real_project: Path,
                                                                     run_cli: Callable[..., Run]) -> None:
    (real_project / "content" / "about.md").rename(real_project / "content" / "About.MD")
    (real_project / "content" / "index.md~").write_text("an editor's backup", encoding="utf-8")

    result = run_cli("--project", str(real_project), "check")
    assert result.err.splitlines() == [  # the backup file is not read, nor said to be
        "content/About.MD:1:1: not read: a page's file name ends in .md (lower case), such as content/about.md",
        "1 problem(s) found; nothing was written."]


def test_a_template_not_in_utf_8_is_said_so_at_its_line(real_project: Path, run_cli: Callable[..., Run]) -> None:
    page = real_project / "templates" / "page.html"
    lines = page.read_bytes().split(b"\n")
    page.write_bytes(b"\n".join([*lines[:3], "<p>£</p>".encode("latin-1"), *lines[3:]]))

    assert first_problem(run_cli, real_project) == (
        "templates/page.html:4:1: byte 0xa3 is not UTF-8 text; save the file as UTF-8")


@pytest.mark.parametrize("written", ["up to £250m", "£250m"])
def test_a_sum_in_a_page_keeps_the_quotes_word_before_it(real_project: Path, run_cli: Callable[..., Run],
                                                         written: str) -> None:
    """"Over £250m" written "up to £250m" says the opposite, with the same figure."""
    index = real_project / "content" / "index.md"
    text = index.read_text(encoding="utf-8")
    index.write_text(text.replace("[over £250m for 2025-26]", f"[{written} for 2025-26]", 1), encoding="utf-8")
    at = text.index("[over £250m for 2025-26]") + 1
    line, column = text.count("\n", 0, at) + 1, at - text.rindex("\n", 0, at)

    assert first_problem(run_cli, real_project) == (
        f'content/index.md:{line}:{column}: the quotes say "more than £250m" but this page says "{written}"; keep the'
        " quotes' word before the sum")


@pytest.mark.parametrize(("old", "new", "column", "message"), [
    ("### What the response labels mean", "#### What the response labels mean", 1,
     "a heading of level 4: it is more than one level below the heading before it; write it as ###"),
    ("## Our method", "# Our method", 1,
     "a heading of level 1: the page's title is its only top-level heading; write it as ##"),
    ("## Corrections", "## Corrections\n\n| Kind | When |\n|---|---|\n| A fix | Soon | later |", 1,
     "this table row has 3 cells but the table has 2 columns, so the cells after the last column would be"
     " dropped; join them, or add a column to the header"),
    ("## Corrections", "## Corrections\n\nSee the [timeline](/timeline/ for dates.", 18,
     "this link's address is not closed, so readers would see the brackets as typed; end the address with )"),
])
def test_markdown_that_would_render_otherwise_than_written_is_refused(
        real_project: Path, run_cli: Callable[..., Run], old: str, new: str, column: int, message: str) -> None:
    """A row's extra cell is dropped, an open link shown as typed, a skipped level lost to screen readers."""
    about = real_project / "content" / "about.md"
    text = about.read_text(encoding="utf-8")
    about.write_text(text.replace(old, new, 1), encoding="utf-8")
    changed = text.index(old)
    line = text.count("\n", 0, changed) + 1 + new.count("\n")

    assert first_problem(run_cli, real_project) == f"content/about.md:{line}:{column}: {message}"


def test_an_emptied_source_file_is_said_once_at_its_source(real_project: Path, run_cli: Callable[..., Run]) -> None:
    """Not as every quote from it not found, with an empty closest passage."""
    (real_project / "sources" / "002_f4a3b96c11f91992.txt").write_text("", encoding="utf-8")
    result = run_cli("--project", str(real_project), "check")
    lines = result.err.splitlines()

    assert re.fullmatch(r'data/sources\.yaml:\d+:\d+: archived text "sources/002_f4a3b96c11f91992\.txt": the file holds'
                        r" no text where the article should be; copy the article into it again", lines[0]), lines[0]
    assert lines[1:] == ["1 problem(s) found; nothing was written."]


def test_a_source_file_cut_short_of_its_article_s_lines_is_said_at_the_source(real_project: Path,
                                                                              run_cli: Callable[..., Run]) -> None:
    archive = real_project / "sources" / "003_c985c6be07385037.txt"
    archive.write_text("\n".join(archive.read_text(encoding="utf-8").split("\n")[:50]), encoding="utf-8")
    left = len(archive.read_text(encoding="utf-8").splitlines())

    assert first_problem(run_cli, real_project).endswith(
        f'archived text "sources/003_c985c6be07385037.txt": the file has {left} lines, but the article\'s lines run to'
        " 85; put back what was cut from the file, or correct the source's lines: range")


def test_front_matter_never_closed_is_said_so(real_project: Path, run_cli: Callable[..., Run]) -> None:
    about = real_project / "content" / "about.md"
    text = about.read_text(encoding="utf-8")
    closing = text.index("\n---\n", 3)
    about.write_text(text[:closing] + text[closing + 4:], encoding="utf-8")

    assert first_problem(run_cli, real_project) == (
        'content/about.md:1:1: the front matter opened by this "---" is never closed; end it with a line "---" of its'
        " own after its last key, then write the page below it")


@pytest.mark.parametrize(("old", "new", "where", "message"), [
    ("meta.title", "meta.titel", "base.html:10", 'a Page has no "titel"; did you mean "title"? it has: title,'
     " description, order, nav, key_figures, last_reviewed, about_the_site"),
    ("ui.report_mistake(", "ui.report_mistakes(", "page.html:7", 'the template it imports has no macro'
     ' "report_mistakes"'),
])
def test_a_misspelt_name_in_a_template_is_said_in_words(real_project: Path, run_cli: Callable[..., Run], old: str,
                                                        new: str, where: str, message: str) -> None:
    """Not as "'sitegen.models.Page object' has no attribute 'titel'"."""
    page = real_project / "templates" / "page.html"
    page.write_text(page.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    assert first_problem(run_cli, real_project) == (
        f"templates/{where}:1: template error while rendering about/index.html (later pages that stop here are not"
        f" listed): {message}; check the names used on this line")


ONE_LINE_MISTAKES = [
    # (file, the line as it is, the line as an editor mistyped it, column, message)
    ("data/timeline.yaml", "  date: 2017-01-01", "  date: 2017-13-01", 9,
     '"2017-13-01" is not a date in the calendar (month must be in 1..12); write a date as YYYY-MM-DD, e.g.'
     " 2023-02-02"),
    ("data/timeline.yaml", "  date: 2017-01-01", "  date: 2017-02-29", 9,
     '"2017-02-29" is not a date in the calendar (day is out of range for month); write a date as YYYY-MM-DD,'
     " e.g. 2023-02-02"),
    # YAML reads " #" as a comment: the rest would vanish from the page
    ("data/people.yaml", "  name: Cathy Ashley", "  name: Cathy Ashley #1 in the list", 22,
     '" #" starts a comment, which YAML drops, so this text ends at "Cathy Ashley"; put the whole value in double'
     " quotes to keep what follows, or move the comment to a line of its own"),
    # the next paragraph of the source is a picture's caption: the quote would join the two
    ("data/timeline.yaml", '      quote: "They were the centrepiece of the 2022 final report"',
     '      quote: "a £2.6bn package for the sector as a whole. Care review lead Josh MacAlister"', 14,
     'the quote runs from one paragraph of "cc-2024-10-31-reform-delay" into the next; quote one paragraph at a'
     " time, each with a citation of its own"),
    ("data/timeline.yaml", '      quote: "They were the centrepiece of the 2022 final report"',
     "      quote: “They were the centrepiece of the 2022 final report”", 14,
     'the quote begins and ends with quotation marks that "cc-2024-10-31-reform-delay" does not have there: curly'
     ' marks (“…”) around a value are part of it; put straight double quotes "…" around the quote instead'),
    # every sum is written in { }, where YAML reads the commas of 200,000,000 as parting entries
    ("data/funding.yaml", "    - money: {amount: 200000000, years: 2}", "    - money: {amount: 200,000,000, years: 2}",
     23, "200,000,000 is a number written with commas inside { }, where a comma parts the entries; write it without"
     " them: 200000000"),
    # the parser calls these a line indented wrongly, or a stray colon
    ("data/people.yaml", "  name: Cathy Ashley", '  name: "Cathy "the chief" Ashley"', 16,
     'the " here closes the value, so YAML cannot read the rest of the line; write a quotation inside a quote with'
     " the source's own marks (“…” or ‘…’), or as \\\""),
    ("data/people.yaml", "  name: Cathy Ashley", "  name: 'Cathy's name'", 15,
     "the apostrophe here closes the value, which opened with '; put the value in double quotes (\"…\") instead, or"
     " write the apostrophe twice ('')"),
    ("data/people.yaml", "  name: Cathy Ashley", "  name: [Dr] Cathy Ashley", 12,
     'a value that starts with [ is read as a list, which closes here; put the whole value in double quotes ("…")'),
    ("data/people.yaml", "  name: Cathy Ashley", "  name: “Cathy Ashley: chief”", 9,
     "“ is not one of YAML's quotation marks, so this value is read as plain text; put straight double quotes"
     ' "…" around it (the curly marks inside it stay)'),
    ("data/people.yaml", "  name: Cathy Ashley", "  name:Cathy Ashley", 8,
     'a key needs a space after its colon: write "name: Cathy Ashley…"'),
    # Option-space on a Mac types U+00A0, which looks like a space and is not one to YAML
    ("data/people.yaml", "  name: Cathy Ashley", "\u00a0 name: Cathy Ashley", 1,
     "a no-break space (U+00A0), which YAML does not read as a space, indents this line; replace it with an"
     " ordinary space"),
    ("data/people.yaml", "  name: Cathy Ashley", "  name\u00a0: Cathy Ashley", 7,
     "a no-break space (U+00A0), which YAML does not read as a space, follows this key; replace it with an ordinary"
     " space"),
    ("data/people.yaml", "  name: Cathy Ashley", "  name:\u00a0Cathy Ashley", 8,
     "a no-break space (U+00A0), which YAML does not read as a space, follows this colon; replace it with an"
     " ordinary space"),
    # not as a hundred quotes "outside the article", each where it is cited
    ("data/sources.yaml", "  lines: {first: 1, last: 85}", "  lines: {first: 85, last: 1}", 10,
     "lines: first (85) comes after last (1); give the article's first line as first and its last line as last"),
    ("data/recommendations.yaml", "    ## The review's case", "    ## The review's case, [in full](/no/such/)", 37,
     "/no/such/ is not a page or file of this site, so readers would get the missing-page notice; correct the"
     " address (as the browser shows it, such as /missions/)"),
    # Jinja drops a block no parent has: the About page would be published with nothing in its main
    ("templates/page.html", "{% block main %}", "{% block mian %}", 1,
     'no template this one extends has a block "mian", so what it holds is never shown; did you mean "main"?'
     " blocks there: head, main"),
    ("templates/page.html", '{% extends "base.html" %}', '{% extends "bass.html" %}', 1,
     'the template "bass.html" is not in templates/; did you mean "base.html"? restore it, or correct the name on'
     " this line"),
    # the home page would show its tile twice
    ("content/index.md", "  - funding/stable-homes-200m", "  - funding/care-review-2-6bn", 5,
     "key figure “funding/care-review-2-6bn” is listed twice, so the home page would show it twice; remove one"),
]


@pytest.mark.parametrize(("file", "old", "new", "column", "message"), ONE_LINE_MISTAKES,
                         ids=[f"{file}:{new.strip()[:24]}" for file, _old, new, _column, _message in ONE_LINE_MISTAKES])
def test_a_mistake_on_one_line_is_said_at_its_place(real_project: Path, run_cli: Callable[..., Run], file: str,
                                                   old: str, new: str, column: int, message: str) -> None:
    """Each mistake made as an editor makes it, on one line of a copy of the real project: said first, at
    that line and column, with what is wrong and what would be right."""
    line = replace_line(real_project / file, old, new)

    assert first_problem(run_cli, real_project) == f"{file}:{line}:{column}: {message}"


def ids_in(path: Path) -> list[str]:
    return re.findall(r"^- id: (\S+)$", path.read_text(encoding="utf-8"), re.M)


def test_an_emptied_file_is_said_first_with_its_last_good_count(
        real_project: Path, run_cli: Callable[..., Run]) -> None:
    people = real_project / "data" / "people.yaml"
    held = len(ids_in(people))
    assert run_cli("--project", str(real_project), "build").code == 0  # the last good build
    for emptied in ["", "# people will be added later\n", "[]\n"]:
        people.write_text(emptied, encoding="utf-8")

        result = run_cli("--project", str(real_project), "check")

        assert result.code == 1
        lines = result.err.splitlines()[:-1]
        pointing = [line for line in lines[1:] if 'no item with id "' in line and "data/people.yaml" in line]
        assert lines[0] == (
            f"data/people.yaml:1:1: the file is empty (it held {held} items at the last good build), so the"
            f" {len(pointing)} references to its items listed after this name nothing; put its items back (undo"
            " the edit that emptied it), or remove those references"), emptied
        assert len(pointing) == len(lines) - 1 > 20  # then what points into it, and nothing else
        named = {found.group(1) for line in pointing if (found := re.search(r'"([^"]+)"', line))}
        assert named <= set(ids_in(ROOT / "data" / "people.yaml"))


@pytest.mark.parametrize("record", [None, "{not json", '{"items": {"people": "82"}}', "[]"])
def test_without_a_readable_last_good_build_the_file_is_only_said_to_be_empty(
        real_project: Path, run_cli: Callable[..., Run], record: str | None) -> None:
    if record is not None:
        (cache_folder(real_project) / RECORD).write_text(record, encoding="utf-8")
    (real_project / "data" / "people.yaml").write_text("", encoding="utf-8")

    assert first_problem(run_cli, real_project).startswith(
        "data/people.yaml:1:1: the file is empty, so the ")


def test_the_preview_says_the_file_is_empty_first(real_project: Path) -> None:
    preview = Preview(real_project, real_project / ".preview")
    people = real_project / "data" / "people.yaml"
    held = len(ids_in(people))
    preview.rebuild()
    assert preview.problems == []
    people.write_text("# emptied\n", encoding="utf-8")

    preview.rebuild()

    assert preview.problems[0].message.startswith(f"the file is empty (it held {held} items at the last good build)")
    assert (preview.problems[0].path, preview.problems[0].line) == ("data/people.yaml", 1)
    assert all("no item with id" in problem.message for problem in preview.problems[1:])
    preview.wait()  # the first save's search index, built in the background: it must not outlive the test
