"""Which election a knowledge base is about, against the one config.yaml names.

`check` (every load of the knowledge base) compares config.yaml's `election:` with
what the sources, answers and messages talk about:

- another kabupaten/kota (or province) named in them is an error at its line: a Blora
  knowledge base under a config for Kabupaten Rembang answers as Blora;
- no fact about the configured election (a new, empty kit) is an error: import the
  articles' facts first;
- a time zone that is not the province's (WIB, WITA, WIT; bot/data/wilayah.yaml), and a
  voting date no fact states, are warnings.

The region names are data (bot/regions.py), never code. Pure apart from reading the
knowledge files again to point at the exact line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bot.config import ElectionConfig
from bot.facts.facts import Fact
from bot.facts.statements import Vocabulary, find_items
from bot.regions import DATA, Province, load_atlas, region_words
from bot.yamlfile import Problem, YamlDoc

# Keys whose values are identifiers or file names, not text anyone reads ("kpu-blora-2024-09-06").
IDENTIFIER_KEYS = frozenset({"id", "link", "related", "entry", "sources", "text"})
DATA_NAME = f"bot/data/{DATA.name}"


def election_of(election: ElectionConfig) -> str | None:
    """config.yaml's election name as the reader reads it ("Pilkada Serentak 2024" -> "pilkada 2024")."""
    vocab = Vocabulary({}, {}, {}, (region_words(election.region),))
    found = [i for i in find_items(election.name, vocab) if i.kind == "election"]
    return str(found[0].value) if len(found) == 1 else None


def scope_problems(
    election: ElectionConfig,
    lines: dict[str, Problem],
    facts: Iterable[Fact],
    docs: Iterable[YamlDoc],
    other_regions: tuple[str, ...],
    lexicon: YamlDoc | None,
) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) about the configured election; `lines` point at config.yaml's keys."""
    facts = list(facts)
    errors: list[Problem] = []
    warnings: list[Problem] = []

    def at(key: str, message: str) -> Problem:
        where = lines.get(key) or Problem("config.yaml", 0, "")
        return Problem(where.file, where.line, message)

    for doc in docs:
        errors.extend(other_region_problems(doc, election.region))
    own = region_words(election.region)
    if lexicon is not None and own in other_regions:
        errors.append(
            lexicon.problem(
                f"'{own}' is the configured region ({election.region}), not another one: "
                "remove it from 'other_regions'",
                "other_regions",
            )
        )
    warnings.extend(_zone_warnings(election, at))
    named = election_of(election)
    if named is None:
        warnings.append(
            at(
                "name",
                f"warning: '{election.name}' names no election with its year (e.g. 'Pilkada Serentak 2024'): "
                "check cannot tell which facts are about it",
            )
        )
    elif not any(f.election == named for f in facts):
        kind, _, year = named.partition(" ")
        errors.append(
            at(
                "name",
                f"no fact in the sources is about {kind.capitalize()} {year}, the election named here: "
                "add the facts of your articles to sources.yaml (`pilkada-bot import ARTICLE.txt` drafts them)",
            )
        )
    if not any(f.kind == "date" and f.value == election.voting_date for f in facts):
        warnings.append(
            at(
                "voting_date",
                f"warning: no date fact of the sources says {election.voting_date.isoformat()}: the countdown and "
                "reminders would count to a day no source gives (add the voting day as a fact with its quote)",
            )
        )
    return errors, warnings


def other_region_problems(doc: YamlDoc, region: str) -> list[Problem]:
    """Every line of `doc` whose text names a region other than `region`."""
    atlas = load_atlas()
    try:
        raw = Path(doc.file).read_text(encoding="utf-8").split("\n")
    except OSError:
        raw = []
    seen: set[tuple[int, str]] = set()
    out: list[Problem] = []
    for path, text in _strings(doc.data, ()):
        for mention in atlas.others_in(text, region):
            line = _line_of(raw, doc.line(*path), mention.text)
            if (line, mention.name) in seen:
                continue
            seen.add((line, mention.name))
            out.append(
                Problem(
                    doc.file,
                    line,
                    f"'{mention.text}' is {mention.name}, not {region} (config.yaml): another region's knowledge",
                )
            )
    return sorted(out, key=lambda p: p.line)


def _strings(data: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            ids = isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
            if not (key in IDENTIFIER_KEYS and ids):
                yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, (*path, i))


def _line_of(raw: list[str], start: int, text: str) -> int:
    """The first line at or after `start` (1-based) that holds `text` (a block of text spans several)."""
    for offset, line in enumerate(raw[max(start - 1, 0) : start + 200]):
        if text in line:
            return start + offset
    return start


def _zone_warnings(election: ElectionConfig, at: Any) -> list[Problem]:
    atlas = load_atlas()
    found = atlas.zone_of(election.region)
    if found is None:
        return [
            at(
                "region",
                f"warning: '{election.region}' is not a kabupaten, kota or province in {DATA_NAME}: "
                "check its time zone (WIB, WITA or WIT) yourself",
            )
        ]
    zone, province = found
    noon = dt.datetime.combine(election.voting_date, dt.time(12), tzinfo=election.timezone)
    offset = noon.utcoffset()
    hours = offset.total_seconds() / 3600 if offset is not None else None
    if hours == zone.utc_offset:
        return []
    configured = atlas.zone_for_offset(hours) if hours is not None else None
    said = f"{configured.name} (UTC+{configured.utc_offset})" if configured else f"UTC{hours:+g}"
    place = atlas.find(election.region)
    where = province if isinstance(place, Province) else f"{election.region} ({province})"
    return [
        at(
            "timezone",
            f"warning: the time zone {election.timezone.key} is {said}, but {where} keeps {zone.name} "
            f"(UTC+{zone.utc_offset}): use {zone.timezone}, or reminders and the countdown are off by "
            f"{abs(zone.utc_offset - (hours or 0)):g} hour(s)",
        )
    ]
