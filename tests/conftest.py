"""Fixtures: a copy of the minimal project in tmp_path, and a runner for the command line."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from sitegen.cli import main

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "projects" / "minimal"
EXPECTED = ROOT / "tests" / "expected" / "minimal"


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests build as on an editor's machine: in CI, GITHUB_REPOSITORY would add the "Spotted a mistake?"
    links to every page and so change the golden site. Tests that want it set it themselves."""
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    monkeypatch.delenv("GITHUB_SERVER_URL", raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A writable copy of the minimal project (templates are the repository's own)."""
    dest = tmp_path / "project"
    shutil.copytree(MINIMAL, dest, symlinks=False)
    return dest


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run build.py's main() in-process and capture what it prints."""

    def run(*args: str) -> Run:
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder by relative path, to compare whole sites byte for byte."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
