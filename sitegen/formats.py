"""How every output writes a date, a sum and a count: the pages, the chart, the feed and the downloads.

One place each, so a qualifier ("up to 12 areas", "at least £600m") or a date's precision is never
shown in one place and lost in another.
"""

from __future__ import annotations

import datetime as dt
import re

from .fields import Money, ReportedCount


def format_date(value: dt.date | None, precision: str = "day", until: int | None = None) -> str:
    """British long date: 2 February 2023, February 2023, 2023, 2023 or 2024 (a year until
    another), or 2026-27 (a span); 'undated' for None."""
    if value is None:
        return "undated"
    if precision == "span":
        return f"{value.year}-{until % 100:02}" if until else str(value.year)
    if precision == "year":
        return f"{value.year} or {until}" if until else str(value.year)
    if precision == "month":
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def format_amount(amount: float) -> str:
    """£200m, £2.6bn or £40,000: a sum alone."""
    if amount >= 1_000_000_000:
        return f"£{amount / 1_000_000_000:.2f}".rstrip("0").rstrip(".") + "bn"
    if amount >= 1_000_000:
        return f"£{amount / 1_000_000:.2f}".rstrip("0").rstrip(".") + "m"
    return f"£{amount:,.0f}"


def format_money(money: Money) -> str:
    """A reported sum as every output shows it: its qualifier, the sum, and the years and period when
    known ("£200m over 2 years (2023-25)", "£200m a year (over the long run)"); one year that the
    period names is not said twice ("more than £250m (2025-26)", not "over 1 year (2025-26)"), nor is a
    length the period's words give ("£1bn over the first two years", not "over 2 years (the first two years)")."""
    text = format_amount(money.amount)
    if money.qualifier:
        text = f"{money.qualifier} {text}"
    worded = period_gives_years(money)
    if money.years and not worded and not (money.years == 1 and money.period):
        text += f" over {money.years} year" + ("s" if money.years != 1 else "")
    if money.each_year:
        text += " a year"
    if money.period:
        text += f" over {money.period}" if worded else f" ({money.period})"
    return text


_NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def period_gives_years(money: Money) -> bool:
    """Whether the sum's period is a phrase that itself says its number of years ("the first two years"
    for years: 2), so that the period alone says how long the sum covers."""
    if not (money.years and money.period and money.period.startswith("the ")):
        return False
    said = {str(money.years)} | ({_NUMBER_WORDS[money.years - 1]} if money.years <= len(_NUMBER_WORDS) else set())
    return any(re.search(rf"\b{re.escape(word)} years?\b", money.period) for word in said)


def format_count(count: ReportedCount, noun: str = "area") -> str:
    """A reported count as every output shows it, with its qualifier: "up to 12 areas", "1 area"."""
    text = f"{count.count} {noun}{'' if count.count == 1 else 's'}"
    return f"{count.qualifier} {text}" if count.qualifier else text
