"""Problems: one line each, GitHub annotations escaped, suggestions only when close."""

from __future__ import annotations

from sitegen.errors import Collector, Problem, did_you_mean


def test_problem_renders_path_line_column() -> None:
    assert str(Problem("data/a.yaml", 3, 5, "bad")) == "data/a.yaml:3:5: bad"


def test_github_annotation_escapes_what_would_break_it() -> None:
    annotation = Problem("data/a.yaml", 3, 5, "100% wrong\nreally").as_github()
    assert annotation == "::error file=data/a.yaml,line=3,col=5::100%25 wrong%0Areally"


def test_github_annotation_properties_are_escaped() -> None:
    """A path is a property: a colon or comma in it would end file= early, a newline would start a command."""
    annotation = Problem("content/a,b:c\n::notice::x.md", 1, 2, "m").as_github("warning")
    assert annotation == "::warning file=content/a%2Cb%3Ac%0A%3A%3Anotice%3A%3Ax.md,line=1,col=2::m"


def test_printed_problems_show_control_characters_as_escapes() -> None:
    problem = Problem("data/\x1b[2Ja.yaml", 1, 1, "key \"\x1b]0;title\x07\u202e\u200b\x00\x85\t\n\"")
    assert str(problem) == r'data/\x1b[2Ja.yaml:1:1: key "\x1b]0;title\x07\u202e\u200b\x00\x85\x09\x0a"'
    assert problem.as_github() == r'::error file=data/\x1b[2Ja.yaml,line=1,col=1::key "\x1b]0;title\x07\u202e\u200b' \
                                  r'\x00\x85\x09%0A"'


def test_messages_are_kept_to_one_line() -> None:
    problems = Collector()
    problems.add("a", 1, 1, "first\n  second")
    assert problems.problems[0].message == "first second"


def test_suggestions_only_when_close() -> None:
    assert did_you_mean("sumary", ["summary", "title"]) == ' did you mean "summary"?'
    assert did_you_mean("zzz", ["summary", "title"]) == ""
