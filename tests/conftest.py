"""Fixtures: a copy of the minimal project in tmp_path, and a runner for the command line.

Every build of the test run (and of the processes it starts) uses a build cache of its own, empty at
first, in a temporary folder (XDG_CACHE_HOME), as CI does on a fresh machine.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser.sitecheck import EXTERNAL_LINKS, GATE_FIGURES, GATE_STARTED

from sitegen.cli import main

ROOT = Path(__file__).resolve().parent.parent
MINIMAL_FILES = ROOT / "tests" / "projects" / "minimal"
"""The minimal project's data, content and sources; its templates are the repository's own."""
EXPECTED = ROOT / "tests" / "expected" / "minimal"


def minimal_project(dest: Path) -> Path:
    """The minimal project at dest, with a copy of the repository's templates (git tracks no symlink)."""
    shutil.copytree(MINIMAL_FILES, dest)
    shutil.copytree(ROOT / "templates", dest / "templates")
    return dest


_scratch = Path(tempfile.mkdtemp(prefix="sitegen-tests-"))
atexit.register(shutil.rmtree, _scratch, ignore_errors=True)
os.environ["XDG_CACHE_HOME"] = str(_scratch / "cache")
MINIMAL = minimal_project(_scratch / "minimal")


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


@pytest.fixture(scope="session")
def built_minimal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal project's site, built once per run, for tests that need a site a build left and
    only read it or copy it (a failed build must leave it untouched)."""
    out = tmp_path_factory.mktemp("built-minimal") / "site"
    assert main(["--project", str(MINIMAL), "build", "--out", str(out)]) == 0
    return out


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run build.py's main() in-process and capture what it prints."""

    def run(*args: str) -> Run:
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def processes_naming(text: str, besides: int) -> list[int]:
    """Processes whose command line holds text, other than the process besides."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if entry.name.isdigit() and int(entry.name) != besides and text.encode() in command:
            found.append(int(entry.name))
    return found


def kill_and_find_left(parent: subprocess.Popen[bytes], text: str) -> list[int]:
    """Kill parent, give the processes it started (found by text) 10 s to die with it, and return those
    still running, killed."""
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while processes_naming(text, parent.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = processes_naming(text, parent.pid)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder by relative path, to compare whole sites byte for byte."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- the browser gate's figures, printed at the end of the run (here, where pytest-xdist's controller,
# which collects no test, loads them too) -----------------------------------------------------------


def gate_seconds() -> float | None:
    started, ended = GATE_STARTED.get("at"), GATE_STARTED.get("last test ended")
    return ended - started if started is not None and ended is not None else GATE_STARTED.get("seconds")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a pytest-xdist worker, hand the gate's figures and external links to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["gate"] = json.dumps({"figures": GATE_FIGURES, "seconds": gate_seconds(),
                                           "external": session.config.stash.get(EXTERNAL_LINKS, {})})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """In the pytest-xdist controller, add up what each worker's gate found (see pytest_sessionfinish)."""
    sent = json.loads(getattr(node, "workeroutput", {}).get("gate", "null") or "null")
    if not sent:
        return
    for name, found in sent["figures"].items():
        GATE_FIGURES[name] = GATE_FIGURES.get(name, 0) + found
    if sent["seconds"] is not None:
        GATE_STARTED["seconds"] = max(GATE_STARTED.get("seconds", 0.0), sent["seconds"])
    external = node.config.stash.setdefault(EXTERNAL_LINKS, {})
    for url, page in sent["external"].items():
        external[url] = min(page, external.get(url, page))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Print the gate's figures and wall time, and list the external links it saw but did not fetch."""
    if GATE_FIGURES:
        terminalreporter.write_sep("-", "real-browser gate")
        for name, count in GATE_FIGURES.items():
            terminalreporter.write_line(f"{name}: {count}")
        seconds = gate_seconds()
        if seconds is not None:
            terminalreporter.write_line(f"gate wall time (build, serve, every check): {seconds:.0f} s")
    external = config.stash.get(EXTERNAL_LINKS, None)
    if external:
        terminalreporter.write_sep("-", f"{len(external)} external links (listed, not fetched)")
        for url, page in sorted(external.items()):
            terminalreporter.write_line(f"{url}  (first on {page})")
