"""The site's words for things: section headings, statuses, kinds of money, timeline lanes, who
proposed what, and each item's title and one-line description.

Plain tables and functions of an item, below both the page plan and the templates, so that every
page and list names a thing the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import models as m
from .formats import format_date

KIND_TITLES: dict[str, str] = {
    "recommendations": "Review versus response",
    "missions": "Missions",
    "pilots": "Pilots",
    "funding": "Money",
    "timeline": "Timeline",
    "glossary": "Glossary",
    "sources": "Sources",
    "people": "People and organisations",
    "areas": "Councils and regions",
    "themes": "Themes",
}
"""The item kinds that get a list page and a permalink page per item, with their headings."""

SECTION_TITLES: dict[str, str] = {"guides": "For readers", **KIND_TITLES}
"""Each section's name in the main menu and the breadcrumbs: the item kinds' list headings, and the guides'
(their list, under for/, has a longer heading)."""

NAV_SECTIONS = ("guides", "recommendations", "missions", "pilots", "funding", "timeline", "glossary", "sources")
"""The sections in the main menu, in order (the guides only when there are some: their list is built only then)."""

STATUS_WORDS: dict[str, str] = {
    "accepted": "Accepted",
    "accepted-in-part": "Accepted in part",
    "to-be-tested": "To be tested first",
    "consultation": "Put out to consultation",
    "rejected": "Rejected",
    "not-addressed": "Not addressed",
    "unclear": "Unclear",
}
"""Each response status in words; the order is the order readers see them in."""

STATUS_HELP: dict[str, str] = {
    "accepted": "The government said it would do what was proposed.",
    "accepted-in-part": "The government took up part of the proposal, or a smaller version of it.",
    "to-be-tested": "The government said it would first try the idea in some areas.",
    "consultation": "The government said it would ask for views on the proposal.",
    "rejected": "The government said it would not do what was proposed.",
    "not-addressed": "The government's response did not deal with the proposal.",
    "unclear": "The sources do not make the government's answer clear.",
}
"""Each status in one sentence, as the About page gives it before the test for it."""

STATUS_TEST: dict[str, str] = {
    "accepted": "A source says the government accepted or backed the proposal, or says it will carry it out."
                " Testing how to do it first, for example in a few areas, does not change the label.",
    "accepted-in-part": "A source says the government will do some of what was proposed, but not all of it.",
    "to-be-tested": "A source says the proposal will be trialled, tested or piloted, and no source says the"
                    " government accepted it.",
    "consultation": "A source says the government will consult, or is consulting, on this proposal in particular,"
                    " and no source says the government accepted it. The February 2023 strategy as a whole was a"
                    " draft for consultation, and that alone does not give this label. We use this label even where"
                    " a source also says the government plans to go ahead, because the consultation was its first"
                    " response.",
    "rejected": "A source says the government rejected the proposal or did not take it up.",
    "not-addressed": "A source says the response did not mention the proposal.",
    "unclear": "The sources say only that the government will explore or consider the idea, or what they say fits"
               " none of the other labels' tests.",
}
"""Each status's test, as the About page gives it, for the proposals download, whose rows are read alone."""

KIND_SINGULAR: dict[str, str] = {
    "recommendations": "Proposal",
    "missions": "Mission",
    "pilots": "Programme",
    "funding": "Sum of money",
    "timeline": "Event",
    "glossary": "Glossary term",
    "sources": "Source",
    "people": "Person or organisation",
    "areas": "Council or region",
    "themes": "Theme",
    "guides": "Guide",
}

FUNDING_KIND_WORDS: dict[str, str] = {
    "called-for": "Called for",
    "estimated-cost": "Estimated cost",
    "cut": "Cut",
    "pledged": "Pledged",
    "allocated": "Allocated",
    "spent": "Spent",
}
"""Each kind of sum in words: the label of its rows and the heading of its group, in the order shown."""

FUNDING_KIND_HELP: dict[str, str] = {
    "called-for": "Money someone asked to be spent, such as the care review's costing of its proposals.",
    "estimated-cost": "What someone estimated a thing costs or would cost; nobody promised or asked for it.",
    "cut": "Money taken away, or forecast to be.",
    "pledged": "Money the government promised, announced or said would be spent, where our sources do not say it"
               " was set aside or allocated; a plan, not money spent.",
    "allocated": "Money the government set aside, or said it would set aside, for a named programme, body or"
                 " purpose; a plan unless a source says it was spent.",
    "spent": "Money a source says was spent.",
}
"""Each kind of sum in one sentence (models.FundingKind), for the funding download, whose rows are read alone."""

LANE_WORDS: dict[str, str] = {
    "review": "Reviews and evidence",
    "government": "Government",
    "pilots": "Pilots",
    "money": "Money",
    "politics": "Politics",
}
"""Each lane of the timeline overview in words, top to bottom."""

REVIEW_WORDS: dict[str, str] = {
    "care-review": "Independent Review of Children's Social Care",
    "cma": "Competition and Markets Authority study",
    "safeguarding-panel": "Child Safeguarding Practice Review Panel",
}

PROPOSED_BY: dict[str, str] = {
    "care-review": "the review",
    "cma": "the Competition and Markets Authority",
    "safeguarding-panel": "the Child Safeguarding Practice Review Panel",
}
"""Each body that made proposals, as a sentence names it: "What the review proposed"."""

SITE_NAME = "Children's social care reform explained"


def dated(event: Any) -> str:
    """An event's own date in words, as precisely as its sources give it, and "at the earliest" when
    they give it so ("April 2026 at the earliest")."""
    when = format_date(event.date, event.precision.value, event.until)
    return f"{when} at the earliest" if event.earliest else when


def title_of(item: Any, quoted: bool = True) -> str:
    """The name readers know an item by, whatever its kind calls the field. A mission's title is the
    government's own words ("By 2027, we will see …"), so a page gives it as a quotation; the
    downloads give the words alone (quoted=False), as data."""
    if isinstance(item, m.Mission) and quoted:
        return f"“{item.title}”"
    for name in ("title", "name", "term"):
        value = getattr(item, name, None)
        if isinstance(value, str):
            return value
    raise TypeError(f"no title on {type(item).__name__}")


def shorten(text: str, limit: int = 160) -> str:
    """Cut text at a word boundary to fit a meta description."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def describe_item(kind: str, item: Any, reported: dt.date | None = None) -> str:
    """A one-sentence description of an item's page, unique because it names the item. A planned
    event's gives, as its page does, the date its plan was reported (reported: views.reported_on)."""
    name = title_of(item)
    if kind == "recommendations":
        text = (f"{name}: what {PROPOSED_BY[item.review]} proposed and the government's response"
                f" ({STATUS_WORDS[item.response.status]}).")
    elif kind == "missions":
        text = f"Mission {item.number}: {name}"
    elif kind == "pilots":
        text = f"{name}: what the programme is for, and what the sources say about its areas, money and dates."
    elif kind == "funding":
        text = f"{name}: every reported figure with its source and date."
    elif kind == "timeline":
        when = dated(item) if item.date else "date not given"
        as_reported = f"as reported on {format_date(reported)}" if reported else "as reported in an undated source"
        text = f"Planned, {as_reported}: due {when}. {name}" if item.planned else f"Event, {when}: {name}"
    elif kind == "glossary":
        text = f"{name}: {item.definition}"
    elif kind == "sources":
        text = f"{name} ({item.outlet}, {format_date(item.date)}): the facts this site takes from it."
    elif kind == "people":
        text = f"{name}: roles as the sources give them, and where they appear on this site."
    elif kind == "areas":
        text = f"{name}: the programmes the sources name it in, and how."
    elif kind == "themes":
        text = f"Proposals on {name.lower()}: {item.description}"
    else:
        text = name
    return shorten(text)


def year_anchor(heading: str) -> str:
    """The id of a timeline group's heading: "y2024", "y2024-sometime", "y2015-2023" (between them),
    "y2024-later", "y2023-or-2024"."""
    if heading.startswith("Sometime in "):
        return f"y{heading.removeprefix('Sometime in ')}-sometime"
    if heading.startswith("Between "):
        return "y" + heading.removeprefix("Between ").replace(" and ", "-")
    return "y" + heading.replace(" or later", "-later").replace(" or ", "-or-")
