"""Datasets as CSV and JSON downloads, and the JSON Schemas beside them."""

from __future__ import annotations

import csv
import io
import json

from reader_site import ROOT, rendered, site_model

from sitegen.downloads import ROWS, csv_text, json_text
from sitegen.models import Theme


def test_every_dataset_has_csv_and_json() -> None:
    files = rendered()
    site = site_model()
    for kind in ROWS:
        records = json.loads(files[f"data/{kind}.json"])
        assert sorted(r["id"] for r in records) == sorted(site.items[kind]), kind
        rows = list(csv.DictReader(io.StringIO(files[f"data/{kind}.csv"].decode())))
        assert {r["id"] for r in rows} == set(site.items[kind]) or not site.items[kind], kind
    changes = json.loads(files["data/changes.json"])
    assert len(changes) == len(site_model().changes)


def test_csv_rows_split_several_reported_values() -> None:
    files = rendered()
    site = site_model()
    funding = list(csv.DictReader(io.StringIO(files["data/funding.csv"].decode())))
    assert len(funding) == sum(len(f.values) for f in site.items["funding"].values())
    people = list(csv.DictReader(io.StringIO(files["data/people.csv"].decode())))
    assert len(people) == sum(len(p.roles) for p in site.items["people"].values())


def test_schemas_are_copied_when_present() -> None:
    files = rendered()
    schemas = sorted((ROOT / "schemas").glob("*.schema.json"))
    for path in schemas:
        assert files[f"schemas/{path.name}"] == path.read_bytes()
    if schemas:
        assert 'href="/REPO/schemas/recommendations.schema.json"' in files["recommendations/index.html"].decode()


def test_csv_and_json_text_are_plain_and_stable() -> None:
    assert csv_text([]) == ""
    assert csv_text([{"a": "1", "b": "x, y"}]) == 'a,b\n1,"x, y"\n'
    assert json_text([]) == "[]\n"
    themes = [Theme(id="a", title="A", description="The letter a."), Theme(id="b", title="B", description="B’s.")]
    assert json_text(themes) == json.dumps([t.model_dump(mode="json") for t in themes], ensure_ascii=False,
                                           indent=1) + "\n"


def test_every_json_download_is_json_dumps_of_its_records() -> None:
    """The JSON files are json.dumps(records, indent=1, ensure_ascii=False), byte for byte, for every
    kind and for every character the real data holds."""
    files = rendered()
    site = site_model()
    for kind in ROWS:
        records = [item.model_dump(mode="json") for _, item in sorted(site.items[kind].items())]
        assert files[f"data/{kind}.json"].decode() == json.dumps(records, ensure_ascii=False, indent=1) + "\n", kind
    changes = files["data/changes.json"].decode()
    assert changes == json.dumps(json.loads(changes), ensure_ascii=False, indent=1) + "\n"
    assert len(json.loads(changes)) == len(site.changes)


def test_output_is_deterministic(tmp_path: object) -> None:
    from sitegen.build import render
    from sitegen.render import Settings

    _site, again = render(ROOT, Settings(base_url="/REPO/"))
    assert again == rendered()
