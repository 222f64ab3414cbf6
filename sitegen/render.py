"""Render one page job of the resolved site through Jinja templates into bytes.

Autoescape is on and undefined names are errors (StrictUndefined): a typo in a template fails the build.
Every URL is built from one base path, so the site works at `/` and under a GitHub Pages sub-path alike.
"""

from __future__ import annotations

import operator
import re
import traceback
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.filters import do_sort, ignore_case
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape
from pydantic import BaseModel

from . import models as m
from . import views
from .cache import digest
from .errors import Collector, did_you_mean
from .feeds import note_id
from .formats import format_count, format_date, format_money
from .glance import swatch
from .inputs import InputRefused, read_input
from .markdown_limits import MARKDOWN_READING, markdown_cost
from .markup import (
    MarkupIssue,
    TermLink,
    TermLinker,
    nested_quotations,
    place_definitions,
    render_markdown,
    without_buttons,
)
from .resolve import Located, Site
from .search import SHARD_PAGES
from .time_limit import FILE_SECONDS, limited, time_limit
from .words import (
    FUNDING_KIND_WORDS,
    KIND_SINGULAR,
    KIND_TITLES,
    NAV_SECTIONS,
    PROPOSED_BY,
    REVIEW_WORDS,
    SECTION_TITLES,
    SITE_NAME,
    STATUS_HELP,
    STATUS_WORDS,
    describe_item,
    shorten,
    title_of,
)

KIND_FOLDERS: dict[str, str] = {"guides": "for"}
"""Kinds whose pages live under another folder than the kind's name: a guide is under /for/."""

MAX_PAGE_BYTES = 8_000_000
"""A larger page is refused: the real site's largest is 290 KB, and the 10,000-item benchmark's under 1 MB."""

CORRECTION_FORM = "correction.yml"
"""The issue form in the repository's .github/ISSUE_TEMPLATE/ that "Spotted a mistake?" links open."""


@dataclass(frozen=True)
class Settings:
    """What the build needs besides the project's files."""

    base_url: str = "/"
    """Path the site is served under, e.g. /REPO/ on GitHub Pages; always starts and ends with /."""
    site_url: str = ""
    """Public address of the site, for canonical links and feeds, e.g. https://owner.github.io/REPO/."""
    search_shard_pages: int = SHARD_PAGES
    """Pages per search index shard: a Pagefind run's memory grows with its pages (see search.py)."""
    repo_url: str = ""
    """The GitHub repository the site is built from, e.g. https://github.com/owner/REPO, for the
    "Spotted a mistake?" links; without it those links are left out rather than pointing elsewhere."""


def normalise_repo_url(url: str) -> str:
    """'https://github.com/owner/REPO/' -> 'https://github.com/owner/REPO'; '' stays '' (no repository)."""
    stripped = url.strip().rstrip("/")
    if stripped and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s/?#]+){2}", stripped):
        raise ValueError(f"expected a repository address such as https://github.com/owner/REPO, not {url!r}")
    return stripped


def normalise_base(base: str) -> str:
    """'/REPO' or 'REPO/' -> '/REPO/'; '' -> '/'."""
    stripped = base.strip().strip("/")
    return f"/{stripped}/" if stripped else "/"


PYDANTIC_API = frozenset(dir(BaseModel))
"""The names pydantic's BaseModel itself has (methods such as parse_raw, model_dump): no field uses one."""


@jinja2.pass_environment
def sort_items(environment: jinja2.Environment, value: Iterable[Any], reverse: bool = False,
               case_sensitive: bool = False, attribute: str | int | None = None) -> list[Any]:
    """Jinja's sort, in the same order, but fast for models by one plain attribute: Jinja looks each
    attribute up through the environment, once per comparison."""
    items = list(value)
    if (isinstance(attribute, str) and attribute.isidentifier() and not attribute.startswith("_")
            and attribute not in PYDANTIC_API and all(isinstance(i, BaseModel) for i in items)):
        get = operator.attrgetter(attribute)
        if case_sensitive:
            return sorted(items, key=lambda item: (get(item),), reverse=reverse)  # a 1-tuple, as Jinja's key
        return sorted(items, key=lambda item: (ignore_case(get(item)),), reverse=reverse)
    return do_sort(environment, items, reverse, case_sensitive, attribute)


class TemplateRefused(jinja2.TemplateError):
    """A template file the build will not read (see inputs.read_input), or cannot (not UTF-8), at a line."""

    def __init__(self, name: str, refused: InputRefused | str, line: int = 1):
        super().__init__(str(refused))
        self.name = name
        self.line = line


class InputLoader(jinja2.BaseLoader):
    """Jinja's FileSystemLoader, but each template is read through inputs.read_input (within its limits)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, None]:
        path = self.folder.joinpath(*split_template_path(template))
        try:
            data = read_input(path, self.folder)
            source = data.decode("utf-8")
        except FileNotFoundError:
            raise jinja2.TemplateNotFound(template) from None
        except InputRefused as exc:
            raise TemplateRefused(template, exc) from None
        except UnicodeDecodeError as exc:
            raise TemplateRefused(template, f"byte 0x{data[exc.start]:02x} is not UTF-8 text; save the file as UTF-8",
                                  data.count(b"\n", 0, exc.start) + 1) from None
        return source, str(path), None  # None: never reloaded (auto_reload is off)


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox, with no method that changes a list, dict or set (the preview reuses items' models
    from save to save), and no pydantic API on a model: parse_raw unpickles (runs code), parse_file reads files.
    An attribute's safety depends only on the object's type and its name (unless the object is a
    class), so each answer is worked out once per environment, in `safe`."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.safe: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, type):
            return not (attr in PYDANTIC_API and issubclass(obj, BaseModel)) and super().is_safe_attribute(
                obj, attr, value)
        key = (type(obj), attr)
        known = self.safe.get(key)
        if known is None:
            known = self.safe[key] = not (attr in PYDANTIC_API and isinstance(obj, BaseModel)) and \
                super().is_safe_attribute(obj, attr, value)
        return known


def site_filter(value: Any) -> Any:
    """Stands for a filter a Renderer makes for its site: Jinja compiles a call by how a filter takes its arguments."""
    raise RuntimeError("a site's filter used outside its Renderer")


def environment(templates_dir: Path, bytecode_dir: Path | None) -> Sandbox:
    """The environment templates are compiled and rendered in, with the site's own filters still to be
    given (see site_filter). The one place it is made: a compiled template is reused by its source alone."""
    env = Sandbox(  # a template is input, and may come from a stranger's pull request
        loader=InputLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates do not change during a build
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir else None,
    )
    env.filters.update(date=format_date, money=format_money, count=format_count, sort=sort_items,
                       terms=site_filter, quotation=site_filter)
    return env


class Renderer:
    """The Jinja environment and the helpers every template shares, for one build's site."""

    def __init__(self, templates_dir: Path, site: Site, settings: Settings,
                 markdown_memo: dict[tuple[Any, ...], tuple[Markup, list[MarkupIssue]]] | None = None,
                 bytecode_dir: Path | None = None):
        self.site = site
        self.settings = settings
        self.base = normalise_base(settings.base_url)
        self.templates_dir = templates_dir
        self.env = environment(templates_dir, bytecode_dir)
        self.linker = TermLinker(tuple(
            TermLink(words, self.url(f"glossary/#{term.id}"), term.term, term.id, term.definition)
            for term in site.items["glossary"].values()
            for words in (term.term, *term.aliases)
        ))
        self.terms = {link.key: link for link in self.linker.by_word.values()}
        self.markdown_memo = {} if markdown_memo is None else markdown_memo
        """Converted Markdown by (text hash, base, shift): the build cache's. Glossary terms are linked each
        time a text is shown, not kept: it is quick, and a large site's linked texts would be large."""
        self.markdown_used: set[tuple[Any, ...]] = set()
        """Keys of the memo this build used: only those are kept in the cache."""
        self.reported: set[tuple[str, int, str]] = set()
        """Template errors reported, by file, line and message (see _report)."""
        self.markdown_left = MARKDOWN_READING
        self.terms_key = digest(repr([(t.words, t.href, t.title, t.key, t.definition)
                                      for t in self.linker.by_word.values()]).encode())
        """Which glossary terms link_terms links: part of every page's key (see site_wide)."""
        self.views = views.Views(site)
        self.env.filters.update(terms=self.link_terms, quotation=self.quotation)
        self.env.globals.update(
            site=site, base=self.base, url=self.url, item_url=self.item_url,
            kind_titles=KIND_TITLES, settings=settings,
            absolute=self.absolute, correction_url=self.correction_url, has_schema=self.has_schema,
            markdown=self.body_html, dataset=self.dataset, views=self.views,
            latest_source_date=self.views.latest, navigation=self.navigation(),
            status_words=STATUS_WORDS, status_help=STATUS_HELP, section_titles=SECTION_TITLES,
            kind_singular=KIND_SINGULAR, funding_kind_words=FUNDING_KIND_WORDS, review_words=REVIEW_WORDS,
            proposed_by=PROPOSED_BY, site_name=SITE_NAME, title_of=title_of, describe_item=describe_item,
            shorten=shorten, glance_swatch=swatch, note_id=note_id,
        )

    def navigation(self) -> list[tuple[str, str, bool]]:
        """The main menu as (label, URL, is a section): the sections, the pages marked `nav`, search. A
        section's URL is its folder (the guides' is for/); the guides' shows only when there are guides."""
        sections = [(SECTION_TITLES[kind], self.url(f"{KIND_FOLDERS.get(kind, kind)}/"), True) for kind in NAV_SECTIONS
                    if kind != "guides" or self.site.items.get("guides")]
        pages = [(page.meta.title, self.url(f"{page.slug}/"), False)
                 for page in sorted(self.site.pages, key=lambda page: page.meta.order)
                 if page.meta.nav and page.slug != "index"]
        return [*sections, *pages, ("Search", self.url("search/"), False)]

    def close(self) -> None:
        """Let go of the site: the environment's globals, filters and compiled templates hold this renderer
        in cycles only the cycle collector frees, and the preview, which keeps what it reads out of the
        collector's walks (see serve.Preview.refresh), would otherwise hold every site it read."""
        self.env.globals.clear()
        self.env.filters.clear()
        if self.env.cache is not None:
            self.env.cache.clear()

    def site_wide(self) -> bytes:
        """What every page shows besides its own job: the menu, the newest source's date, the glossary's
        links. Part of every page's key (see build.page_keys)."""
        return repr((self.navigation(), self.views.latest, self.terms_key)).encode()

    def pick(self, *names: str) -> str:
        """The first of the named templates that exists (a kind's own, else the generic one)."""
        for name in names:
            if (self.templates_dir / name).is_file():
                return name
        return names[-1]

    def markdown(self, text: str, shift: int = 0) -> tuple[Markup, list[MarkupIssue]]:
        """render_markdown, remembered by the text's hash: unchanged texts are not converted again, and
        once a build's texts cost MARKDOWN_READING, none is converted (nor is that remembered)."""
        key = (digest(text.encode()), self.base, shift)
        self.markdown_used.add(key)
        found = self.markdown_memo.get(key)
        if found is None:
            self.markdown_left -= markdown_cost(text)
            if self.markdown_left < 0:
                return Markup(""), [MarkupIssue(1, 1, f"not converted: this build's Markdown passed"
                                                      f" {MARKDOWN_READING:,} units of work; no site needs so much")]
            found = self.markdown_memo[key] = render_markdown(text, self.base, shift)
        return found

    def body_html(self, text: str, levels_down: int = 0) -> Markup:
        """An item's Markdown body as HTML, with its glossary terms linked; levels_down moves its
        headings further down (the print page nests bodies one section deeper than their own page)."""
        html = self.linker.link(self.markdown(text, BODY_SHIFT)[0])
        if levels_down:
            html = Markup(HEADING_TAG.sub(lambda tag: f"<{tag[1]}h{min(6, int(tag[2]) + levels_down)}>", html))
        return html

    def dataset(self, kind: str, fmt: str) -> Iterator[Markup]:
        """A data download's text (see downloads.dataset_parts), already the file's bytes, a megabyte
        or so at a time: `{% for part in dataset(...) %}{{ part }}{% endfor %}`."""
        from .downloads import dataset_parts, joined_in_chunks

        return (Markup(text) for text in joined_in_chunks(dataset_parts(self.site, self.views, kind, fmt)))

    def url(self, path: str = "") -> str:
        """A URL under the base path for a site-relative path such as 'pilots/'."""
        return self.base + path.lstrip("/")

    def absolute(self, page_url: str) -> str:
        """A full address for a URL under the base path when the site's public address is known."""
        if not self.settings.site_url:
            return page_url
        return self.settings.site_url.rstrip("/") + "/" + page_url.removeprefix(self.base).lstrip("/")

    def correction_url(self, page_url: str, heading: str, item_id: str = "") -> str:
        """The repository's correction issue form pre-filled with the page (its address) and the item's id
        ('' when the repository is not known), by the form's field ids (.github/ISSUE_TEMPLATE/correction.yml)."""
        if not self.settings.repo_url:
            return ""
        query = {"template": CORRECTION_FORM, "title": f"Correction: {heading}", "page": self.absolute(page_url)}
        if item_id:
            query["item"] = item_id
        return f"{self.settings.repo_url}/issues/new?{urllib.parse.urlencode(query, quote_via=urllib.parse.quote)}"

    def has_schema(self, kind: str) -> bool:
        """Whether schemas/<kind>.schema.json exists (the plan copies it into the site), for a kind of data."""
        return kind in m.DATA_FILES and (self.templates_dir.parent / "schemas" / f"{kind}.schema.json").is_file()

    def item_url(self, kind: str, item_id: str) -> str:
        """The permalink of an item (a guide's is under for/, see plan.guide_jobs)."""
        return self.url(f"{KIND_FOLDERS.get(kind, kind)}/{item_id}/")

    def link_terms(self, text: Any, own: str = "") -> Markup:
        """Escape plain text (or keep safe HTML) and link its glossary terms, each with the button that shows
        its definition; a glossary entry's definition passes its own id, so as not to link to itself."""
        own_address = frozenset({self.url(f"glossary/#{own}")}) if own else frozenset()
        return self.linker.link(str(escape(text)), own_address)

    def quotation(self, text: str) -> Markup:
        """A source's words, to be shown inside <q>: glossary terms linked but without their buttons, so
        the words read as they were written, and the quotations inside them nested (see
        markup.nested_quotations)."""
        return Markup(without_buttons(self.linker.link(nested_quotations(str(escape(text))))))

    def render(self, template: str, dest: str, problems: Collector, context: dict[str, Any]) -> Iterable[bytes] | None:
        """One file's bytes in parts: a page whole, with its glossary terms' definitions placed; any other
        file (a data download, the feed) as the template writes it, a megabyte or so at a time, so that a
        download of tens of megabytes is never in memory whole. A template error is reported at its own
        file and line: a page's (or a page over MAX_PAGE_BYTES) gives None; a file's, met as it is written, ends it."""
        try:
            page_url = self.url(dest.removesuffix("index.html"))
            chunks = self.env.get_template(template).generate(dest=dest, page_url=page_url, **context)
            if not dest.endswith(".html"):
                return self._encoded(limited(chunks, FILE_SECONDS), template, dest, problems)
            in_place = None if dest.startswith("print/") else self.terms  # the print page holds the glossary
            own = dest.split("/")[1] if dest.startswith("glossary/") and dest.count("/") == 2 else ""
            parts, size = [""], 0
            with time_limit(FILE_SECONDS):  # and stopped once too large: a template may loop, writing as it goes
                for chunk in chunks:
                    if (size := size + len(chunk)) > MAX_PAGE_BYTES:
                        break
                    parts.append(chunk)
            page = place_definitions("".join(parts), in_place, own).encode("utf-8") if size <= MAX_PAGE_BYTES else b""
            if page and len(page) <= MAX_PAGE_BYTES:
                return [page]
            problems.add(f"templates/{template}", 1, 1, f"the page {dest} would be more than {MAX_PAGE_BYTES:,}"
                         " bytes: the data it shows is far more than any real page's")
        except Exception as exc:  # any error inside a template is an editor's problem to see
            self._report(exc, template, dest, problems)
        return None

    def _encoded(self, chunks: Iterator[str], template: str, dest: str, problems: Collector) -> Iterator[bytes]:
        try:
            for chunk in chunks:
                yield chunk.encode("utf-8")
        except Exception as exc:
            self._report(exc, template, dest, problems)

    def _report(self, exc: Exception, template: str, dest: str, problems: Collector) -> None:
        """Report a template's error at its own file and line, once in each rendering process: a line of
        base.html that stops every page names the first, not all of them."""
        if isinstance(exc, jinja2.TemplateSyntaxError):
            problems.add(f"templates/{exc.name or template}", exc.lineno, 1,
                         f"template syntax error: {exc.message}; check the tags on this line")
        elif isinstance(exc, TemplateRefused):
            problems.add(f"templates/{exc.name}", exc.line, 1, str(exc.message))
        else:
            name, line = _template_frame(exc, template)
            words = _in_words(exc)
            if (name, line, words) in self.reported:
                return
            self.reported.add((name, line, words))
            if isinstance(exc, jinja2.TemplateNotFound):
                others = sorted(p.relative_to(self.templates_dir).as_posix() for p in self.templates_dir.rglob("*.*"))
                problems.add(f"templates/{name}", line, 1, f'the template "{exc.name}" is not in templates/;'
                             f"{did_you_mean(str(exc.name), others)} restore it, or correct the name on this line")
            else:
                problems.add(f"templates/{name}", line, 1, f"template error while rendering {dest} (later pages"
                             f" that stop here are not listed): {words}; check the names used on this line")


NO_ATTRIBUTE = re.compile(r"'([\w.]+) object' has no attribute '(\w+)'")


def _in_words(exc: Exception) -> str:
    """A template error as an editor reads it: a name a model has not, with the nearest it has, or a
    macro an imported template has not; any other error as Jinja words it."""
    missing = NO_ATTRIBUTE.fullmatch(str(exc))
    if missing is None:
        return "it asked for more memory than a build may take" if isinstance(exc, MemoryError) else str(exc)
    kind, attribute = missing.group(1).rsplit(".", 1)[-1], missing.group(2)
    if kind == "TemplateModule":
        return f'the template it imports has no macro "{attribute}"'
    model = getattr(m, kind, None)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return f'a {kind} has no "{attribute}";{did_you_mean(attribute, model.model_fields)} it has:' \
               f" {', '.join(model.model_fields)}"
    return str(exc)


def _template_frame(exc: BaseException, fallback: str) -> tuple[str, int]:
    """The innermost template file and line in a traceback (Jinja maps its frames to template lines)."""
    found = (fallback, 1)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt")) and frame.lineno:
            found = (Path(frame.filename).name if "/templates/" not in frame.filename
                     else frame.filename.split("/templates/", 1)[1], frame.lineno)
    return found


def convert_bodies(site: Site, renderer: Renderer, problems: Collector) -> None:
    """Convert every item's Markdown body once; report its problems at their lines."""
    for entry in site.bodies:
        report_in_body(entry, renderer.markdown(entry.item.body, BODY_SHIFT)[1], problems)


def report_in_body(entry: Located, issues: Iterable[MarkupIssue], problems: Collector) -> None:
    """Report problems found in an item's Markdown body at their lines in its data file (worked out
    only when there are some: an item's marks are read again to find them)."""
    issues = list(issues)
    if not issues:
        return
    loc = (*entry.loc, "body")
    line, column = entry.doc.where(loc)
    exact = entry.doc.is_literal(loc)  # a literal block: line n of the body is line n from `line` on
    for issue in issues:
        if exact:
            problems.add(entry.doc.path, line + issue.line - 1, column + issue.column - 1, issue.message)
        else:
            problems.add(entry.doc.path, line, column,
                         f"in the body's line {issue.line}, column {issue.column}: {issue.message}")


HEADING_TAG = re.compile(r"<(/?)h([1-6])>")
"""A heading tag as Python-Markdown writes it (no attributes)."""

BODY_SHIFT = 1
"""An item's body sits under its page's h2 "More about this proposal": its ## headings become h3."""
