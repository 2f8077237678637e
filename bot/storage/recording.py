"""The Recorder (bot/storage/events.py) as both SQL back ends implement it: every call an event, written in a batch.

`EventWriter` holds what does not depend on the database: each Recorder call becomes
one event written through `record_events`, and a batch is written in one transaction,
in order, each event by the method for its kind. `SqlStore` (bot/storage/sqlstore.py)
supplies those methods; the back ends behind it (bot/storage/sqlite.py,
bot/storage/postgres.py) supply the transaction and what differs in their SQL (a
suggestion is resolved by each its own way). What a question leaves in the tables (`answered_entry`, `unanswered_entry`)
is decided here too, so the two back ends keep the same (redacted) texts.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Generic, NamedTuple, TypeVar

from bot.clock import Clock
from bot.nlu.matcher import MatchResult
from bot.storage.events import Event, EventRefused, FeedbackGiven, QuestionAsked, SuggestionChosen
from bot.storage.interface import UNANSWERED_KIND, UnansweredKind
from bot.storage.redaction import redact_question

Conn = TypeVar("Conn")


class UnansweredEntry(NamedTuple):
    """What the unanswered log keeps of a question, in the order of its columns after asked_at."""

    kind: UnansweredKind
    normalized: str  # redacted (bot/storage/redaction.py)
    best_entry: str | None
    best_score: float


def answered_entry(result: MatchResult) -> str | None:
    """The entry a question counts as answered by (questions.entry_id).

    A known unknown is not an answer: its entry is kept in the unanswered log only.
    """
    return result.entry_id if result.outcome == "answer" else None


def unanswered_entry(event: QuestionAsked) -> UnansweredEntry | None:
    """The unanswered log's row for a question; None if it was answered or its normalized text is empty.

    An empty normalized text (emoji only) is counted but not logged: there is nothing
    in it for staff to learn from.
    """
    result = event.result
    if result.outcome == "answer" or not result.normalized.strip():
        return None
    best = result.candidates[0].entry_id if result.candidates else None
    return UnansweredEntry(
        UNANSWERED_KIND[result.outcome], redact_question(event.text, result.normalized), best, result.score
    )


class EventWriter(ABC, Generic[Conn]):
    """Recorder and EventSink on top of a transaction (`_batch`) that yields a `Conn`."""

    # The errors by which the database refuses an event for what it holds, never for its own
    # trouble (a lock, a full disk, a lost connection): raised as EventRefused (bot/storage/events.py).
    # Both back ends: a lone surrogate cannot be encoded; a Python int beyond 64 bits.
    refusals: tuple[type[Exception], ...] = (UnicodeError, OverflowError)

    @property
    @abstractmethod
    def clock(self) -> Clock:
        """The store's "now" (UTC), for events recorded later in a batch (bot/storage/events.py)."""

    @abstractmethod
    def _batch(self) -> AbstractAsyncContextManager[Conn]:
        """One transaction for a batch of events: committed whole or not at all."""

    @abstractmethod
    async def _insert_question(self, conn: Conn, event: QuestionAsked) -> None: ...

    @abstractmethod
    async def _resolve_suggestion(self, conn: Conn, event: SuggestionChosen) -> None: ...

    @abstractmethod
    async def _insert_feedback(self, conn: Conn, event: FeedbackGiven) -> None: ...

    async def record_match(self, user_id: int, text: str, result: MatchResult) -> None:
        """Count the question; log it as unanswered if it was a fallback or a suggestion.

        `text` is deliberately not stored: only the normalized form of questions we
        could not answer is kept. An empty normalized text (emoji only) is counted
        but not logged, there is nothing in it for staff to learn from.
        """
        await self.record_events([QuestionAsked(user_id, text, result, self.clock())])

    async def record_suggestion_chosen(self, user_id: int, entry_id: str) -> None:
        """Resolve the user's latest pending "did you mean": it then counts as answered."""
        await self.record_events([SuggestionChosen(user_id, entry_id, self.clock())])

    async def record_feedback(self, user_id: int, entry_id: str, positive: bool, comment: str | None = None) -> None:
        """One vote per user per entry; a later vote replaces the earlier one.

        A comment sent later with the same vote is added to it; changing the vote
        drops the old comment (it was about the other opinion).
        """
        await self.record_events([FeedbackGiven(user_id, entry_id, positive, self.clock(), comment)])

    async def record_events(self, events: Sequence[Event]) -> None:
        """Write the events in one transaction, in order (BufferedRecorder's batches).

        One commit for many rows: 50 questions cost about as much as two written one by
        one (docs/performance.md, change C). Either all are written or none. EventRefused
        if the database refused an event for what it holds (`refusals`).
        """
        if not events:
            return
        try:
            async with self._batch() as conn:
                for event in events:
                    if isinstance(event, QuestionAsked):
                        await self._insert_question(conn, event)
                    elif isinstance(event, SuggestionChosen):
                        await self._resolve_suggestion(conn, event)
                    else:
                        await self._insert_feedback(conn, event)
        except self.refusals as exc:
            raise EventRefused(f"{type(exc).__name__}: {exc}") from exc
