"""Facts: one value each (a date, a figure, a person in a role, a place), bound to a quote.

A fact is declared once in sources.yaml with the sentence of the source it rests on.
Answers and messages either reference it (`{fakta:hari_pemungutan_suara}`, rendered
here in Indonesian style) or write the value by hand; either way `check_grounded`
binds every date, weekday, figure, name and place in the text to a fact of the cited
sources *on the same claim*: the election the sentence names, the role next to a
name, one event per sentence. So "Pilkada 2020 … 83 persen", "Kamis (27 November
2024)", "delapan puluh lima persen" and "Ketua … adalah Ahmad Mustakim" are caught,
while "Rabu, 27/11/2024" passes. Pure: no I/O.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from bot.facts.statements import (
    ON_BEHALF,
    Approx,
    DateValue,
    Item,
    ItemValue,
    Vocabulary,
    find_items,
    fold,
    format_date,
    format_month,
    format_number,
    nearest,
    sentences,
    weekday_name,
)
from bot.regions import region_words

FactKind = Literal["date", "month", "percent", "count", "person", "place"]
FACT_KINDS: tuple[FactKind, ...] = ("date", "month", "percent", "count", "person", "place")
# {fakta:id} or {fakta:id|format}
REF_RE = re.compile(r"\{fakta:(?P<id>[a-z0-9_-]+)(?:\|(?P<fmt>[a-z]+))?\}")
FORMATS: dict[FactKind, tuple[str, ...]] = {
    "date": ("", "tanggal", "hari"),
    "month": ("",),
    "percent": ("", "angka"),
    "count": ("",),
    "person": ("", "peran", "per"),
    "place": ("",),
}
FactValue = dt.date | tuple[int, int] | Decimal | str


@dataclass(frozen=True, slots=True)
class Fact:
    id: str
    source: str  # source id
    source_date: dt.date
    kind: FactKind
    value: FactValue  # date; (year, month); Decimal; a person's or place's name
    what: str  # the claim in a few Indonesian words: "Partisipasi pemilih Pemilu 2024 di Blora"
    quote: str  # the source's own sentence
    election: str | None = None  # "pemilu 2024": the election a figure or date is about
    topic: tuple[str, ...] = ()  # words that say a user's claim is about this fact
    role: str | None = None  # a person's role, as the source gives it
    role_terms: tuple[str, ...] = ()  # phrases naming that role in text ("ketua kpu")
    aliases: tuple[str, ...] = ()  # other ways to write a person's or place's name
    event: str | None = None  # facts of one event (a meeting's date and place) share this
    qualifier: str | None = None  # "minimal" for a target
    act: str | None = None  # what a person did at `event` ("membuka"); one fact per person who did it
    act_terms: tuple[str, ...] = ()  # phrases naming that act in text ("dibuka", "opened")
    # A statement: the quote is what the person said or did ("jangan sia-siakan, apalagi … golput"). A
    # claim of it is confirmed only when the quote covers every word it says (bot/nlu/claims.py `_said`).
    statement: bool = False
    speaks_for: tuple[str, ...] = ()  # the body the person spoke for, as text names it ("kpu blora")
    # (1, "pemilu 2019"): the quote says the figure rose from that election's (-1: fell), no figure given
    trend: tuple[int, str] | None = None
    region: str | None = None  # the configured region the sources are about ("Kabupaten Blora")

    @property
    def target(self) -> bool:
        """A target, never an outcome: it has a qualifier ("minimal") or its topic says "target"
        ("di bawah target 85 persen", drafted by `import` without a qualifier)."""
        return self.qualifier is not None or any("target" in t.split() for t in self.topic)

    @property
    def key(self) -> str:
        """The canonical key a name is read as (persons and places)."""
        return fold(str(self.value)) if self.kind in ("person", "place") else self.id

    def render(self, fmt: str = "") -> str:
        """The value in Indonesian style; `fmt` picks a form (see FORMATS)."""
        value = self.value
        if self.kind == "date" and isinstance(value, dt.date):
            if fmt == "hari":
                return weekday_name(value.weekday())
            return format_date(value, with_weekday=fmt != "tanggal")
        if self.kind == "month" and isinstance(value, tuple):
            return format_month(*value)
        if self.kind == "percent" and isinstance(value, Decimal):
            return format_number(value) if fmt == "angka" else f"{format_number(value)} persen"
        if self.kind == "count" and isinstance(value, Decimal):
            return format_number(value)
        if self.kind == "person" and fmt == "peran":
            return self.role or ""
        if self.kind == "person" and fmt == "per":
            return f"per {format_month(self.source_date.year, self.source_date.month)}"
        return str(value)

    def shows(self, item: Item) -> bool:
        """Whether `item` (read from some text) states this fact's value."""
        value, got = self.value, item.value
        if item.kind == "date" and isinstance(got, DateValue):
            return isinstance(value, dt.date) and self.kind == "date" and got.matches(value)
        if item.kind == "weekday" and isinstance(value, dt.date):
            return self.kind == "date" and value.weekday() == got
        if item.kind == "month" and isinstance(got, tuple):
            if self.kind == "date" and isinstance(value, dt.date):
                return (value.year, value.month) == got
            return self.kind == "month" and value == got
        if item.kind in ("percent", "count") and isinstance(got, Decimal):
            return self.kind in ("percent", "count") and value == got
        if item.kind in ("percent", "count") and isinstance(got, Approx):
            return self.kind in ("percent", "count") and isinstance(value, Decimal) and got.covers(value)
        if item.kind == "month_name" and isinstance(got, int):  # "raker bulan Juli"
            return (isinstance(value, dt.date) and value.month == got) or (isinstance(value, tuple) and value[1] == got)
        if item.kind == "year" and isinstance(got, int):
            return got in self.years()
        if item.kind == "period" and isinstance(got, tuple):
            return f"{got[0]}-{got[1]}" in f"{self.role or ''} {self.what}"
        if item.kind in ("person", "place"):
            return self.kind == item.kind and self.key == got
        return False

    def years(self) -> set[int]:
        years = {int(y) for y in re.findall(r"\b(?:19|20)\d{2}\b", f"{self.what} {self.role or ''}")}
        if isinstance(self.value, dt.date):
            years.add(self.value.year)
        if isinstance(self.value, tuple):
            years.add(self.value[0])
        return years


VALUE_ITEMS = frozenset({"date", "weekday", "month", "percent", "count", "year", "period", "person", "place"})


def vocabulary(facts: Iterable[Fact]) -> Vocabulary:
    """Names, places and role phrases the statement reader should recognise, and the region's name."""
    facts = list(facts)
    persons: dict[str, str] = {}
    places: dict[str, str] = {}
    roles: dict[str, str] = {}
    for fact in facts:
        if fact.kind in ("person", "place"):
            names = persons if fact.kind == "person" else places
            for name in (str(fact.value), *fact.aliases):
                names[fold(name)] = fact.key
        for term in fact.role_terms:
            roles[fold(term)] = fold(term)
    regions = tuple(sorted({region_words(f.region) for f in facts if f.region}))
    return Vocabulary(persons, places, roles, regions)


def render_refs(text: str, facts: Mapping[str, Fact]) -> tuple[str, list[str], set[str]]:
    """Replace every {fakta:id|fmt}; return the text, problems, and the facts used."""
    problems: list[str] = []
    used: set[str] = set()

    def sub(match: re.Match[str]) -> str:
        fact = facts.get(match["id"])
        fmt = match["fmt"] or ""
        if fact is None:
            problems.append(f"{{fakta:{match['id']}}} names no fact in sources.yaml")
            return match[0]
        if fmt not in FORMATS[fact.kind]:
            forms = ", ".join(f"|{f}" for f in FORMATS[fact.kind] if f) or "none"
            problems.append(f"{{fakta:{fact.id}|{fmt}}}: a {fact.kind} fact has no form '{fmt}' (forms: {forms})")
            return match[0]
        used.add(fact.id)
        return fact.render(fmt)

    return REF_RE.sub(sub, text), problems, used


def known_elections(facts: Iterable[Fact], vocab: Vocabulary) -> set[str]:
    """Elections the sources talk about: those facts are about, and those their quotes name."""
    out: set[str] = set()
    for fact in facts:
        if fact.election:
            out.add(fact.election)
        out.update(str(i.value) for i in find_items(fact.quote, vocab) if i.kind == "election")
        out.update(str(i.value) for i in find_items(fact.what, vocab) if i.kind == "election")
    return out


def check_grounded(
    text: str,
    cited: Iterable[Fact],
    every: Iterable[Fact],
    vocab: Vocabulary,
    elections: set[str],
) -> list[str]:
    """Problems with the dates, figures, names and places in `text` (already rendered).

    Each item must state the value of a fact of the `cited` sources, and that fact
    must be about what the sentence says it is about: the nearest election named,
    the nearest role phrase, and one event per sentence.
    """
    cited = list(cited)
    every = list(every)
    problems: list[str] = []
    for _, sentence in sentences_keeping_names(text, vocab):
        items = find_items(sentence, vocab)
        events: dict[str, str] = {}
        for item in items:
            if item.kind == "election":
                if item.value not in elections:
                    problems.append(f"'{item.text.strip()}': no source talks about {_election_words(item.value)}")
                continue
            if item.kind not in VALUE_ITEMS:
                continue
            problems.extend(_calendar_problems(item))
            candidates = [f for f in cited if f.shows(item)]
            if not candidates:
                problems.append(_unbound(item, every))
                continue
            context = election_context(item, items, sentence)
            if context is not None and item.kind not in ("year", "person", "place", "period"):
                about = [f for f in candidates if f.election is None or _same_election(f.election, context)]
                if not about:
                    gives = "; ".join(f"{f.election and _election_words(f.election)}" for f in candidates)
                    problems.append(
                        f"'{item.text.strip()}' is written about {context.text.strip()}, "
                        f"but the sources give that value for {gives}"
                    )
                    continue
                candidates = about
            if candidates and all(f.target for f in candidates) and not _says_target(sentence, candidates):
                # "Partisipasi Pilkada 2024 akhirnya mencapai 83 persen": 83 % was the target, not a result.
                problems.append(
                    f"'{item.text.strip()}' is a target ({candidates[0].what}), but this sentence states it "
                    "as a result: say it is the target ('menargetkan', 'target', 'minimal')"
                )
                continue
            if item.kind == "person":
                # "dibuka oleh Noorman Pramono mewakili Ketua KPU Blora": the chair's role is not Noorman's.
                own = [i for i in items if i.kind == "role" and not _represented(sentence, i)]
                role = nearest(item, own)
                if role is not None:
                    fitting = [f for f in candidates if str(role.value) in {fold(t) for t in f.role_terms}]
                    if not fitting:
                        roles = "; ".join(f.role or "?" for f in candidates)
                        problems.append(
                            f"'{item.text.strip()}' is called '{role.text.strip()}' here, "
                            f"but the source gives the role: {roles}"
                        )
                        continue
                    candidates = fitting
            event_names = {f.event for f in candidates}
            if len(event_names) == 1 and None not in event_names:
                (event,) = event_names
                assert event is not None
                events.setdefault(event, item.text.strip())
        if len(events) > 1:
            parts = ", ".join(f"'{text}' ({event})" for event, text in events.items())
            problems.append(f"one sentence mixes facts of different events: {parts}")
    return problems


# Where one clause of a sentence ends and the next begins: a figure is about the election of its own
# clause, or one named before it ("di bawah target 85 persen, tetapi lebih tinggi dari Pilkada 2020":
# 85 is not Pilkada 2020's). A comma between digits is a decimal comma (77,6), not a break.
_CLAUSE_BREAK = re.compile(r",(?!\d)|[;:()]|\b(?:tetapi|tapi|namun|sedangkan|sementara|padahal|melainkan|but)\b")
# "Jl. Pemuda No. 1", "Kec. Jati": a period after these is no sentence end.
_ABBREVIATION = re.compile(r"\b(?:jl|jln|no|gg|kec|kab|ds|kel|dr|drs|prof|hj?|ir|rt|rw|st|km|kav|blok)\.$")


def election_context(item: Item, items: Iterable[Item], sentence: str) -> Item | None:
    """The election (or bare year) a figure or date in `sentence` is about, or None.

    The nearest one in the item's own clause; else the nearest one named before it in the
    sentence; never one named only in a later clause.
    """
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(fold(sentence))]
    clause = bisect.bisect(breaks, item.start)
    context = [i for i in items if i.kind in ("election", "year") and i is not item]
    same = [i for i in context if bisect.bisect(breaks, i.start) == clause]
    if same:
        return nearest(item, same)
    return nearest(item, [i for i in context if i.end <= item.start])


def sentences_keeping_names(text: str, vocab: Vocabulary) -> list[tuple[int, str]]:
    """`sentences(text)`, but a period inside a known name ("Jl. Pemuda No. 1") or after an
    abbreviation ("Kec.") ends no sentence, so a house number stays part of its place."""
    parts = sentences(text)
    low = fold(text)
    names = [
        (m.start(), m.end())
        for kind, pattern, _ in vocab.patterns()
        if kind in ("person", "place")
        for m in pattern.finditer(low)
    ]
    merged: list[tuple[int, int]] = []
    for start, part in parts:
        end = start + len(part)
        if merged:
            gap_start = merged[-1][1]
            inside = any(a <= gap_start < b for a, b in names)
            before = low[: gap_start + 1].rstrip()
            if inside or _ABBREVIATION.search(before):
                merged[-1] = (merged[-1][0], end)
                continue
        merged.append((start, end))
    return [(a, text[a:b]) for a, b in merged]


def _says_target(sentence: str, targets: list[Fact]) -> bool:
    """Whether `sentence` names the figure a target: one of the target's topic words, or its qualifier ("minimal")."""
    low = fold(sentence)
    words = {w for f in targets for w in (*f.topic, f.qualifier or "") if w}
    return any(re.search(rf"\b{re.escape(fold(w))}\w*", low) for w in words)


def _calendar_problems(item: Item) -> list[str]:
    value = item.value
    if item.kind != "date" or not isinstance(value, DateValue):
        return []
    if not value.exists():
        return [f"'{item.text.strip()}' is not a real date"]
    real = value.real_weekday()
    if value.weekday is not None and real is not None and real != value.weekday:
        return [f"'{item.text.strip()}': that date is a {weekday_name(real)}, not a {weekday_name(value.weekday)}"]
    return []


def _unbound(item: Item, every: list[Fact]) -> str:
    elsewhere = [f for f in every if f.shows(item)]
    if elsewhere:
        sources = ", ".join(sorted({f.source for f in elsewhere}))
        return f"'{item.text.strip()}' comes from source {sources}, which is not cited here"
    what = {
        "person": "no fact of the cited sources names this person",
        "place": "no fact of the cited sources names this place",
        "weekday": "no date of the cited sources falls on that weekday",
    }.get(item.kind, "that value is not in the facts of the cited sources")
    return f"'{item.text.strip()}': {what} (use a {{fakta:...}} reference from sources.yaml)"


def _same_election(election: str, context: Item) -> bool:
    if context.kind == "year":
        return election.endswith(str(context.value))
    return election == context.value


def _election_words(election: ItemValue) -> str:
    kind, _, year = str(election).partition(" ")
    return f"{kind.capitalize()} {year}"


def _represented(sentence: str, role: Item) -> bool:
    """Whether `role` is one someone acts on behalf of ("mewakili Ketua KPU Blora")."""
    before = fold(sentence[max(0, role.start - 24) : role.start])
    found = ON_BEHALF.search(before)
    return found is not None and not re.search(r"[,.;:]", before[found.end() :])
