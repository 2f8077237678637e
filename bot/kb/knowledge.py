"""The knowledge base: sources, entries, lexicon and user-facing messages, loaded from YAML.

`KnowledgeBase.load` validates everything (schema, ids, cross references and
groundedness) and raises InvalidFiles with every `file:line` problem at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from bot.config import KnowledgeConfig, Link
from bot.facts.facts import FACT_KINDS, Fact, check_grounded, known_elections, render_refs, vocabulary
from bot.facts.statements import MONTH_NAMES, Vocabulary, find_items, fold
from bot.kb.english import EnglishDetector, parse_english_words
from bot.kb.phases import PHASES, Phase, PhasedText
from bot.kb.scope import election_of, scope_problems
from bot.kb.smalltalk import SmallTalk, parse_small_talk
from bot.kb.staff_texts import StaffTexts, parse_staff_texts
from bot.regions import short_name
from bot.schema import BOOL, DATE, INT, LIST, MAPPING, NONEMPTY_TEXT, NUMBER, TEXT, Expect, check_mapping
from bot.yamlfile import InvalidFiles, Problem, YamlDoc, load_yaml

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Telegram callback data is at most 64 bytes and carries a 2-byte prefix plus the id.
MAX_ID_LENGTH = 48
MAX_TITLE_LENGTH = 40
# An answer or message: plain text, or its wording per phase of the election clock.
PHASED_TEXT = Expect((str, dict), "text, or a mapping with 'before' and optionally 'today' and 'after'")
# {link:dpt_check}: an official link staff fill in config.yaml (never written in the KB).
LINK_RE = re.compile(r"\{link:(?P<name>[a-z0-9_]+)\}")
EntryKind = Literal["answer", "unknown"]
# An entry's deep-link word (t.me/<bot>?start=<link>): Telegram allows 1-64 of A-Z, a-z,
# 0-9, _ and -; we keep to lower case so a link read aloud or retyped still works.
DEEP_LINK_RE = re.compile(r"^[a-z0-9_-]{1,64}$")
# /start words the bot itself uses: "inline" is the inline results' button (bot/telegram/inline.py).
RESERVED_LINKS = frozenset({"inline"})

# The election's words an entry (title, questions, keywords, answer) may use; written in at load
# from config.yaml ({region_short}: "Blora" for "Kabupaten Blora"). Messages may use them too.
ENTRY_FIELDS = ("region", "region_short", "election_name")
# Placeholders each message may use; anything else is a typo by staff.
MESSAGE_FIELDS = frozenset(
    {
        "election_name",
        "region",
        "region_short",
        "date",
        "days",
        "sources",
        "publisher",
        "title",
        "what",
        "value",
        "quote",
        "source",
        "said",
        "bot",
        "link",
    }
)
# {bot} (the bot's Telegram username) is known only where the bot speaks in or about groups.
BOT_FIELD_MESSAGES = frozenset({"welcome_group", "help_group", "remind_stop_group", "remind_private_only"})
# {link} (the deep link that opens one answer) is known only under a shared answer or a card.
LINK_FIELD_MESSAGES = frozenset({"share_footer", "card_caption"})
FIELD_ONLY_IN = {"bot": BOT_FIELD_MESSAGES, "link": LINK_FIELD_MESSAGES}
REQUIRED_MESSAGES = frozenset(
    {
        "welcome",
        "help",
        "topics_intro",
        "fallback",
        "did_you_mean",
        "source_line",
        "source_item",
        "sources_intro",
        "sources_item_long",
        "countdown_before",
        "countdown_today",
        "countdown_after",
        "share_button",
        "feedback_up",
        "feedback_down",
        "feedback_thanks",
        "non_text",
        "too_long",
        "error",
        "unknown_command",
        "expired_button",
        "inline_empty_hint",
        "console_hint",
        "console_bye",
        "console_choice",
        "did_you_mean_one",
        "not_this_button",
        "claim_contradicted",
        "claim_confirmed",
        "claim_unverifiable",
        "claim_fact",
        "claim_quote",
    }
)
# Shown only before or on voting day (countdowns, reminders): a call to action is right there.
PRE_VOTE_MESSAGES = frozenset(
    {
        "countdown_before",
        "countdown_today",
        "reminder_text",
        "reminder_text_today",
        "remind_on",
        "remind_already",
        "remind_no_more",
    }
)
OPTIONAL_MESSAGES = frozenset(
    {
        "claim_rest",
        "privacy",
        "privacy_server",
        "remind_on",
        "remind_off",
        "remind_past",
        "remind_none",
        "remind_off_failed",
        "reminder_text",
        "slow_down",
        "not_admin",
        "inline_no_results",
        "command_start",
        "command_help",
        "command_topik",
        "command_hitungmundur",
        "command_sumber",
        "command_ingatkan",
        "command_berhenti",
        "command_privasi",
        "command_hapus",
        "forget_done",
        "forget_failed",
        "help_reminders",
        "remind_already",
        "remind_item",
        "remind_item_today",
        "remind_no_more",
        "remind_private_only",
        "reminder_text_today",
        "feedback_why",
        "feedback_write_button",
        "feedback_write_prompt",
        "feedback_noted",
        "welcome_group",
        "help_group",
        "remind_stop_group",
        "english_note",
        "more_topics_button",
        # Outreach kit (bot/outreach): share buttons, answer cards, posters.
        "share_whatsapp_button",
        "share_footer",
        "card_button",
        "card_caption",
        "card_heading",
        "card_footer",
        "card_help",
        "command_kartu",
        "poster_headline",
        "poster_intro",
        "poster_scan",
        "poster_footer",
    }
)
# Why an answer got 👎: one button each, numbered 0-9 in the callback data.
MAX_FEEDBACK_REASONS = 10
MAX_REASON_LENGTH = 60


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
    # Claim check: words that make a message a claim to check ("katanya", "sebarkan",
    # "bener ga"), words that make it a plain question, and "at most" words.
    claim_markers: tuple[str, ...] = ()
    question_words: tuple[str, ...] = ()
    at_most: tuple[str, ...] = ()
    date_change: tuple[str, ...] = ()  # "diundur", "ditunda": a bare year is then a claimed date
    # "naik", "lebih rendah": a message comparing two elections' figures claims a direction.
    trend_up: tuple[str, ...] = ()
    trend_down: tuple[str, ...] = ()
    other_regions: tuple[str, ...] = ()  # regions the facts are not about ("rembang"): claims there are unverifiable
    role_glue: tuple[str, ...] = ()  # words that may stand between a name and its role ("adalah", "selaku")
    # Words that name different things of one kind ("pilkada" / "pemilu"): a question
    # naming one is not about an entry that only ever names another.
    exclusive: tuple[frozenset[str], ...] = ()
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


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    sources: dict[str, Source]
    entries: tuple[Entry, ...]
    lexicon: Lexicon
    messages: Messages
    warnings: tuple[Problem, ...] = ()
    staff: StaffTexts = field(default_factory=StaffTexts)  # knowledge/staff.yaml

    by_id: dict[str, Entry] = field(init=False, repr=False, compare=False)
    facts: dict[str, Fact] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {e.id: e for e in self.entries})
        object.__setattr__(self, "facts", {f.id: f for s in self.sources.values() for f in s.facts})

    def entry(self, entry_id: str) -> Entry:
        return self.by_id[entry_id]

    def summary(self) -> str:
        variants = sum(len(e.questions) for e in self.entries)
        unknown = sum(e.kind == "unknown" for e in self.entries)
        return (
            f"OK: {len(self.entries)} entries ({unknown} known unknowns), {variants} question variants, "
            f"{len(self.sources)} sources with {len(self.facts)} facts, "
            f"{len(self.lexicon.normalize)} lexicon words, {len(self.messages.texts)} messages"
        )

    @classmethod
    def load(cls, cfg: KnowledgeConfig) -> KnowledgeBase:
        """Load and validate every knowledge file; raise InvalidFiles listing all problems."""
        problems: list[Problem] = []
        docs: dict[str, YamlDoc] = {}
        files = [("sources", cfg.sources), ("lexicon", cfg.lexicon), ("messages", cfg.messages), ("staff", cfg.staff)]
        for label, path in files:
            try:
                docs[label] = load_yaml(path)
            except InvalidFiles as exc:
                problems.extend(exc.problems)
        entry_docs: list[YamlDoc] = []
        for path in cfg.entries:
            try:
                entry_docs.append(load_yaml(path))
            except InvalidFiles as exc:
                problems.extend(exc.problems)
        if problems:
            raise InvalidFiles(problems)
        region = cfg.election.region if cfg.election is not None else None
        sources = _parse_sources(docs["sources"], cfg.sources.parent, problems, region)
        facts = {f.id: f for s in sources.values() for f in s.facts}
        lexicon = replace(_parse_lexicon(docs["lexicon"], problems), words=_read_words(cfg.words, problems))
        fields = {}
        if cfg.election is not None:
            election = cfg.election
            fields = {"region": election.region, "region_short": short_name(election.region)}
            fields["election_name"] = election.name
        configured = election_of(cfg.election) if cfg.election is not None else None
        grounding = Grounding(facts, sources, cfg.links, lexicon.call_to_action, fields, configured)
        entries = _parse_entries(entry_docs, grounding, problems)
        messages = _parse_messages(docs["messages"], declared_entry_ids(entry_docs), grounding, problems)
        staff = parse_staff_texts(docs["staff"], problems)
        scope_warnings: list[Problem] = []
        if cfg.election is not None:
            # Which election this is: another region's names, no fact on the configured election, time zone.
            texts = [docs["sources"], *entry_docs, docs["messages"], docs["staff"]]
            errors, scope_warnings = scope_problems(
                cfg.election, dict(cfg.election_lines), facts.values(), texts, lexicon.other_regions, docs["lexicon"]
            )
            problems.extend(errors)
        if problems:
            raise InvalidFiles(problems)
        warnings = [*_lexicon_warnings(docs["lexicon"], lexicon), *scope_warnings]
        return cls(sources, tuple(e for e, _ in entries), lexicon, messages, tuple(warnings), staff)


# ---------------------------------------------------------------------------- sources and facts

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
            message = _value_not_in_quote(fact, vocab)
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
    for key in ("topic", "role_terms", "aliases", "act_terms"):
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
        trend=trend,
    )


_QUOTE_MARKS = str.maketrans("“”‘’", "\"\"''")


def _squash(text: str) -> str:
    """Compare quotes with source texts regardless of case, spacing and typographic quotes."""
    text = text.lower().translate(_QUOTE_MARKS)
    return " ".join(text.split())


_STATES: dict[str, tuple[str, ...]] = {"date": ("date",), "month": ("month", "date"), "percent": ("percent",)}
_STATES["count"] = ("count",)


def _value_not_in_quote(fact: Fact, vocab: Vocabulary) -> str | None:
    """A fact's value must be what its quote says, or it is not bound to the source."""
    quote = fact.quote
    if fact.kind in ("person", "place"):
        names = [str(fact.value), *fact.aliases]
        if not any(fold(n) in fold(quote) for n in names):
            return f"fact '{fact.id}': its quote does not name '{fact.value}'"
        if fact.role_terms and not any(t in fold(quote) for t in fact.role_terms):
            return f"fact '{fact.id}': its quote does not name the role ({', '.join(fact.role_terms)})"
        if fact.act_terms and not any(re.search(rf"\b{re.escape(t)}\b", fold(quote)) for t in fact.act_terms):
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


# ---------------------------------------------------------------------------- answers and messages


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


def declared_entry_ids(docs: list[YamlDoc]) -> set[str]:
    """Every entry id written in the files, valid entry or not (so one mistake is reported once)."""
    return {
        raw["id"]
        for doc in docs
        if isinstance(doc.data, dict) and isinstance(doc.data.get("entries"), list)
        for raw in doc.data["entries"]
        if isinstance(raw, dict) and isinstance(raw.get("id"), str)
    }


def _parse_entries(
    docs: list[YamlDoc], grounding: Grounding, problems: list[Problem]
) -> list[tuple[Entry, tuple[YamlDoc, int]]]:
    parsed: list[tuple[Entry, tuple[YamlDoc, int]]] = []
    seen_ids: dict[str, str] = {}
    seen_questions: dict[str, tuple[str, str]] = {}
    seen_links: dict[str, tuple[str, str]] = {}
    for doc in docs:
        if not check_mapping(doc, doc.data, (), problems, required={"entries": LIST}, what="the entries file"):
            continue
        for i, raw in enumerate(doc.data.get("entries") or []):
            entry = _parse_entry(doc, i, raw, grounding, problems)
            if entry is None:
                continue
            where = f"{doc.file}:{doc.line('entries', i, 'id')}"
            if entry.id in seen_ids:
                problems.append(
                    doc.problem(
                        f"duplicate entry id '{entry.id}' (first used at {seen_ids[entry.id]})", "entries", i, "id"
                    )
                )
                continue
            seen_ids[entry.id] = where
            if entry.link is not None:
                if entry.link in seen_links:
                    other, other_where = seen_links[entry.link]
                    problems.append(
                        doc.problem(
                            f"link '{entry.link}' is already used by entry '{other}' ({other_where})",
                            "entries",
                            i,
                            "link",
                        )
                    )
                else:
                    seen_links[entry.link] = (entry.id, f"{doc.file}:{doc.line('entries', i, 'link')}")
            for j, question in enumerate(entry.questions):
                key = " ".join(question.lower().split())
                if key in seen_questions:
                    other, other_where = seen_questions[key]
                    what = "twice in this entry" if other == entry.id else f"also under entry '{other}' ({other_where})"
                    problems.append(
                        doc.problem(f"question '{question}' is listed {what}", "entries", i, "questions", j)
                    )
                else:
                    seen_questions[key] = (entry.id, f"{doc.file}:{doc.line('entries', i, 'questions', j)}")
            parsed.append((entry, (doc, i)))
    ids = declared_entry_ids(docs)
    for entry, (doc, i) in parsed:
        for j, rel in enumerate(entry.related):
            if rel not in ids:
                problems.append(doc.problem(f"'related' names unknown entry '{rel}'", "entries", i, "related", j))
            elif rel == entry.id:
                problems.append(doc.problem("an entry cannot be related to itself", "entries", i, "related", j))
    return parsed


def _parse_entry(doc: YamlDoc, i: int, raw: Any, grounding: Grounding, problems: list[Problem]) -> Entry | None:
    before = len(problems)
    unknown = isinstance(raw, dict) and raw.get("kind") == "unknown"
    ok = check_mapping(
        doc,
        raw,
        ("entries", i),
        problems,
        required={
            "id": NONEMPTY_TEXT,
            "title": NONEMPTY_TEXT,
            "topic": NONEMPTY_TEXT,
            "questions": LIST,
            "answer": PHASED_TEXT,
            # A known unknown states no fact; it cites a source only if it mentions one.
            **({} if unknown else {"sources": LIST}),
        },
        optional={
            "keywords": LIST,
            "related": LIST,
            "show_countdown": BOOL,
            "kind": NONEMPTY_TEXT,
            "link": TEXT,
            **({"sources": LIST} if unknown else {}),
        },
        what=f"entry #{i + 1}",
    )
    if not ok or len(problems) > before:
        return None
    if raw.get("kind", "answer") not in ("answer", "unknown"):
        problems.append(doc.problem(f"'kind' must be 'answer' or 'unknown', got '{raw['kind']}'", "entries", i, "kind"))
        return None
    if not ID_RE.match(raw["id"]) or len(raw["id"]) > MAX_ID_LENGTH:
        problems.append(
            doc.problem(
                f"entry id '{raw['id']}' must be at most {MAX_ID_LENGTH} lower-case letters, digits, '-' or '_'",
                "entries",
                i,
                "id",
            )
        )
    if raw.get("link") in RESERVED_LINKS:
        problems.append(
            doc.problem(f"'link' cannot be '{raw['link']}': the bot uses that word itself", "entries", i, "link")
        )
    elif "link" in raw and not DEEP_LINK_RE.fullmatch(raw["link"]):
        problems.append(
            doc.problem(
                f"'link' must be 1-64 lower-case letters, digits, '-' or '_' (it goes into t.me/<bot>?start=...), "
                f"got '{raw['link']}'",
                "entries",
                i,
                "link",
            )
        )
    if len(grounding.fill(raw["title"])) > MAX_TITLE_LENGTH:
        problems.append(
            doc.problem(
                f"'title' must be at most {MAX_TITLE_LENGTH} characters (it is a button label)", "entries", i, "title"
            )
        )
    texts: dict[str, list[str]] = {}
    for key in ("questions", "keywords", "sources", "related"):
        values = raw.get(key) or []
        # A bare 2020 in YAML is a number; staff mean the text "2020".
        values = [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in values]
        for j, value in enumerate(values):
            if not isinstance(value, str) or not value.strip():
                problems.append(doc.problem(f"each item of '{key}' must be non-empty text", "entries", i, key, j))
        texts[key] = [grounding.fill(v) for v in values if isinstance(v, str) and v.strip()]
    if not texts["questions"]:
        problems.append(doc.problem("'questions' must list at least one question", "entries", i, "questions"))
    for j, src in enumerate(texts["sources"]):
        if src not in grounding.sources:
            problems.append(doc.problem(f"'sources' names unknown source '{src}'", "entries", i, "sources", j))
    if len(problems) > before:
        return None
    answer = grounding.text(doc, raw["answer"], ("entries", i, "answer"), texts["sources"], problems)
    if answer is None or len(problems) > before:
        return None
    text, used = answer
    return Entry(
        id=raw["id"],
        title=grounding.fill(raw["title"].strip()),
        topic=grounding.fill(raw["topic"]),
        questions=tuple(texts["questions"]),
        keywords=tuple(texts["keywords"]),
        answer=text,
        sources=tuple(texts["sources"]),
        related=tuple(texts["related"]),
        show_countdown=bool(raw.get("show_countdown", False)),
        kind="unknown" if unknown else "answer",
        facts=tuple(sorted(used)),
        link=raw.get("link"),
    )


# ---------------------------------------------------------------------------- lexicon


def _parse_lexicon(doc: YamlDoc, problems: list[Problem]) -> Lexicon:
    if not check_mapping(
        doc,
        doc.data,
        (),
        problems,
        required={"normalize": MAPPING},
        optional={
            "particles": LIST,
            "filler": LIST,
            "protected": LIST,
            "call_to_action": LIST,
            "claim_markers": LIST,
            "question_words": LIST,
            "at_most": LIST,
            "date_change": LIST,
            "trend_up": LIST,
            "trend_down": LIST,
            "other_regions": LIST,
            "role_glue": LIST,
            "exclusive": LIST,
            "asks": MAPPING,
        },
        what="the lexicon file",
    ):
        return Lexicon({}, frozenset())
    mapping: dict[str, str] = {}
    for word, target in (doc.data.get("normalize") or {}).items():
        if not isinstance(word, str) or not isinstance(target, str) or not target.strip():
            problems.append(
                doc.problem(
                    f"'{word}' must map to a non-empty word (quote it if it is a number or yes/no)",
                    "normalize",
                    str(word),
                )
            )
            continue
        if word != word.lower() or " " in word.strip():
            problems.append(doc.problem(f"lexicon key '{word}' must be one lower-case word", "normalize", word))
            continue
        mapping[word] = target.lower().strip()
    words: dict[str, tuple[str, ...]] = {}
    for key in (
        "particles",
        "filler",
        "protected",
        "call_to_action",
        "claim_markers",
        "question_words",
        "at_most",
        "date_change",
        "trend_up",
        "trend_down",
        "other_regions",
        "role_glue",
    ):
        values = doc.data.get(key) or []
        if not all(isinstance(p, str) for p in values):
            problems.append(doc.problem(f"'{key}' must be a list of words (quote numbers and yes/no)", key))
            values = []
        words[key] = tuple(fold(p.strip()) for p in values)
    return Lexicon(
        mapping,
        frozenset(words["particles"]),
        frozenset(words["filler"]),
        frozenset(words["protected"]),
        words["call_to_action"],
        claim_markers=words["claim_markers"],
        question_words=words["question_words"],
        at_most=words["at_most"],
        date_change=words["date_change"],
        trend_up=words["trend_up"],
        trend_down=words["trend_down"],
        other_regions=words["other_regions"],
        role_glue=words["role_glue"],
        exclusive=_exclusive_groups(doc, problems),
        asks=_asks(doc, problems),
    )


ASKED_KINDS = ("date", "figure", "person", "place")


def _asks(doc: YamlDoc, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for kind, words in (doc.data.get("asks") or {}).items():
        if kind not in ASKED_KINDS:
            problems.append(
                doc.problem(f"'asks' kind must be one of {', '.join(ASKED_KINDS)}, got '{kind}'", "asks", kind)
            )
        elif not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            problems.append(doc.problem(f"'asks: {kind}' must be a list of words", "asks", kind))
        else:
            out[kind] = tuple(fold(w.strip()) for w in words)
    return out


def _exclusive_groups(doc: YamlDoc, problems: list[Problem]) -> tuple[frozenset[str], ...]:
    groups = []
    for i, group in enumerate(doc.data.get("exclusive") or []):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(w, str) for w in group):
            problems.append(doc.problem("each item of 'exclusive' must be a list of two or more words", "exclusive", i))
            continue
        groups.append(frozenset(fold(w) for w in group))
    return tuple(groups)


def _read_words(paths: Iterable[Path], problems: list[Problem]) -> frozenset[str]:
    """Every word in the word lists (one per line; '#' starts a comment line)."""
    versions: list[tuple[Path, int, int]] = []
    for path in paths:
        try:
            path = path.resolve()
            stat = path.stat()
        except OSError as exc:
            problems.append(Problem(str(path), 1, f"cannot read word list: {exc.strerror}"))
            continue
        versions.append((path, stat.st_mtime_ns, stat.st_size))
    try:
        return _word_lists(tuple(versions))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(str(versions[0][0]) if versions else "?", 1, f"cannot read word list: {exc}"))
        return frozenset()


@functools.lru_cache(maxsize=4)
def _word_lists(versions: tuple[tuple[Path, int, int], ...]) -> frozenset[str]:
    # 180 000 words take 0.2 s to read: /reload and tests reuse them until a file changes.
    words: set[str] = set()
    for path, _, _ in versions:
        lines = path.read_text(encoding="utf-8").lower().split("\n")
        words.update(w for w in (line.strip() for line in lines) if w and not w.startswith("#"))
    return frozenset(words)


def _lexicon_warnings(doc: YamlDoc, lexicon: Lexicon) -> list[Problem]:
    """A mapping that turns a domain term into something else changes what people asked."""
    warnings = []
    for word, target in lexicon.normalize.items():
        if word in lexicon.protected and target != word:
            warnings.append(
                doc.problem(
                    f"warning: '{word}' is a protected term (see 'protected') but is rewritten to '{target}'",
                    "normalize",
                    word,
                )
            )
    for word in sorted(lexicon.protected & lexicon.filler):
        warnings.append(doc.problem(f"warning: protected term '{word}' is also listed as filler", "filler"))
    return warnings


# ---------------------------------------------------------------------------- messages


def _parse_messages(doc: YamlDoc, entry_ids: set[str], grounding: Grounding, problems: list[Problem]) -> Messages:
    if not check_mapping(
        doc,
        doc.data,
        (),
        problems,
        required={"messages": MAPPING, "topics": LIST},
        optional={"small_talk": MAPPING, "feedback_reasons": LIST, "english_words": LIST, "start_topics": LIST},
        what="the messages file",
    ):
        return Messages({}, ())
    texts: dict[str, PhasedText] = {}
    raw = doc.data.get("messages") or {}
    for key, value in raw.items():
        if key not in REQUIRED_MESSAGES | OPTIONAL_MESSAGES:
            problems.append(doc.problem(f"unknown message '{key}'", "messages", str(key)))
            continue
        before = len(problems)
        parsed = grounding.text(doc, value, ("messages", key), None, problems, pre_vote_only=key in PRE_VOTE_MESSAGES)
        if parsed is None or len(problems) > before:
            continue
        text, _ = parsed
        restricted = {name for name, keys in FIELD_ONLY_IN.items() if key not in keys}
        known = MESSAGE_FIELDS - restricted
        for phase, wording in text.texts().items():
            where = ("messages", key, phase) if isinstance(value, dict) and phase in value else ("messages", key)
            try:
                fields = {name for _, name, _, _ in string.Formatter().parse(wording) if name}
            except ValueError as exc:
                problems.append(doc.problem(f"message '{key}' has a broken {{placeholder}}: {exc}", *where))
                continue
            for name in sorted(fields & restricted):
                problems.append(
                    doc.problem(
                        f"message '{key}' cannot use {{{name}}}; only {', '.join(sorted(FIELD_ONLY_IN[name]))} can",
                        *where,
                    )
                )
            for name in sorted(fields - known - restricted):
                problems.append(
                    doc.problem(
                        f"message '{key}' uses unknown placeholder {{{name}}} (known: {', '.join(sorted(known))})",
                        *where,
                    )
                )
        if len(problems) == before:
            texts[key] = text
    for key in sorted(REQUIRED_MESSAGES - raw.keys()):
        problems.append(doc.problem(f"message '{key}' is missing", "messages"))
    topics = _parse_topics(doc, "topics", entry_ids, problems, grounding)
    start_topics = _parse_topics(doc, "start_topics", entry_ids, problems, grounding)
    raw_talk = doc.data.get("small_talk")
    small_talk = SmallTalk()
    if isinstance(raw_talk, dict):

        def render(value: Any, path: tuple[str | int, ...]) -> PhasedText | None:
            parsed = grounding.text(doc, value, path, None, problems)
            return parsed[0] if parsed is not None else None

        small_talk = parse_small_talk(doc, raw_talk, problems, render)
    reasons = _parse_feedback_reasons(doc, doc.data.get("feedback_reasons"), grounding, problems)
    raw_english = doc.data.get("english_words")
    english = parse_english_words(doc, raw_english, problems) if isinstance(raw_english, list) else EnglishDetector()
    return Messages(texts, topics, small_talk, reasons, english, start_topics)


def _parse_topics(
    doc: YamlDoc, key: str, entry_ids: set[str], problems: list[Problem], grounding: Grounding
) -> tuple[Topic, ...]:
    topics: list[Topic] = []
    raw = doc.data.get(key)
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        if not check_mapping(
            doc,
            item,
            (key, i),
            problems,
            required={"label": NONEMPTY_TEXT, "entry": NONEMPTY_TEXT},
            what="a topic",
        ):
            continue
        if {"label", "entry"} <= item.keys():
            if item["entry"] not in entry_ids:
                problems.append(
                    doc.problem(f"topic '{item['label']}' points to unknown entry '{item['entry']}'", key, i, "entry")
                )
            topics.append(Topic(grounding.fill(str(item["label"])), str(item["entry"])))
    return tuple(topics)


def _parse_feedback_reasons(doc: YamlDoc, raw: Any, grounding: Grounding, problems: list[Problem]) -> tuple[str, ...]:
    if not isinstance(raw, list):
        return ()  # missing (no reasons are offered), or not a list (reported by check_mapping)
    if len(raw) > MAX_FEEDBACK_REASONS:
        problems.append(doc.problem(f"at most {MAX_FEEDBACK_REASONS} feedback reasons", "feedback_reasons"))
    reasons: list[str] = []
    for i, reason in enumerate(raw[:MAX_FEEDBACK_REASONS]):
        if not isinstance(reason, str) or not reason.strip():
            problems.append(doc.problem("each feedback reason must be non-empty text", "feedback_reasons", i))
        elif len(reason.strip()) > MAX_REASON_LENGTH:
            problems.append(
                doc.problem(
                    f"a feedback reason must be at most {MAX_REASON_LENGTH} characters (it is a button label)",
                    "feedback_reasons",
                    i,
                )
            )
        elif grounding.text(doc, reason, ("feedback_reasons", i), None, problems) is not None:
            # Checked like a message (a reason naming a date or figure must be a fact).
            reasons.append(reason.strip())
    return tuple(reasons)
