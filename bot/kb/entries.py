"""knowledge/entries.yaml and unknowns.yaml: the entries (answers and known unknowns)."""

from __future__ import annotations

import re
from typing import Any

from bot.kb.grounding import PHASED_TEXT, Grounding
from bot.kb.model import ID_RE, Entry
from bot.schema import BOOL, LIST, NONEMPTY_TEXT, TEXT, check_mapping
from bot.yamlfile import Problem, YamlDoc

# Telegram callback data is at most 64 bytes and carries a 2-byte prefix plus the id.
MAX_ID_LENGTH = 48
MAX_TITLE_LENGTH = 40

# An entry's deep-link word (t.me/<bot>?start=<link>): Telegram allows 1-64 of A-Z, a-z,
# 0-9, _ and -; we keep to lower case so a link read aloud or retyped still works.
DEEP_LINK_RE = re.compile(r"^[a-z0-9_-]{1,64}$")

# /start words the bot itself uses: "inline" is the inline results' button (bot/telegram/inline.py).
RESERVED_LINKS = frozenset({"inline"})


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
