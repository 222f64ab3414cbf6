"""The values the data files' models are built from: ids, text, citations, sums and counts with
their qualifiers, and how precise a date is.

models.py puts them together into one model per data file; the checks and views that read a
reported sum, count or date name these directly.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

Slug = Annotated[
    str,
    Field(pattern=ID_PATTERN, max_length=80),
]
"""A lower-case id made of letters, digits and single hyphens: it becomes the item's permalink."""

ItemRef = Annotated[
    str,
    Field(pattern=r"^(?:[a-z]+/)?[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100),
]
"""An item's id, or kind/id (guides/care-leavers) where two kinds share the id."""

Text = Annotated[str, Field(min_length=1, max_length=5000)]
Url = Annotated[
    str,
    Field(pattern=r"""^https?://[^\s<>"']+$""", max_length=500, examples=["https://www.cypnow.co.uk/"]),
]


class Strict(BaseModel):
    """Base for every model: unknown keys are errors and field docstrings are schema descriptions."""

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        frozen=True,
        str_strip_whitespace=True,
    )


class Citation(Strict):
    """Where a fact comes from: a source and a short quote that appears word for word in it."""

    source: Slug
    """Id of the source in data/sources.yaml."""
    quote: Annotated[str, Field(min_length=3, max_length=400, examples=["£200m over two years"])]
    """A short verbatim quote from the source (checked against the archived text at build time)."""


Citations = Annotated[list[Citation], Field(min_length=1)]


class Lines(Strict):
    """A range of lines in an archived text, counted from 1, both ends included."""

    first: Annotated[int, Field(ge=1)]
    """First line of the article in the archived file."""
    last: Annotated[int, Field(ge=1)]
    """Last line of the article (before any reader comments)."""

    @model_validator(mode="after")
    def _first_before_last(self) -> Lines:
        if self.first > self.last:
            raise ValueError(f"first ({self.first}) comes after last ({self.last}); give the article's first line"
                             " as first and its last line as last")
        return self


class Unit(StrEnum):
    """How an amount of money is counted."""

    gbp = "GBP"


class Qualifier(StrEnum):
    """How exact a reported amount or count is, as the source words it, shown before the figure.

    about: "about", "around", "roughly" or "approximately"; just under: "just under", "nearly" or
    "almost"; up to: a ceiling, "up to"; at least: a floor, "at least"; more than: "more than" or
    "over"; less than: "less than" or "fewer than"; expected: "expected" or "an expected"; estimated:
    "estimated", "an estimated", "estimated at" or "estimated to be"; forecast: "forecast", "a
    forecast", "forecast to be" or "forecast to increase by (a further)": the sum is then the increase,
    which the title must say ("Further cuts forecast").
    """

    about = "about"
    just_under = "just under"
    up_to = "up to"
    at_least = "at least"
    more_than = "more than"
    less_than = "less than"
    expected = "expected"
    estimated = "estimated"
    forecast = "forecast"


MAX_AMOUNT = 1_000_000_000_000
"""£1 trillion: no sum in the reform comes near, and a larger one (or .inf) is a typing mistake."""


class Money(Strict):
    """An amount of money with its unit and the period it covers."""

    amount: Annotated[float, Field(gt=0, le=MAX_AMOUNT, allow_inf_nan=False, examples=[200000000])]
    """Amount in whole pounds, e.g. 200000000 for £200m."""
    unit: Unit = Unit.gbp
    """Currency: pounds sterling."""
    qualifier: Qualifier | None = None
    """The word the quote puts before the amount ("up to £45m", "at least £600m", "roughly £2bn"), if
    any: the build checks it against the quote, and the site shows it wherever it shows the amount."""
    years: Annotated[int, Field(ge=1, le=50)] | None = None
    """Number of years the amount covers, where given."""
    each_year: bool = False
    """True when the quote gives the amount as recurring each year, with no number of years ("£200m a
    year over the long run"): shown as "£200m a year", drawn per year. Leave out years then."""
    period: str | None = None
    """Period as the source words it, e.g. "2023-24 to 2024-25", where given."""

    @model_validator(mode="after")
    def _years_or_each_year(self) -> Money:
        if self.each_year and self.years is not None:
            raise ValueError("give either years (the sum covers that many years) or each_year: true (the sum"
                             " recurs every year), not both")
        return self


class ReportedMoney(Strict):
    """One reported value of a sum: the value and the source that reports it."""

    money: Money
    """The amount as this source reports it."""
    citations: Citations
    """Where this value is reported. Quotes that hold the amount date it: the earliest dated source
    among them is the date of report ("as reported in an undated source" when none is dated)."""


class ReportedCount(Strict):
    """One reported count (for example of areas in a programme) with its source."""

    count: Annotated[int, Field(ge=0, le=1_000_000_000)]
    """The number reported."""
    qualifier: Qualifier | None = None
    """The word the quote puts before the number ("up to 12", "an expected 12"), if any: checked
    against the quote and shown wherever the number is shown."""
    citations: Citations
    """Where this number is reported. Quotes that hold the number (as digits or in words) date it:
    the earliest dated source among them is the date of report."""


class Precision(StrEnum):
    """How much of a date the sources give: the site never shows or sorts a date more precisely.

    day, month, year: the quotes give the day, only the month, or only the year (the build checks
    that a quote holds it). span: the quotes give a span of years such as a financial year, 2026-27
    (the date's year is its first, `until` its last). after: the sources give no date, only that it
    followed another event (name it in `after`); the site lists it after that event and says so in words.
    """

    day = "day"
    month = "month"
    year = "year"
    span = "span"
    after = "after"

    @property
    def by_year(self) -> bool:
        """Whether only the year, or the years, are known: the site lists and places such an event by year."""
        return self in (Precision.year, Precision.span)


class Lane(StrEnum):
    """Which lane of the timeline overview an event sits in.

    review: the reviews and the evidence around them (reports, studies, evaluations, surveys).
    government: what the government and its departments said or did. pilots: programmes testing
    the reforms. money: budgets and funding announcements. politics: elections, manifestos,
    parliament and the sector's reaction. Leave it out and the site picks one: pilots when the event
    names a pilot, money when it names a funding line, else government.
    """

    review = "review"
    government = "government"
    pilots = "pilots"
    money = "money"
    politics = "politics"


class GuideExtra(StrEnum):
    """A part of the site a guide shows besides its questions.

    councils: the A to Z list of councils and regions, each with what the sources name it in (a name
    filter is added where JavaScript runs). downloads: the data files the site publishes. method: a
    link to the About page's method. how-to-cite: how to cite a page of the site.
    """

    councils = "councils"
    downloads = "downloads"
    method = "method"
    how_to_cite = "how-to-cite"


class GuidePicture(StrEnum):
    """A picture of the site's that a guide's answer may show, drawn as on its own page.

    money: the sums called for beside the sums set aside, a year, of the funding lines the question links
    to (as the money page's answer draws its own). areas: the
    number of areas reported for each programme (the pilots page). response: the proposals by the
    government's response (the home page).
    """

    money = "money"
    areas = "areas"
    response = "response"


def citations_in(obj: Any) -> list[Citation]:
    """Every citation inside an item, in document order."""
    if isinstance(obj, Citation):
        return [obj]
    if isinstance(obj, BaseModel):
        return [c for name in type(obj).model_fields for c in citations_in(getattr(obj, name))]
    if isinstance(obj, list):
        return [c for value in obj for c in citations_in(value)]
    return []
