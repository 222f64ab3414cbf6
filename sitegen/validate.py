"""Validate parsed YAML against the pydantic models and word each error for an editor.

Each pydantic error carries a `loc` (the path of keys and list indexes to the bad value); we walk it
through the marks kept by load.py so the message points at the offending value itself.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Collector, brief, did_you_mean, nearest
from .load import Loc, Marked

M = TypeVar("M", bound=BaseModel)

EXAMPLES: dict[str, str] = {
    "id": "id: family-help",
    "title": "title: Family help",
    "name": "name: Josh MacAlister",
    "citations": "citations: [{source: cypnow-2023-02-02-200m-plan, quote: …}]",
    "source": "source: cypnow-2023-02-02-200m-plan",
    "quote": "quote: £200m over two years",
    "date": "date: 2023-02-02",
    "amount": "amount: 200000000",
    "money": "money: {amount: 200000000, years: 2}",
    "status": "status: accepted",
    "themes": "themes: [family-help]",
    "roles": "roles: [{role: Children's minister, citations: […]}]",
    "values": "values: [{money: {amount: 200000000, years: 2}, citations: […]}]",
}


def validate_list(doc: Marked, model: type[M], problems: Collector) -> list[tuple[int, M]]:
    """Validate each item of a data file; return (index, item) for the valid ones, report the rest."""
    if doc.data is None:
        return []
    if not isinstance(doc.data, list):
        line, column = doc.where(())
        problems.add(doc.path, line, column,
                     f"the file must be a list of {model.__name__} items, each starting with '- id: …'")
        return []
    items: list[tuple[int, M]] = []
    for index, raw in enumerate(doc.data):
        if problems.full(doc.path):
            break  # the rest is checked once what is listed is fixed
        item = validate_one(doc, raw, (index,), model, problems)
        if item is not None:
            items.append((index, item))
    return items


def validate_one(doc: Marked, raw: Any, prefix: Loc, model: type[M], problems: Collector) -> M | None:
    """Validate one mapping; on failure add one problem per pydantic error and return None."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        typos = {(tuple(e["loc"][:-1]), nearest(str(e["loc"][-1]), allowed_keys(model, tuple(e["loc"][:-1]))))
                 for e in errors if e["type"] == "extra_forbidden"}
        for error in errors:
            inner = tuple(error["loc"])
            if error["type"] == "missing" and (inner[:-1], inner[-1]) in typos:
                continue  # reported once, as the misspelt key that should have been this one
            loc = (*prefix, *inner)
            is_key_error = error["type"] == "extra_forbidden"
            line, column = doc.where(loc, key=is_key_error)
            problems.add(doc.path, line, column, describe_error(error, model, inner))
        return None


def describe_error(error: Any, model: type[BaseModel], loc: Loc) -> str:
    """Say what is wrong, what was found and what would be right, in an editor's words."""
    kind = error["type"]
    where = _dotted(loc)
    found = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = sorted(allowed_keys(model, loc[:-1]))
        return (f'unknown key "{brief(loc[-1])}";{did_you_mean(str(loc[-1]), allowed)} '
                f"allowed keys here: {', '.join(allowed)}")
    if kind == "missing":
        name = str(loc[-1])
        example = EXAMPLES.get(name, f"{name}: …")
        return f'required key "{name}" is missing; add it, for example: {example}'
    if kind == "value_error":  # a model's own check (see fields.Money): its message says what would be right
        return f"{where}: {ctx.get('error', error['msg'])}"
    if kind == "enum":
        choices = _enum_choices(model, loc)
        return (f'{where}: "{brief(found)}" is not an allowed value;{did_you_mean(str(found), choices)} '
                f"allowed values: {', '.join(choices)}")
    if kind == "string_pattern_mismatch" and str(ctx.get("pattern", "")).startswith("^[a-z0-9]"):
        return (f'{where}: "{brief(found)}" is not a valid id; use lower-case letters, digits and single hyphens, '
                f'for example "{brief(slugify(str(found)), 80)}"')
    if kind == "string_pattern_mismatch" and "https?" in str(ctx.get("pattern", "")):
        return f'{where}: "{brief(found)}" is not a web address; write a full address starting with https://'
    if kind.startswith("date"):
        return f'{where}: "{brief(found)}" is not a date; write it as YYYY-MM-DD, for example 2023-02-02'
    if kind in {"float_parsing", "float_type", "int_parsing", "int_type"}:
        return (f'{where}: "{brief(found)}" is not a whole number; write a plain number without £, commas or'
                " words, for example 200000000 for £200m")
    if kind in {"finite_number", "int_parsing_size"}:
        return (f'{where}: "{brief(found)}" is not a number this site can show (infinite, or too many digits);'
                " write a plain number, for example 200000000 for £200m")
    if kind == "less_than_equal":
        return f"{where}: {brief(found)} is more than {int(ctx['le']):,}, the largest value allowed here; check it"
    if kind in {"string_type"}:
        if found is None and loc and isinstance(loc[-1], int):
            return f'{where}: this entry of the list is empty; write its text after the "- ", or delete the line'
        if found is None:
            return f"{where}: the value is empty; write the text after the colon"
        return f'{where}: expected text, but YAML reads this value as {_read_as(found)}; put it in double quotes ("…")'
    if kind in {"list_type"}:
        return (f"{where}: expected a list, found {brief(repr(found))}; write each entry on its own line"
                ' starting with "- "')
    if kind in {"model_type", "dict_type"}:
        return (f"{where}: expected a mapping of keys and values, found {brief(repr(found))}; write it as"
                " key: value lines")
    if kind == "too_short" and isinstance(found, list):
        return f"{where}: the list is empty; give at least {ctx.get('min_length', 1)} entry"
    if kind == "string_too_short":
        return f"{where}: the text is too short; give at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        return f"{where}: the text is too long; shorten it to at most {ctx.get('max_length')} characters"
    if kind == "bool_parsing":
        return f'{where}: "{brief(found)}" is not true or false; write true or false'
    return f"{where}: {error['msg']} (found {brief(repr(found))})"


def _read_as(found: Any) -> str:
    """What YAML made of a value that should have been text, in an editor's words."""
    if isinstance(found, bool):
        return f'{str(found).lower()} (YAML reads yes, no, on and off as true or false too)'
    if isinstance(found, int | float):
        return f"the number {brief(found)}"
    if isinstance(found, dt.date):
        return f"the date {found.isoformat()}"
    return "a list" if isinstance(found, list) else "a mapping" if isinstance(found, dict) else type(found).__name__


def _dotted(loc: Loc) -> str:
    """Render a loc as an editor reads it: values[0].money.amount."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{brief(part)}" if text else brief(part))
    return text or "item"


def slugify(text: str) -> str:
    """Make a valid id from free text: 'Family Help!' -> 'family-help'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "my-id"


def _field_model(annotation: Any) -> Any:
    """The model or enum inside an annotation such as list[Citation] or Lines | None."""
    if isinstance(annotation, type) and issubclass(annotation, (BaseModel, Enum)):
        return annotation
    for arg in typing.get_args(annotation):
        found = _field_model(arg)
        if found is not None:
            return found
    return None


def _type_at(model: type[BaseModel], loc: Loc) -> Any:
    """Follow loc through the model's fields; list indexes are skipped."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(str(part))
        if info is None:
            return None
        current = _field_model(info.annotation)
    return current


def allowed_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """Keys allowed in the mapping at loc."""
    found = _type_at(model, loc)
    if isinstance(found, type) and issubclass(found, BaseModel):
        return list(found.model_fields)
    return []


def _enum_choices(model: type[BaseModel], loc: Loc) -> list[str]:
    found = _type_at(model, loc)
    if isinstance(found, type) and issubclass(found, Enum):
        return [str(member.value) for member in found]
    return []
