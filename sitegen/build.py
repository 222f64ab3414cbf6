"""The recipe: load, validate, resolve, render, write. Each stage reports all its problems at once."""

from __future__ import annotations

from pathlib import Path

from . import models as m
from .content_checks import check_content
from .errors import Collector
from .load import parse_yaml, read_text, split_page
from .render import Settings, render_site
from .resolve import Located, PageSource, Site, resolve_site
from .validate import validate_list, validate_one
from .write import write_site


def load_data(project: Path, problems: Collector) -> dict[str, list[Located]]:
    """Read and validate every data/<kind>.yaml; a missing file is an empty list."""
    located: dict[str, list[Located]] = {}
    data_dir = project / "data"
    known = set(m.DATA_FILES)
    for path in sorted(data_dir.glob("*.y*ml")):
        if path.stem not in known or path.suffix != ".yaml":
            problems.add(f"data/{path.name}", 1, 1,
                         f"unknown data file; data files are named {', '.join(sorted(k + '.yaml' for k in known))}")
    for kind, model in m.DATA_FILES.items():
        path = data_dir / f"{kind}.yaml"
        shown = f"data/{kind}.yaml"
        if not path.exists():
            located[kind] = []
            continue
        text = read_text(path, shown, problems)
        doc = parse_yaml(text, shown, problems) if text is not None else None
        if doc is None:
            located[kind] = []
            continue
        located[kind] = [Located(item, doc, (index,)) for index, item in validate_list(doc, model, problems)]
    return located


def load_pages(project: Path, problems: Collector) -> list[PageSource]:
    """Read every content/*.md page and validate its front matter."""
    pages: list[PageSource] = []
    for path in sorted((project / "content").glob("*.md")):
        shown = f"content/{path.name}"
        text = read_text(path, shown, problems)
        raw = split_page(text, shown, path.stem, problems) if text is not None else None
        if raw is None:
            continue
        if not isinstance(raw.meta.data, dict):
            problems.add(shown, 2, 1, "the front matter must be key: value lines, e.g. title: About this site")
            continue
        meta = validate_one(raw.meta, raw.meta.data, (), m.Page, problems)
        if meta is not None:
            pages.append(PageSource(path.stem, shown, meta, raw.body, raw.body_line))
    return pages


def check_site(project: Path) -> Site:
    """Load, validate and resolve everything; raise BuildFailed with every problem found."""
    problems = Collector()
    located = load_data(project, problems)
    pages = load_pages(project, problems)
    problems.raise_if_any()
    site = resolve_site(located, pages, project / "sources", problems)
    problems.raise_if_any()
    site.warnings = check_content(site, located, problems)
    problems.raise_if_any()
    return site


def render(project: Path, settings: Settings) -> tuple[Site, dict[str, bytes]]:
    """The checked site and every output file by path; raise BuildFailed before anything is written."""
    site = check_site(project)
    problems = Collector()
    files = render_site(site, project / "templates", settings, problems)
    problems.raise_if_any()
    return site, files


def write(files: dict[str, bytes], out: Path) -> int:
    """Write the rendered files and their search index into out, atomically; return the file count."""
    from .search import index_site

    write_site(files, out, finish=index_site)
    return len(files)


def build_site(project: Path, out: Path, settings: Settings) -> int:
    """Build the site into out, atomically; return the number of files written."""
    _site, files = render(project, settings)
    return write(files, out)
