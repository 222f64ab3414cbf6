"""One Pagefind run, in a small process of its own: `python -I -S pagefind_run.py BUILD_PID PAGEFIND SITE
BUNDLE`, with the pages to index (paths under SITE) on standard input as a JSON list.

It starts `pagefind --service` and hands it the pages one by one, spaced for reading, in the order
given: Pagefind numbers pages in the order it meets them, and left to find them itself it would follow
the order the file system lists a folder in, so the index's bytes would differ between machines. It
then asks for the bundle's files and writes them into BUNDLE: the service's own writes may be
unfinished when it exits. On its last line it prints, as JSON, Pagefind's peak memory and exit code,
and why it failed if it did (with the error number when a file could not be read or written).

A process of its own, so that the bundle's files, which arrive whole in one answer, never weigh on the
build's memory, and Pagefind's peak is its own (a process the build starts directly inherits the
build's peak as its own starting figure). It and Pagefind die when the build does (on Linux), so a
killed build leaves no Pagefind writing into its temporary folder. Run isolated and without site
packages (-I -S), it imports only the standard library: nothing beside it, in the environment or in
the virtual environment is imported in its place.
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

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


def die_with(parent: int) -> None:
    """Be killed when the process parent ends (Linux's PR_SET_PDEATHSIG); end now if it already has."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(1)


class Stopped(Exception):
    """Pagefind refused a request (the message is its own words), named a file outside its bundle, or
    ended before answering (no message)."""


class Service:
    """A running `pagefind --service`, asked one request at a time, so every request carries the same id.
    A message either way is base64 of JSON, ended by a comma."""

    def __init__(self, stdin: IO[bytes], stdout: IO[bytes]):
        self.stdin, self.stdout, self.waiting = stdin, stdout, bytearray()

    def ask(self, payload: dict[str, object], about: str = "") -> dict[str, Any]:
        try:
            self.stdin.write(base64.b64encode(json.dumps({"message_id": 1, "payload": payload}).encode()) + b",")
            self.stdin.flush()
        except BrokenPipeError:
            raise Stopped() from None
        searched = 0
        while (end := self.waiting.find(b",", searched)) < 0:
            searched = len(self.waiting)
            more = os.read(self.stdout.fileno(), 1 << 20)
            if not more:
                raise Stopped()
            self.waiting.extend(more)
        answer: dict[str, Any] = json.loads(base64.b64decode(self.waiting[:end]))["payload"]
        del self.waiting[:end + 1]
        if answer["type"] == "Error":
            raise Stopped(f"{about}{answer['message']}")
        return answer


def index(service: Service, site: Path, pages: list[str], bundle: Path) -> None:
    """Index pages into bundle."""
    index_id = service.ask({"type": "NewIndex", "config": None})["index_id"]
    for rel in pages:
        service.ask({"type": "AddFile", "index_id": index_id, "file_path": rel, "url": None,
                     "file_contents": spaced((site / rel).read_bytes()).decode()}, about=f"{rel}: ")
    files = service.ask({"type": "GetFiles", "index_id": index_id})["files"]
    outside = [file["path"] for file in files if file["path"].startswith("/") or ".." in file["path"].split("/")]
    if outside:
        raise Stopped(f"it named a file outside its bundle: {outside[0]}")
    for file in files:
        (bundle / file["path"]).parent.mkdir(parents=True, exist_ok=True)
        (bundle / file["path"]).write_bytes(base64.b64decode(file["content"]))


def main(build_pid: int, pagefind: str, site: Path, bundle: Path) -> dict[str, Any]:
    die_with(build_pid)
    pages = json.loads(sys.stdin.read())
    me = os.getpid()
    refused, ended_early, error_number = "", False, 0
    with tempfile.TemporaryFile() as stderr:
        try:
            process = subprocess.Popen([pagefind, "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=stderr, preexec_fn=lambda: die_with(me))
        except OSError as exc:
            return {"peak_kb": 0, "exit": 0, "refused": f"it could not be started: {exc}", "said": "", "errno": 0}
        assert process.stdin is not None and process.stdout is not None
        try:
            index(Service(process.stdin, process.stdout), site, pages, bundle)
        except Stopped as stopped:
            refused, ended_early = str(stopped), not str(stopped)
        except OSError as exc:  # a page or the bundle, named without a traceback
            name = str(exc.filename)
            refused = f"{exc.strerror}: {name.removeprefix(f'{site}{os.sep}')}"
            error_number = exc.errno or 0
        except (ValueError, KeyError, TypeError) as exc:
            refused = f"it gave an answer the build could not read ({type(exc).__name__}: {exc})"
        try:
            process.stdin.close()  # the service ends when its input does
        except BrokenPipeError:
            pass
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        process.stdout.close()
        stderr.seek(0)
        said = stderr.read().decode(errors="replace")
    if ended_early and process.returncode == 0 and not said.strip():
        refused = "it ended without answering"
    return {"peak_kb": usage.ru_maxrss, "exit": process.returncode, "refused": refused, "said": said,
            "errno": error_number}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))))
