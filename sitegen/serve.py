"""Live preview: pages rendered when the browser asks for them, build errors shown in the browser.

The preview keeps the checked site and its page plan in memory. On a save (seen by preview_server's
watcher, which calls `Preview.rebuild`), or on the next request after one, it reads the inputs again
(a data file whose text is unchanged is not parsed again) and plans the pages, but renders none: a
page is rendered when it is asked for, and kept until the next save. While the inputs are broken it serves a page
listing every problem; fixing the file brings the site back.

What covers the whole site, the search index, is made by a full build in another process, after the
save's reload, into a folder of the build cache (outside the work tree, where a pull request could
put files of its own): it never holds up a page, and until it is done search answers from the index
of the save before. Only its pagefind/ files are served; every page and static file comes from memory.
It answers only requests addressed to this machine, and serves every page with its CSP, in the page
and as a header no template can loosen (see preview_server), and no service worker.
"""

from __future__ import annotations

import gc
import html
import logging
import mimetypes
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .build import Kept, check_site, plan
from .cache import BuildCache, cache_folder, files_under
from .characters import printable
from .emptied import record_item_counts
from .errors import BuildFailed, Collector, Problem
from .inputs import static_files
from .pages import CONTENT_SECURITY_POLICY, LOOPBACK_NAMES, is_loopback_host
from .plan import PageJob
from .render import MAX_PAGE_BYTES, Renderer, Settings
from .resolve import KeptLinks
from .write import check_output

WATCHED = ("content", "data", "templates", "sources")
KEPT_PAGES = 256
"""Rendered pages kept in memory until the next save; the first rendered go first when there are more."""
SLOW_LISTING = 0.05
"""Seconds past which listing the inputs is slow (the real site's take 7 ms): see inputs_fingerprint."""
INDEX_SECONDS = 1800
"""The longest the search index's build may take: the 10,000-item benchmark's takes a few minutes."""
FILE_BYTES = 256_000_000
"""The largest file the preview makes (it holds each whole): the 10,000-item benchmark's largest
download is 35 MB, so one of 50,000 items (build.MAX_ITEMS) would be about 175 MB."""
StartResponse = Callable[[str, list[tuple[str, str]]], Any]

DIES_WITH_PARENT = """
import ctypes, signal, sys
if sys.platform == "linux":
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
"""
"""The start of a script run in a process of its own, so that it is killed when the process that started
it dies: a stopped preview leaves no index build running, its pipes never read."""
INDEX_BUILD = DIES_WITH_PARENT + """
import os, sys
os.nice(10)
sys.path.insert(0, sys.argv[3])
from pathlib import Path
from sitegen.serve import build_for_search
sys.exit(build_for_search(Path(sys.argv[1]), Path(sys.argv[2])))
"""
"""The search index's build, run as its own process so that it takes neither the preview's
interpreter nor its memory while pages are asked for, and at a lower priority (with its rendering
processes and Pagefind), so that a save's page is not kept waiting for the cores while the last
save's index is still being made. It runs isolated (-I) and imports this very package (argv[3]),
never a sitegen/ in the folder it was started from, which may be a pull request's."""
PACKAGE_HOME = str(Path(__file__).resolve().parent.parent)


class Preview:
    """The preview's state: the checked site and its page jobs, the pages rendered so far, or the
    problems of the inputs as they are now."""

    def __init__(self, project: Path, out: Path | None = None, port: int = 8000):
        self.project = project
        self.out = out or cache_folder(project) / "preview-site"
        self.port = port
        """The port the preview listens on: requests must name it (see pages.is_loopback_host)."""
        self.problems: list[Problem] = []
        self.fingerprint: int | None = None
        self.cache = BuildCache(cache_folder(project) / "preview")
        self.kept: Kept = {}
        self.kept_links = KeptLinks()
        """Each item's links resolved at the last good save (see resolve.KeptLinks)."""
        self.renderer: Renderer | None = None
        self.jobs: dict[str, PageJob] = {}
        self.statics: dict[str, bytes] = {}
        self.pages: dict[str, bytes] = {}
        """Pages rendered since the last save, by path."""
        self.lock = threading.RLock()
        self.indexing: threading.Thread | None = None
        self.index_again = False
        self.indexed: int | None = None
        """The inputs' fingerprint the search index was last started for."""
        self.listed, self.listed_until = 0, 0.0
        """The last listing's fingerprint, and until when it is given again (see inputs_fingerprint)."""

    def inputs_fingerprint(self) -> int:
        """A hash of every watched file's path, size and mtime: equal fingerprints need no reload. Folders
        past files_under's bounds hash as the problem, which the next reading reports (see check_site).

        Every request and every tick of the watcher asks, so listing the inputs may take a tenth of the
        preview's time at most: a listing slower than SLOW_LISTING (thousands of files) is given again
        until nine times as long has passed."""
        started = time.monotonic()
        if started < self.listed_until:
            return self.listed
        try:
            self.listed = hash(tuple((path, stat.st_size, stat.st_mtime_ns) for folder in WATCHED
                                     for _rel, path, stat in files_under(self.project / folder)))
        except BuildFailed as failed:
            self.listed = hash(tuple(map(str, failed.problems)))
        took = time.monotonic() - started
        self.listed_until = time.monotonic() + 9 * took if took > SLOW_LISTING else 0.0
        return self.listed

    def refresh(self) -> bool:
        """Read the inputs again if they changed since the last look, and say how it went; True when they did."""
        with self.lock:
            fingerprint = self.inputs_fingerprint()
            if fingerprint == self.fingerprint:
                return False
            self.fingerprint = fingerprint
            if self.renderer is not None:
                self.renderer.close()
            self.renderer, self.jobs, self.pages = None, {}, {}  # let go of the last site before reading the next
            gc.collect()  # the pages' rendering leaves cycles that hold the last site: only they are walked
            gc.disable()  # as `build` does: the cycle collector would walk the whole site many times over
            try:
                check_output(self.out.absolute(), self.project)
                site = check_site(self.project, kept=self.kept, checks=self.cache.checks,
                                  links=self.kept_links)
                renderer, jobs = plan(self.project, site, Settings(), self.cache)
                problems = Collector()
                statics = static_files(self.project / "templates", problems)
                problems.raise_if_any()
                self.renderer, self.jobs, self.statics = renderer, {job.dest: job for job in jobs}, statics
                self.cache.markdown = {key: renderer.markdown_memo[key] for key in renderer.markdown_used}
                self.problems = []
                record_item_counts(self.project, site)
            except BuildFailed as failed:
                self.problems = failed.problems
            except Exception as exc:  # the preview must survive anything an edit can cause
                self.problems = [Problem("build.py", 1, 1, f"internal error: {type(exc).__name__}: {exc}")]
            finally:
                if not self.problems:  # what was read stays until the next save: no collection walks it
                    gc.freeze()  # (a failed save's leftovers, an exception's frames among them, are not kept)
                gc.enable()
            for problem in self.problems:
                print(problem, file=sys.stderr)
            print(f"{len(self.problems)} problem(s); the preview shows them until they are fixed."
                  if self.problems else "Reloaded.", file=sys.stderr)
            return True

    def rebuild(self) -> None:
        """On a save: read the inputs again, and bring the search index up to date once they are good."""
        self.refresh()
        with self.lock:
            if self.problems or self.indexed == self.fingerprint:
                return  # broken, or several watched folders reported the same burst of saves
            self.indexed = self.fingerprint
        self.start_index()

    def start_index(self) -> None:
        """Build into out in another process for the search index; once more after it if a save came meanwhile."""
        with self.lock:
            if self.indexing is not None and self.indexing.is_alive():
                self.index_again = True
                return
            self.indexing = threading.Thread(target=self.update_index, daemon=True)
            self.indexing.start()

    def update_index(self) -> None:
        """Run the search index's build until no save came while it ran; say why when one fails."""
        while True:
            try:
                done = subprocess.run([sys.executable, "-I", "-c", INDEX_BUILD, str(self.project.absolute()),
                                       str(self.out.absolute()), PACKAGE_HOME],
                                      capture_output=True, text=True, check=False, timeout=INDEX_SECONDS)
                said = done.stderr.strip().splitlines() if done.returncode != 0 else []
            except subprocess.TimeoutExpired:  # its process is killed; the next save starts another
                said = [f"its build took more than {INDEX_SECONDS} s and was stopped"]
            if said:
                print("The search index was not updated:", *map(printable, said), sep="\n", file=sys.stderr)
            with self.lock:
                if not self.index_again:
                    return
                self.index_again = False

    def wait(self) -> None:
        """Wait until the search index's build is done (for tests)."""
        while self.indexing is not None and self.indexing.is_alive():
            self.indexing.join()

    def page(self, dest: str) -> bytes | None:
        """The file at dest: a page rendered now (or kept from before), a static file, or a file of the
        search index from out; raise BuildFailed with the page's problems if it cannot be rendered."""
        with self.lock:
            job, renderer = self.jobs.get(dest), self.renderer
            if job is not None and renderer is not None:
                kept = self.pages.get(dest)
                if kept is not None:
                    return kept
                try:  # what a page shows is worked out as it is asked for: the preview must survive anything
                    context = job.shown.context
                except Exception as exc:
                    said = f"internal error: {type(exc).__name__}: {exc}"
                    raise BuildFailed([Problem("build.py", 1, 1, said)]) from exc
                problems = Collector()
                renderer.reported.clear()  # each page that stops at a template's error says so, not only the first
                parts, size = [], 0
                for part in renderer.render(job.template, job.dest, problems, context) or []:
                    if (size := size + len(part)) > FILE_BYTES:  # a page is stopped sooner (render.MAX_PAGE_BYTES)
                        problems.add(f"templates/{job.template}", 1, 1, f"{dest} would be more than {FILE_BYTES:,}"
                                     " bytes, which the preview holds whole: far more than a real site's")
                        break
                    parts.append(part)
                problems.raise_if_any()  # this page's problem, shown for it alone: the others still work
                data = b"".join(parts)
                if size <= MAX_PAGE_BYTES:  # a large download is made again when asked for, not kept
                    self.pages[dest] = data
                while len(self.pages) > KEPT_PAGES:
                    del self.pages[next(iter(self.pages))]
                return data
            if dest in self.statics:
                return self.statics[dest]
        found = resolve_request(self.out, dest) if dest.startswith("pagefind/") else None
        return found.read_bytes() if found is not None else None

    def app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """WSGI: the error page while the inputs are broken, else the file asked for; nothing to a
        request that names another host than loopback (DNS rebinding)."""
        if not is_loopback_host(environ.get("HTTP_HOST"), self.port):
            return self._respond(start_response, "403 Forbidden", "text/plain; charset=utf-8",
                                 f"This preview answers only to http://127.0.0.1:{self.port}/.\n".encode())
        if environ.get("HTTP_SERVICE_WORKER") == "script":  # a worker would outlive the preview, and its CSP
            return self._respond(start_response, "403 Forbidden", "text/plain; charset=utf-8",
                                 b"This preview serves no service worker.\n")
        self.refresh()
        dest = page_path(environ.get("PATH_INFO", "/"))
        try:
            body = self.page(dest) if dest is not None and not self.problems else None
        except BuildFailed as failed:
            return self._respond(start_response, "500 Build failed", "text/html; charset=utf-8",
                                 error_page(failed.problems))
        if self.problems:
            return self._respond(start_response, "500 Build failed", "text/html; charset=utf-8",
                                 error_page(self.problems))
        if body is None or dest is None:
            try:
                missing = self.page("404.html")
            except BuildFailed:
                missing = None
            return self._respond(start_response, "404 Not Found", "text/html; charset=utf-8", missing or b"Not found")
        kind = mimetypes.guess_type(dest)[0] or "application/octet-stream"
        if kind == "text/html":  # served with its CSP, as published: the reload script is not inline
            kind += "; charset=utf-8"
        return self._respond(start_response, "200 OK", kind, body)

    @staticmethod
    def _respond(start_response: StartResponse, status: str, kind: str, body: bytes) -> list[bytes]:
        start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                                ("Cache-Control", "no-store"), ("Content-Security-Policy", CONTENT_SECURITY_POLICY)])
        return [body]


def build_for_search(project: Path, out: Path) -> int:
    """The whole site into out, for its search index (run by Preview.update_index in its own process)."""
    from .build import build

    try:
        build(project, out, Settings(), BuildCache(cache_folder(project) / "preview"))
    except BuildFailed as failed:
        print(*failed.problems, sep="\n", file=sys.stderr)
        return 1
    return 0


def page_path(url_path: str) -> str | None:
    """The site's file a URL path names ("recommendations/" → "recommendations/index.html"), or None
    for a path that could name anything outside the site."""
    parts = [part for part in unquote(url_path).split("/") if part not in ("", ".")]
    if any(part == ".." or "\\" in part or "\x00" in part for part in parts):
        return None
    if not parts or url_path.endswith("/") or "." not in parts[-1]:
        parts.append("index.html")
    return "/".join(parts)


def resolve_request(root: Path, url_path: str) -> Path | None:
    """The file a URL path names inside root, or None: never anything outside root."""
    parts = [part for part in unquote(url_path).split("/") if part not in ("", ".")]
    if any(part == ".." or "\\" in part or "\x00" in part for part in parts):
        return None
    try:
        path = root.joinpath(*parts)
        if path.is_dir():
            path = path / "index.html"
        path.resolve().relative_to(root.resolve())
        return path if path.is_file() else None
    except (OSError, ValueError):  # a name too long for the file system, say, or a path out of root
        return None


def error_page(problems: list[Problem]) -> bytes:
    """A plain page listing every problem, so the editor sees what to fix without the terminal."""
    rows = "\n".join(f"<li><code>{html.escape(printable(p.path))}:{p.line}:{p.column}</code>:"
                     f" {html.escape(printable(p.message))}</li>" for p in problems)
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8"><title>Build failed</title></head>'
        f"<body><main><h1>The build failed: {len(problems)} problem(s)</h1>"
        f"<p>Fix these and save; this page reloads by itself.</p><ol>{rows}</ol></main></body></html>\n"
    ).encode()


def serve(project: Path, port: int) -> None:
    """Check the inputs, then serve on 127.0.0.1 with live reload until interrupted."""
    preview = Preview(project, port=port)
    preview.rebuild()
    server = preview_server(preview)
    print(f"Previewing at http://127.0.0.1:{port}/ (Ctrl+C stops).", file=sys.stderr)
    server.serve(host="127.0.0.1", port=port, debug=False, restart_delay=0)


def escaped_log_record(record: logging.LogRecord) -> bool:
    """livereload logs what a page sends it ("Browser Connected: <url>"), and a template's script decides
    that: its control characters are shown as escapes, never sent to the editor's terminal."""
    record.msg, record.args = printable(record.getMessage()), ()
    return True


def preview_server(preview: Preview) -> Any:
    """livereload's server for the preview, watching the project's inputs and answering only to this machine.

    Its pages, its reload script and its reload socket each refuse a request that names another host
    (pages.is_loopback_host), and the socket one from a page of another origin (a page on the web could
    otherwise open it). The reload script is loaded from the preview itself, where livereload would
    write it into the page inline: so every page keeps the CSP the published site has, and an image
    from another site in a pull request is not loaded while an editor previews it.
    """
    from livereload import Server  # imported here, so that `build` works without the server's imports
    from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
    from livereload.server import LiveScriptContainer
    from livereload.watcher import Watcher
    from tornado import web

    origins = {f"http://{name}:{preview.port}" for name in LOOPBACK_NAMES}

    logger = logging.getLogger("livereload")
    if escaped_log_record not in logger.filters:
        logger.addFilter(escaped_log_record)

    class ReloadSocket(LiveReloadHandler):  # type: ignore[misc]
        def prepare(self) -> None:
            if not is_loopback_host(self.request.headers.get("Host"), preview.port):
                raise web.HTTPError(403)

        def check_origin(self, origin: str) -> bool:
            return origin.lower() in origins

    class ReloadScript(LiveReloadJSHandler):  # type: ignore[misc]
        def prepare(self) -> None:
            if not is_loopback_host(self.request.headers.get("Host"), preview.port):
                raise web.HTTPError(403)

    class InputsWatcher(Watcher):  # type: ignore[misc]
        """Asks the preview whether its inputs changed (Preview.inputs_fingerprint, which lists files
        without following links), where livereload's own watcher walks each folder following links:
        two links in content/ to content/ itself would make that walk endless."""

        def __init__(self) -> None:
            super().__init__()
            self.seen = preview.fingerprint

        def examine(self) -> tuple[str | None, float | None]:
            if self._changes:  # livereload's own messages
                return self._changes.pop()  # type: ignore[no-any-return]
            fingerprint = preview.inputs_fingerprint()
            if fingerprint == self.seen:
                return None, None
            self.seen = fingerprint
            preview.rebuild()
            return "*", None  # reload every page

    class PreviewServer(Server):  # type: ignore[misc]
        def application(self, port: int, host: str, liveport: int | None = None, debug: bool | None = None,
                        live_css: bool = True) -> None:
            LiveReloadHandler.watcher = self.watcher
            LiveReloadHandler.live_css = live_css
            script = f'<script src="/livereload.js?port={port}"></script>'.encode()
            web.Application([
                (r"/livereload", ReloadSocket),
                (r"/livereload\.js", ReloadScript),
                (r".*", web.FallbackHandler, {"fallback": LiveScriptContainer(self.app, script)}),
            ]).listen(port, address=host)

    server = PreviewServer(app=preview.app, watcher=InputsWatcher())
    for folder in WATCHED:  # named for livereload's log; without them it would watch the working directory
        server.watch(str(preview.project / folder))
    return server
