"""A data file emptied by mistake: said once, before the references into it that no longer resolve,
with how many items it held at the last good build; and so is an item that several references name
and no file holds (deleted or renamed, most likely).

The counts of the last good build are kept in the project's build cache folder (cache.cache_folder):
outside the work tree, so a pull request cannot plant them, and shared by `build`, `check` and the
preview of the same project, which an output folder is not. They only ever add words to a message,
so a record that is missing, unreadable or malformed is taken as no last good build.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from .cache import cache_folder
from .errors import BuildFailed, Problem
from .resolve import Located, Site, item_links, narrowed

RECORD = "last-good-build.json"


def cache_folder_or_none(project: Path) -> Path | None:
    """The project's build cache folder, or None when it cannot be used (see cache.cache_folder)."""
    try:
        return cache_folder(project)
    except (BuildFailed, OSError):
        return None


def record_item_counts(project: Path, site: Site) -> None:
    """Remember how many items each kind had, after a build that succeeded; written whole or not at all."""
    folder = cache_folder_or_none(project)
    if folder is None:
        return
    counts = {kind: len(items) for kind, items in site.items.items()} | {"changes": len(site.changes)}
    temporary = folder / f".{RECORD}.{os.getpid()}"
    try:
        temporary.write_text(json.dumps({"items": dict(sorted(counts.items()))}), encoding="utf-8")
        os.replace(temporary, folder / RECORD)
    except OSError:
        temporary.unlink(missing_ok=True)


def last_item_counts(project: Path) -> dict[str, int]:
    """Each kind's item count at the last good build; empty when there is no readable record."""
    folder = cache_folder_or_none(project)
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8")) if folder else None
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    counts = record.get("items") if isinstance(record, dict) else None
    if not isinstance(counts, dict):
        return {}
    return {kind: count for kind, count in counts.items()
            if isinstance(kind, str) and type(count) is int and count >= 0}


def emptied_files(project: Path, located: dict[str, list[Located]]) -> list[Problem]:
    """A leading problem for each data file that holds no items while references still point into it.

    A file counts when it is there but empty, or gone after the last good build had items in it. A
    reference that may name items of several kinds (`related`, say) is counted for every empty one
    of them, but alone it makes a file count only when that file had items at the last good build:
    a mistyped id is not a sign that a file was emptied.
    """
    empty = {kind for kind, entries in located.items() if not entries}
    if not empty:
        return []
    ids = {kind: {getattr(entry.item, "id", None) for entry in entries} for kind, entries in located.items()}
    pointing: Counter[str] = Counter()
    named_alone: set[str] = set()
    for entries in located.values():
        for entry in entries:
            for _loc, kinds, target in item_links(entry.item)[0]:
                target, kinds = narrowed(target, kinds)
                if not any(target in ids.get(kind, ()) for kind in kinds):
                    pointing.update(kind for kind in kinds if kind in empty)
                    named_alone.update(kinds if len(kinds) == 1 else ())
    if not pointing:
        return []
    counts = last_item_counts(project)
    problems: list[Problem] = []
    for kind, references in sorted(pointing.items()):
        shown = f"data/{kind}.yaml"
        there = os.path.lexists(project / shown)
        held = counts.get(kind, 0)
        if not (held or (there and kind in named_alone)):
            continue
        last = f" (it held {held} item{'s' * (held != 1)} at the last good build)" if held else ""
        problems.append(Problem(
            shown, 1, 1,
            f"the file is {'empty' if there else 'missing'}{last}, so the {references}"
            f" reference{'s' * (references != 1)} to its items listed after this name nothing; put its items"
            f" back (undo the edit that {'emptied' if there else 'deleted'} it), or remove those references",
            leads=True,
        ))
    return problems


def missing_items(located: dict[str, list[Located]]) -> list[Problem]:
    """A leading problem for each id that two or more references name and no item of their kinds has,
    at the first of them: an item deleted or renamed leaves many references naming nothing, each
    reported at its place, and the editor needs to know first that they share one cause. Ids in an
    empty file are left to emptied_files."""
    ids = {kind: {getattr(entry.item, "id", None) for entry in entries} for kind, entries in located.items()}
    naming: dict[tuple[str, tuple[str, ...]], list[tuple[str, int, int]]] = {}
    for entries in located.values():
        for entry in entries:
            for loc, kinds, target in item_links(entry.item)[0]:
                target, kinds = narrowed(target, kinds)
                if not any(target in ids.get(kind, ()) for kind in kinds) and all(ids.get(kind) for kind in kinds):
                    naming.setdefault((target, kinds), []).append(
                        (entry.doc.path, *entry.doc.where((*entry.loc, *loc))))
    problems = []
    for (target, kinds), places in sorted(naming.items()):
        if len(places) >= 2:
            where = " or ".join(f"data/{kind}.yaml" for kind in kinds)
            problems.append(Problem(*min(places), f'{len(places)} references name "{target}", which no item in'
                                    f" {where} has (each is listed after this): if that item was deleted or"
                                    " renamed, put it back, else correct each reference", leads=True))
    return problems
