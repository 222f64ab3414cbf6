"""Reader-facing pages of the real project: content, links, meta, budgets and the rules on reported values."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from markupsafe import escape
from reader_site import BASE, SITE_URL, Tags, html_pages, rendered, site_model, table_rows, transferred

from sitegen.formats import format_count, format_date, format_money
from sitegen.render import KIND_FOLDERS
from sitegen.views import Views
from sitegen.words import STATUS_WORDS, title_of

CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'")
BUDGET = 50 * 1024
"""Gzipped bytes a page and its CSS, icons and scripts may weigh."""
PRINT_BUDGET = 100 * 1024
"""The print page holds the main sections whole, pictures and all, until it is split (plan.PRINT_ITEMS)."""


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return rendered()


@pytest.fixture(scope="module")
def pages(files: dict[str, bytes]) -> dict[str, str]:
    return html_pages(files)


def test_every_item_has_a_permalink_page(files: dict[str, bytes]) -> None:
    site = site_model()
    for kind, items in site.items.items():
        if kind == "changes":
            continue
        folder = KIND_FOLDERS.get(kind, kind)  # a guide's page is under for/
        assert f"{folder}/index.html" in files
        for item_id in items:
            assert f"{folder}/{item_id}/index.html" in files, (kind, item_id)
    for name in ("index.html", "about/index.html", "changes/index.html", "print/index.html", "search/index.html",
                 "a-z/index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt"):
        assert name in files


def test_head_and_landmarks_on_every_page(pages: dict[str, str]) -> None:
    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    for name, html in pages.items():
        tags = Tags(html)
        assert tags.all("html")[0]["lang"] == "en-GB", name
        metas = tags.all("meta")
        assert {"http-equiv": "Content-Security-Policy", "content": CSP} in metas, name
        description = next(m["content"] for m in metas if m.get("name") == "description")
        assert description, name
        assert any(m.get("property") == "og:title" for m in metas), name
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        assert title, name
        assert title.group(1) not in titles, f"{name} and {titles.get(title.group(1))} share a title"
        titles[title.group(1)] = name
        other = descriptions.get(str(description))
        assert other is None, f"{name} and {other} share a description"
        descriptions[str(description)] = name
        assert '<a class="skip-link" href="#main">' in html, name
        assert '<main id="main" tabindex="-1"' in html, name
        assert len(tags.all("h1")) == 1, name


def test_no_inline_script_or_style(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        tags = Tags(html)
        for script in tags.all("script"):
            assert script.get("src"), f"inline script in {name}"
        assert not any("style" in attrs for _, attrs in tags.tags), f"style attribute in {name}"
        assert "<style" not in html, name


def test_headings_never_skip_a_level(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, f"{name}: h{before} followed by h{after}"


def test_every_internal_link_resolves_under_the_base_path(files: dict[str, bytes], pages: dict[str, str]) -> None:
    ids: dict[str, set[str]] = {name: set(re.findall(r'\sid="([^"]+)"', html)) for name, html in pages.items()}
    for name, html in pages.items():
        tags = Tags(html)
        for attrs in tags.all("a") + tags.all("link") + tags.all("script"):
            url = attrs.get("href") or attrs.get("src")
            if not url or url.startswith(("http://", "https://", "mailto:")):
                continue
            target, fragment = urldefrag(url)
            if not target:
                assert fragment in ids[name], f"{name}: #{fragment} missing"
                continue
            assert target.startswith(BASE), f"{name}: {url} escapes the base path"
            path = target.removeprefix(BASE)
            if path.startswith("pagefind/"):
                continue  # written by the search step after rendering
            dest = path + "index.html" if path.endswith("/") or not path else path
            assert dest in files, f"{name}: {url} has no page"
            if fragment and dest.endswith(".html"):
                assert fragment in ids[dest], f"{name}: {url} fragment missing"


def test_every_page_is_under_the_budget(files: dict[str, bytes], pages: dict[str, str]) -> None:
    for name in pages:
        budget = PRINT_BUDGET if name.startswith("print/") else BUDGET
        assert transferred(files, name) < budget, f"{name}: {transferred(files, name)} bytes"


def test_home_page_says_where_things_stand_and_leads_everywhere(pages: dict[str, str]) -> None:
    html = pages["index.html"]
    latest = max(s.date for s in site_model().items["sources"].values() if s.date)
    assert f"Where things stand as of {format_date(latest)}" in html
    for section in ("recommendations/", "missions/", "pilots/", "funding/", "timeline/", "glossary/", "sources/",
                    "areas/", "changes/", "print/", "about/"):
        assert f'href="{BASE}{section}"' in html, section
    assert 'id="key-figures"' in html and 'id="questions"' in html


def test_every_proposal_is_under_exactly_one_status_page(pages: dict[str, str]) -> None:
    site = site_model()
    seen: dict[str, list[str]] = {}
    for status in STATUS_WORDS:
        name = f"recommendations/status/{status}/index.html"
        if name not in pages:
            assert not any(r.response.status.value == status for r in site.items["recommendations"].values())
            continue
        for row in table_rows(pages[name], "proposals"):
            seen.setdefault(row, []).append(status)
    assert seen == {rid: [r.response.status.value] for rid, r in site.items["recommendations"].items()}


def test_theme_pages_list_their_proposals(pages: dict[str, str]) -> None:
    site = site_model()
    for theme_id in site.items["themes"]:
        html = pages[f"themes/{theme_id}/index.html"]
        expected = sorted(r.id for r in site.items["recommendations"].values() if theme_id in r.themes)
        rows = sorted(table_rows(html, "proposals")) if expected else []
        assert rows == expected, theme_id


def test_status_shown_in_words_and_shape(pages: dict[str, str]) -> None:
    html = pages["recommendations/index.html"]
    for r in site_model().items["recommendations"].values():
        status = r.response.status.value
        assert f'#{status}"></use></svg> {STATUS_WORDS[status]}</span>' in html
    assert f'<script src="{BASE}static/table.js" defer></script>' in html
    for status in STATUS_WORDS:
        if f"status/{status}/" in html:
            assert f'href="{BASE}recommendations/status/{status}/"' in html


def _csv_rows(files: dict[str, bytes], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[name].decode("utf-8"))))


def test_tables_and_their_csv_hold_the_same_rows(files: dict[str, bytes], pages: dict[str, str]) -> None:
    rows = _csv_rows(files, "data/recommendations.csv")
    assert table_rows(pages["recommendations/index.html"], "proposals") == [r["id"] for r in rows]
    rows = _csv_rows(files, "data/funding.csv")
    assert table_rows(pages["funding/index.html"], "funding-table") == [f"{r['id']}#{r['figure_number']}" for r in rows]
    rows = _csv_rows(files, "data/areas.csv")
    assert table_rows(pages["areas/index.html"], "areas-table") == [r["id"] for r in rows]


def test_list_pages_link_their_downloads_and_schema(pages: dict[str, str]) -> None:
    for kind in ("recommendations", "funding", "pilots", "timeline", "glossary", "sources", "people", "areas"):
        html = pages[f"{kind}/index.html"]
        assert f'href="{BASE}data/{kind}.csv"' in html and f'href="{BASE}data/{kind}.json"' in html, kind


def test_every_reported_money_value_is_shown_with_its_date(pages: dict[str, str]) -> None:
    site = site_model()
    views_text = {name: Tags(html).plain() for name, html in pages.items()
                  if name.startswith(("funding/", "pilots/"))}
    for line in site.items["funding"].values():
        text = views_text[f"funding/{line.id}/index.html"]
        assert ("Sources differ:" in text) is Views(site).values_differ(line.values), line.id
        if Views(site).values_differ(line.values):
            assert "Sources differ:" in views_text["funding/index.html"]
        for value in line.values:
            assert format_money(value.money) in text, (line.id, value.money)
            assert format_money(value.money) in views_text["funding/index.html"]
            when = Views(site).reported_on(value)
            assert (f"as reported on {format_date(when)}" if when else "as reported in an undated source") in text


def test_every_area_count_is_shown_with_its_date(pages: dict[str, str]) -> None:
    site = site_model()
    for pilot in site.items["pilots"].values():
        text = Tags(pages[f"pilots/{pilot.id}/index.html"]).plain()
        listing = Tags(pages["pilots/index.html"]).plain()
        for count in pilot.area_counts:
            when = Views(site).reported_on(count)
            words = f"{format_count(count)}, "
            words += f"as reported on {format_date(when)}" if when else "as reported in an undated source"
            assert words in text and words in listing, (pilot.id, words)
        banner = "Sources differ: the number of areas reported"
        assert (banner in text) is Views(site).values_differ(pilot.area_counts), pilot.id


def test_every_role_is_shown_with_its_date(pages: dict[str, str]) -> None:
    for person in site_model().items["people"].values():
        text = Tags(pages[f"people/{person.id}/index.html"]).plain()
        for role in person.roles:
            assert role.role in text
        if len(person.roles) > 1:  # several roles are a change over time, not a disagreement
            assert f"The sources give {len(person.roles)} roles" in text and "Sources differ" not in text


def test_planned_events_say_so_with_the_report_date(pages: dict[str, str]) -> None:
    site = site_model()
    timeline = Tags(pages["timeline/index.html"]).plain()
    for event in site.items["timeline"].values():
        page = Tags(pages[f"timeline/{event.id}/index.html"]).plain()
        when = Views(site).reported_on(event)
        if event.planned:
            words = ("Planned, as reported on " + format_date(when) if when
                     else "Planned, as reported in an undated source")
            assert words in page and words in timeline, event.id
        else:
            assert "Planned," not in page, event.id


def test_glossary_has_an_anchor_per_term_and_terms_link_to_it(pages: dict[str, str]) -> None:
    site = site_model()
    glossary = pages["glossary/index.html"]
    for term_id in site.items["glossary"]:
        assert f'<dt id="{term_id}">' in glossary
    linked = set()
    for name, html in pages.items():
        for term_id in re.findall(rf'<a class="term" href="{BASE}glossary/#([^"]+)"', html):
            assert term_id in site.items["glossary"], (name, term_id)
            linked.add(term_id)
    assert linked, "no glossary term is linked anywhere"
    proposals = pages["recommendations/index.html"]
    assert '<a class="term"' in proposals


def test_item_pages_cite_sources_backlinks_changes_and_cite_this(pages: dict[str, str]) -> None:
    site = site_model()
    views = Views(site)
    for ref, named_by in site.backlinks.items():
        if ref.kind == "sources":
            continue
        owners = views.backlinks(ref)  # less the items the page lists already (a mission's proposals)
        listed = {other for other in named_by if ref.kind in ("missions", "themes")
                  and ref.id in getattr(views.get(other), ref.kind, [])}
        assert owners == [other for other in named_by if other not in listed], ref
        html = pages[f"{KIND_FOLDERS.get(ref.kind, ref.kind)}/{ref.id}/index.html"]
        assert ('id="linked-from"' in html) == bool(owners), ref
        linked_from = html.partition('id="linked-from"')[2].partition("</ul>")[0]
        for other in listed:
            assert f'/{KIND_FOLDERS.get(other.kind, other.kind)}/{other.id}/"' not in linked_from, (ref, other)
        for owner in owners:
            assert f'href="{BASE}{KIND_FOLDERS.get(owner.kind, owner.kind)}/{owner.id}/"' in html, (ref, owner)
    for ref in site.changes_for:
        assert 'id="changes"' in pages[f"{KIND_FOLDERS.get(ref.kind, ref.kind)}/{ref.id}/index.html"]
    for rid, r in site.items["recommendations"].items():
        html = pages[f"recommendations/{rid}/index.html"]
        assert "Cite this page:" in html
        for citation in r.citations:
            assert f'href="{BASE}sources/{citation.source}/"' in html
            source = site.items["sources"][citation.source]
            if source.url:
                assert f'href="{source.url}"' in html


def test_sources_show_undated_and_author_only_when_given(pages: dict[str, str]) -> None:
    for source in site_model().items["sources"].values():
        text = Tags(pages[f"sources/{source.id}/index.html"]).plain()
        assert ("Undated" in text) == (source.date is None), source.id
        assert ("<dt>Author</dt>" in pages[f"sources/{source.id}/index.html"]) == (source.author is not None)


def test_missions_show_proposals_pilots_and_money(pages: dict[str, str]) -> None:
    site = site_model()
    listing = pages["missions/index.html"]
    for mission in site.items["missions"].values():
        for r in site.items["recommendations"].values():
            if mission.id in r.missions:
                assert f'href="{BASE}recommendations/{r.id}/"' in listing
        for f in site.items["funding"].values():
            if mission.id in f.missions:
                assert f'href="{BASE}funding/{f.id}/"' in listing


def test_areas_page_answers_which_programmes_my_council_is_in(pages: dict[str, str]) -> None:
    """Each programme beside the area, with the date its naming of the area was reported: a council
    named only in an earlier programme's evaluation must not read as one in a current pilot."""
    site = site_model()
    views = Views(site)
    html = pages["areas/index.html"]
    for pilot in site.items["pilots"].values():
        for participation in pilot.areas:
            row = html[html.index(f'<tr data-id="{participation.area}"'):]
            row = row[:row.index("</tr>")]
            when = views.reported_on(participation)
            assert when is not None, participation  # every real area is named by a dated report
            assert (f'href="{BASE}pilots/{pilot.id}/">{escape(pilot.name)}</a> <span class="when">(named in a'
                    f" report of {format_date(when)})</span>") in row, row
    leeds = html[html.index('<tr data-id="leeds"'):]
    assert "(named in a report of 7 June 2023)" in leeds[:leeds.index("</tr>")]


def test_chart_and_table_on_the_funding_page(pages: dict[str, str]) -> None:
    html = pages["funding/index.html"]
    assert '<svg class="chart"' in html and "<title id=" in html and "<desc id=" in html
    assert "each kind of sum has its own chart and scales, so that sums given in total" in html  # below the answer
    assert "<caption>" in html and '<th scope="col">' in html and '<th scope="row"' in html


def test_print_page_holds_the_whole_explainer(pages: dict[str, str]) -> None:
    site = site_model()
    text = Tags(pages["print/index.html"]).plain()
    for kind in ("recommendations", "pilots", "glossary"):
        for item in site.items[kind].values():
            assert title_of(item) in text, (kind, item.id)


def test_search_page_needs_no_inline_script_and_offers_the_a_to_z(pages: dict[str, str]) -> None:
    html = pages["search/index.html"]
    assert f'<script src="{BASE}static/search.js" defer></script>' in html
    assert f'<div class="search" id="search" hidden data-bundle="{BASE}pagefind/" data-base="{BASE}">' in html
    assert "data-merge" not in html  # one bundle: nothing to merge
    assert "<script>" not in html and " style=" not in html
    assert "<noscript><p>Search needs JavaScript, which is switched off.</p></noscript>" in html
    assert html.count(f'href="{BASE}a-z/"') == 2  # the menu's, and the A to Z offered once, with or without script
    assert "data-pagefind-body" not in html
    assert "data-pagefind-body" not in pages["recommendations/index.html"]  # lists repeat items: search finds the items
    item = next(dest for dest in pages if dest.startswith("recommendations/") and dest.count("/") == 2
                and "/status/" not in dest)
    assert "data-pagefind-body" in pages[item]


def test_pages_are_split_in_search_shards_by_path() -> None:
    from sitegen.search import bundle_of, plan_shards

    shards = plan_shards(["b.html", "a/index.html", "c/index.html", "d.html", "e.html"], 2)
    assert [(shard.bundle, shard.pages) for shard in shards] == [
        ("pagefind/", ("a/index.html", "b.html")),
        ("pagefind/shard-2/", ("c/index.html", "d.html")),
        ("pagefind/shard-3/", ("e.html",)),
    ]
    assert [shard.bundle for shard in plan_shards([], 2)] == ["pagefind/"]  # (never indexed: home is searchable)
    assert bundle_of("pagefind/index/en_1.pf_index") == "pagefind/"
    assert bundle_of("pagefind/shard-12/fragment/x.pf_fragment") == "pagefind/shard-12/"
    assert bundle_of("pagefind/shard-x/y") == "pagefind/"
    assert bundle_of("recommendations/index.html") is None


def one_page_site(folder: Path) -> Path:
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "index.html").write_text('<html lang="en"><body><main data-pagefind-body><h1>Kinship</h1>'
                                             "<p>Kinship carers.</p></main></body></html>")
    return folder


def test_a_pagefind_run_reports_its_own_memory(tmp_path: Path) -> None:
    from sitegen.search import run_pagefind

    site = one_page_site(tmp_path / "site")
    ballast = bytearray(300 << 20)
    ballast[::4096] = b"x" * len(ballast[::4096])  # this process's own peak is now above 300 MB
    peak_kb = run_pagefind(site, ["a/index.html"], tmp_path / "bundle")
    assert 0 < peak_kb < 200 << 10  # Pagefind's peak for one page, not this process's
    assert '"page_count":1' in (tmp_path / "bundle" / "pagefind-entry.json").read_text()
    assert (tmp_path / "bundle" / "pagefind-ui.css").stat().st_size > 1000  # written whole, by the build


def test_a_page_pagefind_cannot_be_given_is_named(tmp_path: Path) -> None:
    from sitegen.errors import BuildFailed
    from sitegen.search import run_pagefind

    site = one_page_site(tmp_path / "site")
    with pytest.raises(BuildFailed) as failed:
        run_pagefind(site, ["a/index.html", "b/index.html"], tmp_path / "bundle")
    assert failed.value.problems[0].message == ("Pagefind could not index the site: No such file or directory:"
                                                " b/index.html")


def test_a_full_disk_while_indexing_is_a_full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The small process reports the error number of a file it could not write, and a full disk is then
    raised as one, for the build's plain message (write.disk_full_message)."""
    import errno

    from sitegen import search
    from sitegen.write import is_disk_full

    relay = tmp_path / "relay.py"
    relay.write_text("import json\nprint(json.dumps(" + repr({"peak_kb": 1, "exit": 0, "said": "", "errno": 28,
                                                              "refused": "No space left on device: x"}) + "))\n")
    monkeypatch.setattr(search, "RUN", relay)
    with pytest.raises(OSError) as failed:
        search.run_pagefind(one_page_site(tmp_path / "site"), ["a/index.html"], tmp_path / "bundle")
    assert is_disk_full(failed.value) and failed.value.errno == errno.ENOSPC


FAKE_PAGEFIND = """
import base64, json, os, sys
def answer(payload):
    sys.stdout.buffer.write(base64.b64encode(json.dumps({'message_id': 1, 'payload': payload}).encode()) + b',')
    sys.stdout.flush()
request = b''
while byte := sys.stdin.buffer.read(1):
    if byte != b',':
        request += byte
        continue
    kind, request = json.loads(base64.b64decode(request))['payload']['type'], b''
    if kind == 'NewIndex':
        answer({'type': 'NewIndex', 'index_id': 0})
    elif MODE == 'refuses':
        answer({'type': 'Error', 'original_message': None, 'message': 'Failed to add file'})
    elif MODE == 'dies':
        sys.stderr.write("thread 'main' panicked at src/main.rs:1:1\\n")
        sys.exit(101)
    elif MODE == 'killed':
        os.kill(os.getpid(), 9)
    elif MODE == 'quits':
        sys.exit(0)
    elif MODE == 'garbles':
        sys.stdout.buffer.write(base64.b64encode(b'nonsense') + b',')
        sys.stdout.flush()
    elif kind == 'AddFile':
        answer({'type': 'IndexedFile', 'page_word_count': 1, 'page_url': '/a/', 'page_meta': {}})
    else:
        answer({'type': 'GetFiles', 'files': [{'path': '../escaped.js', 'content': ''}]})
"""
"""Pagefind's service as far as the build speaks to it: refusing every page, dying at the first, killed
at the first (as for lack of memory), ending without a word, answering nonsense, or naming a file
outside its bundle."""


@pytest.mark.parametrize(("mode", "said"), [
    ("refuses", "a/index.html: Failed to add file"),
    ("dies", "thread 'main' panicked at src/main.rs:1:1"),
    ("killed", "it was killed (signal 9), most likely for lack of memory; a smaller --search-shard-pages or"
               " fewer --workers make Pagefind use less"),
    ("escapes", "it named a file outside its bundle: ../escaped.js"),
    ("quits", "it ended without answering"),
    ("garbles", "it gave an answer the build could not read (JSONDecodeError: Expecting value: line 1 column 1"
                " (char 0))"),
])
def test_a_pagefind_run_that_fails_says_why_in_its_words(
        mode: str, said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from sitegen import search
    from sitegen.errors import BuildFailed

    fake = tmp_path / "pagefind"
    fake.write_text(f"#!{sys.executable}\nMODE = {mode!r}\n{FAKE_PAGEFIND}")
    fake.chmod(0o755)
    monkeypatch.setattr(search, "pagefind_binary", lambda: str(fake))
    with pytest.raises(BuildFailed) as failed:
        search.run_pagefind(one_page_site(tmp_path / "site"), ["a/index.html"], tmp_path / "out" / "bundle")
    assert failed.value.problems[0].message == f"Pagefind could not index the site: {said}"
    assert not (tmp_path / "out" / "bundle").exists() and not (tmp_path / "out" / "escaped.js").exists()


def test_the_search_index_does_not_follow_the_order_a_folder_is_listed_in(tmp_path: Path) -> None:
    """Pagefind numbers pages in the order it meets them, and is handed them in path order, so the
    same pages give the same index on any file system. tmpfs lists a folder newest first, so two
    folders whose pages were written in opposite orders list them in opposite orders."""
    import os
    import tempfile

    from sitegen.search import run_pagefind

    if not os.access("/dev/shm", os.W_OK):
        pytest.skip("needs /dev/shm (tmpfs), whose listing order follows the order files are made in")
    names = [f"p{number:02}" for number in range(12)]
    made, listed = [], []
    with tempfile.TemporaryDirectory(dir="/dev/shm") as memory:
        for order in (names, names[::-1]):
            site = Path(memory) / order[0]
            for name in order:
                (site / name).mkdir(parents=True)
                (site / name / "index.html").write_text(
                    f'<html lang="en"><body><main data-pagefind-body><h1>Page {name}</h1><p>Kinship carers'
                    f" and {' '.join(names[:names.index(name) + 1])}.</p></main></body></html>")
            listed.append(os.listdir(site))
            run_pagefind(site, [f"{name}/index.html" for name in names], tmp_path / site.name)
            made.append({path.relative_to(tmp_path / site.name): path.read_bytes()
                         for path in sorted((tmp_path / site.name).rglob("*")) if path.is_file()})
    if listed[0] == listed[1]:
        pytest.skip("this tmpfs lists both folders in the same order")
    assert made[0] == made[1]


def test_a_pagefind_run_that_is_killed_says_so() -> None:
    from sitegen.search import why_pagefind_failed

    assert "--search-shard-pages" in why_pagefind_failed("", "-9")  # the kernel's answer to too little memory
    assert why_pagefind_failed("", "-15") == "it was stopped by signal 15"
    assert why_pagefind_failed("Error: no HTML\n", "1") == "Error: no HTML"


def test_404_uses_absolute_urls_under_the_base(pages: dict[str, str]) -> None:
    html = pages["404.html"]
    assert f'href="{BASE}static/site.css"' in html and f'href="{BASE}"' in html
    assert 'href="/' not in html.replace(f'href="{BASE}', "")


def test_canonical_and_open_graph_urls_when_the_site_url_is_known() -> None:
    pages = html_pages(rendered(BASE, SITE_URL))
    assert f'<link rel="canonical" href="{SITE_URL}pilots/">' in pages["pilots/index.html"]
    assert f'<meta property="og:url" content="{SITE_URL}">' in pages["index.html"]
    assert "canonical" not in html_pages(rendered())["index.html"]


def test_site_works_at_the_root_too() -> None:
    pages = html_pages(rendered("/", ""))
    assert 'href="/static/site.css"' in pages["index.html"]
    assert "/REPO/" not in pages["recommendations/index.html"]


def test_build_writes_the_search_index(tmp_path: Path) -> None:
    from reader_site import ROOT

    from sitegen.build import build
    from sitegen.render import Settings

    out = tmp_path / "site"
    build(ROOT, out, Settings(base_url=BASE))
    assert (out / "pagefind" / "pagefind.js").is_file()  # what search.js imports
    assert (out / "pagefind" / "pagefind-entry.json").is_file()
    assert (out / "search" / "index.html").is_file()
    assert not list(tmp_path.glob(".site.tmp-*"))


def test_quotations_keep_their_term_links_but_no_definition_buttons(pages: dict[str, str]) -> None:
    """A source's words read as written: glossary links in a quote, but no "?" buttons in it."""
    quotes = [q for html in pages.values() for q in re.findall(r"<q>(.*?)</q>", html, re.S)]
    assert any('class="term"' in q for q in quotes)
    assert not [q for q in quotes if "term-info" in q or "<!--def:" in q]
    assert any("term-info" in html for html in pages.values())


def test_each_term_has_one_button_a_page_where_it_is_first_linked(pages: dict[str, str]) -> None:
    """The proposals' list once had 177 "?" buttons, one per use: now one a term, at its first link."""
    for name, html in pages.items():
        targets = re.findall(r'popovertarget="(def-[a-z0-9-]+)"(?! popovertargetaction="hide")', html)
        assert len(targets) == len(set(targets)), name
        while "<q>" in html:  # a quotation's terms are linked without a button: its words read as written
            html = re.sub(r"<q>((?!<q>).)*?</q>", "", html, flags=re.S)
        for pair in re.finditer(r'<span class="term-pair">(<a class="term" href="[^"]+")', html):
            assert html.index(pair.group(1)) == pair.start(1), f"{name}: a later use of {pair.group(1)} has the button"
    assert sum(html.count('class="term-info"') for html in pages.values()) > 100


def test_a_glossary_entry_does_not_link_to_itself(pages: dict[str, str]) -> None:
    """"Child in need: A child in need of council services" linked its own words back to itself, with a
    button showing the entry the reader was reading. Other terms in a definition are still linked."""
    site = site_model()
    listing = pages["glossary/index.html"]
    linked_others = 0
    for term_id in site.items["glossary"]:
        definition = listing[listing.index(f'<dt id="{term_id}">'):]
        definition = definition[definition.index("<dd>"):definition.index("</dd>")]
        assert f'href="{BASE}glossary/#{term_id}"' not in definition, term_id
        linked_others += 'class="term"' in definition
        page = pages[f"glossary/{term_id}/index.html"]
        end = page.index(f'<p><a href="{BASE}glossary/#{term_id}">See it in the A–Z glossary</a>')
        paragraph = page[page.rindex("<p>", 0, end - 1):end]  # the definition, just before that line
        assert f'href="{BASE}glossary/#{term_id}"' not in paragraph, term_id
        main = page[page.index("<main"):page.index("</main>")]  # nor its quotes and change notes
        assert f'<a class="term" href="{BASE}glossary/#{term_id}"' not in main, term_id
        assert f'popovertarget="def-{term_id}"' not in main, term_id
    assert linked_others > 10
