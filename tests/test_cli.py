"""The error catalogue: each kind of editor mistake gives one exact message at its file, line and column,
exit status 1, no traceback, and leaves the previous site untouched."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, Run, snapshot


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CATALOGUE: list[tuple[str, str, str, str, str]] = [
    # (id, file, old text, new text, expected first line of stderr)
    (
        "unknown-key",
        "data/missions.yaml",
        "  summary:",
        "  sumary:",
        'data/missions.yaml:4:3: unknown key "sumary"; did you mean "summary"? allowed keys here: citati'
        "ons, id, number, summary, target_year, title",
    ),
    (
        "missing-key",
        "data/missions.yaml",
        "  title: Families get the help they need\n",
        "",
        'data/missions.yaml:1:3: required key "title" is missing; add it, for example: title: Family help',
    ),
    (
        "bad-status",
        "data/recommendations.yaml",
        "status: to-be-tested",
        "status: acepted",
        'data/recommendations.yaml:10:13: response.status: "acepted" is not an allowed value; did you me'
        'an "accepted"? allowed values: accepted, accepted-in-part, to-be-tested, consultation, rejected'
        ", not-addressed, unclear",
    ),
    (
        "bad-id",
        "data/themes.yaml",
        "id: family-help",
        "id: Family Help",
        'data/themes.yaml:1:7: id: "Family Help" is not a valid id; use lower-case letters, digits and s'
        'ingle hyphens, for example "family-help"',
    ),
    (
        "bad-date",
        "data/sources.yaml",
        "date: 2023-02-02",
        "date: 2 Feb 2023",
        'data/sources.yaml:4:9: date: "2 Feb 2023" is not a date; write it as YYYY-MM-DD, for example 2023-02-02',
    ),
    (
        "money-as-text",
        "data/funding.yaml",
        "amount: 2600000000, years: 5",
        "amount: £2.6bn, years: 5",
        'data/funding.yaml:6:23: values[0].money.amount: "£2.6bn" is not a whole number; write a plain n'
        "umber without £, commas or words, for example 200000000 for £200m",
    ),
    (
        "dangling-reference",
        "data/recommendations.yaml",
        "themes: [family-help]",
        "themes: [family-hlp]",
        'data/recommendations.yaml:4:12: no item with id "family-hlp" in data/themes.yaml; did you mean '
        '"family-help"? use the id of an existing item or add the item',
    ),
    (
        "duplicate-key",
        "data/themes.yaml",
        "  description:",
        "  title: Again\n  description:",
        'data/themes.yaml:3:3: duplicate key "title" (first given on line 2); keep one of them, YAML wou'
        "ld silently drop the first",
    ),
    (
        "duplicate-id",
        "data/themes.yaml",
        "- id: family-help\n",
        "- id: family-help\n  title: A\n  description: B\n- id: family-help\n",
        'data/themes.yaml:4:7: the id "family-help" is used twice: first at line 1; give each item its own id'
        " (rename one of them) or delete the copy",
    ),
    (
        "quote-not-found",
        "data/missions.yaml",
        "quote: fix children's social care",
        "quote: fix childrens social care",
        'data/missions.yaml:8:14: quote not found in source "test-article"; the closest passage in the s'
        'ource is: "fix children\'s social care"; copy the words exactly as the source gives them',
    ),
    (
        "quote-from-comments",
        "data/missions.yaml",
        "quote: fix children's social care",
        "quote: this is all wrong",
        'data/missions.yaml:8:14: quote is outside the article "test-article" (in reader comments or ano'
        "ther article of the same file); cite only the article's own words, or, if lines were added to or removed"
        " from the file, correct the source's lines: range to fit its article again",
    ),
    (
        "yaml-tab",
        "data/themes.yaml",
        "  title: Family help",
        "\ttitle: Family help",
        "data/themes.yaml:2:1: YAML syntax error: a tab character is used for indentation; YAML indents "
        "with spaces only, so replace the tab with spaces (the parser said: while scanning a plain scala"
        "r; found a tab character that violates indentation)",
    ),
    (
        "yaml-colon",
        "data/themes.yaml",
        "title: Family help",
        "title: Family help: the basics",
        "data/themes.yaml:2:21: YAML syntax error: a colon followed by a space in an unquoted value, or "
        'a key indented wrongly; put the value in double quotes ("…") or line the key up with the keys a'
        "bove it (the parser said: mapping values are not allowed in this context)",
    ),
    (
        "yaml-unclosed-quote",
        "data/themes.yaml",
        "title: Family help",
        'title: "Family help',
        'data/themes.yaml:2:10: the quote " that opens this value is never closed, so the value runs on to'
        ' the end of the file; close it with " at the end of the value on this line',
    ),
    (
        "yaml-alias",
        "data/themes.yaml",
        "  description: Support for families before problems grow.",
        "  description: &d Support for families before problems grow.\n- id: other\n  title: *d\n  description: x",
        "data/themes.yaml:5:3: aliases (*name) are not used in this site's data; write the value out in full",
    ),
    (
        "front-matter",
        "content/about.md",
        "---\ntitle: About",
        "title: About",
        'content/about.md:1:1: the page must start with front matter: a line "---", "title: …", "descrip'
        'tion: …", then a line "---"',
    ),
    (
        "front-matter-key",
        "content/about.md",
        "order: 2",
        "ordr: 2",
        'content/about.md:4:1: unknown key "ordr"; did you mean "order"? allowed keys here: about_the_site,'
        " description, key_figures, last_reviewed, nav, order, title",
    ),
    (
        "raw-html",
        "content/about.md",
        "From *data* files.",
        "From <script>alert(1)</script> files.",
        "content/about.md:8:6: raw HTML '<script>' is not allowed in Markdown; use Markdown (e.g. **bold"
        "**, [text](https://…)) or put the text in `backticks` to show it as code",
    ),
    (
        "raw-html-in-a-body",
        "data/recommendations.yaml",
        "    - One team for early help",
        "    - One <b>team</b> for early help",
        "data/recommendations.yaml:20:11: raw HTML '<b>' is not allowed in Markdown; use Markdown (e.g. **bold"
        "**, [text](https://…)) or put the text in `backticks` to show it as code",
    ),
    (
        "raw-html-in-a-quoted-body",
        "data/recommendations.yaml",
        "  body: |\n    The review wanted help to reach families *before* problems grow.\n\n"
        "    ## How it would work\n\n    - One team for early help and child in need work.\n"
        "    - See the [themes](/themes/) for related proposals.",
        '  body: "Help for <b>families</b>."',
        "data/recommendations.yaml:15:9: in the body's line 1, column 10: raw HTML '<b>' is not allowed in Markdo"
        "wn; use Markdown (e.g. **bold**, [text](https://…)) or put the text in `backticks` to show it as code",
    ),
    (
        "unsafe-link-in-a-body",
        "data/recommendations.yaml",
        "[themes](/themes/)",
        "[themes](javascript:alert(1))",
        "data/recommendations.yaml:21:24: link 'javascript:alert(1)' uses a scheme or form the site does not allow;"
        " use https://… for other sites or /path/ for this one",
    ),
    (
        "unsafe-link",
        "content/about.md",
        "From *data* files.",
        "From [data](javascript:alert(1)) files.",
        "content/about.md:8:13: link 'javascript:alert(1)' uses a scheme or form the site does not allow;"
        " use https://… for other sites or /path/ for this one",
    ),
    (
        "bad-url",
        "data/sources.yaml",
        "url: https://example.org/article",
        "url: javascript:alert(1)",
        'data/sources.yaml:5:8: url: "javascript:alert(1)" is not a web address; write a full address st'
        "arting with https://",
    ),
    (
        "not-a-list",
        "data/themes.yaml",
        "- id: family-help",
        "themes:\n- id: family-help",
        "data/themes.yaml:1:1: the file must be a list of Theme items, each starting with '- id: …'",
    ),
    (
        "unknown-data-file",
        "data/themes.yaml",
        "",
        "",
        "data/pilot.yaml:1:1: unknown data file; data files are named areas.yaml, changes.yaml, funding."
        "yaml, glossary.yaml, guides.yaml, missions.yaml, people.yaml, pilots.yaml, recommendations.yaml, sou"
        "rces.yaml, themes.yaml, timeline.yaml",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), [c[1:] for c in CATALOGUE], ids=[c[0] for c in CATALOGUE])
def test_error_catalogue(
    project: Path, built_minimal: Path, run_cli: Callable[..., Run], file: str, old: str, new: str, expected: str
) -> None:
    out = project / "site"
    shutil.copytree(built_minimal, out)  # a site a build left, as the edit finds it
    before = snapshot(out)
    if file == "data/themes.yaml" and old == new == "":
        (project / "data" / "pilot.yaml").write_text("[]\n", encoding="utf-8")
    else:
        edit(project / file, old, new)

    result = run_cli("--project", str(project), "build", "--out", str(out))

    assert result.code == 1
    assert result.err.splitlines()[0] == expected
    assert result.err.splitlines()[-1].endswith("problem(s) found; nothing was written.")
    assert "Traceback" not in result.err
    assert snapshot(out) == before


def test_template_error_names_template_and_line(project: Path, run_cli: Callable[..., Run]) -> None:
    page = project / "templates" / "page.html"
    lines = page.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "{% block main %}" in text) + 1
    lines.insert(line - 1, "{{ no_such_variable.field }}")
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = run_cli("--project", str(project), "build", "--out", str(project / "site"))

    assert result.code == 1
    assert result.err.splitlines()[0].startswith(
        f"templates/page.html:{line}:1: template error while rendering about/index.html (later pages that stop"
        " here are not listed): ")
    assert "no_such_variable" in result.err.splitlines()[0]


def test_an_error_every_page_meets_is_said_once(project: Path, run_cli: Callable[..., Run]) -> None:
    """A mistake in base.html stops every page: it was said once a page, a hundred lines of the same."""
    base = project / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("{{ description }}", "{{ descriptionn }}", 1),
                    encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert [line for line in result.err.splitlines() if line.startswith("templates/")] == [
        "templates/base.html:18:1: template error while rendering index.html (later pages that stop here are not"
        " listed): 'descriptionn' is undefined; check the names used on this line"]


def test_an_error_met_while_a_file_is_written_part_by_part_names_template_and_line(
        project: Path, run_cli: Callable[..., Run]) -> None:
    """The feed and the data downloads are written as the template makes them: an error halfway, after
    parts are written, is still reported at its line, and the output folder is left as it was."""
    out = project / "site"
    assert run_cli("--project", str(project), "build", "--out", str(out)).code == 0
    before = snapshot(out)
    feed = project / "templates" / "feed.xml"
    lines = feed.read_text(encoding="utf-8").splitlines()
    line = lines.index("</feed>") + 1
    lines.insert(line - 1, "{{ no_such_variable.field }}")
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = run_cli("--project", str(project), "build", "--out", str(out))

    assert result.code == 1
    assert result.err.splitlines()[0].startswith(
        f"templates/feed.xml:{line}:1: template error while rendering feed.xml (later pages that stop here are"
        " not listed): ")
    assert snapshot(out) == before


def test_template_syntax_error(project: Path, run_cli: Callable[..., Run]) -> None:
    templates = project / "templates"
    (templates / "404.html").write_text("line one\n{% if %}\n", encoding="utf-8")
    result = run_cli("--project", str(project), "build", "--out", str(project / "site"))
    assert result.code == 1
    assert result.err.splitlines()[0].startswith("templates/404.html:2:1: template syntax error: ")


def test_all_problems_reported_together(project: Path, run_cli: Callable[..., Run]) -> None:
    edit(project / "data/missions.yaml", "  summary:", "  sumary:")
    edit(project / "data/themes.yaml", "  title:", "  titel:")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert [line.split(":")[0] for line in result.err.splitlines()[:-1]] == ["data/missions.yaml", "data/themes.yaml"]


def test_github_annotations(project: Path, run_cli: Callable[..., Run]) -> None:
    edit(project / "data/missions.yaml", "  summary:", "  sumary:")
    result = run_cli("--project", str(project), "--format", "github", "check")
    assert result.err.splitlines()[0].startswith("::error file=data/missions.yaml,line=4,col=3::unknown key")


def test_no_traceback_in_a_real_process(project: Path) -> None:
    """The editor runs `python build.py`: a broken file gives messages and exit 1, never a traceback."""
    (project / "data" / "themes.yaml").write_bytes(b"- id: x\n  title: \xff\xfe\n")
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--project", str(project), "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert (
        result.stderr.splitlines()[0] == "data/themes.yaml:2:10: this byte is not valid UTF-8; save the file as UTF-8"
    )
    assert "Traceback" not in result.stderr


def test_check_prints_summary(project: Path, run_cli: Callable[..., Run]) -> None:
    result = run_cli("--project", str(project), "check")
    assert result.code == 0
    summary, reading_ages = result.out.splitlines()
    assert summary.startswith("OK: 1 recommendations (responses: to-be-tested 1), 1 missions, 0 pilots")
    assert summary.endswith("1 sources, 8 citations")
    assert reading_ages.startswith("Reading ages (UK, ARI grade + 5): /about/ ")


@pytest.mark.parametrize("command", ["build", "check", "serve", "schema", "pages"])
def test_every_command_has_help(command: str) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), command, "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert f"usage: build.py {command}" in result.stdout


def test_the_search_shard_size_is_checked_and_used(project: Path, tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    refused = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--search-shard-pages", "0"],
                             capture_output=True, text=True, check=False)
    assert refused.returncode == 2
    assert "--search-shard-pages: expected a whole number above 0, not '0'" in refused.stderr
    out = tmp_path / "site"
    assert run_cli("--project", str(project), "build", "--out", str(out), "--search-shard-pages", "5").code == 0
    assert (out / "pagefind" / "shard-2" / "pagefind-entry.json").is_file()
    assert 'data-merge="/pagefind/shard-2/' in (out / "search" / "index.html").read_text()


def test_two_pages_at_one_path_are_refused(project: Path, run_cli: Callable[..., Run]) -> None:
    """A page named like a section would overwrite it: refused at the page's own file."""
    (project / "content" / "pilots.md").write_text("---\ntitle: Pilots\ndescription: A clash.\n---\nText.\n",
                                                   encoding="utf-8")
    (project / "content" / ".#about.md").write_text("an editor's lock file", encoding="utf-8")
    result = run_cli("--project", str(project), "build", "--out", str(project / "site"))
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        'content/pilots.md:1:1: "pilots" is the address of a section of the site; give the page another name')
    assert len(result.err.splitlines()) == 2  # the lock file is not read as a page
    assert not (project / "site").exists()


def test_plan_collisions_are_still_refused(project: Path, run_cli: Callable[..., Run],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer's own guard, behind the page-name rule: two jobs for one path fail the build."""
    import sitegen.build

    monkeypatch.setattr(sitegen.build, "RESERVED_PAGE_NAMES", set())
    (project / "content" / "pilots.md").write_text("---\ntitle: Pilots\ndescription: A clash.\n---\nText.\n",
                                                   encoding="utf-8")
    result = run_cli("--project", str(project), "build", "--out", str(project / "site"))
    assert result.code == 1
    assert "two pages would be written to pilots/index.html" in result.err.splitlines()[0]
