"""Editors' JSON Schemas: fresh, honest about the data, and strict enough to catch the catalogue's mistakes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import ROOT
from test_cli import CATALOGUE, edit

from sitegen.build import check_site
from sitegen.models import DATA_FILES
from sitegen.schema import render_schemas


def test_committed_schemas_are_fresh() -> None:
    expected = render_schemas(check_site(ROOT))
    for name, text in expected.items():
        path = ROOT / "schemas" / name
        assert path.is_file() and path.read_text(encoding="utf-8") == text, f"{name} is stale: run `make schema`"


def test_every_field_has_a_description() -> None:
    for name, text in render_schemas(check_site(ROOT)).items():
        for model, definition in json.loads(text)["$defs"].items():
            for field, prop in definition.get("properties", {}).items():
                assert prop.get("description"), f"{name}: {model}.{field} has no description"


def test_reference_fields_list_real_ids() -> None:
    schema = json.loads(render_schemas(check_site(ROOT))["recommendations.schema.json"])
    themes = schema["$defs"]["Recommendation"]["properties"]["themes"]["items"]["enum"]
    assert themes == sorted(check_site(ROOT).items["themes"])


def test_every_data_file_passes_check_jsonschema() -> None:
    """A standard validator (check-jsonschema) accepts every data file against its committed schema.

    One process a file (it takes one schema), all started at once: most of each one's time is Python
    starting and importing, which the two cores can do side by side."""
    running = {kind: subprocess.Popen(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(ROOT / "schemas" / f"{kind}.schema.json"),
         str(ROOT / "data" / f"{kind}.yaml")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for kind in DATA_FILES if (ROOT / "data" / f"{kind}.yaml").exists()}
    assert len(running) > 5
    outputs = {kind: process.communicate(timeout=300)[0] for kind, process in running.items()}  # all, then judge
    failed = {kind: outputs[kind] for kind, process in running.items() if process.returncode != 0}
    assert not failed, failed


def test_every_data_file_names_its_schema() -> None:
    for kind in DATA_FILES:
        data = ROOT / "data" / f"{kind}.yaml"
        if data.exists():
            first = data.read_text(encoding="utf-8").splitlines()[0]
            assert first == f"# yaml-language-server: $schema=../schemas/{kind}.schema.json", data


def as_json(value: Any) -> Any:
    """YAML values as an editor's language server sees them: dates are strings."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


SCHEMA_CATCHES = ["unknown-key", "missing-key", "bad-status", "bad-id", "bad-date", "money-as-text",
                  "dangling-reference", "bad-url", "not-a-list", "front-matter-key"]


@pytest.mark.parametrize("case", [c for c in CATALOGUE if c[0] in SCHEMA_CATCHES and c[1].startswith("data/")],
                         ids=lambda c: c[0])
def test_schemas_reject_the_catalogue_mistakes(project: Path, case: tuple[str, ...]) -> None:
    _id, file, old, new, _message = case
    schemas = {name: json.loads(text) for name, text in render_schemas(check_site(project)).items()}
    kind = Path(file).stem
    validator = jsonschema.Draft202012Validator(schemas[f"{kind}.schema.json"],
                                                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(as_json(yaml.safe_load((project / file).read_text())))) == []
    edit(project / file, old, new)
    assert list(validator.iter_errors(as_json(yaml.safe_load((project / file).read_text())))) != []
