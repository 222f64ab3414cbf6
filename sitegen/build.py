"""The recipe: load → validate → resolve → check → plan → render → write → index.

Each stage reports all its problems at once, and a build that fails leaves the output folder as it
was. With a BuildCache (on disk outside the work tree, see cache.cache_folder; the preview's in
memory), a page whose key is unchanged (see page_keys) is not rendered again, unchanged files are
hard-linked from the last output instead of written, and Pagefind indexes again only the search
shards holding a changed page. The output is the same bytes either way.
"""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import models as m
from . import parallel
from .cache import BuildCache, CacheState, code_version, digest, files_under, tree_digest
from .content_checks import ItemChecks, check_content
from .emptied import cache_folder_or_none, emptied_files, missing_items, record_item_counts
from .errors import BuildFailed, Collector, Problem, position
from .fields import ID_PATTERN
from .inputs import InputRefused, read_input, read_text, static_files
from .load import Marked, ValuesRead, check_markdown_text, parse_list, split_page
from .page_checks import check_blocks, check_written_pages
from .parallel import render_pages
from .plan import CHANGES, PAGES, PageJob, plan_pages, search_shards
from .render import Renderer, Settings, convert_bodies
from .resolve import KeptLinks, Located, PageSource, Ref, Site, resolve_site
from .search import Shard, bundle_of, index_shards
from .validate import slugify, validate_list, validate_one
from .write import SiteWriter, check_output, output_hash

INPUT_FOLDERS = ("data", "content", "templates", "sources", "schemas")
"""Everything a build reads besides the code."""


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
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    def report(self) -> str:
        return " ".join(f"{name.replace(' ', '_')}={seconds:.3f}" for name, seconds in self.seconds.items())


Kept = dict[str, dict[str, tuple[Marked, Any]]]
"""Each data file's items by kind, item text → its marks and validated model: the preview keeps them
between saves, so an item whose text is the same is not parsed or validated again."""


def load_data(project: Path, problems: Collector, timings: Timings,
              kept: Kept | None = None, read: ValuesRead | None = None) -> dict[str, list[Located]]:
    """Read and validate every data/<kind>.yaml, item by item (load.parse_list); a missing file is an
    empty list. The values read are let go once validated: the models hold what is needed of them."""
    read = read or ValuesRead()
    located: dict[str, list[Located]] = {}
    data_dir = project / "data"
    names = set(m.DATA_FILES)
    for path in sorted(data_dir.glob("*.y*ml")):
        if path.name.startswith("."):
            continue  # an editor's lock or backup file
        if path.stem not in names or path.suffix != ".yaml":
            problems.add(f"data/{path.name}", 1, 1,
                         f"unknown data file; data files are named {', '.join(sorted(k + '.yaml' for k in names))}")
    for kind, model in m.DATA_FILES.items():
        path = data_dir / f"{kind}.yaml"
        shown = f"data/{kind}.yaml"
        located[kind] = []
        if not os.path.lexists(path) or read.refuses(shown, problems):  # a link that leads nowhere is read
            continue
        last = kept.get(kind, {}) if kept is not None else {}
        with timings.stage("load"):
            text = read_text(path, shown, problems, data_dir)
            if text is not None:
                check_schema_line(text, kind, shown, problems)
            parsed = {item: (item, hit[0]) for item, hit in last.items()}
            doc = parse_list(text, shown, problems, parsed) if text is not None else None
        if doc is None or text is None:
            continue
        read.count += doc.count
        with timings.stage("validate"):
            if not doc.parts:  # read whole: not a plain list of items
                located[kind] = [Located(item, doc, (index,)) for index, item in validate_list(doc, model, problems)]
                doc.data = None
                doc.forget_marks(text)  # as each item's are, below
                continue
            now: dict[str, tuple[Marked, Any]] = {}
            for index, part in enumerate(doc.parts):
                if problems.full(shown):
                    break  # the rest is checked once what is listed is fixed
                hit = last.get(part.text)
                item = hit[1] if hit is not None and hit[0] is part.marks else validate_one(
                    doc, part.marks.data[0], (index,), model, problems)
                part.marks.data = None
                if item is not None:
                    located[kind].append(Located(item, doc, (index,)))
                    now[part.text] = (part.marks, item)
            if kept is not None:
                kept[kind] = now
    return located


def check_schema_line(text: str, kind: str, shown: str, problems: Collector) -> None:
    """A data file may point the editor's YAML extension only at the project's own schema, on its first
    line (as `build.py schema` writes it): one pointing at a web address would have the editor's machine
    fetch it when the file is opened."""
    expected = f"# yaml-language-server: $schema=../schemas/{kind}.schema.json"
    at = text.find("yaml-language-server")
    while at >= 0:
        start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at) % (len(text) + 1)
        if start != 0 or text[start:end].rstrip() != expected:
            problems.add(shown, text.count("\n", 0, at) + 1, at - start + 1,
                         f"a data file names only its own schema, on its first line: {expected}; another"
                         " could be fetched from the web when the file is opened: "
                         + ("write the line so" if start == 0 else "delete this line"))
        at = text.find("yaml-language-server", end)


UNREVIEWED_FOLDERS = ("data", "content", "sources")
"""The folders a pull request's reviewer does not read as code (SECURITY.md, step 1)."""
SCHEMA_NAMING = re.compile(r"yaml-language-server|\$schema")
EDITOR_READ = (".yaml", ".yml", ".json", ".jsonc", ".json5")
"""Files an editor's YAML or JSON support reads, and fetches the schema they name from the web."""


OTHER_FILE_BYTES = 1_000_000
"""The largest YAML or JSON file besides the data files. The build reads one only to look for a schema
line, and Git stores identical files once, so copies of one large file would cost a pull request
nothing and a check minutes of reading."""


def check_other_schema_lines(folder: Path, listed: list[tuple[str, str, os.stat_result]],
                             problems: Collector) -> None:
    """A YAML or JSON file other than the data files (which check_schema_line checks) may name no schema
    at all: opening it in an editor could fetch one from the web."""
    for rel, path, stat in listed:
        if not rel.endswith(EDITOR_READ) or (folder.name == "data" and rel.removesuffix(".yaml") in m.DATA_FILES):
            continue
        if stat.st_size > OTHER_FILE_BYTES:
            problems.add(f"{folder.name}/{rel}", 1, 1, f"the file is {stat.st_size:,} bytes; a YAML or JSON file here"
                         f" other than the data files may be {OTHER_FILE_BYTES:,} at most (the build reads none)")
            continue
        try:
            text = read_input(Path(path), folder).decode("utf-8", "replace")
        except (InputRefused, OSError):
            continue  # the build reads no such file: what matters is what an editor would fetch from it
        if found := SCHEMA_NAMING.search(text):
            problems.add(f"{folder.name}/{rel}", *position(text, found.start()),
                         "a file here may name no schema: an editor that opens it could fetch that schema from the"
                         " web; delete this line (the data files name theirs, in schemas/)")


RESERVED_PAGE_NAMES = {*m.DATA_FILES, "static", "search", "print", "a-z", "data", "schemas", "pagefind", "404", "for"}
"""Addresses the generator's own pages and files take: a content page of that name would clash."""


def is_page_name(stem: str) -> bool:
    """A content page's file name makes its address, so it must be an id and not a section's name."""
    return re.fullmatch(ID_PATTERN, stem) is not None and stem not in RESERVED_PAGE_NAMES


def load_pages(project: Path, problems: Collector, read: ValuesRead | None = None) -> list[PageSource]:
    """Read every content/*.md page and validate its front matter."""
    read = read or ValuesRead()
    pages: list[PageSource] = []
    for path in sorted((project / "content").glob("*")):
        if path.suffix != ".md" and not path.name.startswith((".", "#")) and not path.name.endswith("~") \
                and path.is_file():  # not an editor's lock or backup file
            named = slugify(path.name.split(".")[0]) or "page"
            problems.add(f"content/{path.name}", 1, 1, "not read: a page's file name ends in .md (lower case),"
                                                        f" such as content/{named}.md")
    for path in sorted((project / "content").glob("*.md")):
        if path.name.startswith("."):
            continue  # an editor's lock or backup file, not a page
        shown = f"content/{path.name}"
        if not is_page_name(path.stem):
            problems.add(shown, 1, 1, f'"{path.stem}" is the address of a section of the site; give the page'
                                      " another name" if path.stem in RESERVED_PAGE_NAMES else
                         f'"{path.stem}" cannot name a page, whose file name is its address: use lower-case'
                         f" letters, digits and single hyphens, such as content/{slugify(path.stem) or 'my-page'}.md")
            continue
        if read.refuses(shown, problems):
            continue
        text = read_text(path, shown, problems, project / "content")
        raw = split_page(text, shown, path.stem, problems) if text is not None else None
        if raw is None or not check_markdown_text(raw.body, shown, raw.body_line, problems):
            continue
        read.count += raw.meta.count
        if not isinstance(raw.meta.data, dict):
            problems.add(shown, 2, 1, "the front matter must be key: value lines, e.g. title: About this site")
            continue
        meta = validate_one(raw.meta, raw.meta.data, (), m.Page, problems)
        if meta is not None:
            pages.append(PageSource(path.stem, shown, meta, raw.body, raw.body_line, raw.meta))
    return pages


def check_site(project: Path, timings: Timings | None = None, kept: Kept | None = None,
               checks: dict[str, ItemChecks] | None = None, links: KeptLinks | None = None) -> Site:
    """Load, validate, resolve and check everything; raise BuildFailed with every problem found.

    The preview's kept, checks and links hold the data files read, the items checked (ItemChecks) and
    their links resolved (KeptLinks) last time: what is the same is not read, resolved or checked again."""
    timings = timings or Timings()
    problems = Collector()
    for folder in INPUT_FOLDERS:
        if (project / folder).is_symlink():  # nothing would be read from it (see inputs.read_input)
            problems.add(folder, 1, 1, f"{folder}/ is a symbolic link; the build reads only what is inside the"
                                       f" project: put the folder itself here")
        try:  # within the bounds the preview looks at every file in (see files_under)
            listed = files_under(project / folder)
        except BuildFailed as failed:
            problems.extend(failed.problems)
            continue
        if folder in UNREVIEWED_FOLDERS:
            check_other_schema_lines(project / folder, listed, problems)
    problems.raise_if_any()
    read = ValuesRead()
    located = load_data(project, problems, timings, kept, read)
    with timings.stage("load"):
        pages = load_pages(project, problems, read)
    check_item_count(located, problems)
    problems.raise_if_any()
    with timings.stage("resolve"):
        site = resolve_site(located, pages, project / "sources", problems, links)
    if problems.problems:
        problems.extend([*emptied_files(project, located), *missing_items(located)])  # said first: they explain
    problems.raise_if_any()
    with timings.stage("check"):
        site.warnings = check_content(site, located, problems, checks)
    problems.raise_if_any()
    site.bodies = [entry for entry in located.get("recommendations", []) if entry.item.body]
    return site


MAX_ITEMS = 50_000
"""The most items the data files may hold in all, each with a page or more: the 10,000-item benchmark's
hold about 17,000, and checking and rendering take a few milliseconds an item."""
MAX_GLOSSARY_WORDS = 5_000
"""The most terms and aliases the glossary may hold together: every text on the site is searched for
each, so their cost is paid on every page. The real glossary holds 158, the benchmark's 500."""


def check_item_count(located: dict[str, list[Located]], problems: Collector) -> None:
    """Refuse, at the item past it, data of more than MAX_ITEMS items, or a glossary of more than
    MAX_GLOSSARY_WORDS terms and aliases, before any is checked."""
    entries = [entry for kind in m.DATA_FILES for entry in located.get(kind, ())]
    words = [entry for entry in located.get("glossary", []) for _word in (entry.item.term, *entry.item.aliases)]
    for held, limit, what in ((entries, MAX_ITEMS, "the data files hold {:,} items"),
                              (words, MAX_GLOSSARY_WORDS, "the glossary holds {:,} terms and aliases")):
        if len(held) > limit:
            past = held[limit]
            problems.add(past.doc.path, *past.doc.where(past.loc), f"{what.format(len(held))}, over the limit of"
                         f" {limit:,}, and this item passes it; no real site needs so many")


def plan(project: Path, site: Site, settings: Settings, cache: BuildCache) -> tuple[Renderer, list[PageJob]]:
    """The renderer and every page's job; raise BuildFailed on a Markdown or planning problem."""
    problems = Collector()
    renderer = Renderer(project / "templates", site, settings, cache.markdown, cache.jinja_folder())
    check_blocks(project / "templates", problems)
    convert_bodies(site, renderer, problems)
    problems.raise_if_any()
    jobs = plan_pages(site, renderer, problems)
    check_written_pages(site, jobs, project / "templates" / "static", problems)
    problems.raise_if_any()
    return renderer, jobs


def render(project: Path, settings: Settings, keep: bool = True) -> tuple[Site, dict[str, bytes]]:
    """The checked site and every output file by path, in memory; raise BuildFailed before anything is
    written. With keep False (`check`), each page is let go once rendered: a site's pages together can
    be far larger than the memory a check needs."""
    site = check_site(project)
    renderer, jobs = plan(project, site, settings, BuildCache(cache_folder_or_none(project)))  # compiled templates kept
    problems = Collector()
    files: dict[str, bytes] = {}
    for job in jobs:
        parts = renderer.render(job.template, job.dest, problems, job.shown.context)
        if parts is not None and keep:
            files[job.dest] = b"".join(parts)
        elif parts is not None:
            for _part in parts:  # a download is rendered as it is read, and its problems found so
                pass
    files.update(static_files(project / "templates", problems))
    problems.raise_if_any()
    return site, files


def page_keys(project: Path, site: Site, renderer: Renderer, jobs: list[PageJob], version: str) -> dict[str, str]:
    """Each page's key: the hash of the code, settings, templates, site-wide data, the content of
    every item and kind its job names, and its job's summary. The same key means the same bytes."""
    items: dict[Ref, bytes] = {}
    kinds: dict[str, str] = {}
    for kind, found in site.items.items():
        hashes = [(item_id, digest(item.model_dump_json().encode())) for item_id, item in sorted(found.items())]
        items.update((Ref(kind, item_id), f"{kind}/{item_id} {hashed}".encode()) for item_id, hashed in hashes)
        kinds[kind] = digest(*(f"{item_id} {hashed}".encode() for item_id, hashed in hashes))
    kinds[CHANGES] = digest(*(change.model_dump_json().encode() for change in site.changes))
    kinds[PAGES] = digest(*(part for page in site.pages
                            for part in (page.slug.encode(), page.meta.model_dump_json().encode(), page.body.encode())))
    named = {kind: f"{kind} {hashed}".encode() for kind, hashed in kinds.items()}
    common = digest(version.encode(), repr(renderer.settings).encode(), renderer.site_wide(),
                    *(tree_digest(project / folder).encode() for folder in ("templates", "schemas")))
    return {job.dest: digest(common.encode(), job.dest.encode(), job.template.encode(), job.shown.summary.encode(),
                             *(items.get(ref) or f"{ref.kind}/{ref.id} ".encode() for ref in job.shown.items),
                             *(named.get(kind) or f"{kind} ".encode() for kind in job.shown.kinds))
            for job in jobs}


@dataclass
class BuildResult:
    count: int
    """Files of the site, not counting the search index."""
    warnings: list[Problem]
    rendered: int = 0
    """Pages rendered by this build (the rest were unchanged and reused)."""


def build(project: Path, out: Path, settings: Settings, cache: BuildCache | None = None,
          timings: Timings | None = None, workers: int = 1) -> BuildResult:
    """Build into out, reusing what the cache proves unchanged; raise BuildFailed before out changes.

    workers > 1 renders the pages in that many processes (see render_pages), and indexes that many search
    shards at a time; the bytes are the same."""
    timings = timings or Timings()
    cache = cache or BuildCache(None)
    out = out.absolute()
    check_output(out, project)  # before any work: the writer checks again before it changes anything
    version = code_version()
    cache.load(version)
    compiling = parallel.start_compiling(project / "templates", cache.jinja_folder(), workers)
    try:
        site = check_site(project, timings, checks=cache.checks)
        with timings.stage("plan"):
            renderer, jobs = plan(project, site, settings, cache)
            keys = page_keys(project, site, renderer, jobs, version)
    except BaseException:
        parallel.finish_compiling(compiling, stop=True)
        raise
    parallel.finish_compiling(compiling)
    previous = cache.state if cache.state.out == str(out) else CacheState()
    state = CacheState(out=str(out))
    problems = Collector()
    writer = SiteWriter(out, project)
    try:
        with timings.stage("render"):
            hashes: dict[str, str] = {}
            fresh: list[PageJob] = []
            for job in jobs:
                last = previous.pages.get(job.dest)
                if last is not None and last[0] == keys[job.dest] and previous.hash_now(job.dest) == last[1]:
                    writer.link(job.dest, out / job.dest)
                    hashes[job.dest] = last[1]
                else:
                    fresh.append(job)
            hashes.update(render_pages(renderer, fresh, writer, problems, workers))
            rendered = len(fresh)
            for job in jobs:
                if job.dest in hashes:  # else a template error, reported below
                    state.pages[job.dest] = (keys[job.dest], hashes[job.dest])
                    state.files[job.dest] = hashes[job.dest]
            statics = static_files(project / "templates", problems)
            problems.raise_if_any()
            for rel, data in statics.items():
                state.files[rel], _ = writer.add(rel, [data], output_hash(out / rel))
        count = len(state.files)
        with timings.stage("search index"):
            stale = plan_search_index(jobs, settings, out, previous, state, writer)
            index = functools.partial(index_shards, shards=stale, at_once=workers) if stale else None
            writer.commit(state.files, index)
            record_bundles(out, state, {shard.bundle for shard in stale})
    finally:
        writer.discard()
    state.sign()
    cache.state = state
    cache.markdown = {key: renderer.markdown_memo[key] for key in sorted(renderer.markdown_used)}
    cache.save(version)
    record_item_counts(project, site)
    return BuildResult(count, site.warnings, rendered)


def plan_search_index(jobs: list[PageJob], settings: Settings, out: Path, previous: CacheState, state: CacheState,
                      writer: SiteWriter) -> list[Shard]:
    """Keep every search bundle whose pages are unchanged, and return the shards to index again.

    A shard's key is the hash of its pages' paths and bytes; its bundle is kept when the key is the
    same and its files in out still have the hashes the last build recorded (see CacheState.hash_now).
    """
    stale: list[Shard] = []
    old_files: dict[str, dict[str, str]] = {}
    for rel, hashed in previous.files.items():
        bundle = bundle_of(rel)
        if bundle is not None:
            old_files.setdefault(bundle, {})[rel] = hashed
    for shard in search_shards(jobs, settings):
        key = digest(*(f"{rel} {state.files.get(rel, '')}".encode() for rel in shard.pages))
        files = old_files.get(shard.bundle, {})
        if previous.search_keys.get(shard.bundle) == key and files and all(
                previous.hash_now(rel) == hashed for rel, hashed in files.items()):
            for rel, hashed in files.items():
                writer.link(rel, out / rel)
                state.files[rel] = hashed
        else:
            stale.append(shard)
        state.search_keys[shard.bundle] = key
    return stale


def record_bundles(out: Path, state: CacheState, bundles: set[str]) -> None:
    """Note the hash of every file of the search bundles this build indexed."""
    folder = out / "pagefind"
    if not bundles or not folder.is_dir():
        return
    for root, _folders, names in os.walk(folder):
        for name in names:
            rel = Path(root, name).relative_to(out).as_posix()
            if bundle_of(rel) in bundles:
                state.files[rel] = output_hash(out / rel) or ""


def peak_memory() -> str:
    """Peak memory of this build, of its other rendering processes and of Pagefind, in MB, for `build --timings`.

    A forked process starts with the peak its parent had reached, and counts the pages it shares with
    it: so the figures overlap, and their sum is more than the machine's memory used."""
    import resource

    from . import search

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (f"peak_build_mb={own / 1024:.0f} peak_workers_mb={parallel.workers_peak_kb / 1024:.0f}"
            f" peak_pagefind_mb={search.peak_kb / 1024:.0f}")
