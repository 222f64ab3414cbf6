"""The search index: Pagefind is handed the finished HTML page by page (pagefind_run.py), into pagefind/.

It runs through SiteWriter.commit's `finish` hook, on the complete new folder before it is swapped in,
so the index matches the pages. Only the <main data-pagefind-body> of the pages the plan marks
searchable is indexed.

Pagefind holds a whole index in memory: about 180 KB a page, 2.8 GB for 17,000 pages. So a large
site is indexed in shards of `Settings.search_shard_pages` pages, each a Pagefind bundle of its own
(the first in pagefind/, the others in pagefind/shard-N/), which the search page merges in the
browser, as Pagefind's multisite search does. A shard is indexed again only when one of its pages
changed. A site of one shard has one bundle, in pagefind/, and nothing to merge.
"""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildFailed, Problem
from .write import clear, remove_tree

SHARD_PAGES = 1500
"""Pages a Pagefind run indexes at most by default: about 300 MB of its memory on this site's pages."""

SCRATCH = ".search-shards"
"""A folder inside the site being indexed, for each shard's fresh bundle; Pagefind runs in it."""

_SHARD_FOLDER = re.compile(r"pagefind/shard-\d+/")


@dataclass(frozen=True)
class Shard:
    """Some of the site's HTML pages, indexed by one Pagefind run into one bundle folder."""

    bundle: str
    """The bundle's folder in the site: pagefind/ for the first shard, pagefind/shard-N/ for the others."""
    pages: tuple[str, ...]


def plan_shards(html_pages: Iterable[str], per_shard: int) -> list[Shard]:
    """The site's HTML pages in runs of per_shard, in path order; always at least one shard.

    Runs of neighbouring paths keep a kind's pages together, and editing a page leaves every other
    shard's pages, and so its bundle, the same. Adding or removing a page moves the boundaries of
    the shards after it (see benchmarks/RESULTS.md for why they are not chosen by hash).
    """
    pages = sorted(html_pages)
    runs = [tuple(pages[start:start + per_shard]) for start in range(0, len(pages), per_shard)] or [()]
    return [Shard("pagefind/" if number == 0 else f"pagefind/shard-{number + 1}/", run)
            for number, run in enumerate(runs)]


def bundle_of(rel: str) -> str | None:
    """The bundle folder a file of the output belongs to; None outside pagefind/."""
    if not rel.startswith("pagefind/"):
        return None
    found = _SHARD_FOLDER.match(rel)
    return found.group(0) if found else "pagefind/"


def index_shards(folder: Path, shards: Sequence[Shard], at_once: int = 1) -> None:
    """Index each shard's pages in folder into folder/<its bundle>, at_once Pagefind runs at a time.

    Pagefind's service parses a shard's pages one after another, on one core, so with more than one
    shard several runs go side by side, as many as the processes that render pages (`build --workers
    N`); Pagefind's memory is then that of at_once shards. A thread outlives each run it starts, so the
    parent-death signal, which Linux ties to the starting thread, never ends a run early. Each run
    writes a fresh bundle in a scratch folder; a failed run, or an interrupt, stops the others. Only
    when every run has succeeded are the fresh bundles put in place, each replacing whatever its folder
    holds.
    """
    global peak_kb
    scratch = folder / SCRATCH
    clear(scratch)  # left by a killed build
    try:
        bundles = [scratch / f"{number}-bundle" for number in range(len(shards))]
        failed, running = threading.Event(), set[subprocess.Popen[str]]()

        def index(shard: Shard, bundle: Path) -> int:
            if failed.is_set():  # another run failed: the build fails, so start no more
                return 0
            try:
                return run_pagefind(folder, shard.pages, bundle, f"{shard.bundle} ({len(shard.pages)} pages)",
                                    running)
            except BaseException:
                failed.set()
                raise

        if at_once <= 1 or len(shards) <= 1:  # in this thread, where an interrupt stops the run at once
            peak_kb = max([peak_kb, *map(index, shards, bundles)])
        else:
            with ThreadPoolExecutor(max_workers=at_once) as runs:
                try:
                    peak_kb = max([peak_kb, *runs.map(index, shards, bundles)])
                except BaseException:  # a failed run or an interrupt, which only this thread hears
                    failed.set()
                    for process in list(running):
                        process.kill()
                    raise
        for shard, bundle in zip(shards, bundles, strict=True):
            put_bundle(bundle, folder, shard.bundle)
    finally:
        clear(scratch)


def put_bundle(fresh: Path, folder: Path, bundle: str) -> None:
    """Replace the bundle at folder/bundle by the fresh one: the old one's files go, never another
    shard's folder (pagefind/shard-N/ lies inside pagefind/)."""
    dest = folder / bundle
    if dest.is_dir():
        for entry in sorted(dest.iterdir()):
            is_folder = entry.is_dir() and not entry.is_symlink()
            if bundle_of(f"{bundle}{entry.name}/" if is_folder else f"{bundle}{entry.name}") != bundle:
                continue
            if is_folder:
                remove_tree(entry)
            else:
                entry.unlink()
    dest.mkdir(parents=True, exist_ok=True)
    for entry in sorted(fresh.iterdir()):
        entry.replace(dest / entry.name)


RUN = Path(__file__).with_name("pagefind_run.py")
"""The small program that runs Pagefind once (see its docstring)."""


def run_pagefind(site: Path, pages: Sequence[str], bundle: Path, shown: str = "the site",
                 running: set[subprocess.Popen[str]] | None = None) -> int:
    """Index pages (paths under site) into bundle, in a process of its own; return Pagefind's peak memory in kB.
    The process is in running while it runs, for index_shards to stop.

    It runs in the bundle's parent folder, never in the project: Pagefind would read a pagefind.yml
    there, and a pull request could commit one that tells it where to write its log.
    """
    running = set() if running is None else running
    bundle.parent.mkdir(parents=True, exist_ok=True)
    with subprocess.Popen([sys.executable, "-I", "-S", str(RUN), str(os.getpid()), pagefind_binary(),
                           str(site.absolute()), str(bundle.absolute())], cwd=bundle.parent, text=True,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        running.add(process)
        try:
            stdout, stderr = process.communicate(json.dumps(list(pages)))
        except BaseException:
            process.kill()  # and so Pagefind, which dies with it
            raise
        finally:
            running.discard(process)
    try:
        ran = json.loads(stdout.splitlines()[-1])
    except (IndexError, ValueError):  # the small process itself failed: what it said is all there is
        ran = {"exit": process.returncode, "refused": "", "said": f"{stdout}{stderr}", "errno": 0}
    if ran["errno"] in (errno.ENOSPC, errno.EDQUOT):  # said as any full disk is (see write.disk_full_message)
        raise OSError(ran["errno"], os.strerror(ran["errno"]))
    if process.returncode != 0 or ran["refused"] or ran["exit"] != 0:
        why = ran["refused"] or why_pagefind_failed(ran["said"], str(ran["exit"]))
        raise BuildFailed([Problem("templates/base.html", 1, 1, f"Pagefind could not index {shown}: {why}")])
    return int(ran["peak_kb"])


def why_pagefind_failed(said: str, code: str) -> str:
    """Pagefind's own words, or how it ended when it said nothing (killed, e.g. out of memory)."""
    if said.strip():
        return said.strip()
    if code.strip() == "-9":
        return ("it was killed (signal 9), most likely for lack of memory; a smaller --search-shard-pages or"
                " fewer --workers make Pagefind use less")
    if code.strip().startswith("-"):
        return f"it was stopped by signal {code.strip()[1:]}"
    return f"it ended with exit code {code.strip() or '?'} and said nothing"


def pagefind_binary() -> str:
    """Pagefind's executable, from the pagefind[bin] package. It is run directly: `python -m pagefind`
    would start another interpreter and import Pagefind's Python API only to find it."""
    try:
        from pagefind_bin import get_executable

        return str(get_executable().absolute())
    except (ImportError, OSError) as exc:
        raise BuildFailed([Problem("pyproject.toml", 1, 1, "the search index needs Pagefind; install it with"
                                                           ' `pip install "pagefind[bin]==1.5.2"`')]) from exc


peak_kb = 0
"""The most memory one Pagefind run used in this process (kB), for `build --timings`."""
