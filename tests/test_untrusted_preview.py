"""A pull request's files against the live preview and the builds it starts (review S6): nothing the
pull request commits is served or run, a template that never ends is stopped at its line, and no
template changes the site the preview keeps."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import Run
from test_serve import call, call_with_headers

from sitegen.serve import Preview

LOOP = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
"""Ten billion turns of a loop that writes nothing: hours, were it not stopped."""


def add_line(template: Path, line: str) -> None:
    """Put line in as the template's second line."""
    first, rest = template.read_text(encoding="utf-8").split("\n", 1)
    template.write_text(f"{first}\n{line}\n{rest}", encoding="utf-8")


def test_a_committed_preview_folder_is_never_served(project: Path) -> None:
    """A pull request may commit .preview/ (it is only ignored by git, not refused): its search script or
    service worker would run in the editor's browser. The preview's own index is built in the build
    cache, outside the work tree, and only its pagefind/ files are served."""
    committed = project / ".preview"
    (committed / "pagefind").mkdir(parents=True)
    (committed / ".sitegen-output").write_text("")
    (committed / "pagefind" / "pagefind.js").write_text("alert('the pull request')")
    (committed / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    preview = Preview(project)
    assert not preview.out.resolve().is_relative_to(project.resolve())
    preview.rebuild()
    preview.wait()
    status, served = call(preview, "/pagefind/pagefind.js")
    assert status == "200 OK" and served == (preview.out / "pagefind" / "pagefind.js").read_bytes()
    assert b"the pull request" not in served
    assert call(preview, "/sw.js")[0] == "404 Not Found"
    (preview.out / "sw.js").write_text("self.addEventListener('fetch', () => {})")  # even in its own folder
    assert call(preview, "/sw.js")[0] == "404 Not Found"


def test_no_service_worker_is_served(project: Path) -> None:
    """A worker registered from the preview would outlive it, rewriting later previews on the same port."""
    preview = Preview(project, project / ".preview")
    preview.refresh()
    answers: list[str] = []
    body = b"".join(preview.app({"PATH_INFO": "/static/search.js", "HTTP_HOST": "127.0.0.1:8000",
                                 "HTTP_SERVICE_WORKER": "script"}, lambda code, _headers: answers.append(code)))
    assert answers == ["403 Forbidden"] and b"service worker" in body
    assert call(preview, "/static/search.js")[0] == "200 OK"


def test_the_build_takes_no_folder_name_a_pull_request_can_take_first(tmp_path: Path, project: Path,
                                                                     run_cli: Callable[..., Run]) -> None:
    """Folders committed under every name the build's temporary folder could have had (.site.tmp-<pid>)
    stopped every build: its name is now random."""
    for name in (f".site.tmp-{os.getpid()}", ".site.tmp-1"):
        (project / name).mkdir()
        (project / name / "kept").write_text("")
    done = run_cli("--project", str(project), "build")
    assert done.code == 0, done.err
    assert (project / "site" / "index.html").is_file() and (project / f".site.tmp-{os.getpid()}" / "kept").is_file()


def test_a_page_that_never_ends_is_stopped_at_its_line_and_the_others_still_work(project: Path,
                                                                                monkeypatch: Any) -> None:
    """One looping page froze the whole preview, its reload and its watcher, until Ctrl+C. It is now
    stopped after FILE_SECONDS and shown as a problem at its line; every other page still answers."""
    monkeypatch.setattr("sitegen.render.FILE_SECONDS", 0.5)
    add_line(project / "templates" / "page.html", LOOP)
    preview = Preview(project, project / ".preview")
    preview.refresh()
    started = time.monotonic()
    status, body = call(preview, "/about/")
    assert time.monotonic() - started < 5
    assert status == "500 Build failed"
    assert b"templates/page.html:2:" in body and b"it took more than 0.5 s" in body
    assert call(preview, "/")[0] == "200 OK"


def test_a_download_that_never_ends_stops_the_build_at_its_line(project: Path, monkeypatch: Any,
                                                                run_cli: Callable[..., Run]) -> None:
    """A file other than a page (the feed, a download) is written as it is made: its time is limited too."""
    monkeypatch.setattr("sitegen.render.FILE_SECONDS", 0.5)
    add_line(project / "templates" / "feed.xml", LOOP)
    started = time.monotonic()
    done = run_cli("--project", str(project), "build")
    assert time.monotonic() - started < 60
    assert done.code == 1 and "templates/feed.xml:2:1: " in done.err and "it took more than 0.5 s" in done.err
    assert not (project / "site").exists()


def test_a_template_cannot_change_the_site_the_preview_keeps(project: Path) -> None:
    """The preview keeps each item's model between saves: a template that added a glossary alias would
    have it shown, unchecked, after the template was put back. Lists, dicts and sets are read-only."""
    template = project / "templates" / "page.html"
    good = template.read_text(encoding="utf-8")
    add_line(template, "{% for t in site.items.glossary.values() %}{% set _ = t.aliases.append('zzz') %}{% endfor %}")
    preview = Preview(project, project / ".preview")
    preview.refresh()
    status, body = call(preview, "/about/")
    assert status == "500 Build failed" and b"templates/page.html:2:" in body
    template.write_text(good, encoding="utf-8")
    preview.refresh()
    assert all("zzz" not in term.aliases for term in preview.renderer.site.items["glossary"].values())  # type: ignore[union-attr]
    assert b"zzz" not in call(preview, "/glossary/")[1]


def test_a_slow_listing_of_the_inputs_is_not_repeated_on_every_request(project: Path, monkeypatch: Any) -> None:
    """Tens of thousands of committed files made listing the inputs take a second, on every request and
    every tick of the watcher. A listing slower than SLOW_LISTING is given again until nine times as
    long has passed; a quick one is never reused."""
    import sitegen.serve as serve

    listings: list[str] = []
    files_under = serve.files_under

    def slow(folder: Path) -> Any:  # counting only this project's: another test's preview may be watching
        if folder.parent == project:
            listings.append(folder.name)
            time.sleep(0.02)
        return files_under(folder)

    preview = Preview(project, project / ".preview")
    monkeypatch.setattr(serve, "files_under", slow)
    preview.inputs_fingerprint()
    assert len(listings) == len(serve.WATCHED)  # 80 ms or more: slow
    assert preview.listed_until > time.monotonic()
    preview.inputs_fingerprint()
    assert len(listings) == len(serve.WATCHED)
    time.sleep(preview.listed_until - time.monotonic() + 0.01)
    preview.inputs_fingerprint()
    assert len(listings) == 2 * len(serve.WATCHED)
    monkeypatch.setattr(serve, "SLOW_LISTING", 60.0)  # every listing is quick now
    time.sleep(preview.listed_until - time.monotonic() + 0.01)
    for _ in range(2):
        preview.inputs_fingerprint()
    assert len(listings) == 4 * len(serve.WATCHED)


def test_a_path_too_long_for_the_file_system_is_a_plain_404(project: Path) -> None:
    preview = Preview(project, project / ".preview")
    preview.refresh()
    status, headers, _body = call_with_headers(preview, "/pagefind/" + "a" * 5000)
    assert status == "404 Not Found" and headers["Content-Type"].startswith("text/html")


def test_a_download_that_writes_as_it_loops_is_stopped_by_its_time_in_all(project: Path, monkeypatch: Any,
                                                                           run_cli: Callable[..., Run]) -> None:
    """A loop that writes a little each turn makes many quick pieces: the limit is on their time in all."""
    monkeypatch.setattr("sitegen.render.FILE_SECONDS", 0.5)
    add_line(project / "templates" / "feed.xml",
             "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}")
    started = time.monotonic()
    done = run_cli("--project", str(project), "check")
    assert time.monotonic() - started < 60
    assert done.code == 1 and "templates/feed.xml:2:" in done.err and "it took more than 0.5 s" in done.err


def test_no_timer_is_left_behind_however_soon_it_fires() -> None:
    """An alarm that fired before the limit's own code had finished arming it left it armed, to raise in
    whatever ran next."""
    import signal

    import jinja2
    import pytest

    from sitegen.time_limit import TooSlow, time_limit

    looping = jinja2.Environment().from_string(LOOP)
    for seconds in (1e-6, 1e-4, 0.01) * 30:
        with pytest.raises(TooSlow):
            with time_limit(seconds):
                looping.render()
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_index_build_that_never_ends_is_stopped(project: Path, monkeypatch: Any, capsys: Any) -> None:
    from sitegen import serve

    monkeypatch.setattr(serve, "INDEX_SECONDS", 1)
    monkeypatch.setattr(serve, "INDEX_BUILD", "import time; time.sleep(60)")
    started = time.monotonic()
    Preview(project, project / ".preview").update_index()
    assert time.monotonic() - started < 30
    assert "The search index was not updated:\nits build took more than 1 s and was stopped" in capsys.readouterr().err


def test_a_broken_page_says_its_problem_each_time_it_is_asked_for(project: Path) -> None:
    """The renderer says each template error once (a line of base.html would stop every page): the
    preview, which renders one page at a time, says it for each page asked for."""
    add_line(project / "templates" / "page.html", "{% set _ = no_such_name.x %}")
    preview = Preview(project, project / ".preview")
    preview.refresh()
    for _ in range(2):
        status, body = call(preview, "/about/")
        assert status == "500 Build failed" and b"templates/page.html:2:" in body and b"no_such_name" in body


def test_the_preview_makes_no_file_larger_than_it_may_hold(project: Path, monkeypatch: Any) -> None:
    """A feed a template made 1.2 GB stayed whole in the preview's memory: a file past FILE_BYTES is
    stopped with a problem, and one past a page's size is made again when asked for, not kept."""
    import sitegen.serve as serve

    preview = Preview(project, project / ".preview")
    preview.refresh()
    feed = call(preview, "/feed.xml")[1]
    monkeypatch.setattr(serve, "FILE_BYTES", len(feed) - 1)
    preview.pages.clear()
    status, body = call(preview, "/feed.xml")
    assert status == "500 Build failed" and b"feed.xml would be more than" in body
    monkeypatch.setattr(serve, "FILE_BYTES", len(feed))
    monkeypatch.setattr(serve, "MAX_PAGE_BYTES", len(feed) - 1)
    assert call(preview, "/feed.xml") == ("200 OK", feed) and "feed.xml" not in preview.pages
    monkeypatch.undo()
    assert call(preview, "/feed.xml") == ("200 OK", feed) and "feed.xml" in preview.pages
