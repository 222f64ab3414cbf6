"""Issue 21 item 4: "Spotted a mistake?" links that open the repository's correction form pre-filled, and
correction notes shown on the Corrections and changes page and on the items they touched."""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, Run

from sitegen import build
from sitegen.feeds import note_id
from sitegen.render import Settings
from sitegen.words import KIND_TITLES

FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "correction.yml"
REPO = "https://github.com/someone/fork-of-explainer"
LINK = re.compile(r'<p class="report-mistake"[^>]*><a href="([^"]+)">Spotted a mistake\?')


def rendered(project: Path, settings: Settings) -> tuple[Any, dict[str, str]]:
    site, files = build.render(project, settings)
    return site, {path: content.decode("utf-8") for path, content in files.items() if path.endswith(".html")}


def item_and_content_pages(site: Any) -> dict[str, tuple[str, str]]:
    """Every item page and content page: output path -> (page path under /REPO/, item id or '')."""
    pages = {f"{kind}/{item_id}/index.html": (f"/REPO/{kind}/{item_id}/", item_id)
             for kind in KIND_TITLES for item_id in site.items[kind]}
    for page in site.pages:
        path = "" if page.slug == "index" else f"{page.slug}/"
        pages[f"{path}index.html"] = (f"/REPO/{path}", "")
    return pages


def form_links(page: str) -> list[dict[str, Any]]:
    """The report links of a page, each split into its address and its decoded query."""
    found = []
    for href in LINK.findall(page):
        address = urllib.parse.urlsplit(html.unescape(href))
        found.append({"address": f"{address.scheme}://{address.netloc}{address.path}",
                      "query": urllib.parse.parse_qs(address.query, keep_blank_values=True, strict_parsing=True)})
    return found


def test_every_item_and_content_page_links_to_the_prefilled_form(project: Path) -> None:
    settings = Settings(base_url="/REPO/", site_url="https://someone.github.io/REPO/", repo_url=REPO)
    site, pages = rendered(project, settings)
    expected = item_and_content_pages(site)
    assert {"index.html", "about/index.html"} < set(expected) and len(expected) > 5
    for path, (page_path, item_id) in expected.items():
        (link,) = form_links(pages[path])
        assert link["address"] == f"{REPO}/issues/new", path
        query = link["query"]
        assert query.pop("template") == ["correction.yml"]
        assert query.pop("page") == [f"https://someone.github.io{page_path}"], path
        assert query.pop("item", [""]) == [item_id], path
        (title,) = query.pop("title")
        assert title.startswith("Correction: ") and len(title) > len("Correction: "), path
        assert query == {}, path


def test_the_query_is_url_encoded(project: Path) -> None:
    """A title holding &, ?, # and + must come back whole: unencoded, it would cut the query short."""
    data = project / "data" / "recommendations.yaml"
    text = data.read_text(encoding="utf-8")
    first_title = re.search(r"^  title: (.+)$", text, re.M)
    assert first_title
    data.write_text(text.replace(first_title.group(0), '  title: "Care & support? #1 + more"', 1), encoding="utf-8")
    site, pages = rendered(project, Settings(repo_url=REPO))
    (item_id,) = [i for i, r in site.items["recommendations"].items() if r.title == "Care & support? #1 + more"]
    (link,) = form_links(pages[f"recommendations/{item_id}/index.html"])
    assert link["query"]["title"] == ["Correction: Care & support? #1 + more"]
    assert link["query"]["page"] == [f"/recommendations/{item_id}/"]  # no public address known: the path
    raw = html.unescape(LINK.findall(pages[f"recommendations/{item_id}/index.html"])[0])
    assert " " not in raw and "#" not in raw and "%26" in raw and "%2F" in raw


def test_no_link_without_a_repository(project: Path) -> None:
    _site, pages = rendered(project, Settings(base_url="/REPO/"))
    assert not [path for path, page in pages.items() if "report-mistake" in page or "issues/new" in page]


def test_the_repository_comes_from_github_actions_so_a_fork_points_to_itself(
        project: Path, tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "someone/fork-of-explainer")
    assert run_cli("--project", str(project), "build", "--out", str(tmp_path / "env")).code == 0
    (link,) = form_links((tmp_path / "env" / "about" / "index.html").read_text(encoding="utf-8"))
    assert link["address"] == f"{REPO}/issues/new"

    given = "https://github.example.org/owner/explainer/"
    assert run_cli("--project", str(project), "build", "--out", str(tmp_path / "given"), "--repo-url", given).code == 0
    (link,) = form_links((tmp_path / "given" / "about" / "index.html").read_text(encoding="utf-8"))
    assert link["address"] == "https://github.example.org/owner/explainer/issues/new"

    assert run_cli("--project", str(project), "build", "--out", str(tmp_path / "off"), "--repo-url", "").code == 0
    assert "report-mistake" not in (tmp_path / "off" / "about" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "github.com/owner/repo", "https://github.com/owner",
                                 "https://github.com/owner/repo?x=1"])
def test_a_repository_address_that_is_not_one_is_refused(project: Path, tmp_path: Path, bad: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from sitegen.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["--project", str(project), "build", "--out", str(tmp_path / "site"), "--repo-url", bad])
    assert exited.value.code == 2
    assert "expected a repository address such as https://github.com/owner/REPO" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def form_body() -> list[dict[str, Any]]:
    form = yaml.safe_load(FORM.read_text(encoding="utf-8"))
    assert {"name", "description", "body"} <= set(form)
    body: list[dict[str, Any]] = form["body"]
    return body


def test_the_form_has_the_fields_the_link_fills_in(project: Path) -> None:
    body = form_body()
    assert {element["type"] for element in body} <= {"markdown", "input", "textarea", "dropdown", "checkboxes"}
    fields = {element["id"]: element for element in body if element["type"] != "markdown"}
    assert len(fields) == len([e for e in body if e["type"] != "markdown"]), "every field has an id, once"
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", field_id) for field_id in fields)
    assert all("id" not in element["attributes"] for element in body), "id belongs beside type, not in attributes"
    assert set(fields) == {"page", "item", "what", "source"}
    assert fields["what"]["validations"]["required"] and fields["source"]["validations"]["required"]

    _site, pages = rendered(project, Settings(repo_url=REPO))
    prefilled = {key for page in pages.values() for link in form_links(page) for key in link["query"]}
    assert prefilled - {"template", "title"} == {"page", "item"}
    assert prefilled - {"template", "title"} <= set(fields)
    assert {link["query"]["template"][0] for page in pages.values() for link in form_links(page)} == {FORM.name}


CORRECTION = """
- date: 2026-01-02
  kind: correction
  summary: The proposal now gives the published response.
  why: It said accepted; the response says tested first.
  items: [{item}]
- date: 2026-01-01
  summary: Added the proposal.
  items: [{item}]
"""


def test_corrections_show_with_their_reason_on_the_item_and_the_changes_page(project: Path) -> None:
    site, _pages = rendered(project, Settings())
    item_id = sorted(site.items["recommendations"])[0]
    (project / "data" / "changes.yaml").write_text(CORRECTION.format(item=item_id), encoding="utf-8")
    _site, pages = rendered(project, Settings())
    item_page = pages[f"recommendations/{item_id}/index.html"]
    assert '<h2 id="changes">Corrections and changes to this page</h2>' in item_page
    notes = re.findall(r"<li><time[^>]*>.*?</li>", item_page.split('id="changes"')[1])
    assert len(notes) == 2
    assert '<strong class="correction">Correction.</strong> The proposal now gives the published response.' in notes[0]
    assert '<span class="why">Why: It said accepted; the response says tested first.</span>' in notes[0]
    assert "Correction." not in notes[1] and "Why:" not in notes[1]
    changes = pages["changes/index.html"]
    assert "<h1>Corrections and changes</h1>" in changes
    assert changes.count('<strong class="correction">Correction.</strong>') == 1
    assert "Why: It said accepted; the response says tested first." in changes


def test_a_change_kind_that_is_not_one_is_located(project: Path, run_cli: Callable[..., Run]) -> None:
    (project / "data" / "changes.yaml").write_text(
        "- date: 2026-01-02\n  kind: fix\n  summary: Something.\n", encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert re.search(r"data/changes\.yaml:2:9: .*correction.*change", result.err), result.err


def test_a_note_naming_kind_and_id_shows_only_on_that_kind_of_item() -> None:
    """care-leavers is both a guide and a theme: the 5 December note lists guides/care-leavers, so it
    shows on the guide and not on the theme (a bare id shared by two kinds is refused)."""
    notes = yaml.safe_load((ROOT / "data/changes.yaml").read_text(encoding="utf-8"))
    note = next(n for n in notes if "guides/care-leavers" in n.get("items", []))
    site, pages = rendered(ROOT, Settings(base_url="/REPO/"))
    anchor = f"/REPO/changes/#note-{note_id(next(c for c in site.changes if c.summary == note['summary']))}"
    assert anchor in pages["for/care-leavers/index.html"]
    assert anchor not in pages["themes/care-leavers/index.html"]


def test_a_note_about_many_pages_is_linked_from_each_not_repeated(project: Path) -> None:
    """A note that names more than five pages is about others as much as this one: each page gives its
    date and kind and links to it on the Corrections and changes page, where it is in full. A note
    about a few pages is shown in full on each of them."""
    site, _pages = rendered(project, Settings())
    ids = sorted(item_id for kind in ("glossary", "recommendations", "funding", "missions", "themes", "timeline")
                 for item_id in site.items[kind])  # one of each: six pages
    assert len(ids) == 6
    (project / "data" / "changes.yaml").write_text(
        "- date: 2026-01-03\n  kind: correction\n  summary: Six terms now say what their sources say.\n"
        "  why: They said more.\n  items: [" + ", ".join(ids) + "]\n"
        + CORRECTION.format(item=sorted(site.items["glossary"])[0]),
        encoding="utf-8")
    site, pages = rendered(project, Settings())
    batch = next(c for c in site.changes if c.summary.startswith("Six terms"))
    page = pages[f"glossary/{sorted(site.items['glossary'])[0]}/index.html"]
    notes = re.findall(r"<li><time[^>]*>.*?</li>", page.split('id="changes"')[1])
    assert notes[0] == (
        '<li><time datetime="2026-01-03">3 January 2026</time>: <strong class="correction">Correction.</strong> This'
        ' page was one of 6 pages corrected together. <a href="/changes/#note-' + note_id(batch) + '">Read what'
        ' was corrected, and why<span class="visually-hidden">, in the note of 3 January 2026 on 6 pages</span>'
        '</a>.</li>')
    assert "Six terms now say" not in page
    assert "The proposal now gives the published response." in notes[1]  # a note about two pages, in full
    changes = pages["changes/index.html"]
    assert f'<li id="note-{note_id(batch)}"><p><time datetime="2026-01-03">' in changes
    assert "Six terms now say what their sources say." in changes


def test_a_change_note_lists_every_page_it_names_guides_and_kind_slash_id_included() -> None:
    """`guides/care-leavers` names the guide, not the theme of the same id; a guide is a page changed too."""
    from reader_site import rendered as real_site

    page = real_site("/")["changes/index.html"].decode("utf-8")
    note = next(part for part in page.split('<li><p>') if "/for/care-leavers/" in part)
    changed = note[note.index('class="touched"'):]
    assert '<a href="/for/care-leavers/">If you are leaving care</a>' in changed
    assert '<a href="/themes/care-leavers/">' not in changed
