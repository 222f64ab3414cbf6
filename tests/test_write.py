"""Writing is atomic: a failed build leaves the old site; leftovers of a killed build are cleaned up."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sitegen import write
from sitegen.errors import BuildFailed


def file_hash(data: bytes) -> str:
    """The hash SiteWriter.add gives a file's bytes."""
    return hashlib.sha256(data).hexdigest()[:32]


def write_site(files: dict[str, bytes], out: Path, finish: Callable[[Path], None] | None = None) -> None:
    """Write files through a SiteWriter as a build does: into a folder beside out (the spare site, or a
    fresh one), then swapped into out's place; finish runs on the complete folder before the swap (as
    the search index does)."""
    writer = write.SiteWriter(out)
    try:
        for rel in sorted(files):
            writer.add(rel, [files[rel]])
        writer.commit(files, finish)
    finally:
        writer.discard()


def test_swap_replaces_whole_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site({"a.html": b"old", "old-only.html": b"x"}, out)
    write_site({"a.html": b"new", "dir/b.html": b"b"}, out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        write.MARKER, "a.html", "dir/b.html"]
    assert (out / "a.html").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.spare", "site"]
    assert (tmp_path / ".site.spare" / "old-only.html").read_bytes() == b"x"  # the replaced site, kept


def test_failure_while_writing_keeps_old_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    write_site({"a.html": b"old"}, out)

    def explode(_folder: Path) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_site({"a.html": b"new"}, out, finish=explode)
    assert (out / "a.html").read_bytes() == b"old"
    write_site({"a.html": b"old"}, out)  # the first site is now the spare, and the next build takes it
    with pytest.raises(RuntimeError):
        write_site({"a.html": b"new", "big.html": b"what filled the disk"}, out, finish=explode)
    assert (out / "a.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"], "a failed build leaves no folder behind"


def test_leftovers_are_removed_and_an_interrupted_swap_is_restored(tmp_path: Path) -> None:
    out = tmp_path / "site"
    (tmp_path / ".site.tmp-123").mkdir()
    (tmp_path / ".site.tmp-123" / write.MARKER).write_bytes(write.MARKER_TEXT)
    old = tmp_path / ".site.tmp-456-old"
    old.mkdir()
    (old / write.MARKER).write_bytes(write.MARKER_TEXT)
    (old / "a.html").write_bytes(b"old")  # the swap was cut between its two renames: site/ is missing
    write.clean_leftovers(out)
    assert (out / "a.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two renames"])
def test_an_empty_folder_is_replaced_and_nothing_is_left_beside_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool) -> None:
    """An empty folder has no MARKER but may be replaced; the swap must not leave it behind as a leftover."""
    if not exchange:
        monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    out = tmp_path / "site"
    out.mkdir()
    write_site({"a.html": b"new"}, out)
    assert (out / "a.html").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_two_rename_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    out = tmp_path / "site"
    write_site({"a.html": b"old"}, out)
    write_site({"a.html": b"new"}, out)
    assert (out / "a.html").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.spare", "site"]


def test_the_replaced_site_is_made_into_the_next_one_without_writing_through_the_output(tmp_path: Path) -> None:
    """The third build fills the first one's folder: a changed file is a new file even where the
    spare's is the output's very file, an unchanged one stays that file, and what the new site
    lacks goes."""
    out = tmp_path / "site"
    write_site({"a.html": b"1", "dir/x.html": b"x", "same.html": b"s"}, out)
    inode = (out / "same.html").stat().st_ino
    second = write.SiteWriter(out)
    try:
        assert not second.reused
        assert second.link("a.html", out / "a.html") and second.link("same.html", out / "same.html")
        second.add("dir/x.html", [b"x2"])
        second.commit(["a.html", "same.html", "dir/x.html"])
    finally:
        second.discard()
    seen: dict[str, bytes] = {}
    third = write.SiteWriter(out)
    try:
        assert third.reused and not (tmp_path / ".site.spare").exists()
        third.add("a.html", [b"2"])
        assert third.link("same.html", out / "same.html")
        third.add("new/b.html", [b"b"])
        third.commit(["a.html", "same.html", "new/b.html"],
                     lambda _folder: seen.update({rel: (out / rel).read_bytes() for rel in ("a.html", "same.html")}))
    finally:
        third.discard()
    assert seen == {"a.html": b"1", "same.html": b"s"}, "the output changed before the swap"
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == {
        write.MARKER: write.MARKER_TEXT, "a.html": b"2", "same.html": b"s", "new/b.html": b"b"}
    assert sorted(p.name for p in out.iterdir()) == [write.MARKER, "a.html", "new", "same.html"]
    assert (out / "same.html").stat().st_ino == inode
    spare = tmp_path / ".site.spare"
    assert {p.relative_to(spare).as_posix(): p.read_bytes() for p in spare.rglob("*") if p.is_file()} == {
        write.MARKER: write.MARKER_TEXT, "a.html": b"1", "same.html": b"s", "dir/x.html": b"x2"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.spare", "site"]


def test_links_files_and_pipes_in_the_spare_are_replaced_never_followed(tmp_path: Path) -> None:
    """The spare is output, but nothing in it is trusted: a build neither writes through a link in it
    nor fails on a folder or a pipe where a file should be."""
    out, outside = tmp_path / "site", tmp_path / "outside"
    outside.mkdir()
    (outside / "x.html").write_bytes(b"keep me")
    (outside / "a.html").write_bytes(b"keep me too")
    write_site({"a.html": b"1"}, out)
    spare = tmp_path / ".site.spare"
    spare.mkdir()
    (spare / write.MARKER).write_bytes(write.MARKER_TEXT)
    (spare / "dir").symlink_to(outside, target_is_directory=True)
    (spare / "a.html").symlink_to(outside / "a.html")
    (spare / "page.html").mkdir()
    (spare / "page.html" / "inner.html").write_bytes(b"inner")
    os.mkfifo(spare / "pipe.html")
    (spare / "gone").symlink_to(outside, target_is_directory=True)
    (spare / write.MARKER).write_bytes(b"planted, and deployed if kept")
    write_site({"a.html": b"2", "dir/x.html": b"x", "page.html": b"p", "pipe.html": b"q"}, out)
    assert sorted(p.name for p in outside.iterdir()) == ["a.html", "x.html"]
    assert (outside / "x.html").read_bytes() == b"keep me" and (outside / "a.html").read_bytes() == b"keep me too"
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == {
        write.MARKER: write.MARKER_TEXT, "a.html": b"2", "dir/x.html": b"x", "page.html": b"p", "pipe.html": b"q"}
    assert not any(p.is_symlink() for p in out.rglob("*"))


def test_a_folder_another_rendering_process_just_made_is_never_removed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes may find a file of the spare where both need a folder: the one that comes second
    must not remove the folder, and the page, the first has made in its place."""
    path = tmp_path / "d"
    path.write_bytes(b"a file in the spare")
    unlink = os.unlink

    def the_other_process_first(target: object) -> None:
        unlink(path)
        path.mkdir()
        (path / "page.html").write_bytes(b"its page")
        monkeypatch.setattr(os, "unlink", unlink)
        unlink(target)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "unlink", the_other_process_first)
    assert write.folder_there(path)
    assert (path / "page.html").read_bytes() == b"its page"
    (tmp_path / "f").write_bytes(b"x")
    assert not write.folder_there(tmp_path / "f") and not (tmp_path / "f").exists()
    assert not write.folder_there(tmp_path / "missing")


def test_a_symlinked_output_folder_is_refused(tmp_path: Path) -> None:
    """Even one that leads to an earlier build's output: replacing a folder through a link is never done."""
    real = tmp_path / "real"
    write_site({"a.html": b"old"}, real)
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    with pytest.raises(BuildFailed) as refused:
        write_site({"a.html": b"new"}, tmp_path / "link")
    assert "is a symbolic link" in refused.value.problems[0].message
    assert (real / "a.html").read_bytes() == b"old"


def test_leftovers_without_the_marker_or_behind_a_link_are_left_alone(tmp_path: Path) -> None:
    """A folder or link named like a killed build's leftover, but not made by a build, is not touched:
    `.site.tmp-1-old -> ..` would otherwise be moved into site/'s place."""
    work = tmp_path / "work"
    (work / "project" / "data").mkdir(parents=True)
    (work / "project" / "data" / "keep.yaml").write_text("- id: a\n")
    (work / "project" / ".site.tmp-1-old").symlink_to(work, target_is_directory=True)
    (work / "project" / ".site.tmp-2").mkdir()
    (work / "project" / ".site.tmp-2" / "keep.txt").write_text("not a build's")
    write_site({"a.html": b"new"}, work / "project" / "site")
    assert (work / "project" / "data" / "keep.yaml").read_text() == "- id: a\n"
    assert (work / "project" / ".site.tmp-1-old").is_symlink()
    assert (work / "project" / ".site.tmp-2" / "keep.txt").read_text() == "not a build's"
    assert (work / "project" / "site" / "a.html").read_bytes() == b"new"


def test_a_folder_without_the_marker_is_neither_replaced_nor_cleaned(tmp_path: Path) -> None:
    """--out pointed at a folder of someone's files, by mistake: refused, nothing deleted; an empty or
    absent folder is fine, and one an earlier build made (with the marker) is replaced."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    with pytest.raises(BuildFailed) as refused:
        write.SiteWriter(mine)
    assert f"not the {write.MARKER} file" in refused.value.problems[0].message
    assert sorted(p.name for p in mine.iterdir()) == ["thesis.tex"]
    (tmp_path / "empty").mkdir()
    write_site({"a.html": b"a"}, tmp_path / "empty")
    write_site({"a.html": b"a"}, tmp_path / "absent")
    write_site({"b.html": b"b"}, tmp_path / "absent")
    assert sorted(p.name for p in (tmp_path / "absent").iterdir()) == [write.MARKER, "b.html"]
    assert (tmp_path / "empty" / write.MARKER).read_bytes() == write.MARKER_TEXT


def test_a_second_build_waits_instead_of_deleting_the_first_ones_work(tmp_path: Path) -> None:
    """While one build holds its writer open, another into the same place waits for it to finish."""
    import threading

    out = tmp_path / "site"
    first = write.SiteWriter(out)
    first.add("a.html", [b"first"])
    finished: list[str] = []
    second = threading.Thread(target=lambda: (write_site({"a.html": b"second"}, out), finished.append("2")))
    second.start()
    second.join(timeout=0.5)
    assert finished == [] and first.tmp.is_dir(), "the second build must wait, leaving the first's folder alone"
    first.commit(["a.html"])
    first.discard()
    second.join(timeout=10)
    assert finished == ["2"] and (out / "a.html").read_bytes() == b"second"


def test_a_file_is_written_as_its_bytes_come_and_linked_when_they_are_the_same(tmp_path: Path) -> None:
    """Pages are written chunk by chunk; a page that fails half way leaves no part of itself in the new
    site, and a page whose bytes did not change is the last build's very file, hard-linked."""
    out = tmp_path / "site"
    write_site({"a.html": b"old a", "b.html": b"old b"}, out)
    inode = (out / "b.html").stat().st_ino

    def failing() -> Iterator[bytes]:
        yield b"half of a"
        raise RuntimeError("the template failed")

    writer = write.SiteWriter(out)
    try:
        with pytest.raises(RuntimeError):
            writer.add("a.html", failing())
        assert not (writer.tmp / "a.html").exists()
        hashed = file_hash(b"old b")
        assert writer.add("b.html", [b"old ", b"b"], old_hash=hashed) == (hashed, True)
        assert writer.add("c.html", [b"new ", b"c"], old_hash=hashed) == (file_hash(b"new c"), False)
        writer.commit(["b.html", "c.html"])
    finally:
        writer.discard()
    assert sorted(p.name for p in out.iterdir()) == [write.MARKER, "b.html", "c.html"]
    assert (out / "b.html").stat().st_ino == inode
    assert (out / "c.html").read_bytes() == b"new c"


def nest(folder: Path, depth: int) -> None:
    """A chain of folders depth deep under folder, a file at the bottom: deeper than Python's recursion
    limit allows shutil.rmtree to go, as a pull request can commit it."""
    folder.mkdir(exist_ok=True)
    for _ in range(depth):  # os.makedirs would itself call itself once a level
        folder /= "d"
        folder.mkdir()
    (folder / "bottom.html").write_bytes(b"deep")


def test_a_folder_nested_deeper_than_pythons_recursion_limit_is_removed(tmp_path: Path) -> None:
    """A leftover, a spare and the folder a failed build leaves can each hold a folder nested 1,200 deep
    (a pull request can commit one under their names); each is removed like any other."""
    try:
        out = tmp_path / "site"
        write_site({"a.html": b"1"}, out)
        leftover = tmp_path / ".site.tmp-0123456789abcdef"
        nest(leftover, 1200)
        (leftover / write.MARKER).write_bytes(write.MARKER_TEXT)
        spare = tmp_path / ".site.spare"
        spare.mkdir()
        (spare / write.MARKER).write_bytes(write.MARKER_TEXT)
        nest(spare / "a.html", 1200)  # where the next site has a file
        nest(spare / "gone", 1200)  # where it has nothing
        write_site({"a.html": b"2"}, out)
        assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == {
            write.MARKER: write.MARKER_TEXT, "a.html": b"2"}
        assert not leftover.exists()
        spare = tmp_path / ".site.spare"
        nest(spare / "b.html", 1200)

        def fail(folder: Path) -> None:
            raise BuildFailed([])

        with pytest.raises(BuildFailed):
            write_site({"a.html": b"3", "b.html": b"b"}, out, fail)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # the failed build took the spare; all gone
        assert (out / "a.html").read_bytes() == b"2"
    finally:  # pytest removes old temporary folders with shutil.rmtree, which stops at such depth
        for entry in tmp_path.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                write.remove_tree(entry)


def test_removing_a_tree_never_follows_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.html").write_bytes(b"keep")
    tree = tmp_path / "tree"
    nest(tree, 3)
    (tree / "d" / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(NotADirectoryError):
        write.remove_tree(tree / "d" / "link")
    write.remove_tree(tree)
    assert not tree.exists() and (outside / "keep.html").read_bytes() == b"keep"


def test_a_tree_whose_paths_outgrow_the_systems_limit_is_removed(tmp_path: Path) -> None:
    """Git checks out paths relative to the repository: one under the limit there can be over it once
    the clone's own path is put in front."""
    top = tmp_path / "leftover"
    top.mkdir()
    folder = os.open(top, os.O_RDONLY)
    try:
        for _ in range(25):  # 25 names of 200 letters: over 5,000 bytes of path, made one folder at a time
            os.mkdir("d" * 200, dir_fd=folder)
            inner = os.open("d" * 200, os.O_RDONLY, dir_fd=folder)
            os.close(folder)
            folder = inner
        os.close(os.open("bottom.html", os.O_CREAT | os.O_WRONLY, dir_fd=folder))
    finally:
        os.close(folder)
    write.remove_tree(top)
    assert not top.exists()
