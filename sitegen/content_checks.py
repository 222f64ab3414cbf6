"""Editorial checks: figures in pages must come from the data, acronyms must be in the glossary,
values must say what their quotes say, and the site's own sentences should stay short.

A figure written in content/ Markdown that no data value or cited quote contains is an error, so prose
cannot drift from the checked data. A reported sum or count must be in one of its quotes, with the
qualifier the quote gives it ("up to 12"); a date must be in a quote to the precision claimed. The
site's own sentences are held to the quotes beside them by own_words. Long sentences are warnings:
plain English is a goal, not a gate.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from . import models as m
from .answers import answer_problems
from .cache import digest
from .characters import describe_zero_width, zero_width_character
from .claims import (
    FIGURE,
    KIND_WORDS,
    Figure,
    Models,
    figures_of,
    item_figures,
    located_models,
    money_figures,
    normalise_figure,
    said_each_year,
    said_spent,
)
from .errors import Collector, Finding, Problem, blanked, position
from .event_dates import check_after_chains, event_date_problems
from .fields import ReportedCount, ReportedMoney
from .formats import format_amount
from .markup import as_read, contact_message, find_contacts
from .own_words import (
    PROSE_FIELDS,
    Organisations,
    citations_of_parts,
    names_of,
    organisations_of,
    own_prose,
    unheld_dates,
    unheld_figures,
    unnamed_organisations,
    unnamed_people,
)
from .quote_dates import Published, date_marks, quoted_dates
from .quotes import normalised_quote
from .readability import (
    LONG_SENTENCE,
    MARKDOWN_NOT_PROSE,
    Counts,
    acronym_message,
    check_kind_reading_ages,
    check_reading_ages,
    long_sentences,
    prose_counts,
    unknown_acronyms,
)
from .resolve import Located, PageSource, Site, item_links


@dataclass
class ItemChecks:
    """What the checks found in one item. They are the same for the same item, glossary, people's
    names and sources' dates, so a build keeps them by the hash of the four (BuildCache.checks) and
    checks again only the items that changed."""

    findings: list[Finding]
    counts: Counts
    """The reading age's counts of the item's own words (readability.prose_counts)."""
    figures: frozenset[str] | None = None
    """Gathered only when a content page has figures to check against the data."""
    sums: tuple[Figure, ...] | None = None
    """The sums its quotes give, gathered only when a content page gives a sum (check_page_figures)."""


def check_item(item: BaseModel, words: frozenset[str], published: Published,
               names: frozenset[str], organisations: Organisations) -> list[Finding]:
    """Acronyms missing from the glossary (errors) and long sentences (warnings) in one item's prose;
    values or dates its quotes do not hold; sums, percentages, counts, dates, people and organisations
    in its own words that the quotes beside them do not give (own_words); citations repeated within one
    list (errors); contact details (errors) and zero-width characters (warnings) in any of its text."""
    strings = list(_strings(item, ()))
    models = list(located_models(item))
    found = check_claims(item, models, published) + repeated_citations(item)
    prose, everything = own_prose(models), citations_of_parts(models)
    if prose and not isinstance(item, m.Change):  # a change note gives the site's own old words, which it corrects
        found += unnamed_people(prose, everything, names) + unnamed_organisations(prose, everything, organisations)
        if not isinstance(item, m.Guide):  # an answer's figures are checked against its own quotes (answers.py)
            found += unheld_figures(prose, everything) + unheld_dates(prose, everything, published)
    for loc, text, is_prose in strings:
        if not text.isprintable() and (invisible := zero_width_character(text)):
            found.append(Finding(loc, invisible.start(), describe_zero_width(invisible.group()), True))
        if contacts := find_contacts(as_read(text)):
            contact = contacts[0]
            found.append(Finding(loc, contact.start() if loc[-1] == "body" else None, contact_message(contact), False))
        if not is_prose:
            continue
        is_markdown = loc[-1] == "body"
        if is_markdown:  # skip code and link targets, point at the very word
            text = blanked(MARKDOWN_NOT_PROSE, text)
        for match in unknown_acronyms(text, words):
            found.append(Finding(loc, match.start() if is_markdown else None, acronym_message(match.group()), False))
        for sentence in long_sentences(text):
            found.append(Finding(loc, None, f"warning: a sentence of {len(sentence.split())} words; aim for under"
                                            f" {LONG_SENTENCE}: {sentence[:60]}…", True))
    return found


POINTING_WORDS = frozenset({"He", "She", "They", "It", "His", "Her", "Their", "Its", "This", "These", "That",
                            "Those"})
"""Words that point back to something said before: a later entry has no "before" on its page."""


def check_claims(item: BaseModel, models: Models, published: Published) -> list[Finding]:
    """Every sum and count in one of its quotes with the quote's qualifier; every date in a quote to
    its precision; an event's date, precision and `after` consistent; no later entry that opens by
    pointing back to another."""
    found: list[Finding] = []
    for loc, model in models:
        if isinstance(model, ReportedMoney | ReportedCount):
            found.extend(_figure_findings(model, loc))
        first = re.split(r"[^A-Za-z]", model.text, maxsplit=1)[0] if isinstance(model, m.Development) else ""
        if first in POINTING_WORDS:
            found.append(Finding((*loc, "text"), None, f'a later entry is shown on its own, under its own date, so'
                                 f' "{first}" points to nothing: begin with who or what it is about', False))
    if isinstance(item, m.Event):
        found.extend(Finding(loc, None, message, False)
                     for loc, message in event_date_problems(item, quoted_dates(item.citations, published)))
    if isinstance(item, m.Guide):
        for field in ("title", "intro"):
            if FIGURE.search(getattr(item, field)):
                found.append(Finding((field,), None, f"a guide's {field} holds no figure, as it has no quote to hold"
                                                     " it; put the figure in an answer whose quote gives it", False))
        for index, question in enumerate(item.questions):
            found.extend(Finding(("questions", index, "answer"), None, message, False)
                         for message in answer_problems(question, published))
            written = {normalise_figure(f) for c in question.citations for f in FIGURE.findall(c.quote)}
            found.extend(Finding(("questions", index, "question"), None, f'"{figure}" is in none of the quotes of'
                                 " this answer; a question holds only figures its answer's quotes give", False)
                         for figure in FIGURE.findall(question.question) if normalise_figure(figure) not in written)
    if isinstance(item, m.FundingLine) and item.kind is m.FundingKind.spent:
        found.extend(Finding(("kind",), None, "kind is spent, but no quote that gives"
                             f' {format_amount(value.money.amount)} says the money was spent ("was spent", "has'
                             ' spent"); money to be spent is a plan: pledged, allocated or called for. Correct the'
                             " kind, or cite a quote that says it was spent", False)
                     for value in item.values
                     if not any(said_spent(c.quote) and figures_of(value, c.quote) for c in value.citations))
    if isinstance(item, m.FundingLine) and item.kind in KIND_WORDS:
        quotes = [c.quote for value in item.values for c in value.citations]
        words, saying = KIND_WORDS[item.kind]
        if not any(map(words.search, quotes)):
            fitting = [kind.value for kind, (other, _) in KIND_WORDS.items() if any(map(other.search, quotes))]
            found.append(Finding(("kind",), None, f"kind is {item.kind.value}, but no quote of this line {saying};"
                                 + (f" its quotes use the words of {fitting[0]};" if len(fitting) == 1 else "")
                                 + " correct the kind, or cite a quote that says so", False))
    if isinstance(item, m.Mission) and item.target_year is not None:
        years = {year for c in item.citations for year in date_marks(c.quote, published.get(c.source)).years}
        if item.target_year not in years:
            found.append(Finding(("target_year",), None, f"no quote of the mission gives the year {item.target_year};"
                                                         " correct it, or cite a quote that gives it", False))
    return found


def _figure_findings(value: ReportedMoney | ReportedCount, loc: tuple[Any, ...]) -> list[Finding]:
    """A sum or count that no quote holds, or whose qualifier is not the one its quote gives; a sum each
    year that no quote says recurs; a figure its quotes give only as where a change started."""
    if isinstance(value, ReportedMoney):
        what, shown, qualifier = "sum", format_amount(value.money.amount), value.money.qualifier
        figure_loc, qualifier_loc = (*loc, "money", "amount"), (*loc, "money", "qualifier")
    else:
        what, shown, qualifier = "count", str(value.count), value.qualifier
        figure_loc, qualifier_loc = (*loc, "count"), (*loc, "qualifier")
    held = [figures_of(value, c.quote) for c in value.citations]
    if not any(held):
        return [Finding(figure_loc, None, f"{shown} is in none of the quotes of this {what}; correct it to the"
                                          f" figure a quote gives, or cite a quote that gives {shown}", False)]
    if isinstance(value, ReportedMoney) and value.money.each_year and not any(
            said_each_year(c.quote, f) for c, figures in zip(value.citations, held, strict=True) for f in figures):
        return [Finding((*loc, "money", "each_year"), None, f'no quote gives {shown} as a sum each year ("{shown} a'
                        ' year", "per year", "annually"); remove each_year, or cite a quote that says so', False)]
    if all(f.baseline for figures in held for f in figures):
        message = f'the quotes give {shown} only as where a change started ("{next(f for f in held if f)[0].words}")'
        return [Finding(figure_loc, None, f"{message}, not as this {what}: give it in the note or purpose, or cite a"
                                          f" quote that gives it as the {what}", False)]
    for figures in held:
        if not figures or any(f.qualifier == qualifier for f in figures):
            continue
        said = figures[0]
        if qualifier is None:
            message = f'the quote says "{said.words}" but the {what} has no qualifier; add qualifier: {said.qualifier}'
            return [Finding(figure_loc, None, message, False)]
        if said.qualifier is None:
            message = (f'the quote says "{said.words}", without "{qualifier}"; remove the qualifier, or cite a'
                       " quote that gives it")
        else:
            message = (f'the quote says "{said.words}" but the qualifier is "{qualifier}"; write qualifier:'
                       f" {said.qualifier}")
        return [Finding(qualifier_loc, None, message, False)]
    return []


def repeated_citations(item: BaseModel) -> list[Finding]:
    """A citation that repeats one before it in the same list (the same source and quote): a fact cited
    twice from one source would read as two confirmations."""
    found: list[Finding] = []
    first: dict[tuple[tuple[Any, ...], str, str], int] = {}
    for loc, citation in item_links(item)[1]:  # loc: (..., "citations", index, "quote")
        key, position = (loc[:-2], citation.source, normalised_quote(citation.quote)), int(loc[-2])
        index = first.setdefault(key, position)
        if index != position:
            found.append(Finding(loc, None, f'this citation repeats citation {index + 1} of the same list (source'
                                            f' "{citation.source}", the same quote); a source cited twice is still'
                                            " one source: remove the repeat", False))
    return found


def check_same_words_same_status(entries: list[Located], problems: Collector) -> None:
    """Two proposals whose responses cite the same words of the same source must carry the same status:
    the same words cannot support two answers. A quote that holds another, shorter one holds its words
    too. Reported at the later proposal, naming the earlier."""
    by_source: dict[str, dict[str, tuple[int, Located, int]]] = {}
    for number, entry in enumerate(entries):
        for index, citation in enumerate(entry.item.response.citations):
            by_source.setdefault(citation.source, {}).setdefault(normalised_quote(citation.quote),
                                                                  (number, entry, index))
    for number, entry in enumerate(entries):
        response: m.Response = entry.item.response
        for citation in response.citations:
            quote = normalised_quote(citation.quote)
            earlier, at = next(((other, at) for held, (before, other, at) in by_source[citation.source].items()
                                if before < number and other.item.response.status != response.status
                                and (quote in held or held in quote)), (None, 0))
            if earlier is None:
                continue
            theirs: m.Response = earlier.item.response
            quote_line, quote_column = earlier.doc.where((*earlier.loc, "response", "citations", at, "quote"))
            problems.add(entry.doc.path, *entry.doc.where((*entry.loc, "response", "status")),
                         f'response status "{response.status.value}" differs from "{theirs.status.value}" of'
                         f' proposal "{earlier.item.id}", whose response cites the same words of'
                         f' "{citation.source}" ({earlier.doc.path}:{quote_line}:{quote_column}):'
                         f' "{theirs.citations[at].quote}";'
                         " the same words support one status: give both the status these words support (see"
                         " the tests on content/about.md), or cite the words that tell the two answers apart")
            break  # one report per proposal


def check_page_figures(page: PageSource, figures: set[str], quoted_sums: Callable[[], list[Figure]],
                       problems: Collector) -> None:
    """Each figure in a page must be one the data or a cited quote holds; and a sum keeps the word the
    quotes put before it ("over £250m" is not "up to £250m"), as a sum in an item's own words must."""
    for match in FIGURE.finditer(page.body):
        if normalise_figure(match.group()) not in figures:
            line, column = position(page.body, match.start(), page.body_line)
            problems.add(page.path, line, column,
                         f'the figure "{match.group()}" is not in the data or any cited quote; add it to the'
                         " data with a citation, or correct it to the cited value")
    for number, written in enumerate(page.body.split("\n"), start=page.body_line):
        if "£" not in written or len(written) > LONGEST_LINE_READ:
            continue
        for said in money_figures(EMPHASIS.sub("", written)):  # "*over* £250m" says "over £250m"
            same = [figure for figure in quoted_sums() if round(figure.value) == round(said.value)]
            if same and "£" in said.words and not any(figure.qualifier == said.qualifier for figure in same):
                at = written.find(said.words)
                column = (at if at >= 0 else written.find("£" + said.words.partition("£")[2])) + 1
                problems.add(page.path, number, column, f'the quotes say "{same[0].words}" but this page says'
                                                        f' "{said.words}"; keep the quotes\' word before the sum')


LONGEST_LINE_READ = 2000
"""A line of a page longer than this (no paragraph of the real pages comes near) is not read for its
sums' words: reading a sum's words looks back along its line, and a line of thousands of sums would
take minutes. Its figures are still checked."""
EMPHASIS = re.compile(r"[*_]+")


def check_content(site: Site, located: dict[str, list[Located]], problems: Collector,
                  checks: dict[str, ItemChecks] | None = None) -> list[Problem]:
    """Run the editorial checks; return warnings (long sentences), add errors to problems.

    checks holds the last build's ItemChecks by key (see ItemChecks): an item whose key is there is not
    checked again. It is left holding this build's.
    """
    warnings: list[Problem] = []
    words = frozenset(word for term in site.items["glossary"].values() for word in (term.term, *term.aliases))
    names = names_of(site.items["people"].values())
    organisations = organisations_of(site.items["people"].values())
    published: Published = {source_id: source.date for source_id, source in site.items["sources"].items()}
    context = digest(*(f"term {word}".encode() for word in sorted(words)),
                     *(f"person {name}".encode() for name in sorted(names)),
                     *(f"organisation {name} {handles}".encode()
                       for name, handles in sorted(organisations.handles.items())),
                     *(f"{source_id} {date}".encode() for source_id, date in sorted(published.items())))
    last = checks or {}
    kept: dict[str, ItemChecks] = {}
    facts: list[tuple[ItemChecks, BaseModel]] = []  # what pages may quote (change notes are not facts)
    counts: dict[str, list[Counts]] = {}
    for kind, entries in located.items():
        for entry in entries:
            key = digest(context.encode(), kind.encode(), *item_key_parts(entry))
            checked = kept.get(key) or last.get(key)
            if checked is None:
                checked = ItemChecks(check_item(entry.item, words, published, names, organisations),
                                     prose_counts(prose_of(entry.item)))
            kept[key] = checked
            counts.setdefault(kind, []).append(checked.counts)
            if kind != "changes":
                facts.append((checked, entry.item))
            for finding in checked.findings:
                loc = (*entry.loc, *finding.loc)
                line, column = entry.doc.where(loc)
                if finding.offset is not None and entry.doc.is_literal(loc):
                    at_line, at_column = position(_field(entry.item, finding.loc), finding.offset, line)
                    line, column = at_line, at_column + column - 1
                if finding.warning:
                    warnings.append(Problem(entry.doc.path, line, column, finding.message))
                else:
                    problems.add(entry.doc.path, line, column, finding.message)
    if checks is not None:
        checks.clear()
        checks.update(kept)
    check_after_chains(located.get("timeline", []), problems)
    check_same_words_same_status(located.get("recommendations", []), problems)
    figures: set[str] = set()
    if any(FIGURE.search(page.body) for page in site.pages):  # only pages are checked against the data's figures
        for checked, item in facts:
            if checked.figures is None:
                checked.figures = item_figures(item)
            figures |= checked.figures
    @functools.cache
    def quoted_sums() -> list[Figure]:
        """Every sum any cited quote gives, read only for a page that gives a sum (and kept with each
        item's checks, so a preview save reads only the items it changed)."""
        for checked, item in facts:
            if checked.sums is None:
                checked.sums = tuple(figure for citation in citations_of_parts(list(located_models(item)))
                                     for figure in money_figures(citation.quote))
        return [figure for checked, _item in facts for figure in checked.sums or ()]

    site.reading_ages = (check_reading_ages(located.get("guides", []), site.pages, problems)
                         + check_kind_reading_ages(counts, problems))
    for page in site.pages:
        warnings += zero_width_warnings(page)
        exempt = set(page.meta.about_the_site)
        check_page_figures(page, figures | {normalise_figure(f) for f in exempt}, quoted_sums, problems)
        prose = blanked(MARKDOWN_NOT_PROSE, page.body)
        for contact in find_contacts(page.body):
            problems.add(page.path, *position(page.body, contact.start(), page.body_line), contact_message(contact))
        for field, value in page.meta:
            if isinstance(value, str) and (in_meta := next(iter(find_contacts(as_read(value))), None)):
                where = page.front_matter.where((field,)) if page.front_matter else (1, 1)
                problems.add(page.path, *where, contact_message(in_meta))
        for match in unknown_acronyms(prose, words, exempt):
            problems.add(page.path, *position(page.body, match.start(), page.body_line),
                         acronym_message(match.group()))
        for sentence in long_sentences(prose):
            index = page.body.find(sentence[:30])
            line, column = position(page.body, max(index, 0), page.body_line)
            warnings.append(Problem(page.path, line, column,
                                    f"warning: a sentence of {len(sentence.split())} words; aim for under"
                                    f" {LONG_SENTENCE}: {sentence[:60]}…"))
    return warnings


def item_key_parts(entry: Located) -> tuple[bytes, bytes]:
    """What an item's checks are kept by: the YAML text it was read from, which always gives the same
    model; for an item of a file read whole, which has no text of its own, its model as JSON."""
    if entry.doc.parts:
        return b"yaml", entry.doc.parts[int(entry.loc[0])].text.encode()
    return b"json", entry.item.model_dump_json().encode()


def prose_of(item: BaseModel) -> list[str]:
    """The texts of an item written in the site's own words (see PROSE_FIELDS)."""
    return [text for _loc, text, is_prose in _strings(item, ()) if is_prose]


def zero_width_warnings(page: PageSource) -> list[Problem]:
    """A warning for the first zero-width character in a page's front matter and in its body."""
    warnings: list[Problem] = []
    for loc, text, _prose in _strings(page.meta, ()):
        invisible = zero_width_character(text)
        if invisible:
            line, column = page.front_matter.where(loc) if page.front_matter else (1, 1)
            warnings.append(Problem(page.path, line, column, describe_zero_width(invisible.group())))
            break
    invisible = zero_width_character(page.body)
    if invisible:
        warnings.append(Problem(page.path, *position(page.body, invisible.start(), page.body_line),
                                describe_zero_width(invisible.group())))
    return warnings


def _field(obj: Any, loc: tuple[Any, ...]) -> str:
    for step in loc:
        obj = obj[step] if isinstance(step, int) else getattr(obj, step)
    return str(obj)


def _strings(obj: Any, loc: tuple[Any, ...], prose: bool = False) -> Iterator[tuple[tuple[Any, ...], str, bool]]:
    """(loc, text, whether it is in the site's own words) of every string in obj and the models and lists
    inside it: the fields PROSE_FIELDS names are prose; quotes and names are the sources' words."""
    if isinstance(obj, str):
        yield loc, obj, prose
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _strings(value, (*loc, i))
    elif isinstance(obj, BaseModel):
        fields = PROSE_FIELDS.get(type(obj), ())
        for name in type(obj).model_fields:
            yield from _strings(getattr(obj, name), (*loc, name), name in fields)
