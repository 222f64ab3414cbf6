"""Loading YAML with marks: positions, duplicate keys, aliases, size and encoding limits."""

from __future__ import annotations

import time
from pathlib import Path

from sitegen.errors import Collector
from sitegen.load import MAX_FILE_BYTES, parse_yaml, read_text, split_page


def test_marks_point_at_values_and_keys() -> None:
    doc = parse_yaml("- id: a\n  list:\n    - x\n    - y\n", "f.yaml", Collector())
    assert doc is not None
    assert doc.where((0, "id")) == (1, 7)
    assert doc.where((0, "list", 1)) == (4, 7)
    assert doc.where((0, "list"), key=True) == (2, 3)
    assert doc.where((0, "missing", 3)) == (1, 3)  # the nearest known parent


def test_billion_laughs_fails_fast() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    problems = Collector()
    started = time.perf_counter()
    assert parse_yaml("\n".join(lines) + "\n", "bomb.yaml", problems) is None
    assert time.perf_counter() - started < 2
    assert problems.problems[0].message.startswith("aliases (*name) are not used")


def test_deep_nesting_is_refused() -> None:
    problems = Collector()
    assert parse_yaml("[" * 200 + "]" * 200 + "\n", "deep.yaml", problems) is None
    assert "nested more than" in problems.problems[0].message


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    problems = Collector()
    assert read_text(path, "data/big.yaml", problems) is None
    assert "over the limit" in problems.problems[0].message


def test_control_characters_are_reported_by_position(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("- id: a\n  title: b\x07c\n", encoding="utf-8")
    problems = Collector()
    assert read_text(path, "x.yaml", problems) is None
    assert str(problems.problems[0]) == (
        "x.yaml:2:11: control character U+0007 in the text; delete it (it is invisible in most editors)")


def test_front_matter_lines_are_counted_from_the_file_top() -> None:
    problems = Collector()
    page = split_page("---\ntitle: T\nbad: [\n---\nbody\n", "p.md", "p", problems)
    assert page is None
    assert problems.problems[0].path == "p.md"
    assert problems.problems[0].line >= 3


def test_python_tags_are_not_constructed() -> None:
    problems = Collector()
    assert parse_yaml("a: !!python/object/apply:os.system ['echo pwned']\n", "x.yaml", problems) is None
    assert problems.problems[0].line == 1
