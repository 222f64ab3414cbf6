"""The live preview in a real browser: its pages keep the published site's CSP, and live reload still works
under it (the reload script is loaded from the preview, not written inline), so an off-site image in a pull
request does not load while an editor previews it."""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tornado.ioloop import IOLoop

from sitegen.serve import Preview, preview_server

from .sitecheck import ROOT

pytestmark = pytest.mark.browser

CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
    (event) => window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`));
"""


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[str, IOLoop]]:
    """The minimal project previewed on a free loopback port: its address and the server's event loop."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "tests" / "projects" / "minimal", project)
    shutil.copytree(ROOT / "templates", project / "templates")  # git tracks no symlink: the templates are copied
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    previewed = Preview(project, project / ".preview", port)
    previewed.rebuild()
    server = preview_server(previewed)
    loops: list[IOLoop] = []

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        loops.append(IOLoop.current())
        server.serve(host="127.0.0.1", port=port, debug=False, restart_delay=0)

    from livereload.handlers import LiveReloadHandler

    LiveReloadHandler._last_reload_time = None  # else a server started earlier in this process stops its polling
    threading.Thread(target=run, daemon=True).start()
    deadline = time.monotonic() + 20
    # livereload's first poll, about 0.8 s after it starts, reloads every page connected by then: wait for it
    # to pass, so that the test's page is not reloaded under it
    while LiveReloadHandler._last_reload_time is None or server.watcher._changes:
        assert time.monotonic() < deadline, "the preview never started polling for changes"
        time.sleep(0.05)
    socket.create_connection(("127.0.0.1", port), timeout=1).close()
    yield f"http://127.0.0.1:{port}", loops[0]
    loops[0].add_callback(loops[0].stop)


def test_live_reload_works_under_the_published_csp(page: Page, preview: tuple[str, IOLoop]) -> None:
    from livereload.handlers import LiveReloadHandler

    origin, loop = preview
    page.add_init_script(CSP_VIOLATIONS)
    page.goto(origin + "/")
    expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).to_have_count(1)
    deadline = time.monotonic() + 20
    while not any(origin in str(getattr(waiter.request, "headers", {}).get("Origin", ""))
                  for waiter in list(LiveReloadHandler.waiters)):
        assert time.monotonic() < deadline, "the reload socket never connected"
        page.wait_for_timeout(100)
    page.evaluate("window.beforeReload = true")
    reloaded: list[Any] = []
    page.on("load", lambda _: reloaded.append(True))
    loop.add_callback(LiveReloadHandler.reload_waiters)  # what a save does once the site is rebuilt
    # A function, not an expression: Playwright polls an expression with eval, which the page's CSP refuses
    page.wait_for_function("() => window.beforeReload === undefined", timeout=20_000)
    page.wait_for_load_state("load")  # the new document may be read before its load event
    assert reloaded
    assert page.evaluate("window.cspViolations") == []
    # and the CSP holds: an image from another site is blocked, as on the published site
    page.evaluate("document.body.append(Object.assign(new Image(), {src: 'http://evil.example/pixel.png'}))")
    page.wait_for_function("() => window.cspViolations.length > 0", timeout=10_000)
    # (once or twice: the page's own policy and the preview's header may each report it)
    assert set(page.evaluate("window.cspViolations")) == {"img-src http://evil.example/pixel.png"}
