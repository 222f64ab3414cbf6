"""Hostile and broken input: never a traceback, never a partial site; killed builds lose nothing.

The fuzz runs FUZZ_EXAMPLES examples (300 by default); `FUZZ_EXAMPLES=10000 make test` runs more. Its
inputs include what issue 22 found: characters written as YAML escapes, terminal and workflow-command
escapes, pathological lengths and numbers; no message may print a control character, and a build that
succeeds writes none into a page, the feed or a download.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from unittest.mock import patch
from xml.etree import ElementTree

import pytest
from conftest import MINIMAL, ROOT, kill_and_find_left, processes_naming, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen import build
from sitegen.cli import main
from sitegen.render import Settings
from sitegen.resolve import Site

PROBLEM_LINE = re.compile(r"^[^\n:]+:\d+:\d+: \S.*$")
FILES = sorted(p.relative_to(MINIMAL).as_posix() for p in (MINIMAL / "data").glob("*.yaml")) + [
    "content/index.md", "content/about.md"]

nasty_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(["\x00", "\x07", "\t", "\ufeff", "\u202e", ": ", "- ", "&a", "*a", "!!python/object:os.system",
                     "{", "[", "'", '"', "#", "|", ">", "---", "...", "%YAML 1.1", "<script>alert(1)</script>",
                     "javascript:alert(1)", "9" * 400, "x" * 100_000, "[" * 100, "~", "null", "2023-13-45"]),
    # escapes that YAML decodes into characters no text may hold, and ones typed as they are (issue 22)
    st.sampled_from(['"\\x01"', '"\\0"', '"\\u202E"', '"\\e[2J\\e[31m"', '"\\N"', '"\\uFFFE"', '"a\\rb"',
                     "\x1b[2J", "\x1b]0;title\x07", "\u2066", "\u200b", "\x85", "\n::stop-commands::x\n",
                     "=cmd|' /c calc'!A0", "@sum(1)", "![x](https://evil.example/p.png)", "&amp;"]),
    # pathological lengths and numbers (issue 22): each must get an error or a build in bounded time
    st.sampled_from(["![" * 16_000, "[a](" * 4_000, "1. " * 3_000, "x" + "1" * 40_000, "A" * 20_000 + "a",
                     "](" * 20_000, "a" * 1_200, "9" * 5_000, ".inf", "-.inf", ".nan", "1e308", "1e-400",
                     "0x" + "f" * 300, "1_000_000", "190:20:30"]),
)
UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
"""What a message must never print as it is: controls and bidirectional controls."""
REFUSED_IN_OUTPUT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
"""What no page, feed or download of a successful build may hold."""


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, bytes]:
    """A file of the minimal project and broken bytes to put in its place."""
    name = draw(st.sampled_from(FILES))
    text = (MINIMAL / name).read_bytes()
    lines = text.split(b"\n")
    kind = draw(st.sampled_from(["delete", "duplicate", "replace", "insert", "truncate", "indent", "bytes",
                                 "retype"]))
    i = draw(st.integers(0, max(0, len(lines) - 1)))
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "replace":
        line = lines[i].decode()
        start = draw(st.integers(0, len(line)))
        end = draw(st.integers(start, len(line)))
        lines[i] = (line[:start] + draw(nasty_text) + line[end:]).encode("utf-8", "surrogatepass")
    elif kind == "insert":
        lines.insert(i, draw(nasty_text).encode("utf-8", "surrogatepass"))
    elif kind == "truncate":
        return name, text[: draw(st.integers(0, len(text)))]
    elif kind == "indent":
        lines[i] = b" " * draw(st.integers(0, 7)) + lines[i].lstrip()
    elif kind == "bytes":
        lines[i] += draw(st.binary(min_size=1, max_size=8))
    else:  # swap a value for another type
        line = lines[i].decode()
        if ":" in line:
            key = line.split(":", 1)[0]
            value = draw(st.sampled_from(["[]", "{}", "42", "true", "null", "[1, 2]", "{a: b}",
                                          "2023-13-01", "2023-02-30", "!!int x", "!!float x", "!!binary ~",
                                          "!!bool maybe", "!!int", "!!timestamp 26 Jan 2021"]))
            lines[i] = f"{key}: {value}".encode()
    return name, b"\n".join(lines)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the minimal project for every example: each example breaks one file and puts it
    back, so the project's compiled templates (in its build cache) serve every check."""
    return Path(shutil.copytree(MINIMAL, tmp_path_factory.mktemp("fuzz") / "project"))


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # the 100 kB example's repr
@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(change=mutation())
def test_broken_input_never_crashes(fuzzed: Path, change: tuple[str, bytes]) -> None:
    name, _content = change
    try:
        check_one_mutation(fuzzed, change)
    finally:
        shutil.copyfile(MINIMAL / name, fuzzed / name)


def check_one_mutation(project: Path, change: tuple[str, bytes]) -> None:
    """Check the project with one file broken: exit 0, or exit 1 with located problems.

    `check` runs every stage a build runs before writing (load, validate, resolve, render), without
    Pagefind; the files it renders in memory are kept, to look inside them when it passes.
    """
    name, content = change
    (project / name).write_bytes(content)
    err = io.StringIO()
    files: dict[str, bytes] = {}
    render = build.render

    def render_and_keep(project: Path, settings: Settings, keep: bool = True) -> tuple[Site, dict[str, bytes]]:
        site, rendered = render(project, settings)  # kept whatever check asks, to look inside them
        files.update(rendered)
        return site, rendered

    with redirect_stderr(err), redirect_stdout(io.StringIO()), patch.object(build, "render", render_and_keep):
        code = main(["--project", str(project), "check"])
    lines = err.getvalue().splitlines()
    assert code in (0, 1), err.getvalue()
    assert not UNPRINTABLE.search(err.getvalue()), "a message printed a control character as it is"
    if code == 1:
        assert lines and all(PROBLEM_LINE.match(line) for line in lines[:-1]), err.getvalue()
    else:
        assert "feed.xml" in files, "check rendered no site"
        for path, data in files.items():
            if path.endswith((".html", ".csv", ".xml", ".json")):
                assert not REFUSED_IN_OUTPUT.search(data.decode("utf-8")), path
        ElementTree.fromstring(files["feed.xml"])
    assert "Traceback" not in err.getvalue()


def synthetic_project(dest: Path, items: int, title: str) -> Path:
    """The minimal project with many proposals, so a build takes long enough to be killed midway."""
    shutil.copytree(MINIMAL, dest, dirs_exist_ok=True)
    base = (MINIMAL / "data" / "recommendations.yaml").read_text(encoding="utf-8")
    copies = [base.replace("id: family-help-services", f"id: proposal-{n}").replace(
        "title: Family help services", f"title: {title} {n}") for n in range(items)]
    (dest / "data" / "recommendations.yaml").write_text(base + "".join(copies), encoding="utf-8")
    return dest


def test_killed_builds_leave_old_or_new_site(tmp_path: Path) -> None:
    old_project = synthetic_project(tmp_path / "old", 400, "Old")
    new_project = synthetic_project(tmp_path / "new", 400, "New")
    out = tmp_path / "site"
    command = [sys.executable, str(ROOT / "build.py"), "build", "--out", str(out)]
    first = subprocess.run([*command, "--project", str(old_project)], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    old = snapshot(out)
    subprocess.run([*command, "--project", str(new_project)], check=True, capture_output=True)
    new = snapshot(out)
    # Each killed build is a build of the new project over the old site, with both caches warm; the
    # old project's build over the new site does the same work, so it gives the time to spread the
    # kill points over, and puts the old site back for the first of them.
    started = time.perf_counter()
    subprocess.run([*command, "--project", str(old_project)], check=True, capture_output=True)
    duration = time.perf_counter() - started
    now = snapshot(out)
    assert now == old
    outcomes = {"old": 0, "new": 0}
    for point in range(10):
        if now == new:  # a kill that landed after the swap: put the old site back
            subprocess.run([*command, "--project", str(old_project)], check=True, capture_output=True)
        process = subprocess.Popen([*command, "--project", str(new_project)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(duration * (0.3 + point * 0.075))
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = snapshot(out)
        assert now in (old, new), f"kill point {point}: the site is neither the old nor the new one"
        outcomes["old" if now == old else "new"] += 1
    assert outcomes["old"] > 0, outcomes  # some kills landed before the swap
    subprocess.run([*command, "--project", str(new_project)], check=True, capture_output=True)
    assert snapshot(out) == new
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.tmp")] == []


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=data:text/html,<script>alert(1)</script>>",
    "' onmouseover='alert(1)",
    "</title><script>alert(1)</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "{{ 7*7 }}{% raw %}",
]


class LiveMarkup(__import__("html.parser").parser.HTMLParser):
    """Collects anything in a page that could run script."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "formaction") and value and \
                    value.replace(" ", "").lower().startswith(("javascript:", "data:text", "vbscript:")):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "script" and not dict(attrs).get("src"):
            self.found.append("inline <script>")
        if tag in ("iframe", "object", "embed", "img") and any("alert" in (v or "") for _n, v in attrs):
            self.found.append(f"<{tag}> from data")


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_in_every_text_field_stay_text(tmp_path: Path, payload: str) -> None:
    """A payload in every free-text field of every data file is escaped on every page."""
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    fields = ("title", "proposal", "detail", "summary", "purpose", "note", "definition", "description", "outlet",
              "text", "name", "term")
    for path in (project / "data").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for field in fields:
            text = re.sub(rf"^(\s*-?\s*{field}): (.*)$", lambda m: f"{m.group(1)}: {yaml_quote(payload)}", text,
                          flags=re.M)
        path.write_text(text, encoding="utf-8")
    _site, files = build.render(project, Settings())  # the pages a build writes, without writing them
    pages = {path: data.decode("utf-8") for path, data in files.items() if path.endswith(".html")}
    assert len(pages) > 20
    for path, page in pages.items():
        if "<" in payload:
            assert payload not in page, f"{path} holds it unescaped"
        parser = LiveMarkup()
        parser.feed(page)
        assert parser.found == [], f"{path}: {parser.found}"


def yaml_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_with_silent_pagefind(site: Path, *code: str) -> subprocess.Popen[bytes]:
    """A process that runs code (lines of Python; sys.argv[1] is site) as a build would, with a stand-in
    for Pagefind that never answers. The stand-in lies in the site's folder, so that its command line
    names the site (see processes_naming)."""
    silent = site / "pagefind"
    silent.write_text(f"#!{sys.executable}\nimport time\nwhile True:\n    time.sleep(1)\n")
    silent.chmod(0o755)
    return subprocess.Popen([sys.executable, "-c", "\n".join((
        "import signal, sys",
        "from pathlib import Path",
        "from sitegen import search",
        "signal.signal(signal.SIGINT, signal.default_int_handler)  # as from a shell; a test runner may ignore it",
        f"search.pagefind_binary = lambda: {str(silent)!r}",
        *code)), str(site)], cwd=ROOT)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_an_interrupt_stops_shards_indexed_side_by_side(tmp_path: Path) -> None:
    """Only the build's main thread hears an interrupt; the Pagefind runs its other threads wait on are
    stopped too, at once, rather than left to finish their shards. Pagefind here never answers."""
    site = tmp_path / "pages"
    for name in ("a", "b"):
        (site / name).mkdir(parents=True)
        (site / name / "index.html").write_text("<html lang=en><body><main data-pagefind-body><h1>Hello</h1>"
                                                "</main></body></html>")
    build = build_with_silent_pagefind(site, "shards = search.plan_shards(['a/index.html', 'b/index.html'], 1)",
                                       "try:",
                                       "    search.index_shards(Path(sys.argv[1]), shards, at_once=2)",
                                       "except KeyboardInterrupt:",
                                       "    sys.exit(130)")
    try:
        deadline = time.monotonic() + 30
        while len(processes_naming(str(site), build.pid)) < 4 and time.monotonic() < deadline:  # 2 small
            time.sleep(0.05)  # processes, each with its Pagefind
        assert len(processes_naming(str(site), build.pid)) == 4 and build.poll() is None
        build.send_signal(signal.SIGINT)
        assert build.wait(timeout=10) == 130, "the build should stop at once, not wait for its shards"
        deadline = time.monotonic() + 5
        while processes_naming(str(site), build.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_naming(str(site), build.pid) == []
    finally:
        assert kill_and_find_left(build, str(site)) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_killed_build_leaves_no_pagefind_running(tmp_path: Path) -> None:
    """A build killed while Pagefind indexes its temporary folder takes Pagefind with it: left running,
    Pagefind would go on writing into a folder the next build removes as a leftover. Pagefind here is
    a stand-in that never answers, so that it would never stop by itself."""
    site = tmp_path / "pages"
    site.mkdir()
    (site / "index.html").write_text("<!DOCTYPE html><html lang=en><title>x</title><body><main><h1>Hello</h1>"
                                     "</main></body></html>")
    build = build_with_silent_pagefind(
        site, f"search.run_pagefind(Path(sys.argv[1]), ['index.html'], Path({str(tmp_path / 'bundle')!r}))")

    deadline = time.monotonic() + 30
    while len(processes_naming(str(site), build.pid)) < 2 and time.monotonic() < deadline:  # the small process
        time.sleep(0.05)  # and Pagefind itself
    time.sleep(1)
    running = processes_naming(str(site), build.pid)
    assert len(running) == 2 and build.poll() is None, "Pagefind should be indexing, and the build waiting for it"
    left = kill_and_find_left(build, str(site))
    assert left == [], "Pagefind went on running after the build was killed"
