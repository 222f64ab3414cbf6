"""Problems: one line each, GitHub annotations escaped, suggestions only when close."""

from __future__ import annotations

from sitegen.errors import Collector, Problem, did_you_mean


def test_problem_renders_path_line_column() -> None:
    assert str(Problem("data/a.yaml", 3, 5, "bad")) == "data/a.yaml:3:5: bad"


def test_github_annotation_escapes_what_would_break_it() -> None:
    annotation = Problem("data/a.yaml", 3, 5, "100% wrong\nreally").as_github()
    assert annotation == "::error file=data/a.yaml,line=3,col=5::100%25 wrong%0Areally"


def test_messages_are_kept_to_one_line() -> None:
    problems = Collector()
    problems.add("a", 1, 1, "first\n  second")
    assert problems.problems[0].message == "first second"


def test_suggestions_only_when_close() -> None:
    assert did_you_mean("sumary", ["summary", "title"]) == ' Did you mean "summary"?'
    assert did_you_mean("zzz", ["summary", "title"]) == ""
