"""Every dataset as CSV (one flat table, for spreadsheets) and JSON (the full records, for programs).

The CSV rows match the rows of the table the site shows for the same data, so a reader who
downloads a table gets what they saw; and, since a row is read alone, each carries what the
page's links and notes give: a sum's purpose, what each kind of sum and response means, and the
source of each reported count. Output is sorted and has no timestamps: the same data gives
the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from . import models as m
from .fields import citations_in
from .formats import format_count, format_money
from .resolve import REFERENCES, Site
from .views import Views
from .words import FUNDING_KIND_HELP, KIND_SINGULAR, STATUS_HELP, STATUS_TEST, STATUS_WORDS, title_of

Row = dict[str, str]


def _join(values: list[str]) -> str:
    return "; ".join(values)


def _cited(citations: list[Any]) -> str:
    """The sources of some citations, each once, in order: an article cited twice is one source."""
    return _join(list(dict.fromkeys(c.source for c in citations)))


def _sources(item: Any) -> str:
    return _join(sorted({c.source for c in citations_in(item)}))


def _date(value: dt.date | None, precision: str = "day") -> str:
    """An ISO 8601 date, no more precise than its sources: 2023-09-01, 2023-09 or 2023."""
    text = value.isoformat() if value else ""
    return text[:4] if precision in ("year", "span") else text[:7] if precision == "month" else text


def _amount(amount: float) -> str:
    return f"{amount:.0f}" if amount == int(amount) else f"{amount}"


FIRST_RESPONSE = " The label describes the government's first response; what happened later is in the column “later”."
"""As the About page says it, for a row of the proposals download read alone."""


def recommendation_rows(site: Site, views: Views) -> Iterable[Row]:
    """One row per proposal, made as it is written: the largest kind's rows are never all in memory."""
    ordered = sorted(site.items["recommendations"].values(), key=lambda r: (r.title.lower(), r.id))
    return (_recommendation_row(r, views) for r in ordered)


def _recommendation_row(r: m.Recommendation, views: Views) -> Row:
    return {
        "id": r.id, "title": r.title, "review": r.review.value, "proposal": r.proposal,
        "themes": _join(r.themes), "missions": _join(r.missions),
        "response_status": r.response.status.value, "response": STATUS_WORDS[r.response.status.value],
        "response_meaning": STATUS_HELP[r.response.status.value] + FIRST_RESPONSE,
        "response_test": STATUS_TEST[r.response.status.value], "response_detail": r.response.detail,
        "later": _join([f"reported {_date(views.reported_on(d)) or 'undated'}: {d.text}" for d in r.later]),
        "sources": _sources(r),
    }


def funding_order(site: Site) -> list[m.FundingLine]:
    """Sums by kind, in the order the kinds are listed in the model (called for first); the largest
    first within each kind (as the chart)."""
    kinds = list(m.FundingKind)
    return sorted(site.items["funding"].values(),
                  key=lambda f: (kinds.index(f.kind), -max(v.money.amount for v in f.values), f.id))


def funding_rows(site: Site, views: Views) -> list[Row]:
    """One row per reported value: a sum that sources report differently has several rows."""
    rows: list[Row] = []
    for line in funding_order(site):
        for number, value in enumerate(line.values, start=1):
            rows.append({
                "id": line.id, "figure_number": str(number), "title": line.title, "purpose": line.purpose,
                "kind": line.kind.value, "kind_meaning": FUNDING_KIND_HELP[line.kind.value],
                "by": _join(line.by), "missions": _join(line.missions),
                "qualifier": value.money.qualifier or "", "amount_gbp": _amount(value.money.amount),
                "years": str(value.money.years or ""), "each_year": "yes" if value.money.each_year else "",
                "period": value.money.period or "",
                "figure": format_money(value.money), "reported_on": _date(views.reported_on(value)),
                "sources": _cited(value.citations),
                "note": line.note or "",
            })
    return rows


def pilot_rows(site: Site, views: Views) -> list[Row]:
    return [
        {
            "id": p.id, "name": p.name, "purpose": p.purpose, "period": p.period or "",
            "missions": _join(p.missions), "recommendations": _join(p.recommendations),
            "funding": _join(p.funding), "funding_titles": _join([site.items["funding"][f].title for f in p.funding]),
            "areas": _join(sorted(a.area for a in p.areas)),
            "area_counts": _join([f"{format_count(c)} (reported {_date(views.reported_on(c)) or 'undated'},"
                                  f" {views.reporting_source(c).id})" for c in p.area_counts]),
            "sources": _sources(p),
        }
        for _, p in sorted(site.items["pilots"].items())
    ]


def area_rows(site: Site, views: Views) -> list[Row]:
    return [
        {"id": a.id, "name": a.name, "kind": a.kind.value,
         "programmes": _join([p.id for p in views.pilots_in_area(a.id)])}
        for a in sorted(site.items["areas"].values(), key=lambda a: (a.name.lower(), a.id))
    ]


def timeline_rows(site: Site, views: Views) -> list[Row]:
    return [
        {"id": e.id, "date": _date(e.date, e.precision.value) + (f"/{e.until}" if e.until else ""),
         "precision": e.precision.value, "earliest": "yes" if e.earliest else "", "after": e.after or "",
         "when": views.event_date(e), "planned": "yes" if e.planned else "no",
         "reported_on": _date(views.reported_on(e)), "title": e.title, "text": e.text or "",
         "related": _join(e.related),
         "related_titles": _join([title_of(views.get(ref), quoted=False) for ref in related]),
         "related_kinds": _join([KIND_SINGULAR[ref.kind] for ref in related]),
         "sources": _sources(e)}
        for e in sorted(site.items["timeline"].values(), key=views.event_key)
        for related in [views.related(e)]
    ]


def glossary_rows(site: Site, views: Views) -> list[Row]:
    return [
        {"id": t.id, "term": t.term, "aliases": _join(t.aliases), "definition": t.definition, "sources": _sources(t)}
        for t in sorted(site.items["glossary"].values(), key=lambda t: (t.term.lower(), t.id))
    ]


def source_rows(site: Site, views: Views) -> list[Row]:
    return [
        {"id": s.id, "title": s.title, "outlet": s.outlet, "author": s.author or "", "date": _date(s.date),
         "url": s.url or "", "cited_by": str(len(views.citing(s.id)))}
        for _, s in sorted(site.items["sources"].items())
    ]


def people_rows(site: Site, views: Views) -> list[Row]:
    """One row per role: a person named in several roles over time has several rows."""
    return [
        {"id": p.id, "name": p.name, "kind": p.kind.value, "role": role.role,
         "reported_on": _date(views.reported_on(role)),
         "sources": _cited(role.citations)}
        for _, p in sorted(site.items["people"].items())
        for role in p.roles
    ]


def mission_rows(site: Site, views: Views) -> list[Row]:
    return [
        {"id": x.id, "number": str(x.number), "title": x.title, "summary": x.summary,
         "target_year": str(x.target_year or ""), "sources": _sources(x)}
        for x in sorted(site.items["missions"].values(), key=lambda x: x.number)
    ]


def theme_rows(site: Site, views: Views) -> list[Row]:
    return [
        {"id": t.id, "title": t.title, "description": t.description,
         "proposals": _join([r.id for r in views.recommendations_where("themes", t.id)])}
        for _, t in sorted(site.items["themes"].items())
    ]


ROWS: dict[str, Callable[[Site, Views], Iterable[Row]]] = {
    "recommendations": recommendation_rows,
    "missions": mission_rows,
    "pilots": pilot_rows,
    "funding": funding_rows,
    "timeline": timeline_rows,
    "glossary": glossary_rows,
    "sources": source_rows,
    "people": people_rows,
    "areas": area_rows,
    "themes": theme_rows,
}
"""Each dataset and how it is flattened into CSV rows."""

CSV_DRAWS: dict[str, tuple[str, ...]] = {
    "recommendations": ("recommendations", "sources"),  # a later development's date of report is its source's
    "missions": ("missions",),
    "pilots": ("pilots", "sources", "funding"),
    "funding": ("funding", "sources"),
    "timeline": ("timeline", "sources", *REFERENCES[(m.Event, "related")]),
    "glossary": ("glossary",),
    "people": ("people", "sources"),
    "areas": ("areas", "pilots"),
    "themes": ("themes", "recommendations"),
}
"""The kinds each CSV's rows read (its page job's dependencies); the sources' counts the items citing
each source, so it reads every kind. A JSON download holds its own kind only."""


def csv_text(rows: list[Row]) -> str:
    """CSV with a header row and Unix line ends; empty when there are no rows."""
    return "".join(csv_lines(rows))


def csv_lines(rows: Iterable[Row]) -> Iterator[str]:
    """csv_text line by line: a data download is written as it is made."""
    fields: list[str] = []
    for row in rows:
        if not fields:
            fields = list(row)
            yield csv_line(tuple(fields))
        yield csv_line(tuple(row[name] for name in fields))


def csv_line(values: tuple[str, ...]) -> str:
    """One CSV record."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([as_text(value) for value in values])
    return buffer.getvalue()


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is a formula to a spreadsheet, which runs it when the file is opened."""


def as_text(cell: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a single quote first,
    as OWASP advises against CSV injection (a title "=HYPERLINK(…)" stays a title)."""
    return f"'{cell}" if cell.startswith(FORMULA_START) else cell


def _dump(item: BaseModel) -> str:
    """An item's JSON record, indented as a member of the array: pydantic's own JSON, indented by one
    space as json.dumps(indent=1, ensure_ascii=False) would write it (the same text but for numbers
    under 0.0001, written 5e-05 by json and 0.00005 here), without the closures that json's indenting
    encoder makes for every call: cycles, which a build without the cycle collector never frees."""
    return " " + item.model_dump_json(indent=1).replace("\n", "\n ")


def json_text(items: list[Any]) -> str:
    """The full records as a JSON array, as the data files hold them (indented by one space)."""
    return "".join(json_parts(items))


def json_parts(items: list[Any]) -> Iterator[str]:
    """json_text record by record, written as it is made."""
    if not items:
        yield "[]\n"
        return
    yield "[\n"
    for number, item in enumerate(items, start=1):
        yield _dump(item)
        yield ",\n" if number < len(items) else "\n]\n"


def dataset_parts(site: Site, views: Views, kind: str, fmt: str) -> Iterator[str]:
    """data/<kind>.csv or data/<kind>.json, a record at a time."""
    if fmt == "csv":
        return csv_lines(ROWS[kind](site, views))
    return json_parts(sorted(site.items[kind].values(), key=lambda item: item.id))


def change_files(changes: list[m.Change]) -> dict[str, str]:
    """data/changes.csv and data/changes.json: the change notes, newest first."""
    return {
        "data/changes.csv": csv_text([
            {"date": _date(c.date), "kind": c.kind.value, "summary": c.summary, "why": c.why or "",
             "items": _join(c.items)} for c in changes
        ]),
        "data/changes.json": json_text(changes),
    }


CHUNK_CHARACTERS = 1 << 20
"""A page is written about this many characters at a time (see joined_in_chunks): a small page at once."""


def joined_in_chunks(texts: Iterable[str]) -> Iterator[str]:
    """The texts joined about CHUNK_CHARACTERS at a time, so that a large page is never one string."""
    waiting: list[str] = []
    size = 0
    for text in texts:
        waiting.append(text)
        size += len(text)
        if size >= CHUNK_CHARACTERS:
            yield "".join(waiting)
            waiting, size = [], 0
    yield "".join(waiting)
