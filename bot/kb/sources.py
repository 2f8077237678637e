"""knowledge/sources.yaml: sources, their facts, and each fact's quote found word for word in the article."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.facts.facts import FACT_KINDS, Fact, vocabulary
from bot.facts.statements import MONTH_NAMES, Vocabulary, find_items, fold
from bot.kb.model import ID_RE, Source
from bot.schema import BOOL, DATE, INT, LIST, NONEMPTY_TEXT, NUMBER, TEXT, Expect, check_mapping
from bot.yamlfile import Problem, YamlDoc

_FACT_OPTIONAL: dict[str, Expect] = {
    "election": NONEMPTY_TEXT,
    "topic": LIST,
    "role": NONEMPTY_TEXT,
    "role_terms": LIST,
    "aliases": LIST,
    "event": NONEMPTY_TEXT,
    "qualifier": NONEMPTY_TEXT,
    "rose_from": NONEMPTY_TEXT,
    "fell_from": NONEMPTY_TEXT,
    "act": NONEMPTY_TEXT,
    "act_terms": LIST,
    "statement": BOOL,
    "speaks_for": LIST,
    "date": DATE,
    "month": Expect((str,), 'a month written "YYYY-MM"'),
    "percent": NUMBER,
    "count": INT,
    "person": NONEMPTY_TEXT,
    "place": NONEMPTY_TEXT,
}


def _parse_sources(doc: YamlDoc, base: Path, problems: list[Problem], region: str | None = None) -> dict[str, Source]:
    if not check_mapping(doc, doc.data, (), problems, required={"sources": LIST}, what="the sources file"):
        return {}
    result: dict[str, Source] = {}
    texts: dict[str, str] = {}
    fact_ids: dict[str, str] = {}
    for i, raw in enumerate(doc.data.get("sources") or []):
        ok = check_mapping(
            doc,
            raw,
            ("sources", i),
            problems,
            required={
                "id": NONEMPTY_TEXT,
                "title": NONEMPTY_TEXT,
                "publisher": NONEMPTY_TEXT,
                "date": DATE,
                "text": NONEMPTY_TEXT,
                "facts": LIST,
            },
            optional={"author": TEXT, "editor": TEXT, "url": TEXT},
            what="a source",
        )
        if not ok or not {"id", "title", "publisher", "date", "facts", "text"} <= raw.keys():
            continue
        if not isinstance(raw["id"], str) or not ID_RE.match(raw["id"]):
            problems.append(
                doc.problem("source 'id' must be lower-case letters, digits, '-' or '_'", "sources", i, "id")
            )
            continue
        if raw["id"] in result:
            problems.append(doc.problem(f"duplicate source id '{raw['id']}'", "sources", i, "id"))
            continue
        if not isinstance(raw["date"], dt.date) or not isinstance(raw["text"], str):
            continue
        text_path = base / raw["text"]
        try:
            source_text = text_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(doc.problem(f"cannot read the source text '{raw['text']}': {exc}", "sources", i, "text"))
            source_text = None
        if source_text is not None:
            texts[raw["id"]] = source_text
        facts: list[Fact] = []
        for j, raw_fact in enumerate(raw["facts"] if isinstance(raw["facts"], list) else []):
            fact = _parse_fact(doc, (i, j), raw_fact, raw["id"], raw["date"], problems)
            if fact is None:
                continue
            fact = replace(fact, region=region)
            if fact.id in fact_ids:
                problems.append(
                    doc.problem(
                        f"duplicate fact id '{fact.id}' (also in {fact_ids[fact.id]})", "sources", i, "facts", j
                    )
                )
                continue
            fact_ids[fact.id] = raw["id"]
            if source_text is not None and _squash(fact.quote) not in _squash(source_text):
                problems.append(
                    doc.problem(
                        f"the quote of fact '{fact.id}' is not in the source text {raw['text']}: "
                        "copy the sentence exactly as the source writes it",
                        "sources",
                        i,
                        "facts",
                        j,
                        "quote",
                    )
                )
                continue
            facts.append(fact)
        result[raw["id"]] = Source(
            raw["id"], raw["title"], raw["publisher"], raw["date"], raw.get("author"), raw.get("editor"), tuple(facts)
        )
    vocab = vocabulary(f for s in result.values() for f in s.facts)
    for i, source in enumerate(result.values()):
        for fact in source.facts:
            message = _value_not_in_quote(fact, vocab, texts.get(source.id, ""))
            if message:
                j = next(j for j, f in enumerate(doc.data["sources"][i]["facts"]) if f.get("id") == fact.id)
                problems.append(doc.problem(message, "sources", i, "facts", j, "quote"))
    return result


def _parse_fact(
    doc: YamlDoc, where: tuple[int, int], raw: Any, source_id: str, source_date: dt.date, problems: list[Problem]
) -> Fact | None:
    i, j = where
    path = ("sources", i, "facts", j)
    before = len(problems)
    if not check_mapping(
        doc,
        raw,
        path,
        problems,
        required={"id": NONEMPTY_TEXT, "what": NONEMPTY_TEXT, "quote": NONEMPTY_TEXT},
        optional=_FACT_OPTIONAL,
        what="a fact",
    ):
        return None
    if len(problems) > before:
        return None
    kinds = [k for k in FACT_KINDS if k in raw]
    if len(kinds) != 1:
        problems.append(
            doc.problem(
                f"fact '{raw['id']}' must have exactly one value: one of {', '.join(FACT_KINDS)}"
                + (f" (it has {', '.join(kinds)})" if kinds else ""),
                *path,
            )
        )
        return None
    if not ID_RE.match(raw["id"]):
        problems.append(doc.problem("fact 'id' must be lower-case letters, digits, '-' or '_'", *path, "id"))
        return None
    kind = kinds[0]
    value: Any = raw[kind]
    if kind == "month":
        match = re.fullmatch(r"((?:19|20)\d{2})-(0[1-9]|1[0-2])", str(value))
        if not match:
            problems.append(doc.problem(f"'month' must be written YYYY-MM, got '{value}'", *path, "month"))
            return None
        value = (int(match[1]), int(match[2]))
    elif kind in ("percent", "count"):
        value = Decimal(str(value))
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("topic", "role_terms", "aliases", "act_terms", "speaks_for"):
        items = raw.get(key) or []
        if not all(isinstance(v, str) and v.strip() for v in items):
            problems.append(doc.problem(f"each item of '{key}' must be non-empty text", *path, key))
            return None
        lists[key] = tuple(fold(v.strip()) for v in items)
    election = raw.get("election")
    if election is not None:
        found = [x for x in find_items(str(election)) if x.kind == "election"]
        if len(found) != 1:
            problems.append(
                doc.problem(
                    f"'election' must name one election with its year, e.g. 'Pemilu 2024', got '{election}'",
                    *path,
                    "election",
                )
            )
            return None
        election = str(found[0].value)
    trend: tuple[int, str] | None = None
    for direction, key in ((1, "rose_from"), (-1, "fell_from")):
        if key not in raw:
            continue
        other = [x for x in find_items(str(raw[key])) if x.kind == "election"]
        if len(other) != 1 or kind != "percent" or election is None:
            problems.append(
                doc.problem(
                    f"'{key}' needs a percent fact with an 'election' and one election, e.g. 'Pemilu 2019'", *path, key
                )
            )
            return None
        trend = (direction, str(other[0].value))
    if kind == "person" and not lists["role_terms"] and raw.get("role"):
        problems.append(doc.problem("a person with a 'role' needs 'role_terms' (how text names that role)", *path))
        return None
    if bool(raw.get("act")) != bool(lists["act_terms"]) or (
        raw.get("act") and (kind != "person" or not raw.get("event"))
    ):
        problems.append(
            doc.problem("an 'act' (what a person did) needs 'act_terms', a 'person' and the 'event' it was at", *path)
        )
        return None
    if (raw.get("statement") or lists["speaks_for"]) and not (raw.get("statement") and raw.get("act")):
        problems.append(
            doc.problem("a 'statement' (what a person said, with 'speaks_for' if any) needs an 'act'", *path)
        )
        return None
    if raw.get("statement") and not lists["topic"]:
        problems.append(doc.problem("a 'statement' needs a 'topic': the words that say its point", *path))
        return None
    return Fact(
        id=raw["id"],
        source=source_id,
        source_date=source_date,
        kind=kind,
        value=value,
        what=raw["what"].strip(),
        quote=" ".join(raw["quote"].split()),
        election=election,
        topic=lists["topic"],
        role=raw.get("role"),
        role_terms=lists["role_terms"],
        aliases=lists["aliases"],
        event=raw.get("event"),
        qualifier=raw.get("qualifier"),
        act=raw.get("act"),
        act_terms=lists["act_terms"],
        statement=bool(raw.get("statement")),
        speaks_for=lists["speaks_for"],
        trend=trend,
    )


_QUOTE_MARKS = str.maketrans("“”‘’", "\"\"''")


def _squash(text: str) -> str:
    """Compare quotes with source texts regardless of case, spacing and typographic quotes."""
    text = text.lower().translate(_QUOTE_MARKS)
    return " ".join(text.split())


_STATES: dict[str, tuple[str, ...]] = {"date": ("date",), "month": ("month", "date"), "percent": ("percent",)}
_STATES["count"] = ("count",)


def _speaker(quote: str, text: str, names: dict[str, str]) -> str | None:
    """Whose words `quote` is when it names no one ("“Kami akan …,” terangnya"): the person the
    source text names last before it (by the key of `names`, folded name -> person)."""
    low, at = fold(_squash(text)), fold(_squash(quote))
    end = low.find(at)
    if end < 0 or not names:
        return None
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b")
    found = list(pattern.finditer(low, 0, end))
    return names[found[-1][0]] if found else None


def _value_not_in_quote(fact: Fact, vocab: Vocabulary, text: str = "") -> str | None:
    """A fact's value must be what its quote says, or it is not bound to the source.

    A statement's quote may name its speaker by a pronoun ("terangnya", "kata dia"): then the
    person the source names last before the quote must be the fact's person.
    """
    quote = fact.quote
    if fact.kind in ("person", "place"):
        names = [str(fact.value), *fact.aliases]
        if not any(fold(n) in fold(quote) for n in names) and not (
            fact.statement and _speaker(quote, text, dict(vocab.persons)) == fact.key
        ):
            return f"fact '{fact.id}': its quote does not name '{fact.value}'" + (
                " (nor is it the last person the source names before the quote)" if fact.statement else ""
            )
        if fact.role_terms and not any(t in fold(quote) for t in fact.role_terms):
            return f"fact '{fact.id}': its quote does not name the role ({', '.join(fact.role_terms)})"
        # A statement's quote is what was said: "“Kami akan gencarkan …,” terangnya" need not name the act.
        if (
            fact.act_terms
            and not fact.statement
            and not any(re.search(rf"\b{re.escape(t)}\b", fold(quote)) for t in fact.act_terms)
        ):
            return f"fact '{fact.id}': its quote does not say '{fact.act}' ({', '.join(fact.act_terms)})"
        return None
    if fact.trend is not None and fact.trend[1] not in {
        str(i.value) for i in find_items(quote, vocab) if i.kind == "election"
    }:
        return f"fact '{fact.id}': its quote does not name {fact.trend[1].title()}, the election it compares with"
    # The quote must state the value itself, not merely a year the fact also mentions.
    items = [i for i in find_items(quote, vocab) if i.kind in _STATES[fact.kind]]
    if any(fact.shows(item) for item in items):
        return None
    if fact.kind == "month" and isinstance(fact.value, tuple):
        year, month = fact.value
        # "dijadwalkan pada September ini": the source's own date gives the year.
        named = re.search(rf"\b{MONTH_NAMES[month - 1]}\b", fold(quote))
        if named and fact.source_date.year == year:
            return None
    return f"fact '{fact.id}': its quote does not say {fact.render()}"
