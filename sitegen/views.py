"""What the templates ask of the data: titles, citations, dates of reported values, who cites what.

Everything here is computed once per build from the resolved Site and handed to Jinja as globals, so
templates stay declarative. Every list is sorted, so the output is the same on every run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple

from . import models as m
from .claims import carriers
from .fields import Citation, Precision, ReportedCount, ReportedMoney, citations_in
from .formats import format_count, format_date, format_money, period_gives_years
from .quotes import normalised_quote
from .resolve import REFERENCES, Ref, Site
from .words import STATUS_WORDS, dated, title_of, year_anchor


class Quote(NamedTuple):
    """One citation of a source, with the item that makes it."""

    ref: Ref
    quote: str


class KeyFigure(NamedTuple):
    """A key figure as it is shown (see Views.key_figure)."""

    text: str
    value: ReportedMoney | ReportedCount
    """The value reported last: its date of report is shown when one date reports the figure."""
    span: tuple[dt.date, dt.date] | None
    """The first and newest dates of the reports that give the figure as shown; None for one date."""


class Views:
    """Questions templates ask about the site, answered from indexes built once."""

    def __init__(self, site: Site):
        self.site = site
        self._indexes: dict[tuple[str, str], dict[str, list[Any]]] = {}
        self._by_status: dict[str, list[m.Recommendation]] | None = None
        self._by_area: defaultdict[str, list[m.Pilot]] | None = None
        quotes: dict[str, dict[Quote, None]] = defaultdict(dict)  # each quote once, in order
        for kind in sorted(site.items):
            for item_id in sorted(site.items[kind]):
                ref = Ref(kind, item_id)
                for citation in site.links[ref][1]:
                    quotes[citation.source][Quote(ref, citation.quote)] = None
        self.quotes = {source_id: list(found) for source_id, found in quotes.items()}
        cited = [s.date for source_id, s in site.items["sources"].items() if s.date and source_id in self.quotes]
        self.latest = max(cited, default=None)
        """The date of the newest source the site cites: the site says where things stand as of this date."""
        home = next((page.meta for page in site.pages if page.slug == "index"), None)
        self.reviewed = home.last_reviewed if home else None
        """The date the editors last reviewed the site (content/index.md's last_reviewed), if given."""
        self._overdue: tuple[str, ...] | None = None

    def get(self, ref: Ref) -> Any:
        return self.site.items[ref.kind][ref.id]

    def title(self, ref: Ref) -> str:
        return title_of(self.get(ref))

    def related(self, event: m.Event) -> list[Ref]:
        """The items an event names in `related`, in its order (resolve_site made sure each id names one)."""
        return [Ref(kind, item_id) for item_id in event.related for kind in REFERENCES[(m.Event, "related")]
                if item_id in self.site.items[kind]]

    def source(self, source_id: str) -> m.Source:
        return self.site.items["sources"][source_id]  # type: ignore[no-any-return]

    def published_on(self, source_id: str) -> dt.date | None:
        return self.source(source_id).date

    def sources_of(self, item: Any) -> list[m.Source]:
        """Every source an item cites, newest first, undated last."""
        return self._newest_first({c.source for c in citations_in(item)})

    def cited_sources(self, cited: Any) -> list[m.Source]:
        """Each source an item (or a list of citations) cites, once, in the order first cited: a row's
        or a figure's "Sources"."""
        return [self.source(source_id) for source_id in dict.fromkeys(c.source for c in citations_in(cited))]

    def _newest_first(self, ids: set[str]) -> list[m.Source]:
        return sorted(map(self.source, ids), key=lambda s: (s.date is None, -(s.date or dt.date.min).toordinal(), s.id))

    def latest_date(self, item: Any) -> dt.date | None:
        """The date of the newest source an item's page rests on (what 'Cite this page' gives)."""
        dates = [s.date for s in self.sources_behind(item) if s.date]
        return max(dates) if dates else None

    def sources_behind(self, item: Any) -> list[m.Source]:
        """The sources an item's page rests on: a source page, the source itself; an area, the citations
        naming it in each programme; a theme or a mission, its own and those of the proposals (and a
        mission's programmes and money) its page lists; any other item, the sources it cites."""
        if isinstance(item, m.Source):
            return [item]
        if isinstance(item, m.Area):
            return self._newest_first({c.source for p in self.pilots_in_area(item.id) for a in p.areas
                                       if a.area == item.id for c in a.citations})
        listed: list[Any] = self.recommendations_where("themes", item.id) if isinstance(item, m.Theme) else []
        if isinstance(item, m.Mission):
            listed = [*self.recommendations_where("missions", item.id), *self.pilots_where("missions", item.id),
                      *self.funding_where("missions", item.id)]
        return self._newest_first({c.source for shown in (item, *listed) for c in citations_in(shown)})

    def reporting_source(self, value: Any) -> m.Source:
        """The source that dates a reported value (a sum, a count, a planned event, a development, a
        role): the earliest dated one among the citations whose quote holds the claim, else the first
        of those, undated (see claims.carriers). Every single date of report on the site comes from
        here; a guide's answer, which may rest on several reports, shows each (report_dates)."""
        carrying = carriers(value, self.published_on) or value.citations
        sources = [self.source(c.source) for c in carrying]
        dated = [s for s in sources if s.date]
        return min(dated, key=lambda s: (s.date, s.id)) if dated else sources[0]

    def reported_on(self, value: Any) -> dt.date | None:
        """The date a value was reported (see reporting_source); None when its source is undated."""
        return self.reporting_source(value).date

    def report_dates(self, question: m.GuideQuestion) -> list[dt.date]:
        """When a guide's answer was reported: the date of every dated source it cites, oldest first. An
        answer may put a report of 2023 beside one of 2024, and the reader sees both dates; one report
        gives the one date reported_on gives. Empty when its sources are undated."""
        return sorted({date for c in question.citations if (date := self.source(c.source).date)})

    def event_date(self, event: m.Event) -> str:
        """When an event happened or is due, in words, as precisely as its sources give it: "2 February
        2023", "July 2024", "April 2026 at the earliest", or "after “General election…” (July 2024)" for
        one known only to follow another."""
        if event.after is not None and event.date is None:
            anchor = self.anchor(event)
            return f"after “{anchor.title}” ({self.event_date(anchor)})"
        return dated(event)

    def anchor(self, event: m.Event) -> m.Event:
        """The event an event with precision: after followed."""
        return self.site.items["timeline"][event.after or ""]  # type: ignore[no-any-return]

    def event_group(self, event: m.Event) -> tuple[int, str]:
        """The year an event is listed under, and the heading of its group: its own year; for one that
        followed another, that one's year when its report is of the same year, else the span of years
        it may fall in ("Between 2015 and 2023", not a span's "2015 to 2023"; "2024 or later" for a plan);
        for a choice of years, both ("2023 or 2024")."""
        if event.date is not None:
            return event.date.year, format_date(event.date, "span" if event.precision is Precision.span else "year",
                                                event.until)
        year, heading = self.event_group(self.anchor(event))
        reported = None if event.planned else self.reported_on(event)
        if reported is None:
            return year, f"{year} or later"
        if heading == str(year) == str(reported.year):
            return year, heading
        return year, f"Between {year} and {reported.year}"

    def event_key(self, event: m.Event) -> tuple[Any, ...]:
        """Where an event is listed: by date, and one that followed another right after it (after that
        year's other events when its own year is uncertain, so each year's group stays together); one
        known only by its year after that year's dated events, since it may have fallen at any time."""
        year, heading = self.event_group(event)
        return (year, heading != str(year), heading, self.only_year_known(event), self._place(event))

    def only_year_known(self, event: m.Event) -> bool:
        """Whether the sources give only the year of an event (or of the one it followed)."""
        if event.date is None:
            return self.only_year_known(self.anchor(event))
        return event.precision.by_year

    def earliest_date(self, event: m.Event) -> dt.date:
        """The earliest an event may have happened: its date, or that of the dated event it came after."""
        return self._place(event)[0]  # type: ignore[no-any-return]

    def _place(self, event: m.Event) -> tuple[Any, ...]:
        if event.date is not None:
            return (event.date, event.id)
        return (*self._place(self.anchor(event)), event.id)

    def event_lane(self, event: m.Event) -> str:
        """The lane of the timeline overview an event sits in: its own, else pilots when it names a
        pilot, money when it names a funding line, else government (see Lane)."""
        if event.lane is not None:
            return event.lane.value
        kinds = {ref.kind for ref in self.related(event)}
        if "pilots" in kinds:
            return "pilots"
        if "funding" in kinds:
            return "money"
        return "government"

    def timeline_groups(self, events: Any) -> list[tuple[str, str, list[m.Event], int]]:
        """Events in time order under their group headings (see event_group), as (heading, anchor id,
        events, heading level): the timeline page and the print page list them so. Events known only by
        their year end their year's group, as a subgroup "Sometime in 2021" when it has dated events, so
        that each year has one heading."""
        groups: dict[str, list[m.Event]] = {}
        for event in sorted(events, key=self.event_key):
            heading = self.event_group(event)[1]
            if heading.isdigit() and self.only_year_known(event) and not all(
                    map(self.only_year_known, groups.get(heading, [event]))):
                heading = f"Sometime in {heading}"
            groups.setdefault(heading, []).append(event)
        return [(heading, year_anchor(heading), found, 3 if heading.startswith("Sometime in ") else 2)
                for heading, found in groups.items()]

    def timeline_years(self, events: Any) -> list[tuple[str, str]]:
        """Each year of the timeline once, as (year, anchor of its first group): the links at its top."""
        years: dict[str, str] = {}
        for heading, anchor, _found, _level in self.timeline_groups(events):
            years.setdefault(next(word[:4] for word in heading.split() if word[:4].isdigit()), anchor)
        return list(years.items())

    def due_by(self, event: m.Event) -> dt.date | None:
        """The last day a planned event's date allows (the end of its month, its year, or its `until`
        year); None when it is not a plan or has no date of its own."""
        if not event.planned or event.date is None:
            return None
        if event.precision.by_year:
            return dt.date(event.until or event.date.year, 12, 31)
        if event.precision is Precision.month:
            following = dt.date(event.date.year + event.date.month // 12, event.date.month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return event.date

    def overdue(self, event: m.Event) -> bool:
        """Whether a plan's date passed before the editors last reviewed the site with no later report
        (see overdue_ids): then the site says "no report since in our sources"."""
        return event.id in self.overdue_ids()

    def overdue_ids(self) -> tuple[str, ...]:
        """The plans due before the editors last reviewed the site (models.Page.last_reviewed) on which
        no source dated after the plan's own report says anything: none cited by the plan, by an item
        it names, or by an event that names it or one of those items. A wide net: the site says "no
        report since" only where nothing later could be about the plan. Worked out once a build."""
        if self._overdue is None:
            events = self.site.items["timeline"]
            naming: dict[str, list[m.Event]] = defaultdict(list)
            for _, other in sorted(events.items()):
                for named in {*other.related, *([other.after] if other.after else [])}:
                    naming[named].append(other)
            found: list[str] = []
            for event_id, event in sorted(events.items()):
                due, reported = self.due_by(event), self.reported_on(event)
                if due is None or reported is None or self.reviewed is None or due >= self.reviewed:
                    continue
                near: list[Any] = [event, *naming[event_id]]
                for ref in self.related(event):
                    near += [self.get(ref), *naming[ref.id]]
                if not any((self.source(c.source).date or dt.date.min) > reported
                           for item in near for c in citations_in(item)):
                    found.append(event_id)
            self._overdue = tuple(found)
        return self._overdue

    def quotes_from(self, source_id: str) -> list[Quote]:
        """Every quote the site takes from a source, by citing item."""
        return self.quotes.get(source_id, [])

    def citing(self, source_id: str) -> list[Ref]:
        """Every item that cites a source."""
        return sorted({q.ref for q in self.quotes_from(source_id)}, key=lambda r: (r.kind, r.id))

    def backlinks(self, ref: Ref) -> list[Ref]:
        """Items that name this one, less those its page lists already: those naming a mission or a
        theme in their `missions` or `themes` (a source's page lists the items citing it)."""
        kinds = {"missions": ("recommendations", "pilots", "funding"), "themes": ("recommendations",)}
        listed = {Ref(kind, item.id) for kind in kinds.get(ref.kind, ())
                  for item in self._where(kind, ref.kind, ref.id)}
        return [other for other in self.site.backlinks.get(ref, []) if other not in listed]

    def changes(self, ref: Ref) -> list[m.Change]:
        return sorted(self.site.changes_for.get(ref, []), key=lambda c: (c.date, c.summary), reverse=True)

    def _where(self, kind: str, field: str, value: str) -> list[Any]:
        """Items of kind whose list field holds value, by id, from an index of each (kind, field) made once per build:
        every list and filter page asks, and a scan each time would grow with the square of the items."""
        index = self._indexes.get((kind, field))
        if index is None:  # kept only once whole: a page stopped while making it leaves none
            index = {}
            for _, item in sorted(self.site.items[kind].items()):
                for held in dict.fromkeys(getattr(item, field)):
                    index.setdefault(held, []).append(item)
            self._indexes[(kind, field)] = index
        return index.get(value, [])

    def recommendations_where(self, field: str, value: str) -> list[m.Recommendation]:
        """Proposals whose list field (themes, missions) holds value, by id."""
        return self._where("recommendations", field, value)

    def by_status(self, status: str) -> list[m.Recommendation]:
        if self._by_status is None:
            by_status: dict[str, list[m.Recommendation]] = {}
            for _, r in sorted(self.site.items["recommendations"].items()):
                by_status.setdefault(r.response.status.value, []).append(r)
            self._by_status = by_status
        return self._by_status.get(status, [])

    def theme_statuses(self) -> list[tuple[str, str, list[m.Recommendation]]]:
        """Each theme's proposals by status, as (theme id, status, proposals), for the pages that
        filter a theme by status; a status none of the theme's proposals has is left out."""
        found: list[tuple[str, str, list[m.Recommendation]]] = []
        for theme_id in sorted(self.site.items["themes"]):
            by_status: dict[str, list[m.Recommendation]] = {}
            for r in self.recommendations_where("themes", theme_id):
                by_status.setdefault(r.response.status.value, []).append(r)
            found += [(theme_id, status, by_status[status]) for status in STATUS_WORDS if status in by_status]
        return found

    def statuses_within(self, theme_id: str) -> list[tuple[str, int]]:
        """Each status in reading order with its number of the theme's proposals (none left out)."""
        in_theme = self.recommendations_where("themes", theme_id)
        counts = [(s, sum(r.response.status.value == s for r in in_theme)) for s in STATUS_WORDS]
        return [(s, n) for s, n in counts if n]

    def statuses(self) -> list[tuple[str, int]]:
        """Each status in reading order with its number of proposals (statuses with none left out)."""
        counts = [(s, len(self.by_status(s))) for s in STATUS_WORDS]
        return [(s, n) for s, n in counts if n]

    def pilots_where(self, field: str, value: str) -> list[m.Pilot]:
        return self._where("pilots", field, value)

    def pilots_in_area(self, area_id: str) -> list[m.Pilot]:
        """The programmes that name an area, by id."""
        if self._by_area is None:
            by_area: defaultdict[str, list[m.Pilot]] = defaultdict(list)
            for _, pilot in sorted(self.site.items["pilots"].items()):
                for named in dict.fromkeys(a.area for a in pilot.areas):
                    by_area[named].append(pilot)
            self._by_area = by_area
        return list(self._by_area.get(area_id, []))

    def area_programmes(self, area_id: str) -> list[tuple[m.Pilot, m.Participation, list[tuple[m.FundingLine,
                                                                                              ReportedMoney]]]]:
        """What an area's page opens with: each programme the sources name it in, the citation that names
        it, and each funding line of the programme with one reported value: the value its naming source
        also reports, else the earliest reported (the funding line's page lists every value)."""
        found = []
        for pilot in self.pilots_in_area(area_id):
            named = next(a for a in pilot.areas if a.area == area_id)
            naming = {c.source for c in named.citations}
            money = []
            for line in self.funding_by(pilot.funding):
                same = [v for v in line.values if naming & {c.source for c in v.citations}]
                money.append((line, same[0] if same else min(
                    line.values, key=lambda v: (self.reported_on(v) or dt.date.max, line.values.index(v)))))
            found.append((pilot, named, money))
        return found

    @staticmethod
    def programme_citations(programmes: list[tuple[m.Pilot, m.Participation, list[Any]]]) -> list[Citation]:
        """The citations behind an area's opening sentence (area_programmes): each quote once, in order."""
        first: dict[tuple[str, str], Citation] = {}
        for _, named, money in programmes:
            for c in [*named.citations, *citations_in([value for _, value in money])]:
                first.setdefault((c.source, c.quote), c)
        return list(first.values())

    def areas_by_quotes(self, pilot: m.Pilot) -> list[tuple[list[m.Area], list[Citation]]]:
        """A programme's areas, A to Z, grouped by the quotes naming them: one quote often names several."""
        areas = self.site.items["areas"]
        groups: dict[tuple[tuple[str, str], ...], tuple[list[m.Area], list[Citation]]] = {}
        for part in sorted(pilot.areas, key=lambda part: areas[part.area].name):
            key = tuple((c.source, c.quote) for c in part.citations)
            groups.setdefault(key, ([], part.citations))[0].append(areas[part.area])
        return list(groups.values())

    def funding_where(self, field: str, value: str) -> list[m.FundingLine]:
        return self._where("funding", field, value)

    def funding_by(self, ids: list[str]) -> list[m.FundingLine]:
        return [self.site.items["funding"][i] for i in sorted(ids)]

    def headline(self, values: Sequence[ReportedMoney | ReportedCount]) -> Any:
        """The value a key figure shows: the one reported last (the first of them when reported on the
        same date), so a figure that changed over time shows where it stood at the newest report."""
        newest = max((self.reported_on(v) or dt.date.min for v in values), default=dt.date.min)
        return next(v for v in values if (self.reported_on(v) or dt.date.min) == newest)

    def key_figure(self, values: Sequence[ReportedMoney | ReportedCount]) -> KeyFigure:
        """A key figure as the home page's tiles and the funding page's answer show it: the figure
        reported last (see headline), and the first and newest dates of the reports that give it as
        shown. A sum with a period is given with the period alone ("£200m (2023-25)"), unless the period says
        its years ("£1bn over the first two years"). When every source gives the same sum, qualifier and
        each_year but words its years or period differently, the sum is shown without them, so no
        wording is put under the date of a report that worded it otherwise. A value's every citation
        whose quote holds the figure counts (see claims.carriers), not only its first report."""
        def whole(value: ReportedMoney | ReportedCount) -> tuple[Any, ...]:
            if isinstance(value, ReportedCount):
                return value.count, value.qualifier
            money = value.money
            return money.amount, money.qualifier, money.each_year, money.years, money.period

        def bare(value: ReportedMoney | ReportedCount) -> tuple[Any, ...]:
            return whole(value)[:3]

        same = bare if len({whole(v) for v in values}) > 1 and len({bare(v) for v in values}) == 1 else whole
        headline = self.headline(values)
        if isinstance(headline, ReportedCount):
            text = format_count(headline)
        else:
            money = headline.money
            shown = ({"years": None, "period": None} if same is bare
                     else {"years": None} if money.period and not period_gives_years(money) else {})
            text = format_money(money.model_copy(update=shown))
        figure = same(headline)
        dates = sorted({date for v in values if same(v) == figure for c in carriers(v, self.published_on)
                        or v.citations if (date := self.published_on(c.source))})
        return KeyFigure(text, headline, (dates[0], dates[-1]) if len(dates) >= 2 else None)

    def values_differ(self, values: Sequence[ReportedMoney | ReportedCount]) -> bool:
        """Whether the sources disagree (then the values are shown under "Sources differ"): see disagree."""
        return any(disagree(a, b) for index, a in enumerate(values) for b in values[index + 1:])


SPAN_FIELDS = ("years", "period")
"""The parts of a sum that say how long it covers: a value that leaves one out does not contradict one that gives it."""


def disagree(a: ReportedMoney | ReportedCount, b: ReportedMoney | ReportedCount) -> bool:
    """Whether two reported values are a disagreement between sources: their figures differ (amount or
    count, qualifier, or years or period where both give them) and no one citation holds both. A quote
    that gives both figures reports a change (a rise from one to the other), not a disagreement; and a
    sum for one year that is smaller than a sum given without years or period may be part of it."""
    if {(c.source, normalised_quote(c.quote)) for c in a.citations} & {
            (c.source, normalised_quote(c.quote)) for c in b.citations}:
        return False
    if isinstance(a, ReportedMoney) and isinstance(b, ReportedMoney):
        year, whole = (a.money, b.money) if a.money.years == 1 else (b.money, a.money)
        if year.years == 1 and whole.years is None and whole.period is None and year.amount < whole.amount:
            return False
        first, second = a.money.model_dump(), b.money.model_dump()
        for name in SPAN_FIELDS:
            if first[name] is None or second[name] is None:
                del first[name], second[name]
        return first != second
    return a.model_dump(exclude={"citations"}) != b.model_dump(exclude={"citations"})

