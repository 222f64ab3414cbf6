"""The build cache: what a build may reuse from the last one, each entry keyed by content hashes.

It holds three things, kept between builds outside the work tree (see cache_folder), beside Jinja's
compiled templates:

- converted Markdown, keyed by the hash of its text (and the base path and heading shift), and
  item bodies with their glossary terms linked, keyed by the hash of the text and of the terms;
- what the content checks found in each item, keyed by the hash of the item, the glossary's words,
  the people's names and the sources' dates (content_checks.ItemChecks);
- for every output file of the last build, its page key, the hash of its bytes and its signature
  (write.file_signature). A page's key is the hash of everything it is made from: the templates, the
  code, the settings, the site-wide data every page shows, and the content hash of each item and kind
  its job declares (see plan.PageJob). A page whose key is the same is not rendered again: the last
  output's file is kept when it still has the recorded hash, taken as recorded while the file's
  signature is, and read and hashed again when it is not.

A cache file is a pickle behind a checksum and the code version; anything that does not match
(corrupt, truncated, another version) is ignored and rebuilt, never trusted. Loading a pickle runs
code, and anyone can compute a checksum: that is why the cache is never in the work tree, where a
pull request could put one.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import shutil
import struct
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISLNK, S_ISREG
from typing import Any

from .errors import PROBLEMS_PER_FILE, BuildFailed, Problem
from .write import file_signature, output_hash

CACHE_FORMAT = b"sitegen-cache-3"
PACKAGE = Path(__file__).resolve().parent


def digest(*parts: bytes) -> str:
    """A short content hash of some bytes, each part's length hashed first: SHA-256, cut to 128 bits."""
    h = hashlib.sha256(struct.pack(f"<Q{len(parts)}Q", len(parts), *map(len, parts)))
    h.update(b"".join(parts))
    return h.hexdigest()[:32]


@functools.cache
def code_version() -> str:
    """Hash of this package's source and the versions of everything that shapes the output: worked
    out once a process, whose code does not change while it runs (the preview asks on every save)."""
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


def tree_digest(folder: Path) -> str:
    """Hash of every file's path and bytes under folder (see files_under); '' when it is missing. Each
    file is hashed as it is read, so a large file a pull request adds costs time, not memory."""
    if not folder.is_dir():
        return ""
    parts: list[bytes] = []
    for rel, path, _stat in files_under(folder):
        try:
            with open(path, "rb") as file:
                parts += [rel.encode(), hashlib.file_digest(file, "sha256").digest()]
        except FileNotFoundError:  # gone again since it was listed
            continue
    return digest(*parts)


FOLDER_DEPTH = 32
FOLDER_FILES = 20_000
"""How deep the folders in an input folder may nest, and how many files, folders and links it may hold:
the preview looks at every one on each request, and a pull request may commit 200,000 empty files,
dangling links, or folders 1,100 deep."""


def files_under(folder: Path) -> list[tuple[str, str, os.stat_result]]:
    """Every regular file under folder as (relative POSIX path, path, stat), in path order; BuildFailed
    past FOLDER_DEPTH or FOLDER_FILES, each entry counted before it is looked at, or naming each
    symbolic link in it (a symlinked folder itself is left to its caller: see build.check_site).

    A link is never followed: Git may track none here, and a thousand links to one large file would
    have the build read it a thousand times, or one that leads out would read what is not the project's.
    """
    found: list[tuple[str, str, os.stat_result]] = []
    if folder.is_symlink():
        return found
    links: list[Problem] = []
    waiting = [(str(folder), "")]
    seen = 0
    while waiting:
        root, prefix = waiting.pop()
        if prefix.count("/") > FOLDER_DEPTH:
            raise BuildFailed([Problem(f"{folder.name}/{prefix.split('/', 1)[0]}", 1, 1, (
                f"folders nest more than {FOLDER_DEPTH} deep here; the build reads nothing so deep: remove them"))])
        try:
            with os.scandir(root) as entries:
                listed = list(entries)
        except OSError:  # unreadable, or gone again mid-scan
            continue
        seen += len(listed)
        if seen > FOLDER_FILES:
            raise BuildFailed([Problem(f"{folder.name}/", 1, 1, (
                f"the folder holds more than {FOLDER_FILES:,} files, folders and links; the build reads only the"
                " few each page needs: remove the others"))])
        for entry in listed:
            if entry.is_dir(follow_symlinks=False):
                waiting.append((entry.path, f"{prefix}{entry.name}/"))
                continue
            try:
                stat = entry.stat(follow_symlinks=False)
            except OSError:  # an editor's temporary file, gone again mid-scan
                continue
            if S_ISLNK(stat.st_mode):
                links.append(Problem(f"{folder.name}/{prefix}{entry.name}", 1, 1, "this is a symbolic link, which the"
                                     " build never follows: put the file or folder itself here"))
                if len(links) == PROBLEMS_PER_FILE:  # each link is a file of its own: the folder's first hundred
                    raise BuildFailed([*links, Problem(f"{folder.name}/", 1, 1, (
                        f"the folder holds more than {PROBLEMS_PER_FILE} symbolic links; remove them all"))])
            elif S_ISREG(stat.st_mode):
                found.append((prefix + entry.name, entry.path, stat))
    if links:
        raise BuildFailed(links)
    found.sort(key=lambda entry: entry[0].split("/"))
    return found


@dataclass
class CacheState:
    """What the last build into one output folder made."""

    out: str = ""
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Each page's destination → (its page key, the hash of its bytes)."""
    files: dict[str, str] = field(default_factory=dict)
    """Every file of the output (search bundles included) → the hash of its bytes."""
    search_keys: dict[str, str] = field(default_factory=dict)
    """Each search index bundle's folder → hash of the HTML files its Pagefind run read."""
    signatures: dict[str, int] = field(default_factory=dict)
    """Every file of the output → its signature (write.file_signature) once the build was in place."""

    def hash_now(self, rel: str) -> str | None:
        """The hash of the bytes the output's file at rel has now: the recorded one while the file's
        signature is as recorded, so that an unchanged site is not read again; else read from it."""
        path = Path(self.out, rel)
        recorded = self.files.get(rel)
        if recorded is not None and rel in self.signatures and file_signature(path) == self.signatures[rel]:
            return recorded
        return output_hash(path)

    def sign(self) -> None:
        """Record the signature of every file of the output, now in place."""
        self.signatures = {rel: found for rel in self.files
                           if (found := file_signature(Path(self.out, rel))) is not None}


class BuildCache:
    """The cache of one project: converted Markdown and the state of the last build.

    It is saved to and loaded from `folder` when one is given; without, it lasts as long as the object.
    """

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.markdown: dict[tuple[Any, ...], Any] = {}
        """(text hash, base URL, heading shift) → converted Markdown and its problems; with the glossary's
        hash too, a body's HTML with its terms linked (see render.Renderer.body_html)."""
        self.checks: dict[str, Any] = {}
        """Each item's content checks by the hash of the item, the glossary, the people's names and the
        sources' dates (content_checks.ItemChecks)."""
        self.state = CacheState()

    def path(self, name: str) -> Path | None:
        return None if self.folder is None else self.folder / name

    def jinja_folder(self) -> Path | None:
        """Where Jinja keeps its compiled templates (checked by Jinja against each template's source): a
        folder of this code's own, so that no other version's compiled code, which might not check what
        the sandbox checks, is ever loaded. Another version's folder is removed once unused for a day:
        a build or preview still running that version's code may be reading it."""
        if self.folder is None:
            return None
        folder = self.folder / f"jinja-{code_version()}"
        for other in self.folder.glob("jinja*"):  # another version's, unused for a day: never to be read again
            if other != folder and other.is_dir() and not other.is_symlink() and \
                    time.time() - other.stat().st_mtime > 86_400:
                shutil.rmtree(other, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def load(self, version: str) -> None:
        """Read the saved cache; a file that is missing, or fails its checksum or version, is ignored."""
        state = read_cache_file(self.path("state.pickle"), version)
        if isinstance(state, CacheState):
            self.state = state
        markdown = read_cache_file(self.path("markdown.pickle"), version)
        if isinstance(markdown, dict):
            self.markdown = markdown
        checks = read_cache_file(self.path("checks.pickle"), version)
        if isinstance(checks, dict):
            self.checks = checks

    def save(self, version: str) -> None:
        write_cache_file(self.path("markdown.pickle"), version, self.markdown)
        write_cache_file(self.path("checks.pickle"), version, self.checks)
        write_cache_file(self.path("state.pickle"), version, self.state)


CHECKSUM_LENGTH = 32
"""Hex digits of the SHA-256 of the pickle, written after the pickle."""


def read_cache_file(path: Path | None, version: str) -> Any:
    """The pickled value in path, or None when it is missing, corrupt or from another version.

    The file is read twice, a megabyte at a time, to check its checksum and then to unpickle it:
    never held whole in memory (the Markdown cache of a large site is tens of megabytes)."""
    if path is None:
        return None
    header = CACHE_FORMAT + b" " + version.encode() + b" "
    try:
        with path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            if file.read(len(header)) != header or size < len(header) + CHECKSUM_LENGTH:
                return None
            hashed, left = hashlib.sha256(), size - len(header) - CHECKSUM_LENGTH
            while left > 0:
                chunk = file.read(min(left, 1 << 20))
                if not chunk:
                    return None
                hashed.update(chunk)
                left -= len(chunk)
            if hashed.hexdigest()[:CHECKSUM_LENGTH].encode() != file.read():
                return None
            file.seek(len(header))
            try:
                return pickle.load(file)  # it stops at the pickle's end, before the checksum
            except Exception:  # a checksum collision or a class that changed shape: rebuild, never trust
                return None
    except OSError:
        return None


class _Hashing:
    """A file that hashes what is written to it."""

    def __init__(self, file: Any):
        self.file, self.hashed = file, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.hashed.update(data)
        return int(self.file.write(data))


def write_cache_file(path: Path | None, version: str, value: Any) -> None:
    """Pickle value behind a header (format, code version) and before its checksum, straight into the
    file (never whole in memory); replace the file atomically."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("wb") as file:
            file.write(CACHE_FORMAT + b" " + version.encode() + b" ")
            payload = _Hashing(file)
            pickle.dump(value, payload, protocol=pickle.HIGHEST_PROTOCOL)
            file.write(payload.hashed.hexdigest()[:CHECKSUM_LENGTH].encode())
    except BaseException:  # a full disk, an interrupt: leave no half-written file behind
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
