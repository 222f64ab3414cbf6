"""The search index: Pagefind reads the finished HTML and writes pagefind/ beside it.

It runs through write_site's `finish` hook, on the complete new folder before it is swapped in, so
the index always matches the pages. Only the <main data-pagefind-body> of content pages is indexed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .errors import BuildFailed, Problem


def index_site(folder: Path) -> None:
    """Build the Pagefind index of the site in folder into folder/pagefind/."""
    try:
        import pagefind  # noqa: F401  (only to check it is installed)
    except ImportError as exc:
        raise BuildFailed([Problem("pyproject.toml", 1, 1, "the search index needs Pagefind; install it with"
                                                           ' `pip install "pagefind[bin]==1.5.2"`')]) from exc
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(folder), "--output-subdir", "pagefind", "--silent"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        said = result.stderr.strip() or result.stdout.strip()
        raise BuildFailed([Problem("templates/base.html", 1, 1, f"Pagefind could not index the site: {said}")])
