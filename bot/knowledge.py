"""The knowledge base: sources, entries, lexicon and user-facing messages, loaded from YAML.

`KnowledgeBase.load` validates everything (schema, ids, cross references and
groundedness) and raises InvalidFiles with every `file:line` problem at once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import string
from dataclasses import dataclass, field
from typing import Any

from bot.config import KnowledgeConfig
from bot.schema import BOOL, DATE, LIST, MAPPING, NONEMPTY_TEXT, TEXT, check_mapping
from bot.yamlfile import InvalidFiles, Problem, YamlDoc, load_yaml

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Telegram callback data is at most 64 bytes and carries a 2-byte prefix plus the id.
MAX_ID_LENGTH = 48
MAX_TITLE_LENGTH = 40
# Numbers as written in Indonesian text: 83, 83,5, 26.238, 2018.
NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
MONTHS = [
    "januari",
    "februari",
    "maret",
    "april",
    "mei",
    "juni",
    "juli",
    "agustus",
    "september",
    "oktober",
    "november",
    "desember",
]
WEEKDAYS = ["senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu"]
DATE_RE = re.compile(
    r"(?:\b(?P<weekday>" + "|".join(WEEKDAYS) + r")\b[\s,]*)?"
    r"(?:\b(?P<day>\d{1,2})\s+)?\b(?P<month>" + "|".join(MONTHS) + r")\s+(?P<year>\d{4})\b",
    re.IGNORECASE,
)

# Placeholders each message may use; anything else is a typo by staff.
MESSAGE_FIELDS = frozenset({"election_name", "region", "date", "days", "sources", "publisher", "title"})
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
    }
)
OPTIONAL_MESSAGES = frozenset(
    {
        "privacy",
        "remind_on",
        "remind_off",
        "remind_past",
        "remind_none",
        "reminder_text",
        "slow_down",
        "reload_ok",
        "reload_failed",
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
        "help_reminders",
        "remind_already",
        "remind_item",
        "remind_item_today",
        "remind_no_more",
        "remind_private_only",
        "reminder_text_today",
        "unanswered_intro",
        "unanswered_empty",
    }
)


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    publisher: str
    date: dt.date
    author: str | None
    editor: str | None
    facts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    title: str
    topic: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    answer: str
    sources: tuple[str, ...]
    related: tuple[str, ...]
    show_countdown: bool


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Word -> standard word(s) mapping, and particles to drop."""

    normalize: dict[str, str]
    particles: frozenset[str]
    filler: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Topic:
    label: str
    entry: str


@dataclass(frozen=True, slots=True)
class Messages:
    texts: dict[str, str]
    topics: tuple[Topic, ...]

    def get(self, key: str, **fields: object) -> str:
        return self.texts[key].format(**fields) if fields else self.texts[key]

    def has(self, key: str) -> bool:
        return key in self.texts


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    sources: dict[str, Source]
    entries: tuple[Entry, ...]
    lexicon: Lexicon
    messages: Messages

    by_id: dict[str, Entry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {e.id: e for e in self.entries})

    def entry(self, entry_id: str) -> Entry:
        return self.by_id[entry_id]

    def summary(self) -> str:
        variants = sum(len(e.questions) for e in self.entries)
        return (
            f"OK: {len(self.entries)} entries, {variants} question variants, {len(self.sources)} sources, "
            f"{len(self.lexicon.normalize)} lexicon words, {len(self.messages.texts)} messages"
        )

    @classmethod
    def load(cls, cfg: KnowledgeConfig) -> KnowledgeBase:
        """Load and validate every knowledge file; raise InvalidFiles listing all problems."""
        problems: list[Problem] = []
        docs: dict[str, YamlDoc] = {}
        for label, path in [("sources", cfg.sources), ("lexicon", cfg.lexicon), ("messages", cfg.messages)]:
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
        sources = _parse_sources(docs["sources"], problems)
        entries = _parse_entries(entry_docs, sources, problems)
        lexicon = _parse_lexicon(docs["lexicon"], problems)
        messages = _parse_messages(docs["messages"], declared_entry_ids(entry_docs), problems)
        if problems:
            raise InvalidFiles(problems)
        return cls(sources, tuple(e for e, _ in entries), lexicon, messages)


def _parse_sources(doc: YamlDoc, problems: list[Problem]) -> dict[str, Source]:
    if not check_mapping(doc, doc.data, (), problems, required={"sources": LIST}, what="the sources file"):
        return {}
    result: dict[str, Source] = {}
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
                "facts": LIST,
            },
            optional={"author": TEXT, "editor": TEXT},
            what="a source",
        )
        if not ok or not {"id", "title", "publisher", "date", "facts"} <= raw.keys():
            continue
        if not isinstance(raw["id"], str) or not ID_RE.match(raw["id"]):
            problems.append(
                doc.problem("source 'id' must be lower-case letters, digits, '-' or '_'", "sources", i, "id")
            )
            continue
        if raw["id"] in result:
            problems.append(doc.problem(f"duplicate source id '{raw['id']}'", "sources", i, "id"))
            continue
        facts = raw["facts"] if isinstance(raw["facts"], list) else []
        for j, fact in enumerate(facts):
            if not isinstance(fact, str) or not fact.strip():
                problems.append(doc.problem("each fact must be non-empty text", "sources", i, "facts", j))
        result[raw["id"]] = Source(
            raw["id"],
            raw["title"],
            raw["publisher"],
            raw["date"],
            raw.get("author"),
            raw.get("editor"),
            tuple(f for f in facts if isinstance(f, str)),
        )
    return result


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
    docs: list[YamlDoc], sources: dict[str, Source], problems: list[Problem]
) -> list[tuple[Entry, tuple[YamlDoc, int]]]:
    parsed: list[tuple[Entry, tuple[YamlDoc, int]]] = []
    seen_ids: dict[str, str] = {}
    seen_questions: dict[str, tuple[str, str]] = {}
    for doc in docs:
        if not check_mapping(doc, doc.data, (), problems, required={"entries": LIST}, what="the entries file"):
            continue
        for i, raw in enumerate(doc.data.get("entries") or []):
            entry = _parse_entry(doc, i, raw, sources, problems)
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


def _parse_entry(doc: YamlDoc, i: int, raw: Any, sources: dict[str, Source], problems: list[Problem]) -> Entry | None:
    before = len(problems)
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
            "answer": NONEMPTY_TEXT,
            "sources": LIST,
        },
        optional={"keywords": LIST, "related": LIST, "show_countdown": BOOL},
        what=f"entry #{i + 1}",
    )
    if not ok or len(problems) > before:
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
    if len(raw["title"]) > MAX_TITLE_LENGTH:
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
        texts[key] = [v for v in values if isinstance(v, str) and v.strip()]
    if not texts["questions"]:
        problems.append(doc.problem("'questions' must list at least one question", "entries", i, "questions"))
    for j, src in enumerate(texts["sources"]):
        if src not in sources:
            problems.append(doc.problem(f"'sources' names unknown source '{src}'", "entries", i, "sources", j))
    answer: str = raw["answer"]
    cited = [sources[s] for s in texts["sources"] if s in sources]
    if len(cited) == len(texts["sources"]):  # a misspelt source id is reported above, once
        for message in ungrounded(answer, cited):
            problems.append(doc.problem(message, "entries", i, "answer"))
    if len(problems) > before:
        return None
    return Entry(
        id=raw["id"],
        title=raw["title"].strip(),
        topic=raw["topic"],
        questions=tuple(texts["questions"]),
        keywords=tuple(texts["keywords"]),
        answer=answer.strip(),
        sources=tuple(texts["sources"]),
        related=tuple(texts["related"]),
        show_countdown=bool(raw.get("show_countdown", False)),
    )


def ungrounded(answer: str, cited: list[Source]) -> list[str]:
    """Numbers and dates in `answer` that no cited source declares among its facts."""
    facts = " \n ".join(f for s in cited for f in s.facts).lower()
    fact_numbers = set(NUMBER_RE.findall(facts))
    problems: list[str] = []
    for number in dict.fromkeys(NUMBER_RE.findall(answer)):
        if number not in fact_numbers:
            where = "the facts of its cited sources" if cited else "any source (the entry cites none)"
            problems.append(f"answer says '{number}' but that number is not in {where}")
    for match in DATE_RE.finditer(answer):
        day, month, year, weekday = match["day"], match["month"].lower(), int(match["year"]), match["weekday"]
        phrase = f"{day} {month} {year}" if day else f"{month} {year}"
        if phrase not in " ".join(facts.replace(",", " ").split()):
            problems.append(f"answer says '{match[0].strip()}' but that date is not in the facts of its cited sources")
        if day and weekday:
            month_no = MONTHS.index(month) + 1
            try:
                actual = WEEKDAYS[calendar.weekday(year, month_no, int(day))]
            except ValueError:
                problems.append(f"'{day} {month} {year}' is not a real date")
                continue
            if actual != weekday.lower():
                problems.append(f"{day} {month} {year} is a {actual.capitalize()}, not a {weekday.capitalize()}")
    return problems


def _parse_lexicon(doc: YamlDoc, problems: list[Problem]) -> Lexicon:
    if not check_mapping(
        doc,
        doc.data,
        (),
        problems,
        required={"normalize": MAPPING},
        optional={"particles": LIST, "filler": LIST},
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
    words: dict[str, frozenset[str]] = {}
    for key in ("particles", "filler"):
        values = doc.data.get(key) or []
        if not all(isinstance(p, str) for p in values):
            problems.append(doc.problem(f"'{key}' must be a list of words (quote numbers and yes/no)", key))
            values = []
        words[key] = frozenset(p.lower() for p in values)
    return Lexicon(mapping, words["particles"], words["filler"])


def _parse_messages(doc: YamlDoc, entry_ids: set[str], problems: list[Problem]) -> Messages:
    if not check_mapping(
        doc, doc.data, (), problems, required={"messages": MAPPING, "topics": LIST}, what="the messages file"
    ):
        return Messages({}, ())
    texts: dict[str, str] = {}
    raw = doc.data.get("messages") or {}
    for key, value in raw.items():
        if key not in REQUIRED_MESSAGES | OPTIONAL_MESSAGES:
            problems.append(doc.problem(f"unknown message '{key}'", "messages", str(key)))
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(doc.problem(f"message '{key}' must be non-empty text", "messages", key))
            continue
        try:
            fields = {name for _, name, _, _ in string.Formatter().parse(value) if name}
        except ValueError as exc:
            problems.append(doc.problem(f"message '{key}' has a broken {{placeholder}}: {exc}", "messages", key))
            continue
        for name in sorted(fields - MESSAGE_FIELDS):
            problems.append(
                doc.problem(
                    f"message '{key}' uses unknown placeholder {{{name}}} (known: {', '.join(sorted(MESSAGE_FIELDS))})",
                    "messages",
                    key,
                )
            )
        texts[key] = value.strip()
    for key in sorted(REQUIRED_MESSAGES - raw.keys()):
        problems.append(doc.problem(f"message '{key}' is missing", "messages"))
    topics: list[Topic] = []
    for i, item in enumerate(doc.data.get("topics") or []):
        if not check_mapping(
            doc,
            item,
            ("topics", i),
            problems,
            required={"label": NONEMPTY_TEXT, "entry": NONEMPTY_TEXT},
            what="a topic",
        ):
            continue
        if {"label", "entry"} <= item.keys():
            if item["entry"] not in entry_ids:
                problems.append(
                    doc.problem(
                        f"topic '{item['label']}' points to unknown entry '{item['entry']}'", "topics", i, "entry"
                    )
                )
            topics.append(Topic(str(item["label"]), str(item["entry"])))
    return Messages(texts, tuple(topics))
