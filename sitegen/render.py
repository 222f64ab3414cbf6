"""Render the resolved site through Jinja templates into a mapping of output path to bytes.

Autoescape is on and undefined names are errors (StrictUndefined), so a typo in a template fails the
build instead of printing nothing. Every URL is built from one base path, so the site works at `/`
and under a GitHub Pages sub-path alike.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import multiprocessing.pool
import operator
import os
import re
import traceback
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2.filters import do_sort, ignore_case
from jinja2.loaders import split_template_path
from markupsafe import Markup, escape
from pydantic import BaseModel

from . import views
from .cache import Fact, Fingerprints, TracedViews, depends_on, digest, record_all, tracing, track_items
from .errors import Collector, Problem
from .formats import format_count, format_date, format_money
from .inputs import InputRefused, read_input
from .markup import MarkupIssue, TermLink, TermLinker, render_markdown
from .resolve import Ref, Site
from .search import SHARD_PAGES

if TYPE_CHECKING:
    from .plan import PageJob

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

KIND_FOLDERS: dict[str, str] = {"guides": "for"}
"""Kinds whose pages live under another folder than the kind's name: a guide for care leavers is at
/for/care-leavers/."""

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


@jinja2.pass_environment
def sort_items(environment: jinja2.Environment, value: Iterable[Any], reverse: bool = False,
               case_sensitive: bool = False, attribute: str | int | None = None) -> list[Any]:
    """Jinja's sort, in the same order, but fast for models by one plain attribute: Jinja looks each
    attribute up through the environment, and the tables of 10,000 proposals are sorted on every save."""
    items = list(value)
    if isinstance(attribute, str) and attribute.isidentifier() and all(isinstance(i, BaseModel) for i in items):
        get = operator.attrgetter(attribute)
        if case_sensitive:
            return sorted(items, key=lambda item: (get(item),), reverse=reverse)  # a 1-tuple, as Jinja's key
        return sorted(items, key=lambda item: (ignore_case(get(item)),), reverse=reverse)
    return do_sort(environment, items, reverse, case_sensitive, attribute)


class TemplateRefused(jinja2.TemplateError):
    """A template file the build will not read (see inputs.read_input)."""

    def __init__(self, name: str, refused: InputRefused):
        super().__init__(str(refused))
        self.name = name


class InputLoader(jinja2.BaseLoader):
    """Jinja's FileSystemLoader, but each template is read through inputs.read_input: a link out of
    templates/ (to /etc/passwd, say) is refused instead of rendered."""

    def __init__(self, folder: Path):
        self.folder = folder

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, None]:
        path = self.folder.joinpath(*split_template_path(template))
        try:
            source = read_input(path, self.folder).decode("utf-8")
        except FileNotFoundError:
            raise jinja2.TemplateNotFound(template) from None
        except InputRefused as exc:
            raise TemplateRefused(template, exc) from None
        return source, str(path), None  # None: never reloaded (auto_reload is off)


class Renderer:
    """Holds the Jinja environment and the helpers every template shares."""

    def __init__(self, templates_dir: Path, site: Site, settings: Settings, bytecode_dir: Path | None = None,
                 markdown_memo: dict[tuple[str, str, int], tuple[Markup, list[MarkupIssue]]] | None = None,
                 carried: Carried | None = None):
        track_items(site)  # reads are recorded while a page renders, for the build cache
        self.site = site
        self.settings = settings
        self.base = normalise_base(settings.base_url)
        self.templates_dir = templates_dir
        self.env = jinja2.Environment(
            loader=InputLoader(templates_dir),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # templates do not change during a build; the preview makes a new Renderer
            bytecode_cache=jinja2.FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir else None,
        )
        terms = [
            TermLink(words, self.url(f"glossary/#{term.id}"), term.term)
            for term in site.items["glossary"].values()
            for words in (term.term, *term.aliases)
        ]
        self.linker = term_linker(tuple(terms))
        self.markdown_memo = {} if markdown_memo is None else markdown_memo
        self.markdown_used: set[tuple[str, str, int]] = set()
        """Keys of the memo this build used: only those are kept in the cache."""
        self.fragments: dict[tuple[str, str, str], Fragment] = {}
        self.bodies: dict[tuple[str, int], tuple[Markup, tuple[str, str, int]]] = {}
        """The bodies' HTML this build made (with their keys in the Markdown memo), kept for the preview's next."""
        same_links = carried is not None and carried.linker is self.linker and carried.base == self.base
        self.carried = carried if same_links else None
        """What the last build rendered, to reuse once proven unchanged (see Carried)."""
        self.fingerprints: Fingerprints | None = None
        self.render_key = ""
        self.moved: set[str] | None = None
        self.schemas_found: dict[str, bool] = {}
        self.linked: dict[str, Markup] = {}
        """Memo of link_terms: the same text (a proposal on its page, list, theme and status pages) is linked once."""
        self.env.filters.update(
            date=format_date, money=format_money, count=format_count, terms=self.link_terms, url=self.url,
            sort=sort_items,
        )
        self.env.globals.update(
            site=site, base=self.base, url=self.url, item_url=self.item_url,
            kind_titles=KIND_TITLES, settings=settings, Ref=Ref,
            absolute=self.absolute, correction_url=self.correction_url, has_schema=self.has_schema,
            markdown=self.body_html,
            pieces=self.pieces, dataset=self.dataset,
            **views.template_globals(),
        )
        self.views = TracedViews(site)
        self.env.globals["views"] = self.views
        self.env.globals["latest_source_date"] = self.views.latest
        self.env.globals["navigation"] = self.navigation()

    def navigation(self) -> list[tuple[str, str, bool]]:
        """The main menu as (label, URL, is a section): the sections, the pages marked `nav`, search."""
        sections = [(KIND_TITLES[kind], self.url(f"{kind}/"), True) for kind in NAV_SECTIONS]
        pages = [(page.meta.title, self.url(f"{page.slug}/"), False)
                 for page in sorted(self.site.pages, key=lambda page: page.meta.order)
                 if page.meta.nav and page.slug != "index"]
        return [*sections, *pages, ("Search", self.url("search/"), False)]

    def pick(self, *names: str) -> str:
        """The first of the named templates that exists (a kind's own, else the generic one)."""
        for name in names:
            if (self.templates_dir / name).is_file():
                return name
        return names[-1]

    def markdown(self, text: str, shift: int = 0) -> tuple[Markup, list[MarkupIssue]]:
        """render_markdown, remembered by the text's hash: unchanged texts are not converted again."""
        key = (text_digest(text), self.base, shift)
        self.markdown_used.add(key)
        found = self.markdown_memo.get(key)
        if found is None:
            found = self.markdown_memo[key] = render_markdown(text, self.base, shift)
        return found

    def convert(self, texts: list[str], workers: int = 1) -> None:
        """Convert the texts not yet in the memo and link their glossary terms, over `workers`
        forked processes when there are many (Markdown is the costliest step of a cold build)."""
        global _converting
        todo = sorted({text for text in texts
                       if (text_digest(text), self.base, BODY_SHIFT) not in self.markdown_memo})
        if workers <= 1 or len(todo) < PARALLEL_FROM:
            for text in todo:
                found = self.markdown(text, BODY_SHIFT)
                self.linked[found[0]] = self.link_terms(found[0], remember=False)  # kept as below
            return
        _converting = self
        try:
            with forked_pool(workers) as pool:
                converted = pool.map(_convert_forked, todo, chunksize=max(1, len(todo) // (workers * 4)))
        finally:
            _converting = None
        for text, (found, linked) in zip(todo, converted, strict=True):
            self.markdown_memo[(text_digest(text), self.base, BODY_SHIFT)] = found
            self.linked[found[0]] = linked  # the Markup itself as key: a str() copy would double the memory

    def pieces(self, template: str, kind: str, items: Iterable[Any], end: str = "\n",
               shared: bool = True) -> Iterator[Markup]:
        """Each item's piece of page (see _fragment), each followed by `end`, for a template to show as
        one list or table, a megabyte or so at a time as the page is written:
        `{% for part in pieces(...) %}{{ part }}{% endfor %}`. A loop over the rows themselves cost
        more than the rows at 10,000; one string of them all was 28 MB on the print page.

        shared=false says no other page shows these pieces: a command-line build then forgets each
        one once written (at 10,000 items the print page's proposal bodies are 29 MB, the sources
        page's entries 5 MB). The preview keeps them all for its next save.
        """
        def texts() -> Iterator[str]:
            for item in items:
                piece = self._fragment(template, kind, item, shared)
                record_all(piece.facts)
                yield piece.html
                yield end

        return (Markup(text) for text in joined_in_chunks(texts()))

    def _fragment(self, template: str, kind: str, item: Any, shared: bool = True) -> Fragment:
        """A piece of page rendered once per item and reused, such as a proposal's row in every table
        (kept only when shared, or for the preview: see pieces).

        It records nothing: pieces() records its facts each time it is used, so the cache sees them
        on every page. The preview also reuses the last build's piece when it is proven unchanged
        (see Carried).
        """
        key = (template, kind, item.id)
        found = self.fragments.get(key)
        if found is None:
            found = self._carried_fragment(key) or self._render_fragment(template, kind, item)
            if shared or self.carries_forward:
                self.fragments[key] = found
        return found

    def _render_fragment(self, template: str, kind: str, item: Any) -> Fragment:
        with tracing() as facts:
            html = Markup(self.env.get_template(template).render(item=item))
        checked: dict[str | None, list[tuple[Fact, str]]] = {}
        if self.fingerprints is not None:  # the item itself is passed, not read: it is checked too
            for fact in {*facts, ("item", kind, item.id)}:
                checked.setdefault(depends_on(fact), []).append((fact, self.fingerprints.of_fact(fact)))
        return Fragment(html, frozenset(facts), {aspect: tuple(found) for aspect, found in checked.items()})

    def _carried_fragment(self, key: tuple[str, str, str]) -> Fragment | None:
        """The last build's piece when this build renders under the same key and it read no changed fact.

        A piece that was current in the last build need only have the facts checked whose aspect of the
        data moved since (see cache.depends_on); any other, every fact.
        """
        if self.carried is None or self.fingerprints is None or self.carried.render_key != self.render_key:
            return None
        found = self.carried.fragments.get(key)
        if found is None:
            return None
        if self.moved is not None and key in self.carried.current:
            groups = [found.checked[aspect] for aspect in (*self.moved, None) if aspect in found.checked]
        else:
            groups = list(found.checked.values())
        if not all(self.fingerprints.of_fact(fact) == value for group in groups for fact, value in group):
            return None
        return found

    def body_html(self, text: str, levels_down: int = 0) -> Markup:
        """An item's Markdown body as HTML, with its glossary terms linked; levels_down moves its
        headings further down (the print page nests bodies one section deeper than their own page)."""
        key = (text, levels_down)
        found = self.bodies.get(key) or (self.carried.bodies.get(key) if self.carried else None)
        if found is None:
            markdown_key = (text_digest(text), self.base, BODY_SHIFT)
            # a body shows on its own page and the print page: remembered only for the preview (25 MB
            # at 10,000 items); a cold build links every body once, before rendering (convert)
            html = self.link_terms(self.markdown(text, BODY_SHIFT)[0], remember=self.carries_forward)
            if levels_down:
                html = Markup(HEADING_TAG.sub(lambda tag: f"<{tag[1]}h{min(6, int(tag[2]) + levels_down)}>", html))
            found = (html, markdown_key)
        if self.carries_forward:
            self.bodies[key] = found
        self.markdown_used.add(found[1])
        return found[0]

    def dataset(self, kind: str, fmt: str) -> Iterator[Markup]:
        """A data download's text (see downloads.dataset_parts), already the file's bytes, a megabyte
        or so at a time: `{% for part in dataset(...) %}{{ part }}{% endfor %}`."""
        from .downloads import dataset_parts

        parts = dataset_parts(self.site, self.views, kind, fmt, remember=self.carries_forward)
        return (Markup(text) for text in joined_in_chunks(parts))

    @property
    def carries_forward(self) -> bool:
        """Whether what this build makes is kept for the next (the preview), not only for its own pages."""
        return self.fingerprints is not None

    def carry(self, fingerprints: Fingerprints, render_key: str, moved: set[str] | None) -> None:
        """Let this build reuse the last build's pieces: the facts they read are checked against fingerprints,
        those of the aspects that moved since the last build (see cache.moved_aspects) or all of them."""
        self.fingerprints = fingerprints
        self.render_key = render_key
        self.moved = moved

    def forget_pieces(self) -> None:
        """Drop the pieces of pages and the linked texts kept for this build's pages, once they are
        written and nothing carries them to a next build (the command line), before the cache is
        saved: at 10,000 items the proposals' rows alone are 15 MB."""
        self.fragments.clear()
        self.linked.clear()
        self.bodies.clear()

    def carried_forward(self) -> Carried:
        """What the next build may reuse: this build's pieces, and the last build's still of use."""
        earlier = self.carried
        fragments = dict(earlier.fragments) if earlier and earlier.render_key == self.render_key else {}
        current = set(self.fragments)
        if earlier and fragments and self.moved is not None:  # unused this time, but still current
            unused = earlier.current.difference(self.fragments)  # set operations in C: 33,000 keys at 10,000
            current.update(key for key in unused if key in fragments and None not in fragments[key].checked
                           and self.moved.isdisjoint(fragments[key].checked))
        fragments.update(self.fragments)
        bodies = {**(earlier.bodies if earlier else {}), **self.bodies}
        texts = {body.text for body in self.site.bodies}
        items = self.site.items  # dict's own `in`: TrackedItems' records a read, and this is no page's
        kept = {key: found for key, found in fragments.items() if dict.__contains__(items[key[1]], key[2])}
        return Carried(
            render_key=self.render_key, linker=self.linker, base=self.base, fragments=kept,
            current=frozenset(current.intersection(kept)),
            bodies={key: found for key, found in bodies.items() if key[0] in texts},
        )

    def url(self, path: str = "") -> str:
        """A URL under the base path for a site-relative path such as 'pilots/'."""
        return self.base + path.lstrip("/")

    def absolute(self, page_url: str) -> str:
        """A full address for a URL under the base path when the site's public address is known."""
        if not self.settings.site_url:
            return page_url
        return self.settings.site_url.rstrip("/") + "/" + page_url.removeprefix(self.base).lstrip("/")

    def correction_url(self, page_url: str, heading: str, item_id: str = "") -> str:
        """The repository's correction issue form pre-filled with the page (its address) and the item's id;
        '' when the repository is not known. The query keys are the form's field ids
        (.github/ISSUE_TEMPLATE/correction.yml)."""
        if not self.settings.repo_url:
            return ""
        query = {"template": CORRECTION_FORM, "title": f"Correction: {heading}", "page": self.absolute(page_url)}
        if item_id:
            query["item"] = item_id
        return f"{self.settings.repo_url}/issues/new?{urllib.parse.urlencode(query, quote_via=urllib.parse.quote)}"

    def has_schema(self, kind: str) -> bool:
        """Whether schemas/<kind>.schema.json exists (the plan copies it into the site)."""
        found = self.schemas_found.get(kind)
        if found is None:
            found = self.schemas_found[kind] = (self.templates_dir.parent / "schemas" / f"{kind}.schema.json").is_file()
        return found

    def item_url(self, kind: str, item_id: str) -> str:
        """The permalink of an item (a guide's is under for/, see plan.guide_jobs)."""
        return self.url(f"{KIND_FOLDERS.get(kind, kind)}/{item_id}/")

    def link_terms(self, text: Any, remember: bool = True) -> Markup:
        """Escape plain text (or keep safe HTML) and link the glossary terms in it; remembered for the
        next page that shows the same text, unless remember is false."""
        safe = str(escape(text))
        linked = self.linked.get(safe)
        if linked is None:
            linked = self.linker.link(safe)
            if remember:
                self.linked[safe] = linked
        return linked

    def render(self, template: str, dest: str, problems: Collector, **context: Any) -> Iterator[bytes]:
        """Render one page as its bytes, a megabyte or so at a time, as the reader writes them: the print
        page of 10,000 items (50 MB) was held whole as text and as bytes at once.

        A template error is reported at the template's own file and line, then RenderFailed is raised.
        """
        try:
            page_url = self.url(dest.removesuffix("index.html"))
            for text in joined_in_chunks(self.env.get_template(template).generate(dest=dest, page_url=page_url,
                                                                                   **context)):
                yield text.encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            problems.add(f"templates/{exc.name or template}", exc.lineno, 1,
                         f"template syntax error: {exc.message}; check the tags on this line")
            raise RenderFailed from None
        except TemplateRefused as exc:
            problems.add(f"templates/{exc.name}", 1, 1, str(exc.message))
            raise RenderFailed from None
        except Exception as exc:  # any runtime error inside a template is an editor's problem to see
            name, line = _template_frame(exc, template)
            problems.add(f"templates/{name}", line, 1,
                         f"template error while rendering {dest}: {exc}; check the names used on this line")
            raise RenderFailed from None


class RenderFailed(Exception):
    """A page's template failed; the problem is reported already."""


CHUNK_CHARACTERS = 1 << 20
"""A page is written about this many characters at a time (see joined_in_chunks): a small page at once."""


def joined_in_chunks(texts: Iterable[str]) -> Iterator[str]:
    """The texts joined about CHUNK_CHARACTERS at a time, so that a large page is never one string."""
    waiting: list[str] = []
    size = 0
    for text in texts:
        waiting.append(text)
        size += len(text)
        if size >= CHUNK_CHARACTERS:
            yield "".join(waiting)
            waiting, size = [], 0
    yield "".join(waiting)


def _template_frame(exc: BaseException, fallback: str) -> tuple[str, int]:
    """The innermost template file and line in a traceback (Jinja maps its frames to template lines)."""
    found = (fallback, 1)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt")) and frame.lineno:
            found = (Path(frame.filename).name if "/templates/" not in frame.filename
                     else frame.filename.split("/templates/", 1)[1], frame.lineno)
    return found


def render_site(site: Site, templates_dir: Path, settings: Settings, problems: Collector,
                bytecode_dir: Path | None = None) -> dict[str, bytes]:
    """Render every planned page and copy static files; refuse two pages at one path."""
    from .plan import plan_pages

    renderer = Renderer(templates_dir, site, settings, bytecode_dir)
    convert_bodies(site, renderer, problems)
    jobs = unique_jobs(plan_pages(site, renderer, problems), problems)
    files: dict[str, bytes] = {}
    for index, html, _facts in render_jobs(renderer, jobs, problems):
        if html is not None:
            files[jobs[index][0]] = html
    files.update(static_files(templates_dir, problems))
    return files


@dataclass(frozen=True)
class Fragment:
    """A piece of page (see Renderer.pieces): its HTML, the facts it read, and those facts with their
    fingerprints when it was rendered, the item's own included."""

    html: Markup
    facts: frozenset[Fact]
    checked: dict[str | None, tuple[tuple[Fact, str], ...]]
    """The facts with their fingerprints, by the aspect of the data each is worked out from."""


@dataclass(frozen=True)
class Carried:
    """Pieces of pages the preview keeps from one build for the next, each reused only when proven
    unchanged: a fragment when the render key is the same and every fact it read has the same
    fingerprint; a body's HTML when the glossary is the same (the same linker)."""

    render_key: str
    linker: TermLinker
    base: str
    fragments: dict[tuple[str, str, str], Fragment]
    current: frozenset[tuple[str, str, str]]
    """The fragments whose fingerprints are those of the build that carried them forward."""
    bodies: dict[tuple[str, int], tuple[Markup, tuple[str, str, int]]]


@functools.lru_cache(maxsize=1 << 16)
def text_digest(text: str) -> str:
    """digest() of a Markdown text, remembered: the preview's unchanged bodies are the same strings
    on every save, and 10,000 bodies were hashed twice a save."""
    return digest(text.encode())


@functools.lru_cache(maxsize=4)
def term_linker(terms: tuple[TermLink, ...]) -> TermLinker:
    """The linker for these glossary terms, built once while the glossary is unchanged (the preview)."""
    return TermLinker(terms)


def convert_bodies(site: Site, renderer: Renderer, problems: Collector, workers: int = 1) -> None:
    """Convert every item's Markdown body once (over the cores when many); report problems at their lines."""
    renderer.convert([body.text for body in site.bodies], workers)
    for body in site.bodies:
        for issue in renderer.markdown(body.text, BODY_SHIFT)[1]:
            if body.exact:
                problems.add(body.path, body.line + issue.line - 1, body.column + issue.column - 1, issue.message)
            else:
                problems.add(body.path, body.line, body.column,
                             f"in the body's line {issue.line}, column {issue.column}: {issue.message}")


def unique_jobs(jobs: list[PageJob], problems: Collector) -> list[PageJob]:
    """The jobs, each destination once: a second page at one path is a problem, not an overwrite."""
    seen: set[str] = set()
    kept: list[PageJob] = []
    for job in jobs:
        dest, template, _context = job
        if dest in seen:
            problems.add(f"templates/{template}", 1, 1,
                         f"two pages would be written to {dest}; give one of the items another id")
            continue
        seen.add(dest)
        kept.append(job)
    return kept


def static_files(templates_dir: Path, problems: Collector) -> dict[str, bytes]:
    """templates/static/ as it is, under static/; a link in it is read only when it leads to a file
    inside templates/ (see inputs.read_input), and a linked folder is refused, not entered."""
    static = templates_dir / "static"
    files: dict[str, bytes] = {}
    if static.is_symlink():
        problems.add("templates/static", 1, 1, "templates/static/ is a symbolic link; put the folder itself here")
        return files
    for root, folders, names in os.walk(static):
        here = Path(root)
        for name in [*folders, *names]:
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
    return dict(sorted(files.items()))


Keep = Callable[[str, Iterator[bytes]], Any]
"""What to do with a page (dest, its bytes as they are rendered), in the process that renders it:
write it, or hand it back."""

RenderedJob = tuple[int, Any, frozenset[Fact]]
"""(index of the job, what `keep` returned or None after a template error, the facts the page read)."""

NAV_SECTIONS = ("recommendations", "missions", "pilots", "funding", "timeline", "glossary", "sources")
"""The sections in the main menu, in order."""

HEADING_TAG = re.compile(r"<(/?)h([1-6])>")
"""A heading tag as Python-Markdown writes it (no attributes)."""

BODY_SHIFT = 1
"""An item's body sits under its page's h2 "More about this proposal": its ## headings become h3."""

PARALLEL_FROM = 32
"""Fewer pages than this render in this process: forking costs more than it saves."""

_forked: tuple[Renderer, list[PageJob], Keep] | None = None
"""What forked workers render from: set before the pool forks, so nothing is pickled to them."""


def hand_back(dest: str, chunks: Iterator[bytes]) -> bytes:
    return b"".join(chunks)


def render_jobs(renderer: Renderer, jobs: list[PageJob], problems: Collector,
                workers: int = 1, keep: Keep = hand_back) -> Iterator[RenderedJob]:
    """Render the jobs in order, recording what each page reads; over `workers` processes when many.

    Each page is passed to `keep` where it was rendered, so a worker writes its own pages and only
    their hashes travel back. Each page depends only on its own job, so the bytes are the same
    however the work is split.
    """
    global _forked
    if workers <= 1 or len(jobs) < PARALLEL_FROM:
        for index, kept, facts, found in _render_batch(renderer, jobs, keep, range(len(jobs))):
            problems.extend(found)
            yield index, kept, facts
        return
    for template in sorted({template for _, template, _ in jobs}):
        try:
            renderer.env.get_template(template)  # compile once, before the fork, for every worker
        except jinja2.TemplateError:
            pass  # reported with its line when the page renders
    size = max(1, min(64, len(jobs) // (workers * 8)))
    batches = [range(start, min(start + size, len(jobs))) for start in range(0, len(jobs), size)]
    _forked = (renderer, jobs, keep)
    try:
        with forked_pool(workers) as pool:
            for batch in pool.imap(_render_forked, batches):
                for index, kept, facts, found in batch:
                    problems.extend(found)
                    yield index, kept, facts
    finally:
        _forked = None


@contextmanager
def forked_pool(workers: int) -> Iterator[multiprocessing.pool.Pool]:
    """A pool of forked workers that share the parent's memory instead of copying it.

    The parent's objects are frozen out of the garbage collector first: otherwise each worker's
    first collection touches every object and so copies every page of a large site's memory.
    """
    gc.collect()
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield pool
    finally:
        gc.unfreeze()


_converting: Renderer | None = None
"""The renderer forked Markdown workers convert with: set before the pool forks, so nothing is pickled."""


def _convert_forked(text: str) -> tuple[tuple[Markup, list[MarkupIssue]], Markup]:
    assert _converting is not None
    found = render_markdown(text, _converting.base, BODY_SHIFT)
    return found, _converting.link_terms(found[0])


def _render_forked(indexes: range) -> list[tuple[int, Any, frozenset[Fact], list[Problem]]]:
    assert _forked is not None
    return _render_batch(*_forked, indexes)


def _render_batch(renderer: Renderer, jobs: list[PageJob], keep: Keep,
                  indexes: range) -> list[tuple[int, Any, frozenset[Fact], list[Problem]]]:
    done = []
    for index in indexes:
        dest, template, context = jobs[index]
        found = Collector()
        with tracing() as facts:
            try:
                kept = keep(dest, renderer.render(template, dest, found, **context))
            except RenderFailed:
                kept = None
        done.append((index, kept, frozenset(facts), found.problems))
    return done
