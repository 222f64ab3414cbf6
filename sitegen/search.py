"""The search index: Pagefind is handed the finished HTML, page by page, and writes pagefind/ beside it.

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

import base64
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def index_shards(folder: Path, shards: Sequence[Shard]) -> None:
    """Index each shard's pages in folder into folder/<its bundle>, one Pagefind run at a time.

    One at a time, so that Pagefind's memory is one shard's however many cores there are. Each run
    writes a fresh bundle in a scratch folder. Only when every run has succeeded are the fresh bundles
    put in place, each replacing whatever its folder holds.
    """
    global peak_kb
    scratch = folder / SCRATCH
    clear(scratch)  # left by a killed build
    try:
        fresh: list[Path] = []
        for number, shard in enumerate(shards):
            bundle = scratch / f"{number}-bundle"
            peak_kb = max(peak_kb, run_pagefind(folder, shard.pages, bundle,
                                                f"{shard.bundle} ({len(shard.pages)} pages)"))
            fresh.append(bundle)
        for shard, bundle in zip(shards, fresh, strict=True):
            put_bundle(bundle, folder, shard.bundle)
    finally:
        clear(scratch)


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
                remove_tree(entry)
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


def run_pagefind(site: Path, pages: Sequence[str], bundle: Path, shown: str = "the site") -> int:
    """Index pages (paths under site), spaced for reading, into bundle; return Pagefind's peak memory in kB.

    Pagefind runs as a service and is handed the pages one by one in the order given, since it numbers
    pages in the order it meets them: left to find them itself, it would follow the order the file
    system lists a folder in, and the index's bytes would differ between machines. The bundle's files
    come back in its answer and are written here: the service's own writes may be unfinished when it
    exits. It runs in the bundle's parent folder, never in the project: it would read a pagefind.yml
    there, and a pull request could commit one that tells it where to write its log. The small Python
    process runs isolated (-I), so no module beside it or in the environment is imported in its place.
    """
    bundle.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as stderr, subprocess.Popen(
            [sys.executable, "-I", "-c", RUN_AND_MEASURE, str(os.getpid()), pagefind_binary(), "--service"],
            cwd=bundle.parent, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr) as service:
        refused, files = "", []
        try:
            files = _index_through(service, site, pages)
        except _Stopped as stopped:
            refused = str(stopped)
        except BaseException:
            service.kill()
            raise
        assert service.stdin is not None and service.stdout is not None
        with contextlib.suppress(BrokenPipeError):
            service.stdin.close()  # the service ends when its input does
        ending = service.stdout.read().decode(errors="replace")
        service.wait()
        stderr.seek(0)
        said = stderr.read().decode(errors="replace")
    _, marker, ending = ending.rpartition("\npeak_kb=")
    peak, _, code = ending.partition(" exit=") if marker else ("", "", "")
    outside = [name for name, _ in files if name.startswith("/") or ".." in name.split("/")]
    if refused or service.returncode != 0 or code.strip() != "0" or outside:
        why = refused or (f"it named a file outside its bundle: {outside[0]}" if outside else
                          why_pagefind_failed(said, code))
        raise BuildFailed([Problem("templates/base.html", 1, 1, f"Pagefind could not index {shown}: {why}")])
    for name, content in files:
        (bundle / name).parent.mkdir(parents=True, exist_ok=True)
        (bundle / name).write_bytes(content)
    return int(peak)


class _Stopped(Exception):
    """Pagefind refused a request (the message is its own words) or ended before answering (no message)."""


def _index_through(service: subprocess.Popen[bytes], site: Path, pages: Sequence[str]) -> list[tuple[str, bytes]]:
    """Ask a running `pagefind --service` for an index of pages, a request at a time, so every request
    carries the same id; return the bundle's files (path in the bundle, bytes).

    A message either way is base64 of JSON, ended by a comma."""
    assert service.stdin is not None and service.stdout is not None
    stdin, stdout = service.stdin, service.stdout
    waiting = bytearray()

    def ask(payload: dict[str, object], about: str = "") -> dict[str, Any]:
        try:
            stdin.write(base64.b64encode(json.dumps({"message_id": 1, "payload": payload}).encode()) + b",")
            stdin.flush()
        except BrokenPipeError:
            raise _Stopped() from None
        searched = 0
        while (end := waiting.find(b",", searched)) < 0:
            searched = len(waiting)
            more = os.read(stdout.fileno(), 1 << 20)
            if not more:
                raise _Stopped()
            waiting.extend(more)
        answer: dict[str, Any] = json.loads(base64.b64decode(waiting[:end]))["payload"]
        del waiting[:end + 1]
        if answer["type"] == "Error":
            raise _Stopped(f"{about}{answer['message']}")
        return answer

    index = ask({"type": "NewIndex", "config": None})["index_id"]
    for rel in pages:
        ask({"type": "AddFile", "index_id": index, "file_path": rel, "url": None,
             "file_contents": spaced((site / rel).read_bytes()).decode()}, about=f"{rel}: ")
    files = ask({"type": "GetFiles", "index_id": index})["files"]
    return [(file["path"], base64.b64decode(file["content"])) for file in files]


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
