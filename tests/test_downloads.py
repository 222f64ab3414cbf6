"""Datasets as CSV and JSON downloads, and the JSON Schemas beside them."""

from __future__ import annotations

import csv
import io
import json

from reader_site import ROOT, rendered, site_model

from sitegen.downloads import FIRST_RESPONSE, ROWS, csv_text, json_text
from sitegen.models import Theme
from sitegen.words import FUNDING_KIND_HELP, STATUS_HELP, STATUS_TEST, STATUS_WORDS


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


def test_a_row_read_alone_carries_what_its_page_gives() -> None:
    """A journalist reads a CSV row without the page: a sum keeps its purpose and what its kind means,
    a response what its status means, a count its source, a date its "at the earliest", an event
    the titles and kinds of the items it names."""
    files = rendered()
    site = site_model()

    def rows(kind: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(files[f"data/{kind}.csv"].decode())))

    for row in rows("funding"):
        line = site.items["funding"][row["id"]]
        assert row["purpose"] == line.purpose and row["kind_meaning"] == FUNDING_KIND_HELP[line.kind.value]
    bursary = next(row for row in rows("funding") if row["id"] == "care-leaver-apprenticeship-bursary")
    assert "from £1,000 to £3,000" in bursary["purpose"] and bursary["amount_gbp"] == "3000"
    assert "a plan unless a source says it was spent" in FUNDING_KIND_HELP["allocated"]
    for row in rows("recommendations"):
        status = site.items["recommendations"][row["id"]].response.status.value
        assert (row["response"], row["response_meaning"], row["response_test"]) == (
            STATUS_WORDS[status], STATUS_HELP[status] + FIRST_RESPONSE, STATUS_TEST[status])
    trial = next(row for row in rows("pilots") if row["id"] == "kinship-allowance-trial")
    assert "£44m from the 2025-26 reform money" in trial["funding_titles"].split("; ")  # its id names one measure
    counts = next(row for row in rows("pilots") if row["id"] == "families-first-for-children-pathfinder")["area_counts"]
    assert "12 areas (reported undated, cypnow-analysis-funding-fails-to-match)" in counts
    assert "12 areas (reported undated, cypnow-plan-for-revamp-of-early-help)" in counts
    budget = next(row for row in rows("timeline") if row["id"] == "budget-2024")
    named = dict(zip(budget["related"].split("; "), budget["related_titles"].split("; "), strict=True))
    assert named["kinship-allowance-trial-44m"] == "£44m from the 2025-26 reform money"
    assert named["care-review-investment"] == site.items["recommendations"]["care-review-investment"].title
    kinds = dict(zip(budget["related"].split("; "), budget["related_kinds"].split("; "), strict=True))
    assert (kinds["kinship-allowance-trial-44m"], kinds["care-review-investment"]) == ("Sum of money", "Proposal")
    published = next(row for row in rows("timeline") if row["id"] == "stable-homes-published")["related_titles"]
    assert site.items["missions"]["loving-relationships"].title in published.split("; ")  # words alone, as data
    earliest = {row["id"]: row["earliest"] for row in rows("timeline")}
    assert earliest["fundamental-reform-from-april-2026"] == "yes"
    assert [event for event, value in earliest.items() if value == "yes"] == [
        event for event in earliest if site.items["timeline"][event].earliest]
