"""Loading YAML with marks: positions, duplicate keys, aliases, size and encoding limits."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from sitegen.errors import Collector
from sitegen.inputs import LIMITS, read_text
from sitegen.load import parse_list, parse_yaml, split_items, split_page


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
    path.write_bytes(b"#" * (LIMITS["data"] + 1))
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


def same_reading(text: str) -> None:
    """parse_list gives the values, marks and problems parse_yaml gives for the whole text."""
    whole_problems, by_item_problems = Collector(), Collector()
    whole = parse_yaml(text, "data/x.yaml", whole_problems)
    by_item = parse_list(text, "data/x.yaml", by_item_problems)
    assert by_item_problems.problems == whole_problems.problems
    if whole is None:
        assert by_item is None
        return
    assert by_item is not None
    read = [part.marks.data[0] for part in by_item.parts] if by_item.parts else by_item.data
    assert read == whole.data
    if by_item.parts:  # each item keeps its text, not its marks, until a place is asked for
        assert all(part.marks.text == part.text and not part.marks.values for part in by_item.parts)
    for loc in {*whole.values, *whole.keys, *whole.literal, (0, "nowhere", 2)}:
        assert by_item.where(loc) == whole.where(loc), loc
        assert by_item.where(loc, key=True) == whole.where(loc, key=True), loc
        assert by_item.is_literal(loc) == whole.is_literal(loc), loc


def test_a_data_file_read_item_by_item_is_read_as_a_whole_file_is(tmp_path: Path) -> None:
    """Every data file of the site, and of a generated site of 200 proposals with Markdown bodies."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    generate(tmp_path, 200)
    texts = [path.read_text(encoding="utf-8") for folder in (ROOT, tmp_path)
             for path in sorted((folder / "data").glob("*.yaml"))]
    assert sum(split_items(text) is not None for text in texts) >= 12, "the real files are read item by item"
    for text in texts:
        same_reading(text)


ODD_FILES = {
    "a comment before the first item": "# proposals\n\n- id: a\n  title: A\n# between\n- id: b\n  title: B\n",
    "a quoted string running over an item's start": '- id: a\n  title: "A\n- b"\n- id: c\n',
    "a literal block": "- id: a\n  body: |\n    ## Heading\n    - a list item\n\n    Text.\n- id: b\n",
    "a lone dash": "-\n  id: a\n-\n  id: b\n",
    "a document marker": "---\n- id: a\n",
    "a mapping at the top": "id: a\ntitle: A\n",
    "an indented list": "  - id: a\n  - id: b\n",
    "a key before the list": "x: 1\n- id: a\n",
    "a syntax error in the second item": '- id: a\n- id: "b\n  title: c\n- id: d\n',
    "an anchor in one item, its alias in the next": "- id: &x a\n- id: *x\n",
    "a duplicate key": "- id: a\n  id: b\n",
    "a flow list over two items": "- [a,\n- b]\n",
    "an empty file": "",
    "comments only": "# nothing yet\n",
    # found by a second reader: each was read differently item by item
    "a carriage return alone": "- a: 1\r  b: 2\n- c: 3\n",
    "a line separator in a comment": "- a: 1 # x\u2028\n- b: 2\n",
    "a next-line character": "- a: 1 # x\x85\n- b: 2\n",
    "a no-break space before the first item": "\xa0\n- a\n",
    "an ideographic space before the first item": "\u3000\n- a: 1\n",
    "a tab before the first item": "\t\n- a\n",
    "a tab and a comment before the first item": "\t# c\n- a\n",
    "a no-break space between items": "- a\n\xa0\n- b\n",
    "one anchor in two items": "- &x a\n- &x b\n",
    "an anchor in a flow list": "- [&x a]\n- b\n",
}


@pytest.mark.parametrize("text", ODD_FILES.values(), ids=ODD_FILES.keys())
def test_odd_files_are_read_as_a_whole_file_is(text: str) -> None:
    same_reading(text)


def test_a_file_is_read_whole_unless_each_top_level_line_starts_an_item_or_is_a_comment() -> None:
    assert list(split_items(ODD_FILES["a comment before the first item"]) or []) == [
        (3, "- id: a\n  title: A\n# between\n"), (6, "- id: b\n  title: B\n")]
    for name in ("a document marker", "a mapping at the top", "an indented list", "a key before the list",
                 "an empty file", "comments only", "a carriage return alone", "a line separator in a comment",
                 "a next-line character", "a no-break space before the first item", "a tab before the first item",
                 "one anchor in two items", "an anchor in a flow list"):
        assert split_items(ODD_FILES[name]) is None, name


def test_an_item_whose_text_is_known_is_not_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen import load

    first = parse_list("- id: a\n  title: A\n- id: b\n  title: B\n", "f.yaml", Collector())
    assert first is not None and len(first.parts) == 2
    assert first.where((0, "title")) == (2, 10)  # a place asked for: the item's marks are worked out again
    known = {part.text: (part.text, part.marks) for part in first.parts}
    parsed: list[str] = []
    real = load.parse_yaml
    monkeypatch.setattr(load, "parse_yaml", lambda text, *rest, **kw: parsed.append(text) or real(text, *rest, **kw))
    again = parse_list("# a new first line\n- id: a\n  title: A\n- id: b\n  title: B2\n", "f.yaml", Collector(), known)
    assert parsed == ["- id: b\n  title: B2\n"]
    assert again is not None and [part.marks.data[0] for part in again.parts] == [{"id": "a", "title": "A"},
                                                                                  {"id": "b", "title": "B2"}]
    assert again.where((0, "title")) == (3, 10) and again.where((1, "title")) == (5, 10)  # moved down a line
    assert again.parts[0].text is first.parts[0].text, "an unchanged item's text is held once"
