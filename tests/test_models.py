"""The models refuse what an editor must never slip past: unknown keys, free-text money, bad ids."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sitegen.fields import Citation, Money
from sitegen.models import DATA_FILES, Source


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="extra_forbidden|Extra inputs"):
        Citation.model_validate({"source": "a", "quote": "abc", "qoute": "x"})


def test_money_is_a_number() -> None:
    with pytest.raises(ValidationError):
        Money.model_validate({"amount": "£200m"})
    with pytest.raises(ValidationError):
        Money.model_validate({"amount": -5})


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://x", "https://a b"])
def test_source_urls_must_be_web_addresses(url: str) -> None:
    with pytest.raises(ValidationError):
        Source.model_validate({"id": "s", "title": "t", "outlet": "o", "archive": "a.txt", "url": url})


@pytest.mark.parametrize("bad", ["Family Help", "../etc", "a/b", "-a", "a--b", "", "é"])
def test_ids_cannot_leave_their_folder_or_collide_by_case(bad: str) -> None:
    with pytest.raises(ValidationError):
        Source.model_validate({"id": bad, "title": "t", "outlet": "o", "archive": "a.txt"})


def test_every_model_documents_every_field() -> None:
    for model in DATA_FILES.values():
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name} has no docstring"
