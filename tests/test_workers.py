"""Rendering in several processes (build --workers): the same bytes, problems and cache as one process,
and no process left behind by a build that fails or is killed."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, snapshot
from jinja2.utils import _PassArg
from test_cache import edit, real_project

from sitegen import build as build_module
from sitegen import parallel
from sitegen.build import build, check_site
from sitegen.cache import BuildCache
from sitegen.errors import BuildFailed
from sitegen.parallel import PARALLEL_FROM
from sitegen.render import Renderer, Settings, environment, site_filter
from sitegen.write import SiteWriter

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="several workers need fork")


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the rendering processes started (in the build's process: each fork is counted before it)."""
    started: list[int] = []
    fork = os.fork

    def counted() -> int:
        started.append(1)
        return fork()

    monkeypatch.setattr(parallel.os, "fork", counted)
    monkeypatch.setattr(build_module, "index_shards", lambda *_, **__: None)  # the pages, not the index
    return started


def test_several_workers_give_one_worker_s_bytes_and_cache(tmp_path: Path, forks: list[int]) -> None:
    project = real_project(tmp_path)
    caches = {workers: BuildCache(None) for workers in (1, 3)}
    results = {workers: build(project, tmp_path / f"site-{workers}", Settings(), cache, workers=workers)
               for workers, cache in caches.items()}
    assert len(forks) == 2 and results[3].rendered >= PARALLEL_FROM
    assert snapshot(tmp_path / "site-3") == snapshot(tmp_path / "site-1")
    assert caches[3].state.pages == caches[1].state.pages
    assert caches[3].markdown.keys() == caches[1].markdown.keys()  # what the other processes converted came back
    assert results[3].rendered == results[1].rendered and results[3].count == results[1].count
    assert parallel.workers_peak_kb > 0  # the other processes' memory, for `build --timings`


def test_templates_compiled_by_another_process_give_a_cold_build_s_bytes(tmp_path: Path, forks: list[int],
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """With a cache folder and several workers, the templates are compiled in a process of their own
    while the build reads the site (start_compiling): each once, and loaded, not compiled again, by the
    rendering processes; the pages are those of a cold build in one process with no cache."""
    project = real_project(tmp_path)
    folder = tmp_path / "cache"
    compiled: dict[str, int] = {}
    finish = parallel.finish_compiling

    def noted(pid: int | None, stop: bool = False) -> None:
        finish(pid, stop)
        compiled.update((path.name, path.stat().st_ino) for path in folder.glob("jinja-*/__jinja2_*"))

    monkeypatch.setattr(parallel, "finish_compiling", noted)
    build(project, tmp_path / "site-2", Settings(), BuildCache(folder), workers=2)
    assert len(forks) == 2  # the compiling process and one other rendering process
    templates = [path for path in (project / "templates").rglob("*")
                 if path.is_file() and path.parts[len(project.parts) + 1] != "static"]
    assert len(compiled) == len(templates) > 40
    after = {path.name: path.stat().st_ino for path in folder.glob("jinja-*/__jinja2_*")}
    assert after == compiled  # no rendering process wrote a template it compiled itself
    build(project, tmp_path / "site-1", Settings(), BuildCache(None), workers=1)
    assert snapshot(tmp_path / "site-2") == snapshot(tmp_path / "site-1")


def test_templates_compile_alike_without_the_site_s_renderer() -> None:
    """Jinja compiles a filter's call by whether the filter takes the environment or context: the
    environment the templates are compiled in before the site is read must have the same kinds."""
    renderer = Renderer(ROOT / "templates", check_site(ROOT), Settings())
    alone = environment(ROOT / "templates", None)
    assert alone.filters.keys() == renderer.env.filters.keys()
    assert {name: _PassArg.from_obj(f) for name, f in alone.filters.items()} == {
        name: _PassArg.from_obj(f) for name, f in renderer.env.filters.items()}
    assert renderer.env.filters["terms"] is not site_filter and renderer.env.filters["quotation"] is not site_filter


def test_a_failed_build_stops_the_compiling_process(tmp_path: Path, forks: list[int],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    project = real_project(tmp_path)
    edit(project / "data" / "glossary.yaml", "definition: ", "definition: [")  # a bracket never closed
    started: list[int | None] = []
    start = parallel.start_compiling

    def noted(*args: object) -> int | None:
        started.append(start(*args))  # type: ignore[arg-type]
        return started[-1]

    monkeypatch.setattr(parallel, "start_compiling", noted)
    with pytest.raises(BuildFailed):
        build(project, tmp_path / "site", Settings(), BuildCache(tmp_path / "cache"), workers=2)
    assert len(forks) == 1 and started[0] is not None
    with pytest.raises(ChildProcessError):  # stopped and reaped by the build: not this test's to wait for
        os.waitpid(started[0], os.WNOHANG)


def test_the_other_workers_problems_are_reported(tmp_path: Path, forks: list[int]) -> None:
    project = real_project(tmp_path)
    edit(project / "templates" / "item.html", "{% block main %}", "{% block main %}{{ {}[item.id] }}")  # one a page
    failures = []
    for workers in (1, 2):
        with pytest.raises(BuildFailed) as failed:
            build(project, tmp_path / "site", Settings(), BuildCache(None), workers=workers)
        failures.append(failed.value.problems)
    assert len(forks) == 1
    assert failures[0] == failures[1] and len(failures[0]) > 2  # the pages of both workers
    assert all(problem.path == "templates/item.html" for problem in failures[0])
    assert not (tmp_path / "site").exists()


def test_a_worker_s_error_fails_the_build_and_leaves_the_site(tmp_path: Path, forks: list[int],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk met by another worker is the build's full disk (the command line says so plainly)."""
    project = real_project(tmp_path)
    out = tmp_path / "site"
    build(project, out, Settings(), BuildCache(None))
    before = snapshot(out)
    builder = os.getpid()
    add = SiteWriter.add

    def full_elsewhere(self: SiteWriter, rel: str, *args: object, **kwargs: object) -> tuple[str, bool]:
        if os.getpid() != builder:
            raise OSError(errno.ENOSPC, "No space left on device", rel)
        return add(self, rel, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SiteWriter, "add", full_elsewhere)
    edit(project / "data" / "glossary.yaml", "definition: ", "definition: Edited. ")  # every page shows the glossary
    with pytest.raises(OSError) as failed:
        build(project, out, Settings(), BuildCache(None), workers=2)
    assert failed.value.errno == errno.ENOSPC
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.tmp")] == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_killed_build_leaves_no_worker_running(tmp_path: Path) -> None:
    """A killed build takes its rendering processes with it: left running, they would go on writing
    into a folder the next build removes as a leftover."""
    script = (
        "import os, sys, time, types\n"
        "from sitegen import parallel\n"
        "builder = os.getpid()\n"
        "def share(renderer, jobs, writer, problems):\n"
        "    if os.getpid() != builder:\n"
        "        print(os.getpid(), flush=True)\n"
        "    time.sleep(600)\n"
        "parallel.render_share = share\n"
        "renderer = types.SimpleNamespace(markdown_used=set(), markdown_memo={})\n"
        "writer = types.SimpleNamespace(left=0)\n"
        f"parallel.render_pages(renderer, [None] * {PARALLEL_FROM}, writer, None, 2)\n")
    with subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        worker = int(process.stdout.readline())
        os.kill(worker, 0)  # running
        process.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = Path(f"/proc/{worker}").exists() and "Z" not in Path(f"/proc/{worker}/stat").read_text().split()[2]
    if alive:
        os.kill(worker, signal.SIGKILL)
    assert not alive, "a rendering process went on running after the build was killed"
