"""Read the project's input files without trusting them.

Everything in the repository may come from a pull request by someone we do not know. So a file is
read only when it is a regular file whose real path stays inside the input folder it is read from: a
symbolic link to /etc/passwd, /proc/self/environ, /dev/zero or the project's .git/ is refused, never
followed. And only up to a size limit per folder, so that no file can exhaust memory or time.
Built on that reader: templates/static/ as the site's static files, and the lines of an archived
source that hold its article (what its quotes are checked against).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from . import models as m
from .errors import Collector, position

MEGABYTE = 1_000_000

LIMITS = {
    "data": 64 * MEGABYTE,  # the 10,000-item benchmark's recommendations.yaml is about 27 MB
    "content": 2 * MEGABYTE,
    "sources": 8 * MEGABYTE,
    "templates": 8 * MEGABYTE,  # templates and the static files under templates/static/
    "schemas": 8 * MEGABYTE,
}
"""The largest file the build reads from each input folder, in bytes. The real ones are far smaller."""


class InputRefused(Exception):
    """A file the build will not read: what is wrong with it, and what would be right."""

    def __init__(self, wrong: str, right: str):
        super().__init__(f"the file {wrong}; {right}")


def home_of(folder: Path) -> str:
    """The real path an input folder must have: its parent's real path and its own name, so that a
    folder that is itself a link (data -> /etc) leads nowhere."""
    return os.path.join(os.path.realpath(folder.parent), folder.name)


def is_inside(path: str | Path, home: str) -> bool:
    """Whether path, with every link in it followed, is inside the folder whose real path is home.

    On Linux the system follows the links, in one call, and says where they lead: Python's realpath
    takes a system call for each part of each link's target, and a pull request's links may have
    thousands (d/../d/../…) or come in chains of thousands. A link that leads nowhere is outside."""
    if hasattr(os, "O_PATH") and os.path.isdir("/proc/self/fd"):
        try:
            descriptor = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except FileNotFoundError:
            return not os.path.islink(path) and os.path.realpath(path).startswith(home + os.sep)
        except OSError:  # a loop, or a chain of more than 40 links
            return False
        try:
            return os.readlink(f"/proc/self/fd/{descriptor}").startswith(home + os.sep)
        finally:
            os.close(descriptor)
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return False
    return os.path.realpath(path).startswith(home + os.sep)


def read_input(path: Path, folder: Path) -> bytes:
    """The bytes of an input file inside `folder` (data/, content/, ... of the project).

    Raises FileNotFoundError when there is no such file, and InputRefused when it is a link that
    leads outside the folder, not a regular file, unreadable or larger than the folder's limit
    (LIMITS; the largest of them for a folder not named there).
    """
    limit = LIMITS.get(folder.name, max(LIMITS.values()))
    if not is_inside(path, home_of(folder)):
        raise InputRefused(f"is a symbolic link that leads outside {folder.name}/",
                           f"put the file itself in {folder.name}/: the build reads nothing from elsewhere")
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer; O_NOFOLLOW: the real path has no links
        descriptor = os.open(os.path.realpath(path),
                             os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise InputRefused(f"cannot be read ({exc.strerror})", "check that it is a readable file") from None
    with os.fdopen(descriptor, "rb") as file:
        found = os.fstat(descriptor)
        if not stat.S_ISREG(found.st_mode):
            raise InputRefused("is not a regular file (it is a folder, a device or a pipe)",
                               f"put a text file in {folder.name}/ instead")
        data = file.read(min(found.st_size, limit) + 1)
        if found.st_size < len(data) <= limit:  # it grew since (an editor saving): read on, to the limit
            data += file.read(limit + 1 - len(data))
    if len(data) > limit:
        raise InputRefused(f"is {max(found.st_size, len(data)):,} bytes, over the limit of {limit:,} bytes"
                           f" for a file in {folder.name}/", "split it or remove what is not needed")
    return data


CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
"""Control characters an editor cannot see (tab, newline and carriage return are allowed)."""
CONTROL_CHARACTER = re.compile("[" + re.escape(CONTROL_BYTES.decode("ascii")) + "]")

def read_text(path: Path, shown: str, problems: Collector, folder: Path | None = None) -> str | None:
    """Read a UTF-8 text file of an input folder (see inputs.read_input: no link out of it, no huge
    file), reporting bad bytes by line and column; Windows line ends (CRLF) are read as plain ones."""
    try:
        raw = read_input(path, folder or path.parent)
    except InputRefused as exc:
        problems.add(shown, 1, 1, str(exc))
        return None
    except OSError as exc:
        problems.add(shown, 1, 1, f"cannot read the file ({exc.strerror}); check it exists and is readable")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        problems.add(shown, line, column, "this byte is not valid UTF-8; save the file as UTF-8")
        return None
    # in UTF-8 these characters are single bytes: deleting them from the bytes, a megabyte at a time (a
    # large file is never copied whole), and comparing lengths runs in C, and only a file that holds
    # one is searched for where
    pieces = (raw[at:at + MEGABYTE] for at in range(0, len(raw), MEGABYTE))
    held = any(len(piece.translate(None, CONTROL_BYTES)) != len(piece) for piece in pieces)
    del raw  # the text is all that is needed now: a large file is held once, not twice
    bad = CONTROL_CHARACTER.search(text) if held else None
    if bad:
        problems.add(
            shown, *position(text, bad.start()),
            f"control character U+{ord(bad.group()):04X} in the text; delete it (it is invisible in most editors)",
        )
        return None
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n") if "\r" in text else text


STATIC_BYTES = 32 * MEGABYTE
"""The most templates/static/ may hold, in all: the build holds it in memory (the real one is 48 KB)."""


def static_files(templates_dir: Path, problems: Collector) -> dict[str, bytes]:
    """templates/static/ as it is, under static/; a link in it is read only when it leads to a file
    inside templates/ (see inputs.read_input), and a linked folder is refused, not entered. Past
    STATIC_BYTES, the file that passes it is refused and no more are read."""
    static = templates_dir / "static"
    files: dict[str, bytes] = {}
    held = 0
    if static.is_symlink():
        problems.add("templates/static", 1, 1, "templates/static/ is a symbolic link; put the folder itself here")
        return files
    for root, folders, names in os.walk(static):
        here = Path(root)
        folders.sort()  # walked in name order, so the file past STATIC_BYTES is the same on every machine
        for name in sorted([*folders, *names]):
            path = here / name
            rel = path.relative_to(static).as_posix()
            if name in folders and path.is_symlink():
                problems.add(f"templates/static/{rel}", 1, 1, "this folder is a symbolic link, which the build does"
                                                              " not follow; put the folder itself here")
            elif name in names:
                try:
                    files[f"static/{rel}"] = read_input(path, templates_dir)
                except (OSError, InputRefused) as exc:
                    problems.add(f"templates/static/{rel}", 1, 1, str(exc) if isinstance(exc, InputRefused)
                                 else f"cannot read the file ({exc.strerror}); check it exists and is readable")
                    continue
                held += len(files[f"static/{rel}"])
                if held > STATIC_BYTES:
                    problems.add(f"templates/static/{rel}", 1, 1, f"templates/static/ holds more than"
                                 f" {STATIC_BYTES:,} bytes by this file; the site needs far less: remove what it"
                                 " does not use")
                    return files
    return dict(sorted(files.items()))


Copy = m.Source | m.ArchivedCopy
"""An archived copy of an article: a source entry's own, or one of its `copies`."""


def archived_copies(source: m.Source) -> list[tuple[tuple[str | int, ...], Copy]]:
    """Every archived copy of a source's article, with its loc in the entry: its own, then its copies."""
    return [((), source), *((("copies", index), copy) for index, copy in enumerate(source.copies))]


def archived_text(copy: Copy, sources_dir: Path) -> str:
    """The part of an archived file that quotes may come from (not reader comments). A file cut short
    of its article's lines, or with no text there, is refused (InputRefused): said once, at the source,
    rather than as every quote of it not found."""
    lines = read_input(sources_dir / copy.archive, sources_dir).decode("utf-8").splitlines()
    if copy.lines is not None and copy.lines.last > len(lines):
        raise InputRefused(f"has {len(lines)} lines, but the article's lines run to {copy.lines.last}",
                           "put back what was cut from the file, or correct the source's lines: range")
    first = copy.lines.first if copy.lines else 1
    last = copy.lines.last if copy.lines else len(lines)
    if copy.comments_from:
        last = min(last, copy.comments_from - 1)
    text = "\n".join(lines[first - 1:last])
    if not text.strip():
        raise InputRefused("holds no text where the article should be", "copy the article into it again")
    return text
