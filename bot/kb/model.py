"""The knowledge base's parts as the loaders build them: sources, entries, the lexicon, topics, messages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from bot.facts.facts import Fact
from bot.kb.english import EnglishDetector
from bot.kb.phases import Phase, PhasedText
from bot.kb.smalltalk import SmallTalk

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
EntryKind = Literal["answer", "unknown"]


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    publisher: str
    date: dt.date
    author: str | None
    editor: str | None
    facts: tuple[Fact, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    """One topic: how people ask it and our answer.

    An "unknown" entry is a known unknown: a question people really ask that the
    sources cannot answer ("siapa yang menang?"). Its answer says so honestly and
    where to ask; the matcher treats it like any other entry.
    """

    id: str
    title: str
    topic: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    answer: PhasedText
    sources: tuple[str, ...]
    related: tuple[str, ...]
    show_countdown: bool
    kind: EntryKind = "answer"
    facts: tuple[str, ...] = ()  # ids of the facts the answer states
    link: str | None = None  # deep-link word, unique across entries


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Word -> standard word(s) mapping, and particles to drop.

    `protected` are domain terms and acronyms (DPT, TPS, KPPS) that no mapping or
    typo correction may turn into another word; `call_to_action` are phrases that
    only make sense before the vote ("datang ke TPS"), see `check`.
    """

    normalize: dict[str, str]
    particles: frozenset[str]
    filler: frozenset[str] = frozenset()
    protected: frozenset[str] = frozenset()
    call_to_action: tuple[str, ...] = ()
    # Real words (word lists, see knowledge/words/): never "corrected" into another word.
    words: frozenset[str] = frozenset()
    # The English list among them (knowledge/words/en.txt): "chairs" is a plural of "chair",
    # "dinas" is no plural of "dina".
    english: frozenset[str] = frozenset()
    # Claim check: words that make a message a claim to check ("katanya", "sebarkan",
    # "bener ga"), words that make it a plain question, and "at most" words.
    claim_markers: tuple[str, ...] = ()
    question_words: tuple[str, ...] = ()
    at_most: tuple[str, ...] = ()
    date_change: tuple[str, ...] = ()  # "diundur", "ditunda": a bare year is then a claimed date
    # "golput itu GPP": saying something a speaker forbade ("jangan golput") is fine turns their words around.
    approving: tuple[str, ...] = ()
    # "SOSIALISASI Pilkada ... Minggu pagi": a date or weekday said with another activity of the election is that
    # activity's, not voting day's.
    other_activities: tuple[str, ...] = ()
    stay_away: tuple[str, ...] = ()  # "jangan datang ke TPS": with voting day's date, it moves voting day
    # "naik", "lebih rendah": a message comparing two elections' figures claims a direction.
    trend_up: tuple[str, ...] = ()
    trend_down: tuple[str, ...] = ()
    other_regions: tuple[str, ...] = ()  # regions the facts are not about ("rembang"): claims there are unverifiable
    role_glue: tuple[str, ...] = ()  # words that may stand between a name and its role ("adalah", "selaku")
    # Words that name different things of one kind ("pilkada" / "pemilu"): a question
    # naming one is not about an entry that only ever names another.
    exclusive: tuple[frozenset[str], ...] = ()
    # Words that say the same thing in a statement ("ingin" / "berharap", "lewat" / "melalui"): a claim of what
    # someone said is covered by its quote when the quote says one word of each group the claim uses.
    same_meaning: tuple[frozenset[str], ...] = ()
    # Words that stand for one another only wrongly ("sama" / "setengah"): a claim saying one where the
    # speaker's quote says another turns the quote around.
    other_meaning: tuple[frozenset[str], ...] = ()
    # What a question asks for, by the words that ask it: {"date": ("kapan", ...), "figure": ...}.
    # The decision model never answers "berapa" with an answer that holds no figure.
    asks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Topic:
    label: str
    entry: str


@dataclass(frozen=True, slots=True)
class Messages:
    texts: dict[str, PhasedText]
    topics: tuple[Topic, ...]
    small_talk: SmallTalk = field(default_factory=SmallTalk)
    feedback_reasons: tuple[str, ...] = ()
    english: EnglishDetector = field(default_factory=EnglishDetector)
    start_topics: tuple[Topic, ...] = ()  # the few shown by /start (all of `topics` if empty)

    def get(self, key: str, phase: Phase | None = None, **fields: object) -> str:
        """Message `key` for `phase`, placeholders filled in.

        `phase` may be left out only for a message that reads the same in every
        phase: a missing phase must never show pre-vote wording after the vote.
        """
        texts = self.texts[key]
        if phase is None:
            if len(texts.texts()) > 1:
                raise ValueError(f"message '{key}' differs by election phase: pass phase=")
            phase = "before"
        text = texts.at(phase)
        return text.format(**fields) if fields else text

    def has(self, key: str) -> bool:
        return key in self.texts
