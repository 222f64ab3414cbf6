"""Formatting helpers every template uses."""

from __future__ import annotations

import datetime as dt

import jinja2
import pytest
from jinja2.filters import do_sort
from pydantic import BaseModel

from sitegen.fields import Money
from sitegen.formats import format_date, format_money
from sitegen.render import normalise_base, sort_items


def test_base_paths_always_start_and_end_with_a_slash() -> None:
    assert [normalise_base(b) for b in ("", "/", "REPO", "/REPO", "REPO/", " /a/b/ ")] == [
        "/", "/", "/REPO/", "/REPO/", "/REPO/", "/a/b/"]


def test_dates_in_british_form_with_their_precision() -> None:
    day = dt.date(2023, 2, 2)
    assert format_date(day) == "2 February 2023"
    assert format_date(day, "month") == "February 2023"
    assert format_date(day, "year") == "2023"
    assert format_date(None) == "undated"


def test_money_with_unit_period_and_qualifier() -> None:
    assert format_money(Money(amount=200_000_000, years=2)) == "£200m over 2 years"
    assert format_money(Money(amount=2_600_000_000)) == "£2.6bn"
    assert format_money(Money(amount=40_000_000, years=2, qualifier="just under")) == "just under £40m over 2 years"
    assert format_money(Money(amount=7_800_000, period="up to March 2025")) == "£7.8m (up to March 2025)"
    assert format_money(Money(amount=3_000, years=1)) == "£3,000 over 1 year"
    assert format_money(Money(amount=44_000_000, years=1, period="2025-26")) == "£44m (2025-26)"  # said once
    assert format_money(Money(amount=200_000_000, years=2, period="2023-25")) == "£200m over 2 years (2023-25)"
    assert format_money(Money(amount=1_000_000_000, years=2, period="the first two years")) == (
        "£1bn over the first two years")  # a period whose words give its length: the length said once
    assert format_money(Money(amount=1_000_000_000, years=2, period="the first 2 years")) == (
        "£1bn over the first 2 years")
    assert format_money(Money(amount=90_000_000, years=10, period="the long run")) == (
        "£90m over 10 years (the long run)")  # a period that does not say its years keeps the count
    assert format_money(Money(amount=90_000_000, years=3, period="the first two years")) == (
        "£90m over 3 years (the first two years)")  # nor does one that names another count


class Dated(BaseModel):
    id: str
    title: str = ""
    date: dt.date | None = None


@pytest.mark.parametrize("attribute", ["id", "title", "date"])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("case_sensitive", [False, True])
def test_the_fast_sort_filter_orders_models_as_jinja_does(attribute: str, reverse: bool, case_sensitive: bool) -> None:
    """Same order as Jinja's sort: case folded unless asked, stable when reversed, and equal or
    missing values (all None) compared without error."""
    items = [Dated(id="b", title="b"), Dated(id="a", title="B", date=dt.date(2020, 1, 1)),
             Dated(id="c", title="a"), Dated(id="D", title="b"), Dated(id="e", title="A")]
    if attribute == "date":
        items = [item for item in items if item.date is None]  # None cannot be ordered against a date
    env = jinja2.Environment()
    expected = do_sort(env, items, reverse, case_sensitive, attribute)
    assert [i.id for i in sort_items(env, items, reverse, case_sensitive, attribute)] == [i.id for i in expected]
