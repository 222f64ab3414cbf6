"""Render the resolved site through Jinja templates into a mapping of output path to bytes.

Autoescape is on and undefined names are errors (StrictUndefined), so a typo in a template fails the
build instead of printing nothing. Every URL is built from one base path, so the site works at `/`
and under a GitHub Pages sub-path alike.
"""

from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from . import models as m
from . import views
from .errors import Collector
from .markup import TermLink, TermLinker
from .resolve import Ref, Site

KIND_TITLES: dict[str, str] = {
    "recommendations": "Review versus response",
    "missions": "Missions",
    "pilots": "Pilots",
    "funding": "Funding",
    "timeline": "Timeline",
    "glossary": "Glossary",
    "sources": "Sources",
    "people": "People and organisations",
    "areas": "Councils and regions",
    "themes": "Themes",
}
"""The item kinds that get a list page and a permalink page per item, with their headings."""


@dataclass(frozen=True)
class Settings:
    """What the build needs besides the project's files."""

    base_url: str = "/"
    """Path the site is served under, e.g. /REPO/ on GitHub Pages; always starts and ends with /."""
    site_url: str = ""
    """Public address of the site, for canonical links and feeds, e.g. https://owner.github.io/REPO/."""


def normalise_base(base: str) -> str:
    """'/REPO' or 'REPO/' -> '/REPO/'; '' -> '/'."""
    stripped = base.strip().strip("/")
    return f"/{stripped}/" if stripped else "/"


def format_date(value: dt.date | None, precision: str = "day") -> str:
    """British long date: 2 February 2023, February 2023 or 2023; 'undated' for None."""
    if value is None:
        return "undated"
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def format_money(money: m.Money) -> str:
    """£200m, £2.6bn or £40,000, with the period when known."""
    amount = money.amount
    if amount >= 1_000_000_000:
        text = f"£{amount / 1_000_000_000:.2f}".rstrip("0").rstrip(".") + "bn"
    elif amount >= 1_000_000:
        text = f"£{amount / 1_000_000:.2f}".rstrip("0").rstrip(".") + "m"
    else:
        text = f"£{amount:,.0f}"
    if money.qualifier:
        text = f"{money.qualifier} {text}"
    if money.years:
        text += f" over {money.years} year" + ("s" if money.years != 1 else "")
    if money.period:
        text += f" ({money.period})"
    return text


class Renderer:
    """Holds the Jinja environment and the helpers every template shares."""

    def __init__(self, templates_dir: Path, site: Site, settings: Settings):
        self.site = site
        self.settings = settings
        self.base = normalise_base(settings.base_url)
        self.templates_dir = templates_dir
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        terms = [
            TermLink(words, self.url(f"glossary/#{term.id}"), term.term)
            for term in site.items["glossary"].values()
            for words in (term.term, *term.aliases)
        ]
        self.linker = TermLinker(terms)
        self.env.filters.update(
            date=format_date, money=format_money, terms=self.link_terms, url=self.url,
        )
        self.env.globals.update(
            site=site, base=self.base, url=self.url, item_url=self.item_url,
            kind_titles=KIND_TITLES, settings=settings, Ref=Ref,
            latest_source_date=latest_source_date(site),
            absolute=self.absolute, has_schema=self.has_schema, **views.template_globals(site),
        )

    def pick(self, *names: str) -> str:
        """The first of the named templates that exists (a kind's own, else the generic one)."""
        for name in names:
            if (self.templates_dir / name).is_file():
                return name
        return names[-1]

    def url(self, path: str = "") -> str:
        """A URL under the base path for a site-relative path such as 'pilots/'."""
        return self.base + path.lstrip("/")

    def absolute(self, page_url: str) -> str:
        """A full address for a URL under the base path when the site's public address is known."""
        if not self.settings.site_url:
            return page_url
        return self.settings.site_url.rstrip("/") + "/" + page_url.removeprefix(self.base).lstrip("/")

    def has_schema(self, kind: str) -> bool:
        """Whether schemas/<kind>.schema.json exists (the plan copies it into the site)."""
        return (self.templates_dir.parent / "schemas" / f"{kind}.schema.json").is_file()

    def item_url(self, kind: str, item_id: str) -> str:
        """The permalink of an item."""
        return self.url(f"{kind}/{item_id}/")

    def link_terms(self, text: Any) -> Markup:
        """Escape plain text (or keep safe HTML) and link the glossary terms in it."""
        return self.linker.link(str(escape(text)))

    def render(self, template: str, dest: str, problems: Collector, **context: Any) -> bytes | None:
        """Render one page; report template errors at the template's own file and line."""
        try:
            page_url = self.url(dest.removesuffix("index.html"))
            html = self.env.get_template(template).render(dest=dest, page_url=page_url, **context)
            return html.encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            problems.add(f"templates/{exc.name or template}", exc.lineno, 1,
                         f"template syntax error: {exc.message}; check the tags on this line")
        except Exception as exc:  # any runtime error inside a template is an editor's problem to see
            name, line = _template_frame(exc, template)
            problems.add(f"templates/{name}", line, 1,
                         f"template error while rendering {dest}: {exc}; check the names used on this line")
        return None


def _template_frame(exc: BaseException, fallback: str) -> tuple[str, int]:
    """The innermost template file and line in a traceback (Jinja maps its frames to template lines)."""
    found = (fallback, 1)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt")) and frame.lineno:
            found = (Path(frame.filename).name if "/templates/" not in frame.filename
                     else frame.filename.split("/templates/", 1)[1], frame.lineno)
    return found


def latest_source_date(site: Site) -> dt.date | None:
    """The date of the newest source: the site describes things as of this date."""
    dates = [s.date for s in site.items["sources"].values() if s.date]
    return max(dates) if dates else None


def render_site(site: Site, templates_dir: Path, settings: Settings, problems: Collector) -> dict[str, bytes]:
    """Render every planned page and copy static files; refuse two pages at one path."""
    from .plan import plan_pages

    renderer = Renderer(templates_dir, site, settings)
    files: dict[str, bytes] = {}
    for dest, template, context in plan_pages(site, renderer, problems):
        if dest in files:
            problems.add(f"templates/{template}", 1, 1,
                         f"two pages would be written to {dest}; give one of the items another id")
            continue
        html = renderer.render(template, dest, problems, **context)
        if html is not None:
            files[dest] = html
    static = templates_dir / "static"
    for path in sorted(static.rglob("*")) if static.is_dir() else []:
        if path.is_file():
            files[f"static/{path.relative_to(static).as_posix()}"] = path.read_bytes()
    return files
