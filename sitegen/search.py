"""The search index: Pagefind reads the finished HTML and writes pagefind/ beside it.

It runs through SiteWriter.commit's `finish` hook, on the complete new folder before it is swapped in
(or, in the preview, in the output folder once every page is in place), so the index always matches
the pages. Only the <main data-pagefind-body> of the pages the plan marks searchable is indexed.

Pagefind holds a whole index in memory: about 180 KB a page, 2.8 GB for 17,000 pages. So a large
site is indexed in shards of `Settings.search_shard_pages` pages, each a Pagefind bundle of its own
(the first in pagefind/, the others in pagefind/shard-N/), which the search page merges in the
browser, as Pagefind's multisite search does. A shard is indexed again only when one of its pages
changed. A site of one shard is indexed exactly as before.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildFailed, Problem

SHARD_PAGES = 1500
"""Pages a Pagefind run indexes at most by default: about 300 MB of its memory on this site's pages."""

SCRATCH = ".search-shards"
"""A folder inside the site being indexed, for each shard's pages (hard links) and fresh bundle."""

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
    shard's pages, and so its bundle, the same.
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


def index_shards(folder: Path, shards: Sequence[Shard]) -> None:
    """Index each shard's pages in folder into folder/<its bundle>, one Pagefind run at a time.

    One at a time, so that Pagefind's memory is one shard's however many cores there are (two runs
    at once were up to a fifth quicker on two cores, and twice the memory). Each run reads hard links
    of its shard's pages in a scratch folder and writes a fresh bundle there, which then takes the
    place of the shard's old bundle files (other shards' are untouched).
    """
    global peak_kb
    check_installed()
    scratch = folder / SCRATCH
    shutil.rmtree(scratch, ignore_errors=True)  # left by a killed build
    try:
        for number, shard in enumerate(shards):
            pages, bundle = scratch / f"{number}-pages", scratch / f"{number}-bundle"
            for rel in shard.pages:
                (pages / rel).parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(folder / rel, pages / rel)
                except OSError:  # a file system without hard links
                    shutil.copy2(folder / rel, pages / rel)
            peak_kb = max(peak_kb, run_pagefind(pages, bundle))
            put_bundle(bundle, folder / shard.bundle)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def put_bundle(fresh: Path, dest: Path) -> None:
    """Move a fresh bundle's files into dest, replacing any of the same name (never another shard's)."""
    dest.mkdir(parents=True, exist_ok=True)
    for entry in sorted(fresh.iterdir()):
        target = dest / entry.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        entry.replace(target)


RUN_AND_MEASURE = """
import os, sys
pid = os.posix_spawn(sys.executable, [sys.executable, "-m", "pagefind", *sys.argv[1:]], os.environ)
_pid, status, usage = os.wait4(pid, 0)
print(f"\\npeak_kb={usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""
"""Runs Pagefind from a small process, so that its peak memory is its own: a process started by the
build itself inherits the build's peak as its own starting figure."""


def run_pagefind(pages: Path, bundle: Path) -> int:
    """Index the HTML under pages into bundle; return Pagefind's peak memory in kB."""
    done = subprocess.run([sys.executable, "-c", RUN_AND_MEASURE, "--site", str(pages), "--output-path", str(bundle),
                           "--silent"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    said, _, peak = done.stdout.rpartition("\npeak_kb=")
    if done.returncode != 0:
        raise BuildFailed([Problem("templates/base.html", 1, 1,
                                   f"Pagefind could not index the site: {said.strip() or done.stdout.strip()}")])
    return int(peak)


def check_installed() -> None:
    try:
        import pagefind  # noqa: F401  (only to check it is installed)
    except ImportError as exc:
        raise BuildFailed([Problem("pyproject.toml", 1, 1, "the search index needs Pagefind; install it with"
                                                           ' `pip install "pagefind[bin]==1.5.2"`')]) from exc


peak_kb = 0
"""The most memory one Pagefind run used in this process (kB), for `build --timings`."""
