"""Write the site into a temporary folder beside the output, then swap it in at once.

A failed or killed build therefore never leaves a half-written site: the output folder is always the
complete old site or the complete new one. On Linux the swap is one renameat2(RENAME_EXCHANGE) call;
elsewhere two renames, with a leftover folder restored or removed by the next build.
"""

from __future__ import annotations

import ctypes
import os
import shutil
from collections.abc import Callable
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
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    tmp = out.parent / f"{temp_prefix(out)}{os.getpid()}"
    tmp.mkdir()
    for rel in sorted(files):
        dest = tmp / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(files[rel])
    if finish is not None:
        finish(tmp)
    swap_in(tmp, out)


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
