"""Live preview: rebuild on every save, show build errors in the browser, never die.

livereload watches content/, data/, templates/ and sources/ and calls `Preview.rebuild`; a small
WSGI app serves the last good build from .preview/ (only files inside it), or, while the last build
failed, a page listing every problem. Fixing the file brings the site back with one reload. It answers
only requests addressed to this machine, and serves every page with its CSP (see preview_server).

Rebuilds are incremental (a BuildCache kept in memory; its compiled templates in cache.cache_folder):
a save re-renders only the pages whose jobs name what changed (see plan.PageJob). The search index,
which takes longer than the pages, is brought up to date in a background build right after the
changed pages are written, so the reload is not held up by it; until then, search in the preview
answers from the index of the previous save.

Python's garbage collector is paused while a save is built and run once in the background after it:
on a large site the preview holds millions of objects, and the full collections a build would
otherwise trigger take a large part of a save's time.
"""

from __future__ import annotations

import gc
import html
import mimetypes
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .build import build, build_site
from .cache import BuildCache, cache_folder, files_under
from .characters import printable
from .errors import BuildFailed, Problem
from .pages import LOOPBACK_NAMES, is_loopback_host
from .render import Settings
from .write import is_disk_full

WATCHED = ("content", "data", "templates", "sources")
GC_DELAY = 0.5
"""Seconds between a save's pages being written and the garbage collection after it."""
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class Preview:
    """The preview's state: where it builds, and the problems of the last build, if it failed."""

    def __init__(self, project: Path, out: Path, port: int = 8000):
        self.project = project
        self.out = out
        self.port = port
        """The port the preview listens on: requests must name it (see pages.is_loopback_host)."""
        self.problems: list[Problem] = []
        self.fingerprint: int | None = None
        self.last_seconds = 0.0
        self.cache = BuildCache(cache_folder(project) / "preview", persist=False)
        self.building = threading.Lock()
        """One build at a time: a save waits for the search index of the one before."""

    def inputs_fingerprint(self) -> int:
        """A hash of every watched file's path, size and mtime: equal fingerprints need no rebuild."""
        return hash(tuple((path, stat.st_size, stat.st_mtime_ns) for folder in WATCHED
                          for _rel, path, stat in files_under(self.project / folder)))

    def rebuild(self) -> None:
        """Rebuild once per burst of saves; keep serving the last good site when a build fails."""
        fingerprint = self.inputs_fingerprint()
        if fingerprint == self.fingerprint:
            return  # several watched folders reported the same burst of saves
        self.fingerprint = fingerprint
        started = time.perf_counter()
        follow_up = self.collect_garbage
        try:
            with self.building:
                gc.disable()  # until collect_garbage, after this save (see the module docstring)
                build_site(self.project, self.out, Settings(), cache=self.cache, defer_index=True, in_place=True)
            self.problems = []
            self.last_seconds = time.perf_counter() - started
            print(f"Rebuilt in {self.last_seconds * 1000:.0f} ms.", file=sys.stderr)
            if self.cache.index_pending:
                self.cache.index_pending = False
                follow_up = self.update_index
        except BuildFailed as failed:
            self.problems = failed.problems
            for problem in failed.problems:
                print(problem, file=sys.stderr)
            print(f"{len(failed.problems)} problem(s); the preview shows them until they are fixed.",
                  file=sys.stderr)
        except Exception as exc:  # the preview must survive anything an edit can cause
            self.problems = [Problem("build.py", 1, 1, "the disk is full; free some space and save again"
                                     if is_disk_full(exc) else f"internal error: {type(exc).__name__}: {exc}")]
            print(self.problems[0], file=sys.stderr)
        threading.Thread(target=follow_up, daemon=True).start()

    def update_index(self) -> None:
        """Bring the search index up to date after a rebuild that deferred it (see the module docstring)."""
        try:
            with self.building:
                build(self.project, self.out, Settings(), self.cache, in_place=True)
        except BuildFailed as failed:  # the next save rebuilds anyway; say why search may be stale
            print("The search index was not updated:", *failed.problems, sep="\n", file=sys.stderr)
        except Exception as exc:
            print(printable(f"The search index was not updated: {type(exc).__name__}: {exc}"), file=sys.stderr)
        self.collect_garbage()

    def collect_garbage(self) -> None:
        """Collect what the last build left, then let the collector run by itself until the next save.

        It waits a moment first, so that the browser's reload is served before the collection holds
        the interpreter.
        """
        time.sleep(GC_DELAY)
        with self.building:
            gc.collect()
            gc.enable()

    def app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """WSGI: the error page while the build is broken, else the file asked for, from .preview/ only;
        nothing to a request that names another host than loopback (DNS rebinding)."""
        if not is_loopback_host(environ.get("HTTP_HOST"), self.port):
            return self._respond(start_response, "403 Forbidden", "text/plain; charset=utf-8",
                                 f"This preview answers only to http://127.0.0.1:{self.port}/.\n".encode())
        if self.problems:
            return self._respond(start_response, "500 Build failed", "text/html; charset=utf-8",
                                 error_page(self.problems))
        path = resolve_request(self.out, environ.get("PATH_INFO", "/"))
        if path is None:
            missing = self.out / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"Not found"
            return self._respond(start_response, "404 Not Found", "text/html; charset=utf-8", body)
        body = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind == "text/html":  # served with its CSP, as published: the reload script is not inline
            kind += "; charset=utf-8"
        return self._respond(start_response, "200 OK", kind, body)

    @staticmethod
    def _respond(start_response: StartResponse, status: str, kind: str, body: bytes) -> list[bytes]:
        start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                                ("Cache-Control", "no-store")])
        return [body]


def resolve_request(root: Path, url_path: str) -> Path | None:
    """The file a URL path names inside root, or None: never anything outside root."""
    parts = [part for part in unquote(url_path).split("/") if part not in ("", ".")]
    if any(part == ".." or "\\" in part or "\x00" in part for part in parts):
        return None
    path = root.joinpath(*parts)
    if path.is_dir():
        path = path / "index.html"
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    return path if path.is_file() else None


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
    """Build, then serve on 127.0.0.1 with live reload until interrupted."""
    preview = Preview(project, project / ".preview", port)
    preview.rebuild()
    server = preview_server(preview)
    for folder in WATCHED:
        server.watch(str(project / folder), preview.rebuild)
    print(f"Previewing at http://127.0.0.1:{port}/ (Ctrl+C stops).", file=sys.stderr)
    server.serve(host="127.0.0.1", port=port, debug=False, restart_delay=0)


def preview_server(preview: Preview) -> Any:
    """livereload's server for the preview, answering only to this machine.

    Its pages, its reload script and its reload socket each refuse a request that names another host
    (pages.is_loopback_host), and the socket one from a page of another origin (a page on the web could
    otherwise open it). The reload script is loaded from the preview itself, where livereload would
    write it into the page inline: so every page keeps the CSP the published site has, and an image
    from another site in a pull request is not loaded while an editor previews it.
    """
    from livereload import Server  # deferred, as MkDocs did: `build` works without the server's imports
    from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
    from livereload.server import LiveScriptContainer
    from tornado import web

    origins = {f"http://{name}:{preview.port}" for name in LOOPBACK_NAMES}

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

    return PreviewServer(app=preview.app)
