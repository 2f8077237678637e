"""Small talk: "ok", "wkwkwk", "makasih", "halo", "?", emoji only. Pure: no Telegram, no I/O.

Such messages are not questions. Matched against the knowledge base they got the
full "maaf" fallback or an answer card with 👍/👎, and filled the unanswered log.
`SmallTalk.detect` recognises them so the bot can give a short friendly reply instead.

The words and the replies are data: the `small_talk:` section of knowledge/messages.yaml,
checked by `parse_small_talk` (every problem with its file:line). The rule is strict on
purpose: a message is small talk only if every word in it is a small-talk word or a
filler word ("min", "kak", "ya"), so "halo, kapan nyoblos?" stays a question. Emoji and
punctuation no kind lists are ignored next to words; a message with no letters or digits
at all ("??", "🗳️") belongs to the kind marked `symbols_only`.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.kb.phases import PhasedText
from bot.schema import BOOL, LIST, NONEMPTY_TEXT, Expect, check_mapping
from bot.yamlfile import Problem, YamlDoc

# A word (letters and digits), or any other single visible character (an emoji, "?").
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")
# "halooo" -> "halo", "makasihh" -> "makasih", "mantappp" -> "mantap" (digits stay: 2024).
_RUNS = re.compile(r"([^\W\d_])\1+")
# Parts of an emoji that are not an emoji of their own: variation selectors (Mn), the
# zero-width joiner (Cf), skin tones (Sk), keycap marks (Me).
_MODIFIER_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Sk"})
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Placeholders a small-talk reply may use (filled in by the reply builder).
REPLY_FIELDS = frozenset({"election_name", "region"})
SECTION = "small_talk"
# A reply: text ("" = say nothing), or its wording per election phase like any message.
REPLY = Expect((str, dict), "text, or a mapping with 'before' and optionally 'today' and 'after'")
# Parses and checks one non-empty reply the way messages are checked (facts, calls to
# action by phase, links); None if it has problems (already reported).
RenderReply = Callable[[Any, tuple[str | int, ...]], PhasedText | None]


def talk_tokens(text: str) -> list[str]:
    """The words and symbols of `text`, lower-case, with runs of one letter folded ("okee" -> "oke")."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    tokens: list[str] = []
    for match in _TOKEN.finditer(folded):
        token = match.group()
        if token[0].isalnum():
            tokens.append(_RUNS.sub(r"\1", token))
        elif unicodedata.category(token) not in _MODIFIER_CATEGORIES:
            tokens.append(token)
    return tokens


def _is_word(token: str) -> bool:
    return token[0].isalnum()


@dataclass(frozen=True, slots=True)
class TalkKind:
    """One kind of small talk (thanks, greeting, ...) and how the bot answers it."""

    name: str
    reply: PhasedText  # "" means: say nothing
    topics: bool  # show the topic buttons under the reply
    words: frozenset[str]
    patterns: tuple[re.Pattern[str], ...] = ()
    symbols_only: bool = False  # also takes any message without letters or digits

    def knows(self, token: str) -> bool:
        return token in self.words or any(p.fullmatch(token) for p in self.patterns)


@dataclass(frozen=True, slots=True)
class SmallTalk:
    """The kinds in priority order (the first kind named in a message wins) and the filler words."""

    kinds: tuple[TalkKind, ...] = ()
    filler: frozenset[str] = frozenset()

    def detect(self, text: str) -> TalkKind | None:
        """The kind of small talk `text` is, or None if it is (or may be) a question."""
        tokens = talk_tokens(text)
        best: int | None = None
        for token in tokens:
            if token in self.filler:
                continue
            kind = self._kind_of(token)
            if kind is None:
                if _is_word(token):
                    return None  # a word small talk does not use: treat it as a question
                continue  # an emoji or mark no kind lists changes nothing next to words
            best = kind if best is None else min(best, kind)
        if best is not None:
            return self.kinds[best]
        if tokens and not any(_is_word(t) for t in tokens):
            return next((k for k in self.kinds if k.symbols_only), None)
        return None

    def _kind_of(self, token: str) -> int | None:
        return next((i for i, kind in enumerate(self.kinds) if kind.knows(token)), None)


def parse_small_talk(doc: YamlDoc, raw: Any, problems: list[Problem], render: RenderReply) -> SmallTalk:
    """The `small_talk:` section of messages.yaml; every mistake goes to `problems` with its line."""
    where = (SECTION,)
    if not check_mapping(
        doc, raw, where, problems, required={"kinds": LIST}, optional={"filler": LIST}, what=f"'{SECTION}'"
    ):
        return SmallTalk()
    seen: dict[str, str] = {}  # token -> where it is listed first ("filler" or a kind's name)
    filler = _words(doc, raw.get("filler") or [], (*where, "filler"), "filler", seen, problems)
    kinds: list[TalkKind] = []
    names: set[str] = set()
    for i, item in enumerate(raw.get("kinds") or []):
        path = (*where, "kinds", i)
        before = len(problems)
        if not check_mapping(
            doc,
            item,
            path,
            problems,
            required={"name": NONEMPTY_TEXT, "reply": REPLY},
            optional={"words": LIST, "patterns": LIST, "topics": BOOL, "symbols_only": BOOL},
            what=f"small-talk kind #{i + 1}",
        ):
            continue
        if len(problems) > before:
            continue
        name = item["name"]
        if not NAME_RE.match(name):
            problems.append(doc.problem(f"kind name '{name}' must be lower-case letters, digits or '_'", *path, "name"))
            continue
        if name in names:
            problems.append(doc.problem(f"small-talk kind '{name}' is listed twice", *path, "name"))
            continue
        names.add(name)
        reply = _reply(doc, item["reply"], (*path, "reply"), problems, render)
        words = _words(doc, item.get("words") or [], (*path, "words"), name, seen, problems)
        patterns = _patterns(doc, item.get("patterns") or [], (*path, "patterns"), problems)
        symbols_only = bool(item.get("symbols_only", False))
        if symbols_only and any(k.symbols_only for k in kinds):
            problems.append(doc.problem("only one small-talk kind may be 'symbols_only'", *path, "symbols_only"))
        if not words and not patterns and not symbols_only:
            problems.append(doc.problem(f"small-talk kind '{name}' needs 'words' or 'patterns'", *path))
        if reply is None:
            continue
        kinds.append(TalkKind(name, reply, bool(item.get("topics", False)), words, patterns, symbols_only))
    return SmallTalk(tuple(kinds), filler)


def _reply(
    doc: YamlDoc, raw: Any, path: tuple[str | int, ...], problems: list[Problem], render: RenderReply
) -> PhasedText | None:
    if isinstance(raw, str) and not raw.strip():
        return PhasedText.same("")
    before = len(problems)
    reply = render(raw, path)
    if reply is None:
        return None
    for wording in reply.texts().values():
        try:
            fields = {name for _, name, _, _ in string.Formatter().parse(wording) if name is not None}
        except ValueError as exc:
            problems.append(doc.problem(f"the reply has a broken {{placeholder}}: {exc}", *path))
            continue
        for name in sorted(fields - REPLY_FIELDS):
            known = ", ".join(sorted(REPLY_FIELDS))
            problems.append(doc.problem(f"the reply uses unknown placeholder {{{name}}} (known: {known})", *path))
    return reply if len(problems) == before else None


def _words(
    doc: YamlDoc,
    values: list[Any],
    path: tuple[str | int, ...],
    owner: str,
    seen: dict[str, str],
    problems: list[Problem],
) -> frozenset[str]:
    """The tokens of each listed word or phrase ("terima kasih" lists both words)."""
    result: set[str] = set()
    for j, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            problems.append(doc.problem("each word must be non-empty text (quote yes, no, on, off)", *path, j))
            continue
        tokens = talk_tokens(value)
        if not tokens:
            problems.append(doc.problem(f"'{value}' has no word or emoji in it", *path, j))
        for token in tokens:
            first = seen.setdefault(token, owner)
            if first != owner:
                problems.append(doc.problem(f"'{token}' is already listed under '{first}'", *path, j))
            result.add(token)
    return frozenset(result)


def _patterns(
    doc: YamlDoc, values: list[Any], path: tuple[str | int, ...], problems: list[Problem]
) -> tuple[re.Pattern[str], ...]:
    """Regular expressions a whole word must match (after folding letter runs: "wkwkk" -> "wkwk")."""
    result: list[re.Pattern[str]] = []
    for j, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            problems.append(doc.problem("each pattern must be non-empty text", *path, j))
            continue
        try:
            result.append(re.compile(value.strip()))
        except re.error as exc:
            problems.append(doc.problem(f"pattern '{value}' is not a valid regular expression: {exc}", *path, j))
    return tuple(result)
