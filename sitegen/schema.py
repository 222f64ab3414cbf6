"""JSON Schemas for editors: generated from the models, with descriptions, examples and real ids.

yaml-language-server (VS Code's YAML extension and others) reads them through each data file's
modeline, giving completion, hover help and red squiggles while an editor types. Reference fields
list the ids that exist, so completion offers real ids from the other files.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from . import models as m
from .errors import BuildFailed, Problem
from .fields import Strict
from .resolve import REFERENCES, Site

FALLBACK_EXAMPLES: dict[str, Any] = {"string": "…", "integer": 1, "number": 1, "boolean": False}


def field_examples(site: Site) -> dict[tuple[str, str], Any]:
    """The first real value of every (model, field) in the data, to show editors as an example."""
    found: dict[tuple[str, str], Any] = {}

    def visit(obj: Any) -> None:
        if isinstance(obj, list):
            for value in obj:
                visit(value)
        elif isinstance(obj, BaseModel):
            dumped = obj.model_dump(mode="json")
            for name in type(obj).model_fields:
                value = getattr(obj, name)
                if (type(obj).__name__, name) not in found and value not in (None, [], "") \
                        and not isinstance(value, (BaseModel, list)):
                    found[(type(obj).__name__, name)] = dumped[name]
                visit(value)

    for items in site.items.values():
        visit(sorted(items.values(), key=lambda item: item.id))
    return found


def kind_schema(kind: str, model: type[Strict], site: Site, examples: dict[tuple[str, str], Any]) -> dict[str, Any]:
    """The schema of data/<kind>.yaml: a list of the model's items."""
    inner = model.model_json_schema(ref_template="#/$defs/{model}")
    defs: dict[str, Any] = inner.pop("$defs", {})
    defs[model.__name__] = inner
    for name, definition in defs.items():
        for prop_name, prop in definition.get("properties", {}).items():
            kinds = next((k for (cls, f), k in REFERENCES.items() if cls.__name__ == name and f == prop_name), None)
            if kinds:
                ids = sorted({item_id for k in kinds for item_id in site.items[k]})
                target = prop["items"] if prop.get("type") == "array" else next(
                    (branch for branch in prop.get("anyOf", []) if branch.get("type") == "string"), prop)
                if "/" in target.get("pattern", ""):  # an ItemRef: kind/id names an id two kinds share
                    ids += sorted(f"{k}/{item_id}" for k in kinds for item_id in site.items[k]
                                  if sum(item_id in site.items[other] for other in kinds) > 1)
                target["enum"] = ids
                target.pop("pattern", None)
                target.pop("examples", None)
            if "examples" not in prop:
                example = examples.get((name, prop_name))
                if example is None:
                    example = FALLBACK_EXAMPLES.get(str(prop.get("type")), None)
                if example is not None:
                    prop["examples"] = [example]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{kind}.schema.json",
        "title": f"data/{kind}.yaml",
        "description": f"A list of {model.__name__} items. {model.__doc__ or ''}".strip(),
        "type": "array",
        "items": {"$ref": f"#/$defs/{model.__name__}"},
        "$defs": dict(sorted(defs.items())),
    }


def render_schemas(site: Site) -> dict[str, str]:
    """File name to JSON text for every data file kind; deterministic."""
    examples = field_examples(site)
    return {
        f"{kind}.schema.json": json.dumps(kind_schema(kind, model, site, examples), indent=2,
                                          ensure_ascii=False, sort_keys=False) + "\n"
        for kind, model in m.DATA_FILES.items()
    }


def write_schemas(out: Path, site: Site) -> int:
    """Write every schema into out; return how many.

    Each file is written beside its place, in a file this command creates (never one that is there, which
    may be a link a pull request put at a name it guessed), and renamed over it, which replaces a symbolic
    link there instead of writing where it leads (a pull request may carry schemas/x.schema.json -> ~/.bashrc).
    """
    if out.is_symlink():
        raise BuildFailed([Problem(str(out), 1, 1, "the schemas folder is a symbolic link; remove the link,"
                                                   " and the command makes a plain folder there")])
    out.mkdir(parents=True, exist_ok=True)
    schemas = render_schemas(site)
    for name, text in schemas.items():
        descriptor, staged = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=out)  # O_EXCL: a new file
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(staged, 0o644)  # as a file the editor writes; mkstemp makes it its owner's only
        os.replace(staged, out / name)
    return len(schemas)
