"""Turn a question (or a command) into a neutral Reply: text plus buttons as data.

Both front ends render the same Reply: the console as plain text, Telegram as
HTML with an inline keyboard. Nothing here knows about Telegram.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.config import ElectionConfig
from bot.election import countdown, format_date
from bot.knowledge import Entry, KnowledgeBase
from bot.matcher import Matcher, MatchResult

ReplyKind = Literal["answer", "suggest", "fallback", "info"]
ButtonAction = Literal["entry", "feedback_up", "feedback_down", "share"]


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: ButtonAction
    value: str  # an entry id


@dataclass(frozen=True, slots=True)
class Reply:
    kind: ReplyKind
    text: str  # plain text; renderers escape it
    source_line: str | None = None
    buttons: tuple[tuple[Button, ...], ...] = ()
    entry_id: str | None = None
    sources: tuple[str, ...] = ()  # source ids behind an answer
    suggestions: tuple[str, ...] = ()
    match: MatchResult | None = None


Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ReplyBuilder:
    """Builds every reply the bot can give, from the knowledge base and the matcher."""

    def __init__(self, kb: KnowledgeBase, matcher: Matcher, election: ElectionConfig, clock: Clock = utc_now) -> None:
        self.kb = kb
        self.matcher = matcher
        self.election = election
        self._clock = clock
        self._msg = kb.messages

    def _fields(self) -> dict[str, object]:
        return {"election_name": self.election.name, "region": self.election.region}

    def for_question(self, text: str) -> Reply:
        """Reply to free text: an answer, a "did you mean", or the fallback."""
        result = self.matcher.match(text)
        if result.outcome == "answer" and result.entry_id is not None:
            return self.for_entry(result.entry_id, match=result)
        if result.outcome == "suggest":
            rows = tuple((Button(self.kb.entry(i).title, "entry", i),) for i in result.suggestions)
            return Reply(
                "suggest", self._msg.get("did_you_mean"), buttons=rows, suggestions=result.suggestions, match=result
            )
        return self.fallback(match=result)

    def for_entry(self, entry_id: str, match: MatchResult | None = None) -> Reply:
        """The full answer of one entry, with its source line and follow-up buttons."""
        entry = self.kb.entry(entry_id)
        text = entry.answer
        if entry.show_countdown:
            text = f"{text}\n\n{self.countdown_text()}"
        rows: list[tuple[Button, ...]] = [(Button(self.kb.entry(r).title, "entry", r),) for r in entry.related[:3]]
        rows.append(
            (
                Button(self._msg.get("share_button"), "share", entry.id),
                Button(self._msg.get("feedback_up"), "feedback_up", entry.id),
                Button(self._msg.get("feedback_down"), "feedback_down", entry.id),
            )
        )
        return Reply(
            "answer", text, self.source_line(entry), tuple(rows), entry_id=entry.id, sources=entry.sources, match=match
        )

    def source_line(self, entry: Entry) -> str | None:
        if not entry.sources:
            return None
        items = [
            self._msg.get("source_item", publisher=s.publisher, date=format_date(s.date))
            for s in (self.kb.sources[i] for i in entry.sources)
        ]
        return self._msg.get("source_line", sources="; ".join(items))

    def fallback(self, match: MatchResult | None = None) -> Reply:
        return Reply("fallback", self._msg.get("fallback", **self._fields()), buttons=self.topic_buttons(), match=match)

    def welcome(self) -> Reply:
        """The /start greeting, with where we stand relative to voting day (before, on, or after it)."""
        text = f"{self._msg.get('welcome', **self._fields())}\n\n{self.countdown_text()}"
        return Reply("info", text, buttons=self.topic_buttons())

    def help(self) -> Reply:
        return Reply("info", self._msg.get("help", **self._fields()))

    def topics(self) -> Reply:
        return Reply("info", self._msg.get("topics_intro"), buttons=self.topic_buttons())

    def topic_buttons(self) -> tuple[tuple[Button, ...], ...]:
        buttons = [Button(t.label, "entry", t.entry) for t in self._msg.topics]
        # Two per row fits a phone screen without truncating labels.
        return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))

    def countdown_text(self) -> str:
        state = countdown(self.election, self._clock())
        date = format_date(self.election.voting_date, with_weekday=True)
        return self._msg.get(f"countdown_{state.state}", days=state.days, date=date, **self._fields())

    def countdown(self) -> Reply:
        return Reply("info", self.countdown_text())

    def sources(self) -> Reply:
        lines = [self._msg.get("sources_intro")]
        for source in self.kb.sources.values():
            lines.append(
                self._msg.get(
                    "sources_item_long", title=source.title, publisher=source.publisher, date=format_date(source.date)
                )
            )
        return Reply("info", "\n".join(lines))

    def message(self, key: str) -> Reply:
        """A fixed message from messages.yaml (non-text input, errors, ...)."""
        return Reply("info", self._msg.get(key, **self._fields()) if self._msg.has(key) else key)
