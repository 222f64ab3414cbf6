"""Writing is atomic: a failed build leaves the old site; leftovers of a killed build are cleaned up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen import write


def test_swap_replaces_whole_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write.write_site({"a.html": b"old", "old-only.html": b"x"}, out)
    write.write_site({"a.html": b"new", "dir/b.html": b"b"}, out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == ["a.html", "dir/b.html"]
    assert (out / "a.html").read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_failure_while_writing_keeps_old_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    write.write_site({"a.html": b"old"}, out)

    def explode(_folder: Path) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write.write_site({"a.html": b"new"}, out, finish=explode)
    assert (out / "a.html").read_bytes() == b"old"


def test_leftovers_are_removed_and_an_interrupted_swap_is_restored(tmp_path: Path) -> None:
    out = tmp_path / "site"
    (tmp_path / ".site.tmp-123").mkdir()
    old = tmp_path / ".site.tmp-456-old"
    old.mkdir()
    (old / "a.html").write_bytes(b"old")  # the swap was cut between its two renames: site/ is missing
    write.clean_leftovers(out)
    assert (out / "a.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_two_rename_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    out = tmp_path / "site"
    write.write_site({"a.html": b"old"}, out)
    write.write_site({"a.html": b"new"}, out)
    assert (out / "a.html").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_symlinked_output_folder_is_updated_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    write.write_site({"a.html": b"old"}, real)
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    write.write_site({"a.html": b"new"}, tmp_path / "link")
    assert (tmp_path / "link").is_symlink()
    assert (real / "a.html").read_bytes() == b"new"


def test_a_second_build_waits_instead_of_deleting_the_first_ones_work(tmp_path: Path) -> None:
    """While one build holds its writer open, another into the same place waits for it to finish."""
    import threading

    out = tmp_path / "site"
    first = write.SiteWriter(out)
    first.add("a.html", [b"first"])
    finished: list[str] = []
    second = threading.Thread(target=lambda: (write.write_site({"a.html": b"second"}, out), finished.append("2")))
    second.start()
    second.join(timeout=0.5)
    assert finished == [] and first.tmp.is_dir(), "the second build must wait, leaving the first's folder alone"
    first.commit()
    first.discard()
    second.join(timeout=10)
    assert finished == ["2"] and (out / "a.html").read_bytes() == b"second"


def test_in_place_writing_for_the_preview_replaces_only_what_changed(tmp_path: Path) -> None:
    out = tmp_path / ".preview"
    write.write_site({"a.html": b"a", "b/index.html": b"b", "gone/index.html": b"g"}, out)
    untouched = (out / "b" / "index.html").stat().st_ino
    writer = write.SiteWriter(out, in_place=True)
    try:
        writer.add("a.html", [b"a2"])
        writer.link("b/index.html", out / "b" / "index.html")
        writer.add("new/index.html", [b"n"])
        writer.commit()
    finally:
        writer.discard()
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == ["a.html", "b/index.html", "new/index.html"]  # "gone" and its folder removed
    assert (out / "a.html").read_bytes() == b"a2"
    assert (out / "b" / "index.html").stat().st_ino == untouched  # not rewritten
    assert [p.name for p in tmp_path.iterdir()] == [".preview"]  # no temporary folder beside it


def test_a_file_is_written_as_its_bytes_come_and_kept_when_they_are_the_same(tmp_path: Path) -> None:
    """Pages are written chunk by chunk; a page that fails half way leaves the old file, and no part
    of the new one, and a page whose bytes did not change keeps the old file itself."""
    out = tmp_path / ".preview"
    write.write_site({"a.html": b"old a"}, out)

    def failing() -> Iterator[bytes]:
        yield b"half of a"
        raise RuntimeError("the template failed")

    writer = write.SiteWriter(out, in_place=True)
    try:
        with pytest.raises(RuntimeError):
            writer.add("a.html", failing())
        hashed, kept = writer.add("b.html", [b"old b"])
        assert not kept
        inode = (out / "b.html").stat().st_ino
        assert writer.add("b.html", [b"old ", b"b"], old_hash=hashed) == (hashed, True)
        assert writer.add("c.html", [b"new ", b"c"], old_hash=hashed)[1] is False
    finally:
        writer.discard()
    assert sorted(p.name for p in out.iterdir()) == ["a.html", "b.html", "c.html"]
    assert (out / "a.html").read_bytes() == b"old a"
    assert (out / "b.html").stat().st_ino == inode
    assert (out / "c.html").read_bytes() == b"new c"
