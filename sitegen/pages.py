"""Serve a built site as GitHub Pages serves a project site: under a sub-path such as /REPO/.

Python's plain `http.server` differs from GitHub Pages in ways that hide real bugs: it serves the
whole folder at /, lists folders that have no index.html, and answers a missing page with its own
error text. A site checked through it can pass here and break once published. This handler keeps
the differences that matter out of the way, so the browser tests and `build.py pages` see what a
reader will see.
"""

from __future__ import annotations

import email.utils
import functools
import io
import os
import posixpath
import shutil
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'"
                           " data:; object-src 'none'; base-uri 'self'; form-action 'self'")
"""The policy templates/base.html writes into every page. The preview and `build.py pages` also send
it as a header, which a template cannot loosen: a pull request that drops the page's own policy and
adds an image from another site still loads nothing from elsewhere while an editor looks at it."""


class PagesHandler(SimpleHTTPRequestHandler):
    """GET and HEAD as on GitHub Pages: only the sub-path, no listings, the site's 404.html.

    Create it through `serve_site`, or with `functools.partial(PagesHandler, directory=..., base_path=...)`.
    """

    server_version = "PagesPreview"
    base_path = "/"
    quiet = False
    policy: str | None = None

    def __init__(self, *args: Any, base_path: str = "/", quiet: bool = False, policy: str | None = None,
                 **kwargs: Any) -> None:
        # Set before super().__init__, which handles the whole request.
        self.base_path = base_path
        self.quiet = quiet
        self.policy = policy
        super().__init__(*args, **kwargs)

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        """Answer for the file a URL names; anything that is not a file inside the site is a 404.
        A request that names another host than this machine's loopback is refused (DNS rebinding)."""
        if not is_loopback_host(self.headers.get("Host"), self.port()):
            return self.send_wrong_host()
        raw_path = urlsplit(self.path).path
        url_path = unquote(raw_path, errors="replace")
        if "\x00" in url_path or "\\" in url_path:
            return self.send_not_found()
        if url_path == self.base_path.rstrip("/"):
            self.redirect(self.base_path)  # /REPO -> /REPO/, as Pages does
            return None
        # Resolve . and .. the way a browser would before asking: /REPO/../x is /x, outside the site.
        normal = posixpath.normpath(url_path)
        if url_path.endswith("/") and not normal.endswith("/"):
            normal += "/"
        if not normal.startswith(self.base_path):
            return self.send_not_found()
        relative = normal[len(self.base_path):]
        root = Path(self.directory).resolve()
        target = root.joinpath(*[part for part in relative.split("/") if part])
        if target.is_dir():
            if not raw_path.endswith("/"):
                self.redirect(raw_path + "/")  # the folder's index.html expects a trailing slash
                return None
            target = target / "index.html"  # folders without one are a 404: no listings
        elif not target.exists() and not relative.endswith("/"):
            target = target.with_name(target.name + ".html")  # Pages serves /REPO/about from about.html
        return self.send_file(root, target) or self.send_not_found()

    def send_file(self, root: Path, target: Path) -> BinaryIO | None:
        """Open `target` and send its headers, or return None if it is not a regular file inside `root`."""
        try:
            real = target.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not real.is_relative_to(root) or not real.is_file():
            return None  # a symlink or a trick that leads out of the site
        try:
            handle = real.open("rb")
        except OSError:
            return None
        stat = os.fstat(handle.fileno())
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(str(real)))
        self.send_header("Content-Length", str(stat.st_size))
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        self.end_headers()
        return handle

    def send_not_found(self) -> io.BytesIO:
        """Status 404 with the site's own 404.html, as Pages answers any missing path under the site."""
        page = Path(self.directory) / "404.html"
        body = page.read_bytes() if page.is_file() else b"<!DOCTYPE html><title>404</title><h1>404 Not Found</h1>"
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self) -> None:
        if self.policy is not None:
            self.send_header("Content-Security-Policy", self.policy)
        super().end_headers()

    def port(self) -> int:
        """The port the server listens on (the one it was given, or the one picked for port 0)."""
        address = self.server.server_address
        return int(address[1]) if isinstance(address, tuple) else 0

    def send_wrong_host(self) -> io.BytesIO:
        """Status 403 for a request whose Host header is not this server's loopback address."""
        port = self.port()
        body = f"This preview answers only to http://127.0.0.1:{port}/ and http://localhost:{port}/.\n".encode()
        self.send_response(HTTPStatus.FORBIDDEN)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def redirect(self, location: str) -> None:
        """A 301 with an empty body, as Pages sends for a folder asked for without its slash."""
        query = urlsplit(self.path).query
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location + (f"?{query}" if query else ""))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def list_directory(self, path: str | os.PathLike[str]) -> io.BytesIO | None:
        """Never list a folder: GitHub Pages does not."""
        return self.send_not_found()

    def copyfile(self, source: Any, outputfile: Any) -> None:
        """Copy the body, ignoring a client that hung up early (browsers do that when they have enough)."""
        try:
            shutil.copyfileobj(source, outputfile)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: Any) -> None:
        if not self.quiet:
            super().log_message(format, *args)


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def is_loopback_host(host: str | None, port: int) -> bool:
    """Whether a request's Host header names this machine's loopback, at the server's own port.

    A web page can have a browser send requests to 127.0.0.1 under a name of the page's own: with DNS
    rebinding, evil.example resolves to 127.0.0.1 once the page has loaded, and the page then reads
    the answers as its own. Such a request says Host: evil.example:8000, so a server that answers
    only to loopback names cannot be read that way.
    """
    return host is not None and host.lower() in {f"{name}:{port}" for name in LOOPBACK_NAMES}


def serve_site(site_dir: Path, base_path: str, host: str = "127.0.0.1", port: int = 8000,
               *, quiet: bool = False, policy: str | None = None) -> ThreadingHTTPServer:
    """A bound, not yet running server for `site_dir` at http://host:port/base_path.

    With a policy, every answer carries it as a Content-Security-Policy header (`build.py pages` sends
    CONTENT_SECURITY_POLICY); without, the answers are GitHub Pages' own, which sends none, as the
    browser gate needs to see a page that has lost its own policy.

    Call `serve_forever()` on it (in a thread for tests; port 0 picks a free port, read it back from
    `server.server_port`), and `shutdown()` then `server_close()` when done.
    """
    if not (base_path.startswith("/") and base_path.endswith("/")):
        raise ValueError(f"base_path must start and end with '/', got {base_path!r}")
    site = Path(site_dir)
    if not site.is_dir():
        raise FileNotFoundError(f"no built site at {site}")
    handler = functools.partial(PagesHandler, directory=str(site.resolve()), base_path=base_path, quiet=quiet,
                                policy=policy)
    return ThreadingHTTPServer((host, port), handler)
