"""The build cache: do again only the work whose inputs changed, and prove it by content hashes.

Kept between builds outside the work tree (see cache_folder):

- validated items, keyed by the hash of their YAML text, so an edit re-parses one item, not a file
  (in memory only, for the preview: from disk, unpickling 10,000 items took as long as parsing them);
- converted Markdown, keyed by the hash of its text;
- for every output file, the hash of its job's context and the *facts* the page read while it was
  rendered (an item, a whole kind, a backlink list, a query such as "pilots testing proposal X"),
  each with its fingerprint; a page is reused only when every fact still has the same fingerprint,
  so one edited item re-renders exactly the pages that showed it;
- the manifest of the last output folder (hash, size, inode and mtime of every file), so unchanged
  files are hard-linked from it instead of written, and Pagefind indexes again only the search
  shards holding a changed page (see search.py).

Everything that is not a fact of the data (templates, code, settings, library versions, the glossary
terms linked on every page, the navigation) is hashed into one key: when it changes, every page is
rendered again. A cache file is a pickle behind a checksum and that key; anything that does not
match (corrupt, truncated, another version) is ignored and rebuilt, never trusted. Loading a pickle
(or Jinja's compiled templates) runs code, and anyone can compute a checksum: that is why the cache
is never in the work tree, where a pull request could put one.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import struct
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISLNK, S_ISREG
from typing import Any

from pydantic import BaseModel

from . import models as m
from .errors import BuildFailed, Problem
from .inputs import home_of, is_inside
from .resolve import Ref, Site, item_links
from .views import Views

Fact = tuple[Any, ...]
"""Something a page read from the site, e.g. ("item", "pilots", "x") or ("kind", "themes")."""

CACHE_FORMAT = b"sitegen-cache-2"
PACKAGE = Path(__file__).resolve().parent


def digest(*parts: bytes) -> str:
    """A short content hash of some bytes: SHA-256, cut to 128 bits.

    SHA-256 rather than BLAKE2, because OpenSSL runs it on the CPU's SHA instructions: twice as fast
    on these machines, and a save at 10,000 items hashes about 90 MB of pages.
    """
    h = hashlib.sha256(struct.pack(f"<Q{len(parts)}Q", len(parts), *map(len, parts)))  # the lengths first
    h.update(b"".join(parts))
    return h.hexdigest()[:32]


@functools.cache
def code_version() -> str:
    """Hash of this package's source and the versions of everything that shapes the output.

    Computed once per process: the code a process runs cannot change under it.
    """
    from importlib.metadata import PackageNotFoundError, version

    import jinja2
    import markdown
    import pydantic
    import yaml

    pagefind = [os.environ.get("PAGEFIND_BINARY_PATH", "")]  # kept search bundles must be merged
    for package in ("pagefind", "pagefind_bin", "pagefind_bin_extended"):  # with ones of the same Pagefind
        try:
            pagefind.append(version(package))
        except PackageNotFoundError:
            pagefind.append("")
    sources = [path.read_bytes() for path in sorted(PACKAGE.glob("*.py"))]
    versions = (f"{sys.version}|{jinja2.__version__}|{markdown.__version__}|{pydantic.VERSION}|{yaml.__version__}"
                f"|{'|'.join(pagefind)}")
    return digest(versions.encode(), *sources)


def cache_folder(project: Path) -> Path:
    """The build cache of a project: $XDG_CACHE_HOME/sitegen/<SHA-256 of the project's real path>/
    (~/.cache when XDG_CACHE_HOME is unset), made readable by its owner only.

    Never inside the work tree: a `.cache/` committed there is never read.
    """
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    real = project.resolve()
    folder = root / "sitegen" / hashlib.sha256(os.fsencode(real)).hexdigest()
    shown = str(folder)
    if folder.resolve().is_relative_to(real):
        raise BuildFailed([Problem(shown, 1, 1, "the build cache would be inside the project, where a pull request"
                                                " could put one: set XDG_CACHE_HOME to a folder outside it")])
    root.mkdir(parents=True, exist_ok=True)
    for level in (folder.parent, folder):
        level.mkdir(mode=0o700, exist_ok=True)
        if hasattr(os, "getuid") and level.stat().st_uid != os.getuid():
            raise BuildFailed([Problem(str(level), 1, 1, "the build cache's folder belongs to another user, who"
                                                         " could put code in it: remove it, or set XDG_CACHE_HOME")])
        level.chmod(0o700)
    return folder


FileSeen = tuple[tuple[int, int, int], bytes, bool]
"""A file's (size, inode, mtime), the hash of its bytes, and whether it had been unchanged for a while
when they were read (see tree_digest)."""

SETTLED_NS = 1_000_000_000
"""A file last changed this long before it was read cannot change again without a new mtime."""


def tree_digest(folder: Path, seen: dict[str, FileSeen] | None = None) -> str:
    """Hash of every file's path and bytes under folder (see files_under); '' when it is missing.

    With `seen` (the preview's memory of the last save), a file is not read again while its size,
    inode and mtime are the same and it had been unchanged for a second when it was last read: a
    file written again within one tick of the clock could keep its mtime, so a fresh one is always read.
    """
    if not folder.is_dir():
        return ""
    parts: list[bytes] = []
    found: dict[str, FileSeen] = {}
    for rel, key, stat in files_under(folder):
        stamp = (stat.st_size, stat.st_ino, stat.st_mtime_ns)
        known = seen.get(key) if seen is not None else None
        if known is None or known[0] != stamp or not known[2]:
            settled = time.time_ns() - stat.st_mtime_ns >= SETTLED_NS
            try:
                known = (stamp, digest(Path(key).read_bytes()).encode(), settled)
            except FileNotFoundError:  # gone again since it was listed
                continue
        found[key] = known
        parts += [rel.encode(), known[1]]
    if seen is not None:
        seen.clear()
        seen.update(found)
    return digest(*parts)


def files_under(folder: Path) -> list[tuple[str, str, os.stat_result]]:
    """Every regular file under folder as (relative POSIX path, path, stat), in path order.

    A symlinked folder is not entered, and a symlink is followed only to a file inside folder: one
    that leads out (to /dev/zero, say) is left to the build's reader, which refuses it with its place
    (see inputs.read_input). os.walk and os.lstat, because pathlib took four times as long: the
    preview lists every input on each save, and a large site has a thousand source texts.
    """
    found: list[tuple[str, str, os.stat_result]] = []
    if folder.is_symlink():
        return found
    top = str(folder)
    home = home_of(folder)
    for root, _folders, names in os.walk(top):
        prefix = "" if root == top else root[len(top) + 1:].replace(os.sep, "/") + "/"
        for name in names:
            path = os.path.join(root, name)
            try:
                stat = os.lstat(path)
                if S_ISLNK(stat.st_mode):
                    if not is_inside(path, home):
                        continue
                    stat = os.stat(path)
            except OSError:  # an editor's temporary file, gone again mid-scan, or a broken link
                continue
            if S_ISREG(stat.st_mode):
                found.append((prefix + name, path, stat))
    found.sort(key=lambda entry: entry[0].split("/"))
    return found


# --- Recording what a page reads ----------------------------------------------------------------

_traces: list[set[Fact]] = []


def record(fact: Fact) -> None:
    """Note that the page being rendered read this fact (no-op outside a trace)."""
    if _traces:
        _traces[-1].add(fact)


def record_all(*fact_sets: frozenset[Fact]) -> None:
    """record() each fact of these sets (kept pieces of page record every fact they read)."""
    if _traces:
        _traces[-1].update(*fact_sets)


@contextmanager
def tracing() -> Iterator[set[Fact]]:
    """Collect the facts read inside the block."""
    facts: set[Fact] = set()
    _traces.append(facts)
    try:
        yield facts
    finally:
        _traces.pop()


class TrackedItems(dict[str, Any]):
    """One kind's items by id. Reading one item records it; walking the kind records the whole kind."""

    def __init__(self, kind: str, items: dict[str, Any]):
        super().__init__(items)
        self.kind = kind

    def __getitem__(self, key: str) -> Any:
        record(("item", self.kind, key))
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        record(("item", self.kind, key))
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        record(("item", self.kind, key))
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        record(("kind", self.kind))
        return super().__iter__()

    def __len__(self) -> int:
        record(("count", self.kind))  # a page that shows only how many does not depend on which
        return super().__len__()

    def keys(self) -> Any:
        record(("kind", self.kind))
        return super().keys()

    def values(self) -> Any:
        record(("kind", self.kind))
        return super().values()

    def items(self) -> Any:
        record(("kind", self.kind))
        return super().items()

    def __reduce__(self) -> Any:
        return (TrackedItems, (self.kind, dict(super().items())))


def track_items(site: Site) -> None:
    """Make every kind's items record reads (idempotent)."""
    for kind, items in site.items.items():
        if not isinstance(items, TrackedItems):
            site.items[kind] = TrackedItems(kind, items)


class TracedViews(Views):
    """Views answered from indexes built once (not a scan per call), each answer recorded as a fact.

    The answers are the same lists, in the same order, as the plain Views gives.
    """

    def __init__(self, site: Site):
        with tracing():  # building the indexes reads everything; no page should depend on that
            super().__init__(site)
            self._by_field: dict[tuple[str, str], dict[str, list[Any]]] = {}
            self._status: dict[str, list[Any]] = defaultdict(list)
            for _, rec in sorted(site.items["recommendations"].items()):
                self._status[rec.response.status.value].append(rec)
            self._in_area: dict[str, list[Any]] = defaultdict(list)
            for _, pilot in sorted(site.items["pilots"].items()):
                for area_id in dict.fromkeys(a.area for a in pilot.areas):
                    self._in_area[area_id].append(pilot)

    def _where(self, kind: str, field: str, value: str) -> list[Any]:
        """Items of kind whose list field holds value, by id (as Views' scans give them)."""
        index = self._by_field.get((kind, field))
        if index is None:
            index = defaultdict(list)
            with tracing():
                for _, item in sorted(self.site.items[kind].items()):
                    for member in dict.fromkeys(getattr(item, field)):
                        index[member].append(item)
            self._by_field[(kind, field)] = index
        return list(index.get(value, []))

    def quotes_from(self, source_id: str) -> list[Any]:
        record(("quotes", source_id))
        return super().quotes_from(source_id)

    def backlinks(self, ref: Ref) -> list[Ref]:
        record(("backlinks", ref))
        return super().backlinks(ref)

    def changes(self, ref: Ref) -> list[Any]:
        record(("changes", ref))
        return super().changes(ref)

    def recommendations_where(self, field: str, value: str) -> list[Any]:
        record(("query", "recommendations_where", field, value))
        return self._where("recommendations", field, value)

    def recommendation_ids_where(self, field: str, value: str) -> list[str]:
        record(("query", "recommendation_ids_where", field, value))
        with tracing():
            return super().recommendation_ids_where(field, value)

    def count_recommendations_where(self, field: str, value: str) -> int:
        record(("query", "count_recommendations_where", field, value))
        with tracing():
            return super().count_recommendations_where(field, value)

    def overdue_ids(self) -> tuple[str, ...]:
        record(("query", "overdue_ids"))
        with tracing():
            return super().overdue_ids()

    def statuses_within(self, theme_id: str) -> list[tuple[str, int]]:
        record(("query", "statuses_within", theme_id))
        with tracing():
            return super().statuses_within(theme_id)

    def pilots_where(self, field: str, value: str) -> list[Any]:
        record(("query", "pilots_where", field, value))
        return self._where("pilots", field, value)

    def funding_where(self, field: str, value: str) -> list[Any]:
        record(("query", "funding_where", field, value))
        return self._where("funding", field, value)

    def by_status(self, status: str) -> list[Any]:
        record(("query", "by_status", status))
        return list(self._status.get(status, []))

    def statuses(self) -> list[tuple[str, int]]:
        record(("query", "statuses"))
        with tracing():
            return super().statuses()

    def pilots_in_area(self, area_id: str) -> list[Any]:
        record(("query", "pilots_in_area", area_id))
        return list(self._in_area.get(area_id, []))


# --- Fingerprints -------------------------------------------------------------------------------


class Fingerprints:
    """Fingerprints of values and facts against one build's site, each computed once."""

    def __init__(self, site: Site, views: TracedViews, item_hashes: dict[int, str]):
        self.site = site
        self.views = views
        self.item_hashes = dict(item_hashes)
        """id() of each item loaded through the cache → hash of its YAML text."""
        self.computed: dict[int, tuple[BaseModel, str]] = {}
        """Hashes of other models' JSON, holding the model so that its id() is not reused."""
        self.known: dict[Fact, str] = {}

    def of_item(self, item: BaseModel) -> str:
        found = self.item_hashes.get(id(item))
        if found is not None:
            return found
        computed = self.computed.get(id(item))
        if computed is None:
            computed = self.computed[id(item)] = (item, digest(item.model_dump_json().encode()))
        return computed[1]

    def of_value(self, value: Any) -> str:
        """A hash of a context value: models by their content, strings with their safe/unsafe type."""
        parts: list[bytes] = []
        self._feed(value, parts)
        return digest(*parts)

    def _feed(self, value: Any, parts: list[bytes]) -> None:
        kind = type(value)
        if kind is str:  # the commonest first; isinstance of a model (an ABC) is the slowest test, so last
            parts += [b"str", value.encode()]
        elif kind is Ref:  # references are many; before the tuple test, which a Ref (a named tuple) passes
            parts += [b"Ref", value.kind.encode(), value.id.encode()]
        elif isinstance(value, list | tuple):
            parts.append(f"[{len(value)}".encode())
            for member in value:
                self._feed(member, parts)
        elif isinstance(value, dict):
            parts.append(f"{{{len(value)}".encode())
            for key, member in value.items():
                self._feed(key, parts)
                self._feed(member, parts)
        elif isinstance(value, BaseModel):
            parts += [b"M", self.of_item(value).encode()]
        elif isinstance(value, str):
            parts += [kind.__name__.encode(), value.encode()]  # Markup is escaped differently
        else:  # numbers, dates, None and frozen dataclasses of plain values
            parts.append(repr(value).encode())

    def of_fact(self, fact: Fact) -> str:
        found = self.known.get(fact)
        if found is None:
            found = self.known[fact] = self._compute(fact)
        return found

    def _compute(self, fact: Fact) -> str:
        what = fact[0]
        if what == "item":  # the commonest, and it reads nothing a page could record
            items = self.site.items[fact[1]]
            return self.of_item(dict.__getitem__(items, fact[2])) if dict.__contains__(items, fact[2]) else "absent"
        with tracing():
            if what == "kind":
                return self.of_value(list(dict.items(self.site.items[fact[1]])))
            if what == "count":
                return str(dict.__len__(self.site.items[fact[1]]))
            if what == "quotes":
                return self.of_value(self.views.quotes_from(fact[1]))
            if what == "backlinks":
                return self.of_value(self.views.backlinks(fact[1]))
            if what == "changes":
                return self.of_value(self.views.changes(fact[1]))
            if what == "query":
                return self.of_value(getattr(self.views, fact[1])(*fact[2:]))
        raise ValueError(f"unknown fact {fact!r}")


# --- What facts are worked out from -------------------------------------------------------------

QUERY_KINDS: dict[str, str] = {
    "recommendations_where": "recommendations", "recommendation_ids_where": "recommendations",
    "count_recommendations_where": "recommendations", "by_status": "recommendations",
    "statuses": "recommendations", "statuses_within": "recommendations", "pilots_where": "pilots",
    "pilots_in_area": "pilots", "funding_where": "funding",
}
"""The one kind each of TracedViews' queries reads."""

READS_SEVERAL_KINDS = frozenset({"overdue_ids"})
"""Queries that read several kinds (a plan, the items it names, the sources' dates): depends_on gives
them no aspect, so they are worked out again on every build; each answer is a short tuple of ids."""


def depends_on(fact: Fact) -> str | None:
    """The aspect of the data (see data_aspects) a fact is worked out from; None for anything else.

    A fact whose aspect is the same as in the last build has the same fingerprint, so it need not
    be worked out again: on a save, most of a large site's facts are skipped this way.
    """
    what = fact[0]
    if what in ("item", "kind", "count"):
        return f"items:{fact[1]}"
    if what == "query":
        kind = QUERY_KINDS.get(fact[1])
        return None if kind is None else f"items:{kind}"
    if what in ("backlinks", "quotes"):  # which items name which, and what they quote
        return "links"
    if what == "changes":
        return "changes"
    return None


_links: m.ItemMemo[bytes] = m.ItemMemo()


def links_text(item: Any) -> bytes:
    """What an item names and quotes (not where), as bytes, to hash into the "links" aspect."""
    references, citations = item_links(item)
    named = [f"{' '.join(kinds)}:{target}" for _, kinds, target in references]
    quoted = [f"{c.source}:{c.quote}" for _, c in citations]
    return "\0".join([getattr(item, "id", ""), *named, "", *quoted]).encode()


def data_aspects(site: Site, fingerprints: Fingerprints, previous: dict[str, str]) -> dict[str, str]:
    """Digests of the parts of the data that facts are worked out from (see depends_on).

    - "ids:<kind>": which ids the kind has (references resolve against them, so when one changes,
      every fact is worked out again);
    - "items:<kind>": the kind's items in order, each by the hash of its text;
    - "links": what every item names and quotes (backlinks and a source's quotes follow from it);
    - "changes": the change notes.

    An unchanged kind's part of "links" is the last build's.
    """
    aspects = {"changes": fingerprints.of_value(site.changes)}
    links: list[bytes] = []
    _links.keep_only(site.every_item())
    for kind, items in sorted(site.items.items()):
        aspects[f"ids:{kind}"] = digest(*(item_id.encode() for item_id in sorted(dict.keys(items))))
        aspects[f"items:{kind}"] = fingerprints.of_fact(("kind", kind))
        if previous.get(f"items:{kind}") == aspects[f"items:{kind}"] and f"links:{kind}" in previous:
            aspects[f"links:{kind}"] = previous[f"links:{kind}"]
        else:
            aspects[f"links:{kind}"] = digest(*(_links.get(item, links_text) for item in dict.values(items)))
        links.append(aspects[f"links:{kind}"].encode())
    aspects["links"] = digest(*links)
    return aspects


def moved_aspects(previous: dict[str, str], aspects: dict[str, str]) -> set[str] | None:
    """The aspects that differ from the last build's; None when an id came or went (then every fact may)."""
    moved = {name for name in previous.keys() | aspects.keys() if previous.get(name) != aspects.get(name)}
    return None if not previous or any(name.startswith("ids:") for name in moved) else moved


# --- What is kept between builds ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)  # slots: 17,000 of them at 10,000 items
class PageRecord:
    """How one output file was made: its job's context hash and the facts it read (their fingerprints
    are in CacheState.facts)."""

    context: str
    facts: tuple[Fact, ...]
    """A tuple, not a set: 17,000 pages' sets of 340,000 facts took 25 MB at 10,000 items, the tuples 3 MB."""


@dataclass(frozen=True, slots=True)  # slots: 40,000 of them at 10,000 items
class OutputFile:
    """A file of the last output folder, with what tells that it is still the file we wrote."""

    hash: str
    size: int
    inode: int
    mtime_ns: int


@dataclass
class CacheState:
    """Everything kept between builds of one project into one output folder."""

    render_key: str = ""
    """Hash of templates, code, settings and site-wide data: page records are valid only under it."""
    inputs_key: str = ""
    """Hash of every input file: equal means nothing changed at all."""
    out: str = ""
    pages: dict[str, PageRecord] = field(default_factory=dict)
    facts: dict[Fact, str] = field(default_factory=dict)
    """The fingerprint of every fact the pages read: one value per fact, as every page was rendered or
    proven unchanged against the same site."""
    aspects: dict[str, str] = field(default_factory=dict)
    """The data_aspects the facts' fingerprints were taken against."""
    files: dict[str, OutputFile] = field(default_factory=dict)
    search_keys: dict[str, str] = field(default_factory=dict)
    """Each search index bundle's folder → hash of the HTML files its Pagefind run read."""
    warnings: list[Any] = field(default_factory=list)
    count: int = 0


class BuildCache:
    """The cache of one project: item and Markdown memos, and the state of the last build.

    It lives in memory for the preview and is saved to and loaded from `folder` (when given) for
    command-line builds.
    """

    def __init__(self, folder: Path | None, persist: bool = True):
        self.folder = folder
        self.persist = persist
        """Save the memos to folder after each build (the preview keeps them in memory and only
        uses folder for compiled templates)."""
        self.items: dict[str, Any] = {}
        """YAML text hash → (validated item, value marks, key marks, literal blocks), marks relative to
        the item's first line."""
        self.markdown: dict[tuple[str, str, int], Any] = {}
        """(text hash, base URL, heading shift) → converted Markdown and its problems."""
        self.markdown_saved: set[tuple[str, str, int]] = set()
        self.checks: dict[int, Any] = {}
        """Editorial check results of unchanged items, in memory only (see content_checks.check_content)."""
        self.state = CacheState()
        self.loaded = False
        self.version = ""
        self.index_pending = False
        """The last build deferred the search index (see build.build)."""
        self.used_items: set[str] = set()
        """Keys of the items the current build used: the others are dropped when saving."""
        self.item_hashes: dict[int, str] = {}
        """id() of each item the current build loaded through the cache → its key."""
        self.carried: Any = None
        """Pieces of pages the last build rendered (render.Carried), in memory only, for the preview."""
        self.splits: dict[str, Any] = {}
        """Each data file's last text split into items (load.SplitText), in memory only, for the preview."""
        self.item_keys: dict[str, dict[str, str]] = {}
        """Each data file's items' texts with their hashes, in memory only, for the preview."""
        self.files_seen: dict[str, dict[str, FileSeen]] = {}
        """Each input folder's files as the last build read them (see tree_digest), in memory only, for the preview."""

    def path(self, name: str) -> Path | None:
        return None if self.folder is None else self.folder / name

    def load(self, version: str) -> None:
        """Read the saved cache once; a file that fails its checksum or version is ignored."""
        if self.loaded:
            return
        self.loaded = True
        self.version = version
        state = read_cache_file(self.path("state.pickle"), version) if self.persist else None
        if isinstance(state, CacheState):
            self.state = state

    def load_markdown(self) -> None:
        """Read the saved Markdown conversions once."""
        if self.markdown_saved or self.markdown:
            return
        found = read_cache_file(self.path("markdown.pickle"), self.version) if self.persist else None
        if isinstance(found, dict):
            self.markdown = found
            self.markdown_saved = set(found)

    def save(self, version: str) -> None:
        """Write the cache atomically, keeping only the items and Markdown the last build used."""
        self.items = {key: value for key, value in self.items.items() if key in self.used_items}
        if not self.persist:
            return
        if set(self.markdown) != self.markdown_saved:
            write_cache_file(self.path("markdown.pickle"), version, self.markdown)
            self.markdown_saved = set(self.markdown)
        write_cache_file(self.path("state.pickle"), version, self.state)

    def jinja_folder(self) -> Path | None:
        folder = self.path("jinja")
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        return folder


def read_cache_file(path: Path | None, version: str) -> Any:
    """The pickled value in path, or None when it is missing, corrupt or from another version."""
    if path is None:
        return None
    try:
        raw = memoryview(path.read_bytes())  # slices of it are not copies
    except OSError:
        return None
    header = CACHE_FORMAT + b" " + version.encode() + b" "
    if raw[:len(header)] != header or len(raw) < len(header) + CHECKSUM_LENGTH:
        return None
    payload, checksum = raw[len(header):-CHECKSUM_LENGTH], raw[-CHECKSUM_LENGTH:]
    if cache_checksum(payload) != checksum:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # a checksum collision or a class that changed shape: rebuild, never trust
        return None


def write_cache_file(path: Path | None, version: str, value: Any) -> None:
    """Pickle value behind a header (format, code version) and before its checksum; replace the file atomically.

    The pickle goes straight to the file, hashed on the way: at 10,000 items it is 40 MB that need
    not be held, nor copied behind the header.
    """
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("wb") as file:
            file.write(CACHE_FORMAT + b" " + version.encode() + b" ")
            hashing = HashingWriter(file)
            pickle.dump(value, hashing, protocol=pickle.HIGHEST_PROTOCOL)
            file.write(hashing.checksum())
    except BaseException:  # a full disk, an interrupt: leave no half-written file behind
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)


CHECKSUM_LENGTH = 32


def cache_checksum(payload: bytes | memoryview) -> bytes:
    return hashlib.sha256(payload).hexdigest()[:CHECKSUM_LENGTH].encode()


class HashingWriter:
    """A file that hashes what is written to it, for write_cache_file's checksum."""

    def __init__(self, file: Any):
        self.file = file
        self.hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return int(self.file.write(data))

    def checksum(self) -> bytes:
        return self.hash.hexdigest()[:CHECKSUM_LENGTH].encode()
