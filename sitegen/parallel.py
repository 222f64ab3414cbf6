"""Rendering in several processes (`build --workers N`): the build forks N - 1 copies of itself once
the site is planned, so they share the planned site without copying it, and deals the pages to
render to them and to itself in turn. Each copy writes its pages into the build's new folder and
sends back their hashes, its problems and the Markdown it converted. The bytes are those of one
process; the tests compare them.

Before that, while the build reads and checks the site on one core, another process compiles the
templates into the cache on the other, so that each rendering process loads them compiled.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

from .cache import files_under
from .errors import BuildFailed, Collector, Problem
from .plan import PageJob
from .render import Renderer, environment
from .write import SiteWriter, output_hash

PARALLEL_FROM = 100
"""Pages to render below which render_pages uses one process: starting another would cost more."""

workers_peak_kb = 0
"""The most memory one of the last render_pages' other processes used (kB), for `build --timings`."""


def start_compiling(templates_dir: Path, bytecode_dir: Path | None, workers: int) -> int | None:
    """Fork a process that compiles every template into bytecode_dir while this one reads and checks
    the site, so that the rendering processes each load the compiled templates rather than each
    compile them; return its pid. None where no rendering processes are forked (see render_pages) or
    there is no cache folder. It ignores Ctrl+C and dies with the build (finish_compiling waits for it)."""
    if bytecode_dir is None or workers <= 1 or not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()
    pid = os.fork()
    if pid != 0:
        return pid
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        die_with(parent)
        env = environment(templates_dir, bytecode_dir)
        for name, _path, _stat in files_under(templates_dir):
            if not name.startswith("static/") and name.endswith((".html", ".xml", ".txt")):
                with contextlib.suppress(Exception):  # a faulty template is reported where a page uses it
                    env.get_template(name)
    finally:
        os._exit(0)


def finish_compiling(pid: int | None, stop: bool = False) -> None:
    """Wait for the process start_compiling forked, or, with stop, end it first (the build failed)."""
    if pid is None:
        return
    if stop:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)


def render_pages(renderer: Renderer, jobs: list[PageJob], writer: SiteWriter, problems: Collector,
                 workers: int) -> dict[str, str]:
    """Render each job's page and write it; return the hash of each page written (a page with a template
    error is reported in problems and left out).

    With workers > 1 (and PARALLEL_FROM pages or more, on Linux), the jobs are dealt in turn to the
    workers: this process and workers - 1 forked copies of it (see start_worker), which share
    everything planned so far without copying it. After a failure, or Ctrl+C, the copies are killed.
    """
    global workers_peak_kb
    workers_peak_kb = 0
    if workers <= 1 or len(jobs) < PARALLEL_FROM or not sys.platform.startswith("linux"):
        return render_share(renderer, jobs, writer, problems)
    used_before = set(renderer.markdown_used)
    writer.left //= workers  # each process may write its share of the build's output
    children: list[list[int]] = []  # [pid, pipe]: 0 once reaped, -1 once closed
    try:
        for number in range(1, workers):
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # no Ctrl+C until it is listed
            try:
                children.append(list(start_worker(renderer, jobs[number::workers], writer, used_before)))
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        hashes = render_share(renderer, jobs[0::workers], writer, problems)
        for child in children:
            with os.fdopen(child[1], "rb") as pipe:
                child[1] = -1
                reply = pipe.read()
            _pid, status, usage = os.wait4(child[0], 0)
            child[0] = 0
            workers_peak_kb = max(workers_peak_kb, usage.ru_maxrss)
            answer = worker_answer(reply, status)
            if isinstance(answer, BaseException):
                raise answer
            their_hashes, their_problems, used = answer
            hashes.update(their_hashes)
            problems.extend(their_problems)
            renderer.markdown_memo.update(used)
            renderer.markdown_used.update(used)
    finally:
        for pid, reader in children:
            if pid:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                with contextlib.suppress(OSError):
                    os.waitpid(pid, 0)
            if reader >= 0:
                with contextlib.suppress(OSError):
                    os.close(reader)
    return hashes


def start_worker(renderer: Renderer, jobs: list[PageJob], writer: SiteWriter,
                 used_before: set[tuple[Any, ...]]) -> tuple[int, int]:
    """Fork a copy of this process that renders jobs into the writer's folder, sends back on a pipe its
    hashes, its problems and the Markdown it converted (or the error that stopped it), and ends at
    once, never running the build's own cleanup: the folder and its lock are the build's. It ignores
    Ctrl+C (the build kills it) and dies with the build. Return its pid and the pipe's reading end."""
    parent = os.getpid()
    reader, sender = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(sender)
        raise
    if pid != 0:
        os.close(sender)
        return pid, reader
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        os.close(reader)
        die_with(parent)
        try:
            found = Collector()
            hashes = render_share(renderer, jobs, writer, found)
            used = {key: renderer.markdown_memo[key] for key in renderer.markdown_used - used_before}
            code, reply = 0, pickle.dumps((hashes, found.problems, used))
        except BaseException as exc:  # sent to the build, which raises it
            reply = pickle.dumps(exc if is_picklable(exc) else RuntimeError(
                f"{type(exc).__name__} in a rendering process: {traceback.format_exc()}"))
        with os.fdopen(sender, "wb") as pipe:
            pipe.write(reply)
    finally:
        os._exit(code)


def worker_answer(reply: bytes, status: int) -> Any:
    """What a rendering process sent: its results, or the error to raise; a problem for the editor when it
    was stopped before it could say (killed, most likely for lack of memory)."""
    try:
        return pickle.loads(reply)
    except Exception:
        return BuildFailed([Problem("build.py", 1, 1, (
            f"a rendering process ended with {os.waitstatus_to_exitcode(status)} before it sent its pages (a"
            " negative number is the signal that stopped it: 9 most likely for lack of memory); try --workers 1"))])


def render_share(renderer: Renderer, jobs: list[PageJob], writer: SiteWriter, problems: Collector) -> dict[str, str]:
    """render_pages in this process."""
    hashes: dict[str, str] = {}
    for job in jobs:
        parts = renderer.render(job.template, job.dest, problems, job.shown.context)
        if parts is not None:
            hashes[job.dest], _ = writer.add(job.dest, parts, output_hash(writer.out / job.dest))
    return hashes


def die_with(parent: int) -> None:
    """Have Linux kill this process when its parent dies (elsewhere nothing): a killed build leaves no
    rendering process writing into its temporary folder."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # it died first
            os._exit(1)


def is_picklable(value: object) -> bool:
    try:
        pickle.loads(pickle.dumps(value))
        return True
    except Exception:
        return False
