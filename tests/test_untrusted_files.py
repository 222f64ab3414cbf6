"""Files a pull request can carry (issue 22): nothing in the repository may delete, leak or run anything.

Each test carries out an attack: a symlinked output folder, a misdirected --out, symlinks in the
inputs (to a secret, /proc/self/environ, /dev/zero), a committed build cache that would run code, a
full disk, CRLF line ends; and a fuzz of generated symlinks.
"""

from __future__ import annotations

import errno
import io
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import jinja2
import pytest
from conftest import MINIMAL, ROOT, Run, minimal_project, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen import models as m
from sitegen.cache import cache_folder, code_version, write_cache_file
from sitegen.cli import main
from sitegen.errors import BuildFailed
from sitegen.inputs import LIMITS
from sitegen.serve import Preview
from sitegen.write import MARKER, SiteWriter

PROBLEM_LINE = re.compile(r"^[^\n:]+:\d+:\d+: \S.*$")
SECRET = "SECRET-TOKEN-4f1d9c"
LINK = "this is a symbolic link, which the build never follows: put the file or folder itself here"
"""What the build says of a symbolic link in an input folder, each named at its path."""
"""Text of the files outside the project that links point to: it must never reach any output."""


def tree(folder: Path) -> dict[str, str]:
    """Every file, folder and link under folder (links not followed), with file contents and link targets."""
    found: dict[str, str] = {}
    for root, folders, names in os.walk(folder):
        for name in [*folders, *names]:
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[rel] = "-> " + os.readlink(path)
            elif path.is_dir():
                found[rel] = "/"
            elif path.is_file():
                found[rel] = path.read_bytes().hex()
    return found


def workspace(tmp_path: Path) -> tuple[Path, Path]:
    """A folder holding the minimal project and, beside it, a canary folder that nothing may touch."""
    work = tmp_path / "work"
    project = minimal_project(work / "project")
    (work / "canary").mkdir()
    (work / "canary" / "important.txt").write_text("the folders beside the project are not the build's")
    return work, project


def wait_for_the_preview(preview: Preview) -> None:
    """Let the search index's build the preview starts after a save finish (see sitegen.serve)."""
    preview.wait()


# --- High 1: the output folder -------------------------------------------------------------------


def test_a_site_link_to_the_projects_parent_deletes_nothing(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    """`site -> ..` committed in a pull request: a plain build used to swap out and delete the parent."""
    work, project = workspace(tmp_path)
    (project / "site").symlink_to("..", target_is_directory=True)
    before = tree(work)
    result = run_cli("--project", str(project), "build")
    assert result.code == 1
    assert result.err.splitlines()[0].startswith("site:1:1: the output folder is a symbolic link;")
    assert "Traceback" not in result.err
    assert tree(work) == before


@pytest.mark.parametrize("out", [".", "data", "content/x", "..", ".git", "tests", "templates/static"])
def test_an_output_folder_that_is_in_or_around_the_inputs_is_refused(
        tmp_path: Path, out: str, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    """--out . deletes the project, --out data the data, --out .. the project and its neighbours."""
    work, project = workspace(tmp_path)
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (project / "tests").mkdir()
    before = tree(work)
    monkeypatch.chdir(project)
    result = run_cli("--project", ".", "build", "--out", out)
    assert result.code == 1, result.err
    assert PROBLEM_LINE.match(result.err.splitlines()[0]), result.err
    assert "which a build must never" in result.err
    assert tree(work) == before


def test_a_preview_link_to_the_parent_is_refused(tmp_path: Path) -> None:
    """`.preview -> ..`: the preview's in-place writer used to remove every file of the parent it did not make."""
    work, project = workspace(tmp_path)
    (project / ".preview").symlink_to("..", target_is_directory=True)
    before = tree(work)
    preview = Preview(project, project / ".preview")
    preview.rebuild()
    wait_for_the_preview(preview)
    assert [str(problem).split(";")[0] for problem in preview.problems] == [
        ".preview:1:1: the output folder is a symbolic link"]
    assert tree(work) == before


def test_a_pages_preview_link_to_the_parent_is_refused(
        tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    work, project = workspace(tmp_path)
    (project / ".pages-preview").symlink_to("..", target_is_directory=True)
    before = tree(work)

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the site was built, so it would be served")

    monkeypatch.setattr("sitegen.pages.serve_site", never)
    result = run_cli("--project", str(project), "pages", "--port", "0")
    assert result.code == 1
    assert result.err.startswith(".pages-preview:1:1: the output folder is a symbolic link;")
    assert tree(work) == before


def test_a_folder_of_other_files_is_not_replaced_but_an_earlier_builds_is(
        tmp_path: Path, project: Path, run_cli: Callable[..., Run]) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    result = run_cli("--project", str(project), "build", "--out", str(mine))
    assert result.code == 1 and f"but not the {MARKER} file" in result.err
    assert tree(mine) == {"notes.txt": b"mine".hex()}
    out = tmp_path / "site"
    assert run_cli("--project", str(project), "build", "--out", str(out)).code == 0
    (project / "content" / "about.md").write_text((project / "content" / "about.md").read_text() + "\nMore.\n")
    assert run_cli("--project", str(project), "build", "--out", str(out)).code == 0
    assert "More." in (out / "about" / "index.html").read_text()


def test_the_ignore_rules_match_a_symlinked_output_folder_too(tmp_path: Path) -> None:
    """A rule with a trailing slash (/site/) matches only a folder: a link `site -> ..` was not ignored."""
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copy(ROOT / ".gitignore", repo / ".gitignore")
    names = ["site", ".preview", ".pages-preview", ".cache", ".site.tmp-1", ".site.spare"]
    for name in names:
        (repo / name).symlink_to("..", target_is_directory=True)
    done = subprocess.run(["git", "check-ignore", *names], cwd=repo, capture_output=True, text=True)
    assert done.stdout.split() == names


# --- High 2: symlinks and huge files in the inputs ----------------------------------------------


def build_in_a_process(project: Path, out: Path, extra_env: dict[str, str] | None = None,
                       *options: str) -> subprocess.CompletedProcess[str]:
    """build.py in a process of its own, with 2 GB of address space at most (so that reading /dev/zero
    fails fast instead of taking the machine's memory) and a time limit."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--project", str(project), *options, "build",
                           "--out", str(out)], env={**os.environ, **(extra_env or {})}, capture_output=True,
                          text=True, timeout=300, preexec_fn=limit_memory)


def test_a_static_file_linked_to_the_environment_or_a_secret_is_not_published(tmp_path: Path) -> None:
    """templates/static/x -> /proc/self/environ published the build's environment (CI's tokens)."""
    project = minimal_project(tmp_path / "project")
    (tmp_path / "secret.txt").write_text(SECRET)
    (project / "templates" / "static" / "environ.txt").symlink_to("/proc/self/environ")
    (project / "templates" / "static" / "leak.txt").symlink_to(tmp_path / "secret.txt")
    done = build_in_a_process(project, tmp_path / "site", {"CI_DEPLOY_TOKEN": SECRET})
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[:-1] == [
        f"templates/static/{name}:1:1: {LINK}" for name in ("environ.txt", "leak.txt")]
    assert SECRET not in done.stdout + done.stderr
    assert not (tmp_path / "site").exists()


def test_a_source_linked_to_dev_zero_is_refused_at_once(tmp_path: Path) -> None:
    """sources/x -> /dev/zero was read until memory ran out."""
    project = minimal_project(tmp_path / "project")
    (project / "sources" / "article.txt").unlink()
    (project / "sources" / "article.txt").symlink_to("/dev/zero")
    started = time.perf_counter()
    done = build_in_a_process(project, tmp_path / "site")
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[0] == f"sources/article.txt:1:1: {LINK}"
    assert time.perf_counter() - started < 60


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_a_linked_source_never_shows_in_a_quote_hint(
        tmp_path: Path, output_format: str, run_cli: Callable[..., Run]) -> None:
    """A wrong quote's "closest passage" hint printed the text of whatever the source linked to, in the
    public log (--format github)."""
    project = minimal_project(tmp_path / "project")
    article = project / "sources" / "article.txt"
    lines = article.read_text(encoding="utf-8").splitlines()
    outside = tmp_path / "deploy-notes.txt"
    outside.write_text("\n".join([lines[0], f"The deploy key is {SECRET}.", *lines[1:]]) + "\n", encoding="utf-8")
    article.unlink()
    article.symlink_to(outside)
    recommendations = project / "data" / "recommendations.yaml"
    text = recommendations.read_text(encoding="utf-8")
    recommendations.write_text(text.replace('quote: "review\'s proposals"', 'quote: "the deploy key was SECRET"'),
                               encoding="utf-8")
    result = run_cli("--project", str(project), "--format", output_format, "check")
    assert result.code == 1
    assert "sources/article.txt" in result.err and "this is a symbolic link" in result.err
    assert SECRET not in result.out + result.err and "deploy key is" not in result.err


@pytest.mark.parametrize("place", ["data/themes.yaml", "content/about.md", "templates/page.html",
                                   "templates/static/site.css", "schemas/themes.schema.json"])
def test_every_input_linked_out_of_its_folder_is_refused_with_its_place(
        tmp_path: Path, place: str, run_cli: Callable[..., Run]) -> None:
    project = minimal_project(tmp_path / "project")
    (tmp_path / "secret.txt").write_text(f"- id: x\n  title: {SECRET}\n")
    (project / place).parent.mkdir(exist_ok=True)
    (project / place).unlink(missing_ok=True)
    (project / place).symlink_to(tmp_path / "secret.txt")
    result = run_cli("--project", str(project), "build", "--out", str(tmp_path / "site"))
    assert result.code == 1
    assert f"{place}:1:1: {LINK}" in result.err.splitlines()
    assert SECRET not in result.out + result.err
    assert not (tmp_path / "site").exists()


def test_writing_the_schemas_never_writes_through_a_link(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    """schemas/x.schema.json -> ~/.bashrc: `build.py schema` wrote the schema into ~/.bashrc. Each link is
    now named and nothing is written; without them, the schemas are written as files of their own."""
    project = minimal_project(tmp_path / "project")
    (tmp_path / "bashrc").write_text("export PATH\n")
    (project / "schemas").mkdir()
    (project / "schemas" / "themes.schema.json").symlink_to(tmp_path / "bashrc")
    for kind in m.DATA_FILES:  # and at the name each file was once written under first (this process's id)
        (project / "schemas" / f".{kind}.schema.json.part-{os.getpid()}").symlink_to(tmp_path / "bashrc")
    result = run_cli("--project", str(project), "schema")
    assert result.code == 1 and f"schemas/themes.schema.json:1:1: {LINK}" in result.err.splitlines()
    assert (tmp_path / "bashrc").read_text() == "export PATH\n"
    for link in (project / "schemas").iterdir():
        link.unlink()
    assert run_cli("--project", str(project), "schema").code == 0
    written = project / "schemas" / "themes.schema.json"
    assert not written.is_symlink() and '"title"' in written.read_text()
    assert written.stat().st_mode & 0o777 == 0o644
    assert not [p for p in (project / "schemas").iterdir() if p.name.endswith(".part")]  # each renamed into place
    shutil.rmtree(project / "schemas")
    (project / "schemas").symlink_to(tmp_path, target_is_directory=True)
    result = run_cli("--project", str(project), "schema")
    assert result.code == 1 and result.err.startswith("schemas:1:1: schemas/ is a symbolic link;")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bashrc", "project"]


def test_a_linked_input_folder_is_refused(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    project = minimal_project(tmp_path / "project")
    shutil.move(project / "sources", tmp_path / "sources")
    (project / "sources").symlink_to(tmp_path / "sources", target_is_directory=True)
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "sources:1:1: sources/ is a symbolic link; the build reads only what is inside the project:"
        " put the folder itself here")


def test_a_link_inside_its_own_folder_is_refused_too(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    """A thousand links to one large file in a folder had the build read it a thousand times (S4); Git may
    track no link, so none is followed, wherever it leads, and each is named."""
    project = minimal_project(tmp_path / "project")
    (project / "templates" / "static" / "copy.css").symlink_to("site.css")
    (project / "content" / "folder").symlink_to(".", target_is_directory=True)
    result = run_cli("--project", str(project), "build", "--out", str(tmp_path / "site"))
    assert result.code == 1 and result.err.splitlines()[:-1] == [
        f"content/folder:1:1: {LINK}", f"templates/static/copy.css:1:1: {LINK}"]
    assert not (tmp_path / "site").exists()


def test_an_input_over_its_folders_limit_is_refused_with_the_limit(
        tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    project = minimal_project(tmp_path / "project")
    article = project / "sources" / "article.txt"
    article.write_bytes(article.read_bytes() + b"x" * LIMITS["sources"])
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    size = article.stat().st_size
    assert result.err.splitlines()[0] == (
        f'data/sources.yaml:6:12: archived text "sources/article.txt": the file is {size:,} bytes, over the limit'
        f" of {LIMITS['sources']:,} bytes for a file in sources/; split it or remove what is not needed")


def tracked_symlinks(repo: Path) -> list[str]:
    """The paths git tracks as symbolic links (mode 120000) in repo's index."""
    listed = subprocess.run(["git", "ls-files", "-s", "-z"], cwd=repo, capture_output=True, check=True).stdout
    return [entry.split(b"\t", 1)[1].decode() for entry in listed.split(b"\0") if entry.startswith(b"120000 ")]


def test_git_tracks_no_symlink() -> None:
    """A symlink in the repository is refused in CI: the build reads no link out of an input folder,
    but a link elsewhere could still lead a tool astray (see test_the_symlink_check_finds_a_tracked_link)."""
    assert tracked_symlinks(ROOT) == [], "replace these links with the files or folders themselves"


def test_the_symlink_check_finds_a_tracked_link(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "plain.txt").write_text("x")
    (tmp_path / "site").symlink_to("..")
    subprocess.run(["git", "add", "-f", "plain.txt", "site"], cwd=tmp_path, check=True)
    assert tracked_symlinks(tmp_path) == ["site"]


# --- Medium 3: the build cache ------------------------------------------------------------------


class RunsCode:
    """A pickle that, when loaded, makes a folder: the proof that loading ran code."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return os.makedirs, (str(self.marker), 0o777, True)


def commit_a_cache_that_runs_code(project: Path, proof: Path) -> None:
    """What a pull request can add with `git add -f .cache`: pickles and compiled templates that run code,
    behind the right header and checksums (anyone can compute them)."""
    folder = project / ".cache"
    write_cache_file(folder / "state.pickle", code_version(), RunsCode(proof / "state"))
    write_cache_file(folder / "markdown.pickle", code_version(), RunsCode(proof / "markdown"))
    loader = jinja2.FileSystemLoader(str(project.resolve() / "templates"))
    env = jinja2.Environment(loader=loader)
    for jinja_folder in (folder / "jinja", folder / "preview" / "jinja"):
        jinja_folder.mkdir(parents=True, exist_ok=True)
        bytecode = jinja2.FileSystemBytecodeCache(str(jinja_folder))
        for name in loader.list_templates():
            source, filename, _ = loader.get_source(env, name)
            bucket = bytecode.get_bucket(env, name, str(filename), source)
            bucket.code = compile(f"__import__('os').makedirs({str(proof / 'jinja')!r}, exist_ok=True)",
                                  str(filename), "exec")
            bytecode.set_bucket(bucket)


def test_a_committed_cache_is_never_loaded(tmp_path: Path, project: Path, run_cli: Callable[..., Run]) -> None:
    proof = tmp_path / "ran"
    commit_a_cache_that_runs_code(project, proof)
    result = run_cli("--project", str(project), "build", "--out", str(tmp_path / "site"))
    assert not proof.exists(), f"the build ran the code of {sorted(p.name for p in proof.iterdir())}"
    assert result.code == 0, result.err
    assert run_cli("--project", str(project), "check").code == 0
    assert not proof.exists(), f"check ran the code of {sorted(p.name for p in proof.iterdir())}"
    preview = Preview(project, project / ".preview")
    preview.rebuild()
    wait_for_the_preview(preview)
    assert not proof.exists(), f"the preview ran the code of {sorted(p.name for p in proof.iterdir())}"
    assert preview.problems == []


def test_the_cache_lives_outside_the_work_tree_for_its_owner_only(
        tmp_path: Path, project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert run_cli("--project", str(project), "build", "--out", str(tmp_path / "site")).code == 0
    assert not (project / ".cache").exists()
    folder = cache_folder(project)
    assert folder.parent == tmp_path / "xdg" / "sitegen"
    assert (folder / "state.pickle").is_file()
    assert [oct(path.stat().st_mode & 0o777) for path in (folder.parent, folder)] == ["0o700", "0o700"]
    assert cache_folder(project / "." / "content" / "..") == folder, "keyed by the project's real path"
    monkeypatch.setenv("XDG_CACHE_HOME", str(project / ".cache"))
    with pytest.raises(BuildFailed) as inside:
        cache_folder(project)
    assert "would be inside the project" in inside.value.problems[0].message


def test_check_compiles_templates_outside_the_project_or_in_memory(
        tmp_path: Path, project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    """check keeps compiled templates in the build cache, and never where a pull request could put some."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert run_cli("--project", str(project), "check").code == 0
    assert list((cache_folder(project) / f"jinja-{code_version()}").glob("*.cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(project / ".cache"))
    result = run_cli("--project", str(project), "check")
    assert result.code == 0, result.err
    assert not (project / ".cache").exists()


PAYLOADS = ("cycler.__init__.__globals__.os.system('touch {canary}')",
            "lipsum.__globals__['os'].system('touch {canary}')",
            "url.__func__.__globals__['os'].system('touch {canary}')",
            "''.__class__.__mro__[1].__subclasses__()",
            "('touch {canary}'|attr('__class__'))",
            "(views.site.items.glossary.values()|first).parse_file('{canary}')",
            "(views.site.items.glossary.values()|first)|attr('parse_' ~ 'raw')('x', allow_pickle=True)")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_template_cannot_reach_python(tmp_path: Path, project: Path, run_cli: Callable[..., Run],
                                        payload: str) -> None:
    """A template is input a stranger's pull request can change: it renders in Jinja's sandbox, so an
    expression that reaches for Python's internals is a located error, and runs nothing."""
    canary = tmp_path / "ran"
    base = project / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace(
        "<body>", "<body>{{ " + payload.format(canary=canary) + " }}", 1), encoding="utf-8")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert re.match(r"templates/base\.html:\d+:1: template error while rendering .*unsafe", result.err), result.err
    assert not canary.exists()


def test_compiled_templates_are_kept_per_version_of_the_code(
        tmp_path: Path, project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    """Another version's compiled templates (which might not check what the sandbox checks) are never
    loaded: each version of the code keeps its own folder. Another's is removed once unused for a day
    (a build still running that version may be reading it)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    cache = cache_folder(project)
    older, recent = cache / "jinja-0123456789abcdef", cache / "jinja-fedcba9876543210"
    for folder in (older, recent):
        folder.mkdir(parents=True)
        (folder / "planted.cache").write_bytes(b"compiled elsewhere")
    os.utime(older, (time.time() - 2 * 86_400,) * 2)
    assert run_cli("--project", str(project), "check").code == 0
    assert sorted(path.name for path in cache.glob("jinja*")) == sorted([f"jinja-{code_version()}", recent.name])


def test_a_committed_pagefind_config_is_never_read(tmp_path: Path, project: Path, run_cli: Callable[..., Run],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind reads pagefind.yml from the folder it runs in, and would write its log wherever that file
    says (an editor's ~/.bashrc, say): it runs in the build's scratch folder, never in the project."""
    victim = tmp_path / "editors-file"
    victim.write_text("precious\n", encoding="utf-8")
    (project / "pagefind.yml").write_text(f"logfile: {victim}\nverbose: true\n", encoding="utf-8")
    monkeypatch.chdir(project)  # where an editor runs the build from
    result = run_cli("--project", ".", "build", "--out", str(tmp_path / "site"))
    assert result.code == 0, result.err
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert (tmp_path / "site" / "pagefind" / "pagefind-entry.json").is_file()


# --- Low 6 and 7: a full disk, CRLF line ends ---------------------------------------------------


def test_a_full_disk_gives_a_plain_message_and_keeps_the_last_site(
        tmp_path: Path, project: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    assert run_cli("--project", str(project), "build", "--out", str(out)).code == 0
    last = snapshot(out)
    about = project / "content" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")

    def disk_full(self: SiteWriter, rel: str, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.tmp / rel))

    monkeypatch.setattr(SiteWriter, "add", disk_full)
    result = run_cli("--project", str(project), "build", "--out", str(out))
    assert result.code == 1
    assert result.err.startswith("build.py: the disk is full (")
    assert "free some space and build again" in result.err and "Traceback" not in result.err
    assert snapshot(out) == last
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project", "site"]


def test_crlf_pages_and_data_build_as_lf_ones(tmp_path: Path, project: Path, run_cli: Callable[..., Run]) -> None:
    """Git for Windows checks files out with CRLF line ends by default; a page used to be refused."""
    assert run_cli("--project", str(project), "build", "--out", str(tmp_path / "lf")).code == 0
    for path in [*(project / "content").glob("*.md"), *(project / "data").glob("*.yaml")]:
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    result = run_cli("--project", str(project), "build", "--out", str(tmp_path / "crlf"))
    assert result.code == 0, result.err
    assert snapshot(tmp_path / "crlf") == snapshot(tmp_path / "lf")


def test_git_checks_text_out_with_lf_and_leaves_images_alone() -> None:
    done = subprocess.run(["git", "check-attr", "text", "eol", "--", "content/about.md", "x.png"], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["content/about.md: text: auto", "content/about.md: eol: lf",
                                        "x.png: text: unset", "x.png: eol: lf"]


# --- The fuzz: generated symlinks ---------------------------------------------------------------

LINK_PLACES = ["site", "data", "sources", "templates/static", "data/themes.yaml", "data/sources.yaml",
               "content/about.md", "content/new.md", "sources/article.txt", "templates/page.html",
               "templates/static/site.css", "templates/static/new.txt", "schemas/themes.schema.json"]
LINK_TARGETS = ["/dev/zero", "/proc/self/environ", "/etc/passwd", "/", "secret.txt", "secrets", "..", ".",
                "../..", "missing", "loop", "own folder's file", "a folder", "a pipe"]


OUTPUTS = ("project/site/", "project/.site.spare")
"""The output and the site it replaced, which the build keeps beside it as its spare."""


@st.composite
def symlinks(draw: st.DrawFn) -> list[tuple[str, str]]:
    """One to three places in the project, each replaced by a link (or a folder, or a named pipe)."""
    return draw(st.lists(st.tuples(st.sampled_from(LINK_PLACES), st.sampled_from(LINK_TARGETS)),
                         min_size=1, max_size=3, unique_by=lambda pair: pair[0]))


@pytest.fixture(scope="module")
def built_minimal(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path_factory.mktemp("links") / "site"
    assert main(["--project", str(MINIMAL), "build", "--out", str(out)]) == 0
    return out, snapshot(out)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # the built site's repr
@settings(max_examples=max(10, int(os.environ.get("FUZZ_EXAMPLES", "300")) // 30), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(links=symlinks())
def test_symlinked_inputs_and_outputs_never_crash_leak_or_delete(
        built_minimal: tuple[Path, dict[str, bytes]], links: list[tuple[str, str]]) -> None:
    """Exit 0, or exit 1 with located problems and the last site unchanged; never a traceback, never
    the secret in any output, never a file lost beside or inside the project."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        project = work / "project"
        shutil.copytree(MINIMAL, project)
        (project / "schemas").mkdir()
        shutil.copy(ROOT / "schemas" / "themes.schema.json", project / "schemas")
        shutil.copytree(built_minimal[0], project / "site")
        (work / "secret.txt").write_text(SECRET)
        (work / "secrets").mkdir()
        (work / "secrets" / "token.txt").write_text(SECRET)
        for place, target in sorted(links, key=lambda link: -link[0].count("/")):  # a folder after its files
            make_link(project, place, target)
        site = project / "site"
        last_site = snapshot(site) if site.is_dir() and not site.is_symlink() else None
        before = {rel: seen for rel, seen in tree(work).items() if not rel.startswith(OUTPUTS)}
        out, err = io.StringIO(), io.StringIO()
        with redirect_stderr(err), redirect_stdout(out):
            code = main(["--project", str(project), "--format", "github", "build"])
        assert code in (0, 1), err.getvalue()
        assert "Traceback" not in err.getvalue()
        assert SECRET not in out.getvalue() + err.getvalue()
        after = tree(work)
        assert {rel: seen for rel, seen in after.items() if not rel.startswith(OUTPUTS)} == before
        if code == 1:
            lines = err.getvalue().splitlines()
            assert lines and all(line.startswith("::error file=") for line in lines[:-1]), err.getvalue()
            if last_site is not None:
                assert snapshot(site) == last_site, "a failed build changed the site"
        else:
            assert all(SECRET.encode() not in data for data in snapshot(site).values())


def make_link(project: Path, place: str, target: str) -> None:
    """Replace the file or folder at place with a link to target (or with a folder or a named pipe)."""
    path = project / place
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    if target == "a folder":
        path.mkdir()
    elif target == "a pipe":
        os.mkfifo(path)
    elif target == "own folder's file":
        siblings = sorted(p.name for p in path.parent.iterdir() if p.is_file() and not p.is_symlink())
        path.symlink_to(siblings[0] if siblings else "missing")
    elif target == "loop":
        path.symlink_to(path.name)
    elif target in ("secret.txt", "secrets"):
        path.symlink_to(project.parent / target)
    else:
        path.symlink_to(target)


def test_a_large_file_in_templates_is_hashed_without_being_held(tmp_path: Path) -> None:
    """Each build hashes templates/ and schemas/ whole: 950 MB of files there took 2 GB of memory. A
    2.5 GB file (sparse: no disk) now builds within build_in_a_process's 2 GB of address space."""
    project = minimal_project(tmp_path / "project")
    with open(project / "templates" / "blob.bin", "wb") as blob:
        blob.truncate(5 << 29)
    done = build_in_a_process(project, tmp_path / "site")
    assert done.returncode == 0, done.stderr


def test_folders_too_deep_or_too_full_for_the_preview_get_a_located_error(
        tmp_path: Path, run_cli: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview looks at every file of the input folders on each request: 200,000 empty files in
    sources/junk/ made each take 4 s, and a folder 1,100 deep stopped it with a RecursionError."""
    from sitegen import cache

    project = minimal_project(tmp_path / "project")
    deep = project / "sources" / "deep"
    os.makedirs(deep / "/".join(["a"] * 200))
    result = run_cli("--project", str(project), "check")
    assert result.code == 1 and "Traceback" not in result.err
    assert result.err.startswith("sources/deep:1:1: folders nest more than 32 deep here; the build reads nothing")
    preview = Preview(project, project / ".preview")
    assert preview.refresh() and [str(p) for p in preview.problems] == [result.err.splitlines()[0]]
    shutil.rmtree(deep)
    limit = sum(1 for _ in (project / "templates").rglob("*"))  # the fullest folder, within it
    monkeypatch.setattr(cache, "FOLDER_FILES", limit)
    for number in range(limit + 1):
        (project / "data" / f"junk-{number}.txt").write_text("")
    result = run_cli("--project", str(project), "check")
    assert result.code == 1
    assert (f"data/:1:1: the folder holds more than {limit} files, folders and links; the build reads only the"
            " few each page needs: remove the others") in result.err.splitlines()  # (after what the preview printed)
    assert preview.refresh() and len(preview.problems) == 1 and str(preview.problems[0]).startswith("data/:1:1:")


def test_chains_of_links_are_named_without_being_followed(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    """Python's realpath follows a chain of links one at a time, a level of recursion each: ten chains of
    900 links in sources/ made a check take 47 s and each preview request over a minute, and one of
    3,000 stopped both with a RecursionError. No link is followed now, in the build or the preview."""
    project = minimal_project(tmp_path / "project")
    junk = project / "sources" / "junk"
    junk.mkdir()
    for chain, length in [*((c, 900) for c in range(10)), (10, 3_000)]:
        for n in range(length):
            os.symlink(f"c{chain}-{n + 1}", junk / f"c{chain}-{n}")
        os.symlink("/etc/passwd", junk / f"c{chain}-{length}")
    themes = project / "data" / "themes.yaml"
    os.replace(themes, project / "data" / "real-themes")
    for n in range(50):
        os.symlink(f"themes-{n + 1}", project / "data" / ("themes.yaml" if n == 0 else f"themes-{n}"))
    os.symlink("real-themes", project / "data" / "themes-50")
    started = time.perf_counter()
    result = run_cli("--project", str(project), "check")
    assert time.perf_counter() - started < 10
    assert result.code == 1 and "Traceback" not in result.err and "RecursionError" not in result.err
    assert f"data/themes.yaml:1:1: {LINK}" in result.err.splitlines() and "root:" not in result.err
    preview = Preview(project, project / ".preview")
    started = time.perf_counter()
    assert preview.refresh() and f"data/themes.yaml:1:1: {LINK}" in map(str, preview.problems)
    assert time.perf_counter() - started < 10


def check_peak_kb(project: Path) -> int:
    """The most memory a `check` of project took, in KB, measured from a process of its own."""
    measure = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True);"
               " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    found = subprocess.run([sys.executable, "-c", measure, sys.executable, str(ROOT / "build.py"), "--project",
                            str(project), "check"], capture_output=True, text=True, check=True)
    return int(found.stdout)


def test_check_lets_each_page_go_once_rendered(tmp_path: Path) -> None:
    """`check` renders every page, as a build does, but needs only the problems: it kept them all, so a
    pull request's pages of glossary definitions took as much memory as they hold. Two projects alike
    but for the length of their definitions differ by megabytes of pages, and their checks by far less."""
    from sitegen.build import render
    from sitegen.render import Settings

    def with_pages(folder: Path, definition: str) -> Path:
        project = minimal_project(folder)
        glossary = project / "data" / "glossary.yaml"
        glossary.write_text(glossary.read_text(encoding="utf-8") + "".join(
            f"- id: kind-{n}\n  term: kind {n}\n  definition: {definition}\n  citations:\n"
            "    - source: test-article\n      quote: children's social care\n" for n in range(20)), encoding="utf-8")
        for page in range(300):
            (project / "content" / f"page-{page}.md").write_text(
                f"---\ntitle: Page {page}\ndescription: A page.\n---\n\n"
                + "".join(f"We talk about kind {n}. " for n in range(20)) + "\n", encoding="utf-8")
        return project

    large = with_pages(tmp_path / "large", "A plain word. " * 350)
    small = with_pages(tmp_path / "small", "A plain word. " * 3)
    held = [sum(len(data) for data in render(project, Settings())[1].values()) for project in (large, small)]
    assert held[0] - held[1] > 8_000_000
    grown = check_peak_kb(large) - check_peak_kb(small)
    assert grown * 1024 < (held[0] - held[1]) / 4, f"check grew by {grown:,} KB for {held[0] - held[1]:,} more bytes"


def test_static_files_are_held_to_a_total(tmp_path: Path, run_cli: Callable[..., Run],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """templates/static/ is held in memory until it is written: twenty files of 7.9 MB took a build to
    203 MB. Past STATIC_BYTES (lowered here), the file that passes it is named, and no more are read."""
    from sitegen import inputs

    project = minimal_project(tmp_path / "project")
    monkeypatch.setattr(inputs, "STATIC_BYTES", 250_000)
    for n in range(5):
        (project / "templates" / "static" / f"big-{n}.bin").write_bytes(b"x" * 100_000)
    out = project / "site"
    result = run_cli("--project", str(project), "build", "--out", str(out))
    assert result.code == 1 and not out.exists()
    assert [line for line in result.err.splitlines() if "templates/static/" in line] == [
        "templates/static/big-2.bin:1:1: templates/static/ holds more than 250,000 bytes by this file; the site needs"
        " far less: remove what it does not use"]


def test_links_with_long_targets_are_named_without_being_followed(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    """Python's realpath takes a system call for each part of a link's target: 19,900 links to
    d/../d/../… (4,053 bytes each) in sources/ made a check take 114 s. No link is followed now: each is
    named (the first hundred of them) when the folder is listed."""
    project = minimal_project(tmp_path / "project")
    many = project / "sources" / "many"
    (many / "d").mkdir(parents=True)
    (many / "x.txt").write_text("a file the links lead to")
    target = "d/../" * 800 + "x.txt"  # 4,005 bytes, about as long as a link may be
    for n in range(3_000):
        os.symlink(target, many / f"link-{n}")
    started = time.perf_counter()
    result = run_cli("--project", str(project), "check")
    assert time.perf_counter() - started < 10
    lines = result.err.splitlines()
    assert result.code == 1 and len(lines) == 102
    assert lines[0] == "sources/:1:1: the folder holds more than 100 symbolic links; remove them all"
    assert all(re.fullmatch(rf"sources/many/link-\d+:1:1: {LINK}", line) for line in lines[1:101])


def test_a_template_that_asks_for_gigabytes_is_stopped_at_its_line(tmp_path: Path) -> None:
    """("x" * 3000000000) in a pull request's template took a check to 3 GB, and ten times that would take
    the machine's memory: build.py limits its address space (cli.MEMORY_LIMIT), so the MemoryError is a
    template error at its line. Run as a program, as CI runs it: the tests' own process has no limit."""
    project = minimal_project(tmp_path / "project")
    page = project / "templates" / "page.html"
    lines = page.read_text(encoding="utf-8").splitlines()
    page.write_text("\n".join([lines[0], '{% set _big = ("x" * 30000000000)|length %}', *lines[1:]]) + "\n",
                    encoding="utf-8")
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "--project", str(project), "check"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stderr.splitlines()[0] == (
        "templates/page.html:2:1: template error while rendering about/index.html (later pages that stop here are"
        " not listed): it asked for more memory than a build may take; check the names used on this line")


def test_a_large_yaml_or_json_file_besides_the_data_files_is_refused_unread(
        tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    """The schema-line check read every YAML or JSON file in data/, content/ and sources/ whole: a hundred
    copies of one of 60 MB (Git keeps one) took it 55 s (S5). Past OTHER_FILE_BYTES, one is named unread."""
    from sitegen.build import OTHER_FILE_BYTES

    project = minimal_project(tmp_path / "project")
    (project / "data" / "notes.json").write_bytes(b'{"$schema": "x"' + b" " * OTHER_FILE_BYTES + b"}")
    (project / "data" / "small.json").write_text('{"a": 1}')
    result = run_cli("--project", str(project), "check")
    assert result.code == 1 and result.err.splitlines()[:-1] == [
        f"data/notes.json:1:1: the file is {OTHER_FILE_BYTES + 16:,} bytes; a YAML or JSON file here other than the"
        f" data files may be {OTHER_FILE_BYTES:,} at most (the build reads none)"]
