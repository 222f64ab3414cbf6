"""EDITING.md cannot drift: every YAML example in it is added to a copy of the real project and built."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, Run
from reader_site import GLOSSARY_POPOVERS

from sitegen.build import render
from sitegen.render import Settings

GUIDE = (ROOT / "EDITING.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"```yaml (append|mistake)=(\S+)\n(.*?)```", re.S)
EXAMPLES = [(m.group(2), m.group(3)) for m in BLOCK.finditer(GUIDE) if m.group(1) == "append"]
TEXT_FILES = re.findall(r"```text file=(\S+)\n(.*?)```", GUIDE, re.S)
"""The archived texts the examples' sources need, written as the guide shows them."""


@pytest.fixture
def real_project(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    for folder in ("data", "content", "templates", "sources"):
        shutil.copytree(ROOT / folder, dest / folder)
    for path, text in TEXT_FILES:
        (dest / path).write_text(text, encoding="utf-8")
    return dest


def test_the_guide_has_an_example_for_every_task() -> None:
    files = {path for path, _yaml in EXAMPLES}
    assert {"data/recommendations.yaml", "data/pilots.yaml", "data/areas.yaml", "data/funding.yaml",
            "data/sources.yaml", "data/glossary.yaml", "data/timeline.yaml", "data/changes.yaml",
            "data/guides.yaml"} <= files
    assert any("copies:" in example for _path, example in EXAMPLES), "one article archived twice"
    assert all(path.startswith("sources/") for path, _text in TEXT_FILES) and len(TEXT_FILES) >= 3


def test_every_example_builds(real_project: Path, run_cli: Callable[..., Run]) -> None:
    for path, example in EXAMPLES:
        with (real_project / path).open("a", encoding="utf-8") as data:
            data.write("\n" + example)
    result = run_cli("--project", str(real_project), "check")
    assert result.code == 0, result.err
    assert "recommendations" in result.out


def test_the_error_shown_is_the_error_given(real_project: Path, run_cli: Callable[..., Run]) -> None:
    (match,) = [m for m in BLOCK.finditer(GUIDE) if m.group(1) == "mistake"]
    path, mistake = match.group(2), match.group(3)
    shown = re.search(r"```text\n(.*?)\n```", GUIDE[match.end():], re.S)
    assert shown is not None
    target = real_project / path
    before = target.read_text(encoding="utf-8")
    target.write_text(before + "\n" + mistake, encoding="utf-8")
    line = before.count("\n") + 2 + mistake.splitlines().index("  sumary: A mistake.")
    result = run_cli("--project", str(real_project), "check")
    assert result.code == 1
    assert result.err.splitlines()[0] == shown.group(1).replace("LINE", str(line))


def test_the_body_example_renders_as_markdown_on_its_page(real_project: Path) -> None:
    for path, example in EXAMPLES:
        if "example-with-a-body" in example:
            with (real_project / path).open("a", encoding="utf-8") as data:
                data.write("\n" + example)
    _site, files = render(real_project, Settings())  # the pages a build writes, without Pagefind
    page = files["recommendations/example-with-a-body/index.html"].decode("utf-8")
    assert '<h2 id="more">More about this proposal</h2>' in page
    assert "<h3>Where it is being tried</h3>" in page  # and terms linked too:
    assert re.search(r"early help</a>(</span>)?</em>", GLOSSARY_POPOVERS.sub("", page))
    assert '<a href="/pilots/">pathfinder areas</a>' in page
    printed = files["print/index.html"].decode("utf-8")  # the whole explainer holds it too
    assert '<h4 id="p-more-example-with-a-body">' in printed and "<h5>Where it is being tried</h5>" in printed
