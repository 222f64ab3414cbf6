"""A synthetic project of N recommendations, shaped like the real site, for the benchmarks.

Each recommendation has a short proposal and response (about 20 and 30 words, as the real data has)
and a ~300-word Markdown `body` with a heading, a list, a link and emphasis, shown on its own page.
The other kinds follow in fixed proportions, every citation quotes a whole sentence of a synthetic
source text in sources/, and the templates and schemas are copies of the repository's own (the
build follows no link out of an input folder). A sum, a count or a date is also cited with a
sentence that holds it, as the content checks require. The same seed gives the same project.
"""

from __future__ import annotations

import json
import random
import shutil
import zlib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

WORDS = (
    "the a of and to in for on with by from at as that this these their its our new more most local council "
    "family families child children young people care home homes support service services worker workers "
    "team teams help plan plans change changes work works school schools health court courts carer carers "
    "placement placements parent parents relative relatives friend friends area areas region regions money "
    "fund grant budget cost costs year years month report reports review reviews proposal proposals idea "
    "ideas response answer pilot pilots trial trials test tests scheme schemes group groups network networks "
    "practice practices record records decision decisions meeting meetings training leader leaders staff "
    "office offices agency agencies provider providers market markets rule rules law laws guidance advice "
    "would could should will now might can must did does gave made said told asked found showed set kept "
    "moved started ended joined helped built paid chose named planned tested early late slow quick clear "
    "fair safe stable strong loving small large wider better fewer earlier national regional whole each "
    "every some many other"
).split()

TERM_WORDS = ("kinship", "foster", "pathfinder", "advocacy", "corporate", "residential", "adoption", "respite",
              "outreach", "mentoring", "tutoring", "housing", "youth", "parenting", "welfare", "casework")
TERM_NOUNS = ("panel", "hub", "order", "duty", "pledge", "passport", "allowance", "standard", "board", "unit")

STATUSES = ("accepted", "accepted-in-part", "to-be-tested", "consultation", "rejected", "not-addressed", "unclear")
FUNDING_KINDS = ("pledged", "allocated", "called-for", "estimated-cost")
MONTH_NAMES = ("January February March April May June July August September October November December").split()
MISSIONS = ("loving-relationships", "stable-loving-homes", "stronger-corporate-parenting",
            "family-help-first", "safe-from-harm", "workforce-valued")


@dataclass(frozen=True)
class Sizes:
    """How many items of each kind a project of n recommendations has."""

    recommendations: int

    def of(self, kind: str) -> int:
        n = self.recommendations
        return {
            "themes": 10 + n // 100, "missions": 6, "sources": max(5, n // 10), "pilots": max(3, n // 10),
            "funding": max(3, n // 10), "timeline": max(5, n // 5), "glossary": max(20, n // 20),
            "people": max(5, n // 10), "areas": max(5, n // 20), "changes": 1 + n // 100, "guides": 0,
            "recommendations": n,
        }[kind]


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


class Writer:
    """Deterministic synthetic text and ids."""

    def __init__(self, seed: int, sizes: Sizes):
        self.rng = random.Random(seed)
        self.sizes = sizes
        self.terms = [f"{TERM_WORDS[i % len(TERM_WORDS)]} {TERM_NOUNS[(i // len(TERM_WORDS)) % len(TERM_NOUNS)]}"
                      f"{'' if i < len(TERM_WORDS) * len(TERM_NOUNS) else ' ' + self.word_of(i)}"
                      for i in range(sizes.of("glossary"))]
        self.source_sentences: list[list[str]] = [[self.sentence() for _ in range(40)]
                                                  for _ in range(sizes.of("sources"))]
        self.facts: list[list[str]] = [[] for _ in range(sizes.of("sources"))]
        """Sentences holding the items' sums, counts and dates, added to the sources' texts."""

    @staticmethod
    def word_of(i: int) -> str:
        return "".join("bcdfghjklmnprstvz"[int(d)] for d in str(i)) + "an"

    def sentence(self, words: int = 0) -> str:
        count = words or self.rng.randint(9, 16)
        picked = [self.rng.choice(WORDS) for _ in range(count)]
        if self.terms and self.rng.random() < 0.3:
            picked.insert(self.rng.randint(1, len(picked)), self.rng.choice(self.terms))
        text = " ".join(picked)
        return text[0].upper() + text[1:] + "."

    def text(self, words: int) -> str:
        out: list[str] = []
        count = 0
        while count < words:
            sentence = self.sentence()
            out.append(sentence)
            count += len(sentence.split())
        return " ".join(out)

    def title(self, words: int = 5) -> str:
        return self.sentence(words).rstrip(".")

    def date(self) -> str:
        return f"{self.rng.randint(2021, 2025)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def ids(self, kind: str, count: int) -> list[str]:
        return [f"{kind}-{self.rng.randrange(self.sizes.of(kind)) + 1}" for _ in range(count)]

    def citations(self, indent: int, count: int = 1) -> list[str]:
        """A citations list of `count` different quotes (the content checks refuse a repeat)."""
        pad = " " * indent
        chosen: list[tuple[int, str]] = []
        while len(chosen) < count:
            source = self.rng.randrange(self.sizes.of("sources"))
            quote = self.rng.choice(self.source_sentences[source])
            if (source, quote) not in chosen:
                chosen.append((source, quote))
        lines = [f"{pad}citations:"]
        for source, quote in chosen:
            lines += [f"{pad}  - source: sources-{source + 1}", f"{pad}    quote: {q(quote)}"]
        return lines


    def fact(self, indent: int, sentence: str) -> list[str]:
        """A citation (without its list's key) of a sentence that holds a figure or a date, added to a
        source in turn."""
        source = sum(len(found) for found in self.facts) % len(self.facts)
        self.facts[source].append(sentence)
        pad = " " * indent
        return [f"{pad}  - source: sources-{source + 1}", f"{pad}    quote: {q(sentence)}"]


def markdown_body(w: Writer, index: int) -> str:
    """About 300 words of Markdown: paragraphs, a heading, a list, a link to another proposal, emphasis."""
    other = (index * 7919) % w.sizes.of("recommendations") + 1
    first = w.text(90).split(". ")
    first[1] = f"*{first[1]}*"
    return "\n".join([
        ". ".join(first), "", f"## {w.title(4)}", "",
        *(f"- {w.sentence()}" for _ in range(4)), "",
        f"{w.text(60)} See [a related proposal](/recommendations/recommendations-{other}/) for more.", "",
        f"{w.text(40)} **{w.title(3)}** {w.text(40)}",
    ])


def status_for(citations: list[str]) -> str:
    """The response status these citations support: the same words always get the same status (the
    content checks refuse two proposals citing the same response words with different statuses)."""
    return STATUSES[zlib.crc32("\n".join(citations).encode()) % len(STATUSES)]


def kind_items(w: Writer, kind: str, index: int) -> list[str]:
    """The YAML lines of one item."""
    n = index + 1
    rng = w.rng
    if kind == "recommendations":
        lines = [f"- id: recommendations-{n}", f"  title: {q(w.title())}", f"  proposal: {q(w.text(20))}",
                 f"  themes: [{', '.join(sorted(set(w.ids('themes', rng.randint(1, 2)))))}]"]
        missions = sorted(set(rng.sample(MISSIONS, rng.randint(0, 2))))
        if missions:
            lines.append(f"  missions: [{', '.join(missions)}]")
        lines += w.citations(2, 2)
        detail = w.text(30)
        response = w.citations(4)
        lines += ["  response:", f"    status: {status_for(response)}", f"    detail: {q(detail)}", *response]
        if rng.random() < 0.3:
            lines += ["  later:", f"    - text: {q('The council: ' + w.text(25))}"]  # opens with what it is about
            lines += w.citations(6)
        lines.append("  body: |")
        lines += [f"    {line}" if line else "" for line in markdown_body(w, index).split("\n")]
        return lines
    if kind == "themes":
        return [f"- id: themes-{n}", f"  title: {q(w.title(3))}", f"  description: {q(w.sentence())}"]
    if kind == "missions":
        lines = [f"- id: {MISSIONS[index]}", f"  number: {n}", f"  title: {q(w.sentence())}",
                 f"  summary: {q(w.sentence())}", "  target_year: 2027"]
        return lines + w.citations(2) + w.fact(2, f"Mission {n} is to be met by 2027.")
    if kind == "sources":
        return [f"- id: sources-{n}", f"  title: {q(w.title(7))}", f"  outlet: {q(w.title(2))}", f"  date: {w.date()}",
                f"  url: https://example.org/articles/{n}", f"  archive: source-{n}.txt"]
    if kind == "pilots":
        lines = [f"- id: pilots-{n}", f"  name: {q(w.title(4))}", f"  purpose: {q(w.text(40))}",
                 f"  missions: [{rng.choice(MISSIONS)}]",
                 f"  recommendations: [{', '.join(sorted(set(w.ids('recommendations', 3))))}]",
                 f"  funding: [{', '.join(sorted(set(w.ids('funding', 1))))}]",
                 "  period: \"Two years\"", "  area_counts:", f"    - count: {(count := rng.randint(2, 20))}"]
        lines += w.citations(6) + w.fact(6, f"Programme {n} runs in {count} areas.")
        lines.append("  areas:")
        for area in sorted(set(w.ids("areas", 2))):
            lines.append(f"    - area: {area}")
            lines += w.citations(6)
        return lines + w.citations(2)
    if kind == "funding":
        money_kind = rng.choice(FUNDING_KINDS)
        lines = [f"- id: funding-{n}", f"  title: {q(w.title(4))}", f"  kind: {money_kind}",
                 f"  by: [{w.ids('people', 1)[0]}]", f"  purpose: {q(w.text(30))}",
                 f"  missions: [{rng.choice(MISSIONS)}]", "  values:"]
        millions = rng.randint(1, 900)
        lines.append(f"    - money: {{amount: {millions * 1_000_000}, years: {rng.randint(1, 5)}}}")
        return lines + w.citations(6) + w.fact(6, f"Sum {n} is £{millions}m, as {money_kind.replace('-', ' ')}.")
    if kind == "timeline":
        date = w.date()
        day = f"{int(date[8:])} {MONTH_NAMES[int(date[5:7]) - 1]} {date[:4]}"
        lines = [f"- id: timeline-{n}", f"  date: {date}", f"  title: {q(w.title(6))}",
                 f"  text: {q(w.text(30))}", f"  planned: {'true' if rng.random() < 0.2 else 'false'}",
                 f"  related: [{', '.join(sorted(set(w.ids('recommendations', 2) + w.ids('pilots', 1))))}]"]
        return lines + w.citations(2) + w.fact(2, f"Event {n} fell on {day}.")
    if kind == "glossary":
        return [f"- id: glossary-{n}", f"  term: {q(w.terms[index])}", f"  definition: {q(w.text(25))}",
                *w.citations(2)]
    if kind == "people":
        return [f"- id: people-{n}", f"  name: {q(w.title(2).title())}", "  kind: person", "  roles:",
                f"    - role: {q(w.title(4))}", *w.citations(6)]
    if kind == "areas":
        return [f"- {{id: areas-{n}, name: {q(w.title(2).title())}, kind: council}}"]
    if kind == "changes":
        return [f"- date: {w.date()}", f"  summary: {q(w.sentence())}",
                f"  items: [{', '.join(sorted(set(w.ids('recommendations', 2))))}]"]
    raise ValueError(kind)


KINDS = ("sources", "themes", "missions", "recommendations", "funding", "areas", "pilots", "timeline",
         "glossary", "people", "changes")

PAGES = {
    "index.md": "---\ntitle: A synthetic explainer\ndescription: A generated project for the benchmarks.\n---\n\n"
                "This project is generated for the benchmarks. Each proposal has its own page.\n\n"
                "## What it holds\n\n- Proposals with responses\n- Programmes and money\n- A glossary\n",
    "about.md": "---\ntitle: About this site\ndescription: How the synthetic explainer is made.\norder: 90\n---\n\n"
                "## How the site is made\n\nThe text is made of common words in short sentences. "
                "See the [proposals page](/recommendations/).\n",
}


def generate(dest: Path, count: int, seed: int = 1) -> None:
    """Write a synthetic project of `count` recommendations into dest (replacing its data)."""
    sizes = Sizes(count)
    writer = Writer(seed, sizes)
    for folder in ("data", "content", "sources"):
        shutil.rmtree(dest / folder, ignore_errors=True)
        (dest / folder).mkdir(parents=True)
    for kind in KINDS:
        chunks = ["\n".join(kind_items(writer, kind, i)) for i in range(sizes.of(kind))]
        (dest / "data" / f"{kind}.yaml").write_text("\n\n".join(chunks) + "\n", encoding="utf-8")
    for index, sentences in enumerate(writer.source_sentences):  # with the facts the items cite
        sentences = sentences + writer.facts[index]
        body = "\n\n".join(" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4))
        (dest / "sources" / f"source-{index + 1}.txt").write_text(body + "\n", encoding="utf-8")
    for name, text in PAGES.items():
        (dest / "content" / name).write_text(text, encoding="utf-8")
    for copied in ("templates", "schemas"):
        target = dest / copied
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)
        shutil.copytree(REPO / copied, target)
