"""Problems for editors: each names a file, line and column, says what is wrong and what would be right.

Stages collect every problem they find and raise one `BuildFailed` at the end, so an editor sees all
mistakes of a run at once (as MkDocs does with its config). Only cli.py prints them.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .characters import printable


def blanked(pattern: re.Pattern[str], text: str) -> str:
    """text with every match of pattern replaced by as many spaces, so that positions in it stay where they were."""
    return pattern.sub(lambda match: " " * len(match.group()), text)


@dataclass(frozen=True)
class Finding:
    """A problem in one item, before its file and line are known: where (its place in the item, and
    the offset in the text for Markdown), what, and whether it is only a warning."""

    loc: tuple[Any, ...]
    offset: int | None
    message: str
    warning: bool


def position(text: str, index: int, first_line: int = 1) -> tuple[int, int]:
    """The line and column (1-based) of text[index], the text's first line being first_line."""
    return first_line + text.count("\n", 0, index), index - (text.rfind("\n", 0, index) + 1) + 1


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake at one place: `path:line:column: message`."""

    path: str
    line: int
    column: int
    message: str
    leads: int = field(default=0, compare=False)
    """Printed before every other problem (True, 1): it explains them (a data file emptied by mistake,
    say); 2 before those too, as a duplicate id explains the references naming its renamed item."""

    def __str__(self) -> str:
        """One line, with any control or invisible character of the path or message shown as an escape:
        both can hold what a pull request wrote (a file name, a key), printed to an editor's terminal.
        So is the second # of "##[", which GitHub's runner obeys anywhere in a line of its log as a
        command of the older form ("##[add-mask]…")."""
        return printable(f"{self.path}:{self.line}:{self.column}: {self.message}").replace("##[", "#\\x23[")

    def as_github(self, command: str = "error") -> str:
        """Render as a GitHub Actions annotation (error or warning), so a pull request shows it on its line.

        Escaped as GitHub's runner reads workflow commands, so no path or message can end the annotation
        early or start a command of its own (::stop-commands::, ::add-mask::) on a line of the log.
        """
        file = github_property(printable(self.path, keep=LINE_BREAKS))
        message = github_data(printable(self.message, keep=LINE_BREAKS))
        return f"::{command} file={file},line={self.line},col={self.column}::{message}"


LINE_BREAKS = "\r\n"
"""Kept for GitHub's own escapes (%0D, %0A), which its runner turns back into line breaks in the annotation."""


def github_data(text: str) -> str:
    """The message of a workflow command, escaped as GitHub's runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A property of a workflow command (file=…), escaped as GitHub's runner unescapes it."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


PROBLEMS_PER_FILE = 100
"""The most problems listed for one file: past them, one line says there are more. A file of a million
mistakes (a pull request's, say) is then read, sorted and printed in moments, and an editor fixing the
first hundred sees the rest on the next build."""


class BuildFailed(Exception):
    """Raised with every problem of a stage, at most PROBLEMS_PER_FILE of them listed for each file; the
    build stops and site/ is left untouched."""

    def __init__(self, problems: Iterable[Problem]):
        ordered = sorted(set(problems), key=lambda p: (-p.leads, p.path, p.line, p.column, p.message))
        listed: list[Problem] = []
        per_file: Counter[str] = Counter()
        for problem in ordered:
            per_file[problem.path] += 1
            if per_file[problem.path] <= PROBLEMS_PER_FILE:
                listed.append(problem)
            elif per_file[problem.path] == PROBLEMS_PER_FILE + 1:
                listed.append(Problem(problem.path, problem.line, problem.column, (
                    f"this file has more problems than the {PROBLEMS_PER_FILE} listed; fix those, then build"
                    " again to see the rest"), problem.leads))
        self.problems = listed
        super().__init__(f"{len(self.problems)} problem(s)")


class Collector:
    """Gathers problems during a stage and raises them together."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.per_file: Counter[str] = Counter()

    def add(self, path: str | Path, line: int, column: int, message: str) -> None:
        """Record a problem; its message is kept to one line, so each problem is one line of output."""
        self.extend([Problem(str(path), line, column, " ".join(message.split()))])

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.problems.append(problem)
            self.per_file[problem.path] += 1

    def full(self, path: str) -> bool:
        """Whether the file has more problems than BuildFailed lists: a stage may stop looking in it."""
        return self.per_file[path] > PROBLEMS_PER_FILE

    def raise_if_any(self) -> None:
        if self.problems:
            raise BuildFailed(self.problems)


def brief(value: Any, keep: int = 40) -> str:
    """A value as a message quotes it: at most keep characters of it, since what a pull request wrote
    can be megabytes long."""
    text = str(value)
    return text if len(text) <= keep else f"{text[:keep]}…"


def nearest(word: str, choices: Iterable[str]) -> str | None:
    """The choice nearest to word, or None when nothing is close, as nothing is to a word far longer
    than any choice (difflib would index each of its characters: gigabytes for a 50 MB key)."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6) if len(word) <= 100 else []
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ' did you mean "x"?' for the nearest choice, or '' when nothing is close."""
    close = nearest(word, choices)
    return f' did you mean "{close}"?' if close else ""
