"""A time limit on a template's work: a template that never ends (a pull request's, say) is stopped and
reported at its line, instead of holding up a build, or freezing the preview until it is restarted."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

FILE_SECONDS = 10.0
"""The most time the template of one output file may take, in all: the real site's slowest page takes
under 0.2 s (the home page, which compiles the shared templates), the 10,000-item benchmark's about 1 s."""


class TooSlow(Exception):
    """Raised in the template that ran out of time, so that the error names its line (Jinja maps the
    lines of an Exception's traceback to the template's; none of the code templates call catches one)."""


def too_slow(seconds: float) -> str:
    return (f"it took more than {seconds:g} s, far longer than any real page takes: a loop that does not end,"
            " or one over far too much")


@contextmanager
def time_limit(seconds: float, total: float | None = None) -> Iterator[None]:
    """Raise TooSlow in the template running once `seconds` have passed (what is left of a `total`): if
    other code is running then (the code writing a file between its pieces, say), a millisecond later,
    until it lands in the template, whose line the error can then name. Only the main thread receives
    signals, so another thread's work has no limit: the preview and the builds render in their main
    threads."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    armed = [True]

    def expired(_signal: int, frame: FrameType | None) -> None:
        if not armed[0]:
            return
        if frame is None or "__jinja_template__" not in frame.f_globals:  # how Jinja marks a template's code
            signal.setitimer(signal.ITIMER_REAL, 0.001)
            return
        raise TooSlow(too_slow(total or seconds))

    previous = signal.signal(signal.SIGALRM, expired)
    timer = (0.0, 0.0)
    try:  # armed inside the try, and disarmed before anything else: no alarm outlives the limit
        timer = signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, *timer)
        signal.signal(signal.SIGALRM, previous)


BATCH = 65536
"""Characters of a file made under one timer: a template yields many small pieces, and setting a timer
for each would cost more than making them."""


def limited(chunks: Iterator[str], seconds: float) -> Iterator[str]:
    """chunks in batches of about BATCH characters, with a time limit on making them all, not on what
    is done with each batch in between (a download is written a part at a time as it is made)."""
    left = seconds
    while True:
        started, batch, size = time.monotonic(), [], 0
        with time_limit(max(left, 0.001), seconds):  # once none is left, the next batch is stopped in the template
            for chunk in chunks:
                batch.append(chunk)
                if (size := size + len(chunk)) >= BATCH:
                    break
        left -= time.monotonic() - started
        if not batch:
            return
        yield "".join(batch)
