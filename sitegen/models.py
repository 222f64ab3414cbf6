"""Pydantic models: one per data file kind, each field documented for editors' schemas.

Every model forbids unknown keys, so a typo is an error rather than a silently ignored field;
attribute docstrings become the descriptions in the JSON Schemas editors see."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from . import fields
from .fields import Citations, ItemRef, Lane, Lines, Precision, ReportedCount, ReportedMoney, Slug, Strict, Text, Url

ArchiveName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+\.txt$", examples=["001_dfc6e561fe822ac1.txt"])]
"""File name of an archived text in sources/."""


class ArchivedCopy(Strict):
    """Another archived copy of a source's article (perhaps fuller): quotes may come from any copy."""

    archive: ArchiveName
    """File name of the archived text in sources/."""
    lines: Lines | None = None
    """Lines of the archived file that hold this copy, when the file holds several articles."""
    comments_from: Annotated[int, Field(ge=1)] | None = None
    """First line of reader comments after this copy, if any: quotes must come from before it."""


class Source(Strict):
    """A published article the site's facts come from: one entry per article, however often it was archived."""

    id: Slug
    """Permalink id of the source."""
    title: Text
    """Headline as the article gives it."""
    outlet: Text
    """Publication, e.g. CYP Now or Community Care."""
    author: str | None = None
    """Author as the article names them; leave out when the article names none."""
    date: dt.date | None = None
    """Publication date as the article gives it; leave out when the article gives none (shown as undated)."""
    url: Url | None = None
    """Address of the original article; leave out when the archived text does not give it."""
    archive: ArchiveName
    """File name of the archived text in sources/, which quotes are checked against."""
    lines: Lines | None = None
    """Lines of the archived file that hold this article, when the file holds several articles."""
    comments_from: Annotated[int, Field(ge=1)] | None = None
    """First line of reader comments, if any: quotes must come from before it."""
    copies: list[ArchivedCopy] = []
    """Other archived copies of this article (quotes may come from any copy); the entry keeps the date
    and address a dated copy gives."""


class ResponseStatus(StrEnum):
    """The government's answer to a proposal, in a fixed vocabulary explained on the About page."""

    accepted = "accepted"
    accepted_in_part = "accepted-in-part"
    to_be_tested = "to-be-tested"
    consultation = "consultation"
    rejected = "rejected"
    not_addressed = "not-addressed"
    unclear = "unclear"


class Review(StrEnum):
    """Which review made a proposal."""

    care_review = "care-review"
    cma = "cma"
    safeguarding_panel = "safeguarding-panel"


class Development(Strict):
    """Something that happened to a proposal after the government's response. It has no date of its
    own: the site dates it by the earliest dated source it cites, so a date is never typed by hand."""

    text: Text
    """What happened, in the site's own words."""
    citations: Citations
    """Sources for this development."""


class Response(Strict):
    """The government's response to one proposal."""

    status: ResponseStatus
    """One of the fixed statuses."""
    detail: Text
    """What the government said, in the site's own words."""
    citations: Citations
    """Sources for the response."""


class Recommendation(Strict):
    """One proposal of a review, with the government's response and what happened later."""

    id: Slug
    """Permalink id."""
    title: Text
    """Short name of the proposal."""
    review: Review = Review.care_review
    """Which review made it."""
    proposal: Text
    """What the review (or other body) proposed, in the site's own words."""
    themes: Annotated[list[Slug], Field(min_length=1)]
    """Ids of themes in data/themes.yaml."""
    missions: list[Slug] = []
    """Ids of the missions in data/missions.yaml this proposal serves."""
    citations: Citations
    """Sources for the proposal."""
    response: Response
    """The government's response."""
    later: list[Development] = []
    """Later developments, oldest first."""
    body: str = ""
    """More about the proposal, in Markdown (## headings, lists, links, *emphasis*), shown on its own page."""


class Theme(Strict):
    """A topic that groups proposals (for the filters of the comparison table)."""

    id: Slug
    """Permalink id."""
    title: Text
    """Name shown to readers."""
    description: Text
    """One plain sentence saying what the theme covers."""


class Mission(Strict):
    """One of the six missions of Stable Homes, Built on Love."""

    id: Slug
    """Permalink id."""
    number: Annotated[int, Field(ge=1, le=6)]
    """Mission number, 1 to 6."""
    title: Text
    """The mission as the sources word it."""
    summary: Text
    """What it means, in the site's own words."""
    target_year: int | None = None
    """Year the mission is meant to be met by, where a quote of the mission gives it."""
    citations: Citations
    """Sources for the mission."""


class FundingKind(StrEnum):
    """What a sum of money is: the site groups and labels sums by kind, never one kind under another's heading.

    called-for: money someone asked to be spent, such as the care review's costing of its proposals.
    estimated-cost: what someone estimated a thing costs or would cost, such as cost pressures or the
    cost of delay; nobody promised or asked for it.
    cut: money taken away, or forecast to be (qualifier: forecast), such as past cuts to council budgets.
    pledged: money the government promised, announced or said "will be spent", where the sources do not
    say it was set aside or allocated; a plan, not money spent.
    allocated: money the government set aside for a named programme, body or purpose (including
    "would be allocated"); still a plan unless a source says it was spent.
    spent: money a source says was spent.
    """

    called_for = "called-for"
    estimated_cost = "estimated-cost"
    cut = "cut"
    pledged = "pledged"
    allocated = "allocated"
    spent = "spent"


class FundingLine(Strict):
    """A sum of money attached to the reform or its context."""

    id: Slug
    """Permalink id."""
    title: Text
    """Short name of the sum."""
    kind: FundingKind
    """What the sum is: called-for, estimated-cost, cut, pledged, allocated or spent (see FundingKind)."""
    by: list[Slug] = []
    """Ids of the people or organisations (data/people.yaml) who committed, allocated or called for it."""
    purpose: Text
    """What the money is for, in the site's own words."""
    missions: list[Slug] = []
    """Ids of the missions it serves."""
    values: Annotated[list[ReportedMoney], Field(min_length=1)]
    """Every value reported for this sum; several when sources differ or the figure changed."""
    note: str | None = None
    """Why the reported values differ, when they do."""


class AreaKind(StrEnum):
    """What kind of place an area is."""

    council = "council"
    region = "region"
    partnership = "partnership"


class Area(Strict):
    """A council, region or partnership named as taking part in a programme."""

    id: Slug
    """Permalink id."""
    name: Text
    """Name as the sources give it."""
    kind: AreaKind
    """Council, region or partnership."""
    in_a_sentence: Text | None = None
    """The name as a sentence gives it, where it takes "the": "the South East" for South East."""


class Participation(Strict):
    """An area named as taking part in a programme."""

    area: Slug
    """Id of the area in data/areas.yaml."""
    citations: Citations
    """Where the area is named as taking part."""


class Pilot(Strict):
    """A pilot, pathfinder, early-adopter or trial programme."""

    id: Slug
    """Permalink id."""
    name: Text
    """Name of the programme."""
    purpose: Text
    """What it tests, in the site's own words."""
    missions: list[Slug] = []
    """Ids of the missions it serves."""
    recommendations: list[Slug] = []
    """Ids of the proposals it tests."""
    funding: list[Slug] = []
    """Ids of the funding lines that pay for it."""
    period: str | None = None
    """When it runs, as the sources word it."""
    area_counts: list[ReportedCount] = []
    """Every reported number of areas taking part, each with its source."""
    areas: list[Participation] = []
    """Every area named as taking part."""
    citations: Citations
    """Sources for the programme."""


class Event(Strict):
    """An event on the timeline, dated as precisely as its sources date it and no more."""

    id: Slug
    """Permalink id."""
    date: dt.date | None = None
    """When it happened or is planned (the first of the month or year when only those are known); a
    quote must hold it. Leave it out with precision: after."""
    precision: Precision = Precision.day
    """Whether the day, only the month or only the year is known, or only that it came after
    another event (then give `after` and no date)."""
    until: int | None = None
    """With precision: year, the last year the sources allow when they give a choice of years ("this
    year or next"): the site shows "2023 or 2024". With precision: span, the last year of the span: the
    site shows "2026-27". Either way a plan is due by the end of that year."""
    after: Slug | None = None
    """With precision: after, the id of the event in data/timeline.yaml this one followed."""
    title: Text
    """What happened, in a short line."""
    text: str | None = None
    """More detail, in the site's own words."""
    planned: bool = False
    """True when the sources report it as intended rather than done: shown as "planned, as reported
    on" the earliest dated source whose quote gives its date."""
    earliest: bool = False
    """True when a quote gives the date as the earliest ("from April 2026 at the earliest"), as the site then does."""
    related: list[Slug] = []
    """Ids of proposals, missions, pilots or funding lines it concerns."""
    lane: Lane | None = None
    """Lane of the timeline overview: review, government, pilots, money or politics (see Lane).
    Leave it out for pilots when it names a pilot, money when it names a funding line, else government."""
    citations: Citations
    """Sources for the event."""


GlossaryWords = Annotated[str, Field(min_length=1, max_length=100)]
"""A term or alias: every one becomes part of one regular expression, nested a level per letter."""


class Term(Strict):
    """A glossary term."""

    id: Slug
    """Permalink id and anchor."""
    term: GlossaryWords
    """The term as readers meet it."""
    aliases: list[GlossaryWords] = []
    """Other spellings or the acronym, each linked to this term where it appears."""
    definition: Text
    """Plain-English definition in the site's own words."""
    citations: Citations
    """Sources the definition rests on."""


class PartyKind(StrEnum):
    """Whether an entry is a person or an organisation."""

    person = "person"
    organisation = "organisation"


class Role(Strict):
    """A role someone held when a source named them."""

    role: Text
    """The role as the source gives it."""
    citations: Citations
    """Where they are named in this role (the earliest dated source among them dates the role)."""


class Party(Strict):
    """A person or organisation named in the sources."""

    id: Slug
    """Permalink id."""
    name: Text
    """Full name."""
    kind: PartyKind
    """Person or organisation."""
    aliases: list[Text] = []
    """An organisation's other names in its sources ("the department"): a quote saying one names it."""
    roles: Annotated[list[Role], Field(min_length=1)]
    """Roles at the time of each source."""


class ChangeKind(StrEnum):
    """What a change note records.

    correction: something the site said was wrong, and now says what its sources say.
    change: anything else, such as new items or a new way of showing them.
    """

    correction = "correction"
    change = "change"


class Change(Strict):
    """A dated note of a correction or change, shown on the items it touched and on the Corrections and
    changes page."""

    date: dt.date
    """When the change was made."""
    kind: ChangeKind = ChangeKind.change
    """correction when the site said something wrong; change (the default) for anything else."""
    summary: Text
    """What changed or was corrected, in one plain sentence."""
    why: Text | None = None
    """Why: for a correction, what was wrong and what the source says instead."""
    items: list[ItemRef] = []
    """Ids of the items it touched; kind/id where two kinds share the id."""


class Page(Strict):
    """Front matter of a Markdown page in content/."""

    title: Text
    """Page title."""
    description: Annotated[str, Field(min_length=1, max_length=300)]
    """One sentence for search results and link previews."""
    order: int = 100
    """Position in the navigation (lower first)."""
    nav: bool = True
    """Whether the page appears in the main navigation."""
    key_figures: list[str] = []
    """Home page only: the items whose headline figure the home page shows as a tile, each as
    kind/id (funding/stable-homes-200m, or a pilot, whose tile is its number of areas). The funding
    page opens with the funding lines among them, to answer "how much was called for, and how much was set aside"."""
    last_reviewed: dt.date | None = None
    """Home page only (content/index.md): the date the editors last checked the site against its
    sources. A plan due before then that no later source reports on says so ("no report since in
    our sources"). A fixed date, never today's, so a build gives the same pages whenever it runs."""
    about_the_site: list[str] = []
    """Figures and acronyms on this page that describe the site itself, not the reform (e.g. "2.2" of
    WCAG 2.2): they are exempt from the figure and glossary checks."""


class GuideQuestion(Strict):
    """A question a reader asks, with a short answer in plain words and the quotes it rests on."""

    question: Text
    """The question in the reader's own words."""
    answer: Text
    """A short answer in plain words. Every sum, count and date in it must be in one of its quotes,
    with the quote's qualifier ("up to 500")."""
    planned: bool = False
    """True when the answer is about a plan: shown as "Planned, as reported on" its date of report."""
    citations: Citations
    """The quotes the answer rests on; the earliest dated source among them dates the answer."""
    links: list[Slug] = []
    """Ids of items (proposals, programmes, funding lines, events, councils, terms…) where the reader
    can go on."""
    picture: fields.GuidePicture | None = None
    """A picture of the site's to show with the answer (see GuidePicture); a page shows each once."""


class Guide(Strict):
    """A page for one kind of reader (at /for/<id>/): their questions, each answered and cited."""

    id: Slug
    """Permalink id: the page is /for/<id>/."""
    title: Text
    """Heading of the page."""
    audience: Text
    """Who the page is for, in a few words, e.g. "Young people leaving care"."""
    reading_age: Annotated[int, Field(ge=7, le=25)]
    """The highest reading age (in years, UK) the page's text may need: `build.py check` measures it
    and fails above it (reading age = US grade + 5)."""
    intro: Text
    """One or two short sentences saying what the page answers."""
    questions: Annotated[list[GuideQuestion], Field(min_length=1)]
    """The readers' questions, in the order they are shown."""
    extras: list[fields.GuideExtra] = []
    """Parts of the site the page also shows: councils, downloads, method, how-to-cite."""

    @model_validator(mode="after")
    def _each_picture_once(self) -> Guide:
        shown = [question.picture for question in self.questions if question.picture]
        if len(shown) != len(set(shown)):
            raise ValueError("a page shows each picture once: give each `picture` to one question only")
        return self


DATA_FILES: dict[str, type[Strict]] = {
    "sources": Source,
    "themes": Theme,
    "missions": Mission,
    "recommendations": Recommendation,
    "funding": FundingLine,
    "areas": Area,
    "pilots": Pilot,
    "timeline": Event,
    "glossary": Term,
    "people": Party,
    "changes": Change,
    "guides": Guide,
}
"""Each data file, data/<name>.yaml, is a list of items of its model."""
