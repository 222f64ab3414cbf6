"""The whole pipeline: the golden site, determinism, and the sub-path case."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import EXPECTED, MINIMAL, snapshot

from sitegen.build import build, check_site
from sitegen.render import Settings


def test_golden_site(tmp_path: Path) -> None:
    """The minimal project builds to exactly the committed output, search index included (regenerate
    with `make golden`)."""
    build(MINIMAL, tmp_path / "site", Settings())
    built, expected = snapshot(tmp_path / "site"), snapshot(EXPECTED)
    assert sorted(built) == sorted(expected)
    for name, content in expected.items():
        assert built[name] == content, f"{name} differs from tests/expected/minimal; run `make golden` if intended"


def test_same_input_gives_identical_bytes(tmp_path: Path) -> None:
    build(MINIMAL, tmp_path / "one", Settings(base_url="/REPO/"))
    build(MINIMAL, tmp_path / "two", Settings(base_url="/REPO/"))
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def internal_urls(folder: Path) -> set[str]:
    urls: set[str] = set()
    for page in folder.rglob("*.html"):
        urls |= set(re.findall(r'(?:href|src)="([^"#]*)[^"]*"', page.read_text(encoding="utf-8")))
    return {url for url in urls if url and not url.startswith(("http://", "https://", "mailto:"))}


def test_every_internal_url_resolves_at_root_and_under_a_sub_path(tmp_path: Path) -> None:
    for base in ("/", "/REPO/"):
        out = tmp_path / base.strip("/") / "site"
        build(MINIMAL, out, Settings(base_url=base))
        urls = internal_urls(out)
        assert urls, "the site has internal links"
        for url in sorted(urls):
            assert url.startswith(base), f"{url} escapes {base}"
            target = out / url[len(base):]
            assert (target / "index.html" if url.endswith("/") else target).is_file(), f"{url} is broken under {base}"


def test_references_are_resolved_into_backlinks() -> None:
    from sitegen.resolve import Ref

    site = check_site(MINIMAL)
    assert site.backlinks[Ref("themes", "family-help")] == [Ref("recommendations", "family-help-services")]
    assert Ref("timeline", "response-published") in site.backlinks[Ref("recommendations", "family-help-services")]


def test_real_site_builds(tmp_path: Path) -> None:
    """The repository's own data, content and templates build without a problem."""
    root = Path(__file__).resolve().parent.parent
    count = build(root, tmp_path / "site", Settings(base_url="/REPO/")).count
    assert count > 50
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "404.html").is_file()
