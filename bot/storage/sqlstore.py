"""The Store methods both SQL back ends share, written once; each back end fills in small hooks.

`SqlStore` sits between `EventWriter` (bot/storage/recording.py) and the two stores
(bot/storage/sqlite.py, bot/storage/postgres.py). It runs the shared statements of
bot/storage/sql.py, spelled by the back end's `dialect`, for privacy, reminders, staff
figures and two of the three event kinds. A back end supplies how it opens, migrates and
watches its database, and only what really differs:

- `_write`, `_fetchall`, `_transaction` and `_execute`: running a statement;
- `_day` and `_moment`: how a date and a moment are passed (ISO text for SQLite, date
  and timestamptz for PostgreSQL), `_read_moment`: how a stored moment is read back;
- `_insert_unanswered_question`: a question with its unanswered row (lastrowid, or a
  RETURNING CTE in one statement);
- `_resolve_suggestion`: SQLite reads the pending suggestion, then updates; PostgreSQL
  does it in one data-modifying CTE, which SQLite does not have;
- `FEEDBACK_TOTALS`: the votes per entry (sum of 0/1, or count(*) FILTER on a boolean);
- `_erased`: what follows a privacy delete (WAL truncation, or VACUUM);
- `verify`: whether the database can still keep what is written.
"""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, ClassVar, Self

from bot.clock import Clock
from bot.storage import sql
from bot.storage.events import FeedbackGiven, QuestionAsked
from bot.storage.interface import FeedbackComment, Stats, UnansweredRow
from bot.storage.recording import Conn, EventWriter, answered_entry, unanswered_entry
from bot.storage.redaction import redact
from bot.storage.rows import comments_from_rows, stats_from_rows, unanswered_from_rows
from bot.storage.salt import IdHasher
from bot.storage.sql import Dialect


class SqlStore(EventWriter[Conn]):
    """The Store interface (bot/storage/interface.py) on top of a back end's few hooks (module docstring)."""

    dialect: ClassVar[Dialect]
    # (entry_id, up, down) for every entry with votes, by entry_id.
    FEEDBACK_TOTALS: ClassVar[str]

    def __init__(self, salt: bytes, timezone: dt.tzinfo, clock: Clock) -> None:
        self._ids = IdHasher(salt)
        self._timezone = timezone
        self._clock = clock

    # ------------------------------------------------------------------ what each back end supplies

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def verify(self) -> None:
        """Raise StorageError if the database can no longer keep what is written (deleted, unreachable)."""

    @abstractmethod
    async def _write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one autocommitted statement; the number of rows it changed."""

    @abstractmethod
    async def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> Sequence[Any]:
        """The rows of one query."""

    @abstractmethod
    def _transaction(self) -> AbstractAsyncContextManager[Conn]:
        """One transaction: committed whole, or rolled back if the block raises."""

    @abstractmethod
    async def _execute(self, conn: Conn, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement on `conn` (in a transaction or a batch)."""

    @abstractmethod
    def _day(self, day: dt.date) -> object:
        """`day` as the back end passes a date."""

    @abstractmethod
    def _moment(self, moment: dt.datetime) -> object:
        """`moment` as the back end passes a timestamp."""

    @abstractmethod
    def _read_moment(self, stored: Any) -> dt.datetime:
        """A stored timestamp, read back as an aware datetime in UTC."""

    @abstractmethod
    async def _insert_unanswered_question(
        self, conn: Conn, question: Sequence[object], unanswered: Sequence[object]
    ) -> None:
        """Insert a question (the parameters of sql.INSERT_QUESTION) and its unanswered row.

        `unanswered`: the unanswered row's columns after question_id (asked_at, kind,
        normalized, best_entry, best_score).
        """

    @abstractmethod
    async def _erased(self, *tables: str) -> None:
        """After a delete that matters for privacy from `tables`: make the deleted bytes go too."""

    # ------------------------------------------------------------------ lifecycle and helpers

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def clock(self) -> Clock:
        """The store's "now" (UTC), for events recorded later in a batch (bot/storage/events.py)."""
        return self._clock

    def user_hash(self, user_id: int) -> str:
        return self._ids.user(user_id)

    def chat_hash(self, chat_id: int) -> str:
        return self._ids.chat(chat_id)

    async def _fetchone(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = await self._fetchall(sql, params)
        return rows[0]

    # ------------------------------------------------------------------ Recorder (bot/storage/recording.py)

    async def _insert_question(self, conn: Conn, event: QuestionAsked) -> None:
        result = event.result
        day = self._day(event.at.astimezone(self._timezone).date())
        question = (day, self.user_hash(event.user_id), result.outcome, answered_entry(result), result.score)
        if (logged := unanswered_entry(event)) is None:
            await self._execute(conn, self.dialect(sql.INSERT_QUESTION), question)
            return
        await self._insert_unanswered_question(conn, question, (self._moment(event.at), *logged))

    async def _insert_feedback(self, conn: Conn, event: FeedbackGiven) -> None:
        await self._execute(
            conn,
            self.dialect(sql.INSERT_FEEDBACK),
            (
                event.entry_id,
                self.user_hash(event.user_id),
                event.positive,
                self._moment(event.at),
                event.comment and redact(event.comment),
            ),
        )

    # ------------------------------------------------------------------ privacy

    async def forget_user(self, user_id: int) -> None:
        """Delete everything stored about a user (/hapus): their questions and what they asked
        that went unanswered, their feedback, and their private chat's subscription and
        reminder claims (a private chat's id is the user's id).

        Figures in /stats drop accordingly: every count is made from these rows. Group
        subscriptions stay; they belong to the group.
        """
        user, chat = self.user_hash(user_id), self.chat_hash(user_id)
        async with self._transaction() as conn:
            # unanswered rows go with their question (ON DELETE CASCADE).
            await self._execute(conn, self.dialect(sql.FORGET_QUESTIONS), (user,))
            await self._execute(conn, self.dialect(sql.FORGET_FEEDBACK), (user,))
            await self._execute(conn, self.dialect(sql.UNSUBSCRIBE), (chat,))
            await self._execute(conn, self.dialect(sql.FORGET_REMINDERS_SENT), (chat,))
        await self._erased("questions", "unanswered", "feedback", "subscriptions", "sent_reminders")

    # ------------------------------------------------------------------ reminders

    async def subscribe(self, chat_id: int) -> bool:
        """Subscribe a chat to reminders; False if it already was. Checks the database first
        (`verify`): a subscription is a promise to the user, never to be confirmed into a
        deleted file."""
        await self.verify()
        changed = await self._write(
            self.dialect.insert_new(sql.SUBSCRIBE), (self.chat_hash(chat_id), chat_id, self._moment(self._clock()))
        )
        return changed == 1

    async def unsubscribe(self, chat_id: int) -> bool:
        """Forget a chat's id; False if it was not subscribed.

        The sent_reminders rows stay (they hold only a hash), so subscribing again
        does not bring back a reminder the chat already got.
        """
        changed = await self._write(self.dialect(sql.UNSUBSCRIBE), (self.chat_hash(chat_id),))
        if changed:
            await self._erased("subscriptions")
        return changed == 1

    async def is_subscribed(self, chat_id: int) -> bool:
        rows = await self._fetchall(self.dialect(sql.IS_SUBSCRIBED), (self.chat_hash(chat_id),))
        return bool(rows)

    async def subscribers(self) -> list[int]:
        """Chat ids of every subscriber, ascending."""
        rows = await self._fetchall(self.dialect(sql.SUBSCRIBERS))
        return [int(row[0]) for row in rows]

    async def mark_sent(self, reminder_key: str, chat_id: int) -> bool:
        """Claim the right to send `reminder_key` to `chat_id`; False if already claimed.

        A single INSERT against the primary key that leaves a taken key alone (INSERT OR
        IGNORE, ON CONFLICT DO NOTHING), committed before it returns: across coroutines,
        processes, replicas and restarts only one caller ever gets True for a (reminder, chat) pair.
        """
        changed = await self._write(
            self.dialect.insert_new(sql.MARK_SENT),
            (reminder_key, self.chat_hash(chat_id), self._moment(self._clock())),
        )
        return changed == 1

    async def unmark_sent(self, reminder_key: str, chat_id: int) -> bool:
        """Release a claim after a send that surely did not go out, so a later round retries."""
        changed = await self._write(self.dialect(sql.UNMARK_SENT), (reminder_key, self.chat_hash(chat_id)))
        return changed == 1

    async def was_sent(self, reminder_key: str, chat_id: int) -> bool:
        rows = await self._fetchall(self.dialect(sql.WAS_SENT), (reminder_key, self.chat_hash(chat_id)))
        return bool(rows)

    async def pending_chats(self, reminder_key: str) -> list[int]:
        """Subscribers that have not been sent (claimed) `reminder_key` yet, ascending."""
        rows = await self._fetchall(self.dialect(sql.PENDING_CHATS), (reminder_key,))
        return [int(row[0]) for row in rows]

    # ------------------------------------------------------------------ staff

    async def stats(self, today: dt.date, top: int = 10) -> Stats:
        """Figures for staff; `today` is the election-local date (bot.replies.election.local_today)."""
        return stats_from_rows(
            today,
            questions_today=await self._fetchone(self.dialect(sql.STATS_DAY), (self._day(today),)),
            questions_total=await self._fetchone(self.dialect(sql.STATS_TOTAL)),
            unanswered_open=await self._fetchone(self.dialect(sql.STATS_UNANSWERED)),
            subscribers=await self._fetchone(self.dialect(sql.STATS_SUBSCRIBERS)),
            top_entries=await self._fetchall(self.dialect(sql.STATS_TOP_ENTRIES), (top,)),
            top_unanswered=await self._fetchall(self.dialect(sql.STATS_TOP_UNANSWERED), (top,)),
            feedback=await self._fetchall(self.FEEDBACK_TOTALS),
        )

    async def unanswered(self, limit: int) -> list[UnansweredRow]:
        """The latest `limit` unanswered questions, newest first (resolved suggestions excluded)."""
        rows = await self._fetchall(self.dialect(sql.UNANSWERED), (limit,))
        return unanswered_from_rows(rows, self._read_moment)

    async def feedback_comments(self, limit: int) -> list[FeedbackComment]:
        """The latest `limit` feedback comments, newest first."""
        rows = await self._fetchall(self.dialect(sql.FEEDBACK_COMMENTS), (limit,))
        return comments_from_rows(rows, self._read_moment)
