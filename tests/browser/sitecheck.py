"""The quality gate's checks as plain functions, so they run on the real site and on a deliberately broken one.

Each check returns a list of problems as readable strings (or a small record of them) and never asserts:
the tests in test_gate_site.py assert that the lists are empty, and test_gate_checks.py asserts that each
kind of fault is found. The site is always looked at through `sitegen.pages`, under a sub-path, because
that is where GitHub Pages puts a project site and where most of its links break.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, Request, Response, TimeoutError

from sitegen.pages import serve_site

ROOT = Path(__file__).resolve().parents[2]
BASE_PATH = "/REPO/"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_EXPERIMENTAL = ["css-orientation-lock", "table-fake-caption", "td-has-header", "focus-order-semantics"]
"""Rules under AXE_TAGS that axe marks experimental, and so leaves off unless asked: WCAG 1.3.4 and 1.3.1,
and a best practice. Its other two stay off: p-as-heading (1.3.1) takes the home page's key figures,
large bold values in their tiles, for headings written as paragraphs, and hidden-content lists every
hidden element for a person to review rather than finding a fault."""
# Chromium still asks DNS for Google hosts with Playwright's flags; this makes it resolve only loopback.
CHROMIUM_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]
REFLOW_WIDTH = 320  # WCAG 1.4.10: content reflows at 320 CSS pixels without scrolling sideways
DESKTOP = {"width": 1280, "height": 800}
EXTERNAL_LINKS = pytest.StashKey[dict[str, str]]()  # filled by the link check, listed in the terminal summary
GATE_FIGURES: dict[str, int] = {}
"""What the gate measured in this run, printed at the end of the session (pages, violations, links)."""
GATE_STARTED: dict[str, float] = {}
"""When the gate's site build started and its last test ended (or, added up from pytest-xdist's
workers, its longest wall time in seconds)."""

# Attributes that hold one URL, by element; srcset-like attributes hold several.
URL_ATTRIBUTES = {
    "a": ("href",), "area": ("href",), "link": ("href",), "img": ("src",), "script": ("src",),
    "iframe": ("src",), "embed": ("src",), "source": ("src",), "track": ("src",), "audio": ("src",),
    "video": ("src", "poster"), "input": ("src", "formaction"), "button": ("formaction",), "form": ("action",),
    "object": ("data",), "blockquote": ("cite",), "q": ("cite",), "ins": ("cite",), "del": ("cite",),
}
SRCSET_ATTRIBUTES = ("srcset", "imagesrcset")


# -- the site and its server ---------------------------------------------------------------------------


def html_pages(site_dir: Path) -> list[str]:
    """Every HTML file of a built site, as paths relative to it ("index.html", "recommendations/x/index.html")."""
    return sorted(path.relative_to(site_dir).as_posix() for path in site_dir.rglob("*.html") if path.is_file())


def page_path(base_path: str, relative: str) -> str:
    """The URL path a reader uses for a file: folders for index.html files, as the site links them."""
    if relative == "index.html":
        return base_path
    if relative.endswith("/index.html"):
        return base_path + relative.removesuffix("index.html")
    return base_path + relative


@dataclass(frozen=True)
class ServedSite:
    """A built site being served by sitegen.pages at origin + base_path."""

    site_dir: Path
    origin: str  # "http://127.0.0.1:PORT"
    base_path: str
    pages: list[str]

    def url(self, relative: str) -> str:
        return self.origin + page_path(self.base_path, relative)


@contextmanager
def served(site_dir: Path, base_path: str = BASE_PATH) -> Iterator[ServedSite]:
    """Serve `site_dir` as GitHub Pages would, on a free loopback port, for the duration of the block."""
    server = serve_site(site_dir, base_path, port=0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, name="pages-server", daemon=True)
    thread.start()
    try:
        yield ServedSite(site_dir, f"http://127.0.0.1:{server.server_port}", base_path, html_pages(site_dir))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- links: plain Python over the built files, checked against the server ----------------------------------


class PageParser(HTMLParser):
    """Collects a page's ids (fragment targets), its URLs and any <base href>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.urls: list[tuple[str, str]] = []  # (where, as written), e.g. ("<a href>", "../x/")
        self.base_href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        if tag == "base" and "href" in values:
            self.base_href = values["href"].strip()
        for name in URL_ATTRIBUTES.get(tag, ()):
            if name in values:
                self.urls.append((f"<{tag} {name}>", values[name].strip()))
        for name in SRCSET_ATTRIBUTES:
            for candidate in values.get(name, "").split(","):
                if candidate.strip():
                    self.urls.append((f"<{tag} {name}>", candidate.split()[0]))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            _, _, target = values.get("content", "").partition("=")
            if target.strip():
                self.urls.append(("<meta refresh>", target.strip().strip("'\"")))


def parse_page(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


@dataclass
class LinkReport:
    errors: list[str] = field(default_factory=list)
    external: dict[str, str] = field(default_factory=dict)  # external URL -> first page that links to it
    checked: int = 0  # internal URLs checked, counting repeats


class _Target(NamedTuple):
    status: int
    location: str
    ids: frozenset[str] | None  # None: not HTML, fragments are not checked


class _Fetcher:
    """GETs internal URLs from the test server once each, without following redirects."""

    def __init__(self, origin: str) -> None:
        parts = urlsplit(origin)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cache: dict[str, _Target] = {}

    def get(self, path_and_query: str) -> _Target:
        if path_and_query not in self.cache:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
            try:
                connection.request("GET", path_and_query)
                response = connection.getresponse()
                body = response.read()
                is_html = "html" in response.getheader("Content-Type", "")
                ids = frozenset(parse_page(body.decode("utf-8", "replace")).ids) if is_html else None
                self.cache[path_and_query] = _Target(response.status, response.getheader("Location", ""), ids)
            finally:
                connection.close()
        return self.cache[path_and_query]


def check_links(site: ServedSite) -> LinkReport:
    """Every href/src of every page: internal ones stay under the base path, answer 200 and have their #fragment.

    External URLs (http(s) to another host) are collected, not fetched: the gate must not need the internet.
    """
    report = LinkReport()
    fetcher = _Fetcher(site.origin)
    server_host = urlsplit(site.origin).netloc
    for relative in site.pages:
        parsed = parse_page((site.site_dir / relative).read_text(encoding="utf-8", errors="replace"))
        page_url = site.url(relative)
        base = urljoin(page_url, parsed.base_href) if parsed.base_href else page_url
        for where, written in parsed.urls:
            problem = _check_url(site, fetcher, server_host, relative, base, written, parsed, report)
            if problem:
                report.errors.append(f"{relative}: {where} {written!r}: {problem}")
    return report


def _check_url(site: ServedSite, fetcher: _Fetcher, server_host: str, relative: str, base: str, written: str,
               parsed: PageParser, report: LinkReport) -> str | None:
    target = urlsplit(urljoin(base, written))
    if target.scheme not in ("http", "https"):
        return None  # mailto:, tel:, data:, javascript: are not pages
    if target.netloc != server_host:
        report.external.setdefault(target.geturl(), relative)
        return None
    report.checked += 1
    if relative == "404.html" and not parsed.base_href and not written.startswith(("/", "#", "http:", "https:")):
        return "relative URL in 404.html: Pages serves 404.html at any depth, where it points elsewhere"
    if not target.path.startswith(site.base_path):
        return f"leaves the site's base path {site.base_path} (resolves to {target.path})"
    found = fetcher.get(target.path + (f"?{target.query}" if target.query else ""))
    if found.status != 200:
        moved = f" to {found.location}" if found.location else ""
        return f"HTTP {found.status}{moved} for {target.path}"
    fragment = unquote(target.fragment)
    if fragment and found.ids is not None and fragment not in found.ids and fragment.lower() != "top":
        return f"no id={fragment!r} on {target.path}"
    return None


# -- HTML validity -----------------------------------------------------------------------------------------


def run_vnu(site_dir: Path) -> list[str]:
    """The Nu Html Checker over every HTML file in one JVM: ["path:line: message", ...] for each error."""
    if not VNU_JAR.is_file():
        raise RuntimeError(f"{VNU_JAR} is missing: run `npm ci` in {ROOT}")
    java = shutil.which("java") or "/usr/bin/java"
    command = [java, "-jar", str(VNU_JAR), "--errors-only", "--skip-non-html", "--format", "json", "--stdout",
               str(site_dir)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    try:
        messages = json.loads(done.stdout)["messages"]
    except (json.JSONDecodeError, KeyError) as exc:
        raise RuntimeError(f"vnu gave no JSON (exit {done.returncode}): {done.stderr[-2000:]}") from exc
    root = site_dir.resolve().as_posix()
    problems = []
    for message in messages:
        name = unquote(urlsplit(message.get("url", "")).path)
        name = name.removeprefix(root).lstrip("/") or message.get("url", "?")
        extract = " ".join(message.get("extract", "").split())[:80]
        problems.append(f"{name}:{message.get('lastLine', '?')}: {message.get('message', message)}"
                        + (f" [{extract}]" if extract else ""))
    return problems


# -- in the browser ----------------------------------------------------------------------------------------


def new_context(browser: Browser, javascript: bool = True) -> BrowserContext:
    """A desktop-sized context; with JavaScript, every page gets axe-core before its own scripts run.

    An init script is compiled once and is not subject to the page's CSP, unlike a <script> tag; it is
    much faster than evaluating axe's 600 KB in each page.
    """
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=javascript)
    context.set_default_timeout(15_000)
    if javascript:
        if not AXE_JS.is_file():
            raise RuntimeError(f"{AXE_JS} is missing: run `npm ci` in {ROOT}")
        context.add_init_script(path=AXE_JS)
    return context


class AxeViolation(NamedTuple):
    rule: str
    impact: str
    help: str
    targets: list[str]

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:5]) + (f" (+{len(self.targets) - 5} more)" if len(self.targets) > 5 else "")
        return f"{self.rule} ({self.impact}): {self.help}: {shown}"


@dataclass
class Visit:
    """What one load of a page showed."""

    url: str
    axe: list[AxeViolation] = field(default_factory=list)
    console: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    network: list[str] = field(default_factory=list)  # failed or >= 400 requests, other origins
    scroll_width: int = 0  # document width at REFLOW_WIDTH
    too_wide: list[str] = field(default_factory=list)  # where the overflow starts: outermost boxes past the edge
    detached: list[str] = field(default_factory=list)  # glossary terms whose "?" button starts a line at 320 px
    # what a reader without JavaScript sees, when the page's HTML has no script, <noscript> or frame (so it shows
    # the same with JavaScript off); None when it must be loaded with JavaScript off to know
    without_js: list[str] | None = None


AXE_RUN = """([tags, experimental]) => axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
    rules: Object.fromEntries(experimental.map(rule => [rule, {enabled: true}]))})
  .then(result => result.violations.map(v => ({
    rule: v.id, impact: v.impact || '', help: v.help,
    targets: v.nodes.map(n => n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' '))})))"""
REFLOW = """limit => {
  const width = document.documentElement.scrollWidth, edge = document.documentElement.clientWidth + 1;
  const sticksOut = el => el.getBoundingClientRect().right > edge;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].map(c => '.' + c).join('');
  const culprits = [];
  if (width > edge) {
    for (const el of document.body.querySelectorAll('*')) {
      if (culprits.length >= limit) break;
      if (sticksOut(el) && !sticksOut(el.parentElement)) {
        const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
        const right = Math.round(el.getBoundingClientRect().right);
        culprits.push(`${name(el.parentElement)} > ${name(el)} "${text}" reaches ${right} px`);
      }
    }
  }
  return {width, culprits};
}"""


DETACHED = """() => [...document.querySelectorAll('button.term-info')].flatMap(button => {
  const term = button.parentElement.querySelector('a'), lines = term.getClientRects();
  const last = lines[lines.length - 1], box = button.getBoundingClientRect();
  return box.bottom < last.top || box.top > last.bottom || box.left < last.right - 1 ? [term.textContent] : [];
})"""
"""The glossary terms whose "?" button is not on the line where the term ends."""


def axe_violations(page: Page) -> list[AxeViolation]:
    """axe-core in the loaded page (from `new_context`'s init script, else evaluated now: never a script tag)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return [AxeViolation(**found) for found in page.evaluate(AXE_RUN, [AXE_TAGS, AXE_EXPERIMENTAL])]


def visit(page: Page, url: str, origin: str, expect_status: int = 200) -> Visit:
    """Load `url` once at desktop size: run axe, record console and network trouble, what a reader without
    JavaScript sees of a page with no script, then measure at 320 px and find "?" buttons off their term's line."""
    seen = Visit(url)

    def on_console(message: ConsoleMessage) -> None:
        where = message.location.get("url", "") if message.location else ""
        if where == url and expect_status != 200 and message.text.startswith("Failed to load resource"):
            return  # Chromium logs the expected status of the page itself
        if message.type == "error":
            seen.console.append(f"console error: {message.text}" + (f" ({where})" if where else ""))

    def on_page_error(error: Error) -> None:
        seen.console.append(f"uncaught exception: {error}")

    def on_request(request: Request) -> None:
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and not request.url.startswith(origin + "/"):
            seen.network.append(f"request outside the test server: {request.url}")

    def on_failed(request: Request) -> None:
        if request.failure == "net::ERR_ABORTED" and request.url.endswith("/favicon.svg"):
            return  # Chromium fetches the icon after the load and may cancel it; the link check proves it is there
        seen.network.append(f"request failed: {request.url} ({request.failure})")

    def on_response(response: Response) -> None:
        expected = expect_status if response.url == url else 200
        if response.status >= 400 and response.status != expected:
            seen.network.append(f"HTTP {response.status}: {response.url}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("request", on_request)
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    try:
        page.set_viewport_size(DESKTOP)
        response = page.goto(url, wait_until="load")
        if response is None or response.status != expect_status:
            seen.network.append(f"page answered {response.status if response else 'nothing'}, not {expect_status}")
        seen.axe = axe_violations(page)
        # a page whose HTML holds no script, handler, <noscript> or frame is laid out as it is with
        # JavaScript off (axe's init script changes nothing), so it is checked for that here
        if response is not None and not SCRIPTED.search(response.text()):
            seen.without_js = without_javascript_problems(page.evaluate(WITHOUT_JS))
        page.set_viewport_size({"width": REFLOW_WIDTH, "height": 800})
        reflow = page.evaluate(REFLOW, 3)
        seen.scroll_width, seen.too_wide = reflow["width"], reflow["culprits"]
        seen.detached = page.evaluate(DETACHED)
    finally:  # the page is reused for the next URL: its events are no longer this one's
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_page_error)
        page.remove_listener("request", on_request)
        page.remove_listener("requestfailed", on_failed)
        page.remove_listener("response", on_response)
    return seen


def search_results(page: Page, url: str, query: str, wanted: str, timeout_ms: float = 15_000,
                   ) -> tuple[list[str], list[str]]:
    """Type query into the search page at url, as a reader would, and wait (up to timeout_ms) for a
    result linking to wanted; return the result links shown and any console errors or uncaught
    exceptions on the way."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url, wait_until="load")
    page.fill("#search-input", query)
    try:
        page.wait_for_selector(f'#search-results a[href="{wanted}"]', timeout=timeout_ms)
    except TimeoutError:
        pass  # the caller reports what was found instead
    return [link.get_attribute("href") or "" for link in page.query_selector_all("#search-results a")], errors


SCRIPTED = re.compile(r"<(?:no)?script\b|<(?:iframe|object|embed)\b|\son[a-z]+\s*=", re.IGNORECASE)
"""What in a page's HTML could make it show differently with JavaScript off."""
WITHOUT_JS = """() => ({
  mains: document.querySelectorAll('main').length,
  mainText: document.querySelector('main') ? document.querySelector('main').innerText.trim().length : 0,
  navs: document.querySelectorAll('nav').length,
  tables: [...document.querySelectorAll('table')].map(table => table.checkVisibility()
    && table.getBoundingClientRect().width > 0 && table.getBoundingClientRect().height > 0),
})"""


def check_without_javascript(page: Page, url: str) -> list[str]:
    """On a page of a context with JavaScript off: one <main> with text, a <nav>, every table visible.

    Playwright's evaluate still works there: it is the page's own scripts that are off.
    """
    page.goto(url, wait_until="load")
    return without_javascript_problems(page.evaluate(WITHOUT_JS))


def without_javascript_problems(found: dict[str, Any]) -> list[str]:
    """What WITHOUT_JS found, as problems."""
    problems = []
    if found["mains"] != 1:
        problems.append(f"{found['mains']} <main> elements, not 1")
    elif not found["mainText"]:
        problems.append("<main> shows no text without JavaScript")
    if not found["navs"]:
        problems.append("no <nav>")
    for index, visible in enumerate(found["tables"]):
        if not visible:
            problems.append(f"table {index + 1} of {len(found['tables'])} is hidden without JavaScript")
    return problems


FOCUSED = """() => {
  const el = document.activeElement, style = getComputedStyle(el), box = el.getBoundingClientRect();
  return {tag: el.tagName.toLowerCase(), classes: [...el.classList], href: el.getAttribute('href'),
          outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
          boxShadow: style.boxShadow, box: [box.left, box.top, box.width, box.height],
          viewport: [innerWidth, innerHeight]};
}"""
AFTER_SKIP = """() => {
  const main = document.getElementById('main');
  return {hash: location.hash, active: document.activeElement ? document.activeElement.id : null,
          tabindex: main ? main.getAttribute('tabindex') : null};
}"""


def check_skip_link(page: Page, url: str) -> list[str]:
    """The first Tab reaches a visible, visibly focused skip link, and Enter on it moves to <main id="main">."""
    page.goto(url, wait_until="load")
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    if not (focused["tag"] == "a" and "skip-link" in focused["classes"] and focused["href"] == "#main"):
        return [f"first Tab focused <{focused['tag']} class={' '.join(focused['classes'])!r} "
                f"href={focused['href']!r}>, not the skip link"]
    problems = []
    has_outline = focused["outlineStyle"] != "none" and focused["outlineWidth"] > 0
    if not has_outline and focused["boxShadow"] in ("none", ""):
        problems.append("focused skip link has no visible focus indicator (no outline, no box-shadow)")
    left, top, width, height = focused["box"]
    view_width, view_height = focused["viewport"]
    if width < 2 or height < 2 or left < 0 or top < 0 or left >= view_width or top >= view_height:
        problems.append(f"focused skip link is not on screen (box {focused['box']})")
    page.keyboard.press("Enter")
    after = page.evaluate(AFTER_SKIP)
    if after["hash"] != "#main":
        problems.append(f"Enter on the skip link left location.hash = {after['hash']!r}")
    if after["active"] != "main" and after["tabindex"] != "-1":
        problems.append("after the skip link, focus is not on <main> and <main> lacks tabindex=-1")
    return problems


NAV_HIDDEN = """() => [...document.querySelectorAll('nav')].map(
  nav => getComputedStyle(nav).display === 'none' || !nav.checkVisibility())"""


def check_print(page: Page, url: str) -> list[str]:
    """In print media every <nav> is hidden, and Chromium makes a PDF of the page."""
    page.emulate_media(media="print")
    try:
        page.goto(url, wait_until="load")
        hidden = page.evaluate(NAV_HIDDEN)
        problems = []
        if not hidden:
            problems.append("no <nav> to hide")
        elif not all(hidden):
            problems.append(f"{hidden.count(False)} <nav> still shown in print")
        pdf = page.pdf(format="A4", print_background=True)
        if not pdf.startswith(b"%PDF") or len(pdf) < 1000:
            problems.append(f"page.pdf() gave {len(pdf)} bytes, not a PDF")
        return problems
    finally:
        page.emulate_media(media="null")  # back to screen for the next check on this page
