"""The live preview: survives broken edits, shows every problem in the page, recovers, serves only the site."""

from __future__ import annotations

import http.client
import re
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from sitegen.pages import CONTENT_SECURITY_POLICY
from sitegen.serve import Preview, preview_server, resolve_request
from sitegen.write import MARKER


def call(preview: Preview, path: str, host: str = "127.0.0.1:8000") -> tuple[str, bytes]:
    status, _headers, body = call_with_headers(preview, path, host)
    return status, body


def call_with_headers(preview: Preview, path: str, host: str = "127.0.0.1:8000") -> tuple[str, dict[str, str], bytes]:
    answers: list[tuple[str, dict[str, str]]] = []

    def start_response(code: str, headers: list[tuple[str, str]]) -> Any:
        answers.append((code, dict(headers)))

    body = b"".join(preview.app({"PATH_INFO": path, "HTTP_HOST": host}, start_response))
    return answers[0][0], answers[0][1], body


def test_broken_edit_shows_errors_and_fix_recovers(project: Path) -> None:
    preview = Preview(project, project / ".preview")
    preview.rebuild()
    status, body = call(preview, "/recommendations/")
    assert status == "200 OK" and b"family-help-services" in body

    themes = project / "data" / "themes.yaml"
    good = themes.read_text(encoding="utf-8")
    themes.write_text(good.replace("  title:", "  titel:"), encoding="utf-8")
    preview.rebuild()
    status, body = call(preview, "/recommendations/")
    assert status == "500 Build failed"
    assert b"data/themes.yaml:2:3" in body and b"unknown key &quot;titel&quot;" in body

    themes.write_text(good, encoding="utf-8")
    time.sleep(0.01)
    themes.touch()
    preview.rebuild()
    assert call(preview, "/recommendations/")[0] == "200 OK"


def test_a_burst_of_saves_reads_the_inputs_once(project: Path, monkeypatch: Any) -> None:
    from sitegen import serve

    preview = Preview(project, project / ".preview")
    preview.rebuild()
    preview.wait()
    reads: list[int] = []
    indexes: list[int] = []
    real_check_site = serve.check_site
    monkeypatch.setattr(serve, "check_site",
                        lambda *args, **kwargs: reads.append(1) or real_check_site(*args, **kwargs))
    monkeypatch.setattr(Preview, "start_index", lambda self: indexes.append(1))
    (project / "data" / "themes.yaml").write_text(
        (project / "data" / "themes.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    for _folder in ("content", "data", "templates"):  # livereload calls once per watched folder that changed
        preview.rebuild()
    call(preview, "/")
    assert reads == [1] and indexes == [1]


def test_a_page_is_rendered_when_asked_for_and_shows_a_save_at_once(project: Path, monkeypatch: Any) -> None:
    """No page is rendered on a save; the next request reads the save (before livereload's watcher
    sees it) and renders only the page asked for, kept until the next save."""
    from sitegen.render import Renderer

    preview = Preview(project, project / ".preview")
    preview.rebuild()
    preview.wait()
    rendered: list[str] = []
    real_render = Renderer.render
    monkeypatch.setattr(Renderer, "render", lambda self, template, dest, *args: rendered.append(dest)
                        or real_render(self, template, dest, *args))
    assert b"Family help now" not in call(preview, "/themes/family-help/")[1]  # rendered, and kept
    themes = project / "data" / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8").replace("title: Family help", "title: Family help now"),
                      encoding="utf-8")
    status, body = call(preview, "/themes/family-help/")  # the watcher has not called rebuild yet
    assert status == "200 OK" and b"Family help now" in body
    assert rendered == ["themes/family-help/index.html"] * 2
    call(preview, "/themes/family-help/")
    assert rendered == ["themes/family-help/index.html"] * 2, "kept while nothing was saved"
    assert call(preview, "/static/site.css")[0] == "200 OK" and len(rendered) == 2


def test_a_save_lets_go_of_the_last_site_before_reading_the_next(project: Path, monkeypatch: Any) -> None:
    """The preview reads a save without the cycle collector: the last renderer, whose Jinja globals
    point back at it, must not keep the last site alive while the next is read (two sites at once)."""
    import gc
    import weakref

    import sitegen.serve as serve

    preview = Preview(project, project / ".preview")
    preview.refresh()
    assert preview.renderer is not None
    last = weakref.ref(preview.renderer.site)
    alive_when_read: list[bool] = []
    check_site = serve.check_site
    monkeypatch.setattr(serve, "check_site", lambda *args, **kwargs: alive_when_read.append(last() is not None)
                        or check_site(*args, **kwargs))
    themes = project / "data" / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8").replace("title: Family help", "title: Family help now"),
                      encoding="utf-8")
    gc.disable()
    try:
        assert preview.refresh()
    finally:
        gc.enable()
    assert alive_when_read == [False]


def test_every_page_the_preview_serves_is_the_cold_build_s(project: Path, tmp_path: Path) -> None:
    from sitegen.build import build
    from sitegen.render import Settings

    preview = Preview(project, project / ".preview")
    preview.rebuild()
    themes = project / "data" / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8").replace("title: Family help", "title: Family help now"),
                      encoding="utf-8")
    preview.rebuild()
    preview.wait()
    build(project, tmp_path / "cold", Settings())
    served = [path for path in (tmp_path / "cold").rglob("*") if path.is_file() and "pagefind" not in path.parts
              and path.name != MARKER]  # the build's mark on its own output, not a file of the site
    assert len(served) > 20
    for path in served:
        rel = path.relative_to(tmp_path / "cold").as_posix()
        assert call(preview, "/" + rel) == ("200 OK", path.read_bytes()), rel


def test_a_save_resolves_again_only_the_items_it_changed_while_the_ids_are_the_same(
        project: Path, tmp_path: Path, monkeypatch: Any) -> None:
    """The preview keeps each item's resolved links (resolve.KeptLinks): a save resolves again the items
    whose text changed, or every item once an id is added, removed or renamed; either way, every page
    it serves is the cold build's."""
    from sitegen import resolve
    from sitegen.build import build, check_site
    from sitegen.errors import BuildFailed
    from sitegen.render import Settings

    resolved: list[str] = []
    real_resolve_item = resolve._resolve_item
    monkeypatch.setattr(resolve, "_resolve_item", lambda entry, *args: resolved.append(entry.doc.path)
                        or real_resolve_item(entry, *args))
    preview = Preview(project, project / ".preview")
    preview.refresh()
    everything = len(resolved)
    recommendations, timeline = project / "data" / "recommendations.yaml", project / "data" / "timeline.yaml"

    def saved(path: Path, old: str, new: str, cold: str) -> list[str]:
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        resolved.clear()
        assert preview.refresh() and not preview.problems, preview.problems
        resolved_by_save = list(resolved)
        build(project, tmp_path / cold, Settings())
        for found in (tmp_path / cold).rglob("*"):
            rel = found.relative_to(tmp_path / cold).as_posix()
            if found.is_file() and "pagefind" not in found.parts and found.name != MARKER:
                assert call(preview, "/" + rel) == ("200 OK", found.read_bytes()), rel
        return resolved_by_save

    assert saved(recommendations, "title: Family help services", "title: Family help teams", "cold-1") == [
        "data/recommendations.yaml"]
    assert saved(timeline, "related: [family-help-services]", "related: []", "cold-2") == ["data/timeline.yaml"]
    renamed = saved(recommendations, "id: family-help-services", "id: family-help-teams", "cold-3")
    assert len(renamed) == everything > 2, "an id renamed: every item is resolved again"
    assert saved(timeline, "related: []", "related: [family-help-teams]", "cold-4") == ["data/timeline.yaml"]
    recommendations.write_text(recommendations.read_text(encoding="utf-8").replace(
        "id: family-help-teams", "id: family-help-now"), encoding="utf-8")  # the timeline's event, unchanged, names it
    assert preview.refresh() and [problem.path for problem in preview.problems] == ["data/timeline.yaml"]
    assert 'no item with id "family-help-teams"' in preview.problems[0].message
    timeline.write_text(timeline.read_text(encoding="utf-8").replace("[family-help-teams]", "[family-help-now]"),
                        encoding="utf-8")
    assert preview.refresh() and not preview.problems
    article = project / "sources" / "article.txt"  # a quote of items resolved from the record is checked again
    article.write_text(article.read_text(encoding="utf-8").replace("a £200m package", "a £300m package"),
                       encoding="utf-8")
    assert preview.refresh()
    with pytest.raises(BuildFailed) as cold_check:
        check_site(project)
    assert [str(problem) for problem in preview.problems] == [str(problem) for problem in cold_check.value.problems]
    assert str(preview.problems[0]).startswith("data/recommendations.yaml:14:16: quote not found")
    article.write_text(article.read_text(encoding="utf-8").replace("a £300m package", "a £200m package"),
                       encoding="utf-8")
    for path, old, new in ((timeline, "[family-help-now]", "[no-such-item]"),  # the ids stay the same
                           (recommendations, "title: Family help teams", "title: Family help")):  # and again
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        assert preview.refresh()
        with pytest.raises(BuildFailed) as cold_check:
            check_site(project)
        assert [str(problem) for problem in preview.problems] == [str(problem) for problem in cold_check.value.problems]
        assert 'no item with id "no-such-item"' in preview.problems[0].message, "a save with a problem is not recorded"


def test_a_save_works_out_only_the_pages_asked_for(project: Path) -> None:
    """After a save the preview lists every page, but works out what a page shows (plan.PageJob.shown)
    only when the browser asks for it: the others cost nothing until then."""
    preview = Preview(project, project / ".preview")
    preview.refresh()
    assert len(preview.jobs) > 20
    assert not [dest for dest, job in preview.jobs.items() if "shown" in vars(job)]
    assert call(preview, "/recommendations/family-help-services/")[0] == "200 OK"
    assert [dest for dest, job in preview.jobs.items() if "shown" in vars(job)] == [
        "recommendations/family-help-services/index.html"]


def test_html_keeps_the_csp_of_the_published_site(project: Path) -> None:
    """The preview serves each page as built, CSP and all: an off-site image does not load in it either."""
    preview = Preview(project, project / ".preview")
    preview.rebuild()
    preview.wait()
    status, body = call(preview, "/")
    assert status == "200 OK"
    assert body == (project / ".preview" / "index.html").read_bytes()
    assert b'<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; script-src \'self\'' in body


def test_every_answer_carries_the_csp_as_a_header_no_template_can_loosen(project: Path) -> None:
    """A pull request that drops the page's own policy and adds an off-site image loads nothing from
    elsewhere in the preview: the header still forbids it. The header is the policy base.html writes."""
    base = project / "templates" / "base.html"
    assert f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">' in base.read_text("utf-8")
    base.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>',
                           '<meta name="x" content="y">', base.read_text("utf-8")), encoding="utf-8")
    preview = Preview(project, project / ".preview")
    preview.refresh()
    for path in ("/", "/no/such/page/", "/static/site.css"):
        _status, headers, _body = call_with_headers(preview, path)
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert b"Content-Security-Policy" not in call(preview, "/")[1]  # the page itself holds none now


def test_a_request_for_another_host_is_refused(project: Path) -> None:
    """DNS rebinding: a page on evil.example that resolves to 127.0.0.1 sends Host: evil.example:8000."""
    preview = Preview(project, project / ".preview", port=8000)
    preview.rebuild()
    for host in ("evil.example:8000", "evil.example", "127.0.0.1:8001", "127.0.0.1", "localhost",
                 "127.0.0.1.evil.example:8000", None):
        status: list[str] = []
        environ = {"PATH_INFO": "/"} | ({"HTTP_HOST": host} if host else {})
        body = b"".join(preview.app(environ, lambda code, headers, status=status: status.append(code)))
        assert status == ["403 Forbidden"] and b"<h1>" not in body, host
    for allowed in ("127.0.0.1:8000", "localhost:8000", "LOCALHOST:8000", "[::1]:8000"):
        assert call(preview, "/", host=allowed)[0] == "200 OK", allowed


def test_nothing_outside_the_site_is_served(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("home")
    (tmp_path / "secret.txt").write_text("secret")
    assert resolve_request(root, "/") == root / "index.html"
    for attack in ("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/static/../../secret.txt",
                   "/%00", "/..\\secret.txt"):
        assert resolve_request(root, attack) is None, attack


def test_serve_listens_on_loopback_and_blocks_traversal(project: Path) -> None:
    """A real server on 127.0.0.1 answers pages and refuses a path-traversal request."""
    import socket

    preview = Preview(project, project / ".preview")
    preview.rebuild()
    preview.wait()
    (project / "outside.txt").write_text("secret")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    preview.port = port
    server = preview_server(preview)
    thread = threading.Thread(target=lambda: _serve(server, port), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            page = urllib.request.urlopen(url + "/").read()
            break
        except OSError:
            time.sleep(0.05)
    assert b"<h1>" in page
    try:
        urllib.request.urlopen(url + "/%2e%2e/outside.txt")
        raise AssertionError("traversal was served")
    except urllib.error.HTTPError as error:
        assert error.code == 404
    assert b"secret" not in (project / ".preview" / "404.html").read_bytes()

    # the page keeps its CSP and loads the reload script from the preview, never inline
    assert b'<meta http-equiv="Content-Security-Policy"' in page
    assert f'<script src="/livereload.js?port={port}"></script></head>'.encode() in page
    assert [tag for tag in re.findall(rb"<script[^>]*>", page) if b" src=" not in tag] == []
    assert request(port, "/livereload.js")[0] == 200

    # another host is refused everywhere: pages, the reload script, the reload socket
    for path in ("/", "/livereload.js", "/search/"):
        assert request(port, path, {"Host": f"evil.example:{port}"})[0] == 403, path
    key = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
           "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
    assert request(port, "/livereload", {**key, "Origin": f"http://127.0.0.1:{port}"})[0] == 101
    assert request(port, "/livereload", {**key, "Origin": "http://evil.example"})[0] == 403
    assert request(port, "/livereload", {**key, "Origin": f"http://evil.example:{port}"})[0] == 403
    assert request(port, "/livereload", {**key, "Origin": f"http://127.0.0.1:{port}",
                                         "Host": f"evil.example:{port}"})[0] == 403



def test_the_watcher_sees_a_save_and_never_follows_links(project: Path) -> None:
    """The reload watcher asks the preview whether its inputs changed, listing them as the build does:
    two links in content/ back to content/ would make livereload's own watcher, which follows links,
    walk without end, and the preview would stop answering. The preview names them instead."""
    import os

    os.symlink(".", project / "content" / "a")
    os.symlink(".", project / "content" / "b")
    preview = Preview(project, project / ".preview")
    preview.refresh()
    watcher = preview_server(preview).watcher
    seen: list[tuple[Any, Any]] = []
    looking = threading.Thread(target=lambda: seen.append(watcher.examine()), daemon=True)
    looking.start()
    looking.join(timeout=20)
    assert seen == [(None, None)], "nothing changed, and the look ended"
    assert str(preview.problems[0]).startswith("content/a:1:1: this is a symbolic link")
    for link in ("a", "b"):
        (project / "content" / link).unlink()
    themes = project / "data" / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8").replace("title: Family help", "title: Family support"),
                      encoding="utf-8")
    assert watcher.examine() == ("*", None)  # reload every page
    assert b"Family support" in call(preview, "/themes/family-help/")[1]
    assert watcher.examine() == (None, None)
    preview.wait()


def test_a_save_lets_go_of_the_last_site_and_its_rendered_pages(project: Path) -> None:
    """Rendering a page leaves reference cycles (Jinja's contexts and macros) that hold the whole site:
    a save collects them before reading the next site, and what it reads is frozen out of the cycle
    collector's walks (gc.freeze), so a large site is neither kept twice nor walked on every save."""
    import gc
    import weakref

    preview = Preview(project, project / ".preview")
    preview.refresh()
    assert preview.renderer is not None
    assert preview.page("index.html") and preview.page("themes/family-help/index.html")
    last = weakref.ref(preview.renderer.site)
    themes = project / "data" / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8").replace("title: Family help", "title: Family support"),
                      encoding="utf-8")
    preview.refresh()
    assert last() is None, "the last site is still held"
    assert gc.get_freeze_count() > 0 and gc.isenabled()
    assert b"Family support" in call(preview, "/themes/family-help/")[1]

def request(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """The status and body of one request to the preview, with these headers (Host: 127.0.0.1:port unless given)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read() if response.status != 101 else b""
    finally:
        connection.close()


def _serve(server: Any, port: int) -> None:
    import asyncio

    asyncio.set_event_loop(asyncio.new_event_loop())
    server.serve(host="127.0.0.1", port=port, debug=False, restart_delay=0)


def test_a_failed_search_index_update_says_why(project: Path, monkeypatch: Any, capsys: Any) -> None:
    from sitegen import serve

    monkeypatch.setattr(serve, "INDEX_BUILD", "import sys; print('Pagefind could not index pagefind/: killed',"
                                              " file=sys.stderr); sys.exit(1)")
    Preview(project, project / ".preview").update_index()
    assert "The search index was not updated:\nPagefind could not index pagefind/: killed" in capsys.readouterr().err


def test_the_search_index_build_reports_a_broken_project(project: Path, capsys: Any) -> None:
    from sitegen.serve import build_for_search

    themes = project / "data" / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8").replace("  title:", "  titel:"), encoding="utf-8")
    assert build_for_search(project, project / ".preview") == 1
    assert "data/themes.yaml:2:3" in capsys.readouterr().err


def test_what_a_page_sends_over_the_reload_socket_is_logged_with_its_controls_escaped(
        project: Path, caplog: Any) -> None:
    """livereload logs what a page says over its socket ("Browser Connected: <url>"), and a template's
    script decides that: an escape sequence reaches the terminal shown, never run."""
    import logging

    preview_server(Preview(project, project / ".preview", port=8765))
    with caplog.at_level(logging.INFO, logger="livereload"):
        logging.getLogger("livereload").info("Browser Connected: %s", "http://x/\x1b]0;pwned\x07\x1b[2J")
    assert caplog.records[-1].getMessage() == "Browser Connected: http://x/\\x1b]0;pwned\\x07\\x1b[2J"



def test_the_search_index_is_built_at_a_lower_priority_than_the_preview(project: Path, tmp_path: Path) -> None:
    """The index of one save is still being made when the next save's page is asked for: it yields
    the cores to the preview. The build it runs is the package it is given (here one that notes its
    priority), at 10 below the preview's."""
    import os
    import subprocess
    import sys

    from sitegen.serve import INDEX_BUILD

    package = tmp_path / "home" / "sitegen"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "serve.py").write_text("import os\ndef build_for_search(project, out):\n"
                                      "    (out / 'niceness').write_text(str(os.nice(0)))\n    return 0\n")
    out = tmp_path / "out"
    out.mkdir()
    subprocess.run([sys.executable, "-I", "-c", INDEX_BUILD, str(project), str(out), str(package.parent)], check=True)
    assert int((out / "niceness").read_text()) == min(os.nice(0) + 10, 19)


def test_the_index_build_dies_with_the_preview(tmp_path: Path) -> None:
    """The preview builds the search index in a process of its own: a preview stopped meanwhile left it
    running, with Pagefind under it. The script starts with DIES_WITH_PARENT, which asks the system to
    kill it when its parent dies; here the script then waits, as a long index build would."""
    import subprocess
    import sys

    from conftest import kill_and_find_left, processes_naming

    from sitegen.serve import DIES_WITH_PARENT, INDEX_BUILD

    assert INDEX_BUILD.startswith(DIES_WITH_PARENT)
    marker = str(tmp_path / "index-build-marker")
    parent = subprocess.Popen([sys.executable, "-c", (
        "import subprocess, sys\n"
        "subprocess.run([sys.executable, '-I', '-c', sys.argv[1] + 'import time; time.sleep(120)', sys.argv[2]])\n"),
        DIES_WITH_PARENT, marker])

    deadline = time.monotonic() + 30
    while not processes_naming(marker, parent.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # past the child's first lines
    assert len(processes_naming(marker, parent.pid)) == 1
    left = kill_and_find_left(parent, marker)
    assert left == [], "the index build went on running after the preview was killed"
