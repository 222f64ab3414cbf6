"""The search index: Pagefind reads the finished HTML and writes pagefind/ beside it.

It runs through write_site's `finish` hook, on the complete new folder before it is swapped in, so
the index always matches the pages. Only the <main data-pagefind-body> of content pages is indexed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .errors import BuildFailed, Problem


def index_site(folder: Path) -> None:
    """Build the Pagefind index of the site in folder into folder/pagefind/."""
    try:
        import pagefind  # noqa: F401  (only to check it is installed)
    except ImportError as exc:
        raise BuildFailed([Problem("pyproject.toml", 1, 1, "the search index needs Pagefind; install it with"
                                                           ' `pip install "pagefind[bin]==1.5.2"`')]) from exc
    with tempfile.TemporaryFile("w+") as said:
        process = subprocess.Popen(
            [sys.executable, "-m", "pagefind", "--site", str(folder), "--output-subdir", "pagefind", "--silent"],
            stdout=said, stderr=subprocess.STDOUT, text=True,
        )
        _pid, status, usage = os.wait4(process.pid, 0)  # wait4, to learn Pagefind's own peak memory
        process.returncode = os.waitstatus_to_exitcode(status)
        global peak_kb
        peak_kb = max(peak_kb, usage.ru_maxrss)
        if process.returncode != 0:
            said.seek(0)
            raise BuildFailed([Problem("templates/base.html", 1, 1,
                                       f"Pagefind could not index the site: {said.read().strip()}")])


peak_kb = 0
"""The most memory Pagefind used in this process (kB), for `build --timings`."""
