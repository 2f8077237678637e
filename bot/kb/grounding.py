"""Grounding: render {fakta:} and {link:} in a text and check it against the facts, per phase of the election clock."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.config import Link
from bot.facts.facts import Fact, check_grounded, known_elections, render_refs, vocabulary
from bot.facts.statements import Vocabulary, fold
from bot.kb.model import Source
from bot.kb.phases import PHASES, Phase, PhasedText
from bot.schema import NONEMPTY_TEXT, Expect, check_mapping
from bot.yamlfile import Problem, YamlDoc

# An answer or message: plain text, or its wording per phase of the election clock.
PHASED_TEXT = Expect((str, dict), "text, or a mapping with 'before' and optionally 'today' and 'after'")

# {link:dpt_check}: an official link staff fill in config.yaml (never written in the KB).
LINK_RE = re.compile(r"\{link:(?P<name>[a-z0-9_]+)\}")

# The election's words an entry (title, questions, keywords, answer) may use; written in at load
# from config.yaml ({region_short}: "Blora" for "Kabupaten Blora"). Messages may use them too.
ENTRY_FIELDS = ("region", "region_short", "election_name")


@dataclass(frozen=True, slots=True)
class Grounding:
    """What every answer and message is checked against, and how its text is rendered."""

    facts: dict[str, Fact]
    sources: dict[str, Source]
    links: Mapping[str, Link]
    call_to_action: tuple[str, ...]
    # The configured election's words, filled in at load: {region}, {region_short}, {election_name}.
    fields: Mapping[str, str] = field(default_factory=dict)
    # config.yaml's election ("pilkada 2024"): texts may name it before any fact is about it (a new kit);
    # `check` reports once, at config.yaml, that no fact is about it yet (bot/kb/scope.py).
    configured: str | None = None
    vocab: Vocabulary = field(init=False)
    elections: set[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "vocab", vocabulary(self.facts.values()))
        elections = known_elections(self.facts.values(), self.vocab)
        object.__setattr__(self, "elections", elections | ({self.configured} if self.configured else set()))

    def text(
        self,
        doc: YamlDoc,
        raw: Any,
        path: tuple[str | int, ...],
        cited: list[str] | None,
        problems: list[Problem],
        *,
        pre_vote_only: bool = False,
    ) -> tuple[PhasedText, set[str]] | None:
        """Parse, render and check one answer or message.

        `cited` are the source ids an entry cites (None for messages: any source).
        Returns the rendered text and the ids of the facts it references.
        """
        phased = _phased(doc, raw, path, problems)
        if phased is None:
            return None
        used: set[str] = set()
        rendered: dict[Phase, str] = {}
        before = len(problems)
        for phase in PHASES:
            text = phased.at(phase)
            if phase != "before" and text == phased.before:
                rendered[phase] = rendered["before"]
                continue
            where = (*path, phase) if isinstance(raw, dict) and phase in raw else path
            # Messages get {region} and {election_name} when sent; an entry's answer here, at load.
            text = self.fill(text) if cited is not None else self.fill(text, only=("region_short",))
            if cited is not None:
                problems.extend(
                    doc.problem(
                        f"an answer cannot use {m[0]}: only {{region}}, {{region_short}} and {{election_name}} "
                        "(config.yaml's election), {fakta:...} and {link:...}",
                        *where,
                    )
                    for m in PLACEHOLDER_RE.finditer(text)
                )
            text, ref_problems, refs = render_refs(text, self.facts)
            problems.extend(doc.problem(m, *where) for m in ref_problems)
            used |= refs
            text = LINK_RE.sub(lambda m, at=where: self._link(m, doc, at, problems), text)  # type: ignore[misc]
            cited_facts = [f for f in self.facts.values() if cited is None or f.source in cited]
            checked = PLACEHOLDER_RE.sub(" ", text)
            problems.extend(
                doc.problem(m, *where)
                for m in check_grounded(checked, cited_facts, self.facts.values(), self.vocab, self.elections)
            )
            rendered[phase] = text
        if cited is not None:
            for fact_id in sorted(used):
                fact = self.facts[fact_id]
                if fact.source not in cited:
                    problems.append(
                        doc.problem(
                            f"{{fakta:{fact_id}}} comes from source '{fact.source}': add it to 'sources'", *path
                        )
                    )
        if not pre_vote_only:
            problems.extend(doc.problem(m, *path) for m in self._timing(phased))
        if len(problems) > before:
            return None
        return PhasedText(rendered["before"], rendered["today"], rendered["after"], phased.written), used

    def fill(self, text: str, only: tuple[str, ...] = ENTRY_FIELDS) -> str:
        """`text` with the configured election's {region}, {region_short}, {election_name} written in."""
        for name in only:
            if name in self.fields:
                text = text.replace(f"{{{name}}}", self.fields[name])
        return text

    def _link(self, match: re.Match[str], doc: YamlDoc, where: tuple[str | int, ...], problems: list[Problem]) -> str:
        link = self.links.get(match["name"])
        if link is None:
            known = ", ".join(sorted(self.links)) or "none configured"
            problems.append(
                doc.problem(f"{{link:{match['name']}}} is not in config.yaml 'links' (known: {known})", *where)
            )
            return match[0]
        return f"{link.label} ({link.url})" if link.url else link.label

    def _timing(self, phased: PhasedText) -> list[str]:
        """Calls to action need their own after-vote wording, and must not appear in it."""
        problems = []
        for phrase in self.call_to_action:
            if "after" not in phased.written and _has_phrase(phased.before, phrase):
                problems.append(
                    f"'{phrase}' only makes sense before voting day: write the text as "
                    "'before:' and 'after:' (and 'today:' if it differs)"
                )
            elif "after" in phased.written and _has_phrase(phased.after, phrase):
                problems.append(f"the 'after:' text still says '{phrase}', which is wrong once the vote is over")
        return problems


PLACEHOLDER_RE = re.compile(r"\{[a-z_]+\}")


def _has_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"\b{re.escape(phrase)}", fold(text)) is not None


def _phased(doc: YamlDoc, raw: Any, path: tuple[str | int, ...], problems: list[Problem]) -> PhasedText | None:
    if isinstance(raw, str):
        if not raw.strip():
            problems.append(doc.problem(f"'{path[-1]}' must not be empty", *path))
            return None
        return PhasedText.same(raw.strip())
    if not isinstance(raw, dict):
        problems.append(doc.problem(f"must be {PHASED_TEXT.words}", *path))
        return None
    ok = check_mapping(
        doc,
        raw,
        path,
        problems,
        required={"before": NONEMPTY_TEXT},
        optional={"today": NONEMPTY_TEXT, "after": NONEMPTY_TEXT},
        what="a text by phase",
    )
    if not ok or not all(isinstance(raw.get(p, ""), str) and (p not in raw or raw[p].strip()) for p in PHASES):
        return None
    if "before" not in raw:
        return None
    before = raw["before"].strip()
    written = frozenset(p for p in PHASES if p in raw)
    return PhasedText(before, raw.get("today", before).strip(), raw.get("after", before).strip(), written)
