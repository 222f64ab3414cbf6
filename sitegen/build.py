"""The recipe: load, validate, resolve, render, write. Each stage reports all its problems at once.

With a BuildCache (on disk outside the work tree, see cache.cache_folder; the preview's in memory),
a build does only the work whose inputs changed: items are parsed and validated again only when their
text changed, pages are rendered again only when a fact they showed changed, unchanged files are
hard-linked from the last output, and Pagefind indexes again only the search shards holding a changed
page. The output is the same bytes either way.
"""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from . import models as m
from .cache import (
    BuildCache,
    CacheState,
    Fact,
    Fingerprints,
    OutputFile,
    PageRecord,
    code_version,
    data_aspects,
    depends_on,
    digest,
    moved_aspects,
    tree_digest,
)
from .content_checks import check_content
from .emptied import cache_folder_or_none, emptied_files, record_item_counts
from .errors import Collector, Problem
from .load import ItemMarks, check_markdown_text, parse_yaml, read_text, split_page, split_text, split_text_again
from .plan import PageJob, plan_pages, search_shards
from .render import Renderer, Settings, convert_bodies, render_jobs, render_site, static_files, unique_jobs
from .resolve import Located, MarkdownText, PageSource, Site, resolve_site
from .search import Shard, bundle_of, index_shards
from .validate import validate_list, validate_one
from .write import MARKER, SiteWriter, check_output

INPUT_FOLDERS = ("data", "content", "templates", "sources", "schemas")
"""Everything a build reads besides the code: a change anywhere here is a change of input."""


@dataclass
class Timings:
    """Seconds spent in each stage of one build, for `build --timings` and the benchmarks."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def report(self) -> str:
        return " ".join(f"{name.replace(' ', '_')}={seconds:.3f}" for name, seconds in self.seconds.items())


def load_data(project: Path, problems: Collector, cache: BuildCache | None = None,
              timings: Timings | None = None) -> dict[str, list[Located]]:
    """Read and validate every data/<kind>.yaml; a missing file is an empty list."""
    timings = timings or Timings()
    located: dict[str, list[Located]] = {}
    data_dir = project / "data"
    known = set(m.DATA_FILES)
    for path in sorted(data_dir.glob("*.y*ml")):
        if path.name.startswith("."):
            continue  # an editor's lock or backup file
        if path.stem not in known or path.suffix != ".yaml":
            problems.add(f"data/{path.name}", 1, 1,
                         f"unknown data file; data files are named {', '.join(sorted(k + '.yaml' for k in known))}")
    for kind, model in m.DATA_FILES.items():
        path = data_dir / f"{kind}.yaml"
        shown = f"data/{kind}.yaml"
        if not os.path.lexists(path):  # a link that leads nowhere is read, and so reported
            located[kind] = []
            continue
        with timings.stage("load"):
            text = read_text(path, shown, problems, data_dir)
        if text is not None and cache is not None:
            items = load_items(text, shown, kind, model, cache, timings)
            if items is not None:
                located[kind] = items
                continue
        with timings.stage("load"):
            doc = parse_yaml(text, shown, problems) if text is not None else None
        if doc is None:
            located[kind] = []
            continue
        with timings.stage("validate"):
            located[kind] = [Located(item, doc, (index,)) for index, item in validate_list(doc, model, problems)]
    return located


def load_items(text: str, shown: str, kind: str, model: type[m.Strict], cache: BuildCache,
               timings: Timings) -> list[Located] | None:
    """The file's items, each parsed and validated only if its text is new to the cache.

    None when the file is not a plain list of items or any item has a problem: the file is then
    read whole, the usual way, so every problem is reported exactly as without a cache.
    """
    last = cache.splits.pop(shown, None)
    split = split_text(text) if last is None else split_text_again(text, last)
    if split is None:
        return None
    known_keys = cache.item_keys.pop(shown, {})
    keys: dict[str, str] = {}
    located: list[Located] = []
    for index, (first_line, chunk) in enumerate(split.items):
        key = keys[chunk] = known_keys.get(chunk) or digest(kind.encode(), chunk.encode())
        found = cache.items.get(key)
        if found is None:
            scratch = Collector()
            with timings.stage("load"):
                doc = parse_yaml(chunk, shown, scratch)
            if doc is None or not isinstance(doc.data, list) or len(doc.data) != 1:
                return None
            with timings.stage("validate"):
                item = validate_one(doc, doc.data[0], (0,), model, scratch)
            if item is None:
                return None
            found = cache.items[key] = (item, doc.literal)
        cache.used_items.add(key)
        item, literal = found
        marks = ItemMarks(shown, None, literal=literal, index=index, line_offset=first_line - 1, text=chunk)
        cache.item_hashes[id(item)] = key
        located.append(Located(item, marks, (index,)))
    if not cache.persist:  # the preview: its next save splits and hashes again only the edited items
        cache.splits[shown], cache.item_keys[shown] = split, keys
    return located


RESERVED_PAGE_NAMES = {*m.DATA_FILES, "static", "search", "print", "a-z", "data", "schemas", "pagefind", "404", "for"}
"""Addresses the generator's own pages and files take: a content page of that name would clash."""


def is_page_name(stem: str) -> bool:
    """A content page's file name makes its address, so it must be an id and not a section's name."""
    return re.fullmatch(m.ID_PATTERN, stem) is not None and stem not in RESERVED_PAGE_NAMES


def load_pages(project: Path, problems: Collector) -> list[PageSource]:
    """Read every content/*.md page and validate its front matter."""
    pages: list[PageSource] = []
    for path in sorted((project / "content").glob("*.md")):
        if path.name.startswith("."):
            continue  # an editor's lock or backup file, not a page
        shown = f"content/{path.name}"
        if not is_page_name(path.stem):
            problems.add(shown, 1, 1, f'"{path.stem}" cannot name a page: it would take the address of a section'
                                      " of the site or is not a valid id; rename the file, e.g. content/my-page.md")
            continue
        text = read_text(path, shown, problems, project / "content")
        raw = split_page(text, shown, path.stem, problems) if text is not None else None
        if raw is None or not check_markdown_text(raw.body, shown, raw.body_line, problems):
            continue
        if not isinstance(raw.meta.data, dict):
            problems.add(shown, 2, 1, "the front matter must be key: value lines, e.g. title: About this site")
            continue
        meta = validate_one(raw.meta, raw.meta.data, (), m.Page, problems)
        if meta is not None:
            pages.append(PageSource(path.stem, shown, meta, raw.body, raw.body_line, raw.meta))
    return pages


def check_site(project: Path, cache: BuildCache | None = None, timings: Timings | None = None) -> Site:
    """Load, validate and resolve everything; raise BuildFailed with every problem found."""
    timings = timings or Timings()
    problems = Collector()
    for folder in INPUT_FOLDERS:
        if (project / folder).is_symlink():  # nothing would be read from it (see inputs.read_input)
            problems.add(folder, 1, 1, f"{folder}/ is a symbolic link; the build reads only what is inside the"
                                       f" project: put the folder itself here")
    problems.raise_if_any()
    located = load_data(project, problems, cache, timings)
    with timings.stage("load"):
        pages = load_pages(project, problems)
    problems.raise_if_any()
    with timings.stage("resolve+quotes"):
        site = resolve_site(located, pages, project / "sources", problems)
    if problems.problems:
        problems.extend(emptied_files(project, located))  # said first: it explains the references' problems
    problems.raise_if_any()
    with timings.stage("content checks"):
        site.warnings = check_content(site, located, problems, cache.checks if cache else None)
    problems.raise_if_any()
    site.bodies = [MarkdownText(entry.item.body, entry.doc.path, *entry.doc.where((*entry.loc, "body")),
                                exact=entry.doc.is_literal((*entry.loc, "body")))
                   for entry in located.get("recommendations", []) if entry.item.body]
    return site


def render(project: Path, settings: Settings) -> tuple[Site, dict[str, bytes]]:
    """The checked site and every output file by path; raise BuildFailed before anything is written."""
    site = check_site(project)
    problems = Collector()
    compiled = BuildCache(cache_folder_or_none(project)).jinja_folder()  # compiled once, as for a build
    files = render_site(site, project / "templates", settings, problems, compiled)
    problems.raise_if_any()
    return site, files


def build_site(project: Path, out: Path, settings: Settings, cache: BuildCache | None = None,
               timings: Timings | None = None, workers: int = 1, defer_index: bool = False,
               in_place: bool = False) -> int:
    """Build the site into out, atomically; return the number of files written."""
    return build(project, out, settings, cache, timings, workers, defer_index, in_place).count


@dataclass
class BuildResult:
    count: int
    """Files of the site, not counting the search index."""
    warnings: list[Problem]
    rendered: int = 0
    """Pages rendered by this build (the rest were unchanged and reused)."""
    index_pending: bool = False
    """Some of the search index is still the last build's (defer_index): build again to update it."""


def build(project: Path, out: Path, settings: Settings, cache: BuildCache | None = None,
          timings: Timings | None = None, workers: int = 1, defer_index: bool = False,
          in_place: bool = False) -> BuildResult:
    """Build into out, reusing what the cache proves unchanged; raise BuildFailed before out changes.

    With defer_index (the preview), changed pages are swapped in with the last search index, and
    the result says so: the next build (which the preview starts at once) brings the index up to date.
    Only a search shard the last build did not have (or whose files are gone) is indexed at once.
    With in_place (the preview too), changed files replace the old ones inside out, one by one.
    """
    timings = timings or Timings()
    cache = cache or BuildCache(None)
    out = out.absolute()
    check_output(out, project)  # before any work: the writer checks again before it changes anything
    with timings.stage("load"):
        version = code_version()
        cache.load(version)
        seen = None if cache.persist else cache.files_seen  # the preview reads only the files that changed
        trees = {folder: tree_digest(project / folder, None if seen is None else seen.setdefault(folder, {}))
                 for folder in INPUT_FOLDERS}
        inputs_key = digest(version.encode(), repr(settings).encode(), str(out).encode(),
                            *(trees[folder].encode() for folder in INPUT_FOLDERS))
    previous = cache.state
    with timings.stage("write"):
        if previous.inputs_key == inputs_key and output_is_intact(out, previous, exact=True):
            return BuildResult(previous.count, previous.warnings)  # nothing changed: out is already right
    cache.item_hashes.clear()
    cache.used_items = set()
    site = check_site(project, cache, timings)
    if cache.persist:
        cache.items = {}  # kept only by the preview; here the marks would hold memory through rendering
    with timings.stage("plan"):
        cache.load_markdown()
        renderer = Renderer(project / "templates", site, settings, cache.jinja_folder(), cache.markdown, cache.carried)
        problems = Collector()
    with timings.stage("markdown"):
        convert_bodies(site, renderer, problems, workers)
    problems.raise_if_any()
    with timings.stage("plan"):
        jobs = unique_jobs(plan_pages(site, renderer, problems), problems)
        fingerprints = Fingerprints(site, renderer.views, cache.item_hashes)
        render_key = digest(version.encode(), repr(settings).encode(), str(out).encode(),
                            trees["templates"].encode(), trees["schemas"].encode(),
                            fingerprints.of_value(site_wide_data(site, renderer)).encode())
        trusted = previous.render_key == render_key and output_is_intact(out, previous, exact=False)
        aspects = data_aspects(site, fingerprints, previous.aspects)
        moved = moved_aspects(previous.aspects, aspects)
        if not cache.persist:
            renderer.carry(fingerprints, render_key, moved)
        contexts = [fingerprints.of_value((template, context)) for _dest, template, context in jobs]
        changed = changed_facts(previous, fingerprints, moved) if trusted else set()
        todo = [index for index, (dest, _, _) in enumerate(jobs)
                if not (trusted and is_reusable(previous, dest, contexts[index], changed))]
    cache.markdown = {key: renderer.markdown_memo[key] for key in sorted(renderer.markdown_used)}
    state = CacheState(render_key=render_key, inputs_key=inputs_key, out=str(out), warnings=site.warnings,
                       aspects=aspects)
    if trusted:  # the reused pages' facts, still with the same fingerprints
        state.facts = {fact: value for fact, value in previous.facts.items() if fact not in changed}
    shared: dict[Fact, Fact] = {fact: fact for fact in state.facts}  # each fact as one object (share_facts)
    writer = SiteWriter(out, in_place, project)
    try:
        written: dict[str, str] = {}
        same: set[str] = set()
        """Files that are the last build's very files (kept or hard-linked): their manifest entries hold."""
        rendering = set(todo)
        with timings.stage("write"):
            for index, (dest, _, _) in enumerate(jobs):
                if index not in rendering:
                    if writer.reuse(dest):
                        same.add(dest)
                    written[dest] = previous.files[dest].hash
                    state.pages[dest] = previous.pages[dest]
        with timings.stage("jinja"):  # and writing, in the same processes
            keep = functools.partial(put_file, writer, out, previous)
            for index, kept, facts in render_jobs(renderer, [jobs[i] for i in todo], problems, workers, keep):
                dest = jobs[todo[index]][0]
                if kept is not None and not problems.problems:
                    written[dest] = kept[0]
                    if kept[1]:
                        same.add(dest)
                    facts = share_facts(facts, shared)
                    for fact in facts.difference(state.facts):  # the others' are already this build's
                        state.facts[fact] = fingerprints.of_fact(fact)
                    state.pages[dest] = PageRecord(contexts[todo[index]], tuple(facts))
        problems.raise_if_any()
        note_workers_peak()
        if cache.persist:  # the command line carries no pieces to a next build
            renderer.forget_pieces()
            return_free_memory()
        with timings.stage("write"):
            statics = static_files(project / "templates", problems)
            problems.raise_if_any()
            for rel, data in statics.items():
                written[rel], is_same = put_file(writer, out, previous, rel, [data])
                if is_same:
                    same.add(rel)
        with timings.stage("search index"):
            search = plan_search_index(jobs, settings, out, written, previous, state, writer, same, defer_index,
                                       checked=trusted and in_place)
            finish, index_pending = search.finish, search.pending
        with timings.stage("search index" if finish else "write"):
            writer.kept.update(written)  # pages written by render workers too
            # in place, a re-indexed bundle's old files stay until its new ones are ready (index_shards)
            writer.commit(finish, stale=set(previous.files) - writer.kept - search.replaced
                          if previous.out == str(out) else None)
    except BaseException:
        if in_place:  # some pages may be written already: the next build must check and clean everything
            cache.state = CacheState()
        raise
    finally:
        writer.discard()
    with timings.stage("write"):
        state.count = len(written)
        state.files = describe_output(out, written, search.kept, previous, same, scan_all=finish is not None)
        cache.state = state
        del previous, keep  # the last state (keep holds it too) is replaced: its memory can hold the pickle's
        cache.index_pending = index_pending
        if not cache.persist:
            cache.carried = renderer.carried_forward()
        cache.save(version)
    record_item_counts(project, site)
    return BuildResult(len(written), site.warnings, len(todo), index_pending)


class SearchPlan(NamedTuple):
    finish: Callable[[Path], None] | None
    """The hook that indexes the shards whose bundles cannot be kept; None when all are kept."""
    pending: bool
    """Some kept bundle is of the last build's pages (defer_index): the preview indexes it next."""
    kept: list[str]
    """The last build's bundle files kept as they are."""
    replaced: set[str]
    """The last build's files of the bundles indexed again: finish replaces them."""


def plan_search_index(jobs: list[PageJob], settings: Settings, out: Path, written: dict[str, str],
                      previous: CacheState, state: CacheState, writer: SiteWriter, same: set[str],
                      defer_index: bool, checked: bool = False) -> SearchPlan:
    """Keep every search shard's bundle whose pages are unchanged, and plan to index the others.

    A shard's key is the hash of its pages' paths and bytes; its bundle is kept only when the key is
    the same (or defer_index) and its files are still the last build's. `checked` says this build
    found every file of the last build intact already (output_is_intact) and is the only one writing
    into out (the preview): it writes no bundle file before this, so they are not looked at again
    (20,000 files at 10,000 items). A command-line build looks again, after it has locked out.
    """
    shards = search_shards(jobs, settings)
    old_files: dict[str, list[str]] = {}
    for rel in previous.files:
        bundle = bundle_of(rel)
        if bundle is not None:
            old_files.setdefault(bundle, []).append(rel)
    stale: list[Shard] = []
    kept: list[str] = []
    replaced: set[str] = set()
    pending = False
    for shard in shards:
        key = digest(*(f"{rel} {written[rel]}".encode() for rel in shard.pages))
        old_key, files = previous.search_keys.get(shard.bundle), old_files.get(shard.bundle, [])
        if (old_key is None or not (old_key == key or defer_index) or previous.out != str(out) or not files
                or not (checked or files_are_intact(out, previous, files))):
            stale.append(shard)
            replaced.update(files)
        else:
            for rel in files:
                if writer.reuse(rel):
                    same.add(rel)
            kept += files
            if old_key != key:  # the bundle is of the last pages: build again soon
                key, pending = old_key, True
        state.search_keys[shard.bundle] = key
    if pending:
        state.inputs_key = ""
    finish = functools.partial(index_shards, shards=stale) if stale else None
    return SearchPlan(finish, pending, kept, replaced)


def site_wide_data(site: Site, renderer: Renderer) -> tuple[object, ...]:
    """What every page shows besides its own facts: the navigation, the footer's date, the glossary links.

    Hashed into the render key, so a change here renders every page again.
    """
    pages = [(page.slug, page.path, page.meta) for page in site.pages]  # the menu, and the home page's list
    terms = [(t.words, t.href, t.title) for t in renderer.linker.by_word.values()]
    return pages, renderer.env.globals["latest_source_date"], terms


def share_facts(facts: frozenset[Fact], shared: dict[Fact, Fact]) -> frozenset[Fact]:
    """The same facts, each as the object every other page's record holds.

    Each page's facts arrive as new objects (from a worker, or made when read). At 10,000 items the
    pages read 340,000 facts but only 87,000 distinct ones; sharing them saves memory here and when
    the next build loads the cache (pickle keeps an object shared).
    """
    return frozenset([shared.setdefault(fact, fact) for fact in facts])


def changed_facts(previous: CacheState, fingerprints: Fingerprints, moved: set[str] | None) -> set[Fact]:
    """The facts the last build's pages read whose fingerprint is not the same any more.

    Each fact is computed once here, however many pages read it, and only when the aspect of the data
    it is worked out from moved (all of them when moved is None).
    """
    return {fact for fact, value in previous.facts.items()
            if (moved is None or (aspect := depends_on(fact)) is None or aspect in moved)
            and fingerprints.of_fact(fact) != value}


def is_reusable(previous: CacheState, dest: str, context: str, changed: set[Fact]) -> bool:
    """Whether the last build's page at dest is still right: same context, no fact it read changed."""
    record = previous.pages.get(dest)
    return (record is not None and record.context == context and dest in previous.files
            and changed.isdisjoint(record.facts))


def put_file(writer: SiteWriter, out: Path, previous: CacheState, rel: str,
             chunks: Iterable[bytes]) -> tuple[str, bool]:
    """Write a file from its bytes as they come, or keep the old file when they are the same; return
    the bytes' hash and whether the last build's very file was kept (then its manifest entry holds)."""
    old = previous.files.get(rel)
    usable = old is not None and previous.out == str(out) and is_unchanged(out / rel, old)
    return writer.add(rel, chunks, old.hash if old is not None and usable else None)


def is_unchanged(path: Path, meta: OutputFile) -> bool:
    try:
        return is_same_file(os.stat(path), meta)
    except OSError:
        return False


def files_are_intact(out: Path, previous: CacheState, files: list[str]) -> bool:
    """Whether these files of the last build are still in out as it left them (see output_is_intact)."""
    folder = f"{out}/"
    try:
        return all(is_same_file(os.stat(folder + rel), previous.files[rel]) for rel in files)
    except OSError:
        return False


def output_is_intact(out: Path, previous: CacheState, *, exact: bool) -> bool:
    """Whether out still holds the files the last build wrote (same size, inode and mtime).

    With exact, out must hold nothing else either. A file changed or removed by hand fails the check,
    so it is rendered or linked again, never trusted.
    """
    if previous.out != str(out) or not previous.files:
        return False
    if exact:
        count = 0
        for rel, stat in scan_output(out):
            meta = previous.files.get(rel)
            if meta is None or not is_same_file(stat, meta):
                return False
            count += 1
        return count == len(previous.files)
    return files_are_intact(out, previous, list(previous.files))


def is_same_file(stat: os.stat_result, meta: OutputFile) -> bool:
    return (stat.st_size, stat.st_ino, stat.st_mtime_ns) == (meta.size, meta.inode, meta.mtime_ns)


def scan_output(folder: Path, prefix: str = "") -> Iterator[tuple[str, os.stat_result]]:
    """Every file under folder by relative path, with its stat, one at a time (40,000 at 10,000 items)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from scan_output(Path(entry.path), f"{prefix}{entry.name}/")
        elif entry.name == MARKER and not prefix:
            continue  # the writer's, not the build's: it is written once and never replaced
        else:
            yield prefix + entry.name, entry.stat(follow_symlinks=False)


def describe_output(out: Path, written: dict[str, str], kept: list[str], previous: CacheState, same: set[str],
                    scan_all: bool = True) -> dict[str, OutputFile]:
    """The manifest of the new output: every file's stat, and the hash of those the build wrote.

    The output is the files written and the search bundles' files kept. A file that is the last
    build's very file (kept in place or hard-linked) keeps its inode and mtime, so its last entry is
    reused; other files are stat'ed, and everything is when something else (Pagefind) wrote into out.
    """
    if scan_all or previous.out != str(out):
        return {rel: manifest_entry(previous, rel, written.get(rel, ""), stat) for rel, stat in scan_output(out)}
    files: dict[str, OutputFile] = {}
    for rel in sorted({*written, *kept}):
        old = previous.files.get(rel)
        if old is not None and rel in same:
            files[rel] = old
        else:
            stat = os.stat(out / rel)
            files[rel] = OutputFile(written.get(rel, ""), stat.st_size, stat.st_ino, stat.st_mtime_ns)
    return files


def manifest_entry(previous: CacheState, rel: str, hashed: str, stat: os.stat_result) -> OutputFile:
    """The manifest entry of a file: the last build's when it is still that very file (40,000 at
    10,000 items, most of them unchanged), else a new one."""
    old = previous.files.get(rel)
    if old is not None and old.hash == hashed and is_same_file(stat, old):
        return old
    return OutputFile(hashed, stat.st_size, stat.st_ino, stat.st_mtime_ns)


def return_free_memory() -> None:
    """Give the memory the rendering freed back to the system, where the C library can (glibc's
    malloc_trim), so that saving the cache does not add to the build's peak: 20 MB at 10,000 items.
    Elsewhere the freed memory is only reused."""
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def note_workers_peak() -> None:
    import resource

    global _workers_peak_kb
    _workers_peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def peak_memory() -> str:
    """Peak memory of this build, its render workers and Pagefind, in MB, for `build --timings`."""
    import resource

    from . import search

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (f"peak_build_mb={own / 1024:.0f} peak_workers_mb={_workers_peak_kb / 1024:.0f}"
            f" peak_pagefind_mb={search.peak_kb / 1024:.0f}")


_workers_peak_kb = 0
"""RUSAGE_CHILDREN after the render workers ended and before Pagefind ran: the workers' peak (kB)."""


def default_workers() -> int:
    """Processes to render a cold build with: the machine's cores."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

