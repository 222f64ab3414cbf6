"""Problems for editors: each names a file, line and column, says what is wrong and what would be right.

Stages collect every problem they find and raise one `BuildFailed` at the end, so an editor sees all
mistakes of a run at once (as MkDocs does with its config). Only cli.py prints them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake at one place: `path:line:column: message`."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"

    def as_github(self) -> str:
        """Render as a GitHub Actions annotation, so a pull request shows it on its line."""
        text = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::error file={self.path},line={self.line},col={self.column}::{text}"


class BuildFailed(Exception):
    """Raised with every problem of a stage; the build stops and site/ is left untouched."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(f"{len(self.problems)} problem(s)")


class Collector:
    """Gathers problems during a stage and raises them together."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str | Path, line: int, column: int, message: str) -> None:
        """Record a problem; its message is kept to one line, so each problem is one line of output."""
        self.problems.append(Problem(str(path), line, column, " ".join(message.split())))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise BuildFailed(self.problems)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ' Did you mean "x"?' for the nearest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"?' if close else ""
