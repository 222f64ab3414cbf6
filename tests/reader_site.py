"""Shared helpers for the reader-facing page tests: the real project rendered once per test run."""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from sitegen.build import check_site, render
from sitegen.markup import JOINER
from sitegen.render import Settings
from sitegen.resolve import Site

ROOT = Path(__file__).resolve().parent.parent
BASE = "/REPO/"
SITE_URL = "https://owner.github.io/REPO/"


@lru_cache(maxsize=4)
def rendered(base: str = BASE, site_url: str = "") -> dict[str, bytes]:
    """Every output file of the real project, rendered in memory (no search index)."""
    _site, files = render(ROOT, Settings(base_url=base, site_url=site_url))
    return files


@lru_cache(maxsize=1)
def site_model() -> Site:
    return check_site(ROOT)


def html_pages(files: dict[str, bytes]) -> dict[str, str]:
    return {name: data.decode("utf-8") for name, data in sorted(files.items()) if name.endswith(".html")}


def transferred(files: dict[str, bytes], name: str) -> int:
    """Gzipped bytes of a page plus the CSS, icons and script it loads (as a browser fetches them)."""
    html = files[name]
    total = len(gzip.compress(html, 9))
    for asset in ("static/site.css", "static/icons.svg", "static/table.js", "static/search.js"):
        if asset.encode() in html:
            total += len(gzip.compress(files[asset], 9))
    return total


GLOSSARY_POPOVERS = re.compile(f"(?:{re.escape(JOINER)})?" + r'<button[^>]*class="term-info".*?</button>'
                               r'|<span class="term-def".*?</a></span>', re.S)
"""A glossary term's button and its closed popover (markup.place_definitions): not text a reader sees."""


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of the page as a reader sees it."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.reading = False
        self.feed(html)
        self.close()
        self.reset()
        self.reading = True  # then the words, without the glossary's buttons and popovers
        self.feed(GLOSSARY_POPOVERS.sub("", html))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.reading:
            self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.reading:
            self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if self.reading:
            self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def plain(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text))


def table_rows(html: str, table_id: str) -> list[str]:
    """The data-id (and data-value, when given) of every body row of a table."""
    start = html.index(f'id="{table_id}"')
    end = html.index("</table>", start)
    rows = re.findall(r'<tr data-id="([^"]+)"(?: data-value="(\d+)")?', html[start:end])
    return [f"{i}#{v}" if v else i for i, v in rows]
