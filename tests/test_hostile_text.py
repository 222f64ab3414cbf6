"""Text a pull request can carry (issue 22): escapes, control characters, forged workflow commands,
numbers too large to be numbers. Each test carries out the attack through the command line."""

from __future__ import annotations

import csv
import io
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, snapshot
from test_cli import edit

TITLE = "  title: Family help"
"""The first title of data/themes.yaml (line 2): the attacks replace it."""


@pytest.mark.parametrize(("written", "column", "message"), [
    (r'"Family\x01help"', 17, "control character U+0001 in the text; delete it (it is invisible in most editors)"),
    (r'"Family\0help"', 17, "control character U+0000 in the text; delete it (it is invisible in most editors)"),
    (r'"\u202Epleh ylimaF"', 11, "bidirectional control U+202E in the text: it reorders the text around it, so a"
                                 " title can read backwards; delete it"),
    ("Family\u2066help", 16, "bidirectional control U+2066 in the text: it reorders the text around it, so a"
                             " title can read backwards; delete it"),
    (r'"Family\x85help"', 17, "control character U+0085 in the text; delete it (it is invisible in most editors)"),
    (r'"Family\uFFFFhelp"', 17, "noncharacter U+FFFF in the text, which no text may hold; delete it"),
    (r'"Family\fhelp"', 17, "control character U+000C in the text; delete it (it is invisible in most editors)"),
])
def test_characters_written_as_yaml_escapes_are_refused_where_written(
        project: Path, built_minimal: Path, run_cli: Callable[..., Run], written: str, column: int,
        message: str) -> None:
    out = project / "site"
    shutil.copytree(built_minimal, out)  # a site a build left
    before = snapshot(out)
    edit(project / "data/themes.yaml", TITLE, f"  title: {written}")
    result = run_cli("--project", str(project), "build", "--out", str(out))
    assert result.code == 1
    assert result.err.splitlines()[0] == f"data/themes.yaml:2:{column}: {message}"
    assert snapshot(out) == before, "nothing reaches the site"


def test_a_nul_never_reaches_the_html_or_the_csv(project: Path, run_cli: Callable[..., Run]) -> None:
    edit(project / "data/recommendations.yaml", "title: Family help services", r'title: "Family help\0services"')
    out = project / "site"
    result = run_cli("--project", str(project), "build", "--out", str(out))
    assert result.code == 1 and "U+0000" in result.err
    assert not out.exists()
    edit(project / "content/about.md", "About the tiny test site.", "About the tiny\0 test site.")
    edit(project / "data/recommendations.yaml", r'"Family help\0services"', "Family help services")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1 and "U+0000" in result.err


def test_a_control_character_in_a_page_body_is_refused_at_its_place(
        project: Path, run_cli: Callable[..., Run]) -> None:
    page = project / "content" / "about.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    page.write_text("\n".join([*lines, "", "An \u202eevil line", "A bare\rreturn"]) + "\n", encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0].startswith(f"content/about.md:{len(lines) + 2}:4: bidirectional control U+202E")


def test_an_ansi_escape_in_a_key_cannot_reach_the_terminal(project: Path, run_cli: Callable[..., Run]) -> None:
    """A key that would clear the screen and print in red: refused, and shown only as an escape."""
    edit(project / "data/themes.yaml", TITLE, '  "\\e[2J\\e[31mtitle": Family help')
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "data/themes.yaml:2:4: control character U+001B in the text; delete it (it is invisible in most editors)")
    assert "\x1b" not in result.err


def test_an_escape_in_a_file_name_is_printed_as_an_escape(project: Path, run_cli: Callable[..., Run]) -> None:
    (project / "content" / "evil\x1b]0;owned\x07.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0].startswith(r"content/evil\x1b]0;owned\x07.md:1:1: ")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", result.err)


def test_a_file_name_with_a_newline_cannot_forge_a_workflow_command(
        project: Path, run_cli: Callable[..., Run]) -> None:
    """On GitHub every line of the log that starts with :: is a command: a file name must not start one."""
    name = "x\n::notice title=forged::all good\n::stop-commands::token\n.md"
    (project / "content" / name).write_text("---\ntitle: x\n---\n", encoding="utf-8")
    result = run_cli("--project", str(project), "--format", "github", "check")
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0] == ("::error file=content/x%0A%3A%3Anotice title=forged%3A%3Aall good%0A%3A%3Astop-commands"
                        '%3A%3Atoken%0A.md,line=1,col=1::"x ::notice title=forged::all good ::stop-commands::token "'
                        " cannot name a page, whose file name is its address: use lower-case letters, digits and"
                        " single hyphens, such as content/x-notice-title-forged-all-good-stop-commands-token.md")
    assert len(lines) == 2 and lines[1] == "1 problem(s) found; nothing was written."
    text = run_cli("--project", str(project), "check")
    assert text.err.splitlines()[0].startswith(r"content/x\x0a::notice title=forged::all good\x0a::stop-commands")


def test_a_command_of_the_older_form_is_not_printed_in_the_text_format(
        project: Path, run_cli: Callable[..., Run]) -> None:
    """GitHub's runner also obeys "##[command]" anywhere in a line that does not start with "::": a key
    such as ##[add-mask] would be one in the text format's lines, were it printed as written."""
    edit(project / "data" / "themes.yaml", "  title: Family help", '  title: Family help\n  "##[add-mask]x": 1')
    result = run_cli("--project", str(project), "check")
    assert result.code == 1 and "##[" not in result.err
    assert 'unknown key "#\\x23[add-mask]x"' in result.err


def test_the_feed_stays_valid_xml_with_every_character_allowed(project: Path, run_cli: Callable[..., Run]) -> None:
    """What the check lets through is valid XML 1.0: tabs, markup characters, emoji, zero-width (warned)."""
    timeline = project / "data" / "timeline.yaml"
    title = next(line for line in timeline.read_text(encoding="utf-8").splitlines() if line.startswith("  title:"))
    edit(timeline, title, r'  title: "Tab\there <b>&amp; ]]> \U0001F600 zero\u200bwidth"')
    out = project / "site"
    result = run_cli("--project", str(project), "build", "--out", str(out))
    assert result.code == 0, result.err
    assert "warning: invisible zero-width character U+200B" in result.err
    titles = [entry.findtext("{http://www.w3.org/2005/Atom}title")
              for entry in ET.parse(out / "feed.xml").getroot().iter("{http://www.w3.org/2005/Atom}entry")]
    assert "Tab\there <b>&amp; ]]> \U0001F600 zero\u200bwidth" in titles
    edit(timeline, r'zero\u200bwidth"', r'form\ffeed"')
    before = snapshot(out)
    assert run_cli("--project", str(project), "build", "--out", str(out)).code == 1
    assert snapshot(out) == before
    ET.parse(out / "feed.xml")


def test_zero_width_characters_are_warned_about_at_their_place(project: Path, run_cli: Callable[..., Run]) -> None:
    edit(project / "data/themes.yaml", TITLE, "  title: Family\u200bhelp")
    page = project / "content" / "about.md"
    edit(page, "title: About", "title: About\u2060us")
    lines = page.read_text(encoding="utf-8").splitlines()
    page.write_text("\n".join([*lines, "", "A word\ufeffjoined"]) + "\n", encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 0, result.err
    warned = [line.split(": warning: ")[0] for line in result.err.splitlines() if "zero-width" in line]
    assert warned == ["data/themes.yaml:2:10", "content/about.md:2:8", f"content/about.md:{len(lines) + 2}:7"]


FIRST_AMOUNT = "money: {amount: 2600000000, years: 5}"
"""data/funding.yaml line 6: its first reported value."""


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    ("data/funding.yaml", FIRST_AMOUNT, "money: {amount: .inf, years: 5}",
     'data/funding.yaml:6:23: values[0].money.amount: "inf" is not a number this site can show (infinite, or too'
     " many digits); write a plain number, for example 200000000 for £200m"),
    ("data/funding.yaml", FIRST_AMOUNT, "money: {amount: 1e308, years: 5}",
     "data/funding.yaml:6:23: values[0].money.amount: 1e308 is more than 1,000,000,000,000, the largest value"
     " allowed here; check it"),
    ("data/funding.yaml", FIRST_AMOUNT, f"money: {{amount: 2600000000, years: {'9' * 5000}}}",
     "data/funding.yaml:6:42: a number written with 5,000 characters; no number in this site's data needs more"
     " than 20, check it"),
    ("data/funding.yaml", FIRST_AMOUNT, f"money: {{amount: \"{'9' * 5000}\", years: 5}}",
     f'data/funding.yaml:6:23: values[0].money.amount: "{"9" * 40}…" is not a number this site can show (infinite,'
     " or too many digits); write a plain number, for example 200000000 for £200m"),
    ("data/glossary.yaml", "  term: family help\n", f"  term: family help\n  aliases: [{'a' * 1200}]\n",
     "data/glossary.yaml:3:13: aliases[0]: the text is too long; shorten it to at most 100 characters"),
], ids=["infinite-amount", "1e308-amount", "5000-digit-count", "5000-digit-quoted-amount", "1200-character-alias"])
def test_numbers_and_words_too_large_get_a_located_error(
        project: Path, run_cli: Callable[..., Run], file: str, old: str, new: str, expected: str) -> None:
    edit(project / file, old, new)
    result = run_cli("--project", str(project), "check")
    assert (result.code, result.err.splitlines()[0]) == (1, expected)
    assert "internal error" not in result.err and "Traceback" not in result.err


def test_formulas_in_csv_downloads_are_neutralised(project: Path, run_cli: Callable[..., Run]) -> None:
    """Cells a spreadsheet would run as formulas get a leading single quote (OWASP), in every CSV."""
    formulas = {"data/recommendations.yaml": ("title: Family help services", '=hyperlink("https://x.example/",1)'),
                "data/themes.yaml": ("description: Support for families before problems grow.", "+1+cmd|' /c calc'!a0"),
                "data/glossary.yaml": ("term: family help", "-2+3"),
                "data/timeline.yaml": ("title: Government publishes its response", "@sum(1+1)")}
    for file, (old, formula) in formulas.items():
        key = old.split(":")[0]
        edit(project / file, old, f"{key}: '{formula.replace(chr(39), chr(39) * 2)}'")  # YAML's single quotes
    (project / "data" / "changes.yaml").write_text("- date: 2023-03-01\n  summary: \"=1+1\"\n", encoding="utf-8")
    out = project / "site"
    result = run_cli("--project", str(project), "build", "--out", str(out))
    assert result.code == 0, result.err
    cells = [cell for path in sorted((out / "data").glob("*.csv"))
             for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))) for cell in row]
    assert [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))] == []
    for formula in [*(formula for _, formula in formulas.values()), "=1+1"]:
        assert f"'{formula}" in cells, formula


@pytest.fixture
def link_reading(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The characters Python-Markdown's link and image parsers read, call by call, with new converters."""
    from markdown.inlinepatterns import LinkInlineProcessor

    from sitegen import markup

    read: list[int] = []

    def counting(real: Any) -> Any:
        def counted(self: LinkInlineProcessor, data: str, index: int) -> Any:
            found = real(self, data, index)
            read.append(found[-2] - index)  # both return (…, the index read up to, whether it is a link)
            return found
        return counted

    for method in ("getText", "getLink"):
        monkeypatch.setattr(LinkInlineProcessor, method, counting(getattr(LinkInlineProcessor, method)))
    monkeypatch.setattr(markup, "_converters", {})
    return read


@pytest.mark.parametrize("text", ["![" * 16_000, "[" * 16_000, "[a](" * 4_000, "Intro [" + "word " * 6_000],
                         ids=["32KB-of-image-starts", "16KB-of-brackets", "16KB-of-link-starts", "one-long-paragraph"])
def test_runs_of_unclosed_brackets_are_refused_after_bounded_reading(link_reading: list[int], text: str) -> None:
    """Python-Markdown reads from each [ to the paragraph's end: 32 KB of "![" took 52 s. The reading is
    counted, and the text refused once it passes LINK_READING (plus the one call that passed it)."""
    from sitegen.markdown_limits import LINK_READING
    from sitegen.markup import render_markdown

    html, issues = render_markdown(text, "/")
    if text.startswith("Intro"):  # one unclosed bracket in a long paragraph is read once, and is fine
        assert issues == [] and sum(link_reading) <= 3 * len(text)  # by three parsers: links, references
        return
    assert html == "" and [issue.message.split(";")[0] for issue in issues] == [
        "from here on, the text has so many [ or ( that are never closed that converting it would take too long"]
    assert (issues[0].line, issues[0].column) == (1, text.index("[(" [text.startswith("[a](")]) + 1)
    assert sum(link_reading) <= LINK_READING + len(text)


def test_real_links_convert_within_the_reading_allowed(link_reading: list[int]) -> None:
    from sitegen.markdown_limits import LINK_READING
    from sitegen.markup import render_markdown

    text = "\n".join(f"See [source {n}](https://example.org/{n}) and [the list](/sources/)." for n in range(400))
    html, issues = render_markdown(text, "/")
    assert issues == [] and html.count("<a href=") == 800
    assert sum(link_reading) < LINK_READING / 4


def test_deep_nesting_and_huge_texts_are_refused_and_the_converter_stays_sound() -> None:
    from sitegen.markdown_limits import MAX_MARKDOWN_CHARACTERS
    from sitegen.markup import render_markdown

    normal = "## Heading\n\n- one\n- two\n\nA [link](/x/) and *emphasis*.\n"
    expected = render_markdown(normal, "/")
    for text in ("1. " * 3_000, "  - " * 2_000, "1. " * 400 + "Ab cd ef. " * 9_000, "1234567890. " * 400 + "Ab.",
                 "1. > " * 199 + "Ab cd ef. " * 9_000):  # a list or quotation inside another: Python-Markdown
        # read the rest of the line again for each (1.5 s for the third), or hit its RecursionError
        assert [(issue.line, issue.column, issue.message) for issue in render_markdown(text, "/")[1]] == [
            (1, 1, "this line opens more than six lists or quotations, one inside the other (marks such as 1., - or"
                   " > before its words); write the mark once")]
        assert render_markdown(normal, "/") == expected, "a conversion stopped half way leaves nothing behind"
    assert render_markdown("1. " * 3 + "> " * 3 + "Six.\n\n- - -\n\n* * * * * *\n\n> Quoted.\n", "/")[1] == []
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # the converter's recursion, which the limits above keep far from Python's own
    try:
        issues = render_markdown("\n".join("    " * depth + "- A list." for depth in range(60)), "/")[1]
    finally:
        sys.setrecursionlimit(limit)
    assert [issue.message for issue in issues] == [
        "lists or quotes are nested inside each other too deeply to convert; nest them fewer levels deep"]
    assert render_markdown(normal, "/") == expected, "a conversion stopped half way leaves nothing behind"
    long = "word " * (MAX_MARKDOWN_CHARACTERS // 5) + "x"
    assert [issue.message for issue in render_markdown(long, "/")[1]] == [
        "the text is 100,001 characters long, over the limit of 100,000; split it or shorten it"]


@pytest.mark.parametrize("marks", ["*_", "*a", "\\", "> a ", "`", "*" * 249 + "\n"])
def test_a_text_of_too_many_emphasis_or_escape_marks_is_refused_at_the_first_past_the_limit(marks: str) -> None:
    """Python-Markdown took 4 to 8 s over 99,000 characters of such marks (a pull request's page), which no
    count of link reading saw; the real texts hold 44 at most."""
    import time

    from sitegen.markdown_limits import MAX_MARKDOWN_MARKS
    from sitegen.markup import render_markdown

    text = "Words.\n\n" + marks * 49_000
    started = time.perf_counter()
    html, issues = render_markdown(text[:90_000], "/")
    assert time.perf_counter() - started < 0.5 and html == ""
    count = sum(text[:90_000].count(mark) for mark in "*_`\\>")
    assert [issue.message for issue in issues] == [
        f"the text holds {count:,} of the marks * _ ` \\ >, over the limit of 200; this is the first past it:"
        " write fewer"]
    at = [n for n, character in enumerate(text) if character in "*_`\\>"][MAX_MARKDOWN_MARKS]
    assert (issues[0].line, issues[0].column) == (text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at))
    assert render_markdown(text[:at], "/")[1] == [], "a text of as many marks as the limit is converted"


def test_a_build_converts_at_most_markdown_reading_units_of_work(
        project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages each within the limits of one text add up: past MARKDOWN_READING units (lowered here),
    a text is refused, and the refusal is not kept as its conversion: the next build converts it."""
    from sitegen import render

    monkeypatch.setattr(render, "MARKDOWN_READING", 200)
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert "not converted: this build's Markdown passed 200 units of work; no site needs so much" in result.err
    monkeypatch.setattr(render, "MARKDOWN_READING", 100_000_000)
    assert run_cli("--project", str(project), "check").code == 0


def test_markdown_cost_charges_the_characters_that_are_slow_to_convert() -> None:
    """Entities, links, tables, rules and nested quotations take Python-Markdown up to a hundred times
    a plain character's time: each is charged so against the build's allowance, and plain words are not."""
    from sitegen.markdown_limits import markdown_cost

    plain = "Plain words in a sentence. " * 400
    assert len(plain) <= markdown_cost(plain) <= 1.1 * len(plain)
    slow = {"entities": "&lt;" * 2_500, "links": "[a](/x)" * 1_500, "table": "|a|b|\n" * 400,
            "rules": "- - -\n" * 400, "quotations": ">" * 199 + " " + "&amp;" * 1_000}
    for name, text in slow.items():
        assert markdown_cost(text) >= 25 * len(text), name


def test_a_page_of_pathological_markdown_gets_a_located_error(project: Path, run_cli: Callable[..., Run]) -> None:
    page = project / "content" / "about.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    page.write_text("\n".join([*lines, "", "Text " + "![" * 16_000]) + "\n", encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0].startswith(f"content/about.md:{len(lines) + 2}:7: from here on, the text has")
    assert "Traceback" not in result.err


@pytest.mark.parametrize(("check", "text", "found"), [
    ("figures", "x" + "1" * 40_000, []),
    ("figures", "x" + "1" * 40_000 + "%", ["1" * 40_000 + "%"]),
    ("figures", "x" + "1," * 20_000, ["1," * 19_998 + "1"]),
    ("acronyms", "A" * 20_000 + "a", []),
    ("acronyms", "A1" * 10_000 + "a", []),
    ("link targets", "](" * 75_000, []),
], ids=["digits", "digits-percent", "digits-commas", "capitals", "capitals-digits", "link-starts"])
def test_the_content_checks_read_long_runs_in_bounded_time(check: str, text: str, found: list[str]) -> None:
    """Each took 20 s or more (the figure check's 40,000 digits, 25 s): the expressions no longer
    backtrack, so each finishes in a fraction of a second. 5 s leaves room for a busy machine."""
    import time

    from sitegen.claims import FIGURE
    from sitegen.readability import MARKDOWN_NOT_PROSE, unknown_acronyms

    started = time.perf_counter()
    if check == "figures":
        result = FIGURE.findall(text)
    elif check == "acronyms":
        result = [match.group() for match in unknown_acronyms(text, frozenset())]
    else:
        result = [match.group() for match in MARKDOWN_NOT_PROSE.finditer(text)]
    assert time.perf_counter() - started < 5
    assert result == found


def test_the_closest_passage_hint_reads_the_source_a_bounded_number_of_times(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its cost no longer grows with the source times the quote compared character by character: the
    source is searched with str.find (counted here), and only stretches near the anchor are compared."""
    import difflib

    from sitegen import quotes

    compared: list[int] = []

    class Counted(difflib.SequenceMatcher):  # type: ignore[type-arg]
        def __init__(self, isjunk: Any, a: str, b: str, autojunk: bool = True) -> None:
            compared.append(len(a) + len(b))
            super().__init__(isjunk, a, b, autojunk)

    class Source(str):
        finds = 0

        def find(self, *args: Any) -> int:
            Source.finds += 1
            return super().find(*args)

    monkeypatch.setattr(quotes.difflib, "SequenceMatcher", Counted)
    article = "The government has laid out a £200m package of measures to fix children's social care. "
    text = Source(quotes.normalise("Filler words about other things entirely. " * 2_500 + article * 2))
    quote = "a £200n package of measures"
    assert quotes.closest_passage(quote, text) == "a £200m package of measures"
    assert len(compared) <= 9 and max(compared) < 4 * len(quote)
    assert Source.finds <= len(quote) * 6



def test_many_wrong_quotes_of_a_huge_source_are_said_without_hints_once_the_reading_is_spent(
        project: Path, run_cli: Callable[..., Run]) -> None:
    """Each hint searches the source for the quote's longest stretch: a pull request's wrong quotes of
    an 8 MB source would take seconds each. The hints share one allowance of characters read
    (quotes.HINT_READING), so past it a quote not found is said without its closest passage."""
    from sitegen.quotes import HINT_READING, Reading

    words = " ".join(f"word{number}" for number in range(300_000))  # about 3 MB, no quote in it
    (project / "sources" / "huge.txt").write_text(words, encoding="utf-8")
    sources = project / "data" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + "\n- id: huge-source\n  title: A huge source\n"
                       "  outlet: Test News\n  date: 2023-02-02\n  archive: huge.txt\n", encoding="utf-8")
    wrong = " ".join(["not in the source at all"] * 12)
    glossary = project / "data" / "glossary.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8") + "".join(
        f"\n- id: term-{number}\n  term: Term {number}\n  definition: A term.\n  citations:\n"
        f"    - source: huge-source\n      quote: {wrong} {number}\n" for number in range(20)), encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.count('quote not found in source "huge-source"; copy the words exactly') == 20, result.err
    assert "closest passage" not in result.err

    reading = Reading()
    assert reading.closest("a £200n package of measures", "the words a £200m package of measures here") == \
        "a £200m package of measures"  # a real article's wrong quote still gets its hint
    assert 0 < HINT_READING - reading.hints_left < 10_000



def test_the_quote_check_stops_once_its_reading_is_spent(
        project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    """Each quote is searched for in its source's text: hundreds of thousands of quotes of a large
    source would take an hour. The whole check may read quotes.QUOTE_READING characters; past it, it
    stops with one problem, at the quote where the reading ran out, rather than pass what it did not
    check."""
    from sitegen import quotes

    size = len((project / "sources" / "article.txt").read_text(encoding="utf-8"))
    assert run_cli("--project", str(project), "check").code == 0
    monkeypatch.setattr(quotes, "QUOTE_READING", size)  # enough for the first quote only
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.count("the quote check stopped here: the quotes ask for more than") == 1, result.err
    assert "problem(s) found" in result.err

def test_an_archive_named_again_and_archived_text_past_the_limit_are_refused(
        project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    """Each copy of an article is read and kept for the quote check: one file named many times over
    would take its size as many times. A copy that repeats one is refused, and all the archived text
    one build reads is limited (resolve.ARCHIVED_TEXT_LIMIT)."""
    from sitegen import resolve

    sources = project / "data" / "sources.yaml"
    good = sources.read_text(encoding="utf-8")
    sources.write_text(good + "  copies:\n" + "    - archive: article.txt\n" * 3, encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    line = good.count("\n") + 2
    assert (f'data/sources.yaml:{line}:16: "sources/article.txt" is named twice for this article, with the same'
            " lines; a copy is another archive of the article: remove the repeat") in result.err, result.err
    assert result.err.count("is named twice") == 3

    sources.write_text(good, encoding="utf-8")
    size = len((project / "sources" / "article.txt").read_text(encoding="utf-8"))
    monkeypatch.setattr(resolve, "ARCHIVED_TEXT_LIMIT", size // 2)
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert 'archived text "sources/article.txt": the file takes the archived text read for all the sources past' \
        in result.err, result.err


def test_yaml_tags_whose_values_no_check_reads_are_refused(project: Path, run_cli: Callable[..., Run]) -> None:
    """!!binary decodes to text no character check has seen, and the strings of a !!set or !!omap are
    built by YAML whole: each is refused at its place, so a right-to-left override or an ANSI escape
    cannot reach the pages or the CSV that way."""
    themes = project / "data" / "themes.yaml"
    edit(themes, TITLE, "  title: !!binary RmFtaWx5IOKArmhlbHAbWzMxbQ==")  # "Family \u202ehelp\x1b[31m"
    good = themes.read_text(encoding="utf-8")
    themes.write_text(good + "\n- id: other\n  title: !!set {Other: null}\n  description: x\n", encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert "data/themes.yaml:2:10: the tag !!binary is not used in this site's data; write the value as plain" \
        " text or a list" in result.err, result.err
    assert "the tag !!set is not used" in result.err
    assert "\u202e" not in result.err and "\x1b" not in result.err


def test_a_data_file_may_name_only_its_own_schema_for_the_editor(project: Path, run_cli: Callable[..., Run]) -> None:
    """The editor's YAML extension fetches the schema a data file names: a pull request must not make
    opening the file call a web address."""
    themes = project / "data" / "themes.yaml"
    themes.write_text("# yaml-language-server: $schema=https://attacker.example/who.json\n"
                      + themes.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.startswith("data/themes.yaml:1:3: a data file names only its own schema, on its first line:"
                                 " # yaml-language-server: $schema=../schemas/themes.schema.json;"), result.err
    edit(themes, "https://attacker.example/who.json", "../schemas/themes.schema.json")
    assert run_cli("--project", str(project), "check").code == 0


def test_no_other_yaml_or_json_file_in_the_unreviewed_folders_may_name_a_schema(
        project: Path, run_cli: Callable[..., Run]) -> None:
    """A reviewer does not read data/, content/ or sources/ as code, and an editor opening any YAML or
    JSON file there would fetch the schema it names: a dotfile, a file in a subfolder, a .json."""
    line = "# yaml-language-server: $schema=https://tracker.example/s.json\n"
    planted = {"data/.themes.yaml": line, "data/old/themes.yaml": line, "content/drafts/notes.yaml": "a: 1\n" + line,
               "sources/notes.yml": line, "data/themes.json": '{"$schema": "https://tracker.example/j.json"}'}
    for rel, text in planted.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text, encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    said = [problem for problem in result.err.splitlines() if "may name no schema" in problem]
    assert sorted(problem.split(": ")[0] for problem in said) == sorted([
        "content/drafts/notes.yaml:2:3", "data/.themes.yaml:1:3", "data/old/themes.yaml:1:3", "data/themes.json:1:3",
        "sources/notes.yml:1:3"])

def test_an_off_site_image_is_refused_where_written(project: Path, run_cli: Callable[..., Run]) -> None:
    """It would load from another site in a reader's browser, and in an editor's preview of the pull request."""
    page = project / "content" / "about.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    page.write_text("\n".join([*lines, "", "Look: ![a pixel](https://evil.example/p.png?who=editor)"]) + "\n",
                    encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        f"content/about.md:{len(lines) + 2}:18: image 'https://evil.example/p.png?who=editor' is on another site; the"
        " site shows only its own images (a reader's browser, or an editor's preview, would fetch it from there):"
        " copy it into templates/static/ and write /static/its-name")


@pytest.mark.parametrize("text", [" " * 90_000 + "\n", "](" * 45_000 + ")", "| a |\n" + " " * 90_000 + "-\n",
                                  "x|" * 40_000 + "\n|---|\n" + "|a|b|" * 10_000, "#" * 90_000, "](/" * 30_000],
                         ids=["spaces", "link-starts", "divider-spaces", "pipes", "hashes", "site-links"])
def test_the_markdown_slips_and_site_links_read_long_runs_in_bounded_time(text: str) -> None:
    """A table's divider, an open link and a heading were found by patterns that backtracked (22 s and
    14 s on such lines): now by reading each line once."""
    import time

    from sitegen.markup import site_links
    from sitegen.page_checks import markdown_slips

    started = time.perf_counter()
    markdown_slips(text)
    site_links(text)
    assert time.perf_counter() - started < 5


def test_a_page_of_sums_is_read_for_their_words_in_bounded_time() -> None:
    """Reading a sum's words looks back along its line: a line of thousands of sums took 37 s."""
    import time

    from sitegen import models as m
    from sitegen.content_checks import check_page_figures
    from sitegen.errors import Collector
    from sitegen.resolve import PageSource

    for body in ("£1 " * 30_000, ("£1 " * 650 + "\n") * 45):
        page = PageSource("x", "content/x.md", m.Page(title="X", description="Y."), body, 5)
        started = time.perf_counter()
        check_page_figures(page, {"£1"}, lambda: [], Collector())
        assert time.perf_counter() - started < 5


@pytest.mark.parametrize("symbol", ["&", "<", "“", "\\", "-", "%", "@"])
def test_words_are_counted_in_bounded_time_however_long_a_run_of_punctuation(symbol: str) -> None:
    """The reading age counted words with \\S*\\w\\S*, which tried a run of punctuation from every
    character: 99,000 of them took about 100 s (a pull request's page or item body)."""
    import random
    import re
    import time

    from sitegen.readability import count, words_in

    started = time.perf_counter()
    assert words_in(symbol * 99_000) == 0 and words_in(symbol * 99_000 + "a") == 1
    count(symbol * 99_000 + " A word.")
    assert time.perf_counter() - started < 5
    old = re.compile(r"\S*\w\S*")  # the same words as before, on texts of every kind of space
    pieces = ["a", "1", "&", "“", " ", "\u00a0", "\u2028", "\t", "\n", ".", "é", "_"]
    for _ in range(2_000):
        text = "".join(random.choices(pieces, k=random.randint(0, 30)))
        assert words_in(text) == len(old.findall(text)), repr(text)


def test_an_item_of_too_many_values_is_refused_before_they_are_built(
        project: Path, run_cli: Callable[..., Run]) -> None:
    """YAML builds a document's every value before any check: one item of 16 MB of "a," took 94 s and
    4.9 GB. Its values are now counted from the parser's events first, and the item is refused there."""
    import time

    from sitegen.load import ITEM_VALUES

    path = project / "data" / "themes.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  aliases: [" + "a," * (ITEM_VALUES + 5) + "a]\n",
                    encoding="utf-8")
    started = time.perf_counter()
    result = run_cli("--project", str(project), "check")
    assert time.perf_counter() - started < 10
    assert result.code == 1
    line = result.err.splitlines()[0]
    assert line.startswith("data/themes.yaml:4:") and line.endswith(
        "this item holds more than 100,000 values by here; no data needs so many: split it, or remove what the"
        " site does not show")


def test_a_file_or_a_page_of_too_many_values_is_refused(
        project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    """Items each within their limit add up: a file is refused once they pass FILE_VALUES (lowered here),
    as is a document that is not read item by item, such as a page's front matter."""
    from sitegen import load

    monkeypatch.setattr(load, "FILE_VALUES", 2_000)
    path = project / "data" / "themes.yaml"
    items = "".join(f"- id: theme-{n}\n  title: Theme {n}\n  description: A theme.\n  aliases: [{'a, ' * 500}a]\n"
                    for n in range(5))
    path.write_text(items, encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0] == ("data/themes.yaml:13:1: the file, by this item, holds more than 2,000"
                                          " values by here; no data needs so many: split it, or remove what the"
                                          " site does not show")
    page = project / "content" / "about.md"
    page.write_text("---\ntitle: [" + "a, " * 30_000 + "a]\n---\nText.\n", encoding="utf-8")
    path.write_text(items.split("- id: theme-1")[0], encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0].startswith("content/about.md:2:6000: ")  # the value past the limit
    assert "the text holds more than 2,000 values by here" in result.err.splitlines()[0]


def test_the_files_of_one_build_together_hold_at_most_build_values(
        project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    """Files each within FILE_VALUES add up: twelve of a million values each took minutes and gigabytes.
    Once the files read hold more than BUILD_VALUES (lowered here), the next is named and none after it is
    read, pages' front matter included."""
    from sitegen import load

    monkeypatch.setattr(load, "BUILD_VALUES", 300)
    (project / "data" / "themes.yaml").write_text("[" + "a, " * 400 + "a]\n", encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    refused = [line for line in result.err.splitlines() if "not read" in line]
    assert refused == ["data/missions.yaml:1:1: not read, nor any file after it: the files read before it hold"
                       " more than 300 values between them; no site needs so many: look for a file that holds far"
                       " more than it shows"]  # missions.yaml is read after themes.yaml
    assert not any(line.startswith(("content/", "data/recommendations.yaml")) for line in result.err.splitlines())
    monkeypatch.setattr(load, "BUILD_VALUES", 100_000)
    assert "not read" not in run_cli("--project", str(project), "check").err


def test_a_file_of_many_mistakes_lists_the_first_hundred(
        project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    """A file of a million wrong items printed a million lines, sorted for minutes: now each file's first
    PROBLEMS_PER_FILE are listed, then one line says there are more, and checking that file stops there."""
    from sitegen import build, validate
    from sitegen.errors import PROBLEMS_PER_FILE

    validated: list[str] = []
    real = validate.validate_one

    def counted(doc: Any, *rest: Any) -> Any:
        validated.append(doc.path)
        return real(doc, *rest)

    monkeypatch.setattr(validate, "validate_one", counted)
    monkeypatch.setattr(build, "validate_one", counted)
    checked: list[object] = []
    path = project / "data" / "themes.yaml"
    for text in ("[" + "a, " * 5_000 + "a]\n", "- a\n" * 5_000):  # read whole, and item by item
        path.write_text(text, encoding="utf-8")
        validated.clear()
        result = run_cli("--project", str(project), "check")
        assert result.code == 1
        assert validated.count("data/themes.yaml") == PROBLEMS_PER_FILE + 1
        lines = [line for line in result.err.splitlines() if line.startswith("data/themes.yaml:")]
        assert len(lines) == PROBLEMS_PER_FILE + 1
        assert all("expected a mapping of keys and values, found 'a'" in line for line in lines[:-1])
        assert lines[-1].endswith("this file has more problems than the 100 listed; fix those, then build again"
                                  " to see the rest")
        checked.append(lines[0])
    assert checked == ["data/themes.yaml:1:2: item: expected a mapping of keys and values, found 'a'; write it as"
                       " key: value lines", "data/themes.yaml:1:3: item: expected a mapping of keys and values,"
                       " found 'a'; write it as key: value lines"]


def test_thousands_of_unknown_ids_are_said_quickly(
        project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    """Each unknown id was compared with every existing id for a "did you mean": 2,000 themes and 2,000
    near misses took 113 s. Now a file's references stop being checked once its problems are more than
    are listed, and the hints share an allowance (lowered here, to fifty hints' worth), counted as the
    characters compared, past which an unknown id is said without one."""
    import time

    from sitegen import quotes

    choices = sum(len(f"theme-number-{n}") for n in range(2_000)) + len("family-help")
    monkeypatch.setattr(quotes, "SUGGESTION_READING", sum(len(f"theme-numbr-{n}") for n in range(50)) * choices)
    (project / "data" / "themes.yaml").write_text("".join(
        f"- id: theme-number-{n}\n  title: Theme {n}\n  description: A theme.\n" for n in range(2_000))
        + "- id: family-help\n  title: Family help\n  description: Support for families.\n", encoding="utf-8")
    edit(project / "data" / "recommendations.yaml", "  themes: [family-help]",
         "  themes: [family-help, " + ", ".join(f"theme-numbr-{n}" for n in range(2_000)) + "]")
    started = time.perf_counter()
    result = run_cli("--project", str(project), "check")
    assert time.perf_counter() - started < 10
    lines = [line for line in result.err.splitlines() if line.startswith("data/recommendations.yaml:")]
    assert len(lines) == 101 and lines[-1].endswith("this file has more problems than the 100 listed; fix those,"
                                                    " then build again to see the rest")
    hinted = [line for line in lines if "did you mean" in line]
    assert len(hinted) == 50 and 'no item with id "theme-numbr-0" in data/themes.yaml; did you mean' \
        ' "theme-number-0"? use the id of an existing item or add the item' in lines[0]
    assert lines[99].endswith('no item with id "theme-numbr-99" in data/themes.yaml; use the id of an existing item'
                              " or add the item")


def test_unknown_long_ids_are_said_without_minutes_of_hints(project: Path, run_cli: Callable[..., Run]) -> None:
    """The hints' allowance counted ids compared, whatever their length: 1,000 themes of 80-character ids
    and 100 wrong ones of the same length took 81 s, each comparison 45 times a short id's."""
    import random
    import time

    chosen = random.Random(7)
    ids = ["".join(chosen.choice("ab") for _ in range(80)) for _ in range(1_100)]
    (project / "data" / "themes.yaml").write_text("".join(
        f"- id: {theme}\n  title: Theme\n  description: A theme.\n" for theme in ids[:1_000])
        + "- id: family-help\n  title: Family help\n  description: Support for families.\n", encoding="utf-8")
    edit(project / "data" / "recommendations.yaml", "  themes: [family-help]",
         "  themes: [family-help, " + ", ".join(ids[1_000:]) + "]")
    started = time.perf_counter()
    result = run_cli("--project", str(project), "check")
    assert time.perf_counter() - started < 20
    assert result.err.count("no item with id") == 100


HUGE = 300_000
"""Characters of a value a pull request writes where a short one belongs."""


@pytest.mark.parametrize(("file", "old", "new", "said"), [
    ("recommendations.yaml", "    status: to-be-tested", "    status: " + "x" * HUGE, " is not an allowed value;"),
    ("themes.yaml", "  title: Family help", "  ? " + "k" * HUGE + "\n  : a", "unknown key "),
    ("themes.yaml", "  title: Family help",
     "  ? " + "k" * HUGE + "\n  : a\n  ? " + "k" * HUGE + "\n  : b",
     "duplicate key "),
    ("sources.yaml", "  date: 2023-02-02", "  date: a" + "9" * HUGE, " is not a date"),
    ("sources.yaml", "  date: 2023-02-02", "  date: 2021-02-3" + "0" * HUGE, "a date"),
    ("themes.yaml", "  title: Family help", "  " + "t" * HUGE + ":Family help", "a space after its colon"),
])
def test_a_huge_value_is_quoted_short_in_every_message(
        project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch,
        file: str, old: str, new: str, said: str) -> None:
    """Each message that quotes what was written (an unknown status, key or date) quotes at most 40
    characters of it, and no such value is compared with the right words for a "did you mean": a key of
    50 MB gave 50 MB of message, and difflib took 2 GB to index its characters."""
    import difflib
    import time

    compared: list[int] = []
    real = difflib.get_close_matches
    monkeypatch.setattr(difflib, "get_close_matches", lambda word, *rest, **kw: compared.append(len(word))
                        or real(word, *rest, **kw))
    edit(project / "data" / file, old, new)
    started = time.perf_counter()
    result = run_cli("--project", str(project), "check")
    assert time.perf_counter() - started < 10
    assert result.code == 1 and said in result.err
    assert max(len(line) for line in result.err.splitlines()) < 1_000, result.err[:2_000]
    assert max(compared, default=0) <= 100


def test_a_long_value_of_the_wrong_kind_is_quoted_short(project: Path, run_cli: Callable[..., Run]) -> None:
    """'expected a mapping …, found [...]' quoted the whole value: 2.5 MB of message for a 1 MB list."""
    path = project / "data" / "themes.yaml"
    path.write_text("- [" + "a, " * 20_000 + "a]\n", encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1 and len(result.err) < 1_000
    assert "found ['a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',…; write it as key: value lines" in result.err


def test_data_of_more_than_max_items_is_refused_at_the_first_item_past_it(
        project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    """Each item is a page or more to check and render: hundreds of thousands of small items, each within
    every other limit, would take a check many minutes. Past MAX_ITEMS (lowered here), the first item
    past it is named at its line, before any is checked."""
    import yaml

    from sitegen import build
    from sitegen import models as m

    items = [(kind, n, item) for kind in m.DATA_FILES if (project / "data" / f"{kind}.yaml").is_file()
             for n, item in enumerate(yaml.safe_load((project / "data" / f"{kind}.yaml").read_text()) or [])]
    assert run_cli("--project", str(project), "check").code == 0
    monkeypatch.setattr(build, "MAX_ITEMS", len(items) - 1)
    result = run_cli("--project", str(project), "check")
    kind, n, item = items[-1]
    lines = (project / "data" / f"{kind}.yaml").read_text().splitlines()
    line = [number for number, text in enumerate(lines, 1) if text.startswith("- ")][n]
    assert result.code == 1 and result.err.splitlines()[0] == (
        f"data/{kind}.yaml:{line}:3: the data files hold {len(items):,} items, over the limit of"
        f" {len(items) - 1:,}, and this item passes it; no real site needs so many")


def test_a_page_over_max_page_bytes_is_refused_and_names_its_template(
        project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    """A page that shows thousands of items, or their text many times over, is refused at its template
    with its size, in check and build alike; the pages within the limit are not reported."""
    from sitegen import render

    monkeypatch.setattr(render, "MAX_PAGE_BYTES", 15_000)  # the minimal site's print page is about 20 KB
    for command in ("check", "build"):
        result = run_cli("--project", str(project), command, *(["--out", str(project.parent / "out")] * (
            command == "build")))
        problems = [line for line in result.err.splitlines() if "would be more than" in line]
        assert result.code == 1 and len(problems) == 1, result.err
        assert problems == ["templates/print.html:1:1: the page print/index.html would be more than 15,000 bytes:"
                            " the data it shows is far more than any real page's"]
    assert not (project.parent / "out").exists()


def test_a_template_that_writes_without_end_is_stopped_at_max_page_bytes(
        project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    """A template's loops (10 billion rounds here) were joined whole before the page's size was known:
    the page is now stopped as it passes MAX_PAGE_BYTES, so its memory is bounded by the limit."""
    from sitegen import render

    monkeypatch.setattr(render, "MAX_PAGE_BYTES", 1_000_000)
    page = project / "templates" / "page.html"
    loops = "{% for a in range(100000) %}{% for b in range(100000) %}Words. {% endfor %}{% endfor %}"
    page.write_text(page.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}" + loops, 1),
                    encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1 and "templates/page.html:1:1: the page about/index.html would be more than 1,000,000" \
        " bytes: the data it shows is far more than any real page's" in result.err.splitlines()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_build_writes_at_most_output_bytes_and_keeps_the_last_site(
        project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    """Data that many pages repeat could fill the disk of the machine that builds a pull request: past
    OUTPUT_BYTES (lowered here), shared by the rendering processes, the build stops and the last site stays."""
    from sitegen import parallel, write

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)  # the minimal site is too small to be shared otherwise
    out = project.parent / "out"
    assert run_cli("--project", str(project), "build", "--out", str(out)).code == 0
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    monkeypatch.setattr(write, "OUTPUT_BYTES", 100_000)  # the minimal site is about 1 MB
    result = run_cli("--project", str(project), "build", "--out", str(out), "--workers", str(workers),
                     "--base-url", "/elsewhere/")  # every page changes
    assert result.code == 1
    assert re.fullmatch(r"build\.py:1:1: the site passed 100,000 bytes at \S+, far more than any real site: look"
                        r" for data that many pages repeat", result.err.splitlines()[0]), result.err
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == before


def test_a_glossary_of_more_than_max_glossary_words_is_refused_at_the_term_that_passes_it(
        project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text is searched for every glossary term and alias: 10,000 terms, or 2,000 with 50 aliases
    each, took a check a minute or more (S4, S5). Past MAX_GLOSSARY_WORDS (lowered here), the term whose
    words pass it is named at its line."""
    import yaml

    from sitegen import build

    glossary = project / "data" / "glossary.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace(
        "  term: family help\n", "  term: family help\n  aliases: [help for families]\n", 1), encoding="utf-8")
    terms = yaml.safe_load(glossary.read_text(encoding="utf-8"))
    words = sum(1 + len(term.get("aliases", [])) for term in terms)
    assert words > len(terms), "the minimal glossary has aliases, which count"
    monkeypatch.setattr(build, "MAX_GLOSSARY_WORDS", words - 1)
    result = run_cli("--project", str(project), "check")
    line = [n for n, text in enumerate(glossary.read_text(encoding="utf-8").splitlines(), 1) if text.startswith("- ")]
    assert result.code == 1 and result.err.splitlines()[0] == (
        f"data/glossary.yaml:{line[-1]}:3: the glossary holds {words:,} terms and aliases, over the limit of"
        f" {words - 1:,}, and this item passes it; no real site needs so many")
