"""Validation errors point at the value and say what would be right."""

from __future__ import annotations

from sitegen.errors import Collector
from sitegen.load import parse_yaml
from sitegen.models import Mission, Pilot
from sitegen.validate import allowed_keys, slugify, validate_list


def problems_for(text: str, model: type) -> list[str]:
    problems = Collector()
    doc = parse_yaml(text, "data/x.yaml", problems)
    assert doc is not None
    validate_list(doc, model, problems)
    return [str(p) for p in problems.problems]


def test_a_misspelt_key_is_one_problem_not_two() -> None:
    found = problems_for("- id: m\n  number: 1\n  titel: T\n  summary: S\n  citations: [{source: s, quote: abc}]\n",
                         Mission)
    assert found == ['data/x.yaml:3:3: unknown key "titel"; did you mean "title"? allowed keys here: citations, id,'
                     " number, summary, target_year, title"]


def test_nested_errors_point_at_the_nested_value() -> None:
    found = problems_for("- id: p\n  name: P\n  purpose: X\n  citations: [{source: s, quote: abc}]\n"
                         "  area_counts:\n    - count: many\n      citations: [{source: s, quote: abc}]\n", Pilot)
    assert found == ['data/x.yaml:6:14: area_counts[0].count: "many" is not a whole number; write a plain number'
                     " without £, commas or words, for example 200000000 for £200m"]


def test_a_file_that_is_not_a_list() -> None:
    assert problems_for("id: m\n", Mission) == [
        "data/x.yaml:1:1: the file must be a list of Mission items, each starting with '- id: …'"]


def test_helpers() -> None:
    assert slugify("Family Help!") == "family-help"
    assert allowed_keys(Pilot, ("areas", 0)) == ["area", "citations"]


def test_a_value_yaml_did_not_read_as_text_is_said_as_yaml_read_it() -> None:
    mission = "- id: m\n  number: 1\n  title: {title}\n  summary: S\n  citations: [{{source: s, quote: abc}}]\n"
    assert problems_for(mission.format(title=""), Mission) == [
        "data/x.yaml:3:9: title: the value is empty; write the text after the colon"]
    assert problems_for(mission.format(title="no"), Mission) == [
        "data/x.yaml:3:10: title: expected text, but YAML reads this value as false (YAML reads yes, no, on and off"
        ' as true or false too); put it in double quotes ("…")']
    assert problems_for(mission.format(title="2023"), Mission) == [
        'data/x.yaml:3:10: title: expected text, but YAML reads this value as the number 2023; put it in double'
        ' quotes ("…")']
