"""sitegen.pages answers as GitHub Pages does for a project site, so the gate sees what readers will."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen.pages import CONTENT_SECURITY_POLICY, serve_site

from .sitecheck import ServedSite, served

SECRET = "top secret, outside the site"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    root = tmp_path_factory.mktemp("pages-server")
    (root / "secret.txt").write_text(SECRET, encoding="utf-8")
    site = root / "site"
    site.mkdir()
    (site / "index.html").write_text("<!DOCTYPE html><title>Home</title><p>home page", encoding="utf-8")
    (site / "404.html").write_text("<!DOCTYPE html><title>Not found</title><p>the site's own 404", encoding="utf-8")
    (site / "about.html").write_text("<!DOCTYPE html><title>About</title><p>about page", encoding="utf-8")
    (site / "recommendations" / "r1").mkdir(parents=True)
    (site / "recommendations" / "index.html").write_text("recommendations index", encoding="utf-8")
    (site / "recommendations" / "r1" / "index.html").write_text("first recommendation", encoding="utf-8")
    (site / "static").mkdir()  # a folder without index.html
    (site / "static" / "site.css").write_text("body { color: black; }", encoding="utf-8")
    (site / "escape").symlink_to(root)  # a link that leads out of the site
    with served(site) as serving:
        yield serving


def get(site: ServedSite, path: str, method: str = "GET", host: str | None = None) -> tuple[int, dict[str, str], str]:
    """The raw request, path sent exactly as written (http.client does not normalise it, unlike a browser),
    with the Host header given (by default the one a browser sends: 127.0.0.1:PORT)."""
    address, port = site.origin.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(address, int(port), timeout=10)
    try:
        connection.request(method, path, headers={"Host": host} if host else {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.mark.parametrize(("path", "expected"), [
    ("/REPO/", "home page"),
    ("/REPO/index.html", "home page"),
    ("/REPO/recommendations/", "recommendations index"),
    ("/REPO/recommendations/r1/", "first recommendation"),
    ("/REPO/recommendations/r1/?utm=x", "first recommendation"),
    ("/REPO/about", "about page"),
    ("/REPO/about.html", "about page"),
    ("/REPO/static/site.css", "color: black"),
    ("/REPO/recommendations/../about.html", "about page"),
])
def test_serves_files_under_the_base_path(pages: ServedSite, path: str, expected: str) -> None:
    status, headers, body = get(pages, path)
    assert (status, expected in body) == (200, True)
    assert "Content-Security-Policy" not in headers  # GitHub Pages sends none


def test_build_py_pages_sends_the_site_s_policy_whatever_a_page_says(tmp_path: Path) -> None:
    """`build.py pages` shows an editor a pull request's site: its header holds even where a template
    dropped the page's own policy. The policy is the one templates/base.html writes."""
    base = (Path(__file__).resolve().parents[2] / "templates" / "base.html").read_text(encoding="utf-8")
    assert f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">' in base
    (tmp_path / "index.html").write_text('<!DOCTYPE html><img src="https://tracker.example/x.png">', encoding="utf-8")
    server = serve_site(tmp_path, "/REPO/", port=0, policy=CONTENT_SECURITY_POLICY)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        site = ServedSite(tmp_path, f"http://127.0.0.1:{server.server_port}", "/REPO/", ["index.html"])
        for path in ("/REPO/", "/REPO/missing/", "/REPO"):
            _status, headers, _body = get(site, path)
            assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("path", "location"), [
    ("/REPO", "/REPO/"),
    ("/REPO/recommendations", "/REPO/recommendations/"),
    ("/REPO/recommendations/r1?x=1", "/REPO/recommendations/r1/?x=1"),
])
def test_folders_without_slash_redirect(pages: ServedSite, path: str, location: str) -> None:
    status, headers, _ = get(pages, path)
    assert (status, headers["Location"]) == (301, location)


@pytest.mark.parametrize("path", [
    "/", "/index.html", "/about.html", "/REPOSITORY/", "/other/REPO/",
    "/REPO/missing/", "/REPO/missing.html", "/REPO/recommendations/r2/",
    "/REPO/static/",  # a folder without index.html: no listing
    "/REPO/escape/secret.txt",  # a symlink out of the site
    "/REPO/../secret.txt", "/REPO/%2e%2e/secret.txt", "/REPO/%2E%2E%2Fsecret.txt", "/REPO/..%2fsecret.txt",
    "/REPO/static/..%2f..%2fsecret.txt", "/REPO/%2e%2e/%2e%2e/etc/passwd", "/REPO/..\\secret.txt",
    "/REPO/%00index.html",
])
def test_everything_else_is_the_sites_404(pages: ServedSite, path: str) -> None:
    status, headers, body = get(pages, path)
    assert status == 404
    assert "the site's own 404" in body
    assert SECRET not in body
    assert headers["Content-Type"] == "text/html; charset=utf-8"


def test_head_sends_no_body(pages: ServedSite) -> None:
    assert get(pages, "/REPO/", "HEAD")[0] == 200
    assert get(pages, "/REPO/missing/", "HEAD")[0:3:2] == (404, "")


def test_serve_site_rejects_a_base_path_without_slashes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="start and end with '/'"):
        serve_site(tmp_path, "/REPO")
    with pytest.raises(FileNotFoundError):
        serve_site(tmp_path / "missing", "/REPO/")


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1", "127.0.0.1:1", "localhost",
                                  "127.0.0.1.evil.example:{port}"])
def test_a_request_for_another_host_is_refused(pages: ServedSite, host: str) -> None:
    """DNS rebinding: a page on evil.example, resolved to 127.0.0.1 once loaded, sends Host: evil.example:PORT."""
    port = pages.origin.rsplit(":", 1)[1]
    for method in ("GET", "HEAD"):
        status, _, body = get(pages, "/REPO/", method, host=host.format(port=port))
        assert status == 403 and "home page" not in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}"])
def test_loopback_names_are_answered(pages: ServedSite, host: str) -> None:
    port = pages.origin.rsplit(":", 1)[1]
    assert get(pages, "/REPO/", host=host.format(port=port))[:1] == (200,)
