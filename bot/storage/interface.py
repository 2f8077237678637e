"""What the rest of the bot may ask of its storage, whichever database is behind it.

`Store` is the interface (a Protocol): the SQLite store (bot/storage/sqlite.py, one
process) and the PostgreSQL store (bot/storage/postgres.py, several replicas) both
implement it, and the storage tests run every behaviour against both. The figures
staff see are plain frozen dataclasses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal, Protocol

from bot.clock import Clock
from bot.nlu.matcher import MatchResult
from bot.storage.events import Event

# unknown: answered by a known-unknown entry (the sources cannot say): staff should see it.
UnansweredKind = Literal["fallback", "suggest", "unknown"]
UNANSWERED_KIND: dict[str, UnansweredKind] = {"none": "fallback", "suggest": "suggest", "unknown": "unknown"}


class StorageError(Exception):
    """The database cannot be used; the message is one line that names the file or server.

    `path`: the SQLite file, or the PostgreSQL URL (without a password) as a Path.
    """

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        super().__init__(" ".join(message.split()))


@dataclass(frozen=True, slots=True)
class UnansweredRow:
    """A question the bot could not answer, as staff see it."""

    asked_at: dt.datetime
    kind: UnansweredKind
    normalized: str
    best_entry: str | None
    best_score: float


@dataclass(frozen=True, slots=True)
class EntryFeedback:
    entry_id: str
    up: int
    down: int


@dataclass(frozen=True, slots=True)
class FeedbackComment:
    entry_id: str
    positive: bool
    comment: str
    voted_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Stats:
    """Figures for `/stats` and `pilkada-bot report`.

    "Answered" means the bot answered directly or the user picked one of its
    suggestions; everything else (fallbacks, ignored suggestions) is unanswered.
    """

    day: dt.date
    questions_today: int
    answered_today: int
    users_today: int
    questions_total: int
    answered_total: int
    unanswered_open: int
    subscribers: int
    top_entries: tuple[tuple[str, int], ...]
    top_unanswered: tuple[tuple[str, int], ...]
    feedback: tuple[EntryFeedback, ...]

    @property
    def answer_rate(self) -> float | None:
        """answered_total / questions_total, or None before the first question."""
        return self.answered_total / self.questions_total if self.questions_total else None


class Store(Protocol):
    """The bot's memory: statistics (a Recorder, storage/events.py), reminders (bot/reminders.py), privacy, staff."""

    @property
    def where(self) -> str:
        """The database as it may be named in logs and errors (a path, or a URL without password)."""

    @property
    def clock(self) -> Clock:
        """The store's "now" (UTC), for events recorded later in a batch."""

    async def close(self) -> None: ...

    async def __aenter__(self) -> Store: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def schema_version(self) -> int: ...

    async def verify(self) -> None:
        """Raise StorageError if the database can no longer keep what is written (deleted, unreachable)."""

    def watch(self, interval: float, on_lost: Callable[[StorageError], None]) -> None:
        """Call verify every `interval` seconds until close(); `on_lost` once if it fails."""

    # statistics
    async def record_match(self, user_id: int, text: str, result: MatchResult) -> None: ...

    async def record_suggestion_chosen(self, user_id: int, entry_id: str) -> None: ...

    async def record_feedback(
        self, user_id: int, entry_id: str, positive: bool, comment: str | None = None
    ) -> None: ...

    async def record_events(self, events: Sequence[Event]) -> None: ...

    # privacy
    async def forget_user(self, user_id: int) -> None: ...

    # reminders
    async def subscribe(self, chat_id: int) -> bool: ...

    async def unsubscribe(self, chat_id: int) -> bool: ...

    async def is_subscribed(self, chat_id: int) -> bool: ...

    async def subscribers(self) -> list[int]: ...

    async def mark_sent(self, reminder_key: str, chat_id: int) -> bool: ...

    async def unmark_sent(self, reminder_key: str, chat_id: int) -> bool: ...

    async def was_sent(self, reminder_key: str, chat_id: int) -> bool: ...

    async def pending_chats(self, reminder_key: str) -> list[int]: ...

    # staff
    async def stats(self, today: dt.date, top: int = 10) -> Stats: ...

    async def unanswered(self, limit: int) -> list[UnansweredRow]: ...

    async def feedback_comments(self, limit: int) -> list[FeedbackComment]: ...
