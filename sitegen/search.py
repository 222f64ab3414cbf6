"""The search index: Pagefind reads the finished HTML and writes pagefind/ beside it.

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


def index_shards(folder: Path, shards: Sequence[Shard]) -> None:
    """Index each shard's pages in folder into folder/<its bundle>, one Pagefind run at a time.

    One at a time, so that Pagefind's memory is one shard's however many cores there are. Each run
    reads copies of its shard's pages, spaced for reading (see spaced), in a scratch folder and writes
    a fresh bundle there. Only when every run has succeeded are the fresh bundles put in place, each
    replacing whatever its folder holds.
    """
    global peak_kb
    scratch = folder / SCRATCH
    shutil.rmtree(scratch, ignore_errors=True)  # left by a killed build
    try:
        fresh: list[Path] = []
        for number, shard in enumerate(shards):
            pages, bundle = scratch / f"{number}-pages", scratch / f"{number}-bundle"
            for rel in shard.pages:
                (pages / rel).parent.mkdir(parents=True, exist_ok=True)
                (pages / rel).write_bytes(spaced((folder / rel).read_bytes()))
            peak_kb = max(peak_kb, run_pagefind(pages, bundle, f"{shard.bundle} ({len(shard.pages)} pages)"))
            fresh.append(bundle)
        for shard, bundle in zip(shards, fresh, strict=True):
            put_bundle(bundle, folder, shard.bundle)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


_BLOCK = rb"p|li|dt|dd|h[1-6]|th|td|tr|caption|div|ul|ol|dl|table|figcaption|figure|section|nav|blockquote|details"
_BLOCK_END = re.compile(rb"(</(?:" + _BLOCK + rb")>)(?=<)")
_TERM_END = re.compile(rb"</d([td])>")
"""The end of a label or a value in a list of facts: found by its tag, whose literal start lets the
search skip ahead (a pattern that starts with a look behind is tried at every byte)."""
_SPACES = b" \t\n\r\f\v"


def _punctuated(end: re.Match[bytes]) -> bytes:
    """A label's end with a colon and a value's with a full stop, unless the text before it ends in
    one (or in a space, or the page starts there)."""
    before = end.string[end.start() - 1:end.start()]
    if end.group(1) == b"t":
        return end.group() if before in _SPACES + b":.?!" else b":</dt>"
    return end.group() if before in _SPACES + b":;.?!" else b".</dd>"


def spaced(html: bytes) -> bytes:
    """A page as Pagefind should read it: a line break after each block that another tag follows at
    once, and in a list of facts a colon after each label and a full stop after each value. Pagefind
    joins the text of neighbouring elements as written: `<dt>Made by</dt><dd>Child…` would give the
    excerpt "Made byChild…"."""
    return _BLOCK_END.sub(rb"\1\n", _TERM_END.sub(_punctuated, html))


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
                shutil.rmtree(entry)
            else:
                entry.unlink()
    dest.mkdir(parents=True, exist_ok=True)
    for entry in sorted(fresh.iterdir()):
        entry.replace(dest / entry.name)


RUN_AND_MEASURE = """
import ctypes, os, signal, sys

def die_with(parent):
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: killed when the parent dies
        if os.getppid() != parent:  # it died first
            os._exit(1)

die_with(int(sys.argv[1]))
me = os.getpid()
pid = os.fork()
if pid == 0:
    try:
        die_with(me)
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_pid, status, usage = os.wait4(pid, 0)
print(f"\\npeak_kb={usage.ru_maxrss} exit={os.waitstatus_to_exitcode(status)}")
"""
"""Runs Pagefind (argv: the build's pid, Pagefind's executable, its arguments) from a small process,
so that its peak memory is its own: a process started by the build itself inherits the build's peak
as its own starting figure. Both die when the build does
(on Linux), so a killed build leaves no Pagefind writing into its temporary folder. It prints
Pagefind's exit code (negative: the signal that stopped it) after what Pagefind said."""


def run_pagefind(pages: Path, bundle: Path, shown: str = "the site") -> int:
    """Index the HTML under pages into bundle; return Pagefind's peak memory in kB.

    Pagefind runs in the build's scratch folder, never in the project: it would read a pagefind.yml
    there, and a pull request could commit one that tells it where to write its log. The small Python
    process runs isolated (-I), so no module beside it or in the environment is imported in its place.
    """
    done = subprocess.run([sys.executable, "-I", "-c", RUN_AND_MEASURE, str(os.getpid()), pagefind_binary(),
                           "--site", str(pages.absolute()), "--output-path", str(bundle.absolute()), "--silent"],
                          cwd=bundle.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False)
    said, marker, ending = done.stdout.rpartition("\npeak_kb=")
    if not marker:  # the small process itself failed: what it said is all there is
        said, ending = done.stdout, ""
    peak, _, code = ending.partition(" exit=")
    if done.returncode != 0 or not code.strip().lstrip("-").isdigit() or int(code) != 0:
        raise BuildFailed([Problem("templates/base.html", 1, 1,
                                   f"Pagefind could not index {shown}: {why_pagefind_failed(said, code)}")])
    return int(peak)


def why_pagefind_failed(said: str, code: str) -> str:
    """Pagefind's own words, or how it ended when it said nothing (killed, e.g. out of memory)."""
    if said.strip():
        return said.strip()
    if code.strip() == "-9":
        return ("it was killed (signal 9), most likely for lack of memory; a smaller --search-shard-pages"
                " makes each Pagefind run use less")
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
