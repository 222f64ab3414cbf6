"""Write the site into a temporary folder beside the output, then swap it in at once.

A failed or killed build therefore never leaves a half-written site: the output folder is always the
complete old site or the complete new one. On Linux the swap is one renameat2(RENAME_EXCHANGE) call;
elsewhere two renames, with a leftover folder restored or removed by the next build.

The site a swap replaces is kept beside the output as its spare (`.site.spare` for `site`), and the
next build makes that folder into its new site: it writes the files it renders, links the others
where the spare does not already hold the output's very file, and removes what the new site lacks,
so a build with few changes neither makes a tree of thousands of folders nor deletes one. Nothing in
the spare is trusted: its files are only compared with the output's by inode, never written in place
(many are the output's own files under a second name), its links are removed, never followed, and
its MARKER is written anew. A failed build removes its folder, as it would a fresh one.

Replacing a folder deletes what was in it, so the output folder is checked first (check_output): it
may not be a symbolic link (`site -> ..` would take the project's parent with it), nor the project, an
input folder, or inside or around one; and a folder that already holds files is replaced only when it
holds the MARKER file that every build writes into its output.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import secrets
import shutil
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeGuard

from .errors import BuildFailed, Problem

RENAME_EXCHANGE = 2
AT_FDCWD = -100

OUTPUT_BYTES = 2_000_000_000
"""The most bytes one build writes: the 10,000-item benchmark writes about 500 MB. Past it the build
stops, before data that many pages repeat can fill a machine's disk."""

MARKER = ".sitegen-output"
"""The file every build writes into its output folder: only a folder that holds it is replaced or cleaned."""
MARKER_TEXT = b"build.py made this folder, and replaces it whole on every build: do not keep files here.\n"

GUARDED = ("data", "content", "templates", "sources", "schemas", "tests", "sitegen", "scripts", "benchmarks",
           ".git", ".github", ".ci", ".venv", "node_modules")
"""The project's folders of input, code and history: an output folder is none of them, nor in or around one."""
PACKAGE = Path(__file__).resolve().parent


def check_output(out: Path, project: Path | None = None) -> None:
    """Raise BuildFailed unless out can be replaced without deleting anything but an earlier build's output."""
    out = Path(os.path.abspath(out))
    shown = os.path.relpath(out, project) if project is not None and out.is_relative_to(project.absolute()) \
        else str(out)
    problem = output_problem(out, project)
    if problem is not None:
        raise BuildFailed([Problem(shown, 1, 1, problem)])


def output_problem(out: Path, project: Path | None) -> str | None:
    """What is wrong with out as an output folder (see check_output), or None."""
    if out.is_symlink():
        return ("the output folder is a symbolic link; a build replaces its output folder whole, which would"
                " delete what the link leads to: remove the link, and the build makes a plain folder there")
    real = out.resolve()
    roots = [PACKAGE.parent] if project is None else [project.resolve(), PACKAGE.parent]
    guarded = [PACKAGE] if project is None else [PACKAGE, *(project.resolve() / name for name in GUARDED)]
    for folder in [*roots, *guarded]:
        if real == folder or folder.is_relative_to(real):
            return (f"the output folder would replace {folder}, which a build must never delete;"
                    " build into a folder of its own, such as site/")
    for folder in guarded:
        if real.is_relative_to(folder):
            return (f"the output folder is inside {folder}, which a build must never change;"
                    " build into a folder of its own, such as site/")
    if real.exists() and not real.is_dir():
        return "the output path is a file, not a folder; remove it, or build into another folder"
    if real.is_dir() and not holds_marker(real) and any(real.iterdir()):
        return (f"the output folder holds files, but not the {MARKER} file every build writes into its output,"
                " so a build did not make it (or an older version did) and would delete them: move it away or"
                " delete it yourself, or build into a new or empty folder")
    return None


def holds_marker(folder: Path) -> bool:
    """Whether folder holds the MARKER as a regular file (not a link), so a build made it."""
    try:
        return stat.S_ISREG(os.lstat(folder / MARKER).st_mode)
    except OSError:
        return False


def remove_output(folder: Path) -> None:
    """Delete a folder a build made, its MARKER last: one whose removal is cut short is still known as a
    build's, and so removed by the next build (clean_leftovers)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name != MARKER:
            with contextlib.suppress(OSError):
                if entry.is_dir(follow_symlinks=False):
                    remove_tree(entry.path)
                else:
                    os.unlink(entry.path)
    with contextlib.suppress(OSError):
        (folder / MARKER).unlink()  # missing from an empty folder that a build was allowed to replace
    with contextlib.suppress(OSError):
        folder.rmdir()


def remove_tree(top: str | os.PathLike[str]) -> None:
    """Delete a folder and all it holds, never following a link, however deep a pull request nested it:
    a loop, where shutil.rmtree calls itself once a level up to Python's limit; a folder whose path
    grows long is moved up into top first, so no path outgrows the system's (4,096 bytes on Linux)."""
    if not stat.S_ISDIR(os.lstat(top).st_mode):
        raise NotADirectoryError(errno.ENOTDIR, "not a folder (a link is never followed)", os.fspath(top))
    pending = [os.fspath(top)]
    while pending:
        folder = pending[-1]
        inner = []
        with os.scandir(folder) as entries:
            for entry in entries:
                if not entry.is_dir(follow_symlinks=False):
                    os.unlink(entry.path)
                elif len(os.fsencode(entry.path)) > 2048:
                    inner.append(os.path.join(pending[0], f".deep-{secrets.token_hex(8)}"))
                    os.rename(entry.path, inner[-1])
                else:
                    inner.append(entry.path)
        if inner:
            pending += inner
        else:
            os.rmdir(folder)
            pending.pop()


def temp_prefix(out: Path) -> str:
    return f".{out.name}.tmp-"


def spare_path(out: Path) -> Path:
    """Where the site the last swap replaced waits for the next build (see the module's docstring)."""
    return out.parent / f".{out.name}.spare"


def take_spare(out: Path) -> Path | None:
    """Move the spare site to a temporary folder's name, for this build to make into its site; None when
    there is none. Anything else of its name (no MARKER, or a link) is left alone."""
    spare = spare_path(out)
    if spare.is_symlink() or not spare.is_dir() or not holds_marker(spare):
        return None
    while True:
        folder = out.parent / f"{temp_prefix(out)}{secrets.token_hex(8)}"
        if not os.path.lexists(folder):
            spare.rename(folder)
            return folder


def keep_spare(old: Path, out: Path) -> None:
    """Keep a replaced site as the output's spare; remove it when it holds no MARKER (the empty folder
    a first build may replace) or something else has the spare's name."""
    if holds_marker(old) and not os.path.lexists(spare_path(out)):
        old.rename(spare_path(out))
    else:
        remove_output(old)


def clear(path: Path) -> None:
    """Remove whatever a reused folder holds at path: a file or a link (never followed), or a folder."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            raise
        remove_tree(path)


def folder_there(path: Path) -> bool:
    """Whether path is a folder (not a link to one); a file or a link there is removed. A folder is
    never removed: another rendering process may have just made it, and written into it."""
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            return True
        os.unlink(path)
    except FileNotFoundError:
        return False
    except OSError:
        if stat.S_ISDIR(os.lstat(path).st_mode):  # another process replaced the file by a folder
            return True
        raise
    return False


def write_marker(folder: Path) -> None:
    """Write the MARKER anew into a reused folder, replacing what it held under that name at once, so
    that the folder is known as a build's at every moment (and so removed if the build is killed)."""
    new = folder / f"{MARKER}.new"
    clear(new)
    with open(os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666), "wb") as file:
        file.write(MARKER_TEXT)
    os.replace(new, folder / MARKER)


def prune(folder: Path, keep: set[str], folders: set[str], under: str = "") -> None:
    """Remove from folder every file not in keep and every folder not in folders (paths relative to
    the site, under is folder's), except the MARKER; links are removed, never followed."""
    for entry in os.scandir(folder):
        rel = under + entry.name
        if entry.is_dir(follow_symlinks=False):
            if rel in folders:
                prune(Path(entry.path), keep, folders, rel + "/")
            else:
                remove_tree(entry.path)
        elif rel not in keep and rel != MARKER:
            os.unlink(entry.path)


def folders_above(rel: str) -> list[str]:
    """The folders that hold rel, a path relative to the site, innermost first: "a/b/c" gives "a/b", "a"."""
    folders = []
    end = rel.rfind("/")
    while end > 0:
        folders.append(rel[:end])
        end = rel.rfind("/", 0, end)
    return folders


def fresh_folder(parent: Path, prefix: str) -> Path:
    """A new folder in parent, named prefix and random letters: a pull request could commit folders
    under every name a build could predict (such as its process id), and so stop every build."""
    while True:
        folder = parent / f"{prefix}{secrets.token_hex(8)}"
        with contextlib.suppress(FileExistsError):
            folder.mkdir()
            return folder


def clean_leftovers(out: Path) -> None:
    """Remove temporary folders a killed build left, restoring the old site if the swap was cut short."""
    parent = out.parent
    if not parent.is_dir():
        return
    for leftover in sorted(parent.glob(temp_prefix(out) + "*")):
        if leftover.is_symlink() or not holds_marker(leftover):
            with contextlib.suppress(OSError):
                leftover.rmdir()  # a build killed before it wrote its MARKER left it empty
            continue  # else not a folder a build made: leave it alone
        if leftover.name.endswith("-old") and not os.path.lexists(out):
            leftover.rename(out)
        else:
            remove_output(leftover)


class SiteWriter:
    """Fills a folder next to `out` file by file, then swaps it in; or removes it on failure.

    The folder is the spare site when there is one, else a fresh one. Files are written as they come,
    so a large site is never held in memory whole. A file that is unchanged since the last build is
    hard-linked from the output instead of written again: the new folder is still complete on its own,
    so the swap stays atomic.
    """

    def __init__(self, out: Path, project: Path | None = None):
        check_output(out, project)
        self.out = out.resolve()  # the output folder is no link (check_output), but a folder above may be
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.lock = lock_folder(self.out.parent)  # one build at a time may write beside `out`
        check_output(out, project)  # again: another build may have changed it while this one waited
        clean_leftovers(self.out)
        spare = take_spare(self.out)
        self.tmp = spare or fresh_folder(self.out.parent, temp_prefix(self.out))
        self.reused = spare is not None
        """Whether tmp is the spare site, whose files and folders are found, checked and pruned."""
        if self.reused:
            write_marker(self.tmp)
        else:
            (self.tmp / MARKER).write_bytes(MARKER_TEXT)
        self.folders: set[str] = {""}
        """Folders of the new site (paths relative to it) known to be real folders (no links)."""
        self.committed = False
        self.left = OUTPUT_BYTES
        """Bytes this process may still write (rendering processes share OUTPUT_BYTES, see parallel.py)."""

    def _place(self, rel: str) -> Path:
        """The path of rel in the new folder, every folder above it made and a real folder (no link)."""
        if rel.rpartition("/")[0] not in self.folders:
            for folder in reversed(folders_above(rel)):
                if folder not in self.folders:
                    path = self.tmp / folder
                    if not (self.reused and folder_there(path)):  # look first: mkdir is slow even to fail
                        path.mkdir(exist_ok=True)
                    self.folders.add(folder)
        return self.tmp / rel

    def _dest(self, rel: str) -> Path:
        """The path of rel in the new folder, its folders made and nothing there (see clear)."""
        dest = self._place(rel)
        if self.reused:
            clear(dest)
        return dest

    def add(self, rel: str, chunks: Iterable[bytes], old_hash: str | None = None) -> tuple[str, bool]:
        """Write one file from its bytes as they come (a large page is never held whole); return their
        hash (SHA-256, cut to 128 bits), and whether the last build's very file was kept instead.

        old_hash is the hash of the last build's file at rel, when that file is still as it was
        written: if the new bytes are the same, that file is linked (see link), not written again.
        """
        dest = self._dest(rel)
        hashed = hashlib.sha256()
        try:
            with open(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666), "wb") as file:
                for chunk in chunks:
                    self.left -= len(chunk)
                    if self.left < 0:
                        raise BuildFailed([Problem("build.py", 1, 1, f"the site passed {OUTPUT_BYTES:,} bytes at"
                                                   f" {rel}, far more than any real site: look for data that"
                                                   " many pages repeat")])
                    hashed.update(chunk)
                    file.write(chunk)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise
        found = hashed.hexdigest()[:32]
        if found == old_hash:
            dest.unlink()
            return found, self.link(rel, self.out / rel)
        return found, False

    def link(self, rel: str, source: Path) -> bool:
        """Put the output's file at rel without copying its bytes (copied where links fail); True when
        it is linked, so it keeps its inode and mtime. The spare site often holds that very file."""
        dest = self._place(rel)
        if self.reused:
            with contextlib.suppress(OSError):
                if os.path.samestat(os.lstat(dest), os.lstat(source)):
                    return True
            clear(dest)
        try:
            os.link(source, dest)
            return True
        except OSError:
            shutil.copy2(source, dest)
            return False

    def commit(self, keep: Iterable[str], finish: Callable[[Path], None] | None = None) -> None:
        """Remove what the spare held but the new site lacks (keep: every file written or linked, in
        this process or another), run `finish` on the complete folder (e.g. the search index), then
        swap it into `out`."""
        if self.reused:
            kept = set(keep)
            prune(self.tmp, kept, {folder for rel in kept for folder in folders_above(rel)})
        if finish is not None:
            finish(self.tmp)
        swap_in(self.tmp, self.out)
        self.committed = True

    def discard(self) -> None:
        """Remove the new folder unless it was swapped in (after a failed build): it may hold what filled
        the disk, or whatever in a spare made the build fail. Let other builds go on."""
        if not self.committed:
            remove_output(self.tmp)
        if self.lock is not None:
            os.close(self.lock)  # closing the descriptor releases the lock
            self.lock = None


def is_disk_full(exc: BaseException) -> TypeGuard[OSError]:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def disk_full_message(exc: OSError) -> str:
    """A plain message for a full disk: a build changes its output folder only when every file is written."""
    where = f" ({exc.filename})" if exc.filename else ""
    return (f"the disk is full{where}; free some space and build again. The output folder still holds a"
            " complete site: a build puts its new one in place only once every file is written")


def lock_folder(folder: Path) -> int | None:
    """Hold an exclusive lock on folder until the descriptor is closed, so that a second build into the
    same place waits instead of deleting this one's temporary folder as a leftover."""
    try:
        import fcntl
    except ImportError:  # not on this system: builds are not serialised
        return None
    descriptor = os.open(folder, os.O_RDONLY)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


def swap_in(new: Path, out: Path) -> None:
    """Put `new` where `out` is; the old site is set aside as the spare only after the new one is in place."""
    if not out.exists():
        new.rename(out)
        return
    if _exchange(new, out):
        keep_spare(new, out)
        return
    old = new.with_name(new.name + "-old")
    out.rename(old)
    new.rename(out)
    keep_spare(old, out)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2; False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return bool(result == 0)


def output_hash(path: Path) -> str | None:
    """The hash of a regular file's bytes in the output (read a part at a time: a download may be tens of
    megabytes), as SiteWriter.add computes it; None when it is missing or not a plain file."""
    try:
        with open(path, "rb", opener=lambda name, flags: os.open(name, flags | os.O_NOFOLLOW)) as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return None
            return hashlib.file_digest(file, "sha256").hexdigest()[:32]
    except OSError:
        return None


def file_signature(path: Path) -> int | None:
    """A number made of a regular file's inode, size, and times of last change to its bytes and to its
    inode (one number: a build keeps one for each of tens of thousands of files); None when it is
    missing or not a plain file. A file whose signature is as a build recorded it is taken to have the
    bytes that build wrote, as rsync's quick check takes a file of the same size and time: writing to
    it, or replacing it even by a file given the same inode number, size and modification time, moves
    its inode's time on, which a program cannot set back. (A file system whose clock ticks coarsely
    could miss an edit made within one tick of the build's own last change.)"""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return hash((found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns))  # ints: the same in any process
