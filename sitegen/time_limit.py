"""A time limit on a template's work: a template that never ends (a pull request's, say) is stopped and
reported at its line, instead of holding up a build, or freezing the preview until it is restarted."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

FILE_SECONDS = 10.0
"""The most time the template of one output file may take, in all: the real site's slowest page takes
about 50 ms, and the 10,000-item benchmark's under a second."""


class TooSlow(Exception):
    """Raised in the template that ran out of time, so that the error names its line."""


@contextmanager
def time_limit(seconds: float, total: float | None = None) -> Iterator[None]:
    """Raise TooSlow in whatever code runs once `seconds` have passed (what is left of a `total`), and
    every half second after (in case code between it and the template catches it). Only the main
    thread receives signals, so another thread's work has no limit: the preview and the builds render
    in their main threads."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(_signal: int, _frame: object) -> None:
        raise TooSlow(f"it took more than {total or seconds:g} s, far longer than any real page takes: a loop"
                      " that does not end, or one over far too much")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def limited(chunks: Iterator[str], seconds: float) -> Iterator[str]:
    """chunks, with a time limit on making them all, not on what is done with each in between (a
    download is written a part at a time as it is made)."""
    left = seconds
    while True:
        started = time.monotonic()
        with time_limit(max(left, 0.001), seconds):
            chunk = next(chunks, None)
        left -= time.monotonic() - started
        if chunk is None:
            return
        yield chunk
