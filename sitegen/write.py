"""Write the site into a temporary folder beside the output, then swap it in at once.

A failed or killed build therefore never leaves a half-written site: the output folder is always the
complete old site or the complete new one. On Linux the swap is one renameat2(RENAME_EXCHANGE) call;
elsewhere two renames, with a leftover folder restored or removed by the next build.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

RENAME_EXCHANGE = 2
AT_FDCWD = -100


def temp_prefix(out: Path) -> str:
    return f".{out.name}.tmp-"


def clean_leftovers(out: Path) -> None:
    """Remove temporary folders a killed build left, restoring the old site if the swap was cut short."""
    parent = out.parent
    if not parent.is_dir():
        return
    for leftover in sorted(parent.glob(temp_prefix(out) + "*")):
        if leftover.name.endswith("-old") and not out.exists():
            leftover.rename(out)
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def write_site(files: dict[str, bytes], out: Path, finish: Callable[[Path], None] | None = None) -> None:
    """Write every file into a fresh folder next to `out`, then atomically put it in `out`'s place.

    `finish` runs on the complete new folder before the swap (e.g. to build the search index there).
    """
    writer = SiteWriter(out)
    try:
        for rel in sorted(files):
            writer.add(rel, [files[rel]])
        writer.commit(finish)
    finally:
        writer.discard()


class SiteWriter:
    """Fills a fresh folder next to `out` file by file, then swaps it in; or discards it on failure.

    Files are written as they come, so a large site is never held in memory whole. A file that is
    unchanged since the last build is hard-linked from the old folder instead of written again: the
    new folder is still complete on its own, so the swap stays atomic.

    With in_place (the live preview, where a reload needs only the pages that changed), files are
    replaced one by one inside `out` itself, each atomically, and files the build did not produce
    are removed at commit; nothing else is touched.
    """

    def __init__(self, out: Path, in_place: bool = False):
        self.out = out.resolve()  # a symlinked output folder: swap the folder it points to
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.in_place = in_place
        self.lock = lock_folder(self.out.parent)  # one build at a time may write beside `out`
        clean_leftovers(self.out)
        if in_place:
            self.tmp = self.out
            self.tmp.mkdir(exist_ok=True)
        else:
            self.tmp = self.out.parent / f"{temp_prefix(self.out)}{os.getpid()}"
            self.tmp.mkdir()
        self.folders: set[Path] = {self.tmp}
        self.kept: set[str] = set()
        """Files of this build (in_place): everything else in `out` is removed at commit."""
        self.committed = False

    def _dest(self, rel: str) -> Path:
        dest = self.tmp / rel
        if dest.parent not in self.folders:
            dest.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(dest.parent)
        return dest

    def add(self, rel: str, chunks: Iterable[bytes], old_hash: str | None = None) -> tuple[str, bool]:
        """Write one file from its bytes as they come (a large page is never held whole); return their
        hash (SHA-256, cut to 128 bits), and whether the last build's very file was kept instead.

        old_hash is the hash of the last build's file at rel, when that file is still as it was
        written: if the new bytes are the same, that file is kept (see reuse), not replaced.
        """
        dest = self._dest(rel)
        staged = dest.with_name(f".{dest.name}.part-{os.getpid()}") if self.in_place else dest
        hashed = hashlib.sha256()
        try:
            with staged.open("wb") as file:
                for chunk in chunks:
                    hashed.update(chunk)
                    file.write(chunk)
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        found = hashed.hexdigest()[:32]
        if found == old_hash:
            staged.unlink()
            return found, self.reuse(rel)
        if self.in_place:
            self.kept.add(rel)
            staged.replace(dest)
        return found, False

    def reuse(self, rel: str) -> bool:
        """Keep the last build's file at rel; True when it is that very file (not a copy of it)."""
        if self.in_place:
            self.kept.add(rel)
            return True
        return self.link(rel, self.out / rel)

    def link(self, rel: str, source: Path) -> bool:
        """Put the old folder's file at rel without copying its bytes (copied where links fail);
        True when it is linked, so it keeps its inode and mtime."""
        if self.in_place:
            self.kept.add(rel)
            if source == self.tmp / rel:
                return True  # already in place
        dest = self._dest(rel)
        try:
            os.link(source, dest)
            return True
        except OSError:
            shutil.copy2(source, dest)
            return False

    def commit(self, finish: Callable[[Path], None] | None = None, stale: set[str] | None = None) -> None:
        """Run `finish` on the complete folder (e.g. the search index), then swap it into `out`.

        In place, the files of `out` this build did not produce are removed first: those in `stale`
        when the caller knows them (the last build's files), else found by walking `out`.
        """
        if self.in_place:
            self.remove_others(stale)
        if finish is not None:
            finish(self.tmp)
        if not self.in_place:
            swap_in(self.tmp, self.out)
        self.committed = True

    def remove_others(self, stale: set[str] | None = None) -> None:
        """Remove the files (and emptied folders) of `out` that this build did not produce."""
        if stale is not None:
            for rel in sorted(stale):
                path = self.out / rel
                path.unlink(missing_ok=True)
                for folder in path.parents:
                    if folder == self.out or any(folder.iterdir()):
                        break
                    folder.rmdir()
            return
        for root, _folders, files in os.walk(self.out, topdown=False):
            here = Path(root)
            prefix = here.relative_to(self.out).as_posix()
            for name in files:
                rel = name if prefix == "." else f"{prefix}/{name}"
                if rel not in self.kept:
                    (here / name).unlink()
            if here != self.out and not any(here.iterdir()):
                here.rmdir()

    def discard(self) -> None:
        """Remove the new folder unless it was swapped in (after a failed build); let other builds go on."""
        if not self.committed and not self.in_place:
            shutil.rmtree(self.tmp, ignore_errors=True)
        if self.lock is not None:
            os.close(self.lock)  # closing the descriptor releases the lock
            self.lock = None


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
    """Put `new` where `out` is; the old site is removed only after the new one is in place."""
    if not out.exists():
        new.rename(out)
        return
    if _exchange(new, out):
        shutil.rmtree(new)
        return
    old = new.with_name(new.name + "-old")
    out.rename(old)
    new.rename(out)
    shutil.rmtree(old)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2; False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return bool(result == 0)
